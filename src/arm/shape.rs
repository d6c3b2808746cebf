//! The shape aksnet expects of each kind of ARM resource, checked on every GET before a
//! resource trusts the body: truncated JSON, a field of the wrong type or a missing required
//! field is a decoding error that names the field, never a state silently emptied of what
//! the body failed to say.

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
/// array. A field that is absent or null is missing; optional fields are checked only when
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

const MANAGED_CLUSTER: &[Field] = &[
    ("identity", Obj, false),
    ("identity.type", Str, false),
    ("identity.userAssignedIdentities", Obj, false),
    ("sku", Obj, false),
    ("sku.tier", Str, false),
    ("properties", Obj, true),
    ("properties.kubernetesVersion", Str, false),
    ("properties.dnsPrefix", Str, false),
    ("properties.fqdn", Str, false),
    ("properties.nodeResourceGroup", Str, false),
    ("properties.agentPoolProfiles", Arr, true),
    ("properties.agentPoolProfiles[].name", Str, true),
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
    ("properties.networkProfile", Obj, true),
    ("properties.networkProfile.networkPlugin", Str, false),
    ("properties.networkProfile.networkPluginMode", Str, false),
    ("properties.networkProfile.networkPolicy", Str, false),
    ("properties.networkProfile.networkDataplane", Str, false),
    ("properties.networkProfile.podCidr", Str, false),
    ("properties.networkProfile.podCidrs", Arr, false),
    ("properties.networkProfile.serviceCidr", Str, false),
    ("properties.networkProfile.serviceCidrs", Arr, false),
    ("properties.networkProfile.dnsServiceIP", Str, false),
    ("properties.networkProfile.ipFamilies", Arr, false),
    ("properties.networkProfile.outboundType", Str, false),
    ("properties.networkProfile.loadBalancerSku", Str, false),
    ("properties.networkProfile.loadBalancerProfile", Obj, false),
    ("properties.networkProfile.natGatewayProfile", Obj, false),
];

/// `AgentPool` (2025-10-01): the profile's fields under `properties`.
const AGENT_POOL: &[Field] = &[
    ("name", Str, false),
    ("properties", Obj, true),
    ("properties.mode", Str, false),
    ("properties.vmSize", Str, false),
    ("properties.osType", Str, false),
    ("properties.count", Int, false),
    ("properties.enableAutoScaling", Bool, false),
    ("properties.minCount", Int, false),
    ("properties.maxCount", Int, false),
    ("properties.maxPods", Int, false),
    ("properties.vnetSubnetID", Str, false),
    ("properties.podSubnetID", Str, false),
    ("properties.availabilityZones", Arr, false),
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

/// Every value at `path` (expanding `[]`), with its concrete path; `None` where it is missing.
fn lookup<'a>(root: &'a Value, path: &str) -> Vec<(String, Option<&'a Value>)> {
    let mut found: Vec<(String, Option<&'a Value>)> = vec![(String::new(), Some(root))];
    for segment in path.split('.') {
        let (key, each) = match segment.strip_suffix("[]") {
            Some(k) => (k, true),
            None => (segment, false),
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
                (true, Some(Value::Array(items))) => {
                    next.extend(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, item)| (format!("{here}[{i}]"), Some(item))),
                    );
                }
                // Wrong type or missing array: its own entry reports it.
                (true, _) => {}
                (false, c) => next.push((here, c)),
            }
        }
        found = next;
    }
    found
}

/// Checks a GET body of `kind`; the error names the first field that is missing or of the
/// wrong type.
pub fn check(kind: Kind, body: &Value) -> Result<(), String> {
    if !body.is_object() {
        return Err(format!("the body is {}, expected a JSON object", kind_of(body)));
    }
    for (path, ty, required) in COMMON.iter().chain(fields(kind)) {
        for (at, v) in lookup(body, path) {
            match v {
                None if *required => return Err(format!("required field {at} is missing")),
                None => {}
                Some(v) if !ty.matches(v) => {
                    return Err(format!(
                        "{at} is {} ({}), expected {}",
                        kind_of(v),
                        sample(v),
                        ty.expected()
                    ))
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
            check(Kind::ManagedCluster, &c).unwrap_err(),
            "required field properties.networkProfile is missing"
        );
        let mut c = cluster();
        c["properties"]["agentPoolProfiles"][0]
            .as_object_mut()
            .unwrap()
            .remove("name");
        assert_eq!(
            check(Kind::ManagedCluster, &c).unwrap_err(),
            "required field properties.agentPoolProfiles[0].name is missing"
        );
        assert_eq!(
            check(Kind::RouteTable, &json!({"name": "rt"})).unwrap_err(),
            "required field properties is missing"
        );
        assert_eq!(
            check(Kind::RouteTable, &json!({"properties": {"routes": [{"name": "a", "properties": {"addressPrefix": "10.0.0.0/8"}}]}})).unwrap_err(),
            "required field properties.routes[0].properties.nextHopType is missing"
        );
    }

    #[test]
    fn names_the_wrong_typed_field() {
        let mut c = cluster();
        c["properties"]["agentPoolProfiles"][0]["count"] = json!("three");
        assert_eq!(
            check(Kind::ManagedCluster, &c).unwrap_err(),
            "properties.agentPoolProfiles[0].count is a string (\"three\"), expected an integer"
        );
        let mut c = cluster();
        c["properties"]["networkProfile"] = json!("azure");
        assert_eq!(
            check(Kind::ManagedCluster, &c).unwrap_err(),
            "properties.networkProfile is a string (\"azure\"), expected an object"
        );
        assert_eq!(
            check(
                Kind::RouteTable,
                &json!({"properties": {"disableBgpRoutePropagation": "no"}})
            )
            .unwrap_err(),
            "properties.disableBgpRoutePropagation is a string (\"no\"), expected a boolean"
        );
        assert_eq!(
            check(
                Kind::RouteTable,
                &json!({"properties": {"routes": {"name": "r"}}})
            )
            .unwrap_err(),
            "properties.routes is an object ({\"name\":\"r\"}), expected an array"
        );
        let long = "x".repeat(100);
        assert!(check(Kind::Subnet, &json!({"id": 7, "properties": {}}))
            .unwrap_err()
            .starts_with("id is a number (7)"));
        assert!(check(Kind::Subnet, &json!({"properties": long}))
            .unwrap_err()
            .ends_with("…), expected an object"));
    }

    #[test]
    fn rejects_bodies_that_are_not_objects() {
        assert_eq!(
            check(Kind::VirtualNetwork, &Value::Null).unwrap_err(),
            "the body is null, expected a JSON object"
        );
        assert_eq!(
            check(Kind::Subnet, &json!([1])).unwrap_err(),
            "the body is an array, expected a JSON object"
        );
    }
}
