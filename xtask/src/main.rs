//! `cargo run -p xtask -- docs [DIR]`: renders the Terraform Registry docs (tfplugindocs
//! format) from the provider's live schema, the examples and the hand-written templates.
//! `cargo run -p xtask -- docs --check` fails when docs/ is out of date.
//! `cargo run -p xtask -- bench [startup]`: writes docs/performance.md (`startup`: only the
//! provider start section; `AKSNET_BENCH_BASELINE=<binary>` measures a baseline build too).

mod bench;
mod docs;
#[cfg(test)]
mod fixtures;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    match args.first().map(String::as_str) {
        Some("docs") => {
            let check = args.iter().any(|a| a == "--check");
            let pages = match docs::render(&root) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("xtask docs: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let result = if check {
                docs::check(&root, &pages)
            } else {
                docs::write(&root, &pages)
            };
            match result {
                Ok(n) => {
                    println!(
                        "xtask docs: {n} pages {}",
                        if check { "up to date" } else { "written" }
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("xtask docs: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some("bench") if args.get(1).map(String::as_str) == Some("startup") => match bench::startup(&root) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("xtask bench startup: {e}");
                ExitCode::FAILURE
            }
        },
        Some("bench") => match bench::run(&root) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("xtask bench: {e}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("usage: cargo run -p xtask -- docs [--check] | bench [startup]");
            ExitCode::FAILURE
        }
    }
}
