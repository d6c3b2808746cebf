//! Server-side checks of the AKS resource provider on a managed cluster request: network
//! plugin / mode / policy / dataplane combinations, Windows pools, reserved address ranges and
//! kubenet's node ceiling. Written from Microsoft's documentation and from error bodies AKS
//! returned to real users (each cited where it is used), never from the provider's netplan: a
//! rule both got wrong would otherwise pass unnoticed.
//!
//! Every answer is AKS's flat error body (`code`, `subcode`, `message`, `target`), the shape the
//! quoted responses show. Where no public response shows the code, the comment says so.

use serde_json::Value;

use crate::wire::{flat, flat_sub, wrapped, Reply};

/// A string of the cluster's `networkProfile`.
pub(crate) fn np_str<'a>(c: &'a Value, field: &str) -> Option<&'a str> {
    c["properties"]["networkProfile"][field].as_str()
}

/// The cluster's agent pool profiles.
pub(crate) fn pools(c: &Value) -> Vec<Value> {
    c["properties"]["agentPoolProfiles"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Plugin, policy and dataplane combinations AKS refuses.
pub(crate) fn combinations(c: &Value) -> Result<(), Reply> {
    let plugin = np_str(c, "networkPlugin").unwrap_or("");
    let policy = np_str(c, "networkPolicy").unwrap_or("none");
    let dataplane = np_str(c, "networkDataplane").unwrap_or("azure");
    // SPEC NetworkPluginMode `overlay`: "Used with networkPlugin=azure, pods are given IPs from
    // the PodCIDR address space but use Azure Routing Domains rather than Kubenet's method of
    // route tables". code: not established by a primary source; NetworkModeNotSupported is in
    // the AKS RP error-code list (provenance unverified).
    if np_str(c, "networkPluginMode") == Some("overlay") && plugin != "azure" {
        return Err(flat(
            400,
            "NetworkModeNotSupported",
            &format!("Network plugin mode overlay can only be used with network plugin azure, not {plugin}."),
            "networkProfile.networkPluginMode",
        ));
    }
    // Azure NPM needs Azure CNI; kubenet works with Calico only (use-network-policies, table
    // "Supported networking options": Azure NPM "Azure CNI"; Calico "Azure CNI (Linux, Windows
    // Server 2019 and 2022) and kubenet (Linux)"; Cilium "Azure CNI"). Body as `az aks create --network-plugin kubenet --network-policy azure` printed
    // it (coder/docs#1091, https://github.com/coder/docs/pull/1091): "(NetworkPolicyAzureNotSupportedForKubenet)
    // NetworkPolicy azure is not supported for network plugin kubenet", target
    // networkProfile.networkPolicy.
    if plugin == "kubenet" && policy == "azure" {
        return Err(flat(
            400,
            "NetworkPolicyAzureNotSupportedForKubenet",
            "NetworkPolicy azure is not supported for network plugin kubenet",
            "networkProfile.networkPolicy",
        ));
    }
    // The same table: Azure NPM runs on Azure CNI only, so a bring-your-own CNI
    // (networkPlugin none: "AKS doesn't install any CNI plugin", SPEC NetworkPlugin `none`
    // "No CNI plugin is pre-installed") has no Azure NPM either. code: not established by a
    // primary source.
    if plugin == "none" && policy == "azure" {
        return Err(flat(
            400,
            "InvalidParameter",
            "NetworkPolicy azure is not supported for network plugin none; Azure Network Policy Manager requires Azure CNI.",
            "networkProfile.networkPolicy",
        ));
    }
    // SPEC NetworkPolicy `cilium`: "Use Cilium to enforce network policies. This requires
    // networkDataplane to be 'cilium'." Body from AKS (azurerm 4.16, 2025-01;
    // https://github.com/AdminTurnedDevOps/DevOps-The-Hard-Way-Azure/issues/1):
    // {"code": "NetworkPolicyNotSupported", "message": "Network Policy cilium requires
    // NetworkDataplane cilium", "subcode": "NetworkPolicyCiliumRequiresCiliumDataplane",
    // "target": "networkProfile.networkPolicy"}.
    if policy == "cilium" && dataplane != "cilium" {
        return Err(flat_sub(
            400,
            "NetworkPolicyNotSupported",
            "NetworkPolicyCiliumRequiresCiliumDataplane",
            "Network Policy cilium requires NetworkDataplane cilium",
            "networkProfile.networkPolicy",
        ));
    }
    // The other way round: a Cilium dataplane enforces policy with Cilium only. Body from AKS
    // (https://github.com/Azure/bicep-registry-modules/pull/3361, 2024-09, and
    // https://github.com/Azure/AKS-Construction/issues/535): {"code": "BadRequest", "message":
    // "Cilium dataplane requires network policy cilium.", "subcode":
    // "CiliumDataplaneRequiresNetworkPolicyCilium", "target": "networkProfile.networkPolicy"};
    // `none` is refused as well (https://github.com/Azure/azure-cli-extensions/pull/7011: AKS
    // "fails on validation that networkPolicy=cilium when networkDataplane=cilium").
    if dataplane == "cilium" && policy != "cilium" {
        return Err(flat_sub(
            400,
            "BadRequest",
            "CiliumDataplaneRequiresNetworkPolicyCilium",
            "Cilium dataplane requires network policy cilium.",
            "networkProfile.networkPolicy",
        ));
    }
    // Azure CNI Powered by Cilium is Azure CNI with the Cilium dataplane (azure-cni-powered-by-cilium:
    // "--network-plugin azure ... --network-dataplane cilium"); kubenet and BYO CNI have no
    // Azure dataplane to replace. code: not established by a primary source.
    if dataplane == "cilium" && plugin != "azure" {
        return Err(flat(
            400,
            "InvalidParameter",
            &format!("Cilium dataplane requires network plugin azure, the cluster uses {plugin}."),
            "networkProfile.networkDataplane",
        ));
    }
    Ok(())
}

/// Windows node pools: Azure CNI only, and not with the Cilium dataplane.
pub(crate) fn windows(c: &Value) -> Result<(), Reply> {
    let plugin = np_str(c, "networkPlugin").unwrap_or("");
    let dataplane = np_str(c, "networkDataplane").unwrap_or("azure");
    let policy = np_str(c, "networkPolicy").unwrap_or("none");
    for p in pools(c) {
        if !p["osType"]
            .as_str()
            .is_some_and(|o| o.eq_ignore_ascii_case("Windows"))
        {
            continue;
        }
        let name = p["name"].as_str().unwrap_or("pool");
        // windows-faq, "What network plug-ins are supported?": "AKS clusters with Windows node
        // pools must use the Azure CNI (advanced) networking model. Kubenet (basic) networking is
        // not supported." Body from AKS
        // (https://github.com/Azure/AKS/issues/1076, https://github.com/Azure/AKS/issues/2839):
        // {"code": "AzureCNIOnlyForWindows", "message": "Windows agent pools can only be added
        // to AKS clusters using Azure-CNI."}.
        if plugin != "azure" {
            return Err(flat(
                400,
                "AzureCNIOnlyForWindows",
                "Windows agent pools can only be added to AKS clusters using Azure-CNI.",
                "agentPoolProfile.osType",
            ));
        }
        // azure-cni-powered-by-cilium, Limitations: "Available only for Linux and not for
        // Windows" (https://github.com/Azure/AKS/issues/3737 quotes it); upgrade-aks-ipam-and-dataplane:
        // a cluster moves to Cilium only if it "does not have any Windows node pools".
        // code: not established by a primary source.
        if dataplane == "cilium" {
            return Err(flat(
                400,
                "InvalidParameter",
                &format!(
                    "Agent pool '{name}' is a Windows pool; the Cilium dataplane is available only for Linux node pools."
                ),
                "agentPoolProfile.osType",
            ));
        }
        // use-network-policies: "Support for Azure Network Policy Manager (NPM) on Windows
        // nodes in AKS ends on September 30, 2026. This change applies only to customers
        // already onboarded to NPM. Subscriptions that aren't registered with this feature will
        // no longer be able to onboard." The emulator's subscriptions are never onboarded (and
        // the date has passed), so Azure NPM with a Windows pool is refused. code: not
        // established by a primary source.
        if policy == "azure" {
            return Err(flat(
                400,
                "InvalidParameter",
                &format!(
                    "Agent pool '{name}' is a Windows pool; Azure Network Policy Manager on Windows nodes is no longer available to subscriptions that are not onboarded (end of support 2026-09-30)."
                ),
                "networkProfile.networkPolicy",
            ));
        }
    }
    Ok(())
}

/// Ranges AKS reserves: "AKS clusters can't use 169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16,
/// or 192.0.2.0/24 for the Kubernetes service address range, pod address range, or cluster
/// virtual network address range" (Microsoft Learn, configure-kubenet, configure-azure-cni,
/// azure-cni-overlay and concepts-network-cni-overview, Prerequisites; Azure/AKS#2234 confirms
/// creation fails with a 172.30.0.0/16 service range).
pub(crate) const RESERVED: [&str; 4] = ["169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24"];

/// The first reserved range `cidr` overlaps.
pub(crate) fn reserved_overlap(cidr: &str, overlap: impl Fn(&str, &str) -> bool) -> Option<&'static str> {
    RESERVED.into_iter().find(|r| overlap(cidr, r))
}

/// The service and pod ranges and the node VNets' address spaces must stay clear of
/// [`RESERVED`]. code: not established by a primary source (Azure/AKS#2234 and #731 report the
/// failure without its body); InvalidParameter is AKS's generic code for a bad field.
pub(crate) fn reserved_ranges(
    c: &Value,
    vnet_spaces: &[String],
    overlap: impl Fn(&str, &str) -> bool + Copy,
) -> Result<(), Reply> {
    let fields = [
        ("serviceCidr", "networkProfile.serviceCIDR"),
        ("podCidr", "networkProfile.podCIDR"),
    ];
    for (field, target) in fields {
        let Some(cidr) = np_str(c, field) else { continue };
        if let Some(r) = reserved_overlap(cidr, overlap) {
            return Err(flat(
                400,
                "InvalidParameter",
                &format!("The {field} {cidr} overlaps with the range {r} reserved by AKS. AKS clusters can't use 169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16, or 192.0.2.0/24 for the Kubernetes service address range, pod address range, or cluster virtual network address range."),
                target,
            ));
        }
    }
    for space in vnet_spaces {
        if let Some(r) = reserved_overlap(space, overlap) {
            return Err(flat(
                400,
                "InvalidParameter",
                &format!("The virtual network address range {space} of the cluster's subnets overlaps with the range {r} reserved by AKS."),
                "agentPoolProfile.vnetSubnetID",
            ));
        }
    }
    Ok(())
}

/// kubenet: at most 400 nodes, the autoscaler maximum counted ("Azure supports a maximum of
/// 400 routes in a UDR, so you can't have an AKS cluster larger than 400 nodes",
/// configure-kubenet). Body from AKS (https://github.com/kubernetes-sigs/cloud-provider-azure/pull/4184):
/// {"code": "ValidationError", "message": "Cluster's upper limit node count is 1000 which
/// exceeds the limit for Kubenet 400. If Autoscaler is enabled, the max-count from each
/// nodepool is counted towards this total. https://aka.ms/aks/kubenet-networking-overview",
/// "subcode": "KubenetNodeCountTotalExceedsLimit"}.
pub(crate) fn kubenet_node_limit(c: &Value) -> Result<(), Reply> {
    if np_str(c, "networkPlugin") != Some("kubenet") {
        return Ok(());
    }
    let total: u64 = pools(c)
        .iter()
        .map(|p| {
            p["count"]
                .as_u64()
                .unwrap_or(0)
                .max(p["maxCount"].as_u64().unwrap_or(0))
        })
        .sum();
    if total > 400 {
        return Err(flat_sub(
            400,
            "ValidationError",
            "KubenetNodeCountTotalExceedsLimit",
            &format!("Cluster's upper limit node count is {total} which exceeds the limit for Kubenet 400. If Autoscaler is enabled, the max-count from each nodepool is counted towards this total. https://aka.ms/aks/kubenet-networking-overview"),
            "",
        ));
    }
    Ok(())
}

/// Unless said otherwise below, the code is not established by a primary source; InvalidParameter
/// is AKS's generic code for a bad field.
fn invalid(message: &str, target: &str) -> Reply {
    flat(400, "InvalidParameter", message, target)
}

/// Bounds and enums of the 2025-10-01 stable spec (conformance/specification/containerservice/
/// resource-manager/Microsoft.ContainerService/aks/stable/2025-10-01/managedClusters.json).
pub(crate) fn spec_bounds(c: &Value) -> Result<(), Reply> {
    let np = &c["properties"]["networkProfile"];
    // SPEC ContainerServiceNetworkProfile.outboundType enum: loadBalancer, userDefinedRouting,
    // managedNATGateway, userAssignedNATGateway, none (managedNATGatewayV2 is preview-only,
    // nat-gateway: "The `managedNATGatewayV2` outbound type is currently in preview").
    const OUTBOUND: [&str; 5] = [
        "loadBalancer",
        "userDefinedRouting",
        "managedNATGateway",
        "userAssignedNATGateway",
        "none",
    ];
    if let Some(o) = np["outboundType"].as_str() {
        if !OUTBOUND.contains(&o) {
            return Err(invalid(
                &format!("The value '{o}' of outboundType is not supported; allowed values are loadBalancer, userDefinedRouting, managedNATGateway, userAssignedNATGateway and none."),
                "networkProfile.outboundType",
            ));
        }
    }
    // SPEC ManagedClusterManagedOutboundIPProfile.count: "Allowed values must be in the range of
    // 1 to 16 (inclusive)", minimum 1, maximum 16 (nat-gateway: `--nat-gateway-managed-outbound-ip-count`
    // "Value in the range of [1, 16]").
    if let Some(n) = np.pointer("/natGatewayProfile/managedOutboundIPProfile/count") {
        if !n.as_u64().is_some_and(|n| (1..=16).contains(&n)) {
            return Err(invalid(
                &format!("natGatewayProfile.managedOutboundIPProfile.count {n} must be in the range of 1 to 16 (inclusive)."),
                "networkProfile.natGatewayProfile.managedOutboundIPProfile.count",
            ));
        }
    }
    // SPEC ManagedClusterLoadBalancerProfile.allocatedOutboundPorts: "Allowed values are in the
    // range of 0 to 64000 (inclusive)"; configure-load-balancer-standard: "The value for outbound
    // ports must be a multiple of 8."
    if let Some(n) = np.pointer("/loadBalancerProfile/allocatedOutboundPorts") {
        if !n.as_u64().is_some_and(|n| n <= 64000 && n % 8 == 0) {
            return Err(invalid(
                &format!("loadBalancerProfile.allocatedOutboundPorts {n} must be a multiple of 8 in the range of 0 to 64000 (inclusive)."),
                "networkProfile.loadBalancerProfile.allocatedOutboundPorts",
            ));
        }
    }
    for p in pools(c) {
        let name = p["name"].as_str().unwrap_or("pool");
        let system = p["mode"]
            .as_str()
            .is_some_and(|m| m.eq_ignore_ascii_case("System"));
        // SPEC ManagedClusterAgentPoolProfileProperties.count: "Allowed values must be in the
        // range of 0 to 1000 (inclusive) for user pools and in the range of 1 to 1000 (inclusive)
        // for system pools." (Azure/AKS#4298, AKS team: "We do not allow any system pools to
        // have <1 node.")
        if let Some(n) = p.get("count").filter(|n| !n.is_null()) {
            let low = u64::from(system);
            if !n.as_u64().is_some_and(|n| (low..=1000).contains(&n)) {
                return Err(invalid(
                    &format!(
                        "Agent pool '{name}' count {n} must be in the range of {low} to 1000 (inclusive)."
                    ),
                    "agentPoolProfile.count",
                ));
            }
        }
        // SPEC podIPAllocationMode: "Must be used with podSubnetId."
        if p["podIPAllocationMode"].is_string() && !p["podSubnetID"].is_string() {
            return Err(invalid(
                &format!("Agent pool '{name}' sets podIPAllocationMode without podSubnetID; the mode must be used with podSubnetId."),
                "agentPoolProfile.podIPAllocationMode",
            ));
        }
    }
    Ok(())
}

/// The Azure public-cloud regions (`az account list-locations --query "[?metadata.regionType=='Physical'].name"`,
/// with the two EUAP canary regions). A managed cluster anywhere else is refused by ARM before
/// AKS sees it; the body as `az aks create` printed it
/// (https://github.com/jupyterhub/zero-to-jupyterhub-k8s/issues/3082, a geography written as a
/// region): "(LocationNotAvailableForResourceType) The provided location 'unitedstates' is not
/// available for resource type 'Microsoft.ContainerService/managedClusters'." ARM compares
/// names without case or spaces (`West Europe` is `westeurope`).
const REGIONS: &[&str] = &[
    "australiacentral",
    "australiacentral2",
    "australiaeast",
    "australiasoutheast",
    "austriaeast",
    "belgiumcentral",
    "brazilsouth",
    "brazilsoutheast",
    "canadacentral",
    "canadaeast",
    "centralindia",
    "centralus",
    "centraluseuap",
    "chilecentral",
    "eastasia",
    "eastus",
    "eastus2",
    "eastus2euap",
    "francecentral",
    "francesouth",
    "germanynorth",
    "germanywestcentral",
    "indonesiacentral",
    "israelcentral",
    "italynorth",
    "japaneast",
    "japanwest",
    "jioindiacentral",
    "jioindiawest",
    "koreacentral",
    "koreasouth",
    "malaysiawest",
    "mexicocentral",
    "newzealandnorth",
    "northcentralus",
    "northeurope",
    "norwayeast",
    "norwaywest",
    "polandcentral",
    "qatarcentral",
    "southafricanorth",
    "southafricawest",
    "southcentralus",
    "southeastasia",
    "southindia",
    "spaincentral",
    "swedencentral",
    "switzerlandnorth",
    "switzerlandwest",
    "uaecentral",
    "uaenorth",
    "uksouth",
    "ukwest",
    "westcentralus",
    "westeurope",
    "westindia",
    "westus",
    "westus2",
    "westus3",
];

/// A managed cluster's location is a region that offers AKS (see [`REGIONS`]).
pub(crate) fn location(location: &str) -> Result<(), Reply> {
    let name: String = location
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    if REGIONS.contains(&name.as_str()) {
        return Ok(());
    }
    Err(wrapped(
        400,
        "LocationNotAvailableForResourceType",
        &format!(
            "The provided location '{location}' is not available for resource type 'Microsoft.ContainerService/managedClusters'. List of available regions for the resource type is '{}'.",
            REGIONS.join(",")
        ),
    ))
}

/// A pod subnet on some pools and not on others. AKS's answer, as Microsoft's own AKS
/// benchmark module quotes it (Azure/telescope, modules/terraform/azure/aks-cli/main.tf at
/// 8b35e877c4a0b87d13868ef4bbc30d8d504d5204: "If the default pool uses --pod-subnet-id (Azure CNI
/// dynamic IP allocation), AKS requires ALL agent pools to set it (or none). Without this, `az aks
/// nodepool add` on extra pools fails with `InvalidParameter: All or none of the agentpools
/// should set podsubnet`"), and as azurerm users met it on create
/// (AkingbadeOmosebi/3-Tier-MERN-App, terraform/aks-cluster/README.md at
/// 80db9f3eb7b20636a357d6fb5c4f922af6a1a62a: "User node pool had `pod_subnet_id` configured, but
/// system node pool (default_node_pool) was missing it, causing Azure API error: \"All or none
/// of the agentpools should set podsubnet.\""). The target is not quoted; the field is named.
pub(crate) fn pod_subnet_all_or_none(c: &Value) -> Result<(), Reply> {
    let pools = pools(c);
    let with = pools.iter().filter(|p| p["podSubnetID"].is_string()).count();
    if with == 0 || with == pools.len() {
        return Ok(());
    }
    Err(invalid(
        "All or none of the agentpools should set podsubnet",
        "agentPoolProfile.podSubnetID",
    ))
}

/// Per-pool limits from Microsoft Learn. `creating`: the cluster does not exist yet.
pub(crate) fn pool_limits(c: &Value, creating: bool) -> Result<(), Reply> {
    let cluster_version = c["properties"]["kubernetesVersion"].as_str().unwrap_or("");
    for p in pools(c) {
        let name = p["name"].as_str().unwrap_or("pool");
        // use-system-pools / create-node-pools: "For Linux node pools, the length must be
        // between 1 and 12 characters. For Windows node pools, the length must be between one
        // and six characters."
        let windows = p["osType"]
            .as_str()
            .is_some_and(|o| o.eq_ignore_ascii_case("Windows"));
        if windows && name.chars().count() > 6 {
            return Err(invalid(
                &format!("Windows agent pool name '{name}' must be between 1 and 6 characters."),
                "agentPoolProfile.name",
            ));
        }
        // concepts-network-ip-address-planning: "The maximum number of pods per node in an AKS
        // cluster is 250"; "The minimum value that can be set for maximum pods per node is 10 if
        // and only if the configuration of each node pool has space for a minimum of 30 pods.
        // ... The minimum value in the previous table is strictly enforced by the AKS service."
        // Azure/AKS#1422: creating with "--node-count 1 --max-pods 10" fails, a later scale to
        // one node is not blocked, so the 30-pod room is checked on create only. Message as
        // AKS returned it for an out-of-range maxPods (Azure/AKS#931): "The value of parameter
        // maxPods is invalid."
        if let Some(max) = p["maxPods"].as_u64() {
            let nodes = p["count"].as_u64().unwrap_or(0);
            if !(10..=250).contains(&max) || (creating && nodes > 0 && max * nodes < 30) {
                return Err(invalid(
                    &format!("The value of parameter maxPods is invalid. Agent pool '{name}' sets {max} with {nodes} nodes: maxPods must be between 10 and 250, and each node pool needs space for a minimum of 30 pods."),
                    "agentPoolProfile.maxPods",
                ));
            }
        }
        // configure-azure-cni-static-block-allocation, Limitations: "Minimum Kubernetes Version
        // required is 1.28".
        if p["podIPAllocationMode"].as_str() == Some("StaticBlock") {
            let version = p["orchestratorVersion"].as_str().unwrap_or(cluster_version);
            let minor = |v: &str| -> Option<(u32, u32)> {
                let mut it = v.split('.');
                Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
            };
            if minor(version).is_some_and(|v| v < (1, 28)) {
                return Err(invalid(
                    &format!("Agent pool '{name}' uses StaticBlock pod IP allocation, which requires Kubernetes 1.28 or newer; the pool runs {version}."),
                    "agentPoolProfile.podIPAllocationMode",
                ));
            }
        }
    }
    Ok(())
}

/// Outbound types that need (or refuse) a custom VNet.
pub(crate) fn outbound_network(c: &Value) -> Result<(), Reply> {
    let byo = pools(c).iter().any(|p| p["vnetSubnetID"].is_string());
    match np_str(c, "outboundType") {
        // nat-gateway: "Managed NAT gateway isn't compatible with custom virtual networks."
        Some("managedNATGateway") if byo => Err(invalid(
            "Managed NAT gateway isn't compatible with custom virtual networks; use userAssignedNATGateway with a NAT gateway on the subnet.",
            "networkProfile.outboundType",
        )),
        // egress-outboundtype, userDefinedRouting: "You must deploy the AKS cluster into an
        // existing virtual network with a subnet that you configure."
        Some("userDefinedRouting") if !byo => Err(invalid(
            "Outbound type userDefinedRouting requires the cluster to be deployed into an existing virtual network subnet (agentPoolProfile.vnetSubnetID).",
            "networkProfile.outboundType",
        )),
        _ => Ok(()),
    }
}

/// IPv4/IPv6 dual-stack restrictions.
pub(crate) fn dual_stack(c: &Value) -> Result<(), Reply> {
    let families = c["properties"]["networkProfile"]["ipFamilies"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !families.iter().any(|f| f.as_str() == Some("IPv6")) {
        return Ok(());
    }
    // use-network-policies, Azure Network Policy Manager limitations (Linux): "IPv6 isn't
    // supported."
    if np_str(c, "networkPolicy") == Some("azure") {
        return Err(invalid(
            "Azure Network Policy Manager does not support IPv6; use Cilium or Calico with dual-stack.",
            "networkProfile.networkPolicy",
        ));
    }
    // configure-dual-stack, Limitations: "Azure CNI Overlay is required" (for Azure CNI; flat
    // Azure CNI with a node or pod subnet has no IPv6).
    if np_str(c, "networkPlugin") == Some("azure") && np_str(c, "networkPluginMode") != Some("overlay") {
        return Err(invalid(
            "Dual-stack networking with network plugin azure requires network plugin mode overlay.",
            "networkProfile.ipFamilies",
        ));
    }
    Ok(())
}

/// True when `v` is `parts` dot-separated groups of 1-3 digits (a version such as 1.33.2, or
/// the address half of the spec's CIDR pattern). Plain parsing, no regex crate.
fn dotted(v: &str, parts: usize) -> bool {
    let p: Vec<&str> = v.split('.').collect();
    p.len() == parts
        && p.iter()
            .all(|x| !x.is_empty() && x.len() <= 3 && x.bytes().all(|b| b.is_ascii_digit()))
}

/// SPEC `serviceCidr` / `podCidr` pattern `^([0-9]{1,3}\.){3}[0-9]{1,3}(\/([0-9]|[1-2][0-9]|3[0-2]))?$`.
fn cidr_pattern(v: &str) -> bool {
    let (addr, prefix) = match v.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (v, None),
    };
    dotted(addr, 4)
        && prefix.is_none_or(|p| {
            !p.is_empty()
                && p.len() <= 2
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u8>().is_ok_and(|n| n <= 32)
        })
}

/// The request's form, before any default is filled: the 2025-10-01 stable spec's enums and
/// patterns for the network profile, the Kubernetes version's form, and the identity count.
/// AKS validates these on every PUT (the spec marks the enums `modelAsString`, so ARM lets any
/// string through to the resource provider, which refuses values it does not know). Unless
/// said otherwise the code is not established by a primary source: InvalidParameter, AKS's
/// generic code for a bad field.
pub(crate) fn request_form(c: &Value) -> Result<(), Reply> {
    let props = &c["properties"];
    // SPEC kubernetesVersion: "Both patch version <major.minor.patch> (e.g. 1.20.13) and
    // <major.minor> (e.g. 1.20) are supported." Message as AKS words an invalid value
    // (Azure/azure-powershell#8526: "The value of parameter orchestratorProfile.OrchestratorVersion
    // is invalid.").
    if let Some(v) = props["kubernetesVersion"].as_str() {
        if !(dotted(v, 2) || dotted(v, 3)) {
            return Err(invalid(
                &format!("The value of parameter kubernetesVersion is invalid: '{v}' is neither <major.minor> nor <major.minor.patch>."),
                "properties.kubernetesVersion",
            ));
        }
    }
    let np = &props["networkProfile"];
    // SPEC enums: NetworkPlugin (azure, kubenet, none), NetworkPluginMode (overlay),
    // NetworkPolicy (none, calico, azure, cilium), NetworkDataplane (azure, cilium).
    let enums: [(&str, &[&str]); 4] = [
        ("networkPlugin", &["azure", "kubenet", "none"]),
        ("networkPluginMode", &["overlay"]),
        ("networkPolicy", &["none", "calico", "azure", "cilium"]),
        ("networkDataplane", &["azure", "cilium"]),
    ];
    for (field, allowed) in enums {
        if let Some(v) = np[field].as_str() {
            if !allowed.contains(&v) {
                return Err(invalid(
                    &format!(
                        "The value '{v}' of {field} is not supported; allowed values are {}.",
                        allowed.join(", ")
                    ),
                    &format!("networkProfile.{field}"),
                ));
            }
        }
    }
    // SPEC serviceCidr and podCidr: pattern `^([0-9]{1,3}\.){3}[0-9]{1,3}(\/([0-9]|[1-2][0-9]|3[0-2]))?$`;
    // dnsServiceIP: a dotted-quad IPv4 address.
    for (field, target) in [
        ("serviceCidr", "networkProfile.serviceCIDR"),
        ("podCidr", "networkProfile.podCIDR"),
    ] {
        if let Some(v) = np[field].as_str() {
            if !cidr_pattern(v) {
                return Err(invalid(
                    &format!("The value '{v}' of {field} is not a valid IPv4 CIDR."),
                    target,
                ));
            }
        }
    }
    if let Some(v) = np["dnsServiceIP"].as_str() {
        if v.parse::<std::net::Ipv4Addr>().is_err() {
            return Err(invalid(
                &format!("The value '{v}' of dnsServiceIP is not a valid IPv4 address."),
                "networkProfile.dnsServiceIP",
            ));
        }
    }
    // SPEC ManagedClusterIdentity.userAssignedIdentities: "Only one user assigned identity is
    // allowed." Message as AKS returned it for two (hashicorp/terraform-provider-azurerm#16890):
    // "The count of user assigned identity specified in identity.userAssignedIdentities is 2,
    // while expected value is 1."
    let identity = &c["identity"];
    if identity["type"].as_str() == Some("UserAssigned") {
        let n = identity["userAssignedIdentities"]
            .as_object()
            .map_or(0, |m| m.len());
        if n != 1 {
            return Err(invalid(
                &format!("The count of user assigned identity specified in identity.userAssignedIdentities is {n}, while expected value is 1."),
                "identity.userAssignedIdentities",
            ));
        }
    }
    // SPEC ManagedClusterIdentity.userAssignedIdentities: "The keys must be ARM resource IDs in
    // the form: '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/
    // Microsoft.ManagedIdentity/userAssignedIdentities/{identityName}'." code: not established by
    // a primary source.
    for key in identity["userAssignedIdentities"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.keys())
    {
        if !identity_id_form(key) {
            return Err(invalid(
                &format!("The user assigned identity '{key}' is not a resource ID of the form /subscriptions/{{subscriptionId}}/resourceGroups/{{resourceGroupName}}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{{identityName}}."),
                "identity.userAssignedIdentities",
            ));
        }
    }
    // SPEC ManagedClusterSKU.tier, ManagedClusterSKUTier enum: Premium, Standard, Free
    // (modelAsString, so ARM passes other strings to AKS); free-standard-pricing-tiers: "Base
    // SKU clusters can use any of the three pricing tiers: Free, Standard, or Premium." code: not
    // established by a primary source.
    if let Some(tier) = c.pointer("/sku/tier").filter(|t| !t.is_null()) {
        if !tier.as_str().is_some_and(|t| {
            ["Free", "Standard", "Premium"]
                .iter()
                .any(|a| a.eq_ignore_ascii_case(t))
        }) {
            return Err(invalid(
                &format!("The value {tier} of sku.tier is not supported; allowed values are Free, Standard and Premium."),
                "sku.tier",
            ));
        }
    }
    // SPEC ManagedClusterAgentPoolProfile: "required": ["name"]; a JSON null is no name. code:
    // not established by a primary source.
    for (i, p) in pools(c).iter().enumerate() {
        if !p["name"].is_string() {
            return Err(invalid(
                &format!("Agent pool profile {i} has no name; name is required."),
                "agentPoolProfile.name",
            ));
        }
    }
    Ok(())
}

/// `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{n}`
/// with non-empty segments (ARM compares the fixed segments without regard to case).
fn identity_id_form(id: &str) -> bool {
    let parts: Vec<&str> = id.split('/').collect();
    let fixed = [
        (1, "subscriptions"),
        (3, "resourceGroups"),
        (5, "providers"),
        (6, "Microsoft.ManagedIdentity"),
        (7, "userAssignedIdentities"),
    ];
    parts.len() == 9
        && parts[0].is_empty()
        && fixed.iter().all(|(i, w)| parts[*i].eq_ignore_ascii_case(w))
        && [2, 4, 8].iter().all(|i| !parts[*i].is_empty())
}

/// The cluster's name from the request path. Microsoft Learn, resource-name-rules,
/// Microsoft.ContainerService managedClusters: "1-63", "Alphanumerics, underscores, and
/// hyphens. Start and end with alphanumeric." code: not established by a primary source.
pub(crate) fn cluster_name(name: &str) -> Result<(), Reply> {
    let ok = |c: char| c.is_ascii_alphanumeric();
    let valid = (1..=63).contains(&name.chars().count())
        && name.chars().all(|c| ok(c) || c == '_' || c == '-')
        && name.starts_with(ok)
        && name.ends_with(ok);
    if valid {
        return Ok(());
    }
    Err(invalid(
        &format!("The managed cluster name '{name}' is invalid: 1-63 alphanumerics, underscores and hyphens, starting and ending with an alphanumeric."),
        "name",
    ))
}

/// A managed cluster PUT that changes a property AKS fixes when it creates a pool, on a pool the
/// cluster already has. `request` is the body as sent (before any default is filled: a field
/// the request leaves out is unchanged). create-node-pools, Limitations: "You can't change the
/// max pods setting of a node pool after you create it. To use a different max pods value,
/// create a new node pool with the desired max pods setting, migrate workloads, and then delete
/// the old node pool." (VM size: in-place resize needs API version 2026-01-02-preview,
/// resize-node-pool; the pinned 2025-10-01 has none.) Code as the agent pool API answers the
/// same change (`PropertyChangeNotAllowed`, agent_pools.rs).
pub(crate) fn pool_changes(existing: &Value, request: &Value) -> Result<(), Reply> {
    let old = pools(existing);
    for p in pools(request) {
        let Some(name) = p["name"].as_str() else { continue };
        let Some(before) = old
            .iter()
            .find(|o| o["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
        else {
            continue;
        };
        for field in ["maxPods", "vmSize"] {
            let (a, b) = (&before[field], &p[field]);
            if !a.is_null() && !b.is_null() && a != b {
                return Err(flat(
                    400,
                    "PropertyChangeNotAllowed",
                    &format!("Changing property '{field}' of agent pool '{name}' is not allowed."),
                    &format!("agentPoolProfile.{field}"),
                ));
            }
        }
    }
    Ok(())
}

/// Outbound type `none`: egress-outboundtype, "The `none` outbound type is only available
/// with Network Isolated Cluster"; network-isolated: "The `--bootstrap-artifact-source` can be
/// set to either `Direct` or `Cache` corresponding to using direct MAR (NOT network isolated)
/// and private ACR (network isolated)"; SPEC ManagedClusterBootstrapProfile.artifactSource
/// default `Direct`. An update that omits the profile keeps the cluster's own source. code:
/// not established by a primary source.
pub(crate) fn outbound_none(c: &Value, existing: Option<&Value>) -> Result<(), Reply> {
    if np_str(c, "outboundType") != Some("none") {
        return Ok(());
    }
    let source = c
        .pointer("/properties/bootstrapProfile/artifactSource")
        .or_else(|| existing.and_then(|e| e.pointer("/properties/bootstrapProfile/artifactSource")))
        .and_then(Value::as_str)
        .unwrap_or("Direct");
    if source != "Cache" {
        return Err(invalid(
            &format!("Outbound type none is only available with a network isolated cluster (bootstrapProfile.artifactSource Cache); the artifact source is {source}."),
            "networkProfile.outboundType",
        ));
    }
    Ok(())
}
