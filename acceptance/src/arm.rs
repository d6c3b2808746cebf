//! A small blocking ARM client for the harness: cloud discovery from `ARM_*` settings, a token,
//! and requests that wait for long-running operations. It shares no code with the provider's
//! client, so a bug there cannot hide itself in the fixtures the tests stand on.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Looks up one setting (`ARM_*`, `SSL_CERT_FILE`); empty values count as unset.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment as a [`Lookup`].
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn truthy(v: Option<String>) -> bool {
    v.is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
}

/// What is missing to reach ARM, as variable names (empty when nothing is). The harness
/// authenticates with a client secret, an OIDC token (`ARM_OIDC_TOKEN`,
/// `ARM_OIDC_TOKEN_FILE_PATH`, or a GitHub Actions request with `ARM_USE_OIDC=true`), or the
/// Azure CLI (`ARM_USE_CLI=true`).
pub fn missing_settings(get: Lookup) -> Vec<&'static str> {
    let mut missing = Vec::new();
    for v in ["ARM_SUBSCRIPTION_ID", "ARM_TENANT_ID"] {
        if get(v).is_none() {
            missing.push(v);
        }
    }
    if truthy(get("ARM_USE_CLI")) {
        return missing;
    }
    if get("ARM_CLIENT_ID").is_none() {
        missing.push("ARM_CLIENT_ID");
    }
    let oidc_request = truthy(get("ARM_USE_OIDC"))
        && (get("ARM_OIDC_REQUEST_URL").is_some() || get("ACTIONS_ID_TOKEN_REQUEST_URL").is_some());
    let credential = get("ARM_CLIENT_SECRET").is_some()
        || get("ARM_OIDC_TOKEN").is_some()
        || get("ARM_OIDC_TOKEN_FILE_PATH").is_some()
        || oidc_request;
    if !credential {
        missing.push("ARM_CLIENT_SECRET");
    }
    missing
}

/// How the harness gets its token.
enum Credential {
    Secret {
        client_id: String,
        secret: String,
    },
    /// A federated token, read anew for every token request.
    Assertion {
        client_id: String,
        source: Assertion,
    },
    Cli,
}

enum Assertion {
    Token(String),
    File(String),
    Request { url: String, bearer: String },
}

/// One HTTP answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: Value,
    headers: reqwest::header::HeaderMap,
}

impl Response {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn retry_after(&self) -> Option<Duration> {
        self.header("retry-after")
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(Duration::from_secs)
    }

    fn error(&self) -> String {
        let e = self.body.get("error").unwrap_or(&self.body);
        format!(
            "HTTP {} {}: {}",
            self.status,
            e["code"].as_str().unwrap_or(""),
            e["message"].as_str().unwrap_or("")
        )
    }
}

/// Endpoints, credential and a cached token for one subscription.
pub struct ArmClient {
    http: reqwest::blocking::Client,
    /// `https://management.azure.com` (no trailing slash).
    resource_manager: String,
    login: String,
    audience: String,
    tenant: String,
    pub subscription: String,
    credential: Credential,
    token: Mutex<Option<(String, Instant)>>,
}

/// Percent-encodes a form value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl ArmClient {
    /// Builds a client from `ARM_*` settings: `ARM_METADATA_HOSTNAME` (or `ARM_METADATA_HOST`)
    /// for a custom cloud or the emulator, else `ARM_ENVIRONMENT` (public by default).
    /// `SSL_CERT_FILE`, when set, adds its certificates to the trusted roots.
    pub fn from_settings(get: Lookup) -> Result<ArmClient, String> {
        let missing = missing_settings(get);
        if !missing.is_empty() {
            return Err(format!("set {}", missing.join(" ")));
        }
        let mut builder = reqwest::blocking::Client::builder().timeout(Duration::from_secs(60));
        if let Some(file) = get("SSL_CERT_FILE") {
            let pem = std::fs::read(&file).map_err(|e| format!("reading SSL_CERT_FILE {file}: {e}"))?;
            for cert in reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("SSL_CERT_FILE {file}: {e}"))?
            {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| format!("building the HTTP client: {e}"))?;
        let metadata = get("ARM_METADATA_HOSTNAME").or_else(|| get("ARM_METADATA_HOST"));
        let (resource_manager, login, audience) = match metadata {
            Some(host) => discover(&http, &host)?,
            None => builtin(&get("ARM_ENVIRONMENT").unwrap_or_default())?,
        };
        let client_id = get("ARM_CLIENT_ID").unwrap_or_default();
        let credential = if let Some(secret) = get("ARM_CLIENT_SECRET") {
            Credential::Secret { client_id, secret }
        } else if let Some(token) = get("ARM_OIDC_TOKEN") {
            Credential::Assertion {
                client_id,
                source: Assertion::Token(token),
            }
        } else if let Some(path) = get("ARM_OIDC_TOKEN_FILE_PATH") {
            Credential::Assertion {
                client_id,
                source: Assertion::File(path),
            }
        } else if let (Some(url), Some(bearer)) = (
            get("ARM_OIDC_REQUEST_URL").or_else(|| get("ACTIONS_ID_TOKEN_REQUEST_URL")),
            get("ARM_OIDC_REQUEST_TOKEN").or_else(|| get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")),
        ) {
            Credential::Assertion {
                client_id,
                source: Assertion::Request { url, bearer },
            }
        } else {
            Credential::Cli
        };
        Ok(ArmClient {
            http,
            resource_manager,
            login,
            audience,
            tenant: get("ARM_TENANT_ID").unwrap_or_default(),
            subscription: get("ARM_SUBSCRIPTION_ID").unwrap_or_default(),
            credential,
            token: Mutex::new(None),
        })
    }

    /// The resource manager's base URL.
    pub fn endpoint(&self) -> &str {
        &self.resource_manager
    }

    fn token(&self) -> Result<String, String> {
        let mut cached = self.token.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((t, until)) = cached.as_ref() {
            if Instant::now() < *until {
                return Ok(t.clone());
            }
        }
        let (token, lifetime) = self.fresh_token()?;
        // Renew five minutes early.
        let until = Instant::now() + lifetime.saturating_sub(Duration::from_secs(300));
        *cached = Some((token.clone(), until));
        Ok(token)
    }

    fn fresh_token(&self) -> Result<(String, Duration), String> {
        let scope = format!("{}/.default", self.audience.trim_end_matches('/'));
        let (client_id, secret_field) = match &self.credential {
            Credential::Cli => return self.cli_token(),
            Credential::Secret { client_id, secret } => (client_id, format!("client_secret={}", enc(secret))),
            Credential::Assertion { client_id, source } => {
                let assertion = match source {
                    Assertion::Token(t) => t.clone(),
                    Assertion::File(p) => std::fs::read_to_string(p)
                        .map(|s| s.trim().to_string())
                        .map_err(|e| format!("reading ARM_OIDC_TOKEN_FILE_PATH {p}: {e}"))?,
                    Assertion::Request { url, bearer } => {
                        let sep = if url.contains('?') { '&' } else { '?' };
                        let v: Value = self
                            .http
                            .get(format!("{url}{sep}audience=api%3A%2F%2FAzureADTokenExchange"))
                            .bearer_auth(bearer)
                            .send()
                            .and_then(|r| r.json())
                            .map_err(|e| format!("requesting an OIDC token: {e}"))?;
                        v["value"]
                            .as_str()
                            .ok_or("the OIDC token response has no \"value\"")?
                            .to_string()
                    }
                };
                (
                    client_id,
                    format!(
                        "client_assertion_type={}&client_assertion={}",
                        enc("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                        enc(&assertion)
                    ),
                )
            }
        };
        let form = format!(
            "grant_type=client_credentials&client_id={}&{secret_field}&scope={}",
            enc(client_id),
            enc(&scope)
        );
        let url = format!("{}/{}/oauth2/v2.0/token", self.login, self.tenant);
        let resp = self
            .http
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .map_err(|e| format!("POST {url}: {e}"))?;
        let status = resp.status().as_u16();
        let v: Value = resp.json().unwrap_or(Value::Null);
        match v["access_token"].as_str() {
            Some(t) if status == 200 => Ok((
                t.to_string(),
                Duration::from_secs(v["expires_in"].as_u64().unwrap_or(3599)),
            )),
            _ => Err(format!(
                "token request to {url} failed: HTTP {status} {}",
                v["error_description"].as_str().unwrap_or("")
            )),
        }
    }

    fn cli_token(&self) -> Result<(String, Duration), String> {
        let out = std::process::Command::new("az")
            .args([
                "account",
                "get-access-token",
                "--resource",
                &self.audience,
                "--tenant",
                &self.tenant,
                "--output",
                "json",
            ])
            .output()
            .map_err(|e| format!("running az account get-access-token: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "az account get-access-token failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let v: Value =
            serde_json::from_slice(&out.stdout).map_err(|e| format!("az account get-access-token: {e}"))?;
        let token = v["accessToken"]
            .as_str()
            .ok_or("az account get-access-token printed no accessToken")?;
        // The CLI refreshes on its own; ask again after ten minutes.
        Ok((token.to_string(), Duration::from_secs(900)))
    }

    fn url(&self, id_or_url: &str, api_version: &str) -> String {
        if id_or_url.starts_with("https://") {
            return id_or_url.to_string();
        }
        let sep = if id_or_url.contains('?') { '&' } else { '?' };
        format!(
            "{}{id_or_url}{sep}api-version={api_version}",
            self.resource_manager
        )
    }

    /// One request (an ARM id, or an absolute URL such as a poll or `nextLink`), retrying
    /// throttling, server errors and dropped connections a few times.
    pub fn send(
        &self,
        method: &str,
        id_or_url: &str,
        api_version: &str,
        body: Option<&Value>,
    ) -> Result<Response, String> {
        let url = self.url(id_or_url, api_version);
        let m =
            reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| format!("method {method}: {e}"))?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut req = self.http.request(m.clone(), &url).bearer_auth(self.token()?);
            if let Some(b) = body {
                req = req.json(b);
            }
            match req.send() {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    let text = resp.text().unwrap_or_default();
                    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
                    let r = Response {
                        status,
                        body,
                        headers,
                    };
                    if (status == 429 || status >= 500) && attempt < 6 {
                        std::thread::sleep(
                            r.retry_after()
                                .unwrap_or(Duration::from_secs(2))
                                .min(Duration::from_secs(30)),
                        );
                        continue;
                    }
                    return Ok(r);
                }
                Err(_) if attempt < 4 => {
                    std::thread::sleep(Duration::from_secs(1));
                }
                Err(e) => return Err(format!("{method} {url}: {e}")),
            }
        }
    }

    /// Sends a request and, when it starts a long-running operation, waits until it ends
    /// (within `timeout`). Returns the first answer's status and, for a PUT, the resource as
    /// it ends up; a failed operation is an error naming its code.
    pub fn send_and_wait(
        &self,
        method: &str,
        id: &str,
        api_version: &str,
        body: Option<&Value>,
        timeout: Duration,
    ) -> Result<(u16, Value), String> {
        let first = self.send(method, id, api_version, body)?;
        if first.status >= 300 {
            return Err(format!("{method} {id}: {}", first.error()));
        }
        self.wait(&first, timeout)
            .map_err(|e| format!("{method} {id}: {e}"))?;
        if method == "PUT" {
            let got = self.send("GET", id, api_version, None)?;
            if got.status >= 300 {
                return Err(format!("GET {id} after PUT: {}", got.error()));
            }
            return Ok((first.status, got.body));
        }
        Ok((first.status, first.body))
    }

    /// Waits for the operation an answer started: `Azure-AsyncOperation` first (its status),
    /// else `Location` (202 while running). Honours `Retry-After` (at most 15 s between polls).
    pub fn wait(&self, started: &Response, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut pause = started.retry_after().unwrap_or(Duration::from_secs(1));
        let (url, by_status) = match (started.header("azure-asyncoperation"), started.header("location")) {
            (Some(u), _) => (u.to_string(), true),
            (None, Some(u)) if started.status == 202 => (u.to_string(), false),
            _ => return Ok(()),
        };
        loop {
            std::thread::sleep(pause.clamp(Duration::from_millis(200), Duration::from_secs(15)));
            let r = self.send("GET", &url, "", None)?;
            if by_status {
                match r.body["status"].as_str() {
                    Some("Succeeded") => return Ok(()),
                    Some("Failed") | Some("Canceled") => {
                        let e = &r.body["error"];
                        return Err(format!(
                            "the operation ended {}: {} {}",
                            r.body["status"].as_str().unwrap_or(""),
                            e["code"].as_str().unwrap_or(""),
                            e["message"].as_str().unwrap_or("")
                        ));
                    }
                    _ if r.status >= 400 => return Err(format!("polling the operation: {}", r.error())),
                    _ => {}
                }
            } else if r.status >= 400 {
                return Err(format!("the operation failed: {}", r.error()));
            } else if r.status != 202 {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("the operation did not finish within {timeout:?} ({url})"));
            }
            pause = r.retry_after().unwrap_or(Duration::from_secs(2));
        }
    }

    /// The subscription's resource groups (`ResourceGroups_List`, following `nextLink`).
    pub fn resource_groups(&self) -> Result<Vec<Value>, String> {
        let mut out = Vec::new();
        let mut next = format!("/subscriptions/{}/resourcegroups", self.subscription);
        loop {
            let r = self.send("GET", &next, RESOURCES_API, None)?;
            if r.status != 200 {
                return Err(format!("listing resource groups: {}", r.error()));
            }
            out.extend(r.body["value"].as_array().cloned().unwrap_or_default());
            match r.body["nextLink"].as_str() {
                Some(link) if !link.is_empty() => next = link.to_string(),
                _ => return Ok(out),
            }
        }
    }

    /// Deletes a resource group and waits; a group that is already gone is fine.
    pub fn delete_group(&self, name: &str, timeout: Duration) -> Result<(), String> {
        let id = format!("/subscriptions/{}/resourceGroups/{name}", self.subscription);
        let r = self.send("DELETE", &id, RESOURCES_API, None)?;
        match r.status {
            404 => Ok(()),
            s if s >= 300 && s != 202 => Err(format!("DELETE {id}: {}", r.error())),
            _ => self.wait(&r, timeout).map_err(|e| format!("DELETE {id}: {e}")),
        }
    }
}

/// The Microsoft.Resources api-version the harness uses (the one the emulator serves).
pub const RESOURCES_API: &str = "2023-07-01";

/// The api-version for an ARM id, by its namespace (the versions the provider and emulator use).
pub fn api_version_for_id(id: &str) -> Option<&'static str> {
    let seg: Vec<&str> = id.trim_matches('/').split('/').collect();
    match seg.iter().position(|s| s.eq_ignore_ascii_case("providers")) {
        Some(i) => seg
            .get(i + 1)
            .and_then(|ns| aksnet_emulator::ids::api_version_for(ns)),
        None => Some(RESOURCES_API),
    }
}

fn builtin(environment: &str) -> Result<(String, String, String), String> {
    let (rm, login, audience) = match environment {
        "" | "public" => (
            "https://management.azure.com",
            "https://login.microsoftonline.com",
            "https://management.core.windows.net/",
        ),
        "usgovernment" => (
            "https://management.usgovcloudapi.net",
            "https://login.microsoftonline.us",
            "https://management.core.usgovcloudapi.net/",
        ),
        "china" => (
            "https://management.chinacloudapi.cn",
            "https://login.chinacloudapi.cn",
            "https://management.core.chinacloudapi.cn/",
        ),
        other => {
            return Err(format!(
                "ARM_ENVIRONMENT={other} is not supported (public, usgovernment, china)"
            ))
        }
    };
    Ok((rm.into(), login.into(), audience.into()))
}

/// Reads `https://HOST/metadata/endpoints` (one cloud, or a list of them).
fn discover(http: &reqwest::blocking::Client, host: &str) -> Result<(String, String, String), String> {
    let host = host.trim_start_matches("https://").trim_end_matches('/');
    let url = format!("https://{host}/metadata/endpoints?api-version=2022-09-01");
    let doc: Value = http
        .get(&url)
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .map_err(|e| format!("GET {url}: {e}"))?;
    let cloud = match &doc {
        Value::Array(items) => items
            .iter()
            .find(|c| c["resourceManager"].as_str().is_some_and(|rm| rm.contains(host)))
            .or_else(|| items.first())
            .cloned()
            .unwrap_or(json!({})),
        other => other.clone(),
    };
    let field = |p: &str| {
        cloud
            .pointer(p)
            .and_then(Value::as_str)
            .map(|s| s.trim_end_matches('/').to_string())
            .ok_or(format!("{url}: no {p}"))
    };
    Ok((
        field("/resourceManager")?,
        field("/authentication/loginEndpoint")?,
        field("/authentication/audiences/0")?,
    ))
}

/// A [`Lookup`] over a list of settings (such as [`crate::emulator::TestEmulator::env`]).
pub fn lookup_in(env: &[(String, String)]) -> impl Fn(&str) -> Option<String> + '_ {
    move |name| {
        env.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_settings_name_what_to_set() {
        let none = |_: &str| None;
        assert_eq!(
            missing_settings(&none),
            [
                "ARM_SUBSCRIPTION_ID",
                "ARM_TENANT_ID",
                "ARM_CLIENT_ID",
                "ARM_CLIENT_SECRET"
            ]
        );
        let env = [
            ("ARM_SUBSCRIPTION_ID".to_string(), "s".to_string()),
            ("ARM_TENANT_ID".into(), "t".into()),
            ("ARM_CLIENT_ID".into(), "c".into()),
            ("ARM_OIDC_TOKEN".into(), "jwt".into()),
        ];
        assert!(missing_settings(&lookup_in(&env)).is_empty());
        let cli = [
            ("ARM_SUBSCRIPTION_ID".to_string(), "s".to_string()),
            ("ARM_USE_CLI".into(), "true".into()),
        ];
        assert_eq!(missing_settings(&lookup_in(&cli)), ["ARM_TENANT_ID"]);
    }

    #[test]
    fn api_versions_follow_the_namespace() {
        assert_eq!(
            api_version_for_id("/subscriptions/s/resourceGroups/rg"),
            Some(RESOURCES_API)
        );
        assert_eq!(
            api_version_for_id(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"
            ),
            Some("2025-01-01")
        );
    }

    #[test]
    fn form_values_are_encoded() {
        assert_eq!(enc("a b/c=d&e"), "a%20b%2Fc%3Dd%26e");
    }
}
