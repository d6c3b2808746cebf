//! The wire: what an answer is (status, headers, JSON body) and the pieces every resource
//! provider spells the same way — ARM's wrapped and AKS's flat error bodies, the two layers'
//! throttling answers, GUIDs, ETags in each RP's spelling, timestamps. The bottom layer with
//! [`crate::ids`]: it knows no state and no resource kind.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::ids::Target;

/// A resource's ETag, whichever way its RP spells the property.
/// (An agent pool carries it in `properties.eTag`: 2025-10-01 `AgentPool.properties` is
/// `ManagedClusterAgentPoolProfileProperties`, whose read-only `eTag` that is.)
pub(crate) fn etag_of(body: &Value) -> Option<String> {
    body.get("etag")
        .or_else(|| body.get("eTag"))
        .or_else(|| body.pointer("/properties/eTag"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// An HTTP answer.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    /// A body sent verbatim as JSON (faults that serve malformed responses); wins over `body`.
    pub raw: Option<String>,
    /// Never answer (a `hang` fault): the request was read and the connection stays open.
    pub hang: bool,
}

impl Reply {
    pub(crate) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Some(body),
            raw: None,
            hang: false,
        }
    }
    pub(crate) fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: None,
            raw: None,
            hang: false,
        }
    }
    pub(crate) fn header(mut self, k: &str, v: impl Into<String>) -> Reply {
        self.headers.push((k.to_string(), v.into()));
        self
    }
}

/// ARM's wrapped error body (`{"error":{...}}`), used by ARM and Microsoft.Network.
pub(crate) fn wrapped(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(
        status,
        json!({"error": {"code": code, "message": message, "details": []}}),
    )
}

/// AKS's flat error body.
pub(crate) fn flat(status: u16, code: &str, message: &str, target: &str) -> Reply {
    flat_sub(status, code, "", message, target)
}

/// AKS's flat error body with a `subcode` (AKS often answers a generic `code` such as
/// `BadRequest` and puts the reason there, e.g. Azure/bicep-registry-modules#3361).
pub(crate) fn flat_sub(status: u16, code: &str, subcode: &str, message: &str, target: &str) -> Reply {
    Reply::json(
        status,
        json!({"code": code, "details": null, "message": message, "subcode": subcode, "target": target}),
    )
}

/// ARM's own throttling answer: 429, `SubscriptionRequestsThrottled`, wrapped, with
/// Retry-After. Resource Manager throttles per subscription before a request reaches any
/// resource provider (request-limits-and-throttling: "Throttling happens at two levels. Azure
/// Resource Manager throttles requests for the subscription and tenant"; "When you reach the
/// limit, you receive the HTTP status code 429 Too many requests. The response includes a
/// Retry-After value"). Code and message as the AKS troubleshooting article
/// error-code-subscriptionrequeststhrottled quotes them: Code="SubscriptionRequestsThrottled"
/// Message="Number of requests for subscription '<subscription-id-guid>' and operation
/// 'GET/SUBSCRIPTIONS/RESOURCEGROUPS/PROVIDERS/MICROSOFT.NETWORK/PUBLICIPADDRESSES' exceeded
/// the backend storage limit. Please try again after '6' seconds."
pub(crate) fn arm_throttled(path: &str, method: &str, retry_after: u64) -> Reply {
    let sub = path
        .trim_matches('/')
        .split('/')
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let operation = operation_name(path, method);
    wrapped(429, "SubscriptionRequestsThrottled", &format!("Number of requests for subscription '{sub}' and operation '{operation}' exceeded the backend storage limit. Please try again after '{retry_after}' seconds."))
        .header("Retry-After", retry_after.to_string())
}

/// The AKS resource provider's own throttling answer: 429, `Throttled`, AKS's flat body, with
/// Retry-After. AKS throttles independently of ARM (troubleshoot/azure/azure-kubernetes/
/// error-codes/throttled-error: "Resource provider throttling is independent of ARM throttling";
/// Code="Throttled" Message="The PutManagedClusterHandler.PUT request limit has been exceeded
/// for SubID='<subscription-id-guid>', please retry again in X seconds. For more information,
/// please visit aka.ms/aks/throttling"; SubCode: Throttled).
pub(crate) fn aks_throttled(path: &str, method: &str, retry_after: u64) -> Reply {
    let sub = path.trim_matches('/').split('/').nth(1).unwrap_or_default();
    let pool = path.to_ascii_lowercase().contains("/agentpools/");
    let handler = match (pool, method) {
        (true, _) => "PutAgentPoolHandler",
        (false, "GET") => "GetManagedClusterHandler",
        (false, "DELETE") => "DeleteManagedClusterHandler",
        _ => "PutManagedClusterHandler",
    };
    flat_sub(429, "Throttled", "Throttled", &format!("The {handler}.{method} request limit has been exceeded for SubID='{sub}', please retry again in {retry_after} seconds. For more information, please visit aka.ms/aks/throttling"), "")
        .header("Retry-After", retry_after.to_string())
}

/// `PUT/SUBSCRIPTIONS/RESOURCEGROUPS/PROVIDERS/MICROSOFT.NETWORK/ROUTETABLES`: ARM's name for
/// an operation in throttling messages (the path's fixed segments, upper case).
fn operation_name(path: &str, method: &str) -> String {
    let seg: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut out = vec![method.to_string()];
    let mut i = 0;
    while i < seg.len() {
        let s = seg[i].to_ascii_uppercase();
        if s == "PROVIDERS" {
            out.push(s);
            if let Some(ns) = seg.get(i + 1) {
                out.push(ns.to_ascii_uppercase());
            }
            i += 2;
            // Then type/name pairs: keep the types.
            while i < seg.len() {
                out.push(seg[i].to_ascii_uppercase());
                i += 2;
            }
            break;
        }
        out.push(s);
        i += 2;
    }
    out.join("/")
}

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// A GUID-shaped unique id (not cryptographic; ids only need to be unique).
pub(crate) fn guid() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let x = (t as u64) ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        (x >> 32) as u32,
        (x >> 16) as u16,
        n & 0xfff,
        (t >> 8) as u16 & 0xfff,
        (x ^ (t as u64 >> 3)) & 0xffff_ffff_ffff
    )
}

/// A weak ETag, as Microsoft.Network sends them (`W/"<guid>"`).
pub(crate) fn etag() -> String {
    format!("W/\"{}\"", guid())
}

/// An AKS eTag: a bare GUID, for the cluster and for each agent pool (Microsoft Learn,
/// use-etags: "An ETag looks something like the following example: "agentPoolProfiles": [
/// {"eTag": "5e5ffdce-356b-431b-b050-81b45eef2a12"}]"; Azure/AKS#5262: `"etag": "some guid"`).
pub(crate) fn aks_etag() -> String {
    guid()
}

/// A new ETag in the spelling of the target's RP.
pub(crate) fn etag_for(target: &Target) -> String {
    if is_aks(target) {
        aks_etag()
    } else {
        etag()
    }
}

/// RFC 3339 UTC timestamp.
pub(crate) fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The ETag property as the target's RP spells it: `eTag` for AKS (managedClusters.json),
/// `etag` for Network and resources.
pub(crate) fn etag_field(target: &Target) -> &'static str {
    if is_aks(target) {
        "eTag"
    } else {
        "etag"
    }
}

/// True for a target in Microsoft.ContainerService.
pub(crate) fn is_aks(target: &Target) -> bool {
    target
        .namespace()
        .eq_ignore_ascii_case("Microsoft.ContainerService")
}

/// The value of header `name` (any casing) of a reply.
pub(crate) fn header_of(reply: &Reply, name: &str) -> Option<String> {
    reply
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}
