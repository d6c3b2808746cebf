//! Rules on a cluster's configuration beyond its network profile: names, read-only and
//! enumerated attributes, identity, node-pool counts and autoscaler bounds, zones, and the
//! outbound profiles (I, C3, O1–O3, O5, O6). [`super::rules`] checks the network profile
//! itself; resources and `network_profile_errors` run both.

use super::{FieldPath, Finding, RuleId};

/// A value as Terraform hands it over: unset, known only after apply, or set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Input<T> {
    /// Not in the configuration: Azure's default applies.
    #[default]
    Unset,
    /// Known only after apply: rules that need it wait for the apply-time plan.
    Unknown,
    /// A value.
    Set(T),
}

impl<T> Input<T> {
    /// The value when set.
    pub(crate) fn set(&self) -> Option<&T> {
        match self {
            Input::Set(v) => Some(v),
            _ => None,
        }
    }
    /// True when not in the configuration.
    fn is_unset(&self) -> bool {
        matches!(self, Input::Unset)
    }
}

/// The parts of a cluster configuration these rules read.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClusterSpec {
    /// Computed attributes that the configuration sets (I1).
    pub read_only_set: Vec<&'static str>,
    /// `(single, list)` attribute pairs that are both set, e.g. `("pod_cidr", "pod_cidrs")` (E14).
    pub single_and_list: Vec<(&'static str, &'static str)>,
    pub name: Option<String>,
    pub resource_group_name: Option<String>,
    pub dns_prefix: Option<String>,
    pub location: Option<String>,
    pub sku_tier: Option<String>,
    pub network_plugin: Option<String>,
    pub identity: Input<IdentitySpec>,
    /// Every pool, the default (system) pool first.
    pub pools: Vec<PoolSpec>,
    /// The default pool is known only after apply.
    pub pools_unknown: bool,
    pub outbound_type: Input<String>,
    /// `bootstrap_artifact_source` (`Direct` | `Cache`); `Unset` is AKS's default `Direct`
    /// for a new cluster. Resources pass `Unknown` when the prior state decides (an existing
    /// cluster keeps its source) and check [`o4_outbound_none`] at plan.
    pub bootstrap_artifact_source: Input<String>,
    pub load_balancer_profile: Option<LoadBalancerSpec>,
    pub nat_gateway_profile: Option<NatGatewaySpec>,
}

/// The `identity` block.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdentitySpec {
    pub kind: Option<String>,
    pub ids: Input<Vec<String>>,
}

/// A node pool's countable and placement attributes.
#[derive(Debug, Clone, Default)]
pub(crate) struct PoolSpec {
    /// Path of the pool's block, e.g. `node_pool[1]`.
    pub path: FieldPath,
    pub vm_size: Option<String>,
    pub node_count: Option<i64>,
    /// `node_count` is known only after apply.
    pub node_count_unknown: bool,
    pub min_count: Input<i64>,
    pub max_count: Input<i64>,
    pub max_pods: Option<i64>,
    pub auto_scaling: Input<bool>,
    /// The pool names a node subnet (set or known after apply): a custom VNet.
    pub has_node_subnet: bool,
    /// `(attribute, why)` for subnet IDs that are not subnet IDs (I3); the ARM layer parses.
    pub bad_subnet_ids: Vec<(&'static str, String)>,
    pub zones: Option<Vec<String>>,
}

/// The `load_balancer_profile` block.
#[derive(Debug, Clone, Default)]
pub(crate) struct LoadBalancerSpec {
    pub managed_outbound_ip_count: Option<i64>,
    pub managed_outbound_ipv6_count: Option<i64>,
    pub outbound_ip_address_ids_set: bool,
    pub outbound_ip_prefix_ids_set: bool,
    pub outbound_ports_allocated: Option<i64>,
    pub idle_timeout_in_minutes: Option<i64>,
}

/// The `nat_gateway_profile` block.
#[derive(Debug, Clone, Default)]
pub(crate) struct NatGatewaySpec {
    pub managed_outbound_ip_count: Option<i64>,
    pub idle_timeout_in_minutes: Option<i64>,
}

type Out = Vec<Finding>;

/// Every rule of this module, in rule order within each group.
pub(crate) fn validate_cluster(c: &ClusterSpec) -> Vec<Finding> {
    let mut out = Vec::new();
    inputs(c, &mut out);
    identity(c, &mut out);
    for pool in &c.pools {
        pool_rules(pool, &mut out);
    }
    outbound(c, &mut out);
    if let Some(source) = c.bootstrap_artifact_source.set() {
        one_of(
            &mut out,
            FieldPath::attr("bootstrap_artifact_source"),
            Some(source),
            &["Direct", "Cache"],
        );
    }
    let source = match &c.bootstrap_artifact_source {
        Input::Unset => Some("Direct"),
        Input::Unknown => None,
        Input::Set(s) => Some(s.as_str()),
    };
    out.extend(o4_outbound_none(
        effective_outbound(c),
        source,
        c.bootstrap_artifact_source.set().is_some(),
    ));
    o6_kubenet_identity(c, &mut out);
    out
}

/// O4: `outbound_type = "none"` only on a network isolated cluster, whose bootstrap artifact
/// source is `Cache`. Learn, egress-outboundtype ("Outbound type: none"): "The `none`
/// outbound type is only available with Network Isolated Cluster"; network-isolated: "The
/// `--bootstrap-artifact-source` can be set to either `Direct` or `Cache` corresponding to
/// using direct MAR (NOT network isolated) and private ACR (network isolated)", and for an
/// existing cluster: "first run the following command to update `bootstrap-artifact-source`
/// […] Wait and ensure the reimage completes, then run the following command to update
/// `outbound-type`". `outbound` and `source` are `None` when unknown until apply (no
/// verdict); `source_set` says whether the configuration names the source (the diagnostic
/// points there).
pub(crate) fn o4_outbound_none(
    outbound: Option<&str>,
    source: Option<&str>,
    source_set: bool,
) -> Option<Finding> {
    if outbound? != "none" {
        return None;
    }
    let source = source?;
    if source.eq_ignore_ascii_case("Cache") {
        return None;
    }
    let path = if source_set {
        FieldPath::attr("bootstrap_artifact_source")
    } else {
        FieldPath::attr("outbound_type")
    };
    Some(Finding::error(
        RuleId::O4,
        path,
        "Outbound Type None Needs A Network Isolated Cluster",
        format!("outbound_type = \"none\" is only available on a network isolated cluster, and the bootstrap artifact source is {source}. Set bootstrap_artifact_source = \"Cache\" (nodes then pull AKS's images through a private registry). On an existing cluster, set it in its own apply, reimage the node pools, and set outbound_type = \"none\" in a later apply."),
    ))
}

pub(crate) use super::names::{valid_cluster_name, valid_dns_prefix, valid_resource_group};

fn is_identity_id(id: &str) -> bool {
    let parts: Vec<&str> = id.trim_start_matches('/').split('/').collect();
    parts.len() == 8
        && parts[0].eq_ignore_ascii_case("subscriptions")
        && parts[2].eq_ignore_ascii_case("resourceGroups")
        && parts[4].eq_ignore_ascii_case("providers")
        && parts[5].eq_ignore_ascii_case("Microsoft.ManagedIdentity")
        && parts[6].eq_ignore_ascii_case("userAssignedIdentities")
        && parts.iter().all(|p| !p.is_empty())
        && super::names::valid_subscription_id(parts[1])
        && valid_resource_group(parts[3])
        && !matches!(parts[7], "." | "..")
}

/// Reports a known value outside `lo..=hi`.
fn in_range(out: &mut Out, rule: RuleId, path: FieldPath, v: Option<i64>, lo: i64, hi: i64, what: &str) {
    if let Some(n) = v.filter(|n| !(lo..=hi).contains(n)) {
        out.push(Finding::error(
            rule,
            path,
            "Value Out Of Range",
            format!("{what} is {n}; it must be between {lo} and {hi}."),
        ));
    }
}

/// I6: reports a value that is not one of `allowed`.
fn one_of(out: &mut Out, path: FieldPath, v: Option<&str>, allowed: &[&str]) {
    if let Some(x) = v.filter(|x| !allowed.contains(x)) {
        let list = allowed
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(Finding::error(
            RuleId::I6,
            path.clone(),
            "Unsupported Value",
            format!("{path} is \"{x}\"; possible values are {list}."),
        ));
    }
}

/// I1, E14 (single and list forms), I2, I4, I6 (sku_tier). The Kubernetes version's form
/// (I5) is checked once, by the profile rules every path runs.
fn inputs(c: &ClusterSpec, out: &mut Out) {
    for attr in &c.read_only_set {
        out.push(Finding::error(
            RuleId::I1,
            FieldPath::attr(attr),
            "Read-Only Attribute",
            format!("{attr} is computed by Azure; remove it from the configuration."),
        ));
    }
    for (one, many) in &c.single_and_list {
        out.push(Finding::error(
            RuleId::E14,
            FieldPath::attr(many),
            "Conflicting Attributes",
            format!("{one} differs from the first of {many}: set either {one} (single stack) or {many} (one per IP family), or both with {one} first in {many}."),
        ));
    }
    one_of(
        out,
        FieldPath::attr("sku_tier"),
        c.sku_tier.as_deref(),
        &["Free", "Standard", "Premium"],
    );
    if let Some(name) = c.name.as_deref().filter(|n| !valid_cluster_name(n)) {
        out.push(Finding::error(RuleId::I2, FieldPath::attr("name"), "Invalid Cluster Name", format!("name \"{name}\" must be 1–63 characters of letters, digits, `-` and `_`, starting and ending with a letter or digit.")));
    }
    if let Some(rg) = c
        .resource_group_name
        .as_deref()
        .filter(|n| !valid_resource_group(n))
    {
        out.push(Finding::error(RuleId::I2, FieldPath::attr("resource_group_name"), "Invalid Resource Group Name", format!("resource_group_name \"{rg}\" must be 1–90 characters of letters, digits, `_`, `(`, `)`, `-` or `.`, and must not end with `.`.")));
    }
    if let Some(prefix) = c.dns_prefix.as_deref().filter(|n| !valid_dns_prefix(n)) {
        out.push(Finding::error(RuleId::I2, FieldPath::attr("dns_prefix"), "Invalid DNS Prefix", format!("dns_prefix \"{prefix}\" must be 1–54 characters of letters, digits and `-`, starting and ending with a letter or digit.")));
    }
    if c.location.as_deref().is_some_and(|l| l.trim().is_empty()) {
        out.push(Finding::error(
            RuleId::I4,
            FieldPath::attr("location"),
            "Empty Location",
            "location must name an Azure region, e.g. \"westeurope\".",
        ));
    }
}

/// I6 (type), I3 (identity IDs), I7 (how many IDs the type takes).
fn identity(c: &ClusterSpec, out: &mut Out) {
    let Some(id) = c.identity.set() else { return };
    let path = FieldPath::attr("identity").index(0);
    one_of(
        out,
        path.clone().then("type"),
        id.kind.as_deref(),
        &["SystemAssigned", "UserAssigned"],
    );
    let Some(ids) = id
        .ids
        .set()
        .map(Vec::as_slice)
        .or(id.ids.is_unset().then_some(&[][..]))
    else {
        return;
    };
    for (i, uid) in ids.iter().enumerate() {
        if !is_identity_id(uid) {
            out.push(Finding::error(RuleId::I3, path.clone().then("identity_ids").index(i), "Invalid Identity ID", format!("\"{uid}\" is not a user-assigned identity ID (/subscriptions/…/resourceGroups/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/NAME).")));
        }
    }
    match (id.kind.as_deref(), ids.len()) {
        (Some("UserAssigned"), n) if n != 1 => out.push(Finding::error(
            RuleId::I7,
            path.then("identity_ids"),
            "One Identity Required",
            format!("type = \"UserAssigned\" needs exactly one identity in identity_ids; {n} given."),
        )),
        (Some("SystemAssigned"), n) if n > 0 => out.push(Finding::error(
            RuleId::I7,
            path.then("identity_ids"),
            "Identity IDs Not Allowed",
            "identity_ids are only used with type = \"UserAssigned\"; remove them or change the type.",
        )),
        _ => {}
    }
}

/// C3 (counts, autoscaler bounds), I3 (subnet IDs), I6 (zones). Pool names (W1) and an
/// empty system pool (C3) are [`super::rules`]'.
fn pool_rules(p: &PoolSpec, out: &mut Out) {
    let at = |attr: &'static str| p.path.clone().then(attr);
    // Upper limits (1,000 per pool) are C3 in [`super::rules`]: one finding per input.
    for (attr, v) in [
        ("node_count", p.node_count),
        ("min_count", p.min_count.set().copied()),
        ("max_count", p.max_count.set().copied()),
        ("max_pods", p.max_pods),
    ] {
        if let Some(n) = v.filter(|n| *n < 0) {
            out.push(Finding::error(
                RuleId::C3,
                at(attr),
                "Value Out Of Range",
                format!("{attr} is {n}; it cannot be negative."),
            ));
        }
    }
    let bounds = [("min_count", &p.min_count), ("max_count", &p.max_count)];
    match p.auto_scaling {
        // Neither a count nor bounds is one finding, C3 "Node Count Required" in
        // [`super::rules`], whose fix names both ways.
        Input::Set(true)
            if p.node_count.is_none()
                && !p.node_count_unknown
                && bounds.iter().all(|(_, v)| v.is_unset()) => {}
        Input::Set(true) => {
            for (attr, _) in bounds.iter().filter(|(_, v)| v.is_unset()) {
                out.push(Finding::error(
                    RuleId::C3,
                    at(attr),
                    "Autoscaler Bounds Required",
                    format!("auto_scaling_enabled = true needs min_count and max_count; {attr} is missing."),
                ));
            }
        }
        Input::Unknown => {}
        Input::Set(false) | Input::Unset => {
            for (attr, _) in bounds.iter().filter(|(_, v)| v.set().is_some()) {
                out.push(Finding::error(RuleId::C3, at(attr), "Autoscaler Disabled", format!("{attr} only applies with auto_scaling_enabled = true; enable autoscaling or remove {attr}.")));
            }
        }
    }
    if p.vm_size.as_deref().is_some_and(|v| v.trim().is_empty()) {
        out.push(Finding::error(
            RuleId::I6,
            at("vm_size"),
            "Empty VM Size",
            "vm_size is empty; name a VM size such as \"Standard_D4s_v5\".",
        ));
    }
    for (attr, why) in &p.bad_subnet_ids {
        out.push(Finding::error(
            RuleId::I3,
            at(attr),
            "Invalid Subnet ID",
            format!("{attr}: {why}"),
        ));
    }
    for (i, z) in p.zones.iter().flatten().enumerate() {
        if !["1", "2", "3"].contains(&z.as_str()) {
            out.push(Finding::error(
                RuleId::I6,
                at("zones").index(i),
                "Unsupported Value",
                format!("zone \"{z}\" is not an availability zone; use \"1\", \"2\" or \"3\"."),
            ));
        }
    }
}

/// The outbound type in effect: unset is AKS's default, loadBalancer; `None` when unknown.
fn effective_outbound(c: &ClusterSpec) -> Option<&str> {
    match &c.outbound_type {
        Input::Unset => Some("loadBalancer"),
        Input::Unknown => None,
        Input::Set(o) => Some(o),
    }
}

fn byo_vnet(c: &ClusterSpec) -> bool {
    c.pools.iter().any(|p| p.has_node_subnet)
}

/// O5 (load balancer profile), O2 (NAT gateway profile, managed VNet), O1 and O3 (custom VNet).
fn outbound(c: &ClusterSpec, out: &mut Out) {
    let outbound = effective_outbound(c);
    if let Some(lb) = &c.load_balancer_profile {
        let path = FieldPath::attr("load_balancer_profile").index(0);
        if let Some(o) = outbound.filter(|o| *o != "loadBalancer") {
            out.push(Finding::error(RuleId::O5, path.clone(), "Load Balancer Profile Not Used", format!("load_balancer_profile only applies with outbound_type = \"loadBalancer\"; outbound_type is \"{o}\".")));
        }
        for (attr, v, lo, hi) in [
            ("managed_outbound_ip_count", lb.managed_outbound_ip_count, 1, 100),
            (
                "managed_outbound_ipv6_count",
                lb.managed_outbound_ipv6_count,
                1,
                100,
            ),
            ("outbound_ports_allocated", lb.outbound_ports_allocated, 0, 64000),
            ("idle_timeout_in_minutes", lb.idle_timeout_in_minutes, 4, 120),
        ] {
            in_range(out, RuleId::O5, path.clone().then(attr), v, lo, hi, attr);
        }
        if let Some(p) = lb.outbound_ports_allocated.filter(|p| p % 8 != 0) {
            out.push(Finding::error(
                RuleId::O5,
                path.clone().then("outbound_ports_allocated"),
                "Ports Must Be A Multiple Of 8",
                format!(
                    "outbound_ports_allocated is {p}; use a multiple of 8 such as {}.",
                    p - p % 8
                ),
            ));
        }
        let set: Vec<&str> = [
            (
                "managed_outbound_ip_count",
                lb.managed_outbound_ip_count.is_some(),
            ),
            ("outbound_ip_address_ids", lb.outbound_ip_address_ids_set),
            ("outbound_ip_prefix_ids", lb.outbound_ip_prefix_ids_set),
        ]
        .iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| *n)
        .collect();
        if set.len() > 1 {
            out.push(Finding::error(
                RuleId::O5,
                path.then(set[1]),
                "Conflicting Outbound IP Sources",
                format!(
                    "{} are mutually exclusive; choose one source of egress IPs.",
                    set.join(" and ")
                ),
            ));
        }
    }
    if let Some(nat) = &c.nat_gateway_profile {
        let path = FieldPath::attr("nat_gateway_profile").index(0);
        if let Some(o) = outbound.filter(|o| *o != "managedNATGateway") {
            out.push(Finding::error(RuleId::O2, path.clone(), "NAT Gateway Profile Not Used", format!("nat_gateway_profile only applies with outbound_type = \"managedNATGateway\"; outbound_type is \"{o}\".")));
        }
        in_range(
            out,
            RuleId::O2,
            path.clone().then("managed_outbound_ip_count"),
            nat.managed_outbound_ip_count,
            1,
            16,
            "managed_outbound_ip_count",
        );
        in_range(
            out,
            RuleId::O2,
            path.then("idle_timeout_in_minutes"),
            nat.idle_timeout_in_minutes,
            4,
            120,
            "idle_timeout_in_minutes",
        );
    }
    let byo = byo_vnet(c);
    match outbound {
        Some("managedNATGateway") if byo => out.push(Finding::error(RuleId::O2, FieldPath::attr("outbound_type"), "Managed NAT Gateway Needs A Managed VNet", "managedNATGateway only works in the VNet AKS creates; with vnet_subnet_id use userAssignedNATGateway and associate your NAT gateway with the subnet.")),
        Some(o @ ("userAssignedNATGateway" | "userDefinedRouting")) if !byo && !c.pools_unknown => out.push(Finding::error(if o == "userDefinedRouting" { RuleId::O1 } else { RuleId::O3 }, FieldPath::attr("outbound_type"), "Custom VNet Required", format!("{o} needs your own subnet (default_node_pool.vnet_subnet_id) with the route table or NAT gateway associated."))),
        _ => {}
    }
}

/// O6: kubenet in a custom VNet writes routes into the subnet's route table, which a
/// system-assigned identity cannot be granted rights on before the cluster exists. AKS
/// creates the cluster (configure-kubenet: the CLI grants the role after create; azurerm's
/// examples/kubernetes/public-ip does the same through Terraform), so without the subnet's
/// live facts this is a warning; a route table already on the subnet is refused
/// (Azure/AKS#2333), which [`super::live::o6_route_table`] reports at plan.
fn o6_kubenet_identity(c: &ClusterSpec, out: &mut Out) {
    let system_identity = match &c.identity {
        Input::Unknown => return,
        Input::Unset => true,
        Input::Set(i) => i.kind.as_deref() == Some("SystemAssigned"),
    };
    if c.network_plugin.as_deref() == Some("kubenet") && byo_vnet(c) && system_identity {
        let path = if c.identity.set().is_some() {
            FieldPath::attr("identity").index(0).then("type")
        } else {
            FieldPath::attr("network_plugin")
        };
        out.push(Finding::warning(RuleId::O6, path, "Kubenet In A Custom VNet With A System-Assigned Identity", "kubenet with vnet_subnet_id writes routes to the subnet's route table, and a system-assigned identity exists only once the cluster does: grant it Network Contributor on the subnet right after create, or use identity { type = \"UserAssigned\" identity_ids = [...] } with the role granted before create. AKS refuses a system-assigned identity when the subnet already has a route table."));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(outbound: Input<String>, source: Input<String>) -> ClusterSpec {
        ClusterSpec {
            outbound_type: outbound,
            bootstrap_artifact_source: source,
            pools: vec![PoolSpec {
                node_count: Some(3),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn o4(c: &ClusterSpec) -> Vec<Finding> {
        validate_cluster(c)
            .into_iter()
            .filter(|f| f.rule == RuleId::O4)
            .collect()
    }

    #[test]
    fn outbound_none_needs_a_network_isolated_cluster() {
        let none = || Input::Set("none".to_string());
        // AKS's default source is Direct: refused, at outbound_type.
        let f = o4(&spec(none(), Input::Unset));
        assert_eq!(f.len(), 1);
        assert!(f[0].is_error());
        assert_eq!(f[0].path, FieldPath::attr("outbound_type"));
        assert!(
            f[0].detail.contains("bootstrap_artifact_source = \"Cache\""),
            "{}",
            f[0].detail
        );
        // Direct written: at the source.
        let f = o4(&spec(none(), Input::Set("Direct".into())));
        assert_eq!(f[0].path, FieldPath::attr("bootstrap_artifact_source"));
        // Cache: fine. Unknown source or outbound type: no verdict yet.
        assert!(o4(&spec(none(), Input::Set("Cache".into()))).is_empty());
        assert!(o4(&spec(none(), Input::Unknown)).is_empty());
        assert!(o4(&spec(Input::Unknown, Input::Unset)).is_empty());
        // Other outbound types do not need it; Cache with them is allowed.
        assert!(o4(&spec(Input::Unset, Input::Unset)).is_empty());
        assert!(o4(&spec(
            Input::Set("loadBalancer".into()),
            Input::Set("Cache".into())
        ))
        .is_empty());
    }

    #[test]
    fn the_artifact_source_is_direct_or_cache() {
        let bad = validate_cluster(&spec(Input::Unset, Input::Set("Mirror".into())));
        assert!(
            bad.iter().any(|f| f.rule == RuleId::I6
                && f.path == FieldPath::attr("bootstrap_artifact_source")
                && f.detail.contains("`Direct`, `Cache`")),
            "{bad:?}"
        );
    }
}
