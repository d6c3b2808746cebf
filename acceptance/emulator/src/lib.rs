//! aksnet-emulator: a local HTTPS Azure Resource Manager for Microsoft.Network, AKS and
//! resource groups, with the Entra token and cloud-metadata endpoints the provider's real
//! credential path needs, fault injection and traffic recording.

#![warn(missing_docs, unreachable_pub)]

// Modules point only downward (tests/layers.rs checks it): `ids`, `wire`, `tls`, `options`
// and `entra` at the bottom, then the state (`store`), the resource kinds (`network`,
// `aks_checks`, `agent_pools`, `aks`), long-running operations (`lro`), resource manager's
// request handling (`arm`), and this file, the HTTPS server, on top.
mod agent_pools;
mod aks;
mod aks_checks;
pub(crate) mod arm;
pub mod cli;
pub(crate) mod entra;
pub mod ids;
mod lro;
mod network;
pub mod options;
pub(crate) mod store;
pub mod tls;
pub(crate) mod wire;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::Mutex;
use tokio_rustls::TlsAcceptor;

use crate::store::{Fault, Store};
use crate::wire::{guid, Reply};

pub use options::Options;

/// Sample credentials written to `env.sh`; any tenant works, and any client but
/// [`SAMPLE_CLIENT`], whose secret must be [`SAMPLE_SECRET`].
pub const SAMPLE_TENANT: &str = "00000000-0000-0000-0000-0000000000aa";
/// Sample client ID written to `env.sh`.
pub const SAMPLE_CLIENT: &str = "00000000-0000-0000-0000-0000000000bb";
/// Sample client secret written to `env.sh`.
pub const SAMPLE_SECRET: &str = "emulator-secret";
/// Sample subscription ID written to `env.sh`.
pub const SAMPLE_SUBSCRIPTION: &str = "00000000-0000-0000-0000-0000000000cc";
pub use entra::{ado_oidc_request_uri, SAMPLE_ADO_ACCESS_TOKEN, SAMPLE_SERVICE_CONNECTION};

struct Shared {
    store: Mutex<Store>,
    opts: Options,
    base: String,
    seq: AtomicU64,
    instance: String,
}

/// A running emulator.
pub struct Running {
    /// The address it listens on (the port chosen when `listen` had port 0).
    pub addr: SocketAddr,
    /// The CA certificate clients must trust (`SSL_CERT_FILE`).
    pub ca_pem: String,
    /// Where state, the CA and env.sh are kept.
    pub data_dir: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }
    /// Stops serving.
    pub fn stop(self) {
        self.task.abort();
    }
}

/// Starts the emulator: loads state and seeds, writes `ca.pem` and `env.sh`, and serves.
pub async fn start(opts: Options) -> Result<Running, String> {
    if !opts.listen.ip().is_loopback() {
        return Err(format!(
            "refusing to listen on {}: the emulator serves loopback only",
            opts.listen
        ));
    }
    std::fs::create_dir_all(&opts.data_dir)
        .map_err(|e| format!("creating {}: {e}", opts.data_dir.display()))?;
    if let Some(r) = &opts.record {
        std::fs::create_dir_all(r).map_err(|e| format!("creating {}: {e}", r.display()))?;
    }
    let tls = tls::load_or_create(&opts.data_dir)?;
    let listener = TcpListener::bind(opts.listen)
        .await
        .map_err(|e| format!("listening on {}: {e}", opts.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let base = format!("https://{addr}");
    let mut store = Store::open(&opts.data_dir)?;
    // Operations that came due while the emulator was down finish now.
    lro::settle(&mut store, std::time::Instant::now());
    store.token_key = tls.token_key.clone();
    for seed in &opts.seeds {
        apply_seed(&mut store, seed)?;
    }
    store.save();
    write_files(&opts.data_dir, &tls.ca_pem, addr)?;
    let shared = Arc::new(Shared {
        store: Mutex::new(store),
        opts: opts.clone(),
        base,
        seq: AtomicU64::new(0),
        instance: guid()[..8].to_string(),
    });
    let acceptor = TlsAcceptor::from(tls.server.clone());
    let task = tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            let shared = shared.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = service_fn(move |req| serve(shared.clone(), req));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    Ok(Running {
        addr,
        ca_pem: tls.ca_pem,
        data_dir: opts.data_dir,
        task,
    })
}

fn write_files(dir: &Path, ca_pem: &str, addr: SocketAddr) -> Result<(), String> {
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, ca_pem).map_err(|e| format!("writing {}: {e}", ca.display()))?;
    let abs = std::fs::canonicalize(&ca).unwrap_or(ca);
    let env = format!(
        "# Source this file to point aksnet (and other ARM clients) at the emulator.\nexport ARM_METADATA_HOSTNAME={addr}\nexport SSL_CERT_FILE={}\nexport ARM_TENANT_ID={SAMPLE_TENANT}\nexport ARM_CLIENT_ID={SAMPLE_CLIENT}\nexport ARM_CLIENT_SECRET={SAMPLE_SECRET}\nexport ARM_SUBSCRIPTION_ID={SAMPLE_SUBSCRIPTION}\nexport ARM_USE_CLI=false\n",
        abs.display()
    );
    // env.sh carries (sample) client credentials: owner-only.
    tls::write_private(&dir.join("env.sh"), env.as_bytes()).map_err(|e| format!("writing env.sh: {e}"))
}

/// Applies a seed file: `[{"id": ARM id, "body": ARM JSON}]`, stored as already provisioned.
fn apply_seed(store: &mut Store, file: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("reading seed {}: {e}", file.display()))?;
    let items: Vec<Value> =
        serde_json::from_str(&text).map_err(|e| format!("parsing seed {}: {e}", file.display()))?;
    seed_items(store, items).map_err(|e| format!("seed {}: {e}", file.display()))
}

/// Stores `[{"id": ARM id, "body": ARM JSON}]` as already provisioned (seed files and
/// `POST /_emulator/seeds`, e.g. a cluster Azure no longer creates but still runs).
fn seed_items(store: &mut Store, items: Vec<Value>) -> Result<(), String> {
    for item in items {
        let id = item
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| "every item needs an id".to_string())?;
        let target = ids::Target::parse(id).ok_or_else(|| format!("{id} is not an ARM id"))?;
        let mut body = item.get("body").cloned().unwrap_or(json!({}));
        body["id"] = json!(target.id());
        body["name"] = json!(target.name());
        body["type"] = json!(target.type_name());
        body[wire::etag_field(&target)] = json!(wire::etag_for(&target));
        if body.get("properties").is_none() {
            body["properties"] = json!({});
        }
        body["properties"]["provisioningState"] = json!("Succeeded");
        store.resources.insert(
            ids::key(id),
            store::Stored {
                id: target.id(),
                body,
            },
        );
    }
    Ok(())
}

fn to_response(reply: &Reply, request_id: &str) -> Response<Full<Bytes>> {
    let body = match (&reply.raw, &reply.body) {
        (Some(raw), _) => Bytes::from(raw.clone()),
        (None, Some(b)) => Bytes::from(b.to_string()),
        (None, None) => Bytes::new(),
    };
    let mut builder = Response::builder()
        .status(reply.status)
        .header("x-ms-request-id", request_id)
        .header("x-ms-correlation-request-id", request_id)
        .header("Cache-Control", "no-cache")
        .header("Pragma", "no-cache")
        .header("Expires", "-1");
    if reply.body.is_some() || reply.raw.is_some() {
        builder = builder.header("Content-Type", "application/json; charset=utf-8");
    }
    for (k, v) in &reply.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    builder
        .body(Full::new(body))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .find_map(|kv| kv.split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v))
}

async fn serve(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, std::io::Error> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let header = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (authorization, if_match, if_none_match) = (
        header("authorization"),
        header("if-match"),
        header("if-none-match"),
    );
    let headers: serde_json::Map<String, Value> = req
        .headers()
        .iter()
        .filter(|(k, _)| k.as_str() != "authorization")
        .map(|(k, v)| (k.as_str().to_string(), json!(v.to_str().unwrap_or(""))))
        .collect();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    if shared.opts.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(shared.opts.latency_ms)).await;
    }
    let request_id = guid();
    if path == "/metadata/endpoints" {
        return Ok(to_response(
            &Reply::json(200, metadata(&shared.base)),
            &request_id,
        ));
    }
    if path.ends_with("/oauth2/v2.0/token") && method == "POST" {
        let reply = token(&shared, &format!("{}{path}", shared.base), &body).await;
        return Ok(to_response(&reply, &request_id));
    }
    if method == "POST" && entra::is_ado_oidc_path(&path) {
        let (status, body) = entra::ado_oidc_token(&query, authorization.as_deref(), &request_id);
        shared.store.lock().await.counters.ado_oidc_tokens += u64::from(status == 200);
        return Ok(to_response(&Reply::json(status, body), &request_id));
    }
    if let Some(admin) = path.strip_prefix("/_emulator/") {
        let reply = admin_api(&shared, &method, admin, &body).await;
        return Ok(to_response(&reply, &request_id));
    }
    let reply = {
        let mut store = shared.store.lock().await;
        let r = arm::Request {
            method: &method,
            path: &path,
            api_version: query_param(&query, "api-version"),
            authorization: authorization.as_deref(),
            if_match: if_match.as_deref(),
            if_none_match: if_none_match.as_deref(),
            body: &body,
        };
        arm::handle(&mut store, &shared.opts, &shared.base, &r)
    };
    let Some(mut reply) = reply else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection dropped by an injected fault",
        ));
    };
    if reply.hang {
        // An injected hang: the request was read, no answer ever comes (until the client
        // gives up and closes the connection, or an hour passes).
        tokio::time::sleep(Duration::from_secs(3600)).await;
        return Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "an injected hang ended",
        ));
    }
    let remaining = if method == "GET" {
        "x-ms-ratelimit-remaining-subscription-reads"
    } else {
        "x-ms-ratelimit-remaining-subscription-writes"
    };
    reply.headers.push((remaining.into(), "1199".into()));
    if let Some(dir) = &shared.opts.record {
        record(
            &shared,
            dir,
            &method,
            &path,
            &query,
            headers,
            &body,
            &reply,
            &request_id,
        );
    }
    Ok(to_response(&reply, &request_id))
}

/// Cloud metadata as Azure publishes it (api-version 2022-09-01), pointing at the emulator.
fn metadata(base: &str) -> Value {
    json!({
        "name": "AzureCloud",
        "portal": base,
        "resourceManager": format!("{base}/"),
        "authentication": {
            "loginEndpoint": format!("{base}/"),
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD"
        },
        "suffixes": {"acrLoginServer": "azurecr.io", "storage": "core.windows.net", "keyVaultDns": "vault.azure.net"}
    })
}

/// The Entra token endpoint (`endpoint` is its URL): client credentials with a secret or a
/// client assertion; certificate assertions are verified (see `entra`).
async fn token(shared: &Shared, endpoint: &str, body: &[u8]) -> Reply {
    let form: std::collections::HashMap<String, String> = String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace('+', " ")))
        .collect();
    let ok = form.get("grant_type").map(String::as_str) == Some("client_credentials")
        && form.get("client_id").is_some_and(|c| !c.is_empty())
        && (form.get("client_secret").is_some_and(|s| !s.is_empty())
            || form.get("client_assertion").is_some_and(|s| !s.is_empty()));
    if !ok {
        return Reply::json(
            400,
            json!({"error": "invalid_request", "error_description": "AADSTS900144: The request body must contain client_id, grant_type=client_credentials and client_secret or client_assertion."}),
        );
    }
    // The sample application's secret is known, so a wrong one is refused as Entra refuses it
    // (401 invalid_client, AADSTS7000215); other clients are unknown apps whose secret any
    // value stands for.
    let client = form.get("client_id").map_or("", String::as_str);
    if let Some(secret) = form.get("client_secret").filter(|_| client == SAMPLE_CLIENT) {
        // SAMPLE_SECRET has only unreserved characters: its form encoding is itself.
        if secret != SAMPLE_SECRET {
            return Reply::json(
                401,
                json!({"error": "invalid_client", "error_description": format!("AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{SAMPLE_CLIENT}'.")}),
            );
        }
    }
    let store = shared.store.lock().await;
    if let Some(assertion) = form.get("client_assertion") {
        let client = form.get("client_id").map_or("", String::as_str);
        let registered = store.certificates.get(client).map_or(&[][..], Vec::as_slice);
        if let Err((error, description)) = entra::check_assertion(assertion, client, endpoint, registered) {
            return Reply::json(401, json!({"error": error, "error_description": description}));
        }
    }
    let access = store.issue_token();
    Reply::json(
        200,
        json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": access}),
    )
}

async fn admin_api(shared: &Shared, method: &str, what: &str, body: &[u8]) -> Reply {
    let mut store = shared.store.lock().await;
    match (method, what) {
        ("GET", "inventory") => {
            let resources: Vec<Value> = store
                .resources
                .values()
                .map(|s| json!({"id": s.id, "type": s.body.get("type"), "body": s.body}))
                .collect();
            Reply::json(200, json!({"resources": resources}))
        }
        ("GET", "counters") => Reply::json(200, serde_json::to_value(&store.counters).unwrap_or(json!({}))),
        ("POST", "reset") => {
            store.resources.clear();
            store.ops.clear();
            store.faults.clear();
            store.down = false;
            store.counters = Default::default();
            store.save();
            Reply::empty(204)
        }
        ("POST", "faults") => match serde_json::from_slice::<Fault>(body) {
            Ok(mut f) => {
                f.count = f.count.max(1);
                store.faults.push(f);
                Reply::empty(204)
            }
            Err(e) => Reply::json(400, json!({"error": format!("invalid fault: {e}")})),
        },
        ("POST", "seeds") => match serde_json::from_slice::<Vec<Value>>(body)
            .map_err(|e| e.to_string())
            .and_then(|items| seed_items(&mut store, items))
        {
            Ok(()) => {
                store.save();
                Reply::empty(204)
            }
            Err(e) => Reply::json(400, json!({"error": format!("invalid seeds: {e}")})),
        },
        ("DELETE", "faults") => {
            store.faults.clear();
            Reply::empty(204)
        }
        ("DELETE", "outage") => {
            store.down = false;
            Reply::empty(204)
        }
        ("POST", "certificates") => {
            let req: Value = serde_json::from_slice(body).unwrap_or_default();
            let field = |k: &str| req.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
            let cert = field("certificate").and_then(entra::parse_certificate);
            match (field("clientId"), cert) {
                (Some(client), Some(der)) => {
                    store.certificates.entry(client.into()).or_default().push(der);
                    Reply::empty(204)
                }
                _ => Reply::json(
                    400,
                    json!({"error": "expected {\"clientId\", \"certificate\": base64 DER or PEM X.509}"}),
                ),
            }
        }
        _ => Reply::json(
            404,
            json!({"error": format!("unknown admin endpoint {method} /_emulator/{what}")}),
        ),
    }
}

/// Writes one exchange in the liveRequest/liveResponse format validate-traffic reads.
#[allow(clippy::too_many_arguments)]
fn record(
    shared: &Shared,
    dir: &Path,
    method: &str,
    path: &str,
    query: &str,
    headers: serde_json::Map<String, Value>,
    body: &[u8],
    reply: &Reply,
    request_id: &str,
) {
    let n = shared.seq.fetch_add(1, Ordering::Relaxed);
    let req_body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let mut resp_headers: serde_json::Map<String, Value> = reply
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.to_ascii_lowercase(),
                json!(v.replace(&shared.base, "https://management.azure.com")),
            )
        })
        .collect();
    resp_headers.insert("x-ms-request-id".into(), json!(request_id));
    resp_headers.insert("content-type".into(), json!("application/json; charset=utf-8"));
    let exchange = json!({
        "liveRequest": {
            "headers": headers,
            "method": method,
            "url": format!("https://management.azure.com{path}?{query}"),
            "body": req_body,
        },
        "liveResponse": {
            "statusCode": reply.status.to_string(),
            "headers": resp_headers,
            "body": match &reply.raw {
                Some(raw) => Value::String(raw.clone()),
                None => reply.body.clone().map(|b| serde_json::from_str::<Value>(&b.to_string().replace(&shared.base, "https://management.azure.com")).unwrap_or(b)).unwrap_or(Value::Null),
            },
        }
    });
    // `make conformance` validates `arm-*` files. Polls match no operation in the specs, and
    // two shapes are real but off-spec: AKS's flat error bodies (the spec still declares the
    // wrapped one) and requests for api-versions the emulator refuses. Injected malformed
    // bodies (`body` faults) are off-spec by design.
    let aks_flat_error = reply.status >= 400
        && reply
            .body
            .as_ref()
            .is_some_and(|b| b.get("code").is_some() && b.get("error").is_none());
    let refused_version = reply
        .body
        .as_ref()
        .is_some_and(|b| b["error"]["code"] == "NoRegisteredProviderFound");
    let kind = if path.contains("/operations/") || path.contains("/operationResults/") {
        "poll"
    } else if aks_flat_error || refused_version || reply.raw.is_some() {
        "offspec"
    } else {
        "arm"
    };
    // Several emulators may record into one directory: the instance id keeps names apart.
    let file = dir.join(format!(
        "{kind}-{}-{n:06}-{}.json",
        shared.instance,
        method.to_ascii_lowercase()
    ));
    let _ = std::fs::write(file, serde_json::to_vec_pretty(&exchange).unwrap_or_default());
}
