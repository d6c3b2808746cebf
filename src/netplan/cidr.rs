//! Address math on `ipnet`: strict parsing, Azure usable counts, overlap and first-fit allocation.

use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::error::CidrError;

/// Ranges AKS reserves for itself (R1; A-cni, A-kn, A-leg, A-byo).
pub(crate) const AKS_RESERVED: [&str; 4] =
    ["169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24"];

/// Ranges a VNet or subnet may not contain (R2; VNET-FAQ).
pub(crate) const VNET_FORBIDDEN: [&str; 5] = [
    "224.0.0.0/4",
    "255.255.255.255/32",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "168.63.129.16/32",
];

/// Addresses Azure keeps in every subnet: the first four and the last (R8; A-ovc, VNET-FAQ).
pub(crate) const AZURE_RESERVED_PER_SUBNET: u64 = 5;

/// Smallest IPv4 subnet Azure accepts (R8).
pub(crate) const MIN_SUBNET_PREFIX_V4: u8 = 29;

/// Parses a CIDR and insists on a network address, so `10.1.2.3/16` is an error with a fix.
pub fn parse_cidr(s: &str) -> Result<IpNet, CidrError> {
    let s = s.trim();
    let net: IpNet = s.parse().map_err(|_| {
        let input = s.to_string();
        if s.contains('/') {
            CidrError::Malformed { input }
        } else {
            CidrError::NoPrefix { input }
        }
    })?;
    if net.addr() != net.network() {
        return Err(CidrError::HostBits {
            input: s.to_string(),
            network: IpNet::new(net.network(), net.prefix_len()).unwrap_or(net),
        });
    }
    Ok(net)
}

/// Parses an IP address.
pub fn parse_ip(s: &str) -> Result<IpAddr, CidrError> {
    s.trim()
        .parse()
        .map_err(|_| CidrError::Address { input: s.to_string() })
}

/// True when the two ranges share at least one address (never across families).
pub fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// Number of addresses in a range, saturating at `u64::MAX` for huge IPv6 ranges.
pub fn size(net: &IpNet) -> u64 {
    let host_bits = u32::from(net.max_prefix_len() - net.prefix_len());
    if host_bits >= 64 {
        u64::MAX
    } else {
        1u64 << host_bits
    }
}

/// Addresses Azure lets NICs use in a subnet of this size (R8: total − 5).
pub fn usable_subnet_ips(net: &IpNet) -> u64 {
    size(net).saturating_sub(AZURE_RESERVED_PER_SUBNET)
}

/// The longest IPv4 prefix (smallest subnet, never smaller than /29) whose usable addresses
/// hold `needed` IPs; `None` when even a /8 would not.
pub(crate) fn smallest_v4_subnet_prefix(needed: u64) -> Option<u8> {
    (8..=MIN_SUBNET_PREFIX_V4)
        .rev()
        .find(|&p| (1u64 << (32 - u32::from(p))) - AZURE_RESERVED_PER_SUBNET >= needed)
}

/// The first range of length `prefix_len` (lowest address first, space by space, in the
/// order given) that lies inside one of `space` and overlaps none of `used`.
pub fn first_free(space: &[IpNet], used: &[IpNet], prefix_len: u8) -> Option<IpNet> {
    space.iter().find_map(|s| first_free_in(s, used, prefix_len))
}

fn first_free_in(space: &IpNet, used: &[IpNet], prefix_len: u8) -> Option<IpNet> {
    if prefix_len < space.prefix_len() || prefix_len > space.max_prefix_len() {
        return None;
    }
    let mut blockers: Vec<(u128, u128)> = used.iter().filter(|u| overlaps(u, space)).map(bounds).collect();
    blockers.sort_unstable();
    let (lo, hi) = bounds(space);
    let step: u128 = 1u128 << u32::from(space.max_prefix_len() - prefix_len);
    let mut candidate = lo;
    // Blockers are sorted by start; each one can only push the candidate forward.
    for (b_lo, b_hi) in blockers {
        let c_hi = candidate + (step - 1);
        if b_lo > c_hi {
            break;
        }
        if b_hi >= candidate {
            // Jump to the first aligned block after this blocker.
            candidate = match b_hi.checked_add(1) {
                Some(next) => next.div_ceil(step) * step,
                None => return None,
            };
            if candidate > hi {
                return None;
            }
        }
    }
    if candidate.checked_add(step - 1)? > hi {
        return None;
    }
    Some(from_u128(space, candidate, prefix_len))
}

/// Inclusive `(first, last)` address of a range as integers.
fn bounds(net: &IpNet) -> (u128, u128) {
    match net {
        IpNet::V4(n) => (
            u128::from(u32::from(n.network())),
            u128::from(u32::from(n.broadcast())),
        ),
        IpNet::V6(n) => (u128::from(n.network()), u128::from(n.broadcast())),
    }
}

fn from_u128(like: &IpNet, addr: u128, prefix_len: u8) -> IpNet {
    match like {
        IpNet::V4(_) => IpNet::V4(
            Ipv4Net::new(std::net::Ipv4Addr::from(addr as u32), prefix_len).expect("prefix checked"),
        ),
        IpNet::V6(_) => {
            IpNet::V6(Ipv6Net::new(std::net::Ipv6Addr::from(addr), prefix_len).expect("prefix checked"))
        }
    }
}

/// The `n`-th address of a range (0 = network address), if it exists.
pub(crate) fn nth_addr(net: &IpNet, n: u64) -> Option<IpAddr> {
    let (lo, hi) = bounds(net);
    let a = lo.checked_add(u128::from(n))?;
    (a <= hi).then(|| match net {
        IpNet::V4(_) => IpAddr::V4(std::net::Ipv4Addr::from(a as u32)),
        IpNet::V6(_) => IpAddr::V6(std::net::Ipv6Addr::from(a)),
    })
}

/// Formats a count with thousands separators (`1,581`), as diagnostics do.
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn parse_rejects_host_bits_with_the_network_address() {
        let err = parse_cidr("10.244.1.0/16").unwrap_err();
        assert_eq!(
            err,
            CidrError::HostBits {
                input: "10.244.1.0/16".into(),
                network: n("10.244.0.0/16")
            }
        );
        assert!(err.to_string().contains("10.244.0.0/16"), "{err}");
        let err = parse_cidr("10.244.0.0").unwrap_err();
        assert!(matches!(err, CidrError::NoPrefix { .. }));
        assert!(err.to_string().contains("no prefix length"), "{err}");
        assert!(matches!(
            parse_cidr("10.300.0.0/16"),
            Err(CidrError::Malformed { .. })
        ));
        assert_eq!(parse_cidr(" 10.0.0.0/8 ").unwrap(), n("10.0.0.0/8"));
        assert!(matches!(parse_ip("10.0.0"), Err(CidrError::Address { .. })));
    }

    #[test]
    fn usable_counts_follow_azure_reservation() {
        assert_eq!(usable_subnet_ips(&n("10.0.0.0/24")), 251);
        assert_eq!(usable_subnet_ips(&n("10.0.0.0/29")), 3);
        assert_eq!(usable_subnet_ips(&n("10.0.0.0/22")), 1019);
    }

    #[test]
    fn smallest_subnet_prefix() {
        assert_eq!(smallest_v4_subnet_prefix(1581), Some(21));
        assert_eq!(smallest_v4_subnet_prefix(1019), Some(22));
        assert_eq!(smallest_v4_subnet_prefix(1020), Some(21));
        assert_eq!(smallest_v4_subnet_prefix(1), Some(29));
        assert_eq!(smallest_v4_subnet_prefix(u64::MAX), None);
    }

    #[test]
    fn overlap_is_symmetric_and_family_aware() {
        assert!(overlaps(&n("10.0.0.0/8"), &n("10.1.0.0/16")));
        assert!(overlaps(&n("10.1.0.0/16"), &n("10.0.0.0/8")));
        assert!(!overlaps(&n("10.0.0.0/16"), &n("10.1.0.0/16")));
        assert!(!overlaps(&n("10.0.0.0/8"), &n("fd00::/8")));
    }

    #[test]
    fn first_free_skips_used_ranges_and_aligns() {
        let space = [n("10.0.0.0/16")];
        let used = [n("10.0.0.0/24"), n("10.0.1.0/28")];
        assert_eq!(first_free(&space, &used, 24), Some(n("10.0.2.0/24")));
        assert_eq!(first_free(&space, &used, 28), Some(n("10.0.1.16/28")));
        assert_eq!(first_free(&space, &used, 15), None);
        assert_eq!(first_free(&space, &[n("10.0.0.0/16")], 24), None);
        let two = [n("10.0.0.0/24"), n("10.1.0.0/16")];
        assert_eq!(first_free(&two, &[n("10.0.0.0/25")], 24), Some(n("10.1.0.0/24")));
        assert_eq!(
            first_free(&[n("fd00::/48")], &[n("fd00::/64")], 64),
            Some(n("fd00:0:0:1::/64"))
        );
    }

    #[test]
    fn nth_and_thousands() {
        assert_eq!(
            nth_addr(&n("10.0.0.0/16"), 10),
            Some("10.0.0.10".parse().unwrap())
        );
        assert_eq!(nth_addr(&n("10.0.0.0/30"), 4), None);
        assert_eq!(thousands(1581), "1,581");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
