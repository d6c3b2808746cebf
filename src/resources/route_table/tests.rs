//! Unit tests of the schema and the table body.

use std::collections::BTreeSet;

use aksnet_tfplugin::schema::NestedBlock;
use aksnet_tfplugin::value::Value;

use super::body::*;
use super::schema::*;
use crate::arm::models::{Route, RouteProperties, RouteTable as ArmRouteTable};
use crate::resources::schema_guard;
use crate::resources::timeouts::Timeouts;

#[test]
fn state_matches_schema() {
    let b = block();
    schema_guard::assert_state_matches(&State::default(), &b, "aksnet_route_table");
    schema_guard::assert_well_described(&b, "aksnet_route_table");
    let NestedBlock::Set(route) = &b.blocks["route"] else {
        panic!("route is a set of blocks")
    };
    schema_guard::assert_state_matches(&RouteBlock::default(), route, "route");
    let NestedBlock::Group(t) = &b.blocks["timeouts"] else {
        panic!("timeouts is a group")
    };
    schema_guard::assert_state_matches(&Timeouts::default(), t, "timeouts");
    for a in ["name", "resource_group_name", "location"] {
        assert!(
            b.attributes[a]
                .description
                .content
                .ends_with("Changing this forces a new resource to be created."),
            "{a}"
        );
    }
}

fn route(name: &str, prefix: &str, hop: &str, ip: Option<&str>) -> Value<RouteBlock> {
    Value::Value(RouteBlock {
        name: Value::Value(name.into()),
        address_prefix: Value::Value(prefix.into()),
        next_hop_type: Value::Value(hop.into()),
        next_hop_ip_address: ip.map(str::to_string).into(),
    })
}

fn cfg(routes: Vec<Value<RouteBlock>>) -> State {
    State {
        name: Value::Value("rt".into()),
        resource_group_name: Value::Value("rg".into()),
        location: Value::Value("westeurope".into()),
        route: Value::Value(routes),
        ..Default::default()
    }
}

#[test]
fn merge_keeps_foreign_routes_unless_removed() {
    let current = ArmRouteTable {
        properties: crate::arm::models::RouteTableProperties {
            routes: vec![
                Route {
                    name: "aks-node-0".into(),
                    properties: RouteProperties {
                        address_prefix: "10.244.0.0/24".into(),
                        next_hop_type: "VirtualAppliance".into(),
                        next_hop_ip_address: Some("10.0.0.4".into()),
                        ..Default::default()
                    },
                    ..Default::default()
                },
                Route {
                    name: "fw".into(),
                    properties: RouteProperties {
                        address_prefix: "0.0.0.0/0".into(),
                        next_hop_type: "Internet".into(),
                        ..Default::default()
                    },
                    ..Default::default()
                },
            ],
            ..Default::default()
        },
        ..Default::default()
    };
    let planned = cfg(vec![route(
        "fw",
        "0.0.0.0/0",
        "VirtualAppliance",
        Some("10.0.0.5"),
    )]);
    let t = desired_table(&planned, Some(&current), &BTreeSet::new());
    let names: Vec<&str> = t.properties.routes.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["fw", "aks-node-0"]);
    assert_eq!(
        t.properties.routes[0].properties.next_hop_ip_address.as_deref(),
        Some("10.0.0.5")
    );
    let mut removing = planned.clone();
    removing.foreign_routes = Value::Value("remove".into());
    assert_eq!(
        desired_table(&removing, Some(&current), &BTreeSet::new())
            .properties
            .routes
            .len(),
        1
    );
    let mut state = planned;
    let before = state.clone();
    refresh(&mut state, &current, Some("\"1\"".into()), false);
    // AKS's route is not state; the owned route shows what Azure has (drift).
    let expected = State {
        route: Value::Value(vec![route("fw", "0.0.0.0/0", "Internet", None)]),
        etag: Value::Value("\"1\"".into()),
        bgp_route_propagation_enabled: Value::Value(true),
        ..before
    };
    assert_eq!(state, expected);
    assert_eq!(
        foreign_routes(&state, &current).foreign_route_names,
        ["aks-node-0"]
    );
}
