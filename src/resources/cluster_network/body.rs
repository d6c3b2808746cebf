//! Translation between the Terraform state and the managed cluster's ARM model
//! ([`ManagedCluster`]). Writes merge into the body last read, so fields aksnet does not
//! manage (kept in the models' `extra` maps) are sent back unchanged.

use aksnet_tfplugin::value::Value;

use crate::arm::models::{
    AgentPoolProfile, BootstrapProfile, ManagedCluster, ManagedClusterIdentity, ManagedClusterSku,
    ManagedOutboundIpProfile, ManagedOutboundIps, NetworkProfile, OutboundIpPrefixes, OutboundIps,
    SubResource, UserAssignedIdentity,
};

use super::pool::{pool_profile, refresh_pool};
use super::schema::{
    pool_list, Identity, LoadBalancerProfile, NatGatewayProfile, Num, Pool, State, Str, StrList,
};

/// Which fields a write carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Only the IPAM migration (plugin, mode, pod CIDR): AKS wants it in a request of its own.
    Ipam,
    /// Everything declared.
    Full,
}

pub(crate) fn s(v: &Str) -> Option<&str> {
    v.as_ref_option().map(String::as_str)
}

fn n(v: &Num) -> Option<i64> {
    v.as_ref_option().copied()
}

pub(crate) fn strs(v: &StrList) -> Option<Vec<String>> {
    let items = v.as_ref_option()?;
    items.iter().map(|i| i.as_ref_option().cloned()).collect()
}

/// Sets `field` to the configured string; unset or unknown leaves it as it is.
pub(crate) fn set_str(field: &mut Option<String>, v: &Str) {
    if let Some(x) = s(v) {
        *field = Some(x.to_string());
    }
}

/// Sets `field` to the configured number; unset or unknown leaves it as it is.
pub(crate) fn set_num(field: &mut Option<i64>, v: &Num) {
    if let Some(x) = n(v) {
        *field = Some(x);
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
fn network_profile(np: &mut NetworkProfile, state: &State, stage: Stage) {
    set_str(&mut np.network_plugin, &state.network_plugin);
    set_str(&mut np.network_plugin_mode, &state.network_plugin_mode);
    if s(&state.network_plugin_mode).is_none() && state.network_plugin_mode.is_null() {
        np.network_plugin_mode = None;
    }
    let (pod, pods) = first_and_all(&state.pod_cidr, &state.pod_cidrs);
    if let Some(p) = pod {
        np.pod_cidr = Some(p);
    }
    if let Some(p) = pods.filter(|p| p.len() > 1) {
        np.pod_cidrs = Some(p);
    }
    if stage == Stage::Ipam {
        return;
    }
    set_str(&mut np.network_policy, &state.network_policy);
    set_str(&mut np.network_dataplane, &state.network_data_plane);
    let (svc, svcs) = first_and_all(&state.service_cidr, &state.service_cidrs);
    if let Some(v) = svc {
        np.service_cidr = Some(v);
    }
    if let Some(v) = svcs.filter(|v| v.len() > 1) {
        np.service_cidrs = Some(v);
    }
    set_str(&mut np.dns_service_ip, &state.dns_service_ip);
    if let Some(f) = strs(&state.ip_families).filter(|f| !f.is_empty()) {
        np.ip_families = Some(f);
    }
    set_str(&mut np.outbound_type, &state.outbound_type);
    set_str(&mut np.load_balancer_sku, &state.load_balancer_sku);
    let outbound = s(&state.outbound_type).unwrap_or("loadBalancer");
    if outbound != "loadBalancer" {
        np.load_balancer_profile = None;
    } else if let Some(lb) = state.load_balancer_profile.as_ref_option() {
        load_balancer_profile(np.load_balancer_profile.get_or_insert_with(Default::default), lb);
    }
    if outbound != "managedNATGateway" {
        np.nat_gateway_profile = None;
    } else if let Some(nat) = state.nat_gateway_profile.as_ref_option() {
        let p = np.nat_gateway_profile.get_or_insert_with(Default::default);
        set_num(&mut p.idle_timeout_in_minutes, &nat.idle_timeout_in_minutes);
        if let Some(c) = n(&nat.managed_outbound_ip_count) {
            p.managed_outbound_ip_profile = Some(ManagedOutboundIpProfile {
                count: Some(c),
                ..Default::default()
            });
        }
    }
}

fn load_balancer_profile(p: &mut crate::arm::models::LoadBalancerProfile, lb: &LoadBalancerProfile) {
    set_num(&mut p.allocated_outbound_ports, &lb.outbound_ports_allocated);
    set_num(&mut p.idle_timeout_in_minutes, &lb.idle_timeout_in_minutes);
    let ids = |v: &StrList| {
        strs(v).filter(|v| !v.is_empty()).map(|v| {
            v.into_iter()
                .map(|id| SubResource {
                    id,
                    ..Default::default()
                })
                .collect::<Vec<_>>()
        })
    };
    if let Some(ips) = ids(&lb.outbound_ip_address_ids) {
        p.managed_outbound_ips = None;
        p.outbound_ip_prefixes = None;
        p.outbound_ips = Some(OutboundIps {
            public_ips: Some(ips),
            ..Default::default()
        });
    } else if let Some(prefixes) = ids(&lb.outbound_ip_prefix_ids) {
        p.managed_outbound_ips = None;
        p.outbound_ips = None;
        p.outbound_ip_prefixes = Some(OutboundIpPrefixes {
            public_ip_prefixes: Some(prefixes),
            ..Default::default()
        });
    } else if n(&lb.managed_outbound_ip_count).is_some() || n(&lb.managed_outbound_ipv6_count).is_some() {
        p.outbound_ips = None;
        p.outbound_ip_prefixes = None;
        p.managed_outbound_ips = Some(ManagedOutboundIps {
            count: n(&lb.managed_outbound_ip_count),
            count_ipv6: n(&lb.managed_outbound_ipv6_count),
            ..Default::default()
        });
    }
}

/// The cluster body for `state`, merged into `existing` (the last GET) when there is one.
pub(crate) fn desired(state: &State, existing: Option<&ManagedCluster>, stage: Stage) -> ManagedCluster {
    let mut body = existing.cloned().unwrap_or_default().without_read_only();
    set_str(&mut body.location, &state.location);
    if stage == Stage::Full {
        if let Some(tags) = state.tags.as_ref_option() {
            body.tags = Some(
                tags.iter()
                    .filter_map(|(k, v)| s(v).map(|v| (k.clone(), v.to_string())))
                    .collect(),
            );
        } else if state.tags.is_null() {
            body.tags = None;
        }
        if let Some(tier) = s(&state.sku_tier) {
            body.sku = Some(ManagedClusterSku {
                name: Some("Base".into()),
                tier: Some(tier.to_string()),
                ..Default::default()
            });
        }
        body.identity = Some(identity(state.identity.as_ref_option()));
    }
    let props = &mut body.properties;
    if stage == Stage::Full {
        set_str(&mut props.kubernetes_version, &state.kubernetes_version);
        set_str(&mut props.dns_prefix, &state.dns_prefix);
        let old = std::mem::take(&mut props.agent_pool_profiles);
        let find = |name: Option<&str>| {
            old.iter()
                .find(|p| name.is_some_and(|n| p.name.eq_ignore_ascii_case(n)))
        };
        let declared = pools(state);
        let mut list: Vec<_> = declared
            .iter()
            .map(|(p, system)| pool_profile(find(s(&p.name)), p, *system))
            .collect();
        // Pools added out of band stay: this resource never deletes what it does not declare.
        list.extend(
            old.iter()
                .filter(|p| {
                    !declared
                        .iter()
                        .any(|(q, _)| s(&q.name).is_some_and(|n| n.eq_ignore_ascii_case(&p.name)))
                })
                .cloned(),
        );
        props.agent_pool_profiles = list;
        // SPEC 2025-10-01 `ManagedClusterBootstrapProfile` (artifactSource Cache|Direct,
        // default Direct; containerRegistryId); `az aks update --bootstrap-artifact-source`
        // changes it on an existing cluster (Learn, network-isolated: "Update an existing AKS
        // cluster").
        if let Some(source) = s(&state.bootstrap_artifact_source) {
            let bp = props
                .bootstrap_profile
                .get_or_insert_with(BootstrapProfile::default);
            bp.artifact_source = Some(source.to_string());
            match s(&state.bootstrap_container_registry_id) {
                Some(acr) => bp.container_registry_id = Some(acr.to_string()),
                None if state.bootstrap_container_registry_id.is_null() => bp.container_registry_id = None,
                None => {}
            }
        }
    }
    network_profile(&mut props.network_profile, state, stage);
    body
}

/// The ARM `identity` of a cluster: no block is AKS's default, a system-assigned identity.
pub(super) fn identity(i: Option<&Identity>) -> ManagedClusterIdentity {
    let kind = |k: &str| ManagedClusterIdentity {
        kind: Some(k.to_string()),
        ..Default::default()
    };
    match i.and_then(|i| s(&i.kind).map(|k| (k, strs(&i.identity_ids).unwrap_or_default()))) {
        Some((k, ids)) if k == "UserAssigned" => ManagedClusterIdentity {
            user_assigned_identities: Some(
                ids.into_iter()
                    .map(|id| (id, UserAssignedIdentity::default()))
                    .collect(),
            ),
            ..kind(k)
        },
        Some((k, _)) => kind(k),
        None => kind("SystemAssigned"),
    }
}

/// A string ARM returned, as a Terraform value (absent is null).
pub(crate) fn text(v: Option<&String>) -> Str {
    v.map_or(Value::Null, |s| Value::Value(s.clone()))
}

/// A number ARM returned, as a Terraform value (absent is null).
pub(crate) fn num(v: Option<i64>) -> Num {
    v.map_or(Value::Null, Value::Value)
}

pub(crate) fn list(items: impl IntoIterator<Item = String>) -> StrList {
    Value::Value(items.into_iter().map(Value::Value).collect())
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

fn ids_of(v: Option<&Vec<SubResource>>) -> Option<Vec<String>> {
    v.map(|a| a.iter().map(|x| x.id.clone()).collect())
}

/// A list ARM returned in its plural field, or else its single one (`podCidrs`/`podCidr`).
fn plural(all: Option<&Vec<String>>, single: Option<&String>) -> Vec<String> {
    all.filter(|p| !p.is_empty())
        .cloned()
        .or_else(|| single.map(|p| vec![p.clone()]))
        .unwrap_or_default()
}

/// Updates `state` from the cluster ARM returned. `importing` fills what the user has
/// not declared yet.
pub(crate) fn refresh(state: &mut State, arm: &ManagedCluster, importing: bool) {
    let props = &arm.properties;
    let np = &props.network_profile;
    state.id = text(arm.id.as_ref()).or(state.id.clone());
    if importing {
        state.location = text(arm.location.as_ref());
    }
    state.dns_prefix = text(props.dns_prefix.as_ref()).or(state.dns_prefix.clone());
    state.kubernetes_version = text(props.kubernetes_version.as_ref());
    state.sku_tier = text(arm.sku.as_ref().and_then(|s| s.tier.as_ref())).or(Value::Value("Free".into()));
    state.tags = match &arm.tags {
        Some(t) if !t.is_empty() || !state.tags.is_null() => Value::Value(
            t.iter()
                .map(|(k, v)| (k.clone(), Value::Value(v.clone())))
                .collect(),
        ),
        _ if state.tags.is_null() || importing => Value::Null,
        _ => Value::Value(Default::default()),
    };
    state.network_plugin = text(np.network_plugin.as_ref());
    state.network_plugin_mode = text(np.network_plugin_mode.as_ref());
    state.network_policy = text(np.network_policy.as_ref()).or(Value::Value("none".into()));
    state.network_data_plane = text(np.network_dataplane.as_ref()).or(Value::Value("azure".into()));
    let pods = plural(np.pod_cidrs.as_ref(), np.pod_cidr.as_ref());
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
    let svcs = plural(np.service_cidrs.as_ref(), np.service_cidr.as_ref());
    state.service_cidr = svcs.first().map_or(Value::Null, |p| Value::Value(p.clone()));
    state.service_cidrs = list(svcs);
    state.dns_service_ip = text(np.dns_service_ip.as_ref());
    state.ip_families = list(
        np.ip_families
            .clone()
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| vec!["IPv4".into()]),
    );
    state.outbound_type = text(np.outbound_type.as_ref()).or(Value::Value("loadBalancer".into()));
    state.load_balancer_sku = text(np.load_balancer_sku.as_ref()).or(Value::Value("standard".into()));
    let bp = props.bootstrap_profile.as_ref();
    state.bootstrap_artifact_source =
        text(bp.and_then(|b| b.artifact_source.as_ref())).or(Value::Value("Direct".into()));
    state.bootstrap_container_registry_id = text(bp.and_then(|b| b.container_registry_id.as_ref()));
    state.fqdn = text(props.fqdn.as_ref());
    state.node_resource_group = text(props.node_resource_group.as_ref());
    let lbp = np.load_balancer_profile.clone().unwrap_or_default();
    let natp = np.nat_gateway_profile.clone().unwrap_or_default();
    state.effective_outbound_ips = list(
        ids_of(lbp.effective_outbound_ips.as_ref())
            .or_else(|| ids_of(natp.effective_outbound_ips.as_ref()))
            .unwrap_or_default(),
    );
    let managed = lbp.managed_outbound_ips.clone().unwrap_or_default();
    state.load_balancer_profile = match state.load_balancer_profile.as_ref_option() {
        Some(p) => Value::Value(LoadBalancerProfile {
            managed_outbound_ip_count: drift(&p.managed_outbound_ip_count, num(managed.count), false),
            managed_outbound_ipv6_count: drift(
                &p.managed_outbound_ipv6_count,
                num(managed.count_ipv6),
                false,
            ),
            outbound_ip_address_ids: drift(
                &p.outbound_ip_address_ids,
                ids_of(lbp.outbound_ips.as_ref().and_then(|o| o.public_ips.as_ref()))
                    .map_or(Value::Null, list),
                false,
            ),
            outbound_ip_prefix_ids: drift(
                &p.outbound_ip_prefix_ids,
                ids_of(
                    lbp.outbound_ip_prefixes
                        .as_ref()
                        .and_then(|o| o.public_ip_prefixes.as_ref()),
                )
                .map_or(Value::Null, list),
                false,
            ),
            outbound_ports_allocated: drift(
                &p.outbound_ports_allocated,
                num(lbp.allocated_outbound_ports),
                false,
            ),
            idle_timeout_in_minutes: drift(
                &p.idle_timeout_in_minutes,
                num(lbp.idle_timeout_in_minutes),
                false,
            ),
        }),
        None => Value::Null,
    };
    state.nat_gateway_profile = match state.nat_gateway_profile.as_ref_option() {
        Some(p) => Value::Value(NatGatewayProfile {
            managed_outbound_ip_count: drift(
                &p.managed_outbound_ip_count,
                num(natp.managed_outbound_ip_profile.as_ref().and_then(|m| m.count)),
                false,
            ),
            idle_timeout_in_minutes: drift(
                &p.idle_timeout_in_minutes,
                num(natp.idle_timeout_in_minutes),
                false,
            ),
        }),
        None => Value::Null,
    };
    let identity = arm.identity.as_ref();
    if importing || !state.identity.is_null() {
        state.identity = match identity.and_then(|i| i.kind.as_ref()) {
            Some(k) => Value::Value(Identity {
                kind: Value::Value(k.clone()),
                identity_ids: match identity.and_then(|i| i.user_assigned_identities.as_ref()) {
                    Some(m) if !m.is_empty() => list(m.keys().cloned()),
                    _ => Value::Null,
                },
            }),
            None => Value::Null,
        };
    }
    refresh_pools(state, &props.agent_pool_profiles, importing);
}

fn refresh_pools(state: &mut State, arm: &[AgentPoolProfile], importing: bool) {
    let by_name = |name: Option<&str>| {
        arm.iter()
            .find(|p| name.is_some_and(|n| p.name.eq_ignore_ascii_case(n)))
    };
    if importing || state.default_node_pool.is_null() {
        let system = arm
            .iter()
            .find(|p| p.properties.mode.as_deref() == Some("System"))
            .or(arm.first());
        state.default_node_pool = system.map_or(Value::Null, |p| Value::Value(refresh_pool(None, p, true)));
        // Every other pool goes into state too, so a configuration that declares them (or the
        // one `-generate-config-out` writes) plans no change. Import cannot tell them from
        // pools another module owns: the resource names them in its private state
        // (`imported_pools`), and the first plan drops the undeclared ones from state without
        // a request (foreign), never deleting them.
        let system_name = system.map(|p| p.name.as_str());
        let others: Vec<Value<Pool>> = arm
            .iter()
            .filter(|p| Some(p.name.as_str()) != system_name)
            .map(|p| Value::Value(refresh_pool(None, p, true)))
            .collect();
        state.node_pool = pool_list(others);
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
