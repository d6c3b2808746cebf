//! Microsoft.Network behaviour: route tables and routes, VNets and subnets, associations.

use serde_json::{json, Map, Value};

use crate::ids::{key, Target};
use crate::store::Store;
use crate::wire::{etag, wrapped, Reply};

const NEXT_HOPS: [&str; 5] = [
    "VirtualNetworkGateway",
    "VnetLocal",
    "Internet",
    "VirtualAppliance",
    "None",
];

/// True for a route table body.
pub(crate) fn is_route_table(body: &Value) -> bool {
    body.get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Network/routeTables"))
}

/// The body of the VNet subnet `subnet_id` is in (`…/virtualNetworks/{vnet}/subnets/{name}`).
pub(crate) fn subnet_vnet<'a>(store: &'a Store, subnet_id: &str) -> Option<&'a Value> {
    let k = key(subnet_id);
    let (vnet, _) = k.rsplit_once("/subnets/")?;
    store.resources.get(vnet).map(|s| &s.body)
}

/// The address prefixes of the VNet subnet `subnet_id` is in (none when it is unknown).
pub(crate) fn subnet_vnet_space(store: &Store, subnet_id: &str) -> Vec<Value> {
    subnet_vnet(store, subnet_id)
        .and_then(|v| v.pointer("/properties/addressSpace/addressPrefixes"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Ids of subnets whose `routeTable.id` is `route_table_id`.
pub(crate) fn subnets_using_route_table(store: &Store, route_table_id: &str) -> Vec<String> {
    let want = key(route_table_id);
    let mut out = Vec::new();
    for s in store.resources.values() {
        let Some(subnets) = s.body.pointer("/properties/subnets").and_then(Value::as_array) else {
            continue;
        };
        for subnet in subnets {
            let rt = subnet
                .pointer("/properties/routeTable/id")
                .and_then(Value::as_str)
                .map(key);
            if rt.as_deref() == Some(want.as_str()) {
                if let Some(id) = subnet.get("id").and_then(Value::as_str) {
                    out.push(id.to_string());
                }
            }
        }
    }
    out.sort();
    out
}

fn check_route(r: &Map<String, Value>, name: &str) -> Result<(), Reply> {
    let props = r.get("properties").and_then(Value::as_object);
    let hop = props
        .and_then(|p| p.get("nextHopType"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if !NEXT_HOPS.contains(&hop) {
        return Err(wrapped(
            400,
            "InvalidRequestFormat",
            &format!("Cannot parse the request: route {name} has an invalid nextHopType '{hop}'."),
        ));
    }
    let ip = props
        .and_then(|p| p.get("nextHopIpAddress"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    if hop == "VirtualAppliance" && ip.is_none() {
        return Err(wrapped(400, "MissingNextHopIpAddress", &format!("NextHopIpAddress cannot be Null or Empty in route {name} when NextHopType is VirtualAppliance.")));
    }
    if hop != "VirtualAppliance" && ip.is_some() {
        return Err(wrapped(
            400,
            "NextHopIpAddressNotAllowed",
            &format!(
                "NextHopIpAddress is only allowed in route {name} when NextHopType is VirtualAppliance."
            ),
        ));
    }
    if props
        .and_then(|p| p.get("addressPrefix"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .is_none()
    {
        return Err(wrapped(
            400,
            "InvalidRequestFormat",
            &format!("Cannot parse the request: route {name} has no addressPrefix."),
        ));
    }
    Ok(())
}

/// Gives a child (route, subnet) its id, type, etag and a Succeeded state.
fn normalize_child(
    parent_id: &str,
    child_type: &str,
    full_type: &str,
    mut child: Map<String, Value>,
) -> Result<Value, Reply> {
    let name = child
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if name.is_empty() {
        return Err(wrapped(
            400,
            "InvalidRequestFormat",
            &format!("Cannot parse the request: every {child_type} needs a name."),
        ));
    }
    child.insert(
        "id".into(),
        Value::from(format!("{parent_id}/{child_type}/{name}")),
    );
    child.insert("type".into(), Value::from(full_type));
    child.insert("etag".into(), Value::from(etag()));
    let props = child.entry("properties").or_insert_with(|| json!({}));
    if let Some(p) = props.as_object_mut() {
        p.insert("provisioningState".into(), Value::from("Succeeded"));
    }
    Ok(Value::Object(child))
}

/// Validates and normalises a Network PUT body.
pub(crate) fn prepare(
    store: &Store,
    target: &Target,
    mut body: Map<String, Value>,
    existing: Option<&Value>,
) -> Result<Map<String, Value>, Reply> {
    let ty = target.type_name().to_ascii_lowercase();
    let id = target.id();
    match ty.as_str() {
        "microsoft.network/routetables" => {
            require_location(&body)?;
            let routes = body
                .get("properties")
                .and_then(|p| p.get("routes"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if routes.len() > 400 {
                return Err(wrapped(
                    400,
                    "RouteTableRouteLimitReached",
                    &format!(
                        "Route table {} has {} routes; the limit is 400.",
                        target.name(),
                        routes.len()
                    ),
                ));
            }
            let mut seen = std::collections::BTreeSet::new();
            let mut out = Vec::new();
            for r in routes {
                let m = r.as_object().cloned().unwrap_or_default();
                let name = m.get("name").and_then(Value::as_str).unwrap_or("").to_string();
                if !seen.insert(name.to_ascii_lowercase()) {
                    return Err(wrapped(
                        400,
                        "InvalidRequestFormat",
                        &format!("Cannot parse the request: duplicate route name {name}."),
                    ));
                }
                check_route(&m, &name)?;
                out.push(normalize_child(
                    &id,
                    "routes",
                    "Microsoft.Network/routeTables/routes",
                    m,
                )?);
            }
            props(&mut body).insert("routes".into(), Value::Array(out));
            props(&mut body).remove("subnets");
            props(&mut body)
                .entry("disableBgpRoutePropagation")
                .or_insert(Value::Bool(false));
        }
        "microsoft.network/routetables/routes" => {
            check_route(&body, &target.name())?;
            body.remove("id");
        }
        "microsoft.network/virtualnetworks" => {
            require_location(&body)?;
            let space = ptr(&body, "/properties/addressSpace/addressPrefixes")
                .and_then(|v| v.as_array().map(Vec::len))
                .unwrap_or(0);
            if space == 0 {
                return Err(wrapped(
                    400,
                    "InvalidRequestFormat",
                    "Cannot parse the request: properties.addressSpace.addressPrefixes is required.",
                ));
            }
            // Subnets not sent are kept, as NRP does when they exist as child resources.
            let sent = body
                .get("properties")
                .and_then(|p| p.get("subnets"))
                .and_then(Value::as_array)
                .cloned();
            let subnets = match sent {
                Some(list) => list
                    .into_iter()
                    .map(|s| {
                        normalize_child(
                            &id,
                            "subnets",
                            "Microsoft.Network/virtualNetworks/subnets",
                            s.as_object().cloned().unwrap_or_default(),
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                None => existing
                    .and_then(|e| e.pointer("/properties/subnets"))
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            };
            for s in &subnets {
                check_route_table_ref(store, s)?;
            }
            props(&mut body).insert("subnets".into(), Value::Array(subnets));
        }
        "microsoft.network/virtualnetworks/subnets" => {
            let prefix = ptr(&body, "/properties/addressPrefix").and_then(|v| v.as_str().map(str::to_string));
            let prefixes = ptr(&body, "/properties/addressPrefixes")
                .and_then(|v| v.as_array().map(|a| !a.is_empty()))
                .unwrap_or(false);
            if prefix.is_none() && !prefixes {
                return Err(wrapped(
                    400,
                    "InvalidRequestFormat",
                    "Cannot parse the request: properties.addressPrefix is required.",
                ));
            }
            check_route_table_ref(store, &Value::Object(body.clone()))?;
            // ipConfigurations are the server's (clusters consume addresses); keep them.
            if let Some(ipc) = existing
                .and_then(|e| e.pointer("/properties/ipConfigurations"))
                .cloned()
            {
                props(&mut body).insert("ipConfigurations".into(), ipc);
            }
            body.remove("id");
        }
        _ => {
            return Err(wrapped(
                400,
                "InvalidResourceType",
                &format!(
                    "The resource type '{}' is not supported by aksnet-emulator.",
                    target.type_name()
                ),
            ));
        }
    }
    Ok(body)
}

fn ptr(body: &Map<String, Value>, pointer: &str) -> Option<Value> {
    Value::Object(body.clone()).pointer(pointer).cloned()
}

fn require_location(body: &Map<String, Value>) -> Result<(), Reply> {
    match body.get("location").and_then(Value::as_str) {
        Some(l) if !l.is_empty() => Ok(()),
        _ => Err(wrapped(
            400,
            "LocationRequired",
            "The location property is required for this definition.",
        )),
    }
}

fn props(body: &mut Map<String, Value>) -> &mut Map<String, Value> {
    let p = body.entry("properties").or_insert_with(|| json!({}));
    if !p.is_object() {
        *p = json!({});
    }
    p.as_object_mut().expect("just made an object")
}

/// A subnet may only reference a route table that exists.
fn check_route_table_ref(store: &Store, subnet: &Value) -> Result<(), Reply> {
    if let Some(rt) = subnet
        .pointer("/properties/routeTable/id")
        .and_then(Value::as_str)
    {
        if !store.resources.contains_key(&key(rt)) {
            return Err(wrapped(400, "InvalidResourceReference", &format!("Resource {rt} referenced by resource {} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.", subnet.get("name").and_then(Value::as_str).unwrap_or("subnet"))));
        }
    }
    Ok(())
}

/// A route table still associated with a subnet cannot be deleted.
pub(crate) fn check_delete(store: &Store, target: &Target, existing: &Value) -> Result<(), Reply> {
    if is_route_table(existing) {
        let used = subnets_using_route_table(store, &target.id());
        if !used.is_empty() {
            return Err(wrapped(
                400,
                "InUseRouteTableCannotBeDeleted",
                &format!(
                    "Route table {} is in use and cannot be deleted. In use by {}.",
                    target.id(),
                    used.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Addresses of an IPv4 prefix (`a.b.c.d/len`); `None` for IPv6 or anything else.
fn v4_size(prefix: &str) -> Option<u64> {
    let (addr, len) = prefix.split_once('/')?;
    let len: u32 = len.parse().ok().filter(|l| *l <= 32)?;
    addr.contains('.').then(|| 1u64 << (32 - len))
}

/// `VirtualNetworks_ListUsage` (`GET .../virtualNetworks/{vnet}/usages`): one entry per
/// subnet, as Azure answers it: `currentValue` the addresses in use (one per IP
/// configuration in the subnet), `limit` the subnet's IPv4 size without the five addresses
/// Azure reserves per prefix (a /24 reports 251), named "Subnet size and usage", unit
/// `Count`.
pub(crate) fn list_usage(vnet: &Value) -> Reply {
    let subnets = vnet
        .pointer("/properties/subnets")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let value: Vec<Value> = subnets
        .iter()
        .map(|s| {
            let props = s.get("properties");
            let prefixes: Vec<&str> = props
                .and_then(|p| p.get("addressPrefix"))
                .and_then(Value::as_str)
                .into_iter()
                .chain(
                    props
                        .and_then(|p| p.get("addressPrefixes"))
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str),
                )
                .collect();
            let limit: u64 = prefixes
                .iter()
                .filter_map(|p| v4_size(p))
                .map(|n| n.saturating_sub(5))
                .sum();
            let used = props
                .and_then(|p| p.get("ipConfigurations"))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            json!({
                "currentValue": used as f64,
                "id": s.get("id").cloned().unwrap_or(Value::Null),
                "limit": limit as f64,
                "name": {"localizedValue": "Subnet size and usage", "value": "Subnet size and usage"},
                "unit": "Count",
            })
        })
        .collect();
    Reply::json(200, json!({ "value": value }))
}
