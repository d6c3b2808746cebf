//! Live subnet usage (`aksnet_subnet_usage`): the live side of C4–C7. ARM says how many of a
//! subnet's addresses are in use (`VirtualNetworks_ListUsage`, read by the data source); this
//! module turns that count and the subnet's prefixes into free addresses, the largest block
//! that is certainly free, and how many more nodes fit at a plugin's per-node cost (the
//! formulas of [`super::sizing`], never repeated here).
//!
//! Sources: Azure keeps the first four and the last address of every subnet (VNET-FAQ: "Azure
//! reserves the first four and last IP address for a total of 5 IP addresses within each
//! subnet"); ARM's usage `limit` is the subnet's size without them (a /24 reports 251) and
//! `currentValue` "Indicates number of IPs used from the Subnet" (azure-rest-api-specs,
//! Microsoft.Network stable 2025-01-01 virtualNetwork.json, `VirtualNetworkUsage`).

use ipnet::IpNet;

use super::cidr::{size, AZURE_RESERVED_PER_SUBNET};
use super::sizing::{default_max_pods, pod_ips_per_node, Ipam, MAX_PODS_RANGE};
use super::{FieldPath, Finding, RuleId};

/// Which of a cluster's subnets is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SubnetRole {
    /// The node subnet (`vnet_subnet_id`): one address per node, plus its pods for flat Azure CNI.
    Node,
    /// The pod subnet (`pod_subnet_id`) of Azure CNI with a pod subnet.
    Pod,
}

/// The data source's inputs as configured (unset is `None`).
#[derive(Debug, Clone, Default)]
pub(crate) struct UsageSpec {
    pub network_plugin: Option<String>,
    pub network_plugin_mode: Option<String>,
    pub pod_ip_allocation_mode: Option<String>,
    pub subnet_role: Option<String>,
    pub max_pods: Option<i64>,
}

/// What a node costs in the measured subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NodeCost {
    pub ipam: Ipam,
    pub role: SubnetRole,
    /// `max_pods` as configured, or AKS's default for the plugin (C9).
    pub max_pods: u32,
}

impl NodeCost {
    /// Addresses one more node takes from the measured subnet: its own address in the node
    /// subnet (plus `max_pods` for flat Azure CNI, C5); its pods' batches (C6) or /28 blocks
    /// (C7) in a pod subnet.
    pub(crate) fn ips_per_node(self) -> u64 {
        match self.role {
            SubnetRole::Node if self.ipam == Ipam::NodeSubnet => {
                1 + pod_ips_per_node(self.ipam, self.max_pods)
            }
            SubnetRole::Node => 1,
            SubnetRole::Pod => pod_ips_per_node(self.ipam, self.max_pods),
        }
    }
}

fn err(rule: RuleId, attr: &'static str, summary: &str, detail: String) -> Finding {
    Finding::error(rule, FieldPath::attr(attr), summary, detail)
}

/// Checks the inputs and derives the per-node cost; the findings when they do not fit.
pub(crate) fn node_cost(spec: &UsageSpec) -> Result<NodeCost, Vec<Finding>> {
    let mut out = Vec::new();
    let plugin = spec.network_plugin.as_deref().map(str::trim);
    if let Some(p) = plugin.filter(|p| !["azure", "kubenet", "none"].contains(p)) {
        out.push(err(
            RuleId::E1,
            "network_plugin",
            "Invalid Network Plugin",
            format!("network_plugin is \"{p}\"; possible values are `azure`, `kubenet` and `none`."),
        ));
    }
    let mode = spec.network_plugin_mode.as_deref().map(str::trim);
    match mode {
        Some(m) if !m.eq_ignore_ascii_case("overlay") => out.push(err(
            RuleId::E2,
            "network_plugin_mode",
            "Invalid Network Plugin Mode",
            format!("network_plugin_mode is \"{m}\"; the only value is `overlay`."),
        )),
        Some(_) if plugin != Some("azure") => out.push(err(
            RuleId::E2,
            "network_plugin_mode",
            "Invalid Network Plugin Mode",
            "network_plugin_mode = \"overlay\" needs network_plugin = \"azure\".".into(),
        )),
        _ => {}
    }
    let alloc = spec.pod_ip_allocation_mode.as_deref().map(str::trim);
    match alloc {
        Some(a) if !["DynamicIndividual", "StaticBlock"].contains(&a) => out.push(err(RuleId::E13, "pod_ip_allocation_mode", "Invalid Pod IP Allocation Mode", format!("pod_ip_allocation_mode is \"{a}\"; possible values are `DynamicIndividual` and `StaticBlock`."))),
        Some(_) if plugin != Some("azure") || mode.is_some() => out.push(err(RuleId::E13, "pod_ip_allocation_mode", "Invalid Pod IP Allocation Mode", "pod_ip_allocation_mode describes Azure CNI with a pod subnet: network_plugin = \"azure\" without network_plugin_mode.".into())),
        _ => {}
    }
    let role = match spec.subnet_role.as_deref().map(str::trim) {
        None | Some("node") => Some(SubnetRole::Node),
        Some("pod") if alloc.is_some() => Some(SubnetRole::Pod),
        Some("pod") => {
            out.push(err(RuleId::I6, "subnet_role", "Unsupported Value", "subnet_role = \"pod\" measures a pod subnet: set pod_ip_allocation_mode (`DynamicIndividual` or `StaticBlock`) too.".into()));
            None
        }
        Some(other) => {
            out.push(err(
                RuleId::I6,
                "subnet_role",
                "Unsupported Value",
                format!("subnet_role is \"{other}\"; possible values are `node` and `pod`."),
            ));
            None
        }
    };
    let max_pods = match spec.max_pods {
        Some(n) if !MAX_PODS_RANGE.contains(&u32::try_from(n).unwrap_or(0)) => {
            out.push(err(
                RuleId::C8,
                "max_pods",
                "Invalid Max Pods",
                format!(
                    "max_pods is {n}; AKS allows {}–{} pods per node.",
                    MAX_PODS_RANGE.start(),
                    MAX_PODS_RANGE.end()
                ),
            ));
            None
        }
        other => other.and_then(|n| u32::try_from(n).ok()),
    };
    let ipam = Ipam::from_settings(plugin, mode, alloc.is_some(), alloc);
    match (ipam, role) {
        (Some(ipam), Some(role)) if out.is_empty() => Ok(NodeCost {
            ipam,
            role,
            max_pods: max_pods.unwrap_or_else(|| default_max_pods(ipam)),
        }),
        _ => Err(out),
    }
}

/// The usage of one subnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SubnetUsage {
    /// Addresses in the IPv4 prefixes.
    pub total: u64,
    /// Five per IPv4 prefix.
    pub reserved: u64,
    pub used: u64,
    pub free: u64,
    /// Prefix length of the largest aligned block certainly free, whichever addresses are in
    /// use; `None` when not even one address is.
    pub largest_free_block: Option<u8>,
    pub ips_per_node: u64,
    pub additional_nodes: u64,
}

/// Aligned blocks of `2^bits` addresses that lie wholly in the usable part of `net` (between
/// the four reserved at its start and the one at its end).
fn usable_blocks(net: &IpNet, bits: u32) -> u64 {
    let (total, block) = (size(net), 1u64 << bits);
    let first = AZURE_RESERVED_PER_SUBNET - 1; // offsets 0–3 are reserved
    let lo = first.div_ceil(block) * block;
    // The block must end at or before offset total − 2 (the last address is reserved).
    let Some(last_start) = total.checked_sub(block + 1) else {
        return 0;
    };
    let hi = last_start / block * block;
    if hi < lo {
        0
    } else {
        (hi - lo) / block + 1
    }
}

/// Usage of a subnet with `prefixes` (IPv6 prefixes are listed by ARM but not counted:
/// ARM's usage counts IPv4 addresses), `used` addresses in use and ARM's `limit` when it gave
/// one. A used address can spoil at most one aligned block of a size, so a block size with
/// more usable blocks than addresses in use certainly has a free block: that is the largest
/// free block reported, a lower bound that holds however the addresses are spread.
pub(crate) fn subnet_usage(prefixes: &[IpNet], used: u64, limit: Option<u64>, cost: NodeCost) -> SubnetUsage {
    let v4: Vec<&IpNet> = prefixes.iter().filter(|p| matches!(p, IpNet::V4(_))).collect();
    let total: u64 = v4.iter().map(|p| size(p)).sum();
    let reserved = AZURE_RESERVED_PER_SUBNET * v4.len() as u64;
    let usable = limit.unwrap_or(total.saturating_sub(reserved));
    let free = usable.saturating_sub(used);
    let blocks = |bits: u32| v4.iter().map(|p| usable_blocks(p, bits)).sum::<u64>();
    let largest_free_block = (0..=32u32)
        .rev()
        .find(|&bits| blocks(bits) > used)
        .map(|bits| (32 - bits) as u8)
        .filter(|_| free > 0);
    let ips_per_node = cost.ips_per_node();
    let additional_nodes = match (cost.role, cost.ipam) {
        // C7: a node's pods take whole /28 blocks; only blocks certainly free count.
        (SubnetRole::Pod, Ipam::PodSubnetStatic) => {
            let free_blocks = blocks(4).saturating_sub(used).min(free / 16);
            free_blocks / (ips_per_node / 16).max(1)
        }
        _ => free / ips_per_node.max(1),
    };
    SubnetUsage {
        total,
        reserved,
        used,
        free,
        largest_free_block,
        ips_per_node,
        additional_nodes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    fn cost(
        plugin: &str,
        mode: Option<&str>,
        alloc: Option<&str>,
        role: Option<&str>,
        max_pods: Option<i64>,
    ) -> NodeCost {
        node_cost(&UsageSpec {
            network_plugin: Some(plugin.into()),
            network_plugin_mode: mode.map(Into::into),
            pod_ip_allocation_mode: alloc.map(Into::into),
            subnet_role: role.map(Into::into),
            max_pods,
        })
        .unwrap()
    }

    #[test]
    fn a_24_with_seven_in_use_for_flat_azure_cni() {
        let c = cost("azure", None, None, None, None);
        assert_eq!(c.max_pods, 30, "C9 default for flat Azure CNI");
        assert_eq!(c.ips_per_node(), 31, "C5: max_pods + 1");
        let u = subnet_usage(&[net("10.20.0.0/24")], 7, Some(251), c);
        assert_eq!((u.total, u.reserved, u.used, u.free), (256, 5, 7, 244));
        // /26 blocks: 2 usable ≤ 7 in use; /27: 6 ≤ 7; /28: 14 > 7.
        assert_eq!(u.largest_free_block, Some(28));
        assert_eq!(u.additional_nodes, 7); // 244 / 31
    }

    #[test]
    fn usable_blocks_skip_the_reserved_addresses() {
        let n = net("10.0.0.0/24");
        assert_eq!(usable_blocks(&n, 7), 0, "both /25 halves hold a reserved address");
        assert_eq!(usable_blocks(&n, 6), 2);
        assert_eq!(usable_blocks(&n, 4), 14);
        assert_eq!(usable_blocks(&n, 2), 62, "first /30 is .0–.3, last holds .255");
        assert_eq!(usable_blocks(&n, 0), 251);
        assert_eq!(usable_blocks(&net("10.0.0.0/29"), 0), 3);
        assert_eq!(usable_blocks(&net("10.0.0.0/29"), 1), 1, ".4–.5");
        let empty = subnet_usage(&[n], 0, None, cost("kubenet", None, None, None, None));
        assert_eq!(empty.largest_free_block, Some(26));
        assert_eq!((empty.free, empty.additional_nodes), (251, 251));
        let full = subnet_usage(
            &[net("10.0.0.0/29")],
            3,
            Some(3),
            cost("kubenet", None, None, None, None),
        );
        assert_eq!(
            (full.free, full.largest_free_block, full.additional_nodes),
            (0, None, 0)
        );
    }

    #[test]
    fn per_node_costs_follow_sizing() {
        assert_eq!(cost("azure", Some("overlay"), None, None, None).ips_per_node(), 1);
        assert_eq!(cost("kubenet", None, None, None, None).ips_per_node(), 1);
        assert_eq!(
            cost("azure", None, Some("DynamicIndividual"), None, None).ips_per_node(),
            1,
            "node subnet of a pod-subnet cluster"
        );
        let dynamic = cost("azure", None, Some("DynamicIndividual"), Some("pod"), Some(30));
        assert_eq!(dynamic.ips_per_node(), 32, "C6: two batches of 16");
        let stat = cost("azure", None, Some("StaticBlock"), Some("pod"), Some(30));
        assert_eq!(stat.ips_per_node(), 32, "C7: ceil(31/16) = 2 blocks");
        // A /24 pod subnet with 20 in use: 14 usable /28s, at most 20 spoiled → none certain.
        let u = subnet_usage(&[net("10.1.0.0/24")], 20, Some(251), stat);
        assert_eq!(u.additional_nodes, 0);
        let u = subnet_usage(&[net("10.1.0.0/24")], 2, Some(251), stat);
        assert_eq!(u.additional_nodes, 6, "12 certainly free /28s, 2 per node");
        assert_eq!(
            subnet_usage(&[net("10.1.0.0/24")], 2, Some(251), dynamic).additional_nodes,
            7
        );
    }

    #[test]
    fn inputs_are_checked_with_their_rules() {
        let bad = |spec: UsageSpec| -> Vec<String> {
            node_cost(&spec)
                .unwrap_err()
                .iter()
                .map(|f| format!("{} {}", f.rule, f.detail))
                .collect()
        };
        let base = UsageSpec {
            network_plugin: Some("azure".into()),
            ..Default::default()
        };
        let e = bad(UsageSpec {
            network_plugin: Some("flannel".into()),
            ..Default::default()
        });
        assert!(e[0].starts_with("E1 "), "{e:?}");
        let e = bad(UsageSpec {
            subnet_role: Some("pod".into()),
            ..base.clone()
        });
        assert!(
            e[0].starts_with("I6 ") && e[0].contains("pod_ip_allocation_mode"),
            "{e:?}"
        );
        let e = bad(UsageSpec {
            max_pods: Some(5),
            ..base.clone()
        });
        assert!(e[0].starts_with("C8 ") && e[0].contains("10–250"), "{e:?}");
        let e = bad(UsageSpec {
            network_plugin_mode: Some("overlay".into()),
            pod_ip_allocation_mode: Some("StaticBlock".into()),
            ..base
        });
        assert!(e[0].starts_with("E13 "), "{e:?}");
    }
}
