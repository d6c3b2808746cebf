//! The `main` of a `harness = false` test binary that is also a provider: Terraform launches
//! the binary as a plugin (`TF_PLUGIN_MAGIC_COOKIE` set) through `dev_overrides`, and cargo
//! runs it as a test binary, with libtest's arguments (tests/acc_moved.rs' stand-in azurerm,
//! tests/acc_nested_attributes.rs' nested-attribute provider).

use std::process::ExitCode;

/// A named scenario; a panic fails it.
pub type Case = (&'static str, fn());

/// libtest's options that take a value (so the value is not read as a filter).
const VALUED: [&str; 5] = ["--skip", "--format", "--test-threads", "--color", "--logfile"];

/// Serves the provider with `serve` when Terraform started the binary, and otherwise runs the
/// `cases` that libtest's filters, `--skip` and `--list` select, printing libtest's lines.
pub fn main(serve: fn() -> ExitCode, cases: &[Case]) -> ExitCode {
    if std::env::var_os("TF_PLUGIN_MAGIC_COOKIE").is_some() {
        return serve();
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut filters, mut skips) = (Vec::new(), Vec::new());
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--skip" {
            skips.extend(it.next().cloned());
        } else if VALUED.contains(&a.as_str()) {
            it.next();
        } else if !a.starts_with('-') {
            filters.push(a.clone());
        }
    }
    let chosen: Vec<_> = cases
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str())))
        .filter(|(name, _)| !skips.iter().any(|s| name.contains(s.as_str())))
        .collect();
    if args.iter().any(|a| a == "--list") {
        for (name, _) in &chosen {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    println!("\nrunning {} tests", chosen.len());
    let mut failed = Vec::new();
    for (name, f) in &chosen {
        let ok = std::panic::catch_unwind(*f).is_ok();
        println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
        if !ok {
            failed.push(*name);
        }
    }
    println!(
        "\ntest result: {}. {} passed; {} failed",
        if failed.is_empty() { "ok" } else { "FAILED" },
        chosen.len() - failed.len(),
        failed.len()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
