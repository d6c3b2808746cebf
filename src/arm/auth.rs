//! Credentials and cloud discovery. `azure_identity` 1.0 reads no `ARM_*` variables and has no
//! default chain, so the provider maps its settings itself and tries credentials in a fixed,
//! documented order. Nothing here logs or formats a secret.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::error::ErrorKind;
use azure_core::http::headers::HeaderName;
use azure_core::http::{
    ClientMethodOptions, ClientOptions, Context, Method, Pipeline, PipelineSendOptions, Request, Url,
};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientAssertion, ClientAssertionCredential,
    ClientAssertionCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::signature::{KeyPair, RsaKeyPair, RSA_PKCS1_SHA256};
use thiserror::Error;

use super::msi_probe;

/// Why the cloud could not be discovered or no credential could be chosen or proven. The texts
/// name attributes, `ARM_*` variables, URLs and causes; they never carry the value of a secret
/// setting (client secret, certificate or its password, OIDC tokens), so they may be logged and
/// shown as diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthError {
    /// `environment` names no built-in cloud.
    #[error("environment \"{0}\" is not supported; possible values are public, usgovernment and china (use metadata_host for other clouds)")]
    UnknownEnvironment(String),
    /// `metadata_host` was given with `http://`.
    #[error("metadata_host must not use plain http")]
    PlainHttpMetadataHost,
    /// Fetching `/metadata/endpoints` from `metadata_host` failed.
    #[error("discovering endpoints from metadata_host {host}: {source}")]
    Discovery {
        /// The host, without scheme.
        host: String,
        /// Why the request failed.
        source: Box<AuthError>,
    },
    /// The metadata document is a list without any cloud.
    #[error("the metadata document lists no cloud")]
    NoCloud,
    /// The metadata document lacks a field, e.g. `authentication.loginEndpoint`.
    #[error("the metadata has no {0}")]
    MetadataField(&'static str),
    /// The metadata's `resourceManager` is no URL.
    #[error("resourceManager \"{url}\": {source}")]
    ResourceManagerUrl {
        /// The value in the document.
        url: String,
        /// Why it does not parse.
        source: url::ParseError,
    },
    /// The metadata points at `http://` endpoints.
    #[error("the metadata points at a plain http:// endpoint; aksnet only talks to https endpoints")]
    PlainHttpMetadata,
    /// A built-in endpoint or a URL to request does not parse.
    #[error("invalid URL {url}: {source}")]
    Url {
        /// The URL.
        url: String,
        /// Why it does not parse.
        source: url::ParseError,
    },
    /// A token or metadata URL with `http://`.
    #[error("refusing the plain http URL {0}: aksnet only talks to https endpoints")]
    PlainHttpUrl(String),
    /// The request got no answer (DNS, TLS, connection).
    #[error("{verb} {url}: {cause}")]
    Transport {
        /// `GET` or `POST`.
        verb: String,
        /// The URL requested.
        url: String,
        /// The transport error (never the bearer token, which travels in a header).
        cause: String,
    },
    /// The answer was an HTTP error; `message` is the body's `message` field, if any.
    #[error("{verb} {url}: HTTP {status}{}", message.as_ref().map(|m| format!(": {m}")).unwrap_or_default())]
    Status {
        /// `GET` or `POST`.
        verb: String,
        /// The URL requested.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The answer's `message` field.
        message: Option<String>,
    },
    /// The answer was not JSON.
    #[error("{verb} {url}: decoding JSON: {cause}")]
    Json {
        /// `GET` or `POST`.
        verb: String,
        /// The URL requested.
        url: String,
        /// The decoder's error.
        cause: String,
    },
    /// `oidc_request_url` does not parse (Azure DevOps).
    #[error("invalid oidc_request_url {url}: {source}")]
    OidcRequestUrl {
        /// The configured URL.
        url: String,
        /// Why it does not parse.
        source: url::ParseError,
    },
    /// The client certificate cannot be used.
    #[error("client certificate: {0}")]
    Certificate(#[from] CertificateError),
    /// azure_identity refused to build a credential; `method` is e.g. `client secret`.
    #[error("{method} credential: {cause}")]
    Credential {
        /// The credential method.
        method: &'static str,
        /// azure_identity's error (it holds no secret).
        cause: String,
    },
    /// No credential method is configured; one line per method, in order, says why.
    #[error("{}", no_credential_message(.0))]
    NoCredential(Vec<String>),
    /// The chosen credentials were tried and none got a token (the message lists each).
    #[error("{0}")]
    Token(String),
    /// The first token did not arrive in time.
    #[error("{method}: no token after {secs}s")]
    TokenTimeout {
        /// The first credential method tried.
        method: &'static str,
        /// The limit, in seconds.
        secs: u64,
    },
}

/// Why a client certificate (a PKCS#12 bundle) cannot sign client assertions. Says what is
/// wrong, never the password or key material.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CertificateError {
    /// The PFX's integrity check failed.
    #[error("client_certificate_password is wrong or missing (the PFX's integrity check failed)")]
    WrongPassword,
    /// Not a PKCS#12 bundle at all.
    #[error("the data is not a PKCS#12 (PFX) bundle")]
    NotPkcs12,
    /// Encrypted or signed with an algorithm p12-keystore does not read.
    #[error("the PFX is protected with an unsupported algorithm; re-export it with OpenSSL's defaults (AES-256, HMAC-SHA256)")]
    UnsupportedAlgorithm,
    /// Any other PKCS#12 error.
    #[error("the PFX cannot be read: {0}")]
    Unreadable(String),
    /// A certificate without its private key.
    #[error("the PFX holds no private key; export the certificate together with its key (openssl pkcs12 -export -inkey KEY -in CERT)")]
    NoKey,
    /// A key other than RSA.
    #[error("the PFX's private key is not an RSA key (algorithm {0}); client assertions are signed RS256, so the certificate needs an RSA key")]
    NotRsa(String),
    /// ring refused the RSA key.
    #[error("the PFX's RSA private key is not usable: {0}")]
    UnusableKey(String),
    /// No certificate in the bundle carries the key's public half.
    #[error("the PFX holds no certificate for its private key")]
    NoCertificate,
    /// The token endpoint (the assertion's audience) cannot be built.
    #[error("token endpoint: {0}")]
    TokenEndpoint(url::ParseError),
    /// Signing failed.
    #[error("signing the client assertion failed")]
    Signing,
}

/// Resolved provider settings (config first, then `ARM_*` variables, then defaults).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AuthSettings {
    /// The subscription every request goes to (`ARM_SUBSCRIPTION_ID`).
    pub subscription_id: Option<String>,
    /// The Entra tenant to authenticate in (`ARM_TENANT_ID`).
    pub tenant_id: Option<String>,
    /// The service principal or managed identity client ID (`ARM_CLIENT_ID`).
    pub client_id: Option<String>,
    /// Service principal secret (`ARM_CLIENT_SECRET`); never logged.
    pub client_secret: Option<String>,
    /// A PKCS#12 (PFX) certificate, already decoded from base64 or read from its path.
    pub client_certificate: Option<Vec<u8>>,
    /// Password of `client_certificate` (`ARM_CLIENT_CERTIFICATE_PASSWORD`); never logged.
    pub client_certificate_password: Option<String>,
    /// Authenticate with a federated (OIDC) token (`ARM_USE_OIDC`).
    pub use_oidc: bool,
    /// The federated token itself (`ARM_OIDC_TOKEN`); never logged.
    pub oidc_token: Option<String>,
    /// A file holding the federated token (`ARM_OIDC_TOKEN_FILE_PATH`), re-read on expiry.
    pub oidc_token_file_path: Option<String>,
    /// Bearer token for requesting a federated token from CI (`ARM_OIDC_REQUEST_TOKEN`).
    pub oidc_request_token: Option<String>,
    /// Where CI hands out federated tokens (`ARM_OIDC_REQUEST_URL`).
    pub oidc_request_url: Option<String>,
    /// Azure DevOps service connection: the request URL is then Azure Pipelines' OIDC endpoint.
    pub ado_pipeline_service_connection_id: Option<String>,
    /// Use the token file AKS workload identity mounts (`AZURE_FEDERATED_TOKEN_FILE`).
    pub use_aks_workload_identity: bool,
    /// Authenticate as the managed identity of the machine (`ARM_USE_MSI`).
    pub use_msi: bool,
    /// A non-default managed identity endpoint (`ARM_MSI_ENDPOINT`).
    pub msi_endpoint: Option<String>,
    /// Fall back to the Azure CLI's login (`ARM_USE_CLI`).
    pub use_cli: bool,
    /// `public`, `usgovernment` or `china`.
    pub environment: String,
    /// Host serving `/metadata/endpoints` (custom clouds, the emulator).
    pub metadata_host: Option<String>,
}

impl fmt::Debug for AuthSettings {
    /// Secrets are shown only as set or unset.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |o: &Option<String>| if o.is_some() { "(set)" } else { "(unset)" };
        f.debug_struct("AuthSettings")
            .field("subscription_id", &self.subscription_id)
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &set(&self.client_secret))
            .field(
                "client_certificate",
                &if self.client_certificate.is_some() {
                    "(set)"
                } else {
                    "(unset)"
                },
            )
            .field(
                "client_certificate_password",
                &set(&self.client_certificate_password),
            )
            .field("use_oidc", &self.use_oidc)
            .field("oidc_token", &set(&self.oidc_token))
            .field("oidc_request_token", &set(&self.oidc_request_token))
            .field(
                "ado_pipeline_service_connection_id",
                &self.ado_pipeline_service_connection_id,
            )
            .field("use_msi", &self.use_msi)
            .field("use_cli", &self.use_cli)
            .field("environment", &self.environment)
            .field("metadata_host", &self.metadata_host)
            .finish()
    }
}

/// Endpoints of one Azure cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cloud {
    /// The ARM endpoint every request goes to, e.g. `https://management.azure.com/`.
    pub resource_manager: Url,
    /// Entra authority host, e.g. `https://login.microsoftonline.com`.
    pub authority_host: String,
    /// Token scope for ARM, e.g. `https://management.core.windows.net/.default`.
    pub scope: String,
}

impl Cloud {
    /// The built-in clouds by `environment` name.
    pub fn builtin(environment: &str) -> Result<Cloud, AuthError> {
        let (rm, login, audience) = match environment {
            "" | "public" => (
                "https://management.azure.com/",
                "https://login.microsoftonline.com",
                "https://management.core.windows.net/",
            ),
            "usgovernment" => (
                "https://management.usgovcloudapi.net/",
                "https://login.microsoftonline.us",
                "https://management.core.usgovcloudapi.net/",
            ),
            "china" => (
                "https://management.chinacloudapi.cn/",
                "https://login.chinacloudapi.cn",
                "https://management.core.chinacloudapi.cn/",
            ),
            other => return Err(AuthError::UnknownEnvironment(other.to_string())),
        };
        Ok(Cloud {
            resource_manager: Url::parse(rm).map_err(|source| AuthError::Url {
                url: rm.to_string(),
                source,
            })?,
            authority_host: login.to_string(),
            scope: scope_for(audience),
        })
    }

    /// Parses a `/metadata/endpoints` document (one cloud, or a list of them).
    fn from_metadata(host: &str, doc: &serde_json::Value) -> Result<Cloud, AuthError> {
        let cloud = match doc {
            serde_json::Value::Array(items) => items
                .iter()
                .find(|c| {
                    c.get("resourceManager")
                        .and_then(|v| v.as_str())
                        .is_some_and(|rm| rm.contains(host))
                })
                .or_else(|| items.first())
                .ok_or(AuthError::NoCloud)?,
            other => other,
        };
        let rm = cloud
            .get("resourceManager")
            .and_then(|v| v.as_str())
            .ok_or(AuthError::MetadataField("resourceManager"))?;
        let auth = cloud
            .get("authentication")
            .ok_or(AuthError::MetadataField("authentication section"))?;
        let login = auth
            .get("loginEndpoint")
            .and_then(|v| v.as_str())
            .ok_or(AuthError::MetadataField("authentication.loginEndpoint"))?;
        let audience = auth
            .get("audiences")
            .and_then(|a| a.as_array())
            .and_then(|a| a.first())
            .and_then(|v| v.as_str())
            .ok_or(AuthError::MetadataField("authentication.audiences"))?;
        let resource_manager = Url::parse(rm).map_err(|source| AuthError::ResourceManagerUrl {
            url: rm.to_string(),
            source,
        })?;
        if resource_manager.scheme() != "https" || !login.starts_with("https://") {
            return Err(AuthError::PlainHttpMetadata);
        }
        Ok(Cloud {
            resource_manager,
            authority_host: login.trim_end_matches('/').to_string(),
            scope: scope_for(audience),
        })
    }
}

fn scope_for(audience: &str) -> String {
    format!("{}/.default", audience.trim_end_matches('/'))
}

/// A pipeline without authentication, for metadata and OIDC token requests. Two quick
/// retries ride out a blip; a certificate or DNS error should not be retried for a minute.
fn plain_pipeline() -> Pipeline {
    let retry = azure_core::http::RetryOptions::exponential(azure_core::http::ExponentialRetryOptions {
        max_retries: 2,
        max_total_elapsed: azure_core::time::Duration::seconds(10),
        ..Default::default()
    });
    let options = ClientOptions {
        retry,
        ..Default::default()
    };
    Pipeline::new(
        Some("aksnet"),
        Some(env!("CARGO_PKG_VERSION")),
        options,
        Vec::new(),
        Vec::new(),
        None,
    )
}

/// GETs JSON over https; `bearer` is sent but never appears in errors.
async fn fetch_json(url: &str, bearer: Option<&str>) -> Result<serde_json::Value, AuthError> {
    send_json(Method::Get, url, bearer).await
}

/// Sends a request without a body over https and decodes the JSON answer; `bearer` is sent but
/// never appears in errors. A failed answer's `message` (Azure DevOps' error field) is quoted.
async fn send_json(method: Method, url: &str, bearer: Option<&str>) -> Result<serde_json::Value, AuthError> {
    let verb = method.to_string().to_ascii_uppercase();
    let parsed = Url::parse(url).map_err(|source| AuthError::Url {
        url: url.to_string(),
        source,
    })?;
    if parsed.scheme() != "https" {
        return Err(AuthError::PlainHttpUrl(url.to_string()));
    }
    let mut req = Request::new(parsed, method);
    req.insert_header(HeaderName::from_static("accept"), "application/json");
    if req.method() == Method::Post {
        req.insert_header(HeaderName::from_static("content-type"), "application/json");
    }
    if let Some(b) = bearer {
        req.insert_header(HeaderName::from_static("authorization"), format!("Bearer {b}"));
    }
    let resp = plain_pipeline()
        .send(
            &Context::new(),
            &mut req,
            Some(PipelineSendOptions {
                skip_checks: true,
                ..Default::default()
            }),
        )
        .await
        .map_err(|e| AuthError::Transport {
            verb: verb.clone(),
            url: url.to_string(),
            cause: e.to_string(),
        })?;
    let status = u16::from(resp.status());
    if status >= 300 {
        let message = serde_json::from_slice::<serde_json::Value>(resp.body())
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
            .filter(|m| !m.is_empty());
        return Err(AuthError::Status {
            verb,
            url: url.to_string(),
            status,
            message,
        });
    }
    serde_json::from_slice(resp.body()).map_err(|e| AuthError::Json {
        verb,
        url: url.to_string(),
        cause: e.to_string(),
    })
}

/// Discovers the cloud: from `metadata_host` when set, else the built-in `environment`.
pub async fn discover_cloud(settings: &AuthSettings) -> Result<Cloud, AuthError> {
    match settings.metadata_host.as_deref().filter(|h| !h.is_empty()) {
        Some(host) => {
            let host = host.trim_start_matches("https://").trim_end_matches('/');
            if host.starts_with("http://") {
                return Err(AuthError::PlainHttpMetadataHost);
            }
            let doc = fetch_json(
                &format!("https://{host}/metadata/endpoints?api-version=2022-09-01"),
                None,
            )
            .await
            .map_err(|e| AuthError::Discovery {
                host: host.to_string(),
                source: Box::new(e),
            })?;
            Cloud::from_metadata(host, &doc)
        }
        None => Cloud::builtin(&settings.environment),
    }
}

/// Where a federated (OIDC) token comes from.
#[derive(Clone)]
enum OidcSource {
    Token(String),
    File(String),
    Request {
        url: String,
        token: String,
    },
    /// Azure Pipelines' OIDC endpoint (`SYSTEM_OIDCREQUESTURI`) for a service connection.
    AzureDevOps {
        url: String,
        token: String,
        service_connection_id: String,
    },
}

/// The Azure DevOps REST API version go-azure-sdk's ADO pipeline authorizer requests
/// (`adoPipelineOIDCAPIVersion = "7.1"`, hashicorp/go-azure-sdk sdk/auth/ado_pipeline_oidc_authorizer.go).
const ADO_OIDC_API_VERSION: &str = "7.1";

/// The Azure Pipelines OIDC request URL with `api-version` and `serviceConnectionId` added
/// unless the URL already has them, as go-azure-sdk builds it.
fn ado_request_url(url: &str, service_connection_id: &str) -> Result<String, AuthError> {
    let mut parsed = Url::parse(url).map_err(|source| AuthError::OidcRequestUrl {
        url: url.to_string(),
        source,
    })?;
    let has = |k: &str| parsed.query_pairs().any(|(name, v)| name == k && !v.is_empty());
    let (api, conn) = (has("api-version"), has("serviceConnectionId"));
    {
        let mut q = parsed.query_pairs_mut();
        if !api {
            q.append_pair("api-version", ADO_OIDC_API_VERSION);
        }
        if !conn {
            q.append_pair("serviceConnectionId", service_connection_id);
        }
    }
    Ok(parsed.to_string())
}

impl fmt::Debug for OidcSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OidcSource::Token(_) => f.write_str("OidcSource::Token(<redacted>)"),
            OidcSource::File(p) => write!(f, "OidcSource::File({p})"),
            OidcSource::Request { url, .. } => write!(f, "OidcSource::Request({url})"),
            OidcSource::AzureDevOps {
                url,
                service_connection_id,
                ..
            } => write!(f, "OidcSource::AzureDevOps({url}, {service_connection_id})"),
        }
    }
}

#[async_trait]
impl ClientAssertion for OidcSource {
    async fn secret(&self, _options: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        let err = |m: String| azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, m);
        match self {
            OidcSource::Token(t) => Ok(t.clone()),
            OidcSource::File(p) => std::fs::read_to_string(p)
                .map(|s| s.trim().to_string())
                .map_err(|e| err(format!("reading oidc_token_file_path {p}: {e}"))),
            OidcSource::Request { url, token } => {
                let sep = if url.contains('?') { '&' } else { '?' };
                let doc = fetch_json(
                    &format!("{url}{sep}audience=api%3A%2F%2FAzureADTokenExchange"),
                    Some(token),
                )
                .await
                .map_err(|e| err(e.to_string()))?;
                doc.get("value")
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
                    .ok_or_else(|| err("the OIDC token response has no \"value\"".into()))
            }
            // POST, no body, bearer SYSTEM_ACCESSTOKEN; the answer is `{"oidcToken": "..."}`
            // (Azure DevOps REST "Oidctoken - Create"; go-azure-sdk adoPipelineAssertion).
            OidcSource::AzureDevOps {
                url,
                token,
                service_connection_id,
            } => {
                let url = ado_request_url(url, service_connection_id).map_err(|e| err(e.to_string()))?;
                let doc = send_json(Method::Post, &url, Some(token))
                    .await
                    .map_err(|e| err(format!("requesting the pipeline's OIDC token: {e}")))?;
                doc.get("oidcToken")
                    .and_then(|v| v.as_str())
                    .filter(|t| !t.is_empty())
                    .map(str::to_string)
                    .ok_or_else(|| err("the Azure DevOps OIDC response has no \"oidcToken\"".into()))
            }
        }
    }
}

/// Signs Entra client assertions with a client certificate's key, as azure_identity's
/// ClientCertificateCredential does but without OpenSSL (issue 18). The key stays in memory;
/// every token request gets a fresh assertion that expires in minutes.
struct CertificateAssertion {
    key: RsaKeyPair,
    /// `x5t`: base64url SHA-1 thumbprint of the DER certificate, how Entra finds the
    /// registered certificate.
    x5t: String,
    client_id: String,
    /// The token endpoint: Entra requires it as the audience.
    audience: String,
}

/// How long an assertion is valid; it is used at once, so this only covers clock skew.
const ASSERTION_LIFETIME_SECS: u64 = 300;
const RSA_OID: &str = "1.2.840.113549.1.1.1";

impl fmt::Debug for CertificateAssertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CertificateAssertion(x5t {})", self.x5t)
    }
}

impl CertificateAssertion {
    fn new(
        pfx: &[u8],
        password: Option<&str>,
        client_id: &str,
        audience: String,
    ) -> Result<Self, CertificateError> {
        let (key, cert) = read_pfx(pfx, password)?;
        let thumbprint = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &cert);
        Ok(CertificateAssertion {
            key,
            x5t: URL_SAFE_NO_PAD.encode(thumbprint),
            client_id: client_id.to_string(),
            audience,
        })
    }

    /// The signed JWT: the header and claims azure_identity 1.0 sends (RS256, `x5t`; `aud`
    /// the token endpoint, `iss` = `sub` = the client, a unique `jti`, `nbf`/`exp`).
    fn assertion(&self, now: u64) -> Result<String, CertificateError> {
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "x5t": self.x5t});
        let claims = serde_json::json!({
            "aud": self.audience,
            "iss": self.client_id,
            "sub": self.client_id,
            "jti": azure_core::Uuid::new_v4().to_string(),
            "nbf": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| CertificateError::Signing)?;
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

#[async_trait]
impl ClientAssertion for CertificateAssertion {
    async fn secret(&self, _options: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.assertion(now).map_err(|e| {
            azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, e.to_string())
        })
    }
}

/// The RSA key of a PKCS#12 bundle and the certificate that carries its public key. Errors
/// say what is wrong, never the password or key material.
fn read_pfx(pfx: &[u8], password: Option<&str>) -> Result<(RsaKeyPair, Vec<u8>), CertificateError> {
    let archive = p12_keystore::Pkcs12Archive::from_pkcs12(pfx, password.unwrap_or("")).map_err(pfx_error)?;
    let bag = archive.keys.first().ok_or(CertificateError::NoKey)?;
    let algorithm = bag.key.oid().to_string();
    if algorithm != RSA_OID {
        return Err(CertificateError::NotRsa(algorithm));
    }
    let key =
        RsaKeyPair::from_pkcs8(bag.key.as_der()).map_err(|e| CertificateError::UnusableKey(e.to_string()))?;
    // The leaf is the certificate holding the key's public half; this works whether or not
    // the bags are linked by localKeyId.
    let public = key.public_key().as_ref();
    let cert = archive
        .certs
        .iter()
        .map(|bag| bag.cert.as_der())
        .find(|der| der.windows(public.len()).any(|w| w == public))
        .ok_or(CertificateError::NoCertificate)?
        .to_vec();
    Ok((key, cert))
}

fn pfx_error(e: p12_keystore::error::Error) -> CertificateError {
    use p12_keystore::error::Error as E;
    match e {
        E::MacError(_) | E::UnpadError => CertificateError::WrongPassword,
        E::DerError(_) | E::InvalidVersion | E::UnsupportedContentType => CertificateError::NotPkcs12,
        E::UnsupportedEncryptionScheme | E::UnsupportedMacAlgorithm => CertificateError::UnsupportedAlgorithm,
        other => CertificateError::Unreadable(other.to_string()),
    }
}

/// One method in the order credentials are tried.
enum Step {
    /// Not usable as configured, and why (with the attribute or variable to set).
    Skipped(String),
    /// Configured; it works if it gets a token.
    Candidate(&'static str, Arc<dyn TokenCredential>),
}

/// The credential the provider uses: the methods in order, each either skipped with its reason
/// or tried for a token. A credential object can be built and still fail when asked for a
/// token (no `az` login, no IMDS, a wrong secret), so only a token proves a method works; when
/// none does, the one error lists every method and why it failed. The method that worked is
/// remembered, so token refreshes do not probe the ones before it again.
struct TriedCredentials {
    steps: Vec<Step>,
    winner: AtomicUsize,
}

const NO_WINNER: usize = usize::MAX;

impl fmt::Debug for TriedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Candidate(name, _) => Some(*name),
                Step::Skipped(_) => None,
            })
            .collect();
        write!(f, "TriedCredentials({})", names.join(", "))
    }
}

#[async_trait]
impl TokenCredential for TriedCredentials {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        if let Some(Step::Candidate(name, cred)) = self.steps.get(self.winner.load(Ordering::Relaxed)) {
            return cred.get_token(scopes, options).await.map_err(|e| {
                azure_core::Error::with_message(ErrorKind::Credential, format!("{name}: {}", describe(&e)))
            });
        }
        let mut tried = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                Step::Skipped(why) => tried.push(why.clone()),
                Step::Candidate(name, cred) => match cred.get_token(scopes, options.clone()).await {
                    Ok(token) => {
                        tracing::debug!(method = *name, "Azure credential acquired a token");
                        self.winner.store(i, Ordering::Relaxed);
                        return Ok(token);
                    }
                    Err(e) => {
                        tracing::debug!(method = *name, error = %describe(&e), "Azure credential failed");
                        tried.push(format!("{name}: {}", describe(&e)));
                    }
                },
            }
        }
        Err(azure_core::Error::with_message(
            ErrorKind::Credential,
            AuthError::NoCredential(tried).to_string(),
        ))
    }
}

/// An error and its causes on one line, each once.
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let c = cause.to_string();
        if !text.contains(&c) {
            text.push_str(": ");
            text.push_str(&c);
        }
        source = cause.source();
    }
    text.replace('\n', " ")
}

/// The one diagnostic for "no credential works".
fn no_credential_message(tried: &[String]) -> String {
    format!(
        "no Azure credential works; tried, in order:\n- {}\nConfigure one method with the provider attributes or ARM_* environment variables named above (see the provider documentation's Authentication section).",
        tried.join("\n- ")
    )
}

fn skip(steps: &mut Vec<Step>, why: String) {
    steps.push(Step::Skipped(why));
}

/// Whether `program` is an executable file on `path` (`PATH`'s value), as the Azure CLI
/// credential would find it.
fn on_path(program: &str, path: Option<&std::ffi::OsStr>) -> bool {
    let exts: &[&str] = if cfg!(windows) {
        &[".cmd", ".exe", ".bat", ""]
    } else {
        &[""]
    };
    path.is_some_and(|p| {
        std::env::split_paths(p).any(|dir| {
            exts.iter()
                .any(|ext| dir.join(format!("{program}{ext}")).is_file())
        })
    })
}

/// Picks the credentials to try: client secret → client certificate → OIDC → AKS workload
/// identity → managed identity → Azure CLI. The first explicitly configured method (secret,
/// certificate, OIDC, workload identity) is the one used; managed identity and the Azure CLI,
/// which need no configuration, are both tried when both are enabled. Returns the first
/// method's name for logs, or one error listing what was tried when no method is usable.
pub fn select_credential(
    s: &AuthSettings,
    cloud: &Cloud,
) -> Result<(Arc<dyn TokenCredential>, &'static str), AuthError> {
    select_credential_with_path(s, cloud, std::env::var_os("PATH").as_deref())
}

fn select_credential_with_path(
    s: &AuthSettings,
    cloud: &Cloud,
    path: Option<&std::ffi::OsStr>,
) -> Result<(Arc<dyn TokenCredential>, &'static str), AuthError> {
    let mut steps: Vec<Step> = Vec::new();
    let chosen = |mut steps: Vec<Step>, name: &'static str, cred: Arc<dyn TokenCredential>| {
        steps.push(Step::Candidate(name, cred));
        let chain: Arc<dyn TokenCredential> = Arc::new(TriedCredentials {
            steps,
            winner: AtomicUsize::new(NO_WINNER),
        });
        (chain, name)
    };
    let client_options = || {
        let mut custom = CustomConfiguration::default();
        custom.authority_host = cloud.authority_host.clone();
        ClientOptions {
            cloud: Some(Arc::new(CloudConfiguration::Custom(custom))),
            ..Default::default()
        }
    };
    let tenant = s.tenant_id.as_deref().filter(|t| !t.is_empty());
    let client = s.client_id.as_deref().filter(|c| !c.is_empty());

    match (
        tenant,
        client,
        s.client_secret.as_deref().filter(|x| !x.is_empty()),
    ) {
        (Some(t), Some(c), Some(secret)) => {
            let cred = ClientSecretCredential::new(
                t,
                c.to_string(),
                Secret::new(secret.to_string()),
                Some(ClientSecretCredentialOptions {
                    client_options: client_options(),
                }),
            )
            .map_err(|e| AuthError::Credential {
                method: "client secret",
                cause: e.to_string(),
            })?;
            return Ok(chosen(steps, "client secret", cred));
        }
        (_, _, Some(_)) => skip(&mut steps,
            "client secret: tenant_id (ARM_TENANT_ID) and client_id (ARM_CLIENT_ID) are required with client_secret"
                .into(),
        ),
        _ => skip(&mut steps,
            "client secret: neither client_secret (ARM_CLIENT_SECRET) nor client_secret_file_path (ARM_CLIENT_SECRET_FILE_PATH) is set".into(),
        ),
    }

    match (tenant, client, s.client_certificate.as_ref()) {
        (Some(t), Some(c), Some(pfx)) => {
            // The token endpoint as ClientAssertionCredential builds it.
            let audience = Url::parse(&cloud.authority_host)
                .and_then(|u| u.join(&format!("/{t}/oauth2/v2.0/token")))
                .map_err(CertificateError::TokenEndpoint)?;
            let assertion = CertificateAssertion::new(
                pfx,
                s.client_certificate_password.as_deref(),
                c,
                audience.to_string(),
            )?;
            let opts = ClientAssertionCredentialOptions {
                client_options: client_options(),
            };
            let cred = ClientAssertionCredential::new(t.to_string(), c.to_string(), assertion, Some(opts))
                .map_err(|e| AuthError::Credential {
                    method: "client certificate",
                    cause: e.to_string(),
                })?;
            return Ok(chosen(steps, "client certificate", cred));
        }
        (_, _, Some(_)) => skip(&mut steps,
            "client certificate: tenant_id (ARM_TENANT_ID) and client_id (ARM_CLIENT_ID) are required with a certificate"
                .into(),
        ),
        _ => skip(&mut steps,
            "client certificate: neither client_certificate (ARM_CLIENT_CERTIFICATE) nor client_certificate_path (ARM_CLIENT_CERTIFICATE_PATH) is set".into(),
        ),
    }

    let nonempty = |v: &Option<String>| v.clone().filter(|x| !x.is_empty());
    let ado_connection = nonempty(&s.ado_pipeline_service_connection_id);
    let request = match (nonempty(&s.oidc_request_url), nonempty(&s.oidc_request_token)) {
        (Some(url), Some(token)) => Some((url, token)),
        _ => None,
    };
    let assertion_credential = |t: &str, c: &str, src: OidcSource, method: &'static str| {
        ClientAssertionCredential::new(
            t.to_string(),
            c.to_string(),
            src,
            Some(ClientAssertionCredentialOptions {
                client_options: client_options(),
            }),
        )
        .map_err(|e| AuthError::Credential {
            method,
            cause: e.to_string(),
        })
    };
    if s.use_oidc {
        // go-azure-sdk's order: a given token first, then the request URL, which belongs to
        // Azure DevOps when a service connection is named and to GitHub Actions otherwise.
        let source = if let Some(t) = nonempty(&s.oidc_token) {
            Some(OidcSource::Token(t))
        } else if let Some(p) = nonempty(&s.oidc_token_file_path) {
            Some(OidcSource::File(p))
        } else if ado_connection.is_none() {
            request
                .clone()
                .map(|(url, token)| OidcSource::Request { url, token })
        } else {
            None
        };
        match (tenant, client, source) {
            (Some(t), Some(c), Some(src)) => {
                let cred = assertion_credential(t, c, src, "OIDC")?;
                return Ok(chosen(steps, "OIDC", cred));
            }
            (_, _, None) if ado_connection.is_some() => skip(&mut steps, "OIDC: neither oidc_token (ARM_OIDC_TOKEN) nor oidc_token_file_path (ARM_OIDC_TOKEN_FILE_PATH) is set, and oidc_request_url is Azure DevOps' (ado_pipeline_service_connection_id is set)".into()),
            (_, _, None) => skip(&mut steps, "OIDC: none of oidc_token (ARM_OIDC_TOKEN), oidc_token_file_path (ARM_OIDC_TOKEN_FILE_PATH), oidc_request_url + oidc_request_token (ARM_OIDC_REQUEST_URL + ARM_OIDC_REQUEST_TOKEN) is set".into()),
            _ => skip(&mut steps, "OIDC: tenant_id (ARM_TENANT_ID) and client_id (ARM_CLIENT_ID) are required".into()),
        }
    } else {
        skip(&mut steps, "OIDC: use_oidc (ARM_USE_OIDC) is false".into());
    }

    // Azure Pipelines: POST to SYSTEM_OIDCREQUESTURI for the service connection, bearer
    // SYSTEM_ACCESSTOKEN (go-azure-sdk ADOPipelineOIDCAuthorizer; azurerm's
    // ado_pipeline_service_connection_id).
    const ADO: &str = "Azure DevOps OIDC";
    match (s.use_oidc, ado_connection, request) {
        (false, Some(_), _) => skip(&mut steps, format!("{ADO}: ado_pipeline_service_connection_id is set but use_oidc (ARM_USE_OIDC) is false")),
        (false, None, _) => skip(&mut steps, format!("{ADO}: use_oidc (ARM_USE_OIDC) is false and ado_pipeline_service_connection_id (ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID) is not set")),
        (true, None, _) => skip(&mut steps, format!("{ADO}: ado_pipeline_service_connection_id (ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID or ARM_OIDC_AZURE_SERVICE_CONNECTION_ID) is not set")),
        (true, Some(_), None) => skip(&mut steps, format!("{ADO}: oidc_request_url (ARM_OIDC_REQUEST_URL or SYSTEM_OIDCREQUESTURI) and oidc_request_token (ARM_OIDC_REQUEST_TOKEN or SYSTEM_ACCESSTOKEN, mapped from $(System.AccessToken)) are required with ado_pipeline_service_connection_id")),
        (true, Some(service_connection_id), Some((url, token))) => match (tenant, client) {
            (Some(t), Some(c)) => {
                let src = OidcSource::AzureDevOps {
                    url,
                    token,
                    service_connection_id,
                };
                let cred = assertion_credential(t, c, src, ADO)?;
                return Ok(chosen(steps, ADO, cred));
            }
            _ => skip(&mut steps, format!("{ADO}: tenant_id (ARM_TENANT_ID) and client_id (ARM_CLIENT_ID) are required")),
        },
    }

    if s.use_aks_workload_identity {
        let opts = WorkloadIdentityCredentialOptions {
            credential_options: ClientAssertionCredentialOptions {
                client_options: client_options(),
            },
            client_id: client.map(str::to_string),
            tenant_id: tenant.map(str::to_string),
            ..Default::default()
        };
        match WorkloadIdentityCredential::new(Some(opts)) {
            Ok(cred) => return Ok(chosen(steps, "AKS workload identity", cred)),
            Err(e) => skip(&mut steps, format!("AKS workload identity: {e}")),
        }
    } else {
        skip(
            &mut steps,
            "AKS workload identity: use_aks_workload_identity (ARM_USE_AKS_WORKLOAD_IDENTITY) is false"
                .into(),
        );
    }

    if s.use_msi {
        let opts = ManagedIdentityCredentialOptions {
            user_assigned_id: client.map(|c| UserAssignedId::ClientId(c.to_string())),
            client_options: client_options(),
        };
        match ManagedIdentityCredential::new(Some(opts)) {
            Ok(cred) => match msi_probe::endpoint(|k| std::env::var(k).ok()) {
                Some(at) => steps.push(Step::Candidate(
                    "managed identity",
                    Arc::new(msi_probe::Probed::new(cred, at)),
                )),
                None => steps.push(Step::Candidate("managed identity", cred)),
            },
            Err(e) => skip(&mut steps, format!("managed identity: {e}")),
        }
    } else {
        skip(
            &mut steps,
            "managed identity: use_msi (ARM_USE_MSI) is false".into(),
        );
    }

    if s.use_cli && !on_path("az", path) {
        skip(&mut steps,
            "Azure CLI: `az` was not found on PATH (install the Azure CLI and run `az login`, or set use_cli = false / ARM_USE_CLI=false and configure another method)"
                .into(),
        );
    } else if s.use_cli {
        let opts = AzureCliCredentialOptions {
            tenant_id: tenant.map(str::to_string),
            ..Default::default()
        };
        match AzureCliCredential::new(Some(opts)) {
            Ok(cred) => steps.push(Step::Candidate("Azure CLI", cred)),
            Err(e) => skip(&mut steps, format!("Azure CLI: {e}")),
        }
    } else {
        skip(&mut steps, "Azure CLI: use_cli (ARM_USE_CLI) is false".into());
    }
    let first = steps.iter().find_map(|s| match s {
        Step::Candidate(name, _) => Some(*name),
        Step::Skipped(_) => None,
    });
    match first {
        Some(name) => {
            let chain: Arc<dyn TokenCredential> = Arc::new(TriedCredentials {
                steps,
                winner: AtomicUsize::new(NO_WINNER),
            });
            Ok((chain, name))
        }
        None => {
            let tried: Vec<String> = steps
                .into_iter()
                .filter_map(|s| match s {
                    Step::Skipped(why) => Some(why),
                    Step::Candidate(..) => None,
                })
                .collect();
            Err(AuthError::NoCredential(tried))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let s = AuthSettings {
            client_secret: Some("hunter2-secret".into()),
            oidc_token: Some("eyJ.token".into()),
            ..Default::default()
        };
        let d = format!("{s:?}");
        assert!(!d.contains("hunter2") && !d.contains("eyJ"), "{d}");
        assert!(d.contains("(set)"));
        assert!(!format!("{:?}", OidcSource::Token("eyJ.secret".into())).contains("eyJ"));
    }

    #[test]
    fn builtin_clouds_and_scopes() {
        let c = Cloud::builtin("public").unwrap();
        assert_eq!(c.scope, "https://management.core.windows.net/.default");
        assert_eq!(c.resource_manager.as_str(), "https://management.azure.com/");
        let err = Cloud::builtin("mars").unwrap_err();
        assert_eq!(err, AuthError::UnknownEnvironment("mars".into()));
        assert!(err.to_string().contains("usgovernment"), "{err}");
    }

    #[test]
    fn metadata_documents_of_either_shape() {
        let one = serde_json::json!({
            "resourceManager": "https://127.0.0.1:8443/",
            "authentication": {"loginEndpoint": "https://127.0.0.1:8443/", "audiences": ["https://management.core.windows.net/"]}
        });
        let c = Cloud::from_metadata("127.0.0.1:8443", &one).unwrap();
        assert_eq!(c.authority_host, "https://127.0.0.1:8443");
        let list = serde_json::json!([one]);
        assert_eq!(Cloud::from_metadata("127.0.0.1:8443", &list).unwrap(), c);
        let plain = serde_json::json!({
            "resourceManager": "http://127.0.0.1:8443/",
            "authentication": {"loginEndpoint": "http://127.0.0.1:8443/", "audiences": ["x"]}
        });
        let err = Cloud::from_metadata("127.0.0.1:8443", &plain).unwrap_err();
        assert_eq!(err, AuthError::PlainHttpMetadata);
        assert!(err.to_string().contains("https"), "{err}");
    }

    #[test]
    fn nothing_configured_lists_every_method_tried() {
        let s = AuthSettings::default();
        let err = select_credential(&s, &Cloud::builtin("public").unwrap())
            .err()
            .unwrap();
        assert!(
            matches!(&err, AuthError::NoCredential(tried) if tried.len() == 7),
            "{err}"
        );
        let err = err.to_string();
        for m in [
            "client secret",
            "OIDC",
            "workload identity",
            "managed identity",
            "Azure CLI",
        ] {
            assert!(err.contains(m), "{err}");
        }
    }

    #[test]
    fn a_missing_az_is_named_with_what_to_set() {
        let s = AuthSettings {
            use_cli: true,
            ..Default::default()
        };
        let cloud = Cloud::builtin("public").unwrap();
        let empty = std::ffi::OsString::from("/nonexistent-aksnet-path");
        let err = select_credential_with_path(&s, &cloud, Some(&empty))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("Azure CLI: `az` was not found on PATH"), "{err}");
        for hint in [
            "ARM_CLIENT_SECRET",
            "ARM_USE_OIDC",
            "ARM_USE_MSI",
            "ARM_CLIENT_CERTIFICATE",
        ] {
            assert!(err.contains(hint), "{hint} missing: {err}");
        }
        // In order, one line each.
        let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("- ")).collect();
        assert_eq!(lines.len(), 7, "{err}");
        assert!(lines[0].starts_with("- client secret") && lines[6].starts_with("- Azure CLI"));
        assert!(lines[3].starts_with("- Azure DevOps OIDC: use_oidc"), "{err}");
    }

    #[derive(Debug)]
    struct Failing(&'static str);

    #[async_trait]
    impl TokenCredential for Failing {
        async fn get_token(
            &self,
            _scopes: &[&str],
            _options: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AccessToken> {
            Err(azure_core::Error::with_message(ErrorKind::Credential, self.0))
        }
    }

    #[tokio::test]
    async fn token_time_failures_join_the_list_of_causes() {
        let chain = TriedCredentials {
            steps: vec![
                Step::Skipped("client secret: not set".into()),
                Step::Candidate("managed identity", Arc::new(Failing("no IMDS endpoint answered"))),
                Step::Candidate("Azure CLI", Arc::new(Failing("Please run 'az login'"))),
            ],
            winner: AtomicUsize::new(NO_WINNER),
        };
        let err = chain.get_token(&["scope"], None).await.unwrap_err().to_string();
        assert!(err.contains("- client secret: not set\n- managed identity: no IMDS endpoint answered\n- Azure CLI: Please run 'az login'"), "{err}");
    }

    #[test]
    fn azure_devops_oidc_is_chosen_with_a_service_connection_and_says_what_is_missing() {
        let cloud = Cloud::builtin("public").unwrap();
        let base = AuthSettings {
            tenant_id: Some("00000000-0000-0000-0000-000000000001".into()),
            client_id: Some("app".into()),
            use_oidc: true,
            oidc_request_url: Some("https://dev.azure.com/org/proj/_apis/oidctoken".into()),
            oidc_request_token: Some("job-token".into()),
            ..Default::default()
        };
        // Without a service connection the request URL is GitHub's.
        let (_, method) = select_credential(&base, &cloud).unwrap();
        assert_eq!(method, "OIDC");
        let ado = AuthSettings {
            ado_pipeline_service_connection_id: Some("conn-1".into()),
            ..base.clone()
        };
        let (_, method) = select_credential(&ado, &cloud).unwrap();
        assert_eq!(method, "Azure DevOps OIDC");
        // A given token still comes first, as in go-azure-sdk.
        let token = AuthSettings {
            oidc_token: Some("eyJ.e30.sig".into()),
            ..ado.clone()
        };
        assert_eq!(select_credential(&token, &cloud).unwrap().1, "OIDC");
        let no_url = AuthSettings {
            oidc_request_url: None,
            ..ado.clone()
        };
        let err = select_credential_with_path(&no_url, &cloud, None)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains(
                "- Azure DevOps OIDC: oidc_request_url (ARM_OIDC_REQUEST_URL or SYSTEM_OIDCREQUESTURI)"
            ),
            "{err}"
        );
        assert!(!err.contains("job-token"), "{err}");
        let off = AuthSettings {
            use_oidc: false,
            ..ado
        };
        let err = select_credential_with_path(&off, &cloud, None)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("- Azure DevOps OIDC: ado_pipeline_service_connection_id is set but use_oidc (ARM_USE_OIDC) is false"), "{err}");
    }

    #[test]
    fn azure_devops_request_url_gets_api_version_and_connection_once() {
        let u = ado_request_url(
            "https://dev.azure.com/o/p/_apis/distributedtask/hubs/build/plans/x/jobs/y/oidctoken",
            "c 1",
        )
        .unwrap();
        assert!(
            u.ends_with("/oidctoken?api-version=7.1&serviceConnectionId=c+1"),
            "{u}"
        );
        let u = ado_request_url("https://h/oidctoken?api-version=7.2-preview.1", "c").unwrap();
        assert_eq!(
            u,
            "https://h/oidctoken?api-version=7.2-preview.1&serviceConnectionId=c"
        );
        assert!(!format!(
            "{:?}",
            OidcSource::AzureDevOps {
                url: "u".into(),
                token: "job-secret".into(),
                service_connection_id: "c".into()
            }
        )
        .contains("job-secret"));
    }

    #[test]
    fn client_secret_wins() {
        let s = AuthSettings {
            tenant_id: Some("00000000-0000-0000-0000-000000000001".into()),
            client_id: Some("app".into()),
            client_secret: Some("s3cret".into()),
            use_cli: true,
            ..Default::default()
        };
        let (_, method) = select_credential(&s, &Cloud::builtin("public").unwrap()).unwrap();
        assert_eq!(method, "client secret");
    }
}
