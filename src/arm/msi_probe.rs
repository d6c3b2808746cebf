//! Managed identity that fails fast where no identity endpoint exists.
//!
//! azure_identity retries a token request whose connection fails for about 80 seconds (its
//! default retry policy, sized for IMDS answering 410 while it updates). A refused or unanswered
//! connection is different: it means this machine has no managed identity endpoint at all (not
//! on Azure, or a container without IMDS). One TCP connect, bounded by [`PROBE_TIMEOUT`], tells
//! that apart before the SDK's request, so the credential error names the cause at once.

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

/// The endpoint for the environment `var` reads; `None` when the variable holds no URL the
/// probe can use (the SDK then reports it itself).
pub(crate) fn endpoint(var: impl Fn(&str) -> Option<String>) -> Option<Endpoint> {
    let from_url = |name: &'static str, url: String| {
        let url = url::Url::parse(&url).ok()?;
        let host = url.host_str()?;
        let port = url.port_or_known_default()?;
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        Some(Endpoint {
            address: format!("{host}:{port}"),
            source: name,
        })
    };
    if let Some(url) = var("IDENTITY_ENDPOINT") {
        return from_url("IDENTITY_ENDPOINT", url);
    }
    if let Some(url) = var("MSI_ENDPOINT") {
        return from_url("MSI_ENDPOINT", url);
    }
    Some(Endpoint {
        address: "169.254.169.254:80".into(),
        source: "the Azure Instance Metadata Service (IMDS)",
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
    fn the_endpoint_follows_the_sdk_s_choice_of_variables() {
        let imds = endpoint(env(&[])).unwrap();
        assert_eq!(imds.address, "169.254.169.254:80");
        let app = endpoint(env(&[
            ("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/msi/token"),
            ("MSI_ENDPOINT", "http://10.0.0.1/x"),
        ]))
        .unwrap();
        assert_eq!(
            (app.address.as_str(), app.source),
            ("127.0.0.1:41741", "IDENTITY_ENDPOINT")
        );
        let shell = endpoint(env(&[("MSI_ENDPOINT", "https://shell.local/token")])).unwrap();
        assert_eq!(
            (shell.address.as_str(), shell.source),
            ("shell.local:443", "MSI_ENDPOINT")
        );
        assert_eq!(endpoint(env(&[("IDENTITY_ENDPOINT", "not a url")])), None);
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
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().to_string()
        };
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
    }
}
