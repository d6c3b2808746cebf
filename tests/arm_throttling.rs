//! The ARM client under ARM's per-subscription write limit and with a hung operation poll,
//! against an emulator of its own (a write limit and a hang on every operation URL would
//! disturb tests/arm_client.rs, which shares one emulator among its tests). Issue 17 items
//! 4 and 5.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aksnet::arm::auth::{discover_cloud, select_credential, AuthSettings};
use aksnet::arm::client::{ArmClient, ClientError};
use aksnet::arm::ids::{Kind, ResourceId};
use aksnet_emulator::{Options, SAMPLE_CLIENT, SAMPLE_SECRET, SAMPLE_SUBSCRIPTION, SAMPLE_TENANT};
use serde_json::{json, Value};

const SUB: &str = SAMPLE_SUBSCRIPTION;
/// Writes per second the emulator takes before answering 429 (Retry-After: 1).
const WRITES_PER_SECOND: u32 = 3;

struct Emu {
    host: String,
    admin: reqwest::Client,
}

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
                    writes_per_second: Some(WRITES_PER_SECOND),
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
        std::env::set_var("SSL_CERT_FILE", &ca);
        let pem = std::fs::read(&ca).expect("ca.pem");
        let admin = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("pem"))
            .build()
            .expect("admin client");
        Emu {
            host: addr.to_string(),
            admin,
        }
    })
}

/// The tests here change what every request sees (the hang fault matches any operation URL):
/// one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn client() -> ArmClient {
    let e = emulator();
    let settings = AuthSettings {
        subscription_id: Some(SUB.into()),
        tenant_id: Some(SAMPLE_TENANT.into()),
        client_id: Some(SAMPLE_CLIENT.into()),
        client_secret: Some(SAMPLE_SECRET.into()),
        metadata_host: Some(e.host.clone()),
        environment: "public".into(),
        ..Default::default()
    };
    let cloud = discover_cloud(&settings).await.expect("metadata discovery");
    let (cred, _) = select_credential(&settings, &cloud).expect("credential");
    ArmClient::new(cloud.resource_manager, cred, cloud.scope, Default::default()).expect("client")
}

async fn counters() -> Value {
    let e = emulator();
    e.admin
        .get(format!("https://{}/_emulator/counters", e.host))
        .send()
        .await
        .expect("counters")
        .json()
        .await
        .expect("json")
}

fn route_table(group: &str, name: &str) -> ResourceId {
    ResourceId::new(Kind::RouteTable, SUB, group, &[name])
}

fn table_body() -> Value {
    json!({"location": "westeurope", "properties": {"routes": [
        {"name": "fw", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4"}}
    ]}})
}

/// The case from the issue: 35 route tables at `-parallelism=30` against 3 writes/s. Before,
/// azure_core's fixed retry budget (8 retries, all clients coming back together) lost 6–10 of
/// them with "HTTP 429" while their timeouts were 30 minutes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_writes_under_a_tight_write_limit_all_succeed() {
    let _serial = SERIAL.lock().await;
    let c = client().await;
    let timeout = Duration::from_secs(120);
    c.put::<_, Value>(
        &ResourceId::new(Kind::ResourceGroup, SUB, "rg-throttled", &[]),
        &json!({"location": "westeurope"}),
        None,
        timeout,
    )
    .await
    .expect("resource group");
    let throttled_before = counters().await["throttled"].as_u64().unwrap_or(0);
    let started = Instant::now();
    let parallelism = std::sync::Arc::new(tokio::sync::Semaphore::new(30));
    let mut set = tokio::task::JoinSet::new();
    for i in 0..35 {
        let (c, parallelism) = (c.clone(), parallelism.clone());
        set.spawn(async move {
            let _slot = parallelism.acquire_owned().await.expect("semaphore");
            let id = route_table("rg-throttled", &format!("rt{i}"));
            c.put::<_, Value>(&id, &table_body(), None, timeout)
                .await
                .map_err(|e| format!("rt{i}: {e}"))
        });
    }
    let mut failures = Vec::new();
    while let Some(r) = set.join_next().await {
        if let Err(e) = r.expect("task") {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 35 failed: {failures:#?}",
        failures.len()
    );
    let throttled = counters().await["throttled"].as_u64().unwrap_or(0) - throttled_before;
    assert!(
        throttled > 0,
        "the write limit never throttled: the test tests nothing"
    );
    // 35 writes at 3/s take at least ~11 s; retries that come back in step would take far
    // longer (or give up).
    let took = started.elapsed();
    assert!(took < Duration::from_secs(60), "{took:?}");
    eprintln!("35 writes in {took:?}, {throttled} answers 429");
}

/// A PUT is accepted but its status URL never answers: the operation timed out (and may
/// still finish in Azure), by the deadline.
#[tokio::test]
async fn a_hung_operation_poll_is_bounded_by_the_operation_timeout() {
    let _serial = SERIAL.lock().await;
    let c = client().await;
    c.put::<_, Value>(
        &ResourceId::new(Kind::ResourceGroup, SUB, "rg-hung-poll", &[]),
        &json!({"location": "westeurope"}),
        None,
        Duration::from_secs(30),
    )
    .await
    .expect("resource group");
    let e = emulator();
    let r = e
        .admin
        .post(format!("https://{}/_emulator/faults", e.host))
        .json(&json!({"method": "GET", "path": "/operations/", "count": 1, "hang": true}))
        .send()
        .await
        .expect("fault");
    assert!(r.status().is_success());
    let started = Instant::now();
    let err = c
        .put::<_, Value>(
            &route_table("rg-hung-poll", "rt"),
            &table_body(),
            None,
            Duration::from_secs(3),
        )
        .await
        .expect_err("a hung poll times out");
    let took = started.elapsed();
    assert!(took < Duration::from_millis(4500), "{took:?}");
    assert!(
        matches!(err.cause(), ClientError::OperationTimeout { .. }),
        "{err}"
    );
    assert!(err.may_have_written(), "an accepted write: {err:?}");
    assert!(err.to_string().contains("may still complete in Azure"), "{err}");
}
