//! `aksnet_pod_cidr_plan`'s schema and state.

use std::collections::HashMap;

use aksnet_tfplugin::schema::{
    AttributeConstraint as C, AttributeType as T, Block, Description, NestedBlock,
};
use aksnet_tfplugin::value::Value;
use serde::{Deserialize, Serialize};

use crate::tfvalue::attribute;

use super::PodCidrPlan;

pub(super) type Str = Value<String>;
pub(super) type Num = Value<i64>;
pub(super) type StrList = Value<Vec<Str>>;

/// Terraform state; one field per schema attribute and block, in lock-step with `schema()`.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct State {
    pub id: Str,
    pub network_plugin: Str,
    pub network_plugin_mode: Str,
    pub pod_ip_allocation_mode: Str,
    pub address_space: StrList,
    pub reserved_cidrs: StrList,
    pub ip_families: StrList,
    pub pod_cidr: Str,
    pub service_cidr: Str,
    pub dns_service_ip: Str,
    pub headroom_percent: Num,
    pub node_pool: Value<Vec<Value<NodePoolBlock>>>,
    pub node_subnet_cidr: Str,
    pub pod_subnet_cidr: Str,
    pub pod_cidrs: StrList,
    pub service_cidrs: StrList,
    pub max_nodes: Num,
    pub max_nodes_limit: Str,
    pub required_node_ips: Num,
    pub required_pod_ips: Num,
    pub kubenet_routes_needed: Num,
    pub pools: Value<Vec<Value<PoolOutput>>>,
    pub warnings: StrList,
}

/// A `node_pool` block.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct NodePoolBlock {
    pub name: Str,
    pub os_type: Str,
    pub node_count: Num,
    pub min_count: Num,
    pub max_count: Num,
    pub max_pods: Num,
    pub max_surge: Str,
}

/// One element of the computed `pools` list.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PoolOutput {
    pub name: String,
    pub os_type: String,
    pub max_pods: i64,
    pub surge_nodes: i64,
    pub peak_nodes: i64,
    pub node_ips: i64,
    pub pod_ips: i64,
}

impl PodCidrPlan {
    pub(crate) fn block() -> Block {
        let list_str = || T::List(Box::new(T::String));
        let attrs = [
            ("id", attribute(T::String, C::Computed, "Identifier of this plan (random; the plan has no Azure resource).")),
            ("network_plugin", attribute(T::String, C::Required, "Network plugin the cluster will use. Possible values are `azure`, `kubenet` and `none` (bring your own CNI such as Cilium or Flannel).")),
            ("network_plugin_mode", attribute(T::String, C::Optional, "Set to `overlay` for Azure CNI Overlay (requires `network_plugin = \"azure\"`). Pods then take a /24 per node from `pod_cidr`, outside the VNet.")),
            ("pod_ip_allocation_mode", attribute(T::String, C::Optional, "Plan a pod subnet for Azure CNI (without overlay). Possible values are `DynamicIndividual` (16-address batches per node) and `StaticBlock` (/28 blocks per node, `ceil((max_pods + 1) / 16)` per node).")),
            ("address_space", attribute(list_str(), C::Required, "CIDRs to carve the node subnet (and pod subnet) from, usually the VNet's address space. Pod and service CIDRs are kept outside them.")),
            ("reserved_cidrs", attribute(list_str(), C::Optional, "Ranges to avoid: existing subnets of the VNet, peered VNets, on-premises and VPN ranges.")),
            ("ip_families", attribute(list_str(), C::Optional, "IP families: `[\"IPv4\"]` (the default) or `[\"IPv4\", \"IPv6\"]` for dual stack (overlay or `none` only).")),
            ("pod_cidr", attribute(T::String, C::OptionalComputed, "IPv4 pod CIDR for kubenet, overlay and `none`. Validated when set; when unset, AKS's default `10.244.0.0/16` if it is free, else the next free private range large enough for one /24 per node.")),
            ("service_cidr", attribute(T::String, C::OptionalComputed, "IPv4 service CIDR. Validated when set; when unset, AKS's default `10.0.0.0/16` if it is free, else the next free private /16 (or smaller).")),
            ("dns_service_ip", attribute(T::String, C::OptionalComputed, "Kubernetes DNS service IP inside `service_cidr`. When unset, the `.10` address of `service_cidr`.")),
            ("headroom_percent", attribute(T::Number, C::Optional, "Growth to reserve on top of the peak node count, in percent. Defaults to `0`.")),
            ("node_subnet_cidr", attribute(T::String, C::Computed, "The node subnet: the smallest free range of `address_space` that holds every node at peak (and, for flat Azure CNI, every pod). Azure keeps 5 addresses per subnet.")),
            ("pod_subnet_cidr", attribute(T::String, C::Computed, "The pod subnet, when `pod_ip_allocation_mode` is set; otherwise null.")),
            ("pod_cidrs", attribute(list_str(), C::Computed, "Pod CIDRs in `ip_families` order (IPv6 default `fd12:3456:789a::/64`); empty for flat Azure CNI and pod-subnet modes.")),
            ("service_cidrs", attribute(list_str(), C::Computed, "Service CIDRs in `ip_families` order (IPv6 default `fd12:3456:789a:1::/108`).")),
            ("max_nodes", attribute(T::Number, C::Computed, "Nodes the plan can hold, surge nodes included, at the pools' current mix of `max_pods`.")),
            ("max_nodes_limit", attribute(T::String, C::Computed, "What binds `max_nodes`: a range of this plan, the kubenet 400-route limit, or AKS's 5,000-node cluster limit.")),
            ("required_node_ips", attribute(T::Number, C::Computed, "Node-subnet addresses needed at peak (nodes, plus pods for flat Azure CNI).")),
            ("required_pod_ips", attribute(T::Number, C::Computed, "Pod addresses reserved at peak: a /24 (256) per node for kubenet, overlay and `none`; `max_pods` per node for flat Azure CNI; 16-address batches or /28 blocks for pod subnets.")),
            ("kubenet_routes_needed", attribute(T::Number, C::Computed, "Routes kubenet writes into the route table at peak (one per node); `0` for other plugins. Feed it to `aksnet_route_table.reserved_route_count`.")),
            ("pools", attribute(T::List(Box::new(T::Object(pool_output_type()))), C::Computed, "Per `node_pool`, in order: `name`, `os_type`, effective `max_pods`, `surge_nodes`, `peak_nodes` (`max(node_count, max_count)` + surge + headroom), `node_ips` and `pod_ips`.")),
            ("warnings", attribute(list_str(), C::Computed, "Rule warnings (retirements, unsupported ranges) and notes about ranges that moved since the last plan, each prefixed with its rule id.")),
        ];
        let pool_attrs = [
            ("name", attribute(T::String, C::Required, "Node pool name: lowercase letters and digits, starting with a letter, at most 12 characters (6 for Windows).")),
            ("os_type", attribute(T::String, C::Optional, "Operating system of the pool's nodes. Possible values are `Linux` and `Windows`. Defaults to `Linux`.")),
            ("node_count", attribute(T::Number, C::Optional, "Node count, or the initial count of an autoscaled pool. May be omitted when `min_count` and `max_count` are set: AKS starts the pool at `min_count` and the plan sizes for `max_count`; without them it is required.")),
            ("min_count", attribute(T::Number, C::Optional, "Autoscaler minimum.")),
            ("max_count", attribute(T::Number, C::Optional, "Autoscaler maximum; the plan sizes for it, as AKS checks capacity at `max_count`.")),
            ("max_pods", attribute(T::Number, C::Optional, "Maximum pods per node, 10–250. Defaults per plugin: kubenet 110, Azure CNI 30, overlay and `none` 250. With a pod subnet (dynamic or static block) Microsoft's pages disagree (250 on the dynamic IP allocation page, 110 in IP address planning): aksnet sizes for 250 until a primary source settles it; set `max_pods` to plan for what the pool runs.")),
            ("max_surge", attribute(T::String, C::Optional, "Extra nodes during upgrades: a count (`\"3\"`) or a percentage (`\"33%\"`, rounded up). Defaults to one node.")),
        ];
        Block {
            version: 1,
            attributes: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            blocks: HashMap::from([(
                "node_pool".to_string(),
                NestedBlock::List(Block {
                    version: 1,
                    attributes: pool_attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                    blocks: HashMap::new(),
                    description: Description::markdown("A node pool to plan for. At least one; the first is the system pool."),
                    deprecated: false,
                }),
            )]),
            description: Description::markdown(
                "Plans an AKS cluster's address ranges (node subnet, pod subnet, pod and service CIDRs, DNS service IP) \
                 from its node pools and checks them against every AKS networking rule at plan time. A pure resource: \
                 all outputs are known at plan, nothing is created in Azure, and import is not supported (there is nothing \
                 to import).",
            ),
            deprecated: false,
        }
    }
}

fn pool_output_type() -> HashMap<String, T> {
    [
        ("name", T::String),
        ("os_type", T::String),
        ("max_pods", T::Number),
        ("surge_nodes", T::Number),
        ("peak_nodes", T::Number),
        ("node_ips", T::Number),
        ("pod_ips", T::Number),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}
