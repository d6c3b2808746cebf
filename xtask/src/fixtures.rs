//! Inputs of the netplan micro-benchmarks, shared by the Criterion bench
//! (`benches/netplan.rs`, which includes this file) and the xtask smoke test.

use aksnet::netplan::planner::PlanRequest;
use aksnet::netplan::profile::Located;
use aksnet::netplan::{FieldPath, NetworkProfile, NodePool};
use ipnet::IpNet;

fn loc(v: &str, attr: &'static str) -> Option<Located<String>> {
    Some(Located::new(v.to_string(), FieldPath::attr(attr)))
}

/// 20 pools of 250 nodes: a 5,000-node overlay cluster.
pub fn big_plan() -> PlanRequest {
    let pools = (0..20)
        .map(|i| NodePool {
            path: FieldPath::attr("node_pool").index(i),
            name: Some(format!("pool{i}")),
            node_count: Some(10),
            max_count: Some(249),
            ..Default::default()
        })
        .collect();
    PlanRequest {
        profile: NetworkProfile {
            network_plugin: loc("azure", "network_plugin"),
            network_plugin_mode: loc("overlay", "network_plugin_mode"),
            vnet_address_space: vec![Located::new(
                "10.0.0.0/16".into(),
                FieldPath::attr("address_space"),
            )],
            pod_cidrs: vec![Located::new("100.64.0.0/10".into(), FieldPath::attr("pod_cidr"))],
            node_pools: pools,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// A profile that sets every field the rules read.
pub fn full_profile() -> NetworkProfile {
    let mut p = big_plan().profile;
    p.network_policy = loc("cilium", "network_policy");
    p.network_data_plane = loc("cilium", "network_data_plane");
    p.service_cidrs = vec![Located::new(
        "172.20.0.0/16".into(),
        FieldPath::attr("service_cidr"),
    )];
    p.dns_service_ip = loc("172.20.0.10", "dns_service_ip");
    p.outbound_type = loc("loadBalancer", "outbound_type");
    p.kubernetes_version = loc("1.33.2", "kubernetes_version");
    p.node_subnet_cidr = loc("10.0.0.0/18", "node_subnet_cidr");
    p.reserved_cidrs = (0..50)
        .map(|i| {
            Located::new(
                format!("10.0.{}.0/24", 100 + i),
                FieldPath::attr("reserved_cidrs"),
            )
        })
        .collect();
    p
}

/// 1,000 existing /24 subnets in a /12; find the next free /24.
pub fn crowded_vnet() -> (Vec<IpNet>, Vec<IpNet>) {
    let space: Vec<IpNet> = vec!["10.16.0.0/12".parse().expect("cidr")];
    let used = (0..1000u32)
        .map(|i| IpNet::new(std::net::Ipv4Addr::from(0x0a10_0000 + (i << 8)).into(), 24).expect("prefix"))
        .collect();
    (space, used)
}
