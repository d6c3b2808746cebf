//! One passing and one failing case per rule, plus properties.

use proptest::prelude::*;

use super::*;
use crate::netplan::Severity;

fn loc(v: &str, attr: &'static str) -> Option<Located<String>> {
    Some(Located::new(v.to_string(), FieldPath::attr(attr)))
}

fn list(vs: &[&str], attr: &'static str) -> Vec<Located<String>> {
    vs.iter()
        .enumerate()
        .map(|(i, v)| Located::new(v.to_string(), FieldPath::attr(attr).index(i)))
        .collect()
}

fn pool(i: usize, count: u32) -> NodePool {
    NodePool {
        path: FieldPath::attr("node_pool").index(i),
        name: Some(format!("pool{i}")),
        node_count: Some(count),
        ..Default::default()
    }
}

/// A valid overlay profile to break one rule at a time.
fn base() -> NetworkProfile {
    NetworkProfile {
        network_plugin: loc("azure", "network_plugin"),
        network_plugin_mode: loc("overlay", "network_plugin_mode"),
        vnet_address_space: list(&["10.10.0.0/16"], "address_space"),
        node_pools: vec![pool(0, 3)],
        ..Default::default()
    }
}

fn findings(p: &NetworkProfile, rule: &str) -> Vec<Finding> {
    validate_profile(p)
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}

/// Asserts exactly the rule fires as an error at `path`, with `needle` in the detail.
fn fails(p: &NetworkProfile, rule: &str, path: &str, needle: &str) {
    let all = validate_profile(p);
    let hit = all.iter().find(|f| f.rule == rule && f.is_error());
    let f = hit.unwrap_or_else(|| panic!("no {rule} error; got {all:#?}"));
    assert_eq!(f.path.to_string(), path, "{f:#?}");
    assert!(f.detail.contains(needle), "{needle:?} not in {:?}", f.detail);
}

fn warns(p: &NetworkProfile, rule: &str, needle: &str) {
    let all = validate_profile(p);
    let f = all
        .iter()
        .find(|f| f.rule == rule && f.severity == Severity::Warning)
        .unwrap_or_else(|| panic!("no {rule} warning; got {all:#?}"));
    assert!(f.detail.contains(needle), "{needle:?} not in {:?}", f.detail);
}

fn passes(p: &NetworkProfile, rule: &str) {
    let f = findings(p, rule);
    assert!(f.iter().all(|f| !f.is_error()), "unexpected {rule}: {f:#?}");
}

#[test]
fn the_base_profile_is_clean() {
    assert!(
        validate_profile(&base()).is_empty(),
        "{:#?}",
        validate_profile(&base())
    );
}

#[test]
fn e1_e3_e5_e15_e16_enumerations() {
    passes(&base(), "E1");
    let mut p = base();
    p.network_plugin = loc("flannel", "network_plugin");
    fails(&p, "E1", "network_plugin", "`azure`, `kubenet` and `none`");
    let mut p = base();
    p.network_policy = loc("Calico", "network_policy");
    fails(&p, "E3", "network_policy", "did you mean `calico`");
    let mut p = base();
    p.network_data_plane = loc("ebpf", "network_data_plane");
    fails(&p, "E5", "network_data_plane", "\"ebpf\"");
    let mut p = base();
    p.outbound_type = loc("natGateway", "outbound_type");
    fails(&p, "E15", "outbound_type", "userDefinedRouting");
    p.outbound_type = loc("userDefinedRouting", "outbound_type");
    passes(&p, "E15");
    let mut p = base();
    p.load_balancer_sku = loc("basic", "load_balancer_sku");
    fails(&p, "E16", "load_balancer_sku", "retired");
}

#[test]
fn e2_overlay_needs_azure() {
    let mut p = base();
    p.network_plugin = loc("kubenet", "network_plugin");
    fails(&p, "E2", "network_plugin_mode", "network_plugin = \"azure\"");
    passes(&base(), "E2");
}

#[test]
fn e4_cilium_policy_and_dataplane_together() {
    let mut p = base();
    p.network_policy = loc("cilium", "network_policy");
    fails(&p, "E4", "network_policy", "network_data_plane = \"cilium\"");
    let mut p = base();
    p.network_data_plane = loc("cilium", "network_data_plane");
    fails(
        &p,
        "E4",
        "network_data_plane",
        "CiliumDataplaneRequiresNetworkPolicyCilium",
    );
    p.network_policy = loc("cilium", "network_policy");
    passes(&p, "E4");
}

#[test]
fn e5_e6_cilium_needs_azure_and_linux() {
    let mut p = base();
    p.network_plugin = loc("kubenet", "network_plugin");
    p.network_plugin_mode = None;
    p.network_data_plane = loc("cilium", "network_data_plane");
    p.network_policy = loc("cilium", "network_policy");
    fails(&p, "E5", "network_data_plane", "not \"kubenet\"");
    let mut p = base();
    p.network_data_plane = loc("cilium", "network_data_plane");
    p.network_policy = loc("cilium", "network_policy");
    passes(&p, "E6");
    let mut win = pool(1, 2);
    win.name = Some("win".into());
    win.os_type = Some("Windows".into());
    p.node_pools.push(win);
    fails(&p, "E6", "node_pool[1].os_type", "Windows");
}

#[test]
fn e7_azure_npm_limits() {
    let mut p = base();
    p.network_plugin = loc("kubenet", "network_plugin");
    p.network_plugin_mode = None;
    p.network_policy = loc("azure", "network_policy");
    fails(&p, "E7", "network_policy", "Azure NPM");
    let mut p = base();
    p.network_policy = loc("azure", "network_policy");
    passes(&p, "E7");
    p.node_pools[0].node_count = Some(300);
    warns(&p, "E7", "301 nodes");
}

#[test]
fn e9_kubenet_has_no_cilium() {
    let mut p = base();
    p.network_plugin = loc("kubenet", "network_plugin");
    p.network_plugin_mode = None;
    p.network_policy = loc("cilium", "network_policy");
    fails(&p, "E9", "network_policy", "calico");
    p.network_policy = loc("calico", "network_policy");
    passes(&p, "E9");
}

#[test]
fn e10_pod_cidr_needs_overlay() {
    let mut p = base();
    p.network_plugin_mode = None;
    p.pod_cidrs = list(&["10.244.0.0/16"], "pod_cidr");
    fails(&p, "E10", "pod_cidr[0]", "overlay");
    let mut p = base();
    p.pod_cidrs = list(&["10.244.0.0/16"], "pod_cidr");
    passes(&p, "E10");
}

#[test]
fn e12_e13_pod_subnets() {
    let mut p = base();
    p.node_pools[0].uses_pod_subnet = true;
    fails(&p, "E12", "node_pool[0].pod_subnet_id", "no overlay");
    p.network_plugin_mode = None;
    passes(&p, "E12");
    p.node_pools.push(pool(1, 2));
    fails(&p, "E12", "node_pool[1].pod_subnet_id", "every pool");
    let mut p = base();
    p.node_pools[0].pod_ip_allocation_mode = Some("StaticBlock".into());
    fails(&p, "E13", "node_pool[0].pod_ip_allocation_mode", "pod subnet");
}

#[test]
fn e14_dual_stack() {
    let mut p = base();
    p.ip_families = list(&["IPv4", "IPv6"], "ip_families");
    passes(&p, "E14");
    p.ip_families = list(&["IPv6"], "ip_families");
    fails(&p, "E14", "ip_families", "IPv6-only");
    let mut p = base();
    p.network_plugin_mode = None;
    p.ip_families = list(&["IPv4", "IPv6"], "ip_families");
    fails(&p, "E14", "ip_families", "Overlay");
    let mut p = base();
    p.ip_families = list(&["IPv4", "IPv6"], "ip_families");
    p.pod_cidrs = list(&["fd12:3456:789a::/64", "10.244.0.0/16"], "pod_cidrs");
    fails(&p, "E14", "pod_cidrs[0]", "IPv4 CIDR first");
    let mut p = base();
    p.pod_cidrs = list(&["10.244.0.0/16", "fd12:3456:789a::/64"], "pod_cidrs");
    fails(&p, "E14", "pod_cidrs[1]", "one CIDR per family");
}

#[test]
fn r1_reserved_ranges_and_supersets() {
    let mut p = base();
    p.pod_cidrs = list(&["172.30.0.0/16"], "pod_cidr");
    fails(&p, "R1", "pod_cidr[0]", "172.30.0.0/16");
    let mut p = base();
    p.service_cidrs = list(&["172.16.0.0/12"], "service_cidr");
    p.dns_service_ip = loc("172.16.0.10", "dns_service_ip");
    fails(&p, "R1", "service_cidr[0]", "172.30.0.0/16");
    let mut p = base();
    p.pod_cidrs = list(&["10.244.0.0/16"], "pod_cidr");
    passes(&p, "R1");
}

#[test]
fn r2_forbidden_vnet_ranges() {
    let mut p = base();
    p.vnet_address_space = list(&["127.0.0.0/16"], "address_space");
    fails(&p, "R2", "address_space[0]", "127.0.0.0/8");
    let mut p = base();
    p.vnet_address_space = list(&["169.254.0.0/16"], "address_space");
    fails(&p, "R2", "address_space[0]", "169.254.0.0/16");
    assert!(
        findings(&p, "R1").is_empty(),
        "169.254 in a VNet is reported once"
    );
    passes(&base(), "R2");
}

#[test]
fn r3_pod_cidr_overlaps_and_public() {
    let mut p = base();
    p.pod_cidrs = list(&["10.10.128.0/17"], "pod_cidr");
    fails(&p, "R3", "pod_cidr[0]", "NetworkProfileCIDROverlapVNET");
    let mut p = base();
    p.reserved_cidrs = list(&["10.244.0.0/24"], "reserved_cidrs");
    p.pod_cidrs = list(&["10.244.0.0/16"], "pod_cidr");
    fails(&p, "R3", "pod_cidr[0]", "reserved_cidrs");
    let mut p = base();
    p.pod_cidrs = list(&["20.0.0.0/16"], "pod_cidr");
    passes(&p, "R3");
    warns(&p, "R3", "RFC 1918");
}

#[test]
fn r4_service_cidr_overlaps_and_size() {
    let mut p = base();
    p.service_cidrs = list(&["10.10.0.0/20"], "service_cidr");
    p.dns_service_ip = loc("10.10.0.10", "dns_service_ip");
    fails(
        &p,
        "R4",
        "service_cidr[0]",
        "ServiceCidrOverlapExistingSubnetsCidr",
    );
    let mut p = base();
    p.service_cidrs = list(&["10.0.0.0/8"], "service_cidr");
    p.vnet_address_space = list(&["192.168.0.0/16"], "address_space");
    p.dns_service_ip = loc("10.0.0.10", "dns_service_ip");
    fails(&p, "R4", "service_cidr[0]", "larger than /12");
    let mut p = base();
    p.service_cidrs = list(&["10.0.0.0/16"], "service_cidr");
    p.dns_service_ip = loc("10.0.0.10", "dns_service_ip");
    passes(&p, "R4");
}

#[test]
fn r5_r6_dns_service_ip() {
    let mut p = base();
    p.service_cidrs = list(&["10.0.0.0/16"], "service_cidr");
    p.dns_service_ip = loc("10.1.0.10", "dns_service_ip");
    fails(&p, "R5", "dns_service_ip", "outside service CIDR 10.0.0.0/16");
    p.dns_service_ip = loc("10.0.0.1", "dns_service_ip");
    fails(&p, "R5", "dns_service_ip", "kubernetes.default");
    p.dns_service_ip = loc("10.0.0.10", "dns_service_ip");
    passes(&p, "R5");
    passes(&p, "R6");
    p.dns_service_ip = None;
    fails(&p, "R6", "service_cidr[0]", "dns_service_ip");
}

#[test]
fn r7_malformed_values() {
    let mut p = base();
    p.pod_cidrs = list(&["10.244.0.0"], "pod_cidr");
    fails(&p, "R7", "pod_cidr[0]", "no prefix length");
    let mut p = base();
    p.service_cidrs = list(&["10.0.0.0/16"], "service_cidr");
    p.dns_service_ip = loc("ten", "dns_service_ip");
    fails(&p, "R7", "dns_service_ip", "\"ten\"");
    passes(&base(), "R7");
}

#[test]
fn r8_subnet_sizes() {
    let mut p = base();
    p.node_subnet_cidr = loc("10.10.0.0/30", "node_subnet_cidr");
    fails(&p, "R8", "node_subnet_cidr", "/29");
    p.node_subnet_cidr = loc("10.10.0.0/24", "node_subnet_cidr");
    passes(&p, "R8");
}

#[test]
fn c1_pod_cidr_capacity() {
    let mut p = base();
    p.node_pools[0].node_count = Some(5);
    p.pod_cidrs = list(&["10.244.0.0/22"], "pod_cidr");
    fails(&p, "C1", "pod_cidr[0]", "holds 4 nodes");
    fails(&p, "C1", "pod_cidr[0]", "node_pool[0]: 5 + 1 surge");
    fails(&p, "C1", "pod_cidr[0]", "use /21");
    p.pod_cidrs = list(&["10.244.0.0/21"], "pod_cidr");
    passes(&p, "C1");
}

#[test]
fn c2_kubenet_route_limit() {
    let mut p = base();
    p.network_plugin = loc("kubenet", "network_plugin");
    p.network_plugin_mode = None;
    p.node_pools[0].max_count = Some(400);
    fails(&p, "C2", "node_pool[0].max_count", "400 routes");
    p.node_pools[0].max_count = Some(399);
    passes(&p, "C2");
}

#[test]
fn c3_counts() {
    let mut p = base();
    p.node_pools[0].node_count = Some(0);
    fails(&p, "C3", "node_pool[0].node_count", "system");
    let mut p = base();
    p.node_pools[0].min_count = Some(5);
    p.node_pools[0].max_count = Some(4);
    fails(&p, "C3", "node_pool[0].min_count", "greater than max_count 4");
    let mut p = base();
    p.node_pools[0].max_count = Some(1001);
    fails(&p, "C3", "node_pool[0].max_count", "1,000");
    passes(&base(), "C3");
}

#[test]
fn c4_c5_node_subnet_capacity() {
    let mut p = base();
    p.network_plugin_mode = None;
    p.node_pools[0].node_count = Some(50);
    p.node_pools[0].max_pods = Some(30);
    p.node_subnet_cidr = loc("10.10.0.0/22", "node_subnet_cidr");
    fails(&p, "C5", "node_subnet_cidr", "Azure CNI needs 1,581 addresses for 51 nodes × (30 pods + 1); /22 gives 1,019 usable; use /21 or larger");
    p.node_subnet_cidr = loc("10.10.0.0/21", "node_subnet_cidr");
    passes(&p, "C5");
    let mut p = base();
    p.node_pools[0].node_count = Some(20);
    p.node_subnet_cidr = loc("10.10.0.0/28", "node_subnet_cidr");
    fails(&p, "C4", "node_subnet_cidr", "21 node addresses");
}

#[test]
fn c6_c7_pod_subnet_capacity_and_version() {
    let mut p = base();
    p.network_plugin_mode = None;
    p.node_pools[0].uses_pod_subnet = true;
    p.node_pools[0].node_count = Some(10);
    p.node_pools[0].max_pods = Some(30);
    p.pod_subnet_cidr = loc("10.10.8.0/24", "pod_subnet_cidr");
    fails(&p, "C6", "pod_subnet_cidr", "352 pod addresses");
    p.pod_subnet_cidr = loc("10.10.8.0/23", "pod_subnet_cidr");
    passes(&p, "C6");
    p.node_pools[0].pod_ip_allocation_mode = Some("StaticBlock".into());
    p.pod_subnet_cidr = loc("10.10.8.0/24", "pod_subnet_cidr");
    fails(&p, "C7", "pod_subnet_cidr", "static block");
    p.pod_subnet_cidr = loc("10.10.8.0/23", "pod_subnet_cidr");
    p.kubernetes_version = loc("1.27.9", "kubernetes_version");
    fails(&p, "C7", "kubernetes_version", "1.28");
}

#[test]
fn c8_max_pods() {
    let mut p = base();
    p.node_pools[0].max_pods = Some(300);
    fails(&p, "C8", "node_pool[0].max_pods", "10 to 250");
    p.node_pools[0].max_pods = Some(10);
    p.node_pools[0].node_count = Some(2);
    fails(&p, "C8", "node_pool[0].max_pods", "at least 30");
    p.node_pools[0].node_count = Some(3);
    passes(&p, "C8");
}

#[test]
fn w1_windows_and_names() {
    let mut p = base();
    let mut win = pool(1, 2);
    win.os_type = Some("Windows".into());
    win.name = Some("windows1".into());
    p.node_pools.push(win.clone());
    fails(&p, "W1", "node_pool[1].name", "at most 6");
    p.node_pools[1].name = Some("win".into());
    passes(&p, "W1");
    p.network_plugin = loc("kubenet", "network_plugin");
    p.network_plugin_mode = None;
    fails(&p, "W1", "node_pool[1].os_type", "network_plugin = \"azure\"");
    let mut p = base();
    p.node_pools[0].name = Some("System-Pool".into());
    fails(&p, "W1", "node_pool[0].name", "lowercase");
    let mut p = base();
    p.node_pools[0].os_type = Some("Windows".into());
    p.node_pools[0].name = Some("win".into());
    fails(&p, "W1", "node_pool[0].os_type", "Linux");
}

#[test]
fn w3_retirements() {
    let mut p = base();
    p.network_plugin = loc("kubenet", "network_plugin");
    p.network_plugin_mode = None;
    warns(&p, "W3", "2028-03-31");
    let mut p = base();
    p.network_policy = loc("azure", "network_policy");
    warns(&p, "W3", "2028-09-30");
    let mut win = pool(1, 2);
    win.os_type = Some("Windows".into());
    win.name = Some("win".into());
    p.node_pools.push(win);
    fails(&p, "W3", "node_pool[1].os_type", "2026-09-30");
    passes(&base(), "W3");
}

#[test]
fn default_plugin_follows_kubernetes_version() {
    let mut p = base();
    p.network_plugin = None;
    p.network_plugin_mode = None;
    p.kubernetes_version = loc("1.29.0", "kubernetes_version");
    p.node_pools[0].max_count = Some(450);
    fails(&p, "C2", "node_pool[0].max_count", "400 routes");
    p.kubernetes_version = loc("1.31.0", "kubernetes_version");
    passes(&p, "C2");
}

fn arb_profile() -> impl Strategy<Value = NetworkProfile> {
    let word = prop::sample::select(vec![
        "azure", "kubenet", "none", "overlay", "cilium", "calico", "IPv4", "IPv6", "x", "",
    ]);
    let cidr = prop::sample::select(vec![
        "10.0.0.0/16",
        "10.244.0.0/22",
        "172.30.0.0/16",
        "0.0.0.0/0",
        "fd00::/64",
        "bad",
        "10.0.0.0/30",
        "10.0.0.10",
    ]);
    (
        prop::option::of(word.clone()),
        prop::option::of(word.clone()),
        prop::option::of(word.clone()),
        prop::option::of(word),
        prop::collection::vec(cidr.clone(), 0..3),
        prop::collection::vec(cidr.clone(), 0..3),
        prop::option::of(cidr),
        prop::collection::vec(
            (
                any::<u32>(),
                prop::option::of(any::<u32>()),
                prop::option::of(any::<u32>()),
                any::<bool>(),
                prop::option::of("[0-9%a-z]{0,4}"),
            ),
            0..4,
        ),
    )
        .prop_map(
            |(plugin, mode, policy, dp, pods, svcs, dns, pools)| NetworkProfile {
                network_plugin: plugin.and_then(|v| loc(v, "network_plugin")),
                network_plugin_mode: mode.and_then(|v| loc(v, "network_plugin_mode")),
                network_policy: policy.and_then(|v| loc(v, "network_policy")),
                network_data_plane: dp.and_then(|v| loc(v, "network_data_plane")),
                pod_cidrs: list(&pods, "pod_cidrs"),
                service_cidrs: list(&svcs, "service_cidrs"),
                dns_service_ip: dns.and_then(|v| loc(v, "dns_service_ip")),
                vnet_address_space: list(&["10.0.0.0/16"], "address_space"),
                node_pools: pools
                    .into_iter()
                    .enumerate()
                    .map(|(i, (c, max, mp, win, surge))| NodePool {
                        node_count: Some(c),
                        max_count: max,
                        max_pods: mp,
                        os_type: win.then(|| "Windows".to_string()),
                        max_surge: surge,
                        ..pool(i, 0)
                    })
                    .collect(),
                ..Default::default()
            },
        )
}

proptest! {
    #[test]
    fn never_panics_and_is_deterministic(p in arb_profile()) {
        let a = validate_profile(&p);
        let b = validate_profile(&p);
        prop_assert_eq!(&a, &b);
        // Errors come before warnings.
        let first_warning = a.iter().position(|f| !f.is_error()).unwrap_or(a.len());
        prop_assert!(a[first_warning..].iter().all(|f| !f.is_error()));
    }
}
