//! Address-math functions: `cidrs_overlap`, `pod_cidr_max_nodes`, `node_subnet_prefix`.

use async_trait::async_trait;
use ipnet::IpNet;
use serde::Deserialize;
use tf_provider::schema::{Description, FunctionSchema, Parameter, Type};
use tf_provider::{Diagnostics, Function};

use crate::netplan::cidr::{overlaps, parse_cidr, smallest_v4_subnet_prefix, thousands};
use crate::netplan::sizing::{self, Ipam, MAX_PODS_RANGE};

fn param(name: &str, param_type: Type, md: &str) -> Parameter {
    Parameter {
        name: name.into(),
        param_type,
        description: Description::markdown(md),
        ..Default::default()
    }
}

/// cidrs_overlap(a, b): whether two CIDRs share any address.
#[derive(Debug, Default, Clone, Copy)]
pub struct CidrsOverlap;

#[derive(Debug, Deserialize)]
pub struct CidrsOverlapArgs {
    a: String,
    b: String,
}

#[async_trait]
impl Function for CidrsOverlap {
    type Input<'a> = CidrsOverlapArgs;
    type Output<'a> = bool;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<FunctionSchema> {
        Some(FunctionSchema {
            parameters: vec![
                param("a", Type::String, "First CIDR, IPv4 or IPv6, e.g. `10.0.0.0/16`."),
                param("b", Type::String, "Second CIDR."),
            ],
            return_type: Type::Bool,
            summary: "Whether two CIDRs overlap".into(),
            description: Description::markdown(
                "Returns `true` when the two CIDRs share at least one address. CIDRs of different IP families never overlap. \
                 Each argument must be a network address with a prefix length (`10.0.0.0/16`, not `10.0.1.0/16`).",
            ),
            ..Default::default()
        })
    }

    async fn call<'a>(&self, diags: &mut Diagnostics, args: Self::Input<'a>) -> Option<bool> {
        let a = arg_cidr(diags, 0, &args.a);
        let b = arg_cidr(diags, 1, &args.b);
        Some(overlaps(&a?, &b?))
    }
}

fn arg_cidr(diags: &mut Diagnostics, index: i64, s: &str) -> Option<IpNet> {
    parse_cidr(s).map_err(|e| diags.function_error(index, e)).ok()
}

/// pod_cidr_max_nodes(pod_cidr): nodes an overlay or kubenet pod CIDR can hold (C1).
#[derive(Debug, Default, Clone, Copy)]
pub struct PodCidrMaxNodes;

#[derive(Debug, Deserialize)]
pub struct PodCidrMaxNodesArgs {
    pod_cidr: String,
}

#[async_trait]
impl Function for PodCidrMaxNodes {
    type Input<'a> = PodCidrMaxNodesArgs;
    type Output<'a> = i64;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<FunctionSchema> {
        Some(FunctionSchema {
            parameters: vec![param("pod_cidr", Type::String, "IPv4 pod CIDR of a kubenet, Azure CNI Overlay or `none` cluster.")],
            return_type: Type::Number,
            summary: "Nodes a pod CIDR can hold".into(),
            description: Description::markdown(
                "Returns how many nodes a pod CIDR supports when every node takes a /24 from it, as kubenet and \
                 Azure CNI Overlay do (rule C1): `2^(24 - prefix)`, e.g. 256 for a /16. Count upgrade surge nodes and \
                 autoscaler `max_count` against it. Returns 0 for prefixes longer than /24.",
            ),
            ..Default::default()
        })
    }

    async fn call<'a>(&self, diags: &mut Diagnostics, args: Self::Input<'a>) -> Option<i64> {
        match arg_cidr(diags, 0, &args.pod_cidr)? {
            IpNet::V4(n) => Some(sizing::pod_cidr_max_nodes(n.prefix_len()) as i64),
            IpNet::V6(_) => {
                diags.function_error(
                    0,
                    format!(
                        "\"{}\" is IPv6; the /24-per-node rule applies to IPv4 pod CIDRs",
                        args.pod_cidr
                    ),
                );
                None
            }
        }
    }
}

/// node_subnet_prefix(network_plugin, nodes, max_pods): smallest node subnet that fits.
#[derive(Debug, Default, Clone, Copy)]
pub struct NodeSubnetPrefix;

#[derive(Debug, Deserialize)]
pub struct NodeSubnetPrefixArgs {
    network_plugin: String,
    nodes: i64,
    max_pods: i64,
}

#[async_trait]
impl Function for NodeSubnetPrefix {
    type Input<'a> = NodeSubnetPrefixArgs;
    type Output<'a> = i64;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<FunctionSchema> {
        Some(FunctionSchema {
            parameters: vec![
                param(
                    "network_plugin",
                    Type::String,
                    "`azure` (node-subnet mode: every pod takes a subnet address), `overlay`, `kubenet` or `none` (one address per node).",
                ),
                param("nodes", Type::Number, "Peak node count: `max_count` (or `node_count`) plus upgrade surge, summed over pools."),
                param("max_pods", Type::Number, "Maximum pods per node, 10–250."),
            ],
            return_type: Type::Number,
            summary: "Smallest node subnet prefix length that fits".into(),
            description: Description::markdown(
                "Returns the longest IPv4 prefix length (the smallest subnet, never smaller than /29) whose usable \
                 addresses hold the nodes (Azure keeps 5 addresses per subnet, rule R8). For `azure` every node also \
                 needs `max_pods` pod addresses: `nodes × (max_pods + 1)` (rule C5).",
            ),
            ..Default::default()
        })
    }

    async fn call<'a>(&self, diags: &mut Diagnostics, args: Self::Input<'a>) -> Option<i64> {
        let ipam = match args.network_plugin.as_str() {
            "azure" => Ipam::NodeSubnet,
            "overlay" => Ipam::Overlay,
            "kubenet" => Ipam::Kubenet,
            "none" => Ipam::Byo,
            other => {
                diags.function_error(0, format!("\"{other}\" is not a network plugin; possible values are azure, overlay, kubenet and none"));
                return None;
            }
        };
        if !(1..=i64::from(u32::MAX)).contains(&args.nodes) {
            diags.function_error(1, format!("nodes is {}; it must be 1 or more", args.nodes));
            return None;
        }
        if !MAX_PODS_RANGE.contains(&u32::try_from(args.max_pods).unwrap_or(0)) {
            diags.function_error(
                2,
                format!("max_pods is {}; AKS accepts 10 to 250 (rule C8)", args.max_pods),
            );
            return None;
        }
        let nodes = args.nodes as u64;
        let needed = if ipam == Ipam::NodeSubnet {
            nodes * (args.max_pods as u64 + 1)
        } else {
            nodes
        };
        match smallest_v4_subnet_prefix(needed) {
            Some(p) => Some(i64::from(p)),
            None => {
                diags.function_error(
                    1,
                    format!("{} addresses do not fit in any Azure subnet", thousands(needed)),
                );
                None
            }
        }
    }
}
