//! Static rules (E, R, C, W) over a [`NetworkProfile`]: everything that can be checked
//! without calling Azure. Each check cites its rule id and source key from
//! `../shared/reference/aks-network-rules.md`.

use ipnet::IpNet;

use super::cidr::{self, overlaps, parse_cidr, parse_ip, thousands, usable_subnet_ips};
use super::profile::Located;
use super::sizing::{self, Ipam};
use super::{FieldPath, Finding, NetworkProfile, NodePool};

/// Runs every rule that needs no Azure call; errors first, then warnings, each group in
/// rule order (deterministic for the same input).
pub fn validate_profile(p: &NetworkProfile) -> Vec<Finding> {
    let mut out = Vec::new();
    enumerations(p, &mut out);
    combinations(p, &mut out);
    let ranges = Ranges::parse(p, &mut out);
    address_ranges(p, &ranges, &mut out);
    capacity(p, &ranges, &mut out);
    windows(p, &mut out);
    retirements(p, &mut out);
    out.sort_by_key(|f| f.severity);
    out
}

fn val(v: &Option<Located<String>>) -> Option<&str> {
    v.as_ref().map(|l| l.value.as_str())
}

fn path(v: &Option<Located<String>>, fallback: &'static str) -> FieldPath {
    v.as_ref()
        .map(|l| l.path.clone())
        .unwrap_or_else(|| FieldPath::attr(fallback))
}

/// `"1.29.4"` → `(1, 29)`.
fn k8s_version(p: &NetworkProfile) -> Option<(u32, u32)> {
    let v = val(&p.kubernetes_version)?;
    let mut it = v.trim().trim_start_matches('v').split('.');
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

/// The plugin AKS will use: the configured one, else the default by version (E1, SPEC-def).
fn effective_plugin(p: &NetworkProfile) -> &str {
    match val(&p.network_plugin) {
        Some(v) => v,
        None if k8s_version(p).is_some_and(|v| v < (1, 30)) => "kubenet",
        None => "azure",
    }
}

fn is_overlay(p: &NetworkProfile) -> bool {
    match val(&p.network_plugin_mode) {
        Some(m) => m == "overlay",
        None => p.network_plugin.is_none() && effective_plugin(p) == "azure",
    }
}

fn uses_pod_subnet(p: &NetworkProfile) -> bool {
    p.node_pools.iter().any(|n| n.uses_pod_subnet)
}

fn ipam(p: &NetworkProfile) -> Option<Ipam> {
    let alloc = p
        .node_pools
        .iter()
        .find_map(|n| n.pod_ip_allocation_mode.as_deref());
    let mode = if is_overlay(p) { Some("overlay") } else { None };
    Ipam::from_settings(Some(effective_plugin(p)), mode, uses_pod_subnet(p), alloc)
}

fn is_windows(pool: &NodePool) -> bool {
    pool.os_type.as_deref() == Some("Windows")
}

fn dual_stack(p: &NetworkProfile) -> bool {
    p.ip_families.iter().any(|f| f.value == "IPv6")
}

/// Formats `a`, `b` and `c` the way azurerm's docs list possible values.
fn one_of(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

fn enum_check(
    out: &mut Vec<Finding>,
    rule: &'static str,
    v: &Option<Located<String>>,
    name: &str,
    allowed: &[&str],
) {
    if let Some(l) = v {
        if !allowed.contains(&l.value.as_str()) {
            let hint = allowed
                .iter()
                .find(|a| a.eq_ignore_ascii_case(&l.value))
                .map(|a| format!(" Values are case-sensitive: did you mean `{a}`?"))
                .unwrap_or_default();
            out.push(Finding::error(
                rule,
                l.path.clone(),
                format!("Unsupported {name}"),
                format!(
                    "\"{}\" is not a {name}. Possible values are {}.{hint}",
                    l.value,
                    one_of(allowed)
                ),
            ));
        }
    }
}

/// E1, E2, E3, E5, E13, E14, E15, E16, W1: the allowed values of every enumeration (SPEC).
fn enumerations(p: &NetworkProfile, out: &mut Vec<Finding>) {
    enum_check(
        out,
        "E1",
        &p.network_plugin,
        "network plugin",
        &["azure", "kubenet", "none"],
    );
    enum_check(
        out,
        "E2",
        &p.network_plugin_mode,
        "network plugin mode",
        &["overlay"],
    );
    enum_check(
        out,
        "E3",
        &p.network_policy,
        "network policy",
        &["none", "calico", "azure", "cilium"],
    );
    enum_check(
        out,
        "E5",
        &p.network_data_plane,
        "network data plane",
        &["azure", "cilium"],
    );
    enum_check(
        out,
        "E15",
        &p.outbound_type,
        "outbound type",
        &[
            "loadBalancer",
            "userDefinedRouting",
            "managedNATGateway",
            "userAssignedNATGateway",
            "none",
        ],
    );
    enum_check(
        out,
        "E16",
        &p.load_balancer_sku,
        "load balancer SKU",
        &["standard", "basic"],
    );
    for f in &p.ip_families {
        enum_check(out, "E14", &Some(f.clone()), "IP family", &["IPv4", "IPv6"]);
    }
    for pool in &p.node_pools {
        let os = pool
            .os_type
            .clone()
            .map(|v| Located::new(v, pool.path.clone().then("os_type")));
        enum_check(out, "W1", &os, "OS type", &["Linux", "Windows"]);
        let mode = pool
            .pod_ip_allocation_mode
            .clone()
            .map(|v| Located::new(v, pool.path.clone().then("pod_ip_allocation_mode")));
        enum_check(
            out,
            "E13",
            &mode,
            "pod IP allocation mode",
            &["DynamicIndividual", "StaticBlock"],
        );
    }
}

/// E2, E4–E10, E12–E14, E16: settings that are valid alone but not together.
fn combinations(p: &NetworkProfile, out: &mut Vec<Finding>) {
    let plugin = effective_plugin(p);
    let policy = val(&p.network_policy);
    let dataplane = val(&p.network_data_plane);

    // E2: overlay only with azure (SPEC; TF-DOC).
    if let (Some(m), Some(pl)) = (&p.network_plugin_mode, val(&p.network_plugin)) {
        if m.value == "overlay" && pl != "azure" {
            out.push(Finding::error(
                "E2",
                m.path.clone(),
                "Overlay Requires Azure CNI",
                format!("network_plugin_mode = \"overlay\" needs network_plugin = \"azure\", not \"{pl}\"; set network_plugin to `azure` or remove network_plugin_mode."),
            ));
        }
    }
    // E4: cilium policy and cilium dataplane go together (SPEC; ERR #535).
    match (policy, dataplane) {
        (Some("cilium"), d) if d != Some("cilium") => out.push(Finding::error(
            "E4",
            path(&p.network_policy, "network_policy"),
            "Cilium Policy Requires Cilium Dataplane",
            "network_policy = \"cilium\" needs network_data_plane = \"cilium\"; set both, or choose another policy.",
        )),
        (pol, Some("cilium")) if pol.is_some_and(|x| x != "cilium") || pol.is_none() => out.push(Finding::error(
            "E4",
            path(&p.network_data_plane, "network_data_plane"),
            "Cilium Dataplane Requires Cilium Policy",
            format!(
                "network_data_plane = \"cilium\" enforces policy with Cilium and needs network_policy = \"cilium\" (found {}); AKS rejects it with CiliumDataplaneRequiresNetworkPolicyCilium.",
                pol.map(|x| format!("\"{x}\"")).unwrap_or_else(|| "none set".into())
            ),
        )),
        _ => {}
    }
    // E5: cilium dataplane needs Azure CNI (A-cil).
    if dataplane == Some("cilium") && plugin != "azure" {
        out.push(Finding::error(
            "E5",
            path(&p.network_data_plane, "network_data_plane"),
            "Cilium Dataplane Requires Azure CNI",
            format!("network_data_plane = \"cilium\" works only with network_plugin = \"azure\" (overlay, pod subnet or node subnet), not \"{plugin}\"."),
        ));
    }
    // E6: cilium dataplane is Linux-only (A-cil).
    if dataplane == Some("cilium") {
        for pool in p.node_pools.iter().filter(|n| is_windows(n)) {
            out.push(Finding::error(
                "E6",
                pool.path.clone().then("os_type"),
                "Cilium Dataplane Is Linux-Only",
                "Windows node pools cannot join a cluster with network_data_plane = \"cilium\"; use the `azure` dataplane or Linux pools.",
            ));
        }
    }
    // E7, E9: Azure NPM needs Azure CNI and no IPv6 (A-pol, A-kn).
    if policy == Some("azure") {
        if plugin != "azure" {
            out.push(Finding::error(
                "E7",
                path(&p.network_policy, "network_policy"),
                "Azure Network Policy Requires Azure CNI",
                format!("network_policy = \"azure\" (Azure NPM) works only with network_plugin = \"azure\", not \"{plugin}\"; use `calico` with kubenet."),
            ));
        }
        if dual_stack(p) {
            out.push(Finding::error(
                "E7",
                path(&p.network_policy, "network_policy"),
                "Azure Network Policy Has No IPv6",
                "network_policy = \"azure\" does not support IPv6; dual-stack clusters need `cilium` or no policy.",
            ));
        }
        let peak = total_peak(p);
        if peak > 250 {
            out.push(Finding::warning(
                "E7",
                path(&p.network_policy, "network_policy"),
                "Azure Network Policy Beyond Supported Scale",
                format!("Azure NPM is unsupported beyond 250 nodes; the pools peak at {} nodes. Use `cilium` for larger clusters.", thousands(peak)),
            ));
        }
    }
    // E9: kubenet and the cilium policy (A-kn).
    if plugin == "kubenet" && policy == Some("cilium") {
        out.push(Finding::error(
            "E9",
            path(&p.network_policy, "network_policy"),
            "Kubenet Does Not Support Cilium",
            "kubenet supports network_policy `calico` or none; Cilium needs network_plugin = \"azure\".",
        ));
    }
    // E10: a pod CIDR means pods live outside the VNet: kubenet, overlay or none (TF-V; CLI).
    if plugin == "azure" && !is_overlay(p) {
        if let Some(pc) = p.pod_cidrs.first() {
            out.push(Finding::error(
                "E10",
                pc.path.clone(),
                "Pod CIDR Requires Overlay",
                format!(
                    "Azure CNI without overlay gives pods VNet addresses, so pod CIDR {} cannot be used; set network_plugin_mode = \"overlay\" or remove the pod CIDR.",
                    pc.value
                ),
            ));
        }
    }
    if plugin == "none" && p.pod_cidrs.is_empty() && p.network_plugin.is_some() {
        out.push(Finding::warning(
            "E10",
            path(&p.network_plugin, "network_plugin"),
            "Bring-Your-Own CNI Without Pod CIDR",
            "network_plugin = \"none\" leaves pod addressing to your CNI; set pod_cidr so AKS and the CNI agree on the range.",
        ));
    }
    // E12: pod subnets need Azure CNI without overlay, on every pool or none (A-dyn).
    let with_subnet = p.node_pools.iter().filter(|n| n.uses_pod_subnet).count();
    if with_subnet > 0 {
        let first = p
            .node_pools
            .iter()
            .find(|n| n.uses_pod_subnet)
            .map(|n| n.path.clone().then("pod_subnet_id"))
            .unwrap_or_default();
        if plugin != "azure" || is_overlay(p) {
            out.push(Finding::error(
                "E12",
                first.clone(),
                "Pod Subnet Requires Azure CNI Without Overlay",
                format!(
                    "a pod subnet works only with network_plugin = \"azure\" and no overlay mode (found {plugin}{}); remove the pod subnet or change the plugin.",
                    if is_overlay(p) { " with overlay" } else { "" }
                ),
            ));
        }
        if with_subnet < p.node_pools.len() {
            if let Some(odd) = p.node_pools.iter().find(|n| !n.uses_pod_subnet) {
                out.push(Finding::error(
                    "E12",
                    odd.path.clone().then("pod_subnet_id"),
                    "Mixed Pod Subnet Pools",
                    "all node pools of a cluster use one CNI mode: give every pool a pod subnet, or none.",
                ));
            }
        }
    }
    // E13: allocation mode only with a pod subnet (SPEC).
    for pool in &p.node_pools {
        if pool.pod_ip_allocation_mode.is_some() && !pool.uses_pod_subnet {
            out.push(Finding::error(
                "E13",
                pool.path.clone().then("pod_ip_allocation_mode"),
                "Allocation Mode Without Pod Subnet",
                "pod_ip_allocation_mode applies only to pools with a pod subnet; set pod_subnet_id or remove it.",
            ));
        }
    }
    // E14: dual stack (A-ds; TF-V).
    families(p, out);
    // E16: Basic load balancers are retired and support no outbound profile (TF-R; A-out).
    if let Some(sku) = &p.load_balancer_sku {
        if sku.value == "basic" {
            out.push(Finding::error(
                "E16",
                sku.path.clone(),
                "Basic Load Balancer Retired",
                "load_balancer_sku = \"basic\" is retired and every outbound type needs a Standard load balancer; use `standard`.",
            ));
        }
    }
}

/// E14: `ip_families` values, order and matching CIDR counts; dual stack needs overlay/none.
fn families(p: &NetworkProfile, out: &mut Vec<Finding>) {
    let fams: Vec<&str> = p.ip_families.iter().map(|f| f.value.as_str()).collect();
    let fpath = p
        .ip_families
        .first()
        .map(|f| f.path.clone())
        .unwrap_or_else(|| FieldPath::attr("ip_families"));
    let fpath = match fpath.0.last() {
        Some(super::Step::Index(_)) => FieldPath(fpath.0[..fpath.0.len() - 1].to_vec()),
        _ => fpath,
    };
    if !fams.is_empty() && fams != ["IPv4"] && fams != ["IPv4", "IPv6"] {
        if fams.iter().all(|f| ["IPv4", "IPv6"].contains(f)) {
            out.push(Finding::error(
                "E14",
                fpath.clone(),
                "Unsupported IP Families",
                format!("ip_families {fams:?} is not supported; use [\"IPv4\"] or [\"IPv4\", \"IPv6\"] (IPv6-only clusters do not exist)."),
            ));
        }
        return;
    }
    let n = fams.len().max(1);
    for (what, list) in [("pod_cidrs", &p.pod_cidrs), ("service_cidrs", &p.service_cidrs)] {
        if list.len() > n {
            out.push(Finding::error(
                "E14",
                list[n].path.clone(),
                "CIDRs Do Not Match IP Families",
                format!(
                    "{what} has {} entries but ip_families has {n}; give one CIDR per family, IPv4 first.",
                    list.len()
                ),
            ));
        }
        if list.len() == 2 {
            let v6_first = parse_cidr(&list[0].value).is_ok_and(|c| matches!(c, IpNet::V6(_)));
            if v6_first {
                out.push(Finding::error(
                    "E14",
                    list[0].path.clone(),
                    "CIDRs Out Of Family Order",
                    format!("{what} must list the IPv4 CIDR first and the IPv6 CIDR second, in ip_families order."),
                ));
            }
        }
    }
    if dual_stack(p) {
        let plugin = effective_plugin(p);
        let ok = plugin == "none" || (plugin == "azure" && is_overlay(p));
        if !ok {
            out.push(Finding::error(
                "E14",
                fpath.clone(),
                "Dual Stack Requires Overlay",
                format!("dual-stack (IPv4 + IPv6) clusters need Azure CNI Overlay or a bring-your-own CNI, not {}.", ipam(p).map(Ipam::describe).unwrap_or(plugin)),
            ));
        }
        if val(&p.network_policy) == Some("calico") {
            out.push(Finding::error(
                "E14",
                path(&p.network_policy, "network_policy"),
                "Calico Has No Dual Stack",
                "network_policy = \"calico\" is not supported on dual-stack clusters; use `cilium` or no policy.",
            ));
        }
    }
}

/// Parsed ranges, each with the path it came from. Parse failures are R7 errors.
struct Ranges {
    pod: Vec<(IpNet, FieldPath)>,
    service: Vec<(IpNet, FieldPath)>,
    vnet: Vec<(IpNet, FieldPath)>,
    reserved: Vec<(IpNet, FieldPath)>,
    node_subnet: Option<(IpNet, FieldPath)>,
    pod_subnet: Option<(IpNet, FieldPath)>,
}

impl Ranges {
    /// R7: every CIDR and IP must parse (SPEC patterns).
    fn parse(p: &NetworkProfile, out: &mut Vec<Finding>) -> Ranges {
        let mut one = |l: &Located<String>| match parse_cidr(&l.value) {
            Ok(n) => Some((n, l.path.clone())),
            Err(e) => {
                out.push(Finding::error(
                    "R7",
                    l.path.clone(),
                    "Invalid CIDR",
                    format!("{e}."),
                ));
                None
            }
        };
        let pod = p.pod_cidrs.iter().filter_map(&mut one).collect();
        let service = p.service_cidrs.iter().filter_map(&mut one).collect();
        let vnet = p.vnet_address_space.iter().filter_map(&mut one).collect();
        let reserved = p.reserved_cidrs.iter().filter_map(&mut one).collect();
        let node_subnet = p.node_subnet_cidr.as_ref().and_then(&mut one);
        let pod_subnet = p.pod_subnet_cidr.as_ref().and_then(&mut one);
        Ranges {
            pod,
            service,
            vnet,
            reserved,
            node_subnet,
            pod_subnet,
        }
    }

    fn subnets(&self) -> impl Iterator<Item = &(IpNet, FieldPath)> {
        self.node_subnet.iter().chain(self.pod_subnet.iter())
    }
}

fn is_private_v4(n: &IpNet) -> bool {
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]
        .iter()
        .filter_map(|s| s.parse::<IpNet>().ok())
        .any(|space| space.contains(n))
}

/// R1–R6, R8: reserved, forbidden and overlapping ranges; DNS service IP; subnet sizes.
fn address_ranges(p: &NetworkProfile, r: &Ranges, out: &mut Vec<Finding>) {
    let aks_reserved: Vec<IpNet> = cidr::AKS_RESERVED.iter().filter_map(|s| s.parse().ok()).collect();
    let forbidden: Vec<IpNet> = cidr::VNET_FORBIDDEN
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();

    // R1: AKS-reserved ranges, supersets included (A-cni, A-kn, A-leg, A-byo).
    let named = [
        ("pod CIDR", &r.pod, false),
        ("service CIDR", &r.service, false),
        ("VNet address space", &r.vnet, true),
    ];
    for (what, list, is_vnet) in named {
        for (n, path) in list.iter() {
            // 169.254.0.0/16 in a VNet is reported once, as R2.
            let hit = aks_reserved
                .iter()
                .find(|x| overlaps(n, x) && !(is_vnet && forbidden.contains(x)));
            if let Some(res) = hit {
                out.push(Finding::error(
                    "R1",
                    path.clone(),
                    "Reserved Address Range",
                    format!("{what} {n} overlaps {res}, which AKS reserves (169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16, 192.0.2.0/24); choose a range outside them, e.g. 10.244.0.0/16 for pods or 10.0.0.0/16 for services."),
                ));
            }
        }
    }
    // R2: ranges a VNet or subnet may not contain (VNET-FAQ).
    for (n, path) in r.vnet.iter().chain(r.subnets()) {
        if let Some(bad) = forbidden.iter().find(|x| overlaps(n, x)) {
            out.push(Finding::error(
                "R2",
                path.clone(),
                "Forbidden VNet Range",
                format!("{n} overlaps {bad}; Azure VNets and subnets cannot include 224.0.0.0/4, 255.255.255.255/32, 127.0.0.0/8, 169.254.0.0/16 or 168.63.129.16/32."),
            ));
        }
    }
    // R3: pod CIDR outside the VNet and everything it reaches (A-ovc; ERR #403).
    let ipam = ipam(p);
    for (n, path) in &r.pod {
        let clash = r
            .vnet
            .iter()
            .map(|(v, _)| (v, "the VNet address space"))
            .chain(r.subnets().map(|(v, _)| (v, "a cluster subnet")))
            .chain(r.reserved.iter().map(|(v, _)| (v, "reserved_cidrs")))
            .find(|(v, _)| overlaps(n, v));
        if let Some((v, what)) = clash {
            out.push(Finding::error(
                "R3",
                path.clone(),
                "Pod CIDR Overlaps Network",
                format!("pod CIDR {n} overlaps {v} in {what}; pods route outside the VNet, so AKS rejects this (NetworkProfileCIDROverlapVNET). Choose a range that overlaps no VNet, peering or on-premises range."),
            ));
        }
        if matches!(n, IpNet::V4(_)) && !is_private_v4(n) && ipam.is_some_and(Ipam::uses_pod_cidr) {
            out.push(Finding::warning(
                "R3",
                path.clone(),
                "Public Pod CIDR",
                format!("pod CIDR {n} is not in RFC 1918 or RFC 6598 (100.64.0.0/10) space; AKS accepts it but does not support it."),
            ));
        }
    }
    // R4: service CIDR overlaps and size (A-ip; K8S).
    for (n, path) in &r.service {
        let clash = r
            .vnet
            .iter()
            .map(|(v, _)| (v, "the VNet address space"))
            .chain(r.subnets().map(|(v, _)| (v, "a cluster subnet")))
            .chain(r.reserved.iter().map(|(v, _)| (v, "reserved_cidrs")))
            .chain(r.pod.iter().map(|(v, _)| (v, "the pod CIDR")))
            .find(|(v, _)| overlaps(n, v));
        if let Some((v, what)) = clash {
            out.push(Finding::error(
                "R4",
                path.clone(),
                "Service CIDR Overlaps Network",
                format!("service CIDR {n} overlaps {v} in {what}; AKS rejects it (ServiceCidrOverlapExistingSubnetsCidr). Choose an unused private range such as 10.0.0.0/16 outside the VNet."),
            ));
        }
        let (min, fam) = match n {
            IpNet::V4(_) => (12, "IPv4"),
            IpNet::V6(_) => (108, "IPv6"),
        };
        if n.prefix_len() < min {
            out.push(Finding::error(
                "R4",
                path.clone(),
                "Service CIDR Too Large",
                format!("service CIDR {n} is larger than /{min}, the kube-apiserver limit for {fam}; use a /{min} or smaller."),
            ));
        }
    }
    // R5, R6: the DNS service IP (A-ovc; TF-V).
    match (&p.dns_service_ip, p.service_cidrs.first()) {
        (Some(dns), None) => out.push(Finding::error(
            "R6",
            dns.path.clone(),
            "DNS Service IP Without Service CIDR",
            "set dns_service_ip and service_cidr together, or leave both unset for AKS's defaults (10.0.0.0/16 and 10.0.0.10).",
        )),
        (None, Some(svc)) => out.push(Finding::error(
            "R6",
            svc.path.clone(),
            "Service CIDR Without DNS Service IP",
            "set dns_service_ip with service_cidr (for example the .10 address of the service CIDR), or leave both unset.",
        )),
        (Some(dns), Some(_)) => match parse_ip(&dns.value) {
            Err(e) => out.push(Finding::error("R7", dns.path.clone(), "Invalid DNS Service IP", format!("{e}."))),
            Ok(ip) => {
                if let Some((svc, _)) = r.service.iter().find(|(s, _)| matches!((s, ip), (IpNet::V4(_), std::net::IpAddr::V4(_)) | (IpNet::V6(_), std::net::IpAddr::V6(_)))) {
                    if !svc.contains(&ip) {
                        out.push(Finding::error(
                            "R5",
                            dns.path.clone(),
                            "DNS Service IP Outside Service CIDR",
                            format!("dns_service_ip {ip} is outside service CIDR {svc} (AKS: DnsServiceIpOutOfServiceCidr); use an address inside it, e.g. {}.", cidr::nth_addr(svc, 10).map(|a| a.to_string()).unwrap_or_default()),
                        ));
                    } else if ip == svc.network() || Some(ip) == cidr::nth_addr(svc, 1) || ip == svc.broadcast() {
                        out.push(Finding::error(
                            "R5",
                            dns.path.clone(),
                            "Unusable DNS Service IP",
                            format!("dns_service_ip {ip} is the network, first (kubernetes.default) or broadcast address of {svc}; use another, e.g. {}.", cidr::nth_addr(svc, 10).map(|a| a.to_string()).unwrap_or_default()),
                        ));
                    }
                }
            }
        },
        (None, None) => {}
    }
    // R8: subnet sizes (A-ovc; VNET-FAQ).
    for (n, path) in r.subnets() {
        match n {
            IpNet::V4(v) if v.prefix_len() > cidr::MIN_SUBNET_PREFIX_V4 => out.push(Finding::error(
                "R8",
                path.clone(),
                "Subnet Too Small",
                format!("{n} is smaller than /29, the smallest subnet Azure allows (Azure keeps 5 addresses per subnet)."),
            )),
            IpNet::V6(v) if v.prefix_len() != 64 => out.push(Finding::error(
                "R8",
                path.clone(),
                "IPv6 Subnet Not /64",
                format!("{n} must be exactly a /64: Azure IPv6 subnets are /64."),
            )),
            _ => {}
        }
    }
}

/// Peak nodes of one pool: `max(node_count, max_count) + surge` (C1, C4; A-ip). Invalid
/// surge values count as the default here and are reported by [`capacity`].
fn pool_peak(pool: &NodePool) -> u64 {
    let base = pool.node_count.unwrap_or(0).max(pool.max_count.unwrap_or(0));
    let surge = sizing::surge_nodes(pool.max_surge.as_deref(), base).unwrap_or(sizing::DEFAULT_SURGE_NODES);
    u64::from(base) + u64::from(surge)
}

fn total_peak(p: &NetworkProfile) -> u64 {
    p.node_pools.iter().map(pool_peak).sum()
}

/// "the pools peak at 6 nodes (node_pool[0]: 5 + 1 surge)".
fn peak_breakdown(p: &NetworkProfile) -> String {
    let parts: Vec<String> = p
        .node_pools
        .iter()
        .map(|n| {
            let base = n.node_count.unwrap_or(0).max(n.max_count.unwrap_or(0));
            format!("{}: {base} + {} surge", n.path, pool_peak(n) - u64::from(base))
        })
        .collect();
    format!(
        "the pools peak at {} nodes ({})",
        thousands(total_peak(p)),
        parts.join(", ")
    )
}

/// C1–C8: counts, max pods, and whether the given ranges hold the pools at peak.
fn capacity(p: &NetworkProfile, r: &Ranges, out: &mut Vec<Finding>) {
    let ipam = ipam(p);
    for (i, pool) in p.node_pools.iter().enumerate() {
        // C3: pool counts (SPEC; A-scale).
        if let (Some(min), Some(max)) = (pool.min_count, pool.max_count) {
            if min > max {
                out.push(Finding::error(
                    "C3",
                    pool.path.clone().then("min_count"),
                    "Min Count Above Max Count",
                    format!("min_count {min} is greater than max_count {max}."),
                ));
            }
        }
        if let Some(count) = pool.node_count {
            if pool.min_count.is_some_and(|m| count < m) || pool.max_count.is_some_and(|m| count > m) {
                out.push(Finding::error(
                    "C3",
                    pool.path.clone().then("node_count"),
                    "Node Count Outside Autoscaler Range",
                    format!(
                        "node_count {count} must lie between min_count and max_count ({}–{}).",
                        pool.min_count.unwrap_or(0),
                        pool.max_count.unwrap_or(count)
                    ),
                ));
            }
            if i == 0 && count == 0 && pool.max_count.unwrap_or(0) == 0 {
                out.push(Finding::error(
                    "C3",
                    pool.path.clone().then("node_count"),
                    "Empty System Pool",
                    "the first (system) pool needs at least one node; set node_count to 1 or more.",
                ));
            }
        }
        let base = pool.node_count.unwrap_or(0).max(pool.max_count.unwrap_or(0));
        if base > sizing::MAX_POOL_NODES {
            let attr = if pool.max_count.unwrap_or(0) >= pool.node_count.unwrap_or(0) {
                "max_count"
            } else {
                "node_count"
            };
            out.push(Finding::error("C3", pool.path.clone().then(attr), "Pool Too Large", format!("a node pool holds at most 1,000 nodes; this one asks for {}. Split it into several pools.", thousands(u64::from(base)))));
        }
        if let Some(s) = &pool.max_surge {
            if let Err(e) = sizing::surge_nodes(Some(s), base) {
                out.push(Finding::error(
                    "C4",
                    pool.path.clone().then("max_surge"),
                    "Invalid Max Surge",
                    format!("max_surge {e}."),
                ));
            }
        }
        // C8: max pods range and the 30-pod floor per pool (A-ip).
        if let Some(mp) = pool.max_pods {
            if !sizing::MAX_PODS_RANGE.contains(&mp) {
                out.push(Finding::error(
                    "C8",
                    pool.path.clone().then("max_pods"),
                    "Max Pods Out Of Range",
                    format!("max_pods is {mp}; AKS accepts 10 to 250 for every network plugin."),
                ));
            } else if u64::from(mp) * u64::from(base.max(1)) < 30 {
                out.push(Finding::error(
                    "C8",
                    pool.path.clone().then("max_pods"),
                    "Pool Below 30 Pods",
                    format!("max_pods {mp} × {base} nodes gives room for {} pods; AKS needs room for at least 30 per pool. Raise max_pods or node_count.", u64::from(mp) * u64::from(base)),
                ));
            }
            if mp > 110 && is_windows(pool) && ipam == Some(Ipam::Overlay) {
                out.push(Finding::warning("C9", pool.path.clone().then("max_pods"), "Windows Max Pods Above 110", format!("max_pods {mp} exceeds 110, the recommended ceiling for Windows nodes with Azure CNI Overlay.")));
            }
        }
    }
    let peak = total_peak(p);
    if peak > sizing::MAX_CLUSTER_NODES {
        out.push(Finding::error(
            "C3",
            FieldPath::root(),
            "Cluster Too Large",
            format!("{}; an AKS cluster holds at most 5,000 nodes.", peak_breakdown(p)),
        ));
    }
    let Some(ipam) = ipam else { return };
    let last = p
        .node_pools
        .last()
        .map(|n| {
            n.path.clone().then(if n.max_count.is_some() {
                "max_count"
            } else {
                "node_count"
            })
        })
        .unwrap_or_default();
    // C2: kubenet's route table holds 400 routes, one per node (A-kn; VNET-LIM).
    if ipam == Ipam::Kubenet && peak > sizing::KUBENET_MAX_ROUTES {
        out.push(Finding::error(
            "C2",
            last.clone(),
            "Kubenet Route Limit",
            format!("kubenet needs one route per node and a route table holds 400 routes; {}. Use Azure CNI Overlay, or lower the node counts.", peak_breakdown(p)),
        ));
    }
    // C1: one /24 of the pod CIDR per node (A-ovc; ERR #701).
    if ipam.uses_pod_cidr() {
        if let Some((IpNet::V4(pc), path)) = r.pod.first() {
            let holds = sizing::pod_cidr_max_nodes(pc.prefix_len());
            if holds < peak {
                let need = 24 - (64 - (peak.max(1) - 1).leading_zeros()).min(24) as u8;
                out.push(Finding::error(
                    "C1",
                    path.clone(),
                    "Pod CIDR Too Small",
                    format!(
                        "pod CIDR {pc} holds {} nodes at one /24 per node; {}; use /{need} or larger.",
                        thousands(holds),
                        peak_breakdown(p)
                    ),
                ));
            }
        }
    }
    // C4, C5: the node subnet holds every node (and, for flat Azure CNI, every pod) (A-ip; TS-ISS).
    if let Some((subnet, path)) = &r.node_subnet {
        let pods: Vec<u32> = p
            .node_pools
            .iter()
            .map(|n| n.max_pods.unwrap_or_else(|| sizing::default_max_pods(ipam)))
            .collect();
        let needed: u64 = p
            .node_pools
            .iter()
            .zip(&pods)
            .map(|(n, mp)| {
                pool_peak(n)
                    * if ipam == Ipam::NodeSubnet {
                        1 + u64::from(*mp)
                    } else {
                        1
                    }
            })
            .sum();
        let usable = usable_subnet_ips(subnet);
        if usable < needed {
            let fix = cidr::smallest_v4_subnet_prefix(needed)
                .map(|p| format!("use /{p} or larger"))
                .unwrap_or_else(|| "split the cluster".into());
            let (rule, demand) = if ipam == Ipam::NodeSubnet && pods.windows(2).all(|w| w[0] == w[1]) {
                (
                    "C5",
                    format!(
                        "Azure CNI needs {} addresses for {} nodes × ({} pods + 1)",
                        thousands(needed),
                        thousands(peak),
                        pods.first().copied().unwrap_or(0)
                    ),
                )
            } else if ipam == Ipam::NodeSubnet {
                (
                    "C5",
                    format!(
                        "Azure CNI needs {} addresses for {} nodes and their pods",
                        thousands(needed),
                        thousands(peak)
                    ),
                )
            } else {
                (
                    "C4",
                    format!(
                        "{} needs {} node addresses for {} nodes",
                        ipam.describe(),
                        thousands(needed),
                        thousands(peak)
                    ),
                )
            };
            out.push(Finding::error(
                rule,
                path.clone(),
                "Node Subnet Too Small",
                format!(
                    "{demand}; /{} gives {} usable; {fix}.",
                    subnet.prefix_len(),
                    thousands(usable)
                ),
            ));
        }
    }
    // C6, C7: the pod subnet holds every node's batches or blocks (A-dyn; A-sb).
    if let Some((subnet, path)) = &r.pod_subnet {
        if ipam.uses_pod_subnet() {
            let needed: u64 = p
                .node_pools
                .iter()
                .map(|n| {
                    pool_peak(n)
                        * sizing::pod_ips_per_node(
                            ipam,
                            n.max_pods.unwrap_or_else(|| sizing::default_max_pods(ipam)),
                        )
                })
                .sum();
            let usable = usable_subnet_ips(subnet);
            if usable < needed {
                let rule = if ipam == Ipam::PodSubnetStatic { "C7" } else { "C6" };
                let fix = cidr::smallest_v4_subnet_prefix(needed)
                    .map(|p| format!("use /{p} or larger"))
                    .unwrap_or_else(|| "split the cluster".into());
                out.push(Finding::error(
                    rule,
                    path.clone(),
                    "Pod Subnet Too Small",
                    format!(
                        "{} reserves {} pod addresses for {} nodes; /{} gives {} usable; {fix}.",
                        ipam.describe(),
                        thousands(needed),
                        thousands(peak),
                        subnet.prefix_len(),
                        thousands(usable)
                    ),
                ));
            }
        }
    }
    // C7: static block needs Kubernetes 1.28 (A-sb).
    if ipam == Ipam::PodSubnetStatic {
        if let Some(v) = k8s_version(p).filter(|v| *v < (1, 28)) {
            out.push(Finding::error(
                "C7",
                path(&p.kubernetes_version, "kubernetes_version"),
                "Static Block Needs Kubernetes 1.28",
                format!("pod_ip_allocation_mode = \"StaticBlock\" needs Kubernetes 1.28 or newer; kubernetes_version is {}.{}.", v.0, v.1),
            ));
        }
    }
}

fn valid_pool_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && name.len() <= 12
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// W1: Windows pools and pool names (A-kn; A-cni; SPEC).
fn windows(p: &NetworkProfile, out: &mut Vec<Finding>) {
    let plugin = effective_plugin(p);
    for (i, pool) in p.node_pools.iter().enumerate() {
        if let Some(name) = &pool.name {
            if !valid_pool_name(name) {
                out.push(Finding::error(
                    "W1",
                    pool.path.clone().then("name"),
                    "Invalid Node Pool Name",
                    format!("node pool name \"{name}\" must start with a lowercase letter and have at most 12 lowercase letters or digits."),
                ));
            } else if is_windows(pool) && name.len() > 6 {
                out.push(Finding::error(
                    "W1",
                    pool.path.clone().then("name"),
                    "Windows Pool Name Too Long",
                    format!(
                        "Windows node pool names have at most 6 characters; \"{name}\" has {}.",
                        name.len()
                    ),
                ));
            }
        }
        if is_windows(pool) {
            if plugin != "azure" {
                out.push(Finding::error(
                    "W1",
                    pool.path.clone().then("os_type"),
                    "Windows Requires Azure CNI",
                    format!("Windows node pools need network_plugin = \"azure\" (node subnet, pod subnet or overlay), not \"{plugin}\"."),
                ));
            }
            if i == 0 {
                out.push(Finding::error(
                    "W1",
                    pool.path.clone().then("os_type"),
                    "Windows System Pool",
                    "the first (system) pool must run Linux; add Windows as a further node_pool.",
                ));
            }
        }
    }
}

/// W3: retirements (A-ret; A-pol). Windows NPM retired on 2026-09-30 and accepts no new
/// clusters, so it is an error; the others are still running and only warn.
fn retirements(p: &NetworkProfile, out: &mut Vec<Finding>) {
    if val(&p.network_plugin) == Some("kubenet") {
        out.push(Finding::warning(
            "W3",
            path(&p.network_plugin, "network_plugin"),
            "Kubenet Retires 2028-03-31",
            "kubenet is retired on 2028-03-31; plan with network_plugin = \"azure\" and network_plugin_mode = \"overlay\" (aksnet_cluster_network migrates in place).",
        ));
    }
    if val(&p.network_policy) == Some("azure") {
        out.push(Finding::warning(
            "W3",
            path(&p.network_policy, "network_policy"),
            "Azure Network Policy Manager Retires",
            "Azure NPM on Linux is retired on 2028-09-30; use `cilium` (with the cilium dataplane) or `calico`.",
        ));
        for pool in p.node_pools.iter().filter(|n| is_windows(n)) {
            out.push(Finding::error(
                "W3",
                pool.path.clone().then("os_type"),
                "Azure NPM On Windows Retired",
                "Azure NPM for Windows nodes was retired on 2026-09-30 and accepts no new onboarding; remove network_policy = \"azure\" or the Windows pool.",
            ));
        }
    }
}

#[cfg(test)]
mod tests;
