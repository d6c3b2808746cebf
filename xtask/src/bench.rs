//! `make bench`: end-to-end figures (aksnet_acceptance::bench) plus netplan micro-benchmarks,
//! written to docs/performance.md.

use std::path::Path;

use aksnet_acceptance::bench::{self, Row, Section, Stats};

/// Criterion's median estimate for benchmark `id`, with its confidence interval, in µs.
fn estimate(root: &Path, id: &str) -> Result<Stats, String> {
    let file = root.join("target/criterion").join(id).join("new/estimates.json");
    let text = std::fs::read_to_string(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("parsing {}: {e}", file.display()))?;
    let us = |p: &str| {
        v.pointer(p)
            .and_then(serde_json::Value::as_f64)
            .map(|ns| ns / 1000.0)
    };
    match (
        us("/median/point_estimate"),
        us("/median/confidence_interval/lower_bound"),
        us("/median/confidence_interval/upper_bound"),
    ) {
        (Some(median), Some(min), Some(max)) => Ok(Stats { median, min, max }),
        _ => Err(format!("{} has no median estimate", file.display())),
    }
}

fn show(s: Stats) -> String {
    format!("{:.1} µs ({:.1}–{:.1})", s.median, s.min, s.max)
}

/// netplan micro-benchmarks: runs the Criterion bench and reads its median estimates.
pub fn micro(root: &Path) -> Result<Section, String> {
    let status = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["bench", "--locked", "-p", "xtask", "--bench", "netplan"])
        .current_dir(root)
        .status()
        .map_err(|e| format!("running cargo bench: {e}"))?;
    if !status.success() {
        return Err(format!("cargo bench --bench netplan failed: {status}"));
    }
    let planned = estimate(root, "plan_5000_nodes_20_pools")?;
    let validated = estimate(root, "validate_full_profile")?;
    let allocated = estimate(root, "allocate_24_among_1000_subnets")?;
    let scan = estimate(root, "scan_1000_subnets_floor")?;
    Ok(Section {
        title: "netplan micro-benchmarks (Criterion)".into(),
        rows: vec![
            Row {
                what: "plan a 5,000-node, 20-pool overlay cluster".into(),
                value: show(planned),
                floor: "–".into(),
                ratio: "–".into(),
            },
            Row {
                what: "validate a full profile (all rules)".into(),
                value: show(validated),
                floor: "–".into(),
                ratio: "–".into(),
            },
            Row {
                what: "allocate a /24 in a VNet with 1,000 subnets".into(),
                value: show(allocated),
                floor: format!("{} (one scan of the used ranges)", show(scan)),
                ratio: format!("{:.2}×", allocated.median / scan.median.max(f64::MIN_POSITIVE)),
            },
        ],
        note:
            "Criterion medians with their 95% confidence interval (`cargo bench -p xtask --bench netplan`, \
               optimized build); `make test` runs each benchmark once in test mode so they cannot rot."
                .into(),
    })
}

fn config(root: &Path) -> Result<bench::Config, String> {
    let provider = root.join("target/release/terraform-provider-aksnet");
    if !provider.exists() {
        return Err("build the provider first: cargo build --release -p terraform-provider-aksnet".into());
    }
    let mut cfg = bench::Config::full(&provider);
    // The tf-provider 0.2.2 build to measure the provider start against (bench::BASELINE).
    cfg.baseline = std::env::var_os("AKSNET_BENCH_BASELINE").map(std::path::PathBuf::from);
    Ok(cfg)
}

/// Runs everything and writes docs/performance.md.
pub fn run(root: &Path) -> Result<(), String> {
    let cfg = config(root)?;
    let (mut sections, version) = bench::run(&cfg)?;
    sections.push(micro(root)?);
    let md = bench::markdown(&sections, &version, cfg.repeats, "");
    std::fs::write(root.join("docs/performance.md"), md)
        .map_err(|e| format!("writing docs/performance.md: {e}"))?;
    println!("xtask bench: wrote docs/performance.md");
    Ok(())
}

/// Re-measures the provider start alone and replaces that section of docs/performance.md.
pub fn startup(root: &Path) -> Result<(), String> {
    let cfg = config(root)?;
    let section = bench::run_startup(&cfg)?;
    let path = root.join("docs/performance.md");
    let doc = std::fs::read_to_string(&path).map_err(|e| format!("reading docs/performance.md: {e}"))?;
    std::fs::write(&path, bench::replace_section(&doc, &section))
        .map_err(|e| format!("writing docs/performance.md: {e}"))?;
    println!("xtask bench startup: updated the provider start section of docs/performance.md");
    Ok(())
}

#[cfg(test)]
mod tests {
    use aksnet::netplan::cidr;
    use aksnet::netplan::planner::plan;
    use aksnet::netplan::rules::validate_profile;

    use crate::fixtures::{big_plan, crowded_vnet, full_profile};

    /// The inputs are what the table claims (the bench itself runs once in `make test`).
    #[test]
    fn micro_benchmark_inputs_are_what_the_table_says() {
        let p = plan(&big_plan()).expect("5,000-node plan is valid");
        assert_eq!(p.pools.iter().map(|x| x.peak_nodes).sum::<u64>(), 5000);
        assert!(
            validate_profile(&full_profile()).iter().all(|f| !f.is_error()),
            "{:?}",
            validate_profile(&full_profile())
        );
        let (space, used) = crowded_vnet();
        assert_eq!(used.len(), 1000);
        assert_eq!(
            cidr::first_free(&space, &used, 24),
            Some("10.19.232.0/24".parse().unwrap())
        );
    }
}
