//! What the emulator's own test files share: a plain HTTPS client (reqwest over rustls, no
//! aksnet code) that trusts the emulator's CA, an access token from its Entra token endpoint,
//! and ARM calls with the api-version and the bearer token. Each test file adds its own
//! fixtures in an `impl Emu` of its own.

// Every test file is its own crate and uses part of this module.
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use aksnet_emulator::{start, Options, Running};
use reqwest::header::HeaderMap;
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};

pub const SUB: &str = "/subscriptions/11111111-2222-3333-4444-555555555555";
/// The api-versions the emulator serves: Microsoft.Network, Microsoft.ContainerService,
/// Microsoft.Resources.
pub const NET: &str = "2025-01-01";
pub const AKS: &str = "2025-10-01";
pub const RG: &str = "2023-07-01";

/// Status, headers and JSON body (`Null` when there is none) of an answer.
pub type Answer = (StatusCode, HeaderMap, Value);

/// An HTTPS client that trusts the emulator's CA (and only the usual roots besides).
pub fn client_for(ca_pem: &str) -> Client {
    Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).expect("pem"))
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// An access token from the emulator at `base`, by client credentials with a secret.
pub async fn token(http: &Client, base: &str) -> String {
    let v: Value = http
        .post(format!("{base}/tenant-1/oauth2/v2.0/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&client_id=app&client_secret=s&scope=https%3A%2F%2Fmanagement.core.windows.net%2F.default")
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    v["access_token"].as_str().expect("access_token").to_string()
}

/// Sends a request and reads the answer.
pub async fn send(req: RequestBuilder) -> Answer {
    let resp = req.send().await.expect("request");
    let (status, headers) = (resp.status(), resp.headers().clone());
    (status, headers, resp.json().await.unwrap_or(Value::Null))
}

/// `method url` (a full URL) with bearer token `tok` and an optional JSON body.
pub async fn call(http: &Client, tok: &str, method: Method, url: &str, body: Option<Value>) -> Answer {
    let mut req = http.request(method, url).bearer_auth(tok);
    if let Some(b) = body {
        req = req.json(&b);
    }
    send(req).await
}

/// A running emulator with a client and a token.
pub struct Emu {
    pub running: Running,
    pub http: Client,
    pub token: String,
    /// The data directory, when the emulator owns it.
    _dir: Option<tempfile::TempDir>,
}

impl Emu {
    /// Starts an emulator on `dir` with `opts`. `make conformance` records these exchanges too
    /// (`AKSNET_EMULATOR_RECORD`) unless `opts` records elsewhere.
    pub async fn start(dir: &Path, opts: Options) -> Emu {
        let record = opts
            .record
            .clone()
            .or_else(|| std::env::var_os("AKSNET_EMULATOR_RECORD").map(Into::into));
        let running = start(Options {
            data_dir: dir.to_path_buf(),
            record,
            ..opts
        })
        .await
        .expect("starts");
        Emu::connect(running).await
    }

    /// Starts an emulator on a data directory of its own, removed when it is dropped.
    pub async fn fresh(opts: Options) -> Emu {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut emu = Emu::start(dir.path(), opts).await;
        emu._dir = Some(dir);
        emu
    }

    /// A client and a token for an emulator that is running.
    pub async fn connect(running: Running) -> Emu {
        let http = client_for(&running.ca_pem);
        let token = token(&http, &running.url()).await;
        Emu {
            running,
            http,
            token,
            _dir: None,
        }
    }

    /// `method path?api-version=api` with extra `headers` and an optional JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        api: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut req = self
            .http
            .request(method, format!("{}{path}?api-version={api}", self.running.url()))
            .bearer_auth(&self.token);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        send(req).await
    }

    pub async fn put(&self, path: &str, api: &str, body: Value) -> Answer {
        self.call(Method::PUT, path, api, Some(body), &[]).await
    }

    pub async fn get(&self, path: &str, api: &str) -> (StatusCode, Value) {
        let (s, _, b) = self.call(Method::GET, path, api, None, &[]).await;
        (s, b)
    }

    /// `POST /_emulator/{path}` (faults, seeds, reset, …), which must succeed.
    pub async fn admin(&self, path: &str, body: Value) {
        let r = self
            .http
            .post(format!("{}/_emulator/{path}", self.running.url()))
            .json(&body)
            .send()
            .await
            .expect("admin");
        assert!(r.status().is_success(), "/_emulator/{path}: {}", r.status());
    }

    /// Resource group `rg` in westeurope, which must be created or updated.
    pub async fn group(&self, rg: &str) {
        let (s, _, b) = self
            .put(
                &format!("{SUB}/resourceGroups/{rg}"),
                RG,
                json!({"location": "westeurope"}),
            )
            .await;
        assert!(s.is_success(), "{rg}: {s} {b}");
    }

    /// Polls the Azure-AsyncOperation URL in `h` until the operation is terminal (5 s at most).
    pub async fn wait(&self, h: &HeaderMap) -> Value {
        let url = h["azure-asyncoperation"].to_str().expect("op url").to_string();
        for _ in 0..100 {
            let v: Value = self
                .http
                .get(&url)
                .bearer_auth(&self.token)
                .send()
                .await
                .expect("poll")
                .json()
                .await
                .expect("json");
            if v["status"] != "InProgress" {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("operation never finished");
    }

    /// A PUT that must be accepted and succeed; the resource as GET then shows it.
    pub async fn create(&self, path: &str, api: &str, body: Value) -> Value {
        let (s, h, b) = self.put(path, api, body).await;
        assert!(s.is_success(), "{path}: {s} {b}");
        let done = self.wait(&h).await;
        assert_eq!(done["status"], "Succeeded", "{path}: {done}");
        self.get(path, api).await.1
    }
}
