//! A path in from azurerm (issue 19), with the real Terraform CLI: `network_profile_errors` fed
//! azurerm v4's own object shapes, `node_count` left out of autoscaled pools on all three
//! surfaces, and a cluster created as `azurerm_kubernetes_cluster` creates it, handed over to
//! `aksnet_cluster_network` with an `import` block (emulator).
//!
//! The `removed { from = azurerm_kubernetes_cluster.x ... }` half of the hand-over, and
//! `moved` from azurerm, run in tests/acc_moved.rs against a stand-in azurerm provider.

use std::path::Path;
use std::sync::Arc;

use aksnet_acceptance::emulator::TestEmulator;
use aksnet_acceptance::harness::{expect_eq, run_case, run_case_env, Json, Step};
use aksnet_acceptance::target::skip_against_arm;
use serde_json::{json, Value};

#[path = "support/azurerm.rs"]
mod azurerm;
use azurerm::{adopted_config, azurerm_create_body, cluster_id, seeds, subnet_id, wait_succeeded, AKS, RG};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e.as_str().map(str::to_string))
        .collect()
}

fn has_rule(s: &Json, output: &str, prefix: &str) -> Result<(), String> {
    let errors = strings(s.output(output)?);
    errors
        .iter()
        .any(|e| e.starts_with(prefix))
        .then_some(())
        .ok_or(format!("{output}: no error starting {prefix:?} in {errors:?}"))
}

// ---- network_profile_errors with azurerm's shapes ----

/// azurerm v4 objects as they are. `network_profile` and `default_node_pool` are written as
/// `azurerm_kubernetes_cluster.x.network_profile` / `.default_node_pool` read: lists of one
/// object with every attribute, `""` for strings AKS left out, `pod_cidr` repeated in
/// `pod_cidrs`, `min_count = 0` and `max_count = 0` without autoscaling
/// (flattenKubernetesClusterNetworkProfile, FlattenDefaultNodePool in
/// hashicorp/terraform-provider-azurerm internal/services/containers/kubernetes_cluster_resource.go,
/// kubernetes_nodepool.go).
/// The values are those of azurerm's documentation and acceptance tests:
/// https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/kubernetes_cluster
/// (`ip_versions`: "To configure dual-stack networking `ip_versions` should be set to
/// `["IPv4", "IPv6"]`"; `upgrade_settings { max_surge = "10%" }`; `vm_size = "Standard_DS2_v2"`)
/// and kubernetes_cluster_network_resource_test.go `podCidrsDualStack` (kubenet with
/// `pod_cidrs = ["10.1.1.0/24", "2002::1234:abcd:ffff:c0a8:101/120"]` and dual stack, which AKS
/// only runs on Azure CNI Overlay or `none`: E14).
const AZURERM_OBJECTS: &str = r#"
locals {
  default_node_pool = {
    name                          = "default"
    temporary_name_for_rotation   = ""
    type                          = "VirtualMachineScaleSets"
    vm_size                       = "Standard_DS2_v2"
    node_count                    = 2
    auto_scaling_enabled          = false
    min_count                     = 0
    max_count                     = 0
    max_pods                      = 250
    os_sku                        = "Ubuntu"
    os_disk_size_gb               = 128
    os_disk_type                  = "Managed"
    vnet_subnet_id                = ""
    pod_subnet_id                 = ""
    zones                         = ["1", "2", "3"]
    node_labels                   = {}
    tags                          = {}
    only_critical_addons_enabled  = false
    upgrade_settings = [{
      max_surge                     = "10%"
      drain_timeout_in_minutes      = 0
      node_soak_duration_in_minutes = 0
      undrainable_node_behavior     = ""
    }]
    kubelet_config       = []
    linux_os_config      = []
    node_network_profile = []
  }
  overlay = {
    network_plugin      = "azure"
    network_mode        = ""
    network_policy      = "cilium"
    network_data_plane  = "cilium"
    network_plugin_mode = "overlay"
    dns_service_ip      = "10.0.0.10"
    pod_cidr            = "10.244.0.0/16"
    pod_cidrs           = ["10.244.0.0/16", "fd12:3456:789a::/64"]
    service_cidr        = "10.0.0.0/16"
    service_cidrs       = ["10.0.0.0/16", "fd12:3456:789a:1::/108"]
    ip_versions         = ["IPv4", "IPv6"]
    load_balancer_sku   = "standard"
    outbound_type       = "loadBalancer"
    load_balancer_profile = [{
      outbound_ports_allocated    = 0
      idle_timeout_in_minutes     = 30
      managed_outbound_ip_count   = 1
      managed_outbound_ipv6_count = 1
      outbound_ip_prefix_ids      = []
      outbound_ip_address_ids     = []
      effective_outbound_ips      = []
      backend_pool_type           = "NodeIPConfiguration"
    }]
    nat_gateway_profile = []
    advanced_networking = []
  }
  kubenet_dual_stack = merge(local.overlay, {
    network_plugin      = "kubenet"
    network_plugin_mode = ""
    network_policy      = ""
    network_data_plane  = "azure"
    pod_cidr            = "10.1.1.0/24"
    pod_cidrs           = ["10.1.1.0/24", "2002::1234:abcd:ffff:c0a8:101/120"]
  })
  autoscaled = merge(local.default_node_pool, {
    node_count           = null
    auto_scaling_enabled = true
    min_count            = 2
    max_count            = 40
  })
}
"#;

#[test]
fn network_profile_errors_takes_azurerm_objects_as_they_are() {
    let config = format!(
        r#"{AZURERM_OBJECTS}
# As azurerm_kubernetes_cluster.x.network_profile / .default_node_pool read: lists of one.
output "valid" {{
  value = provider::aksnet::network_profile_errors({{
    network_profile   = [local.overlay]
    default_node_pool = [local.default_node_pool]
  }})
}}
# A module's variables: the objects themselves, the profile merged in at the top.
output "valid_merged" {{
  value = provider::aksnet::network_profile_errors(merge(local.overlay, {{
    default_node_pool = local.default_node_pool
  }}))
}}
output "kubenet_dual_stack" {{
  value = provider::aksnet::network_profile_errors({{
    network_profile   = [local.kubenet_dual_stack]
    default_node_pool = [local.default_node_pool]
  }})
}}
# Autoscaled, node_count left out: sized for max_count (40 nodes + 10% surge = 44 /24s in a /22 of 4).
output "autoscaled" {{
  value = provider::aksnet::network_profile_errors({{
    network_profile   = [local.overlay]
    default_node_pool = [local.autoscaled]
  }})
}}
output "autoscaled_small_pod_cidr" {{
  value = provider::aksnet::network_profile_errors({{
    network_profile   = [merge(local.overlay, {{ pod_cidr = "10.244.0.0/22", pod_cidrs = ["10.244.0.0/22", "fd12:3456:789a::/64"] }})]
    default_node_pool = [local.autoscaled]
  }})
}}
output "no_count" {{
  value = provider::aksnet::network_profile_errors({{
    network_profile   = [local.overlay]
    default_node_pool = [merge(local.default_node_pool, {{ node_count = null }})]
  }})
}}
"#
    );
    run_case(
        "function with azurerm objects",
        Path::new(BIN),
        vec![Step::apply(&config, |s| {
            expect_eq("valid", s.output("valid")?, &json!([]))?;
            expect_eq("valid_merged", s.output("valid_merged")?, &json!([]))?;
            expect_eq("autoscaled", s.output("autoscaled")?, &json!([]))?;
            has_rule(s, "kubenet_dual_stack", "[E14]")?;
            let bad = strings(s.output("kubenet_dual_stack")?);
            let mut once = bad.clone();
            once.dedup();
            expect_eq("one finding per input", &json!(once), &json!(bad))?;
            has_rule(s, "autoscaled_small_pod_cidr", "[C1] pod_cidr")?;
            let c1 = strings(s.output("autoscaled_small_pod_cidr")?).join("\n");
            c1.contains("default_node_pool: 40 + 4 surge")
                .then_some(())
                .ok_or(format!("sized for max_count 40 plus 10% surge: {c1}"))?;
            has_rule(
                s,
                "no_count",
                "[C3] default_node_pool.node_count: default_node_pool has neither node_count nor autoscaler bounds; set node_count, or",
            )
        })],
    );
}

// ---- node_count optional with autoscaler bounds: aksnet_pod_cidr_plan ----

fn plan_config(pool: &str) -> String {
    format!(
        r#"
resource "aksnet_pod_cidr_plan" "p" {{
  network_plugin      = "azure"
  network_plugin_mode = "overlay"
  address_space       = ["10.10.0.0/16"]
  node_pool {{
    name = "system"
{pool}
  }}
}}
output "pools" {{ value = aksnet_pod_cidr_plan.p.pools }}
"#
    )
}

#[test]
fn pod_cidr_plan_sizes_an_autoscaled_pool_without_node_count_for_max_count() {
    run_case(
        "plan node_count optional",
        Path::new(BIN),
        vec![
            Step::apply(
                &plan_config("    min_count = 2\n    max_count = 40\n    max_surge = \"10%\""),
                |s| {
                    let pool = &s.output("pools")?[0];
                    expect_eq("surge_nodes", &pool["surge_nodes"], &json!(4))?;
                    expect_eq("peak_nodes (max_count + surge)", &pool["peak_nodes"], &json!(44))
                },
            ),
            Step::expect_error_at(
                &plan_config("    max_pods = 250"),
                r"Node Count Required \(C3\).*node_pool\[0\] has neither node_count nor autoscaler bounds; set node_count, or let the autoscaler size the pool with min_count and max_count",
                "node_pool",
            ),
        ],
    );
}

// ---- aksnet_cluster_network: node_count optional, and adoption from azurerm ----

fn case(name: &str, steps: impl FnOnce(&Arc<TestEmulator>) -> Vec<Step>) {
    if skip_against_arm(name, "seeded VNet fixtures and out-of-band ARM writes") {
        return;
    }
    let emu = Arc::new(TestEmulator::start(seeds()));
    let steps = steps(&emu);
    run_case_env(name, Path::new(BIN), &emu.env(), steps);
    let left: Vec<String> = emu
        .inventory()
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| id.to_ascii_lowercase().contains("managedclusters"))
        .collect();
    assert!(left.is_empty(), "{name}: clusters left behind: {left:?}");
}

/// The autoscaler moves the pool's count (as AKS reports it), out of band.
fn autoscaler_moves(emu: &TestEmulator, name: &str, count: u64) -> Result<(), String> {
    let id = cluster_id(name);
    let mut body = wait_succeeded(emu, &id)?;
    body["properties"]["agentPoolProfiles"][0]["count"] = json!(count);
    let (status, reply) = emu.arm("PUT", &id, AKS, Some(body));
    if !(200..300).contains(&status) {
        return Err(format!("scaling: {status} {reply}"));
    }
    let after = wait_succeeded(emu, &id)?;
    expect_eq(
        "count after scaling",
        &after["properties"]["agentPoolProfiles"][0]["count"],
        &json!(count),
    )
}

fn cluster_config(name: &str, pool: &str, extra: &str) -> String {
    format!(
        r#"
resource "aksnet_cluster_network" "{name}" {{
  name                = "{name}"
  resource_group_name = "{RG}"
  location            = "westeurope"
  dns_prefix          = "{name}"
  kubernetes_version  = "1.33"
  network_plugin      = "azure"
  network_plugin_mode = "overlay"
{extra}
  default_node_pool {{
    name           = "system"
    vm_size        = "Standard_D4s_v5"
    vnet_subnet_id = "{subnet}"
{pool}
  }}
}}
"#,
        subnet = subnet_id()
    )
}

#[test]
fn cluster_network_autoscaled_pool_without_node_count() {
    let autoscaled =
        "    auto_scaling_enabled = true\n    min_count            = 2\n    max_count            = 5";
    let cfg = cluster_config(
        "aks-auto",
        autoscaled,
        "  pod_cidr            = \"10.244.0.0/16\"",
    );
    case("cluster node_count optional", |emu| {
        let (e1, e2) = (emu.clone(), emu.clone());
        vec![
            // Sized for max_count: 40 nodes + 1 surge need 41 /24s; a /20 pod CIDR holds 16.
            Step::expect_error_at(
                &cluster_config(
                    "aks-auto",
                    "    auto_scaling_enabled = true\n    min_count            = 2\n    max_count            = 40",
                    "  pod_cidr            = \"10.244.0.0/20\"",
                ),
                r"Pod CIDR Too Small \(C1\).*default_node_pool: 40 \+ 1 surge",
                "pod_cidr",
            ),
            // Neither a count nor bounds: one error, on node_count, naming both fixes.
            Step::expect_error_at(
                &cluster_config("aks-auto", "    max_pods       = 250", "  pod_cidr            = \"10.244.0.0/16\""),
                r"Node Count Required \(C3\).*default_node_pool has neither node_count nor autoscaler bounds; set node_count, or let the autoscaler size the pool with min_count and max_count \(and auto_scaling_enabled = true",
                "default_node_pool",
            ),
            Step::apply(&cfg, move |s| {
                // AKS starts the pool at min_count (the request carries count = min_count).
                expect_eq(
                    "node_count",
                    s.attr("aksnet_cluster_network.aks-auto", "/default_node_pool/node_count")?,
                    &json!(2),
                )?;
                let body = wait_succeeded(&e1, &cluster_id("aks-auto"))?;
                let pool = &body["properties"]["agentPoolProfiles"][0];
                expect_eq("ARM count", &pool["count"], &json!(2))?;
                expect_eq("ARM minCount", &pool["minCount"], &json!(2))?;
                expect_eq("ARM maxCount", &pool["maxCount"], &json!(5))
            }),
            // The autoscaler moves the count: not drift, no change planned.
            Step::run(move || autoscaler_moves(&e2, "aks-auto", 4)),
            Step::plan_exit(&cfg, 0, None),
        ]
    });
}

#[test]
fn a_cluster_azurerm_created_imports_with_no_requests() {
    case("adopt from azurerm", |emu| {
        let (e1, e2, e3, e4) = (emu.clone(), emu.clone(), emu.clone(), emu.clone());
        let w1 = Arc::new(std::sync::Mutex::new(0u64));
        let w2 = w1.clone();
        vec![
            // Created per Terraform version (the previous run's cleanup deleted it), through
            // the emulator's ARM API, so AKS's defaults are filled in as on a real create.
            Step::run(move || {
                let id = cluster_id("aks-adopt");
                let (status, body) = e1.arm("PUT", &id, AKS, Some(azurerm_create_body()));
                if !(200..300).contains(&status) {
                    return Err(format!("azurerm's create body was refused: {status} {body}"));
                }
                wait_succeeded(&e1, &id).map(|_| ())
            }),
            // Import records every pool in state; "user", declared here, is kept as it is (no
            // change, no request while its settings match Azure's).
            Step::plan_exit(
                &adopted_config(true, true),
                2,
                Some(r#"Plan: 1 to import, 0 to add, 0 to change, 0 to destroy"#),
            ),
            // Left out of the configuration, "user" is foreign (issue 16): dropped from this
            // resource's state with no request, never planned for deletion.
            Step::plan_exit(
                &adopted_config(true, false),
                2,
                Some(
                    r#"Plan: 1 to import, 0 to add, 1 to change, 0 to destroy.*Imported Node Pool Left To Its Owner.*node pool "user""#,
                ),
            ),
            Step::run(move || {
                *w1.lock().map_err(|e| e.to_string())? = e3.counters()["writes"].as_u64().unwrap_or(0);
                Ok(())
            }),
            // Apply, then the harness requires an empty plan.
            Step::apply(&adopted_config(true, true), |s| {
                s.says("Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed")
                    .then_some(())
                    .ok_or(format!("expected one import keeping \"user\":\n{}", s.text))?;
                expect_eq(
                    "node_pool[0].name",
                    s.attr("aksnet_cluster_network.aks", "/node_pool/0/name")?,
                    &json!("user"),
                )?;
                expect_eq(
                    "node_resource_group",
                    s.attr("aksnet_cluster_network.aks", "node_resource_group")?,
                    &json!("MC_acctest-azurerm_aks-adopt_westeurope"),
                )?;
                expect_eq(
                    "node_count (imported from AKS)",
                    s.attr("aksnet_cluster_network.aks", "/default_node_pool/node_count")?,
                    &json!(3),
                )
            }),
            // The import block can stay or go; the autoscaler's moves are not drift.
            Step::plan_exit(&adopted_config(false, true), 0, None),
            // The import, the adoption and the plans after them sent no request.
            Step::run(move || {
                let before = *w2.lock().map_err(|e| e.to_string())?;
                let now = e4.counters()["writes"].as_u64().unwrap_or(0);
                expect_eq("ARM writes", &json!(now - before), &json!(0))
            }),
            Step::run(move || autoscaler_moves(&e2, "aks-adopt", 7)),
            Step::plan_exit(&adopted_config(false, true), 0, None),
        ]
    });
}
