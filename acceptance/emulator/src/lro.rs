//! Long-running operations: starting one (honouring LRO faults), the status and result URLs
//! and their answers, the 409 while one runs, and what happens when one ends (a cluster PUT
//! takes its subnet addresses then, see [`aks::settle_ips`]).

use std::time::Instant;

use serde_json::{json, Value};

use crate::aks;
use crate::ids::{api_version_for, key, Target};
use crate::options::Options;
use crate::store::{after, Op, OpKind, Store};
use crate::wire::{flat, guid, is_aks, now_rfc3339, wrapped, Reply};

/// The lock key: the top-level resource a request works on.
pub(crate) fn lock_key(target: &Target) -> String {
    let mut t = target.clone();
    while let Some(Target::Resource { .. }) = t.parent() {
        if let Some(p) = t.parent() {
            t = p;
        }
    }
    key(&t.id())
}

/// The 409 a write gets while operation `op_id` runs on its resource, in its RP's words.
pub(crate) fn busy_reply(target: &Target, base: &str, op_id: &str, ns: &str) -> Reply {
    if is_aks(target) {
        flat(409, "OperationNotAllowed", &format!("Operation is not allowed: Another operation ({op_id}) is in progress, please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details"), "")
    } else {
        let sub = match target {
            Target::Resource { sub, .. } | Target::ResourceGroup { sub, .. } => sub.as_str(),
            _ => "",
        };
        wrapped(409, "AnotherOperationInProgress", &format!("Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: {base}/subscriptions/{sub}/providers/{ns}/locations/westeurope/operations/{op_id}?api-version={}", api_version_for(ns).unwrap_or("")))
    }
}

/// The status (`result == false`) or result URL of operation `id`.
pub(crate) fn op_url(base: &str, target: &Target, ns: &str, id: &str, result: bool) -> String {
    let sub = match target {
        Target::Resource { sub, .. } | Target::ResourceGroup { sub, .. } => sub.as_str(),
        _ => "",
    };
    let kind = if result { "operationResults" } else { "operations" };
    format!(
        "{base}/subscriptions/{sub}/providers/{ns}/locations/westeurope/{kind}/{id}?api-version={}",
        api_version_for(ns).unwrap_or("")
    )
}

/// Starts an LRO on `target`, honouring LRO faults.
pub(crate) fn start_op(
    store: &mut Store,
    opts: &Options,
    target: &Target,
    kind: OpKind,
    now: Instant,
) -> String {
    let id = guid();
    let ns = target.namespace().to_string();
    let mut failure = None;
    let mut extra_ms = 0;
    if let Some(f) = store.take_fault(
        if matches!(kind, OpKind::Delete) {
            "DELETE"
        } else {
            "PUT"
        },
        &target.id(),
        true,
    ) {
        match f.lro.as_deref() {
            Some("fail") => {
                failure = Some(json!({
                    "code": if f.code.is_empty() { "InternalOperationError" } else { &f.code },
                    "message": if f.message.is_empty() { "The operation failed (injected by aksnet-emulator)." } else { &f.message }
                }))
            }
            Some("hold") => extra_ms = f.hold_ms,
            _ => {}
        }
    }
    store.ops.insert(
        id.clone(),
        Op {
            resource: key(&target.id()),
            lock: lock_key(target),
            namespace: ns,
            kind,
            started_at: now_rfc3339(),
            done_at: after(now, opts.lro_ms + extra_ms),
            failure,
            settled: false,
        },
    );
    id
}

/// `GET` of an operation's status or result URL.
pub(crate) fn operation(store: &mut Store, id: &str, result: bool, now: Instant) -> Reply {
    let Some(op) = store.ops.get(id).cloned() else {
        return wrapped(404, "NotFound", &format!("Operation {id} was not found."));
    };
    let running = !op.settled && op.done_at > now;
    let aks = op.namespace.eq_ignore_ascii_case("Microsoft.ContainerService");
    if result {
        return if running {
            Reply::empty(202).header("Retry-After", "1")
        } else if let Some(err) = op.failure {
            Reply::json(500, json!({"error": err}))
        } else if matches!(op.kind, OpKind::Delete) {
            Reply::empty(204)
        } else {
            Reply::empty(200)
        };
    }
    let status = if running {
        "InProgress"
    } else if op.failure.is_some() {
        "Failed"
    } else {
        "Succeeded"
    };
    let mut body = if aks {
        json!({"name": id, "status": status, "startTime": op.started_at})
    } else {
        json!({"status": status})
    };
    if !running && aks {
        body["endTime"] = Value::from(now_rfc3339());
    }
    if let Some(err) = op.failure.filter(|_| !running) {
        body["error"] = err;
    }
    let r = Reply::json(200, body);
    if running {
        r.header("Retry-After", "1")
    } else {
        r
    }
}

/// A managed cluster's PUT ends: AKS allocates its subnet addresses now (see
/// [`aks::settle_ips`]); `Some(error)` when they are gone.
fn settle_cluster(store: &mut Store, resource: &str) -> Option<Value> {
    let body = store.resources.get(resource)?.body.clone();
    let managed_cluster = body
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.ContainerService/managedClusters"));
    if !managed_cluster {
        return None;
    }
    aks::settle_ips(store, &body)
}

/// Finishes every operation whose time has come (a request's first step, and at start for
/// operations that came due while the emulator was down).
pub(crate) fn settle(store: &mut Store, now: Instant) {
    // In the order they came due: an operation that ends first takes its subnet addresses first.
    let mut due: Vec<(Instant, String)> = store
        .ops
        .iter()
        .filter(|(_, o)| !o.settled && o.done_at <= now)
        .map(|(k, o)| (o.done_at, k.clone()))
        .collect();
    due.sort();
    let due: Vec<String> = due.into_iter().map(|(_, k)| k).collect();
    if due.is_empty() {
        return;
    }
    for id in due {
        let Some(op) = store.ops.get_mut(&id) else {
            continue;
        };
        op.settled = true;
        let op = op.clone();
        match op.kind {
            OpKind::Put => {
                let mut op = op;
                if op.failure.is_none() {
                    if let Some(err) = settle_cluster(store, &op.resource) {
                        if let Some(o) = store.ops.get_mut(&id) {
                            o.failure = Some(err.clone());
                        }
                        op.failure = Some(err);
                    }
                }
                let state = if op.failure.is_some() {
                    "Failed"
                } else {
                    "Succeeded"
                };
                if let Some(body) = store.body_mut(&op.resource) {
                    if let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut) {
                        props.insert("provisioningState".into(), Value::from(state));
                    }
                }
            }
            // A failed delete leaves the resource, as ARM does (provisioningState Failed).
            OpKind::Delete if op.failure.is_some() => {
                if let Some(props) = store
                    .body_mut(&op.resource)
                    .and_then(|b| b.get_mut("properties"))
                    .and_then(Value::as_object_mut)
                {
                    props.insert("provisioningState".into(), Value::from("Failed"));
                }
            }
            OpKind::Delete => {
                store.resources.remove(&op.resource);
                let prefix = format!("{}/", op.resource);
                store.resources.retain(|k, _| !k.starts_with(&prefix));
            }
        }
    }
    store.save();
}
