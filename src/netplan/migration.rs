//! Classifies a change to an existing cluster's network per the AKS in-place update matrix
//! (aks-network-rules.md §2): in place (with a warning when nodes reimage or egress IPs
//! change), replacement, or rejected with the path that works.

use ipnet::IpNet;

use super::{FieldPath, Finding, RuleId};

/// A cluster's effective network settings. `None` means unknown until apply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ClusterNetwork {
    /// `azure` | `kubenet` | `none`.
    pub plugin: Option<String>,
    /// `overlay` or empty.
    pub plugin_mode: Option<String>,
    /// `none` | `azure` | `calico` | `cilium` (empty is read as `none`).
    pub policy: Option<String>,
    /// `azure` | `cilium` (empty is read as `azure`).
    pub dataplane: Option<String>,
    pub pod_cidrs: Option<Vec<String>>,
    pub service_cidrs: Option<Vec<String>>,
    pub dns_service_ip: Option<String>,
    pub ip_families: Option<Vec<String>>,
    pub outbound_type: Option<String>,
    pub load_balancer_sku: Option<String>,
    /// The outbound IP settings (managed counts, IP and prefix IDs) as one comparable value.
    pub egress_ips: Option<String>,
    pub kubernetes_version: Option<String>,
    /// The node pools use a subnet the user brought (custom VNet).
    pub byo_vnet: bool,
    /// Some pool has a pod subnet (dynamic or static block allocation).
    pub pod_subnet: bool,
    /// Some pool runs Windows.
    pub windows: bool,
    /// The cluster runs as a user-assigned managed identity (`None`: unknown until apply).
    pub user_assigned_identity: Option<bool>,
}

/// What a change needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Classification {
    /// Attributes whose change forces a new cluster, with the reason.
    pub replace: Vec<(FieldPath, String)>,
    /// Errors for impossible steps and warnings for disruptive in-place ones.
    pub findings: Vec<Finding>,
    /// The IPAM migration must be its own request, before the other changes (AKS refuses
    /// IPAM and dataplane, or IPAM and a policy install, in one operation).
    pub ipam_first: bool,
}

/// The IPAM mode a cluster is in, as the update matrix distinguishes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ipam {
    Kubenet,
    NodeSubnet,
    PodSubnet,
    Overlay,
    Byo,
    Other,
}

fn ipam(n: &ClusterNetwork) -> Option<Ipam> {
    Some(match (n.plugin.as_deref()?, n.plugin_mode.as_deref()?) {
        ("kubenet", _) => Ipam::Kubenet,
        ("azure", "overlay") => Ipam::Overlay,
        ("azure", _) if n.pod_subnet => Ipam::PodSubnet,
        ("azure", _) => Ipam::NodeSubnet,
        ("none", _) => Ipam::Byo,
        _ => Ipam::Other,
    })
}

fn norm_policy(p: &str) -> &str {
    if p.is_empty() {
        "none"
    } else {
        p
    }
}

fn norm_dataplane(d: &str) -> &str {
    if d.is_empty() {
        "azure"
    } else {
        d
    }
}

/// `new` differs from `old`; an unknown new value counts as a change.
fn changed<T: PartialEq>(old: &Option<T>, new: &Option<T>) -> bool {
    new.is_none() || old != new
}

fn minor(version: Option<&str>) -> Option<(u32, u32)> {
    let mut parts = version?.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// True when every range of `old` lies inside the single IPv4 range `new`.
fn is_superset(old: &[String], new: &[String]) -> bool {
    let (Ok(IpNet::V4(o)), [n]) = (old.first().map_or(Err(()), |o| o.parse().map_err(|_| ())), new) else {
        return false;
    };
    old.len() == 1
        && n.parse::<IpNet>()
            .is_ok_and(|n| matches!(n, IpNet::V4(n) if n.contains(&o)))
}

const REIMAGE: &str = "AKS reimages every node pool at once during this update; plan a maintenance window.";

/// Classifies the change from `old` (the cluster as it is) to `new` (as planned).
pub(crate) fn classify(old: &ClusterNetwork, new: &ClusterNetwork) -> Classification {
    let mut c = Classification::default();
    let mut replace = |attr: &'static str, why: String| c.replace.push((FieldPath::attr(attr), why));
    let (oi, ni) = (ipam(old), ipam(new));
    let ipam_changed = changed(&oi, &ni);
    let mut findings = Vec::new();
    if ipam_changed {
        match (oi, ni) {
            (Some(from @ (Ipam::Kubenet | Ipam::NodeSubnet)), Some(Ipam::Overlay)) => {
                findings.extend(overlay_prerequisites(from, old, new));
                if from == Ipam::NodeSubnet && new.pod_cidrs.as_ref().is_some_and(Vec::is_empty) {
                    findings.push(Finding::error(
                        RuleId::M2,
                        FieldPath::attr("pod_cidr"),
                        "Pod CIDR Required For Overlay Migration",
                        "Azure CNI → Azure CNI Overlay needs a pod CIDR that overlaps neither the VNet nor the service CIDR; set pod_cidr, for example \"10.244.0.0/16\".",
                    ));
                }
                findings.push(if from == Ipam::Kubenet {
                    Finding::warning(
                        RuleId::M1,
                        FieldPath::attr("network_plugin"),
                        "In-Place Migration: Kubenet To Azure CNI Overlay",
                        format!("{REIMAGE} AKS deletes its aks-* routes from the route table (and a route table it created), and the migration is one-way."),
                    )
                } else {
                    Finding::warning(
                        RuleId::M2,
                        FieldPath::attr("network_plugin_mode"),
                        "In-Place Migration: Azure CNI To Azure CNI Overlay",
                        format!("{REIMAGE} Pods move from VNet addresses to the overlay pod CIDR; the migration is one-way."),
                    )
                });
            }
            (Some(Ipam::PodSubnet), Some(Ipam::Overlay)) => replace(
                "network_plugin_mode",
                "clusters with a pod subnet (dynamic or static block allocation) cannot migrate to Azure CNI Overlay".into(),
            ),
            (_, None) => replace("network_plugin", "the network plugin is unknown until apply".into()),
            (Some(o), Some(n)) => replace(
                if old.plugin != new.plugin { "network_plugin" } else { "network_plugin_mode" },
                format!("AKS cannot migrate {} to {} in place; only kubenet and Azure CNI (node subnet) can move, one-way, to Azure CNI Overlay", describe(o), describe(n)),
            ),
            (None, _) => {}
        }
    }
    let od = old.dataplane.as_deref().map(norm_dataplane);
    let nd = new.dataplane.as_deref().map(norm_dataplane);
    let dataplane_changed = changed(&od, &nd);
    if dataplane_changed {
        match (od, nd) {
            (Some("azure"), Some("cilium")) if ni != Some(Ipam::Kubenet) && !new.windows => {
                findings.push(Finding::warning(
                    RuleId::M3,
                    FieldPath::attr("network_data_plane"),
                    "In-Place Update: Cilium Dataplane",
                    format!("{REIMAGE} Azure NPM or Calico is removed and Cilium enforces network policies."),
                ));
            }
            (o, n) => replace(
                "network_data_plane",
                format!("AKS cannot change the dataplane from {} to {} in place (only azure → cilium, on Azure CNI without Windows pools)", o.unwrap_or("?"), n.unwrap_or("(known after apply)")),
            ),
        }
    }
    let op = old.policy.as_deref().map(norm_policy);
    let np = new.policy.as_deref().map(norm_policy);
    if changed(&op, &np) {
        findings.extend(npm_needs_1_30(op, np, old));
        match (op, np) {
            (Some("none"), Some(p @ ("azure" | "calico"))) => findings.push(Finding::warning(
                RuleId::M4,
                FieldPath::attr("network_policy"),
                "In-Place Update: Network Policy Install",
                format!("{REIMAGE} AKS installs {p} network policy."),
            )),
            (Some(p @ ("azure" | "calico")), Some("none")) => findings.push(Finding::warning(
                RuleId::M4,
                FieldPath::attr("network_policy"),
                "In-Place Update: Network Policy Uninstall",
                format!("AKS uninstalls {p}; its CRDs and your NetworkPolicy objects stay in the cluster and stop being enforced."),
            )),
            (Some(a @ ("azure" | "calico")), Some(b @ ("azure" | "calico"))) => findings.push(Finding::error(
                RuleId::M5,
                FieldPath::attr("network_policy"),
                "Network Policy Cannot Switch Directly",
                format!("AKS rejects {a} → {b} in one step. Set network_policy = \"none\" and apply, then set network_policy = \"{b}\" and apply again."),
            )),
            // Together with the dataplane change, whose warning covers the reimage.
            (Some(_), Some("cilium")) if nd == Some("cilium") => {}
            (o, n) => replace(
                "network_policy",
                format!("AKS cannot change the network policy from {} to {} in place", o.unwrap_or("?"), n.unwrap_or("(known after apply)")),
            ),
        }
    }
    // `none`: AKS neither stores nor uses the pod CIDR at 2025-10-01 (AKS changelog 2026-01-04;
    // Azure/AKS#5399) and BYO CNI pod CIDRs may change (changelog 2023-07-02): in place.
    if !ipam_changed && ni != Some(Ipam::Byo) && changed(&old.pod_cidrs, &new.pod_cidrs) {
        let grows = ni == Some(Ipam::Overlay)
            && !new.windows
            && matches!((&old.pod_cidrs, &new.pod_cidrs), (Some(o), Some(n)) if is_superset(o, n));
        if !grows {
            replace(
                "pod_cidr",
                "AKS can only grow an overlay cluster's single IPv4 pod CIDR to a superset (Linux pools only); any other pod CIDR change needs a new cluster".into(),
            );
            replace("pod_cidrs", "see pod_cidr".into());
        }
    }
    let sku = |n: &ClusterNetwork| n.load_balancer_sku.as_deref().map(str::to_ascii_lowercase);
    let (os, ns) = (sku(old), sku(new));
    if changed(&os, &ns) {
        match (os.as_deref(), ns.as_deref()) {
            // A-blb: `az aks update --load-balancer-sku standard`, in place and one-way, from
            // Kubernetes 1.27 ("The minimum Kubernetes version for this script is 1.27").
            (Some("basic"), Some("standard")) => {
                if let Some(v) = minor(old.kubernetes_version.as_deref()).filter(|v| *v < (1, 27)) {
                    findings.push(Finding::error(
                        RuleId::M7,
                        FieldPath::attr("load_balancer_sku"),
                        "Load Balancer Upgrade Needs Kubernetes 1.27",
                        format!("AKS upgrades a Basic load balancer to Standard on Kubernetes 1.27 or newer; the cluster runs {}.{}. Upgrade kubernetes_version first and apply, then change load_balancer_sku.", v.0, v.1),
                    ));
                }
                findings.push(Finding::warning(
                    RuleId::M7,
                    FieldPath::attr("load_balancer_sku"),
                    "In-Place Update: Basic To Standard Load Balancer",
                    "AKS migrates the Basic load balancer to Standard in place: downtime occurs during the migration, and it cannot be rolled back. New public IPs serve the cluster's egress, so its outbound IPs change; update allow lists that name the old ones. Disable validating and mutating admission webhooks, and Key Management Service with a private key vault, before applying; internal Basic load balancers are not migrated in place.",
                ));
            }
            (Some("standard"), Some("basic")) => findings.push(Finding::error(
                RuleId::M7,
                FieldPath::attr("load_balancer_sku"),
                "Load Balancer SKU Cannot Go Back To Basic",
                "AKS upgrades Basic to Standard one-way and refuses Basic for new clusters, so load_balancer_sku cannot change from standard to basic; keep `standard`.",
            )),
            _ => replace(
                "load_balancer_sku",
                "AKS changes load_balancer_sku in place only from basic to standard".into(),
            ),
        }
    }
    for (attr, fixed) in [
        ("service_cidr", changed(&old.service_cidrs, &new.service_cidrs)),
        (
            "dns_service_ip",
            changed(&old.dns_service_ip, &new.dns_service_ip),
        ),
        ("ip_families", changed(&old.ip_families, &new.ip_families)),
    ] {
        if fixed {
            replace(attr, format!("AKS fixes {attr} when the cluster is created"));
            if attr == "service_cidr" {
                replace("service_cidrs", "see service_cidr".into());
            }
        }
    }
    if changed(&old.outbound_type, &new.outbound_type) {
        let (o, n) = (
            old.outbound_type.as_deref().unwrap_or(""),
            new.outbound_type.as_deref(),
        );
        match n {
            Some(n) if outbound_migrates(o, n, new.byo_vnet) => findings.push(Finding::warning(
                RuleId::M6,
                FieldPath::attr("outbound_type"),
                "In-Place Update: Outbound Type",
                format!("The cluster's egress changes from {o} to {n}: its outbound IPs change. Update API server authorized IP ranges and firewall allow lists that name the old IPs."),
            )),
            _ => replace(
                "outbound_type",
                format!("AKS cannot change the outbound type from {o} to {} in place ({})", n.unwrap_or("(known after apply)"), if new.byo_vnet { "custom VNet: loadBalancer, userAssignedNATGateway, userDefinedRouting and none migrate among each other" } else { "managed VNet: loadBalancer → managedNATGateway or none, managedNATGateway → none, none → any" }),
            ),
        }
    } else if new.egress_ips.is_some() && old.egress_ips != new.egress_ips {
        findings.push(Finding::warning(
            RuleId::M6,
            FieldPath::attr("outbound_type"),
            "In-Place Update: Outbound IPs",
            "The cluster's outbound IP settings change, so its egress IPs change. Update allow lists that name the old IPs.",
        ));
    }
    c.ipam_first = ipam_changed
        && c.replace.is_empty()
        && (dataplane_changed || changed(&op, &np) || changed(&old.outbound_type, &new.outbound_type));
    c.findings = findings;
    c
}

/// The version the cluster runs while the change is made: its current one (AKS checks the
/// cluster as it is; a version change in the same apply is written with the migration, or
/// after it when the IPAM change goes first). A lower planned version (a downgrade, which
/// AKS refuses anyway) counts too. `None` when neither is known.
fn running_version(old: &ClusterNetwork, new: &ClusterNetwork) -> Option<(u32, u32)> {
    match (
        minor(old.kubernetes_version.as_deref()),
        minor(new.kubernetes_version.as_deref()),
    ) {
        (Some(o), Some(n)) => Some(o.min(n)),
        (o, n) => o.or(n),
    }
}

/// M1/M2: what AKS requires of a kubenet or Azure CNI (node subnet) cluster before it moves
/// to Azure CNI Overlay. Microsoft Learn, "Update Azure CNI IPAM mode and data plane
/// technology" (articles/aks/update-azure-cni.md, 2026-05-28): "You can update an existing AKS
/// cluster to Azure CNI Overlay if the cluster: Is on Kubernetes version 1.27 or later.
/// Doesn't use the dynamic IP allocation feature. Doesn't have network policies enabled. […]
/// Doesn't use any Windows node pools with Docker as the container runtime." and, for
/// kubenet: "To remove the route table, you need a user-assigned managed identity on the
/// cluster. System-assigned managed identities aren't supported."
///
/// - The pod subnet (dynamic IP allocation) case is a replacement, classified by the caller.
/// - Windows Docker pools need no check of their own: "Starting with Kubernetes 1.23,
///   containerd is the default and only container runtime for Windows" (Learn,
///   windows-containerd.md), so a cluster that meets 1.27 has none, and aksnet writes pools
///   at the cluster's version.
/// - "network policies" is read as Azure NPM or Calico, the engines the page links the
///   uninstall steps for. Cilium policy runs in the Cilium dataplane, which the same page
///   says works on any Azure CNI IPAM mode; whether AKS counts it is not stated, so it is not
///   an error (accuracy before coverage).
fn overlay_prerequisites(from: Ipam, old: &ClusterNetwork, new: &ClusterNetwork) -> Vec<Finding> {
    let rule = if from == Ipam::Kubenet {
        RuleId::M1
    } else {
        RuleId::M2
    };
    let what = if from == Ipam::Kubenet {
        "kubenet"
    } else {
        "Azure CNI (node subnet)"
    };
    let mut out = Vec::new();
    let version = running_version(old, new);
    if let Some(v) = version.filter(|v| *v < (1, 27)) {
        out.push(Finding::error(
            rule,
            FieldPath::attr("kubernetes_version"),
            "Migration Needs Kubernetes 1.27",
            format!("{what} → Azure CNI Overlay needs a cluster on Kubernetes 1.27 or newer; the cluster runs {}.{}. First set kubernetes_version to 1.27 or newer (keeping the current network_plugin and network_plugin_mode) and apply; then migrate in a later apply.", v.0, v.1),
        ));
    }
    let policy = old.policy.as_deref().map(norm_policy).unwrap_or("none");
    if matches!(policy, "azure" | "calico") {
        let upgrade = if version.is_some_and(|v| v < (1, 30)) {
            "upgrade kubernetes_version to 1.30 or newer and apply (AKS uninstalls Azure NPM or Calico only from 1.30); then "
        } else {
            ""
        };
        out.push(Finding::error(
            rule,
            FieldPath::attr("network_policy"),
            "Uninstall The Network Policy Before Migrating",
            format!("{what} → Azure CNI Overlay needs a cluster without a network policy engine, and this one runs {policy}. Keep the current network_plugin and network_plugin_mode: first {upgrade}set network_policy = \"none\" and apply; then migrate; then install a policy again if you need one."),
        ));
    }
    if from == Ipam::Kubenet && old.user_assigned_identity == Some(false) {
        out.push(Finding::error(
            rule,
            FieldPath::attr("identity"),
            "Kubenet Migration Needs A User-Assigned Identity",
            "kubenet → Azure CNI Overlay detaches the cluster's route table, which AKS does only with a user-assigned managed identity; this cluster runs as a system-assigned identity. First set identity { type = \"UserAssigned\" identity_ids = [...] } (with Network Contributor on the subnet and its route table) and apply; then migrate.",
        ));
    }
    out
}

/// M4: AKS changelog 2026-05-29: "AKS now rejects Calico NPM and Azure NPM install and
/// uninstall operations on clusters running Kubernetes versions earlier than 1.30. Requests
/// are rejected at the API level […]. Existing clusters already using Calico NPM or Azure NPM
/// are unaffected." Only updates that install (none → azure/calico) or uninstall
/// (azure/calico → none) are checked; switching to Cilium (which replaces the engine) and
/// creating a cluster with a policy are not named, so they are not errors.
fn npm_needs_1_30(op: Option<&str>, np: Option<&str>, old: &ClusterNetwork) -> Option<Finding> {
    let step = match (op?, np?) {
        ("none", p @ ("azure" | "calico")) => format!("installing {p}"),
        (p @ ("azure" | "calico"), "none") => format!("uninstalling {p}"),
        (a @ ("azure" | "calico"), b @ ("azure" | "calico")) if a != b => format!("uninstalling {a}"),
        _ => return None,
    };
    let v = minor(old.kubernetes_version.as_deref()).filter(|v| *v < (1, 30))?;
    Some(Finding::error(
        RuleId::M4,
        FieldPath::attr("network_policy"),
        "Network Policy Change Needs Kubernetes 1.30",
        format!("AKS refuses {step} on clusters running Kubernetes before 1.30, and the cluster runs {}.{}. First set kubernetes_version to 1.30 or newer (keeping network_policy as it is) and apply; then change network_policy.", v.0, v.1),
    ))
}

fn describe(i: Ipam) -> &'static str {
    match i {
        Ipam::Kubenet => "kubenet",
        Ipam::NodeSubnet => "Azure CNI (node subnet)",
        Ipam::PodSubnet => "Azure CNI with a pod subnet",
        Ipam::Overlay => "Azure CNI Overlay",
        Ipam::Byo => "a bring-your-own CNI (none)",
        Ipam::Other => "an unknown plugin",
    }
}

/// The outbound-type migration matrix (A-out).
fn outbound_migrates(old: &str, new: &str, byo_vnet: bool) -> bool {
    if byo_vnet {
        let movable = [
            "loadBalancer",
            "userAssignedNATGateway",
            "userDefinedRouting",
            "none",
        ];
        movable.contains(&old) && movable.contains(&new)
    } else {
        matches!(
            (old, new),
            ("loadBalancer", "managedNATGateway" | "none") | ("managedNATGateway", "none") | ("none", _)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netplan::Severity;

    fn net(plugin: &str, mode: &str) -> ClusterNetwork {
        let s = |v: &str| Some(v.to_string());
        ClusterNetwork {
            plugin: s(plugin),
            plugin_mode: s(mode),
            policy: s("none"),
            dataplane: s("azure"),
            pod_cidrs: Some(if plugin == "azure" && mode.is_empty() {
                vec![]
            } else {
                vec!["10.244.0.0/16".into()]
            }),
            service_cidrs: Some(vec!["10.0.0.0/16".into()]),
            dns_service_ip: s("10.0.0.10"),
            ip_families: Some(vec!["IPv4".into()]),
            outbound_type: s("loadBalancer"),
            load_balancer_sku: s("standard"),
            egress_ips: s("count=1"),
            kubernetes_version: s("1.33"),
            byo_vnet: true,
            pod_subnet: false,
            windows: false,
            user_assigned_identity: Some(true),
        }
    }

    fn replaced(c: &Classification) -> Vec<String> {
        c.replace.iter().map(|(p, _)| p.to_string()).collect()
    }

    fn titles(c: &Classification, sev: Severity) -> Vec<&str> {
        c.findings
            .iter()
            .filter(|f| f.severity == sev)
            .map(|f| f.summary.as_str())
            .collect()
    }

    #[test]
    fn nothing_changed_is_quiet() {
        let c = classify(&net("kubenet", ""), &net("kubenet", ""));
        assert_eq!(c, Classification::default());
    }

    #[test]
    fn kubenet_and_node_subnet_move_to_overlay_in_place_with_a_reimage_warning() {
        for old in [net("kubenet", ""), net("azure", "")] {
            let c = classify(&old, &net("azure", "overlay"));
            assert!(c.replace.is_empty(), "{:?}", c.replace);
            assert_eq!(titles(&c, Severity::Error), Vec::<&str>::new());
            assert_eq!(titles(&c, Severity::Warning).len(), 1);
            assert!(c.findings[0].detail.contains("reimages"));
        }
    }

    #[test]
    fn node_subnet_to_overlay_needs_a_pod_cidr() {
        let mut new = net("azure", "overlay");
        new.pod_cidrs = Some(vec![]);
        let c = classify(&net("azure", ""), &new);
        assert!(titles(&c, Severity::Error).contains(&"Pod CIDR Required For Overlay Migration"));
    }

    #[test]
    fn kubenet_migration_needs_1_27_and_no_policy() {
        let mut old = net("kubenet", "");
        old.policy = Some("calico".into());
        let mut new = net("azure", "overlay");
        new.kubernetes_version = Some("1.26".into());
        new.policy = Some("calico".into());
        let c = classify(&old, &new);
        let errors = titles(&c, Severity::Error);
        assert!(errors.contains(&"Migration Needs Kubernetes 1.27"), "{errors:?}");
        assert!(
            errors.contains(&"Uninstall The Network Policy Before Migrating"),
            "{errors:?}"
        );
    }

    fn errors(c: &Classification) -> Vec<(RuleId, &str)> {
        c.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| (f.rule, f.summary.as_str()))
            .collect()
    }

    #[test]
    fn node_subnet_to_overlay_needs_the_cluster_on_1_27_first() {
        let mut old = net("azure", "");
        old.kubernetes_version = Some("1.26.6".into());
        // Upgrading in the same apply is not enough: the cluster must be on 1.27 first.
        let c = classify(&old, &net("azure", "overlay"));
        assert_eq!(errors(&c), [(RuleId::M2, "Migration Needs Kubernetes 1.27")]);
        let e = &c.findings[0];
        assert_eq!(e.path, FieldPath::attr("kubernetes_version"));
        assert!(
            e.detail.contains("1.26") && e.detail.contains("then migrate"),
            "{}",
            e.detail
        );
        assert!(c.replace.is_empty());
        // On 1.27: fine. Unknown version: no error.
        old.kubernetes_version = Some("1.27".into());
        assert_eq!(errors(&classify(&old, &net("azure", "overlay"))), []);
        old.kubernetes_version = None;
        let mut new = net("azure", "overlay");
        new.kubernetes_version = None;
        assert_eq!(errors(&classify(&old, &new)), []);
    }

    #[test]
    fn overlay_migration_needs_azure_npm_or_calico_uninstalled_first_but_not_cilium() {
        for (from, rule) in [(net("azure", ""), RuleId::M2), (net("kubenet", ""), RuleId::M1)] {
            for policy in ["azure", "calico"] {
                let mut old = from.clone();
                old.policy = Some(policy.into());
                let mut new = net("azure", "overlay");
                new.policy = Some(policy.into());
                let c = classify(&old, &new);
                assert_eq!(
                    errors(&c),
                    [(rule, "Uninstall The Network Policy Before Migrating")],
                    "{policy}"
                );
                assert!(c.findings[0].detail.contains("network_policy = \"none\""));
                assert!(!c.findings[0].detail.contains("1.30"), "already on 1.33");
                // Below 1.30 the path starts with the upgrade AKS needs to uninstall.
                old.kubernetes_version = Some("1.28".into());
                new.kubernetes_version = Some("1.28".into());
                let c = classify(&old, &new);
                let e = c
                    .findings
                    .iter()
                    .find(|f| f.summary.starts_with("Uninstall"))
                    .unwrap();
                assert!(e.detail.contains("1.30 or newer"), "{}", e.detail);
            }
        }
        // Cilium is not an engine the page asks to uninstall.
        let mut old = net("azure", "");
        old.policy = Some("cilium".into());
        old.dataplane = Some("cilium".into());
        let mut new = net("azure", "overlay");
        new.policy = Some("cilium".into());
        new.dataplane = Some("cilium".into());
        assert_eq!(errors(&classify(&old, &new)), []);
    }

    #[test]
    fn kubenet_to_overlay_needs_a_user_assigned_identity_first() {
        let mut old = net("kubenet", "");
        old.user_assigned_identity = Some(false);
        let mut new = net("azure", "overlay");
        new.user_assigned_identity = Some(true);
        let c = classify(&old, &new);
        assert_eq!(
            errors(&c),
            [(RuleId::M1, "Kubenet Migration Needs A User-Assigned Identity")]
        );
        assert_eq!(c.findings[0].path, FieldPath::attr("identity"));
        assert!(c.findings[0].detail.contains("then migrate"));
        // Unknown identity: no verdict. Azure CNI (node subnet) has no route table to detach.
        old.user_assigned_identity = None;
        assert_eq!(errors(&classify(&old, &new)), []);
        let mut cni = net("azure", "");
        cni.user_assigned_identity = Some(false);
        assert_eq!(errors(&classify(&cni, &new)), []);
    }

    #[test]
    fn azure_npm_and_calico_install_or_uninstall_need_1_30() {
        let mut none = net("azure", "overlay");
        none.kubernetes_version = Some("1.29.4".into());
        let mut azure = none.clone();
        azure.policy = Some("azure".into());
        let mut calico = none.clone();
        calico.policy = Some("calico".into());
        for (old, new, step) in [
            (&none, &azure, "installing azure"),
            (&none, &calico, "installing calico"),
            (&azure, &none, "uninstalling azure"),
            (&calico, &none, "uninstalling calico"),
        ] {
            let c = classify(old, new);
            assert_eq!(
                errors(&c),
                [(RuleId::M4, "Network Policy Change Needs Kubernetes 1.30")],
                "{step}"
            );
            let e = c
                .findings
                .iter()
                .find(|f| f.rule == RuleId::M4 && f.is_error())
                .unwrap();
            assert!(
                e.detail.contains(step) && e.detail.contains("1.29"),
                "{}",
                e.detail
            );
            assert!(c.replace.is_empty());
        }
        // From 1.30 only the reimage warning; the version that counts is the running one.
        for v in ["1.30", "1.33.1"] {
            let mut old = none.clone();
            old.kubernetes_version = Some(v.into());
            let mut new = azure.clone();
            new.kubernetes_version = Some(v.into());
            assert_eq!(errors(&classify(&old, &new)), [], "{v}");
        }
        // Moving to Cilium replaces the engine: not named by the changelog, no error.
        let mut cilium = azure.clone();
        cilium.policy = Some("cilium".into());
        cilium.dataplane = Some("cilium".into());
        assert_eq!(errors(&classify(&azure, &cilium)), []);
    }

    #[test]
    fn backwards_and_pod_subnet_migrations_replace() {
        assert_eq!(
            replaced(&classify(&net("azure", "overlay"), &net("kubenet", ""))),
            ["network_plugin"]
        );
        assert_eq!(
            replaced(&classify(&net("kubenet", ""), &net("azure", ""))),
            ["network_plugin"]
        );
        let mut pod = net("azure", "");
        pod.pod_subnet = true;
        assert_eq!(
            replaced(&classify(&pod, &net("azure", "overlay"))),
            ["network_plugin_mode"]
        );
    }

    #[test]
    fn policy_switch_between_azure_and_calico_is_rejected_with_the_two_step_path() {
        let mut old = net("azure", "");
        old.policy = Some("azure".into());
        let mut new = old.clone();
        new.policy = Some("calico".into());
        let c = classify(&old, &new);
        assert!(c.replace.is_empty());
        let e = c
            .findings
            .iter()
            .find(|f| f.severity == Severity::Error)
            .expect("error");
        assert!(e.detail.contains("network_policy = \"none\""), "{}", e.detail);
        // Install and uninstall are in place.
        let none = net("azure", "");
        assert!(classify(&none, &old).replace.is_empty());
        assert!(classify(&old, &none).replace.is_empty());
        assert_eq!(
            titles(&classify(&none, &old), Severity::Warning),
            ["In-Place Update: Network Policy Install"]
        );
    }

    #[test]
    fn cilium_upgrade_is_in_place_but_not_back() {
        let old = net("azure", "overlay");
        let mut new = old.clone();
        new.dataplane = Some("cilium".into());
        new.policy = Some("cilium".into());
        let c = classify(&old, &new);
        assert!(c.replace.is_empty(), "{:?}", c.replace);
        assert_eq!(
            titles(&c, Severity::Warning),
            ["In-Place Update: Cilium Dataplane"]
        );
        assert_eq!(
            replaced(&classify(&new, &old)),
            ["network_data_plane", "network_policy"]
        );
    }

    #[test]
    fn ipam_and_dataplane_changes_go_in_separate_requests() {
        let mut new = net("azure", "overlay");
        new.dataplane = Some("cilium".into());
        new.policy = Some("cilium".into());
        let c = classify(&net("azure", ""), &new);
        assert!(c.replace.is_empty(), "{:?}", c.replace);
        assert!(c.ipam_first);
        assert!(!classify(&net("azure", ""), &net("azure", "overlay")).ipam_first);
    }

    #[test]
    fn overlay_pod_cidr_only_grows_to_a_superset() {
        let old = net("azure", "overlay");
        let mut grown = old.clone();
        grown.pod_cidrs = Some(vec!["10.240.0.0/12".into()]);
        assert!(classify(&old, &grown).replace.is_empty());
        let mut moved = old.clone();
        moved.pod_cidrs = Some(vec!["10.250.0.0/16".into()]);
        assert_eq!(replaced(&classify(&old, &moved)), ["pod_cidr", "pod_cidrs"]);
        assert_eq!(
            replaced(&classify(&grown, &old)),
            ["pod_cidr", "pod_cidrs"],
            "shrinking"
        );
        let kubenet = net("kubenet", "");
        let mut k2 = kubenet.clone();
        k2.pod_cidrs = grown.pod_cidrs.clone();
        assert_eq!(replaced(&classify(&kubenet, &k2)), ["pod_cidr", "pod_cidrs"]);
        let mut windows = grown.clone();
        windows.windows = true;
        assert_eq!(replaced(&classify(&old, &windows)).len(), 2);
    }

    #[test]
    fn byo_cni_pod_cidr_changes_in_place() {
        let old = net("none", "");
        let mut new = old.clone();
        new.pod_cidrs = Some(vec!["10.11.0.0/16".into()]);
        assert_eq!(classify(&old, &new), Classification::default());
        // Not stored by AKS, so the prior may even be empty.
        let mut empty = old.clone();
        empty.pod_cidrs = Some(vec![]);
        assert_eq!(classify(&empty, &new), Classification::default());
    }

    #[test]
    fn fixed_fields_replace() {
        let old = net("azure", "overlay");
        let mut new = old.clone();
        new.service_cidrs = Some(vec!["10.1.0.0/16".into()]);
        new.dns_service_ip = Some("10.1.0.10".into());
        assert_eq!(
            replaced(&classify(&old, &new)),
            ["service_cidr", "service_cidrs", "dns_service_ip"]
        );
        let mut unknown = old.clone();
        unknown.load_balancer_sku = None;
        assert_eq!(replaced(&classify(&old, &unknown)), ["load_balancer_sku"]);
    }

    #[test]
    fn basic_load_balancer_upgrades_to_standard_in_place_one_way_from_1_27() {
        let mut basic = net("azure", "overlay");
        basic.load_balancer_sku = Some("basic".into());
        let standard = net("azure", "overlay");
        let c = classify(&basic, &standard);
        assert!(c.replace.is_empty(), "{:?}", c.replace);
        assert_eq!(
            titles(&c, Severity::Warning),
            ["In-Place Update: Basic To Standard Load Balancer"]
        );
        assert!(c.findings.iter().all(|f| f.rule == RuleId::M7));
        assert!(c.findings[0].detail.contains("Downtime") || c.findings[0].detail.contains("downtime"));
        // The current version decides, not the planned one.
        let mut old = basic.clone();
        old.kubernetes_version = Some("1.26.3".into());
        let c = classify(&old, &standard);
        assert_eq!(
            titles(&c, Severity::Error),
            ["Load Balancer Upgrade Needs Kubernetes 1.27"]
        );
        assert!(c.replace.is_empty());
        // Back to basic: refused, not a replacement (AKS refuses Basic on create too).
        let c = classify(&standard, &basic);
        assert!(c.replace.is_empty(), "{:?}", c.replace);
        assert_eq!(
            titles(&c, Severity::Error),
            ["Load Balancer SKU Cannot Go Back To Basic"]
        );
    }

    #[test]
    fn outbound_type_follows_the_matrix() {
        let old = net("azure", "overlay");
        let mut udr = old.clone();
        udr.outbound_type = Some("userDefinedRouting".into());
        let c = classify(&old, &udr);
        assert!(c.replace.is_empty());
        assert_eq!(titles(&c, Severity::Warning), ["In-Place Update: Outbound Type"]);
        let mut managed = old.clone();
        managed.byo_vnet = false;
        let mut nat = managed.clone();
        nat.outbound_type = Some("managedNATGateway".into());
        assert!(classify(&managed, &nat).replace.is_empty());
        assert_eq!(
            replaced(&classify(&nat, &managed)),
            ["outbound_type"],
            "NAT → LB is not in the matrix"
        );
        let mut more_ips = old.clone();
        more_ips.egress_ips = Some("count=2".into());
        assert_eq!(
            titles(&classify(&old, &more_ips), Severity::Warning),
            ["In-Place Update: Outbound IPs"]
        );
    }
}
