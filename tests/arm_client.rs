//! The production ARM client and credential path against aksnet-emulator over real HTTPS:
//! endpoints discovered from /metadata/endpoints, a client-secret token from the emulator's
//! Entra endpoint, TLS trusted through SSL_CERT_FILE (no verification bypass).

use std::sync::OnceLock;
use std::time::Duration;

use aksnet::arm::auth::{discover_cloud, select_credential, AuthError, AuthSettings};
use aksnet::arm::client::{ArmClient, ClientError};
use aksnet::arm::ids::{Kind, ResourceId};
use aksnet::arm::models::{ManagedCluster, RouteTable};
use aksnet_emulator::{Options, SAMPLE_CLIENT, SAMPLE_SECRET, SAMPLE_SUBSCRIPTION, SAMPLE_TENANT};
use serde_json::{json, Value};

const SUB: &str = SAMPLE_SUBSCRIPTION;

struct Emu {
    host: String,
    admin: reqwest::Client,
}

/// One emulator per test binary: SSL_CERT_FILE is process-wide, so every test trusts one CA.
fn emulator() -> &'static Emu {
    static EMU: OnceLock<Emu> = OnceLock::new();
    EMU.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir").keep();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().expect("runtime");
            rt.block_on(async move {
                let running = aksnet_emulator::start(Options {
                    data_dir: dir,
                    lro_ms: 300,
                    record: std::env::var_os("AKSNET_EMULATOR_RECORD").map(Into::into),
                    ..Default::default()
                })
                .await
                .expect("emulator starts");
                tx.send((running.addr, running.data_dir.join("ca.pem")))
                    .expect("send");
                std::future::pending::<()>().await;
            });
        });
        let (addr, ca) = rx.recv().expect("emulator address");
        // Set before any TLS client exists; the platform verifier reads it on creation.
        std::env::set_var("SSL_CERT_FILE", &ca);
        let pem = std::fs::read(&ca).expect("ca.pem");
        // Each #[tokio::test] has its own runtime: a pooled connection would belong to a
        // runtime that is gone ("runtime dropped the dispatch task"), so none is kept.
        let admin = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("pem"))
            .build()
            .expect("admin client");
        Emu {
            host: addr.to_string(),
            admin,
        }
    })
}

impl Emu {
    async fn fault(&self, f: Value) {
        let r = self
            .admin
            .post(format!("https://{}/_emulator/faults", self.host))
            .json(&f)
            .send()
            .await
            .expect("fault");
        assert!(r.status().is_success());
    }
}

fn settings(e: &Emu) -> AuthSettings {
    AuthSettings {
        subscription_id: Some(SUB.into()),
        tenant_id: Some(SAMPLE_TENANT.into()),
        client_id: Some(SAMPLE_CLIENT.into()),
        client_secret: Some(SAMPLE_SECRET.into()),
        metadata_host: Some(e.host.clone()),
        environment: "public".into(),
        ..Default::default()
    }
}

async fn client() -> ArmClient {
    let e = emulator();
    let cloud = discover_cloud(&settings(e)).await.expect("metadata discovery");
    let (cred, method) = select_credential(&settings(e), &cloud).expect("credential");
    assert_eq!(method, "client secret");
    ArmClient::new(cloud.resource_manager, cred, cloud.scope, Default::default()).expect("client")
}

fn rg(name: &str) -> ResourceId {
    ResourceId::new(Kind::ResourceGroup, SUB, name, &[])
}

fn route_table(group: &str, name: &str) -> ResourceId {
    ResourceId::new(Kind::RouteTable, SUB, group, &[name])
}

async fn group(c: &ArmClient, name: &str) {
    c.put::<_, Value>(
        &rg(name),
        &json!({"location": "westeurope"}),
        None,
        Duration::from_secs(30),
    )
    .await
    .expect("resource group");
}

fn table_body() -> Value {
    json!({"location": "westeurope", "tags": {"team": "net"}, "properties": {"routes": [
        {"name": "fw", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4"}}
    ]}})
}

const T: Duration = Duration::from_secs(30);

#[tokio::test]
async fn put_waits_for_the_lro_and_returns_the_final_state() {
    let c = client().await;
    group(&c, "rg-lro").await;
    let id = route_table("rg-lro", "rt");
    let done = c.put::<_, Value>(&id, &table_body(), None, T).await.expect("put");
    assert_eq!(done.body["properties"]["provisioningState"], "Succeeded");
    assert!(done.etag.as_deref().is_some_and(|t| t.starts_with("W/\"")));
    assert!(c
        .get_json(&route_table("rg-lro", "missing"))
        .await
        .expect("get")
        .is_none());
}

#[tokio::test]
async fn unknown_fields_survive_get_modify_put() {
    let c = client().await;
    group(&c, "rg-roundtrip").await;
    let id = route_table("rg-roundtrip", "rt");
    let mut body = table_body();
    body["properties"]["futureField"] = json!({"kept": true});
    c.put::<_, Value>(&id, &body, None, T).await.expect("put");
    let mut read = c.get_json(&id).await.expect("get").expect("exists");
    read.body["tags"]["env"] = json!("prod");
    let written = c
        .put::<_, Value>(&id, &read.body, read.etag.as_deref(), T)
        .await
        .expect("put back");
    assert_eq!(written.body["properties"]["futureField"], json!({"kept": true}));
    assert_eq!(written.body["tags"]["team"], "net");
}

#[tokio::test]
async fn stale_etag_is_a_precondition_failure() {
    let c = client().await;
    group(&c, "rg-etag").await;
    let id = route_table("rg-etag", "rt");
    let first = c.put::<_, Value>(&id, &table_body(), None, T).await.expect("put");
    c.put::<_, Value>(&id, &table_body(), first.etag.as_deref(), T)
        .await
        .expect("matching etag");
    let err = c
        .put::<_, Value>(&id, &table_body(), first.etag.as_deref(), T)
        .await
        .expect_err("stale etag");
    match err {
        ClientError::Arm(e) => {
            assert!(e.is_precondition_failed(), "{e}");
            assert!(e.request_id.is_some(), "request id missing: {e}");
        }
        other => panic!("expected 412, got {other}"),
    }
}

#[tokio::test]
async fn operation_in_progress_and_throttling_are_retried() {
    let c = client().await;
    group(&c, "rg-retry").await;
    let e = emulator();
    e.fault(json!({"method": "PUT", "path": "rg-retry/providers", "count": 1, "status": 409, "code": "AnotherOperationInProgress", "retry_after": 1})).await;
    e.fault(json!({"method": "PUT", "path": "rg-retry/providers", "count": 1, "status": 429, "code": "TooManyRequests", "retry_after": 1})).await;
    let done = c
        .put::<_, Value>(&route_table("rg-retry", "rt"), &table_body(), None, T)
        .await
        .expect("retried to success");
    assert_eq!(done.body["properties"]["provisioningState"], "Succeeded");
}

#[tokio::test]
async fn server_errors_and_dropped_connections_are_retried() {
    let c = client().await;
    group(&c, "rg-5xx").await;
    let e = emulator();
    e.fault(json!({"method": "PUT", "path": "rg-5xx/providers", "count": 1, "status": 503, "code": "ServiceUnavailable", "retry_after": 1})).await;
    e.fault(json!({"method": "PUT", "path": "rg-5xx/providers", "count": 1, "drop": true}))
        .await;
    let done = c
        .put::<_, Value>(&route_table("rg-5xx", "rt"), &table_body(), None, T)
        .await
        .expect("retried to success");
    assert_eq!(done.body["properties"]["provisioningState"], "Succeeded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_client_serves_parallel_writes() {
    let c = client().await;
    group(&c, "rg-parallel").await;
    // Terraform's default parallelism is 10; every resource shares the one client.
    let mut set = tokio::task::JoinSet::new();
    for i in 0..10 {
        let c = c.clone();
        set.spawn(async move {
            c.put::<_, Value>(
                &route_table("rg-parallel", &format!("rt{i}")),
                &table_body(),
                None,
                T,
            )
            .await
        });
    }
    let mut done = 0;
    while let Some(r) = set.join_next().await {
        assert_eq!(
            r.expect("task").expect("parallel put").body["properties"]["provisioningState"],
            "Succeeded"
        );
        done += 1;
    }
    assert_eq!(done, 10);
}

#[tokio::test]
async fn failed_lro_surfaces_code_and_message() {
    let c = client().await;
    group(&c, "rg-fail").await;
    emulator().fault(json!({"path": "rg-fail/providers/Microsoft.Network/routeTables/rt", "lro": "fail", "code": "InternalServerError", "message": "the disk is on fire"})).await;
    let err = c
        .put::<_, Value>(&route_table("rg-fail", "rt"), &table_body(), None, T)
        .await
        .expect_err("lro fails");
    let text = err.to_string();
    assert!(
        text.contains("InternalServerError") && text.contains("the disk is on fire"),
        "{text}"
    );
}

#[tokio::test]
async fn lro_outliving_the_timeout_is_a_timeout() {
    let c = client().await;
    group(&c, "rg-hold").await;
    emulator().fault(json!({"path": "rg-hold/providers/Microsoft.Network/routeTables/rt", "lro": "hold", "hold_ms": 60000})).await;
    let err = c
        .put::<_, Value>(
            &route_table("rg-hold", "rt"),
            &table_body(),
            None,
            Duration::from_secs(3),
        )
        .await
        .expect_err("times out");
    assert!(
        matches!(err.cause(), ClientError::OperationTimeout { .. }),
        "{err}"
    );
    assert!(err.may_have_written(), "an accepted write: {err:?}");
    assert!(err.is_timeout());
    let text = err.to_string();
    assert!(
        text.contains("timed out after 3s") && text.contains("may still complete in Azure"),
        "{text}"
    );
}

// Issue 17 item 4: throttling is retried until the operation's deadline, not a fixed count.
#[tokio::test]
async fn a_throttle_storm_longer_than_a_retry_count_but_within_the_deadline_succeeds() {
    let c = client().await;
    group(&c, "rg-storm").await;
    // azure_core's default policy gives up after 8 retries; this storm answers 429 twelve
    // times in a row (Retry-After: 0 keeps the test fast), then once 503 with Retry-After.
    emulator().fault(json!({"method": "PUT", "path": "rg-storm/providers", "count": 12, "status": 429, "code": "TooManyRequests", "retry_after": 0})).await;
    emulator().fault(json!({"method": "PUT", "path": "rg-storm/providers", "count": 1, "status": 503, "code": "ServerBusy", "retry_after": 0})).await;
    let started = std::time::Instant::now();
    let done = c
        .put::<_, Value>(&route_table("rg-storm", "rt"), &table_body(), None, T)
        .await
        .expect("retried through the storm");
    assert_eq!(done.body["properties"]["provisioningState"], "Succeeded");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn throttling_that_outlasts_the_deadline_fails_by_the_deadline() {
    let c = client().await;
    group(&c, "rg-endless-storm").await;
    emulator().fault(json!({"method": "PUT", "path": "rg-endless-storm/providers", "count": 100000, "status": 429, "code": "TooManyRequests", "retry_after": 1})).await;
    let started = std::time::Instant::now();
    let err = c
        .put::<_, Value>(
            &route_table("rg-endless-storm", "rt"),
            &table_body(),
            None,
            Duration::from_secs(4),
        )
        .await
        .expect_err("throttled past the deadline");
    let took = started.elapsed();
    assert!(matches!(&err, ClientError::Arm(e) if e.status == 429), "{err}");
    // Retried until the deadline came close, and not past it.
    assert!(
        took >= Duration::from_millis(2000) && took <= Duration::from_secs(5),
        "{took:?}"
    );
}

// Issue 17 item 5: every request is bounded by the operation's deadline.
#[tokio::test]
async fn a_hung_read_times_out_at_its_deadline_with_a_message_for_a_read() {
    let c = client().await;
    group(&c, "rg-hung-read").await;
    let id = route_table("rg-hung-read", "rt");
    c.put::<_, Value>(&id, &table_body(), None, T).await.expect("put");
    emulator()
        .fault(json!({"method": "GET", "path": id.path(), "count": 1, "hang": true}))
        .await;
    let started = std::time::Instant::now();
    let err = c
        .get_within::<RouteTable>(&id, Duration::from_secs(2))
        .await
        .expect_err("a hung read times out");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_millis(3500),
        "{took:?}"
    );
    assert!(matches!(err, ClientError::RequestTimeout { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("timed out after 2s") && text.contains("did not answer GET"),
        "{text}"
    );
    assert!(
        !text.contains("still complete"),
        "a read is not an operation in Azure: {text}"
    );
    assert!(!text.contains("api-version"), "{text}");
    // The fault is used up; reads work again.
    assert!(c.get_within::<RouteTable>(&id, T).await.expect("get").is_some());
}

#[tokio::test]
async fn a_hung_write_is_bounded_by_the_operation_timeout() {
    let c = client().await;
    group(&c, "rg-hung-write").await;
    let id = route_table("rg-hung-write", "rt");
    emulator()
        .fault(json!({"method": "PUT", "path": id.path(), "count": 1, "hang": true}))
        .await;
    let started = std::time::Instant::now();
    let err = c
        .put::<_, Value>(&id, &table_body(), None, Duration::from_secs(2))
        .await
        .expect_err("a hung PUT times out");
    assert!(
        started.elapsed() < Duration::from_millis(3500),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, ClientError::RequestTimeout { .. }), "{err}");
    assert!(err.to_string().contains("did not answer PUT"), "{err}");
    // A hung poll: tests/arm_throttling.rs (it needs an emulator of its own).
}

#[tokio::test]
async fn delete_waits_and_in_use_tables_are_refused() {
    let c = client().await;
    group(&c, "rg-del").await;
    let rt = route_table("rg-del", "rt");
    c.put::<_, Value>(&rt, &table_body(), None, T)
        .await
        .expect("table");
    let vnet = ResourceId::new(Kind::VirtualNetwork, SUB, "rg-del", &["vnet"]);
    let body = json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [{"name": "nodes", "properties": {"addressPrefix": "10.0.0.0/24", "routeTable": {"id": rt.path()}}}]}});
    c.put::<_, Value>(&vnet, &body, None, T).await.expect("vnet");
    let table = c.get_json(&rt).await.expect("get").expect("exists");
    assert_eq!(
        table.body["properties"]["subnets"][0]["id"],
        format!("{}/subnets/nodes", vnet.path())
    );
    let err = c.delete(&rt, T).await.expect_err("in use");
    assert!(
        err.to_string().contains("InUseRouteTableCannotBeDeleted"),
        "{err}"
    );
    c.delete(&vnet, T).await.expect("vnet deleted");
    c.delete(&rt, T).await.expect("table deleted");
    assert!(c.get_json(&rt).await.expect("get").is_none());
    c.delete(&rt, T).await.expect("deleting what is gone succeeds");
}

#[tokio::test]
async fn aks_errors_come_back_flat_and_parsed() {
    let c = client().await;
    group(&c, "rg-aks").await;
    let id = ResourceId::new(Kind::ManagedCluster, SUB, "rg-aks", &["aks"]);
    let body = json!({"location": "westeurope", "properties": {"dnsPrefix": "aks", "kubernetesVersion": "1.33",
        "agentPoolProfiles": [{"name": "system", "count": 1, "mode": "System", "vmSize": "Standard_D2s_v5"}],
        "networkProfile": {"networkPlugin": "azure", "networkPluginMode": "overlay", "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.1.0.10"}}});
    let err = c
        .put::<_, Value>(&id, &body, None, T)
        .await
        .expect_err("bad dns ip");
    match err {
        ClientError::Arm(e) => {
            assert_eq!(e.code, "DnsServiceIpOutOfServiceCidr");
            assert_eq!(e.target.as_deref(), Some("networkProfile.dnsServiceIP"));
        }
        other => panic!("expected an ARM error, got {other}"),
    }
}

fn cluster_body() -> Value {
    json!({"location": "westeurope", "properties": {"dnsPrefix": "aks", "kubernetesVersion": "1.33",
        "agentPoolProfiles": [{"name": "system", "count": 1, "mode": "System", "vmSize": "Standard_D2s_v5"}],
        "networkProfile": {"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/16",
            "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10"}}})
}

/// AKS's 409 `EtagMismatch` ("another operation is in progress" while AKS saves the cluster
/// itself; Azure/retina#1212) is retried like `OperationNotAllowed` until the write lands,
/// on create and on an update that carries `If-Match`.
#[tokio::test]
async fn aks_etag_mismatch_conflicts_are_retried_until_the_write_lands() {
    let c = client().await;
    group(&c, "rg-etag409").await;
    let id = ResourceId::new(Kind::ManagedCluster, SUB, "rg-etag409", &["aks"]);
    let conflict = r#"{"code":"EtagMismatch","details":[{"code":"Unspecified","message":"rpc error: code = FailedPrecondition desc = Etag mismatched"}],"message":"Operation is not allowed: Another operation is in progress, please wait for it to finish before starting a new operation.","subcode":""}"#;
    let e = emulator();
    e.fault(json!({"method": "PUT", "path": id.path(), "count": 2, "status": 409, "body": conflict, "retry_after": 1}))
        .await;
    let created = c
        .put::<_, Value>(&id, &cluster_body(), None, T)
        .await
        .expect("EtagMismatch retried to success");
    assert_eq!(created.body["properties"]["provisioningState"], "Succeeded");
    let etag = created
        .etag
        .clone()
        .or_else(|| created.body["eTag"].as_str().map(str::to_string))
        .expect("AKS returns an eTag");
    e.fault(json!({"method": "PUT", "path": id.path(), "count": 1, "status": 409, "body": conflict, "retry_after": 1}))
        .await;
    // A fresh body, not the GET answer: a client sends no read-only fields (conformance).
    let mut body = cluster_body();
    body["tags"] = json!({"step": "2"});
    let updated = c
        .put::<_, Value>(&id, &body, Some(&etag), T)
        .await
        .expect("EtagMismatch on an If-Match write retried to success");
    assert_eq!(updated.body["tags"]["step"], "2");
    // Not forever: a conflict that outlasts the deadline is the error, with its code.
    e.fault(json!({"method": "PUT", "path": id.path(), "count": 50, "status": 409, "body": conflict, "retry_after": 1}))
        .await;
    match c.put::<_, Value>(&id, &body, None, Duration::from_secs(3)).await {
        Err(ClientError::Arm(err)) => assert_eq!(err.code, "EtagMismatch"),
        other => panic!("expected the EtagMismatch after the deadline, got {other:?}"),
    }
}

/// AKS's generic `BadRequest` carries the reason in `subcode`: the error shows it.
#[tokio::test]
async fn aks_subcodes_appear_in_the_error() {
    let c = client().await;
    group(&c, "rg-subcode").await;
    let id = ResourceId::new(Kind::ManagedCluster, SUB, "rg-subcode", &["aks"]);
    let refused = r#"{"code":"BadRequest","details":null,"message":"Pre-allocated IPs 93 exceeds IPs available 59 in Subnet Cidr 10.240.0.0/26.","subcode":"InsufficientSubnetSize","target":"agentPoolProfile.count"}"#;
    emulator()
        .fault(json!({"method": "PUT", "path": id.path(), "count": 1, "status": 400, "body": refused}))
        .await;
    match c.put::<_, Value>(&id, &cluster_body(), None, T).await {
        Err(ClientError::Arm(e)) => {
            assert_eq!(e.code, "BadRequest");
            assert_eq!(e.subcode.as_deref(), Some("InsufficientSubnetSize"));
            let shown = ClientError::Arm(e).to_string();
            assert!(
                shown.contains("BadRequest (subcode InsufficientSubnetSize)"),
                "{shown}"
            );
        }
        other => panic!("expected the 400, got {other:?}"),
    }
}

/// GETs `id` as the model `T` while the emulator answers it with `body` (status 200): the
/// decoding error.
async fn decode_error<T: aksnet::arm::models::ArmResource + std::fmt::Debug>(
    c: &ArmClient,
    id: &ResourceId,
    body: &str,
) -> String {
    answer_once(id, body).await;
    decoding_message(body, c.get::<T>(id).await)
}

/// As [`decode_error`], for an untyped read ([`ArmClient::get_json`]).
async fn decode_error_json(c: &ArmClient, id: &ResourceId, body: &str) -> String {
    answer_once(id, body).await;
    decoding_message(body, c.get_json(id).await)
}

async fn answer_once(id: &ResourceId, body: &str) {
    emulator()
        .fault(json!({"method": "GET", "path": id.path(), "count": 1, "body": body}))
        .await;
}

fn decoding_message<T: std::fmt::Debug>(
    body: &str,
    read: Result<Option<aksnet::arm::client::Tagged<T>>, ClientError>,
) -> String {
    match read {
        Err(ClientError::Decode(msg)) => {
            let shown = ClientError::Decode(msg.clone()).to_string();
            assert!(shown.starts_with("decoding the response: "), "{shown}");
            assert!(msg.contains("[request id: "), "no request id: {msg}");
            msg
        }
        other => panic!("expected a decoding error for {body:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn malformed_bodies_are_decoding_errors_that_name_the_field() {
    let c = client().await;
    group(&c, "rg-malformed").await;
    let id = route_table("rg-malformed", "rt");
    c.put::<_, Value>(&id, &table_body(), None, T)
        .await
        .expect("table");
    let cases: [(&str, &str); 9] = [
        (
            r#"{"id": "/x", "name": "rt", "properties": {"routes": [{"na"#,
            "the body is truncated JSON (EOF while parsing",
        ),
        ("", "the body is empty"),
        (
            "<html><body>Bad Gateway</body></html>",
            "the body is not valid JSON (expected value at line 1 column 1)",
        ),
        ("null", "the body is null, expected a JSON object"),
        (
            r#"[{"name": "rt"}]"#,
            "the body is an array, expected a JSON object",
        ),
        (r#"{"name": "rt"}"#, "required field properties is missing"),
        (
            r#"{"name": "rt", "properties": {"routes": [{"properties": {"addressPrefix": "10.0.0.0/8", "nextHopType": "None"}}]}}"#,
            "required field properties.routes[0].name is missing",
        ),
        (
            r#"{"name": "rt", "properties": {"routes": [{"name": "a", "properties": {"addressPrefix": "10.0.0.0/8", "nextHopType": 5}}]}}"#,
            "properties.routes[0].properties.nextHopType is a number (5), expected a string",
        ),
        (
            r#"{"name": "rt", "properties": {"disableBgpRoutePropagation": "no"}}"#,
            "properties.disableBgpRoutePropagation is a string (\"no\"), expected a boolean",
        ),
    ];
    for (body, want) in cases {
        let msg = decode_error::<RouteTable>(&c, &id, body).await;
        assert!(msg.starts_with(want), "{body:?}: {msg}");
    }
    // Untyped reads (existence checks) are checked the same way.
    let msg = decode_error_json(&c, &id, r#"{"properties": {"routes": "none"}}"#).await;
    assert!(
        msg.starts_with("properties.routes is a string (\"none\"), expected an array"),
        "{msg}"
    );
    // The faults are used up; the real table reads fine again.
    let table = c.get::<RouteTable>(&id).await.expect("get").expect("exists");
    assert_eq!(table.body.properties.routes[0].name, "fw");
}

#[tokio::test]
async fn malformed_cluster_bodies_are_decoding_errors_that_name_the_field() {
    // Faults answer before any lookup, so no cluster needs to exist.
    let c = client().await;
    let id = ResourceId::new(Kind::ManagedCluster, SUB, "rg-malformed-aks", &["aks"]);
    let good = json!({"id": id.path(), "name": "aks", "location": "westeurope", "properties": {
        "kubernetesVersion": "1.33", "agentPoolProfiles": [{"name": "system", "count": 3, "mode": "System"}],
        "networkProfile": {"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/16"}}});
    let variant = |f: &dyn Fn(&mut Value)| {
        let mut b = good.clone();
        f(&mut b);
        b.to_string()
    };
    let cases = [
        (
            variant(&|b| {
                b["properties"]
                    .as_object_mut()
                    .map(|p| p.remove("networkProfile"));
            }),
            "required field properties.networkProfile is missing",
        ),
        (
            variant(&|b| {
                b["properties"]
                    .as_object_mut()
                    .map(|p| p.remove("agentPoolProfiles"));
            }),
            "required field properties.agentPoolProfiles is missing",
        ),
        (
            variant(&|b| b["properties"]["agentPoolProfiles"][0]["count"] = json!("three")),
            "properties.agentPoolProfiles[0].count is a string (\"three\"), expected an integer",
        ),
        (
            variant(&|b| b["properties"]["networkProfile"]["podCidr"] = json!(["10.244.0.0/16"])),
            "properties.networkProfile.podCidr is an array ([\"10.244.0.0/16\"]), expected a string",
        ),
        (
            variant(&|b| b["properties"] = json!("Succeeded")),
            "properties is a string (\"Succeeded\"), expected an object",
        ),
    ];
    for (body, want) in cases {
        let msg = decode_error::<ManagedCluster>(&c, &id, &body).await;
        assert!(msg.starts_with(want), "{msg}");
    }
    let truncated: String = good.to_string().chars().take(80).collect();
    let msg = decode_error::<ManagedCluster>(&c, &id, &truncated).await;
    assert!(msg.starts_with("the body is truncated JSON"), "{msg}");
}

#[tokio::test]
async fn a_write_whose_final_read_is_malformed_fails_clearly() {
    let c = client().await;
    group(&c, "rg-malformed-put").await;
    let id = route_table("rg-malformed-put", "rt");
    emulator()
        .fault(json!({"method": "GET", "path": id.path(), "count": 1, "body": "{\"name\": \"rt\", \"properties\": "}))
        .await;
    let err = c
        .put::<_, Value>(&id, &table_body(), None, T)
        .await
        .expect_err("the final GET is truncated");
    assert!(
        matches!(err.cause(), ClientError::Decode(m) if m.starts_with("the body is truncated JSON")),
        "{err}"
    );
    assert!(err.may_have_written(), "ARM accepted the write: {err:?}");
    // The write itself went through: a clean read shows it.
    let table = c.get_json(&id).await.expect("get").expect("exists");
    assert_eq!(table.body["properties"]["provisioningState"], "Succeeded");
}

/// Issue 17 item 6: a 200 to a PUT whose body is not the resource is an error naming the
/// field and the request id (not a silent read of whatever comes next).
#[tokio::test]
async fn a_malformed_answer_to_a_put_names_the_field_and_request_id() {
    let c = client().await;
    group(&c, "rg-malformed-answer").await;
    let id = route_table("rg-malformed-answer", "rt");
    let body = json!({"id": id.path(), "name": "rt", "properties": {"routes": "none"}}).to_string();
    emulator()
        .fault(json!({"method": "PUT", "path": id.path(), "count": 1, "body": body}))
        .await;
    let err = c
        .put::<_, Value>(&id, &table_body(), None, T)
        .await
        .expect_err("the answer is malformed");
    let shown = err.to_string();
    assert!(
        matches!(err.cause(), ClientError::Decode(_)) && shown.contains("properties.routes is a string"),
        "{shown}"
    );
    assert!(shown.contains("[request id: "), "{shown}");
    assert!(err.may_have_written(), "ARM answered 200: {err:?}");
}

#[tokio::test]
async fn plain_http_endpoints_are_refused() {
    let e = emulator();
    let cloud = discover_cloud(&settings(e)).await.expect("metadata");
    let (cred, _) = select_credential(&settings(e), &cloud).expect("credential");
    let err = ArmClient::new(
        url::Url::parse("http://127.0.0.1:1/").unwrap(),
        cred,
        cloud.scope,
        Default::default(),
    )
    .expect_err("http refused");
    assert!(err.to_string().contains("plain HTTP"), "{err}");
}

/// A client built from `s`, proving the credential works by reading a resource group.
async fn works_with(s: AuthSettings, expected_method: &str) {
    let cloud = discover_cloud(&s).await.expect("metadata discovery");
    let (cred, method) = select_credential(&s, &cloud).expect("credential");
    assert_eq!(method, expected_method);
    let c = ArmClient::new(cloud.resource_manager, cred, cloud.scope, Default::default()).expect("client");
    let name = format!("rg-{}", expected_method.replace(' ', "-"));
    c.put::<_, Value>(&rg(&name), &json!({"location": "westeurope"}), None, T)
        .await
        .expect("authenticated write");
    assert!(c.get_json(&rg(&name)).await.expect("read").is_some());
}

fn oidc_base() -> AuthSettings {
    AuthSettings {
        client_secret: None,
        use_oidc: true,
        ..settings(emulator())
    }
}

#[tokio::test]
async fn oidc_token_authenticates() {
    works_with(
        AuthSettings {
            oidc_token: Some("eyJhbGciOiJSUzI1NiJ9.e30.sig".into()),
            ..oidc_base()
        },
        "OIDC",
    )
    .await;
}

#[tokio::test]
async fn oidc_token_file_authenticates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("token");
    std::fs::write(&file, "eyJhbGciOiJSUzI1NiJ9.e30.sig\n").expect("token file");
    works_with(
        AuthSettings {
            oidc_token_file_path: Some(file.display().to_string()),
            ..oidc_base()
        },
        "OIDC",
    )
    .await;
}

/// A self-signed RSA certificate exported by the `openssl` CLI as a PFX with `export_args`
/// (e.g. `-legacy`, `-nokeys`), and the certificate's PEM.
fn make_pfx(export_args: &[&str], password: &str) -> (Vec<u8>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = |f: &str| dir.path().join(f).display().to_string();
    let openssl = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl runs");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=aksnet-test",
        "-days",
        "1",
        "-keyout",
        &p("key.pem"),
        "-out",
        &p("cert.pem"),
    ]);
    let (key, cert, out, passout) = (
        p("key.pem"),
        p("cert.pem"),
        p("cert.pfx"),
        format!("pass:{password}"),
    );
    let mut args = vec![
        "pkcs12", "-export", "-inkey", &key, "-in", &cert, "-out", &out, "-passout", &passout,
    ];
    args.extend(export_args);
    openssl(&args);
    let pem = std::fs::read_to_string(p("cert.pem")).expect("cert.pem");
    (std::fs::read(p("cert.pfx")).expect("pfx"), pem)
}

/// Uploads the certificate to the emulator's app registration for SAMPLE_CLIENT.
async fn register_certificate(pem: &str) {
    let e = emulator();
    let r = e
        .admin
        .post(format!("https://{}/_emulator/certificates", e.host))
        .json(&json!({"clientId": SAMPLE_CLIENT, "certificate": pem}))
        .send()
        .await
        .expect("register certificate");
    assert!(r.status().is_success(), "{}", r.status());
}

fn certificate_settings(pfx: Vec<u8>, password: Option<&str>) -> AuthSettings {
    AuthSettings {
        client_secret: None,
        client_certificate: Some(pfx),
        client_certificate_password: password.map(str::to_string),
        ..settings(emulator())
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// DER of the OIDs that tell the two PFX generations apart.
const AES_256_CBC: &[u8] = &[0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a];
const PBE_SHA1_3DES: &[u8] = &[
    0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x03,
];

#[tokio::test]
async fn client_certificate_authenticates() {
    // OpenSSL 3's default: PBES2 with AES-256-CBC, HMAC-SHA256 MAC.
    let (pfx, pem) = make_pfx(&[], "pfx-pass");
    assert!(contains(&pfx, AES_256_CBC), "expected a PBES2/AES PFX");
    register_certificate(&pem).await;
    works_with(certificate_settings(pfx, Some("pfx-pass")), "client certificate").await;
}

#[tokio::test]
async fn legacy_client_certificate_authenticates() {
    // `-legacy`: 3DES key bag, RC2-40 certificate bag, SHA-1 MAC (Windows and older tooling).
    let (pfx, pem) = make_pfx(&["-legacy"], "pfx-pass");
    assert!(contains(&pfx, PBE_SHA1_3DES), "expected a legacy 3DES PFX");
    register_certificate(&pem).await;
    works_with(certificate_settings(pfx, Some("pfx-pass")), "client certificate").await;
}

#[tokio::test]
async fn unregistered_certificate_is_refused_by_the_token_endpoint() {
    let (pfx, _) = make_pfx(&[], "pfx-pass");
    let s = certificate_settings(pfx, Some("pfx-pass"));
    let cloud = discover_cloud(&s).await.expect("metadata discovery");
    let (cred, _) = select_credential(&s, &cloud).expect("credential");
    let c = ArmClient::new(cloud.resource_manager, cred, cloud.scope, Default::default()).expect("client");
    let err = c
        .get_json(&rg("rg-unregistered-cert"))
        .await
        .expect_err("an assertion signed by an unregistered certificate must fail");
    assert!(err.to_string().contains("AADSTS700027"), "{err}");
}

/// Certificate problems are reported when the credential is chosen, never with the password.
fn certificate_error(pfx: Vec<u8>, password: Option<&str>) -> String {
    let cloud = aksnet::arm::auth::Cloud::builtin("public").unwrap();
    let err = select_credential(&certificate_settings(pfx, password), &cloud)
        .expect_err("the certificate must be refused");
    assert!(matches!(err, AuthError::Certificate(_)), "{err}");
    let err = err.to_string();
    assert!(err.starts_with("client certificate: "), "{err}");
    err
}

#[test]
fn wrong_or_missing_certificate_password_is_a_clear_error() {
    let (pfx, _) = make_pfx(&[], "right-pass");
    for password in [Some("wrong-pass-x9"), None] {
        let err = certificate_error(pfx.clone(), password);
        assert!(
            err.contains("client_certificate_password is wrong or missing"),
            "{err}"
        );
        assert!(
            !err.contains("wrong-pass-x9") && !err.contains("right-pass"),
            "{err}"
        );
    }
}

#[test]
fn certificate_without_key_or_not_a_pfx_is_refused() {
    let (pfx, _) = make_pfx(&["-nokeys"], "pfx-pass");
    let err = certificate_error(pfx, Some("pfx-pass"));
    assert!(err.contains("holds no private key"), "{err}");
    let err = certificate_error(b"-----BEGIN CERTIFICATE-----\n".to_vec(), None);
    assert!(err.contains("not a PKCS#12 (PFX) bundle"), "{err}");
}

#[tokio::test]
async fn certificate_errors_are_errors() {
    emulator(); // SSL_CERT_FILE now trusts the first emulator's CA only.
    let dir = tempfile::tempdir().expect("tempdir");
    let stranger = aksnet_emulator::start(Options {
        data_dir: dir.path().to_path_buf(),
        ..Default::default()
    })
    .await
    .expect("second emulator");
    let s = AuthSettings {
        metadata_host: Some(stranger.addr.to_string()),
        ..settings(emulator())
    };
    let err = discover_cloud(&s)
        .await
        .expect_err("an untrusted certificate must fail");
    assert!(matches!(err, AuthError::Discovery { .. }), "{err}");
    let err = err.to_string();
    assert!(err.contains("metadata_host"), "{err}");
    assert!(!err.contains(SAMPLE_SECRET), "{err}");
    stranger.stop();
}

/// Issue 17 item 8: a name is one escaped path segment. `acctest-esc/../x` in a resource
/// group reaches ARM as `acctest-esc%2F..%2Fx` (not found), never as the table next door;
/// `.`/`..` segments, which URL parsers resolve, are refused before any request.
#[tokio::test]
async fn names_cannot_change_the_request_path() {
    let c = client().await;
    group(&c, "acctest-esc").await;
    c.put::<_, Value>(
        &route_table("acctest-esc", "rt"),
        &table_body(),
        None,
        Duration::from_secs(30),
    )
    .await
    .expect("table");
    let sneaky = route_table("nonexistent/../acctest-esc", "rt");
    let url = c.url(&sneaky).expect("url");
    assert!(
        url.path()
            .contains("/resourceGroups/nonexistent%2F..%2Facctest-esc/"),
        "{url}"
    );
    if let Ok(Some(t)) = c.get_json(&sneaky).await {
        panic!("the request reached another resource: {:?}", t.body);
    }
    for (group, name) in [("..", "rt"), ("acctest-esc", ".."), ("acctest-esc", ".")] {
        let e = c.url(&route_table(group, name)).unwrap_err().to_string();
        assert!(e.contains("would move the request to another path"), "{e}");
        let e = c.get_json(&route_table(group, name)).await.unwrap_err();
        assert!(matches!(e, ClientError::Config(_)), "{e}");
    }
}

// Issue 14 item 4: a typed read binds the ID's kind to the model; a subnet ID where a cluster
// is read is refused before any request. The emulator holds a one-shot fault on the subnet's
// path: if the refused read had been sent it would have used the fault up.
#[tokio::test]
async fn a_typed_read_refuses_an_id_of_another_kind_without_a_request() {
    let c = client().await;
    let subnet = ResourceId::new(Kind::Subnet, SUB, "rg-kind", &["vnet", "nodes"]);
    emulator()
        .fault(json!({"method": "GET", "path": subnet.path(), "count": 1, "body": "not json"}))
        .await;
    let err = c
        .get::<ManagedCluster>(&subnet)
        .await
        .expect_err("a subnet ID is not a cluster");
    assert!(
        matches!(
            err,
            ClientError::KindMismatch {
                expected: Kind::ManagedCluster,
                found: Kind::Subnet
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert_eq!(text, "a Subnet ID was given where a Kubernetes Cluster is read");
    assert!(!text.contains("rg-kind") && !text.contains("vnet"), "{text}");
    let err = c
        .get_within::<RouteTable>(&subnet, T)
        .await
        .expect_err("nor a route table");
    assert!(matches!(err, ClientError::KindMismatch { .. }), "{err:?}");
    // The fault is still there: neither read reached the resource manager.
    match c.get_json(&subnet).await {
        Err(ClientError::Decode(msg)) => assert!(msg.starts_with("the body is not valid JSON"), "{msg}"),
        other => panic!("the fault should still be pending, got {other:?}"),
    }
}
