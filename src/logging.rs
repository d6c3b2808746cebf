//! Logs the way Terraform users read them. Terraform runs providers through go-plugin, which
//! reads the plugin's stderr line by line and parses each JSON line in hclog's format
//! (`@level`, `@message`, `@timestamp` as `2006-01-02T15:04:05.000000Z07:00`, other keys as
//! key/value pairs), then logs it at that level through the provider logger. That logger is
//! filtered by `TF_LOG_PROVIDER` (else `TF_LOG`), and the provider process inherits both, so
//! the same variables decide what is written here: nothing is produced that Terraform drops.
//!
//! Only aksnet's own events pass at the requested level; dependencies (rustls, hyper, h2,
//! tonic, azure_core, …) are held at WARN unless `AKSNET_LOG_LIBRARIES` is set, so DEBUG is
//! about ARM requests rather than TLS records.

use std::fmt;
use std::fs::File;
use std::io::Write;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value as Json};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::{Layer, Registry};

/// Variable that lets dependencies log at the requested level too.
pub const LIBRARIES_VAR: &str = "AKSNET_LOG_LIBRARIES";
/// aksnet-tfplugin's own log file variable: it installs a global subscriber of its own when this
/// is set, which would clash with ours, so [`init`] takes it over.
pub const PLUGIN_LOG_FILE_VAR: &str = "PLUGIN_LOG_FILE";

/// The level Terraform's provider logger passes, from `TF_LOG_PROVIDER` or else `TF_LOG`, as
/// Terraform reads them: unset, empty or `OFF` is off, `JSON` is TRACE, and an unknown value
/// is TRACE (Terraform's own fallback).
pub fn terraform_level(tf_log_provider: Option<&str>, tf_log: Option<&str>) -> LevelFilter {
    let raw = tf_log_provider
        .filter(|v| !v.trim().is_empty())
        .or(tf_log)
        .unwrap_or("")
        .trim()
        .to_ascii_uppercase();
    match raw.as_str() {
        "" | "OFF" => LevelFilter::OFF,
        "ERROR" => LevelFilter::ERROR,
        "WARN" => LevelFilter::WARN,
        "INFO" => LevelFilter::INFO,
        "DEBUG" => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    }
}

/// aksnet's events at `level`, everything else at no more than WARN unless `libraries`.
pub fn targets(level: LevelFilter, libraries: bool) -> Targets {
    let others = if libraries {
        level
    } else {
        level.min(LevelFilter::WARN)
    };
    // aksnet-tfplugin's gRPC trace layer logs every RPC Terraform probes that the plugin does not
    // implement (status 12) as an ERROR "response failed": expected, and alarming in a log.
    let grpc_trace = if libraries { level } else { LevelFilter::OFF };
    Targets::new()
        .with_target("tower_http", grpc_trace)
        .with_target("aksnet", level)
        .with_target("terraform_provider_aksnet", level)
        .with_default(others)
}

/// Installs the process-wide subscriber: hclog JSON lines on stderr at the level Terraform
/// asks for, and, when `PLUGIN_LOG_FILE` names a file, the same lines there at TRACE (the
/// variable is removed so aksnet-tfplugin does not install a subscriber of its own). Call once,
/// before any thread starts.
pub fn init() {
    let env = |k: &str| std::env::var(k).ok();
    let level = terraform_level(env("TF_LOG_PROVIDER").as_deref(), env("TF_LOG").as_deref());
    let libraries = env(LIBRARIES_VAR).is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    let file = env(PLUGIN_LOG_FILE_VAR).and_then(|p| File::create(p).ok());
    std::env::remove_var(PLUGIN_LOG_FILE_VAR);

    let stderr = HclogLayer::new(Sink::Stderr).with_filter(targets(level, libraries));
    let file = file.map(|f| {
        HclogLayer::new(Sink::File(Mutex::new(f))).with_filter(targets(LevelFilter::TRACE, libraries))
    });
    let subscriber = Registry::default().with(stderr).with(file);
    // Fails only if a subscriber is already installed (a test harness); keep that one.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// Where formatted lines go.
pub(crate) enum Sink {
    /// Terraform's default: it reads the plugin's stderr.
    Stderr,
    /// The file `PLUGIN_LOG_FILE` names, at TRACE.
    File(Mutex<File>),
    /// Collected in memory (tests).
    #[cfg(test)]
    Buffer(std::sync::Arc<Mutex<Vec<u8>>>),
}

/// A layer writing each event as one hclog JSON line.
pub(crate) struct HclogLayer {
    sink: Sink,
}

impl HclogLayer {
    /// A layer writing to `sink`.
    pub(crate) fn new(sink: Sink) -> Self {
        Self { sink }
    }

    fn write(&self, line: &[u8]) {
        // One write per line, under the sink's lock, so lines from concurrent requests never
        // interleave (go-plugin parses line by line).
        let _ = match &self.sink {
            Sink::Stderr => std::io::stderr().lock().write_all(line),
            Sink::File(f) => f.lock().map_or(Ok(()), |mut f| f.write_all(line)),
            #[cfg(test)]
            Sink::Buffer(b) => {
                if let Ok(mut b) = b.lock() {
                    b.extend_from_slice(line);
                }
                Ok(())
            }
        };
    }
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut fields = Fields::default();
        event.record(&mut fields);
        let line = hclog_line(
            *meta.level(),
            &fields.message,
            &module_of(meta.target()),
            SystemTime::now(),
            fields.pairs,
        );
        self.write(line.as_bytes());
    }
}

/// `aksnet::arm::client` → `aksnet.arm.client`, as hclog names sub-loggers.
fn module_of(target: &str) -> String {
    let module = target.replace("::", ".");
    module
        .strip_prefix("terraform_provider_aksnet")
        .map_or(module.clone(), |rest| format!("aksnet{rest}"))
}

/// One hclog JSON line, newline included.
pub fn hclog_line(
    level: Level,
    message: &str,
    module: &str,
    at: SystemTime,
    pairs: Map<String, Json>,
) -> String {
    let mut obj = Map::new();
    let level = match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    };
    obj.insert("@level".into(), level.into());
    obj.insert("@message".into(), message.into());
    obj.insert("@module".into(), module.into());
    obj.insert("@timestamp".into(), timestamp(at).into());
    for (k, v) in pairs {
        // go-plugin type-asserts the `@` keys; an event field must never replace them.
        if !k.starts_with('@') {
            obj.insert(k, v);
        }
    }
    let mut line = Json::Object(obj).to_string();
    line.push('\n');
    line
}

/// `2006-01-02T15:04:05.000000Z`: the exact layout go-plugin parses `@timestamp` with (six
/// fractional digits; a line it cannot parse is logged as plain text at DEBUG).
pub fn timestamp(at: SystemTime) -> String {
    let d = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, day) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_micros()
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's
/// algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// An event's message and key/value pairs.
#[derive(Default)]
struct Fields {
    message: String,
    pairs: Map<String, Json>,
}

impl Fields {
    fn put(&mut self, field: &Field, value: Json) {
        if field.name() == "message" {
            self.message = match value {
                Json::String(s) => s,
                other => other.to_string(),
            };
        } else {
            self.pairs.insert(field.name().to_string(), value);
        }
    }
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, Json::String(format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Json::String(value.to_string()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }
}

/// Keys whose values are never logged, whatever the body they appear in (case-insensitive
/// substrings: `clientSecret`, `adminPassword`, `access_token`, `client_assertion`, …).
const SECRET_KEYS: &[&str] = &[
    "secret",
    "password",
    "token",
    "assertion",
    "authorization",
    "credential",
    "privatekey",
    "private_key",
    "keydata",
];

/// A request or response body for TRACE logs: JSON with every secret-like value replaced by
/// `(redacted)`; anything that is not JSON only by its length (it could be a form-encoded
/// token request).
pub fn redacted_body(body: &[u8]) -> String {
    if body.is_empty() {
        return String::new();
    }
    match serde_json::from_slice::<Json>(body) {
        Ok(mut v) => {
            redact(&mut v);
            v.to_string()
        }
        Err(_) => format!("({} bytes, not JSON, not shown)", body.len()),
    }
}

fn redact(v: &mut Json) {
    match v {
        Json::Object(m) => {
            for (k, item) in m.iter_mut() {
                let key = k.to_ascii_lowercase();
                if SECRET_KEYS.iter().any(|s| key.contains(s)) && !item.is_null() {
                    *item = Json::String("(redacted)".into());
                } else {
                    redact(item);
                }
            }
        }
        Json::Array(items) => items.iter_mut().for_each(redact),
        Json::String(s) if looks_like_token(s) => *s = "(redacted)".into(),
        _ => {}
    }
}

/// A JWT (`eyJ….….…`) or a bearer credential, wherever it appears.
fn looks_like_token(s: &str) -> bool {
    let t = s.trim();
    t.starts_with("eyJ") && t.matches('.').count() >= 2 || t.to_ascii_lowercase().starts_with("bearer ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn levels_follow_terraform() {
        assert_eq!(terraform_level(None, None), LevelFilter::OFF);
        assert_eq!(terraform_level(None, Some("")), LevelFilter::OFF);
        assert_eq!(terraform_level(None, Some("off")), LevelFilter::OFF);
        assert_eq!(terraform_level(None, Some("debug")), LevelFilter::DEBUG);
        assert_eq!(terraform_level(None, Some("JSON")), LevelFilter::TRACE);
        assert_eq!(terraform_level(None, Some("bogus")), LevelFilter::TRACE);
        assert_eq!(terraform_level(Some("WARN"), Some("TRACE")), LevelFilter::WARN);
        assert_eq!(terraform_level(Some(""), Some("INFO")), LevelFilter::INFO);
    }

    #[test]
    fn timestamps_in_go_plugins_layout() {
        let at = UNIX_EPOCH + Duration::from_micros(1_136_214_245_000_007);
        assert_eq!(timestamp(at), "2006-01-02T15:04:05.000007Z");
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(&timestamp(leap)[..10], "2000-02-29");
    }

    #[test]
    fn lines_are_hclog_json() {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let layer =
            HclogLayer::new(Sink::Buffer(buf.clone())).with_filter(targets(LevelFilter::DEBUG, false));
        let subscriber = Registry::default().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug!(target: "aksnet::arm::client", method = "GET", status = 200u64, "ARM request");
            tracing::trace!(target: "aksnet::arm::client", "too verbose");
            tracing::debug!(target: "rustls::conn", "tls noise");
            tracing::warn!(target: "hyper::proto", "a dependency's warning");
        });
        let out = String::from_utf8(buf.lock().unwrap().clone()).unwrap();
        let lines: Vec<Json> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert_eq!(lines[0]["@level"], "debug");
        assert_eq!(lines[0]["@message"], "ARM request");
        assert_eq!(lines[0]["@module"], "aksnet.arm.client");
        assert_eq!(lines[0]["method"], "GET");
        assert_eq!(lines[0]["status"], 200);
        assert_eq!(lines[0]["@timestamp"].as_str().unwrap().len(), 27);
        assert_eq!(lines[1]["@level"], "warn");
    }

    #[test]
    fn libraries_only_when_asked() {
        let t = targets(LevelFilter::TRACE, false);
        assert!(t.would_enable("aksnet::arm", &Level::TRACE));
        assert!(!t.would_enable("rustls::client", &Level::DEBUG));
        assert!(t.would_enable("rustls::client", &Level::WARN));
        assert!(targets(LevelFilter::TRACE, true).would_enable("rustls::client", &Level::DEBUG));
        assert!(!targets(LevelFilter::OFF, true).would_enable("aksnet", &Level::ERROR));
        assert!(!t.would_enable("tower_http::trace::on_failure", &Level::ERROR));
    }

    #[test]
    fn bodies_lose_their_secrets() {
        let body = br#"{"properties":{"servicePrincipalProfile":{"clientId":"app","secret":"hunter2"},
            "windowsProfile":{"adminPassword":"p@ss"},"access_token":"abc","note":"eyJhbGc.eyJzdWI.sig",
            "routes":[{"name":"r1","addressPrefix":"10.0.0.0/8"}]}}"#;
        let out = redacted_body(body);
        for leaked in ["hunter2", "p@ss", "abc", "eyJhbGc"] {
            assert!(!out.contains(leaked), "{out}");
        }
        assert!(
            out.contains("10.0.0.0/8") && out.contains("\"clientId\":\"app\""),
            "{out}"
        );
        assert_eq!(
            redacted_body(b"grant_type=client_credentials&client_secret=x"),
            "(45 bytes, not JSON, not shown)"
        );
        assert_eq!(redacted_body(b""), "");
    }
}
