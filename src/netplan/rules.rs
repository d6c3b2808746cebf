//! Static rules (E, R, C, W) over a [`NetworkProfile`]: everything that can be checked
//! without calling Azure. Each rule is one small function whose doc comment cites its id
//! (see [`super::catalog`] for titles, fixes and the sources behind the source keys).
//!
//! Not checkable here: E11 (`networkMode` is not part of [`NetworkProfile`]), the LB and
//! NAT-gateway profile parts of E16 and O1–O8 (no such inputs; O rules need Azure), R9
//! (resource names), R10 (no docker bridge input), W2 (migrations) and W4 (role
//! assignments).
//!
//! Conventions: an unknown enum value is reported once (by its enumeration rule) and
//! otherwise read case-insensitively, so a wrong spelling does not cascade into further
//! findings; when a combination breaks two rules, the more specific rule reports it (kubenet
//! combinations are E9, Calico on Windows is E8, the cilium dataplane on Windows is E6).

use std::net::IpAddr;

use ipnet::IpNet;

use super::cidr::{self, overlaps, parse_cidr, parse_ip, thousands, usable_subnet_ips};
use super::profile::{Lifecycle, Located, DEFAULT_POD_CIDR, DEFAULT_SERVICE_CIDR};
use super::sizing::{self, Ipam};
use super::{FieldPath, Finding, NetworkProfile, NodePool, RuleId, Step, SurgeError};

type Out = Vec<Finding>;

/// Runs every rule that needs no Azure call. Errors come first, then warnings; within each
/// group findings follow rule order (E, R, C, W) and input order, so the result is
/// deterministic for the same input.
pub fn validate_profile(p: &NetworkProfile) -> Vec<Finding> {
    let mut syntax = Vec::new();
    let c = Ctx::new(p, &mut syntax);
    let mut out = Vec::new();
    for rule in ENUMS_AND_RANGES {
        rule(&c, &mut out);
    }
    // R7 syntax findings were made while parsing; report them in rule order.
    out.append(&mut syntax);
    for rule in SUBNETS_CAPACITY_AND_WINDOWS {
        rule(&c, &mut out);
    }
    out.sort_by_key(|f| f.severity);
    out
}

type Rule = fn(&Ctx, &mut Out);

/// E1–E16 and R1–R7, in rule order.
const ENUMS_AND_RANGES: &[Rule] = &[
    e1_network_plugin,
    e2_network_plugin_mode,
    e3_network_policy,
    e4_cilium_policy_and_dataplane,
    e5_network_data_plane,
    e6_cilium_is_linux_only,
    e7_azure_npm,
    e8_calico_on_windows,
    e9_kubenet_limits,
    e10_pod_cidr_mode,
    e12_pod_subnet,
    e13_pod_ip_allocation_mode,
    e14_ip_family_values,
    e14_cidrs_per_family,
    e14_dual_stack_support,
    e15_outbound_type,
    e16_load_balancer_sku,
    r1_aks_reserved,
    r2_forbidden_ranges,
    r3_pod_cidr_overlap,
    r3_public_pod_cidr,
    r4_service_cidr_overlap,
    r4_service_cidr_size,
    r5_dns_service_ip,
    r6_dns_and_service_together,
    r7_dns_syntax,
];

/// R8, C1–C9, W1 and W3, in rule order.
const SUBNETS_CAPACITY_AND_WINDOWS: &[Rule] = &[
    r8_subnet_size,
    r8_subnet_placement,
    c1_pod_cidr_capacity,
    c2_kubenet_routes,
    c3_pool_counts,
    c3_cluster_size,
    c4_max_surge,
    c4_c5_node_subnet,
    c6_c7_pod_subnet,
    c7_static_block_version,
    c8_max_pods,
    c9_windows_overlay_max_pods,
    w1_pool_names,
    w1_windows_pools,
    w3_kubenet_retirement,
    w3_npm_retirement,
];

// ---------------------------------------------------------------------------------------
// Context: the values every rule needs, derived once.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plugin {
    Azure,
    Kubenet,
    Byo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Policy {
    Off,
    Calico,
    Azure,
    Cilium,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dataplane {
    Azure,
    Cilium,
}

const PLUGINS: &[&str] = &["azure", "kubenet", "none"];
const PLUGIN_MODES: &[&str] = &["overlay"];
const POLICIES: &[&str] = &["none", "calico", "azure", "cilium"];
const DATAPLANES: &[&str] = &["azure", "cilium"];
const FAMILIES: &[&str] = &["IPv4", "IPv6"];
const OUTBOUND_TYPES: &[&str] = &[
    "loadBalancer",
    "userDefinedRouting",
    "managedNATGateway",
    "userAssignedNATGateway",
    "none",
];
/// Outbound types that exist only in preview API versions (E15).
const PREVIEW_OUTBOUND_TYPES: &[&str] = &["managedNATGatewayV2", "block"];
const LB_SKUS: &[&str] = &["standard", "basic"];
const OS_TYPES: &[&str] = &["Linux", "Windows"];
const ALLOCATION_MODES: &[&str] = &["DynamicIndividual", "StaticBlock"];

/// Looks a value up case-insensitively; `None` when it is not one of `table`.
fn lookup<T: Copy>(value: &str, table: &[(&str, T)]) -> Option<T> {
    let value = value.trim();
    table
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(value))
        .map(|(_, t)| *t)
}

fn val(v: &Option<Located<String>>) -> Option<&str> {
    v.as_ref().map(|l| l.value.as_str())
}

/// The path of a top-level value, or `fallback` when the value is unset.
fn at(v: &Option<Located<String>>, fallback: &'static str) -> FieldPath {
    v.as_ref()
        .map(|l| l.path.clone())
        .unwrap_or_else(|| FieldPath::attr(fallback))
}

/// The path of a list attribute itself (its first element's path without the index).
fn list_path(items: &[Located<String>], fallback: &'static str) -> FieldPath {
    match items.first() {
        Some(l) => {
            let mut path = l.path.clone();
            if matches!(path.0.last(), Some(Step::Index(_))) {
                path.0.pop();
            }
            path
        }
        None => FieldPath::attr(fallback),
    }
}

fn is_windows(pool: &NodePool) -> bool {
    pool.os_type
        .as_deref()
        .is_some_and(|o| o.trim().eq_ignore_ascii_case("Windows"))
}

fn is_static_block(mode: Option<&str>) -> bool {
    mode.is_some_and(|m| m.trim().eq_ignore_ascii_case("StaticBlock"))
}

/// `"1.29.4"` or `"1.29"` → `(1, 29)`; `None` for anything else.
fn parse_version(v: &str) -> Option<(u32, u32)> {
    let parts: Vec<&str> = v.trim().split('.').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|s| s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some((parts[0].parse().ok()?, parts[1].parse().ok()?))
}

/// Parsed ranges, each with the path it came from. Values that do not parse are R7 errors
/// and are left out, so later rules only see valid ranges.
struct Ranges {
    pod: Vec<(IpNet, FieldPath)>,
    service: Vec<(IpNet, FieldPath)>,
    vnet: Vec<(IpNet, FieldPath)>,
    /// True when every VNet address space entry parsed (placement checks need all of them).
    vnet_complete: bool,
    reserved: Vec<(IpNet, FieldPath)>,
    /// Every subnet of the VNet, with its name (live).
    vnet_subnets: Vec<(IpNet, String)>,
    /// Peered address spaces (live).
    peered: Vec<(IpNet, FieldPath)>,
    node_subnet: Option<(IpNet, FieldPath)>,
    pod_subnet: Option<(IpNet, FieldPath)>,
    /// `pod` / `service` hold AKS's default for an unset attribute rather than a written value.
    pod_defaulted: bool,
    service_defaulted: bool,
}

impl Ranges {
    /// R7: CIDRs must be valid network addresses with a prefix length (SPEC patterns).
    fn parse(p: &NetworkProfile, out: &mut Out) -> Ranges {
        let mut one = |l: &Located<String>| match parse_cidr(&l.value) {
            Ok(n) => Some((n, l.path.clone())),
            Err(e) => {
                out.push(Finding::error(
                    RuleId::R7,
                    l.path.clone(),
                    "Invalid CIDR",
                    format!("{e}."),
                ));
                None
            }
        };
        let pod = p.pod_cidrs.iter().filter_map(&mut one).collect();
        let service = p.service_cidrs.iter().filter_map(&mut one).collect();
        let vnet: Vec<_> = p.vnet_address_space.iter().filter_map(&mut one).collect();
        let reserved = p.reserved_cidrs.iter().filter_map(&mut one).collect();
        let node_subnet = p.node_subnet_cidr.as_ref().and_then(&mut one);
        let pod_subnet = p.pod_subnet_cidr.as_ref().and_then(&mut one);
        let peered = p.peered_cidrs.iter().filter_map(&mut one).collect();
        // Azure's own listing: what does not parse is not the user's to fix.
        let vnet_subnets = p
            .vnet_subnets
            .iter()
            .filter_map(|(name, l)| parse_cidr(&l.value).ok().map(|n| (n, name.clone())))
            .collect();
        Ranges {
            vnet_complete: vnet.len() == p.vnet_address_space.len(),
            pod,
            service,
            vnet,
            reserved,
            vnet_subnets,
            peered,
            node_subnet,
            pod_subnet,
            pod_defaulted: false,
            service_defaulted: false,
        }
    }

    /// AKS's defaults enter the rules as if written (SPEC 2025-10-01: `serviceCidr`
    /// 10.0.0.0/16 with `dnsServiceIP` 10.0.0.10; `podCidr` 10.244.0.0/16 for kubenet and
    /// overlay; A-ovc), unless the attribute is unknown until apply. Dual-stack defaults are
    /// left to AKS.
    fn default_unset(&mut self, p: &NetworkProfile, ipam: Option<Ipam>, dual: bool) {
        let unset = |attrs: &[&str]| attrs.iter().all(|a| !p.unknown.contains(a));
        if dual {
            return;
        }
        if p.service_cidrs.is_empty()
            && p.dns_service_ip.is_none()
            && unset(&["service_cidr", "service_cidrs", "dns_service_ip"])
        {
            if let Ok(n) = parse_cidr(DEFAULT_SERVICE_CIDR) {
                self.service.push((n, FieldPath::attr("service_cidr")));
                self.service_defaulted = true;
            }
        }
        if p.pod_cidrs.is_empty()
            && matches!(ipam, Some(Ipam::Kubenet | Ipam::Overlay))
            && unset(&[
                "pod_cidr",
                "pod_cidrs",
                "network_plugin",
                "network_plugin_mode",
                "kubernetes_version",
            ])
        {
            if let Ok(n) = parse_cidr(DEFAULT_POD_CIDR) {
                self.pod.push((n, FieldPath::attr("pod_cidr")));
                self.pod_defaulted = true;
            }
        }
    }

    /// How a message names a pod or service range: AKS's default says so.
    fn shown(&self, n: &IpNet, service: bool) -> String {
        let (defaulted, attr) = if service {
            (self.service_defaulted, "service_cidr")
        } else {
            (self.pod_defaulted, "pod_cidr")
        };
        if defaulted {
            format!("{n} (AKS's default, as {attr} is unset)")
        } else {
            n.to_string()
        }
    }

    /// Node and pod subnets, labelled for messages.
    fn subnets(&self) -> impl Iterator<Item = (&IpNet, &FieldPath, &'static str)> {
        let node = self.node_subnet.iter().map(|(n, p)| (n, p, "node subnet"));
        node.chain(self.pod_subnet.iter().map(|(n, p)| (n, p, "pod subnet")))
    }
}

/// What every rule needs, derived once from the profile.
struct Ctx<'a> {
    p: &'a NetworkProfile,
    /// `(major, minor)` of `kubernetes_version`, when set and readable.
    version: Option<(u32, u32)>,
    /// The plugin AKS will use (E1, SPEC-def); `None` when `network_plugin` is unknown.
    plugin: Option<Plugin>,
    /// Azure CNI Overlay (explicit, or AKS's default from Kubernetes 1.30); `None` when an
    /// input that decides it is known only after apply.
    overlay: Option<bool>,
    /// `None` when `network_policy` is unknown; unset means [`Policy::Off`].
    policy: Option<Policy>,
    /// `None` when `network_data_plane` is unknown; unset means [`Dataplane::Azure`].
    dataplane: Option<Dataplane>,
    /// How pods get addresses; `None` when the plugin is unreadable or an input that decides
    /// it is known only after apply ([`Ctx::ipam_pending`]).
    ipam: Option<Ipam>,
    /// `ipam` waits for a value known only after apply.
    ipam_pending: bool,
    /// `ip_families` contains IPv6.
    dual: bool,
    /// `ip_families` is known only after apply: family-dependent rules wait.
    families_unknown: bool,
    r: Ranges,
}

impl<'a> Ctx<'a> {
    /// Derives the context; R7 syntax findings go to `syntax`.
    fn new(p: &'a NetworkProfile, syntax: &mut Out) -> Ctx<'a> {
        let r = Ranges::parse(p, syntax);
        let version = p.kubernetes_version.as_ref().and_then(|l| {
            let v = parse_version(&l.value);
            // I5, the one check of the version's form for every path (resources and
            // network_profile_errors alike): managedClusters.json 2025-10-01,
            // kubernetesVersion: "Both patch version <major.minor.patch> (e.g. 1.20.13) and
            // <major.minor> (e.g. 1.20) are supported." Anything else AKS refuses.
            if v.is_none() {
                syntax.push(Finding::error(
                    RuleId::I5,
                    l.path.clone(),
                    "Invalid Kubernetes Version",
                    format!(
                        "kubernetes_version \"{}\" is not a version such as \"1.33\" or \"1.33.2\" (AKS takes major.minor or major.minor.patch).",
                        l.value
                    ),
                ));
            }
            v
        });
        let unknown = |a: &str| p.unknown.contains(a);
        let mode_overlay =
            val(&p.network_plugin_mode).is_some_and(|m| m.trim().eq_ignore_ascii_case("overlay"));
        let mode_unknown = unknown("network_plugin_mode");
        let plugin = match &p.network_plugin {
            // Known only after apply: nothing that depends on the plugin is assumed (issue 15).
            None if unknown("network_plugin") => None,
            Some(l) => lookup(
                &l.value,
                &[
                    ("azure", Plugin::Azure),
                    ("kubenet", Plugin::Kubenet),
                    ("none", Plugin::Byo),
                ],
            ),
            // A plugin mode only exists for azure, so `overlay` alone means Azure CNI Overlay.
            None if mode_overlay => Some(Plugin::Azure),
            // The default depends on the mode and the version: unknown when either is.
            None if mode_unknown || unknown("kubernetes_version") => None,
            None if version.is_some_and(|v| v < (1, 30)) => Some(Plugin::Kubenet),
            None => Some(Plugin::Azure),
        };
        let overlay = if plugin != Some(Plugin::Azure) {
            Some(false)
        } else if mode_unknown {
            None
        } else {
            Some(mode_overlay || (p.network_plugin.is_none() && p.network_plugin_mode.is_none()))
        };
        let dataplane = match val(&p.network_data_plane) {
            None if unknown("network_data_plane") => None,
            None => Some(Dataplane::Azure),
            Some(v) => lookup(v, &[("azure", Dataplane::Azure), ("cilium", Dataplane::Cilium)]),
        };
        let policy = match val(&p.network_policy) {
            None if unknown("network_policy") => None,
            // Unset with the cilium dataplane, AKS enforces policy with Cilium: az aks create
            // --network-dataplane=cilium without --network-policy (Azure/azure-cli#25951's
            // testing guide; the Azure Verified Module's waf-aligned example sends
            // networkDataplane cilium and no networkPolicy). Only an explicit other value is
            // refused (CiliumDataplaneRequiresNetworkPolicyCilium; Azure/azure-cli-extensions#7011:
            // an update that sent networkPolicy=none "fails on validation").
            None => match dataplane {
                Some(Dataplane::Cilium) => Some(Policy::Cilium),
                Some(_) => Some(Policy::Off),
                None => None,
            },
            Some(v) => lookup(
                v,
                &[
                    ("none", Policy::Off),
                    ("calico", Policy::Calico),
                    ("azure", Policy::Azure),
                    ("cilium", Policy::Cilium),
                ],
            ),
        };
        let pod_subnet = p.node_pools.iter().any(|n| n.uses_pod_subnet);
        let alloc = p
            .node_pools
            .iter()
            .find(|n| n.uses_pod_subnet)
            .and_then(|n| is_static_block(n.pod_ip_allocation_mode.as_deref()).then_some("StaticBlock"));
        let pools_pending = p
            .node_pools
            .iter()
            .any(|n| n.unknown.contains("pod_subnet_id") || n.unknown.contains("pod_ip_allocation_mode"));
        let ipam = plugin
            // Only flat Azure CNI splits on the pod subnet (node subnet vs pod subnet).
            .filter(|pl| {
                *pl != Plugin::Azure || overlay == Some(true) || (overlay.is_some() && !pools_pending)
            })
            .and_then(|pl| {
                let name = match pl {
                    Plugin::Azure => "azure",
                    Plugin::Kubenet => "kubenet",
                    Plugin::Byo => "none",
                };
                Ipam::from_settings(
                    Some(name),
                    (overlay == Some(true)).then_some("overlay"),
                    pod_subnet,
                    alloc,
                )
            });
        let dual = p
            .ip_families
            .iter()
            .any(|f| f.value.trim().eq_ignore_ascii_case("IPv6"));
        let families_unknown = unknown("ip_families");
        let ipam_pending = ipam.is_none()
            && (unknown("network_plugin")
                || (p.network_plugin.is_none() && (mode_unknown || unknown("kubernetes_version")))
                || (plugin == Some(Plugin::Azure)
                    && (overlay.is_none() || (overlay == Some(false) && pools_pending))));
        let mut r = r;
        if !families_unknown {
            r.default_unset(p, ipam, dual);
        }
        Ctx {
            p,
            version,
            plugin,
            overlay,
            policy,
            dataplane,
            ipam,
            ipam_pending,
            dual,
            families_unknown,
            r,
        }
    }

    /// True when `attr` is known only after apply.
    fn unknown(&self, attr: &str) -> bool {
        self.p.unknown.contains(attr)
    }

    /// True when any pool's `attr` is known only after apply.
    fn pool_unknown(&self, attrs: &[&str]) -> bool {
        self.p
            .node_pools
            .iter()
            .any(|n| attrs.iter().any(|a| n.unknown.contains(a)))
    }

    /// True when the pod or service CIDRs are known only after apply.
    fn pods_unknown(&self) -> bool {
        self.unknown("pod_cidr") || self.unknown("pod_cidrs")
    }

    fn services_unknown(&self) -> bool {
        self.unknown("service_cidr") || self.unknown("service_cidrs")
    }

    /// Pool sizes (counts, surge) are known: the capacity rules can count nodes.
    fn sizes_known(&self) -> bool {
        !self.pool_unknown(&["node_count", "min_count", "max_count", "max_surge"])
    }

    /// How messages name the plugin: the configured value, or the default AKS picks.
    fn plugin_phrase(&self) -> String {
        match (&self.p.network_plugin, self.plugin) {
            (Some(l), _) => format!("network_plugin = \"{}\"", l.value),
            (None, Some(Plugin::Kubenet)) => {
                let (ma, mi) = self.version.unwrap_or((1, 29));
                format!("kubenet (the AKS default for Kubernetes {ma}.{mi} when network_plugin is unset)")
            }
            (None, _) => "Azure CNI Overlay (the AKS default when network_plugin is unset)".to_string(),
        }
    }

    fn windows_pools(&self) -> impl Iterator<Item = &'a NodePool> {
        self.p.node_pools.iter().filter(|n| is_windows(n))
    }

    /// The plugin's `maxPods` for a pool: configured, else the default (C9).
    fn max_pods(&self, pool: &NodePool) -> u32 {
        pool.max_pods
            .unwrap_or_else(|| self.ipam.map(sizing::default_max_pods).unwrap_or(30))
    }
}

// ---------------------------------------------------------------------------------------
// Shared helpers.
// ---------------------------------------------------------------------------------------

/// Formats `a`, `b` and `c` the way azurerm's docs list possible values.
fn one_of(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// Reports a value that is not in `allowed` (exact, case-sensitive match as ARM and
/// azurerm require), with a hint when only the case is wrong.
fn check_enum(
    out: &mut Out,
    rule: RuleId,
    value: &str,
    path: &FieldPath,
    noun: &str,
    title: &str,
    allowed: &[&str],
) {
    if allowed.contains(&value) {
        return;
    }
    let hint = allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(value.trim()))
        .map(|a| format!(" Values are case-sensitive: did you mean `{a}`?"))
        .unwrap_or_default();
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u', 'I', 'A', 'E', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    out.push(Finding::error(
        rule,
        path.clone(),
        format!("Unsupported {title}"),
        format!(
            "\"{value}\" is not {article} {noun}. Possible values are {}.{hint}",
            one_of(allowed)
        ),
    ));
}

fn check_enum_opt(
    out: &mut Out,
    rule: RuleId,
    v: &Option<Located<String>>,
    noun: &str,
    title: &str,
    allowed: &[&str],
) {
    if let Some(l) = v {
        check_enum(out, rule, &l.value, &l.path, noun, title, allowed);
    }
}

/// Nodes a pool runs outside upgrades: `max(node_count, max_count)`; an unset count is the
/// API default of 1 (SPEC).
fn base_nodes(pool: &NodePool) -> u32 {
    pool.node_count.unwrap_or(1).max(pool.max_count.unwrap_or(0))
}

/// Extra nodes during upgrades. `"0"` and `"0%"` are valid (the API pairs them with
/// `maxUnavailable`, SPEC AgentPoolUpgradeSettings); everything else follows
/// [`sizing::surge_nodes`].
fn surge(pool: &NodePool, base: u32) -> Result<u32, SurgeError> {
    match pool.max_surge.as_deref().map(str::trim) {
        Some("0") | Some("0%") => Ok(0),
        other => sizing::surge_nodes(other, base),
    }
}

/// Peak nodes of one pool: `max(node_count, max_count) + surge` (C1, C4; A-ip). An invalid
/// surge counts as the default here; [`c4_max_surge`] reports it.
fn pool_peak(pool: &NodePool) -> u64 {
    let base = base_nodes(pool);
    u64::from(base) + u64::from(surge(pool, base).unwrap_or(sizing::DEFAULT_SURGE_NODES))
}

fn total_peak(p: &NetworkProfile) -> u64 {
    p.node_pools.iter().map(pool_peak).fold(0, u64::saturating_add)
}

fn total_base(p: &NetworkProfile) -> u64 {
    p.node_pools
        .iter()
        .map(|n| u64::from(base_nodes(n)))
        .fold(0, u64::saturating_add)
}

/// "the pools peak at 6 nodes (node_pool[0]: 5 + 1 surge)", listing at most six pools.
fn peak_breakdown(p: &NetworkProfile) -> String {
    const SHOWN: usize = 6;
    let mut parts: Vec<String> = p
        .node_pools
        .iter()
        .take(SHOWN)
        .map(|n| {
            let base = base_nodes(n);
            format!(
                "{}: {base} + {} surge",
                n.path,
                pool_peak(n).saturating_sub(u64::from(base))
            )
        })
        .collect();
    if p.node_pools.len() > SHOWN {
        parts.push(format!("{} more pools", p.node_pools.len() - SHOWN));
    }
    // Pools read from Azure count wherever they run; say how much of the peak is theirs.
    let foreign: Vec<&NodePool> = p.node_pools.iter().filter(|n| n.is_foreign()).collect();
    let note = if foreign.is_empty() {
        String::new()
    } else {
        let nodes = foreign.iter().map(|n| pool_peak(n)).fold(0, u64::saturating_add);
        format!(
            "; {} of these nodes come from {} pool{} not declared here",
            thousands(nodes),
            foreign.len(),
            if foreign.len() == 1 { "" } else { "s" }
        )
    };
    format!(
        "the pools peak at {} nodes ({}{note})",
        thousands(total_peak(p)),
        parts.join(", ")
    )
}

/// The count attribute of the pool contributing most nodes: where node-limit findings point.
fn largest_pool_count_path(p: &NetworkProfile) -> FieldPath {
    let mut best: Option<&NodePool> = None;
    for pool in &p.node_pools {
        if best.is_none_or(|b| pool_peak(pool) > pool_peak(b)) {
            best = Some(pool);
        }
    }
    best.map(count_path)
        .unwrap_or_else(|| FieldPath::attr("node_pool"))
}

/// `max_count` for an autoscaled pool whose maximum sets the size, else `node_count`.
fn count_path(pool: &NodePool) -> FieldPath {
    let attr = if pool.max_count.unwrap_or(0) >= pool.node_count.unwrap_or(1) && pool.max_count.is_some() {
        "max_count"
    } else {
        "node_count"
    };
    pool.path.clone().then(attr)
}

/// "use /21 or larger", or what to do when no IPv4 subnet is large enough.
/// Notes the addresses others already hold in a subnet (live checks), if any.
fn in_use_note(in_use: u64) -> String {
    if in_use == 0 {
        String::new()
    } else {
        format!(" after the {} addresses already in use", thousands(in_use))
    }
}

fn subnet_fix(needed: u64) -> String {
    cidr::smallest_v4_subnet_prefix(needed)
        .map(|p| format!("use /{p} or larger"))
        .unwrap_or_else(|| "no single subnet holds that many; lower the node counts or max_pods".into())
}

fn same_family(net: &IpNet, ip: &IpAddr) -> bool {
    matches!(
        (net, ip),
        (IpNet::V4(_), IpAddr::V4(_)) | (IpNet::V6(_), IpAddr::V6(_))
    )
}

fn parsed(list: &[&str]) -> Vec<IpNet> {
    list.iter().filter_map(|s| s.parse().ok()).collect()
}

// ---------------------------------------------------------------------------------------
// 1a. Enumerations and allowed combinations (E).
// ---------------------------------------------------------------------------------------

/// E1: `network_plugin` ∈ {`azure`, `kubenet`, `none`} (SPEC; SPEC-def; A-ov).
fn e1_network_plugin(c: &Ctx, out: &mut Out) {
    check_enum_opt(
        out,
        RuleId::E1,
        &c.p.network_plugin,
        "network plugin",
        "Network Plugin",
        PLUGINS,
    );
}

/// E2: `network_plugin_mode` ∈ {`overlay`}, valid only with `network_plugin = "azure"`
/// (SPEC; TF-DOC; ERR AKS#5662).
fn e2_network_plugin_mode(c: &Ctx, out: &mut Out) {
    let Some(mode) = &c.p.network_plugin_mode else {
        return;
    };
    check_enum(
        out,
        RuleId::E2,
        &mode.value,
        &mode.path,
        "network plugin mode",
        "Network Plugin Mode",
        PLUGIN_MODES,
    );
    if let (Some(plugin), Some(Plugin::Kubenet | Plugin::Byo)) = (&c.p.network_plugin, c.plugin) {
        out.push(Finding::error(
            RuleId::E2,
            mode.path.clone(),
            "Overlay Requires Azure CNI",
            format!(
                "network_plugin_mode = \"{}\" needs network_plugin = \"azure\", not \"{}\" (AKS: UnsupportedNetworkPluginModeWithNetworkPlugin); set network_plugin to `azure` or remove network_plugin_mode.",
                mode.value, plugin.value
            ),
        ));
    }
}

/// E3: `network_policy` ∈ {`none`, `calico`, `azure`, `cilium`} (SPEC).
fn e3_network_policy(c: &Ctx, out: &mut Out) {
    check_enum_opt(
        out,
        RuleId::E3,
        &c.p.network_policy,
        "network policy",
        "Network Policy",
        POLICIES,
    );
}

/// E4: the cilium policy needs the cilium dataplane and the reverse (SPEC; ERR #535;
/// azure-cli-extensions PR #7011).
fn e4_cilium_policy_and_dataplane(c: &Ctx, out: &mut Out) {
    let (Some(policy), Some(dataplane)) = (c.policy, c.dataplane) else {
        return;
    };
    if policy == Policy::Cilium && dataplane != Dataplane::Cilium {
        out.push(Finding::error(
            RuleId::E4,
            at(&c.p.network_policy, "network_policy"),
            "Cilium Policy Requires Cilium Dataplane",
            format!(
                "network_policy = \"cilium\" needs network_data_plane = \"cilium\" ({}); set both, or choose another policy.",
                match val(&c.p.network_data_plane) {
                    Some(d) => format!("found \"{d}\""),
                    None => "network_data_plane is unset and defaults to `azure`".into(),
                }
            ),
        ));
    }
    if dataplane == Dataplane::Cilium && policy != Policy::Cilium {
        out.push(Finding::error(
            RuleId::E4,
            at(&c.p.network_data_plane, "network_data_plane"),
            "Cilium Dataplane Requires Cilium Policy",
            format!(
                "network_data_plane = \"cilium\" enforces policy with Cilium and needs network_policy = \"cilium\" ({}); AKS rejects it with CiliumDataplaneRequiresNetworkPolicyCilium.",
                match val(&c.p.network_policy) {
                    Some(v) => format!("found \"{v}\""),
                    None => "network_policy is unset".into(),
                }
            ),
        ));
    }
}

/// E5: `network_data_plane` ∈ {`azure`, `cilium`}; cilium needs `network_plugin = "azure"`
/// (any Azure CNI IPAM) (SPEC; A-cil; A-upd; ERR AKS#3484). Kubenet is reported by E9.
fn e5_network_data_plane(c: &Ctx, out: &mut Out) {
    check_enum_opt(
        out,
        RuleId::E5,
        &c.p.network_data_plane,
        "network data plane",
        "Network Data Plane",
        DATAPLANES,
    );
    if c.dataplane == Some(Dataplane::Cilium) && c.plugin == Some(Plugin::Byo) {
        out.push(Finding::error(
            RuleId::E5,
            at(&c.p.network_data_plane, "network_data_plane"),
            "Cilium Dataplane Requires Azure CNI",
            format!(
                "network_data_plane = \"cilium\" works only with network_plugin = \"azure\" (overlay, pod subnet or node subnet), not with {}; a bring-your-own CNI brings its own dataplane.",
                c.plugin_phrase()
            ),
        ));
    }
}

/// E6: the cilium dataplane is Linux-only: no Windows pools (A-cil; TF-R CustomizeDiff).
fn e6_cilium_is_linux_only(c: &Ctx, out: &mut Out) {
    if c.dataplane != Some(Dataplane::Cilium) {
        return;
    }
    for pool in c.windows_pools() {
        out.push(Finding::error(
            RuleId::E6,
            pool.path.clone().then("os_type"),
            "Cilium Dataplane Is Linux-Only",
            format!(
                "{} is a Windows pool, and Windows nodes cannot join a cluster with network_data_plane = \"cilium\"; use the `azure` dataplane or move the workload to Linux pools.",
                pool.path
            ),
        ));
    }
}

/// E7: Azure NPM (`network_policy = "azure"`) needs Azure CNI and is unsupported beyond 250
/// nodes or 20,000 pods (A-pol; A-kn). Kubenet is reported by E9, IPv6 by E14, Windows
/// by W3.
fn e7_azure_npm(c: &Ctx, out: &mut Out) {
    if c.policy != Some(Policy::Azure) {
        return;
    }
    let path = at(&c.p.network_policy, "network_policy");
    if c.plugin == Some(Plugin::Byo) {
        out.push(Finding::error(
            RuleId::E7,
            path.clone(),
            "Azure Network Policy Requires Azure CNI",
            format!(
                "network_policy = \"azure\" (Azure NPM) works only with network_plugin = \"azure\", not with {}; with a bring-your-own CNI, enforce policy with that CNI and remove network_policy.",
                c.plugin_phrase()
            ),
        ));
    }
    let nodes = total_base(c.p);
    let pods =
        c.p.node_pools
            .iter()
            .map(|n| u64::from(base_nodes(n)).saturating_mul(u64::from(c.max_pods(n))))
            .fold(0, u64::saturating_add);
    if nodes > 250 {
        out.push(Finding::warning(
            RuleId::E7,
            path,
            "Azure Network Policy Beyond Supported Scale",
            format!(
                "Azure NPM is unsupported beyond 250 nodes; the pools reach {} nodes. Use `cilium` (with the cilium dataplane) for larger clusters.",
                thousands(nodes)
            ),
        ));
    } else if pods > 20_000 {
        out.push(Finding::warning(
            RuleId::E7,
            path,
            "Azure Network Policy Beyond Supported Scale",
            format!(
                "Azure NPM is unsupported beyond 20,000 pods; the pools have room for {} pods ({} nodes at their max_pods). Use `cilium`, or lower max_pods.",
                thousands(pods),
                thousands(nodes)
            ),
        ));
    }
}

/// E8: Calico on Windows nodes needs Azure CNI (A-pol). Also reports the kubenet case,
/// which E9 would otherwise report, because the Calico fix is the same.
fn e8_calico_on_windows(c: &Ctx, out: &mut Out) {
    let Some(plugin) = c.plugin else { return };
    if c.policy != Some(Policy::Calico) || plugin == Plugin::Azure {
        return;
    }
    for pool in c.windows_pools() {
        out.push(Finding::error(
            RuleId::E8,
            pool.path.clone().then("os_type"),
            "Calico On Windows Requires Azure CNI",
            format!(
                "{} is a Windows pool and network_policy = \"calico\" supports Windows only with network_plugin = \"azure\", not with {}; use Azure CNI (overlay), or Linux pools only.",
                pool.path,
                c.plugin_phrase()
            ),
        ));
    }
}

/// E9: kubenet supports neither Azure NPM, Windows pools, nor the cilium policy or
/// dataplane (A-kn; A-cni; A-upd).
fn e9_kubenet_limits(c: &Ctx, out: &mut Out) {
    if c.plugin != Some(Plugin::Kubenet) {
        return;
    }
    let plugin = c.plugin_phrase();
    match c.policy {
        Some(Policy::Azure) => out.push(Finding::error(
            RuleId::E9,
            at(&c.p.network_policy, "network_policy"),
            "Kubenet Does Not Support Azure Network Policy",
            format!(
                "network_policy = \"azure\" (Azure NPM) needs Azure CNI; {plugin} supports only `calico` or no policy. Use `calico`, or network_plugin = \"azure\" with network_plugin_mode = \"overlay\"."
            ),
        )),
        Some(Policy::Cilium) => out.push(Finding::error(
            RuleId::E9,
            at(&c.p.network_policy, "network_policy"),
            "Kubenet Does Not Support Cilium",
            format!(
                "network_policy = \"cilium\" needs Azure CNI; {plugin} supports only `calico` or no policy. Use `calico`, or network_plugin = \"azure\" with the cilium dataplane."
            ),
        )),
        _ => {}
    }
    if c.dataplane == Some(Dataplane::Cilium) {
        out.push(Finding::error(
            RuleId::E9,
            at(&c.p.network_data_plane, "network_data_plane"),
            "Kubenet Does Not Support Cilium",
            format!(
                "network_data_plane = \"cilium\" needs network_plugin = \"azure\"; {plugin} cannot use it. Use network_plugin = \"azure\" with network_plugin_mode = \"overlay\"."
            ),
        ));
    }
    if c.policy != Some(Policy::Calico) && !c.unknown("network_policy") {
        for pool in c.windows_pools() {
            out.push(Finding::error(
                RuleId::E9,
                pool.path.clone().then("os_type"),
                "Kubenet Does Not Support Windows",
                format!(
                    "{} is a Windows pool, and {plugin} supports Linux nodes only; use network_plugin = \"azure\" (Windows pools need Azure CNI).",
                    pool.path
                ),
            ));
        }
    }
}

/// E10: a pod CIDR is allowed only with kubenet, overlay or `none` (TF-V; CLI; A-byo).
/// Flat Azure CNI with a pod CIDR is an error. `none` without a pod CIDR is a warning, not
/// an error: no source says AKS rejects it, but A-byo asks for one because the control
/// plane routes to pods through it and "might fail or be misrouted" without it.
fn e10_pod_cidr_mode(c: &Ctx, out: &mut Out) {
    if c.plugin == Some(Plugin::Azure) && c.overlay == Some(false) {
        if let Some(pc) = c.p.pod_cidrs.first() {
            out.push(Finding::error(
                RuleId::E10,
                pc.path.clone(),
                "Pod CIDR Requires Overlay",
                format!(
                    "Azure CNI without overlay gives pods VNet addresses, so pod CIDR {} cannot be used; set network_plugin_mode = \"overlay\" or remove the pod CIDR.",
                    pc.value.trim()
                ),
            ));
        }
    }
    if c.plugin == Some(Plugin::Byo) && c.p.pod_cidrs.is_empty() && !c.pods_unknown() {
        out.push(Finding::warning(
            RuleId::E10,
            at(&c.p.network_plugin, "network_plugin"),
            "Bring-Your-Own CNI Without Pod CIDR",
            "network_plugin = \"none\" without a pod CIDR: the AKS control plane routes to pods through that range and may fail to reach them; set pod_cidr to the range your CNI assigns (for example 10.244.0.0/16).",
        ));
    }
}

/// E12: a pod subnet needs `network_plugin = "azure"` without overlay, and every pool of
/// the cluster uses one or none (A-dyn; CLI help).
fn e12_pod_subnet(c: &Ctx, out: &mut Out) {
    // Which pools have a pod subnet is not settled yet: wait for apply-time planning.
    if c.pool_unknown(&["pod_subnet_id"]) {
        return;
    }
    let Some(first) = c.p.node_pools.iter().find(|n| n.uses_pod_subnet) else {
        return;
    };
    if let (Some(plugin), Some(overlay)) = (c.plugin, c.overlay) {
        if plugin != Plugin::Azure || overlay {
            let found = match (&c.p.network_plugin_mode, plugin) {
                (Some(m), Plugin::Azure) => format!("network_plugin_mode = \"{}\"", m.value),
                _ => c.plugin_phrase(),
            };
            out.push(Finding::error(
                RuleId::E12,
                first.path.clone().then("pod_subnet_id"),
                "Pod Subnet Requires Azure CNI Without Overlay",
                format!(
                    "a pod subnet works only with network_plugin = \"azure\" and no overlay mode, not with {found}; remove the pod subnet, or use network_plugin = \"azure\" without network_plugin_mode."
                ),
            ));
        }
    }
    if let Some(odd) = c.p.node_pools.iter().find(|n| !n.uses_pod_subnet) {
        out.push(Finding::error(
            RuleId::E12,
            odd.path.clone().then("pod_subnet_id"),
            "Mixed Pod Subnet Pools",
            format!(
                "{} has a pod subnet but {} has none; all node pools of a cluster use one CNI mode, so give every pool a pod subnet, or none.",
                first.path, odd.path
            ),
        ));
    }
}

/// E13: `pod_ip_allocation_mode` ∈ {`DynamicIndividual`, `StaticBlock`}, only with a pod
/// subnet, and one mode per pod subnet (SPEC; A-sb).
fn e13_pod_ip_allocation_mode(c: &Ctx, out: &mut Out) {
    for pool in &c.p.node_pools {
        let Some(mode) = &pool.pod_ip_allocation_mode else {
            continue;
        };
        let path = pool.path.clone().then("pod_ip_allocation_mode");
        check_enum(
            out,
            RuleId::E13,
            mode,
            &path,
            "pod IP allocation mode",
            "Pod IP Allocation Mode",
            ALLOCATION_MODES,
        );
        if !pool.uses_pod_subnet {
            out.push(Finding::error(
                RuleId::E13,
                path,
                "Allocation Mode Without Pod Subnet",
                format!(
                    "pod_ip_allocation_mode = \"{mode}\" applies only to pools with a pod subnet; set pod_subnet_id on {} or remove pod_ip_allocation_mode.",
                    pool.path
                ),
            ));
        }
    }
    // The profile's one pod subnet is shared by every pod-subnet pool, and a subnet serves a
    // single allocation mode.
    if c.p.pod_subnet_cidr.is_none() {
        return;
    }
    if c.pool_unknown(&["pod_subnet_id", "pod_ip_allocation_mode"]) {
        return;
    }
    let mut pools = c.p.node_pools.iter().filter(|n| n.uses_pod_subnet);
    let Some(first) = pools.next() else { return };
    let first_static = is_static_block(first.pod_ip_allocation_mode.as_deref());
    if let Some(odd) = pools.find(|n| is_static_block(n.pod_ip_allocation_mode.as_deref()) != first_static) {
        let name = |s: bool| if s { "StaticBlock" } else { "DynamicIndividual" };
        out.push(Finding::error(
            RuleId::E13,
            odd.path.clone().then("pod_ip_allocation_mode"),
            "Mixed Allocation Modes On One Pod Subnet",
            format!(
                "{} uses {} but {} uses {} on the same pod subnet; a pod subnet serves one allocation mode, so use one mode or give the pools separate pod subnets.",
                first.path,
                name(first_static),
                odd.path,
                name(!first_static)
            ),
        ));
    }
}

/// E14: `ip_families` values and order: `["IPv4"]` or `["IPv4", "IPv6"]`; IPv6-only is not
/// supported (A-ds; SPEC).
fn e14_ip_family_values(c: &Ctx, out: &mut Out) {
    for f in &c.p.ip_families {
        check_enum(
            out,
            RuleId::E14,
            &f.value,
            &f.path,
            "IP family",
            "IP Family",
            FAMILIES,
        );
    }
    let fams: Vec<&str> = c.p.ip_families.iter().map(|f| f.value.as_str()).collect();
    if fams.is_empty()
        || fams == ["IPv4"]
        || fams == ["IPv4", "IPv6"]
        || !fams.iter().all(|f| FAMILIES.contains(f))
    {
        return;
    }
    let why = if fams == ["IPv6"] {
        "IPv6-only clusters are not supported"
    } else if fams == ["IPv6", "IPv4"] {
        "IPv4 must come first"
    } else {
        "each family appears once, IPv4 first"
    };
    out.push(Finding::error(
        RuleId::E14,
        list_path(&c.p.ip_families, "ip_families"),
        "Unsupported IP Families",
        format!("ip_families {fams:?} is not supported ({why}); use [\"IPv4\"] or [\"IPv4\", \"IPv6\"]."),
    ));
}

/// E14: pod and service CIDRs give one range per IP family, in `ip_families` order (A-ds;
/// SPEC; TF-V). Too many entries, or an entry of the wrong family, is an error. Fewer
/// entries than families are not: the missing trailing IPv6 range is left to the caller
/// (the planner and `aksnet_pod_cidr_plan` allocate it from a single IPv4 input).
fn e14_cidrs_per_family(c: &Ctx, out: &mut Out) {
    if c.families_unknown {
        return;
    }
    let expected: &[&str] = if c.dual { &["IPv4", "IPv6"] } else { &["IPv4"] };
    for (attr, list) in [
        ("pod CIDRs", &c.p.pod_cidrs),
        ("service CIDRs", &c.p.service_cidrs),
    ] {
        for (i, l) in list.iter().enumerate() {
            let Some(want) = expected.get(i) else {
                out.push(Finding::error(
                    RuleId::E14,
                    l.path.clone(),
                    "CIDRs Do Not Match IP Families",
                    format!(
                        "{} {attr} are given but ip_families has {} famil{}; give one CIDR per family, IPv4 first (extra: {}).",
                        list.len(),
                        expected.len(),
                        if expected.len() == 1 { "y" } else { "ies" },
                        l.value.trim()
                    ),
                ));
                break;
            };
            let got = match parse_cidr(&l.value) {
                Ok(IpNet::V4(_)) => "IPv4",
                Ok(IpNet::V6(_)) => "IPv6",
                Err(_) => continue, // R7
            };
            if got != *want {
                out.push(Finding::error(
                    RuleId::E14,
                    l.path.clone(),
                    "CIDR Family Out Of Order",
                    format!(
                        "{} is an {got} range in position {} of the {attr}, where ip_families expects {want}; list the IPv4 CIDR first and the IPv6 CIDR second{}.",
                        l.value.trim(),
                        i + 1,
                        if c.dual { "" } else { ", and add \"IPv6\" to ip_families for dual stack" }
                    ),
                ));
            }
        }
    }
}

/// E14: dual stack needs Azure CNI Overlay (cilium from Kubernetes 1.29) or `none`, and
/// does not work with Azure NPM, Calico or the IPv4-only Standard NAT gateway (A-ds; A-ov;
/// A-cil; TF-V).
fn e14_dual_stack_support(c: &Ctx, out: &mut Out) {
    if !c.dual {
        return;
    }
    let fpath = list_path(&c.p.ip_families, "ip_families");
    let supported = matches!(c.plugin, Some(Plugin::Byo))
        || (c.plugin == Some(Plugin::Azure) && c.overlay != Some(false));
    if c.plugin.is_some() && !supported {
        let what = match c.plugin {
            Some(Plugin::Azure) => c.ipam.map(Ipam::describe).unwrap_or("Azure CNI").to_string(),
            _ => c.plugin_phrase(),
        };
        out.push(Finding::error(
            RuleId::E14,
            fpath.clone(),
            "Dual Stack Requires Overlay",
            format!(
                "dual-stack (IPv4 + IPv6) clusters need Azure CNI Overlay or a bring-your-own CNI, not {what}; set network_plugin = \"azure\" and network_plugin_mode = \"overlay\"."
            ),
        ));
    }
    if c.dataplane == Some(Dataplane::Cilium) {
        if let Some((ma, mi)) = c.version.filter(|v| *v < (1, 29)) {
            out.push(Finding::error(
                RuleId::E14,
                at(&c.p.kubernetes_version, "kubernetes_version"),
                "Cilium Dual Stack Needs Kubernetes 1.29",
                format!("dual stack with the cilium dataplane needs Kubernetes 1.29 or newer; kubernetes_version is {ma}.{mi}."),
            ));
        }
    }
    match c.policy {
        Some(Policy::Azure) => out.push(Finding::error(
            RuleId::E14,
            at(&c.p.network_policy, "network_policy"),
            "Azure Network Policy Has No IPv6",
            "network_policy = \"azure\" (Azure NPM) does not support IPv6; dual-stack clusters need `cilium` (with the cilium dataplane) or no policy.",
        )),
        Some(Policy::Calico) => out.push(Finding::error(
            RuleId::E14,
            at(&c.p.network_policy, "network_policy"),
            "Calico Has No Dual Stack",
            "network_policy = \"calico\" is not supported on dual-stack clusters; use `cilium` (with the cilium dataplane) or no policy.",
        )),
        _ => {}
    }
    if let Some(ot) = &c.p.outbound_type {
        match ot.value.trim() {
            "managedNATGateway" => out.push(Finding::error(
                RuleId::E14,
                ot.path.clone(),
                "NAT Gateway Has No IPv6",
                "outbound_type = \"managedNATGateway\" creates a Standard NAT gateway, which is IPv4-only, so dual-stack egress cannot work; use `loadBalancer` or `userDefinedRouting`.",
            )),
            "userAssignedNATGateway" => out.push(Finding::warning(
                RuleId::E14,
                ot.path.clone(),
                "NAT Gateway Must Support IPv6",
                "dual stack with outbound_type = \"userAssignedNATGateway\" needs a StandardV2 NAT gateway on the subnet; a Standard NAT gateway is IPv4-only.",
            )),
            _ => {}
        }
    }
}

/// E15: `outbound_type` ∈ {`loadBalancer`, `userDefinedRouting`, `managedNATGateway`,
/// `userAssignedNATGateway`, `none`} in the stable API aksnet pins (SPEC 2025-10-01; A-out).
/// `managedNATGatewayV2` and `block` exist only in preview API versions.
fn e15_outbound_type(c: &Ctx, out: &mut Out) {
    let Some(ot) = &c.p.outbound_type else { return };
    if let Some(preview) = PREVIEW_OUTBOUND_TYPES
        .iter()
        .find(|v| v.eq_ignore_ascii_case(ot.value.trim()))
    {
        out.push(Finding::error(
            RuleId::E15,
            ot.path.clone(),
            "Preview Outbound Type",
            format!(
                "outbound_type \"{preview}\" exists only in preview AKS API versions, and aksnet uses the stable 2025-10-01 API. Possible values are {}.",
                one_of(OUTBOUND_TYPES)
            ),
        ));
        return;
    }
    check_enum(
        out,
        RuleId::E15,
        &ot.value,
        &ot.path,
        "outbound type",
        "Outbound Type",
        OUTBOUND_TYPES,
    );
}

/// E16: `load_balancer_sku` ∈ {`standard`, `basic`}; every outbound type, load-balancer
/// profile and NAT-gateway profile needs a Standard load balancer (SPEC; A-out; TF-R).
/// AKS refuses Basic only when it creates a cluster (AKS changelog 2025-10-12, 2026-01-04:
/// "AKS now blocks the creation of clusters with Basic Load Balancer"); an existing Basic
/// cluster is out of support and upgrades in place to Standard (M7; A-blb), so it is a
/// warning there, and nothing while Terraform validates (create or not is not known yet).
fn e16_load_balancer_sku(c: &Ctx, out: &mut Out) {
    let Some(sku) = &c.p.load_balancer_sku else { return };
    check_enum(
        out,
        RuleId::E16,
        &sku.value,
        &sku.path,
        "load balancer SKU",
        "Load Balancer SKU",
        LB_SKUS,
    );
    if !sku.value.trim().eq_ignore_ascii_case("basic") {
        return;
    }
    match c.p.lifecycle {
        Lifecycle::Create => {
            let outbound = val(&c.p.outbound_type).map(str::trim).unwrap_or("loadBalancer");
            out.push(Finding::error(
                RuleId::E16,
                sku.path.clone(),
                "Basic Load Balancer Not Supported",
                format!(
                    "load_balancer_sku = \"basic\" is retired and AKS refuses new clusters with it (\"Load Balancer SKU 'basic' is invalid; must use 'standard'.\"); outbound_type \"{outbound}\", like every outbound type, load-balancer profile and NAT-gateway profile, needs a Standard load balancer; use `standard`."
                ),
            ));
        }
        Lifecycle::Existing => out.push(Finding::warning(
            RuleId::E16,
            sku.path.clone(),
            "Basic Load Balancer Out Of Support",
            "this cluster still uses a Basic load balancer, which AKS no longer supports; set load_balancer_sku = \"standard\" to upgrade it in place (one-way, with downtime; see M7).",
        )),
        Lifecycle::Unknown => {}
    }
}

// ---------------------------------------------------------------------------------------
// 1b. Address ranges (R).
// ---------------------------------------------------------------------------------------

/// R1: `169.254.0.0/16`, `172.30.0.0/16`, `172.31.0.0/16` and `192.0.2.0/24` must not
/// overlap the pod CIDR, service CIDR or cluster VNet; supersets such as `172.16.0.0/12`
/// count (A-cni; A-kn; A-leg; A-byo). `169.254.0.0/16` in a VNet or subnet is R2.
fn r1_aks_reserved(c: &Ctx, out: &mut Out) {
    let reserved = parsed(&cidr::AKS_RESERVED);
    let forbidden = parsed(&cidr::VNET_FORBIDDEN);
    let pods = c.r.pod.iter().map(|(n, p)| (n, p, "pod CIDR", false));
    let services = c.r.service.iter().map(|(n, p)| (n, p, "service CIDR", false));
    let vnet = c.r.vnet.iter().map(|(n, p)| (n, p, "VNet address space", true));
    let subnets = c.r.subnets().map(|(n, p, what)| (n, p, what, true));
    for (n, path, what, in_vnet) in pods.chain(services).chain(vnet).chain(subnets) {
        let hits: Vec<String> = reserved
            .iter()
            .filter(|x| overlaps(n, x) && !(in_vnet && forbidden.contains(x)))
            .map(ToString::to_string)
            .collect();
        if hits.is_empty() {
            continue;
        }
        let example = match what {
            "pod CIDR" => "10.244.0.0/16",
            "service CIDR" => "10.0.0.0/16",
            _ => "10.224.0.0/12",
        };
        out.push(Finding::error(
            RuleId::R1,
            path.clone(),
            "Reserved Address Range",
            format!(
                "{what} {n} overlaps {}, which AKS reserves (169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16 and 192.0.2.0/24, including any range that contains them); choose a range outside them, such as {example}.",
                hits.join(" and ")
            ),
        ));
    }
}

/// R2: a VNet or subnet cannot include `224.0.0.0/4`, `255.255.255.255/32`, `127.0.0.0/8`,
/// `169.254.0.0/16` or `168.63.129.16/32` (VNET-FAQ).
fn r2_forbidden_ranges(c: &Ctx, out: &mut Out) {
    let forbidden = parsed(&cidr::VNET_FORBIDDEN);
    let vnet = c.r.vnet.iter().map(|(n, p)| (n, p, "VNet address space"));
    for (n, path, what) in vnet.chain(c.r.subnets()) {
        let hits: Vec<String> = forbidden
            .iter()
            .filter(|x| overlaps(n, x))
            .map(ToString::to_string)
            .collect();
        if hits.is_empty() {
            continue;
        }
        out.push(Finding::error(
            RuleId::R2,
            path.clone(),
            "Forbidden VNet Range",
            format!(
                "{what} {n} overlaps {}; Azure VNets and subnets cannot include 224.0.0.0/4, 255.255.255.255/32, 127.0.0.0/8, 169.254.0.0/16 or 168.63.129.16/32.",
                hits.join(", ")
            ),
        ));
    }
}

/// True when the ranges in [`Ctx::r`]'s pod CIDRs are used as pod CIDRs (kubenet, overlay,
/// `none`); with flat Azure CNI E10 already rejects them.
fn pod_cidr_in_use(c: &Ctx) -> bool {
    match c.ipam {
        Some(ipam) => ipam.uses_pod_cidr(),
        // Unreadable values are reported once by their own rule and checked as if valid;
        // values known only after apply decide whether AKS uses the range: wait for them.
        None => !c.ipam_pending,
    }
}

/// A range a pod or service range is checked against, labelled for messages.
struct Against<'a> {
    net: &'a IpNet,
    what: String,
}

/// The cluster's subnets and every other subnet of its VNet (AKS checks all of them: AKS#1117).
fn all_subnets<'a>(c: &'a Ctx) -> impl Iterator<Item = Against<'a>> + 'a {
    let own = c.r.subnets().map(|(net, _, what)| Against {
        net,
        what: format!("the {what}"),
    });
    let others = c.r.vnet_subnets.iter().map(|(net, name)| Against {
        net,
        what: format!("subnet \"{name}\" of the VNet"),
    });
    own.chain(others)
}

fn declared<'a>(c: &'a Ctx) -> impl Iterator<Item = Against<'a>> + 'a {
    c.r.reserved.iter().map(|(net, _)| Against {
        net,
        what: "reserved_cidrs".to_string(),
    })
}

fn address_space<'a>(c: &'a Ctx) -> impl Iterator<Item = Against<'a>> + 'a {
    c.r.vnet.iter().map(|(net, _)| Against {
        net,
        what: "the VNet address space".to_string(),
    })
}

fn peered<'a>(c: &'a Ctx) -> impl Iterator<Item = Against<'a>> + 'a {
    c.r.peered.iter().map(|(net, _)| Against {
        net,
        what: "a peered VNet's address space".to_string(),
    })
}

/// Everything a pod or service range may meet: subnets, declared ranges, the address space
/// and peered ranges.
fn network<'a>(c: &'a Ctx) -> impl Iterator<Item = Against<'a>> + 'a {
    all_subnets(c)
        .chain(declared(c))
        .chain(address_space(c))
        .chain(peered(c))
}

/// A /16 (IPv4) that overlaps none of `taken`, the AKS reserved ranges or `refused`, for a
/// fix to suggest; `None` when none of the usual candidates is free (or for IPv6).
fn free_range(refused: &IpNet, taken: &[&IpNet]) -> Option<IpNet> {
    if !matches!(refused, IpNet::V4(_)) {
        return None;
    }
    let aks = parsed(&cidr::AKS_RESERVED);
    const CANDIDATES: [&str; 10] = [
        "10.0.0.0/16",
        "10.244.0.0/16",
        "172.16.0.0/16",
        "192.168.0.0/16",
        "10.100.0.0/16",
        "10.200.0.0/16",
        "172.20.0.0/16",
        "172.24.0.0/16",
        "100.64.0.0/16",
        "100.96.0.0/16",
    ];
    CANDIDATES.iter().filter_map(|c| parse_cidr(c).ok()).find(|n| {
        !overlaps(n, refused) && !taken.iter().any(|t| overlaps(n, t)) && !aks.iter().any(|t| overlaps(n, t))
    })
}

/// R3: the pod CIDR against the network (A-ovc; A-upd; A-kn; CL 2024-10-25; ERR #403).
/// kubenet routes pod ranges inside the VNet, so AKS refuses any overlap with its address
/// space (NetworkProfileCIDROverlapVNET). Since 2024-10-25 Azure CNI Overlay checks the
/// VNet's subnets instead: an overlay range inside the address space that overlaps no subnet
/// is accepted (a warning). With `none` AKS neither stores nor checks the pod CIDR (CL
/// 2026-01-04), so overlaps are warnings. Ranges the user declares in `reserved_cidrs` are
/// errors; peered ranges found live are warnings (advised against, not refused).
fn r3_pod_cidr_overlap(c: &Ctx, out: &mut Out) {
    if !pod_cidr_in_use(c) {
        return;
    }
    let byo = c.ipam == Some(Ipam::Byo);
    let kubenet = c.ipam == Some(Ipam::Kubenet);
    for (n, path) in &c.r.pod {
        let shown = c.r.shown(n, false);
        let taken: Vec<&IpNet> = network(c)
            .map(|a| a.net)
            .chain(c.r.service.iter().map(|(s, _)| s))
            .collect();
        let example = free_range(n, &taken)
            .map(|f| format!(", such as {f}"))
            .unwrap_or_default();
        let refused = all_subnets(c)
            .chain(declared(c))
            .chain(address_space(c).filter(|_| kubenet))
            .find(|a| overlaps(n, a.net));
        match refused {
            Some(a) if !byo => {
                let why = if kubenet {
                    "kubenet routes pod ranges inside the VNet, so AKS rejects any overlap with it (NetworkProfileCIDROverlapVNET)"
                } else {
                    "AKS rejects an overlay pod CIDR that overlaps a subnet of the VNet or a range declared in use"
                };
                out.push(Finding::error(
                    RuleId::R3,
                    path.clone(),
                    "Pod CIDR Overlaps Network",
                    format!(
                        "pod CIDR {shown} overlaps {} in {}; {why}. Choose a range that overlaps none of the VNet's subnets, its address space, peered or on-premises ranges and the service CIDR{example}.",
                        a.net, a.what
                    ),
                ));
            }
            _ => {
                if let Some(a) = network(c).find(|a| overlaps(n, a.net)) {
                    let why = if byo {
                        "with network_plugin = \"none\" AKS does not check the pod CIDR, but your CNI routes it, and traffic to the overlapping addresses breaks"
                    } else {
                        "AKS accepts it (Azure CNI Overlay checks only the subnets since 2024-10-25), but pods SNAT to node IPs, so traffic to the overlapping range breaks or is misrouted"
                    };
                    out.push(Finding::warning(
                        RuleId::R3,
                        path.clone(),
                        "Pod CIDR Overlaps Network",
                        format!(
                            "pod CIDR {shown} overlaps {} in {}; {why}. Prefer a range outside the VNet and connected networks{example}.",
                            a.net, a.what
                        ),
                    ));
                }
            }
        }
    }
}

/// R3: pod CIDRs should come from RFC 1918 or RFC 6598 (`100.64.0.0/10`) space; public
/// ranges work but are unsupported (A-ovc; A-upd).
fn r3_public_pod_cidr(c: &Ctx, out: &mut Out) {
    if !pod_cidr_in_use(c) {
        return;
    }
    let private = parsed(&["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]);
    for (n, path) in &c.r.pod {
        if matches!(n, IpNet::V4(_)) && !private.iter().any(|s| s.contains(n)) {
            out.push(Finding::warning(
                RuleId::R3,
                path.clone(),
                "Public Pod CIDR",
                format!(
                    "pod CIDR {n} is not in RFC 1918 (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) or RFC 6598 (100.64.0.0/10) space; AKS accepts it but does not support it, and pods cannot reach the public owners of that range."
                ),
            ));
        }
    }
}

/// R4: the service CIDR against the network (SPEC `serviceCidr`: "It must not overlap with
/// any Subnet IP ranges"; AKS#1117: ServiceCidrOverlapExistingSubnetsCidr fires for any
/// subnet of the VNet, used or not; A-leg: a range inside the VNet's address space that
/// overlaps no subnet is possible but not recommended). Errors: subnets, `reserved_cidrs`,
/// the pod CIDR. Warnings: the address space, peered ranges found live.
fn r4_service_cidr_overlap(c: &Ctx, out: &mut Out) {
    for (n, path) in &c.r.service {
        let shown = c.r.shown(n, true);
        let pods = c.r.pod.iter().map(|(net, _)| Against {
            net,
            what: "the pod CIDR".to_string(),
        });
        let taken: Vec<&IpNet> = network(c)
            .map(|a| a.net)
            .chain(c.r.pod.iter().map(|(p, _)| p))
            .collect();
        let example = free_range(n, &taken)
            .map(|f| {
                format!(
                    ", such as {f}{}",
                    if c.r.service_defaulted {
                        " (set service_cidr and dns_service_ip)"
                    } else {
                        ""
                    }
                )
            })
            .unwrap_or_default();
        if let Some(a) = all_subnets(c)
            .chain(declared(c))
            .chain(pods)
            .find(|a| overlaps(n, a.net))
        {
            out.push(Finding::error(
                RuleId::R4,
                path.clone(),
                "Service CIDR Overlaps Network",
                format!(
                    "service CIDR {shown} overlaps {} in {}; AKS refuses a service range that overlaps a subnet of the VNet (ServiceCidrOverlapExistingSubnetsCidr) or the pod CIDR, and services would shadow the ranges declared in use. Choose an unused private range outside the VNet, peered networks and the pod CIDR{example}.",
                    a.net, a.what
                ),
            ));
        } else if let Some(a) = address_space(c).chain(peered(c)).find(|a| overlaps(n, a.net)) {
            out.push(Finding::warning(
                RuleId::R4,
                path.clone(),
                "Service CIDR Inside The Network",
                format!(
                    "service CIDR {shown} overlaps {} in {}; AKS accepts it while no subnet overlaps it, but Microsoft does not recommend it: a subnet created there later, or a peered network using it, is unreachable from pods. Prefer a range outside the VNet and connected networks{example}.",
                    a.net, a.what
                ),
            ));
        }
    }
}

/// R4: kube-apiserver caps the service CIDR at /12 for IPv4 and /108 for IPv6 (K8S; A-ip;
/// A-ds).
fn r4_service_cidr_size(c: &Ctx, out: &mut Out) {
    for (n, path) in &c.r.service {
        let (min, fam) = match n {
            IpNet::V4(_) => (12, "IPv4"),
            IpNet::V6(_) => (108, "IPv6"),
        };
        if n.prefix_len() < min {
            out.push(Finding::error(
                RuleId::R4,
                path.clone(),
                "Service CIDR Too Large",
                format!(
                    "service CIDR {n} is larger than /{min}, the kube-apiserver limit for {fam} service ranges; use a /{min} or smaller range (AKS's default is {}).",
                    if fam == "IPv6" { "a /108" } else { "10.0.0.0/16" }
                ),
            ));
        }
    }
}

/// R5: `dns_service_ip` must be inside the (IPv4) service CIDR and not its network address,
/// its first address (`kubernetes.default`) or its broadcast address (A-ovc; A-ip; A-kn;
/// derived from the k8s allocator).
fn r5_dns_service_ip(c: &Ctx, out: &mut Out) {
    let Some(dns) = &c.p.dns_service_ip else { return };
    // Unparsable and IPv6 values are R7.
    let Ok(ip @ IpAddr::V4(_)) = parse_ip(&dns.value) else {
        return;
    };
    let Some((svc, _)) = c.r.service.iter().find(|(s, _)| same_family(s, &ip)) else {
        return;
    };
    let example = cidr::nth_addr(svc, 10)
        .or_else(|| cidr::nth_addr(svc, 2))
        .map(|a| format!(", for example {a}"))
        .unwrap_or_default();
    if !svc.contains(&ip) {
        out.push(Finding::error(
            RuleId::R5,
            dns.path.clone(),
            "DNS Service IP Outside Service CIDR",
            format!(
                "dns_service_ip {ip} is outside service CIDR {svc} (AKS: DnsServiceIpOutOfServiceCidr); use an address inside it{example}."
            ),
        ));
    } else if ip == svc.network() || Some(ip) == cidr::nth_addr(svc, 1) || ip == svc.broadcast() {
        let which = if ip == svc.network() {
            "the network address"
        } else if ip == svc.broadcast() {
            "the broadcast address"
        } else {
            "the first address, which the kubernetes.default service takes,"
        };
        out.push(Finding::error(
            RuleId::R5,
            dns.path.clone(),
            "Unusable DNS Service IP",
            format!("dns_service_ip {ip} is {which} of service CIDR {svc}; use another address{example}."),
        ));
    }
}

/// R6: set `dns_service_ip` and the service CIDR together, or neither (TF-V).
fn r6_dns_and_service_together(c: &Ctx, out: &mut Out) {
    // A side known only after apply may be set: nothing to say yet (issue 15 item 9).
    if c.unknown("dns_service_ip") || c.services_unknown() {
        return;
    }
    match (&c.p.dns_service_ip, c.p.service_cidrs.first()) {
        (Some(dns), None) => out.push(Finding::error(
            RuleId::R6,
            dns.path.clone(),
            "DNS Service IP Without Service CIDR",
            format!(
                "dns_service_ip {} is set without a service CIDR; set service_cidr with it, or leave both unset for AKS's defaults (10.0.0.0/16 and 10.0.0.10).",
                dns.value.trim()
            ),
        )),
        (None, Some(svc)) => out.push(Finding::error(
            RuleId::R6,
            svc.path.clone(),
            "Service CIDR Without DNS Service IP",
            format!(
                "service CIDR {} is set without dns_service_ip; set dns_service_ip to an address inside it (such as its .10 address), or leave both unset.",
                svc.value.trim()
            ),
        )),
        _ => {}
    }
}

/// R7: `dns_service_ip` is a dotted IPv4 address (SPEC pattern). CIDR syntax is checked by
/// [`Ranges::parse`], the Kubernetes version by [`Ctx::new`].
fn r7_dns_syntax(c: &Ctx, out: &mut Out) {
    let Some(dns) = &c.p.dns_service_ip else { return };
    match parse_ip(&dns.value) {
        Err(e) => out.push(Finding::error(RuleId::R7, dns.path.clone(), "Invalid DNS Service IP", format!("{e}."))),
        Ok(IpAddr::V6(ip)) => out.push(Finding::error(
            RuleId::R7,
            dns.path.clone(),
            "Invalid DNS Service IP",
            format!("dns_service_ip {ip} is IPv6; AKS takes an IPv4 address inside the IPv4 service CIDR, such as 10.0.0.10."),
        )),
        Ok(IpAddr::V4(_)) => {}
    }
}

/// R8: Azure subnets are at least /29 (IPv4) and exactly /64 (IPv6) (A-ovc; VNET-FAQ; A-cni).
fn r8_subnet_size(c: &Ctx, out: &mut Out) {
    for (n, path, what) in c.r.subnets() {
        match n {
            IpNet::V4(v) if v.prefix_len() > cidr::MIN_SUBNET_PREFIX_V4 => out.push(Finding::error(
                RuleId::R8,
                path.clone(),
                "Subnet Too Small",
                format!(
                    "{what} {n} is smaller than /29, the smallest subnet Azure allows (Azure keeps 5 addresses in every subnet); use /29 or larger."
                ),
            )),
            IpNet::V6(v) if v.prefix_len() != 64 => out.push(Finding::error(
                RuleId::R8,
                path.clone(),
                "IPv6 Subnet Not /64",
                format!("{what} {n} is a /{}; Azure IPv6 subnets must be exactly /64.", v.prefix_len()),
            )),
            _ => {}
        }
    }
}

/// R8 (derived; VNET-FAQ; E12): the node and pod subnets lie inside the VNet address space
/// and do not overlap each other.
fn r8_subnet_placement(c: &Ctx, out: &mut Out) {
    if c.r.vnet_complete && !c.r.vnet.is_empty() {
        for (n, path, what) in c.r.subnets() {
            let same_family: Vec<&IpNet> =
                c.r.vnet
                    .iter()
                    .map(|(v, _)| v)
                    .filter(|v| v.max_prefix_len() == n.max_prefix_len())
                    .collect();
            if !same_family.is_empty() && !same_family.iter().any(|v| v.contains(n)) {
                let spaces: Vec<String> = same_family.iter().map(ToString::to_string).collect();
                out.push(Finding::error(
                    RuleId::R8,
                    path.clone(),
                    "Subnet Outside VNet",
                    format!(
                        "{what} {n} is not inside the VNet address space ({}); a subnet must be a range of its VNet.",
                        spaces.join(", ")
                    ),
                ));
            }
        }
    }
    if let (Some((node, _)), Some((pod, path))) = (&c.r.node_subnet, &c.r.pod_subnet) {
        if overlaps(node, pod) {
            out.push(Finding::error(
                RuleId::R8,
                path.clone(),
                "Pod Subnet Overlaps Node Subnet",
                format!("pod subnet {pod} overlaps node subnet {node}; subnets of a VNet cannot overlap, so give the pods a separate range."),
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------
// 1c. Capacity (C).
// ---------------------------------------------------------------------------------------

/// C1: kubenet and overlay give every node a /24 of the IPv4 pod CIDR, so it must hold
/// Σ(max(count, max_count) + surge) nodes (A-ovc; A-kn; ERR #701; A-ip). Not for `none`:
/// A-byo says AKS does not preassign per-node pod ranges with a bring-your-own CNI.
/// The pod CIDR is the cluster's, so every pool counts wherever its nodes run, including
/// pools read from Azure on other subnets (A-ovc: "each node is assigned a /24 address space
/// carved out from the same CIDR").
fn c1_pod_cidr_capacity(c: &Ctx, out: &mut Out) {
    if !matches!(c.ipam, Some(Ipam::Kubenet | Ipam::Overlay)) || !c.sizes_known() {
        return;
    }
    let Some((IpNet::V4(pc), path)) = c.r.pod.first() else {
        return;
    };
    let peak = total_peak(c.p);
    let holds = sizing::pod_cidr_max_nodes(pc.prefix_len());
    if holds >= peak {
        return;
    }
    // Smallest prefix whose 2^(24 - prefix) /24 blocks hold `peak` nodes.
    let bits = 64 - (peak - 1).leading_zeros();
    let fix = match 24u32.checked_sub(bits).filter(|p| *p >= 8) {
        Some(prefix) => format!("use /{prefix} or larger"),
        None => "no pod CIDR holds that many nodes; lower the node counts".to_string(),
    };
    out.push(Finding::error(
        RuleId::C1,
        path.clone(),
        "Pod CIDR Too Small",
        format!(
            "pod CIDR {} holds {} nodes at one /24 per node; {}; {fix}.",
            c.r.shown(&IpNet::V4(*pc), false),
            thousands(holds),
            peak_breakdown(c.p)
        ),
    ));
}

/// C2: kubenet needs one route per node and a route table holds 400 routes (A-kn; VNET-LIM).
/// The limit is the cluster's, not a subnet's: every pool counts, including pools read from
/// Azure on other subnets (A-kn, limitations: "Azure supports a maximum of 400 routes in a
/// UDR, so you can't have an AKS cluster larger than 400 nodes").
fn c2_kubenet_routes(c: &Ctx, out: &mut Out) {
    let peak = total_peak(c.p);
    if c.ipam != Some(Ipam::Kubenet) || peak <= sizing::KUBENET_MAX_ROUTES || !c.sizes_known() {
        return;
    }
    out.push(Finding::error(
        RuleId::C2,
        largest_pool_count_path(c.p),
        "Kubenet Route Limit",
        format!(
            "kubenet needs one route per node and a route table holds 400 routes; {}. Use Azure CNI Overlay, or lower the node counts.",
            peak_breakdown(c.p)
        ),
    ));
}

/// C3: per pool, a `node_count` or autoscaler bounds, `min_count ≤ node_count ≤ max_count`,
/// at most 1,000 nodes, and the system pool (the first) keeps at least one node (SPEC;
/// A-scale).
fn c3_pool_counts(c: &Ctx, out: &mut Out) {
    for (i, pool) in c.p.node_pools.iter().enumerate() {
        // An autoscaled pool may leave node_count out: AKS starts it at min_count (azurerm
        // sends `count = min_count`, kubernetes_nodepool.go ExpandDefaultNodePool) and
        // capacity is sized for max_count. Without bounds the count is the pool's size, and
        // leaving it to the API default of 1 (SPEC `count`) is almost never meant (azurerm
        // sends 0, which AKS refuses for a system pool).
        let counts = ["node_count", "min_count", "max_count"];
        if pool.node_count.is_none()
            && pool.min_count.is_none()
            && pool.max_count.is_none()
            && !counts.iter().any(|a| pool.unknown.contains(a))
        {
            out.push(Finding::error(
                RuleId::C3,
                pool.path.clone().then("node_count"),
                "Node Count Required",
                format!(
                    "{} has neither node_count nor autoscaler bounds; set node_count, or let the autoscaler size \
                     the pool with min_count and max_count (and auto_scaling_enabled = true where the block has \
                     it): AKS then starts at min_count and capacity is sized for max_count.",
                    pool.path
                ),
            ));
        }
        if let (Some(min), Some(max)) = (pool.min_count, pool.max_count) {
            if min > max {
                out.push(Finding::error(
                    RuleId::C3,
                    pool.path.clone().then("min_count"),
                    "Min Count Above Max Count",
                    format!("min_count {min} is greater than max_count {max}; the autoscaler needs min_count ≤ max_count."),
                ));
            }
        }
        if i == 0 {
            for (attr, v) in [("node_count", pool.node_count), ("min_count", pool.min_count)] {
                if v == Some(0) {
                    out.push(Finding::error(
                        RuleId::C3,
                        pool.path.clone().then(attr),
                        "Empty System Pool",
                        format!("{attr} is 0, but the first (system) pool needs 1 to 1,000 nodes; set {attr} to 1 or more."),
                    ));
                }
            }
        }
        if let Some(count) = pool.node_count.filter(|n| !(i == 0 && *n == 0)) {
            let below = pool
                .min_count
                .filter(|m| count < *m)
                .map(|m| format!("below min_count {m}"));
            let above = pool
                .max_count
                .filter(|m| count > *m)
                .map(|m| format!("above max_count {m}"));
            if let Some(why) = below.or(above) {
                out.push(Finding::error(
                    RuleId::C3,
                    pool.path.clone().then("node_count"),
                    "Node Count Outside Autoscaler Range",
                    format!("node_count {count} is {why}; set it between min_count and max_count."),
                ));
            }
        }
        let base = base_nodes(pool);
        let pending = pool.unknown.contains("node_count") || pool.unknown.contains("max_count");
        if base > sizing::MAX_POOL_NODES && !pending {
            out.push(Finding::error(
                RuleId::C3,
                count_path(pool),
                "Pool Too Large",
                format!(
                    "a node pool holds at most 1,000 nodes; {} asks for {}. Split it into several pools.",
                    pool.path,
                    thousands(u64::from(base))
                ),
            ));
        }
    }
}

/// C3: a Standard or Premium tier cluster holds at most 5,000 nodes (A-scale; A-ovc).
fn c3_cluster_size(c: &Ctx, out: &mut Out) {
    let nodes = total_base(c.p);
    if nodes <= sizing::MAX_CLUSTER_NODES || !c.sizes_known() {
        return;
    }
    out.push(Finding::error(
        RuleId::C3,
        largest_pool_count_path(c.p),
        "Cluster Too Large",
        format!(
            "the pools reach {} nodes (max(node_count, max_count) summed over {} pools); an AKS cluster holds at most 5,000 nodes.",
            thousands(nodes),
            c.p.node_pools.len()
        ),
    ));
}

/// C4: `max_surge` is a node count or a percentage; it is part of every peak (A-ip; SPEC).
fn c4_max_surge(c: &Ctx, out: &mut Out) {
    for pool in &c.p.node_pools {
        if pool.max_surge.is_none() {
            continue;
        }
        if let Err(e) = surge(pool, base_nodes(pool)) {
            out.push(Finding::error(
                RuleId::C4,
                pool.path.clone().then("max_surge"),
                "Invalid Max Surge",
                format!("max_surge {e}."),
            ));
        }
    }
}

/// C4, C5: the node subnet holds every node at peak, Σ(max(count, max_count) + surge), and
/// with flat Azure CNI also every pod: peak × (max_pods + 1) (A-ip; TS-ISS; A-ovc).
fn c4_c5_node_subnet(c: &Ctx, out: &mut Out) {
    let (Some(ipam), Some((IpNet::V4(subnet), path))) = (c.ipam, &c.r.node_subnet) else {
        return;
    };
    let flat = ipam == Ipam::NodeSubnet;
    if !c.sizes_known() || (flat && c.pool_unknown(&["max_pods"])) {
        return;
    }
    // A pool on another node subnet (read from Azure) takes no address from this one.
    let pools: Vec<&NodePool> =
        c.p.node_pools
            .iter()
            .filter(|n| !n.placement.other_node_subnet)
            .collect();
    let pods: Vec<u32> = pools.iter().map(|n| c.max_pods(n)).collect();
    let needed = pools
        .iter()
        .zip(&pods)
        .map(|(n, mp)| pool_peak(n).saturating_mul(if flat { 1 + u64::from(*mp) } else { 1 }))
        .fold(0, u64::saturating_add);
    let usable = usable_subnet_ips(&IpNet::V4(*subnet)).saturating_sub(c.p.node_subnet_in_use);
    if usable >= needed {
        return;
    }
    let peak = thousands(pools.iter().map(|n| pool_peak(n)).fold(0, u64::saturating_add));
    let in_use = in_use_note(c.p.node_subnet_in_use);
    let (rule, demand) = match (flat, pods.split_first()) {
        (true, Some((first, rest))) if rest.iter().all(|m| m == first) => (
            RuleId::C5,
            format!(
                "Azure CNI needs {} addresses for {peak} nodes × ({first} pods + 1)",
                thousands(needed)
            ),
        ),
        (true, _) => (
            RuleId::C5,
            format!(
                "Azure CNI needs {} addresses for {peak} nodes and their pods (max_pods + 1 per node)",
                thousands(needed)
            ),
        ),
        (false, _) => (
            RuleId::C4,
            format!(
                "{} needs {} node addresses for {peak} nodes",
                ipam.describe(),
                thousands(needed)
            ),
        ),
    };
    out.push(Finding::error(
        rule,
        path.clone(),
        "Node Subnet Too Small",
        format!(
            "{demand}; /{} gives {} usable{in_use}; {}.",
            subnet.prefix_len(),
            thousands(usable),
            subnet_fix(needed + c.p.node_subnet_in_use)
        ),
    ));
}

/// C6, C7: the pod subnet holds every pod-subnet node's reservation at peak. Static block
/// reserves ceil((max_pods + 1) / 16) /28 blocks per node for the node's lifetime (C7, an
/// error; A-sb). Dynamic allocation (C6) pre-allocates one batch of 16 per node and adds
/// batches as pods come (A-dyn, Plan IP addressing: "IPs are allocated to nodes in batches of
/// 16. Pod subnet IP allocation should be planned with a minimum of 16 IPs per node in the
/// cluster; nodes will request 16 IPs on startup and will request another batch of 16 any time
/// there are <8 IPs unallocated in their allotment."; MicrosoftDocs/azure-docs#97370: "16 ip
/// will be pre-allocated for a node when it is provisioning. So if customer use a /24 subnet as
/// pod subnet for a node pool, the maximum number of node in the node pool is 15."). So only
/// fewer than 16 per peak node is an error; fewer than max_pods per node is a warning: AKS
/// accepts it (AkingbadeOmosebi/3-Tier-MERN-App ran 6 nodes, 33% surge, on a /23 pod subnet,
/// below even 110 pods per node) and pods beyond the subnet wait for addresses.
fn c6_c7_pod_subnet(c: &Ctx, out: &mut Out) {
    let (Some(ipam), Some((IpNet::V4(subnet), path))) = (c.ipam, &c.r.pod_subnet) else {
        return;
    };
    if !ipam.uses_pod_subnet() || !c.sizes_known() || c.pool_unknown(&["max_pods"]) {
        return;
    }
    // A pool whose pods use another pod subnet (read from Azure) takes nothing from this one.
    let pools: Vec<&NodePool> =
        c.p.node_pools
            .iter()
            .filter(|n| n.uses_pod_subnet && !n.placement.other_pod_subnet)
            .collect();
    let needed = pools
        .iter()
        .map(|n| pool_peak(n).saturating_mul(sizing::pod_ips_per_node(ipam, c.max_pods(n))))
        .fold(0, u64::saturating_add);
    let usable = usable_subnet_ips(&IpNet::V4(*subnet)).saturating_sub(c.p.pod_subnet_in_use);
    if usable >= needed {
        return;
    }
    let in_use = in_use_note(c.p.pod_subnet_in_use);
    let nodes = pools.iter().map(|n| pool_peak(n)).fold(0, u64::saturating_add);
    let per_node = match pools.split_first() {
        Some((first, rest)) if rest.iter().all(|n| c.max_pods(n) == c.max_pods(first)) => {
            let mp = c.max_pods(first);
            let ips = sizing::pod_ips_per_node(ipam, mp);
            if ipam == Ipam::PodSubnetStatic {
                format!(" ({} /28 blocks per node at max_pods {mp})", ips / 16)
            } else {
                format!(" ({} batches of 16 per node at max_pods {mp})", ips / 16)
            }
        }
        _ => String::new(),
    };
    let first_batches = nodes.saturating_mul(16);
    if ipam == Ipam::PodSubnetDynamic && usable >= first_batches {
        out.push(Finding::warning(
            RuleId::C6,
            path.clone(),
            "Pod Subnet Below Max Pods",
            format!(
                "{} holds the first batch of 16 addresses for each of {} nodes, but not max_pods on every node: {} pod addresses at peak{per_node}; /{} gives {} usable{in_use}. AKS accepts it; pods beyond the subnet wait for an address. For full nodes {}.",
                ipam.describe(),
                thousands(nodes),
                thousands(needed),
                subnet.prefix_len(),
                thousands(usable),
                subnet_fix(needed + c.p.pod_subnet_in_use)
            ),
        ));
        return;
    }
    if ipam == Ipam::PodSubnetDynamic {
        out.push(Finding::error(
            RuleId::C6,
            path.clone(),
            "Pod Subnet Too Small",
            format!(
                "{} pre-allocates a batch of 16 addresses to every node when it starts: {} for {} nodes; /{} gives {} usable{in_use}. At max_pods they hold {}{per_node}; {}.",
                ipam.describe(),
                thousands(first_batches),
                thousands(nodes),
                subnet.prefix_len(),
                thousands(usable),
                thousands(needed),
                subnet_fix(needed + c.p.pod_subnet_in_use)
            ),
        ));
        return;
    }
    out.push(Finding::error(
        RuleId::C7,
        path.clone(),
        "Pod Subnet Too Small",
        format!(
            "{} reserves {} pod addresses for {} nodes{per_node}; /{} gives {} usable{in_use}; {}.",
            ipam.describe(),
            thousands(needed),
            thousands(nodes),
            subnet.prefix_len(),
            thousands(usable),
            subnet_fix(needed + c.p.pod_subnet_in_use)
        ),
    ));
}

/// C7: static block allocation needs Kubernetes 1.28 or newer (A-sb).
fn c7_static_block_version(c: &Ctx, out: &mut Out) {
    if c.ipam != Some(Ipam::PodSubnetStatic) {
        return;
    }
    if let Some((ma, mi)) = c.version.filter(|v| *v < (1, 28)) {
        out.push(Finding::error(
            RuleId::C7,
            at(&c.p.kubernetes_version, "kubernetes_version"),
            "Static Block Needs Kubernetes 1.28",
            format!("pod_ip_allocation_mode = \"StaticBlock\" needs Kubernetes 1.28 or newer; kubernetes_version is {ma}.{mi}."),
        ));
    }
}

/// C8: `max_pods` is 10–250 for every plugin, and a pool must have room for 30 pods, so
/// max_pods below 30 needs enough nodes (10 needs 3) (A-ip). The nodes counted are the
/// pool's floor: `min_count` when autoscaled, else `node_count`; a pool that may scale to
/// zero is not checked (it runs no pods then).
fn c8_max_pods(c: &Ctx, out: &mut Out) {
    for pool in &c.p.node_pools {
        let Some(mp) = pool.max_pods else { continue };
        let path = pool.path.clone().then("max_pods");
        if !sizing::MAX_PODS_RANGE.contains(&mp) {
            out.push(Finding::error(
                RuleId::C8,
                path,
                "Max Pods Out Of Range",
                format!("max_pods is {mp}; AKS accepts 10 to 250 for every network plugin."),
            ));
            continue;
        }
        let (attr, floor) = match (pool.min_count, pool.node_count) {
            (Some(min), _) => ("min_count", min),
            (None, Some(n)) => ("node_count", n),
            (None, None) => ("node_count", 1),
        };
        let room = u64::from(mp) * u64::from(floor);
        let pending = pool.unknown.contains("min_count") || pool.unknown.contains("node_count");
        if floor > 0 && room < 30 && !pending {
            out.push(Finding::error(
                RuleId::C8,
                path,
                "Pool Below 30 Pods",
                format!(
                    "max_pods {mp} × {floor} nodes ({attr}) leaves room for {room} pods; AKS requires room for at least 30 pods in every pool. Raise max_pods to {} or {attr} to {}.",
                    30u32.div_ceil(floor),
                    30u32.div_ceil(mp)
                ),
            ));
        }
    }
}

/// C9: Windows nodes on Azure CNI Overlay are recommended to stay at or below 110 pods
/// (A-ovc; CLI).
fn c9_windows_overlay_max_pods(c: &Ctx, out: &mut Out) {
    if c.ipam != Some(Ipam::Overlay) {
        return;
    }
    for pool in c.windows_pools() {
        let mp = c.max_pods(pool);
        if mp > 110 && sizing::MAX_PODS_RANGE.contains(&mp) {
            out.push(Finding::warning(
                RuleId::C9,
                pool.path.clone().then("max_pods"),
                "Windows Max Pods Above 110",
                format!(
                    "{} is a Windows pool with max_pods {mp}{}; 110 is the recommended ceiling for Windows nodes on Azure CNI Overlay.",
                    pool.path,
                    if pool.max_pods.is_none() { " (the overlay default)" } else { "" }
                ),
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------
// 1e. Windows and retirement (W).
// ---------------------------------------------------------------------------------------

/// Why `name` fails `^[a-z][a-z0-9]{0,11}$`, or `None` when it matches (no regex needed).
pub(crate) fn pool_name_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    match chars.next() {
        None => return Some("is empty".into()),
        Some(c) if !c.is_ascii_lowercase() => {
            return Some(format!("starts with '{c}', not a lowercase letter"))
        }
        Some(_) => {}
    }
    if let Some(bad) = chars.find(|c| !c.is_ascii_lowercase() && !c.is_ascii_digit()) {
        return Some(format!("contains '{bad}'"));
    }
    let len = name.chars().count();
    (len > 12).then(|| format!("has {len} characters"))
}

/// W1: pool names match `^[a-z][a-z0-9]{0,11}$`, are unique, and Windows pool names have at
/// most 6 characters (SPEC; A-win).
fn w1_pool_names(c: &Ctx, out: &mut Out) {
    for (i, pool) in c.p.node_pools.iter().enumerate() {
        let Some(name) = &pool.name else { continue };
        let path = pool.path.clone().then("name");
        if let Some(problem) = pool_name_problem(name) {
            out.push(Finding::error(
                RuleId::W1,
                path,
                "Invalid Node Pool Name",
                format!(
                    "node pool name \"{name}\" {problem}; names start with a lowercase letter and have at most 12 lowercase letters or digits."
                ),
            ));
        } else if is_windows(pool) && name.len() > 6 {
            out.push(Finding::error(
                RuleId::W1,
                path,
                "Windows Pool Name Too Long",
                format!(
                    "Windows node pool names have at most 6 characters; \"{name}\" has {}.",
                    name.len()
                ),
            ));
        } else if let Some(prev) = c.p.node_pools[..i]
            .iter()
            .find(|n| n.name.as_deref() == Some(name.as_str()))
        {
            out.push(Finding::error(
                RuleId::W1,
                path,
                "Duplicate Node Pool Name",
                format!("node pool name \"{name}\" is already used by {}; pool names are unique within a cluster.", prev.path),
            ));
        }
    }
}

/// W1: `os_type` ∈ {`Linux`, `Windows`}; Windows pools need Azure CNI and cannot be the
/// system pool (A-kn; A-cni; A-ovc; SPEC). Kubenet is E9, Calico E8 and cilium E6.
fn w1_windows_pools(c: &Ctx, out: &mut Out) {
    for (i, pool) in c.p.node_pools.iter().enumerate() {
        let Some(os) = &pool.os_type else { continue };
        let path = pool.path.clone().then("os_type");
        check_enum(
            out,
            RuleId::W1,
            os,
            &path,
            "node pool OS type",
            "OS Type",
            OS_TYPES,
        );
        if !is_windows(pool) {
            continue;
        }
        if c.plugin == Some(Plugin::Byo) && c.policy != Some(Policy::Calico) && !c.unknown("network_policy") {
            out.push(Finding::error(
                RuleId::W1,
                path.clone(),
                "Windows Requires Azure CNI",
                format!(
                    "{} is a Windows pool; Windows nodes need network_plugin = \"azure\" (node subnet, pod subnet or overlay), not {}.",
                    pool.path,
                    c.plugin_phrase()
                ),
            ));
        }
        if i == 0 {
            out.push(Finding::error(
                RuleId::W1,
                path,
                "Windows System Pool",
                "the first (system) pool must run Linux; keep a Linux system pool and add Windows as a further node pool.",
            ));
        }
    }
}

/// W3: kubenet retires on 2028-03-31 (A-ret). Still running, so a warning; this pure
/// function has no clock, so revisit the severity after that date.
fn w3_kubenet_retirement(c: &Ctx, out: &mut Out) {
    if c.plugin != Some(Plugin::Kubenet) {
        return;
    }
    let path = match &c.p.network_plugin {
        Some(l) => l.path.clone(),
        None => at(&c.p.kubernetes_version, "network_plugin"),
    };
    out.push(Finding::warning(
        RuleId::W3,
        path,
        "Kubenet Retires 2028-03-31",
        format!(
            "{} is retired on 2028-03-31; plan with network_plugin = \"azure\" and network_plugin_mode = \"overlay\".",
            c.plugin_phrase()
        ),
    ));
}

/// W3: Azure NPM retires on 2028-09-30 on Linux (a warning) and retired on 2026-09-30 on
/// Windows (A-pol). Windows NPM is an error, not a warning: the date has passed, it accepts
/// no new onboarding, and since dates only move forward it can never become valid again.
/// use-network-policies: "Support for Azure Network Policy Manager (NPM) on Windows nodes in
/// AKS ends on September 30, 2026. This change applies only to customers already onboarded to
/// NPM. Subscriptions that aren't registered with this feature will no longer be able to
/// onboard." The catalog's level is ErrorOrWarning accordingly.
fn w3_npm_retirement(c: &Ctx, out: &mut Out) {
    if c.policy != Some(Policy::Azure) {
        return;
    }
    out.push(Finding::warning(
        RuleId::W3,
        at(&c.p.network_policy, "network_policy"),
        "Azure Network Policy Manager Retires",
        "Azure NPM on Linux is retired on 2028-09-30; use `cilium` (with the cilium dataplane) or `calico`.",
    ));
    for pool in c.windows_pools() {
        out.push(Finding::error(
            RuleId::W3,
            pool.path.clone().then("os_type"),
            "Azure NPM On Windows Retired",
            format!(
                "{} is a Windows pool, and Azure NPM for Windows nodes was retired on 2026-09-30 and accepts no new onboarding; remove network_policy = \"azure\" or the Windows pool.",
                pool.path
            ),
        ));
    }
}

#[cfg(test)]
mod tests;
