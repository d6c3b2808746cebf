//! Resource identity (issue 20) with the real Terraform CLI against aksnet-emulator over HTTPS:
//! identity in state after a create, `import` blocks with `identity` for `aksnet_route_table`,
//! `aksnet_cluster_network` and `aksnet_node_pool`, and identities Terraform or the provider
//! refuse. Resource identity needs Terraform >= 1.12: older versions are skipped, printing why;
//! import by ID stays covered on every version by acc_route_table, acc_cluster_network and
//! acc_node_pool.

use std::path::Path;

use aksnet_acceptance::emulator::{TestEmulator, SAMPLE_SUBSCRIPTION};
use aksnet_acceptance::harness::{expect_eq, run_case_env_from, Json, Step, IDENTITY_VERSION};
use aksnet_acceptance::target::skip_against_arm;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");
const RT: &str = "aksnet_route_table.test";
const CN: &str = "aksnet_cluster_network.test";
const NP: &str = "aksnet_node_pool.user";
const WHY: &str = "`import` blocks with `identity` and identity in state need protocol 6.9";

fn rg_id(rg: &str) -> String {
    format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{rg}")
}

fn subnet(rg: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes",
        rg_id(rg)
    )
}

/// A resource group with a VNet and one /22 node subnet; `more` items are added.
fn seeds(rg: &str, more: Value) -> Value {
    let mut items = json!([
        {"id": rg_id(rg), "body": {"location": "westeurope"}},
        {"id": format!("{}/providers/Microsoft.Network/virtualNetworks/vnet", rg_id(rg)), "body": {"location": "westeurope", "properties": {
            "addressSpace": {"addressPrefixes": ["10.10.0.0/16"]},
            "subnets": [{"name": "nodes", "id": subnet(rg), "properties": {"addressPrefix": "10.10.0.0/22"}}]}}}
    ]);
    if let (Some(list), Some(extra)) = (items.as_array_mut(), more.as_array()) {
        list.extend(extra.iter().cloned());
    }
    items
}

fn route_table(rg: &str) -> String {
    format!(
        r#"
resource "aksnet_route_table" "test" {{
  name                = "rt-test"
  resource_group_name = "{rg}"
  location            = "westeurope"
  tags = {{
    team = "network"
  }}
  route {{
    name                = "default"
    address_prefix      = "0.0.0.0/0"
    next_hop_type       = "VirtualAppliance"
    next_hop_ip_address = "10.10.0.4"
  }}
}}
"#
    )
}

/// The route table, a flat Azure CNI cluster and, with `pool`, a user node pool on it. The
/// cluster declares the identity AKS gives it, as an import reads it.
fn resources(rg: &str, pool: bool) -> String {
    let sn = subnet(rg);
    let pool = if pool {
        format!(
            r#"
resource "aksnet_node_pool" "user" {{
  cluster_id     = aksnet_cluster_network.test.id
  name           = "user1"
  vm_size        = "Standard_D4s_v5"
  node_count     = 2
  vnet_subnet_id = "{sn}"
}}
"#
        )
    } else {
        String::new()
    };
    format!(
        r#"{rt}
resource "aksnet_cluster_network" "test" {{
  name                = "aks-test"
  resource_group_name = "{rg}"
  location            = "westeurope"
  dns_prefix          = "akstest"
  kubernetes_version  = "1.33"
  network_plugin      = "azure"
  identity {{
    type = "SystemAssigned"
  }}
  default_node_pool {{
    name           = "system"
    vm_size        = "Standard_D4s_v5"
    node_count     = 3
    vnet_subnet_id = "{sn}"
  }}
}}
{pool}"#,
        rt = route_table(rg)
    )
}

/// An `import` block for `to` with an `identity` of `fields`.
fn import_identity(to: &str, fields: &[(&str, &str)]) -> String {
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("    {k} = \"{v}\"\n"))
        .collect();
    format!("\nimport {{\n  to = {to}\n  identity = {{\n{body}  }}\n}}\n")
}

fn base(rg: &str) -> Vec<(&'static str, String)> {
    vec![
        ("subscription_id", SAMPLE_SUBSCRIPTION.to_string()),
        ("resource_group_name", rg.to_string()),
    ]
}

/// The identities of the three resources, as `terraform show -json` should show them.
fn expected(rg: &str) -> [(&'static str, Value); 3] {
    [
        (
            RT,
            json!({"subscription_id": SAMPLE_SUBSCRIPTION, "resource_group_name": rg, "name": "rt-test"}),
        ),
        (
            CN,
            json!({"subscription_id": SAMPLE_SUBSCRIPTION, "resource_group_name": rg, "name": "aks-test"}),
        ),
        (
            NP,
            json!({"subscription_id": SAMPLE_SUBSCRIPTION, "resource_group_name": rg, "managed_cluster_name": "aks-test", "name": "user1"}),
        ),
    ]
}

/// The identity and identity schema version of each resource in `addresses` in the state.
fn identities_are(s: &Json, rg: &str, addresses: &[&str]) -> Result<(), String> {
    for (address, want) in expected(rg).into_iter().filter(|(a, _)| addresses.contains(a)) {
        let r = s.entry(address)?;
        expect_eq(&format!("{address} identity"), &r["identity"], &want)?;
        expect_eq(
            &format!("{address} identity_schema_version"),
            &r["identity_schema_version"],
            &json!(0),
        )?;
    }
    Ok(())
}

fn as_fields<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Created objects carry their identity; out of state, `import` blocks with `identity` bring
/// them back ("N imported, 0 added, 0 changed") with the same identities, and the next plan is
/// empty. The cluster is imported without the node pool resource (an imported cluster owns
/// every pool it finds).
#[test]
fn created_objects_have_identities_and_import_by_identity_round_trips() {
    if skip_against_arm(
        "identity round trip",
        "seeded VNet fixtures and a cluster in seconds",
    ) {
        return;
    }
    let rg = "acctest-identity";
    let emu = TestEmulator::start(seeds(rg, json!([])));
    let mut rt = base(rg);
    rt.push(("name", "rt-test".into()));
    let mut cn = base(rg);
    cn.push(("name", "aks-test".into()));
    let mut np = base(rg);
    np.push(("managed_cluster_name", "aks-test".into()));
    np.push(("name", "user1".into()));
    let table_and_pool = format!(
        "{}{}{}",
        resources(rg, true),
        import_identity(RT, &as_fields(&rt)),
        import_identity(NP, &as_fields(&np)),
    );
    let cluster = format!("{}{}", resources(rg, false), import_identity(CN, &as_fields(&cn)));
    let steps = vec![
        Step::apply(&resources(rg, true), move |s| {
            identities_are(s, rg, &[RT, CN, NP])
        }),
        Step::cli(&["state", "rm", "-no-color", RT, NP], true, None),
        Step::plan_exit(
            &table_and_pool,
            2,
            Some(r"Plan: 2 to import, 0 to add, 0 to change, 0 to destroy"),
        ),
        Step::apply(&table_and_pool, move |s| {
            if !s.says("2 imported, 0 added, 0 changed, 0 destroyed") {
                return Err(format!("expected only imports:\n{}", s.text));
            }
            identities_are(s, rg, &[RT, CN, NP])
        }),
        // Refreshed again with the import blocks gone: the identities stay.
        Step::plan_exit(&resources(rg, true), 0, None),
        // The pool goes; the cluster leaves the state and comes back by identity.
        Step::apply(&resources(rg, false), |_| Ok(())),
        Step::cli(&["state", "rm", "-no-color", CN], true, None),
        Step::apply(&cluster, move |s| {
            if !s.says("1 imported, 0 added, 0 changed, 0 destroyed") {
                return Err(format!("expected only an import:\n{}", s.text));
            }
            identities_are(s, rg, &[RT, CN])
        }),
    ];
    let ran = run_case_env_from(
        "identity round trip",
        Path::new(BIN),
        &emu.env(),
        IDENTITY_VERSION,
        WHY,
        steps,
    );
    assert!(
        !ran.is_empty() || std::env::var_os("TF_ACC_TERRAFORM_PATH").is_some(),
        "the pinned Terraform 1.15.5 must run the identity scenario"
    );
}

/// Identities Terraform or the provider refuse, each with an error naming the attribute; then
/// the right identity imports the existing route table.
#[test]
fn invalid_import_identities_name_the_attribute() {
    if skip_against_arm("identity errors", "a seeded route table in the emulator") {
        return;
    }
    let rg = "acctest-identity-rt";
    let table = json!([{
        "id": format!("{}/providers/Microsoft.Network/routeTables/rt-test", rg_id(rg)),
        "body": {"location": "westeurope", "tags": {"team": "network"}, "properties": {"routes": [
            {"name": "default", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.10.0.4"}}]}}
    }]);
    let emu = TestEmulator::start(seeds(rg, table));
    let with = |fields: &[(&str, &str)]| format!("{}{}", route_table(rg), import_identity(RT, fields));
    let sub = SAMPLE_SUBSCRIPTION;
    let steps = vec![
        // Terraform checks the attributes required for import against the identity schema.
        Step::expect_error(
            &with(&[("subscription_id", sub), ("resource_group_name", rg)]),
            r#"attribute "name" is required"#,
        ),
        Step::expect_error(
            &with(&[
                ("subscription_id", "not-a-guid"),
                ("resource_group_name", rg),
                ("name", "rt-test"),
            ]),
            r"Invalid Import Identity.*`identity\.subscription_id` of the Route Table to import as `aksnet_route_table` is invalid: it is not a GUID",
        ),
        Step::expect_error(
            &with(&[
                ("subscription_id", sub),
                ("resource_group_name", ""),
                ("name", "rt-test"),
            ]),
            r"Invalid Import Identity.*`identity\.resource_group_name` must not be empty.*needs `subscription_id`, `resource_group_name` and `name`",
        ),
        Step::expect_error(
            &with(&[
                ("subscription_id", sub),
                ("resource_group_name", rg),
                ("name", "rt-test."),
            ]),
            r"Invalid Import Identity.*`identity\.name` of the Route Table.*breaks ARM's naming rules",
        ),
        Step::expect_error(
            &with(&[
                ("subscription_id", "22222222-2222-2222-2222-222222222222"),
                ("resource_group_name", rg),
                ("name", "rt-test"),
            ]),
            r"Import From Another Subscription.*identity\.subscription_id",
        ),
        Step::apply(
            &with(&[
                ("subscription_id", sub),
                ("resource_group_name", rg),
                ("name", "rt-test"),
            ]),
            move |s| {
                if !s.says("1 imported, 0 added, 0 changed, 0 destroyed") {
                    return Err(format!("expected only an import:\n{}", s.text));
                }
                expect_eq(
                    "identity",
                    &s.entry(RT)?["identity"],
                    &json!({"subscription_id": sub, "resource_group_name": rg, "name": "rt-test"}),
                )
            },
        ),
    ];
    let ran = run_case_env_from(
        "identity errors",
        Path::new(BIN),
        &emu.env(),
        IDENTITY_VERSION,
        WHY,
        steps,
    );
    assert!(
        !ran.is_empty() || std::env::var_os("TF_ACC_TERRAFORM_PATH").is_some(),
        "the pinned Terraform 1.15.5 must run the identity scenario"
    );
}
