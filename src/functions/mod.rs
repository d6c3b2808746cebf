//! Provider-defined functions (Terraform ≥ 1.8): pure address math and aksnet's rules for
//! module authors who use other providers, e.g. in a `precondition`.

use std::collections::HashMap;

use aksnet_tfplugin::DynamicFunction;

pub(crate) mod address;
pub(crate) mod error;
pub mod network_profile_errors;

/// Every function the provider serves, by name (Terraform adds no prefix).
pub fn all() -> HashMap<String, Box<dyn DynamicFunction>> {
    aksnet_tfplugin::map! {
        "cidrs_overlap" => address::CidrsOverlap,
        "pod_cidr_max_nodes" => address::PodCidrMaxNodes,
        "node_subnet_prefix" => address::NodeSubnetPrefix,
        "network_profile_errors" => network_profile_errors::NetworkProfileErrors
    }
}
