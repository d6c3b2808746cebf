//! `aksnet_route_table`'s schema and state.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aksnet_tfplugin::schema::{
    AttributeConstraint as C, AttributeType as T, Block, Description, NestedBlock,
};
use aksnet_tfplugin::value::Value;
use serde::{Deserialize, Serialize};

use crate::resources::timeouts::{self, Timeouts};
use crate::tfvalue::{attribute, null_if_unknown};

pub(super) type Str = Value<String>;

/// Terraform state, in lock-step with the schema.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct State {
    pub id: Str,
    pub name: Str,
    pub resource_group_name: Str,
    pub location: Str,
    pub bgp_route_propagation_enabled: Value<bool>,
    pub tags: Value<BTreeMap<String, Str>>,
    pub subnet_ids: Value<BTreeSet<Str>>,
    /// A set of blocks keyed by name (Terraform sends a set as a sequence in its own order).
    pub route: Value<Vec<Value<RouteBlock>>>,
    pub foreign_routes: Str,
    pub reserved_route_count: Value<i64>,
    pub etag: Str,
    pub timeouts: Value<Timeouts>,
}

/// Private state: what the last refresh saw of the routes this resource does not own. It is
/// not part of the schema, so the routes AKS adds and removes between applies change no
/// attribute (Terraform reports no change outside of Terraform), yet plan can count them in
/// the 400-route budget without reading Azure.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Private {
    /// Names of the routes in the table that were not declared, at the last read.
    #[serde(default)]
    pub foreign_route_names: Vec<String>,
}

/// A `route` block.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RouteBlock {
    pub name: Str,
    pub address_prefix: Str,
    pub next_hop_type: Str,
    pub next_hop_ip_address: Str,
}

pub(super) fn block() -> Block {
    let force = " Changing this forces a new resource to be created.";
    let attrs = [
        ("id", attribute(T::String, C::Computed, "The ARM resource ID of the route table.")),
        ("name", attribute(T::String, C::Required, &format!("The name of the route table (1–80 characters: letters, digits, `_`, `.`, `-`).{force}"))),
        ("resource_group_name", attribute(T::String, C::Required, &format!("The resource group of the route table.{force}"))),
        ("location", attribute(T::String, C::Required, &format!("The Azure region, e.g. `westeurope`.{force}"))),
        ("bgp_route_propagation_enabled", attribute(T::Bool, C::OptionalComputed, "Whether routes learned by BGP propagate to the associated subnets. Defaults to `true`.")),
        ("tags", attribute(T::Map(Box::new(T::String)), C::Optional, "Tags to assign to the route table.")),
        ("subnet_ids", attribute(T::Set(Box::new(T::String)), C::OptionalComputed, "IDs of subnets to associate with the route table. Associations this resource did not make are left alone: they never show as drift, and destroy refuses (before changing anything) while one exists, naming the subnets. To let this resource remove such an association on destroy, add the subnet here and apply. Import reads the table's associations into this attribute; left unset, the recorded associations are kept as they are (set `[]` to remove them all).")),
        ("foreign_routes", attribute(T::String, C::Optional, "What to do with routes in the table that are not declared here, such as the `aks-*` routes kubenet writes: `preserve` (the default) keeps them; they are not stored in state, so their changes never show in a plan, not even as changes outside of Terraform. `remove` deletes them on the next apply, and lets destroy delete the table with them. Subnet associations are not affected.")),
        ("reserved_route_count", attribute(T::Number, C::Optional, "Routes to keep free for kubenet nodes (one per node), e.g. `aksnet_pod_cidr_plan.example.kubenet_routes_needed`. Declared + foreign + reserved routes must fit Azure's limit of 400.")),
        ("etag", attribute(T::String, C::Computed, "The route table's ETag after this resource's last write (or import). Writes by others, such as AKS adding its routes, do not change it in state; each write reads the current ETag and sends it in `If-Match`.")),
    ];
    let route_attrs = [
        ("name", attribute(T::String, C::Required, "The route name, unique in the table.")),
        ("address_prefix", attribute(T::String, C::Required, "Destination CIDR (e.g. `0.0.0.0/0`) or service tag (e.g. `AzureCloud`).")),
        ("next_hop_type", attribute(T::String, C::Required, "Possible values are `VirtualNetworkGateway`, `VnetLocal`, `Internet`, `VirtualAppliance` and `None`.")),
        ("next_hop_ip_address", attribute(T::String, C::Optional, "The next hop's IP address; required for, and only allowed with, `VirtualAppliance`.")),
    ];
    Block {
        version: 1,
        attributes: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        blocks: HashMap::from([
            (
                "route".to_string(),
                // A set: order carries no meaning, so reordering blocks plans nothing, and a
                // changed route is that route's change alone. Names are unique (O7, checked at
                // validate and plan); identical blocks are one route. State written while this was
                // a list needs no upgrade: Terraform keeps state as JSON, where a list and a set
                // of objects are both arrays, and decodes it with this schema (same version).
                NestedBlock::Set(Block {
                    version: 1,
                    attributes: route_attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                    blocks: HashMap::new(),
                    description: Description::markdown(
                        "A route this resource owns. `route` blocks are a set keyed by `name`: their order carries no \
                         meaning, and names are unique in the table.",
                    ),
                    deprecated: false,
                }),
            ),
            ("timeouts".to_string(), timeouts::block(30, 5, 30, 30, "route table")),
        ]),
        description: Description::markdown(
            "Manages a route table for kubenet or bring-your-own routing without fighting AKS: the whole table is written \
             in one request (with `If-Match`), routes it does not declare (such as AKS's `aks-*` routes) are preserved and \
             never shown as drift, and subnet associations are made per subnet.",
        ),
        deprecated: false,
    }
}

impl State {
    /// Equal as Terraform compares them: `route` is a set, so its order does not count.
    pub(super) fn same_as(&self, other: &State) -> bool {
        self.clone().routes_sorted() == other.clone().routes_sorted()
    }

    fn routes_sorted(mut self) -> Self {
        if let Value::Value(routes) = &mut self.route {
            routes.sort_by_cached_key(|r| format!("{r:?}"));
        }
        self
    }

    /// The planned state with the computed values a create never learned set to null.
    pub(super) fn without_unknowns(mut self) -> Self {
        null_if_unknown(&mut self.id);
        null_if_unknown(&mut self.etag);
        null_if_unknown(&mut self.bgp_route_propagation_enabled);
        null_if_unknown(&mut self.reserved_route_count);
        self
    }
}

pub(super) fn s(v: &Str) -> Option<&str> {
    v.as_ref_option().map(String::as_str)
}

pub(super) fn routes_of(state: &State) -> Vec<&RouteBlock> {
    state
        .route
        .as_ref_option()
        .map(|r| r.iter().filter_map(|b| b.as_ref_option()).collect())
        .unwrap_or_default()
}

pub(super) fn subnet_set(v: &Value<BTreeSet<Str>>) -> BTreeSet<String> {
    v.as_ref_option()
        .map(|s| s.iter().filter_map(|x| x.as_ref_option().cloned()).collect())
        .unwrap_or_default()
}
