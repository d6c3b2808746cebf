//! Schema and state of `aksnet_cluster_network` (azurerm naming, top-level network attributes).

use std::collections::{BTreeMap, HashMap};

use aksnet_tfplugin::schema::{
    AttributeConstraint as C, AttributeType as T, Block, Description, NestedBlock,
};
use aksnet_tfplugin::value::{self, Value};
use serde::{Deserialize, Serialize};

use crate::resources::timeouts::{self, Timeouts};
use crate::tfvalue::attribute;

pub(crate) use super::pool::Pool;
use super::pool::{default_pool_block, pool_block, serialize_default_pool};
use super::pool_plan::PoolDecision;

pub(crate) type Str = Value<String>;
pub(crate) type Num = Value<i64>;
pub(crate) type StrList = Value<Vec<Str>>;

/// Terraform state, in lock-step with the schema.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct State {
    pub id: Str,
    pub name: Str,
    pub resource_group_name: Str,
    pub location: Str,
    pub dns_prefix: Str,
    pub kubernetes_version: Str,
    pub sku_tier: Str,
    pub tags: Value<BTreeMap<String, Str>>,
    pub network_plugin: Str,
    pub network_plugin_mode: Str,
    pub network_policy: Str,
    pub network_data_plane: Str,
    pub pod_cidr: Str,
    pub pod_cidrs: StrList,
    pub service_cidr: Str,
    pub service_cidrs: StrList,
    pub dns_service_ip: Str,
    pub ip_families: StrList,
    pub outbound_type: Str,
    pub load_balancer_sku: Str,
    #[serde(default)]
    pub bootstrap_artifact_source: Str,
    #[serde(default)]
    pub bootstrap_container_registry_id: Str,
    pub fqdn: Str,
    pub node_resource_group: Str,
    pub effective_outbound_ips: StrList,
    pub kubenet_route_table_id: Str,
    #[serde(default)]
    pub leftover_temporary_pool: Str,
    #[serde(with = "value::serde_as_vec")]
    pub identity: Value<Identity>,
    #[serde(serialize_with = "serialize_default_pool")]
    pub default_node_pool: Value<Pool>,
    pub node_pool: Value<Vec<Value<Pool>>>,
    #[serde(with = "value::serde_as_vec")]
    pub load_balancer_profile: Value<LoadBalancerProfile>,
    #[serde(with = "value::serde_as_vec")]
    pub nat_gateway_profile: Value<NatGatewayProfile>,
    pub timeouts: Value<Timeouts>,
}

/// `node_pool` from its entries: null when there are none, as Terraform holds an absent block list.
pub(super) fn pool_list(list: Vec<Value<Pool>>) -> Value<Vec<Value<Pool>>> {
    if list.is_empty() {
        Value::Null
    } else {
        Value::Value(list)
    }
}

/// Private state: which pools in state an import found, the plan's decision for its apply, and
/// a failed rotation's temporary pool.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Private {
    /// Names of the `node_pool` entries the import recorded (import records every pool in
    /// state, as it cannot see the configuration). Until the next apply, such a pool is this
    /// resource's only while the configuration declares it: one it does not declare is dropped
    /// from state by the plan, with no request to Azure (foreign: an `aksnet_node_pool`,
    /// `azurerm_kubernetes_cluster_node_pool`, the az CLI), never deleted. Every apply clears
    /// the list. Private state written by older versions held the pools themselves (not in
    /// state then): their names are read.
    #[serde(default, deserialize_with = "pool_names")]
    pub imported_pools: Vec<String>,
    /// What the plan of an update decided, for its apply. Absent outside an update, and in
    /// private state an older version wrote: apply then decides again, as that version did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned: Option<Planned>,
    /// The temporary system pool of a default-pool rotation (M8) that did not finish: this
    /// resource created it, so the next apply reuses it (rotation still planned) or deletes it
    /// (the rotation got past re-creating the default pool). Never foreign, never drift; shown
    /// in state as `leftover_temporary_pool`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation_temporary: Option<String>,
}

/// `imported_pools` as names, or as the pool objects older versions recorded.
fn pool_names<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    struct Named {
        #[serde(default)]
        name: Option<String>,
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NameOrPool {
        Name(String),
        Pool(Named),
    }
    let items: Vec<NameOrPool> = Vec::deserialize(d)?;
    Ok(items
        .into_iter()
        .filter_map(|i| match i {
            NameOrPool::Name(n) => Some(n),
            NameOrPool::Pool(p) => p.name,
        })
        .collect())
}

/// What plan decided for an update, carried to apply in private state instead of being
/// decided again there.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Planned {
    /// The pool changes, by name: one agent pool request each.
    #[serde(default)]
    pub pools: PoolDecision,
    /// The migration classifier's verdict that the network change needs the IPAM stage
    /// written first (`migration::Change::ipam_first`).
    #[serde(default)]
    pub ipam_first: bool,
}

impl Private {
    /// The private state to record: `None` when there is nothing to keep.
    pub(crate) fn of(imported_pools: Vec<String>, rotation_temporary: Option<String>) -> Option<Private> {
        (!imported_pools.is_empty() || rotation_temporary.is_some()).then_some(Private {
            imported_pools,
            rotation_temporary,
            planned: None,
        })
    }
}

/// The `identity` block.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Identity {
    #[serde(rename = "type")]
    pub kind: Str,
    pub identity_ids: StrList,
}

/// The `load_balancer_profile` block.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct LoadBalancerProfile {
    pub managed_outbound_ip_count: Num,
    pub managed_outbound_ipv6_count: Num,
    pub outbound_ip_address_ids: StrList,
    pub outbound_ip_prefix_ids: StrList,
    pub outbound_ports_allocated: Num,
    pub idle_timeout_in_minutes: Num,
}

/// The `nat_gateway_profile` block.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct NatGatewayProfile {
    pub managed_outbound_ip_count: Num,
    pub idle_timeout_in_minutes: Num,
}

/// Reads one attribute of the state.
pub(crate) type Field = fn(&State) -> &Str;

/// Attributes whose change replaces the cluster outright, each with its field, so no
/// name can be compared against the wrong value.
pub(crate) const FORCE_NEW: [(&str, Field); 4] = [
    ("name", |s| &s.name),
    ("resource_group_name", |s| &s.resource_group_name),
    ("location", |s| &s.location),
    ("dns_prefix", |s| &s.dns_prefix),
];

pub(crate) fn block_of(
    attrs: Vec<(&str, aksnet_tfplugin::schema::Attribute)>,
    blocks: Vec<(&str, NestedBlock)>,
    doc: &str,
) -> Block {
    Block {
        version: 1,
        attributes: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        blocks: blocks
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<HashMap<_, _>>(),
        description: Description::markdown(doc),
        deprecated: false,
    }
}

/// The resource schema.
pub(crate) fn block() -> Block {
    let force = " Changing this forces a new resource to be created.";
    let s = |c, d: &str| attribute(T::String, c, d);
    let list = |c, d: &str| attribute(T::List(Box::new(T::String)), c, d);
    let n = |d: &str| attribute(T::Number, C::Optional, d);
    let identity = block_of(
        vec![
            ("type", s(C::Required, "`SystemAssigned` or `UserAssigned`. Kubenet with a bring-your-own route table needs `UserAssigned` with rights on the subnet and the table.")),
            ("identity_ids", list(C::Optional, "User-assigned identity IDs; exactly one with `UserAssigned`.")),
        ],
        vec![],
        "The cluster's managed identity. Defaults to a system-assigned identity.",
    );
    let lb = block_of(
        vec![
            ("managed_outbound_ip_count", n("AKS-managed outbound IPv4 addresses (1–100).")),
            ("managed_outbound_ipv6_count", n("AKS-managed outbound IPv6 addresses (1–100), dual-stack only.")),
            ("outbound_ip_address_ids", list(C::Optional, "Public IP address IDs to use for egress (instead of managed IPs).")),
            ("outbound_ip_prefix_ids", list(C::Optional, "Public IP prefix IDs to use for egress (instead of managed IPs).")),
            ("outbound_ports_allocated", n("SNAT ports per node (0–64000, a multiple of 8; 0 lets Azure choose).")),
            ("idle_timeout_in_minutes", n("Outbound flow idle timeout (4–120 minutes).")),
        ],
        vec![],
        "Load balancer egress, with `outbound_type = \"loadBalancer\"`. Fields update in place; IP changes change the egress IPs.",
    );
    let nat = block_of(
        vec![
            (
                "managed_outbound_ip_count",
                n("AKS-managed outbound IPs of the NAT gateway (1–16)."),
            ),
            ("idle_timeout_in_minutes", n("Idle timeout (4–120 minutes).")),
        ],
        vec![],
        "The managed NAT gateway, with `outbound_type = \"managedNATGateway\"`.",
    );
    block_of(
        vec![
            ("id", s(C::Computed, "The managed cluster's ARM ID.")),
            ("name", s(C::Required, &format!("The cluster name.{force}"))),
            ("resource_group_name", s(C::Required, &format!("The resource group of the cluster.{force}"))),
            ("location", s(C::Required, &format!("The Azure region, e.g. `westeurope`.{force}"))),
            ("dns_prefix", s(C::Required, &format!("DNS prefix of the API server FQDN.{force}"))),
            ("kubernetes_version", s(C::OptionalComputed, "Kubernetes version, e.g. `1.33`. Defaults to AKS's default version; it decides the default plugin (kubenet before 1.30, overlay since).")),
            ("sku_tier", s(C::OptionalComputed, "`Free`, `Standard` or `Premium`. Defaults to `Free`.")),
            ("tags", attribute(T::Map(Box::new(T::String)), C::Optional, "Tags to assign to the cluster.")),
            ("network_plugin", s(C::OptionalComputed, "`azure`, `kubenet` or `none` (bring your own CNI). Defaults by Kubernetes version. kubenet → `azure` with overlay is an in-place migration; other changes replace the cluster.")),
            ("network_plugin_mode", s(C::OptionalComputed, "`overlay` for Azure CNI Overlay. Adding it to kubenet or Azure CNI (node subnet) migrates in place, one-way.")),
            ("network_policy", s(C::OptionalComputed, "`none`, `azure`, `calico` or `cilium`. `none` ↔ `azure`/`calico` update in place (nodes reimage); `azure` ↔ `calico` needs two applies via `none`.")),
            ("network_data_plane", s(C::OptionalComputed, "`azure` or `cilium`. `azure` → `cilium` updates in place (with `network_policy = \"cilium\"`); the reverse replaces the cluster.")),
            ("pod_cidr", s(C::OptionalComputed, "The pod range (kubenet, overlay, none). An overlay pod CIDR can grow in place to a superset; other changes replace the cluster.")),
            ("pod_cidrs", list(C::OptionalComputed, "Pod ranges, one per IP family (dual-stack).")),
            ("service_cidr", s(C::OptionalComputed, &format!("The Kubernetes service range. Defaults to `10.0.0.0/16`.{force}"))),
            ("service_cidrs", list(C::OptionalComputed, &format!("Service ranges, one per IP family.{force}"))),
            ("dns_service_ip", s(C::OptionalComputed, &format!("The cluster DNS service IP, inside the service range. Defaults to `10.0.0.10`.{force}"))),
            ("ip_families", list(C::OptionalComputed, &format!("`[\"IPv4\"]` or `[\"IPv4\", \"IPv6\"]`.{force}"))),
            ("outbound_type", s(C::OptionalComputed, "`loadBalancer`, `userDefinedRouting`, `managedNATGateway`, `userAssignedNATGateway` or `none`. Defaults to `loadBalancer`. `userAssignedNATGateway` needs a NAT gateway associated with the node subnet; `none` needs a network isolated cluster (`bootstrap_artifact_source = \"Cache\"`). Changes follow AKS's outbound migration matrix; others replace the cluster.")),
            ("load_balancer_sku", s(C::OptionalComputed, "`standard` (AKS refuses `basic` for new clusters). Defaults to `standard`. An existing Basic cluster upgrades in place to `standard` on Kubernetes 1.27 or newer (one-way, with downtime and new egress IPs); `standard` cannot go back to `basic`.")),
            ("bootstrap_artifact_source", s(C::OptionalComputed, "Where nodes pull AKS's images and binaries (`bootstrapProfile.artifactSource`): `Direct` (Microsoft Artifact Registry; AKS's default) or `Cache` (a private Azure Container Registry with a pull-through cache: a network isolated cluster). `outbound_type = \"none\"` needs `Cache`. Updates in place; reimage the node pools afterwards for it to take effect, and switch an existing cluster to `Cache` in an apply before the one that sets `outbound_type = \"none\"`.")),
            ("bootstrap_container_registry_id", s(C::OptionalComputed, "With `bootstrap_artifact_source = \"Cache\"`: your own registry (`bootstrapProfile.containerRegistryId`; private access, Premium SKU, zone redundant). Unset, AKS creates and manages one.")),
            ("fqdn", s(C::Computed, "The API server FQDN.")),
            ("node_resource_group", s(C::Computed, "The resource group AKS manages (`MC_…`).")),
            ("effective_outbound_ips", list(C::Computed, "IDs of the public IPs the cluster egresses from (load balancer or NAT gateway).")),
            ("kubenet_route_table_id", s(C::Computed, "With kubenet and a custom VNet: the route table on the node subnet that AKS writes its `aks-*` routes to.")),
            ("leftover_temporary_pool", s(C::Computed, "The temporary system pool that a rotation of the default node pool (M8) which did not finish left in the cluster: this resource's, and deleted by the next apply, with or without `temporary_name_for_rotation` in the configuration (the plan shows this attribute going to null, with the warning \"Temporary Node Pool Will Be Deleted\"). Null otherwise.")),
        ],
        vec![
            ("identity", NestedBlock::Optional(identity)),
            ("default_node_pool", NestedBlock::Single(default_pool_block("The system node pool."))),
            ("node_pool", NestedBlock::List(pool_block("Additional node pools, managed through the agent pool API: adding, removing or changing one writes that pool only, never the cluster; a property AKS cannot change on a pool (VM size, `max_pods`, subnets, OS, zones) replaces that pool alone. Pools in Azure that are not declared here are foreign: kept and counted in capacity."))),
            ("load_balancer_profile", NestedBlock::Optional(lb)),
            ("nat_gateway_profile", NestedBlock::Optional(nat)),
            ("timeouts", timeouts::block(90, 5, 90, 90, "cluster")),
        ],
        "Manages an AKS cluster whose identity is its network: every netplan rule and the live state of the VNet are \
         checked at plan time, changes are classified by AKS's update matrix (in place where AKS allows it, such as \
         kubenet → Azure CNI Overlay, replacement otherwise, impossible steps rejected with the path that works), and \
         migrations run one step per request.",
    )
}

/// Calls `$m!` with the pool attributes AKS defaults when the configuration leaves them unset,
/// their one list: unknown in a plan until AKS has set them, and null in state when a create
/// never learned them, for `aksnet_cluster_network`'s pools and `aksnet_node_pool` alike.
macro_rules! with_pool_computed {
    ($m:ident) => {
        $m!(os_type, node_count, max_pods, max_surge, pod_ip_allocation_mode)
    };
}
pub(crate) use with_pool_computed;
