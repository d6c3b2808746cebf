//! `network_profile_errors(profile)`: runs netplan's rules on an object shaped like
//! `aksnet_cluster_network`'s inputs and returns the error strings.
//!
//! The argument is dynamic (any object): Terraform sends it as msgpack `[type JSON, value]`,
//! which is taken apart here as an `rmpv::Value`.

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Map, Value as Json};
use tf_provider::schema::{Description, FunctionSchema, Parameter, Type};
use tf_provider::{Diagnostics, Function};

use crate::arm::ids::{Kind, ResourceId};
use crate::netplan::cluster::{
    validate_cluster, ClusterSpec, IdentitySpec, Input, LoadBalancerSpec, NatGatewaySpec, PoolSpec,
};
use crate::netplan::profile::Located;
use crate::netplan::rules::validate_profile;
use crate::netplan::{FieldPath, NetworkProfile, NodePool};

/// NetworkProfileErrors implements `network_profile_errors`.
#[derive(Debug, Default, Clone, Copy)]
pub struct NetworkProfileErrors;

const TOP_KEYS: [&str; 23] = [
    "network_plugin",
    "network_plugin_mode",
    "network_policy",
    "network_data_plane",
    "pod_cidr",
    "pod_cidrs",
    "service_cidr",
    "service_cidrs",
    "dns_service_ip",
    "ip_families",
    "outbound_type",
    "bootstrap_artifact_source",
    "load_balancer_sku",
    "kubernetes_version",
    "vnet_address_space",
    "reserved_cidrs",
    "node_subnet_cidr",
    "pod_subnet_cidr",
    "default_node_pool",
    "node_pool",
    "identity",
    "load_balancer_profile",
    "nat_gateway_profile",
];

const POOL_KEYS: [&str; 12] = [
    "name",
    "os_type",
    "node_count",
    "min_count",
    "max_count",
    "max_pods",
    "max_surge",
    "vnet_subnet_id",
    "pod_subnet_id",
    "pod_ip_allocation_mode",
    "auto_scaling_enabled",
    "zones",
];

const IDENTITY_KEYS: [&str; 2] = ["type", "identity_ids"];
const LB_KEYS: [&str; 6] = [
    "managed_outbound_ip_count",
    "managed_outbound_ipv6_count",
    "outbound_ip_address_ids",
    "outbound_ip_prefix_ids",
    "outbound_ports_allocated",
    "idle_timeout_in_minutes",
];
const NAT_KEYS: [&str; 2] = ["managed_outbound_ip_count", "idle_timeout_in_minutes"];

/// The one positional argument, kept raw because its type is dynamic.
#[derive(Debug, Deserialize)]
pub struct Args {
    profile: rmpv::Value,
}

#[async_trait]
impl Function for NetworkProfileErrors {
    type Input<'a> = Args;
    type Output<'a> = Vec<String>;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<FunctionSchema> {
        Some(FunctionSchema {
            parameters: vec![Parameter {
                name: "profile".into(),
                param_type: Type::Any,
                description: Description::markdown(
                    "An object with any of the network inputs of `aksnet_cluster_network`: `network_plugin`, \
                     `network_plugin_mode`, `network_policy`, `network_data_plane`, `pod_cidr`/`pod_cidrs`, \
                     `service_cidr`/`service_cidrs`, `dns_service_ip`, `ip_families`, `outbound_type`, \
                     `bootstrap_artifact_source`, `load_balancer_sku`, `kubernetes_version`, plus the address context `vnet_address_space`, \
                     `reserved_cidrs`, `node_subnet_cidr`, `pod_subnet_cidr`, and pools as `default_node_pool` \
                     (object) and `node_pool` (list) with `name`, `os_type`, `node_count`, `min_count`, `max_count`, \
                     `max_pods`, `max_surge`, `vnet_subnet_id`, `pod_subnet_id`, `pod_ip_allocation_mode`, \
                     `auto_scaling_enabled`, `zones`; the outbound and identity blocks as objects: `identity` \
                     (`type`, `identity_ids`), `load_balancer_profile` and `nat_gateway_profile`. Null attributes \
                     count as unset (an absent `identity` is not checked); unknown attribute names are an error.",
                ),
                ..Default::default()
            }],
            return_type: Type::List(Box::new(Type::String)),
            summary: "Errors aksnet's AKS networking rules find in a network profile".into(),
            description: Description::markdown(
                "Runs every rule aksnet checks without calling Azure (plugin, mode, policy and dataplane \
                 combinations; reserved and overlapping ranges; DNS service IP; capacity; Windows; outbound and \
                 identity) and returns the \
                 errors as strings like `[R1] pod_cidr: ...`, each with its rule id. An empty list means the profile \
                 passes. Warnings are not returned. Use it in a `precondition` with any provider.",
            ),
            ..Default::default()
        })
    }

    async fn call<'a>(&self, diags: &mut Diagnostics, args: Args) -> Option<Vec<String>> {
        let json = match decode_dynamic(args.profile) {
            Ok(j) => j,
            Err(e) => {
                diags.function_error(0, e);
                return None;
            }
        };
        let (profile, cluster) =
            match profile_from_json(&json).and_then(|p| Ok((p, cluster_from_json(&json)?))) {
                Ok(p) => p,
                Err(e) => {
                    diags.function_error(0, e);
                    return None;
                }
            };
        let mut findings = validate_cluster(&cluster);
        findings.extend(validate_profile(&profile));
        Some(
            findings
                .into_iter()
                .filter(|f| f.is_error())
                .map(|f| f.to_string())
                .collect(),
        )
    }
}

/// Unwraps a dynamic argument (msgpack `[type JSON, value]`) into plain JSON.
pub fn decode_dynamic(v: rmpv::Value) -> Result<Json, String> {
    let v = match v {
        rmpv::Value::Array(mut items)
            if items.len() == 2 && matches!(items[0], rmpv::Value::Binary(_) | rmpv::Value::String(_)) =>
        {
            items.swap_remove(1)
        }
        other => other,
    };
    msgpack_to_json(v)
}

fn msgpack_to_json(v: rmpv::Value) -> Result<Json, String> {
    Ok(match v {
        rmpv::Value::Nil => Json::Null,
        rmpv::Value::Boolean(b) => Json::Bool(b),
        rmpv::Value::Integer(i) => {
            if let Some(n) = i.as_i64() {
                Json::from(n)
            } else {
                Json::from(i.as_u64().unwrap_or(u64::MAX))
            }
        }
        rmpv::Value::F32(f) => serde_json::Number::from_f64(f64::from(f))
            .map(Json::Number)
            .unwrap_or(Json::Null),
        rmpv::Value::F64(f) => serde_json::Number::from_f64(f)
            .map(Json::Number)
            .unwrap_or(Json::Null),
        rmpv::Value::String(s) => Json::String(s.into_str().unwrap_or_default()),
        rmpv::Value::Binary(b) => Json::String(String::from_utf8_lossy(&b).into_owned()),
        rmpv::Value::Array(items) => {
            Json::Array(items.into_iter().map(msgpack_to_json).collect::<Result<_, _>>()?)
        }
        rmpv::Value::Map(entries) => {
            let mut m = Map::new();
            for (k, v) in entries {
                let key = match k {
                    rmpv::Value::String(s) => s.into_str().unwrap_or_default(),
                    other => other.to_string(),
                };
                m.insert(key, msgpack_to_json(v)?);
            }
            Json::Object(m)
        }
        rmpv::Value::Ext(..) => return Err("the argument contains a value that is not known yet".into()),
    })
}

/// Maps the object onto a netplan profile, rejecting unknown keys and wrong types.
pub fn profile_from_json(json: &Json) -> Result<NetworkProfile, String> {
    let obj = json
        .as_object()
        .ok_or("profile must be an object, e.g. { network_plugin = \"azure\" }")?;
    check_keys(obj, &TOP_KEYS, "profile")?;
    let s = |k: &'static str| opt_string(obj, k).map(|v| v.map(|v| Located::new(v, FieldPath::attr(k))));
    let list = |k: &'static str| -> Result<Vec<Located<String>>, String> {
        Ok(string_list(obj, k)?
            .into_iter()
            .enumerate()
            .map(|(i, v)| Located::new(v, FieldPath::attr(k).index(i)))
            .collect())
    };
    let mut pod_cidrs = list("pod_cidrs")?;
    if let Some(p) = s("pod_cidr")? {
        pod_cidrs.insert(0, p);
    }
    let mut service_cidrs = list("service_cidrs")?;
    if let Some(p) = s("service_cidr")? {
        service_cidrs.insert(0, p);
    }
    let mut pools = Vec::new();
    if let Some(p) = obj.get("default_node_pool").filter(|v| !v.is_null()) {
        pools.push(pool_from_json(p, FieldPath::attr("default_node_pool"))?);
    }
    match obj.get("node_pool") {
        None | Some(Json::Null) => {}
        Some(Json::Array(items)) => {
            for (i, p) in items.iter().enumerate() {
                pools.push(pool_from_json(p, FieldPath::attr("node_pool").index(i))?);
            }
        }
        Some(_) => return Err("node_pool must be a list of objects".into()),
    }
    let node_subnet = s("node_subnet_cidr")?;
    Ok(NetworkProfile {
        network_plugin: s("network_plugin")?,
        network_plugin_mode: s("network_plugin_mode")?,
        network_policy: s("network_policy")?,
        network_data_plane: s("network_data_plane")?,
        pod_cidrs,
        service_cidrs,
        dns_service_ip: s("dns_service_ip")?,
        ip_families: list("ip_families")?,
        outbound_type: s("outbound_type")?,
        load_balancer_sku: s("load_balancer_sku")?,
        kubernetes_version: s("kubernetes_version")?,
        vnet_address_space: list("vnet_address_space")?,
        reserved_cidrs: list("reserved_cidrs")?,
        node_subnet_cidr: node_subnet,
        pod_subnet_cidr: s("pod_subnet_cidr")?,
        node_pools: pools,
        ..Default::default()
    })
}

/// The outbound, identity and pool-shape inputs for netplan's cluster rules. An absent
/// `identity` is not known (modules using other providers may not pass it), so the identity
/// rules skip it; `identity = null` means AKS's default, system-assigned.
pub fn cluster_from_json(json: &Json) -> Result<ClusterSpec, String> {
    let obj = json.as_object().ok_or("profile must be an object")?;
    let mut pools = Vec::new();
    if let Some(p) = obj.get("default_node_pool").filter(|v| !v.is_null()) {
        pools.push(pool_spec(p, FieldPath::attr("default_node_pool"))?);
    }
    if let Some(Json::Array(items)) = obj.get("node_pool") {
        for (i, p) in items.iter().enumerate() {
            pools.push(pool_spec(p, FieldPath::attr("node_pool").index(i))?);
        }
    }
    let identity = match obj.get("identity") {
        None => Input::Unknown,
        Some(Json::Null) => Input::Unset,
        Some(v) => {
            let o = v.as_object().ok_or("identity must be an object")?;
            check_keys(o, &IDENTITY_KEYS, "identity")?;
            let ids = match o.get("identity_ids") {
                None | Some(Json::Null) => Input::Unset,
                Some(_) => Input::Set(string_list(o, "identity_ids")?),
            };
            Input::Set(IdentitySpec {
                kind: opt_string(o, "type")?,
                ids,
            })
        }
    };
    let block = |k: &str, keys: &[&str]| -> Result<Option<&Map<String, Json>>, String> {
        match obj.get(k) {
            None | Some(Json::Null) => Ok(None),
            Some(v) => {
                let o = v.as_object().ok_or_else(|| format!("{k} must be an object"))?;
                check_keys(o, keys, k)?;
                Ok(Some(o))
            }
        }
    };
    let int = |o: &Map<String, Json>, k: &str| opt_i64(o, k);
    let load_balancer_profile = match block("load_balancer_profile", &LB_KEYS)? {
        Some(o) => Some(LoadBalancerSpec {
            managed_outbound_ip_count: int(o, "managed_outbound_ip_count")?,
            managed_outbound_ipv6_count: int(o, "managed_outbound_ipv6_count")?,
            outbound_ip_address_ids_set: !string_list(o, "outbound_ip_address_ids")?.is_empty(),
            outbound_ip_prefix_ids_set: !string_list(o, "outbound_ip_prefix_ids")?.is_empty(),
            outbound_ports_allocated: int(o, "outbound_ports_allocated")?,
            idle_timeout_in_minutes: int(o, "idle_timeout_in_minutes")?,
        }),
        None => None,
    };
    let nat_gateway_profile = match block("nat_gateway_profile", &NAT_KEYS)? {
        Some(o) => Some(NatGatewaySpec {
            managed_outbound_ip_count: int(o, "managed_outbound_ip_count")?,
            idle_timeout_in_minutes: int(o, "idle_timeout_in_minutes")?,
        }),
        None => None,
    };
    Ok(ClusterSpec {
        network_plugin: opt_string(obj, "network_plugin")?,
        identity,
        pools,
        outbound_type: opt_string(obj, "outbound_type")?.map_or(Input::Unset, Input::Set),
        // Unset is AKS's default for a new cluster, `Direct` (O4).
        bootstrap_artifact_source: opt_string(obj, "bootstrap_artifact_source")?
            .map_or(Input::Unset, Input::Set),
        load_balancer_profile,
        nat_gateway_profile,
        ..Default::default()
    })
}

fn pool_spec(v: &Json, path: FieldPath) -> Result<PoolSpec, String> {
    let obj = v.as_object().ok_or_else(|| format!("{path} must be an object"))?;
    let known = |k: &str| -> Result<Input<i64>, String> {
        Ok(opt_i64(obj, k)
            .map_err(|e| format!("{path}.{e}"))?
            .map_or(Input::Unset, Input::Set))
    };
    let subnet = opt_string(obj, "vnet_subnet_id")?.filter(|s| !s.is_empty());
    let bad_subnet_ids = [
        ("vnet_subnet_id", subnet.clone()),
        ("pod_subnet_id", opt_string(obj, "pod_subnet_id")?),
    ]
    .into_iter()
    .filter_map(|(attr, id)| Some((attr, ResourceId::parse(Kind::Subnet, &id?).err()?.to_string())))
    .collect();
    Ok(PoolSpec {
        min_count: known("min_count")?,
        max_count: known("max_count")?,
        auto_scaling: match obj.get("auto_scaling_enabled") {
            None | Some(Json::Null) => Input::Unset,
            Some(Json::Bool(b)) => Input::Set(*b),
            Some(_) => return Err(format!("{path}.auto_scaling_enabled must be a bool")),
        },
        has_node_subnet: subnet.is_some(),
        bad_subnet_ids,
        zones: match obj.get("zones") {
            None | Some(Json::Null) => None,
            Some(_) => Some(string_list(obj, "zones").map_err(|e| format!("{path}.{e}"))?),
        },
        path,
        ..Default::default()
    })
}

fn pool_from_json(v: &Json, path: FieldPath) -> Result<NodePool, String> {
    let obj = v.as_object().ok_or_else(|| format!("{path} must be an object"))?;
    check_keys(obj, &POOL_KEYS, &path.to_string())?;
    let n = |k: &str| opt_u32(obj, k).map_err(|e| format!("{path}.{e}"));
    let s = |k: &str| opt_string(obj, k).map_err(|e| format!("{path}.{e}"));
    let pod_subnet_id = s("pod_subnet_id")?;
    Ok(NodePool {
        name: s("name")?,
        os_type: s("os_type")?,
        node_count: n("node_count")?,
        min_count: n("min_count")?,
        max_count: n("max_count")?,
        max_pods: n("max_pods")?,
        max_surge: s("max_surge")?,
        uses_pod_subnet: pod_subnet_id.is_some_and(|id| !id.is_empty()),
        pod_ip_allocation_mode: s("pod_ip_allocation_mode")?,
        // Terraform calls functions with known arguments only.
        unknown: Default::default(),
        path,
    })
}

fn check_keys(obj: &Map<String, Json>, allowed: &[&str], what: &str) -> Result<(), String> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "{what} has an unsupported attribute \"{k}\"; supported: {}",
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

fn opt_string(obj: &Map<String, Json>, k: &str) -> Result<Option<String>, String> {
    match obj.get(k) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(Json::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(format!("{k} must be a string")),
    }
}

fn opt_u32(obj: &Map<String, Json>, k: &str) -> Result<Option<u32>, String> {
    match obj.get(k) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| format!("{k} must be a whole number of 0 or more, got {n}")),
        Some(Json::String(s)) => s
            .parse()
            .map(Some)
            .map_err(|_| format!("{k} must be a number, got \"{s}\"")),
        Some(_) => Err(format!("{k} must be a number")),
    }
}

fn opt_i64(obj: &Map<String, Json>, k: &str) -> Result<Option<i64>, String> {
    match obj.get(k) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| format!("{k} must be a whole number, got {n}")),
        Some(_) => Err(format!("{k} must be a number")),
    }
}

fn string_list(obj: &Map<String, Json>, k: &str) -> Result<Vec<String>, String> {
    match obj.get(k) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{k} must be a list of strings"))
            })
            .collect(),
        Some(_) => Err(format!("{k} must be a list of strings")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_terraform_dynamic_msgpack() {
        let inner = rmpv::Value::Map(vec![(
            rmpv::Value::from("network_plugin"),
            rmpv::Value::from("kubenet"),
        )]);
        let wrapped = rmpv::Value::Array(vec![
            rmpv::Value::Binary(br#"["object",{"network_plugin":"string"}]"#.to_vec()),
            inner,
        ]);
        assert_eq!(
            decode_dynamic(wrapped).unwrap(),
            json!({"network_plugin": "kubenet"})
        );
    }

    #[test]
    fn rejects_unknown_keys_and_wrong_types() {
        let err = profile_from_json(&json!({"network_pluggin": "azure"})).unwrap_err();
        assert!(
            err.contains("network_pluggin") && err.contains("network_plugin,"),
            "{err}"
        );
        let err = profile_from_json(&json!({"node_pool": [{"name": "a", "max_pods": "many"}]})).unwrap_err();
        assert!(err.contains("node_pool[0].max_pods"), "{err}");
        assert!(profile_from_json(&json!("azure")).is_err());
    }

    fn errors(v: Json) -> Vec<String> {
        let mut f = validate_cluster(&cluster_from_json(&v).unwrap());
        f.extend(validate_profile(&profile_from_json(&v).unwrap()));
        f.into_iter()
            .filter(|f| f.is_error())
            .map(|f| f.to_string())
            .collect()
    }

    #[test]
    fn outbound_none_needs_the_cache_artifact_source() {
        let pool = json!({"name": "system", "node_count": 3});
        let none = json!({"outbound_type": "none", "default_node_pool": pool});
        assert!(
            errors(none.clone()).iter().any(|e| e.starts_with("[O4]")),
            "{:?}",
            errors(none)
        );
        let direct = json!({"outbound_type": "none", "bootstrap_artifact_source": "Direct", "default_node_pool": pool});
        assert!(errors(direct).iter().any(|e| e.starts_with("[O4]")));
        let cache =
            json!({"outbound_type": "none", "bootstrap_artifact_source": "Cache", "default_node_pool": pool});
        assert_eq!(errors(cache), Vec::<String>::new());
    }

    #[test]
    fn outbound_and_identity_rules_run_too() {
        let subnet =
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vn/subnets/s";
        let kubenet = json!({
            "network_plugin": "kubenet",
            "identity": null,
            "default_node_pool": {"name": "system", "node_count": 3, "vnet_subnet_id": subnet},
        });
        assert!(
            errors(kubenet.clone()).iter().any(|e| e.starts_with("[O6]")),
            "{:?}",
            errors(kubenet)
        );
        let unknown_identity = json!({
            "network_plugin": "kubenet",
            "default_node_pool": {"name": "system", "node_count": 3, "vnet_subnet_id": subnet},
        });
        assert!(
            errors(unknown_identity).is_empty(),
            "an identity not passed is not checked"
        );
        let lb = json!({"outbound_type": "userDefinedRouting", "load_balancer_profile": {"outbound_ports_allocated": 12}});
        let e = errors(lb);
        assert!(
            e.iter()
                .any(|e| e.starts_with("[O5] load_balancer_profile[0]: load_balancer_profile only applies")),
            "{e:?}"
        );
        assert!(e.iter().any(|e| e.contains("multiple of 8")), "{e:?}");
        assert!(e.iter().any(|e| e.starts_with("[O1] outbound_type")), "{e:?}");
        let one = json!({"default_node_pool": {"name": "system", "node_count": 1500}});
        let e = errors(one);
        assert_eq!(
            e.iter().filter(|e| e.starts_with("[C3]")).count(),
            1,
            "one finding per input: {e:?}"
        );
        // AKS's default pod CIDR (10.244.0.0/16, a /24 per node) holds 256 nodes.
        assert!(
            e.iter()
                .any(|e| e.starts_with("[C1]") && e.contains("AKS's default")),
            "{e:?}"
        );
    }

    #[test]
    fn maps_pools_and_cidrs_with_paths() {
        let p = profile_from_json(&json!({
            "pod_cidr": "10.244.0.0/16",
            "pod_cidrs": ["fd12:3456:789a::/64"],
            "default_node_pool": {"name": "system", "node_count": 3, "pod_subnet_id": "/subscriptions/x"},
            "node_pool": [{"name": "user", "max_count": 10}],
        }))
        .unwrap();
        assert_eq!(p.pod_cidrs[0].value, "10.244.0.0/16");
        assert_eq!(p.pod_cidrs[0].path.to_string(), "pod_cidr");
        assert_eq!(p.pod_cidrs[1].path.to_string(), "pod_cidrs[0]");
        assert_eq!(p.node_pools.len(), 2);
        assert!(p.node_pools[0].uses_pod_subnet);
        assert_eq!(p.node_pools[1].path.to_string(), "node_pool[0]");
        assert_eq!(p.node_pools[1].max_count, Some(10));
    }
}
