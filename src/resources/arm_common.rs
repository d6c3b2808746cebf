//! The skeleton every ARM-backed resource shares: [`ArmResource`] (the connection, the client
//! and subscription, credentials at plan, the client for live checks, import IDs) and the
//! lifecycle steps around ARM calls: the read opening ([`read`]: 404 means gone), the
//! "already exists, import it" check, a create that records what it left behind
//! ([`put_new`]), the read before an update ([`current`]), a write retried once on 412,
//! a delete that treats 404 as gone, and error diagnostics.

use std::sync::Arc;
use std::time::Duration;

use aksnet_tfplugin::Diagnostics;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::arm::client::{ArmClient, ClientError, Tagged};
use crate::arm::connection::{Connection, ConnectionError};
use crate::arm::ids::{Kind, ResourceId};
use crate::arm::models::{AgentPool, ArmResource as ArmModel, ManagedCluster, RouteTable};
use crate::resources::identity::{in_provider_subscription, Shape};
use aksnet_tfplugin::Identity;

/// What an ARM-backed resource holds: the provider's connection and how it names itself.
#[derive(Debug, Clone)]
pub(crate) struct ArmResource {
    connection: Arc<Connection>,
    /// The resource type, e.g. `aksnet_route_table`, for messages that name it.
    pub type_name: &'static str,
    /// What it manages, plural, e.g. "route tables", ending the missing-subscription message.
    managing: &'static str,
}

impl ArmResource {
    /// The skeleton of `type_name`, which manages `managing` (plural).
    pub(crate) fn new(connection: Arc<Connection>, type_name: &'static str, managing: &'static str) -> Self {
        Self {
            connection,
            type_name,
            managing,
        }
    }

    /// The provider's connection.
    pub(crate) fn connection(&self) -> &Connection {
        &self.connection
    }

    /// The ARM client and subscription, or an error naming what is missing.
    pub(crate) async fn client(&self, diags: &mut Diagnostics) -> Option<(ArmClient, String)> {
        client(&self.connection, diags, self.managing).await
    }

    /// See [`credentials_at_plan`].
    pub(crate) async fn credentials_at_plan(&self, diags: &mut Diagnostics) -> bool {
        credentials_at_plan(&self.connection, diags).await
    }

    /// The client for plan-time live checks. Without a working credential that is an error
    /// (apply would fail too); when Azure is otherwise unreachable the checks are skipped with
    /// a warning that starts with `skipped` (plan still checks everything that needs no Azure).
    pub(crate) async fn live_client(&self, diags: &mut Diagnostics, skipped: &str) -> Option<ArmClient> {
        match self.connection.client().await {
            Ok(c) => Some(c),
            Err(e @ ConnectionError::Credentials(_)) => {
                connection_error(diags, &e);
                None
            }
            Err(e) => {
                diags.root_warning("Live Network Checks Skipped", format!("{skipped}: {e}"));
                None
            }
        }
    }

    /// An import ID parsed as `kind`; with `same_subscription`, only one in the provider's
    /// subscription (the resource manages objects there).
    pub(crate) async fn import_id(
        &self,
        diags: &mut Diagnostics,
        kind: Kind,
        id: &str,
        same_subscription: bool,
    ) -> Option<ResourceId> {
        let parsed = match ResourceId::parse(kind, id) {
            Ok(p) => p,
            Err(e) => {
                diags.root_error("Invalid Import ID", e.to_string());
                return None;
            }
        };
        if same_subscription
            && !in_provider_subscription(&self.connection, diags, &parsed, self.type_name).await
        {
            return None;
        }
        Some(parsed)
    }

    /// ImportResourceState by identity: the ID the identity of `shape` names.
    pub(crate) fn identity_import_id(
        &self,
        diags: &mut Diagnostics,
        shape: &Shape,
        identity: &Identity,
    ) -> Option<String> {
        Some(shape.to_id(diags, identity, self.type_name)?.path())
    }

    /// Create's first step: true when `id` does not exist yet; otherwise azurerm's import error.
    pub(crate) async fn require_absent(
        &self,
        client: &ArmClient,
        diags: &mut Diagnostics,
        id: &ResourceId,
    ) -> bool {
        require_absent(client, diags, id, self.type_name).await
    }
}

/// The ARM client and subscription; `managing` ends the missing-subscription message.
async fn client(
    connection: &Connection,
    diags: &mut Diagnostics,
    managing: &str,
) -> Option<(ArmClient, String)> {
    let client = match connection.client().await {
        Ok(c) => c,
        Err(e) => {
            connection_error(diags, &e);
            return None;
        }
    };
    match connection.subscription_id().await {
        Some(sub) => Some((client, sub)),
        None => {
            diags.root_error(
                "Missing Subscription",
                format!("set the provider's subscription_id or ARM_SUBSCRIPTION_ID to manage {managing}."),
            );
            None
        }
    }
}

/// Records why no client is available: one error, listing every credential method tried when
/// none worked.
pub(crate) fn connection_error(diags: &mut Diagnostics, e: &ConnectionError) {
    let title = match e {
        ConnectionError::Credentials(_) => "No Working Azure Credential",
        _ => "Azure Client Unavailable",
    };
    diags.root_error(title, e.to_string());
}

/// At plan, for a resource that will need ARM at apply: resolves the client, credentials
/// proven by a token, so a configuration without a working credential fails at plan with the
/// cause rather than at apply. False (with the error recorded) when there is none. Before
/// ConfigureProvider there is nothing to check yet.
async fn credentials_at_plan(connection: &Connection, diags: &mut Diagnostics) -> bool {
    match connection.client().await {
        Ok(_) | Err(ConnectionError::NotConfigured) => true,
        Err(e) => {
            connection_error(diags, &e);
            false
        }
    }
}

/// Records an ARM failure: `what` is the action in progress, e.g. "creating".
pub(crate) fn arm_error(diags: &mut Diagnostics, what: &str, id: &ResourceId, e: &ClientError) {
    if refuses_location(e) {
        diags.root_error(
            "Invalid Location (I4)",
            format!("{what} {id}: {e}. Azure does not offer this resource type in the configured location: set `location` to one of the regions the message lists, e.g. westeurope (`az account list-locations -o table` lists them by name)."),
        );
        return;
    }
    diags.root_error(
        format!("Error {what} {}", id.kind.display_name()),
        format!("{what} {id}: {e}"),
    );
}

/// True when ARM refused the resource's location (rule I4). aksnet checks at plan only that a
/// location is given: which regions offer a resource type is ARM's to say, and it says it with
/// these codes, e.g. for a geography written as a region
/// (https://github.com/jupyterhub/zero-to-jupyterhub-k8s/issues/3082): "(LocationNotAvailableForResourceType)
/// The provided location 'unitedstates' is not available for resource type
/// 'Microsoft.ContainerService/managedClusters'."; `LocationRequired` ("The location property is
/// required for this definition.", Azure/terraform-azurerm-avm-res-containerservice-managedcluster#178)
/// and `InvalidLocation` are the others ARM uses.
fn refuses_location(e: &ClientError) -> bool {
    const CODES: [&str; 3] = [
        "LocationNotAvailableForResourceType",
        "LocationRequired",
        "InvalidLocation",
    ];
    match e.cause() {
        ClientError::Arm(a) => CODES.iter().any(|c| {
            a.code.eq_ignore_ascii_case(c) || a.subcode.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(c))
        }),
        _ => false,
    }
}

/// How long a create that failed may spend asking ARM what it left behind.
const AFTER_FAILURE_READ: Duration = Duration::from_secs(30);

/// What a failed create left in Azure, which decides what goes into state.
#[must_use]
pub(crate) enum LeftBehind<T> {
    /// The resource exists (perhaps `Failed`): record it as read.
    Exists(Tagged<T>),
    /// ARM accepted the write, or may have, and cannot be asked now: record the planned
    /// values. Terraform taints the resource; the next refresh drops it if it is not there.
    Unknown,
    /// Nothing was created.
    Nothing,
}

/// After a create failed with `err`: reads the resource (briefly) so that one ARM made is
/// never lost to Terraform. Adds a note to the diagnostics when the outcome is unknown.
async fn left_behind<T: ArmModel>(
    client: &ArmClient,
    diags: &mut Diagnostics,
    id: &ResourceId,
    err: &ClientError,
) -> LeftBehind<T> {
    match client.get_within::<T>(id, AFTER_FAILURE_READ).await {
        Ok(Some(t)) => LeftBehind::Exists(t),
        Ok(None) => LeftBehind::Nothing,
        Err(read) if err.may_have_written() => {
            diags.root_warning(
                format!("{} Recorded As Tainted", id.kind.display_name()),
                format!("the create of {id} may have taken effect in Azure, and reading it back failed too ({read}). It is recorded in state as tainted so it is not lost: the next plan refreshes it and replaces it, or drops it from state if it does not exist."),
            );
            LeftBehind::Unknown
        }
        Err(_) => LeftBehind::Nothing,
    }
}

/// Create's first step: true when `id` does not exist yet; otherwise azurerm's import error.
async fn require_absent(
    client: &ArmClient,
    diags: &mut Diagnostics,
    id: &ResourceId,
    resource_type: &str,
) -> bool {
    match client.get_json(id).await {
        Ok(Some(_)) => {
            diags.root_error(
                "Resource Already Exists",
                format!("A resource with the ID \"{}\" already exists - to be managed via Terraform this resource needs to be imported into the State. Please see the resource documentation for \"{resource_type}\" for more information.", id.path()),
            );
            false
        }
        Ok(None) => true,
        Err(e) => {
            arm_error(diags, "checking for an existing", id, &e);
            false
        }
    }
}

/// The subscription of a `kind` ID recorded in state (known once created or imported): a
/// resource's identity takes it from there and the rest from the attributes the ID is built
/// from, so the identity does not follow how ARM spells the ID.
pub(crate) fn subscription_of(kind: Kind, id: Option<&str>) -> Option<String> {
    Some(ResourceId::parse(kind, id?).ok()?.subscription_id)
}

/// ARM treats `West Europe` and `westeurope` as one region: compare without spaces or case.
pub(crate) fn same_location(a: &str, b: &str) -> bool {
    let norm = |x: &str| {
        x.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    norm(a) == norm(b)
}

/// What the read opening found.
pub(crate) enum Read<T> {
    /// The resource as ARM returned it.
    Found(Tagged<T>),
    /// 404: deleted out of band. Read returns no state, so Terraform plans to create it again.
    Gone,
    /// ARM could not be read (the error is recorded): keep the state as it was.
    Unreadable,
}

/// The read opening shared by every ARM-backed resource's `read`, within `limit`.
pub(crate) async fn read<T: ArmModel>(
    client: &ArmClient,
    diags: &mut Diagnostics,
    id: &ResourceId,
    limit: Duration,
) -> Read<T> {
    match client.get_within::<T>(id, limit).await {
        Ok(Some(t)) => Read::Found(t),
        Ok(None) => Read::Gone,
        Err(e) => {
            arm_error(diags, "reading", id, &e);
            Read::Unreadable
        }
    }
}

/// Update's first read: the resource as it is now, or an error (`title`, e.g. "Cluster Not
/// Found", when it was deleted outside Terraform) and `None`.
pub(crate) async fn current<T: ArmModel>(
    client: &ArmClient,
    diags: &mut Diagnostics,
    id: &ResourceId,
    title: &'static str,
) -> Option<Tagged<T>> {
    match client.get::<T>(id).await {
        Ok(Some(c)) => Some(c),
        Ok(None) => {
            diags.root_error(
                title,
                format!("{id} was deleted outside Terraform; run terraform apply again to create it."),
            );
            None
        }
        Err(e) => {
            arm_error(diags, "reading", id, &e);
            None
        }
    }
}

/// Create's write: the PUT of a new resource. When it fails (error recorded), what it left
/// behind ([`left_behind`]): the PUT may have created the resource before failing, and then it
/// is recorded (Terraform taints it) so it is never lost.
pub(crate) async fn put_new<B: Serialize + Sync, T: ArmModel>(
    client: &ArmClient,
    diags: &mut Diagnostics,
    id: &ResourceId,
    body: &B,
    limit: Duration,
) -> Result<Tagged<T>, LeftBehind<T>> {
    match client.put::<B, T>(id, body, None, limit).await {
        Ok(done) => Ok(done),
        Err(e) => {
            arm_error(diags, "creating", id, &e);
            Err(left_behind::<T>(client, diags, id, &e).await)
        }
    }
}

/// A PUT without If-Match, sent once more when ARM answers 412: someone wrote in between (AKS
/// itself, often), and the write goes on top of theirs once.
pub(crate) async fn put_over<B: Serialize + Sync, T: DeserializeOwned>(
    client: &ArmClient,
    id: &ResourceId,
    body: &B,
    limit: Duration,
) -> Result<Tagged<T>, ClientError> {
    let written = client.put::<B, T>(id, body, None, limit).await;
    if matches!(&written, Err(ClientError::Arm(e)) if e.status == 412) {
        return client.put::<B, T>(id, body, None, limit).await;
    }
    written
}

/// Destroy's delete: `Some` when the resource is gone, including a 404 (deleted already, or
/// with its parent: ARM's ParentResourceNotFound); `None` with the error recorded otherwise.
pub(crate) async fn delete(
    client: &ArmClient,
    diags: &mut Diagnostics,
    id: &ResourceId,
    limit: Duration,
) -> Option<()> {
    match client.delete(id, limit).await {
        Ok(()) => Some(()),
        Err(ClientError::Arm(e)) if e.status == 404 => Some(()),
        Err(e) => {
            arm_error(diags, "deleting", id, &e);
            None
        }
    }
}

/// An ARM resource body that reports its `properties.provisioningState`.
pub(crate) trait Provisioned {
    /// The provisioning state, when the body has one.
    fn provisioning_state(&self) -> Option<&str>;

    /// True when the resource's last operation failed (`Failed`): Azure then shows the values
    /// of the write that failed, not what the resource runs.
    fn failed(&self) -> bool {
        self.provisioning_state()
            .is_some_and(|s| s.eq_ignore_ascii_case("Failed"))
    }

    /// True when the resource's last operation succeeded (`Succeeded`).
    fn succeeded(&self) -> bool {
        self.provisioning_state()
            .is_some_and(|s| s.eq_ignore_ascii_case("Succeeded"))
    }
}

impl Provisioned for ManagedCluster {
    fn provisioning_state(&self) -> Option<&str> {
        self.properties.provisioning_state.as_deref()
    }
}

impl Provisioned for AgentPool {
    fn provisioning_state(&self) -> Option<&str> {
        self.properties.provisioning_state.as_deref()
    }
}

impl Provisioned for RouteTable {
    fn provisioning_state(&self) -> Option<&str> {
        self.properties
            .extra
            .get("provisioningState")
            .and_then(|v| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::error::ArmError;

    #[test]
    fn a_location_refusal_is_rule_i4() {
        // The body Azure returned for a geography written as a region (jupyterhub/zero-to-jupyterhub-k8s#3082).
        let body = br#"{"error":{"code":"LocationNotAvailableForResourceType","message":"The provided location 'unitedstates' is not available for resource type 'Microsoft.ContainerService/managedClusters'."}}"#;
        let e = ClientError::Arm(ArmError::from_body(400, body, None));
        assert!(refuses_location(&e));
        assert!(refuses_location(&ClientError::Accepted(Box::new(e))));
        let other = br#"{"code":"InsufficientSubnetSize","message":"Pre-allocated IPs 1280 exceeds IPs available 1024"}"#;
        assert!(!refuses_location(&ClientError::Arm(ArmError::from_body(
            400, other, None
        ))));
        assert!(!refuses_location(&ClientError::Transport("reset".into())));
    }
}
