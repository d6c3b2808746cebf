//! Hand-written serde models for the networking subset aksnet touches. Every struct keeps
//! the fields it does not know in `extra`, so GET → modify → PUT never drops what the
//! server sent.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ids::Kind;

/// A reference to another resource (`{"id": ...}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SubResource {
    pub(crate) id: String,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `Microsoft.Network/routeTables`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteTable {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tags: Option<Map<String, Value>>,
    /// The routes and subnet associations.
    #[serde(default)]
    pub properties: RouteTableProperties,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// Route table properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTableProperties {
    /// Every route, including AKS's own `aks-*` routes (kubenet) that aksnet preserves.
    #[serde(default)]
    pub routes: Vec<Route>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) disable_bgp_route_propagation: Option<bool>,
    /// Read-only: subnets associated with the table.
    #[serde(default, skip_serializing)]
    pub(crate) subnets: Vec<SubResource>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// A route inside a route table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Route {
    /// The route's name, unique in its table.
    pub name: String,
    #[serde(default)]
    pub(crate) properties: RouteProperties,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// Route properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteProperties {
    #[serde(default)]
    pub(crate) address_prefix: String,
    #[serde(default)]
    pub(crate) next_hop_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) next_hop_ip_address: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `Microsoft.Network/virtualNetworks/subnets`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default)]
    pub(crate) properties: SubnetProperties,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// Subnet properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubnetProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) address_prefix: Option<String>,
    /// Set instead of `address_prefix` on subnets with several prefixes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) address_prefixes: Vec<String>,
    /// The NICs and other consumers holding the subnet's addresses (read-only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) ip_configurations: Vec<SubResource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) route_table: Option<SubResource>,
    /// The NAT gateway associated with the subnet (`natGateway`, network 2025-01-01).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) nat_gateway: Option<SubResource>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `Microsoft.Resources/resourceGroups`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResourceGroup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    pub(crate) location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tags: Option<Map<String, Value>>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `Microsoft.Network/virtualNetworks` (the address space and subnets aksnet checks).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VirtualNetwork {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) location: Option<String>,
    #[serde(default)]
    pub(crate) properties: VirtualNetworkProperties,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// Virtual network properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetworkProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) address_space: Option<AddressSpace>,
    #[serde(default)]
    pub(crate) subnets: Vec<Subnet>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) virtual_network_peerings: Vec<Peering>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// A VNet peering (only the remote ranges matter to aksnet).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Peering {
    #[serde(default)]
    pub(crate) properties: PeeringProperties,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// Peering properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeeringProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) remote_address_space: Option<AddressSpace>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// A VNet's address prefixes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressSpace {
    #[serde(default)]
    pub(crate) address_prefixes: Vec<String>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// One entry of `VirtualNetworks_ListUsage`: a subnet's addresses in use (`currentValue`)
/// and its size without Azure's reserved addresses (`limit`; 251 for a /24).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetworkUsage {
    /// The subnet's ID.
    #[serde(default)]
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) current_value: f64,
    #[serde(default)]
    pub(crate) limit: f64,
    #[serde(default)]
    pub(crate) unit: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// A page of `VirtualNetworkListUsageResult`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsagePage {
    #[serde(default)]
    pub(crate) value: Vec<VirtualNetworkUsage>,
    #[serde(default)]
    pub(crate) next_link: Option<String>,
}

/// A kind of ARM resource described by a model: the ID kind it lives at and the api-version
/// it is read and written with (the version of its spec in `conformance/specification`).
/// [`crate::arm::client::ArmClient::api_version`] takes the version from here.
pub trait ArmResource: Serialize + DeserializeOwned {
    /// The ID kind of the resource.
    const KIND: Kind;
    /// The pinned api-version.
    const API_VERSION: &'static str;
}

/// Microsoft.Network 2025-01-01 (`conformance/specification/network`).
const NETWORK: &str = "2025-01-01";
/// Microsoft.ContainerService 2025-10-01 (`conformance/specification/containerservice`).
const AKS: &str = "2025-10-01";
/// Microsoft.Resources 2023-07-01.
const RESOURCES: &str = "2023-07-01";

macro_rules! arm_resource {
    ($($model:ty => $kind:ident @ $version:ident),* $(,)?) => {$(
        impl ArmResource for $model {
            const KIND: Kind = Kind::$kind;
            const API_VERSION: &'static str = $version;
        }
    )*};
}

arm_resource! {
    ResourceGroup => ResourceGroup @ RESOURCES,
    VirtualNetwork => VirtualNetwork @ NETWORK,
    Subnet => Subnet @ NETWORK,
    RouteTable => RouteTable @ NETWORK,
    Route => Route @ NETWORK,
    ManagedCluster => ManagedCluster @ AKS,
    AgentPool => AgentPool @ AKS,
}

/// Removes `keys` from an `extra` map: fields the server owns that aksnet does not model.
fn drop_keys(extra: &mut Map<String, Value>, keys: &[&str]) {
    for k in keys {
        extra.remove(*k);
    }
}

/// `Microsoft.ContainerService/managedClusters` (SPEC 2025-10-01 `ManagedCluster`): what
/// aksnet reads and writes, typed; everything else kept as it came in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ManagedCluster {
    /// Read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tags: Option<BTreeMap<String, String>>,
    /// `ManagedClusterSKU`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) sku: Option<ManagedClusterSku>,
    /// `ManagedClusterIdentity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) identity: Option<ManagedClusterIdentity>,
    pub(crate) properties: ManagedClusterProperties,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

impl ManagedCluster {
    /// The body without what AKS owns (read-only in the spec), for a PUT on top of a GET:
    /// strict validators reject those fields when they are sent back.
    pub fn without_read_only(mut self) -> Self {
        self.id = None;
        drop_keys(&mut self.extra, &["systemData"]);
        let p = &mut self.properties;
        p.provisioning_state = None;
        p.fqdn = None;
        drop_keys(
            &mut p.extra,
            &[
                "azurePortalFQDN",
                "privateFQDN",
                "powerState",
                "maxAgentPools",
                "currentKubernetesVersion",
            ],
        );
        if let Some(lb) = &mut p.network_profile.load_balancer_profile {
            lb.effective_outbound_ips = None;
        }
        if let Some(nat) = &mut p.network_profile.nat_gateway_profile {
            nat.effective_outbound_ips = None;
        }
        for pool in &mut p.agent_pool_profiles {
            pool.properties.strip_read_only();
        }
        if let Some(i) = &mut self.identity {
            i.principal_id = None;
            i.tenant_id = None;
        }
        self
    }

    /// The pool named `name` (case-insensitive, as AKS compares names).
    pub fn pool(&self, name: &str) -> Option<&AgentPoolProfile> {
        self.properties
            .agent_pool_profiles
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }
}

/// `ManagedClusterSKU`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ManagedClusterSku {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tier: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `ManagedClusterIdentity`: `type` and the user-assigned identities by resource ID.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedClusterIdentity {
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub(crate) kind: Option<String>,
    /// Read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) principal_id: Option<String>,
    /// Read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tenant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) user_assigned_identities: Option<BTreeMap<String, UserAssignedIdentity>>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// A user-assigned identity's entry (`{}` in a request; IDs filled in by AKS).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserAssignedIdentity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) principal_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) client_id: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `ManagedClusterProperties`: the fields aksnet reads or writes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedClusterProperties {
    /// Read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) provisioning_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) kubernetes_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) dns_prefix: Option<String>,
    /// Read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) fqdn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) node_resource_group: Option<String>,
    pub(crate) agent_pool_profiles: Vec<AgentPoolProfile>,
    pub(crate) network_profile: NetworkProfile,
    /// `ManagedClusterBootstrapProfile`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) bootstrap_profile: Option<BootstrapProfile>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `ManagedClusterBootstrapProfile`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BootstrapProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) artifact_source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) container_registry_id: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// An agent pool inside the cluster body (`ManagedClusterAgentPoolProfile`): a name and the
/// same properties as the agent pool child resource.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentPoolProfile {
    pub(crate) name: String,
    #[serde(flatten)]
    pub(crate) properties: AgentPoolProperties,
}

/// `Microsoft.ContainerService/managedClusters/agentPools` (SPEC 2025-10-01 `AgentPool`): the
/// profile's fields under `properties`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentPool {
    /// Read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    /// Read-only (the name is the last segment of the ID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    pub(crate) properties: AgentPoolProperties,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

impl AgentPool {
    /// The pool in the cluster's profile shape (`name` + properties).
    pub fn profile(&self) -> AgentPoolProfile {
        AgentPoolProfile {
            name: self.name.clone().unwrap_or_default(),
            properties: self.properties.clone(),
        }
    }

    /// A request body with `properties`, without what AKS owns.
    pub fn request(mut properties: AgentPoolProperties) -> Self {
        properties.strip_read_only();
        Self {
            properties,
            ..Self::default()
        }
    }
}

/// `ManagedClusterAgentPoolProfileProperties`: the fields aksnet reads or writes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentPoolProperties {
    /// `VirtualMachineScaleSets`, `AvailabilitySet`, `VirtualMachines`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub(crate) kind: Option<String>,
    /// `System`, `User`, `Gateway`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) vm_size: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) os_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) enable_auto_scaling: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) min_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_pods: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) upgrade_settings: Option<UpgradeSettings>,
    #[serde(default, rename = "vnetSubnetID", skip_serializing_if = "Option::is_none")]
    pub(crate) vnet_subnet_id: Option<String>,
    #[serde(default, rename = "podSubnetID", skip_serializing_if = "Option::is_none")]
    pub(crate) pod_subnet_id: Option<String>,
    #[serde(
        default,
        rename = "podIPAllocationMode",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) pod_ip_allocation_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) availability_zones: Option<Vec<String>>,
    /// Read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) provisioning_state: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

impl AgentPoolProperties {
    /// Drops what AKS owns on a pool (read-only in the spec).
    pub fn strip_read_only(&mut self) {
        self.provisioning_state = None;
        drop_keys(
            &mut self.extra,
            &["nodeImageVersion", "currentOrchestratorVersion", "powerState"],
        );
    }
}

/// `AgentPoolUpgradeSettings`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpgradeSettings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_surge: Option<String>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `ContainerServiceNetworkProfile`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) network_plugin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) network_plugin_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) network_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) network_dataplane: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) pod_cidr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) pod_cidrs: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) service_cidr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) service_cidrs: Option<Vec<String>>,
    #[serde(default, rename = "dnsServiceIP", skip_serializing_if = "Option::is_none")]
    pub(crate) dns_service_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) ip_families: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) outbound_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) load_balancer_sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) load_balancer_profile: Option<LoadBalancerProfile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) nat_gateway_profile: Option<NatGatewayProfile>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `ManagedClusterLoadBalancerProfile`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancerProfile {
    #[serde(
        default,
        rename = "managedOutboundIPs",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) managed_outbound_ips: Option<ManagedOutboundIps>,
    #[serde(
        default,
        rename = "outboundIPPrefixes",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) outbound_ip_prefixes: Option<OutboundIpPrefixes>,
    #[serde(default, rename = "outboundIPs", skip_serializing_if = "Option::is_none")]
    pub(crate) outbound_ips: Option<OutboundIps>,
    /// Read-only.
    #[serde(
        default,
        rename = "effectiveOutboundIPs",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) effective_outbound_ips: Option<Vec<SubResource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) allocated_outbound_ports: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) idle_timeout_in_minutes: Option<i64>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `ManagedClusterLoadBalancerProfile.managedOutboundIPs`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ManagedOutboundIps {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) count: Option<i64>,
    #[serde(default, rename = "countIPv6", skip_serializing_if = "Option::is_none")]
    pub(crate) count_ipv6: Option<i64>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `ManagedClusterLoadBalancerProfile.outboundIPPrefixes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutboundIpPrefixes {
    #[serde(default, rename = "publicIPPrefixes", skip_serializing_if = "Option::is_none")]
    pub(crate) public_ip_prefixes: Option<Vec<SubResource>>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `ManagedClusterLoadBalancerProfile.outboundIPs`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutboundIps {
    #[serde(default, rename = "publicIPs", skip_serializing_if = "Option::is_none")]
    pub(crate) public_ips: Option<Vec<SubResource>>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `ManagedClusterNATGatewayProfile`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NatGatewayProfile {
    #[serde(
        default,
        rename = "managedOutboundIPProfile",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) managed_outbound_ip_profile: Option<ManagedOutboundIpProfile>,
    /// Read-only.
    #[serde(
        default,
        rename = "effectiveOutboundIPs",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) effective_outbound_ips: Option<Vec<SubResource>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) idle_timeout_in_minutes: Option<i64>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
}

/// `ManagedClusterManagedOutboundIPProfile`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ManagedOutboundIpProfile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) count: Option<i64>,
    #[serde(flatten)]
    pub(crate) extra: Map<String, Value>,
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
        let np = &mc.properties.network_profile;
        assert_eq!(np.dns_service_ip.as_deref(), Some("10.0.0.10"));
        assert_eq!(
            mc.properties.agent_pool_profiles[0]
                .properties
                .vnet_subnet_id
                .as_deref(),
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

#[cfg(test)]
mod example_tests {
    //! Bodies from the 2025-10-01 spec's own examples (`conformance/examples`, unchanged copies
    //! from azure-rest-api-specs) round-trip through the models unchanged: nothing aksnet does
    //! not model is dropped on GET → PUT.
    use super::*;

    const EXAMPLES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/conformance/examples/containerservice/2025-10-01"
    );

    fn example(file: &str) -> Value {
        let text = std::fs::read_to_string(format!("{EXAMPLES}/{file}")).expect("example is vendored");
        serde_json::from_str(&text).expect("example is JSON")
    }

    /// Every request and response body of an example.
    fn bodies(file: &str) -> Vec<Value> {
        let ex = example(file);
        let mut out: Vec<Value> = ex["responses"]
            .as_object()
            .expect("responses")
            .values()
            .filter_map(|r| r.get("body").cloned())
            .collect();
        out.extend(ex["parameters"].get("parameters").cloned());
        assert!(!out.is_empty(), "{file} has bodies");
        out
    }

    fn round_trips<T: ArmResource + std::fmt::Debug>(body: &Value) -> T {
        let typed: T = serde_json::from_value(body.clone()).expect("the example decodes");
        assert_eq!(&serde_json::to_value(&typed).unwrap(), body, "{typed:?}");
        typed
    }

    #[test]
    fn managed_cluster_examples_round_trip_unchanged() {
        let get = bodies("ManagedClustersGet.json");
        let mc: ManagedCluster = round_trips(&get[0]);
        let np = &mc.properties.network_profile;
        assert_eq!(np.network_plugin.as_deref(), Some("kubenet"));
        assert_eq!(np.pod_cidrs.as_deref(), Some(&["10.244.0.0/16".to_string()][..]));
        let lb = np.load_balancer_profile.as_ref().unwrap();
        assert_eq!(
            lb.outbound_ips
                .as_ref()
                .unwrap()
                .public_ips
                .as_ref()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(lb.effective_outbound_ips.as_ref().unwrap().len(), 2);
        let pool = mc.pool("NODEPOOL1").expect("found case-insensitively");
        assert_eq!(pool.properties.count, Some(3));
        assert_eq!(
            pool.properties
                .upgrade_settings
                .as_ref()
                .unwrap()
                .max_surge
                .as_deref(),
            Some("33%")
        );
        assert_eq!(pool.properties.extra["orchestratorVersion"], "1.9.6");
        assert_eq!(mc.tags.as_ref().unwrap()["tier"], "production");
        assert!(mc.extra.contains_key("eTag") && mc.properties.extra.contains_key("linuxProfile"));
        let dual = bodies("ManagedClustersCreate_DualStackNetworking.json");
        assert_eq!(dual.len(), 3, "200, 201 and the request");
        for body in &dual {
            let mc: ManagedCluster = round_trips(body);
            let identity = mc.identity.as_ref().unwrap();
            assert_eq!(identity.kind.as_deref(), Some("UserAssigned"));
            assert_eq!(identity.user_assigned_identities.as_ref().unwrap().len(), 1);
        }
        let created: ManagedCluster = serde_json::from_value(dual[0].clone()).unwrap();
        let managed = created
            .properties
            .network_profile
            .load_balancer_profile
            .unwrap()
            .managed_outbound_ips;
        assert_eq!(managed.map(|m| (m.count, m.count_ipv6)), Some((Some(2), Some(1))));
        assert_eq!(created.sku, None);
    }

    #[test]
    fn agent_pool_example_round_trips_unchanged() {
        let pool: AgentPool = round_trips(&bodies("AgentPoolsGet.json")[0]);
        assert_eq!(pool.name.as_deref(), Some("agentpool1"));
        let profile = pool.profile();
        assert_eq!(profile.name, "agentpool1");
        assert_eq!(profile.properties.max_pods, Some(110));
        // The profile shape (as inside a cluster) round-trips too.
        let as_profile = serde_json::to_value(&profile).unwrap();
        assert_eq!(as_profile["name"], "agentpool1");
        assert_eq!(
            serde_json::from_value::<AgentPoolProfile>(as_profile).unwrap(),
            profile
        );
        // A request body keeps what it does not model and drops what AKS owns.
        let req = serde_json::to_value(AgentPool::request(pool.properties)).unwrap();
        assert_eq!(req["properties"]["orchestratorVersion"], "1.9.6");
        assert_eq!(req["properties"]["eTag"], "ebwiyfneowv");
        for owned in [
            "provisioningState",
            "nodeImageVersion",
            "currentOrchestratorVersion",
        ] {
            assert!(req["properties"].get(owned).is_none(), "{owned}");
        }
        assert!(req.get("name").is_none() && req.get("id").is_none());
    }

    #[test]
    fn a_put_body_leaves_out_what_aks_owns_and_keeps_the_rest() {
        let mc: ManagedCluster =
            serde_json::from_value(bodies("ManagedClustersGet.json")[0].clone()).unwrap();
        let put = serde_json::to_value(mc.without_read_only()).unwrap();
        let p = &put["properties"];
        for owned in [
            "fqdn",
            "azurePortalFQDN",
            "maxAgentPools",
            "currentKubernetesVersion",
            "provisioningState",
        ] {
            assert!(p.get(owned).is_none(), "{owned}");
        }
        assert!(put.get("id").is_none());
        assert!(p["networkProfile"]["loadBalancerProfile"]
            .get("effectiveOutboundIPs")
            .is_none());
        assert!(p["agentPoolProfiles"][0].get("nodeImageVersion").is_none());
        assert_eq!(p["agentPoolProfiles"][0]["orchestratorVersion"], "1.9.6");
        assert_eq!(p["upgradeSettings"]["overrideSettings"]["forceUpgrade"], true);
        assert_eq!(p["nodeResourceGroup"], "MC_rg1_clustername1_location1");
    }

    #[test]
    fn each_kind_has_its_api_version() {
        use crate::arm::client::ArmClient;
        assert_eq!(ManagedCluster::API_VERSION, "2025-10-01");
        assert_eq!(AgentPool::API_VERSION, "2025-10-01");
        assert_eq!(RouteTable::API_VERSION, "2025-01-01");
        assert_eq!(ArmClient::api_version(Kind::AgentPool), AgentPool::API_VERSION);
        assert_eq!(ArmClient::api_version(Kind::Subnet), Subnet::API_VERSION);
        assert_eq!(ArmClient::api_version(Kind::ResourceGroup), "2023-07-01");
    }
}
