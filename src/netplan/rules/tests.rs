//! For every rule id: at least one passing case (no finding with that id) and one failing
//! case (rule id, severity, path and a key value of the detail), plus properties.

use proptest::prelude::*;

use super::*;
use crate::netplan::Severity;

// ---------------------------------------------------------------------------------------
// Builder and assertions.
// ---------------------------------------------------------------------------------------

fn loc(v: &str, attr: &'static str) -> Option<Located<String>> {
    Some(Located::new(v.to_string(), FieldPath::attr(attr)))
}

fn list(vs: &[&str], attr: &'static str) -> Vec<Located<String>> {
    vs.iter()
        .enumerate()
        .map(|(i, v)| Located::new(v.to_string(), FieldPath::attr(attr).index(i)))
        .collect()
}

fn pool(i: usize, name: &str, count: u32) -> NodePool {
    NodePool {
        path: FieldPath::attr("node_pool").index(i),
        name: Some(name.to_string()),
        node_count: Some(count),
        ..Default::default()
    }
}

/// A profile under construction; every setter returns the builder.
#[derive(Clone)]
struct B(NetworkProfile);

/// A clean Azure CNI Overlay profile: VNet 10.10.0.0/16 and a 3-node system pool.
fn overlay() -> B {
    B(NetworkProfile {
        network_plugin: loc("azure", "network_plugin"),
        network_plugin_mode: loc("overlay", "network_plugin_mode"),
        vnet_address_space: list(&["10.10.0.0/16"], "address_space"),
        node_pools: vec![pool(0, "system", 3)],
        ..Default::default()
    })
}

/// Flat Azure CNI (node subnet).
fn flat() -> B {
    overlay().no_mode()
}

fn kubenet() -> B {
    overlay().plugin("kubenet").no_mode()
}

impl B {
    fn plugin(mut self, v: &str) -> Self {
        self.0.network_plugin = loc(v, "network_plugin");
        self
    }
    fn no_plugin(mut self) -> Self {
        self.0.network_plugin = None;
        self
    }
    fn mode(mut self, v: &str) -> Self {
        self.0.network_plugin_mode = loc(v, "network_plugin_mode");
        self
    }
    fn no_mode(mut self) -> Self {
        self.0.network_plugin_mode = None;
        self
    }
    fn policy(mut self, v: &str) -> Self {
        self.0.network_policy = loc(v, "network_policy");
        self
    }
    fn dataplane(mut self, v: &str) -> Self {
        self.0.network_data_plane = loc(v, "network_data_plane");
        self
    }
    fn cilium(self) -> Self {
        self.policy("cilium").dataplane("cilium")
    }
    fn pods(mut self, v: &[&str]) -> Self {
        self.0.pod_cidrs = list(v, "pod_cidr");
        self
    }
    fn services(mut self, v: &[&str]) -> Self {
        self.0.service_cidrs = list(v, "service_cidr");
        self
    }
    fn dns(mut self, v: &str) -> Self {
        self.0.dns_service_ip = loc(v, "dns_service_ip");
        self
    }
    /// Service CIDR and DNS IP together (R6).
    fn svc(self, cidr: &str, dns: &str) -> Self {
        self.services(&[cidr]).dns(dns)
    }
    fn families(mut self, v: &[&str]) -> Self {
        self.0.ip_families = list(v, "ip_families");
        self
    }
    fn dual(self) -> Self {
        self.families(&["IPv4", "IPv6"])
    }
    fn outbound(mut self, v: &str) -> Self {
        self.0.outbound_type = loc(v, "outbound_type");
        self
    }
    fn sku(mut self, v: &str) -> Self {
        self.0.load_balancer_sku = loc(v, "load_balancer_sku");
        self
    }
    fn version(mut self, v: &str) -> Self {
        self.0.kubernetes_version = loc(v, "kubernetes_version");
        self
    }
    fn vnet(mut self, v: &[&str]) -> Self {
        self.0.vnet_address_space = list(v, "address_space");
        self
    }
    fn vnet_subnets(mut self, v: &[(&str, &str)]) -> Self {
        self.0.vnet_subnets = v
            .iter()
            .map(|(name, prefix)| {
                (
                    name.to_string(),
                    Located::new(prefix.to_string(), FieldPath::attr("vnet_subnet_id")),
                )
            })
            .collect();
        self
    }
    fn peered(mut self, v: &[&str]) -> Self {
        self.0.peered_cidrs = list(v, "vnet_subnet_id");
        self
    }
    fn unknown(mut self, attr: &'static str) -> Self {
        self.0.unknown.insert(attr);
        self
    }
    fn reserved(mut self, v: &[&str]) -> Self {
        self.0.reserved_cidrs = list(v, "reserved_cidrs");
        self
    }
    fn node_subnet(mut self, v: &str) -> Self {
        self.0.node_subnet_cidr = loc(v, "node_subnet_cidr");
        self
    }
    fn pod_subnet(mut self, v: &str) -> Self {
        self.0.pod_subnet_cidr = loc(v, "pod_subnet_cidr");
        self
    }
    /// Edits the system pool (`node_pool[0]`).
    fn sys(self, f: impl FnOnce(&mut NodePool)) -> Self {
        self.at(0, f)
    }
    /// Edits `node_pool[i]`.
    fn at(mut self, i: usize, f: impl FnOnce(&mut NodePool)) -> Self {
        f(&mut self.0.node_pools[i]);
        self
    }
    /// Appends a Linux user pool.
    fn add(mut self, name: &str, count: u32) -> Self {
        let i = self.0.node_pools.len();
        self.0.node_pools.push(pool(i, name, count));
        self
    }
    /// Appends a Windows user pool.
    fn win(self, name: &str, count: u32) -> Self {
        let i = self.0.node_pools.len();
        self.add(name, count)
            .at(i, |p| p.os_type = Some("Windows".into()))
    }
    /// Gives every pool a pod subnet.
    fn pod_subnet_pools(mut self) -> Self {
        for p in &mut self.0.node_pools {
            p.uses_pod_subnet = true;
        }
        self
    }

    fn run(&self) -> Vec<Finding> {
        validate_profile(&self.0)
    }

    /// Asserts a finding of `rule` with `severity` at `path` whose detail contains `needle`.
    #[track_caller]
    fn finds(&self, rule: &str, severity: Severity, path: &str, needle: &str) -> Finding {
        let all = self.run();
        let at_path: Vec<&Finding> = all
            .iter()
            .filter(|f| f.rule == rule && f.severity == severity && f.path.to_string() == path)
            .collect();
        assert!(
            !at_path.is_empty(),
            "no {severity:?} {rule} at {path}; got {all:#?}"
        );
        at_path
            .iter()
            .find(|f| f.detail.contains(needle))
            .map(|f| (*f).clone())
            .unwrap_or_else(|| panic!("{needle:?} not in any {rule} detail at {path}: {at_path:#?}"))
    }
    #[track_caller]
    fn err(&self, rule: &str, path: &str, needle: &str) -> Finding {
        self.finds(rule, Severity::Error, path, needle)
    }
    #[track_caller]
    fn warn(&self, rule: &str, path: &str, needle: &str) -> Finding {
        self.finds(rule, Severity::Warning, path, needle)
    }
    /// Asserts no finding at all carries `rule`.
    #[track_caller]
    fn clean(&self, rule: &str) -> &Self {
        let hits: Vec<Finding> = self.run().into_iter().filter(|f| f.rule == rule).collect();
        assert!(hits.is_empty(), "unexpected {rule}: {hits:#?}");
        self
    }
}

// ---------------------------------------------------------------------------------------
// Baselines.
// ---------------------------------------------------------------------------------------

#[test]
fn clean_profiles_have_no_findings() {
    for b in [
        overlay(),
        overlay().pods(&["10.244.0.0/16"]).svc("10.0.0.0/16", "10.0.0.10"),
        overlay().cilium().dual(),
        flat().policy("calico").node_subnet("10.10.0.0/22"),
        flat()
            .pod_subnet_pools()
            .node_subnet("10.10.0.0/24")
            .pod_subnet("10.10.8.0/21"),
        overlay()
            .win("win", 2)
            .sys(|p| p.max_pods = Some(110))
            .at(1, |p| p.max_pods = Some(110)),
        B(NetworkProfile::default()),
    ] {
        assert_eq!(b.run(), vec![], "{:#?}", b.0);
    }
}

#[test]
fn errors_come_first_then_warnings_in_rule_order() {
    let b = kubenet()
        .policy("azure")
        .pods(&["20.0.0.0/16"])
        .sys(|p| p.max_pods = Some(5));
    let all = b.run();
    let first_warning = all.iter().position(|f| !f.is_error()).unwrap_or(all.len());
    assert!(first_warning > 0 && first_warning < all.len(), "{all:#?}");
    assert!(all[first_warning..].iter().all(|f| !f.is_error()));
    let errors: Vec<String> = all[..first_warning].iter().map(|f| f.rule.to_string()).collect();
    assert_eq!(errors, ["E9", "C8"], "{all:#?}");
    let warnings: Vec<String> = all[first_warning..].iter().map(|f| f.rule.to_string()).collect();
    assert_eq!(warnings, ["R3", "W3", "W3"], "{all:#?}");
}

// ---------------------------------------------------------------------------------------
// E: enumerations and combinations.
// ---------------------------------------------------------------------------------------

#[test]
fn e1_network_plugin_values() {
    overlay().clean("E1");
    kubenet().plugin("none").clean("E1");
    let f = overlay().plugin("flannel").err(
        "E1",
        "network_plugin",
        "Possible values are `azure`, `kubenet` and `none`.",
    );
    assert_eq!(f.summary, "Unsupported Network Plugin");
    overlay()
        .plugin("Azure")
        .err("E1", "network_plugin", "did you mean `azure`");
    // An unknown plugin is reported once, not again by every plugin-dependent rule.
    let b = overlay()
        .plugin("flannel")
        .no_mode()
        .win("win", 1)
        .pods(&["10.244.0.0/16"]);
    assert!(b.run().iter().all(|f| f.rule == "E1"), "{:#?}", b.run());
}

#[test]
fn e2_plugin_mode_values_and_azure_only() {
    overlay().clean("E2");
    overlay().no_plugin().clean("E2");
    overlay()
        .mode("vxlan")
        .err("E2", "network_plugin_mode", "Possible values are `overlay`.");
    overlay()
        .plugin("kubenet")
        .err("E2", "network_plugin_mode", "not \"kubenet\"");
    overlay().plugin("none").err(
        "E2",
        "network_plugin_mode",
        "UnsupportedNetworkPluginModeWithNetworkPlugin",
    );
}

#[test]
fn e3_network_policy_values() {
    overlay().policy("calico").clean("E3");
    overlay().policy("none").clean("E3");
    overlay()
        .policy("Calico")
        .err("E3", "network_policy", "did you mean `calico`");
    overlay()
        .policy("antrea")
        .err("E3", "network_policy", "`none`, `calico`, `azure` and `cilium`");
}

#[test]
fn e4_cilium_policy_and_dataplane_go_together() {
    overlay().cilium().clean("E4");
    overlay()
        .policy("cilium")
        .err("E4", "network_policy", "network_data_plane is unset");
    overlay()
        .policy("cilium")
        .dataplane("azure")
        .err("E4", "network_policy", "found \"azure\"");
    // Unset policy with the cilium dataplane: AKS makes it cilium (azure-cli#25951; AVM
    // waf-aligned example); an explicit `none` is refused (azure-cli-extensions#7011).
    overlay().dataplane("cilium").clean("E4");
    overlay()
        .dataplane("cilium")
        .policy("none")
        .err("E4", "network_data_plane", "found \"none\"");
    overlay().dataplane("cilium").policy("calico").err(
        "E4",
        "network_data_plane",
        "CiliumDataplaneRequiresNetworkPolicyCilium",
    );
}

#[test]
fn e5_data_plane_values_and_azure_only() {
    overlay().cilium().clean("E5");
    flat().cilium().clean("E5");
    overlay()
        .dataplane("ebpf")
        .err("E5", "network_data_plane", "\"ebpf\" is not a network data plane");
    overlay()
        .plugin("none")
        .no_mode()
        .cilium()
        .pods(&["10.244.0.0/16"])
        .err("E5", "network_data_plane", "network_plugin = \"none\"");
    // kubenet is reported by E9 instead.
    kubenet().cilium().clean("E5");
}

#[test]
fn e6_cilium_dataplane_has_no_windows() {
    overlay().cilium().clean("E6");
    overlay().win("win", 2).clean("E6");
    overlay()
        .cilium()
        .win("win", 2)
        .err("E6", "node_pool[1].os_type", "node_pool[1] is a Windows pool");
}

#[test]
fn e7_azure_npm_plugin_and_scale() {
    overlay().policy("azure").clean("E7");
    flat().policy("azure").clean("E7");
    overlay()
        .plugin("none")
        .no_mode()
        .pods(&["10.244.0.0/16"])
        .policy("azure")
        .err("E7", "network_policy", "network_plugin = \"none\"");
    overlay().policy("azure").sys(|p| p.node_count = Some(300)).warn(
        "E7",
        "network_policy",
        "reach 300 nodes",
    );
    overlay().policy("azure").sys(|p| p.node_count = Some(90)).warn(
        "E7",
        "network_policy",
        "room for 22,500 pods",
    );
    // Kubenet is E9's.
    kubenet().policy("azure").clean("E7");
}

#[test]
fn e8_calico_on_windows_needs_azure_cni() {
    overlay().policy("calico").win("win", 2).clean("E8");
    kubenet().policy("calico").clean("E8");
    let b = kubenet().policy("calico").win("win", 2);
    b.err("E8", "node_pool[1].os_type", "network_plugin = \"kubenet\"");
    b.clean("E9");
    overlay()
        .plugin("none")
        .no_mode()
        .pods(&["10.244.0.0/16"])
        .policy("calico")
        .win("win", 1)
        .err("E8", "node_pool[1].os_type", "\"none\"");
}

#[test]
fn e9_kubenet_limits() {
    kubenet().policy("calico").clean("E9");
    overlay().cilium().win("win", 1).policy("azure").clean("E9");
    kubenet().policy("azure").err("E9", "network_policy", "Azure NPM");
    kubenet().policy("cilium").err("E9", "network_policy", "calico");
    kubenet()
        .cilium()
        .err("E9", "network_data_plane", "network_plugin = \"azure\"");
    kubenet()
        .win("win", 2)
        .err("E9", "node_pool[1].os_type", "Linux nodes only");
    // Without network_plugin, Kubernetes 1.29 defaults to kubenet (SPEC-def).
    overlay()
        .no_plugin()
        .no_mode()
        .version("1.29.7")
        .win("win", 2)
        .err("E9", "node_pool[1].os_type", "AKS default for Kubernetes 1.29");
    overlay()
        .no_plugin()
        .no_mode()
        .version("1.30")
        .win("win", 2)
        .clean("E9");
}

#[test]
fn e10_pod_cidr_only_with_kubenet_overlay_or_none() {
    overlay().pods(&["10.244.0.0/16"]).clean("E10");
    kubenet().pods(&["10.244.0.0/16"]).clean("E10");
    overlay()
        .plugin("none")
        .no_mode()
        .pods(&["10.244.0.0/16"])
        .clean("E10");
    flat()
        .pods(&["10.244.0.0/16"])
        .err("E10", "pod_cidr[0]", "pod CIDR 10.244.0.0/16 cannot be used");
    overlay()
        .plugin("none")
        .no_mode()
        .warn("E10", "network_plugin", "set pod_cidr");
}

#[test]
fn e12_pod_subnet_needs_flat_azure_on_every_pool() {
    flat().pod_subnet_pools().clean("E12");
    flat().add("user", 2).pod_subnet_pools().clean("E12");
    overlay().pod_subnet_pools().err(
        "E12",
        "node_pool[0].pod_subnet_id",
        "network_plugin_mode = \"overlay\"",
    );
    kubenet().pod_subnet_pools().err(
        "E12",
        "node_pool[0].pod_subnet_id",
        "network_plugin = \"kubenet\"",
    );
    overlay().no_plugin().no_mode().pod_subnet_pools().err(
        "E12",
        "node_pool[0].pod_subnet_id",
        "Azure CNI Overlay (the AKS default",
    );
    flat().sys(|p| p.uses_pod_subnet = true).add("user", 2).err(
        "E12",
        "node_pool[1].pod_subnet_id",
        "node_pool[1] has none",
    );
}

#[test]
fn e13_allocation_mode_values_pod_subnet_and_one_mode() {
    let both_static = flat()
        .add("user", 2)
        .pod_subnet_pools()
        .pod_subnet("10.10.64.0/18")
        .sys(|p| p.pod_ip_allocation_mode = Some("StaticBlock".into()))
        .at(1, |p| p.pod_ip_allocation_mode = Some("StaticBlock".into()));
    both_static.clean("E13");
    flat()
        .pod_subnet_pools()
        .sys(|p| p.pod_ip_allocation_mode = Some("Static".into()))
        .err(
            "E13",
            "node_pool[0].pod_ip_allocation_mode",
            "`DynamicIndividual` and `StaticBlock`",
        );
    overlay()
        .sys(|p| p.pod_ip_allocation_mode = Some("StaticBlock".into()))
        .err(
            "E13",
            "node_pool[0].pod_ip_allocation_mode",
            "only to pools with a pod subnet",
        );
    both_static.at(1, |p| p.pod_ip_allocation_mode = None).err(
        "E13",
        "node_pool[1].pod_ip_allocation_mode",
        "node_pool[1] uses DynamicIndividual",
    );
}

#[test]
fn e14_ip_family_values_and_order() {
    overlay().dual().clean("E14");
    overlay().families(&["IPv4"]).clean("E14");
    overlay()
        .families(&["IPv6"])
        .err("E14", "ip_families", "IPv6-only");
    overlay()
        .families(&["IPv6", "IPv4"])
        .err("E14", "ip_families", "IPv4 must come first");
    overlay()
        .families(&["IPv4", "ipv6"])
        .err("E14", "ip_families[1]", "did you mean `IPv6`");
}

#[test]
fn e14_cidrs_match_families() {
    overlay()
        .dual()
        .pods(&["10.244.0.0/16", "fd12:3456:789a::/64"])
        .services(&["10.0.0.0/16", "fd12:3456:789a:1::/108"])
        .dns("10.0.0.10")
        .clean("E14");
    // A single IPv4 entry on dual stack is completed by the planner.
    overlay().dual().pods(&["10.244.0.0/16"]).clean("E14");
    overlay()
        .dual()
        .pods(&["fd12:3456:789a::/64", "10.244.0.0/16"])
        .err("E14", "pod_cidr[0]", "IPv6 range in position 1");
    overlay().pods(&["10.244.0.0/16", "fd12:3456:789a::/64"]).err(
        "E14",
        "pod_cidr[1]",
        "2 pod CIDRs are given but ip_families has 1 family",
    );
    overlay()
        .pods(&["fd12:3456:789a::/64"])
        .err("E14", "pod_cidr[0]", "add \"IPv6\" to ip_families");
}

#[test]
fn e14_dual_stack_support() {
    overlay().dual().cilium().version("1.29").clean("E14");
    overlay()
        .plugin("none")
        .no_mode()
        .pods(&["10.244.0.0/16"])
        .dual()
        .clean("E14");
    flat()
        .dual()
        .err("E14", "ip_families", "not Azure CNI (node subnet)");
    kubenet()
        .dual()
        .err("E14", "ip_families", "network_plugin = \"kubenet\"");
    overlay()
        .dual()
        .policy("calico")
        .err("E14", "network_policy", "calico");
    let npm = overlay().dual().policy("azure");
    npm.err("E14", "network_policy", "does not support IPv6");
    npm.clean("E7");
    overlay().dual().cilium().version("1.28.3").err(
        "E14",
        "kubernetes_version",
        "1.29 or newer; kubernetes_version is 1.28",
    );
    overlay()
        .dual()
        .outbound("managedNATGateway")
        .err("E14", "outbound_type", "IPv4-only");
    overlay()
        .dual()
        .outbound("userAssignedNATGateway")
        .warn("E14", "outbound_type", "StandardV2");
}

#[test]
fn e15_outbound_type_values() {
    overlay().outbound("userDefinedRouting").clean("E15");
    overlay().outbound("none").clean("E15");
    overlay().outbound("natGateway").err(
        "E15",
        "outbound_type",
        "`loadBalancer`, `userDefinedRouting`, `managedNATGateway`, `userAssignedNATGateway` and `none`",
    );
    overlay()
        .outbound("managednatgatewayv2")
        .err("E15", "outbound_type", "preview AKS API versions");
    overlay()
        .outbound("loadbalancer")
        .err("E15", "outbound_type", "did you mean `loadBalancer`");
}

#[test]
fn e16_load_balancer_sku() {
    overlay().sku("standard").clean("E16");
    overlay()
        .sku("premium")
        .err("E16", "load_balancer_sku", "`standard` and `basic`");
    overlay().sku("basic").outbound("userDefinedRouting").err(
        "E16",
        "load_balancer_sku",
        "outbound_type \"userDefinedRouting\"",
    );
}

#[test]
fn e16_basic_is_refused_on_create_only() {
    let mut existing = overlay().sku("basic");
    existing.0.lifecycle = Lifecycle::Existing;
    existing.warn("E16", "load_balancer_sku", "upgrade it in place");
    assert!(!existing.run().iter().any(|f| f.rule == "E16" && f.is_error()));
    let mut validating = overlay().sku("basic");
    validating.0.lifecycle = Lifecycle::Unknown;
    validating.clean("E16");
    overlay()
        .sku("basic")
        .err("E16", "load_balancer_sku", "refuses new clusters");
}

// ---------------------------------------------------------------------------------------
// R: address ranges.
// ---------------------------------------------------------------------------------------

#[test]
fn r1_aks_reserved_ranges_and_supersets() {
    overlay()
        .pods(&["10.244.0.0/16"])
        .svc("10.0.0.0/16", "10.0.0.10")
        .clean("R1");
    overlay()
        .pods(&["172.30.0.0/16"])
        .err("R1", "pod_cidr[0]", "overlaps 172.30.0.0/16");
    overlay().svc("172.16.0.0/12", "172.16.0.10").err(
        "R1",
        "service_cidr[0]",
        "172.30.0.0/16 and 172.31.0.0/16",
    );
    overlay()
        .vnet(&["192.0.0.0/16"])
        .err("R1", "address_space[0]", "overlaps 192.0.2.0/24");
    overlay()
        .vnet(&["10.10.0.0/16", "172.31.0.0/24"])
        .node_subnet("172.31.0.0/24")
        .err("R1", "node_subnet_cidr", "node subnet 172.31.0.0/24");
    // 169.254.0.0/16 in a VNet is reported once, by R2.
    overlay().vnet(&["169.254.0.0/16"]).clean("R1");
}

#[test]
fn r2_forbidden_vnet_and_subnet_ranges() {
    overlay().node_subnet("10.10.0.0/24").clean("R2");
    overlay()
        .vnet(&["127.0.0.0/16"])
        .err("R2", "address_space[0]", "127.0.0.0/8");
    overlay()
        .vnet(&["169.254.0.0/16"])
        .err("R2", "address_space[0]", "169.254.0.0/16");
    overlay()
        .vnet(&["168.63.0.0/16"])
        .node_subnet("168.63.129.0/24")
        .err("R2", "node_subnet_cidr", "168.63.129.16/32");
}

#[test]
fn r3_pod_cidr_overlaps() {
    overlay()
        .pods(&["10.244.0.0/16"])
        .reserved(&["192.168.0.0/16"])
        .clean("R3");
    // Since 2024-10-25 overlay checks the subnets, not the address space: inside the VNet
    // but clear of every subnet is accepted, with a warning.
    overlay()
        .pods(&["10.10.128.0/17"])
        .node_subnet("10.10.0.0/24")
        .warn("R3", "pod_cidr[0]", "checks only the subnets");
    overlay().pods(&["10.10.0.0/17"]).node_subnet("10.10.0.0/24").err(
        "R3",
        "pod_cidr[0]",
        "10.10.0.0/24 in the node subnet",
    );
    overlay()
        .pods(&["10.10.128.0/17"])
        .vnet_subnets(&[("appgw", "10.10.200.0/24")])
        .err("R3", "pod_cidr[0]", "in subnet \"appgw\" of the VNet");
    overlay()
        .reserved(&["10.244.8.0/24"])
        .pods(&["10.244.0.0/16"])
        .err("R3", "pod_cidr[0]", "overlaps 10.244.8.0/24 in reserved_cidrs");
    overlay()
        .pods(&["10.244.0.0/16"])
        .peered(&["10.244.0.0/20"])
        .warn("R3", "pod_cidr[0]", "a peered VNet");
    // kubenet routes pod ranges in the VNet: the whole address space counts.
    kubenet()
        .vnet(&["10.10.0.0/16", "10.20.0.0/16"])
        .pods(&["10.20.0.0/20"])
        .err("R3", "pod_cidr[0]", "10.20.0.0/16 in the VNet address space");
    // `none`: AKS does not check (or store) the pod CIDR.
    overlay()
        .plugin("none")
        .no_mode()
        .pods(&["10.10.0.0/17"])
        .node_subnet("10.10.0.0/24")
        .warn("R3", "pod_cidr[0]", "does not check the pod CIDR");
    // AKS's default pod CIDR is checked as if written, unless the plugin is unknown.
    kubenet().vnet(&["10.244.0.0/16"]).err(
        "R3",
        "pod_cidr",
        "10.244.0.0/16 (AKS's default, as pod_cidr is unset)",
    );
    kubenet().vnet(&["10.244.0.0/16"]).unknown("pod_cidr").clean("R3");
}

#[test]
fn r3_public_pod_cidr_warns() {
    overlay().pods(&["100.64.0.0/16"]).clean("R3");
    let f = overlay()
        .pods(&["20.0.0.0/16"])
        .warn("R3", "pod_cidr[0]", "20.0.0.0/16");
    assert!(f.detail.contains("RFC 1918"), "{f:?}");
}

#[test]
fn r4_service_cidr_overlaps() {
    overlay().svc("10.0.0.0/16", "10.0.0.10").clean("R4");
    overlay()
        .svc("10.10.0.0/20", "10.10.0.10")
        .node_subnet("10.10.0.0/24")
        .err("R4", "service_cidr[0]", "ServiceCidrOverlapExistingSubnetsCidr");
    overlay()
        .pods(&["10.244.0.0/16"])
        .svc("10.244.0.0/20", "10.244.0.10")
        .err("R4", "service_cidr[0]", "in the pod CIDR");
    overlay()
        .reserved(&["10.0.5.0/24"])
        .svc("10.0.0.0/16", "10.0.0.10")
        .err("R4", "service_cidr[0]", "10.0.5.0/24 in reserved_cidrs");
    overlay()
        .svc("10.0.0.0/16", "10.0.0.10")
        .peered(&["10.0.0.0/20"])
        .warn("R4", "service_cidr[0]", "a peered VNet");
}

/// Microsoft's own layout (configure-azure-cni-dynamic-ip-allocation): VNet 10.0.0.0/8, node
/// subnet 10.240.0.0/16, service range left to its default 10.0.0.0/16. AKS accepts it; the
/// same value written out gets the same verdict.
#[test]
fn r4_service_cidr_inside_the_vnet_is_a_warning_written_or_defaulted() {
    let layout = || overlay().vnet(&["10.0.0.0/8"]).node_subnet("10.240.0.0/16");
    let defaulted = layout().warn("R4", "service_cidr", "AKS's default, as service_cidr is unset");
    assert!(defaulted.detail.contains("not recommend"), "{defaulted:?}");
    layout().svc("10.0.0.0/16", "10.0.0.10").warn(
        "R4",
        "service_cidr[0]",
        "10.0.0.0/8 in the VNet address space",
    );
    for b in [layout(), layout().svc("10.0.0.0/16", "10.0.0.10")] {
        let errors: Vec<Finding> = b.run().into_iter().filter(Finding::is_error).collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

/// azurerm#15711: VNet 10.0.0.0/16 with the node subnet 10.0.1.0/24 and the service range
/// left unset: AKS refuses its own default (ServiceCidrOverlapExistingSubnetsCidr), so plan
/// does, naming the default, and the suggested fix passes. AKS#1117: a subnet the cluster does
/// not use counts too.
#[test]
fn r4_default_service_cidr_on_a_subnet_is_an_error_with_a_working_fix() {
    let b = overlay().vnet(&["10.0.0.0/16"]).node_subnet("10.0.1.0/24");
    let f = b
        .clone()
        .err("R4", "service_cidr", "10.0.1.0/24 in the node subnet");
    assert!(f.detail.contains("AKS's default"), "{f:?}");
    let suggested = f
        .detail
        .split("such as ")
        .nth(1)
        .and_then(|rest| rest.split([' ', ',']).next())
        .expect("a suggestion")
        .trim_end_matches('.')
        .to_string();
    assert_ne!(suggested, "10.0.0.0/16", "{f:?}");
    let dns = crate::netplan::cidr::nth_addr(&crate::netplan::cidr::parse_cidr(&suggested).unwrap(), 10)
        .unwrap()
        .to_string();
    b.svc(&suggested, &dns).clean("R4");
    overlay()
        .vnet(&["10.0.0.0/8"])
        .node_subnet("10.240.0.0/16")
        .vnet_subnets(&[("nodes", "10.240.0.0/16"), ("svc", "10.0.0.0/24")])
        .err("R4", "service_cidr", "in subnet \"svc\" of the VNet");
    // Unknown until apply: no default is assumed.
    overlay()
        .vnet(&["10.0.0.0/16"])
        .node_subnet("10.0.0.0/24")
        .unknown("service_cidr")
        .clean("R4");
}

#[test]
fn r4_service_cidr_size_limits() {
    overlay()
        .dual()
        .services(&["10.32.0.0/12", "fd12:3456:789a:1::/108"])
        .dns("10.32.0.10")
        .clean("R4");
    overlay()
        .svc("10.0.0.0/8", "10.0.0.10")
        .vnet(&["192.168.0.0/16"])
        .err("R4", "service_cidr[0]", "larger than /12");
    overlay()
        .dual()
        .services(&["10.0.0.0/16", "fd12:3456:789a:1::/64"])
        .dns("10.0.0.10")
        .err("R4", "service_cidr[1]", "larger than /108");
}

#[test]
fn r5_dns_service_ip_inside_and_usable() {
    overlay().svc("10.0.0.0/16", "10.0.0.10").clean("R5");
    overlay().svc("10.0.0.0/16", "10.0.0.2").clean("R5");
    overlay()
        .svc("10.0.0.0/16", "10.1.0.10")
        .err("R5", "dns_service_ip", "outside service CIDR 10.0.0.0/16");
    overlay()
        .svc("10.0.0.0/16", "10.0.0.0")
        .err("R5", "dns_service_ip", "the network address");
    overlay()
        .svc("10.0.0.0/16", "10.0.0.1")
        .err("R5", "dns_service_ip", "kubernetes.default");
    overlay()
        .svc("10.0.0.0/16", "10.0.255.255")
        .err("R5", "dns_service_ip", "for example 10.0.0.10");
}

#[test]
fn r6_dns_and_service_cidr_together() {
    overlay().clean("R6");
    overlay().svc("10.0.0.0/16", "10.0.0.10").clean("R6");
    overlay()
        .dns("10.0.0.10")
        .err("R6", "dns_service_ip", "10.0.0.10 is set without a service CIDR");
    overlay().services(&["10.0.0.0/16"]).err(
        "R6",
        "service_cidr[0]",
        "10.0.0.0/16 is set without dns_service_ip",
    );
}

#[test]
fn r7_syntax() {
    overlay()
        .svc("10.0.0.0/16", "10.0.0.10")
        .version("1.33.2")
        .clean("R7");
    overlay()
        .pods(&["10.244.0.0"])
        .err("R7", "pod_cidr[0]", "no prefix length");
    overlay().pods(&["10.244.1.0/16"]).err(
        "R7",
        "pod_cidr[0]",
        "network address of that range is 10.244.0.0/16",
    );
    overlay()
        .vnet(&["10.10.0.0/33"])
        .err("R7", "address_space[0]", "\"10.10.0.0/33\"");
    overlay()
        .svc("10.0.0.0/16", "ten")
        .err("R7", "dns_service_ip", "\"ten\"");
    overlay()
        .svc("10.0.0.0/16", "fd00::10")
        .err("R7", "dns_service_ip", "is IPv6");
}

#[test]
fn i5_kubernetes_version_form() {
    overlay().version("1.33").clean("I5");
    overlay().version("1.33.2").clean("I5");
    // The same verdict on every path (issue #15): an error, as AKS refuses it.
    overlay()
        .version("latest")
        .err("I5", "kubernetes_version", "\"latest\" is not a version");
    overlay()
        .version("1")
        .err("I5", "kubernetes_version", "major.minor");
    overlay()
        .version("1.33.x")
        .err("I5", "kubernetes_version", "major.minor");
}

#[test]
fn r8_subnet_sizes() {
    overlay().node_subnet("10.10.0.0/29").clean("R8");
    overlay()
        .node_subnet("10.10.0.0/30")
        .err("R8", "node_subnet_cidr", "smaller than /29");
    overlay()
        .vnet(&["10.10.0.0/16", "fd00:1::/48"])
        .node_subnet("fd00:1::/80")
        .err("R8", "node_subnet_cidr", "is a /80");
}

#[test]
fn r8_subnet_placement() {
    flat()
        .pod_subnet_pools()
        .node_subnet("10.10.0.0/24")
        .pod_subnet("10.10.8.0/21")
        .clean("R8");
    overlay().node_subnet("10.20.0.0/24").err(
        "R8",
        "node_subnet_cidr",
        "not inside the VNet address space (10.10.0.0/16)",
    );
    flat()
        .pod_subnet_pools()
        .node_subnet("10.10.0.0/22")
        .pod_subnet("10.10.2.0/23")
        .err("R8", "pod_subnet_cidr", "overlaps node subnet 10.10.0.0/22");
    // Without a (fully parsed) VNet there is nothing to place the subnet in.
    overlay().vnet(&[]).node_subnet("10.20.0.0/24").clean("R8");
}

// ---------------------------------------------------------------------------------------
// C: capacity.
// ---------------------------------------------------------------------------------------

#[test]
fn c1_pod_cidr_capacity() {
    let b = overlay().sys(|p| p.node_count = Some(5)).pods(&["10.244.0.0/22"]);
    let f = b.err("C1", "pod_cidr[0]", "holds 4 nodes");
    assert_eq!(
        f.detail,
        "pod CIDR 10.244.0.0/22 holds 4 nodes at one /24 per node; the pools peak at 6 nodes (node_pool[0]: 5 + 1 surge); use /21 or larger."
    );
    assert_eq!(f.summary, "Pod CIDR Too Small");
    b.clone().pods(&["10.244.0.0/21"]).clean("C1");
    kubenet()
        .sys(|p| p.max_count = Some(300))
        .pods(&["10.244.0.0/16"])
        .err("C1", "pod_cidr[0]", "peak at 301 nodes");
    // Autoscaled pools count at max_count, plus their surge.
    overlay()
        .add("user", 0)
        .at(1, |p| {
            p.max_count = Some(20);
            p.max_surge = Some("50%".into());
        })
        .pods(&["10.244.0.0/20"])
        .err("C1", "pod_cidr[0]", "node_pool[1]: 20 + 10 surge");
    // A bring-your-own CNI assigns pod addresses itself (A-byo).
    overlay()
        .plugin("none")
        .no_mode()
        .sys(|p| p.node_count = Some(5))
        .pods(&["10.244.0.0/22"])
        .clean("C1");
}

#[test]
fn c2_kubenet_route_limit() {
    kubenet().sys(|p| p.max_count = Some(399)).clean("C2");
    overlay().sys(|p| p.max_count = Some(450)).clean("C2");
    kubenet()
        .sys(|p| p.max_count = Some(400))
        .err("C2", "node_pool[0].max_count", "peak at 401 nodes");
    overlay()
        .no_plugin()
        .no_mode()
        .version("1.29.0")
        .add("big", 450)
        .err("C2", "node_pool[1].node_count", "400 routes");
    overlay()
        .no_plugin()
        .no_mode()
        .version("1.31.0")
        .add("big", 450)
        .clean("C2");
}

#[test]
fn c3_node_count_may_be_omitted_with_autoscaler_bounds_only() {
    // Bounds without a count: sized for max_count (a /22 pod CIDR holds 4 nodes of a /24 each).
    overlay()
        .sys(|p| {
            p.node_count = None;
            p.min_count = Some(1);
            p.max_count = Some(3);
        })
        .clean("C3");
    overlay()
        .pods(&["10.244.0.0/22"])
        .sys(|p| {
            p.node_count = None;
            p.min_count = Some(1);
            p.max_count = Some(8);
        })
        .err(
            "C1",
            "pod_cidr[0]",
            "the pools peak at 9 nodes (node_pool[0]: 8 + 1 surge)",
        );
    overlay().sys(|p| p.node_count = None).err(
        "C3",
        "node_pool[0].node_count",
        "neither node_count nor autoscaler bounds; set node_count, or let the autoscaler",
    );
    // Known only after apply: not missing.
    overlay()
        .sys(|p| {
            p.node_count = None;
            p.unknown.insert("node_count");
        })
        .clean("C3");
}

#[test]
fn c3_pool_counts() {
    overlay().add("user", 0).clean("C3");
    overlay()
        .sys(|p| {
            p.min_count = Some(1);
            p.max_count = Some(1000);
        })
        .clean("C3");
    overlay().sys(|p| p.node_count = Some(0)).err(
        "C3",
        "node_pool[0].node_count",
        "first (system) pool needs 1 to 1,000 nodes",
    );
    overlay()
        .sys(|p| {
            p.min_count = Some(0);
            p.max_count = Some(3);
        })
        .err("C3", "node_pool[0].min_count", "min_count is 0");
    overlay()
        .sys(|p| {
            p.min_count = Some(5);
            p.max_count = Some(4);
        })
        .err(
            "C3",
            "node_pool[0].min_count",
            "min_count 5 is greater than max_count 4",
        );
    overlay()
        .sys(|p| {
            p.min_count = Some(4);
            p.max_count = Some(8);
        })
        .err(
            "C3",
            "node_pool[0].node_count",
            "node_count 3 is below min_count 4",
        );
    overlay()
        .sys(|p| p.max_count = Some(1001))
        .err("C3", "node_pool[0].max_count", "asks for 1,001");
}

#[test]
fn c3_cluster_size() {
    let mut b = overlay().sys(|p| p.node_count = Some(900));
    for i in 1..5 {
        b = b.add(&format!("p{i}"), 900);
    }
    b.clean("C3");
    b.add("p5", 900)
        .err("C3", "node_pool[0].node_count", "reach 5,400 nodes");
}

#[test]
fn c4_max_surge() {
    overlay().sys(|p| p.max_surge = Some("33%".into())).clean("C4");
    overlay().sys(|p| p.max_surge = Some("0".into())).clean("C4");
    overlay()
        .sys(|p| p.max_surge = Some("lots".into()))
        .err("C4", "node_pool[0].max_surge", "\"lots\"");
    overlay().sys(|p| p.max_surge = Some("150%".into())).err(
        "C4",
        "node_pool[0].max_surge",
        "between 1% and 100%",
    );
}

#[test]
fn c4_node_subnet_holds_the_nodes() {
    overlay()
        .sys(|p| p.node_count = Some(10))
        .node_subnet("10.10.0.0/28")
        .clean("C4");
    let f = overlay()
        .sys(|p| p.node_count = Some(20))
        .node_subnet("10.10.0.0/28")
        .err("C4", "node_subnet_cidr", "21 node addresses");
    assert_eq!(
        f.detail,
        "Azure CNI Overlay needs 21 node addresses for 21 nodes; /28 gives 11 usable; use /27 or larger."
    );
}

#[test]
fn c5_flat_node_subnet_holds_nodes_and_pods() {
    let b = flat()
        .sys(|p| {
            p.node_count = Some(50);
            p.max_pods = Some(30);
        })
        .node_subnet("10.10.0.0/22");
    let f = b.err("C5", "node_subnet_cidr", "1,581");
    assert_eq!(
        f.detail,
        "Azure CNI needs 1,581 addresses for 51 nodes × (30 pods + 1); /22 gives 1,019 usable; use /21 or larger."
    );
    b.clone().node_subnet("10.10.0.0/21").clean("C5");
    // The default is 30 pods per node; mixed max_pods get the generic wording.
    flat()
        .sys(|p| p.node_count = Some(10))
        .add("user", 10)
        .at(1, |p| p.max_pods = Some(50))
        .node_subnet("10.10.0.0/24")
        .err(
            "C5",
            "node_subnet_cidr",
            "needs 902 addresses for 22 nodes and their pods",
        );
}

#[test]
fn c6_dynamic_pod_subnet() {
    let b = flat()
        .pod_subnet_pools()
        .sys(|p| {
            p.node_count = Some(10);
            p.max_pods = Some(30);
        })
        .pod_subnet("10.10.8.0/24");
    // 11 nodes × 2 batches = 352 > 251: AKS accepts it (it pre-allocates 16 per node, 176),
    // so a warning with the size for full nodes.
    let f = b.warn("C6", "pod_subnet_cidr", "352");
    assert_eq!(
        f.detail,
        "Azure CNI with a pod subnet (dynamic) holds the first batch of 16 addresses for each of 11 nodes, but not max_pods on every node: 352 pod addresses at peak (2 batches of 16 per node at max_pods 30); /24 gives 251 usable. AKS accepts it; pods beyond the subnet wait for an address. For full nodes use /23 or larger."
    );
    assert!(b.run().iter().all(|f| !f.is_error()), "{:#?}", b.run());
    b.clone().pod_subnet("10.10.8.0/23").clean("C6");
    // Fewer than 16 per node: the nodes' first batches do not fit, an error.
    let f = b
        .clone()
        .pod_subnet("10.10.8.0/25")
        .err("C6", "pod_subnet_cidr", "176");
    assert_eq!(
        f.detail,
        "Azure CNI with a pod subnet (dynamic) pre-allocates a batch of 16 addresses to every node when it starts: 176 for 11 nodes; /25 gives 123 usable. At max_pods they hold 352 (2 batches of 16 per node at max_pods 30); use /23 or larger."
    );
}

/// Issue 15 item 7: with `max_pods` unset, a pod subnet is sized for 250 pods per node (the
/// larger of the documented defaults: 250 on the dynamic IP allocation page, 110 in IP
/// address planning), so a subnet that only fits 110 is warned about rather than found short
/// (a warning: AKS pre-allocates 16 per node in dynamic mode); static block is refused.
#[test]
fn c6_unset_max_pods_sizes_the_pod_subnet_for_250() {
    let b = flat()
        .pod_subnet_pools()
        .sys(|p| {
            p.node_count = Some(10);
            p.max_pods = None;
        })
        .pod_subnet("10.10.8.0/21");
    // 11 nodes × 16 batches of 16 = 2,816 > 2,043 usable in a /21 (at 110 it would fit: 1,232).
    let f = b.warn("C6", "pod_subnet_cidr", "2,816");
    assert!(f.detail.contains("at max_pods 250"), "{}", f.detail);
    b.clone().pod_subnet("10.10.0.0/20").clean("C6");
    // Static block too: 16 /28 blocks per node.
    b.clone()
        .sys(|p| p.pod_ip_allocation_mode = Some("StaticBlock".into()))
        .err("C7", "pod_subnet_cidr", "16 /28 blocks per node at max_pods 250");
}

#[test]
fn c7_static_block_pod_subnet_and_version() {
    let b = flat()
        .pod_subnet_pools()
        .sys(|p| {
            p.node_count = Some(10);
            p.max_pods = Some(31);
            p.pod_ip_allocation_mode = Some("StaticBlock".into());
        })
        .pod_subnet("10.10.8.0/23");
    // ceil((31 + 1) / 16) = 2 blocks per node: 11 × 32 = 352 ≤ 507.
    b.clean("C7");
    b.clone().sys(|p| p.max_pods = Some(32)).err(
        "C7",
        "pod_subnet_cidr",
        "528 pod addresses for 11 nodes (3 /28 blocks per node",
    );
    b.clone()
        .version("1.27.9")
        .err("C7", "kubernetes_version", "kubernetes_version is 1.27");
    b.clone().version("1.28").clean("C7");
}

#[test]
fn c8_max_pods_range_and_floor() {
    overlay().sys(|p| p.max_pods = Some(10)).clean("C8");
    overlay().sys(|p| p.max_pods = Some(250)).clean("C8");
    overlay()
        .add("user", 2)
        .at(1, |p| {
            p.min_count = Some(0);
            p.max_count = Some(5);
            p.max_pods = Some(10);
        })
        .clean("C8");
    overlay().sys(|p| p.max_pods = Some(300)).err(
        "C8",
        "node_pool[0].max_pods",
        "max_pods is 300; AKS accepts 10 to 250",
    );
    overlay()
        .sys(|p| p.max_pods = Some(9))
        .err("C8", "node_pool[0].max_pods", "max_pods is 9");
    overlay()
        .sys(|p| {
            p.node_count = Some(2);
            p.max_pods = Some(10);
        })
        .err("C8", "node_pool[0].max_pods", "room for 20 pods");
    overlay()
        .sys(|p| {
            p.min_count = Some(1);
            p.max_count = Some(5);
            p.max_pods = Some(10);
        })
        .err("C8", "node_pool[0].max_pods", "min_count to 3");
}

#[test]
fn c9_windows_overlay_max_pods() {
    overlay()
        .win("win", 2)
        .at(1, |p| p.max_pods = Some(110))
        .clean("C9");
    flat().win("win", 2).clean("C9");
    overlay().win("win", 2).warn(
        "C9",
        "node_pool[1].max_pods",
        "max_pods 250 (the overlay default)",
    );
}

// ---------------------------------------------------------------------------------------
// W: Windows and retirement.
// ---------------------------------------------------------------------------------------

#[test]
fn w1_pool_names() {
    overlay().add("a1b2c3d4e5f6", 1).win("win1", 1).clean("W1");
    overlay()
        .sys(|p| p.name = Some("System-Pool".into()))
        .err("W1", "node_pool[0].name", "starts with 'S'");
    overlay()
        .sys(|p| p.name = Some("sys-pool".into()))
        .err("W1", "node_pool[0].name", "contains '-'");
    overlay().sys(|p| p.name = Some("systempool123".into())).err(
        "W1",
        "node_pool[0].name",
        "has 13 characters",
    );
    overlay()
        .win("windows1", 2)
        .err("W1", "node_pool[1].name", "\"windows1\" has 8");
    overlay()
        .add("system", 2)
        .err("W1", "node_pool[1].name", "already used by node_pool[0]");
}

#[test]
fn w1_windows_pools() {
    overlay().win("win", 1).clean("W1");
    flat().win("win", 1).clean("W1");
    overlay()
        .win("win", 1)
        .at(1, |p| p.os_type = Some("windows".into()))
        .err("W1", "node_pool[1].os_type", "did you mean `Windows`");
    overlay()
        .plugin("none")
        .no_mode()
        .pods(&["10.244.0.0/16"])
        .win("win", 1)
        .err("W1", "node_pool[1].os_type", "not network_plugin = \"none\"");
    overlay()
        .sys(|p| {
            p.os_type = Some("Windows".into());
            p.name = Some("win".into());
        })
        .err("W1", "node_pool[0].os_type", "must run Linux");
}

#[test]
fn w3_retirements() {
    overlay().clean("W3");
    overlay().policy("calico").clean("W3");
    kubenet().warn("W3", "network_plugin", "2028-03-31");
    overlay().no_plugin().no_mode().version("1.29").warn(
        "W3",
        "kubernetes_version",
        "kubenet (the AKS default for Kubernetes 1.29",
    );
    let npm = overlay().policy("azure");
    npm.warn("W3", "network_policy", "2028-09-30");
    npm.win("win", 2)
        .err("W3", "node_pool[1].os_type", "retired on 2026-09-30");
}

// ---------------------------------------------------------------------------------------
// Properties.
// ---------------------------------------------------------------------------------------

fn pick(values: &'static [&'static str]) -> impl Strategy<Value = Option<&'static str>> {
    prop::option::of(prop::sample::select(values))
}

fn arb_pool() -> impl Strategy<Value = NodePool> {
    (
        pick(&["system", "win", "Bad-Name", "", "averyverylongname", "np1"]),
        pick(&["Linux", "Windows", "windows", "mac"]),
        prop::option::of(prop_oneof![0..10u32, any::<u32>()]),
        prop::option::of(prop_oneof![0..10u32, any::<u32>()]),
        prop::option::of(prop_oneof![0..2000u32, any::<u32>()]),
        prop::option::of(prop_oneof![0..300u32, any::<u32>()]),
        prop::option::of("[0-9%a-z]{0,4}"),
        any::<bool>(),
        pick(&["DynamicIndividual", "StaticBlock", "staticblock", "x"]),
    )
        .prop_map(
            |(name, os, count, min, max, mp, surge, pod_subnet, mode)| NodePool {
                path: FieldPath::root(),
                name: name.map(str::to_string),
                os_type: os.map(str::to_string),
                node_count: count,
                min_count: min,
                max_count: max,
                max_pods: mp,
                max_surge: surge,
                uses_pod_subnet: pod_subnet,
                pod_ip_allocation_mode: mode.map(str::to_string),
                unknown: Default::default(),
                placement: Default::default(),
            },
        )
}

fn arb_profile() -> impl Strategy<Value = NetworkProfile> {
    const CIDRS: &[&str] = &[
        "10.0.0.0/16",
        "10.10.0.0/16",
        "10.244.0.0/22",
        "172.16.0.0/12",
        "172.30.0.0/16",
        "169.254.0.0/16",
        "0.0.0.0/0",
        "20.0.0.0/8",
        "10.0.0.0/30",
        "10.0.0.0/32",
        "fd00::/64",
        "fd00::/8",
        "::/0",
        "bad",
        "10.0.0.10",
        "10.1.2.3/8",
        "",
    ];
    let cidrs = || prop::collection::vec(prop::sample::select(CIDRS), 0..3);
    let enums = (
        pick(&["azure", "kubenet", "none", "Azure", "x"]),
        pick(&["overlay", "Overlay", "x"]),
        pick(&["none", "calico", "azure", "cilium", "x"]),
        pick(&["azure", "cilium", "x"]),
        prop::collection::vec(prop::sample::select(&["IPv4", "IPv6", "ipv6", "x"][..]), 0..3),
        pick(&[
            "loadBalancer",
            "userDefinedRouting",
            "managedNATGateway",
            "userAssignedNATGateway",
            "none",
            "block",
            "x",
        ]),
        pick(&["standard", "basic", "x"]),
        pick(&[
            "1.27",
            "1.28.1",
            "1.29",
            "1.33.2",
            "latest",
            "1.",
            "v1.30",
            "99999999999.1",
        ]),
    );
    let ranges = (
        cidrs(),
        cidrs(),
        pick(&[
            "10.0.0.10",
            "10.0.0.0",
            "10.0.0.1",
            "fd00::10",
            "ten",
            "255.255.255.255",
        ]),
        cidrs(),
        cidrs(),
        pick(CIDRS),
        pick(CIDRS),
    );
    (enums, ranges, prop::collection::vec(arb_pool(), 0..5)).prop_map(
        |(
            (plugin, mode, policy, dp, fams, ot, sku, ver),
            (pods, svcs, dns, vnet, reserved, ns, ps),
            pools,
        )| {
            NetworkProfile {
                network_plugin: plugin.and_then(|v| loc(v, "network_plugin")),
                network_plugin_mode: mode.and_then(|v| loc(v, "network_plugin_mode")),
                network_policy: policy.and_then(|v| loc(v, "network_policy")),
                network_data_plane: dp.and_then(|v| loc(v, "network_data_plane")),
                pod_cidrs: list(&pods, "pod_cidrs"),
                service_cidrs: list(&svcs, "service_cidrs"),
                dns_service_ip: dns.and_then(|v| loc(v, "dns_service_ip")),
                ip_families: list(&fams, "ip_families"),
                outbound_type: ot.and_then(|v| loc(v, "outbound_type")),
                load_balancer_sku: sku.and_then(|v| loc(v, "load_balancer_sku")),
                kubernetes_version: ver.and_then(|v| loc(v, "kubernetes_version")),
                vnet_address_space: list(&vnet, "address_space"),
                reserved_cidrs: list(&reserved, "reserved_cidrs"),
                vnet_subnets: Vec::new(),
                peered_cidrs: Vec::new(),
                unknown: Default::default(),
                node_subnet_cidr: ns.and_then(|v| loc(v, "node_subnet_cidr")),
                pod_subnet_cidr: ps.and_then(|v| loc(v, "pod_subnet_cidr")),
                node_subnet_in_use: 0,
                pod_subnet_in_use: 0,
                node_pools: pools
                    .into_iter()
                    .enumerate()
                    .map(|(i, p)| NodePool {
                        path: FieldPath::attr("node_pool").index(i),
                        ..p
                    })
                    .collect(),
                lifecycle: Default::default(),
            }
        },
    )
}

// ---------------------------------------------------------------------------------------
// Values known only after apply (issue 15 item 9).
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_dns_service_ip_with_a_known_service_cidr_is_not_r6() {
    let svc = overlay().services(&["10.0.0.0/16"]);
    svc.err("R6", "service_cidr[0]", "without dns_service_ip");
    svc.clone().unknown("dns_service_ip").clean("R6");
    overlay().dns("10.0.0.10").unknown("service_cidr").clean("R6");
    overlay().dns("10.0.0.10").unknown("service_cidrs").clean("R6");
}

#[test]
fn unknown_plugin_mode_with_a_pod_cidr_is_not_e10() {
    let pods = flat().pods(&["10.244.0.0/16"]);
    pods.err("E10", "pod_cidr[0]", "Azure CNI without overlay");
    pods.clone().unknown("network_plugin_mode").clean("E10");
    // Nor the other rules that read the mode: E12 (pod subnet), E14 (dual stack).
    flat()
        .pod_subnet_pools()
        .unknown("network_plugin_mode")
        .clean("E12");
    flat()
        .unknown("network_plugin_mode")
        .dual()
        .pods(&["10.244.0.0/16", "fd00::/64"])
        .clean("E14");
}

#[test]
fn unknown_plugin_policy_or_dataplane_assume_no_default() {
    // network_policy = "cilium" with the dataplane from another resource.
    overlay()
        .policy("cilium")
        .unknown("network_data_plane")
        .clean("E4");
    kubenet().win("win", 1).unknown("network_policy").clean("E9");
    // Unset plugin with an unknown version: the default plugin is not known either.
    overlay()
        .no_plugin()
        .no_mode()
        .unknown("kubernetes_version")
        .pods(&["10.244.0.0/16"])
        .vnet(&["10.244.0.0/16"])
        .clean("R3");
}

#[test]
fn unknown_pool_sizes_skip_capacity() {
    let tight = flat().node_subnet("10.10.0.0/26").sys(|p| p.max_pods = Some(30));
    tight.err("C5", "node_subnet_cidr", "Azure CNI needs");
    tight
        .clone()
        .sys(|p| {
            p.max_pods = None;
            p.unknown.insert("max_pods");
        })
        .clean("C5");
}

/// The attributes [`make_unknown`] knows, top level and per pool.
const TOP_ATTRS: &[&str] = &[
    "network_plugin",
    "network_plugin_mode",
    "network_policy",
    "network_data_plane",
    "pod_cidrs",
    "service_cidrs",
    "dns_service_ip",
    "ip_families",
    "outbound_type",
    "load_balancer_sku",
    "kubernetes_version",
];
const POOL_ATTRS: &[&str] = &[
    "node_count",
    "min_count",
    "max_count",
    "max_pods",
    "max_surge",
    "os_type",
    "pod_subnet_id",
    "pod_ip_allocation_mode",
];

/// `p` with `attr` (of pool `pool`, when given) cleared; marked known only after apply when
/// `unknown`, as the resources build it (an unknown pod subnet ID counts as a pod subnet).
fn clear(p: &NetworkProfile, attr: &'static str, pool: Option<usize>, unknown: bool) -> NetworkProfile {
    let mut q = p.clone();
    if let Some(i) = pool {
        let n = &mut q.node_pools[i];
        match attr {
            "node_count" => n.node_count = None,
            "min_count" => n.min_count = None,
            "max_count" => n.max_count = None,
            "max_pods" => n.max_pods = None,
            "max_surge" => n.max_surge = None,
            "os_type" => n.os_type = None,
            "pod_subnet_id" => n.uses_pod_subnet = unknown,
            _ => n.pod_ip_allocation_mode = None,
        }
        if unknown {
            n.unknown.insert(attr);
        }
        return q;
    }
    let mut names = vec![attr];
    match attr {
        "network_plugin" => q.network_plugin = None,
        "network_plugin_mode" => q.network_plugin_mode = None,
        "network_policy" => q.network_policy = None,
        "network_data_plane" => q.network_data_plane = None,
        "pod_cidrs" => {
            q.pod_cidrs.clear();
            names.push("pod_cidr");
        }
        "service_cidrs" => {
            q.service_cidrs.clear();
            names.push("service_cidr");
        }
        "dns_service_ip" => q.dns_service_ip = None,
        "ip_families" => q.ip_families.clear(),
        "outbound_type" => q.outbound_type = None,
        "load_balancer_sku" => q.load_balancer_sku = None,
        _ => q.kubernetes_version = None,
    }
    if unknown {
        q.unknown.extend(names);
    }
    q
}

fn errors(p: &NetworkProfile) -> std::collections::BTreeSet<(RuleId, String)> {
    validate_profile(p)
        .into_iter()
        .filter(Finding::is_error)
        .map(|f| (f.rule, f.path.to_string()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// An error reported while an input is unknown must hold whatever value it takes: so
    /// it is also reported with the value the profile has, and with the input unset.
    #[test]
    fn unknown_inputs_only_keep_errors_every_value_would_have(p in arb_profile()) {
        let base = errors(&p);
        let mut cases: Vec<(&'static str, Option<usize>)> =
            TOP_ATTRS.iter().map(|a| (*a, None)).collect();
        for i in 0..p.node_pools.len() {
            cases.extend(POOL_ATTRS.iter().map(|a| (*a, Some(i))));
        }
        for (attr, pool) in cases {
            let pending = errors(&clear(&p, attr, pool, true));
            let unset = errors(&clear(&p, attr, pool, false));
            let extra: Vec<_> = pending.iter().filter(|e| !base.contains(e) || !unset.contains(e)).collect();
            prop_assert!(extra.is_empty(), "{} (pool {:?}) unknown adds {:?}", attr, pool, extra);
        }
    }

    #[test]
    fn never_panics_and_is_deterministic(p in arb_profile()) {
        let a = validate_profile(&p);
        let b = validate_profile(&p.clone());
        prop_assert_eq!(&a, &b);
        let first_warning = a.iter().position(|f| !f.is_error()).unwrap_or(a.len());
        prop_assert!(a[first_warning..].iter().all(|f| !f.is_error()), "errors after warnings");
        for f in &a {
            prop_assert!(!f.summary.is_empty() && !f.detail.is_empty(), "{:?}", f);
            prop_assert!(f.summary.chars().next().is_some_and(char::is_uppercase), "{:?}", f);
        }
    }
}

/// A pool read from Azure that this configuration does not declare, `count` nodes.
fn foreign(name: &str, count: u32, placement: crate::netplan::Placement) -> NodePool {
    NodePool {
        path: FieldPath::foreign(name.to_string()),
        name: Some(name.to_string()),
        node_count: Some(count),
        placement,
        ..Default::default()
    }
}

impl B {
    fn foreign(mut self, name: &str, count: u32, placement: crate::netplan::Placement) -> Self {
        self.0.node_pools.push(foreign(name, count, placement));
        self
    }
}

/// Issue 16: the cluster-wide budgets (kubenet routes C2, the pod CIDR's /24 per node C1)
/// count pools not declared here wherever they run, and the detail says how many of the nodes
/// are theirs; the subnet budgets (C4, C5, C6) leave out a pool on another subnet.
#[test]
fn foreign_pools_on_other_subnets_count_cluster_wide_only() {
    use crate::netplan::Placement;
    let elsewhere = Placement {
        other_node_subnet: true,
        other_pod_subnet: true,
    };
    // C2: 300 + 1 declared and 99 + 1 foreign = 401 routes.
    let b = kubenet().sys(|p| p.node_count = Some(300));
    b.clone().clean("C2");
    b.clone().foreign("other", 98, elsewhere).clean("C2");
    let f =
        b.clone()
            .foreign("other", 99, elsewhere)
            .err("C2", "node_pool[0].node_count", "peak at 401 nodes");
    assert!(
        f.detail
            .contains("100 of these nodes come from 1 pool not declared here"),
        "{}",
        f.detail
    );
    assert!(
        f.detail
            .contains("node pool \"other\" (not declared here): 99 + 1 surge"),
        "{}",
        f.detail
    );
    // C1: a /22 kubenet pod CIDR holds 4 nodes; 2 + 1 declared fit, a foreign 1 + 1 does not.
    let b = kubenet().sys(|p| p.node_count = Some(2)).pods(&["10.244.0.0/22"]);
    b.clone().clean("C1");
    let f = b
        .clone()
        .foreign("other", 1, elsewhere)
        .err("C1", "pod_cidr[0]", "peak at 5 nodes");
    assert!(
        f.detail
            .contains("2 of these nodes come from 1 pool not declared here"),
        "{}",
        f.detail
    );
    // Overlay too: each node takes a /24 of the cluster's pod CIDR.
    overlay()
        .sys(|p| p.node_count = Some(2))
        .pods(&["10.244.0.0/22"])
        .foreign("a", 1, elsewhere)
        .foreign("b", 1, Placement::default())
        .err(
            "C1",
            "pod_cidr[0]",
            "4 of these nodes come from 2 pools not declared here",
        );
    // C4: a foreign pool on another node subnet takes no address from ours (21 nodes > 11).
    let b = overlay()
        .sys(|p| p.node_count = Some(9))
        .node_subnet("10.10.0.0/28");
    b.clone().foreign("other", 20, elsewhere).clean("C4");
    b.clone().foreign("other", 20, Placement::default()).err(
        "C4",
        "node_subnet_cidr",
        "31 node addresses for 31 nodes",
    );
    // C6: a foreign pool on another node subnet but our pod subnet counts there.
    let b = flat()
        .pod_subnet_pools()
        .sys(|p| {
            p.node_count = Some(5);
            p.max_pods = Some(30);
        })
        .pod_subnet("10.10.8.0/24");
    b.clone().clean("C6");
    let on_our_pods = Placement {
        other_node_subnet: true,
        other_pod_subnet: false,
    };
    let with = |placement| {
        b.clone().foreign("other", 5, placement).at(1, |p| {
            p.uses_pod_subnet = true;
            p.max_pods = Some(30);
        })
    };
    with(elsewhere).clean("C6");
    with(on_our_pods).warn(
        "C6",
        "pod_subnet_cidr",
        "12 nodes, but not max_pods on every node: 384",
    );
}
