//! Plan-time work: netplan's route table rules and the planned computed attributes.

use std::collections::BTreeSet;

use aksnet_tfplugin::value::Value;
use aksnet_tfplugin::Diagnostics;

use crate::arm::ids::{Kind, ResourceId};
use crate::netplan::route_table::{validate_route_table, RouteSpec, RouteTableSpec};
use crate::tfvalue::{input, report, report_nulls};

use super::schema::{block, routes_of, s, subnet_set, Private, State, Str};

/// The table as netplan's route table rules read it; `foreign` counts routes in Azure that
/// the table does not declare.
pub(super) fn table_spec(cfg: &State, foreign: usize) -> RouteTableSpec {
    let owned = |v: &Str| s(v).map(str::to_string);
    let routes = cfg.route.as_ref_option().cloned().unwrap_or_default();
    RouteTableSpec {
        name: owned(&cfg.name),
        resource_group_name: owned(&cfg.resource_group_name),
        location: owned(&cfg.location),
        foreign_routes: owned(&cfg.foreign_routes),
        read_only_set: [("id", cfg.id.is_value()), ("etag", cfg.etag.is_value())]
            .iter()
            .filter(|(_, set)| *set)
            .map(|(a, _)| *a)
            .collect(),
        bad_subnet_ids: subnet_set(&cfg.subnet_ids)
            .iter()
            .filter_map(|id| ResourceId::parse(Kind::Subnet, id).err().map(|e| e.to_string()))
            .collect(),
        declared_routes: routes.len(),
        routes: routes
            .iter()
            .filter_map(|r| {
                let r = r.as_ref_option()?;
                Some(RouteSpec {
                    name: owned(&r.name),
                    address_prefix: owned(&r.address_prefix),
                    next_hop_type: owned(&r.next_hop_type),
                    next_hop_ip_address: input(&r.next_hop_ip_address),
                })
            })
            .collect(),
        reserved_route_count: cfg.reserved_route_count.as_ref_option().copied(),
        foreign,
    }
}

/// Validate- and plan-time checks: nulls (I8), netplan's route table rules (I, O7, O1, C2).
pub(super) fn validate_config(diags: &mut Diagnostics, cfg: &State, foreign: usize) {
    report_nulls(diags, &block(), cfg);
    report(diags, &validate_route_table(&table_spec(cfg, foreign)), cfg);
}

/// The routes of the last read that the configuration does not declare: what the 400-route
/// budget counts as foreign (a route a failed write left behind is owned again once declared).
pub(super) fn foreign_count(config: &State, private: Option<&Private>) -> usize {
    let declared: BTreeSet<String> = routes_of(config)
        .iter()
        .filter_map(|r| s(&r.name).map(str::to_ascii_lowercase))
        .collect();
    private.map_or(0, |p| {
        p.foreign_route_names
            .iter()
            .filter(|n| !declared.contains(&n.to_ascii_lowercase()))
            .count()
    })
}

/// `foreign` counts the routes in Azure the configuration does not declare (0 for a new table).
pub(super) fn plan_common(
    diags: &mut Diagnostics,
    mut proposed: State,
    config: &State,
    foreign: usize,
) -> State {
    validate_config(diags, config, foreign);
    if proposed.bgp_route_propagation_enabled.is_null() {
        proposed.bgp_route_propagation_enabled = Value::Value(true);
    }
    proposed.etag = Value::Unknown;
    proposed
}
