//! Secret hygiene: with TF_LOG=TRACE, neither the client secret nor any access token appears
//! in Terraform's output, the provider's logs or the state.

use aksnet_acceptance::emulator::{TestEmulator, SAMPLE_SECRET, SAMPLE_SUBSCRIPTION};
use aksnet_acceptance::target::skip_against_arm;
use aksnet_acceptance::terraform::{terraform_binaries, with_provider, TerraformBin, Workdir};
use aksnet_emulator::{ado_oidc_request_uri, SAMPLE_ADO_ACCESS_TOKEN, SAMPLE_SERVICE_CONNECTION};
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
    for tf in terraform_binaries().expect("terraform") {
        trace_case(&emu, &tf, rg);
    }
}

/// One `TF_LOG=TRACE` apply and destroy of a route table on `tf`, the client secret from the
/// configuration; asserts no secret or token reached the output, the log or the state.
fn trace_case(emu: &TestEmulator, tf: &TerraformBin, rg: &str) {
    let v = &tf.version;
    let name = format!("rt-secrets-{}", v.replace('.', "-"));
    let mut wd = Workdir::new(tf, Some(std::path::Path::new(BIN))).expect("workdir");
    // The config's secret (the right one) must win over the environment's (one the emulator
    // refuses, so apply fails if it is used), and neither may leak.
    let secret = "s3cr3t-from-env-7f2a";
    for (k, v) in emu.env() {
        wd.set_env(&k, &v);
    }
    wd.set_env("ARM_CLIENT_SECRET", secret);
    wd.set_env("TF_LOG", "TRACE");
    wd.set_env("TF_VAR_client_secret", SAMPLE_SECRET);
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
  name                = "{name}"
  resource_group_name = "{rg}"
  location            = "westeurope"
}}
"#
    ));
    wd.write_config(&config).unwrap();
    let apply = wd
        .run(&["apply", "-auto-approve", "-no-color"])
        .expect("apply runs");
    assert_eq!(apply.code, 0, "Terraform {v}: {}", apply.text());
    let destroy = wd
        .run(&["destroy", "-auto-approve", "-no-color"])
        .expect("destroy runs");
    assert_eq!(destroy.code, 0, "Terraform {v}: {}", destroy.text());
    let mut everything = apply.text() + &destroy.text();
    everything.push_str(&std::fs::read_to_string(&log).unwrap_or_default());
    for f in std::fs::read_dir(wd.path()).unwrap().flatten() {
        if f.file_name().to_string_lossy().contains("tfstate") {
            everything.push_str(&std::fs::read_to_string(f.path()).unwrap_or_default());
        }
    }
    assert!(
        everything.len() > 10_000,
        "Terraform {v}: TRACE output is suspiciously short: {} bytes",
        everything.len()
    );
    assert!(
        !everything.contains(secret),
        "Terraform {v}: the environment's client secret leaked"
    );
    assert!(
        !everything.contains(SAMPLE_SECRET),
        "Terraform {v}: the emulator's sample secret leaked"
    );
    // The provider's own TRACE lines reached Terraform's log (issue 19): request and response
    // bodies are there, so the checks below cover what TRACE shows.
    for line in [
        "ARM request:",
        "ARM request body:",
        "ARM response body:",
        "@module=aksnet.arm.client",
    ] {
        assert!(
            everything.contains(line),
            "Terraform {v}: {line} missing from the TRACE log"
        );
    }
    assert!(
        !everything.to_ascii_lowercase().contains("authorization: bearer"),
        "Terraform {v}: an Authorization header was logged"
    );
    let token = regex::Regex::new(r"emu\.[0-9a-f]{8}-").unwrap();
    assert!(
        !token.is_match(&everything),
        "Terraform {v}: an access token leaked"
    );
}

/// Azure DevOps OIDC as a pipeline sets it up (`SYSTEM_OIDCREQUESTURI`, `SYSTEM_ACCESSTOKEN`,
/// the service connection ID, no client secret): the provider requests the pipeline's ID token
/// from the emulator's Azure DevOps endpoint, exchanges it at the token endpoint, and applies;
/// at TRACE neither the job token, the ID token nor an access token appears anywhere. The
/// service connection comes once from `ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID` and once from
/// the provider block's `ado_pipeline_service_connection_id`.
#[test]
fn azure_devops_oidc_applies_and_trace_logs_hold_no_token() {
    if skip_against_arm("secrets_ado_oidc", "playing Azure Pipelines' OIDC endpoint") {
        return;
    }
    let rg = "acctest-ado";
    let rg_id = format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{rg}");
    let emu = TestEmulator::start(json!([{"id": rg_id, "body": {"location": "westeurope"}}]));
    for tf in terraform_binaries().expect("terraform") {
        for connection in [Connection::Env, Connection::Attribute] {
            ado_oidc_apply(&emu, &tf, rg, connection);
        }
    }
}

/// Where the Azure DevOps service connection ID comes from.
#[derive(Clone, Copy, Debug)]
enum Connection {
    /// `ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID`, as a pipeline step sets it.
    Env,
    /// The provider block's `ado_pipeline_service_connection_id`, with the variable naming a
    /// connection the emulator does not know: the attribute must win (config precedence).
    Attribute,
}

/// One Azure DevOps OIDC apply and destroy of a route table on `tf`, asserting the emulator's
/// Azure DevOps endpoint issued a token and no token reached the TRACE log or the state.
fn ado_oidc_apply(emu: &TestEmulator, tf: &TerraformBin, rg: &str, connection: Connection) {
    let ctx = format!("Terraform {}, connection from {connection:?}", tf.version);
    let mut wd = Workdir::new(tf, Some(std::path::Path::new(BIN))).expect("workdir");
    for (k, v) in emu.env() {
        if k != "ARM_CLIENT_SECRET" {
            wd.set_env(&k, &v);
        }
    }
    for k in [
        "ARM_CLIENT_SECRET",
        "ARM_OIDC_TOKEN",
        "ARM_OIDC_TOKEN_FILE_PATH",
        "ARM_OIDC_REQUEST_URL",
        "ARM_OIDC_REQUEST_TOKEN",
        "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    ] {
        wd.set_env(k, "");
    }
    wd.set_env("ARM_USE_OIDC", "true");
    wd.set_env(
        "SYSTEM_OIDCREQUESTURI",
        &ado_oidc_request_uri(&format!("https://{}", emu.host)),
    );
    wd.set_env("SYSTEM_ACCESSTOKEN", SAMPLE_ADO_ACCESS_TOKEN);
    let provider_block = match connection {
        Connection::Env => {
            wd.set_env(
                "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
                SAMPLE_SERVICE_CONNECTION,
            );
            "provider \"aksnet\" {}".to_string()
        }
        Connection::Attribute => {
            // A connection the emulator answers 404 for: used only if the attribute is ignored.
            wd.set_env(
                "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
                "00000000-0000-0000-0000-0000000000ee",
            );
            format!(
                "provider \"aksnet\" {{\n  ado_pipeline_service_connection_id = \"{SAMPLE_SERVICE_CONNECTION}\"\n}}"
            )
        }
    };
    wd.set_env("TF_LOG", "TRACE");
    let log = wd.path().join("provider.log");
    wd.set_env("TF_LOG_PATH", log.to_str().unwrap());
    let name = format!("rt-ado-{}", tf.version.replace('.', "-"));
    wd.write_config(&with_provider(&format!(
        r#"
{provider_block}

resource "aksnet_route_table" "test" {{
  name                = "{name}"
  resource_group_name = "{rg}"
  location            = "westeurope"
}}
"#
    )))
    .unwrap();
    let tokens_before = emu.counters()["ado_oidc_tokens"].as_u64().unwrap_or(0);
    let apply = wd
        .run(&["apply", "-auto-approve", "-no-color"])
        .expect("apply runs");
    assert_eq!(apply.code, 0, "{ctx}: {}", apply.text());
    let ado_tokens = emu.counters()["ado_oidc_tokens"].as_u64().unwrap_or(0);
    assert!(
        ado_tokens > tokens_before,
        "{ctx}: the Azure DevOps OIDC endpoint issued no token: {}",
        emu.counters()
    );
    let mut everything = apply.text();
    everything.push_str(&std::fs::read_to_string(&log).unwrap_or_default());
    for f in std::fs::read_dir(wd.path()).unwrap().flatten() {
        if f.file_name().to_string_lossy().contains("tfstate") {
            everything.push_str(&std::fs::read_to_string(f.path()).unwrap_or_default());
        }
    }
    assert!(
        everything.contains("Azure DevOps OIDC"),
        "{ctx}: the log does not say which credential worked"
    );
    assert!(
        everything.contains("ARM request body:"),
        "{ctx}: no TRACE lines from aksnet"
    );
    assert!(
        !everything.contains(SAMPLE_ADO_ACCESS_TOKEN),
        "{ctx}: the pipeline's access token leaked"
    );
    // The ID token is a JWT (`eyJ….eyJ…`); none may appear, nor an access token.
    let jwt = regex::Regex::new(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ").unwrap();
    assert!(!jwt.is_match(&everything), "{ctx}: an ID token leaked");
    let token = regex::Regex::new(r"emu\.[0-9a-f]{8}-").unwrap();
    assert!(!token.is_match(&everything), "{ctx}: an access token leaked");
    wd.run_ok(&["destroy", "-auto-approve", "-no-color"])
        .unwrap_or_else(|e| panic!("{ctx}: destroy: {e}"));
}
