//! `managedClusters/{cluster}/agentPools/{pool}` (2025-10-01 `AgentPools_CreateOrUpdate`,
//! `_Get`, `_Delete`). A pool is a profile of its cluster — `AgentPool.properties` is
//! `ManagedClusterAgentPoolProfileProperties`, the same fields as an entry of the cluster's
//! `agentPoolProfiles` without the name — so the emulator applies a pool request to its cluster
//! and runs the cluster's own checks (subnet existence and capacity, kubenet routes, IP
//! accounting), then answers as the pool with the cluster's operation.

use serde_json::{json, Map, Value};

use crate::ids::Target;
use crate::wire::{flat, Reply};

/// Properties AKS cannot change on an existing pool (A-pools: "you can't change the VM size of
/// a node pool after you create it"; max pods, OS, subnets and zones are fixed the same way;
/// azurerm marks them ForceNew on `azurerm_kubernetes_cluster_node_pool`).
const FIXED: [&str; 6] = [
    "vmSize",
    "osType",
    "maxPods",
    "vnetSubnetID",
    "podSubnetID",
    "availabilityZones",
];

/// True for an agent pool target.
pub(crate) fn is_agent_pool(target: &Target) -> bool {
    matches!(target, Target::Resource { types, .. }
        if types.len() == 2
            && types[0].eq_ignore_ascii_case("managedClusters")
            && types[1].eq_ignore_ascii_case("agentPools"))
}

fn same_name(p: &Value, name: &str) -> bool {
    p.get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| n.eq_ignore_ascii_case(name))
}

fn profiles(cluster: &Value) -> Vec<Value> {
    cluster
        .pointer("/properties/agentPoolProfiles")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The pool `name` of `cluster` as the agent pool API shows it.
pub(crate) fn render(cluster: &Value, target: &Target) -> Option<Value> {
    let name = target.name();
    let profile = profiles(cluster).into_iter().find(|p| same_name(p, &name))?;
    let mut props = profile.as_object().cloned().unwrap_or_default();
    props.remove("name");
    let state = cluster
        .pointer("/properties/provisioningState")
        .cloned()
        .unwrap_or(json!("Succeeded"));
    props.insert("provisioningState".into(), state);
    Some(json!({
        "id": target.id(),
        "name": profile["name"],
        "type": "Microsoft.ContainerService/managedClusters/agentPools",
        "properties": props,
    }))
}

/// The cluster request that applies a PUT of pool `name` with `body`: the cluster as stored,
/// read-only fields removed, the pool replaced or added. `Err` when AKS refuses the change.
pub(crate) fn cluster_with(cluster: &Value, name: &str, body: &Map<String, Value>) -> Result<Value, Reply> {
    let mut profile = body
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    profile.remove("provisioningState");
    profile.insert("name".into(), json!(name));
    let mut list = profiles(cluster);
    match list.iter_mut().find(|p| same_name(p, name)) {
        Some(old) => {
            for field in FIXED {
                let (a, b) = (old.get(field), profile.get(field));
                // Unset in the request means unchanged; AKS fills defaults (max pods).
                if b.is_some() && a.is_some() && a != b {
                    return Err(flat(
                        400,
                        "PropertyChangeNotAllowed",
                        &format!("Changing property '{field}' is not allowed."),
                        &format!("properties.{field}"),
                    ));
                }
            }
            *old = Value::Object(profile);
        }
        None => list.push(Value::Object(profile)),
    }
    Ok(request_with(cluster, list))
}

/// The cluster request that deletes pool `name`; `Err` for the last System pool (AKS: a
/// cluster needs at least one system node pool, use-system-pools).
pub(crate) fn cluster_without(cluster: &Value, name: &str) -> Result<Value, Reply> {
    let list = profiles(cluster);
    let is_system = |p: &Value| p.get("mode").and_then(Value::as_str) == Some("System");
    let removed = list.iter().find(|p| same_name(p, name));
    if removed.is_some_and(is_system) && list.iter().filter(|p| is_system(p)).count() == 1 {
        // code: not confirmed by a public response body; the rule is AKS's (use-system-pools).
        return Err(flat(
            400,
            "OperationNotAllowed",
            &format!("Agent pool '{name}' is the last system node pool of the cluster and cannot be deleted; a cluster needs at least one system node pool."),
            "",
        ));
    }
    Ok(request_with(
        cluster,
        list.into_iter().filter(|p| !same_name(p, name)).collect(),
    ))
}

fn request_with(cluster: &Value, pools: Vec<Value>) -> Value {
    let mut req = cluster.clone();
    if let Some(o) = req.as_object_mut() {
        for k in ["id", "name", "type", "eTag", "etag"] {
            o.remove(k);
        }
    }
    if let Some(p) = req.get_mut("properties").and_then(Value::as_object_mut) {
        for k in ["provisioningState", "fqdn", "nodeResourceGroup"] {
            p.remove(k);
        }
        p.insert("agentPoolProfiles".into(), Value::Array(pools));
    }
    req
}
