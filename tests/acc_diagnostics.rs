//! Issue 19 with the real Terraform CLI: aksnet's logs reach Terraform's log under `TF_LOG`,
//! and a configuration without a working credential fails at plan with one diagnostic that
//! lists every method tried and why each failed.

use aksnet_acceptance::emulator::{TestEmulator, SAMPLE_SUBSCRIPTION};
use aksnet_acceptance::target::skip_against_arm;
use aksnet_acceptance::terraform::{terraform_binaries, with_provider, TerraformBin, Workdir};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");

fn route_table(rg: &str) -> String {
    route_table_named(rg, "rt-logs")
}

fn route_table_named(rg: &str, name: &str) -> String {
    with_provider(&format!(
        r#"
provider "aksnet" {{}}

resource "aksnet_route_table" "test" {{
  name                = "{name}"
  resource_group_name = "{rg}"
  location            = "westeurope"
}}
"#
    ))
}

/// The value of `key=` in an hclog line as Terraform prints it (`key=value`, space-separated).
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

#[test]
fn debug_log_shows_each_arm_request_and_no_tls_noise() {
    if skip_against_arm("logs_debug", "reading the emulator's request IDs") {
        return;
    }
    let rg = "acctest-logs";
    let rg_id = format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{rg}");
    let emu = TestEmulator::start(json!([{"id": rg_id, "body": {"location": "westeurope"}}]));
    for tf in terraform_binaries().expect("terraform") {
        debug_log_case(&emu, &tf, rg);
    }
}

/// One `TF_LOG=DEBUG` apply of a route table whose first PUT is throttled (429, `Retry-After:
/// 1`): the log shows the throttled attempt, its retry, the LRO's polls and no library noise.
fn debug_log_case(emu: &TestEmulator, tf: &TerraformBin, rg: &str) {
    let ctx = format!("Terraform {}", tf.version);
    let name = format!("rt-logs-{}", tf.version.replace('.', "-"));
    let mut wd = Workdir::new(tf, Some(std::path::Path::new(BIN))).expect("workdir");
    for (k, v) in emu.env() {
        wd.set_env(&k, &v);
    }
    wd.set_env("TF_LOG", "DEBUG");
    wd.write_config(&route_table_named(rg, &name)).unwrap();
    emu.fault(json!({
        "method": "PUT", "path": format!("routeTables/{name}"), "count": 1,
        "status": 429, "retry_after": 1,
    }));
    let apply = wd
        .run(&["apply", "-auto-approve", "-no-color"])
        .expect("apply runs");
    assert_eq!(apply.code, 0, "{ctx}: {}", apply.text());
    // Terraform writes its log, provider lines included, to stderr.
    let log = apply.stderr.clone();
    let ours = |needle: &str| -> Vec<&str> {
        log.lines()
            .filter(|l| l.contains("provider.terraform-provider-aksnet") && l.contains(needle))
            .collect()
    };
    let requests = ours("ARM request:");
    assert!(
        !requests.is_empty(),
        "{ctx}: no ARM request lines in the DEBUG log:\n{log}"
    );
    let path = format!(
        "/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.Network/routeTables/{name}"
    );
    let puts: Vec<&str> = requests
        .iter()
        .copied()
        .filter(|l| field(l, "method") == Some("PUT") && field(l, "path") == Some(path.as_str()))
        .collect();
    // The throttled attempt, then its retry: exactly two PUTs, with these fields.
    assert_eq!(puts.len(), 2, "{ctx}: PUT lines:\n{}", requests.join("\n"));
    for (line, status, retry) in [(puts[0], "429", "0"), (puts[1], "201", "1")] {
        assert!(line.contains("[DEBUG]"), "{ctx}: {line}");
        assert_eq!(field(line, "@module"), Some("aksnet.arm.client"), "{ctx}: {line}");
        assert_eq!(field(line, "api_version"), Some("2025-01-01"), "{ctx}: {line}");
        assert_eq!(field(line, "status"), Some(status), "{ctx}: {line}");
        assert_eq!(field(line, "retry"), Some(retry), "{ctx}: {line}");
        let request_id = field(line, "request_id").unwrap_or_default();
        assert!(
            uuid_like(request_id),
            "{ctx}: request_id {request_id:?} is not ARM's request id: {line}"
        );
        assert!(
            field(line, "duration_ms").is_some_and(|d| d.parse::<u64>().is_ok()),
            "{ctx}: duration_ms missing or not a number: {line}"
        );
    }
    // The create is a long-running operation: each poll is logged, numbered from 1 and naming
    // the resource, and followed by its own GET request line.
    let polls = ours("polling a long-running ARM operation");
    assert!(!polls.is_empty(), "{ctx}: no LRO poll line:\n{log}");
    let first = polls[0];
    assert!(first.contains("[DEBUG]"), "{ctx}: {first}");
    assert_eq!(
        field(first, "@module"),
        Some("aksnet.arm.client"),
        "{ctx}: {first}"
    );
    assert_eq!(field(first, "poll"), Some("1"), "{ctx}: {first}");
    let resource = format!(r#"resource="Route Table \"{name}\" (Resource Group \"{rg}\")""#);
    assert!(
        first.contains(&resource),
        "{ctx}: {resource} missing from {first}"
    );
    let poll_path = field(first, "path").unwrap_or_default();
    assert!(
        requests
            .iter()
            .any(|l| field(l, "method") == Some("GET") && field(l, "path") == Some(poll_path)),
        "{ctx}: no GET request line for the poll of {poll_path}:\n{}",
        requests.join("\n")
    );
    // DEBUG is about ARM, not TLS records or gRPC plumbing, and no body is shown below TRACE.
    for noise in ["rustls", "hyper", "h2::", "tower_http", "ARM response body"] {
        let noisy: Vec<&str> = log.lines().filter(|l| l.contains(noise)).collect();
        assert!(
            noisy.is_empty(),
            "{ctx}: {noise} in the DEBUG log:\n{}",
            noisy.join("\n")
        );
    }
    wd.run_ok(&["destroy", "-auto-approve", "-no-color"])
        .unwrap_or_else(|e| panic!("{ctx}: destroy: {e}"));
}

/// `TF_LOG_PROVIDER` sets the provider's level apart from Terraform's own: alone it shows
/// aksnet's DEBUG lines without Terraform's, and at WARN it holds them back under `TF_LOG=DEBUG`.
#[test]
fn tf_log_provider_sets_the_provider_level_apart_from_terraform() {
    if skip_against_arm("logs_provider_level", "an emulator-only scenario") {
        return;
    }
    let rg = "acctest-logs-level";
    let rg_id = format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{rg}");
    let emu = TestEmulator::start(json!([{"id": rg_id, "body": {"location": "westeurope"}}]));
    for tf in terraform_binaries().expect("terraform") {
        let ctx = format!("Terraform {}", tf.version);
        let name = format!("rt-level-{}", tf.version.replace('.', "-"));
        let apply_with = |log: &str, provider_log: &str| -> String {
            let mut wd = Workdir::new(&tf, Some(std::path::Path::new(BIN))).expect("workdir");
            for (k, v) in emu.env() {
                wd.set_env(&k, &v);
            }
            wd.set_env("TF_LOG", log);
            wd.set_env("TF_LOG_PROVIDER", provider_log);
            wd.write_config(&route_table_named(rg, &name)).unwrap();
            let apply = wd
                .run(&["apply", "-auto-approve", "-no-color"])
                .expect("apply runs");
            assert_eq!(apply.code, 0, "{ctx}: {}", apply.text());
            wd.run_ok(&["destroy", "-auto-approve", "-no-color"])
                .unwrap_or_else(|e| panic!("{ctx}: destroy: {e}"));
            apply.stderr
        };
        let aksnet_debug = |log: &str| {
            log.lines()
                .filter(|l| l.contains("provider.terraform-provider-aksnet") && l.contains("ARM request:"))
                .count()
        };
        // Terraform's own DEBUG lines name no plugin (e.g. "[DEBUG] Adding temp file log sink").
        let terraform_debug = |log: &str| {
            log.lines()
                .filter(|l| l.contains("[DEBUG]") && !l.contains("provider"))
                .count()
        };

        let provider_only = apply_with("", "DEBUG");
        assert!(
            aksnet_debug(&provider_only) > 0,
            "{ctx}: TF_LOG_PROVIDER=DEBUG shows no ARM request line:\n{provider_only}"
        );
        assert_eq!(
            terraform_debug(&provider_only),
            0,
            "{ctx}: TF_LOG_PROVIDER alone turned Terraform's own log on:\n{provider_only}"
        );

        let provider_quiet = apply_with("DEBUG", "WARN");
        assert!(
            terraform_debug(&provider_quiet) > 0,
            "{ctx}: TF_LOG=DEBUG shows none of Terraform's own lines:\n{provider_quiet}"
        );
        assert_eq!(
            aksnet_debug(&provider_quiet),
            0,
            "{ctx}: TF_LOG_PROVIDER=WARN still shows aksnet's DEBUG lines:\n{provider_quiet}"
        );
    }
}

/// Whether `s` has the 8-4-4-4-12 shape of ARM's `x-ms-request-id`.
fn uuid_like(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Variables that would give the provider a credential, blanked (empty is unset to aksnet)
/// so the test runner's own environment cannot leak in.
const CREDENTIAL_VARS: &[&str] = &[
    "ARM_CLIENT_ID",
    "ARM_TENANT_ID",
    "ARM_CLIENT_SECRET",
    "ARM_CLIENT_SECRET_FILE_PATH",
    "ARM_CLIENT_CERTIFICATE",
    "ARM_CLIENT_CERTIFICATE_PATH",
    "ARM_USE_OIDC",
    "ARM_OIDC_TOKEN",
    "ARM_OIDC_TOKEN_FILE_PATH",
    "ARM_OIDC_REQUEST_URL",
    "ARM_OIDC_REQUEST_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "SYSTEM_OIDCREQUESTURI",
    "SYSTEM_ACCESSTOKEN",
    "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
    "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
    "ARM_USE_MSI",
    "ARM_USE_AKS_WORKLOAD_IDENTITY",
    "ARM_USE_CLI",
    "ARM_METADATA_HOSTNAME",
    "ARM_METADATA_HOST",
    "ARM_SUBSCRIPTION_ID",
];

/// A workdir whose provider sees no credential and a PATH without `az`.
fn without_credentials(
    tf: &aksnet_acceptance::terraform::TerraformBin,
    empty_path: &std::path::Path,
) -> Workdir {
    let mut wd = Workdir::new(tf, Some(std::path::Path::new(BIN))).expect("workdir");
    for k in CREDENTIAL_VARS {
        wd.set_env(k, "");
    }
    wd.set_env("PATH", empty_path.to_str().unwrap());
    wd
}

#[test]
fn credential_matrix_fails_at_plan_with_every_cause_and_pure_configs_need_none() {
    if skip_against_arm("credential_matrix", "controlling which credentials exist") {
        return;
    }
    let emu = TestEmulator::start(json!([]));
    for tf in terraform_binaries().expect("terraform") {
        credential_matrix(&tf, &emu);
    }
}

/// The message Azure CLI prints, on stderr with exit status 1, when no account is logged in.
const AZ_NOT_LOGGED_IN: &str = "ERROR: Please run 'az login' to setup account.";

/// A directory holding only an `az` that answers as an Azure CLI nobody logged in to.
fn az_not_logged_in() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let az = dir.path().join("az");
    std::fs::write(
        &az,
        format!("#!/bin/sh\necho \"{AZ_NOT_LOGGED_IN}\" >&2\nexit 1\n"),
    )
    .unwrap();
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// The "No Working Azure Credential" plan failure, once, with `causes` in this order.
fn assert_causes(ctx: &str, plan: &aksnet_acceptance::terraform::Run, causes: &[&str]) {
    let text = plan.text();
    assert_ne!(
        plan.code, 0,
        "{ctx}: plan should fail without a credential:\n{text}"
    );
    assert_eq!(
        text.matches("Error: No Working Azure Credential").count(),
        1,
        "{ctx}: one diagnostic expected:\n{text}"
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut at = 0;
    for cause in causes {
        let found = flat[at..]
            .find(cause)
            .unwrap_or_else(|| panic!("{ctx}: {cause:?} missing or out of order:\n{text}"));
        at += found + cause.len();
    }
    assert!(!text.contains("non-transport error"), "{ctx}: {text}");
}

/// Every row of the credential matrix on `tf`: no credential at all, an Azure CLI nobody
/// logged in to, a client secret Entra refuses, each ARM-backed resource and data source
/// failing at plan, a working credential, and pure configurations with none.
fn credential_matrix(tf: &TerraformBin, emu: &TestEmulator) {
    let v = &tf.version;
    let empty = tempfile::tempdir().unwrap();
    let skipped = [
        "client secret: neither client_secret (ARM_CLIENT_SECRET)",
        "client certificate: neither client_certificate (ARM_CLIENT_CERTIFICATE)",
        "OIDC: use_oidc (ARM_USE_OIDC) is false",
        "Azure DevOps OIDC: use_oidc (ARM_USE_OIDC) is false and ado_pipeline_service_connection_id (ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID) is not set",
        "AKS workload identity: use_aks_workload_identity (ARM_USE_AKS_WORKLOAD_IDENTITY) is false",
        "managed identity: use_msi (ARM_USE_MSI) is false",
    ];

    // Only ARM_SUBSCRIPTION_ID, no Azure CLI: plan fails, naming every method and its cause.
    let ctx = format!("Terraform {v}, nothing set");
    let mut wd = without_credentials(tf, empty.path());
    wd.set_env("ARM_SUBSCRIPTION_ID", SAMPLE_SUBSCRIPTION);
    wd.write_config(&route_table("acctest-creds")).unwrap();
    let plan = wd.run(&["plan", "-no-color", "-input=false"]).expect("plan runs");
    assert_causes(&ctx, &plan, &causes_without_cli(&skipped));

    // An `az` on PATH that nobody logged in to: tried at plan, its own message is the cause.
    let ctx = format!("Terraform {v}, az not logged in");
    let az = az_not_logged_in();
    let mut wd = without_credentials(tf, az.path());
    wd.set_env("ARM_SUBSCRIPTION_ID", SAMPLE_SUBSCRIPTION);
    wd.write_config(&route_table("acctest-creds")).unwrap();
    let plan = wd.run(&["plan", "-no-color", "-input=false"]).expect("plan runs");
    let mut causes = skipped.to_vec();
    // The SDK puts "AzureCliCredential authentication failed." before az's own message.
    causes.extend(["Azure CLI:", AZ_NOT_LOGGED_IN]);
    assert_causes(&ctx, &plan, &causes);
    assert!(
        !plan.text().contains("was not found on PATH"),
        "{ctx}: {}",
        plan.text()
    );

    // A client secret Entra refuses: the token endpoint's error is the cause, never the secret.
    let ctx = format!("Terraform {v}, wrong client secret");
    let wrong = "wr0ng-secret-5d1c";
    let mut wd = without_credentials(tf, empty.path());
    for (k, val) in emu.env() {
        wd.set_env(&k, &val);
    }
    wd.set_env("ARM_CLIENT_SECRET", wrong);
    wd.write_config(&route_table("acctest-creds")).unwrap();
    let plan = wd.run(&["plan", "-no-color", "-input=false"]).expect("plan runs");
    assert_causes(
        &ctx,
        &plan,
        &["client secret:", "AADSTS7000215: Invalid client secret provided"],
    );
    assert!(
        !plan.text().contains(wrong),
        "{ctx}: the secret leaked:\n{}",
        plan.text()
    );

    // Managed identity asked for where no identity endpoint exists (App Service's
    // IDENTITY_ENDPOINT on a closed local port): the probe names the endpoint and the refusal at
    // once, instead of the SDK retrying the connection for about 80 seconds, and the Azure CLI
    // is still tried after it.
    let ctx = format!("Terraform {v}, no managed identity endpoint");
    // Bound but never listening: refused, and no concurrent test can take the port meanwhile.
    let held = tokio::net::TcpSocket::new_v4().unwrap();
    held.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = held.local_addr().unwrap().to_string();
    let mut wd = without_credentials(tf, empty.path());
    wd.set_env("ARM_SUBSCRIPTION_ID", SAMPLE_SUBSCRIPTION);
    wd.set_env("ARM_USE_MSI", "true");
    wd.set_env("IDENTITY_ENDPOINT", &format!("http://{address}/msi/token"));
    wd.set_env("IDENTITY_HEADER", "identity-header");
    // With a proxy the provider leaves the connection to the SDK (a proxy may reach it).
    for proxy in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        wd.set_env(proxy, "");
    }
    wd.write_config(&route_table("acctest-creds")).unwrap();
    let plan = wd.run(&["plan", "-no-color", "-input=false"]).expect("plan runs");
    let msi = format!(
        "managed identity: no managed identity endpoint at {address} (IDENTITY_ENDPOINT): Connection refused"
    );
    assert_causes(
        &ctx,
        &plan,
        &[
            msi.as_str(),
            "set use_msi (ARM_USE_MSI) to false",
            "Azure CLI: `az` was not found on PATH",
        ],
    );
    assert!(
        !plan.text().contains("retry policy expired"),
        "{ctx}: the SDK's retries ran instead of the probe:\n{}",
        plan.text()
    );
    drop(held);

    // Every ARM-backed resource and data source fails at plan the same way.
    let sub = SAMPLE_SUBSCRIPTION;
    let subnet = format!(
        "/subscriptions/{sub}/resourceGroups/acctest-creds/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes"
    );
    let cluster = format!(
        "/subscriptions/{sub}/resourceGroups/acctest-creds/providers/Microsoft.ContainerService/managedClusters/aks"
    );
    for (address, config) in [
        (
            "aksnet_cluster_network.test",
            format!(
                r#"
resource "aksnet_cluster_network" "test" {{
  name                = "aks"
  resource_group_name = "acctest-creds"
  location            = "westeurope"
  dns_prefix          = "aks"
  network_plugin      = "azure"
  network_plugin_mode = "overlay"

  default_node_pool {{
    name           = "system"
    vm_size        = "Standard_D4s_v5"
    node_count     = 3
    vnet_subnet_id = "{subnet}"
  }}
}}
"#
            ),
        ),
        (
            "aksnet_node_pool.test",
            format!(
                r#"
resource "aksnet_node_pool" "test" {{
  cluster_id     = "{cluster}"
  name           = "user1"
  vm_size        = "Standard_D4s_v5"
  node_count     = 3
  vnet_subnet_id = "{subnet}"
}}
"#
            ),
        ),
        (
            "data.aksnet_subnet_usage.test",
            format!(
                r#"
data "aksnet_subnet_usage" "test" {{
  subnet_id      = "{subnet}"
  network_plugin = "azure"
  max_pods       = 30
}}
"#
            ),
        ),
    ] {
        let ctx = format!("Terraform {v}, {address}, nothing set");
        let mut wd = without_credentials(tf, empty.path());
        wd.set_env("ARM_SUBSCRIPTION_ID", SAMPLE_SUBSCRIPTION);
        wd.write_config(&with_provider(&format!("provider \"aksnet\" {{}}\n{config}")))
            .unwrap();
        let plan = wd.run(&["plan", "-no-color", "-input=false"]).expect("plan runs");
        assert_causes(&ctx, &plan, &causes_without_cli(&skipped));
        let flat = plan.text().split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(&format!("with {address},")),
            "{ctx}: the error is not at {address}:\n{}",
            plan.text()
        );
    }

    // The same configuration with credentials (the emulator's service principal) plans.
    let ctx = format!("Terraform {v}, emulator credentials");
    let mut wd = without_credentials(tf, empty.path());
    for (k, val) in emu.env() {
        wd.set_env(&k, &val);
    }
    wd.write_config(&route_table("acctest-creds")).unwrap();
    let plan = wd.run(&["plan", "-no-color", "-input=false"]).expect("plan runs");
    assert_eq!(plan.code, 0, "{ctx}: {}", plan.text());
    assert!(
        plan.stdout.contains("aksnet_route_table.test will be created"),
        "{ctx}: {}",
        plan.text()
    );

    // Pure resources and functions need no credential at all, not even a subscription.
    let ctx = format!("Terraform {v}, pure configuration");
    let wd = without_credentials(tf, empty.path());
    wd.write_config(&with_provider(
        r#"
provider "aksnet" {}

resource "aksnet_pod_cidr_plan" "pure" {
  network_plugin      = "azure"
  network_plugin_mode = "overlay"
  address_space       = ["10.10.0.0/16"]

  node_pool {
    name       = "system"
    node_count = 3
  }
}

output "overlaps" {
  value = provider::aksnet::cidrs_overlap("10.0.0.0/16", "10.0.128.0/20")
}
"#,
    ))
    .unwrap();
    let apply = wd
        .run(&["apply", "-auto-approve", "-no-color", "-input=false"])
        .expect("apply runs");
    assert_eq!(apply.code, 0, "{ctx}: {}", apply.text());
    assert!(
        apply.stdout.contains("overlaps = true"),
        "{ctx}: {}",
        apply.text()
    );
    assert!(!apply.text().contains("Credential"), "{ctx}: {}", apply.text());
}

/// The skipped methods' causes followed by "no `az` on PATH".
fn causes_without_cli<'a>(skipped: &[&'a str]) -> Vec<&'a str> {
    let mut causes = skipped.to_vec();
    causes.push("Azure CLI: `az` was not found on PATH");
    causes
}

/// Azure DevOps OIDC with a service connection the pipeline does not have (named through
/// azurerm's alias `ARM_OIDC_AZURE_SERVICE_CONNECTION_ID`): plan fails with one diagnostic that
/// names the method and Azure DevOps' own reason, and never the job's access token.
#[test]
fn azure_devops_oidc_with_an_unknown_service_connection_fails_at_plan_with_its_cause() {
    if skip_against_arm(
        "ado_oidc_unknown_connection",
        "playing Azure Pipelines' OIDC endpoint",
    ) {
        return;
    }
    let emu = TestEmulator::start(json!([]));
    for tf in terraform_binaries().expect("terraform") {
        unknown_service_connection(&tf, &emu);
    }
}

/// One plan of the unknown-service-connection case on `tf`.
fn unknown_service_connection(tf: &TerraformBin, emu: &TestEmulator) {
    let v = &tf.version;
    let empty = tempfile::tempdir().unwrap();
    let mut wd = without_credentials(tf, empty.path());
    for (k, v) in emu.env() {
        if k != "ARM_CLIENT_SECRET" && k != "ARM_USE_CLI" {
            wd.set_env(&k, &v);
        }
    }
    wd.set_env("ARM_USE_OIDC", "true");
    wd.set_env(
        "SYSTEM_OIDCREQUESTURI",
        &aksnet_emulator::ado_oidc_request_uri(&format!("https://{}", emu.host)),
    );
    wd.set_env("SYSTEM_ACCESSTOKEN", aksnet_emulator::SAMPLE_ADO_ACCESS_TOKEN);
    wd.set_env(
        "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
        "11111111-2222-3333-4444-555555555555",
    );
    wd.write_config(&route_table("acctest-ado")).unwrap();
    let plan = wd.run(&["plan", "-no-color", "-input=false"]).expect("plan runs");
    let text = plan.text();
    assert_ne!(plan.code, 0, "Terraform {v}: plan should fail:\n{text}");
    assert_eq!(
        text.matches("Error: No Working Azure Credential").count(),
        1,
        "Terraform {v}: {text}"
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for part in [
        "- Azure DevOps OIDC:",
        "HTTP 404",
        "No service connection found with identifier 11111111-2222-3333-4444-555555555555",
    ] {
        assert!(flat.contains(part), "Terraform {v}: {part:?} missing:\n{text}");
    }
    assert!(
        !text.contains(aksnet_emulator::SAMPLE_ADO_ACCESS_TOKEN),
        "Terraform {v}: {text}"
    );
}
