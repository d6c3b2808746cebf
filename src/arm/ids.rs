//! Typed ARM resource IDs: parsed case-insensitively, shown the way azurerm shows them
//! (`Route Table "rt" (Resource Group "rg")`), rejecting the forms users paste by mistake.

use std::fmt;

use crate::netplan::names;

/// The kinds of resource aksnet addresses, with their ARM path segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `Microsoft.Resources/resourceGroups`.
    ResourceGroup,
    /// `Microsoft.Network/virtualNetworks`.
    VirtualNetwork,
    /// `Microsoft.Network/virtualNetworks/subnets`, named `[vnet, subnet]`.
    Subnet,
    /// `Microsoft.Network/routeTables`.
    RouteTable,
    /// `Microsoft.Network/routeTables/routes`, named `[table, route]`.
    Route,
    /// `Microsoft.ContainerService/managedClusters`.
    ManagedCluster,
    /// `Microsoft.ContainerService/managedClusters/agentPools`, named `[cluster, pool]`.
    AgentPool,
}

impl Kind {
    /// Provider namespace and type segments after `/providers/` (empty for resource groups).
    fn segments(self) -> &'static [&'static str] {
        match self {
            Kind::ResourceGroup => &[],
            Kind::VirtualNetwork => &["virtualNetworks"],
            Kind::Subnet => &["virtualNetworks", "subnets"],
            Kind::RouteTable => &["routeTables"],
            Kind::Route => &["routeTables", "routes"],
            Kind::ManagedCluster => &["managedClusters"],
            Kind::AgentPool => &["managedClusters", "agentPools"],
        }
    }

    fn namespace(self) -> &'static str {
        match self {
            Kind::ResourceGroup => "",
            Kind::ManagedCluster | Kind::AgentPool => "Microsoft.ContainerService",
            _ => "Microsoft.Network",
        }
    }

    /// Human name used in messages, azurerm style.
    pub fn display_name(self) -> &'static str {
        match self {
            Kind::ResourceGroup => "Resource Group",
            Kind::VirtualNetwork => "Virtual Network",
            Kind::Subnet => "Subnet",
            Kind::RouteTable => "Route Table",
            Kind::Route => "Route",
            Kind::ManagedCluster => "Kubernetes Cluster",
            Kind::AgentPool => "Kubernetes Cluster Node Pool",
        }
    }

    fn example(self) -> String {
        let mut s =
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/example-rg".to_string();
        if self != Kind::ResourceGroup {
            s.push_str("/providers/");
            s.push_str(self.namespace());
            for seg in self.segments() {
                s.push_str(&format!("/{seg}/example"));
            }
        }
        s
    }
}

/// The naming rule `name` breaks for a resource of type `segment`, if any.
fn name_rule(segment: &str, name: &str) -> Option<&'static str> {
    match segment {
        "virtualNetworks" if !names::valid_vnet_name(name) => Some(
            "2–64 letters, digits, `_`, `.` or `-`, starting with a letter or digit and ending with a letter, digit or `_`",
        ),
        "subnets" | "routeTables" | "routes" if !names::valid_network_name(name) => Some(
            "1–80 letters, digits, `_`, `.` or `-`, starting with a letter or digit and ending with a letter, digit or `_`",
        ),
        "managedClusters" if !names::valid_cluster_name(name) => Some(
            "1–63 letters, digits, `-` or `_`, starting and ending with a letter or digit",
        ),
        _ => None,
    }
}

/// Why a segment cannot go into a request path as it is: URL parsers drop or resolve `.`
/// and `..`, and an empty segment would shift the ones after it.
pub fn unsafe_segment(seg: &str) -> Option<&'static str> {
    match seg {
        "" => Some("it is empty"),
        "." | ".." => Some("`.` and `..` would move the request to another path"),
        _ if seg.chars().any(char::is_control) => Some("it contains a control character"),
        _ => None,
    }
}

/// A parsed ARM resource ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResourceId {
    /// What the ID addresses; fixes the provider namespace and type segments of the path.
    pub kind: Kind,
    /// The subscription GUID.
    pub subscription_id: String,
    /// The resource group name (ARM compares it case-insensitively).
    pub resource_group: String,
    /// Names of the resource and its parents, outermost first (`[vnet, subnet]`).
    pub names: Vec<String>,
}

/// Why an ID was rejected; the message shows the expected format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parsing {kind} ID \"{id}\": {reason}; expected the form {example}")]
pub struct IdError {
    kind: &'static str,
    id: String,
    reason: String,
    example: String,
}

/// A part of a resource ID, for [`ResourceId::from_parts`]: the subscription, the resource
/// group, or the name at this position in [`ResourceId::names`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The subscription ID.
    Subscription,
    /// The resource group name.
    ResourceGroup,
    /// The name at this index of [`ResourceId::names`].
    Name(usize),
}

/// Why a part of an ID was rejected; the message names the rule, never the value (parts come
/// from configuration, e.g. a resource identity).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct PartError {
    /// The part rejected, so the caller can blame the matching attribute.
    pub part: Part,
    /// The rule it broke, without the value.
    pub reason: String,
}

impl ResourceId {
    /// Builds an ID from parts.
    pub fn new(kind: Kind, subscription_id: &str, resource_group: &str, names: &[&str]) -> Self {
        Self {
            kind,
            subscription_id: subscription_id.to_string(),
            resource_group: resource_group.to_string(),
            names: names.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Builds an ID from its parts (a resource identity), checking each as [`ResourceId::parse`]
    /// checks it in a path; the error names the part that breaks a rule.
    pub fn from_parts(
        kind: Kind,
        subscription_id: &str,
        resource_group: &str,
        names: &[&str],
    ) -> Result<Self, PartError> {
        let err = |part: Part, reason: String| PartError { part, reason };
        if let Some(why) = unsafe_segment(subscription_id) {
            return Err(err(Part::Subscription, format!("it cannot be used: {why}")));
        }
        if !names::valid_subscription_id(subscription_id) {
            return Err(err(
                Part::Subscription,
                "it is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)".into(),
            ));
        }
        if unsafe_segment(resource_group).is_some() || !names::valid_resource_group(resource_group) {
            return Err(err(
                Part::ResourceGroup,
                "it breaks ARM's naming rules for resource groups (1–90 letters, digits, `_`, `(`, `)`, `-` or `.`, not ending in `.`)".into(),
            ));
        }
        let types = kind.segments();
        if names.len() != types.len() {
            return Err(err(
                Part::Name(names.len().min(types.len())),
                format!(
                    "a {} ID has {} names, not {}",
                    kind.display_name(),
                    types.len(),
                    names.len()
                ),
            ));
        }
        for (i, (t, name)) in types.iter().zip(names).enumerate() {
            if let Some(why) = unsafe_segment(name) {
                return Err(err(Part::Name(i), format!("it cannot be used: {why}")));
            }
            if let Some(rule) = name_rule(t, name) {
                return Err(err(
                    Part::Name(i),
                    format!("it breaks ARM's naming rules ({rule})"),
                ));
            }
        }
        Ok(Self::new(kind, subscription_id, resource_group, names))
    }

    /// Parses `id` as a resource of `kind`. Segment names match case-insensitively, as ARM does.
    pub fn parse(kind: Kind, id: &str) -> Result<Self, IdError> {
        let err = |reason: &str| IdError {
            kind: kind.display_name(),
            id: id.to_string(),
            reason: reason.to_string(),
            example: kind.example(),
        };
        if id.contains('|') {
            return Err(err("this looks like a synthetic ID made by the azurerm provider (it contains `|`), not an ARM resource ID"));
        }
        if id.contains('?') {
            return Err(err("remove the query string (such as `?api-version=`)"));
        }
        if id.starts_with("http://") || id.starts_with("https://") {
            return Err(err(
                "remove the scheme and host: an ID starts with /subscriptions/",
            ));
        }
        let parts: Vec<&str> = id.trim_end_matches('/').split('/').collect();
        if parts.first() != Some(&"") || parts.len() < 5 {
            return Err(err(
                "it must start with /subscriptions/{id}/resourceGroups/{name}",
            ));
        }
        let seg = |i: usize| parts.get(i).copied().unwrap_or("");
        if !seg(1).eq_ignore_ascii_case("subscriptions") || !seg(3).eq_ignore_ascii_case("resourceGroups") {
            return Err(err(
                "it must start with /subscriptions/{id}/resourceGroups/{name}",
            ));
        }
        let (sub, rg) = (seg(2), seg(4));
        if sub.is_empty() || rg.is_empty() {
            return Err(err("the subscription and resource group must not be empty"));
        }
        if !names::valid_subscription_id(sub) {
            return Err(err(&format!("the subscription \"{sub}\" is not a GUID")));
        }
        if !names::valid_resource_group(rg) {
            return Err(err(&format!(
                "the resource group name \"{rg}\" breaks ARM's naming rules (1–90 letters, digits, `_`, `(`, `)`, `-` or `.`, not ending in `.`)"
            )));
        }
        let rest = &parts[5..];
        let types = kind.segments();
        let expected_len = if types.is_empty() { 0 } else { 2 + types.len() * 2 };
        if rest.len() != expected_len {
            return Err(err(&format!(
                "it has {} segments after the resource group, expected {expected_len}",
                rest.len()
            )));
        }
        let mut names = Vec::new();
        if !types.is_empty() {
            if !rest[0].eq_ignore_ascii_case("providers") || !rest[1].eq_ignore_ascii_case(kind.namespace()) {
                return Err(err(&format!("the provider must be {}", kind.namespace())));
            }
            for (i, t) in types.iter().enumerate() {
                let (ty, name) = (rest[2 + 2 * i], rest[3 + 2 * i]);
                if !ty.eq_ignore_ascii_case(t) {
                    return Err(err(&format!("found segment \"{ty}\" where \"{t}\" was expected")));
                }
                if name.is_empty() {
                    return Err(err(&format!("the {t} name is empty")));
                }
                if let Some(rule) = name_rule(t, name) {
                    return Err(err(&format!(
                        "the {t} name \"{name}\" breaks ARM's naming rules ({rule})"
                    )));
                }
                names.push(name.to_string());
            }
        }
        Ok(Self {
            kind,
            subscription_id: sub.to_string(),
            resource_group: rg.to_string(),
            names,
        })
    }

    /// The resource's own name (the resource group's name for a resource group).
    pub fn name(&self) -> &str {
        self.names
            .last()
            .map(String::as_str)
            .unwrap_or(&self.resource_group)
    }

    /// The canonical path, e.g. `/subscriptions/…/providers/Microsoft.Network/routeTables/rt`.
    pub fn path(&self) -> String {
        let mut s = format!(
            "/subscriptions/{}/resourceGroups/{}",
            self.subscription_id, self.resource_group
        );
        if self.kind != Kind::ResourceGroup {
            s.push_str("/providers/");
            s.push_str(self.kind.namespace());
            for (t, n) in self.kind.segments().iter().zip(&self.names) {
                s.push_str(&format!("/{t}/{n}"));
            }
        }
        s
    }

    /// The path's segments, unescaped: `["subscriptions", sub, "resourceGroups", rg, …]`.
    /// URLs are built from these, each escaped on its own, so no name can change the path.
    pub fn segments(&self) -> Vec<&str> {
        let mut out = vec![
            "subscriptions",
            self.subscription_id.as_str(),
            "resourceGroups",
            self.resource_group.as_str(),
        ];
        if self.kind != Kind::ResourceGroup {
            out.push("providers");
            out.push(self.kind.namespace());
            for (t, n) in self.kind.segments().iter().zip(&self.names) {
                out.push(t);
                out.push(n);
            }
        }
        out
    }

    /// The parent of a child resource (a subnet's VNet, a route's table, an agent pool's cluster).
    pub fn parent(&self) -> Option<ResourceId> {
        let kind = match self.kind {
            Kind::Subnet => Kind::VirtualNetwork,
            Kind::Route => Kind::RouteTable,
            Kind::AgentPool => Kind::ManagedCluster,
            Kind::ResourceGroup => return None,
            _ => Kind::ResourceGroup,
        };
        let mut names = self.names.clone();
        names.pop();
        Some(ResourceId {
            kind,
            subscription_id: self.subscription_id.clone(),
            resource_group: self.resource_group.clone(),
            names,
        })
    }
}

impl fmt::Display for ResourceId {
    /// `Subnet "s" (Virtual Network "v" / Resource Group "rg")`, as azurerm writes errors.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} \"{}\" (", self.kind.display_name(), self.name())?;
        if let Some(parent) = self.parent().filter(|p| p.kind != Kind::ResourceGroup) {
            write!(f, "{} \"{}\" / ", parent.kind.display_name(), parent.name())?;
        }
        if self.kind == Kind::ResourceGroup {
            write!(f, "Subscription \"{}\")", self.subscription_id)
        } else {
            write!(f, "Resource Group \"{}\")", self.resource_group)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RT: &str = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt";

    #[test]
    fn parses_case_insensitively_and_round_trips() {
        let id = ResourceId::parse(Kind::RouteTable, &RT.to_lowercase().replace("rg", "RG")).unwrap();
        assert_eq!(id.name(), "rt");
        assert_eq!(id.resource_group, "RG");
        let id = ResourceId::parse(Kind::RouteTable, RT).unwrap();
        assert_eq!(id.path(), RT);
        assert_eq!(id.to_string(), "Route Table \"rt\" (Resource Group \"rg\")");
    }

    #[test]
    fn subnets_show_their_vnet() {
        let s = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v1/subnets/n";
        let id = ResourceId::parse(Kind::Subnet, s).unwrap();
        assert_eq!(
            id.to_string(),
            "Subnet \"n\" (Virtual Network \"v1\" / Resource Group \"rg\")"
        );
        assert_eq!(
            id.parent().unwrap().path(),
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v1"
        );
    }

    #[test]
    fn rejects_synthetic_query_and_wrong_kind_with_the_format() {
        let e = ResourceId::parse(Kind::RouteTable, &format!("{RT}|/subscriptions/x"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("synthetic") && e.contains("/routeTables/example"),
            "{e}"
        );
        let e = ResourceId::parse(Kind::RouteTable, &format!("{RT}?api-version=2025-01-01"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("query string"), "{e}");
        let e = ResourceId::parse(Kind::ManagedCluster, RT)
            .unwrap_err()
            .to_string();
        assert!(e.contains("Microsoft.ContainerService"), "{e}");
        assert!(ResourceId::parse(Kind::RouteTable, "rt").is_err());
        assert!(ResourceId::parse(Kind::RouteTable, &format!("https://management.azure.com{RT}")).is_err());
    }

    #[test]
    fn names_and_subscriptions_that_would_change_the_path_are_refused() {
        let sub = "11111111-1111-1111-1111-111111111111";
        for (id, why) in [
            (
                RT.replace("/rg/", "/nonexistent/../rg/"),
                "segments after the resource group",
            ),
            (RT.replace("/rg/", "/../"), "resource group name \"..\""),
            (RT.replace("/rt", "/.."), "routeTables name \"..\""),
            (RT.replace("/rt", "/rt."), "routeTables name \"rt.\""),
            (
                RT.replace(sub, "not-a-guid"),
                "subscription \"not-a-guid\" is not a GUID",
            ),
        ] {
            let e = ResourceId::parse(Kind::RouteTable, &id).unwrap_err().to_string();
            assert!(e.contains(why), "{id}: {e}");
        }
        let bad = format!(
            "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/a.b"
        );
        assert!(ResourceId::parse(Kind::ManagedCluster, &bad).is_err());
    }

    #[test]
    fn from_parts_checks_each_part_and_names_it() {
        let sub = "11111111-1111-1111-1111-111111111111";
        let id = ResourceId::from_parts(Kind::AgentPool, sub, "rg", &["aks", "user"]).unwrap();
        assert_eq!(
            id.path(),
            format!("/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks/agentPools/user")
        );
        for (parts, part) in [
            ((("not-a-guid", "rg"), vec!["rt"]), Part::Subscription),
            (((sub, ".."), vec!["rt"]), Part::ResourceGroup),
            (((sub, "rg."), vec!["rt"]), Part::ResourceGroup),
            (((sub, "rg"), vec![""]), Part::Name(0)),
            (((sub, "rg"), vec!["rt."]), Part::Name(0)),
            (((sub, "rg"), vec!["rt", "x"]), Part::Name(1)),
        ] {
            let ((s, rg), names) = parts;
            let e = ResourceId::from_parts(Kind::RouteTable, s, rg, &names).unwrap_err();
            assert_eq!(e.part, part, "{s} {rg} {names:?}: {e}");
            assert!(
                !e.to_string().contains("not-a-guid") && !e.to_string().contains("rt."),
                "{e}"
            );
        }
    }

    #[test]
    fn segments_are_the_path_unescaped() {
        let id = ResourceId::new(Kind::Route, "s", "rg/../x", &["rt", "r"]);
        assert_eq!(
            id.segments(),
            [
                "subscriptions",
                "s",
                "resourceGroups",
                "rg/../x",
                "providers",
                "Microsoft.Network",
                "routeTables",
                "rt",
                "routes",
                "r"
            ]
        );
        assert_eq!(
            unsafe_segment(".."),
            Some("`.` and `..` would move the request to another path")
        );
        assert!(unsafe_segment("").is_some());
        assert!(unsafe_segment("a\nb").is_some());
        assert!(
            unsafe_segment("rg/../x").is_none(),
            "escaped, a slash stays inside its segment"
        );
    }
}
