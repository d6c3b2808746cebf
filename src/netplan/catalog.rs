//! The rule table: every id a finding can carry, with its title, severity, what it checks,
//! the fix and its primary sources. Diagnostics cite the id; `make docs` renders this table
//! as `docs/guides/rules.md`, so the catalog and the code cannot drift apart.
//!
//! Id scheme: E = enumerations and combinations, R = address ranges, C = capacity and
//! limits, O = outbound and routes, W = Windows, identity and retirement, I = inputs (names,
//! IDs, read-only and enumerated attributes), M = changes to an existing cluster
//! (migrations and the in-place update matrix). E, R, C, O and W follow the AKS networking
//! rule book the project was built from; gaps in the numbering are rules that need inputs
//! aksnet does not take.

use std::fmt;

/// Declares [`RuleId`] with its list and names from one list of ids.
macro_rules! rule_ids {
    ($($id:ident),* $(,)?) => {
        /// A stable rule id. The exhaustive match in [`RuleId::info`] makes a missing
        /// catalog entry a compile error.
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleId {
            $($id),*
        }

        impl RuleId {
            /// Every id, in catalog order.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$id),*];

            /// The id as diagnostics print it, e.g. `"C5"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$id => stringify!($id)),*
                }
            }
        }
    };
}

rule_ids![
    E1, E2, E3, E4, E5, E6, E7, E8, E9, E10, E12, E13, E14, E15, E16, //
    R1, R2, R3, R4, R5, R6, R7, R8, //
    C1, C2, C3, C4, C5, C6, C7, C8, C9, //
    O1, O2, O3, O4, O5, O6, O7, //
    W1, W3, W4, //
    I1, I2, I3, I4, I5, I6, I7, I8, //
    M1, M2, M3, M4, M5, M6, M7, M8,
];

/// How a rule reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Planning fails.
    Error,
    /// A warning; planning goes on.
    Warning,
    /// An error for what Azure rejects, a warning for what it accepts but advises against.
    ErrorOrWarning,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::ErrorOrWarning => "error or warning",
        })
    }
}

/// A primary source: a document or source file a rule is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// Short name, e.g. "AKS: Azure CNI Overlay".
    pub label: &'static str,
    /// Where to read it.
    pub url: &'static str,
}

/// One catalog entry.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    /// The id diagnostics cite.
    pub id: RuleId,
    /// Title Case, as in diagnostics.
    pub title: &'static str,
    /// How it reports.
    pub level: Level,
    /// What it checks, with the numbers.
    pub checks: &'static str,
    /// How to fix a finding.
    pub fix: &'static str,
    /// Primary sources.
    pub sources: &'static [Source],
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for RuleId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl RuleId {
    /// Looks an id up by its name (`"C5"`).
    pub fn parse(s: &str) -> Option<RuleId> {
        Self::ALL.iter().copied().find(|r| *r == s)
    }

    /// The catalog entry.
    pub fn info(self) -> RuleInfo {
        use Level::*;
        use RuleId::*;
        let (title, level, checks, fix, sources): (_, _, _, _, &'static [Source]) = match self {
            E1 => ("Network Plugin", Error,
                "`network_plugin` is `azure`, `kubenet` or `none`. Unset means AKS's default for the Kubernetes version: kubenet before 1.30, Azure CNI Overlay from 1.30.",
                "Use one of the values; `azure` with `network_plugin_mode = \"overlay\"` is the recommended choice.",
                &[SPEC, SPEC_DEFAULT, A_OVERLAY]),
            E2 => ("Network Plugin Mode", Error,
                "`network_plugin_mode` is `overlay` and only valid with `network_plugin = \"azure\"`.",
                "Remove the mode, or set `network_plugin = \"azure\"`.",
                &[SPEC, AZURERM_DOC]),
            E3 => ("Network Policy", Error,
                "`network_policy` is `none`, `calico`, `azure` or `cilium` (default `none`).",
                "Use one of the values, with the exact case.",
                &[SPEC]),
            E4 => ("Cilium Policy And Dataplane", Error,
                "The cilium network policy needs the cilium dataplane, and the cilium dataplane needs the cilium policy. With the cilium dataplane an unset `network_policy` is accepted: AKS enforces policy with Cilium (`az aks create --network-dataplane cilium` without `--network-policy`); an explicit `none`, `azure` or `calico` is refused (CiliumDataplaneRequiresNetworkPolicyCilium).",
                "Set both `network_policy` and `network_data_plane` to `cilium`, or neither.",
                &[SPEC, A_CILIUM, CLI_CILIUM, AVM_WAF]),
            E5 => ("Network Dataplane", Error,
                "`network_data_plane` is `azure` or `cilium`; cilium needs Azure CNI (overlay, pod subnet or node subnet).",
                "Use `network_plugin = \"azure\"` with the cilium dataplane.",
                &[SPEC, A_CILIUM, A_UPDATE]),
            E6 => ("Cilium Is Linux Only", Error,
                "The cilium dataplane does not run Windows node pools.",
                "Use the azure dataplane for clusters with Windows pools, or move Windows workloads to another cluster.",
                &[A_CILIUM]),
            E7 => ("Azure Network Policy Manager", ErrorOrWarning,
                "Azure NPM needs Azure CNI; it is unsupported beyond 250 nodes or 20,000 pods (warning).",
                "Use cilium (Azure CNI Powered by Cilium) or Calico, or stay under the limits.",
                &[A_POLICY, A_KUBENET]),
            E8 => ("Calico On Windows", Error,
                "Calico on Windows node pools needs Azure CNI.",
                "Use Azure CNI for clusters that run Calico with Windows pools.",
                &[A_POLICY]),
            E9 => ("Kubenet Limits", Error,
                "kubenet supports neither Azure NPM, Windows pools, nor the cilium policy or dataplane.",
                "Move to Azure CNI Overlay, or drop the unsupported feature.",
                &[A_KUBENET, A_CNI, A_UPDATE]),
            E10 => ("Pod CIDR Mode", ErrorOrWarning,
                "A pod CIDR is only used by kubenet, Azure CNI Overlay and `none`; flat Azure CNI with one is an error. `none` without one is a warning: the control plane routes to pods through it.",
                "Remove the pod CIDR for flat Azure CNI, or set `network_plugin_mode = \"overlay\"`; give `none` a pod CIDR.",
                &[AZURERM_VALIDATE, CLI_VALIDATORS, A_BYO]),
            E12 => ("Pod Subnet", Error,
                "A pod subnet needs `network_plugin = \"azure\"` without overlay, and either every pool of the cluster uses one or none does (AKS: `InvalidParameter` \"All or none of the agentpools should set podsubnet\").",
                "Give every pool a pod subnet (or none), and use Azure CNI without overlay.",
                &[A_DYNAMIC, TELESCOPE_POD_SUBNET]),
            E13 => ("Pod IP Allocation Mode", Error,
                "`pod_ip_allocation_mode` is `DynamicIndividual` or `StaticBlock`, only with a pod subnet, and one mode per pod subnet.",
                "Use one of the values with a pod subnet; pools sharing a pod subnet use the same mode.",
                &[SPEC, A_STATIC]),
            E14 => ("IP Families", Error,
                "`ip_families` is `[\"IPv4\"]` or `[\"IPv4\", \"IPv6\"]`; pod and service CIDRs give one range per family in that order; dual stack needs Azure CNI Overlay (or `none`) and works with neither Azure NPM, Calico nor the Standard NAT gateway. A single and a list attribute for the same range conflict unless the single one is the list's first (AKS returns both forms that way, and configuration Terraform generates from the state has both).",
                "Fix the family list or the CIDR lists; for dual stack use overlay with cilium or no policy.",
                &[A_DUAL_STACK, SPEC, A_OVERLAY]),
            E15 => ("Outbound Type", Error,
                "`outbound_type` is `loadBalancer`, `userDefinedRouting`, `managedNATGateway`, `userAssignedNATGateway` or `none` in the pinned API version 2025-10-01.",
                "Use one of the values; `managedNATGatewayV2` and `block` exist only in preview API versions.",
                &[SPEC, A_OUTBOUND]),
            E16 => ("Load Balancer SKU", ErrorOrWarning,
                "`load_balancer_sku` is `standard` or `basic`; every outbound type and profile needs a Standard load balancer. AKS refuses `basic` when it creates a cluster (an error); an existing Basic cluster is out of support (a warning) and upgrades in place (M7).",
                "Use `standard`; on an existing cluster, change load_balancer_sku to `standard` (M7).",
                &[SPEC, A_OUTBOUND, AKS_CHANGELOG_BASIC_LB, A_BASIC_LB]),
            R1 => ("Reserved Address Range", Error,
                "169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16 and 192.0.2.0/24 (and supersets such as 172.16.0.0/12) overlap neither the pod CIDR, the service CIDR nor the VNet.",
                "Pick ranges outside the reserved ones.",
                &[A_CNI, A_KUBENET, A_BYO]),
            R2 => ("Forbidden VNet Range", Error,
                "A VNet or subnet includes none of 224.0.0.0/4, 255.255.255.255/32, 127.0.0.0/8, 169.254.0.0/16 and 168.63.129.16/32.",
                "Choose private (RFC 1918) address space.",
                &[VNET_FAQ]),
            R3 => ("Pod CIDR Overlap", ErrorOrWarning,
                "The pod CIDR (written, or AKS's default 10.244.0.0/16 when unset) against the network. kubenet: an overlap with the VNet's address space is an error (AKS: NetworkProfileCIDROverlapVNET). Azure CNI Overlay: since 2024-10-25 AKS checks the VNet's subnets, so an overlap with any subnet is an error and one with the address space alone a warning. `none`: AKS does not check it, so overlaps are warnings. Ranges declared in `reserved_cidrs` are errors, peered ranges found live warnings. A public pod range is a warning.",
                "Use a private range outside every network the cluster reaches; the message suggests one that passes.",
                &[A_OVERLAY_CONCEPTS, AKS_CHANGELOG, A_KUBENET, A_UPDATE]),
            R4 => ("Service CIDR", ErrorOrWarning,
                "The service CIDR (written, or AKS's default 10.0.0.0/16 when unset) overlaps no subnet of the VNet (AKS refuses it on create: ServiceCidrOverlapExistingSubnetsCidr, for any subnet, used by the cluster or not), no range in `reserved_cidrs` and not the pod CIDR (errors). Inside the VNet's address space or a peered range without touching a subnet it is accepted but not recommended (a warning). No larger than /12 (IPv4) or /108 (IPv6).",
                "Use an unused private range outside the VNet; the message suggests one that passes (never the range it refused).",
                &[SPEC, A_LEGACY, AKS_ISSUE_1117, A_IP_PLANNING, K8S_VALIDATION]),
            R5 => ("DNS Service IP", Error,
                "`dns_service_ip` lies inside the IPv4 service CIDR and is not its network, first (`kubernetes.default`) or broadcast address.",
                "Use the service CIDR's .10 address, e.g. 10.0.0.10 for 10.0.0.0/16.",
                &[A_OVERLAY_CONCEPTS, A_IP_PLANNING]),
            R6 => ("DNS Service IP And Service CIDR Together", Error,
                "`dns_service_ip` and the service CIDR are set together, or neither.",
                "Set both, or remove both to use AKS's defaults (10.0.0.0/16 and 10.0.0.10).",
                &[AZURERM_VALIDATE]),
            R7 => ("Address Syntax", Error,
                "CIDRs parse and have no host bits; `dns_service_ip` is a dotted IPv4 address. (The Kubernetes version's form is I5.)",
                "Write the range as network/prefix (the error shows the network address).",
                &[SPEC]),
            R8 => ("Subnet Size And Placement", Error,
                "IPv4 subnets are /29 or larger, IPv6 subnets exactly /64; node and pod subnets lie inside the VNet and do not overlap.",
                "Resize or move the subnet.",
                &[A_OVERLAY_CONCEPTS, VNET_FAQ]),
            C1 => ("Pod CIDR Capacity", Error,
                "kubenet and overlay give every node a /24 of the pod CIDR: the pod CIDR holds Σ(max(node_count, max_count) + surge) nodes over every pool of the cluster, including pools not declared here and pools on other subnets.",
                "Use a larger pod CIDR (each prefix bit doubles the nodes) or fewer nodes.",
                &[A_OVERLAY_CONCEPTS, A_KUBENET, A_IP_PLANNING]),
            C2 => ("Route Table Limit", Error,
                "kubenet needs one route per node and a route table holds at most 400 routes, declared, foreign and reserved together; every pool of the cluster counts, including pools not declared here and pools on other subnets.",
                "Stay at or under 400 routes, or move to Azure CNI Overlay, which needs no routes.",
                &[A_KUBENET, VNET_LIMITS]),
            C3 => ("Node Counts", Error,
                "Per pool a node_count or autoscaler bounds (an autoscaled pool may omit node_count: it starts at min_count and is sized for max_count), min_count ≤ node_count ≤ max_count, 0–1,000 nodes (the system pool at least 1); autoscaler bounds only with autoscaling; cluster-wide limits of the plugin and tier.",
                "Set node_count, or min_count and max_count with autoscaling; fix the counts or bounds; split large pools.",
                &[SPEC, A_SCALE]),
            C4 => ("Node Subnet Capacity", ErrorOrWarning,
                "The node subnet holds every node on it at peak (count or max_count plus surge; pools not declared here count when they run on the same subnet) after Azure's 5 reserved addresses and the addresses others already use; max surge is a count or a percentage. `aksnet_subnet_usage` reports the addresses in use (ARM's VirtualNetworks_ListUsage) and the nodes a subnet still holds.",
                "Use a larger node subnet or fewer nodes.",
                &[A_IP_PLANNING, TS_SUBNET, VNET_FAQ, VNET_USAGE_API]),
            C5 => ("Address Space Too Small", Error,
                "Flat Azure CNI needs (nodes + surge) × (max_pods + 1) addresses in the node subnet.",
                "Use a larger node subnet, lower max_pods, or Azure CNI Overlay.",
                &[A_IP_PLANNING, TS_SUBNET]),
            C6 => ("Pod Subnet Capacity (Dynamic)", ErrorOrWarning,
                "A dynamic pod subnet hands out addresses in batches of 16 per node, the first when the node starts: fewer than 16 per peak node is an error; fewer than max_pods per peak node (rounded up to batches of 16) is a warning, because AKS accepts it and pods beyond the subnet wait for an address.",
                "Use a larger pod subnet (the message gives the size for full nodes), or lower max_pods or the node counts.",
                &[A_DYNAMIC, A_POD_SUBNET, DOCS_97370, MERN_POD_SUBNET]),
            C7 => ("Pod Subnet Capacity (Static Block)", Error,
                "Static block allocation reserves ceil((max_pods + 1) / 16) /28 blocks per node and needs Kubernetes 1.28 or newer.",
                "Use a larger pod subnet, or max_pods = 16n − 1.",
                &[A_STATIC, A_POD_SUBNET]),
            C8 => ("Max Pods", Error,
                "`max_pods` is 10–250, and every pool has room for at least 30 pods.",
                "Raise max_pods or the node count.",
                &[A_IP_PLANNING]),
            C9 => ("Max Pods On Windows Overlay", Warning,
                "Windows pools on Azure CNI Overlay are recommended at 110 pods per node or fewer.",
                "Set max_pods to 110 or less on Windows pools.",
                &[A_OVERLAY_CONCEPTS]),
            O1 => ("User-Defined Routing", ErrorOrWarning,
                "`userDefinedRouting` needs your own subnet with a route table whose 0.0.0.0/0 route goes to a VirtualAppliance or VirtualNetworkGateway, associated before the cluster is created; a 0/0 route to Internet is refused (in a route table: a warning, since the table may serve other subnets).",
                "Associate a route table with 0.0.0.0/0 → VirtualAppliance (your firewall) with the node subnet first.",
                &[A_OUTBOUND, A_UDR]),
            O2 => ("Managed NAT Gateway", Error,
                "`managedNATGateway` works only in the VNet AKS creates; managed outbound IPs 1–16, idle timeout 4–120 minutes; the profile only with that outbound type.",
                "With your own subnet use `userAssignedNATGateway`; fix the profile values.",
                &[A_NAT, SPEC]),
            O3 => ("User-Assigned NAT Gateway", Error,
                "`userAssignedNATGateway` needs your own subnet with a NAT gateway associated. The node subnet is read at plan: no NAT gateway yet is a warning (the same apply may associate one), and still none just before the cluster is created is an error.",
                "Set default_node_pool.vnet_subnet_id and associate the NAT gateway with it (azurerm_subnet_nat_gateway_association), applied before the cluster.",
                &[A_OUTBOUND, A_NAT]),
            O4 => ("Outbound Type None", Error,
                "`outbound_type = \"none\"` is only available on a network isolated cluster: `bootstrap_artifact_source = \"Cache\"` (AKS's default is `Direct`). An existing cluster switches to `Cache` first, has its node pools reimaged, and only then moves to `none`.",
                "Set bootstrap_artifact_source = \"Cache\" (in an earlier apply for an existing cluster), or use another outbound type.",
                &[A_OUTBOUND, A_NETWORK_ISOLATED, SPEC]),
            O5 => ("Load Balancer Profile", Error,
                "Managed outbound IPs 1–100 per family; outbound IPs, prefixes and a managed count are mutually exclusive; ports 0–64,000 in multiples of 8; idle timeout 4–120 minutes; only with `loadBalancer`.",
                "Fix the values or pick one source of egress IPs.",
                &[SPEC, CLI_VALIDATORS]),
            O6 => ("Kubenet Route Table Identity", ErrorOrWarning,
                "kubenet in your own subnet writes routes to the subnet's route table, which the cluster identity needs rights on. With a system-assigned identity AKS creates the cluster (the identity exists only then, so the role is granted after create: a warning), but refuses it when the subnet already has a route table (an error, checked live on create: \"Clusters using managed identity type SystemAssigned do not support bringing your own route table\").",
                "Use identity { type = \"UserAssigned\" } with Network Contributor on the subnet and its route table, granted before create; with a system-assigned identity, grant the role right after create and bring no route table.",
                &[A_KUBENET, AKS_ISSUE_2333, A_LIMIT_EGRESS]),
            O7 => ("Routes", ErrorOrWarning,
                "Route names and address prefixes are unique per table; a prefix is a CIDR or a service tag; next hop types are VirtualNetworkGateway, VnetLocal, Internet, VirtualAppliance or None; next_hop_ip_address goes with VirtualAppliance, always and only (Azure: MissingNextHopIpAddress). A name starting with `aks-`, the prefix of AKS's kubenet node routes, is a warning: Azure accepts it (Microsoft Learn's egress example names its routes `aks-egress-fwrn`), but importing the table takes such routes for AKS's.",
                "Fix the route as the message says; prefer route names without the `aks-` prefix.",
                &[ROUTES, AZURERM_ROUTE, AZURERM_PR_20365, A_LIMIT_EGRESS]),
            W1 => ("Windows Pools And Pool Names", Error,
                "Pool names match ^[a-z][a-z0-9]{0,11}$ and are unique; Windows pools need Azure CNI and names of at most 6 characters.",
                "Rename the pool, or use Azure CNI for Windows pools.",
                &[SPEC, A_WINDOWS_FAQ, A_CNI]),
            W3 => ("Retirement", ErrorOrWarning,
                "kubenet retires on 2028-03-31 and Azure NPM on Linux nodes on 2028-09-30 (warnings: both still run). Azure NPM on Windows nodes ended on 2026-09-30 and subscriptions not already onboarded can no longer onboard, so Azure NPM with a Windows pool is an error.",
                "Plan the migration to Azure CNI Overlay and cilium or Calico.",
                &[A_KUBENET, A_POLICY]),
            W4 => ("Subnet Permissions", ErrorOrWarning,
                "The cluster identity needs Network Contributor (or subnets/join/action and subnets/read) on your subnet; a subnet that cannot be read or does not exist is reported at plan.",
                "Grant the role on the subnet before creating the cluster, or fix the subnet ID.",
                &[A_CNI, A_LEGACY]),
            I1 => ("Read-Only Attribute", Error,
                "Attributes Azure computes (id, etag, fqdn, …) are not set in configuration. A Terraform rule, not Azure's: Terraform requires a configured value to be planned unchanged, so a computed-only attribute cannot take one (providers built on Terraform's plugin framework refuse it as \"Invalid Configuration for Read-Only Attribute\"); Azure never sees the configuration.",
                "Remove the attribute from the configuration.",
                &[TF_COMPUTED, TF_FRAMEWORK_READ_ONLY]),
            I2 => ("Resource Name", Error,
                "Every name that goes into a request path follows ARM's naming rules: resource groups 1–90 letters (Unicode letters included), digits, `_`, `(`, `)`, `-` and `.`, not ending in `.`; route tables, routes and subnets 1–80 letters, digits, `_`, `.` and `-`, starting with a letter or digit and ending with a letter, digit or `_`; virtual networks the same in 2–64; clusters 1–63 letters, digits, `-` and `_`, starting and ending with a letter or digit; DNS prefixes 1–54 letters, digits and `-`. Node pool names are W1. Names inside subnet IDs and import IDs are checked the same way, and request URLs are built from percent-encoded segments, so no name (such as `rg/../other`) can change a request's path.",
                "Rename the resource.",
                &[ARM_NAMES, RG_API]),
            I3 => ("Resource ID", Error,
                "Subnet and identity IDs are full ARM IDs of the right type. The subscription — the provider's `subscription_id` (or `ARM_SUBSCRIPTION_ID`) and the one in every ID — is a GUID.",
                "Use the resource's `id` attribute, e.g. azurerm_subnet.x.id; copy the subscription ID from `az account show --query id`.",
                &[ARM_NAMES, RG_API]),
            I4 => ("Location", Error,
                "`location` names an Azure region. aksnet refuses an empty one at plan; which regions offer a resource type is ARM's to say, so ARM's refusal (`LocationNotAvailableForResourceType`, `LocationRequired`, `InvalidLocation`) is reported as I4 when aksnet applies. `West Europe` and `westeurope` are the same region.",
                "Set a region that offers the resource type, such as westeurope (`az account list-locations -o table`).",
                &[ARM_LOCATIONS, Z2JH_LOCATION]),
            I5 => ("Kubernetes Version", Error,
                "`kubernetes_version` is a version such as 1.33 or 1.33.2 (AKS takes major.minor or major.minor.patch); the same error from every resource and from `network_profile_errors`.",
                "Write the version as major.minor[.patch].",
                &[SPEC]),
            I6 => ("Unsupported Value", Error,
                "Enumerated attributes outside the network profile (sku_tier, identity type, zones, foreign_routes) take one of their documented values; vm_size is not empty.",
                "Use one of the values the message lists.",
                &[SPEC]),
            I7 => ("Identity", Error,
                "`UserAssigned` needs exactly one identity ID; `SystemAssigned` takes none.",
                "Give one identity ID with UserAssigned, or none with SystemAssigned.",
                &[SPEC]),
            I8 => ("Null Value", Error,
                "A required attribute is not null, and no element of a list, set or map is null. Terraform lets an explicit `null` (often from a variable, a conditional or a module output) through a required attribute; aksnet refuses it at validate when the value is known, and again at plan once it is.",
                "Give the attribute (or the element) a value, or remove the element.",
                &[TF_NULL]),
            M1 => ("Kubenet To Azure CNI Overlay", ErrorOrWarning,
                "kubenet → overlay is in place and one-way: it reimages every pool and AKS removes its routes (a warning). The cluster must already run Kubernetes 1.27 or newer, have no Azure NPM or Calico installed, and run as a user-assigned identity (AKS detaches the route table only with one); otherwise an error. Windows Docker pools cannot exist from 1.23, so 1.27 covers them.",
                "Meet the prerequisites in earlier applies — upgrade kubernetes_version to 1.27 (1.30 when a policy must be uninstalled), set network_policy = \"none\", switch identity to UserAssigned — then migrate.",
                &[A_UPDATE, A_WINDOWS_CONTAINERD, AKS_CHANGELOG_NPM]),
            M2 => ("Azure CNI To Azure CNI Overlay", ErrorOrWarning,
                "Node-subnet Azure CNI → overlay is in place and one-way and reimages every pool (a warning). It needs a pod CIDR, a cluster already on Kubernetes 1.27 or newer and no Azure NPM or Calico installed (Cilium is not counted: the page does not say it blocks); otherwise an error. A pod subnet (dynamic IP allocation) cannot migrate: replacement.",
                "Set pod_cidr (for example 10.244.0.0/16) with the mode change; upgrade kubernetes_version (1.30 when a policy must be uninstalled) and set network_policy = \"none\" in earlier applies.",
                &[A_UPDATE, A_WINDOWS_CONTAINERD, AKS_CHANGELOG_NPM]),
            M3 => ("Cilium Dataplane Update", Warning,
                "azure → cilium dataplane is in place on Azure CNI without Windows pools; it reimages every pool and replaces NPM or Calico.",
                "Plan a maintenance window.",
                &[A_UPDATE, A_CILIUM]),
            M4 => ("Network Policy Install Or Uninstall", ErrorOrWarning,
                "Installing Azure NPM or Calico reimages the nodes; uninstalling leaves NetworkPolicy objects unenforced (warnings). AKS refuses either on a cluster running Kubernetes before 1.30 (an error; creating a cluster with a policy and moving to Cilium are not affected).",
                "Upgrade kubernetes_version to 1.30 or newer in an earlier apply; plan a maintenance window; review NetworkPolicy objects.",
                &[A_POLICY, AKS_CHANGELOG_NPM]),
            M5 => ("Network Policy Switch", Error,
                "AKS refuses azure ↔ calico in one step.",
                "Set network_policy = \"none\" and apply, then set the new policy and apply again.",
                &[A_POLICY]),
            M6 => ("Outbound Change", Warning,
                "Changing the outbound type or outbound IPs changes the cluster's egress IPs.",
                "Update allow lists and API server authorized IP ranges that name the old IPs.",
                &[A_OUTBOUND]),
            M7 => ("Load Balancer SKU Upgrade", ErrorOrWarning,
                "basic → standard is in place and one-way on Kubernetes 1.27 or newer (the cluster's current version): downtime during the migration, new egress IPs, and admission webhooks and KMS with a private key vault disabled first (a warning); below 1.27, or standard → basic, an error.",
                "Upgrade kubernetes_version to 1.27 or newer in an earlier apply; disable admission webhooks and private-key-vault KMS; then set load_balancer_sku = \"standard\".",
                &[A_BASIC_LB, AKS_CHANGELOG_BASIC_LB]),
            M8 => ("Default Node Pool Rotation", ErrorOrWarning,
                "AKS cannot change a pool's VM size, OS, max pods, subnets, pod IP allocation mode, zones or name once it exists, and a cluster needs a system pool at all times. A user pool is deleted and created again; the default (system) pool is rotated, never the cluster replaced: a temporary system pool named `temporary_name_for_rotation` is created with the new settings, the old pool deleted, the pool created again with the new settings and the temporary pool deleted (as azurerm does), so the cluster never lacks a system pool. Without `temporary_name_for_rotation` an error; with it a warning (two drains: pods move to the temporary pool and back). A rotation that stops at a failed step is an error naming the step and the pools, and the next apply resumes it: the temporary pool (recorded in private state, never foreign drift) is reused, or written again first when its own operation failed, the old pool is deleted only while it exists, and a temporary pool left after the pool was created again is deleted (even when `temporary_name_for_rotation` was removed from the configuration since: the computed `leftover_temporary_pool` goes to null in that plan). A pool already in the cluster under the temporary name that this resource did not create (foreign) is an error at plan: the rotation would take it over and delete it; so is resuming a failed rotation under another temporary name than the one it left (that pool would be left behind).",
                "Set default_node_pool.temporary_name_for_rotation to a name no pool in the cluster uses (e.g. \"tmprotation\") and plan again; plan for the disruption, or keep the pool's current value.",
                &[A_MANAGE_POOLS, A_RESIZE_POOL, A_SYSTEM_POOLS, AZURERM_ROTATION, TS_RECONCILE_POOL]),
        };
        RuleInfo {
            id: self,
            title,
            level,
            checks,
            fix,
            sources,
        }
    }
}

/// Where the catalog is published; diagnostics point here.
pub const CATALOG_PATH: &str = "docs/guides/rules.md";

const fn src(label: &'static str, url: &'static str) -> Source {
    Source { label, url }
}

macro_rules! aks {
    ($label:literal, $page:literal) => {
        src($label, concat!("https://learn.microsoft.com/azure/aks/", $page))
    };
}

const SPEC: Source = src(
    "AKS REST API 2025-10-01 (managedClusters.json)",
    "https://github.com/Azure/azure-rest-api-specs/blob/main/specification/containerservice/resource-manager/Microsoft.ContainerService/aks/stable/2025-10-01/managedClusters.json",
);
const SPEC_DEFAULT: Source = src(
    "azure-rest-api-specs #30844: networkPlugin default by Kubernetes version",
    "https://github.com/Azure/azure-rest-api-specs/pull/30844",
);
const AKS_CHANGELOG: Source = src(
    "AKS changelog (2024-10-25: overlay checks the pod CIDR against subnets)",
    "https://github.com/Azure/AKS/blob/master/CHANGELOG.md",
);
const AKS_CHANGELOG_BASIC_LB: Source = src(
    "AKS changelog (2025-10-12, 2026-01-04: new clusters with a Basic load balancer are blocked; existing ones are out of support)",
    "https://github.com/Azure/AKS/blob/master/CHANGELOG.md",
);
const AKS_CHANGELOG_NPM: Source = src(
    "AKS changelog (2026-05-29: Azure NPM and Calico install and uninstall rejected before Kubernetes 1.30)",
    "https://github.com/Azure/AKS/blob/master/CHANGELOG.md",
);
const A_WINDOWS_CONTAINERD: Source = aks!(
    "AKS: Windows node pools with containerd (the only runtime from 1.23)",
    "windows-containerd"
);
const A_BASIC_LB: Source = aks!(
    "AKS: upgrade from Basic to Standard Load Balancer",
    "upgrade-basic-load-balancer-on-aks"
);
const AKS_ISSUE_1117: Source = src(
    "Azure/AKS#1117: ServiceCidrOverlapExistingSubnetsCidr for an unused subnet",
    "https://github.com/Azure/AKS/issues/1117",
);
const AKS_ISSUE_2333: Source = src(
    "Azure/AKS#2333: SystemAssigned identity with your own route table",
    "https://github.com/Azure/AKS/issues/2333",
);
const A_LIMIT_EGRESS: Source = aks!("AKS: limit egress traffic (firewall)", "limit-egress-traffic");
const A_CNI: Source = aks!("AKS: CNI networking overview", "concepts-network-cni-overview");
const A_OVERLAY_CONCEPTS: Source = aks!(
    "AKS: Azure CNI Overlay concepts",
    "concepts-network-azure-cni-overlay"
);
const A_OVERLAY: Source = aks!("AKS: configure Azure CNI Overlay", "azure-cni-overlay");
const A_UPDATE: Source = aks!("AKS: update Azure CNI (migrations)", "update-azure-cni");
const A_CILIUM: Source = aks!("AKS: Azure CNI Powered by Cilium", "azure-cni-powered-by-cilium");
const A_POLICY: Source = aks!("AKS: network policies", "use-network-policies");
const A_KUBENET: Source = aks!("AKS: kubenet networking", "configure-kubenet");
const A_IP_PLANNING: Source = aks!("AKS: IP address planning", "concepts-network-ip-address-planning");
const A_LEGACY: Source = aks!("AKS: legacy CNI concepts", "concepts-network-legacy-cni");
const A_POD_SUBNET: Source = aks!(
    "AKS: Azure CNI pod subnet",
    "concepts-network-azure-cni-pod-subnet"
);
const A_DYNAMIC: Source = aks!(
    "AKS: dynamic IP allocation",
    "configure-azure-cni-dynamic-ip-allocation"
);
const A_STATIC: Source = aks!(
    "AKS: static block allocation",
    "configure-azure-cni-static-block-allocation"
);
const A_DUAL_STACK: Source = aks!("AKS: dual-stack networking", "configure-dual-stack");
const A_OUTBOUND: Source = aks!("AKS: outbound types", "egress-outboundtype");
const A_UDR: Source = aks!("AKS: user-defined routing egress", "egress-udr");
const A_NAT: Source = aks!("AKS: NAT gateway", "nat-gateway");
const A_NETWORK_ISOLATED: Source = aks!("AKS: network isolated clusters", "network-isolated");
const A_BYO: Source = aks!("AKS: bring your own CNI", "use-byo-cni");
const A_SCALE: Source = aks!(
    "AKS: large-cluster best practices",
    "best-practices-performance-scale-large"
);
const A_WINDOWS_FAQ: Source = aks!("AKS: Windows FAQ", "windows-faq");
const VNET_FAQ: Source = src(
    "Azure Virtual Network FAQ",
    "https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq",
);
const VNET_USAGE_API: Source = src(
    "azure-rest-api-specs: VirtualNetworks_ListUsage (Microsoft.Network 2025-01-01 virtualNetwork.json)",
    "https://github.com/Azure/azure-rest-api-specs/blob/main/specification/network/resource-manager/Microsoft.Network/stable/2025-01-01/virtualNetwork.json",
);
const VNET_LIMITS: Source = src(
    "Azure networking limits",
    "https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#azure-networking-limits",
);
const ROUTES: Source = src(
    "Azure virtual network traffic routing",
    "https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview",
);
const ARM_NAMES: Source = src(
    "Azure resource naming rules",
    "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules",
);
const RG_API: Source = src(
    "ARM REST API: Resource Groups - Create Or Update (resourceGroupName pattern, subscriptionId)",
    "https://learn.microsoft.com/rest/api/resources/resource-groups/create-or-update",
);
const TF_NULL: Source = src(
    "Terraform: null in resource arguments",
    "https://developer.hashicorp.com/terraform/language/expressions/types#null",
);
const TELESCOPE_POD_SUBNET: Source = src(
    "Azure/telescope aks-cli module (AKS: \"InvalidParameter: All or none of the agentpools should set podsubnet\")",
    "https://github.com/Azure/telescope/blob/8b35e877c4a0b87d13868ef4bbc30d8d504d5204/modules/terraform/azure/aks-cli/main.tf",
);
const DOCS_97370: Source = src(
    "MicrosoftDocs/azure-docs#97370 (\"16 ip will be pre-allocated for a node when it is provisioning\")",
    "https://github.com/MicrosoftDocs/azure-docs/issues/97370",
);
const MERN_POD_SUBNET: Source = src(
    "AkingbadeOmosebi/3-Tier-MERN-App (6 nodes with 33% surge deployed on a /23 dynamic pod subnet)",
    "https://github.com/AkingbadeOmosebi/3-Tier-MERN-App/blob/80db9f3eb7b20636a357d6fb5c4f922af6a1a62a/terraform/aks-cluster/README.md",
);
const TF_COMPUTED: Source = src(
    "Terraform plugin framework: computed attributes",
    "https://developer.hashicorp.com/terraform/plugin/framework/handling-data/attributes",
);
const TF_FRAMEWORK_READ_ONLY: Source = src(
    "terraform-plugin-framework attribute validation (\"Invalid Configuration for Read-Only Attribute\")",
    "https://github.com/hashicorp/terraform-plugin-framework/blob/main/internal/fwserver/attribute_validation.go",
);
const ARM_LOCATIONS: Source = src(
    "Azure Resource Manager: resource providers and types (regions per resource type)",
    "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-providers-and-types",
);
const Z2JH_LOCATION: Source = src(
    "jupyterhub/zero-to-jupyterhub-k8s#3082 (\"(LocationNotAvailableForResourceType) The provided location 'unitedstates' is not available for resource type 'Microsoft.ContainerService/managedClusters'.\")",
    "https://github.com/jupyterhub/zero-to-jupyterhub-k8s/issues/3082",
);
const TS_SUBNET: Source = src(
    "AKS troubleshooting: InsufficientSubnetSize",
    "https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes/connectivity/insufficientsubnetsize-error-advanced-networking",
);
const K8S_VALIDATION: Source = src(
    "kube-apiserver service CIDR validation",
    "https://github.com/kubernetes/kubernetes/blob/master/cmd/kube-apiserver/app/options/validation.go",
);
const AZURERM_VALIDATE: Source = src(
    "azurerm kubernetes_cluster_validate.go",
    "https://github.com/hashicorp/terraform-provider-azurerm/blob/main/internal/services/containers/kubernetes_cluster_validate.go",
);
const AZURERM_DOC: Source = src(
    "azurerm kubernetes_cluster docs",
    "https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/kubernetes_cluster",
);
const AZURERM_ROUTE: Source = src(
    "azurerm route_table docs",
    "https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/route_table",
);
const CLI_CILIUM: Source = src(
    "Azure/azure-cli#25951 (az aks create --network-dataplane=cilium, no --network-policy) and Azure/azure-cli-extensions#7011 (an explicit networkPolicy=none is refused)",
    "https://github.com/Azure/azure-cli/pull/25951",
);
const AVM_WAF: Source = src(
    "Azure Verified Module for AKS, examples/waf-aligned (networkDataplane cilium without networkPolicy)",
    "https://github.com/Azure/terraform-azurerm-avm-res-containerservice-managedcluster/blob/895e0c63b5ed333522d8d218e8ba938814bb8daa/examples/waf-aligned/main.tf",
);
const A_MANAGE_POOLS: Source = aks!("AKS: manage node pools", "manage-node-pools");
const A_RESIZE_POOL: Source = aks!("AKS: resize node pools", "resize-node-pool");
const A_SYSTEM_POOLS: Source = aks!("AKS: manage system node pools", "use-system-pools");
const AZURERM_ROTATION: Source = src(
    "azurerm kubernetes_cluster_resource.go (temporary_name_for_rotation)",
    "https://github.com/hashicorp/terraform-provider-azurerm/blob/main/internal/services/containers/kubernetes_cluster_resource.go",
);
const TS_RECONCILE_POOL: Source = src(
    "AKS troubleshooting: reconcile a node pool (az aks nodepool update) or the cluster to its goal state",
    "https://learn.microsoft.com/troubleshoot/azure/azure-kubernetes/create-upgrade-delete/cannot-scale-cluster-autoscaler-enabled-node-pool",
);
const AZURERM_PR_20365: Source = src(
    "hashicorp/terraform-provider-azurerm#20365 (Azure's MissingNextHopIpAddress: \"NextHopIpAddress cannot be Null or Empty in route route1 when NextHopType is VirtualAppliance.\")",
    "https://github.com/hashicorp/terraform-provider-azurerm/pull/20365",
);
const CLI_VALIDATORS: Source = src(
    "Azure CLI aks validators",
    "https://github.com/Azure/azure-cli/blob/dev/src/azure-cli/azure/cli/command_modules/acs/_validators.py",
);

/// The catalog as Markdown (the body of [`CATALOG_PATH`]).
pub fn markdown() -> String {
    let mut out = String::from(
        "---\npage_title: \"Rule catalog\"\nsubcategory: \"\"\ndescription: |-\n  Every rule aksnet checks, with its id, severity, fix and primary sources.\n---\n\n\
         # Rule catalog\n\n\
         Every diagnostic aksnet reports from its rules carries an id in parentheses, e.g. \
         `Address Space Too Small (C5)`. This page is generated from the rule table in \
         `src/netplan/catalog.rs` by `make docs`.\n\n\
         Ids: **E** enumerations and combinations, **R** address ranges, **C** capacity and \
         limits, **O** outbound and routes, **W** Windows, identity and retirement, **I** \
         inputs (names, IDs, read-only and enumerated attributes), **M** changes to an \
         existing cluster.\n\n\
         | Id | Title | Severity |\n|---|---|---|\n",
    );
    for id in RuleId::ALL {
        let r = id.info();
        out.push_str(&format!(
            "| [{id}](#{}) | {} | {} |\n",
            id.to_string().to_lowercase(),
            r.title,
            r.level
        ));
    }
    for id in RuleId::ALL {
        let r = id.info();
        out.push_str(&format!(
            "\n## {id}\n\n**{}** ({})\n\n{}\n\n**Fix:** {}\n\n**Sources:** ",
            r.title, r.level, r.checks, r.fix
        ));
        let links: Vec<String> = r
            .sources
            .iter()
            .map(|s| format!("[{}]({})", s.label, s.url))
            .collect();
        out.push_str(&links.join("; "));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_complete_and_ids_round_trip() {
        for id in RuleId::ALL {
            let r = id.info();
            assert_eq!(r.id, *id);
            assert_eq!(RuleId::parse(&id.to_string()), Some(*id));
            assert!(
                !r.title.is_empty() && !r.checks.is_empty() && !r.fix.is_empty(),
                "{id}"
            );
            assert!(!r.sources.is_empty(), "{id} has no source");
            assert!(r.sources.iter().all(|s| s.url.starts_with("https://")), "{id}");
        }
        assert_eq!(RuleId::parse("E11"), None);
    }

    #[test]
    fn markdown_has_a_section_per_rule() {
        let md = markdown();
        for id in RuleId::ALL {
            assert!(md.contains(&format!("\n## {id}\n")), "{id}");
        }
    }
}
