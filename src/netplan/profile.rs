//! The inputs the rules look at: an AKS network profile plus its address context.
//!
//! Values stay as the user wrote them (strings) so that the rules can reject bad
//! spellings with a message; every value carries the path to blame.

use std::collections::BTreeSet;

use super::FieldPath;

/// A user-supplied value together with the attribute it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    /// The value as written (strings stay unparsed so rules can name a bad spelling).
    pub value: T,
    /// The attribute a finding about this value blames.
    pub path: FieldPath,
}

impl<T> Located<T> {
    /// Wraps `value` found at `path`.
    pub fn new(value: T, path: FieldPath) -> Self {
        Self { value, path }
    }
}

/// AKS's defaults for an unset network profile (SPEC 2025-10-01 `ContainerServiceNetworkProfile`:
/// `serviceCidr`, `podCidr`).
pub(crate) const DEFAULT_SERVICE_CIDR: &str = "10.0.0.0/16";
pub(crate) const DEFAULT_POD_CIDR: &str = "10.244.0.0/16";

/// Whether a profile describes a cluster to be created or one that already exists: AKS
/// refuses some values on create only (E16: a Basic load balancer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lifecycle {
    /// A new cluster (the default: functions and planners describe clusters to create).
    #[default]
    Create,
    /// A cluster that exists in Azure.
    Existing,
    /// Not known yet (Terraform's validate runs before it knows).
    Unknown,
}

/// An AKS network profile as far as it can be checked without Azure.
///
/// `None`/empty means "not set" (AKS applies its default). Paths in [`Located`] values
/// point at the Terraform attribute the value came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkProfile {
    /// `azure` | `kubenet` | `none` (E1). `None` means the AKS default for the version.
    pub network_plugin: Option<Located<String>>,
    /// `overlay` (E2).
    pub network_plugin_mode: Option<Located<String>>,
    /// `none` | `calico` | `azure` | `cilium` (E3).
    pub network_policy: Option<Located<String>>,
    /// `azure` | `cilium` (E5).
    pub network_data_plane: Option<Located<String>>,
    /// Pod CIDRs (overlay, kubenet, none): one per IP family, in `ip_families` order (E10, E14, R3).
    pub pod_cidrs: Vec<Located<String>>,
    /// Service CIDRs: one per IP family (R4, E14).
    pub service_cidrs: Vec<Located<String>>,
    /// Kubernetes DNS service IP (R5, R6).
    pub dns_service_ip: Option<Located<String>>,
    /// `["IPv4"]` or `["IPv4", "IPv6"]` (E14). Empty means IPv4 only.
    pub ip_families: Vec<Located<String>>,
    /// `loadBalancer` | `userDefinedRouting` | `managedNATGateway` | `userAssignedNATGateway` | `none` (E15).
    pub outbound_type: Option<Located<String>>,
    /// `standard` | `basic` (E15, E16).
    pub load_balancer_sku: Option<Located<String>>,
    /// Kubernetes version `1.x[.y]`, used for defaults and version-gated rules (E1, C7, W1).
    pub kubernetes_version: Option<Located<String>>,
    /// The VNet's address space (R2, R3, R4).
    pub vnet_address_space: Vec<Located<String>>,
    /// Ranges the user declares in use elsewhere: existing subnets, peered VNets, on-premises
    /// (R3, R4: overlaps are errors).
    pub reserved_cidrs: Vec<Located<String>>,
    /// Every subnet of the cluster's VNet as Azure lists it, `name` + prefix (read live; R3,
    /// R4: AKS refuses service and overlay pod ranges that overlap any of them).
    pub vnet_subnets: Vec<(String, Located<String>)>,
    /// Address spaces of peered VNets found live (R3, R4: advised against, not refused by AKS,
    /// so warnings).
    pub peered_cidrs: Vec<Located<String>>,
    /// Attributes known only after apply (e.g. `service_cidr` from another resource): AKS's
    /// default is not assumed for them, and rules that need them wait for apply-time planning.
    pub unknown: BTreeSet<&'static str>,
    /// The node subnet, when known (R8, C4, C5).
    pub node_subnet_cidr: Option<Located<String>>,
    /// The pod subnet, when pools use one (C6, C7).
    pub pod_subnet_cidr: Option<Located<String>>,
    /// Addresses of the node subnet already held by others (read from Azure; C4, C5).
    pub node_subnet_in_use: u64,
    /// Addresses of the pod subnet already held by others (read from Azure; C6, C7).
    pub pod_subnet_in_use: u64,
    /// Node pools; the first is the system pool.
    pub node_pools: Vec<NodePool>,
    /// A new cluster or an existing one (E16).
    pub lifecycle: Lifecycle,
}

/// One node pool.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodePool {
    /// Path of the pool's block, e.g. `node_pool[1]`; attribute paths are built under it.
    pub path: FieldPath,
    /// Pool name (W1: `^[a-z][a-z0-9]{0,11}$`, Windows ≤ 6 characters).
    /// The pool name; diagnostics use it to say which pool.
    pub name: Option<String>,
    /// `Linux` | `Windows`.
    pub os_type: Option<String>,
    /// Fixed node count (or the initial count of an autoscaled pool).
    pub node_count: Option<u32>,
    /// Autoscaler minimum (C3: `min_count ≤ node_count ≤ max_count`); AKS starts the pool at it.
    pub min_count: Option<u32>,
    /// Autoscaler maximum; capacity is checked against it (C1, C5).
    pub max_count: Option<u32>,
    /// Max pods per node; `None` means the plugin default (C8, C9).
    pub max_pods: Option<u32>,
    /// Surge during upgrades: a node count (`"3"`) or a percentage (`"33%"`). `None` = AKS default.
    pub max_surge: Option<String>,
    /// True when the pool has a pod subnet (azure with a pod subnet: E12, C6, C7).
    pub uses_pod_subnet: bool,
    /// `DynamicIndividual` | `StaticBlock` (E13, C7); only with a pod subnet.
    pub pod_ip_allocation_mode: Option<String>,
    /// Attributes of this pool known only after apply (`node_count`, `max_pods`,
    /// `pod_subnet_id`, …): the rules that need them wait for apply-time planning.
    pub unknown: BTreeSet<&'static str>,
    /// Where the pool's nodes and pods take addresses, relative to the subnets checked.
    pub placement: Placement,
}

/// Where a pool draws addresses from, relative to the profile's node and pod subnets. A pool
/// read from Azure (foreign: not declared here) may run on other subnets of the cluster: it
/// then takes no address from the subnets checked (C4, C5, C6, C7), but its nodes still count
/// in the cluster-wide limits: kubenet routes (C2), the pod CIDR's /24 per node (C1) and the
/// cluster's node count (C3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Placement {
    /// The pool's node subnet is another than [`NetworkProfile::node_subnet_cidr`]'s.
    pub other_node_subnet: bool,
    /// The pool's pod subnet is another than [`NetworkProfile::pod_subnet_cidr`]'s.
    pub other_pod_subnet: bool,
}

impl NodePool {
    /// True for a pool this configuration does not declare (read from Azure).
    pub(crate) fn is_foreign(&self) -> bool {
        matches!(self.path.0.first(), Some(super::Step::Foreign(_)))
    }
}
