//! `aksnet-emulator [--listen 127.0.0.1:0] [--data-dir DIR] [--seed FILE]... [--record DIR]
//! [--latency-ms N] [--lro-ms N] [--writes-per-second N]`; `--help`, `--version`.

use std::process::ExitCode;

use aksnet_emulator::cli::Cli;
use aksnet_emulator::start;
use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    // Usage errors exit 2; --help and --version print to stdout and exit 0.
    let opts = Cli::parse().into_options();
    match start(opts).await {
        Ok(running) => {
            println!("aksnet-emulator listening on {}", running.url());
            let _ = tokio::signal::ctrl_c().await;
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("aksnet-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}
