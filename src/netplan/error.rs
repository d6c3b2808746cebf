//! Errors of netplan's parsers: what was wrong with one input and the fix. The rules turn them
//! into findings (R7 for ranges and addresses, C4 for `max_surge`), the provider functions into
//! function errors; netplan itself never decides how they are shown.

use ipnet::IpNet;
use thiserror::Error;

/// A CIDR or IP address that does not parse ([`super::cidr`]). The texts quote the input:
/// diagnostics pass through `tfvalue::Redactions`, which hides configured ranges.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CidrError {
    /// Has a `/` but is no address and prefix length.
    #[error(
        "\"{input}\" is not a valid CIDR; expected an address and a prefix length such as 10.244.0.0/16"
    )]
    Malformed {
        /// The input, trimmed.
        input: String,
    },
    /// An address without `/prefix`.
    #[error("\"{input}\" has no prefix length; expected a CIDR such as 10.244.0.0/16")]
    NoPrefix {
        /// The input, trimmed.
        input: String,
    },
    /// Host bits set, e.g. `10.1.2.3/16`; `network` is the range meant.
    #[error("\"{input}\" has host bits set; the network address of that range is {network}")]
    HostBits {
        /// The input, trimmed.
        input: String,
        /// The network address with the same prefix length.
        network: IpNet,
    },
    /// Not an IP address.
    #[error("\"{input}\" is not a valid IP address")]
    Address {
        /// The input as given.
        input: String,
    },
}

/// A `max_surge` that is neither a node count nor a percentage ([`super::sizing::surge_nodes`]).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SurgeError {
    /// Ends in `%` but is not 1% to 100%.
    #[error("\"{raw}\" is not a percentage between 1% and 100%")]
    Percentage {
        /// The input, trimmed.
        raw: String,
    },
    /// Not a whole number of 1 or more.
    #[error("\"{raw}\" is neither a node count (1 or more) nor a percentage such as \"33%\"")]
    Count {
        /// The input, trimmed.
        raw: String,
    },
}
