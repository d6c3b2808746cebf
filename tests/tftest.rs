//! `terraform test` on tftest/: the worked example for module authors runs in `make test`.

use std::path::Path;

use aksnet_acceptance::terraform::{pinned, Workdir};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");

#[test]
fn terraform_test_suite_passes() {
    let tf = pinned().expect("terraform");
    let wd = Workdir::new(&tf, Some(Path::new(BIN))).expect("workdir");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tftest");
    std::fs::copy(src.join("main.tf"), wd.path().join("main.tf")).unwrap();
    std::fs::create_dir_all(wd.path().join("tests")).unwrap();
    for f in std::fs::read_dir(src.join("tests")).unwrap().flatten() {
        std::fs::copy(f.path(), wd.path().join("tests").join(f.file_name())).unwrap();
    }
    let run = wd.run(&["test", "-no-color"]).expect("terraform test runs");
    let text = run.text();
    assert_eq!(run.code, 0, "terraform test failed:\n{text}");
    assert!(text.contains("3 passed, 0 failed"), "{text}");
}
