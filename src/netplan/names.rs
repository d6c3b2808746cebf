//! ARM's naming rules for every name aksnet puts into a request path (I2) and the
//! subscription ID (I3), after Microsoft's "Naming rules and restrictions for Azure
//! resources". A name that breaks them would either be refused by ARM or, worse, change the
//! path of the request (`rg/../other`), so they are checked before any request is built.

/// Resource group names: 1–90 letters (Unicode letters included), digits, `_`, `(`, `)`, `-`
/// and `.`, not ending in `.` (Microsoft.Resources/resourcegroups).
pub(crate) fn valid_resource_group(n: &str) -> bool {
    (1..=90).contains(&n.chars().count())
        && !n.ends_with('.')
        && n.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '(' | ')' | '-' | '.'))
}

/// Route tables, routes and subnets (Microsoft.Network): 1–80 letters, digits, `_`, `.` and
/// `-`, starting with a letter or digit and ending with a letter, digit or `_`.
pub(crate) fn valid_network_name(n: &str) -> bool {
    network_name(n, 1, 80)
}

/// Virtual networks (Microsoft.Network/virtualNetworks): as [`valid_network_name`], 2–64.
pub(crate) fn valid_vnet_name(n: &str) -> bool {
    network_name(n, 2, 64)
}

fn network_name(n: &str, min: usize, max: usize) -> bool {
    let bytes = n.as_bytes();
    (min..=max).contains(&n.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Managed clusters (Microsoft.ContainerService/managedClusters): 1–63 letters, digits, `-`
/// and `_`, starting and ending with a letter or digit.
pub(crate) fn valid_cluster_name(n: &str) -> bool {
    alnum_ends(n, 63, |c| c == '-' || c == '_')
}

/// AKS DNS prefixes: 1–54 letters, digits and `-`, starting and ending with a letter or digit.
pub(crate) fn valid_dns_prefix(n: &str) -> bool {
    alnum_ends(n, 54, |c| c == '-')
}

fn alnum_ends(n: &str, max: usize, extra: impl Fn(char) -> bool) -> bool {
    let ok = |c: char| c.is_ascii_alphanumeric();
    (1..=max).contains(&n.len())
        && n.chars().all(|c| ok(c) || extra(c))
        && n.starts_with(ok)
        && n.ends_with(ok)
}

/// A subscription ID is a GUID: `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex digits.
pub(crate) fn valid_subscription_id(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// What [`valid_subscription_id`] wants, for messages.
pub(crate) const SUBSCRIPTION_RULE: &str =
    "a subscription ID is a GUID such as 00000000-0000-0000-0000-000000000000";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_tricks_break_every_name_rule() {
        for bad in [
            "nonexistent/../example-rg",
            "..",
            ".",
            "a/b",
            "a?b",
            "a#b",
            "a%2Fb",
            "",
        ] {
            assert!(!valid_resource_group(bad), "{bad}");
            assert!(!valid_network_name(bad), "{bad}");
            assert!(!valid_vnet_name(bad), "{bad}");
            assert!(!valid_cluster_name(bad), "{bad}");
            assert!(!valid_dns_prefix(bad), "{bad}");
        }
    }

    #[test]
    fn names_follow_arm() {
        assert!(valid_resource_group("acctest-(fixtures)_1.x"));
        assert!(valid_resource_group("rg-ünïcode"));
        assert!(!valid_resource_group(&"r".repeat(91)));
        assert!(!valid_resource_group("rg."));
        assert!(valid_network_name("rt_"));
        assert!(!valid_network_name("rt-"));
        assert!(!valid_network_name("-rt"));
        assert!(!valid_network_name(&"r".repeat(81)));
        assert!(!valid_vnet_name("v"));
        assert!(valid_vnet_name("vn"));
        assert!(valid_cluster_name("aks_1-x"));
        assert!(!valid_cluster_name("aks.1"));
        assert!(!valid_dns_prefix("aks_1"));
    }

    #[test]
    fn subscriptions_are_guids() {
        assert!(valid_subscription_id("00000000-0000-0000-0000-0000000000cc"));
        assert!(valid_subscription_id("ABCDEF01-2345-6789-abcd-ef0123456789"));
        for bad in [
            "not-a-guid",
            "",
            "00000000-0000-0000-0000-0000000000c",
            "00000000000000000000000000000000",
            "0000000g-0000-0000-0000-000000000000",
            "x/../y",
        ] {
            assert!(!valid_subscription_id(bad), "{bad}");
        }
    }
}
