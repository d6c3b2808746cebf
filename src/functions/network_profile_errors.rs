//! `network_profile_errors(profile)`: runs netplan's rules on an object shaped like
//! `aksnet_cluster_network`'s inputs and returns the error strings.
//!
//! The argument is dynamic (any object): Terraform sends it as msgpack `[type JSON, value]`,
//! which is taken apart here as an `rmpv::Value`.

use aksnet_tfplugin::schema::{Description, FunctionSchema, Parameter, Type};
use aksnet_tfplugin::{Diagnostics, Function};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Map, Value as Json};

use super::error::ArgumentError;
use crate::arm::ids::{Kind, ResourceId};
use crate::netplan::cluster::{
    validate_cluster, ClusterSpec, IdentitySpec, Input, LoadBalancerSpec, NatGatewaySpec, PoolSpec,
};
use crate::netplan::profile::Located;
use crate::netplan::rules::validate_profile;
use crate::netplan::{FieldPath, NetworkProfile, NodePool};
use crate::tfvalue::function_error;

/// NetworkProfileErrors implements `network_profile_errors`.
#[derive(Debug, Default, Clone, Copy)]
pub struct NetworkProfileErrors;

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
                     (object) and `node_pool` (list) with `name`, `vm_size`, `os_type`, `node_count`, `min_count`, \
                     `max_count`, `max_pods`, `max_surge`, `vnet_subnet_id`, `pod_subnet_id`, `pod_ip_allocation_mode`, \
                     `auto_scaling_enabled`, `zones`; the outbound and identity blocks as objects: `identity` \
                     (`type`, `identity_ids`), `load_balancer_profile` and `nat_gateway_profile`. azurerm's shapes are \
                     accepted as they are: `azurerm_kubernetes_cluster`'s `network_profile` (nested under \
                     `network_profile` or merged in at the top), its `default_node_pool` and \
                     `azurerm_kubernetes_cluster_node_pool` objects, blocks given as lists of one object, \
                     `ip_versions` (as `ip_families`), `upgrade_settings.max_surge` (as `max_surge`) and a Windows \
                     `os_sku` (as `os_type = \"Windows\"`). Null and empty-string attributes count as unset (an absent \
                     `identity` is not checked); attribute names aksnet has no rule for are ignored.",
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
                function_error(diags, 0, &e);
                return None;
            }
        };
        let (profile, cluster) =
            match profile_from_json(&json).and_then(|p| Ok((p, cluster_from_json(&json)?))) {
                Ok(p) => p,
                Err(e) => {
                    function_error(diags, 0, &e);
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
fn decode_dynamic(v: rmpv::Value) -> Result<Json, ArgumentError> {
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

fn msgpack_to_json(v: rmpv::Value) -> Result<Json, ArgumentError> {
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
        rmpv::Value::Ext(..) => return Err(ArgumentError::NotKnown),
    })
}

/// Attributes whose empty string is a value, not "unset": azurerm writes `""` for every
/// network profile string AKS did not return, but an empty name or VM size is a mistake that
/// the rules report (W1, I6).
const BLANK_IS_A_VALUE: [&str; 2] = ["name", "vm_size"];

fn is_blank(v: &Json) -> bool {
    v.is_null() || v.as_str() == Some("")
}

/// azurerm's nested blocks (`network_profile`, `default_node_pool`, `load_balancer_profile`,
/// `upgrade_settings`, …) are lists of at most one object in its resources' attributes
/// (`MaxItems: 1`); module variables usually hold the object itself. Both mean the object.
fn single_block(v: &Json, what: &str) -> Result<Json, ArgumentError> {
    match v {
        Json::Array(items) if items.is_empty() => Ok(Json::Null),
        Json::Array(items) if items.len() == 1 => Ok(items[0].clone()),
        Json::Array(items) => Err(ArgumentError::SeveralBlocks {
            what: what.to_string(),
            len: items.len(),
        }),
        other => Ok(other.clone()),
    }
}

/// Sets `key` to `v` in `out`, where `key` may already be set from another spelling (`from`
/// names where `v` came from): a blank never overrides, and two different values are an error
/// rather than one silently winning (values are not echoed: they may be ranges or IDs).
fn merge_into(out: &mut Map<String, Json>, key: &str, v: Json, from: &str) -> Result<(), ArgumentError> {
    match out.get(key) {
        Some(old) if !is_blank(old) && !is_blank(&v) && *old != v => Err(ArgumentError::GivenTwice {
            key: key.to_string(),
            from: from.to_string(),
        }),
        Some(old) if !is_blank(old) => Ok(()),
        _ => {
            out.insert(key.to_string(), v);
            Ok(())
        }
    }
}

/// Empty strings become nulls except where they are values ([`BLANK_IS_A_VALUE`]).
fn blanks_to_null(obj: &mut Map<String, Json>) {
    for (k, v) in obj.iter_mut() {
        if v.as_str() == Some("") && !BLANK_IS_A_VALUE.contains(&k.as_str()) {
            *v = Json::Null;
        }
    }
}

/// Brings azurerm's shapes onto aksnet's, so that a module can pass its azurerm objects as
/// they are (azurerm v4 `azurerm_kubernetes_cluster` schema, internal/services/containers/
/// kubernetes_cluster_resource.go `network_profile` and kubernetes_nodepool.go
/// `SchemaDefaultNodePool`):
///
/// - `network_profile` (an object or azurerm's list of one) is merged into the top level;
/// - `ip_versions` is `ip_families`;
/// - `identity`, `load_balancer_profile`, `nat_gateway_profile` and `default_node_pool` may be
///   lists of one object; pools are normalised by [`normalize_pool`];
/// - `""` is unset (azurerm's flatten writes `""` for network profile strings AKS leaves out).
///
/// A value given under two spellings must agree. Attribute names aksnet has no rule for
/// (azurerm's `network_mode`, `advanced_networking`, `backend_pool_type`, `os_disk_size_gb`,
/// `node_labels`, …) stay in the object and are never read. Idempotent.
fn normalize(json: &Json) -> Result<Json, ArgumentError> {
    let obj = json.as_object().ok_or(ArgumentError::ProfileNotObject)?;
    let mut out: Map<String, Json> = obj
        .iter()
        .filter(|(k, _)| *k != "network_profile")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    blanks_to_null(&mut out);
    if let Some(np) = obj.get("network_profile") {
        match single_block(np, "network_profile")? {
            Json::Null => {}
            Json::Object(mut np) => {
                blanks_to_null(&mut np);
                for (k, v) in np {
                    let from = format!("network_profile.{k}");
                    merge_into(&mut out, &k, v, &from)?;
                }
            }
            _ => return Err(ArgumentError::NotObject("network_profile".into())),
        }
    }
    if let Some(v) = out.remove("ip_versions") {
        merge_into(&mut out, "ip_families", v, "ip_versions")?;
    }
    for k in ["identity", "load_balancer_profile", "nat_gateway_profile"] {
        if let Some(v) = out.get(k) {
            // azurerm's `identity = []` is a cluster without a managed identity block (a
            // service principal): not known to be system-assigned, so not checked.
            if k == "identity" && v.as_array().is_some_and(Vec::is_empty) {
                out.remove(k);
                continue;
            }
            let v = single_block(v, k)?;
            out.insert(k.to_string(), v);
        }
    }
    if let Some(v) = out.get("default_node_pool") {
        let v = normalize_pool(&single_block(v, "default_node_pool")?, "default_node_pool")?;
        out.insert("default_node_pool".into(), v);
    }
    if let Some(Json::Array(items)) = out.get("node_pool") {
        let items = items
            .iter()
            .enumerate()
            .map(|(i, p)| normalize_pool(p, &format!("node_pool[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        out.insert("node_pool".into(), Json::Array(items));
    }
    Ok(Json::Object(out))
}

/// One pool in aksnet's shape, from aksnet's or azurerm's (`default_node_pool`,
/// `azurerm_kubernetes_cluster_node_pool`): `upgrade_settings.max_surge` is `max_surge`
/// (kubernetes_nodepool.go `upgradeSettingsSchemaClusterDefaultNodePool`), and a Windows
/// `os_sku` (`Windows2019`, `Windows2022`, SPEC `OSSKU`) without `os_type` means
/// `os_type = "Windows"`; `""` is unset, and so are bounds of 0 without autoscaling.
fn normalize_pool(v: &Json, path: &str) -> Result<Json, ArgumentError> {
    let Some(obj) = v.as_object() else {
        return if v.is_null() {
            Ok(Json::Null)
        } else {
            Err(ArgumentError::NotObject(path.to_string()))
        };
    };
    let mut out = obj.clone();
    blanks_to_null(&mut out);
    if let Some(us) = out.remove("upgrade_settings") {
        match single_block(&us, &format!("{path}.upgrade_settings"))? {
            Json::Null => {}
            Json::Object(us) => {
                if let Some(surge) = us.get("max_surge") {
                    merge_into(&mut out, "max_surge", surge.clone(), "upgrade_settings.max_surge")
                        .map_err(|e| e.inside(path))?;
                }
            }
            _ => return Err(ArgumentError::NotObject(format!("{path}.upgrade_settings"))),
        }
    }
    // azurerm reads a pool without autoscaling back with `min_count = 0` and `max_count = 0`
    // (FlattenDefaultNodePool: `minCount := 0` unless AKS returned one) and sends bounds only
    // when they are above 0: without autoscaling, 0 is azurerm's "unset". With autoscaling a
    // 0 stays a value (a user pool may scale to zero; C3 refuses it for the system pool).
    if out.get("auto_scaling_enabled").and_then(Json::as_bool) != Some(true) {
        for k in ["min_count", "max_count"] {
            if out.get(k).and_then(Json::as_i64) == Some(0) {
                out.insert(k.into(), Json::Null);
            }
        }
    }
    let windows_sku = out
        .get("os_sku")
        .and_then(Json::as_str)
        .is_some_and(|sku| sku.to_ascii_lowercase().starts_with("windows"));
    if windows_sku && out.get("os_type").is_none_or(is_blank) {
        out.insert("os_type".into(), Json::from("Windows"));
    }
    Ok(Json::Object(out))
}

/// Maps the object (aksnet's or azurerm's shape, see [`normalize`]) onto a netplan profile,
/// rejecting wrong types; attributes aksnet has no rule for are ignored.
pub fn profile_from_json(json: &Json) -> Result<NetworkProfile, ArgumentError> {
    let json = normalize(json)?;
    let obj = json.as_object().ok_or(ArgumentError::ProfileNotObject)?;
    let s = |k: &'static str| opt_string(obj, k).map(|v| v.map(|v| Located::new(v, FieldPath::attr(k))));
    let list = |k: &'static str| -> Result<Vec<Located<String>>, ArgumentError> {
        Ok(string_list(obj, k)?
            .into_iter()
            .enumerate()
            .map(|(i, v)| Located::new(v, FieldPath::attr(k).index(i)))
            .collect())
    };
    // azurerm's attributes carry the first range twice (`pod_cidr` and `pod_cidrs[0]`): one
    // range is one input, reported once.
    let with_single = |mut many: Vec<Located<String>>, one: Option<Located<String>>| {
        if let Some(p) = one.filter(|p| !many.iter().any(|m| m.value == p.value)) {
            many.insert(0, p);
        }
        many
    };
    let pod_cidrs = with_single(list("pod_cidrs")?, s("pod_cidr")?);
    let service_cidrs = with_single(list("service_cidrs")?, s("service_cidr")?);
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
        Some(_) => return Err(ArgumentError::NotObjectList("node_pool".into())),
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
fn cluster_from_json(json: &Json) -> Result<ClusterSpec, ArgumentError> {
    let json = normalize(json)?;
    let obj = json.as_object().ok_or(ArgumentError::ProfileNotObject)?;
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
            let o = v
                .as_object()
                .ok_or_else(|| ArgumentError::NotObject("identity".into()))?;
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
    let block = |k: &str| -> Result<Option<&Map<String, Json>>, ArgumentError> {
        match obj.get(k) {
            None | Some(Json::Null) => Ok(None),
            Some(v) => Ok(Some(
                v.as_object()
                    .ok_or_else(|| ArgumentError::NotObject(k.to_string()))?,
            )),
        }
    };
    let int = |o: &Map<String, Json>, k: &str| opt_i64(o, k);
    let load_balancer_profile = match block("load_balancer_profile")? {
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
    let nat_gateway_profile = match block("nat_gateway_profile")? {
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

fn pool_spec(v: &Json, path: FieldPath) -> Result<PoolSpec, ArgumentError> {
    let obj = v
        .as_object()
        .ok_or_else(|| ArgumentError::NotObject(path.to_string()))?;
    let known = |k: &str| -> Result<Input<i64>, ArgumentError> {
        Ok(opt_i64(obj, k)
            .map_err(|e| e.inside(&path))?
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
        vm_size: opt_string(obj, "vm_size").map_err(|e| e.inside(&path))?,
        node_count: opt_i64(obj, "node_count").map_err(|e| e.inside(&path))?,
        min_count: known("min_count")?,
        max_count: known("max_count")?,
        auto_scaling: match obj.get("auto_scaling_enabled") {
            None | Some(Json::Null) => Input::Unset,
            Some(Json::Bool(b)) => Input::Set(*b),
            Some(_) => return Err(ArgumentError::NotBool("auto_scaling_enabled".into()).inside(&path)),
        },
        has_node_subnet: subnet.is_some(),
        bad_subnet_ids,
        zones: match obj.get("zones") {
            None | Some(Json::Null) => None,
            Some(_) => Some(string_list(obj, "zones").map_err(|e| e.inside(&path))?),
        },
        path,
        ..Default::default()
    })
}

fn pool_from_json(v: &Json, path: FieldPath) -> Result<NodePool, ArgumentError> {
    let obj = v
        .as_object()
        .ok_or_else(|| ArgumentError::NotObject(path.to_string()))?;
    let n = |k: &str| opt_u32(obj, k).map_err(|e| e.inside(&path));
    let s = |k: &str| opt_string(obj, k).map_err(|e| e.inside(&path));
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
        placement: Default::default(),
        path,
    })
}

fn opt_string(obj: &Map<String, Json>, k: &str) -> Result<Option<String>, ArgumentError> {
    match obj.get(k) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(Json::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(ArgumentError::NotString(k.to_string())),
    }
}

fn opt_u32(obj: &Map<String, Json>, k: &str) -> Result<Option<u32>, ArgumentError> {
    match obj.get(k) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| ArgumentError::NotCount {
                key: k.to_string(),
                got: n.to_string(),
            }),
        Some(Json::String(s)) => s.parse().map(Some).map_err(|_| ArgumentError::NumberText {
            key: k.to_string(),
            got: s.clone(),
        }),
        Some(_) => Err(ArgumentError::NotNumber(k.to_string())),
    }
}

fn opt_i64(obj: &Map<String, Json>, k: &str) -> Result<Option<i64>, ArgumentError> {
    match obj.get(k) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => n.as_i64().map(Some).ok_or_else(|| ArgumentError::NotWhole {
            key: k.to_string(),
            got: n.to_string(),
        }),
        Some(_) => Err(ArgumentError::NotNumber(k.to_string())),
    }
}

fn string_list(obj: &Map<String, Json>, k: &str) -> Result<Vec<String>, ArgumentError> {
    match obj.get(k) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| ArgumentError::NotStringList(k.to_string()))
            })
            .collect(),
        Some(_) => Err(ArgumentError::NotStringList(k.to_string())),
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
    fn ignores_unknown_keys_and_rejects_wrong_types() {
        assert_eq!(
            profile_from_json(&json!({"network_pluggin": "azure", "kubelet_config": []})).unwrap(),
            NetworkProfile::default()
        );
        let err = profile_from_json(&json!({"node_pool": [{"name": "a", "max_pods": "many"}]})).unwrap_err();
        assert_eq!(
            err,
            ArgumentError::NumberText {
                key: "max_pods".into(),
                got: "many".into()
            }
            .inside("node_pool[0]")
        );
        assert!(
            err.to_string()
                .starts_with("node_pool[0].max_pods must be a number"),
            "{err}"
        );
        assert!(matches!(
            profile_from_json(&json!("azure")),
            Err(ArgumentError::ProfileNotObject)
        ));
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
        // AKS creates it (the role is granted after create); only a route table already on
        // the subnet is refused, which needs the live subnet (Azure/AKS#2333).
        assert!(
            !errors(kubenet.clone()).iter().any(|e| e.starts_with("[O6]")),
            "{:?}",
            errors(kubenet)
        );
        let no_ids = json!({"identity": {"type": "UserAssigned"}, "default_node_pool": {"name": "system", "node_count": 3}});
        assert!(
            errors(no_ids.clone()).iter().any(|e| e.starts_with("[I7]")),
            "{:?}",
            errors(no_ids)
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

    /// azurerm v4's `network_profile` as `azurerm_kubernetes_cluster.x.network_profile[0]`
    /// reads after apply (flattenKubernetesClusterNetworkProfile: every attribute present,
    /// `""` for what AKS left out, blocks as lists of one, `pod_cidr` repeated in
    /// `pod_cidrs`), for the dual-stack overlay cluster of azurerm's docs
    /// (https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/kubernetes_cluster#ip_versions-1).
    fn azurerm_network_profile(plugin: &str, mode: &str) -> Json {
        json!({
            "network_plugin": plugin,
            "network_mode": "",
            "network_policy": "cilium",
            "network_data_plane": "cilium",
            "network_plugin_mode": mode,
            "dns_service_ip": "10.0.0.10",
            "pod_cidr": "10.244.0.0/16",
            "pod_cidrs": ["10.244.0.0/16", "fd12:3456:789a::/64"],
            "service_cidr": "10.0.0.0/16",
            "service_cidrs": ["10.0.0.0/16", "fd12:3456:789a:1::/108"],
            "ip_versions": ["IPv4", "IPv6"],
            "load_balancer_sku": "standard",
            "outbound_type": "loadBalancer",
            "load_balancer_profile": [{
                "outbound_ports_allocated": 0,
                "idle_timeout_in_minutes": 30,
                "managed_outbound_ip_count": 1,
                "managed_outbound_ipv6_count": 1,
                "outbound_ip_prefix_ids": [],
                "outbound_ip_address_ids": [],
                "effective_outbound_ips": [],
                "backend_pool_type": "NodeIPConfiguration",
            }],
            "nat_gateway_profile": [],
            "advanced_networking": [],
        })
    }

    /// azurerm v4's `default_node_pool[0]` (kubernetes_nodepool.go `SchemaDefaultNodePool`).
    fn azurerm_default_node_pool() -> Json {
        json!({
            "name": "default",
            "temporary_name_for_rotation": "",
            "type": "VirtualMachineScaleSets",
            "vm_size": "Standard_DS2_v2",
            "node_count": 3,
            "auto_scaling_enabled": false,
            "min_count": 0,
            "max_count": 0,
            "max_pods": 250,
            "os_sku": "Ubuntu",
            "os_disk_size_gb": 128,
            "vnet_subnet_id": "",
            "pod_subnet_id": "",
            "zones": ["1", "2", "3"],
            "node_labels": {},
            "tags": {},
            "upgrade_settings": [{
                "max_surge": "10%",
                "drain_timeout_in_minutes": 0,
                "node_soak_duration_in_minutes": 0,
                "undrainable_node_behavior": "",
            }],
            "kubelet_config": [],
            "linux_os_config": [],
            "node_network_profile": [],
        })
    }

    /// The same cluster in aksnet's own shape.
    fn aksnet_shape(plugin: &str, mode: &str) -> Json {
        json!({
            "network_plugin": plugin,
            "network_policy": "cilium",
            "network_data_plane": "cilium",
            "network_plugin_mode": if mode.is_empty() { Json::Null } else { json!(mode) },
            "dns_service_ip": "10.0.0.10",
            "pod_cidrs": ["10.244.0.0/16", "fd12:3456:789a::/64"],
            "service_cidrs": ["10.0.0.0/16", "fd12:3456:789a:1::/108"],
            "ip_families": ["IPv4", "IPv6"],
            "load_balancer_sku": "standard",
            "outbound_type": "loadBalancer",
            "load_balancer_profile": {
                "outbound_ports_allocated": 0,
                "idle_timeout_in_minutes": 30,
                "managed_outbound_ip_count": 1,
                "managed_outbound_ipv6_count": 1,
            },
            "default_node_pool": {
                "name": "default", "vm_size": "Standard_DS2_v2", "node_count": 3, "max_pods": 250,
                "max_surge": "10%", "auto_scaling_enabled": false, "zones": ["1", "2", "3"],
            },
        })
    }

    #[test]
    fn azurerm_shapes_are_the_same_input_as_aksnet_shapes() {
        for (plugin, mode) in [("azure", "overlay"), ("kubenet", "")] {
            let nested = json!({
                "network_profile": [azurerm_network_profile(plugin, mode)],
                "default_node_pool": [azurerm_default_node_pool()],
            });
            let mut merged = azurerm_network_profile(plugin, mode);
            merged["default_node_pool"] = azurerm_default_node_pool();
            let own = aksnet_shape(plugin, mode);
            let want = profile_from_json(&own).unwrap();
            assert_eq!(want.ip_families.len(), 2, "dual stack");
            assert_eq!(want.node_pools[0].max_surge.as_deref(), Some("10%"));
            for shape in [&nested, &merged] {
                let got = profile_from_json(shape).unwrap();
                let values = |p: &NetworkProfile| {
                    (
                        p.pod_cidrs.iter().map(|c| c.value.clone()).collect::<Vec<_>>(),
                        p.service_cidrs
                            .iter()
                            .map(|c| c.value.clone())
                            .collect::<Vec<_>>(),
                        p.ip_families.iter().map(|c| c.value.clone()).collect::<Vec<_>>(),
                        p.network_plugin_mode.as_ref().map(|m| m.value.clone()),
                        p.node_pools.clone(),
                    )
                };
                assert_eq!(values(&got), values(&want), "{shape}");
                let spec = cluster_from_json(shape).unwrap();
                assert_eq!(spec.pools[0].vm_size.as_deref(), Some("Standard_DS2_v2"));
                assert!(spec.load_balancer_profile.is_some());
                assert!(spec.nat_gateway_profile.is_none());
                assert_eq!(errors(shape.clone()), errors(own.clone()), "{plugin}: {shape}");
            }
        }
        // The overlay cluster passes; kubenet is not dual-stack (one finding, not one per
        // spelling of the pod range).
        let good = json!({
            "network_profile": [azurerm_network_profile("azure", "overlay")],
            "default_node_pool": [azurerm_default_node_pool()],
        });
        assert_eq!(errors(good), Vec::<String>::new());
        let bad = errors(json!({
            "network_profile": azurerm_network_profile("kubenet", ""),
            "default_node_pool": azurerm_default_node_pool(),
        }));
        assert!(!bad.is_empty());
        let mut sorted = bad.clone();
        sorted.dedup();
        assert_eq!(sorted, bad, "no finding twice");
    }

    #[test]
    fn azurerm_pool_attributes_map_to_pool_inputs() {
        let mut pool = azurerm_default_node_pool();
        pool["node_count"] = Json::Null;
        pool["auto_scaling_enabled"] = json!(true);
        pool["min_count"] = json!(2);
        pool["max_count"] = json!(40);
        pool["upgrade_settings"] = json!([{"max_surge": "33%"}]);
        let p = profile_from_json(&json!({"default_node_pool": [pool.clone()]})).unwrap();
        let n = &p.node_pools[0];
        assert_eq!(
            (n.node_count, n.min_count, n.max_count),
            (None, Some(2), Some(40))
        );
        assert_eq!(n.max_surge.as_deref(), Some("33%"));
        let c = cluster_from_json(&json!({"default_node_pool": pool})).unwrap();
        assert_eq!(c.pools[0].auto_scaling, Input::Set(true));
        // azurerm_kubernetes_cluster_node_pool: a Windows os_sku is a Windows pool.
        let win = profile_from_json(&json!({"node_pool": [{
            "name": "win", "vm_size": "Standard_D4s_v5", "node_count": 1, "os_sku": "Windows2022",
            "kubernetes_cluster_id": "x", "mode": "User",
        }]}))
        .unwrap();
        assert_eq!(win.node_pools[0].os_type.as_deref(), Some("Windows"));
        // Bounds of 0 are azurerm's "unset" without autoscaling, a value with it.
        let fixed = profile_from_json(&json!({"default_node_pool": [azurerm_default_node_pool()]})).unwrap();
        assert_eq!(
            (fixed.node_pools[0].min_count, fixed.node_pools[0].max_count),
            (None, None)
        );
        let mut to_zero = azurerm_default_node_pool();
        to_zero["auto_scaling_enabled"] = json!(true);
        to_zero["max_count"] = json!(3);
        let e = errors(json!({"default_node_pool": to_zero}));
        assert!(
            e.iter()
                .any(|e| e.starts_with("[C3] default_node_pool.min_count")),
            "{e:?}"
        );
        // An empty vm_size stays a value: I6 reports it.
        let mut empty = azurerm_default_node_pool();
        empty["vm_size"] = json!("");
        let e = errors(json!({"default_node_pool": empty}));
        assert!(
            e.iter().any(|e| e.starts_with("[I6] default_node_pool.vm_size")),
            "{e:?}"
        );
    }

    #[test]
    fn two_spellings_must_agree() {
        let err = profile_from_json(&json!({
            "network_plugin": "azure",
            "network_profile": {"network_plugin": "kubenet"},
        }))
        .unwrap_err();
        assert!(err.to_string().contains("network_plugin is given twice"), "{err}");
        let err = profile_from_json(&json!({"ip_families": ["IPv4"], "ip_versions": ["IPv4", "IPv6"]}))
            .unwrap_err();
        assert!(err.to_string().contains("ip_versions"), "{err}");
        let err = profile_from_json(&json!({"default_node_pool": {
            "name": "a", "node_count": 1, "max_surge": "1", "upgrade_settings": {"max_surge": "2"},
        }}))
        .unwrap_err();
        let err = err.to_string();
        assert!(err.starts_with("default_node_pool.max_surge"), "{err}");
        assert!(!err.contains('"'), "values are not echoed: {err}");
        // The same value twice is one input.
        let p = profile_from_json(&json!({
            "network_plugin": "azure",
            "network_profile": [{"network_plugin": "azure", "pod_cidr": ""}],
        }))
        .unwrap();
        assert_eq!(p.network_plugin.unwrap().value, "azure");
        assert!(p.pod_cidrs.is_empty());
        let err = profile_from_json(&json!({"network_profile": [{}, {}]})).unwrap_err();
        assert!(err.to_string().contains("list of 2"), "{err}");
    }

    /// The azurerm-shaped call of examples/functions/network_profile_errors/function.tf passes.
    #[test]
    fn the_documented_azurerm_example_passes() {
        let e = errors(json!({
            "network_profile": {
                "network_plugin": "azure", "network_plugin_mode": "overlay", "network_policy": "cilium",
                "network_data_plane": "cilium", "pod_cidr": "10.244.0.0/16", "ip_versions": ["IPv4", "IPv6"],
            },
            "default_node_pool": {
                "name": "system", "vm_size": "Standard_D4s_v5", "auto_scaling_enabled": true,
                "min_count": 3, "max_count": 10, "upgrade_settings": {"max_surge": "10%"},
            },
        }));
        assert_eq!(e, Vec::<String>::new());
    }
}
