//! `aksnet-emulator [--listen 127.0.0.1:0] [--data-dir DIR] [--seed FILE]... [--record DIR]
//! [--latency-ms N] [--lro-ms N] [--writes-per-second N]`

use std::path::PathBuf;
use std::process::ExitCode;

use aksnet_emulator::{start, Options};

const USAGE: &str = "usage: aksnet-emulator [--listen 127.0.0.1:0] [--data-dir DIR] [--seed FILE]... [--record DIR] [--latency-ms N] [--lro-ms N] [--writes-per-second N]";

fn parse(args: Vec<String>) -> Result<Options, String> {
    let mut o = Options::default();
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--listen" => o.listen = value()?.parse().map_err(|e| format!("--listen: {e}"))?,
            "--data-dir" => o.data_dir = PathBuf::from(value()?),
            "--seed" => o.seeds.push(PathBuf::from(value()?)),
            "--record" => o.record = Some(PathBuf::from(value()?)),
            "--latency-ms" => o.latency_ms = value()?.parse().map_err(|e| format!("--latency-ms: {e}"))?,
            "--lro-ms" => o.lro_ms = value()?.parse().map_err(|e| format!("--lro-ms: {e}"))?,
            "--writes-per-second" => {
                o.writes_per_second = Some(
                    value()?
                        .parse()
                        .map_err(|e| format!("--writes-per-second: {e}"))?,
                )
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown flag {other}\n{USAGE}")),
        }
    }
    Ok(o)
}

#[tokio::main]
async fn main() -> ExitCode {
    let opts = match parse(std::env::args().skip(1).collect()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
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
