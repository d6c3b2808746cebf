//! `terraform plan -generate-config-out` for every ARM-backed resource (issue 16), with the real
//! Terraform CLI (both versions) against aksnet-emulator over HTTPS: a route table, a cluster
//! and a node pool made by Terraform leave the state, `import` blocks bring them back, Terraform
//! writes their configuration, and that configuration plans with no error and no change
//! ("3 to import, 0 to add, 0 to change"), applies as imports only and then plans empty.
//! Terraform 1.11 writes the configuration from the state (so each resource must accept its own
//! state as configuration); Terraform >= 1.14 asks the provider (`GenerateResourceConfig`).

use std::path::Path;
use std::sync::Arc;

use aksnet_acceptance::emulator::{TestEmulator, SAMPLE_SUBSCRIPTION};
use aksnet_acceptance::harness::{run_steps_env, Step};
use aksnet_acceptance::target::skip_against_arm;
use aksnet_acceptance::terraform::{parse_version, terraform_binaries};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");
const RG: &str = "acctest-gen";

fn rg_id() -> String {
    format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{RG}")
}

fn subnet(name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/{name}",
        rg_id()
    )
}

fn table_id() -> String {
    format!("{}/providers/Microsoft.Network/routeTables/rt-egress", rg_id())
}

fn cluster_id() -> String {
    format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/aks-gen",
        rg_id()
    )
}

fn seeds() -> Value {
    json!([
        {"id": rg_id(), "body": {"location": "westeurope"}},
        {"id": format!("{}/providers/Microsoft.Network/virtualNetworks/vnet", rg_id()), "body": {"location": "westeurope", "properties": {
            "addressSpace": {"addressPrefixes": ["10.10.0.0/16"]},
            "subnets": [
                {"name": "nodes", "id": subnet("nodes"), "properties": {"addressPrefix": "10.10.0.0/22"}},
                {"name": "edge", "id": subnet("edge"), "properties": {"addressPrefix": "10.10.8.0/24"}}
            ]}}}
    ])
}

/// The three resources as a user writes them: `plugin` lines go in the cluster.
fn resources(plugin: &str) -> String {
    format!(
        r#"
provider "aksnet" {{}}

resource "aksnet_route_table" "rt" {{
  name                = "rt-egress"
  resource_group_name = "{RG}"
  location            = "westeurope"
  subnet_ids          = ["{edge}"]
  route {{
    name                = "default"
    address_prefix      = "0.0.0.0/0"
    next_hop_type       = "VirtualAppliance"
    next_hop_ip_address = "10.10.8.4"
  }}
}}

resource "aksnet_cluster_network" "aks" {{
  name                = "aks-gen"
  resource_group_name = "{RG}"
  location            = "westeurope"
  dns_prefix          = "aksgen"
  kubernetes_version  = "1.33"
{plugin}
  default_node_pool {{
    name           = "system"
    vm_size        = "Standard_D4s_v5"
    node_count     = 3
    vnet_subnet_id = "{nodes}"
  }}

  node_pool {{
    name           = "user2"
    vm_size        = "Standard_D4s_v5"
    node_count     = 1
    vnet_subnet_id = "{nodes}"
  }}
}}

resource "aksnet_node_pool" "user" {{
  cluster_id     = aksnet_cluster_network.aks.id
  name           = "user1"
  vm_size        = "Standard_D4s_v5"
  node_count     = 2
  vnet_subnet_id = "{nodes}"
}}
"#,
        edge = subnet("edge"),
        nodes = subnet("nodes"),
    )
}

/// Only `import` blocks: the configuration is what Terraform generates.
fn imports() -> String {
    format!(
        r#"
provider "aksnet" {{}}

import {{
  to = aksnet_route_table.rt
  id = "{}"
}}

import {{
  to = aksnet_cluster_network.aks
  id = "{}"
}}

import {{
  to = aksnet_node_pool.user
  id = "{}/agentPools/user1"
}}

# Whether the generated file writes pod_cidrs next to pod_cidr (Terraform < 1.14 does).
output "both_pod_cidr_forms" {{
  value = fileexists("generated.tf") ? strcontains(file("generated.tf"), "pod_cidrs") : null
}}

# The cluster's import records every pool, so its generated node_pool blocks name them all.
output "declares_every_pool" {{
  value = fileexists("generated.tf") ? (strcontains(file("generated.tf"), "\"user1\"") && strcontains(file("generated.tf"), "\"user2\"")) : null
}}
"#,
        table_id(),
        cluster_id(),
        cluster_id()
    )
}

fn round_trip(name: &str, plugin: &str) {
    if skip_against_arm(name, "a cluster in seconds from the emulator") {
        return;
    }
    let emu = Arc::new(TestEmulator::start(seeds()));
    let addresses = [
        "aksnet_route_table.rt",
        "aksnet_cluster_network.aks",
        "aksnet_node_pool.user",
    ];
    let mut rm = vec!["state", "rm", "-no-color"];
    rm.extend(addresses);
    let plan = ["plan", "-no-color", "-input=false"];
    let generate = [
        "plan",
        "-no-color",
        "-input=false",
        "-generate-config-out=generated.tf",
    ];
    let clean = r"Plan: 3 to import, 0 to add, 0 to change, 0 to destroy";
    for tf in terraform_binaries().unwrap_or_else(|e| panic!("{name}: no Terraform: {e}")) {
        // Terraform >= 1.14 asks the provider (GenerateResourceConfig), which writes each
        // range once; older versions write every optional attribute of the state.
        let asks_provider = parse_version(&tf.version).is_some_and(|v| v >= (1, 14));
        let forms = format!(r"\+ both_pod_cidr_forms = {}", !asks_provider);
        let steps = vec![
            Step::apply(&resources(plugin), |_| Ok(())),
            Step::cli(&rm, true, None),
            // Import blocks alone do not plan: their targets have no configuration yet.
            Step::plan_exit(&imports(), 1, Some("-generate-config-out")),
            Step::cli(&generate, true, Some(clean)),
            // The generated file plans by itself: no error, imports only.
            Step::cli(
                &plan,
                true,
                Some(&format!(r"{clean}.*{forms}.*\+ declares_every_pool = true")),
            ),
            Step::apply(&imports(), |s| {
                if !s.says("3 imported, 0 added, 0 changed, 0 destroyed") {
                    return Err(format!("expected imports only:\n{}", s.text));
                }
                Ok(())
            }),
        ];
        if let Err(e) = run_steps_env(&tf, Some(Path::new(BIN)), &emu.env(), &steps) {
            panic!("{name} on Terraform {}: {e}", tf.version);
        }
    }
    let left: Vec<String> = emu
        .inventory()
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| id.to_ascii_lowercase().contains("managedclusters"))
        .collect();
    assert!(left.is_empty(), "{name}: clusters left behind: {left:?}");
}

#[test]
fn generated_configuration_plans_cleanly_overlay() {
    round_trip(
        "generate overlay",
        "  network_plugin      = \"azure\"\n  network_plugin_mode = \"overlay\"\n  pod_cidr            = \"10.244.0.0/16\"\n",
    );
}

#[test]
fn generated_configuration_plans_cleanly_flat_azure_cni() {
    round_trip("generate flat", "  network_plugin = \"azure\"\n");
}
