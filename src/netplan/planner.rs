//! The address planner behind `aksnet_pod_cidr_plan`: sizes every range from the node
//! pools, carves node and pod subnets out of the address space, picks pod and service
//! CIDRs that collide with nothing, and keeps earlier answers while they still fit.

use std::net::IpAddr;

use ipnet::IpNet;

use super::cidr::{self, first_free, overlaps, parse_cidr, thousands, usable_subnet_ips};
use super::rules::validate_profile;
use super::sizing::{self, Ipam};
use super::{FieldPath, Finding, NetworkProfile, RuleId};

/// AKS's default pod CIDR (R7; SPEC).
pub(crate) const DEFAULT_POD_CIDR: &str = "10.244.0.0/16";
/// AKS's default service CIDR (R5; SPEC).
pub(crate) const DEFAULT_SERVICE_CIDR: &str = "10.0.0.0/16";
/// AKS's dual-stack IPv6 defaults (R7; A-ds).
const DEFAULT_POD_CIDR_V6: &str = "fd12:3456:789a::/64";
const DEFAULT_SERVICE_CIDR_V6: &str = "fd12:3456:789a:1::/108";
/// Summary of the warning that a range of the prior plan moved.
pub(crate) const MOVE_SUMMARY: &str = "Address Range Moves";
/// Offset of the DNS service IP in the service CIDR (`.10`, R5).
const DNS_SERVICE_IP_OFFSET: u64 = 10;

/// Private spaces searched when a default range is taken (R3: RFC 1918 and RFC 6598).
const PRIVATE_V4: [&str; 4] = ["10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "192.168.0.0/16"];
const PRIVATE_V6: &str = "fd00::/8";

/// Everything the planner needs; the profile carries the user's explicit values.
#[derive(Debug, Clone, Default)]
pub struct PlanRequest {
    /// The configuration; set ranges are kept, unset ones are the planner's to choose.
    pub profile: NetworkProfile,
    /// Growth to reserve on top of peak nodes, in percent.
    pub headroom_percent: u32,
    /// The previous plan, kept wherever it still fits (no needless renumbering).
    pub prior: Option<PriorPlan>,
}

/// Ranges of an earlier plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriorPlan {
    /// The node subnet chosen last time.
    pub node_subnet_cidr: Option<IpNet>,
    /// The pod subnet chosen last time (Azure CNI with a pod subnet).
    pub pod_subnet_cidr: Option<IpNet>,
    /// The pod CIDRs chosen last time, in `ip_families` order.
    pub pod_cidrs: Vec<IpNet>,
    /// The service CIDRs chosen last time, in `ip_families` order.
    pub service_cidrs: Vec<IpNet>,
    /// The DNS service IP chosen last time.
    pub dns_service_ip: Option<IpAddr>,
}

/// Per-pool sizing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolPlan {
    /// The pool's name (or its position when unnamed).
    pub name: String,
    /// `Linux` or `Windows` (Windows pools take extra rules, W*).
    pub os_type: String,
    /// Effective max pods (the plugin default when unset).
    pub max_pods: u32,
    /// Extra nodes during upgrades.
    pub surge_nodes: u32,
    /// `max(node_count, max_count) + surge`, plus headroom.
    pub peak_nodes: u64,
    /// Node-subnet addresses the pool takes at peak.
    pub node_ips: u64,
    /// Pod addresses the pool takes at peak (pod subnet, node subnet or pod CIDR).
    pub pod_ips: u64,
}

/// The planner's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Where pod addresses come from, which decides which ranges below are used.
    pub ipam: Ipam,
    /// The node subnet: fits every pool at peak plus headroom.
    pub node_subnet_cidr: IpNet,
    /// The pod subnet, for Azure CNI with a pod subnet only.
    pub pod_subnet_cidr: Option<IpNet>,
    /// Pod CIDRs in `ip_families` order (kubenet, overlay, none).
    pub pod_cidrs: Vec<IpNet>,
    /// Service CIDRs in `ip_families` order.
    pub service_cidrs: Vec<IpNet>,
    /// The cluster DNS address inside the first service CIDR.
    pub dns_service_ip: IpAddr,
    /// Nodes the plan can hold (surge nodes included) and the range or limit that binds.
    pub max_nodes: u64,
    /// The range or limit that bounds `max_nodes`, in words for the diagnostics.
    pub max_nodes_limit: String,
    /// Node-subnet addresses all pools take at peak.
    pub required_node_ips: u64,
    /// Pod addresses all pools take at peak.
    pub required_pod_ips: u64,
    /// Routes kubenet writes into the route table (one per node; the table holds 400, O3).
    pub kubenet_routes_needed: u64,
    /// Sizing of each pool, in configuration order.
    pub pools: Vec<PoolPlan>,
    /// Rule warnings and notes about moved ranges.
    pub warnings: Vec<Finding>,
}

/// The profile as the rules should see it before planning: ranges left unset are the
/// planner's to choose, so AKS's defaults are not assumed for them.
pub(crate) fn unset_ranges_are_planned(p: &NetworkProfile) -> NetworkProfile {
    let mut p = p.clone();
    if p.pod_cidrs.is_empty() {
        p.unknown.extend(["pod_cidr", "pod_cidrs"]);
    }
    if p.service_cidrs.is_empty() && p.dns_service_ip.is_none() {
        p.unknown
            .extend(["service_cidr", "service_cidrs", "dns_service_ip"]);
    }
    p
}

/// Plans the addresses or returns every error found.
pub fn plan(req: &PlanRequest) -> Result<Plan, Vec<Finding>> {
    let p = &req.profile;
    let mut findings = validate_profile(&unset_ranges_are_planned(p));
    if findings.iter().any(Finding::is_error) {
        findings.retain(Finding::is_error);
        return Err(findings);
    }
    let mut warnings = findings;

    let pod_subnet = p.node_pools.iter().any(|n| n.uses_pod_subnet);
    let alloc_mode = p
        .node_pools
        .iter()
        .find_map(|n| n.pod_ip_allocation_mode.as_deref());
    let ipam = Ipam::from_settings(
        value(&p.network_plugin),
        value(&p.network_plugin_mode),
        pod_subnet,
        alloc_mode,
    )
    .ok_or_else(|| {
        vec![Finding::error(
            RuleId::E1,
            FieldPath::attr("network_plugin"),
            "Unsupported Network Plugin",
            "network_plugin must be `azure`, `kubenet` or `none`.",
        )]
    })?;

    let pools = size_pools(req, ipam)?;
    let total_nodes: u64 = pools.iter().map(|x| x.peak_nodes).sum();
    let node_ips: u64 = pools.iter().map(|x| x.node_ips).sum();
    let pod_ips: u64 = pools.iter().map(|x| x.pod_ips).sum();

    let space = sorted_nets(p.vnet_address_space.iter().map(|l| l.value.as_str()));
    let reserved = sorted_nets(p.reserved_cidrs.iter().map(|l| l.value.as_str()));
    let aks_reserved = sorted_nets(cidr::AKS_RESERVED.iter().copied());
    let prior = req.prior.clone().unwrap_or_default();
    let space_v4: Vec<IpNet> = space
        .iter()
        .filter(|n| matches!(n, IpNet::V4(_)))
        .copied()
        .collect();

    // Node subnet: every node's IP, plus pods for flat Azure CNI (C4, C5).
    let node_prefix = cidr::smallest_v4_subnet_prefix(node_ips)
        .ok_or_else(|| vec![too_big(RuleId::C4, FieldPath::root(), ipam, node_ips, &pools)])?;
    let mut taken: Vec<IpNet> = reserved.clone();
    let node_subnet = keep_or_allocate(
        prior.node_subnet_cidr,
        node_prefix,
        |n| inside_any(n, &space_v4) && !overlaps_any(n, &taken),
        || first_free(&space_v4, &taken, node_prefix),
    )
    .ok_or_else(|| {
        vec![no_room(
            ipam,
            "node subnet",
            node_ips,
            &pools,
            &space_v4,
            &taken,
            node_prefix,
        )]
    })?;
    note_move(
        &mut warnings,
        "node_subnet_cidr",
        prior.node_subnet_cidr,
        node_subnet.0,
        node_prefix,
    );
    let node_subnet = node_subnet.0;
    taken.push(node_subnet);

    // Pod subnet: pod-subnet modes only (C6, C7).
    let pod_subnet_cidr = if ipam.uses_pod_subnet() {
        let prefix = cidr::smallest_v4_subnet_prefix(pod_ips)
            .ok_or_else(|| vec![too_big(RuleId::C6, FieldPath::root(), ipam, pod_ips, &pools)])?;
        let fits = |needed: u8| {
            keep_or_allocate(
                prior.pod_subnet_cidr,
                needed,
                |n| inside_any(n, &space_v4) && !overlaps_any(n, &taken),
                || first_free(&space_v4, &taken, needed),
            )
        };
        let room = |prefix| no_room(ipam, "pod subnet", pod_ips, &pools, &space_v4, &taken, prefix);
        let (chosen, prefix) = match fits(prefix) {
            Some(chosen) => (chosen, prefix),
            // Dynamic allocation needs only the first batch of 16 per node (C6, rules.rs
            // c6_c7_pod_subnet): AKS accepts a smaller pod subnet, so the plan takes one with
            // the rule's warning rather than refusing a layout Azure would run.
            None if ipam == Ipam::PodSubnetDynamic => {
                let first_batches = total_nodes.saturating_mul(16);
                let least = cidr::smallest_v4_subnet_prefix(first_batches)
                    .filter(|&least| least > prefix)
                    .ok_or_else(|| vec![room(prefix)])?;
                let chosen = fits(least).ok_or_else(|| vec![room(prefix)])?;
                warnings.push(Finding::warning(
                    RuleId::C6,
                    FieldPath::attr("pod_subnet_cidr"),
                    "Pod Subnet Below Max Pods",
                    format!(
                        "address_space has no free /{prefix} for {} pod addresses at peak (max_pods on every node), so pod_subnet_cidr is a /{least}: it holds the first batch of 16 addresses that AKS pre-allocates to each of {} nodes. AKS accepts it; pods beyond the subnet wait for an address. For full nodes add a /{prefix} or larger to address_space.",
                        thousands(pod_ips),
                        thousands(total_nodes)
                    ),
                ));
                (chosen, least)
            }
            None => return Err(vec![room(prefix)]),
        };
        note_move(
            &mut warnings,
            "pod_subnet_cidr",
            prior.pod_subnet_cidr,
            chosen.0,
            prefix,
        );
        taken.push(chosen.0);
        Some(chosen.0)
    } else {
        None
    };

    // Ranges outside the VNet must avoid the VNet, reserved ranges and AKS's own (R1, R3, R4).
    let mut outside: Vec<IpNet> = space
        .iter()
        .chain(&reserved)
        .chain(&aks_reserved)
        .copied()
        .collect();
    let user_pod = p.pod_cidrs.first().and_then(|l| parse_cidr(&l.value).ok());
    let user_svc = p.service_cidrs.first().and_then(|l| parse_cidr(&l.value).ok());
    outside.extend(user_pod.iter().chain(user_svc.iter()).copied());

    let dual = p.ip_families.iter().any(|f| f.value.eq_ignore_ascii_case("IPv6"));
    let mut pod_cidrs = Vec::new();
    if ipam.uses_pod_cidr() {
        let pod_v4 = match user_pod {
            Some(n) => n,
            None => {
                let needed = 24 - ceil_log2(total_nodes.max(1)).min(24) as u8;
                let chosen = keep_or_allocate(
                    prior
                        .pod_cidrs
                        .first()
                        .copied()
                        .filter(|n| matches!(n, IpNet::V4(_))),
                    needed,
                    |n| !overlaps_any(n, &outside),
                    || allocate_outside(DEFAULT_POD_CIDR, needed.min(16), needed, &outside),
                )
                .ok_or_else(|| vec![no_private_room("pod_cidr", needed)])?;
                note_move(
                    &mut warnings,
                    "pod_cidr",
                    prior.pod_cidrs.first().copied(),
                    chosen.0,
                    needed,
                );
                chosen.0
            }
        };
        outside.push(pod_v4);
        pod_cidrs.push(pod_v4);
    }

    let service_v4 = match user_svc {
        Some(n) => n,
        None => {
            let chosen = keep_or_allocate(
                prior
                    .service_cidrs
                    .first()
                    .copied()
                    .filter(|n| matches!(n, IpNet::V4(_))),
                24,
                |n| !overlaps_any(n, &outside),
                || {
                    [16u8, 20, 24]
                        .iter()
                        .find_map(|&pfx| allocate_outside(DEFAULT_SERVICE_CIDR, pfx, pfx, &outside))
                },
            )
            .ok_or_else(|| vec![no_private_room("service_cidr", 24)])?;
            note_move(
                &mut warnings,
                "service_cidr",
                prior.service_cidrs.first().copied(),
                chosen.0,
                24,
            );
            chosen.0
        }
    };
    outside.push(service_v4);
    let mut service_cidrs = vec![service_v4];

    if dual {
        if ipam.uses_pod_cidr() {
            let v6 = alloc_v6(&prior.pod_cidrs, 64, DEFAULT_POD_CIDR_V6, "pod_cidrs", &outside)?;
            outside.push(v6);
            pod_cidrs.push(v6);
        }
        service_cidrs.push(alloc_v6(
            &prior.service_cidrs,
            108,
            DEFAULT_SERVICE_CIDR_V6,
            "service_cidrs",
            &outside,
        )?);
    }

    let dns_service_ip = match p.dns_service_ip.as_ref().and_then(|l| cidr::parse_ip(&l.value).ok()) {
        Some(ip) => ip,
        None => prior
            .dns_service_ip
            .filter(|ip| usable_dns_ip(&service_v4, ip))
            .or_else(|| cidr::nth_addr(&service_v4, DNS_SERVICE_IP_OFFSET).filter(|ip| usable_dns_ip(&service_v4, ip)))
            .or_else(|| cidr::nth_addr(&service_v4, 2).filter(|ip| usable_dns_ip(&service_v4, ip)))
            .ok_or_else(|| {
                vec![Finding::error(
                    RuleId::R5,
                    FieldPath::attr("service_cidr"),
                    "Service CIDR Too Small",
                    format!("service_cidr {service_v4} has no address for the DNS service IP; use a /28 or larger."),
                )]
            })?,
    };

    let (max_nodes, max_nodes_limit) = capacity(
        ipam,
        &node_subnet,
        pod_subnet_cidr.as_ref(),
        pod_cidrs.first(),
        &pools,
    );
    Ok(Plan {
        ipam,
        node_subnet_cidr: node_subnet,
        pod_subnet_cidr,
        pod_cidrs,
        service_cidrs,
        dns_service_ip,
        max_nodes,
        max_nodes_limit,
        required_node_ips: node_ips,
        required_pod_ips: pod_ips,
        kubenet_routes_needed: if ipam == Ipam::Kubenet { total_nodes } else { 0 },
        pools,
        warnings,
    })
}

/// The IPv6 range of a dual-stack list: the prior one while it is free, else the default, else
/// the first free `prefix` in ULA space.
fn alloc_v6(
    prior: &[IpNet],
    prefix: u8,
    default: &str,
    attr: &'static str,
    used: &[IpNet],
) -> Result<IpNet, Vec<Finding>> {
    let prior_v6 = prior.iter().copied().find(|n| matches!(n, IpNet::V6(_)));
    keep_or_allocate(
        prior_v6,
        prefix,
        |n| !overlaps_any(n, used),
        || allocate_outside(default, prefix, prefix, used),
    )
    .map(|(n, _)| n)
    .ok_or_else(|| vec![no_private_room(attr, prefix)])
}

fn value(l: &Option<super::profile::Located<String>>) -> Option<&str> {
    l.as_ref().map(|l| l.value.as_str())
}

/// Peak nodes and addresses per pool (C1, C4–C9).
fn size_pools(req: &PlanRequest, ipam: Ipam) -> Result<Vec<PoolPlan>, Vec<Finding>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for pool in &req.profile.node_pools {
        let max_pods = pool.max_pods.unwrap_or_else(|| sizing::default_max_pods(ipam));
        let base = pool.node_count.unwrap_or(0).max(pool.max_count.unwrap_or(0));
        let surge = match sizing::surge_nodes(pool.max_surge.as_deref(), base) {
            Ok(s) => s,
            Err(e) => {
                errors.push(Finding::error(
                    RuleId::C4,
                    pool.path.clone().then("max_surge"),
                    "Invalid Max Surge",
                    format!("max_surge {e}."),
                ));
                continue;
            }
        };
        let peak = u64::from(base) + u64::from(surge);
        let peak = (peak * (100 + u64::from(req.headroom_percent))).div_ceil(100);
        let per_node_pod = sizing::pod_ips_per_node(ipam, max_pods);
        let node_ips = if ipam == Ipam::NodeSubnet {
            peak * (1 + per_node_pod)
        } else {
            peak
        };
        let pod_ips = peak * per_node_pod;
        out.push(PoolPlan {
            name: pool.name.clone().unwrap_or_default(),
            os_type: pool.os_type.clone().unwrap_or_else(|| "Linux".into()),
            max_pods,
            surge_nodes: surge,
            peak_nodes: peak,
            node_ips,
            pod_ips,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Keeps the prior range when it is at least as large as needed and still acceptable;
/// otherwise allocates. The flag says whether the prior was kept.
fn keep_or_allocate(
    prior: Option<IpNet>,
    needed_prefix: u8,
    acceptable: impl Fn(&IpNet) -> bool,
    allocate: impl FnOnce() -> Option<IpNet>,
) -> Option<(IpNet, bool)> {
    if let Some(n) = prior.filter(|n| n.prefix_len() <= needed_prefix && acceptable(n)) {
        return Some((n, true));
    }
    allocate().map(|n| (n, false))
}

/// Warns when a range of an earlier plan moves, and why.
fn note_move(warnings: &mut Vec<Finding>, attr: &'static str, prior: Option<IpNet>, now: IpNet, needed: u8) {
    if let Some(old) = prior.filter(|old| *old != now) {
        let why = if old.prefix_len() > needed {
            format!("{old} is too small (a /{needed} or larger is needed)")
        } else {
            format!("{old} now conflicts with the address space or reserved ranges")
        };
        warnings.push(Finding::warning(
            RuleId::C4,
            FieldPath::attr(attr),
            MOVE_SUMMARY,
            format!("{attr} moves from {old} to {now}: {why}. Anything built on the old range must follow."),
        ));
    }
}

/// The default range when free; else the block of `prefix` holding the default; else the
/// first free block in private space (`prefix`, then the smallest that still fits).
fn allocate_outside(default: &str, prefix: u8, min_prefix: u8, used: &[IpNet]) -> Option<IpNet> {
    let default: IpNet = default.parse().ok()?;
    let free = |n: &IpNet| !overlaps_any(n, used);
    if default.prefix_len() <= min_prefix && free(&default) {
        return Some(default);
    }
    if let Ok(block) = IpNet::new(default.network(), prefix) {
        let block = block.trunc();
        if free(&block) {
            return Some(block);
        }
    }
    let spaces: Vec<IpNet> = match default {
        IpNet::V4(_) => PRIVATE_V4.iter().filter_map(|s| s.parse().ok()).collect(),
        IpNet::V6(_) => PRIVATE_V6.parse().into_iter().collect(),
    };
    first_free(&spaces, used, prefix).or_else(|| first_free(&spaces, used, min_prefix))
}

fn usable_dns_ip(service: &IpNet, ip: &IpAddr) -> bool {
    service.contains(ip)
        && *ip != service.network()
        && Some(*ip) != cidr::nth_addr(service, 1)
        && *ip != service.broadcast()
}

/// What the plan can hold, and which limit binds first. Subnet limits scale the pools'
/// current mix: `usable × peak nodes / addresses the peak needs`.
fn capacity(
    ipam: Ipam,
    node_subnet: &IpNet,
    pod_subnet: Option<&IpNet>,
    pod_cidr: Option<&IpNet>,
    pools: &[PoolPlan],
) -> (u64, String) {
    let peak: u64 = pools.iter().map(|p| p.peak_nodes).sum();
    let scale = |usable: u64, needed: u64| {
        if needed == 0 {
            usable
        } else {
            u64::try_from(u128::from(usable) * u128::from(peak) / u128::from(needed)).unwrap_or(u64::MAX)
        }
    };
    let node_ips: u64 = pools.iter().map(|p| p.node_ips).sum();
    let pod_ips: u64 = pools.iter().map(|p| p.pod_ips).sum();
    let mut limits: Vec<(u64, String)> = vec![(
        scale(usable_subnet_ips(node_subnet), node_ips),
        format!("node_subnet_cidr ({node_subnet})"),
    )];
    if let Some(ps) = pod_subnet {
        limits.push((
            scale(usable_subnet_ips(ps), pod_ips),
            format!("pod_subnet_cidr ({ps})"),
        ));
    }
    if let Some(IpNet::V4(pc)) = pod_cidr {
        limits.push((
            sizing::pod_cidr_max_nodes(pc.prefix_len()),
            format!("pod_cidr ({pc}, one /24 per node)"),
        ));
    }
    if ipam == Ipam::Kubenet {
        limits.push((
            sizing::KUBENET_MAX_ROUTES,
            "kubenet route table (400 routes)".into(),
        ));
    }
    limits.push((
        sizing::MAX_CLUSTER_NODES,
        "AKS cluster limit (5,000 nodes)".into(),
    ));
    limits
        .into_iter()
        .min_by_key(|(n, _)| *n)
        .unwrap_or((0, String::new()))
}

fn sorted_nets<'a>(items: impl Iterator<Item = &'a str>) -> Vec<IpNet> {
    let mut v: Vec<IpNet> = items.filter_map(|s| parse_cidr(s).ok()).collect();
    v.sort();
    v.dedup();
    v
}

fn inside_any(n: &IpNet, space: &[IpNet]) -> bool {
    space.iter().any(|s| s.contains(n))
}

fn overlaps_any(n: &IpNet, used: &[IpNet]) -> bool {
    used.iter().any(|u| overlaps(n, u))
}

fn ceil_log2(n: u64) -> u32 {
    if n <= 1 {
        0
    } else {
        64 - (n - 1).leading_zeros()
    }
}

/// Demand description shared by capacity errors: "51 nodes × (30 pods + 1)".
fn demand(ipam: Ipam, needed: u64, pools: &[PoolPlan]) -> String {
    let nodes: u64 = pools.iter().map(|p| p.peak_nodes).sum();
    let same_pods = pools.windows(2).all(|w| w[0].max_pods == w[1].max_pods);
    let max_pods = pools.first().map(|p| p.max_pods).unwrap_or(0);
    let n = thousands(needed);
    match ipam {
        Ipam::NodeSubnet if same_pods => {
            format!(
                "{} needs {n} addresses for {} nodes × ({max_pods} pods + 1)",
                ipam.describe(),
                thousands(nodes)
            )
        }
        Ipam::PodSubnetDynamic | Ipam::PodSubnetStatic if same_pods => format!(
            "{} needs {n} pod addresses for {} nodes at {max_pods} pods",
            ipam.describe(),
            thousands(nodes)
        ),
        _ => format!(
            "{} needs {n} addresses for {} nodes (surge included)",
            ipam.describe(),
            thousands(nodes)
        ),
    }
}

fn too_big(rule: RuleId, path: FieldPath, ipam: Ipam, needed: u64, pools: &[PoolPlan]) -> Finding {
    Finding::error(
        rule,
        path,
        "Plan Exceeds Subnet Limits",
        format!(
            "{}; no single Azure subnet holds that many; lower node counts or max_pods.",
            demand(ipam, needed, pools)
        ),
    )
}

/// "Azure CNI needs 1,581 addresses for 51 nodes × (30 pods + 1); the largest free range in
/// address_space is /22 (1,019 usable); add a /21 or larger."
fn no_room(
    ipam: Ipam,
    what: &str,
    needed: u64,
    pools: &[PoolPlan],
    space: &[IpNet],
    taken: &[IpNet],
    prefix: u8,
) -> Finding {
    let rule = match (ipam, what) {
        (Ipam::NodeSubnet, _) => RuleId::C5,
        (Ipam::PodSubnetDynamic, "pod subnet") => RuleId::C6,
        (Ipam::PodSubnetStatic, "pod subnet") => RuleId::C7,
        _ => RuleId::C4,
    };
    let largest = (prefix + 1..=cidr::MIN_SUBNET_PREFIX_V4).find_map(|p| first_free(space, taken, p));
    let have = match largest {
        Some(n) => format!(
            "the largest free range in address_space is /{} ({} usable)",
            n.prefix_len(),
            thousands(usable_subnet_ips(&n))
        ),
        None if space.is_empty() => "address_space has no IPv4 range".to_string(),
        None => "address_space has no free /29 left".to_string(),
    };
    Finding::error(
        rule,
        FieldPath::attr("address_space"),
        "Address Space Too Small",
        format!(
            "{} for the {what}; {have}; add a free /{prefix} or larger to address_space, or lower node counts or max_pods.",
            demand(ipam, needed, pools)
        ),
    )
}

fn no_private_room(attr: &'static str, prefix: u8) -> Finding {
    Finding::error(
        RuleId::R3,
        FieldPath::attr(attr),
        "No Free Private Range",
        format!(
            "no free /{prefix} is left in private address space outside address_space and reserved_cidrs; set {attr} explicitly."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netplan::profile::Located;
    use crate::netplan::NodePool;
    use proptest::prelude::*;

    fn loc(s: &str, attr: &'static str) -> Located<String> {
        Located::new(s.to_string(), FieldPath::attr(attr))
    }

    fn pool(i: usize, count: u32, max_count: Option<u32>, max_pods: Option<u32>) -> NodePool {
        NodePool {
            path: FieldPath::attr("node_pool").index(i),
            name: Some(format!("pool{i}")),
            node_count: Some(count),
            max_count,
            max_pods,
            ..Default::default()
        }
    }

    fn request(
        plugin: &str,
        mode: Option<&str>,
        space: &[&str],
        reserved: &[&str],
        pools: Vec<NodePool>,
    ) -> PlanRequest {
        PlanRequest {
            profile: NetworkProfile {
                network_plugin: Some(loc(plugin, "network_plugin")),
                network_plugin_mode: mode.map(|m| loc(m, "network_plugin_mode")),
                vnet_address_space: space.iter().map(|s| loc(s, "address_space")).collect(),
                reserved_cidrs: reserved.iter().map(|s| loc(s, "reserved_cidrs")).collect(),
                node_pools: pools,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn overlay_uses_aks_defaults_when_free() {
        let p = plan(&request(
            "azure",
            Some("overlay"),
            &["10.10.0.0/16"],
            &[],
            vec![pool(0, 3, None, None)],
        ))
        .unwrap();
        assert_eq!(p.ipam, Ipam::Overlay);
        assert_eq!(p.pod_cidrs, vec![net("10.244.0.0/16")]);
        assert_eq!(p.service_cidrs, vec![net("10.0.0.0/16")]);
        assert_eq!(p.dns_service_ip.to_string(), "10.0.0.10");
        // 3 nodes + 1 surge = 4 addresses → /29 (3 usable) is too small, /28 (11) fits.
        assert_eq!(p.node_subnet_cidr, net("10.10.0.0/28"));
        assert_eq!(p.required_node_ips, 4);
        assert_eq!(p.kubenet_routes_needed, 0);
    }

    #[test]
    fn defaults_move_when_taken() {
        let p = plan(&request(
            "kubenet",
            None,
            &["10.0.0.0/16"],
            &["10.244.0.0/16"],
            vec![pool(0, 3, None, None)],
        ))
        .unwrap();
        assert!(!p.service_cidrs.iter().any(|s| overlaps(s, &net("10.0.0.0/16"))));
        assert!(!p.pod_cidrs.iter().any(|s| overlaps(s, &net("10.244.0.0/16"))));
        assert_eq!(p.kubenet_routes_needed, 4);
    }

    #[test]
    fn flat_cni_reports_the_numbers_when_space_is_short() {
        let err = plan(&request(
            "azure",
            None,
            &["10.0.0.0/22"],
            &[],
            vec![pool(0, 50, None, Some(30))],
        ))
        .unwrap_err();
        assert_eq!(err.len(), 1);
        let e = &err[0];
        assert_eq!(e.rule, "C5");
        assert_eq!(e.path, FieldPath::attr("address_space"));
        assert!(
            e.detail.contains("1,581 addresses for 51 nodes × (30 pods + 1)"),
            "{}",
            e.detail
        );
        assert!(e.detail.contains("/21"), "{}", e.detail);
    }

    #[test]
    fn flat_cni_fits_in_a_21() {
        let p = plan(&request(
            "azure",
            None,
            &["10.0.0.0/16"],
            &[],
            vec![pool(0, 50, None, Some(30))],
        ))
        .unwrap();
        assert_eq!(p.node_subnet_cidr.prefix_len(), 21);
        assert_eq!(p.required_node_ips, 1581);
        assert!(p.pod_cidrs.is_empty());
        assert!(p.max_nodes >= 51);
    }

    #[test]
    fn pod_subnet_modes_allocate_a_pod_subnet() {
        let mut req = request(
            "azure",
            None,
            &["10.0.0.0/16"],
            &[],
            vec![pool(0, 10, None, Some(30))],
        );
        req.profile.node_pools[0].uses_pod_subnet = true;
        req.profile.node_pools[0].pod_ip_allocation_mode = Some("StaticBlock".into());
        let p = plan(&req).unwrap();
        assert_eq!(p.ipam, Ipam::PodSubnetStatic);
        // 11 nodes × ceil(31/16)=2 blocks × 16 = 352 → /23 (507 usable).
        assert_eq!(p.required_pod_ips, 352);
        let ps = p.pod_subnet_cidr.unwrap();
        assert_eq!(ps.prefix_len(), 23);
        assert!(!overlaps(&ps, &p.node_subnet_cidr));
    }

    #[test]
    fn a_dynamic_pod_subnet_without_room_for_max_pods_is_planned_for_the_first_batches() {
        let dynamic = |space: &str| {
            let mut req = request("azure", None, &[space], &[], vec![pool(0, 10, None, Some(250))]);
            req.profile.node_pools[0].uses_pod_subnet = true;
            req
        };
        // 11 nodes at peak × 256 = 2,816 pod addresses want a /20; a /22 holds only the
        // first batch of 16 per node (176 → /24): AKS accepts that, with C6's warning.
        let p = plan(&dynamic("10.0.0.0/22")).unwrap();
        assert_eq!(p.ipam, Ipam::PodSubnetDynamic);
        assert_eq!(p.pod_subnet_cidr.unwrap().prefix_len(), 24);
        let w = p
            .warnings
            .iter()
            .find(|f| f.rule == RuleId::C6)
            .expect("a C6 warning");
        assert!(!w.is_error() && w.detail.contains("/20"), "{w:?}");
        // Not even the first batches fit: still C6's error.
        let e = plan(&dynamic("10.0.0.0/24")).unwrap_err();
        assert!(e.iter().any(|f| f.rule == RuleId::C6 && f.is_error()), "{e:?}");
        // Static block reserves its blocks for the node's lifetime: no smaller fallback (C7).
        let mut fixed = dynamic("10.0.0.0/22");
        fixed.profile.node_pools[0].pod_ip_allocation_mode = Some("StaticBlock".into());
        let e = plan(&fixed).unwrap_err();
        assert!(e.iter().any(|f| f.rule == RuleId::C7 && f.is_error()), "{e:?}");
    }

    #[test]
    fn autoscaler_max_count_and_headroom_count() {
        let mut req = request(
            "azure",
            Some("overlay"),
            &["10.0.0.0/16"],
            &[],
            vec![pool(0, 3, Some(99), None)],
        );
        req.headroom_percent = 10;
        let p = plan(&req).unwrap();
        assert_eq!(p.pools[0].peak_nodes, 110); // (99 + 1) × 1.1
    }

    #[test]
    fn prior_ranges_stay_while_they_fit() {
        let mut req = request(
            "azure",
            Some("overlay"),
            &["10.0.0.0/16"],
            &[],
            vec![pool(0, 3, None, None)],
        );
        req.prior = Some(PriorPlan {
            node_subnet_cidr: Some(net("10.0.8.0/24")),
            pod_cidrs: vec![net("10.200.0.0/16")],
            service_cidrs: vec![net("10.2.0.0/16")],
            dns_service_ip: Some("10.2.0.53".parse().unwrap()),
            ..Default::default()
        });
        let p = plan(&req).unwrap();
        assert_eq!(p.node_subnet_cidr, net("10.0.8.0/24"));
        assert_eq!(p.pod_cidrs[0], net("10.200.0.0/16"));
        assert_eq!(p.service_cidrs[0], net("10.2.0.0/16"));
        assert_eq!(p.dns_service_ip.to_string(), "10.2.0.53");
        assert!(p.warnings.iter().all(|w| w.summary != MOVE_SUMMARY));

        // The prior node subnet becomes reserved: it must move, and plan says so.
        req.profile
            .reserved_cidrs
            .push(loc("10.0.8.0/24", "reserved_cidrs"));
        let p = plan(&req).unwrap();
        assert_ne!(p.node_subnet_cidr, net("10.0.8.0/24"));
        let moved = p
            .warnings
            .iter()
            .find(|w| w.summary == MOVE_SUMMARY)
            .expect("move warning");
        assert!(moved.detail.contains("10.0.8.0/24"), "{}", moved.detail);
    }

    #[test]
    fn dual_stack_adds_ipv6_defaults() {
        let mut req = request(
            "azure",
            Some("overlay"),
            &["10.0.0.0/16"],
            &[],
            vec![pool(0, 3, None, None)],
        );
        req.profile.ip_families = vec![loc("IPv4", "ip_families"), loc("IPv6", "ip_families")];
        let p = plan(&req).unwrap();
        assert_eq!(p.pod_cidrs[1], net(DEFAULT_POD_CIDR_V6));
        assert_eq!(p.service_cidrs[1], net(DEFAULT_SERVICE_CIDR_V6));
    }

    #[test]
    fn capacity_names_the_binding_limit() {
        // The node subnet is sized to the peak: 4 nodes → /28 with 11 usable.
        let p = plan(&request(
            "kubenet",
            None,
            &["10.0.0.0/16"],
            &[],
            vec![pool(0, 3, None, None)],
        ))
        .unwrap();
        assert_eq!(p.max_nodes, 11);
        assert!(
            p.max_nodes_limit.starts_with("node_subnet_cidr"),
            "{}",
            p.max_nodes_limit
        );
        // A user-chosen /22 pod CIDR holds 4 nodes at one /24 each and binds first.
        let mut req = request(
            "kubenet",
            None,
            &["10.0.0.0/16"],
            &[],
            vec![pool(0, 3, None, None)],
        );
        req.profile.pod_cidrs = vec![loc("10.100.0.0/22", "pod_cidr")];
        let p = plan(&req).unwrap();
        assert_eq!(p.max_nodes, 4);
        assert!(p.max_nodes_limit.starts_with("pod_cidr"), "{}", p.max_nodes_limit);
        assert_eq!(p.pod_cidrs[0], net("10.100.0.0/22"));
    }

    fn arb_net() -> impl Strategy<Value = String> {
        (0u8..=3, 0u8..=255, 16u8..=28).prop_map(|(a, b, len)| {
            let base = [
                10u32 << 24,
                (172 << 24) | (16 << 16),
                (192 << 24) | (168 << 16),
                100 << 24 | 64 << 16,
            ][a as usize];
            let addr = base | (u32::from(b) << 8);
            let n = ipnet::Ipv4Net::new(std::net::Ipv4Addr::from(addr), len)
                .unwrap()
                .trunc();
            n.to_string()
        })
    }

    fn arb_request() -> impl Strategy<Value = PlanRequest> {
        (
            prop::sample::select(vec![
                ("azure", Some("overlay")),
                ("azure", None),
                ("kubenet", None),
                ("none", None),
            ]),
            prop::collection::vec(arb_net(), 1..3),
            prop::collection::vec(arb_net(), 0..6),
            prop::collection::vec(
                (
                    1u32..60,
                    prop::option::of(1u32..120),
                    prop::option::of(10u32..=250),
                ),
                1..4,
            ),
        )
            .prop_map(|((plugin, mode), space, reserved, pools)| {
                let pools = pools
                    .into_iter()
                    .enumerate()
                    .map(|(i, (c, m, p))| pool(i, c, m, p))
                    .collect();
                let space: Vec<&str> = space.iter().map(String::as_str).collect();
                let reserved: Vec<&str> = reserved.iter().map(String::as_str).collect();
                request(plugin, mode, &space, &reserved, pools)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn allocations_are_disjoint_inside_space_and_big_enough(req in arb_request()) {
            let Ok(p) = plan(&req) else { return Ok(()) };
            let space: Vec<IpNet> = req.profile.vnet_address_space.iter().map(|l| net(&l.value)).collect();
            let reserved: Vec<IpNet> = req.profile.reserved_cidrs.iter().map(|l| net(&l.value)).collect();
            let mut all = vec![p.node_subnet_cidr];
            all.extend(p.pod_subnet_cidr);
            for n in &all {
                prop_assert!(space.iter().any(|s| s.contains(n)), "{n} outside {space:?}");
            }
            all.extend(p.pod_cidrs.iter().copied());
            all.extend(p.service_cidrs.iter().copied());
            for (i, a) in all.iter().enumerate() {
                for b in &all[i + 1..] {
                    prop_assert!(!overlaps(a, b), "{a} overlaps {b}");
                }
                prop_assert!(!reserved.iter().any(|r| overlaps(a, r)), "{a} overlaps reserved {reserved:?}");
                for r in cidr::AKS_RESERVED {
                    prop_assert!(!overlaps(a, &net(r)), "{a} overlaps AKS-reserved {r}");
                }
            }
            for n in p.pod_cidrs.iter().chain(&p.service_cidrs) {
                prop_assert!(!space.iter().any(|s| overlaps(n, s)), "{n} inside the VNet");
            }
            let peak: u64 = p.pools.iter().map(|x| x.peak_nodes).sum();
            prop_assert!(usable_subnet_ips(&p.node_subnet_cidr) >= p.required_node_ips);
            if let Some(ps) = p.pod_subnet_cidr {
                prop_assert!(usable_subnet_ips(&ps) >= p.required_pod_ips);
            }
            if let Some(IpNet::V4(pc)) = p.pod_cidrs.first() {
                prop_assert!(sizing::pod_cidr_max_nodes(pc.prefix_len()) >= peak);
            }
            prop_assert!(p.max_nodes >= peak, "max_nodes {} < peak {peak}", p.max_nodes);
            prop_assert!(p.service_cidrs[0].contains(&p.dns_service_ip));
        }

        #[test]
        fn input_order_does_not_change_the_plan(req in arb_request()) {
            let mut shuffled = req.clone();
            shuffled.profile.vnet_address_space.reverse();
            shuffled.profile.reserved_cidrs.reverse();
            let a = plan(&req).map(|p| (p.node_subnet_cidr, p.pod_subnet_cidr, p.pod_cidrs, p.service_cidrs, p.dns_service_ip));
            let b = plan(&shuffled).map(|p| (p.node_subnet_cidr, p.pod_subnet_cidr, p.pod_cidrs, p.service_cidrs, p.dns_service_ip));
            prop_assert_eq!(a.is_ok(), b.is_ok());
            if let (Ok(a), Ok(b)) = (a, b) {
                prop_assert_eq!(a, b);
            }
        }
    }
}
