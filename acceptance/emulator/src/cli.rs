//! The command line: `aksnet-emulator [OPTIONS]`, parsed with clap into [`Options`].

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use crate::options::Options;

/// A local HTTPS Azure Resource Manager (Network, AKS, resource groups) for offline
/// `terraform plan` and `apply` with aksnet.
///
/// Serves loopback only, prints `aksnet-emulator listening on https://ADDR` and writes
/// `DIR/ca.pem` (the CA to trust) and `DIR/env.sh` (ARM_* variables to source) at start.
/// Stops on Ctrl-C.
#[derive(Debug, Parser)]
#[command(name = "aksnet-emulator", version, about, long_about)]
pub struct Cli {
    /// Loopback address to listen on (port 0: any free port)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,

    /// Directory for state.json, the CA (ca.pem, ca-key.pem) and env.sh
    #[arg(long, value_name = "DIR", default_value = ".aksnet-emulator")]
    pub data_dir: PathBuf,

    /// JSON array of {"id": ARM id, "body": ARM JSON} stored as provisioned (repeatable)
    #[arg(long = "seed", value_name = "FILE")]
    pub seeds: Vec<PathBuf>,

    /// Write every resource-manager exchange to DIR as liveRequest/liveResponse JSON
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,

    /// Delay added to every response, in milliseconds
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub latency_ms: u64,

    /// How long a long-running operation stays in progress, in milliseconds
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub lro_ms: u64,

    /// Writes per second before ARM-style 429 throttling with Retry-After (default: unlimited)
    #[arg(long, value_name = "N")]
    pub writes_per_second: Option<u32>,
}

impl Cli {
    /// The start-up options these flags describe.
    pub fn into_options(self) -> Options {
        Options {
            listen: self.listen,
            data_dir: self.data_dir,
            seeds: self.seeds,
            record: self.record,
            latency_ms: self.latency_ms,
            lro_ms: self.lro_ms,
            writes_per_second: self.writes_per_second,
        }
    }
}
