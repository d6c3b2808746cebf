//! An aksnet-emulator for one test case: its own data directory, CA and port, the `ARM_*`
//! environment that points a provider at it, and admin calls (faults, inventory, direct ARM).

use std::path::PathBuf;

use serde_json::{json, Value};

pub use aksnet_emulator::{SAMPLE_CLIENT, SAMPLE_SECRET, SAMPLE_SUBSCRIPTION, SAMPLE_TENANT};

/// A running emulator (in a thread of its own) and a client that trusts its CA.
pub struct TestEmulator {
    pub host: String,
    pub ca_file: PathBuf,
    client: reqwest::blocking::Client,
    _dir: tempfile::TempDir,
}

impl TestEmulator {
    /// Starts an emulator seeded with `seeds` (`[{"id", "body"}]`).
    pub fn start(seeds: Value) -> TestEmulator {
        Self::start_with(seeds, 200)
    }

    /// Like [`TestEmulator::start`], with LROs lasting `lro_ms`.
    pub fn start_with(seeds: Value, lro_ms: u64) -> TestEmulator {
        Self::start_full(seeds, lro_ms, 0)
    }

    /// Like [`TestEmulator::start`], with LRO duration and per-request latency.
    pub fn start_full(seeds: Value, lro_ms: u64, latency_ms: u64) -> TestEmulator {
        Self::start_limited(seeds, lro_ms, latency_ms, None)
    }

    /// Like [`TestEmulator::start_full`], with ARM's per-second write limit (429 beyond it).
    pub fn start_limited(
        seeds: Value,
        lro_ms: u64,
        latency_ms: u64,
        writes_per_second: Option<u32>,
    ) -> TestEmulator {
        let dir = tempfile::tempdir().expect("tempdir");
        let seed_file = dir.path().join("seed.json");
        std::fs::write(&seed_file, seeds.to_string()).expect("seed file");
        let data_dir = dir.path().join("data");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                // `make conformance` records every ARM exchange for validate-traffic.
                let record = std::env::var_os("AKSNET_EMULATOR_RECORD").map(std::path::PathBuf::from);
                let opts = aksnet_emulator::Options {
                    data_dir,
                    seeds: vec![seed_file],
                    lro_ms,
                    latency_ms,
                    record,
                    writes_per_second,
                    ..Default::default()
                };
                let running = aksnet_emulator::start(opts).await.expect("emulator starts");
                tx.send((running.addr, running.data_dir.join("ca.pem")))
                    .expect("send");
                std::future::pending::<()>().await;
            });
        });
        let (addr, ca_file) = rx.recv().expect("emulator address");
        let pem = std::fs::read(&ca_file).expect("ca.pem");
        let client = reqwest::blocking::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("pem"))
            .build()
            .expect("client");
        TestEmulator {
            host: addr.to_string(),
            ca_file,
            client,
            _dir: dir,
        }
    }

    /// The environment a provider needs to use this emulator (as `env.sh` writes it), plus an
    /// empty `SSL_CERT_DIR`: the provider then trusts exactly the emulator's CA. An inherited
    /// `SSL_CERT_DIR` (Debian images set `/etc/ssl/certs`) adds the whole system store, which
    /// rustls-native-certs parses for every HTTP client the provider builds; in debug builds
    /// that was a third of the machine's CPU during the acceptance tests (perf), and the
    /// emulator's certificate is the only one the provider may need here.
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("ARM_METADATA_HOSTNAME", self.host.as_str()),
            ("SSL_CERT_FILE", self.ca_file.to_str().unwrap_or_default()),
            ("SSL_CERT_DIR", ""),
            ("ARM_TENANT_ID", SAMPLE_TENANT),
            ("ARM_CLIENT_ID", SAMPLE_CLIENT),
            ("ARM_CLIENT_SECRET", SAMPLE_SECRET),
            ("ARM_SUBSCRIPTION_ID", SAMPLE_SUBSCRIPTION),
            ("ARM_USE_CLI", "false"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    /// `POST /_emulator/{what}` with `body`, which the emulator must accept.
    fn admin(&self, what: &str, body: &Value) {
        let r = self
            .client
            .post(format!("https://{}/_emulator/{what}", self.host))
            .json(body)
            .send()
            .expect(what);
        assert!(
            r.status().is_success(),
            "{what} rejected: {}",
            r.text().unwrap_or_default()
        );
    }

    /// Injects a fault (see the emulator README for the shape).
    pub fn fault(&self, fault: Value) {
        self.admin("faults", &fault);
    }

    /// Stores resources as already provisioned (`[{"id", "body"}]`, like the start seeds).
    pub fn seed(&self, items: Value) {
        self.admin("seeds", &items);
    }

    /// Ends an outage that an `outage` fault started.
    pub fn end_outage(&self) {
        let r = self
            .client
            .delete(format!("https://{}/_emulator/outage", self.host))
            .send()
            .expect("end outage");
        assert!(r.status().is_success(), "end outage: {}", r.status());
    }

    /// Every resource the emulator holds: `(id, body)`.
    pub fn inventory(&self) -> Vec<(String, Value)> {
        let v: Value = self
            .client
            .get(format!("https://{}/_emulator/inventory", self.host))
            .send()
            .expect("inventory")
            .json()
            .expect("json");
        v["resources"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                (
                    r["id"].as_str().unwrap_or_default().to_string(),
                    r["body"].clone(),
                )
            })
            .collect()
    }

    /// Request counters (reads, writes, polls).
    pub fn counters(&self) -> Value {
        self.client
            .get(format!("https://{}/_emulator/counters", self.host))
            .send()
            .expect("counters")
            .json()
            .expect("json")
    }

    fn token(&self) -> String {
        let form = format!(
            "grant_type=client_credentials&client_id={SAMPLE_CLIENT}&client_secret={SAMPLE_SECRET}&scope=x"
        );
        let v: Value = self
            .client
            .post(format!("https://{}/{SAMPLE_TENANT}/oauth2/v2.0/token", self.host))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .expect("token")
            .json()
            .expect("json");
        v["access_token"].as_str().unwrap_or_default().to_string()
    }

    /// A direct ARM call, as someone else (AKS, a colleague) would make it out of band.
    pub fn arm(&self, method: &str, id: &str, api_version: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("https://{}{id}?api-version={api_version}", self.host);
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.client.request(m, url).bearer_auth(self.token());
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().expect("arm call");
        let status = resp.status().as_u16();
        (status, resp.json().unwrap_or(json!(null)))
    }
}
