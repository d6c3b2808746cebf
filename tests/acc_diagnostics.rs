//! Issue 19 with the real Terraform CLI: aksnet's logs reach Terraform's log under `TF_LOG`,
//! and a configuration without a working credential fails at plan with one diagnostic that
//! lists every method tried and why each failed.

use aksnet_acceptance::emulator::{TestEmulator, SAMPLE_SUBSCRIPTION};
use aksnet_acceptance::target::skip_against_arm;
use aksnet_acceptance::terraform::{pinned, with_provider, Workdir};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");

fn route_table(rg: &str) -> String {
    with_provider(&format!(
        r#"
provider "aksnet" {{}}

resource "aksnet_route_table" "test" {{
  name                = "rt-logs"
  resource_group_name = "{rg}"
  location            = "westeurope"
}}
"#
    ))
}

#[test]
fn debug_log_shows_each_arm_request_and_no_tls_noise() {
    if skip_against_arm("logs_debug", "reading the emulator's request IDs") {
        return;
    }
    let rg = "acctest-logs";
    let rg_id = format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{rg}");
    let emu = TestEmulator::start(json!([{"id": rg_id, "body": {"location": "westeurope"}}]));
    let tf = pinned().expect("terraform");
    let mut wd = Workdir::new(&tf, Some(std::path::Path::new(BIN))).expect("workdir");
    for (k, v) in emu.env() {
        wd.set_env(&k, &v);
    }
    wd.set_env("TF_LOG", "DEBUG");
    wd.write_config(&route_table(rg)).unwrap();
    let apply = wd
        .run(&["apply", "-auto-approve", "-no-color"])
        .expect("apply runs");
    assert_eq!(apply.code, 0, "{}", apply.text());
    // Terraform writes its log, provider lines included, to stderr.
    let log = apply.stderr.clone();
    let requests: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("provider.terraform-provider-aksnet") && l.contains("ARM request:"))
        .collect();
    assert!(
        !requests.is_empty(),
        "no ARM request lines in the DEBUG log:\n{log}"
    );
    let put = requests
        .iter()
        .find(|l| l.contains("method=PUT"))
        .unwrap_or_else(|| panic!("no PUT line among:\n{}", requests.join("\n")));
    assert!(put.contains("[DEBUG]"), "{put}");
    for part in [
        "@module=aksnet.arm.client",
        "api_version=2025-01-01",
        "path=/subscriptions/",
        "/routeTables/rt-logs",
        "status=",
        "request_id=",
        "duration_ms=",
        "retry=0",
    ] {
        assert!(put.contains(part), "{part} missing from {put}");
    }
    // DEBUG is about ARM, not TLS records or gRPC plumbing, and no body is shown below TRACE.
    for noise in ["rustls", "hyper", "h2::", "tower_http", "ARM response body"] {
        let noisy: Vec<&str> = log.lines().filter(|l| l.contains(noise)).collect();
        assert!(
            noisy.is_empty(),
            "{noise} in the DEBUG log:\n{}",
            noisy.join("\n")
        );
    }
    wd.run_ok(&["destroy", "-auto-approve", "-no-color"])
        .expect("destroy");
}
