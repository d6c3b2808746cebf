//! Typed ARM resource IDs: parsed case-insensitively, shown the way azurerm shows them
//! (`Route Table "rt" (Resource Group "rg")`), rejecting the forms users paste by mistake.

use std::fmt;

/// The kinds of resource aksnet addresses, with their ARM path segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    ResourceGroup,
    VirtualNetwork,
    Subnet,
    RouteTable,
    Route,
    ManagedCluster,
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
        }
    }

    fn namespace(self) -> &'static str {
        match self {
            Kind::ResourceGroup => "",
            Kind::ManagedCluster => "Microsoft.ContainerService",
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

/// A parsed ARM resource ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResourceId {
    pub kind: Kind,
    pub subscription_id: String,
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

    /// The parent of a child resource (a subnet's VNet, a route's table).
    pub fn parent(&self) -> Option<ResourceId> {
        let kind = match self.kind {
            Kind::Subnet => Kind::VirtualNetwork,
            Kind::Route => Kind::RouteTable,
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
        let s = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/n";
        let id = ResourceId::parse(Kind::Subnet, s).unwrap();
        assert_eq!(
            id.to_string(),
            "Subnet \"n\" (Virtual Network \"v\" / Resource Group \"rg\")"
        );
        assert_eq!(
            id.parent().unwrap().path(),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"
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
}
