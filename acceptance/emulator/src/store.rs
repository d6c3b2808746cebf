//! Emulator state: resources (children live inside their parent's body, as ARM returns
//! them), issued tokens, long-running operations and injected faults. Resources and tokens
//! persist in `DIR/state.json`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A top-level resource with its current body (which carries `id`, `name`, `type`, `etag`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stored {
    pub id: String,
    pub body: Value,
}

/// What a long-running operation does when it ends.
#[derive(Debug, Clone)]
pub enum OpKind {
    /// Finishes a PUT: the resource's provisioningState becomes `Succeeded` (or `Failed`).
    Put,
    /// Finishes a DELETE: the resource disappears.
    Delete,
}

/// A long-running operation.
#[derive(Debug, Clone)]
pub struct Op {
    /// Store key of the resource it works on (for a child: the child's id, lower-case).
    pub resource: String,
    /// Store key of the top-level resource that is busy while it runs.
    pub lock: String,
    pub namespace: String,
    pub kind: OpKind,
    pub started_at: String,
    pub done_at: Instant,
    /// `Some(error)` when the operation ends `Failed`.
    pub failure: Option<Value>,
    pub settled: bool,
}

/// A fault to inject into the next matching requests (see the admin API).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Fault {
    /// HTTP method to match (any when empty).
    pub method: String,
    /// Substring of the path to match (any when empty).
    pub path: String,
    /// How many matching requests it affects.
    pub count: u32,
    /// Status to answer with (for error faults).
    pub status: u16,
    pub code: String,
    pub message: String,
    /// Retry-After seconds to send with the error.
    pub retry_after: Option<u64>,
    /// Close the connection without answering.
    pub drop: bool,
    /// `fail`: the next matching LRO ends Failed with `code`/`message`; `hold`: it stays
    /// InProgress for `hold_ms` more.
    pub lro: Option<String>,
    pub hold_ms: u64,
    /// Raw text to answer with instead of an ARM error (with `status`, 200 by default, and
    /// `Content-Type: application/json`): truncated JSON, wrong types, missing fields.
    pub body: Option<String>,
}

/// Counters for benchmarks and tests.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counters {
    pub reads: u64,
    pub writes: u64,
    pub polls: u64,
    /// Writes refused by the per-second write limit (429), included in `writes`.
    pub throttled: u64,
}

#[derive(Default, Serialize, Deserialize)]
struct Persisted {
    resources: BTreeMap<String, Stored>,
    tokens: BTreeSet<String>,
}

/// All emulator state behind one lock.
#[derive(Default)]
pub struct Store {
    pub resources: BTreeMap<String, Stored>,
    pub tokens: BTreeSet<String>,
    pub ops: HashMap<String, Op>,
    pub faults: Vec<Fault>,
    pub counters: Counters,
    /// Client certificates (DER) registered per client id, as on an app registration; kept in
    /// memory only.
    pub certificates: HashMap<String, Vec<Vec<u8>>>,
    /// Times of recent writes, for the write rate limit.
    pub recent_writes: std::collections::VecDeque<Instant>,
    file: Option<PathBuf>,
}

impl Store {
    /// Loads `dir/state.json` when present.
    pub fn open(dir: &Path) -> Result<Store, String> {
        let file = dir.join("state.json");
        let persisted: Persisted = match std::fs::read(&file) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|e| format!("reading {}: {e}", file.display()))?
            }
            Err(_) => Persisted::default(),
        };
        Ok(Store {
            resources: persisted.resources,
            tokens: persisted.tokens,
            file: Some(file),
            ..Default::default()
        })
    }

    /// Writes resources and tokens (atomically, through a temporary file, mode 0600).
    pub fn save(&self) {
        let Some(file) = &self.file else { return };
        let snapshot = Persisted {
            resources: self.resources.clone(),
            tokens: self.tokens.clone(),
        };
        if let Ok(bytes) = serde_json::to_vec_pretty(&snapshot) {
            let tmp = file.with_extension("json.tmp");
            // Issued tokens are secrets: owner-only, like the CA key.
            if crate::tls::write_private(&tmp, &bytes).is_ok() {
                let _ = std::fs::rename(&tmp, file);
            }
        }
    }

    /// Takes the first fault matching `method` and `path`, counting it down.
    pub fn take_fault(&mut self, method: &str, path: &str, lro: bool) -> Option<Fault> {
        let idx = self.faults.iter().position(|f| {
            f.count > 0
                && f.lro.is_some() == lro
                && (f.method.is_empty() || f.method.eq_ignore_ascii_case(method))
                && (f.path.is_empty() || path.to_ascii_lowercase().contains(&f.path.to_ascii_lowercase()))
        })?;
        let f = &mut self.faults[idx];
        f.count -= 1;
        let out = f.clone();
        if f.count == 0 {
            self.faults.remove(idx);
        }
        Some(out)
    }

    /// The running operation that locks `lock`, if any.
    pub fn busy(&self, lock: &str) -> Option<(&String, &Op)> {
        self.ops.iter().find(|(_, o)| !o.settled && o.lock == lock)
    }

    /// Finishes every operation whose time has come.
    pub fn settle(&mut self, now: Instant) {
        let due: Vec<String> = self
            .ops
            .iter()
            .filter(|(_, o)| !o.settled && o.done_at <= now)
            .map(|(k, _)| k.clone())
            .collect();
        if due.is_empty() {
            return;
        }
        for id in due {
            let Some(op) = self.ops.get_mut(&id) else {
                continue;
            };
            op.settled = true;
            let op = op.clone();
            match op.kind {
                OpKind::Put => {
                    let state = if op.failure.is_some() {
                        "Failed"
                    } else {
                        "Succeeded"
                    };
                    if let Some(body) = self.body_mut(&op.resource) {
                        if let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut) {
                            props.insert("provisioningState".into(), Value::from(state));
                        }
                    }
                }
                // A failed delete leaves the resource, as ARM does (provisioningState Failed).
                OpKind::Delete if op.failure.is_some() => {
                    if let Some(props) = self
                        .body_mut(&op.resource)
                        .and_then(|b| b.get_mut("properties"))
                        .and_then(Value::as_object_mut)
                    {
                        props.insert("provisioningState".into(), Value::from("Failed"));
                    }
                }
                OpKind::Delete => {
                    self.resources.remove(&op.resource);
                    let prefix = format!("{}/", op.resource);
                    self.resources.retain(|k, _| !k.starts_with(&prefix));
                }
            }
        }
        self.save();
    }

    /// The body of a resource or of a child inside its parent, by lower-case id.
    pub fn body_mut(&mut self, key: &str) -> Option<&mut Value> {
        if self.resources.contains_key(key) {
            return self.resources.get_mut(key).map(|s| &mut s.body);
        }
        // A child: `…/{parentType}/{parent}/{childType}/{child}`.
        let (parent, child) = split_child(key)?;
        let array = child_array_name(&parent.1)?;
        let body = self.resources.get_mut(&parent.0).map(|s| &mut s.body)?;
        body.pointer_mut(&format!("/properties/{array}"))?
            .as_array_mut()?
            .iter_mut()
            .find(|c| {
                c.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(&child))
            })
    }
}

/// Splits a child key into ((parent key, child type), child name).
pub fn split_child(key: &str) -> Option<((String, String), String)> {
    let parts: Vec<&str> = key.rsplitn(3, '/').collect();
    if parts.len() != 3 {
        return None;
    }
    Some(((parts[2].to_string(), parts[1].to_string()), parts[0].to_string()))
}

/// Where a parent keeps its children: `routes` in route tables, `subnets` in VNets.
pub fn child_array_name(child_type: &str) -> Option<&'static str> {
    match child_type.to_ascii_lowercase().as_str() {
        "routes" => Some("routes"),
        "subnets" => Some("subnets"),
        "agentpools" => Some("agentPoolProfiles"),
        _ => None,
    }
}

/// A deadline `ms` milliseconds from `now`.
pub fn after(now: Instant, ms: u64) -> Instant {
    now + Duration::from_millis(ms)
}
