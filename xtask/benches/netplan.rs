//! Criterion micro-benchmarks of netplan (`make bench` publishes them in
//! docs/performance.md; `make test` runs each once in test mode).

use std::hint::black_box;

use aksnet::netplan::cidr;
use aksnet::netplan::planner::plan;
use aksnet::netplan::rules::validate_profile;
use criterion::{criterion_group, criterion_main, Criterion};

#[path = "../src/fixtures.rs"]
mod fixtures;

fn netplan(c: &mut Criterion) {
    let req = fixtures::big_plan();
    c.bench_function("plan_5000_nodes_20_pools", |b| {
        b.iter(|| plan(black_box(&req)).map(|p| p.max_nodes).ok())
    });
    let prof = fixtures::full_profile();
    c.bench_function("validate_full_profile", |b| {
        b.iter(|| validate_profile(black_box(&prof)).len())
    });
    let (space, used) = fixtures::crowded_vnet();
    c.bench_function("allocate_24_among_1000_subnets", |b| {
        b.iter(|| cidr::first_free(black_box(&space), black_box(&used), 24))
    });
    // The floor for allocation: one pass over the used ranges, which any allocator needs.
    c.bench_function("scan_1000_subnets_floor", |b| {
        b.iter(|| {
            black_box(&used)
                .iter()
                .filter(|u| cidr::overlaps(u, &space[0]))
                .count()
        })
    });
}

criterion_group!(benches, netplan);
criterion_main!(benches);
