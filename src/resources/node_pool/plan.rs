//! `aksnet_node_pool`'s plan-time checks: the pool seen as a cluster's pool by
//! `cluster_network`'s rules, statically and against the live cluster and subnet.

use std::collections::BTreeSet;

use aksnet_tfplugin::value::Value;
use aksnet_tfplugin::Diagnostics;

use crate::arm::models::ManagedCluster;
use crate::netplan::profile::Lifecycle;
use crate::netplan::rules::validate_profile;
use crate::netplan::{FieldPath, Finding, Step};
use crate::resources::cluster_network::body::{refresh, s};
use crate::resources::cluster_network::live::{gather, Live};
use crate::resources::cluster_network::plan::{profile, shape_findings};
use crate::resources::cluster_network::pool::foreign_pools;
use crate::resources::cluster_network::schema::State as Cluster;
use crate::tfvalue::{report, report_nulls};

use super::schema::{block, State};
use super::NodePool;

/// A finding about the cluster seen with this pool as its `default_node_pool`, as this
/// resource shows it: paths under the pool become top-level attributes, others the resource.
pub(super) fn as_pool_finding(mut f: Finding) -> Finding {
    let under_pool = matches!(f.path.0.first(), Some(Step::Attr("default_node_pool")));
    f.path = if under_pool {
        FieldPath(f.path.0[1..].to_vec())
    } else {
        FieldPath::root()
    };
    let name = |t: &str| {
        t.replace("default_node_pool.", "")
            .replace("default_node_pool", "this node pool")
    };
    f.summary = name(&f.summary);
    f.detail = name(&f.detail);
    f
}

/// A cluster holding only this pool (values of the cluster unknown): its shape findings.
pub(super) fn static_findings(cfg: &State) -> Vec<Finding> {
    let cluster = Cluster {
        default_node_pool: Value::Value(cfg.pool()),
        ..unknown_cluster()
    };
    let mut all = shape_findings(&cluster);
    all.extend(validate_profile(&profile(&cluster, &cluster, &Live::default())));
    all.into_iter()
        .filter(|f| matches!(f.path.0.first(), Some(Step::Attr("default_node_pool"))))
        .map(as_pool_finding)
        .collect()
}

/// A cluster whose settings are not known yet: the rules that depend on them wait.
fn unknown_cluster() -> Cluster {
    Cluster {
        name: Value::Value("cluster".into()),
        resource_group_name: Value::Value("rg".into()),
        location: Value::Value("location".into()),
        dns_prefix: Value::Value("cluster".into()),
        kubernetes_version: Value::Unknown,
        network_plugin: Value::Unknown,
        network_plugin_mode: Value::Unknown,
        network_policy: Value::Unknown,
        network_data_plane: Value::Unknown,
        pod_cidr: Value::Unknown,
        pod_cidrs: Value::Unknown,
        service_cidr: Value::Unknown,
        service_cidrs: Value::Unknown,
        dns_service_ip: Value::Unknown,
        ip_families: Value::Unknown,
        outbound_type: Value::Unknown,
        load_balancer_sku: Value::Unknown,
        ..Default::default()
    }
}

impl NodePool {
    /// Plan-time checks against the live cluster and subnet: what this pool adds to the
    /// cluster as Azure shows it (its other pools counted, never changed).
    pub(super) async fn check(&self, diags: &mut Diagnostics, planned: &State, config: &State) {
        report_nulls(diags, &block(), config);
        let mut findings = static_findings(planned);
        findings.extend(self.live_findings(diags, planned).await);
        report(diags, &findings, config);
    }

    async fn live_findings(&self, diags: &mut Diagnostics, planned: &State) -> Vec<Finding> {
        let Some(cluster_id) = planned.cluster() else {
            return Vec::new(); // unknown until the cluster exists, or reported by validate
        };
        let skipped = "the node pool was not checked against its cluster and subnet";
        let Some(client) = self.arm.live_client(diags, skipped).await else {
            return Vec::new();
        };
        let cluster = match client.get::<ManagedCluster>(&cluster_id).await {
            Ok(Some(c)) => c.body,
            // Created in this apply, or missing: apply reports AKS's answer.
            Ok(None) => return Vec::new(),
            Err(e) => {
                diags.root_warning(
                    "Live Network Checks Skipped",
                    format!("the cluster of this node pool could not be read: {e}"),
                );
                return Vec::new();
            }
        };
        let mut view = Cluster::default();
        refresh(&mut view, &cluster, true);
        view.default_node_pool = Value::Value(planned.pool());
        view.node_pool = Value::Null;
        let name = s(&planned.name).unwrap_or_default();
        let others = foreign_pools(
            &cluster.properties.agent_pool_profiles,
            &[name],
            s(&planned.vnet_subnet_id),
            s(&planned.pod_subnet_id),
        );
        // On a running cluster the subnet's addresses in use are its own nodes' (counted
        // as pools): in_use is left out, as for cluster_network's updates.
        let live = gather(&client, &view, false).await;
        let mut with = profile(&view, &view, &live);
        with.lifecycle = Lifecycle::Existing;
        let mut without = with.clone();
        without.node_pools = others.clone();
        with.node_pools = others.into_iter().chain(with.node_pools).collect();
        // Only what this pool adds: the cluster's own findings belong to its resource.
        let before: BTreeSet<(String, String)> = validate_profile(&without)
            .into_iter()
            .map(|f| (format!("{:?}", f.rule), f.summary))
            .collect();
        let mut out: Vec<Finding> = validate_profile(&with)
            .into_iter()
            .filter(|f| !before.contains(&(format!("{:?}", f.rule), f.summary.clone())))
            .collect();
        out.extend(live.findings);
        out.into_iter().map(as_pool_finding).collect()
    }
}
