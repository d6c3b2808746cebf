//! Request paths as ARM resources: parsing, api-versions, canonical ids.

/// What a request path addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    ResourceGroup {
        sub: String,
        rg: String,
    },
    /// A provider resource: `types`/`names` pairs after the namespace (`routeTables/rt/routes/r`).
    Resource {
        sub: String,
        rg: String,
        namespace: String,
        types: Vec<String>,
        names: Vec<String>,
    },
    /// An operation status (`.../locations/{loc}/operations/{id}`) or result (`operationResults`).
    Operation {
        namespace: String,
        id: String,
        result: bool,
    },
}

impl Target {
    /// Parses an ARM path; `None` for anything else.
    pub(crate) fn parse(path: &str) -> Option<Target> {
        let seg: Vec<&str> = path.trim_matches('/').split('/').collect();
        if seg.len() < 2 || !seg[0].eq_ignore_ascii_case("subscriptions") || seg[1].is_empty() {
            return None;
        }
        let sub = seg[1].to_string();
        // /subscriptions/{s}/providers/{ns}/locations/{loc}/operations|operationResults/{id}
        if seg.len() == 8
            && seg[2].eq_ignore_ascii_case("providers")
            && seg[4].eq_ignore_ascii_case("locations")
        {
            let kind = seg[6];
            if kind.eq_ignore_ascii_case("operations") || kind.eq_ignore_ascii_case("operationResults") {
                return Some(Target::Operation {
                    namespace: seg[3].to_string(),
                    id: seg[7].to_string(),
                    result: kind.eq_ignore_ascii_case("operationResults"),
                });
            }
            return None;
        }
        if seg.len() < 4 || !seg[2].eq_ignore_ascii_case("resourceGroups") || seg[3].is_empty() {
            return None;
        }
        let rg = seg[3].to_string();
        if seg.len() == 4 {
            return Some(Target::ResourceGroup { sub, rg });
        }
        if seg.len() < 8 || !seg[4].eq_ignore_ascii_case("providers") || !seg.len().is_multiple_of(2) {
            return None;
        }
        let namespace = seg[5].to_string();
        let rest = &seg[6..];
        let types = rest.iter().step_by(2).map(|s| s.to_string()).collect();
        let names: Vec<String> = rest.iter().skip(1).step_by(2).map(|s| s.to_string()).collect();
        if names.iter().any(|n| n.is_empty()) {
            return None;
        }
        Some(Target::Resource {
            sub,
            rg,
            namespace,
            types,
            names,
        })
    }

    /// The type chain in ARM's notation, e.g. `Microsoft.Network/routeTables/routes`.
    pub(crate) fn type_name(&self) -> String {
        match self {
            Target::ResourceGroup { .. } => "Microsoft.Resources/resourceGroups".into(),
            Target::Resource { namespace, types, .. } => format!("{namespace}/{}", types.join("/")),
            Target::Operation { namespace, .. } => format!("{namespace}/operations"),
        }
    }

    /// Canonical id as the client spelled it (ARM echoes the caller's casing).
    pub(crate) fn id(&self) -> String {
        match self {
            Target::ResourceGroup { sub, rg } => {
                format!("/subscriptions/{sub}/resourceGroups/{rg}")
            }
            Target::Resource {
                sub,
                rg,
                namespace,
                types,
                names,
            } => {
                let mut s = format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{namespace}");
                for (t, n) in types.iter().zip(names) {
                    s.push_str(&format!("/{t}/{n}"));
                }
                s
            }
            Target::Operation { id, .. } => id.clone(),
        }
    }

    /// The parent resource (a route's table, a subnet's VNet); `None` at the top level.
    pub(crate) fn parent(&self) -> Option<Target> {
        match self {
            Target::Resource {
                sub,
                rg,
                namespace,
                types,
                names,
            } if types.len() > 1 => Some(Target::Resource {
                sub: sub.clone(),
                rg: rg.clone(),
                namespace: namespace.clone(),
                types: types[..types.len() - 1].to_vec(),
                names: names[..names.len() - 1].to_vec(),
            }),
            Target::Resource { sub, rg, .. } => Some(Target::ResourceGroup {
                sub: sub.clone(),
                rg: rg.clone(),
            }),
            _ => None,
        }
    }

    /// The resource's own name.
    pub(crate) fn name(&self) -> String {
        match self {
            Target::ResourceGroup { rg, .. } => rg.clone(),
            Target::Resource { names, .. } => names.last().cloned().unwrap_or_default(),
            Target::Operation { id, .. } => id.clone(),
        }
    }

    /// The namespace that answers for this target.
    pub(crate) fn namespace(&self) -> &str {
        match self {
            Target::ResourceGroup { .. } => "Microsoft.Resources",
            Target::Resource { namespace, .. } | Target::Operation { namespace, .. } => namespace,
        }
    }
}

/// The api-version served per namespace (the versions of the Azure REST API specs the
/// recorded traffic is checked against, vendored in `conformance/specification`).
pub fn api_version_for(namespace: &str) -> Option<&'static str> {
    match namespace.to_ascii_lowercase().as_str() {
        "microsoft.resources" => Some("2023-07-01"),
        "microsoft.network" => Some("2025-01-01"),
        "microsoft.containerservice" => Some("2025-10-01"),
        _ => None,
    }
}

/// Lower-cased key for the store: ARM ids are case-insensitive.
pub(crate) fn key(id: &str) -> String {
    id.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_arm_paths() {
        let t = Target::parse(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt/routes/r",
        )
        .unwrap();
        assert_eq!(t.type_name(), "Microsoft.Network/routeTables/routes");
        assert_eq!(t.name(), "r");
        assert_eq!(
            t.parent().unwrap().id(),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt"
        );
        assert_eq!(
            Target::parse("/subscriptions/s/resourceGroups/rg"),
            Some(Target::ResourceGroup {
                sub: "s".into(),
                rg: "rg".into()
            })
        );
        let op =
            Target::parse("/subscriptions/s/providers/Microsoft.Network/locations/westeurope/operations/abc")
                .unwrap();
        assert!(matches!(op, Target::Operation { result: false, .. }));
        assert!(
            Target::parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables")
                .is_none()
        );
        assert!(Target::parse("/nope").is_none());
    }
}
