//! Every example is formatted and valid Terraform, checked with the real CLI.

use std::path::{Path, PathBuf};

use aksnet_acceptance::terraform::{pinned, with_provider, Workdir};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");

fn example_dirs(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut has_tf = false;
        for entry in std::fs::read_dir(&dir).expect("examples dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "tf") {
                has_tf = true;
            }
        }
        if has_tf {
            out.push(dir);
        }
    }
    out.sort();
    out
}

#[test]
fn examples_are_formatted() {
    let tf = pinned().expect("terraform");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let wd = Workdir::new(&tf, None).expect("workdir");
    for dir in [examples, Path::new(env!("CARGO_MANIFEST_DIR")).join("tftest")] {
        let run = wd
            .run(&["fmt", "-check", "-recursive", "-diff", dir.to_str().unwrap()])
            .expect("runs");
        assert_eq!(
            run.code,
            0,
            "terraform fmt -check found unformatted files in {}:\n{}",
            dir.display(),
            run.text()
        );
    }
}

#[test]
fn every_example_validates() {
    let tf = pinned().expect("terraform");
    let dirs = example_dirs(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"));
    assert!(
        dirs.len() >= 6,
        "expected examples for the provider, resources and functions: {dirs:?}"
    );
    for dir in dirs {
        let wd = Workdir::new(&tf, Some(Path::new(BIN))).expect("workdir");
        let mut config = String::new();
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            if entry.path().extension().is_some_and(|e| e == "tf") {
                config.push_str(&std::fs::read_to_string(entry.path()).unwrap());
                config.push('\n');
            }
        }
        // Resource and function examples carry no terraform block (Registry style).
        if !config.contains("required_providers") {
            config = with_provider(&config);
        }
        wd.write_config(&config).unwrap();
        let run = wd.run(&["validate", "-no-color"]).expect("runs");
        assert_eq!(
            run.code,
            0,
            "{} does not validate:\n{}",
            dir.display(),
            run.text()
        );
    }
}

#[test]
fn demo_prints_the_address_plan() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(root.join("scripts/demo.sh"))
        .output()
        .expect("demo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "make demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        root.join("target/debug/aksnet-emulator").exists(),
        "make demo needs the emulator binary: cargo build -p aksnet-emulator"
    );
    for needle in [
        "aksnet-emulator listening on https://127.0.0.1:",
        "Apply complete! Resources: 3 added",
        "Destroy complete! Resources: 3 destroyed",
        "azmk8s.io",
        "address_plan",
        "node_subnet_cidr",
        "10.10.2.0/",
        "pod_cidr_fits_500_nodes",
    ] {
        assert!(
            stdout.contains(needle),
            "{needle} missing from the demo output:\n{stdout}"
        );
    }
}
