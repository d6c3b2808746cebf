//! Managed identity that fails fast where no identity endpoint exists.
//!
//! azure_identity retries a token request whose connection fails for about 80 seconds (its
//! default retry policy, sized for IMDS answering 410 while it updates). A refused or unanswered
//! connection is different: it means this machine has no managed identity endpoint at all (not
//! on Azure, or a container without IMDS). One TCP connect, bounded by [`PROBE_TIMEOUT`], tells
//! that apart before the SDK's request, so the credential error names the cause at once. Where
//! that connection would not prove anything (see [`endpoint`]), nothing is probed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::error::ErrorKind;

/// How long the endpoint has to accept a connection: a link-local or loopback endpoint answers
/// in milliseconds, so this only bounds the wait where nothing is there.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Where azure_identity's managed identity credential sends its token request, chosen from the
/// same variables in the same order (`managed_identity_credential.rs`, `get_source`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// `host:port` to connect to.
    pub(crate) address: String,
    /// Where the address came from, for the message.
    pub(crate) source: &'static str,
}

/// Proxy variables reqwest (the SDK's HTTP client) follows: a proxy may carry the token request
/// where a direct connection cannot go.
const PROXY_VARS: [&str; 4] = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];

/// The endpoint the SDK will call for the environment `var` reads, or `None` where a direct
/// connection says nothing certain about it: a proxy is configured, the endpoint is a host
/// name (its lookup is not the SDK's to time), or the source is one azure_identity 1.0 refuses
/// itself (Service Fabric, Azure Arc, Cloud Shell, Azure ML). `None` leaves the SDK as it is:
/// the probe must never refuse a machine where the SDK would get a token.
pub(crate) fn endpoint(var: impl Fn(&str) -> Option<String>) -> Option<Endpoint> {
    if PROXY_VARS
        .iter()
        .any(|k| var(k).is_some_and(|v| !v.trim().is_empty()))
    {
        return None;
    }
    // `get_source`: a variable counts when it is set, even empty.
    if let Some(url) = var("IDENTITY_ENDPOINT") {
        if var("IDENTITY_HEADER").is_some() {
            if var("IDENTITY_SERVER_THUMBPRINT").is_some() {
                return None; // Service Fabric
            }
            return app_service(&url);
        }
        if var("IMDS_ENDPOINT").is_some() {
            return None; // Azure Arc
        }
        // IDENTITY_ENDPOINT alone: the SDK falls through to IMDS.
    } else if var("MSI_ENDPOINT").is_some() {
        return None; // Cloud Shell or Azure ML
    }
    Some(Endpoint {
        address: "169.254.169.254:80".into(),
        source: "the Azure Instance Metadata Service (IMDS)",
    })
}

/// App Service's `IDENTITY_ENDPOINT`, when its host is an IP address or `localhost`.
fn app_service(url: &str) -> Option<Endpoint> {
    let url = url::Url::parse(url).ok()?;
    let port = url.port_or_known_default()?;
    let host = match url.host()? {
        url::Host::Ipv4(ip) => ip.to_string(),
        url::Host::Ipv6(ip) => format!("[{ip}]"),
        url::Host::Domain(d) if d.eq_ignore_ascii_case("localhost") => d.to_string(),
        url::Host::Domain(_) => return None,
    };
    Some(Endpoint {
        address: format!("{host}:{port}"),
        source: "IDENTITY_ENDPOINT",
    })
}

/// A managed identity credential that first checks that its endpoint accepts connections.
#[derive(Debug)]
pub(crate) struct Probed {
    inner: Arc<dyn TokenCredential>,
    endpoint: Endpoint,
    /// Set once the endpoint has answered: later token requests skip the probe.
    reached: AtomicBool,
}

impl Probed {
    /// Wraps `inner`, whose requests go to `endpoint`.
    pub(crate) fn new(inner: Arc<dyn TokenCredential>, endpoint: Endpoint) -> Self {
        Self {
            inner,
            endpoint,
            reached: AtomicBool::new(false),
        }
    }

    async fn probe(&self) -> azure_core::Result<()> {
        if self.reached.load(Ordering::Relaxed) {
            return Ok(());
        }
        let Endpoint { address, source } = &self.endpoint;
        let why = match tokio::time::timeout(PROBE_TIMEOUT, tokio::net::TcpStream::connect(address)).await {
            Ok(Ok(_)) => {
                self.reached.store(true, Ordering::Relaxed);
                return Ok(());
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => format!("no answer within {} s", PROBE_TIMEOUT.as_secs()),
        };
        Err(azure_core::Error::with_message(
            ErrorKind::Credential,
            format!(
                "no managed identity endpoint at {address} ({source}): {why}; on Azure, give this \
                 machine a managed identity; elsewhere set use_msi (ARM_USE_MSI) to false"
            ),
        ))
    }
}

#[async_trait]
impl TokenCredential for Probed {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        self.probe().await?;
        self.inner.get_token(scopes, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn the_endpoint_is_the_one_the_sdk_calls_or_none() {
        let imds = endpoint(env(&[])).unwrap();
        assert_eq!(imds.address, "169.254.169.254:80");
        let app = [
            ("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/msi/token"),
            ("IDENTITY_HEADER", "h"),
        ];
        let at = endpoint(env(&app)).unwrap();
        assert_eq!(
            (at.address.as_str(), at.source),
            ("127.0.0.1:41741", "IDENTITY_ENDPOINT")
        );
        let local = [
            ("IDENTITY_ENDPOINT", "http://localhost:8081/t"),
            ("IDENTITY_HEADER", "h"),
        ];
        assert_eq!(endpoint(env(&local)).unwrap().address, "localhost:8081");
        // IDENTITY_ENDPOINT without IDENTITY_HEADER or IMDS_ENDPOINT: the SDK calls IMDS.
        let alone = endpoint(env(&[("IDENTITY_ENDPOINT", "http://127.0.0.1:1/t")])).unwrap();
        assert_eq!(alone.address, "169.254.169.254:80");
        for unprobed in [
            // Sources azure_identity 1.0 refuses itself.
            &[
                ("IDENTITY_ENDPOINT", "http://127.0.0.1:1/t"),
                ("IDENTITY_HEADER", "h"),
                ("IDENTITY_SERVER_THUMBPRINT", "x"),
            ][..],
            &[
                ("IDENTITY_ENDPOINT", "http://127.0.0.1:1/t"),
                ("IMDS_ENDPOINT", "http://127.0.0.1:2"),
            ][..],
            &[("MSI_ENDPOINT", "http://127.0.0.1:1/t")][..],
            // A proxy may reach what a direct connection cannot; a host name needs a lookup.
            &[("HTTPS_PROXY", ""), ("HTTP_PROXY", "http://proxy:3128")][..],
            &[("all_proxy", "socks5://proxy:1080")][..],
            &[
                ("IDENTITY_ENDPOINT", "http://identity.internal/t"),
                ("IDENTITY_HEADER", "h"),
            ][..],
            &[("IDENTITY_ENDPOINT", "not a url"), ("IDENTITY_HEADER", "h")][..],
        ] {
            assert_eq!(endpoint(env(unprobed)), None, "{unprobed:?}");
        }
    }

    #[derive(Debug)]
    struct Token;

    #[async_trait]
    impl TokenCredential for Token {
        async fn get_token(
            &self,
            _scopes: &[&str],
            _options: Option<TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AccessToken> {
            Ok(AccessToken::new(
                "t".to_string(),
                azure_core::time::OffsetDateTime::now_utc() + azure_core::time::Duration::hours(1),
            ))
        }
    }

    #[tokio::test]
    async fn a_closed_endpoint_fails_at_once_and_an_open_one_gets_its_token() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let open = listener.local_addr().unwrap().to_string();
        // Bound but never listening: refused, and no other test can take the port meanwhile.
        let held = tokio::net::TcpSocket::new_v4().unwrap();
        held.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let closed = held.local_addr().unwrap().to_string();
        let to = |address: String| {
            Probed::new(
                Arc::new(Token),
                Endpoint {
                    address,
                    source: "test",
                },
            )
        };

        let started = std::time::Instant::now();
        let err = to(closed.clone())
            .get_token(&["s"], None)
            .await
            .unwrap_err()
            .to_string();
        assert!(started.elapsed() < PROBE_TIMEOUT, "took {:?}", started.elapsed());
        assert!(
            err.contains(&format!("no managed identity endpoint at {closed} (test)")),
            "{err}"
        );
        assert!(err.contains("ARM_USE_MSI"), "{err}");

        let probed = to(open);
        assert!(probed.get_token(&["s"], None).await.is_ok());
        drop(listener);
        // Reached once: the endpoint is not probed again (the SDK handles later failures).
        assert!(probed.get_token(&["s"], None).await.is_ok());
        drop(held);
    }
}
