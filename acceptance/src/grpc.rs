//! A plugin-protocol 6 client for protocol-level tests: starts the provider binary the way
//! Terraform does (magic cookie, handshake line on stdout) and talks gRPC to it.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tonic::transport::Channel;

use crate::tfplugin6::provider_client::ProviderClient;
use crate::tfplugin6::DynamicValue;

/// go-plugin's handshake cookie.
pub const MAGIC_COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

/// JSON stand-in for an unknown value in decoded msgpack (aksnet-tfplugin sends ext type 0).
pub const UNKNOWN: &str = "<unknown>";

/// A running provider process and a client connected to it; the process dies with it.
pub struct ProviderProcess {
    child: Child,
    pub client: ProviderClient<Channel>,
}

impl ProviderProcess {
    /// Starts `binary` and connects (plain TCP: no `PLUGIN_CLIENT_CERT`).
    pub async fn start(binary: &Path) -> Result<Self, String> {
        Self::start_with_env(binary, &[]).await
    }

    /// Like [`ProviderProcess::start`], with extra environment variables.
    pub async fn start_with_env(binary: &Path, env: &[(&str, &str)]) -> Result<Self, String> {
        let mut child = Command::new(binary)
            .envs(env.iter().copied())
            .env(MAGIC_COOKIE.0, MAGIC_COOKIE.1)
            .env("PLUGIN_PROTOCOL_VERSIONS", "6")
            .env_remove("PLUGIN_CLIENT_CERT")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .map_err(|_| "no handshake line within 30 s".to_string())?
            .map_err(|e| format!("reading the handshake: {e}"))?
            .ok_or("the provider exited before its handshake")?;
        let addr = parse_handshake(&line)?;
        let client = ProviderClient::connect(format!("http://{addr}"))
            .await
            .map_err(|e| format!("connecting to {addr}: {e}"))?;
        // Keep draining stdout so the provider never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self { child, client })
    }

    /// Kills the process.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// Extracts `127.0.0.1:PORT` from `1|6|tcp|127.0.0.1:PORT|grpc|`.
pub fn parse_handshake(line: &str) -> Result<String, String> {
    let parts: Vec<&str> = line.trim().split('|').collect();
    match parts.as_slice() {
        ["1", "6", "tcp", addr, "grpc", ..] => Ok(addr.to_string()),
        _ => Err(format!("unexpected handshake line {line:?}")),
    }
}

/// Encodes JSON as a msgpack DynamicValue (objects as maps, the way Terraform sends them).
pub fn dynamic(value: &serde_json::Value) -> DynamicValue {
    let mut buf = Vec::new();
    rmpv::encode::write_value(&mut buf, &to_msgpack(value)).expect("writing to a Vec cannot fail");
    DynamicValue {
        msgpack: buf,
        json: Vec::new(),
    }
}

/// An unknown value, as Terraform encodes it (msgpack ext type 0).
pub fn unknown() -> rmpv::Value {
    rmpv::Value::Ext(0, vec![0])
}

fn to_msgpack(v: &serde_json::Value) -> rmpv::Value {
    match v {
        serde_json::Value::Null => rmpv::Value::Nil,
        serde_json::Value::Bool(b) => rmpv::Value::Boolean(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => rmpv::Value::from(i),
            None => rmpv::Value::F64(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) if s == UNKNOWN => unknown(),
        serde_json::Value::String(s) => rmpv::Value::from(s.as_str()),
        serde_json::Value::Array(a) => rmpv::Value::Array(a.iter().map(to_msgpack).collect()),
        serde_json::Value::Object(m) => rmpv::Value::Map(
            m.iter()
                .map(|(k, v)| (rmpv::Value::from(k.as_str()), to_msgpack(v)))
                .collect(),
        ),
    }
}

/// Decodes a DynamicValue to JSON; unknown values become the string [`UNKNOWN`].
pub fn decode(v: &DynamicValue) -> Result<serde_json::Value, String> {
    if !v.json.is_empty() {
        return serde_json::from_slice(&v.json).map_err(|e| e.to_string());
    }
    let mp =
        rmpv::decode::read_value(&mut v.msgpack.as_slice()).map_err(|e| format!("decoding msgpack: {e}"))?;
    Ok(from_msgpack(mp))
}

fn from_msgpack(v: rmpv::Value) -> serde_json::Value {
    match v {
        rmpv::Value::Nil => serde_json::Value::Null,
        rmpv::Value::Boolean(b) => b.into(),
        rmpv::Value::Integer(i) => i
            .as_i64()
            .map(Into::into)
            .unwrap_or_else(|| i.as_u64().unwrap_or(0).into()),
        rmpv::Value::F32(f) => f64::from(f).into(),
        rmpv::Value::F64(f) => f.into(),
        rmpv::Value::String(s) => s.into_str().unwrap_or_default().into(),
        rmpv::Value::Binary(b) => String::from_utf8_lossy(&b).into_owned().into(),
        rmpv::Value::Array(a) => serde_json::Value::Array(a.into_iter().map(from_msgpack).collect()),
        rmpv::Value::Map(m) => serde_json::Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    (
                        k.as_str().map(str::to_string).unwrap_or_else(|| k.to_string()),
                        from_msgpack(v),
                    )
                })
                .collect(),
        ),
        rmpv::Value::Ext(..) => UNKNOWN.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_lines() {
        assert_eq!(
            parse_handshake("1|6|tcp|127.0.0.1:1025|grpc|\n").unwrap(),
            "127.0.0.1:1025"
        );
        assert!(parse_handshake("1|5|unix|/tmp/x|grpc|").is_err());
    }

    #[test]
    fn msgpack_round_trip_keeps_unknowns() {
        let v = serde_json::json!({"a": [1, "x", null, true], "b": UNKNOWN});
        assert_eq!(decode(&dynamic(&v)).unwrap(), v);
    }
}
