//! The shape aksnet expects of each kind of ARM resource, checked on every GET before a
//! resource trusts the body: truncated JSON, a field of the wrong type or a missing required
//! field is a decoding error that names the field, never a state silently emptied of what
//! the body failed to say.
//!
//! The models in [`super::models`] say the same by their types; this table runs first so
//! that the error names the field's path (serde's does not), and its tests prove that every
//! body a model rejects is rejected here first (`the_table_covers_what_the_models_type`).

use serde_json::Value;

use super::ids::Kind;

/// JSON types the checks distinguish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Str,
    Int,
    Bool,
    Obj,
    Arr,
}

impl Ty {
    fn matches(self, v: &Value) -> bool {
        match self {
            Ty::Str => v.is_string(),
            Ty::Int => v.is_i64() || v.is_u64(),
            Ty::Bool => v.is_boolean(),
            Ty::Obj => v.is_object(),
            Ty::Arr => v.is_array(),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Ty::Str => "a string",
            Ty::Int => "an integer",
            Ty::Bool => "a boolean",
            Ty::Obj => "an object",
            Ty::Arr => "an array",
        }
    }
}

use Ty::{Arr, Bool, Int, Obj, Str};

/// `(path, type, required)`: `a.b` descends into objects, `a[].b` into every element of an
/// array, `a{}.b` into every value of an object (a map such as `tags`). A field that is absent or null is missing; optional fields are checked only when
/// present. Parents come before their children.
type Field = (&'static str, Ty, bool);

const COMMON: &[Field] = &[
    ("id", Str, false),
    ("name", Str, false),
    ("type", Str, false),
    ("location", Str, false),
    ("tags", Obj, false),
    ("etag", Str, false),
    ("eTag", Str, false),
];

const ROUTE_TABLE: &[Field] = &[
    ("properties", Obj, true),
    ("properties.disableBgpRoutePropagation", Bool, false),
    ("properties.routes", Arr, false),
    ("properties.routes[].name", Str, true),
    ("properties.routes[].properties", Obj, true),
    ("properties.routes[].properties.addressPrefix", Str, true),
    ("properties.routes[].properties.nextHopType", Str, true),
    ("properties.routes[].properties.nextHopIpAddress", Str, false),
    ("properties.subnets", Arr, false),
    ("properties.subnets[].id", Str, true),
];

const ROUTE: &[Field] = &[
    ("properties", Obj, true),
    ("properties.addressPrefix", Str, true),
    ("properties.nextHopType", Str, true),
    ("properties.nextHopIpAddress", Str, false),
];

const SUBNET: &[Field] = &[
    ("properties", Obj, true),
    ("properties.addressPrefix", Str, false),
    ("properties.addressPrefixes", Arr, false),
    ("properties.routeTable", Obj, false),
    ("properties.routeTable.id", Str, true),
    ("properties.ipConfigurations", Arr, false),
];

const VIRTUAL_NETWORK: &[Field] = &[
    ("properties", Obj, true),
    ("properties.addressSpace", Obj, false),
    ("properties.addressSpace.addressPrefixes", Arr, false),
    ("properties.subnets", Arr, false),
    ("properties.subnets[].name", Str, true),
    ("properties.subnets[].properties", Obj, false),
    ("properties.subnets[].properties.addressPrefix", Str, false),
    ("properties.subnets[].properties.ipConfigurations", Arr, false),
    ("properties.subnets[].properties.routeTable", Obj, false),
    ("properties.virtualNetworkPeerings", Arr, false),
];

/// `ManagedCluster` (2025-10-01): every field [`super::models::ManagedCluster`] types.
const MANAGED_CLUSTER: &[Field] = &[
    ("tags{}", Str, false),
    ("identity", Obj, false),
    ("identity.type", Str, false),
    ("identity.principalId", Str, false),
    ("identity.tenantId", Str, false),
    ("identity.userAssignedIdentities", Obj, false),
    ("identity.userAssignedIdentities{}", Obj, false),
    ("identity.userAssignedIdentities{}.principalId", Str, false),
    ("identity.userAssignedIdentities{}.clientId", Str, false),
    ("sku", Obj, false),
    ("sku.name", Str, false),
    ("sku.tier", Str, false),
    ("properties", Obj, true),
    ("properties.provisioningState", Str, false),
    ("properties.kubernetesVersion", Str, false),
    ("properties.dnsPrefix", Str, false),
    ("properties.fqdn", Str, false),
    ("properties.nodeResourceGroup", Str, false),
    ("properties.bootstrapProfile", Obj, false),
    ("properties.bootstrapProfile.artifactSource", Str, false),
    ("properties.bootstrapProfile.containerRegistryId", Str, false),
    ("properties.agentPoolProfiles", Arr, true),
    ("properties.agentPoolProfiles[]", Obj, false),
    ("properties.agentPoolProfiles[].name", Str, true),
    ("properties.agentPoolProfiles[].type", Str, false),
    ("properties.agentPoolProfiles[].mode", Str, false),
    ("properties.agentPoolProfiles[].vmSize", Str, false),
    ("properties.agentPoolProfiles[].osType", Str, false),
    ("properties.agentPoolProfiles[].count", Int, false),
    ("properties.agentPoolProfiles[].enableAutoScaling", Bool, false),
    ("properties.agentPoolProfiles[].minCount", Int, false),
    ("properties.agentPoolProfiles[].maxCount", Int, false),
    ("properties.agentPoolProfiles[].maxPods", Int, false),
    ("properties.agentPoolProfiles[].upgradeSettings", Obj, false),
    (
        "properties.agentPoolProfiles[].upgradeSettings.maxSurge",
        Str,
        false,
    ),
    ("properties.agentPoolProfiles[].vnetSubnetID", Str, false),
    ("properties.agentPoolProfiles[].podSubnetID", Str, false),
    ("properties.agentPoolProfiles[].podIPAllocationMode", Str, false),
    ("properties.agentPoolProfiles[].availabilityZones", Arr, false),
    ("properties.agentPoolProfiles[].availabilityZones[]", Str, false),
    ("properties.agentPoolProfiles[].provisioningState", Str, false),
    ("properties.networkProfile", Obj, true),
    ("properties.networkProfile.networkPlugin", Str, false),
    ("properties.networkProfile.networkPluginMode", Str, false),
    ("properties.networkProfile.networkPolicy", Str, false),
    ("properties.networkProfile.networkDataplane", Str, false),
    ("properties.networkProfile.podCidr", Str, false),
    ("properties.networkProfile.podCidrs", Arr, false),
    ("properties.networkProfile.podCidrs[]", Str, false),
    ("properties.networkProfile.serviceCidr", Str, false),
    ("properties.networkProfile.serviceCidrs", Arr, false),
    ("properties.networkProfile.serviceCidrs[]", Str, false),
    ("properties.networkProfile.dnsServiceIP", Str, false),
    ("properties.networkProfile.ipFamilies", Arr, false),
    ("properties.networkProfile.ipFamilies[]", Str, false),
    ("properties.networkProfile.outboundType", Str, false),
    ("properties.networkProfile.loadBalancerSku", Str, false),
    ("properties.networkProfile.loadBalancerProfile", Obj, false),
    (
        "properties.networkProfile.loadBalancerProfile.managedOutboundIPs",
        Obj,
        false,
    ),
    (
        "properties.networkProfile.loadBalancerProfile.managedOutboundIPs.count",
        Int,
        false,
    ),
    (
        "properties.networkProfile.loadBalancerProfile.managedOutboundIPs.countIPv6",
        Int,
        false,
    ),
    (
        "properties.networkProfile.loadBalancerProfile.outboundIPPrefixes",
        Obj,
        false,
    ),
    (
        "properties.networkProfile.loadBalancerProfile.outboundIPPrefixes.publicIPPrefixes",
        Arr,
        false,
    ),
    (
        "properties.networkProfile.loadBalancerProfile.outboundIPPrefixes.publicIPPrefixes[]",
        Obj,
        false,
    ),
    (
        "properties.networkProfile.loadBalancerProfile.outboundIPPrefixes.publicIPPrefixes[].id",
        Str,
        true,
    ),
    (
        "properties.networkProfile.loadBalancerProfile.outboundIPs",
        Obj,
        false,
    ),
    (
        "properties.networkProfile.loadBalancerProfile.outboundIPs.publicIPs",
        Arr,
        false,
    ),
    (
        "properties.networkProfile.loadBalancerProfile.outboundIPs.publicIPs[]",
        Obj,
        false,
    ),
    (
        "properties.networkProfile.loadBalancerProfile.outboundIPs.publicIPs[].id",
        Str,
        true,
    ),
    (
        "properties.networkProfile.loadBalancerProfile.effectiveOutboundIPs",
        Arr,
        false,
    ),
    (
        "properties.networkProfile.loadBalancerProfile.effectiveOutboundIPs[]",
        Obj,
        false,
    ),
    (
        "properties.networkProfile.loadBalancerProfile.effectiveOutboundIPs[].id",
        Str,
        true,
    ),
    (
        "properties.networkProfile.loadBalancerProfile.allocatedOutboundPorts",
        Int,
        false,
    ),
    (
        "properties.networkProfile.loadBalancerProfile.idleTimeoutInMinutes",
        Int,
        false,
    ),
    ("properties.networkProfile.natGatewayProfile", Obj, false),
    (
        "properties.networkProfile.natGatewayProfile.managedOutboundIPProfile",
        Obj,
        false,
    ),
    (
        "properties.networkProfile.natGatewayProfile.managedOutboundIPProfile.count",
        Int,
        false,
    ),
    (
        "properties.networkProfile.natGatewayProfile.effectiveOutboundIPs",
        Arr,
        false,
    ),
    (
        "properties.networkProfile.natGatewayProfile.effectiveOutboundIPs[]",
        Obj,
        false,
    ),
    (
        "properties.networkProfile.natGatewayProfile.effectiveOutboundIPs[].id",
        Str,
        true,
    ),
    (
        "properties.networkProfile.natGatewayProfile.idleTimeoutInMinutes",
        Int,
        false,
    ),
];

/// `AgentPool` (2025-10-01): the profile's fields under `properties`, every field
/// [`super::models::AgentPool`] types.
const AGENT_POOL: &[Field] = &[
    ("properties", Obj, true),
    ("properties.type", Str, false),
    ("properties.mode", Str, false),
    ("properties.vmSize", Str, false),
    ("properties.osType", Str, false),
    ("properties.count", Int, false),
    ("properties.enableAutoScaling", Bool, false),
    ("properties.minCount", Int, false),
    ("properties.maxCount", Int, false),
    ("properties.maxPods", Int, false),
    ("properties.upgradeSettings", Obj, false),
    ("properties.upgradeSettings.maxSurge", Str, false),
    ("properties.vnetSubnetID", Str, false),
    ("properties.podSubnetID", Str, false),
    ("properties.podIPAllocationMode", Str, false),
    ("properties.availabilityZones", Arr, false),
    ("properties.availabilityZones[]", Str, false),
    ("properties.provisioningState", Str, false),
];

const RESOURCE_GROUP: &[Field] = &[("location", Str, true), ("properties", Obj, false)];

fn fields(kind: Kind) -> &'static [Field] {
    match kind {
        Kind::ResourceGroup => RESOURCE_GROUP,
        Kind::VirtualNetwork => VIRTUAL_NETWORK,
        Kind::Subnet => SUBNET,
        Kind::RouteTable => ROUTE_TABLE,
        Kind::Route => ROUTE,
        Kind::ManagedCluster => MANAGED_CLUSTER,
        Kind::AgentPool => AGENT_POOL,
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The offending value, short enough for a diagnostic.
fn sample(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

/// How a path segment descends.
#[derive(Clone, Copy)]
enum Each {
    /// Into one field.
    One,
    /// Into every element of an array (`[]`).
    Item,
    /// Into every value of an object (`{}`).
    Value,
}

/// Every value at `path` (expanding `[]` and `{}`), with its concrete path; `None` where it is missing.
fn lookup<'a>(root: &'a Value, path: &str) -> Vec<(String, Option<&'a Value>)> {
    let mut found: Vec<(String, Option<&'a Value>)> = vec![(String::new(), Some(root))];
    for segment in path.split('.') {
        let (key, each) = match (segment.strip_suffix("[]"), segment.strip_suffix("{}")) {
            (Some(k), _) => (k, Each::Item),
            (_, Some(k)) => (k, Each::Value),
            _ => (segment, Each::One),
        };
        let mut next = Vec::new();
        for (at, v) in found {
            // A missing parent is reported for the parent itself.
            let Some(v) = v else { continue };
            let here = if at.is_empty() {
                key.to_string()
            } else {
                format!("{at}.{key}")
            };
            let child = v.get(key).filter(|c| !c.is_null());
            match (each, child) {
                (Each::Item, Some(Value::Array(items))) => {
                    next.extend(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, item)| (format!("{here}[{i}]"), Some(item))),
                    );
                }
                (Each::Value, Some(Value::Object(map))) => {
                    next.extend(map.iter().map(|(k, v)| (format!("{here}.{k}"), Some(v))));
                }
                // Wrong type or missing array or object: its own entry reports it.
                (Each::Item | Each::Value, _) => {}
                (Each::One, c) => next.push((here, c)),
            }
        }
        found = next;
    }
    found
}

/// Why a GET body lacks the shape aksnet relies on: the first field at fault, by its JSON path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ShapeError {
    /// The body is not a JSON object at all.
    #[error("the body is {found}, expected a JSON object")]
    NotObject {
        /// What it is instead, e.g. `an array`.
        found: &'static str,
    },
    /// A field every body of the kind carries is absent.
    #[error("required field {at} is missing")]
    Missing {
        /// JSON path, e.g. `properties.agentPoolProfiles[0].name`.
        at: String,
    },
    /// A field is of another JSON type than the spec's.
    #[error("{at} is {found} ({sample}), expected {expected}")]
    WrongType {
        /// JSON path of the field.
        at: String,
        /// The JSON type found, e.g. `a number`.
        found: &'static str,
        /// A short sample of the value found (ARM's value, not configuration).
        sample: String,
        /// The JSON type the spec gives, e.g. `a string`.
        expected: &'static str,
    },
}

/// Checks a GET body of `kind`; the error names the first field that is missing or of the
/// wrong type.
pub(crate) fn check(kind: Kind, body: &Value) -> Result<(), ShapeError> {
    if !body.is_object() {
        return Err(ShapeError::NotObject { found: kind_of(body) });
    }
    for (path, ty, required) in COMMON.iter().chain(fields(kind)) {
        for (at, v) in lookup(body, path) {
            match v {
                None if *required => return Err(ShapeError::Missing { at }),
                None => {}
                Some(v) if !ty.matches(v) => {
                    return Err(ShapeError::WrongType {
                        at,
                        found: kind_of(v),
                        sample: sample(v),
                        expected: ty.expected(),
                    })
                }
                Some(_) => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cluster() -> Value {
        json!({"id": "/x", "name": "aks", "location": "westeurope", "properties": {"kubernetesVersion": "1.33",
            "agentPoolProfiles": [{"name": "system", "count": 3, "mode": "System"}],
            "networkProfile": {"networkPlugin": "azure", "networkPluginMode": null, "podCidrs": ["10.244.0.0/16"]}}})
    }

    #[test]
    fn accepts_what_arm_sends() {
        assert_eq!(check(Kind::ManagedCluster, &cluster()), Ok(()));
        let table = json!({"id": "/t", "name": "rt", "location": "westeurope", "etag": "W/\"1\"", "properties": {
            "routes": [{"name": "r", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "Internet"}}],
            "subnets": [{"id": "/s"}], "futureField": {"kept": 1}}});
        assert_eq!(check(Kind::RouteTable, &table), Ok(()));
        assert_eq!(check(Kind::RouteTable, &json!({"properties": {}})), Ok(()));
        assert_eq!(
            check(Kind::ResourceGroup, &json!({"location": "westeurope"})),
            Ok(())
        );
    }

    #[test]
    fn names_the_missing_field() {
        let mut c = cluster();
        c["properties"].as_object_mut().unwrap().remove("networkProfile");
        assert_eq!(
            check(Kind::ManagedCluster, &c).unwrap_err().to_string(),
            "required field properties.networkProfile is missing"
        );
        let mut c = cluster();
        c["properties"]["agentPoolProfiles"][0]
            .as_object_mut()
            .unwrap()
            .remove("name");
        assert_eq!(
            check(Kind::ManagedCluster, &c).unwrap_err().to_string(),
            "required field properties.agentPoolProfiles[0].name is missing"
        );
        assert_eq!(
            check(Kind::RouteTable, &json!({"name": "rt"}))
                .unwrap_err()
                .to_string(),
            "required field properties is missing"
        );
        assert_eq!(
            check(Kind::RouteTable, &json!({"properties": {"routes": [{"name": "a", "properties": {"addressPrefix": "10.0.0.0/8"}}]}})).unwrap_err().to_string(),
            "required field properties.routes[0].properties.nextHopType is missing"
        );
    }

    #[test]
    fn names_the_wrong_typed_field() {
        let mut c = cluster();
        c["properties"]["agentPoolProfiles"][0]["count"] = json!("three");
        assert_eq!(
            check(Kind::ManagedCluster, &c).unwrap_err().to_string(),
            "properties.agentPoolProfiles[0].count is a string (\"three\"), expected an integer"
        );
        let mut c = cluster();
        c["properties"]["networkProfile"] = json!("azure");
        assert_eq!(
            check(Kind::ManagedCluster, &c).unwrap_err().to_string(),
            "properties.networkProfile is a string (\"azure\"), expected an object"
        );
        assert_eq!(
            check(
                Kind::RouteTable,
                &json!({"properties": {"disableBgpRoutePropagation": "no"}})
            )
            .unwrap_err()
            .to_string(),
            "properties.disableBgpRoutePropagation is a string (\"no\"), expected a boolean"
        );
        assert_eq!(
            check(
                Kind::RouteTable,
                &json!({"properties": {"routes": {"name": "r"}}})
            )
            .unwrap_err()
            .to_string(),
            "properties.routes is an object ({\"name\":\"r\"}), expected an array"
        );
        let long = "x".repeat(100);
        assert!(check(Kind::Subnet, &json!({"id": 7, "properties": {}}))
            .unwrap_err()
            .to_string()
            .starts_with("id is a number (7)"));
        assert!(check(Kind::Subnet, &json!({"properties": long}))
            .unwrap_err()
            .to_string()
            .ends_with("…), expected an object"));
    }

    #[test]
    fn rejects_bodies_that_are_not_objects() {
        assert_eq!(
            check(Kind::VirtualNetwork, &Value::Null).unwrap_err().to_string(),
            "the body is null, expected a JSON object"
        );
        assert_eq!(
            check(Kind::Subnet, &json!([1])).unwrap_err().to_string(),
            "the body is an array, expected a JSON object"
        );
    }

    /// Every place in `v` (JSON pointers), parents before children.
    fn places(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, c)| {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(here.clone());
                places(c, here, out);
            }),
            Value::Array(items) => items.iter().enumerate().for_each(|(i, c)| {
                let here = format!("{at}/{i}");
                out.push(here.clone());
                places(c, here, out);
            }),
            _ => {}
        }
    }

    /// `body` with the value at `place` replaced by one of another JSON type, or removed.
    fn mutations(body: &Value, place: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let current = body.pointer(place).expect("a place in the body");
        for wrong in [
            json!(7),
            json!("x"),
            json!([]),
            json!({}),
            json!(true),
            json!([7]),
        ] {
            if std::mem::discriminant(&wrong) != std::mem::discriminant(current) || wrong == json!([7]) {
                let mut m = body.clone();
                *m.pointer_mut(place).unwrap() = wrong;
                out.push(m);
            }
        }
        let (parent, key) = place.rsplit_once('/').unwrap();
        let mut m = body.clone();
        match m.pointer_mut(parent).unwrap() {
            Value::Object(o) => {
                o.remove(&key.replace("~1", "/").replace("~0", "~"));
            }
            Value::Array(a) => {
                a.remove(key.parse::<usize>().unwrap());
            }
            _ => unreachable!(),
        }
        out.push(m);
        out
    }

    /// Whatever a model rejects, the table rejects first (with the field's path): over every
    /// field of full bodies, each replaced by a value of every other JSON type, or removed.
    fn covers<T: serde::de::DeserializeOwned>(kind: Kind, bodies: &[Value]) -> usize {
        let mut rejected = 0;
        for body in bodies {
            assert_eq!(check(kind, body), Ok(()), "{body}");
            serde_json::from_value::<T>(body.clone()).expect("the model takes the body");
            let mut all = Vec::new();
            places(body, String::new(), &mut all);
            for place in all {
                for m in mutations(body, &place) {
                    if let Err(e) = serde_json::from_value::<T>(m.clone()) {
                        rejected += 1;
                        assert!(
                            check(kind, &m).is_err(),
                            "{kind:?}: the model rejects {place} ({e}) but the table lets it through: {m}"
                        );
                    }
                }
            }
        }
        rejected
    }

    fn example(file: &str) -> Value {
        let path = format!(
            "{}/conformance/examples/containerservice/2025-10-01/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_table_covers_what_the_models_type() {
        use crate::arm::models::{AgentPool, ManagedCluster};
        let full = json!({"id": "/c", "name": "aks", "location": "westeurope", "tags": {"a": "b"},
            "sku": {"name": "Base", "tier": "Free"},
            "identity": {"type": "UserAssigned", "principalId": "p", "tenantId": "t",
                "userAssignedIdentities": {"/i": {"principalId": "p", "clientId": "c"}}},
            "properties": {"provisioningState": "Succeeded", "kubernetesVersion": "1.33", "dnsPrefix": "d",
                "fqdn": "f", "nodeResourceGroup": "mc", "bootstrapProfile": {"artifactSource": "Cache", "containerRegistryId": "/r"},
                "agentPoolProfiles": [{"name": "system", "type": "VirtualMachineScaleSets", "mode": "System",
                    "vmSize": "v", "osType": "Linux", "count": 3, "enableAutoScaling": true, "minCount": 1,
                    "maxCount": 5, "maxPods": 30, "upgradeSettings": {"maxSurge": "1"}, "vnetSubnetID": "/s",
                    "podSubnetID": "/p", "podIPAllocationMode": "StaticBlock", "availabilityZones": ["1"],
                    "provisioningState": "Succeeded"}],
                "networkProfile": {"networkPlugin": "azure", "networkPluginMode": "overlay", "networkPolicy": "cilium",
                    "networkDataplane": "cilium", "podCidr": "10.244.0.0/16", "podCidrs": ["10.244.0.0/16"],
                    "serviceCidr": "10.0.0.0/16", "serviceCidrs": ["10.0.0.0/16"], "dnsServiceIP": "10.0.0.10",
                    "ipFamilies": ["IPv4"], "outboundType": "loadBalancer", "loadBalancerSku": "standard",
                    "loadBalancerProfile": {"managedOutboundIPs": {"count": 1, "countIPv6": 0},
                        "outboundIPPrefixes": {"publicIPPrefixes": [{"id": "/pp"}]}, "outboundIPs": {"publicIPs": [{"id": "/ip"}]},
                        "effectiveOutboundIPs": [{"id": "/e"}], "allocatedOutboundPorts": 0, "idleTimeoutInMinutes": 4},
                    "natGatewayProfile": {"managedOutboundIPProfile": {"count": 1}, "effectiveOutboundIPs": [{"id": "/e"}],
                        "idleTimeoutInMinutes": 4}}}});
        let mut bodies = vec![full];
        bodies.push(example("ManagedClustersGet.json")["responses"]["200"]["body"].clone());
        bodies.push(
            example("ManagedClustersCreate_DualStackNetworking.json")["responses"]["200"]["body"].clone(),
        );
        let rejected = covers::<ManagedCluster>(Kind::ManagedCluster, &bodies);
        assert!(
            rejected > 300,
            "the mutations reach the model's types ({rejected})"
        );
        let mut pool = json!({"id": "/a", "name": "user1", "properties": {}});
        pool["properties"] = bodies[0]["properties"]["agentPoolProfiles"][0].clone();
        pool["properties"].as_object_mut().unwrap().remove("name");
        let pools = [
            pool,
            example("AgentPoolsGet.json")["responses"]["200"]["body"].clone(),
        ];
        let rejected = covers::<AgentPool>(Kind::AgentPool, &pools);
        assert!(
            rejected > 50,
            "the mutations reach the model's types ({rejected})"
        );
    }
}
