//! What every ARM-backed resource shares: the client and subscription, error diagnostics,
//! the "already exists, import it" check and deadlines around ARM calls.

use std::time::Duration;

use aksnet_tfplugin::Diagnostics;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::arm::client::{ArmClient, ClientError, Tagged};
use crate::arm::connection::{Connection, ConnectionError};
use crate::arm::ids::ResourceId;

/// The ARM client and subscription; `managing` ends the missing-subscription message.
pub async fn client(
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
pub fn connection_error(diags: &mut Diagnostics, e: &ConnectionError) {
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
pub async fn credentials_at_plan(connection: &Connection, diags: &mut Diagnostics) -> bool {
    match connection.client().await {
        Ok(_) | Err(ConnectionError::NotConfigured) => true,
        Err(e) => {
            connection_error(diags, &e);
            false
        }
    }
}

/// Records an ARM failure: `what` is the action in progress, e.g. "creating".
pub fn arm_error(diags: &mut Diagnostics, what: &str, id: &ResourceId, e: &ClientError) {
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
pub enum LeftBehind<T> {
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
pub async fn left_behind<T: DeserializeOwned>(
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
pub async fn require_absent(
    client: &ArmClient,
    diags: &mut Diagnostics,
    id: &ResourceId,
    resource_type: &str,
) -> bool {
    match client.get::<Json>(id).await {
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

/// ARM treats `West Europe` and `westeurope` as one region: compare without spaces or case.
pub fn same_location(a: &str, b: &str) -> bool {
    let norm = |x: &str| {
        x.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    norm(a) == norm(b)
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
