//! Translation between the Terraform state and the managed cluster's ARM JSON. Writes merge
//! into the body last read, so fields aksnet does not manage are sent back unchanged.

use aksnet_tfplugin::value::Value;
use serde_json::{json, Map, Value as Json};

use super::pool::{pool_json, refresh_pool};
use super::schema::{Identity, LoadBalancerProfile, NatGatewayProfile, Num, Pool, State, Str, StrList};

/// Which fields a write carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Only the IPAM migration (plugin, mode, pod CIDR): AKS wants it in a request of its own.
    Ipam,
    /// Everything declared.
    Full,
}

pub fn s(v: &Str) -> Option<&str> {
    v.as_ref_option().map(String::as_str)
}

fn n(v: &Num) -> Option<i64> {
    v.as_ref_option().copied()
}

pub fn strs(v: &StrList) -> Option<Vec<String>> {
    let items = v.as_ref_option()?;
    items.iter().map(|i| i.as_ref_option().cloned()).collect()
}

pub(crate) fn obj<'a>(v: &'a mut Json, key: &str) -> &'a mut Map<String, Json> {
    if !v.get(key).is_some_and(Json::is_object) {
        v[key] = json!({});
    }
    v[key].as_object_mut().expect("just made an object")
}

fn obj_in<'a>(m: &'a mut Map<String, Json>, key: &str) -> &'a mut Map<String, Json> {
    let v = m.entry(key).or_insert_with(|| json!({}));
    if !v.is_object() {
        *v = json!({});
    }
    v.as_object_mut().expect("just made an object")
}

pub(crate) fn set_str(m: &mut Map<String, Json>, key: &str, v: &Str) {
    if let Some(x) = s(v) {
        m.insert(key.into(), json!(x));
    }
}

pub(crate) fn set_num(m: &mut Map<String, Json>, key: &str, v: &Num) {
    if let Some(x) = n(v) {
        m.insert(key.into(), json!(x));
    }
}

/// Fields AKS owns; sending them back is rejected by strict validators.
pub fn strip_read_only(body: &mut Json) {
    if let Some(root) = body.as_object_mut() {
        root.remove("id");
        root.remove("systemData");
    }
    if let Some(p) = body.get_mut("properties").and_then(Json::as_object_mut) {
        for k in [
            "fqdn",
            "azurePortalFQDN",
            "privateFQDN",
            "powerState",
            "maxAgentPools",
            "currentKubernetesVersion",
            "provisioningState",
        ] {
            p.remove(k);
        }
        if let Some(np) = p.get_mut("networkProfile").and_then(Json::as_object_mut) {
            for prof in ["loadBalancerProfile", "natGatewayProfile"] {
                if let Some(pr) = np.get_mut(prof).and_then(Json::as_object_mut) {
                    pr.remove("effectiveOutboundIPs");
                }
            }
        }
        if let Some(pools) = p.get_mut("agentPoolProfiles").and_then(Json::as_array_mut) {
            for pool in pools.iter_mut().filter_map(Json::as_object_mut) {
                for k in [
                    "nodeImageVersion",
                    "currentOrchestratorVersion",
                    "powerState",
                    "provisioningState",
                ] {
                    pool.remove(k);
                }
            }
        }
    }
    if let Some(i) = body.get_mut("identity").and_then(Json::as_object_mut) {
        i.remove("principalId");
        i.remove("tenantId");
    }
}

fn pools(state: &State) -> Vec<(&Pool, bool)> {
    let mut out: Vec<(&Pool, bool)> = state
        .default_node_pool
        .as_ref_option()
        .map(|p| (p, true))
        .into_iter()
        .collect();
    if let Some(list) = state.node_pool.as_ref_option() {
        out.extend(list.iter().filter_map(|p| p.as_ref_option()).map(|p| (p, false)));
    }
    out
}

fn first_and_all(single: &Str, plural: &StrList) -> (Option<String>, Option<Vec<String>>) {
    let all = strs(plural).filter(|v| !v.is_empty());
    let first = s(single)
        .map(str::to_string)
        .or_else(|| all.as_ref().and_then(|a| a.first().cloned()));
    (first, all)
}

/// The network profile as declared, merged into `np`.
fn network_profile(np: &mut Json, state: &State, stage: Stage) {
    let m = np.as_object_mut().expect("network profile object");
    set_str(m, "networkPlugin", &state.network_plugin);
    set_str(m, "networkPluginMode", &state.network_plugin_mode);
    if s(&state.network_plugin_mode).is_none() && state.network_plugin_mode.is_null() {
        m.remove("networkPluginMode");
    }
    let (pod, pods) = first_and_all(&state.pod_cidr, &state.pod_cidrs);
    if let Some(p) = pod {
        m.insert("podCidr".into(), json!(p));
    }
    if let Some(p) = pods.filter(|p| p.len() > 1) {
        m.insert("podCidrs".into(), json!(p));
    }
    if stage == Stage::Ipam {
        return;
    }
    set_str(m, "networkPolicy", &state.network_policy);
    set_str(m, "networkDataplane", &state.network_data_plane);
    let (svc, svcs) = first_and_all(&state.service_cidr, &state.service_cidrs);
    if let Some(v) = svc {
        m.insert("serviceCidr".into(), json!(v));
    }
    if let Some(v) = svcs.filter(|v| v.len() > 1) {
        m.insert("serviceCidrs".into(), json!(v));
    }
    set_str(m, "dnsServiceIP", &state.dns_service_ip);
    if let Some(f) = strs(&state.ip_families).filter(|f| !f.is_empty()) {
        m.insert("ipFamilies".into(), json!(f));
    }
    set_str(m, "outboundType", &state.outbound_type);
    set_str(m, "loadBalancerSku", &state.load_balancer_sku);
    let outbound = s(&state.outbound_type).unwrap_or("loadBalancer");
    if outbound != "loadBalancer" {
        m.remove("loadBalancerProfile");
    } else if let Some(lb) = state.load_balancer_profile.as_ref_option() {
        load_balancer_profile(np, lb);
    }
    let m = np.as_object_mut().expect("network profile object");
    if outbound != "managedNATGateway" {
        m.remove("natGatewayProfile");
    } else if let Some(nat) = state.nat_gateway_profile.as_ref_option() {
        let p = obj(np, "natGatewayProfile");
        set_num(p, "idleTimeoutInMinutes", &nat.idle_timeout_in_minutes);
        if let Some(c) = n(&nat.managed_outbound_ip_count) {
            p.insert("managedOutboundIPProfile".into(), json!({"count": c}));
        }
    }
}

fn load_balancer_profile(np: &mut Json, lb: &LoadBalancerProfile) {
    let p = obj(np, "loadBalancerProfile");
    set_num(p, "allocatedOutboundPorts", &lb.outbound_ports_allocated);
    set_num(p, "idleTimeoutInMinutes", &lb.idle_timeout_in_minutes);
    let ids = |v: &StrList| {
        strs(v)
            .filter(|v| !v.is_empty())
            .map(|v| v.into_iter().map(|id| json!({"id": id})).collect::<Vec<_>>())
    };
    if let Some(ips) = ids(&lb.outbound_ip_address_ids) {
        p.remove("managedOutboundIPs");
        p.remove("outboundIPPrefixes");
        p.insert("outboundIPs".into(), json!({"publicIPs": ips}));
    } else if let Some(prefixes) = ids(&lb.outbound_ip_prefix_ids) {
        p.remove("managedOutboundIPs");
        p.remove("outboundIPs");
        p.insert("outboundIPPrefixes".into(), json!({"publicIPPrefixes": prefixes}));
    } else if n(&lb.managed_outbound_ip_count).is_some() || n(&lb.managed_outbound_ipv6_count).is_some() {
        p.remove("outboundIPs");
        p.remove("outboundIPPrefixes");
        let mut managed = Map::new();
        set_num(&mut managed, "count", &lb.managed_outbound_ip_count);
        set_num(&mut managed, "countIPv6", &lb.managed_outbound_ipv6_count);
        p.insert("managedOutboundIPs".into(), Json::Object(managed));
    }
}

/// The cluster body for `state`, merged into `existing` (the last GET) when there is one.
pub fn desired(state: &State, existing: Option<&Json>, stage: Stage) -> Json {
    let mut body = existing.cloned().unwrap_or_else(|| json!({}));
    strip_read_only(&mut body);
    let root = body.as_object_mut().expect("cluster object");
    set_str(root, "location", &state.location);
    if stage == Stage::Full {
        if let Some(tags) = state.tags.as_ref_option() {
            let t: Map<String, Json> = tags
                .iter()
                .filter_map(|(k, v)| s(v).map(|v| (k.clone(), json!(v))))
                .collect();
            root.insert("tags".into(), Json::Object(t));
        } else if state.tags.is_null() {
            root.remove("tags");
        }
        if let Some(tier) = s(&state.sku_tier) {
            root.insert("sku".into(), json!({"name": "Base", "tier": tier}));
        }
        root.insert("identity".into(), identity(state.identity.as_ref_option()));
    }
    let props = obj(&mut body, "properties");
    if stage == Stage::Full {
        set_str(props, "kubernetesVersion", &state.kubernetes_version);
        set_str(props, "dnsPrefix", &state.dns_prefix);
        let old: Vec<Json> = props
            .get("agentPoolProfiles")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        let find = |name: Option<&str>| {
            old.iter().find(|p| {
                p["name"]
                    .as_str()
                    .zip(name)
                    .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
            })
        };
        let mut list: Vec<Json> = pools(state)
            .into_iter()
            .map(|(p, system)| pool_json(find(s(&p.name)), p, system))
            .collect();
        // Pools added out of band stay: this resource never deletes what it does not declare.
        for p in &old {
            let name = p["name"].as_str();
            if !pools(state).iter().any(|(q, _)| {
                s(&q.name)
                    .zip(name)
                    .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
            }) {
                list.push(p.clone());
            }
        }
        props.insert("agentPoolProfiles".into(), Json::Array(list));
        // SPEC 2025-10-01 `ManagedClusterBootstrapProfile` (artifactSource Cache|Direct,
        // default Direct; containerRegistryId); `az aks update --bootstrap-artifact-source`
        // changes it on an existing cluster (Learn, network-isolated: "Update an existing AKS
        // cluster").
        if let Some(source) = s(&state.bootstrap_artifact_source) {
            let bp = obj_in(props, "bootstrapProfile");
            bp.insert("artifactSource".into(), json!(source));
            match s(&state.bootstrap_container_registry_id) {
                Some(acr) => {
                    bp.insert("containerRegistryId".into(), json!(acr));
                }
                None if state.bootstrap_container_registry_id.is_null() => {
                    bp.remove("containerRegistryId");
                }
                None => {}
            }
        }
    }
    let props = body["properties"].as_object_mut().expect("properties");
    let np = props.entry("networkProfile").or_insert_with(|| json!({}));
    network_profile(np, state, stage);
    body
}

/// The ARM `identity` of a cluster: no block is AKS's default, a system-assigned identity.
pub(super) fn identity(i: Option<&Identity>) -> Json {
    match i.and_then(|i| s(&i.kind).map(|k| (k, strs(&i.identity_ids).unwrap_or_default()))) {
        Some((kind, ids)) if kind == "UserAssigned" => {
            let map: Map<String, Json> = ids.into_iter().map(|id| (id, json!({}))).collect();
            json!({"type": kind, "userAssignedIdentities": map})
        }
        Some((kind, _)) => json!({"type": kind}),
        None => json!({"type": "SystemAssigned"}),
    }
}

pub(crate) fn text(v: &Json) -> Str {
    v.as_str().map_or(Value::Null, |s| Value::Value(s.to_string()))
}

pub(crate) fn num(v: &Json) -> Num {
    v.as_i64().map_or(Value::Null, Value::Value)
}

pub(crate) fn list(items: impl IntoIterator<Item = String>) -> StrList {
    Value::Value(items.into_iter().map(Value::Value).collect())
}

pub(crate) fn json_strs(v: &Json) -> Option<Vec<String>> {
    v.as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
}

/// Keeps `prior` unless ARM reports a different value (an unset field keeps the
/// user's null, so optional attributes never show phantom drift).
pub(crate) fn drift<T: Clone>(prior: &Value<T>, arm: Value<T>, importing: bool) -> Value<T> {
    match arm {
        Value::Value(_) if importing || !prior.is_null() => arm,
        _ if importing || prior.is_unknown() => Value::Null,
        _ => prior.clone(),
    }
}

fn ids_of(v: &Json, key: &str) -> Option<Vec<String>> {
    v[key].as_array().map(|a| {
        a.iter()
            .filter_map(|x| x["id"].as_str().map(str::to_string))
            .collect()
    })
}

/// Updates `state` from the cluster ARM returned. `importing` fills what the user has
/// not declared yet.
pub fn refresh(state: &mut State, arm: &Json, importing: bool) {
    let props = &arm["properties"];
    let np = &props["networkProfile"];
    state.id = text(&arm["id"]).or(state.id.clone());
    if importing {
        state.location = text(&arm["location"]);
    }
    state.dns_prefix = text(&props["dnsPrefix"]).or(state.dns_prefix.clone());
    state.kubernetes_version = text(&props["kubernetesVersion"]);
    state.sku_tier = text(&arm["sku"]["tier"]).or(Value::Value("Free".into()));
    state.tags = match arm["tags"].as_object() {
        Some(t) if !t.is_empty() || !state.tags.is_null() => {
            Value::Value(t.iter().map(|(k, v)| (k.clone(), text(v))).collect())
        }
        _ if state.tags.is_null() || importing => Value::Null,
        _ => Value::Value(Default::default()),
    };
    state.network_plugin = text(&np["networkPlugin"]);
    state.network_plugin_mode = text(&np["networkPluginMode"]);
    state.network_policy = text(&np["networkPolicy"]).or(Value::Value("none".into()));
    state.network_data_plane = text(&np["networkDataplane"]).or(Value::Value("azure".into()));
    let pods = json_strs(&np["podCidrs"])
        .filter(|p| !p.is_empty())
        .or_else(|| np["podCidr"].as_str().map(|p| vec![p.to_string()]))
        .unwrap_or_default();
    if pods.is_empty() && state.network_plugin.as_ref_option().map(String::as_str) == Some("none") {
        // At the pinned 2025-10-01 AKS neither stores nor returns podCidr for `none` (AKS
        // changelog 2026-01-04: "Starting with API version 2026-01-01, AKS returns podCIDR and
        // podCIDRs fields when networkPlugin=none"; Azure/AKS#5399): keep what the
        // configuration asked for, so its absence is never drift or a replacement.
        state.pod_cidr = drift(&state.pod_cidr, Value::Null, importing);
        state.pod_cidrs = drift(&state.pod_cidrs, Value::Null, importing);
    } else {
        state.pod_cidr = pods.first().map_or(Value::Null, |p| Value::Value(p.clone()));
        state.pod_cidrs = list(pods);
    }
    let svcs = json_strs(&np["serviceCidrs"])
        .filter(|p| !p.is_empty())
        .or_else(|| np["serviceCidr"].as_str().map(|p| vec![p.to_string()]))
        .unwrap_or_default();
    state.service_cidr = svcs.first().map_or(Value::Null, |p| Value::Value(p.clone()));
    state.service_cidrs = list(svcs);
    state.dns_service_ip = text(&np["dnsServiceIP"]);
    state.ip_families = list(
        json_strs(&np["ipFamilies"])
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| vec!["IPv4".into()]),
    );
    state.outbound_type = text(&np["outboundType"]).or(Value::Value("loadBalancer".into()));
    state.load_balancer_sku = text(&np["loadBalancerSku"]).or(Value::Value("standard".into()));
    let bp = &props["bootstrapProfile"];
    state.bootstrap_artifact_source = text(&bp["artifactSource"]).or(Value::Value("Direct".into()));
    state.bootstrap_container_registry_id = text(&bp["containerRegistryId"]);
    state.fqdn = text(&props["fqdn"]);
    state.node_resource_group = text(&props["nodeResourceGroup"]);
    let lbp = &np["loadBalancerProfile"];
    let natp = &np["natGatewayProfile"];
    state.effective_outbound_ips = list(
        ids_of(lbp, "effectiveOutboundIPs")
            .or_else(|| ids_of(natp, "effectiveOutboundIPs"))
            .unwrap_or_default(),
    );
    state.load_balancer_profile = match state.load_balancer_profile.as_ref_option() {
        Some(p) => Value::Value(LoadBalancerProfile {
            managed_outbound_ip_count: drift(
                &p.managed_outbound_ip_count,
                num(&lbp["managedOutboundIPs"]["count"]),
                false,
            ),
            managed_outbound_ipv6_count: drift(
                &p.managed_outbound_ipv6_count,
                num(&lbp["managedOutboundIPs"]["countIPv6"]),
                false,
            ),
            outbound_ip_address_ids: drift(
                &p.outbound_ip_address_ids,
                ids_of(&lbp["outboundIPs"], "publicIPs").map_or(Value::Null, list),
                false,
            ),
            outbound_ip_prefix_ids: drift(
                &p.outbound_ip_prefix_ids,
                ids_of(&lbp["outboundIPPrefixes"], "publicIPPrefixes").map_or(Value::Null, list),
                false,
            ),
            outbound_ports_allocated: drift(
                &p.outbound_ports_allocated,
                num(&lbp["allocatedOutboundPorts"]),
                false,
            ),
            idle_timeout_in_minutes: drift(
                &p.idle_timeout_in_minutes,
                num(&lbp["idleTimeoutInMinutes"]),
                false,
            ),
        }),
        None => Value::Null,
    };
    state.nat_gateway_profile = match state.nat_gateway_profile.as_ref_option() {
        Some(p) => Value::Value(NatGatewayProfile {
            managed_outbound_ip_count: drift(
                &p.managed_outbound_ip_count,
                num(&natp["managedOutboundIPProfile"]["count"]),
                false,
            ),
            idle_timeout_in_minutes: drift(
                &p.idle_timeout_in_minutes,
                num(&natp["idleTimeoutInMinutes"]),
                false,
            ),
        }),
        None => Value::Null,
    };
    let kind = arm["identity"]["type"].as_str();
    if importing || !state.identity.is_null() {
        state.identity = match kind {
            Some(k) => Value::Value(Identity {
                kind: Value::Value(k.to_string()),
                identity_ids: match arm["identity"]["userAssignedIdentities"].as_object() {
                    Some(m) if !m.is_empty() => list(m.keys().cloned()),
                    _ => Value::Null,
                },
            }),
            None => Value::Null,
        };
    }
    refresh_pools(
        state,
        props["agentPoolProfiles"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default(),
        importing,
    );
}

fn refresh_pools(state: &mut State, arm: &[Json], importing: bool) {
    let by_name = |name: Option<&str>| {
        arm.iter().find(|p| {
            p["name"]
                .as_str()
                .zip(name)
                .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
        })
    };
    if importing || state.default_node_pool.is_null() {
        let system = arm.iter().find(|p| p["mode"] == "System").or(arm.first());
        state.default_node_pool = system.map_or(Value::Null, |p| Value::Value(refresh_pool(None, p, true)));
        // The other pools stay out of state: import cannot tell the pools the configuration
        // declares from those another module owns, and a pool in state that the configuration
        // does not declare would be planned for deletion. The resource records them in its
        // private state (`imported_pools`) and the first plan adopts the declared ones.
        state.node_pool = Value::Null;
        return;
    }
    if let Some(prior) = state.default_node_pool.as_ref_option().cloned() {
        if let Some(p) = by_name(s(&prior.name)) {
            state.default_node_pool = Value::Value(refresh_pool(Some(&prior), p, false));
        }
    }
    if let Some(list) = state.node_pool.as_ref_option().cloned() {
        // Pools gone from Azure drop out of state, so the next plan shows them missing.
        let kept: Vec<Value<Pool>> = list
            .iter()
            .filter_map(|p| p.as_ref_option())
            .filter_map(|prior| {
                by_name(s(&prior.name)).map(|p| Value::Value(refresh_pool(Some(prior), p, false)))
            })
            .collect();
        state.node_pool = Value::Value(kept);
    }
}
