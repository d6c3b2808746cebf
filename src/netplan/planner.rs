//! The address planner behind `aksnet_pod_cidr_plan`: sizes every range from the node
//! pools, carves node and pod subnets out of the address space, picks pod and service
//! CIDRs that collide with nothing, and keeps earlier answers while they still fit.

use std::net::IpAddr;

use ipnet::IpNet;

use super::cidr::{self, first_free, overlaps, parse_cidr, thousands, usable_subnet_ips};
use super::rules::validate_profile;
use super::sizing::{self, Ipam};
use super::{FieldPath, Finding, NetworkProfile};

/// AKS's default pod CIDR (R7; SPEC).
pub const DEFAULT_POD_CIDR: &str = "10.244.0.0/16";
/// AKS's default service CIDR (R5; SPEC).
pub const DEFAULT_SERVICE_CIDR: &str = "10.0.0.0/16";
/// AKS's dual-stack IPv6 defaults (R7; A-ds).
pub const DEFAULT_POD_CIDR_V6: &str = "fd12:3456:789a::/64";
pub const DEFAULT_SERVICE_CIDR_V6: &str = "fd12:3456:789a:1::/108";
/// Offset of the DNS service IP in the service CIDR (`.10`, R5).
pub const DNS_SERVICE_IP_OFFSET: u64 = 10;

/// Private spaces searched when a default range is taken (R3: RFC 1918 and RFC 6598).
const PRIVATE_V4: [&str; 4] = ["10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "192.168.0.0/16"];
const PRIVATE_V6: &str = "fd00::/8";

/// Everything the planner needs; the profile carries the user's explicit values.
#[derive(Debug, Clone, Default)]
pub struct PlanRequest {
    pub profile: NetworkProfile,
    /// Growth to reserve on top of peak nodes, in percent.
    pub headroom_percent: u32,
    /// The previous plan, kept wherever it still fits (no needless renumbering).
    pub prior: Option<PriorPlan>,
}

/// Ranges of an earlier plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriorPlan {
    pub node_subnet_cidr: Option<IpNet>,
    pub pod_subnet_cidr: Option<IpNet>,
    pub pod_cidrs: Vec<IpNet>,
    pub service_cidrs: Vec<IpNet>,
    pub dns_service_ip: Option<IpAddr>,
}

/// Per-pool sizing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolPlan {
    pub name: String,
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
    pub ipam: Ipam,
    pub node_subnet_cidr: IpNet,
    pub pod_subnet_cidr: Option<IpNet>,
    /// Pod CIDRs in `ip_families` order (kubenet, overlay, none).
    pub pod_cidrs: Vec<IpNet>,
    /// Service CIDRs in `ip_families` order.
    pub service_cidrs: Vec<IpNet>,
    pub dns_service_ip: IpAddr,
    /// Nodes the plan can hold (surge nodes included) and the range or limit that binds.
    pub max_nodes: u64,
    pub max_nodes_limit: String,
    pub required_node_ips: u64,
    pub required_pod_ips: u64,
    pub kubenet_routes_needed: u64,
    pub pools: Vec<PoolPlan>,
    /// Rule warnings and notes about moved ranges.
    pub warnings: Vec<Finding>,
}

/// Plans the addresses or returns every error found.
pub fn plan(req: &PlanRequest) -> Result<Plan, Vec<Finding>> {
    let p = &req.profile;
    let mut findings = validate_profile(p);
    if findings.iter().any(Finding::is_error) {
        findings.retain(Finding::is_error);
        return Err(findings);
    }
    let mut warnings = findings;

    let pod_subnet = p.node_pools.iter().any(|n| n.uses_pod_subnet);
    let alloc_mode = p.node_pools.iter().find_map(|n| n.pod_ip_allocation_mode.as_deref());
    let ipam = Ipam::from_settings(
        value(&p.network_plugin),
        value(&p.network_plugin_mode),
        pod_subnet,
        alloc_mode,
    )
    .ok_or_else(|| {
        vec![Finding::error("E1", FieldPath::attr("network_plugin"), "Unsupported Network Plugin", "network_plugin must be `azure`, `kubenet` or `none`.")]
    })?;

    let pools = size_pools(req, ipam)?;
    let total_nodes: u64 = pools.iter().map(|x| x.peak_nodes).sum();
    let node_ips: u64 = pools.iter().map(|x| x.node_ips).sum();
    let pod_ips: u64 = pools.iter().map(|x| x.pod_ips).sum();
    let max_pods_any = pools.iter().map(|x| x.max_pods).max().unwrap_or(0);

    let space = sorted_nets(p.vnet_address_space.iter().map(|l| l.value.as_str()));
    let reserved = sorted_nets(p.reserved_cidrs.iter().map(|l| l.value.as_str()));
    let aks_reserved = sorted_nets(cidr::AKS_RESERVED.iter().copied());
    let prior = req.prior.clone().unwrap_or_default();
    let space_v4: Vec<IpNet> = space.iter().filter(|n| matches!(n, IpNet::V4(_))).copied().collect();

    // Node subnet: every node's IP, plus pods for flat Azure CNI (C4, C5).
    let node_prefix = cidr::smallest_v4_subnet_prefix(node_ips).ok_or_else(|| {
        vec![too_big("C4", FieldPath::root(), ipam, node_ips, &pools)]
    })?;
    let mut taken: Vec<IpNet> = reserved.clone();
    let node_subnet = keep_or_allocate(
        prior.node_subnet_cidr,
        node_prefix,
        |n| inside_any(n, &space_v4) && !overlaps_any(n, &taken),
        || first_free(&space_v4, &taken, node_prefix),
    )
    .ok_or_else(|| vec![no_room(ipam, "node subnet", node_ips, &pools, &space_v4, &taken, node_prefix)])?;
    note_move(&mut warnings, "node_subnet_cidr", prior.node_subnet_cidr, node_subnet.0, node_prefix);
    let node_subnet = node_subnet.0;
    taken.push(node_subnet);

    // Pod subnet: pod-subnet modes only (C6, C7).
    let pod_subnet_cidr = if ipam.uses_pod_subnet() {
        let prefix = cidr::smallest_v4_subnet_prefix(pod_ips)
            .ok_or_else(|| vec![too_big("C6", FieldPath::root(), ipam, pod_ips, &pools)])?;
        let chosen = keep_or_allocate(
            prior.pod_subnet_cidr,
            prefix,
            |n| inside_any(n, &space_v4) && !overlaps_any(n, &taken),
            || first_free(&space_v4, &taken, prefix),
        )
        .ok_or_else(|| vec![no_room(ipam, "pod subnet", pod_ips, &pools, &space_v4, &taken, prefix)])?;
        note_move(&mut warnings, "pod_subnet_cidr", prior.pod_subnet_cidr, chosen.0, prefix);
        taken.push(chosen.0);
        Some(chosen.0)
    } else {
        None
    };

    // Ranges outside the VNet must avoid the VNet, reserved ranges and AKS's own (R1, R3, R4).
    let mut outside: Vec<IpNet> = space.iter().chain(&reserved).chain(&aks_reserved).copied().collect();
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
                    prior.pod_cidrs.first().copied().filter(|n| matches!(n, IpNet::V4(_))),
                    needed,
                    |n| !overlaps_any(n, &outside),
                    || allocate_outside(DEFAULT_POD_CIDR, needed.min(16), needed, &outside),
                )
                .ok_or_else(|| vec![no_private_room("pod_cidr", needed)])?;
                note_move(&mut warnings, "pod_cidr", prior.pod_cidrs.first().copied(), chosen.0, needed);
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
                prior.service_cidrs.first().copied().filter(|n| matches!(n, IpNet::V4(_))),
                24,
                |n| !overlaps_any(n, &outside),
                || {
                    [16u8, 20, 24]
                        .iter()
                        .find_map(|&pfx| allocate_outside(DEFAULT_SERVICE_CIDR, pfx, pfx, &outside))
                },
            )
            .ok_or_else(|| vec![no_private_room("service_cidr", 24)])?;
            note_move(&mut warnings, "service_cidr", prior.service_cidrs.first().copied(), chosen.0, 24);
            chosen.0
        }
    };
    outside.push(service_v4);
    let mut service_cidrs = vec![service_v4];

    if dual {
        if ipam.uses_pod_cidr() {
            let prior_v6 = prior.pod_cidrs.iter().copied().find(|n| matches!(n, IpNet::V6(_)));
            let v6 = keep_or_allocate(prior_v6, 64, |n| !overlaps_any(n, &outside), || {
                allocate_outside(DEFAULT_POD_CIDR_V6, 64, 64, &outside)
            })
            .ok_or_else(|| vec![no_private_room("pod_cidrs", 64)])?;
            outside.push(v6.0);
            pod_cidrs.push(v6.0);
        }
        let prior_v6 = prior.service_cidrs.iter().copied().find(|n| matches!(n, IpNet::V6(_)));
        let v6 = keep_or_allocate(prior_v6, 108, |n| !overlaps_any(n, &outside), || {
            allocate_outside(DEFAULT_SERVICE_CIDR_V6, 108, 108, &outside)
        })
        .ok_or_else(|| vec![no_private_room("service_cidrs", 108)])?;
        service_cidrs.push(v6.0);
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
                    "R5",
                    FieldPath::attr("service_cidr"),
                    "Service CIDR Too Small",
                    format!("service_cidr {service_v4} has no address for the DNS service IP; use a /28 or larger."),
                )]
            })?,
    };

    let (max_nodes, max_nodes_limit) =
        capacity(ipam, &node_subnet, pod_subnet_cidr.as_ref(), pod_cidrs.first(), max_pods_any);
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
                    "C4",
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
        let node_ips = if ipam == Ipam::NodeSubnet { peak * (1 + per_node_pod) } else { peak };
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
            "C4",
            FieldPath::attr(attr),
            "Address Range Moves",
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

/// What the plan can hold, and which limit binds first.
fn capacity(
    ipam: Ipam,
    node_subnet: &IpNet,
    pod_subnet: Option<&IpNet>,
    pod_cidr: Option<&IpNet>,
    max_pods: u32,
) -> (u64, String) {
    let per_node_pod = sizing::pod_ips_per_node(ipam, max_pods);
    let mut limits: Vec<(u64, String)> = Vec::new();
    let node_usable = usable_subnet_ips(node_subnet);
    let per_node_subnet = if ipam == Ipam::NodeSubnet { 1 + per_node_pod } else { 1 };
    limits.push((node_usable / per_node_subnet, format!("node_subnet_cidr ({node_subnet})")));
    if let Some(ps) = pod_subnet {
        limits.push((usable_subnet_ips(ps) / per_node_pod.max(1), format!("pod_subnet_cidr ({ps})")));
    }
    if let Some(IpNet::V4(pc)) = pod_cidr {
        limits.push((sizing::pod_cidr_max_nodes(pc.prefix_len()), format!("pod_cidr ({pc}, one /24 per node)")));
    }
    if ipam == Ipam::Kubenet {
        limits.push((sizing::KUBENET_MAX_ROUTES, "kubenet route table (400 routes)".into()));
    }
    limits.push((sizing::MAX_CLUSTER_NODES, "AKS cluster limit (5,000 nodes)".into()));
    limits.into_iter().min_by_key(|(n, _)| *n).unwrap_or((0, String::new()))
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
            format!("{} needs {n} addresses for {} nodes × ({max_pods} pods + 1)", ipam.describe(), thousands(nodes))
        }
        Ipam::PodSubnetDynamic | Ipam::PodSubnetStatic if same_pods => format!(
            "{} needs {n} pod addresses for {} nodes at {max_pods} pods",
            ipam.describe(),
            thousands(nodes)
        ),
        _ => format!("{} needs {n} addresses for {} nodes (surge included)", ipam.describe(), thousands(nodes)),
    }
}

fn too_big(rule: &'static str, path: FieldPath, ipam: Ipam, needed: u64, pools: &[PoolPlan]) -> Finding {
    Finding::error(
        rule,
        path,
        "Plan Exceeds Subnet Limits",
        format!("{}; no single Azure subnet holds that many; lower node counts or max_pods.", demand(ipam, needed, pools)),
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
        (Ipam::NodeSubnet, _) => "C5",
        (Ipam::PodSubnetDynamic, "pod subnet") => "C6",
        (Ipam::PodSubnetStatic, "pod subnet") => "C7",
        _ => "C4",
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
        "R3",
        FieldPath::attr(attr),
        "No Free Private Range",
        format!(
            "no free /{prefix} is left in private address space outside address_space and reserved_cidrs; set {attr} explicitly."
        ),
    )
}
