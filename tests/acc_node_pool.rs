//! `aksnet_node_pool` with the real Terraform CLI against aksnet-emulator over HTTPS, next to
//! an `aksnet_cluster_network` on the same cluster: create, in-place scaling (one agent pool
//! write), replacement of this pool only, import round trip, and the capacity checks that
//! count the pool the cluster resource does not declare (issue 16).

use std::path::Path;
use std::sync::{Arc, Mutex};

use aksnet_acceptance::emulator::{TestEmulator, SAMPLE_SUBSCRIPTION};
use aksnet_acceptance::harness::{expect_eq, run_case_env, Json, Step};
use aksnet_acceptance::target::skip_against_arm;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");
const P: &str = "aksnet_node_pool.user";
const AKS: &str = "2025-10-01";
const RG: &str = "acctest-np";

fn rg_id() -> String {
    format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{RG}")
}

fn subnet() -> String {
    format!(
        "{}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes",
        rg_id()
    )
}

fn cluster_id() -> String {
    format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/aks-test",
        rg_id()
    )
}

fn pool_id() -> String {
    format!("{}/agentPools/user1", cluster_id())
}

/// A VNet with one /22 node subnet (1,019 usable addresses).
fn seeds() -> Value {
    json!([
        {"id": rg_id(), "body": {"location": "westeurope"}},
        {"id": format!("{}/providers/Microsoft.Network/virtualNetworks/vnet", rg_id()), "body": {"location": "westeurope", "properties": {
            "addressSpace": {"addressPrefixes": ["10.10.0.0/16"]},
            "subnets": [{"name": "nodes", "id": subnet(), "properties": {"addressPrefix": "10.10.0.0/22"}}]}}}
    ])
}

/// Flat Azure CNI (31 addresses per node at the default 30 pods) with a system pool of
/// `system` nodes, and, when `pool` is set, an `aksnet_node_pool` (`vm`, `count` nodes).
fn config(system: u32, pool: Option<(&str, u32)>, import: bool) -> String {
    let cluster = format!(
        r#"
resource "aksnet_cluster_network" "test" {{
  name                = "aks-test"
  resource_group_name = "{RG}"
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
    node_count     = {system}
    vnet_subnet_id = "{sn}"
  }}
}}
"#,
        sn = subnet()
    );
    let pool = pool.map_or(String::new(), |(vm, count)| {
        format!(
            r#"
resource "aksnet_node_pool" "user" {{
  cluster_id     = aksnet_cluster_network.test.id
  name           = "user1"
  vm_size        = "{vm}"
  node_count     = {count}
  vnet_subnet_id = "{sn}"
}}
"#,
            sn = subnet()
        )
    });
    let import = if import {
        format!("\nimport {{\n  to = {P}\n  id = \"{}\"\n}}\n", pool_id())
    } else {
        String::new()
    };
    format!("{cluster}{pool}{import}")
}

fn attr_is(s: &Json, path: &str, want: Value) -> Result<(), String> {
    expect_eq(path, s.attr(P, path)?, &want)
}

#[test]
fn node_pool_lifecycle_next_to_the_cluster_that_does_not_declare_it() {
    if skip_against_arm("node pool", "seeded VNet fixtures and ARM write counts") {
        return;
    }
    let emu = Arc::new(TestEmulator::start(seeds()));
    let writes = Arc::new(Mutex::new(0u64));
    let mark = || {
        let (e, w) = (emu.clone(), writes.clone());
        Step::run(move || {
            *w.lock().map_err(|e| e.to_string())? = e.counters()["writes"].as_u64().unwrap_or(0);
            Ok(())
        })
    };
    let wrote = |want: u64| {
        let (e, w) = (emu.clone(), writes.clone());
        Step::run(move || {
            let before = *w.lock().map_err(|e| e.to_string())?;
            let now = e.counters()["writes"].as_u64().unwrap_or(0);
            expect_eq("ARM writes", &json!(now - before), &json!(want))
        })
    };
    // The pool as Azure shows it.
    let azure_pool = |field: &'static str, want: Value| {
        let e = emu.clone();
        Step::run(move || {
            let (code, p) = e.arm("GET", &pool_id(), AKS, None);
            expect_eq("GET agent pool", &json!(code), &json!(200))?;
            expect_eq(field, &p["properties"][field], &want)
        })
    };
    let d4 = "Standard_D4s_v5";
    let d8 = "Standard_D8s_v5";
    let steps = vec![
        // Create; the re-plan after apply checks the cluster sees no drift from the pool it
        // does not declare, and does not plan to delete it.
        Step::apply(&config(3, Some((d4, 2)), false), |s| {
            attr_is(s, "/node_count", json!(2))?;
            attr_is(s, "/mode", json!("User"))?;
            attr_is(s, "/max_pods", json!(30))?;
            expect_eq("id", s.attr(P, "/id")?, &json!(pool_id()))
        }),
        // Scaling updates in place: one write in all (the agent pool PUT), so no cluster write.
        Step::plan_exit(
            &config(3, Some((d4, 3)), false),
            2,
            Some(
                r"aksnet_node_pool.user will be updated in-place.*Plan: 0 to add, 1 to change, 0 to destroy",
            ),
        ),
        mark(),
        Step::apply(&config(3, Some((d4, 3)), false), |s| {
            attr_is(s, "/node_count", json!(3))
        }),
        wrote(1),
        azure_pool("count", json!(3)),
        // The VM size replaces this pool only, with a warning naming the attribute.
        Step::plan_exit(
            &config(3, Some((d8, 3)), false),
            2,
            Some(
                r#"Plan: 1 to add, 0 to change, 1 to destroy.*Node Pool Will Be Replaced.*node pool "user1" is deleted and created again.*vm_size"#,
            ),
        ),
        mark(),
        Step::apply(&config(3, Some((d8, 3)), false), |s| {
            attr_is(s, "/vm_size", json!("Standard_D8s_v5"))
        }),
        wrote(2),
        azure_pool("vmSize", json!("Standard_D8s_v5")),
        // The cluster counts the pool it does not declare: 13 + 4 nodes at peak × 31 = 527
        // fit the /22; 29 + 4 × 31 = 1,023 do not (alone, 30 × 31 = 930 would).
        Step::plan_exit(&config(12, Some((d8, 3)), false), 2, None),
        Step::expect_error(
            &config(28, Some((d8, 3)), false),
            r"Node Subnet Too Small \(C5\).*1,023 addresses for 33 nodes",
        ),
        // The node pool counts the cluster's pools: 4 + 30 nodes at peak × 31 = 1,054 > 1,019.
        Step::expect_error_at(
            &config(3, Some((d8, 29)), false),
            r"Node Subnet Too Small \(C5\).*1,054 addresses for 34 nodes",
            "vnet_subnet_id",
        ),
        // Import round trip: out of state, imported by its agent pool ID, then an empty plan.
        Step::cli(&["state", "rm", "-no-color", P], true, None),
        Step::apply(&config(3, Some((d8, 3)), true), |s| {
            if !s.says("1 imported, 0 added, 0 changed, 0 destroyed") {
                return Err(format!("expected only an import:\n{}", s.text));
            }
            attr_is(s, "/node_count", json!(3))
        }),
        // Removing the resource deletes the pool through the agent pool API; the cluster stays.
        mark(),
        Step::apply(&config(3, None, false), |_| Ok(())),
        wrote(1),
    ];
    run_case_env("node pool", Path::new(BIN), &emu.env(), steps);
    let left: Vec<String> = emu
        .inventory()
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| id.to_ascii_lowercase().contains("managedclusters"))
        .collect();
    assert!(left.is_empty(), "clusters left behind: {left:?}");
}

/// AKS refuses to delete a cluster's last system pool; the destroy shows AKS's error.
#[test]
fn deleting_the_last_system_pool_shows_aks_error() {
    if skip_against_arm("node pool system", "seeded clusters") {
        return;
    }
    let cluster = json!({"id": cluster_id(), "body": {"location": "westeurope", "properties": {
        "kubernetesVersion": "1.33", "dnsPrefix": "akstest",
        "agentPoolProfiles": [{"name": "system", "count": 1, "mode": "System", "vmSize": "Standard_D4s_v5",
            "vnetSubnetID": subnet(), "maxPods": 30, "osType": "Linux"}],
        "networkProfile": {"networkPlugin": "azure"}}}});
    let mut seeded = seeds();
    seeded.as_array_mut().expect("seed list").push(cluster);
    let emu = Arc::new(TestEmulator::start(seeded));
    let system = format!(
        r#"
import {{
  to = aksnet_node_pool.system
  id = "{}/agentPools/system"
}}

resource "aksnet_node_pool" "system" {{
  cluster_id     = "{}"
  name           = "system"
  mode           = "System"
  vm_size        = "Standard_D4s_v5"
  node_count     = 1
  vnet_subnet_id = "{}"
}}
"#,
        cluster_id(),
        cluster_id(),
        subnet()
    );
    let steps = vec![
        Step::apply(&system, |s| {
            expect_eq(
                "mode",
                s.attr("aksnet_node_pool.system", "/mode")?,
                &json!("System"),
            )
        }),
        Step::cli(
            &["destroy", "-auto-approve", "-no-color"],
            false,
            Some(r"Error deleting Kubernetes Cluster Node Pool.*last system node pool"),
        ),
        Step::cli(
            &["state", "rm", "-no-color", "aksnet_node_pool.system"],
            true,
            None,
        ),
    ];
    run_case_env("node pool system", Path::new(BIN), &emu.env(), steps);
}

/// `config` with an `import` block for the cluster.
fn importing_cluster(config: &str) -> String {
    format!(
        "{config}\nimport {{\n  to = aksnet_cluster_network.test\n  id = \"{}\"\n}}\n",
        cluster_id()
    )
}

/// `config` with a `node_pool` block for `user1` in the cluster (as `aksnet_node_pool` made it).
fn declaring_user1(config: &str, count: u32) -> String {
    config.replace(
        "  }\n}\n",
        &format!(
            "  }}\n  node_pool {{\n    name           = \"user1\"\n    vm_size        = \"Standard_D4s_v5\"\n    node_count     = {count}\n    vnet_subnet_id = \"{}\"\n  }}\n}}\n",
            subnet()
        ),
    )
}

/// Issue 16: importing a cluster records every pool in state. A pool another resource owns
/// (here the `aksnet_node_pool` next to it) and the configuration does not declare is foreign:
/// the import's apply drops it from the cluster's state with no request (never a DELETE), the
/// next plan is empty, the pool stays in Azure and is still counted. A pool the configuration
/// declares is kept with no change ("0 changed") and no request; after an apply it is this
/// resource's, and removing it deletes it.
#[test]
fn cluster_import_keeps_pools_owned_elsewhere() {
    if skip_against_arm(
        "cluster import pools",
        "seeded VNet fixtures and ARM write counts",
    ) {
        return;
    }
    let emu = Arc::new(TestEmulator::start(seeds()));
    let writes = Arc::new(Mutex::new(0u64));
    let mark = || {
        let (e, w) = (emu.clone(), writes.clone());
        Step::run(move || {
            *w.lock().map_err(|e| e.to_string())? = e.counters()["writes"].as_u64().unwrap_or(0);
            Ok(())
        })
    };
    let wrote = |want: u64| {
        let (e, w) = (emu.clone(), writes.clone());
        Step::run(move || {
            let before = *w.lock().map_err(|e| e.to_string())?;
            let now = e.counters()["writes"].as_u64().unwrap_or(0);
            expect_eq("ARM writes", &json!(now - before), &json!(want))
        })
    };
    let pool_in_azure = |want: u16| {
        let e = emu.clone();
        Step::run(move || {
            let (code, _) = e.arm("GET", &pool_id(), AKS, None);
            expect_eq("GET agent pool user1", &json!(code), &json!(want))
        })
    };
    let d4 = "Standard_D4s_v5";
    let both = config(3, Some((d4, 3)), false);
    let cluster_only = config(3, None, false);
    let steps = vec![
        Step::apply(&both, |s| attr_is(s, "/node_count", json!(3))),
        // The cluster leaves this workspace's state (another team imports it, say).
        Step::cli(
            &["state", "rm", "-no-color", "aksnet_cluster_network.test"],
            true,
            None,
        ),
        mark(),
        Step::apply(&importing_cluster(&both), |s| {
            // The change is state only: user1 leaves the cluster's state.
            if !s.says("1 imported, 0 added, 1 changed, 0 destroyed") {
                return Err(format!(
                    "expected the import dropping user1 from state:\n{}",
                    s.text
                ));
            }
            for part in [
                r#"Imported Cluster Has Other Node Pools"#,
                r#"node pool(s) "user1""#,
                r#"Imported Node Pool Left To Its Owner"#,
                r#"node pool "user1", which the import recorded in node_pool, is not declared"#,
            ] {
                if !s.says(part) {
                    return Err(format!("expected {part:?}:\n{}", s.text));
                }
            }
            expect_eq(
                "node_pool",
                s.attr("aksnet_cluster_network.test", "/node_pool")?,
                &json!([]),
            )
        }),
        // No DELETE (no write at all) for the import and the empty plan after it.
        wrote(0),
        pool_in_azure(200),
        Step::plan_exit(&both, 0, None),
        // Still counted: 29 + 4 nodes at peak × 31 = 1,023 do not fit the /22's 1,019.
        Step::expect_error(
            &config(28, Some((d4, 3)), false),
            r"Node Subnet Too Small \(C5\).*1,023 addresses for 33 nodes",
        ),
        // Moving the pool into the cluster resource: both leave the state, the cluster is
        // imported declaring user1, which is kept with no change and no request.
        Step::cli(
            &["state", "rm", "-no-color", "aksnet_cluster_network.test", P],
            true,
            None,
        ),
        mark(),
        Step::apply(&importing_cluster(&declaring_user1(&cluster_only, 3)), |s| {
            if !s.says("1 imported, 0 added, 0 changed, 0 destroyed") {
                return Err(format!("expected an import only, user1 kept:\n{}", s.text));
            }
            if s.says("Imported Node Pool Left To Its Owner") {
                return Err(format!("the declared user1 is left to an owner:\n{}", s.text));
            }
            expect_eq(
                "node_pool[0].name",
                s.attr("aksnet_cluster_network.test", "/node_pool/0/name")?,
                &json!("user1"),
            )
        }),
        wrote(0),
        // Owned now: scaling it is one agent pool write, removing it one DELETE.
        mark(),
        Step::apply(&declaring_user1(&cluster_only, 4), |_| Ok(())),
        wrote(1),
        mark(),
        Step::apply(&cluster_only, |_| Ok(())),
        wrote(1),
        pool_in_azure(404),
    ];
    run_case_env("cluster import pools", Path::new(BIN), &emu.env(), steps);
    let left: Vec<String> = emu
        .inventory()
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| id.to_ascii_lowercase().contains("managedclusters"))
        .collect();
    assert!(left.is_empty(), "clusters left behind: {left:?}");
}

const KN_RG: &str = "acctest-np-kn";

fn kn_subnet(name: &str) -> String {
    format!(
        "/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{KN_RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/{name}"
    )
}

/// A VNet with two node subnets, `nodes` (/24) and `others` (/23), roomy enough that only the
/// cluster-wide budgets can be exceeded.
fn kn_seeds() -> Value {
    let rg = format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{KN_RG}");
    json!([
        {"id": rg, "body": {"location": "westeurope"}},
        {"id": format!("{rg}/providers/Microsoft.Network/virtualNetworks/vnet"), "body": {"location": "westeurope", "properties": {
            "addressSpace": {"addressPrefixes": ["10.10.0.0/16"]},
            "subnets": [
                {"name": "nodes", "id": kn_subnet("nodes"), "properties": {"addressPrefix": "10.10.0.0/24"}},
                {"name": "others", "id": kn_subnet("others"), "properties": {"addressPrefix": "10.10.2.0/23"}}
            ]}}}
    ])
}

/// A kubenet cluster whose pod CIDR (/20) holds 16 nodes at one /24 per node, its system pool
/// (`system` nodes) on `nodes`; with `pool`, an `aksnet_node_pool` of that many nodes on the
/// other subnet, `others`.
fn kn_config(system: u32, pool: Option<u32>) -> String {
    kn_config_with("10.244.0.0/20", system, pool)
}

/// [`kn_config`] with another pod CIDR.
fn kn_config_with(pod_cidr: &str, system: u32, pool: Option<u32>) -> String {
    let cluster = format!(
        r#"
resource "aksnet_cluster_network" "test" {{
  name                = "aks-kn"
  resource_group_name = "{KN_RG}"
  location            = "westeurope"
  dns_prefix          = "aksknet"
  kubernetes_version  = "1.33"
  network_plugin      = "kubenet"
  pod_cidr            = "{pod_cidr}"
  identity {{
    type = "SystemAssigned"
  }}
  default_node_pool {{
    name           = "system"
    vm_size        = "Standard_D4s_v5"
    node_count     = {system}
    vnet_subnet_id = "{sn}"
  }}
}}
"#,
        sn = kn_subnet("nodes")
    );
    let pool = pool.map_or(String::new(), |count| {
        format!(
            r#"
resource "aksnet_node_pool" "user" {{
  cluster_id     = aksnet_cluster_network.test.id
  name           = "user1"
  vm_size        = "Standard_D4s_v5"
  node_count     = {count}
  vnet_subnet_id = "{sn}"
}}
"#,
            sn = kn_subnet("others")
        )
    });
    format!("{cluster}{pool}")
}

/// Issue 16: a kubenet cluster's pod CIDR gives every node of every pool a /24, wherever the
/// pool runs. A pool on another subnet that the cluster resource does not declare still
/// counts there: the plan that fits without it fails with C1 and the numbers, naming how many
/// nodes come from the pool not declared here; the node pool resource counts the cluster's
/// pool on the other subnet the same way.
#[test]
fn kubenet_pod_cidr_counts_foreign_pools_on_other_subnets() {
    if skip_against_arm("kubenet foreign pools", "seeded VNet fixtures") {
        return;
    }
    let emu = TestEmulator::start(kn_seeds());
    let steps = vec![
        // 3 + 1 surge on `nodes`, 8 + 1 on `others`: 13 of 16.
        Step::apply(&kn_config(3, Some(8)), |s| {
            expect_eq("node_count", s.attr(P, "/node_count")?, &json!(8))
        }),
        // 7 + 9 = 16 fit.
        Step::plan_exit(&kn_config(6, Some(8)), 2, None),
        // 8 + 9 = 17 do not, only because of the pool on the other subnet.
        Step::expect_error(
            &kn_config(7, Some(8)),
            r"Pod CIDR Too Small \(C1\).*holds 16 nodes at one /24 per node; the pools peak at 17 nodes.*9 of these nodes come from 1 pool not declared here",
        ),
        // The node pool counts the cluster's system pool on `nodes`: 4 + 13 = 17.
        Step::expect_error(
            &kn_config(3, Some(12)),
            r"Pod CIDR Too Small \(C1\).*the pools peak at 17 nodes.*4 of these nodes come from 1 pool not declared here",
        ),
        // Without the foreign pool the same cluster fits: 8 of 16.
        Step::apply(&kn_config(3, None), |_| Ok(())),
        Step::plan_exit(&kn_config(7, None), 2, None),
    ];
    run_case_env("kubenet foreign pools", Path::new(BIN), &emu.env(), steps);
}

/// Issue 16: kubenet's 400-route table is the cluster's: a pool on another subnet that the
/// cluster resource does not declare takes routes too. The pod CIDR (/14, 1,024 nodes) is no
/// limit here; the routes are: 9 + 1 and 390 + 1 nodes need 401 routes.
#[test]
fn kubenet_route_limit_counts_foreign_pools_on_other_subnets() {
    if skip_against_arm("kubenet foreign pool routes", "seeded VNet fixtures") {
        return;
    }
    let emu = TestEmulator::start(kn_seeds());
    let cfg = |system, pool| kn_config_with("10.244.0.0/14", system, pool);
    let steps = vec![
        Step::apply(&cfg(3, Some(390)), |s| {
            expect_eq("node_count", s.attr(P, "/node_count")?, &json!(390))
        }),
        // 9 + 391 = 400 routes fit.
        Step::plan_exit(&cfg(8, Some(390)), 2, None),
        Step::expect_error(
            &cfg(9, Some(390)),
            r"Kubenet Route Limit \(C2\).*route table holds 400 routes; the pools peak at 401 nodes.*391 of these nodes come from 1 pool not declared here",
        ),
        // Without the pool on the other subnet the cluster is far from the limit.
        Step::apply(&cfg(3, None), |_| Ok(())),
        Step::plan_exit(&cfg(9, None), 2, None),
    ];
    run_case_env("kubenet foreign pool routes", Path::new(BIN), &emu.env(), steps);
}
