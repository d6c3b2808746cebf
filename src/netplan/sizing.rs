//! Capacity formulas (C1–C9): how many addresses each IPAM mode consumes.

use super::error::SurgeError;

/// How pods get their addresses; decides every capacity formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ipam {
    /// kubenet: a /24 per node from the pod CIDR, one route per node (C1, C2).
    Kubenet,
    /// Azure CNI Overlay: a /24 per node from the pod CIDR (C1, C3).
    Overlay,
    /// Azure CNI flat: pods take node-subnet addresses (C5).
    NodeSubnet,
    /// Azure CNI with a pod subnet, dynamic allocation in batches of 16 (C6).
    PodSubnetDynamic,
    /// Azure CNI with a pod subnet, static /28 blocks per node (C7).
    PodSubnetStatic,
    /// `none`: bring-your-own CNI; AKS needs only a pod CIDR to hand over (E10).
    Byo,
}

impl Ipam {
    /// Derives the IPAM mode from the profile values; `None` for an unknown plugin.
    /// An unset plugin is AKS's default: overlay from Kubernetes 1.30 (E1, SPEC-def).
    pub fn from_settings(
        plugin: Option<&str>,
        mode: Option<&str>,
        pod_subnet: bool,
        pod_ip_allocation_mode: Option<&str>,
    ) -> Option<Ipam> {
        match (plugin.unwrap_or("azure"), mode) {
            ("kubenet", _) => Some(Ipam::Kubenet),
            ("none", _) => Some(Ipam::Byo),
            ("azure", Some(m)) if m.eq_ignore_ascii_case("overlay") => Some(Ipam::Overlay),
            ("azure", _) if plugin.is_none() => Some(Ipam::Overlay),
            ("azure", _) if pod_subnet => match pod_ip_allocation_mode {
                Some("StaticBlock") => Some(Ipam::PodSubnetStatic),
                _ => Some(Ipam::PodSubnetDynamic),
            },
            ("azure", _) => Some(Ipam::NodeSubnet),
            _ => None,
        }
    }

    /// True when pods draw from a pod CIDR outside the VNet (one /24 per node, or BYO).
    pub(crate) fn uses_pod_cidr(self) -> bool {
        matches!(self, Ipam::Kubenet | Ipam::Overlay | Ipam::Byo)
    }

    /// True for the pod-subnet modes.
    pub(crate) fn uses_pod_subnet(self) -> bool {
        matches!(self, Ipam::PodSubnetDynamic | Ipam::PodSubnetStatic)
    }

    /// Human name for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Ipam::Kubenet => "kubenet",
            Ipam::Overlay => "Azure CNI Overlay",
            Ipam::NodeSubnet => "Azure CNI (node subnet)",
            Ipam::PodSubnetDynamic => "Azure CNI with a pod subnet (dynamic)",
            Ipam::PodSubnetStatic => "Azure CNI with a pod subnet (static block)",
            Ipam::Byo => "bring-your-own CNI (none)",
        }
    }
}

/// Allowed `max_pods` range for every plugin (C8; A-ip).
pub(crate) const MAX_PODS_RANGE: std::ops::RangeInclusive<u32> = 10..=250;

/// Kubenet's per-table route limit, which caps the cluster at 400 nodes (C2; A-kn, VNET-LIM).
pub(crate) const KUBENET_MAX_ROUTES: u64 = 400;

/// Overlay and kubenet give each node one /24 of the pod CIDR (C1).
const PER_NODE_POD_PREFIX_V4: u8 = 24;

/// Cluster node ceiling by tier (C3; A-scale): Standard/Premium 5,000.
pub(crate) const MAX_CLUSTER_NODES: u64 = 5000;

/// Nodes per pool (C3; SPEC).
pub(crate) const MAX_POOL_NODES: u32 = 1000;

/// Surge AKS adds during upgrades when none is set: one node, as the planning formula in
/// A-ip counts (`N + 1`). Set `max_surge` explicitly when the pool uses a percentage.
pub(crate) const DEFAULT_SURGE_NODES: u32 = 1;

/// `maxPods` default per mode (C9).
///
/// With a pod subnet the primary sources disagree, and aksnet sizes for the larger value
/// until one settles it (an under-sized subnet fails at scale-out; an over-sized plan only
/// costs addresses):
/// - Learn, configure-azure-cni-dynamic-ip-allocation ("Maximum pods per node in a cluster
///   with Pod Subnet - Dynamic IP Allocation"): "|Azure CNI Pod Subnet - Dynamic IP
///   Allocation|250|Yes (up to 250)|";
/// - Learn, concepts-network-ip-address-planning ("Maximum pods per node"): "| Azure CNI Pod
///   subnet | 110 | Yes (up to 250) |";
/// - the static block allocation pages state no default, and the 2025-10-01 spec's `maxPods`
///   has none ("The maximum number of pods that can run on a node."), so static block takes
///   the pod-subnet value too.
///
/// Set `max_pods` to plan for exactly what the pools will run.
pub(crate) fn default_max_pods(ipam: Ipam) -> u32 {
    match ipam {
        Ipam::Kubenet => 110,
        Ipam::NodeSubnet => 30,
        Ipam::Overlay | Ipam::Byo => 250,
        Ipam::PodSubnetDynamic | Ipam::PodSubnetStatic => POD_SUBNET_DEFAULT_MAX_PODS,
    }
}

/// The `maxPods` aksnet assumes for a pool with a pod subnet that leaves it unset: the larger
/// of the two documented defaults (see [`default_max_pods`]).
const POD_SUBNET_DEFAULT_MAX_PODS: u32 = 250;

/// Parses `max_surge` (`"3"` or `"33%"`) into extra nodes for a pool of `nodes` nodes.
/// Percentages round up, and a surge is at least one node (A-ip: upgrades need n+1).
pub(crate) fn surge_nodes(max_surge: Option<&str>, nodes: u32) -> Result<u32, SurgeError> {
    let Some(raw) = max_surge.map(str::trim) else {
        return Ok(DEFAULT_SURGE_NODES);
    };
    if let Some(pct) = raw.strip_suffix('%') {
        let pct: u32 = pct
            .parse()
            .ok()
            .filter(|p| (1..=100).contains(p))
            .ok_or_else(|| SurgeError::Percentage { raw: raw.to_string() })?;
        Ok((u64::from(nodes) * u64::from(pct)).div_ceil(100).max(1) as u32)
    } else {
        raw.parse::<u32>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| SurgeError::Count { raw: raw.to_string() })
    }
}

/// Pod addresses one node reserves at `max_pods` (C5–C7).
pub(crate) fn pod_ips_per_node(ipam: Ipam, max_pods: u32) -> u64 {
    let max_pods = u64::from(max_pods);
    match ipam {
        // C5: the node's pods take node-subnet IPs (node IP counted separately).
        Ipam::NodeSubnet => max_pods,
        // C6: batches of 16; a node holding max_pods pods has ceil(max_pods/16) batches.
        Ipam::PodSubnetDynamic => max_pods.div_ceil(16).max(1) * 16,
        // C7: ceil((maxPods+1)/16) /28 blocks; one address per node is reserved.
        Ipam::PodSubnetStatic => (max_pods + 1).div_ceil(16) * 16,
        // C1: a /24 from the pod CIDR, outside the VNet.
        Ipam::Kubenet | Ipam::Overlay | Ipam::Byo => 256,
    }
}

/// Nodes a pod CIDR of this IPv4 prefix length can serve at one /24 per node (C1).
pub(crate) fn pod_cidr_max_nodes(prefix_len: u8) -> u64 {
    if prefix_len > PER_NODE_POD_PREFIX_V4 {
        0
    } else {
        1u64 << (PER_NODE_POD_PREFIX_V4 - prefix_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipam_from_settings() {
        assert_eq!(
            Ipam::from_settings(Some("kubenet"), None, false, None),
            Some(Ipam::Kubenet)
        );
        assert_eq!(
            Ipam::from_settings(Some("azure"), Some("overlay"), false, None),
            Some(Ipam::Overlay)
        );
        assert_eq!(
            Ipam::from_settings(Some("azure"), None, false, None),
            Some(Ipam::NodeSubnet)
        );
        assert_eq!(
            Ipam::from_settings(Some("azure"), None, true, None),
            Some(Ipam::PodSubnetDynamic)
        );
        assert_eq!(
            Ipam::from_settings(Some("azure"), None, true, Some("StaticBlock")),
            Some(Ipam::PodSubnetStatic)
        );
        assert_eq!(
            Ipam::from_settings(Some("none"), None, false, None),
            Some(Ipam::Byo)
        );
        assert_eq!(Ipam::from_settings(None, None, false, None), Some(Ipam::Overlay));
        assert_eq!(Ipam::from_settings(Some("flannel"), None, false, None), None);
    }

    #[test]
    fn surge_parsing() {
        assert_eq!(surge_nodes(None, 50), Ok(1));
        assert_eq!(surge_nodes(Some("3"), 50), Ok(3));
        assert_eq!(surge_nodes(Some("33%"), 10), Ok(4));
        assert_eq!(surge_nodes(Some("10%"), 1), Ok(1));
        assert_eq!(
            surge_nodes(Some("0"), 3),
            Err(SurgeError::Count { raw: "0".into() })
        );
        assert_eq!(
            surge_nodes(Some("150%"), 3),
            Err(SurgeError::Percentage { raw: "150%".into() })
        );
        assert!(surge_nodes(Some("lots"), 3)
            .unwrap_err()
            .to_string()
            .contains("lots"));
    }

    #[test]
    fn per_node_ips() {
        // C5 example: 50 nodes + 1 surge at 30 pods = 51 × 31 = 1,581.
        assert_eq!(51 * (pod_ips_per_node(Ipam::NodeSubnet, 30) + 1), 1581);
        assert_eq!(pod_ips_per_node(Ipam::PodSubnetDynamic, 30), 32);
        assert_eq!(pod_ips_per_node(Ipam::PodSubnetDynamic, 10), 16);
        // C7: 15 pods + 1 reserved fit one /28; 16 pods need two.
        assert_eq!(pod_ips_per_node(Ipam::PodSubnetStatic, 15), 16);
        assert_eq!(pod_ips_per_node(Ipam::PodSubnetStatic, 16), 32);
        assert_eq!(pod_cidr_max_nodes(16), 256);
        assert_eq!(pod_cidr_max_nodes(24), 1);
        assert_eq!(pod_cidr_max_nodes(25), 0);
    }

    #[test]
    fn max_pods_defaults() {
        assert_eq!(default_max_pods(Ipam::Kubenet), 110);
        assert_eq!(default_max_pods(Ipam::NodeSubnet), 30);
        assert_eq!(default_max_pods(Ipam::Overlay), 250);
        assert_eq!(default_max_pods(Ipam::Byo), 250);
        // The larger of the two documented pod-subnet defaults (250 vs 110).
        assert_eq!(default_max_pods(Ipam::PodSubnetDynamic), 250);
        assert_eq!(default_max_pods(Ipam::PodSubnetStatic), 250);
    }
}
