//! Why a provider function refused its arguments. Terraform shows the text as a function
//! error on the argument (`tfvalue::function_error`); the texts name the attribute and what it
//! must be, and quote a value only where it cannot be an address or an ID.

use thiserror::Error;

use crate::netplan::cidr::thousands;
use crate::netplan::CidrError;

/// An argument a provider function cannot use.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ArgumentError {
    /// A CIDR or address argument that does not parse.
    #[error(transparent)]
    Cidr(#[from] CidrError),
    /// Terraform passed an unknown value inside a dynamic argument.
    #[error("the argument contains a value that is not known yet")]
    NotKnown,
    /// The profile itself is not an object.
    #[error("profile must be an object, e.g. {{ network_plugin = \"azure\" }}")]
    ProfileNotObject,
    /// A block (or list of one block) that must be an object.
    #[error("{0} must be an object")]
    NotObject(String),
    /// A list of several where azurerm's block holds at most one object.
    #[error("{what} must be one object (or a list of one object, as azurerm's block); got a list of {len}")]
    SeveralBlocks {
        /// The block, e.g. `network_profile`.
        what: String,
        /// How many objects the list holds.
        len: usize,
    },
    /// The same attribute under two spellings with different values (the values are not
    /// echoed: they may be ranges or IDs).
    #[error("{key} is given twice with different values ({from} and {key}); set it in one place")]
    GivenTwice {
        /// The attribute in aksnet's spelling.
        key: String,
        /// Where the other value came from, e.g. `network_profile.network_plugin`.
        from: String,
    },
    /// `node_pool` that is not a list.
    #[error("{0} must be a list of objects")]
    NotObjectList(String),
    /// Not a string.
    #[error("{0} must be a string")]
    NotString(String),
    /// Not a bool.
    #[error("{0} must be a bool")]
    NotBool(String),
    /// Not a number at all.
    #[error("{0} must be a number")]
    NotNumber(String),
    /// A string that does not parse as a number.
    #[error("{key} must be a number, got \"{got}\"")]
    NumberText {
        /// The attribute.
        key: String,
        /// The string given.
        got: String,
    },
    /// A number that is not a whole number of 0 or more (within `u32`).
    #[error("{key} must be a whole number of 0 or more, got {got}")]
    NotCount {
        /// The attribute.
        key: String,
        /// The number given.
        got: String,
    },
    /// A number that is not whole (within `i64`).
    #[error("{key} must be a whole number, got {got}")]
    NotWhole {
        /// The attribute.
        key: String,
        /// The number given.
        got: String,
    },
    /// Not a list of strings.
    #[error("{0} must be a list of strings")]
    NotStringList(String),
    /// An IPv6 pod CIDR where the /24-per-node rule needs IPv4 (`pod_cidr_max_nodes`).
    #[error("\"{input}\" is IPv6; the /24-per-node rule applies to IPv4 pod CIDRs")]
    Ipv6PodCidr {
        /// The argument as given.
        input: String,
    },
    /// Not one of `node_subnet_prefix`'s network plugins.
    #[error("\"{got}\" is not a network plugin; possible values are azure, overlay, kubenet and none")]
    NetworkPlugin {
        /// The argument as given.
        got: String,
    },
    /// A node count outside 1 to `u32::MAX`.
    #[error("nodes is {nodes}; it must be between 1 and {max}", max = u32::MAX)]
    Nodes {
        /// The argument.
        nodes: i64,
    },
    /// `max_pods` outside AKS's range (C8).
    #[error("max_pods is {max_pods}; AKS accepts 10 to 250 (rule C8)")]
    MaxPods {
        /// The argument.
        max_pods: i64,
    },
    /// More addresses than the largest Azure subnet holds.
    #[error("{} addresses do not fit in any Azure subnet", thousands(*addresses))]
    NoSubnetFits {
        /// Addresses needed.
        addresses: u64,
    },
    /// An error inside a block, prefixed with the block's path (`node_pool[0].max_pods …`).
    #[error("{path}.{source}")]
    In {
        /// The block, e.g. `default_node_pool`.
        path: String,
        /// What is wrong inside it.
        source: Box<ArgumentError>,
    },
}

impl ArgumentError {
    /// This error inside the block at `path`.
    pub(crate) fn inside(self, path: impl ToString) -> Self {
        ArgumentError::In {
            path: path.to_string(),
            source: Box::new(self),
        }
    }
}
