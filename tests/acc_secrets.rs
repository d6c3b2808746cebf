//! Secret hygiene: with TF_LOG=TRACE, neither the client secret nor any access token appears
//! in Terraform's output, the provider's logs or the state.

use aksnet_acceptance::emulator::{TestEmulator, SAMPLE_SECRET, SAMPLE_SUBSCRIPTION};
use aksnet_acceptance::target::skip_against_arm;
use aksnet_acceptance::terraform::{pinned, with_provider, Workdir};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");

#[test]
fn trace_logs_and_state_hold_no_secret_or_token() {
    if skip_against_arm("secrets_trace_logs", "recognising the access tokens it issued") {
        return;
    }
    let rg = "acctest-secrets";
    let rg_id = format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{rg}");
    let emu = TestEmulator::start(json!([{"id": rg_id, "body": {"location": "westeurope"}}]));
    let tf = pinned().expect("terraform");
    let mut wd = Workdir::new(&tf, Some(std::path::Path::new(BIN))).expect("workdir");
    let secret = "s3cr3t-from-config-7f2a";
    for (k, v) in emu.env() {
        // The config's secret must win over the environment's (config precedence) and still never leak.
        if k != "ARM_CLIENT_SECRET" {
            wd.set_env(&k, &v);
        }
    }
    wd.set_env("TF_LOG", "TRACE");
    wd.set_env("TF_VAR_client_secret", secret);
    let log = wd.path().join("provider.log");
    wd.set_env("TF_LOG_PATH", log.to_str().unwrap());
    let config = with_provider(&format!(
        r#"
variable "client_secret" {{
  type      = string
  sensitive = true
}}

provider "aksnet" {{
  client_secret = var.client_secret
}}

resource "aksnet_route_table" "test" {{
  name                = "rt-secrets"
  resource_group_name = "{rg}"
  location            = "westeurope"
}}
"#
    ));
    wd.write_config(&config).unwrap();
    let apply = wd
        .run(&["apply", "-auto-approve", "-no-color"])
        .expect("apply runs");
    assert_eq!(apply.code, 0, "{}", apply.text());
    let destroy = wd
        .run(&["destroy", "-auto-approve", "-no-color"])
        .expect("destroy runs");
    assert_eq!(destroy.code, 0, "{}", destroy.text());
    let mut everything = apply.text() + &destroy.text();
    everything.push_str(&std::fs::read_to_string(&log).unwrap_or_default());
    for f in std::fs::read_dir(wd.path()).unwrap().flatten() {
        if f.file_name().to_string_lossy().contains("tfstate") {
            everything.push_str(&std::fs::read_to_string(f.path()).unwrap_or_default());
        }
    }
    assert!(
        everything.len() > 10_000,
        "TRACE output is suspiciously short: {} bytes",
        everything.len()
    );
    assert!(!everything.contains(secret), "the client secret leaked");
    assert!(
        !everything.contains(SAMPLE_SECRET),
        "the emulator's sample secret leaked"
    );
    // The provider's own TRACE lines reached Terraform's log (issue 19): request and response
    // bodies are there, so the checks below cover what TRACE shows.
    for line in [
        "ARM request:",
        "ARM request body:",
        "ARM response body:",
        "@module=aksnet.arm.client",
    ] {
        assert!(everything.contains(line), "{line} missing from the TRACE log");
    }
    assert!(
        !everything.to_ascii_lowercase().contains("authorization: bearer"),
        "an Authorization header was logged"
    );
    let token = regex::Regex::new(r"emu\.[0-9a-f]{8}-").unwrap();
    assert!(!token.is_match(&everything), "an access token leaked");
}
