//! The `make testacc` path, offline: `make testacc` runs the route table scenarios with
//! `TF_ACC=1` and `ARM_*` pointing at an emulator that holds nothing, so the harness itself
//! creates every fixture through ARM (from the seed files) and deletes it again. Afterwards
//! the emulator must be empty, and the emulator-only scenarios must have said why they skipped.

use std::path::PathBuf;
use std::process::Command;

use aksnet_acceptance::emulator::TestEmulator;
use aksnet_acceptance::terraform::{pinned, workspace_root};
use serde_json::json;

/// Set for the nested run, so that it can never start this test again.
const NESTED: &str = "AKSNET_TESTACC_NESTED";

/// The target directory this test was built in (`…/target/debug/deps/this` → `…/target`),
/// so the nested cargo reuses the same builds.
fn target_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(d);
    }
    let exe = std::env::current_exe().expect("current exe");
    exe.ancestors()
        .nth(3)
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

#[test]
fn make_testacc_creates_and_deletes_every_fixture_through_arm() {
    if std::env::var_os(NESTED).is_some() {
        return;
    }
    let emu = TestEmulator::start(json!([]));
    assert!(emu.inventory().is_empty());
    let terraform = pinned().expect("the pinned Terraform");
    let mut cmd = Command::new("make");
    cmd.current_dir(workspace_root()).args([
        "--no-print-directory",
        "testacc",
        "TESTS=acc_route_table",
        "RUN=--test-threads=6",
    ]);
    // A clean ARM_* environment: only the emulator's settings.
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("ARM_") || k.starts_with("AZURE_") || k.starts_with("MAKE") || k == "MFLAGS" {
            cmd.env_remove(&k);
        }
    }
    cmd.envs(emu.env())
        .env(NESTED, "1")
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO", std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        // One Terraform is enough here: this proves the fixture path, not version coverage.
        .env("TF_ACC_TERRAFORM_PATH", &terraform.path);
    let out = cmd.output().expect("running make testacc");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "make testacc failed:\n{text}");
    assert!(
        text.contains("test result: ok.") && !text.contains(" 0 passed"),
        "no scenario ran:\n{text}"
    );
    for skipped in [
        "SKIP route_table_throttling: needs the emulator (fault injection)",
        "SKIP route_table_request_count: needs the emulator (request counters)",
    ] {
        assert!(text.contains(skipped), "missing `{skipped}`:\n{text}");
    }
    let writes = emu.counters()["writes"].as_u64().unwrap_or(0);
    assert!(writes > 0, "nothing was written through ARM:\n{text}");
    let left = emu.inventory();
    assert!(
        left.is_empty(),
        "the run left resources behind: {:?}",
        left.iter().map(|(id, _)| id).collect::<Vec<_>>()
    );
}
