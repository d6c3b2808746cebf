//! Start-up options (the CLI flags), read by every layer that answers with timing.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Start-up options (the CLI flags).
#[derive(Debug, Clone)]
pub struct Options {
    /// Address to listen on; port 0 picks a free one (see [`crate::Running::addr`]).
    pub listen: SocketAddr,
    /// Directory for state.json, the CA and env.sh.
    pub data_dir: PathBuf,
    /// Files of `{"id", "body"}` resources stored as provisioned before the first request.
    pub seeds: Vec<PathBuf>,
    /// Directory to write every exchange to as liveRequest/liveResponse JSON.
    pub record: Option<PathBuf>,
    /// Delay added to every response, in milliseconds.
    pub latency_ms: u64,
    /// How long a long-running operation stays in progress, in milliseconds.
    pub lro_ms: u64,
    /// Writes per second before ARM-style 429 throttling (`None`: unlimited).
    pub writes_per_second: Option<u32>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: PathBuf::from(".aksnet-emulator"),
            seeds: Vec::new(),
            record: None,
            latency_ms: 0,
            lro_ms: 200,
            writes_per_second: None,
        }
    }
}

impl Options {
    /// Retry-After for polls: whole seconds, at least one.
    pub fn retry_after_secs(&self) -> u64 {
        self.lro_ms.div_ceil(1000).max(1)
    }
}
