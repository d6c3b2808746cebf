//! Server-side checks of the AKS resource provider on a managed cluster request: network
//! plugin / mode / policy / dataplane combinations, Windows pools, reserved address ranges and
//! kubenet's node ceiling. Written from Microsoft's documentation and from error bodies AKS
//! returned to real users (each cited where it is used), never from the provider's netplan: a
//! rule both got wrong would otherwise pass unnoticed.
//!
//! Every answer is AKS's flat error body (`code`, `subcode`, `message`, `target`), the shape the
//! quoted responses show. Where no public response shows the code, the comment says so.

use serde_json::Value;

use crate::arm::{flat, flat_sub, Reply};

fn np_str<'a>(c: &'a Value, field: &str) -> Option<&'a str> {
    c["properties"]["networkProfile"][field].as_str()
}

fn pools(c: &Value) -> Vec<Value> {
    c["properties"]["agentPoolProfiles"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Plugin, policy and dataplane combinations AKS refuses.
pub fn combinations(c: &Value) -> Result<(), Reply> {
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
pub fn windows(c: &Value) -> Result<(), Reply> {
    let plugin = np_str(c, "networkPlugin").unwrap_or("");
    let dataplane = np_str(c, "networkDataplane").unwrap_or("azure");
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
    }
    Ok(())
}

/// Ranges AKS reserves: "AKS clusters can't use 169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16,
/// or 192.0.2.0/24 for the Kubernetes service address range, pod address range, or cluster
/// virtual network address range" (Microsoft Learn, configure-kubenet, configure-azure-cni,
/// azure-cni-overlay and concepts-network-cni-overview, Prerequisites; Azure/AKS#2234 confirms
/// creation fails with a 172.30.0.0/16 service range).
pub const RESERVED: [&str; 4] = ["169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24"];

/// The first reserved range `cidr` overlaps.
pub fn reserved_overlap(cidr: &str, overlap: impl Fn(&str, &str) -> bool) -> Option<&'static str> {
    RESERVED.into_iter().find(|r| overlap(cidr, r))
}

/// The service and pod ranges and the node VNets' address spaces must stay clear of
/// [`RESERVED`]. code: not established by a primary source (Azure/AKS#2234 and #731 report the
/// failure without its body); InvalidParameter is AKS's generic code for a bad field.
pub fn reserved_ranges(
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
pub fn kubenet_node_limit(c: &Value) -> Result<(), Reply> {
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
