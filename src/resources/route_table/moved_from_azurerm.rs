//! `moved { from = azurerm_route_table.x  to = aksnet_route_table.x }`: azurerm's state in,
//! `aksnet_route_table`'s out. Pure; the mapping is the guide's table
//! (docs/guides/adopting-from-azurerm.md, "Attribute names").
//!
//! azurerm's schema (hashicorp/terraform-provider-azurerm
//! internal/services/network/route_table_resource.go, v3.117.1 and v4): no `SchemaVersion`, so
//! version 0 in both majors; `route` is a set of `{name, address_prefix, next_hop_type,
//! next_hop_in_ip_address}` ("ConfigMode: SchemaConfigModeAttr", stored as a JSON list);
//! `bgp_route_propagation_enabled` (v4, and v3 next to it) or only
//! `disable_bgp_route_propagation` (v3: "has been superseded by the property
//! `bgp_route_propagation_enabled` and will be removed in v4.0"); `subnets` is computed, the
//! associations `azurerm_subnet_route_table_association` made.
//!
//! Left to the refresh that follows the move: `etag` (azurerm has none) and the foreign routes
//! (private state). `subnet_ids` stays unset: the associations azurerm lists were made by other
//! resources and stay theirs, as with any association this resource did not make.

use aksnet_tfplugin::value::Value;
use aksnet_tfplugin::MoveSource;
use serde_json::Value as Json;

use crate::resources::moved::{check, required, string_map, text, timeouts, MoveError};

use super::schema::{RouteBlock, State};

/// The source type this resource takes moves from.
pub(crate) const SOURCE: &str = "azurerm_route_table";
/// azurerm's schema version of `azurerm_route_table` (none declared: 0).
pub(crate) const VERSION: i64 = 0;

/// The `aksnet_route_table` state for an `azurerm_route_table` state.
pub(crate) fn from_azurerm(source: &MoveSource) -> Result<State, MoveError> {
    check(
        source,
        SOURCE,
        VERSION,
        "azurerm 3.x and 4.x, whose route_table_resource.go declares no SchemaVersion",
    )?;
    let st = &source.state;
    let bgp = match (
        st["bgp_route_propagation_enabled"].as_bool(),
        st["disable_bgp_route_propagation"].as_bool(),
    ) {
        (Some(enabled), _) => Value::Value(enabled),
        (None, Some(disabled)) => Value::Value(!disabled),
        (None, None) => Value::Null,
    };
    let routes: Vec<Value<RouteBlock>> = st["route"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| Value::Value(route(r)))
        .collect();
    Ok(State {
        id: required(source, st, "id")?,
        name: required(source, st, "name")?,
        resource_group_name: required(source, st, "resource_group_name")?,
        location: required(source, st, "location")?,
        bgp_route_propagation_enabled: bgp,
        tags: string_map(&st["tags"]),
        subnet_ids: Value::Null,
        // An empty list, not null: the refresh then keeps these routes as owned and every
        // other route (AKS's `aks-*`) as foreign, instead of taking all as on import.
        route: Value::Value(routes),
        foreign_routes: Value::Null,
        reserved_route_count: Value::Null,
        etag: Value::Null,
        timeouts: timeouts(&st["timeouts"]),
    })
}

fn route(r: &Json) -> RouteBlock {
    RouteBlock {
        name: text(&r["name"]),
        address_prefix: text(&r["address_prefix"]),
        next_hop_type: text(&r["next_hop_type"]),
        next_hop_ip_address: text(&r["next_hop_in_ip_address"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg";

    fn source(version: i64, state: Json) -> MoveSource {
        MoveSource {
            provider_address: "registry.terraform.io/hashicorp/azurerm".into(),
            type_name: SOURCE.into(),
            schema_version: version,
            state,
            target_type_name: "aksnet_route_table".into(),
        }
    }

    /// As azurerm v4 stores it (resourceRouteTableFlatten): every attribute, `""` for an unset
    /// next hop, `subnets` from the associations, `tags = {}`.
    fn v4() -> Json {
        json!({
            "id": format!("{RG}/providers/Microsoft.Network/routeTables/rt"),
            "name": "rt", "resource_group_name": "rg", "location": "westeurope",
            "bgp_route_propagation_enabled": false,
            "route": [
                {"name": "default", "address_prefix": "0.0.0.0/0", "next_hop_type": "VirtualAppliance", "next_hop_in_ip_address": "10.0.0.4"},
                {"name": "local", "address_prefix": "10.1.0.0/16", "next_hop_type": "VnetLocal", "next_hop_in_ip_address": ""}
            ],
            "subnets": [format!("{RG}/providers/Microsoft.Network/virtualNetworks/v/subnets/s")],
            "tags": {},
            "timeouts": null
        })
    }

    #[test]
    fn v4_state_maps_to_ours() {
        let s = from_azurerm(&source(0, v4())).expect("translates");
        assert_eq!(s.name, Value::Value("rt".into()));
        assert_eq!(s.location, Value::Value("westeurope".into()));
        assert_eq!(s.bgp_route_propagation_enabled, Value::Value(false));
        assert_eq!(s.tags, Value::Null, "azurerm's empty tags are no tags");
        assert_eq!(
            s.subnet_ids,
            Value::Null,
            "associations made elsewhere stay foreign"
        );
        assert!(s.etag.is_null() && s.timeouts.is_null());
        let routes = s.route.as_ref_option().expect("routes");
        assert_eq!(routes.len(), 2);
        let first = routes[0].as_ref_option().unwrap();
        assert_eq!(first.next_hop_ip_address, Value::Value("10.0.0.4".into()));
        assert_eq!(
            routes[1].as_ref_option().unwrap().next_hop_ip_address,
            Value::Null
        );
    }

    #[test]
    fn v3_disable_flag_is_inverted_and_no_routes_is_an_empty_list() {
        let mut st = v4();
        let m = st.as_object_mut().unwrap();
        m.remove("bgp_route_propagation_enabled");
        m.insert("disable_bgp_route_propagation".into(), json!(true));
        m.insert("route".into(), json!([]));
        m.insert("tags".into(), json!({"env": "prod"}));
        m.insert(
            "timeouts".into(),
            json!({"create": "45m", "read": null, "update": null, "delete": null}),
        );
        let s = from_azurerm(&source(0, st)).expect("translates");
        assert_eq!(s.bgp_route_propagation_enabled, Value::Value(false));
        assert_eq!(s.route, Value::Value(vec![]));
        assert_eq!(
            s.tags.as_ref_option().unwrap().get("env"),
            Some(&Value::Value("prod".to_string()))
        );
        assert_eq!(
            s.timeouts.as_ref_option().unwrap().create,
            Value::Value("45m".into())
        );
    }

    #[test]
    fn unknown_versions_and_types_and_broken_states_are_errors() {
        let e = from_azurerm(&source(1, v4())).unwrap_err();
        assert!(
            matches!(
                e,
                MoveError::UnsupportedVersion {
                    version: 1,
                    known: 0,
                    ..
                }
            ),
            "{e}"
        );
        let mut other = source(0, v4());
        other.type_name = "azurerm_virtual_network".into();
        let e = from_azurerm(&other).unwrap_err();
        assert!(
            e.to_string().contains("takes moves from azurerm_route_table"),
            "{e}"
        );
        let mut st = v4();
        st.as_object_mut().unwrap().remove("location");
        let e = from_azurerm(&source(0, st)).unwrap_err();
        assert_eq!(
            e,
            MoveError::Missing {
                source_type: SOURCE.into(),
                attribute: "location"
            }
        );
        assert!(!e.to_string().contains("westeurope"));
    }
}
