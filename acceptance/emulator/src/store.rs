//! Emulator state: resources (children live inside their parent's body, as ARM returns
//! them), long-running operations and injected faults. Resources and operations persist in
//! `DIR/state.json`, so an operation in flight survives a restart (its URL still answers, and
//! it finishes when it was due, as it would in Azure). Access tokens are never stored: they
//! are signed (see [`Store::issue_token`]) and checked against the signature.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A top-level resource with its current body (which carries `id`, `name`, `type`, `etag`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Stored {
    pub id: String,
    pub body: Value,
}

/// What a long-running operation does when it ends.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum OpKind {
    /// Finishes a PUT: the resource's provisioningState becomes `Succeeded` (or `Failed`).
    Put,
    /// Finishes a DELETE: the resource disappears.
    Delete,
}

/// A long-running operation.
#[derive(Debug, Clone)]
pub(crate) struct Op {
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
pub(crate) struct Fault {
    /// HTTP method to match (any when empty).
    pub method: String,
    /// Substring of the path to match (any when empty).
    pub path: String,
    /// How many matching requests it affects.
    pub count: u32,
    /// Status to answer with (for error faults).
    pub status: u16,
    pub code: String,
    /// AKS's `subcode` (with `source: "rp"`).
    pub subcode: String,
    pub message: String,
    /// Who answers: `""`/`"arm"` Resource Manager (wrapped `{"error": …}` body), `"rp"` the
    /// resource provider (for Microsoft.ContainerService AKS's flat body). A 429 without a code
    /// gets that layer's real throttling answer: `SubscriptionRequestsThrottled` from ARM,
    /// `Throttled` from AKS.
    pub source: String,
    /// Retry-After seconds to send with the error.
    pub retry_after: Option<u64>,
    /// Close the connection without answering.
    pub drop: bool,
    /// Read the request and never answer (the connection stays open).
    pub hang: bool,
    /// Answer this request as usual, then take resource manager down: every later ARM request
    /// has its connection dropped until `DELETE /_emulator/outage` (an endpoint that dies
    /// after accepting a write).
    pub outage: bool,
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
pub(crate) struct Counters {
    pub reads: u64,
    pub writes: u64,
    pub polls: u64,
    /// Writes refused by the per-second write limit (429), included in `writes`.
    pub throttled: u64,
    /// ID tokens Azure Pipelines' OIDC endpoint handed out.
    pub ado_oidc_tokens: u64,
    /// Every resource-manager write in order, as `METHOD path` (no query, no body): what a
    /// test asserts about the order of requests, e.g. a node pool rotation's.
    pub write_log: Vec<String>,
}

/// An operation as `state.json` keeps it: its end as wall-clock time, since an [`Instant`]
/// means nothing to the next process.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PersistedOp {
    resource: String,
    lock: String,
    namespace: String,
    kind: OpKind,
    started_at: String,
    /// Milliseconds since the Unix epoch.
    done_at_ms: u64,
    failure: Option<Value>,
    settled: bool,
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl PersistedOp {
    fn from_op(op: &Op, now: Instant, wall: SystemTime) -> Self {
        let left = op.done_at.saturating_duration_since(now);
        PersistedOp {
            resource: op.resource.clone(),
            lock: op.lock.clone(),
            namespace: op.namespace.clone(),
            kind: op.kind.clone(),
            started_at: op.started_at.clone(),
            done_at_ms: unix_ms(wall + left),
            failure: op.failure.clone(),
            settled: op.settled,
        }
    }

    fn into_op(self, now: Instant, wall: SystemTime) -> Op {
        let left = Duration::from_millis(self.done_at_ms.saturating_sub(unix_ms(wall)));
        Op {
            resource: self.resource,
            lock: self.lock,
            namespace: self.namespace,
            kind: self.kind,
            started_at: self.started_at,
            done_at: now + left,
            failure: self.failure,
            settled: self.settled,
        }
    }
}

/// `state.json`. Files written by earlier versions also carry `tokens`, which is ignored
/// (and dropped at the next save).
#[derive(Default, Serialize, Deserialize)]
struct Persisted {
    resources: BTreeMap<String, Stored>,
    #[serde(default)]
    ops: BTreeMap<String, PersistedOp>,
}

/// All emulator state behind one lock.
#[derive(Default)]
pub(crate) struct Store {
    pub resources: BTreeMap<String, Stored>,
    /// Signs access tokens (set from the CA key at start; see [`crate::tls::Tls::token_key`]).
    pub token_key: Vec<u8>,
    pub ops: HashMap<String, Op>,
    pub faults: Vec<Fault>,
    pub counters: Counters,
    /// Client certificates (DER) registered per client id, as on an app registration; kept in
    /// memory only.
    pub certificates: HashMap<String, Vec<Vec<u8>>>,
    /// Times of recent writes, for the write rate limit.
    pub recent_writes: std::collections::VecDeque<Instant>,
    /// Resource manager is down (an `outage` fault fired): ARM requests are dropped.
    pub down: bool,
    file: Option<PathBuf>,
}

impl Store {
    /// Loads `dir/state.json` when present. Operations that came due while the emulator was
    /// down are still unsettled: the caller settles them (`lro::settle`) before serving.
    pub(crate) fn open(dir: &Path) -> Result<Store, String> {
        let file = dir.join("state.json");
        let persisted: Persisted = match std::fs::read(&file) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|e| format!("reading {}: {e}", file.display()))?
            }
            Err(_) => Persisted::default(),
        };
        let (now, wall) = (Instant::now(), SystemTime::now());
        Ok(Store {
            resources: persisted.resources,
            ops: persisted
                .ops
                .into_iter()
                .map(|(id, op)| (id, op.into_op(now, wall)))
                .collect(),
            file: Some(file),
            ..Default::default()
        })
    }

    /// Writes resources and operations (atomically, through a temporary file, mode 0600).
    pub(crate) fn save(&self) {
        let Some(file) = &self.file else { return };
        let (now, wall) = (Instant::now(), SystemTime::now());
        let snapshot = Persisted {
            resources: self.resources.clone(),
            ops: self
                .ops
                .iter()
                .map(|(id, op)| (id.clone(), PersistedOp::from_op(op, now, wall)))
                .collect(),
        };
        if let Ok(bytes) = serde_json::to_vec_pretty(&snapshot) {
            let tmp = file.with_extension("json.tmp");
            // Owner-only, like the CA key: the state is the user's, not the machine's.
            if crate::tls::write_private(&tmp, &bytes).is_ok() {
                let _ = std::fs::rename(&tmp, file);
            }
        }
    }

    /// A new access token: `emu.<nonce>.<HMAC-SHA256 of the nonce>`, verifiable without
    /// being stored.
    pub(crate) fn issue_token(&self) -> String {
        let nonce = crate::wire::guid();
        format!("emu.{nonce}.{}", self.token_mac(&nonce))
    }

    /// True for a token [`Store::issue_token`] issued with this key.
    pub(crate) fn token_valid(&self, token: &str) -> bool {
        let Some((nonce, mac)) = token.strip_prefix("emu.").and_then(|rest| rest.rsplit_once('.')) else {
            return false;
        };
        // A test double: no need for a constant-time comparison.
        !self.token_key.is_empty() && self.token_mac(nonce) == mac
    }

    fn token_mac(&self, nonce: &str) -> String {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &self.token_key);
        ring::hmac::sign(&key, nonce.as_bytes())
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Takes the first fault matching `method` and `path`, counting it down.
    pub(crate) fn take_fault(&mut self, method: &str, path: &str, lro: bool) -> Option<Fault> {
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
    pub(crate) fn busy(&self, lock: &str) -> Option<(&String, &Op)> {
        self.ops.iter().find(|(_, o)| !o.settled && o.lock == lock)
    }

    /// The body of a resource or of a child inside its parent, by lower-case id.
    pub(crate) fn body(&self, key: &str) -> Option<&Value> {
        if let Some(s) = self.resources.get(key) {
            return Some(&s.body);
        }
        let (parent, child) = split_child(key)?;
        let array = child_array_name(&parent.1)?;
        let body = &self.resources.get(&parent.0)?.body;
        body.pointer(&format!("/properties/{array}"))?
            .as_array()?
            .iter()
            .find(|c| same_name(c, &child))
    }

    /// [`Store::body`], to change.
    pub(crate) fn body_mut(&mut self, key: &str) -> Option<&mut Value> {
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
            .find(|c| same_name(c, &child))
    }
}

/// True when `body` is named `name` (ARM names are case-insensitive).
pub(crate) fn same_name(body: &Value, name: &str) -> bool {
    body.get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| n.eq_ignore_ascii_case(name))
}

/// Splits a child key into ((parent key, child type), child name).
pub(crate) fn split_child(key: &str) -> Option<((String, String), String)> {
    let parts: Vec<&str> = key.rsplitn(3, '/').collect();
    if parts.len() != 3 {
        return None;
    }
    Some(((parts[2].to_string(), parts[1].to_string()), parts[0].to_string()))
}

/// Where a parent keeps its children: `routes` in route tables, `subnets` in VNets.
pub(crate) fn child_array_name(child_type: &str) -> Option<&'static str> {
    match child_type.to_ascii_lowercase().as_str() {
        "routes" => Some("routes"),
        "subnets" => Some("subnets"),
        "agentpools" => Some("agentPoolProfiles"),
        _ => None,
    }
}

/// A deadline `ms` milliseconds from `now`.
pub(crate) fn after(now: Instant, ms: u64) -> Instant {
    now + Duration::from_millis(ms)
}
