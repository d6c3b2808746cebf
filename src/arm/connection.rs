//! The ARM connection every ARM-backed resource shares: settings from provider
//! configuration, and a client built on first use. Pure resources and functions never
//! touch it, so they need no credentials.

use std::time::Duration;

use thiserror::Error;
use tokio::sync::{OnceCell, RwLock};

use super::auth::{discover_cloud, select_credential, AuthError, AuthSettings};
use super::client::ArmClient;

/// Why no client could be built.
#[derive(Debug, Clone, Error)]
pub(crate) enum ConnectionError {
    /// Terraform has not called ConfigureProvider yet.
    #[error("the provider is not configured")]
    NotConfigured,
    /// Cloud discovery failed.
    #[error(transparent)]
    Unavailable(AuthError),
    /// No credential method is configured, or none got a token; the message lists every
    /// method tried and why each failed.
    #[error(transparent)]
    Credentials(AuthError),
    /// The ARM client could not be built from the discovered cloud.
    #[error("{0}")]
    Client(String),
}

/// How long proving a credential (getting its first token) may take: managed identity and
/// the Azure CLI can each take seconds, a hung endpoint must not hang plan.
const FIRST_TOKEN_TIMEOUT: Duration = Duration::from_secs(90);

/// Settings plus the client built from them.
#[derive(Debug, Default)]
pub(crate) struct Connection {
    settings: RwLock<Option<AuthSettings>>,
    // Only a working client is kept: a failure (a network blip during cloud discovery, a
    // token file not written yet) is tried again on the next call instead of poisoning the
    // process.
    client: OnceCell<ArmClient>,
}

impl Connection {
    /// Stores the resolved provider settings.
    pub(crate) async fn configure(&self, settings: AuthSettings) {
        *self.settings.write().await = Some(settings);
    }

    /// The client, created on the first successful call. Creating it acquires a token, so a
    /// credential that can be built but cannot authenticate fails here, at the first ARM need
    /// (plan), with every method tried, rather than on the first request at apply.
    pub(crate) async fn client(&self) -> Result<ArmClient, ConnectionError> {
        let settings = self
            .settings
            .read()
            .await
            .clone()
            .ok_or(ConnectionError::NotConfigured)?;
        self.client
            .get_or_try_init(|| async move {
                let cloud = discover_cloud(&settings)
                    .await
                    .map_err(ConnectionError::Unavailable)?;
                let (credential, method) =
                    select_credential(&settings, &cloud).map_err(ConnectionError::Credentials)?;
                tracing::debug!(method, "proving the Azure credential by acquiring a token");
                match tokio::time::timeout(FIRST_TOKEN_TIMEOUT, credential.get_token(&[&cloud.scope], None))
                    .await
                {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => return Err(ConnectionError::Credentials(AuthError::Token(e.to_string()))),
                    Err(_) => {
                        return Err(ConnectionError::Credentials(AuthError::TokenTimeout {
                            method,
                            secs: FIRST_TOKEN_TIMEOUT.as_secs(),
                        }))
                    }
                }
                ArmClient::new(
                    cloud.resource_manager,
                    credential,
                    cloud.scope,
                    Default::default(),
                )
                .map_err(|e| ConnectionError::Client(e.to_string()))
            })
            .await
            .cloned()
    }

    /// The subscription resources are created in.
    pub(crate) async fn subscription_id(&self) -> Option<String> {
        self.settings
            .read()
            .await
            .as_ref()
            .and_then(|s| s.subscription_id.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failed_lookup_is_not_cached() {
        let c = Connection::default();
        assert!(matches!(c.client().await, Err(ConnectionError::NotConfigured)));
        // An unreachable metadata host fails discovery; a later call tries again rather than
        // returning a remembered error (the settings it sees may have changed meanwhile).
        let settings = AuthSettings {
            metadata_host: Some("127.0.0.1:9".into()),
            environment: "public".into(),
            ..Default::default()
        };
        c.configure(settings.clone()).await;
        assert!(matches!(
            c.client().await,
            Err(ConnectionError::Unavailable(AuthError::Discovery { .. }))
        ));
        assert!(c.client.get().is_none(), "the failure was cached");
        assert!(matches!(c.client().await, Err(ConnectionError::Unavailable(_))));
    }
}
