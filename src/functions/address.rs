//! Address-math functions: `cidrs_overlap`, `pod_cidr_max_nodes`, `node_subnet_prefix`.

use aksnet_tfplugin::schema::{Description, FunctionSchema, Parameter, Type};
use aksnet_tfplugin::{Diagnostics, Function};
use async_trait::async_trait;
use ipnet::IpNet;
use serde::Deserialize;

use super::error::ArgumentError;
use crate::netplan::cidr::{overlaps, parse_cidr, smallest_v4_subnet_prefix};
use crate::netplan::sizing::{self, Ipam, MAX_PODS_RANGE};
use crate::tfvalue::function_error;

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
pub(crate) struct CidrsOverlap;

#[derive(Debug, Deserialize)]
pub(crate) struct CidrsOverlapArgs {
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
    parse_cidr(s)
        .map_err(|e| function_error(diags, index, &ArgumentError::from(e)))
        .ok()
}

/// pod_cidr_max_nodes(pod_cidr): nodes an overlay or kubenet pod CIDR can hold (C1).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PodCidrMaxNodes;

#[derive(Debug, Deserialize)]
pub(crate) struct PodCidrMaxNodesArgs {
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
                let e = ArgumentError::Ipv6PodCidr { input: args.pod_cidr };
                function_error(diags, 0, &e);
                None
            }
        }
    }
}

/// node_subnet_prefix(network_plugin, nodes, max_pods): smallest node subnet that fits.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct NodeSubnetPrefix;

#[derive(Debug, Deserialize)]
pub(crate) struct NodeSubnetPrefixArgs {
    network_plugin: String,
    nodes: Whole,
    max_pods: Whole,
}

/// A Terraform number that must be whole. Decoding says so, instead of serde's "invalid type:
/// floating point" or msgpack's marker error for numbers beyond 64 bits (sent as strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Whole(pub i64);

impl<'de> Deserialize<'de> for Whole {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Whole;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a whole number")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Whole, E> {
                Ok(Whole(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Whole, E> {
                i64::try_from(v)
                    .map(Whole)
                    .map_err(|_| E::custom(format!("{v} is too large")))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Whole, E> {
                if v.fract() != 0.0 || !v.is_finite() {
                    Err(E::custom(format!("{v} is not a whole number")))
                } else if v.abs() >= 9.0e18 {
                    Err(E::custom(format!("{v} is too large")))
                } else {
                    Ok(Whole(v as i64))
                }
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Whole, E> {
                match v.parse::<i64>() {
                    Ok(n) => Ok(Whole(n)),
                    Err(_) if v.trim_start_matches('-').bytes().all(|b| b.is_ascii_digit()) => {
                        Err(E::custom(format!("{v} is too large")))
                    }
                    Err(_) => Err(E::custom(format!("{v} is not a whole number"))),
                }
            }
        }
        d.deserialize_any(V)
    }
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
        let (nodes, max_pods) = (args.nodes.0, args.max_pods.0);
        let ipam = match args.network_plugin.as_str() {
            "azure" => Ipam::NodeSubnet,
            "overlay" => Ipam::Overlay,
            "kubenet" => Ipam::Kubenet,
            "none" => Ipam::Byo,
            other => {
                let e = ArgumentError::NetworkPlugin {
                    got: other.to_string(),
                };
                function_error(diags, 0, &e);
                return None;
            }
        };
        if !(1..=i64::from(u32::MAX)).contains(&nodes) {
            function_error(diags, 1, &ArgumentError::Nodes { nodes });
            return None;
        }
        if !MAX_PODS_RANGE.contains(&u32::try_from(max_pods).unwrap_or(0)) {
            function_error(diags, 2, &ArgumentError::MaxPods { max_pods });
            return None;
        }
        let nodes = nodes as u64;
        let needed = if ipam == Ipam::NodeSubnet {
            nodes * (max_pods as u64 + 1)
        } else {
            nodes
        };
        match smallest_v4_subnet_prefix(needed) {
            Some(p) => Some(i64::from(p)),
            None => {
                function_error(diags, 1, &ArgumentError::NoSubnetFits { addresses: needed });
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(json: &str) -> Result<i64, String> {
        serde_json::from_str::<Whole>(json)
            .map(|w| w.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn whole_numbers_say_what_is_wrong() {
        assert_eq!(whole("3"), Ok(3));
        assert_eq!(whole("-3"), Ok(-3));
        assert_eq!(whole("30.0"), Ok(30));
        assert_eq!(whole("\"12\""), Ok(12));
        assert!(whole("1.5").unwrap_err().starts_with("1.5 is not a whole number"));
        assert!(whole("18446744073709551615")
            .unwrap_err()
            .starts_with("18446744073709551615 is too large"));
        // Terraform sends numbers beyond 64 bits as strings.
        assert!(whole("\"100000000000000000000\"")
            .unwrap_err()
            .starts_with("100000000000000000000 is too large"));
        assert!(whole("\"ten\"")
            .unwrap_err()
            .starts_with("ten is not a whole number"));
        assert!(whole("1e300").unwrap_err().contains("is too large"));
    }
}
