//! Plan-time translation: Terraform state to netplan's inputs (profile, cluster spec,
//! migration view), unknown attributes, and what forces a pool or the cluster to be replaced.

use std::collections::BTreeSet;

use aksnet_tfplugin::value::Value;

use crate::arm::ids::{Kind, ResourceId};
use crate::netplan::cluster::{
    o4_outbound_none, validate_cluster, ClusterSpec, IdentitySpec, Input, LoadBalancerSpec, NatGatewaySpec,
    PoolSpec,
};
use crate::netplan::migration::ClusterNetwork as Net;
use crate::netplan::profile::{Lifecycle, Located};
use crate::netplan::rotation::w1_temporary_name;
use crate::netplan::rules::validate_profile;
use crate::netplan::{FieldPath, Finding, NetworkProfile};
use crate::tfvalue::{input, null_if_unknown};

use super::body::{s, strs};
use super::live::{pool_path, Live, SubnetFacts};
use super::pool::netplan_pool;
use super::schema::{with_pool_computed, Num, Pool, State, Str, StrList};

pub(super) fn id_of(state: &State, subscription: &str) -> Option<ResourceId> {
    Some(ResourceId::new(
        Kind::ManagedCluster,
        subscription,
        s(&state.resource_group_name)?,
        &[s(&state.name)?],
    ))
}

/// The ID of the cluster's agent pool `name`.
pub(crate) fn agent_pool_id(cluster: &ResourceId, name: &str) -> ResourceId {
    ResourceId::new(
        Kind::AgentPool,
        &cluster.subscription_id,
        &cluster.resource_group,
        &[cluster.name(), name],
    )
}

pub(super) fn pools(state: &State) -> Vec<(FieldPath, &Pool)> {
    let mut out: Vec<(FieldPath, &Pool)> = state
        .default_node_pool
        .as_ref_option()
        .map(|p| (FieldPath::attr("default_node_pool"), p))
        .into_iter()
        .collect();
    if let Some(list) = state.node_pool.as_ref_option() {
        for (i, p) in list.iter().enumerate() {
            if let Some(p) = p.as_ref_option() {
                out.push((FieldPath::attr("node_pool").index(i), p));
            }
        }
    }
    out
}

/// A count netplan can use; negative values are left to the range check that reports them.
pub(crate) fn u32_of(v: &Num) -> Option<u32> {
    v.as_ref_option().and_then(|n| u32::try_from(*n).ok())
}

pub(super) fn located(v: &Str, path: FieldPath) -> Option<Located<String>> {
    v.as_ref_option().map(|s| Located::new(s.clone(), path))
}

pub(super) fn located_list(v: &StrList, attr: &'static str) -> Vec<Located<String>> {
    v.as_ref_option()
        .map(|items| {
            items
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    s.as_ref_option()
                        .map(|s| Located::new(s.clone(), FieldPath::attr(attr).index(i)))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The netplan profile of `cfg` (planned values) plus what Azure says about its subnets.
/// `config` decides which of a single/list pair findings point at.
pub(crate) fn profile(cfg: &State, config: &State, live: &Live) -> NetworkProfile {
    let cidrs = |single: &Str, plural: &StrList, one: &'static str, many: &'static str| {
        let list_declared = match one {
            "pod_cidr" => config.pod_cidrs.is_value(),
            _ => config.service_cidrs.is_value(),
        };
        if list_declared || (plural.is_value() && single.is_null()) {
            located_list(plural, many)
        } else {
            located(single, FieldPath::attr(one)).into_iter().collect()
        }
    };
    let subnet = |f: &Option<SubnetFacts>, attr: &'static str| {
        f.as_ref()
            .and_then(|f| f.prefix.clone())
            .map(|p| Located::new(p, pool_path(attr)))
    };
    let space = |items: &[String]| {
        items
            .iter()
            .map(|c| Located::new(c.clone(), pool_path("vnet_subnet_id")))
            .collect()
    };
    NetworkProfile {
        network_plugin: located(&cfg.network_plugin, FieldPath::attr("network_plugin")),
        network_plugin_mode: located(&cfg.network_plugin_mode, FieldPath::attr("network_plugin_mode")),
        network_policy: located(&cfg.network_policy, FieldPath::attr("network_policy")),
        network_data_plane: located(&cfg.network_data_plane, FieldPath::attr("network_data_plane")),
        pod_cidrs: cidrs(&cfg.pod_cidr, &cfg.pod_cidrs, "pod_cidr", "pod_cidrs"),
        service_cidrs: cidrs(
            &cfg.service_cidr,
            &cfg.service_cidrs,
            "service_cidr",
            "service_cidrs",
        ),
        dns_service_ip: located(&cfg.dns_service_ip, FieldPath::attr("dns_service_ip")),
        ip_families: located_list(&cfg.ip_families, "ip_families"),
        outbound_type: located(&cfg.outbound_type, FieldPath::attr("outbound_type")),
        load_balancer_sku: located(&cfg.load_balancer_sku, FieldPath::attr("load_balancer_sku")),
        kubernetes_version: located(&cfg.kubernetes_version, FieldPath::attr("kubernetes_version")),
        vnet_address_space: space(&live.vnet_space),
        reserved_cidrs: Vec::new(),
        vnet_subnets: live
            .vnet_subnets
            .iter()
            .map(|(name, prefix)| {
                (
                    name.clone(),
                    Located::new(prefix.clone(), pool_path("vnet_subnet_id")),
                )
            })
            .collect(),
        peered_cidrs: space(&live.peered),
        unknown: unknown_attributes(config),
        node_subnet_cidr: subnet(&live.node, "vnet_subnet_id"),
        pod_subnet_cidr: subnet(&live.pod, "pod_subnet_id"),
        node_subnet_in_use: live.node.as_ref().map_or(0, |f| f.in_use),
        pod_subnet_in_use: live.pod.as_ref().map_or(0, |f| f.in_use),
        node_pools: pools(cfg)
            .into_iter()
            .map(|(path, p)| netplan_pool(path, p))
            .collect(),
        lifecycle: Lifecycle::Unknown,
    }
}

/// A list whose elements are all known, else unknown.
pub(super) fn input_list(v: &StrList) -> Input<Vec<String>> {
    match v {
        Value::Null => Input::Unset,
        _ => strs(v).map_or(Input::Unknown, Input::Set),
    }
}

/// True when a single-value attribute and its list twin are both set and the single value is
/// not the list's first (unknown values are not judged).
fn disagree(single: &Str, plural: &StrList) -> bool {
    match (single, plural) {
        (Value::Value(one), Value::Value(items)) => match items.first() {
            Some(Value::Value(first)) => first != one,
            Some(_) => false,
            None => true,
        },
        _ => false,
    }
}

/// The cluster as [`validate_cluster`] reads it.
pub(super) fn cluster_spec(cfg: &State) -> ClusterSpec {
    let read_only_set = [
        ("id", !cfg.id.is_null()),
        ("fqdn", !cfg.fqdn.is_null()),
        ("node_resource_group", !cfg.node_resource_group.is_null()),
        ("effective_outbound_ips", !cfg.effective_outbound_ips.is_null()),
        ("kubenet_route_table_id", !cfg.kubenet_route_table_id.is_null()),
    ];
    // Both forms may be written when they agree, the single one being the list's first, as
    // AKS returns them (SPEC 2025-10-01 `ContainerServiceNetworkProfile`: `podCidr` and
    // `podCidrs`, `serviceCidr` and `serviceCidrs`, both in every GET) and as Terraform
    // writes them into `-generate-config-out` from the state.
    let single_and_list = [
        ("pod_cidr", "pod_cidrs", disagree(&cfg.pod_cidr, &cfg.pod_cidrs)),
        (
            "service_cidr",
            "service_cidrs",
            disagree(&cfg.service_cidr, &cfg.service_cidrs),
        ),
    ];
    let owned = |v: &Str| s(v).map(str::to_string);
    ClusterSpec {
        read_only_set: read_only_set
            .iter()
            .filter(|(_, set)| *set)
            .map(|(a, _)| *a)
            .collect(),
        single_and_list: single_and_list
            .iter()
            .filter(|(.., both)| *both)
            .map(|(a, b, _)| (*a, *b))
            .collect(),
        name: owned(&cfg.name),
        resource_group_name: owned(&cfg.resource_group_name),
        dns_prefix: owned(&cfg.dns_prefix),
        location: owned(&cfg.location),
        sku_tier: owned(&cfg.sku_tier),
        network_plugin: owned(&cfg.network_plugin),
        identity: match &cfg.identity {
            Value::Value(i) => Input::Set(IdentitySpec {
                kind: owned(&i.kind),
                ids: input_list(&i.identity_ids),
            }),
            Value::Null => Input::Unset,
            Value::Unknown => Input::Unknown,
        },
        pools: pools(cfg)
            .into_iter()
            .map(|(path, p)| PoolSpec {
                path,
                vm_size: p.vm_size.as_ref_option().cloned(),
                node_count: p.node_count.as_ref_option().copied(),
                node_count_unknown: p.node_count.is_unknown(),
                min_count: input(&p.min_count),
                max_count: input(&p.max_count),
                max_pods: p.max_pods.as_ref_option().copied(),
                auto_scaling: input(&p.auto_scaling_enabled),
                has_node_subnet: !p.vnet_subnet_id.is_null(),
                bad_subnet_ids: [
                    ("vnet_subnet_id", &p.vnet_subnet_id),
                    ("pod_subnet_id", &p.pod_subnet_id),
                ]
                .into_iter()
                .filter_map(|(attr, v)| {
                    Some((attr, ResourceId::parse(Kind::Subnet, s(v)?).err()?.to_string()))
                })
                .collect(),
                zones: strs(&p.zones),
            })
            .collect(),
        pools_unknown: cfg.default_node_pool.is_unknown(),
        outbound_type: input(&cfg.outbound_type),
        // Unset: AKS's default on create, the cluster's own source on update; the plan
        // decides (`o4_with_prior`), so validate has no verdict.
        bootstrap_artifact_source: match &cfg.bootstrap_artifact_source {
            Value::Null => Input::Unknown,
            v => input(v),
        },
        load_balancer_profile: cfg
            .load_balancer_profile
            .as_ref_option()
            .map(|lb| LoadBalancerSpec {
                managed_outbound_ip_count: lb.managed_outbound_ip_count.as_ref_option().copied(),
                managed_outbound_ipv6_count: lb.managed_outbound_ipv6_count.as_ref_option().copied(),
                outbound_ip_address_ids_set: !lb.outbound_ip_address_ids.is_null(),
                outbound_ip_prefix_ids_set: !lb.outbound_ip_prefix_ids.is_null(),
                outbound_ports_allocated: lb.outbound_ports_allocated.as_ref_option().copied(),
                idle_timeout_in_minutes: lb.idle_timeout_in_minutes.as_ref_option().copied(),
            }),
        nat_gateway_profile: cfg.nat_gateway_profile.as_ref_option().map(|nat| NatGatewaySpec {
            managed_outbound_ip_count: nat.managed_outbound_ip_count.as_ref_option().copied(),
            idle_timeout_in_minutes: nat.idle_timeout_in_minutes.as_ref_option().copied(),
        }),
    }
}

/// Checks of the configuration beyond the network profile (netplan's cluster rules).
pub(crate) fn shape_findings(cfg: &State) -> Vec<Finding> {
    let mut f = validate_cluster(&cluster_spec(cfg));
    f.extend(temporary_name_findings(cfg));
    f
}

/// O4 when the configuration leaves `bootstrap_artifact_source` unset: the planned value
/// (the cluster's own on update, AKS's default `Direct` on create) decides.
pub(super) fn o4_with_prior(planned: &State, config: &State) -> Option<Finding> {
    if !config.bootstrap_artifact_source.is_null() {
        return None; // validate_cluster checked the configured value
    }
    let outbound = known(&planned.outbound_type);
    let source = known(&planned.bootstrap_artifact_source);
    o4_outbound_none(
        outbound
            .as_deref()
            .map(|o| if o.is_empty() { "loadBalancer" } else { o }),
        source.as_deref().map(|s| if s.is_empty() { "Direct" } else { s }),
        false,
    )
}

/// Static findings: the shape and every netplan rule (no Azure calls).
pub(super) fn static_findings(cfg: &State) -> Vec<Finding> {
    let mut f = shape_findings(cfg);
    f.extend(validate_profile(&profile(cfg, cfg, &Live::default())));
    f
}

/// Network attributes whose values Terraform learns only at apply: netplan neither assumes
/// AKS's default for them nor checks what depends on them (plan runs again during apply).
/// Ranges left unset are unknown in the plan only because AKS picks them: `config` decides.
fn unknown_attributes(config: &State) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    let strs: [(&'static str, &Str); 10] = [
        ("network_plugin", &config.network_plugin),
        ("network_plugin_mode", &config.network_plugin_mode),
        ("network_policy", &config.network_policy),
        ("network_data_plane", &config.network_data_plane),
        ("outbound_type", &config.outbound_type),
        ("load_balancer_sku", &config.load_balancer_sku),
        ("pod_cidr", &config.pod_cidr),
        ("service_cidr", &config.service_cidr),
        ("dns_service_ip", &config.dns_service_ip),
        ("kubernetes_version", &config.kubernetes_version),
    ];
    out.extend(strs.into_iter().filter(|(_, v)| v.is_unknown()).map(|(k, _)| k));
    let lists: [(&'static str, &StrList); 3] = [
        ("pod_cidrs", &config.pod_cidrs),
        ("service_cidrs", &config.service_cidrs),
        ("ip_families", &config.ip_families),
    ];
    out.extend(lists.into_iter().filter(|(_, v)| v.is_unknown()).map(|(k, _)| k));
    out
}

pub(super) fn known(v: &Str) -> Option<String> {
    match v {
        Value::Value(x) => Some(x.clone()),
        Value::Null => Some(String::new()),
        Value::Unknown => None,
    }
}

pub(super) fn known_list(v: &StrList) -> Option<Vec<String>> {
    match v {
        Value::Null => Some(Vec::new()),
        _ => strs(v),
    }
}

/// The migration view of a state (prior or planned).
pub(super) fn net_of(state: &State) -> Net {
    let all = pools(state);
    let egress = match (
        state.load_balancer_profile.as_ref_option(),
        state.nat_gateway_profile.as_ref_option(),
    ) {
        (Some(lb), _) => {
            let n = |v: &Num| match v {
                Value::Unknown => None,
                v => Some(v.as_ref_option().copied()),
            };
            (|| {
                Some(format!(
                    "lb {:?} {:?} {:?} {:?}",
                    n(&lb.managed_outbound_ip_count)?,
                    n(&lb.managed_outbound_ipv6_count)?,
                    known_list(&lb.outbound_ip_address_ids)?,
                    known_list(&lb.outbound_ip_prefix_ids)?
                ))
            })()
        }
        (None, Some(nat)) => match &nat.managed_outbound_ip_count {
            Value::Unknown => None,
            v => Some(format!("nat {:?}", v.as_ref_option())),
        },
        (None, None) => Some(String::new()),
    };
    Net {
        plugin: known(&state.network_plugin),
        plugin_mode: known(&state.network_plugin_mode),
        policy: known(&state.network_policy),
        dataplane: known(&state.network_data_plane),
        pod_cidrs: known_list(&state.pod_cidrs),
        service_cidrs: known_list(&state.service_cidrs),
        dns_service_ip: known(&state.dns_service_ip),
        ip_families: known_list(&state.ip_families),
        outbound_type: known(&state.outbound_type),
        load_balancer_sku: known(&state.load_balancer_sku),
        egress_ips: egress,
        kubernetes_version: known(&state.kubernetes_version),
        byo_vnet: all.iter().any(|(_, p)| !p.vnet_subnet_id.is_null()),
        pod_subnet: all.iter().any(|(_, p)| !p.pod_subnet_id.is_null()),
        windows: all.iter().any(|(_, p)| s(&p.os_type) == Some("Windows")),
        // No identity block is AKS's default, a system-assigned identity.
        user_assigned_identity: match &state.identity {
            Value::Null => Some(false),
            Value::Unknown => None,
            Value::Value(i) => match &i.kind {
                Value::Value(k) => Some(k.eq_ignore_ascii_case("UserAssigned")),
                Value::Null => Some(false),
                Value::Unknown => None,
            },
        },
    }
}

/// Keeps a single-value attribute and its list twin consistent: the one the configuration
/// sets decides the other; with neither set both keep their prior (or unknown) values.
pub(super) fn pair(
    single: &mut Str,
    plural: &mut StrList,
    cfg_single: &Str,
    cfg_plural: &StrList,
    prior: Option<(&Str, &StrList)>,
) {
    if cfg_plural.is_unknown() || cfg_single.is_unknown() {
        *single = Value::Unknown;
        *plural = Value::Unknown;
    } else if let Some(items) = cfg_plural.as_ref_option() {
        *single = items.first().cloned().unwrap_or(Value::Null);
    } else if let Some(v) = cfg_single.as_ref_option() {
        *plural = match prior {
            Some((ps, pp)) if ps.as_ref_option() == Some(v) => pp.clone(),
            _ => Value::Value(vec![Value::Value(v.clone())]),
        };
    } else if prior.is_none() {
        *single = Value::Unknown;
        *plural = Value::Unknown;
    }
}

/// The state as configuration for `terraform plan -generate-config-out` (Terraform >= 1.14):
/// one form of each range, as a user writes it: the single attribute for one range, the list
/// for dual stack. Terraform < 1.14 writes both from the state, which E14 accepts as they agree.
pub(super) fn as_config(mut state: State) -> State {
    one_form(&mut state.pod_cidr, &mut state.pod_cidrs);
    one_form(&mut state.service_cidr, &mut state.service_cidrs);
    state
}

fn one_form(single: &mut Str, plural: &mut StrList) {
    match plural.as_ref_option().map(Vec::len) {
        Some(n) if n > 1 => *single = Value::Null,
        _ => *plural = Value::Null,
    }
}

pub(super) fn unknown_if_null<T>(v: &mut Value<T>) {
    if v.is_null() {
        *v = Value::Unknown;
    }
}

/// Applies `$f` to every value a new cluster may leave unknown until AKS has defaulted it.
macro_rules! each_create_computed {
    ($p:expr, $f:ident) => {{
        let p: &mut State = $p;
        $f(&mut p.id);
        $f(&mut p.fqdn);
        $f(&mut p.node_resource_group);
        $f(&mut p.effective_outbound_ips);
        $f(&mut p.kubenet_route_table_id);
        $f(&mut p.kubernetes_version);
        $f(&mut p.sku_tier);
        $f(&mut p.network_plugin);
        $f(&mut p.network_plugin_mode);
        $f(&mut p.network_policy);
        $f(&mut p.network_data_plane);
        $f(&mut p.dns_service_ip);
        $f(&mut p.outbound_type);
        $f(&mut p.load_balancer_sku);
        $f(&mut p.bootstrap_artifact_source);
        $f(&mut p.bootstrap_container_registry_id);
        $f(&mut p.ip_families);
        // Left to AKS's defaults by `pair`.
        $f(&mut p.pod_cidr);
        $f(&mut p.pod_cidrs);
        $f(&mut p.service_cidr);
        $f(&mut p.service_cidrs);
    }};
}

/// Every pool of `p`, the default one first.
fn pools_mut(p: &mut State) -> impl Iterator<Item = &mut Pool> {
    p.default_node_pool.as_mut_option().into_iter().chain(
        p.node_pool
            .as_mut_option()
            .into_iter()
            .flatten()
            .filter_map(Value::as_mut_option),
    )
}

fn unknown<T>(v: &mut Value<T>) {
    *v = Value::Unknown;
}

/// Computed values of a new cluster are unknown until AKS has defaulted them.
pub(super) fn mark_create_unknowns(p: &mut State) {
    each_create_computed!(p, unknown_if_null);
    for pool in pools_mut(p) {
        macro_rules! unknown_if_unset {
            ($($f:ident),*) => {$(unknown_if_null(&mut pool.$f);)*};
        }
        with_pool_computed!(unknown_if_unset);
    }
    unknown(&mut p.id);
    unknown(&mut p.fqdn);
    unknown(&mut p.node_resource_group);
    unknown(&mut p.effective_outbound_ips);
    unknown(&mut p.kubenet_route_table_id);
}

/// The planned state with the computed values a create never learned set to null.
pub(super) fn without_unknowns(mut p: State) -> State {
    each_create_computed!(&mut p, null_if_unknown);
    for pool in pools_mut(&mut p) {
        macro_rules! null_if_unlearned {
            ($($f:ident),*) => {$(null_if_unknown(&mut pool.$f);)*};
        }
        with_pool_computed!(null_if_unlearned);
    }
    p
}

/// W1 on `temporary_name_for_rotation`: a valid name no declared pool uses.
fn temporary_name_findings(cfg: &State) -> Option<Finding> {
    let temp = cfg
        .default_node_pool
        .as_ref_option()
        .and_then(|p| p.temporary_name_for_rotation.as_ref())
        .and_then(|t| s(t))?;
    let declared: Vec<&str> = pools(cfg).iter().filter_map(|(_, p)| s(&p.name)).collect();
    w1_temporary_name(temp, &declared)
}
