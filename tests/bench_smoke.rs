//! `make bench` cannot rot: every end-to-end benchmark runs once with N=1 (no timing asserts).

use std::path::Path;

use aksnet_acceptance::bench::{markdown, run, Config};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");

#[test]
fn every_benchmark_runs_once() {
    let (sections, version) = run(&Config::smoke(Path::new(BIN))).expect("benchmarks run");
    let titles: Vec<&str> = sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(sections.len(), 4, "{titles:?}");
    let aks = sections
        .iter()
        .find(|s| s.title.starts_with("Cluster network"))
        .expect("cluster network section");
    // A create and a kubenet → overlay migration are one PUT each.
    let writes: Vec<&str> = aks
        .rows
        .iter()
        .filter(|r| r.what.ends_with("writes / reads / polls"))
        .map(|r| r.value.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(writes, ["1", "1"], "{:?}", aks.rows);
    let rt = sections
        .iter()
        .find(|s| s.title.starts_with("Route table"))
        .expect("route table section");
    // The floor of writes for a table with 3 associations: 1 table PUT + 3 subnet PUTs.
    let writes = rt
        .rows
        .iter()
        .find(|r| r.what == "ARM writes")
        .expect("writes row");
    assert_eq!(writes.value, "4", "{writes:?}");
    let md = markdown(&sections, &version, 1, "");
    assert!(md.contains("| Measurement | aksnet | Floor | Ratio |"), "{md}");
}
