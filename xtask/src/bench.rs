//! `make bench`: end-to-end figures (aksnet_acceptance::bench) plus netplan micro-benchmarks,
//! written to docs/performance.md.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use aksnet::netplan::planner::{plan, PlanRequest};
use aksnet::netplan::profile::Located;
use aksnet::netplan::rules::validate_profile;
use aksnet::netplan::{cidr, FieldPath, NetworkProfile, NodePool};
use aksnet_acceptance::bench::{self, Row, Section, Stats};
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

fn micro_time(iterations: usize, batches: usize, mut f: impl FnMut()) -> Stats {
    let mut per_op = Vec::new();
    for _ in 0..batches {
        let t = Instant::now();
        for _ in 0..iterations {
            f();
        }
        per_op.push(t.elapsed().as_secs_f64() * 1e6 / iterations as f64);
    }
    Stats::of(per_op)
}

fn show(s: Stats) -> String {
    format!("{:.1} µs ({:.1}–{:.1})", s.median, s.min, s.max)
}

/// netplan micro-benchmarks: median per operation over `batches` timed batches.
pub fn micro(iterations: usize, batches: usize) -> Section {
    let req = big_plan();
    let prof = full_profile();
    let (space, used) = crowded_vnet();
    let planned = micro_time(iterations, batches, || {
        black_box(plan(black_box(&req)).map(|p| p.max_nodes).ok());
    });
    let validated = micro_time(iterations, batches, || {
        black_box(validate_profile(black_box(&prof)).len());
    });
    let allocated = micro_time(iterations, batches, || {
        black_box(cidr::first_free(black_box(&space), black_box(&used), 24));
    });
    // Floor for allocation: one pass over the 1,000 used ranges, which any allocator needs.
    let scan = micro_time(iterations, batches, || {
        black_box(used.iter().filter(|u| cidr::overlaps(u, &space[0])).count());
    });
    Section {
        title: "netplan micro-benchmarks".into(),
        rows: vec![
            Row { what: "plan a 5,000-node, 20-pool overlay cluster".into(), value: show(planned), floor: "–".into(), ratio: "–".into() },
            Row { what: "validate a full profile (all rules)".into(), value: show(validated), floor: "–".into(), ratio: "–".into() },
            Row {
                what: "allocate a /24 in a VNet with 1,000 subnets".into(),
                value: show(allocated),
                floor: format!("{} (one scan of the used ranges)", show(scan)),
                ratio: format!("{:.2}×", allocated.median / scan.median.max(f64::MIN_POSITIVE)),
            },
        ],
        note: "Timed in-process with `std::time::Instant` over repeated batches (release build); \
               the end-to-end figures above dwarf these, so a statistics framework was not worth its build time."
            .into(),
    }
}

/// Runs everything and writes docs/performance.md.
pub fn run(root: &Path) -> Result<(), String> {
    let provider = root.join("target/release/terraform-provider-aksnet");
    if !provider.exists() {
        return Err("build the provider first: cargo build --release -p terraform-provider-aksnet".into());
    }
    let cfg = bench::Config::full(&provider);
    let (mut sections, version) = bench::run(&cfg)?;
    sections.push(micro(200, 20));
    let md = bench::markdown(&sections, &version, cfg.repeats, "");
    std::fs::write(root.join("docs/performance.md"), md)
        .map_err(|e| format!("writing docs/performance.md: {e}"))?;
    println!("xtask bench: wrote docs/performance.md");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Smoke: every micro-benchmark runs once and its inputs are what the table claims.
    #[test]
    fn micro_benchmarks_run() {
        let s = micro(1, 1);
        assert_eq!(s.rows.len(), 3);
        let p = plan(&big_plan()).expect("5,000-node plan is valid");
        assert_eq!(p.pools.iter().map(|x| x.peak_nodes).sum::<u64>(), 5000);
        assert!(
            validate_profile(&full_profile()).iter().all(|f| !f.is_error()),
            "{:?}",
            validate_profile(&full_profile())
        );
        let (space, used) = crowded_vnet();
        assert_eq!(
            cidr::first_free(&space, &used, 24),
            Some("10.19.232.0/24".parse().unwrap())
        );
    }
}
