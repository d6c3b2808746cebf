//! 20 route tables and 10 clusters in one `apply -parallelism=20` against an emulator that
//! throttles writes as ARM does: everything converges and no write is duplicated beyond the
//! retries throttling forces.

use std::path::Path;

use aksnet_acceptance::emulator::{TestEmulator, SAMPLE_SUBSCRIPTION};
use aksnet_acceptance::harness::flatten;
use aksnet_acceptance::target::skip_against_arm;
use aksnet_acceptance::terraform::{pinned, with_provider, Workdir};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");
const TABLES: usize = 20;
const CLUSTERS: usize = 10;
const WRITES_PER_SECOND: u32 = 5;

#[test]
fn twenty_tables_and_ten_clusters_converge_under_a_write_limit() {
    if skip_against_arm("concurrency", "the emulator's write limit and counters") {
        return;
    }
    let rg = "acctest-concurrency";
    let rg_id = format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{rg}");
    let vnet = format!("{rg_id}/providers/Microsoft.Network/virtualNetworks/vnet");
    let subnets: Vec<_> = (0..CLUSTERS)
        .map(|i| json!({"name": format!("n{i}"), "id": format!("{vnet}/subnets/n{i}"), "properties": {"addressPrefix": format!("10.10.{i}.0/24")}}))
        .collect();
    let seeds = json!([
        {"id": rg_id, "body": {"location": "westeurope"}},
        {"id": vnet, "body": {"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.10.0.0/16"]}, "subnets": subnets}}}
    ]);
    let emu = TestEmulator::start_limited(seeds, 300, 0, Some(WRITES_PER_SECOND));
    let mut config = String::from("provider \"aksnet\" {}\n");
    for i in 0..TABLES {
        config.push_str(&format!(
            "resource \"aksnet_route_table\" \"t{i}\" {{\n  name = \"rt-{i}\"\n  resource_group_name = \"{rg}\"\n  location = \"westeurope\"\n  route {{\n    name = \"default\"\n    address_prefix = \"0.0.0.0/0\"\n    next_hop_type = \"VirtualAppliance\"\n    next_hop_ip_address = \"10.10.255.4\"\n  }}\n}}\n"
        ));
    }
    for i in 0..CLUSTERS {
        config.push_str(&format!(
            "resource \"aksnet_cluster_network\" \"c{i}\" {{\n  name = \"aks-{i}\"\n  resource_group_name = \"{rg}\"\n  location = \"westeurope\"\n  dns_prefix = \"aks{i}\"\n  network_plugin = \"azure\"\n  network_plugin_mode = \"overlay\"\n  pod_cidr = \"10.244.0.0/16\"\n  default_node_pool {{\n    name = \"system\"\n    vm_size = \"Standard_D4s_v5\"\n    node_count = 3\n    vnet_subnet_id = \"{vnet}/subnets/n{i}\"\n  }}\n}}\n"
        ));
    }
    let tf = pinned().expect("pinned Terraform");
    let mut wd = Workdir::new(&tf, Some(Path::new(BIN))).expect("workdir");
    for (k, v) in emu.env() {
        wd.set_env(&k, &v);
    }
    wd.write_config(&with_provider(&config)).expect("config");
    let apply = wd
        .run(&[
            "apply",
            "-auto-approve",
            "-no-color",
            "-input=false",
            "-parallelism=20",
        ])
        .expect("apply runs");
    let after_apply = emu.counters();
    let plan = wd
        .run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"])
        .expect("plan runs");
    let destroy = wd
        .run(&[
            "destroy",
            "-auto-approve",
            "-no-color",
            "-input=false",
            "-parallelism=20",
        ])
        .expect("destroy runs");
    assert_eq!(apply.code, 0, "apply:\n{}", apply.text());
    assert!(
        flatten(&apply.text()).contains(&format!("Apply complete! Resources: {} added", TABLES + CLUSTERS)),
        "{}",
        apply.text()
    );
    assert_eq!(plan.code, 0, "converged, so the plan is empty:\n{}", plan.text());
    let writes = after_apply["writes"].as_u64().unwrap_or(0);
    let throttled = after_apply["throttled"].as_u64().unwrap_or(0);
    assert!(
        throttled > 0,
        "the write limit was never reached, so this proves nothing: {after_apply}"
    );
    assert_eq!(
        writes - throttled,
        (TABLES + CLUSTERS) as u64,
        "one accepted PUT per resource; every other write was a throttled retry: {after_apply}"
    );
    assert_eq!(destroy.code, 0, "destroy:\n{}", destroy.text());
    let left: Vec<String> = emu
        .inventory()
        .into_iter()
        .map(|(id, _)| id.to_ascii_lowercase())
        .filter(|id| id.contains("/routetables/") || id.contains("/managedclusters/"))
        .collect();
    assert!(left.is_empty(), "destroy left {left:?}");
}
