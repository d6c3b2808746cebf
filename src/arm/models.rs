//! Hand-written serde models for the networking subset aksnet touches. Every struct keeps
//! the fields it does not know in `extra`, so GET → modify → PUT never drops what the
//! server sent.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A reference to another resource (`{"id": ...}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SubResource {
    pub id: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Microsoft.Network/routeTables`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteTable {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Map<String, Value>>,
    #[serde(default)]
    pub properties: RouteTableProperties,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Route table properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTableProperties {
    #[serde(default)]
    pub routes: Vec<Route>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_bgp_route_propagation: Option<bool>,
    /// Read-only: subnets associated with the table.
    #[serde(default, skip_serializing)]
    pub subnets: Vec<SubResource>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A route inside a route table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub name: String,
    #[serde(default)]
    pub properties: RouteProperties,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Route properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteProperties {
    #[serde(default)]
    pub address_prefix: String,
    #[serde(default)]
    pub next_hop_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_hop_ip_address: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Microsoft.Network/virtualNetworks/subnets`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub properties: SubnetProperties,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Subnet properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubnetProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_prefix: Option<String>,
    /// Set instead of `address_prefix` on subnets with several prefixes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address_prefixes: Vec<String>,
    /// The NICs and other consumers holding the subnet's addresses (read-only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_configurations: Vec<SubResource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_table: Option<SubResource>,
    /// The NAT gateway associated with the subnet (`natGateway`, network 2025-01-01).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nat_gateway: Option<SubResource>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Microsoft.Resources/resourceGroups`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResourceGroup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Map<String, Value>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `Microsoft.Network/virtualNetworks` (the address space and subnets aksnet checks).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VirtualNetwork {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default)]
    pub properties: VirtualNetworkProperties,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Virtual network properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetworkProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_space: Option<AddressSpace>,
    #[serde(default)]
    pub subnets: Vec<Subnet>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub virtual_network_peerings: Vec<Peering>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A VNet peering (only the remote ranges matter to aksnet).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Peering {
    #[serde(default)]
    pub properties: PeeringProperties,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Peering properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeeringProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_address_space: Option<AddressSpace>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A VNet's address prefixes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressSpace {
    #[serde(default)]
    pub address_prefixes: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One entry of `VirtualNetworks_ListUsage`: a subnet's addresses in use (`currentValue`)
/// and its size without Azure's reserved addresses (`limit`; 251 for a /24).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetworkUsage {
    /// The subnet's ID.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub current_value: f64,
    #[serde(default)]
    pub limit: f64,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A page of `VirtualNetworkListUsageResult`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsagePage {
    #[serde(default)]
    pub value: Vec<VirtualNetworkUsage>,
    #[serde(default)]
    pub next_link: Option<String>,
}

/// `Microsoft.ContainerService/managedClusters`, networking subset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ManagedCluster {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default)]
    pub properties: ManagedClusterProperties,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Managed cluster properties aksnet reads and writes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedClusterProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_prefix: Option<String>,
    #[serde(default)]
    pub agent_pool_profiles: Vec<AgentPoolProfile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_profile: Option<NetworkProfile>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An agent pool inside the cluster body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentPoolProfile {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pods: Option<u32>,
    #[serde(default, rename = "vnetSubnetID", skip_serializing_if = "Option::is_none")]
    pub vnet_subnet_id: Option<String>,
    #[serde(default, rename = "podSubnetID", skip_serializing_if = "Option::is_none")]
    pub pod_subnet_id: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `networkProfile` of a managed cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_plugin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_plugin_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_dataplane: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_cidr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_cidr: Option<String>,
    #[serde(default, rename = "dnsServiceIP", skip_serializing_if = "Option::is_none")]
    pub dns_service_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_type: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_round_trip() {
        let raw = json!({"id": "/x", "location": "westeurope", "etag": "W/\"1\"", "type": "Microsoft.Network/routeTables",
            "properties": {"routes": [{"name": "r", "id": "/x/routes/r", "properties": {"addressPrefix": "10.0.0.0/8", "nextHopType": "None", "hasBgpOverride": false}}],
            "resourceGuid": "g", "subnets": [{"id": "/s"}]}});
        let rt: RouteTable = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(rt.properties.subnets[0].id, "/s");
        let back = serde_json::to_value(&rt).unwrap();
        assert_eq!(back["etag"], raw["etag"]);
        assert_eq!(back["properties"]["resourceGuid"], "g");
        assert_eq!(
            back["properties"]["routes"][0]["properties"]["hasBgpOverride"],
            false
        );
        assert!(
            back["properties"].get("subnets").is_none(),
            "read-only subnets are not sent back"
        );
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn managed_cluster_keeps_what_it_does_not_model() {
        let raw = json!({"location": "westeurope", "sku": {"name": "Base"}, "properties": {"kubernetesVersion": "1.33", "fqdn": "x",
            "agentPoolProfiles": [{"name": "system", "count": 3, "vnetSubnetID": "/s", "osDiskSizeGB": 128}],
            "networkProfile": {"networkPlugin": "azure", "networkPluginMode": "overlay", "dnsServiceIP": "10.0.0.10", "loadBalancerProfile": {"managedOutboundIPs": {"count": 1}}}}});
        let mc: ManagedCluster = serde_json::from_value(raw.clone()).unwrap();
        let np = mc.properties.network_profile.as_ref().unwrap();
        assert_eq!(np.dns_service_ip.as_deref(), Some("10.0.0.10"));
        assert_eq!(
            mc.properties.agent_pool_profiles[0].vnet_subnet_id.as_deref(),
            Some("/s")
        );
        assert_eq!(serde_json::to_value(&mc).unwrap(), raw);
        let vnet: VirtualNetwork = serde_json::from_value(json!({"properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.1.0/24"}}]}})).unwrap();
        assert_eq!(
            vnet.properties.address_space.unwrap().address_prefixes,
            ["10.0.0.0/16"]
        );
        assert_eq!(
            vnet.properties.subnets[0].properties.address_prefix.as_deref(),
            Some("10.0.1.0/24")
        );
        let rg: ResourceGroup =
            serde_json::from_value(json!({"location": "westeurope", "managedBy": "x"})).unwrap();
        assert_eq!(serde_json::to_value(&rg).unwrap()["managedBy"], "x");
    }
}
