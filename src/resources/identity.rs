//! Resource identity (Terraform >= 1.12) of the ARM-backed resources, in azurerm's shape, built
//! from and to the typed IDs in `arm::ids` (no string handling of IDs here).
//!
//! azurerm generates an identity from a resource ID type: one required-for-import string per
//! subscription, resource group and user-specified segment, named after the segment in snake
//! case, the last `*Name` segment being `name` (internal/tf/pluginsdk/resource_identity.go,
//! `GenerateIdentitySchema`/`SegmentName`, hashicorp/terraform-provider-azurerm at 69697b7).
//! `azurerm_route_table` and `azurerm_kubernetes_automatic_cluster` declare exactly
//! `subscription_id`, `resource_group_name`, `name` (route_table_resource_identity_gen_test.go,
//! kubernetes_automatic_cluster_resource_identity_gen_test.go). For an agent pool, whose ID
//! segments are `subscriptionId`, `resourceGroupName`, `managedClusterName`, `agentPoolName`
//! (go-azure-sdk containerservice 2025-10-01 agentpools/id_agentpool.go), the same rule gives
//! `subscription_id`, `resource_group_name`, `managed_cluster_name`, `name`.

use aksnet_tfplugin::schema::Description;
use aksnet_tfplugin::{Diagnostics, Identity, IdentityAttribute, IdentitySchema, IdentityType};

use crate::arm::connection::Connection;
use crate::arm::ids::{Kind, Part, ResourceId};

/// The identity of one resource type: its ARM kind and the attribute for each name in the ID.
pub(crate) struct Shape {
    kind: Kind,
    /// What the object is called in descriptions.
    what: &'static str,
    /// `(attribute, description)` for each of `ResourceId::names`, outermost first.
    names: &'static [(&'static str, &'static str)],
}

const SUBSCRIPTION: &str = "subscription_id";
const RESOURCE_GROUP: &str = "resource_group_name";

/// `aksnet_route_table`.
pub(crate) const ROUTE_TABLE: Shape = Shape {
    kind: Kind::RouteTable,
    what: "route table",
    names: &[("name", "The route table's name.")],
};

/// `aksnet_cluster_network`.
pub(crate) const CLUSTER: Shape = Shape {
    kind: Kind::ManagedCluster,
    what: "AKS cluster",
    names: &[("name", "The AKS cluster's name.")],
};

/// `aksnet_node_pool`.
pub(crate) const NODE_POOL: Shape = Shape {
    kind: Kind::AgentPool,
    what: "node pool",
    names: &[
        (
            "managed_cluster_name",
            "The name of the AKS cluster the node pool belongs to.",
        ),
        ("name", "The node pool's name."),
    ],
};

impl Shape {
    /// The identity schema, version 0: every attribute a string required for import.
    pub(crate) fn schema(&self) -> IdentitySchema {
        let attr = |name: &str, description: String| IdentityAttribute {
            name: name.to_string(),
            attr_type: IdentityType::String,
            required_for_import: true,
            description: Description::markdown(description),
        };
        let what = self.what;
        let mut attributes = vec![
            attr(
                SUBSCRIPTION,
                format!("The ID (a GUID) of the subscription the {what} is in."),
            ),
            attr(
                RESOURCE_GROUP,
                format!("The name of the resource group the {what} is in."),
            ),
        ];
        attributes.extend(self.names.iter().map(|(n, d)| attr(n, d.to_string())));
        IdentitySchema {
            version: 0,
            attributes,
        }
    }

    /// The identity of `id`. The subscription is written in lower case (GUIDs are
    /// case-insensitive, ARM returns them in lower case), so an identity does not change with
    /// how a configuration spelled it.
    pub(crate) fn of(&self, id: &ResourceId) -> Identity {
        let mut pairs = vec![
            (SUBSCRIPTION, id.subscription_id.to_ascii_lowercase()),
            (RESOURCE_GROUP, id.resource_group.clone()),
        ];
        pairs.extend(self.names.iter().map(|(n, _)| *n).zip(id.names.iter().cloned()));
        Identity::strings(pairs)
    }

    /// The ID an `import` block's identity names (its attributes are set: the server checked
    /// them against the schema); an error naming the attribute that breaks a rule.
    pub(crate) fn to_id(
        &self,
        diags: &mut Diagnostics,
        identity: &Identity,
        resource_type: &str,
    ) -> Option<ResourceId> {
        let get = |a: &str| identity.str(a).unwrap_or_default();
        let names: Vec<&str> = self.names.iter().map(|(n, _)| get(n)).collect();
        match ResourceId::from_parts(self.kind, get(SUBSCRIPTION), get(RESOURCE_GROUP), &names) {
            Ok(id) => Some(id),
            Err(e) => {
                let attribute = match e.part {
                    Part::Subscription => SUBSCRIPTION,
                    Part::ResourceGroup => RESOURCE_GROUP,
                    Part::Name(i) => self.names.get(i).map_or("name", |(n, _)| n),
                };
                diags.root_error(
                    "Invalid Import Identity",
                    format!(
                        "`identity.{attribute}` of the {} to import as `{resource_type}` is invalid: {e}.",
                        self.kind.display_name()
                    ),
                );
                None
            }
        }
    }
}

/// Import's check for the resources that address ARM in the provider's subscription: the
/// object to import must be in it, or every later read would look for it elsewhere (and its
/// identity would change). False, with an error naming the attribute, when it is not.
pub(crate) async fn in_provider_subscription(
    connection: &Connection,
    diags: &mut Diagnostics,
    id: &ResourceId,
    resource_type: &str,
) -> bool {
    match connection.subscription_id().await {
        Some(sub) if !sub.eq_ignore_ascii_case(&id.subscription_id) => {
            diags.root_error(
                "Import From Another Subscription",
                format!(
                    "The {} to import is in another subscription than the provider's `subscription_id` \
                     (the import ID's `/subscriptions/` segment, or `identity.{SUBSCRIPTION}`). \
                     `{resource_type}` manages objects in the provider's subscription: import it with a \
                     provider configuration (an alias) whose `subscription_id` is that subscription.",
                    id.kind.display_name()
                ),
            );
            false
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "11111111-1111-1111-1111-111111111111";

    #[test]
    fn identities_round_trip_through_the_typed_id() {
        for (shape, id) in [
            (
                &ROUTE_TABLE,
                ResourceId::new(Kind::RouteTable, SUB, "rg", &["rt"]),
            ),
            (
                &CLUSTER,
                ResourceId::new(Kind::ManagedCluster, SUB, "rg", &["aks"]),
            ),
            (
                &NODE_POOL,
                ResourceId::new(Kind::AgentPool, SUB, "rg", &["aks", "user"]),
            ),
        ] {
            let identity = shape.of(&id);
            let schema = shape.schema();
            let mut names: Vec<&str> = schema.attributes.iter().map(|a| a.name.as_str()).collect();
            names.sort_unstable();
            let mut keys: Vec<&str> = identity.0.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(names, keys, "identity data matches the schema");
            assert!(schema.attributes.iter().all(|a| a.required_for_import));
            let mut diags = Diagnostics::default();
            assert_eq!(shape.to_id(&mut diags, &identity, "x"), Some(id));
        }
        let upper = ResourceId::new(Kind::RouteTable, &SUB.to_uppercase(), "rg", &["rt"]);
        assert_eq!(ROUTE_TABLE.of(&upper).str(SUBSCRIPTION), Some(SUB));
    }

    #[test]
    fn an_invalid_attribute_is_named_without_its_value() {
        let mut identity = NODE_POOL.of(&ResourceId::new(Kind::AgentPool, SUB, "rg", &["aks", "user"]));
        identity
            .0
            .insert("managed_cluster_name".into(), serde_json::json!("bad.name!"));
        let mut diags = Diagnostics::default();
        assert!(NODE_POOL
            .to_id(&mut diags, &identity, "aksnet_node_pool")
            .is_none());
        let detail = diags.errors[0].detail.to_string();
        assert!(detail.contains("`identity.managed_cluster_name`"), "{detail}");
        assert!(!detail.contains("bad.name!"), "{detail}");
    }
}
