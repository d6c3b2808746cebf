//! `aksnet_pod_cidr_plan`'s plan: the configuration as netplan's profile and plan request,
//! the shape checks netplan does not make, and the plan written into state.

use std::net::IpAddr;

use aksnet_tfplugin::value::Value;
use aksnet_tfplugin::{AttributePath, Diagnostics};

use ipnet::IpNet;

use crate::netplan::planner::{self, unset_ranges_are_planned, Plan, PlanRequest, PriorPlan};
use crate::netplan::profile::Located;
use crate::netplan::rules::validate_profile;
use crate::netplan::{cidr, FieldPath, Finding, NetworkProfile, NodePool, Step};
use crate::tfvalue::{known_strings, list_has_unknown, report, report_nulls};

use super::schema::{Num, PoolOutput, State, Str, StrList};
use super::PodCidrPlan;

pub(super) fn located(v: &Str, path: FieldPath) -> Option<Located<String>> {
    v.as_ref_option().map(|s| Located::new(s.clone(), path))
}

pub(super) fn located_list(v: &StrList, attr: &'static str) -> Vec<Located<String>> {
    known_strings(v)
        .into_iter()
        .map(|(i, s)| Located::new(s.to_string(), FieldPath::attr(attr).index(i)))
        .collect()
}

/// A count the rules can use; out-of-range values are left out (validation reports them),
/// so no rule speaks of a clamped `0` the user never wrote.
pub(super) fn num(v: &Num) -> Option<u32> {
    v.as_ref_option().and_then(|n| u32::try_from(*n).ok())
}

/// Builds the netplan profile from known config values (unknown ones are left out).
pub(super) fn profile(cfg: &State) -> NetworkProfile {
    let pod_subnet = cfg.pod_ip_allocation_mode.is_value();
    let pools = cfg
        .node_pool
        .as_ref_option()
        .map(|pools| {
            pools
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.as_ref_option().map(|p| (i, p)))
                .map(|(i, p)| NodePool {
                    path: FieldPath::attr("node_pool").index(i),
                    name: p.name.as_ref_option().cloned(),
                    os_type: p.os_type.as_ref_option().cloned(),
                    node_count: num(&p.node_count),
                    min_count: num(&p.min_count),
                    max_count: num(&p.max_count),
                    max_pods: num(&p.max_pods),
                    max_surge: p.max_surge.as_ref_option().cloned(),
                    uses_pod_subnet: pod_subnet,
                    pod_ip_allocation_mode: cfg.pod_ip_allocation_mode.as_ref_option().cloned(),
                    unknown: [
                        ("node_count", p.node_count.is_unknown()),
                        ("min_count", p.min_count.is_unknown()),
                        ("max_count", p.max_count.is_unknown()),
                        ("max_pods", p.max_pods.is_unknown()),
                        ("max_surge", p.max_surge.is_unknown()),
                        ("os_type", p.os_type.is_unknown()),
                        // pod_ip_allocation_mode stands for the pod subnet here.
                        ("pod_subnet_id", cfg.pod_ip_allocation_mode.is_unknown()),
                    ]
                    .into_iter()
                    .filter(|(_, u)| *u)
                    .map(|(a, _)| a)
                    .collect(),
                    placement: Default::default(),
                })
                .collect()
        })
        .unwrap_or_default();
    NetworkProfile {
        network_plugin: located(&cfg.network_plugin, FieldPath::attr("network_plugin")),
        network_plugin_mode: located(&cfg.network_plugin_mode, FieldPath::attr("network_plugin_mode")),
        pod_cidrs: located(&cfg.pod_cidr, FieldPath::attr("pod_cidr"))
            .into_iter()
            .collect(),
        service_cidrs: located(&cfg.service_cidr, FieldPath::attr("service_cidr"))
            .into_iter()
            .collect(),
        dns_service_ip: located(&cfg.dns_service_ip, FieldPath::attr("dns_service_ip")),
        ip_families: located_list(&cfg.ip_families, "ip_families"),
        vnet_address_space: located_list(&cfg.address_space, "address_space"),
        reserved_cidrs: located_list(&cfg.reserved_cidrs, "reserved_cidrs"),
        node_pools: pools,
        // Values known only after apply are not "unset" (issue 15 item 9).
        unknown: [
            ("network_plugin", cfg.network_plugin.is_unknown()),
            ("network_plugin_mode", cfg.network_plugin_mode.is_unknown()),
            ("pod_cidr", cfg.pod_cidr.is_unknown()),
            ("service_cidr", cfg.service_cidr.is_unknown()),
            ("dns_service_ip", cfg.dns_service_ip.is_unknown()),
            ("ip_families", list_has_unknown(&cfg.ip_families)),
        ]
        .into_iter()
        .filter(|(_, u)| *u)
        .map(|(a, _)| a)
        .collect(),
        ..Default::default()
    }
}

/// Runs the rules and points pool-level pod-subnet findings at `pod_ip_allocation_mode`,
/// the attribute that stands for the pod subnet in this resource.
pub(super) fn rule_findings(cfg: &State) -> Vec<Finding> {
    let mut findings = validate_profile(&unset_ranges_are_planned(&profile(cfg)));
    for f in &mut findings {
        if let [Step::Attr("node_pool"), Step::Index(_), Step::Attr("pod_subnet_id" | "pod_ip_allocation_mode")] =
            f.path.0.as_slice()
        {
            f.path = FieldPath::attr("pod_ip_allocation_mode");
        }
    }
    findings
}

/// True when some input is unknown, so outputs cannot be computed yet.
pub(super) fn inputs_unknown(cfg: &State) -> bool {
    let strs = [
        &cfg.network_plugin,
        &cfg.network_plugin_mode,
        &cfg.pod_ip_allocation_mode,
        &cfg.pod_cidr,
        &cfg.service_cidr,
        &cfg.dns_service_ip,
    ];
    strs.iter().any(|v| v.is_unknown())
        || cfg.headroom_percent.is_unknown()
        || [&cfg.address_space, &cfg.reserved_cidrs, &cfg.ip_families]
            .iter()
            .any(|l| list_has_unknown(l))
        || match &cfg.node_pool {
            Value::Unknown => true,
            Value::Null => false,
            Value::Value(pools) => pools.iter().any(|p| match p {
                Value::Unknown => true,
                Value::Null => false,
                Value::Value(p) => {
                    [&p.name, &p.os_type, &p.max_surge].iter().any(|v| v.is_unknown())
                        || [&p.node_count, &p.min_count, &p.max_count, &p.max_pods]
                            .iter()
                            .any(|v| v.is_unknown())
                }
            }),
        }
}

/// Schema-level checks Terraform core leaves to providers.
pub(super) fn validate_shape(diags: &mut Diagnostics, cfg: &State) {
    let computed: [(&str, bool); 12] = [
        ("id", !cfg.id.is_null()),
        ("node_subnet_cidr", !cfg.node_subnet_cidr.is_null()),
        ("pod_subnet_cidr", !cfg.pod_subnet_cidr.is_null()),
        ("pod_cidrs", !cfg.pod_cidrs.is_null()),
        ("service_cidrs", !cfg.service_cidrs.is_null()),
        ("max_nodes", !cfg.max_nodes.is_null()),
        ("max_nodes_limit", !cfg.max_nodes_limit.is_null()),
        ("required_node_ips", !cfg.required_node_ips.is_null()),
        ("required_pod_ips", !cfg.required_pod_ips.is_null()),
        ("kubenet_routes_needed", !cfg.kubenet_routes_needed.is_null()),
        ("pools", !cfg.pools.is_null()),
        ("warnings", !cfg.warnings.is_null()),
    ];
    for (name, set) in computed {
        if set {
            diags.error(
                "Invalid Configuration for Read-Only Attribute",
                format!("`{name}` is computed by aksnet_pod_cidr_plan and cannot be set; remove it from the configuration."),
                AttributePath::new(name),
            );
        }
    }
    if let Value::Value(h) = cfg.headroom_percent {
        if !(0..=1000).contains(&h) {
            diags.error(
                "Invalid Headroom",
                format!("headroom_percent is {h}; it must be between 0 and 1000."),
                AttributePath::new("headroom_percent"),
            );
        }
    }
    match &cfg.node_pool {
        Value::Value(p) if p.is_empty() => no_pool(diags),
        Value::Null => no_pool(diags),
        _ => {}
    }
    if let Value::Value(pools) = &cfg.node_pool {
        for (i, p) in pools.iter().enumerate() {
            let Value::Value(p) = p else { continue };
            for (name, v) in [
                ("node_count", &p.node_count),
                ("min_count", &p.min_count),
                ("max_count", &p.max_count),
                ("max_pods", &p.max_pods),
            ] {
                if let Value::Value(n) = v {
                    if *n < 0 || *n > i64::from(u32::MAX) {
                        diags.error(
                            "Invalid Node Pool Number",
                            format!("node_pool[{i}].{name} is {n}; it must be a whole number of 0 or more."),
                            AttributePath::new("node_pool").index(i as i64).attribute(name),
                        );
                    }
                }
            }
        }
    }
}

pub(super) fn no_pool(diags: &mut Diagnostics) {
    diags.root_error(
        "Missing Node Pool",
        "aksnet_pod_cidr_plan needs at least one `node_pool` block to size the plan; add one for the system pool.",
    );
}

pub(super) fn parse_net_list(v: &StrList) -> Vec<IpNet> {
    known_strings(v)
        .into_iter()
        .filter_map(|(_, s)| cidr::parse_cidr(s).ok())
        .collect()
}

/// The previous outputs, used to keep ranges stable across updates.
pub(super) fn prior_plan(prior: &State) -> PriorPlan {
    let net = |v: &Str| v.as_ref_option().and_then(|s| cidr::parse_cidr(s).ok());
    PriorPlan {
        node_subnet_cidr: net(&prior.node_subnet_cidr),
        pod_subnet_cidr: net(&prior.pod_subnet_cidr),
        pod_cidrs: parse_net_list(&prior.pod_cidrs),
        service_cidrs: parse_net_list(&prior.service_cidrs),
        dns_service_ip: prior
            .dns_service_ip
            .as_ref_option()
            .and_then(|s| s.parse::<IpAddr>().ok()),
    }
}

pub(super) fn strs<T: ToString>(items: impl IntoIterator<Item = T>) -> StrList {
    Value::Value(items.into_iter().map(|s| Value::Value(s.to_string())).collect())
}

pub(super) fn count(n: u64) -> Num {
    Value::Value(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Fills the computed attributes from a plan.
pub(super) fn apply_plan(state: &mut State, plan: &Plan, warnings: &[Finding]) {
    state.node_subnet_cidr = Value::Value(plan.node_subnet_cidr.to_string());
    state.pod_subnet_cidr = plan.pod_subnet_cidr.map(|n| n.to_string()).into();
    state.pod_cidrs = strs(&plan.pod_cidrs);
    state.service_cidrs = strs(&plan.service_cidrs);
    state.pod_cidr = plan.pod_cidrs.first().map(|n| n.to_string()).into();
    state.service_cidr = plan.service_cidrs.first().map(|n| n.to_string()).into();
    state.dns_service_ip = Value::Value(plan.dns_service_ip.to_string());
    state.max_nodes = count(plan.max_nodes);
    state.max_nodes_limit = Value::Value(plan.max_nodes_limit.clone());
    state.required_node_ips = count(plan.required_node_ips);
    state.required_pod_ips = count(plan.required_pod_ips);
    state.kubenet_routes_needed = count(plan.kubenet_routes_needed);
    state.pools = Value::Value(
        plan.pools
            .iter()
            .map(|p| {
                Value::Value(PoolOutput {
                    name: p.name.clone(),
                    os_type: p.os_type.clone(),
                    max_pods: i64::from(p.max_pods),
                    surge_nodes: i64::from(p.surge_nodes),
                    peak_nodes: i64::try_from(p.peak_nodes).unwrap_or(i64::MAX),
                    node_ips: i64::try_from(p.node_ips).unwrap_or(i64::MAX),
                    pod_ips: i64::try_from(p.pod_ips).unwrap_or(i64::MAX),
                })
            })
            .collect(),
    );
    state.warnings = strs(warnings.iter().map(|w| w.to_string()));
}

pub(super) fn mark_unknown(state: &mut State) {
    state.node_subnet_cidr = Value::Unknown;
    state.pod_subnet_cidr = Value::Unknown;
    state.pod_cidrs = Value::Unknown;
    state.service_cidrs = Value::Unknown;
    state.max_nodes = Value::Unknown;
    state.max_nodes_limit = Value::Unknown;
    state.required_node_ips = Value::Unknown;
    state.required_pod_ips = Value::Unknown;
    state.kubenet_routes_needed = Value::Unknown;
    state.pools = Value::Unknown;
    state.warnings = Value::Unknown;
    if state.pod_cidr.is_null() {
        state.pod_cidr = Value::Unknown;
    }
    if state.service_cidr.is_null() {
        state.service_cidr = Value::Unknown;
    }
    if state.dns_service_ip.is_null() {
        state.dns_service_ip = Value::Unknown;
    }
}

/// Plans `proposed` (user inputs from `config`, stability from `prior`).
pub(super) fn plan_state(
    diags: &mut Diagnostics,
    proposed: State,
    config: &State,
    prior: Option<&State>,
) -> Option<State> {
    // Values unknown at validate (variables, other resources' attributes) are known here.
    report_nulls(diags, &PodCidrPlan::block(), config);
    if !diags.errors.is_empty() {
        return None;
    }
    let mut state = proposed;
    // Optional+Computed inputs: the user's value if set, else computed again below.
    state.pod_cidr = config.pod_cidr.clone();
    state.service_cidr = config.service_cidr.clone();
    state.dns_service_ip = config.dns_service_ip.clone();
    if inputs_unknown(config) {
        mark_unknown(&mut state);
        return Some(state);
    }
    let req = PlanRequest {
        profile: profile(config),
        headroom_percent: num(&config.headroom_percent).unwrap_or(0),
        prior: prior.map(prior_plan),
    };
    match planner::plan(&req) {
        Ok(plan) => {
            // Rule warnings were already shown at validate; moves are news of this plan only,
            // so they are reported but kept out of `warnings` (which must be stable to re-plan empty).
            let (moves, rules): (Vec<_>, Vec<_>) = plan
                .warnings
                .iter()
                .cloned()
                .partition(|w| w.summary == planner::MOVE_SUMMARY);
            report(diags, &moves, config);
            apply_plan(&mut state, &plan, &rules);
            Some(state)
        }
        Err(errors) => {
            report(diags, &errors, config);
            None
        }
    }
}

/// A deterministic id from the creating configuration: Terraform plans a create twice
/// (plan, then apply) and both must agree, so the id cannot be random. FNV-1a, 64 bits.
pub(super) fn new_id(config: &State) -> String {
    let bytes = serde_json::to_vec(config).unwrap_or_default();
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("podcidrplan-{hash:016x}")
}
