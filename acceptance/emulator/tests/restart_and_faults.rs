//! Issue 17, item 13 and the `hang` fault: operations in flight survive a restart, access
//! tokens are never written to disk (yet stay valid across restarts, as Entra's do), a child
//! keeps the casing of its name, and a hung request gets no answer.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use aksnet_emulator::{start, Options, Running};
use common::{call, client_for, send, token, NET, RG, SUB};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

async fn boot(dir: &Path, lro_ms: u64) -> Running {
    start(Options {
        data_dir: dir.to_path_buf(),
        lro_ms,
        ..Default::default()
    })
    .await
    .expect("starts")
}

fn rt_path(rg: &str) -> String {
    format!("{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/routeTables/rt")
}

async fn group(http: &Client, tok: &str, base: &str, rg: &str) {
    let (s, _, _) = call(
        http,
        tok,
        reqwest::Method::PUT,
        &format!("{base}{SUB}/resourceGroups/{rg}?api-version={RG}"),
        Some(json!({"location": "westeurope"})),
    )
    .await;
    assert!(s.is_success(), "{s}");
}

/// Starts a route table PUT whose operation runs `lro_ms`; returns the operation URL.
async fn start_put(http: &Client, tok: &str, base: &str, rg: &str) -> String {
    group(http, tok, base, rg).await;
    let (s, h, b) = call(
        http,
        tok,
        reqwest::Method::PUT,
        &format!("{base}{}?api-version={NET}", rt_path(rg)),
        Some(json!({"location": "westeurope"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["properties"]["provisioningState"], "Updating");
    h["azure-asyncoperation"].to_str().unwrap().to_string()
}

async fn provisioning_state(http: &Client, tok: &str, base: &str, rg: &str) -> Value {
    let (s, _, b) = call(
        http,
        tok,
        reqwest::Method::GET,
        &format!("{base}{}?api-version={NET}", rt_path(rg)),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["properties"]["provisioningState"].clone()
}

#[tokio::test]
async fn an_operation_in_flight_survives_a_restart_and_finishes_when_due() {
    let dir = tempfile::tempdir().unwrap();
    let emu = boot(dir.path(), 1500).await;
    let http = client_for(&emu.ca_pem);
    let tok = token(&http, &emu.url()).await;
    let op = start_put(&http, &tok, &emu.url(), "rg-inflight").await;
    let old_base = emu.url();
    emu.stop();

    let again = boot(dir.path(), 1500).await;
    let tok = token(&http, &again.url()).await;
    // The restarted emulator listens elsewhere; the operation id is what must survive.
    let op = op.replace(&old_base, &again.url());
    let (s, _, b) = call(&http, &tok, reqwest::Method::GET, &op, None).await;
    assert_eq!(s, StatusCode::OK, "the operation was lost on restart: {b}");
    let started = Instant::now();
    let done = loop {
        let (_, _, b) = call(&http, &tok, reqwest::Method::GET, &op, None).await;
        if b["status"] != "InProgress" {
            break b;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "never finished");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(done["status"], "Succeeded");
    assert_eq!(
        provisioning_state(&http, &tok, &again.url(), "rg-inflight").await,
        "Succeeded"
    );
    again.stop();
}

#[tokio::test]
async fn an_operation_due_while_the_emulator_was_down_is_finished_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let emu = boot(dir.path(), 300).await;
    let http = client_for(&emu.ca_pem);
    let tok = token(&http, &emu.url()).await;
    let op = start_put(&http, &tok, &emu.url(), "rg-due").await;
    let old_base = emu.url();
    emu.stop();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let again = boot(dir.path(), 300).await;
    let tok = token(&http, &again.url()).await;
    // Not stuck in Updating: the write finished while nobody was looking.
    assert_eq!(
        provisioning_state(&http, &tok, &again.url(), "rg-due").await,
        "Succeeded"
    );
    let (s, _, b) = call(
        &http,
        &tok,
        reqwest::Method::GET,
        &op.replace(&old_base, &again.url()),
        None,
    )
    .await;
    assert_eq!((s, b["status"].clone()), (StatusCode::OK, json!("Succeeded")));
    again.stop();
}

#[tokio::test]
async fn tokens_are_never_persisted_but_stay_valid_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let emu = boot(dir.path(), 100).await;
    let http = client_for(&emu.ca_pem);
    let tok = token(&http, &emu.url()).await;
    group(&http, &tok, &emu.url(), "rg-tokens").await;
    let state = std::fs::read_to_string(dir.path().join("state.json")).unwrap();
    assert!(!state.contains(&tok), "state.json holds an issued token");
    let parsed: Value = serde_json::from_str(&state).unwrap();
    assert!(parsed.get("tokens").is_none(), "state.json has a tokens list");
    emu.stop();

    let again = boot(dir.path(), 100).await;
    let url = format!("{}{SUB}/resourceGroups/rg-tokens?api-version={RG}", again.url());
    let (s, _, _) = call(&http, &tok, reqwest::Method::GET, &url, None).await;
    assert_eq!(s, StatusCode::OK, "a token issued before the restart");
    // A forged token (right shape, wrong signature) is refused.
    let (nonce, _) = tok.rsplit_once('.').unwrap();
    let forged = format!("{nonce}.{}", "0".repeat(64));
    let (s, _, b) = call(&http, &forged, reqwest::Method::GET, &url, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    assert_eq!(b["error"]["code"], "InvalidAuthenticationToken");
    let state = std::fs::read_to_string(dir.path().join("state.json")).unwrap();
    assert!(!state.contains(&tok));
    again.stop();
}

#[tokio::test]
async fn a_subnet_keeps_its_casing_when_addressed_with_another() {
    let dir = tempfile::tempdir().unwrap();
    let emu = boot(dir.path(), 50).await;
    let http = client_for(&emu.ca_pem);
    let tok = token(&http, &emu.url()).await;
    let base = emu.url();
    group(&http, &tok, &base, "rg-case").await;
    let vnet = format!("{SUB}/resourceGroups/rg-case/providers/Microsoft.Network/virtualNetworks/vnet");
    let body = json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.10.0.0/16"]},
        "subnets": [{"name": "Nodes", "properties": {"addressPrefix": "10.10.1.0/24"}}, {"name": "pods", "properties": {"addressPrefix": "10.10.2.0/24"}}]}});
    let (s, _, b) = call(
        &http,
        &tok,
        reqwest::Method::PUT,
        &format!("{base}{vnet}?api-version={NET}"),
        Some(body),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // Let the VNet's own operation finish (it locks the VNet while it runs).
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (s, _, b) = call(
        &http,
        &tok,
        reqwest::Method::PUT,
        &format!("{base}{vnet}/subnets/NODES?api-version={NET}"),
        Some(json!({"properties": {"addressPrefix": "10.10.1.0/24", "serviceEndpoints": []}})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["name"], "Nodes");
    assert!(b["id"].as_str().unwrap().ends_with("/subnets/Nodes"), "{b}");
    for path in [format!("{vnet}/subnets/nodes"), format!("{vnet}/subnets/Nodes")] {
        let (s, _, b) = call(
            &http,
            &tok,
            reqwest::Method::GET,
            &format!("{base}{path}?api-version={NET}"),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(b["name"], "Nodes");
        assert!(b["id"].as_str().unwrap().ends_with("/subnets/Nodes"), "{b}");
    }
    let (_, _, v) = call(
        &http,
        &tok,
        reqwest::Method::GET,
        &format!("{base}{vnet}?api-version={NET}"),
        None,
    )
    .await;
    let names: Vec<&str> = v["properties"]["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    // Neither renamed nor moved.
    assert_eq!(names, ["Nodes", "pods"]);
    emu.stop();
}

#[tokio::test]
async fn a_hang_fault_reads_the_request_and_never_answers() {
    let dir = tempfile::tempdir().unwrap();
    let emu = boot(dir.path(), 50).await;
    let http = client_for(&emu.ca_pem);
    let tok = token(&http, &emu.url()).await;
    let base = emu.url();
    group(&http, &tok, &base, "rg-hang").await;
    let r = http
        .post(format!("{base}/_emulator/faults"))
        .json(&json!({"method": "GET", "path": "resourceGroups/rg-hang", "hang": true}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let url = format!("{base}{SUB}/resourceGroups/rg-hang?api-version={RG}");
    let started = Instant::now();
    let hung = http
        .get(&url)
        .bearer_auth(&tok)
        .timeout(Duration::from_secs(1))
        .send()
        .await;
    let err = hung.expect_err("a hung request got an answer");
    assert!(err.is_timeout(), "{err}");
    assert!(started.elapsed() >= Duration::from_secs(1));
    // The fault is used up: the next request is answered.
    let (s, _, _) = call(&http, &tok, reqwest::Method::GET, &url, None).await;
    assert_eq!(s, StatusCode::OK);
    emu.stop();
}

#[tokio::test]
async fn the_sample_clients_secret_is_checked_as_entra_checks_it() {
    use aksnet_emulator::{SAMPLE_CLIENT, SAMPLE_SECRET};
    let dir = tempfile::tempdir().unwrap();
    let emu = boot(dir.path(), 50).await;
    let http = client_for(&emu.ca_pem);
    let ask = |client: &str, secret: &str| {
        http.post(format!("{}/tenant-1/oauth2/v2.0/token", emu.url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "grant_type=client_credentials&client_id={client}&client_secret={secret}&scope=x"
            ))
    };
    let (s, _, b) = send(ask(SAMPLE_CLIENT, SAMPLE_SECRET)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, _, b) = send(ask(SAMPLE_CLIENT, "not-the-secret")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    assert_eq!(b["error"], "invalid_client");
    let text = b["error_description"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("AADSTS7000215: Invalid client secret provided."),
        "{b}"
    );
    assert!(
        !b.to_string().contains("not-the-secret"),
        "the secret is echoed: {b}"
    );
    // Any other client is an app whose secret the emulator does not know: any value works.
    let (s, _, b) = send(ask("app", "whatever")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    emu.stop();
}
