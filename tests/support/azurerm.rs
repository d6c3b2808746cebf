//! What tests/acc_azurerm.rs and tests/acc_moved.rs share: the resource group, VNet and
//! cluster a team running azurerm v4 has, seeded as azurerm creates them, and the aksnet
//! configuration the adoption guide maps them to. Included with `#[path]` by each test crate;
//! not every crate uses every item.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use aksnet_acceptance::emulator::{TestEmulator, SAMPLE_SUBSCRIPTION};
use serde_json::{json, Value};

pub const AKS: &str = "2025-10-01";
pub const RG: &str = "acctest-azurerm";

pub fn rg_id() -> String {
    format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{RG}")
}

pub fn subnet_id() -> String {
    format!(
        "{}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes",
        rg_id()
    )
}

pub fn cluster_id(name: &str) -> String {
    format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/{name}",
        rg_id()
    )
}

pub fn seeds() -> Value {
    json!([
        {"id": rg_id(), "body": {"location": "westeurope"}},
        {"id": format!("{}/providers/Microsoft.Network/virtualNetworks/vnet", rg_id()), "body": {
            "location": "westeurope",
            "properties": {
                "addressSpace": {"addressPrefixes": ["10.10.0.0/16"]},
                "subnets": [{"name": "nodes", "id": subnet_id(), "properties": {"addressPrefix": "10.10.0.0/22"}}]
            }
        }}
    ])
}

/// Waits until the cluster's long-running operation is over.
pub fn wait_succeeded(emu: &TestEmulator, id: &str) -> Result<Value, String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = emu.arm("GET", id, AKS, None);
        if status == 200 && body["properties"]["provisioningState"] == "Succeeded" {
            return Ok(body);
        }
        if Instant::now() > deadline {
            return Err(format!("cluster not provisioned: {status} {body}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `azurerm_kubernetes_cluster` for a typical overlay cluster, as the guide's example writes it
/// (plus an `azurerm_kubernetes_cluster_node_pool` "user" with `node_count = 2`):
///
/// ```hcl
/// resource "azurerm_kubernetes_cluster" "aks" {
///   name                = "aks-adopt"
///   location            = "westeurope"
///   resource_group_name = "acctest-azurerm"
///   dns_prefix          = "aks-adopt"
///   kubernetes_version  = "1.33"
///   default_node_pool {
///     name                 = "system"
///     vm_size              = "Standard_D4s_v5"
///     auto_scaling_enabled = true
///     min_count            = 3
///     max_count            = 10
///     vnet_subnet_id       = azurerm_subnet.nodes.id
///     zones                = ["1", "2", "3"]
///     upgrade_settings { max_surge = "10%" }
///   }
///   network_profile {
///     network_plugin      = "azure"
///     network_plugin_mode = "overlay"
///     network_policy      = "cilium"
///     network_data_plane  = "cilium"
///     pod_cidr            = "10.244.0.0/16"
///     service_cidr        = "10.0.0.0/16"
///     dns_service_ip      = "10.0.0.10"
///   }
///   identity { type = "SystemAssigned" }
///   tags = { environment = "production" }
/// }
/// ```
///
/// and the managed cluster PUT azurerm v4 sends for it (resourceKubernetesClusterCreate,
/// ExpandDefaultNodePool, expandKubernetesClusterNetworkProfile in
/// hashicorp/terraform-provider-azurerm internal/services/containers): the SKU, RBAC and
/// local-account defaults, `servicePrincipalProfile.clientId = "msi"` with a managed identity,
/// `count = min_count` for an autoscaled pool ("Count must always be set"), every pool flag
/// written out, `networkDataplane`, `loadBalancerSku` and `outboundType` defaults, and
/// `podCidrs`/`serviceCidrs`/`ipFamilies` as the empty lists of unset computed attributes, and
/// `""` for the unset `nodeResourceGroup` and `networkMode` (`pointer.To("")`,
/// `pointer.ToEnum("")`).
pub fn azurerm_create_body() -> Value {
    json!({
        "location": "westeurope",
        "sku": {"name": "Base", "tier": "Free"},
        "identity": {"type": "SystemAssigned"},
        "tags": {"environment": "production"},
        "properties": {
            "kubernetesVersion": "1.33",
            "dnsPrefix": "aks-adopt",
            "nodeResourceGroup": "",
            "enableRBAC": true,
            "disableLocalAccounts": false,
            "servicePrincipalProfile": {"clientId": "msi"},
            "addonProfiles": {},
            "autoUpgradeProfile": {"nodeOSUpgradeChannel": "NodeImage"},
            "agentPoolProfiles": [{
                "name": "system",
                "mode": "System",
                "type": "VirtualMachineScaleSets",
                "osType": "Linux",
                "vmSize": "Standard_D4s_v5",
                "count": 3,
                "enableAutoScaling": true,
                "minCount": 3,
                "maxCount": 10,
                "vnetSubnetID": subnet_id(),
                "availabilityZones": ["1", "2", "3"],
                "upgradeSettings": {"maxSurge": "10%"},
                "enableFIPS": false,
                "enableNodePublicIP": false,
                "enableEncryptionAtHost": false,
                "enableUltraSSD": false,
                "osDiskType": "Managed",
                "scaleDownMode": "Delete",
                "nodeLabels": {},
                "tags": {}
            }, {
                // azurerm_kubernetes_cluster_node_pool "user" (kubernetes_cluster_node_pool_resource.go).
                "name": "user",
                "mode": "User",
                "type": "VirtualMachineScaleSets",
                "osType": "Linux",
                "vmSize": "Standard_D4s_v5",
                "count": 2,
                "enableAutoScaling": false,
                "vnetSubnetID": subnet_id(),
                "upgradeSettings": {"maxSurge": "10%"},
                "enableFIPS": false,
                "enableNodePublicIP": false,
                "enableEncryptionAtHost": false,
                "osDiskType": "Managed",
                "scaleDownMode": "Delete",
                "nodeLabels": {},
                "tags": {}
            }],
            "networkProfile": {
                "networkPlugin": "azure",
                "networkPluginMode": "overlay",
                "networkMode": "",
                "networkPolicy": "cilium",
                "networkDataplane": "cilium",
                "loadBalancerSku": "standard",
                "outboundType": "loadBalancer",
                "podCidr": "10.244.0.0/16",
                "serviceCidr": "10.0.0.0/16",
                "dnsServiceIP": "10.0.0.10",
                "podCidrs": [],
                "serviceCidrs": [],
                "ipFamilies": []
            }
        }
    })
}

/// The guide's aksnet configuration for the same cluster (attribute names mapped as the
/// guide's table says), with the `import` block that hands it over.
pub fn adopted_config(with_import: bool, with_user_pool: bool) -> String {
    let user_pool = if with_user_pool {
        format!(
            "  node_pool {{\n    name           = \"user\"\n    vm_size        = \"Standard_D4s_v5\"\n    node_count     = 2\n    max_surge      = \"10%\"\n    vnet_subnet_id = \"{}\"\n  }}\n",
            subnet_id()
        )
    } else {
        String::new()
    };
    let import = if with_import {
        format!(
            "import {{\n  to = aksnet_cluster_network.aks\n  id = \"{}\"\n}}\n",
            cluster_id("aks-adopt")
        )
    } else {
        String::new()
    };
    format!(
        r#"
{import}
resource "aksnet_cluster_network" "aks" {{
  name                = "aks-adopt"
  resource_group_name = "{RG}"
  location            = "westeurope"
  dns_prefix          = "aks-adopt"
  kubernetes_version  = "1.33"
  network_plugin      = "azure"
  network_plugin_mode = "overlay"
  network_policy      = "cilium"
  network_data_plane  = "cilium"
  pod_cidr            = "10.244.0.0/16"
  service_cidr        = "10.0.0.0/16"
  dns_service_ip      = "10.0.0.10"
  tags                = {{ environment = "production" }}

  identity {{
    type = "SystemAssigned"
  }}

  default_node_pool {{
    name                 = "system"
    vm_size              = "Standard_D4s_v5"
    auto_scaling_enabled = true
    min_count            = 3
    max_count            = 10
    max_surge            = "10%"
    vnet_subnet_id       = "{subnet}"
    zones                = ["1", "2", "3"]
  }}

{user_pool}}}
"#,
        subnet = subnet_id()
    )
}
