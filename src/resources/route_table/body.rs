//! Between Terraform state and the ARM route table: the body to write and the refresh.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aksnet_tfplugin::value::Value;
use serde_json::Value as Json;

use crate::arm::ids::{Kind, ResourceId};
use crate::arm::models::{Route, RouteProperties, RouteTable as ArmRouteTable};
use crate::resources::arm_common::same_location;

use super::schema::{routes_of, s, Private, RouteBlock, State, Str};

pub(super) fn id_of(state: &State, subscription: &str) -> Option<ResourceId> {
    Some(ResourceId::new(
        Kind::RouteTable,
        subscription,
        s(&state.resource_group_name)?,
        &[s(&state.name)?],
    ))
}

pub(super) fn to_arm_route(r: &RouteBlock, existing: Option<&Route>) -> Route {
    let mut route = existing.cloned().unwrap_or_default();
    route.name = s(&r.name).unwrap_or_default().to_string();
    route.properties = RouteProperties {
        address_prefix: s(&r.address_prefix).unwrap_or_default().to_string(),
        next_hop_type: s(&r.next_hop_type).unwrap_or_default().to_string(),
        next_hop_ip_address: s(&r.next_hop_ip_address).map(str::to_string),
        extra: existing.map(|e| e.properties.extra.clone()).unwrap_or_default(),
    };
    route.properties.extra.remove("provisioningState");
    route
}

pub(super) fn from_arm_route(r: &Route) -> RouteBlock {
    RouteBlock {
        name: Value::Value(r.name.clone()),
        address_prefix: Value::Value(r.properties.address_prefix.clone()),
        next_hop_type: Value::Value(r.properties.next_hop_type.clone()),
        next_hop_ip_address: r
            .properties
            .next_hop_ip_address
            .clone()
            .filter(|s| !s.is_empty())
            .into(),
    }
}

/// The table body to write: declared routes (keeping server fields), plus foreign routes unless removed.
/// `released` names routes this resource owned before and no longer declares: they go.
pub(super) fn desired_table(
    planned: &State,
    current: Option<&ArmRouteTable>,
    released: &BTreeSet<String>,
) -> ArmRouteTable {
    let mut table = current.cloned().unwrap_or_default();
    let declared = routes_of(planned);
    let owned: BTreeSet<String> = declared
        .iter()
        .filter_map(|r| s(&r.name))
        .map(str::to_ascii_lowercase)
        .collect();
    let existing: HashMap<String, &Route> = current
        .map(|c| {
            c.properties
                .routes
                .iter()
                .map(|r| (r.name.to_ascii_lowercase(), r))
                .collect()
        })
        .unwrap_or_default();
    let mut routes: Vec<Route> = declared
        .iter()
        .map(|r| {
            to_arm_route(
                r,
                s(&r.name).and_then(|n| existing.get(&n.to_ascii_lowercase()).copied()),
            )
        })
        .collect();
    if s(&planned.foreign_routes) != Some("remove") {
        if let Some(c) = current {
            routes.extend(
                c.properties
                    .routes
                    .iter()
                    .filter(|r| {
                        let n = r.name.to_ascii_lowercase();
                        !owned.contains(&n) && !released.contains(&n)
                    })
                    .cloned(),
            );
        }
    }
    table.location = s(&planned.location).map(str::to_string).or(table.location);
    table.tags = Some(
        planned
            .tags
            .as_ref_option()
            .map(|t| {
                t.iter()
                    .filter_map(|(k, v)| v.as_ref_option().map(|v| (k.clone(), Json::from(v.clone()))))
                    .collect()
            })
            .unwrap_or_default(),
    );
    table.properties.routes = routes;
    table.properties.disable_bgp_route_propagation = Some(
        !planned
            .bgp_route_propagation_enabled
            .as_ref_option()
            .copied()
            .unwrap_or(true),
    );
    table.properties.extra.remove("provisioningState");
    table
}

/// The routes in `table` that `state` does not own (AKS's `aks-*` routes and others'), sorted.
pub(super) fn foreign_routes(state: &State, table: &ArmRouteTable) -> Private {
    let owned: BTreeSet<String> = routes_of(state)
        .iter()
        .filter_map(|r| s(&r.name))
        .map(str::to_ascii_lowercase)
        .collect();
    let mut names: Vec<String> = table
        .properties
        .routes
        .iter()
        .filter(|r| !owned.contains(&r.name.to_ascii_lowercase()))
        .map(|r| r.name.clone())
        .collect();
    names.sort();
    Private {
        foreign_route_names: names,
    }
}

/// Refreshes the computed parts of `state` from the table ARM returned. Foreign routes are
/// not state (see [`foreign_routes`]): AKS changing them changes nothing here.
pub(super) fn refresh(state: &mut State, table: &ArmRouteTable, etag: Option<String>, importing: bool) {
    let by_name: HashMap<String, &Route> = table
        .properties
        .routes
        .iter()
        .map(|r| (r.name.to_ascii_lowercase(), r))
        .collect();
    if importing {
        // Kubenet's per-node routes are AKS's; every other route becomes owned on import.
        state.route = Value::Value(
            table
                .properties
                .routes
                .iter()
                .filter(|r| !r.name.starts_with("aks-"))
                .map(|r| Value::Value(from_arm_route(r)))
                .collect(),
        );
    } else {
        // Owned routes show drift (changed or deleted out of band); foreign ones never do.
        let owned: Vec<Value<RouteBlock>> = routes_of(state)
            .iter()
            .filter_map(|r| {
                s(&r.name)
                    .and_then(|n| by_name.get(&n.to_ascii_lowercase()))
                    .map(|arm| Value::Value(from_arm_route(arm)))
            })
            .collect();
        state.route = Value::Value(owned);
    }
    if let Some(loc) = &table.location {
        if !s(&state.location).is_some_and(|l| same_location(l, loc)) {
            state.location = Value::Value(loc.clone());
        }
    }
    state.bgp_route_propagation_enabled =
        Value::Value(!table.properties.disable_bgp_route_propagation.unwrap_or(false));
    let tags: BTreeMap<String, Str> = table
        .tags
        .as_ref()
        .map(|t| {
            t.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        Value::Value(v.as_str().unwrap_or_default().to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    state.tags = if tags.is_empty() && state.tags.is_null() {
        Value::Null
    } else {
        Value::Value(tags)
    };
    let associated: BTreeSet<String> = table
        .properties
        .subnets
        .iter()
        .map(|s| s.id.to_ascii_lowercase())
        .collect();
    if importing {
        // Import takes the table as Azure has it, associations included (they become owned,
        // like the routes): a configuration declaring the same subnet_ids plans no change.
        state.subnet_ids = Value::Value(
            table
                .properties
                .subnets
                .iter()
                .map(|s| Value::Value(s.id.clone()))
                .collect(),
        );
    } else if let Value::Value(ids) = &state.subnet_ids {
        // Associations made elsewhere are not ours; ours that vanished show as drift.
        state.subnet_ids = Value::Value(
            ids.iter()
                .filter(|id| s(id).is_some_and(|i| associated.contains(&i.to_ascii_lowercase())))
                .cloned()
                .collect(),
        );
    }
    state.etag = etag.into();
}
