//! `aksnet_cluster_network`: an AKS cluster whose identity is its network. Plan runs every
//! netplan rule plus live checks of the VNet, and classifies changes by AKS's update matrix;
//! apply creates the cluster or migrates it in place, one step per request where AKS needs it.

pub(crate) mod body;
pub(crate) mod live;
pub mod moved_from_azurerm;
pub(crate) mod plan;
pub(crate) mod pool;
pub(crate) mod schema;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use aksnet_tfplugin::schema::Schema;
use aksnet_tfplugin::value::{Value, ValueEmpty};
use aksnet_tfplugin::{AttributePath, Diagnostics, Identity, IdentitySchema, MoveSource, Resource};
use async_trait::async_trait;

use crate::arm::client::{ArmClient, ClientError, Tagged};
use crate::arm::connection::{Connection, ConnectionError};
use crate::arm::ids::{Kind, ResourceId};
use crate::arm::models::{AgentPool, ManagedCluster};
use crate::netplan::live::{o1_udr, o1_udr_at_create, o3_nat_gateway, o6_route_table};
use crate::netplan::migration;
use crate::netplan::profile::Lifecycle;
use crate::netplan::rules::validate_profile;
use crate::netplan::{FieldPath, Finding, Severity};
use crate::resources::arm_common::{self, arm_error, left_behind, require_absent, same_location, LeftBehind};
use crate::resources::identity::{in_provider_subscription, CLUSTER};
use crate::resources::timeouts;
use crate::tfvalue::{attribute_path, report, report_nulls};

use body::{desired, refresh, s, Stage};
use live::{gather, pool_path, shared_subnet, udr_table, Live};
use plan::{
    adopted_names, align_pools, as_config, id_of, mark_create_unknowns, net_of, o4_with_prior, pair,
    pool_changes, pools, profile, rotation_findings, shape_findings, static_findings, with_adopted,
    without_unknowns, PoolChanges, Rotate,
};
use pool::{agent_pool_body, foreign_pools, refresh_pool};
use schema::{Pool, Str, FORCE_NEW};
pub use schema::{Private, State};

const DEFAULT_CRUD: Duration = Duration::from_secs(90 * 60);
const DEFAULT_READ: Duration = Duration::from_secs(5 * 60);

/// ClusterNetwork implements `aksnet_cluster_network`.
#[derive(Debug, Clone)]
pub struct ClusterNetwork {
    connection: Arc<Connection>,
}

impl ClusterNetwork {
    /// The resource, sharing the provider's connection.
    pub fn new(connection: Arc<Connection>) -> Self {
        Self { connection }
    }
}

#[async_trait]
impl Resource for ClusterNetwork {
    type State<'a> = State;
    type PrivateState<'a> = Option<Private>;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Schema {
            version: 1,
            block: schema::block(),
        })
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(CLUSTER.schema())
    }

    /// Subscription from the ID (known once created or imported), the rest from the attributes
    /// the ID is built from, so the identity does not follow how ARM spells the ID.
    fn identity<'a>(&self, state: &Self::State<'a>) -> Option<Identity> {
        let sub = ResourceId::parse(Kind::ManagedCluster, s(&state.id)?)
            .ok()?
            .subscription_id;
        Some(CLUSTER.of(&id_of(state, &sub)?))
    }

    async fn import_id(&self, diags: &mut Diagnostics, identity: &Identity) -> Option<String> {
        Some(CLUSTER.to_id(diags, identity, "aksnet_cluster_network")?.path())
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Self::State<'a>) -> Option<()> {
        report_nulls(diags, &schema::block(), &config);
        // Warnings wait for plan, so they are shown once.
        let errors: Vec<Finding> = static_findings(&config)
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        report(diags, &errors, &config);
        timeouts::validate(diags, &config.timeouts, DEFAULT_CRUD);
        Some(())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        state: Self::State<'a>,
        private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let (client, sub) = self.client(diags).await?;
        let Some(id) = id_of(&state, &sub) else {
            diags.root_error_short("internal-error: the state has no name or resource group");
            return Some((state, private));
        };
        let importing = state.default_node_pool.is_null();
        let limit = timeouts::resolve(diags, &state.timeouts, "read", DEFAULT_READ)?;
        match client.get_within::<ManagedCluster>(&id, limit).await {
            Ok(Some(cluster)) if !importing && cluster.body.failed() => {
                // AKS shows the values of the write that failed, not what the cluster runs:
                // keep what state recorded, so the next plan sends the configuration again.
                diags.root_warning(
                    "Cluster In Failed State",
                    format!("{id} is in provisioningState Failed: its last operation did not complete, and the values Azure shows are the ones that operation asked for. aksnet keeps the values it recorded, so a configuration that differs from them is applied again by the next terraform apply. If the configuration already matches, reconcile the cluster with `az aks update --resource-group {} --name {}` (AKS's remedy for a failed cluster).", id.resource_group, id.name()),
                );
                Some((state, private))
            }
            Ok(Some(cluster)) => {
                let mut next = state;
                self.settle(&client, &mut next, &cluster, importing).await;
                // On import every pool but the system pool; later, those still in Azure and
                // not adopted into state.
                let (known, temporary) = match private {
                    Some(p) if !importing => (Some(p.imported_pools), p.rotation_temporary),
                    _ => (None, None),
                };
                let imported = unowned_pools(&next, &cluster.body, known.as_deref());
                if importing && !imported.is_empty() {
                    imported_pools_warning(diags, &next, &imported);
                }
                // A failed rotation's temporary pool stays this resource's while it exists.
                let temporary = temporary.filter(|t| cluster.body.pool(t).is_some());
                Some((next, Private::of(imported, temporary)))
            }
            // Deleted out of band: Terraform plans to create it again.
            Ok(None) => None,
            Err(e) => {
                arm_error(diags, "reading", &id, &e);
                Some((state, private))
            }
        }
    }

    async fn plan_create<'a>(
        &self,
        diags: &mut Diagnostics,
        proposed: Self::State<'a>,
        config: Self::State<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        // Creating needs ARM: a missing credential is an error now, not at apply.
        if !arm_common::credentials_at_plan(&self.connection, diags).await {
            return None;
        }
        let mut planned = proposed;
        pair(
            &mut planned.pod_cidr,
            &mut planned.pod_cidrs,
            &config.pod_cidr,
            &config.pod_cidrs,
            None,
        );
        pair(
            &mut planned.service_cidr,
            &mut planned.service_cidrs,
            &config.service_cidr,
            &config.service_cidrs,
            None,
        );
        self.check(diags, &planned, &config, true).await;
        mark_create_unknowns(&mut planned);
        Some((planned, None))
    }

    async fn plan_update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: Self::State<'a>,
        proposed: Self::State<'a>,
        config: Self::State<'a>,
        prior_private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>, Vec<AttributePath>)> {
        let mut planned = proposed;
        // Pools an import found that the configuration declares are adopted: the plan starts
        // from them as Azure has them (the others stay foreign and are never planned).
        let imported = prior_private
            .as_ref()
            .map(|p| p.imported_pools.as_slice())
            .unwrap_or_default();
        let base = with_adopted(&prior, &config, imported);
        for name in adopted_names(&prior, &base) {
            diags.root_warning(
                "Imported Node Pool Adopted",
                format!("node pool \"{name}\", which the import found in the cluster, is declared here: this apply records it in state as this resource's, with no request to Azure unless its declared settings differ (then it is updated, or replaced as the plan warns). From then on, removing its node_pool block deletes it."),
            );
        }
        if let (Some(a), Some(b)) = (s(&prior.location), s(&planned.location)) {
            if same_location(a, b) {
                planned.location = prior.location.clone();
            }
        }
        // The mode only exists for Azure CNI: leaving it unset while moving to another plugin
        // drops it rather than carrying the old mode along.
        if config.network_plugin_mode.is_null() && s(&config.network_plugin).is_some_and(|p| p != "azure") {
            planned.network_plugin_mode = Value::Null;
        }
        pair(
            &mut planned.pod_cidr,
            &mut planned.pod_cidrs,
            &config.pod_cidr,
            &config.pod_cidrs,
            Some((&prior.pod_cidr, &prior.pod_cidrs)),
        );
        pair(
            &mut planned.service_cidr,
            &mut planned.service_cidrs,
            &config.service_cidr,
            &config.service_cidrs,
            Some((&prior.service_cidr, &prior.service_cidrs)),
        );
        align_pools(&base, &mut planned, &config);
        if planned == prior {
            return Some((planned, prior_private, Vec::new()));
        }
        let mut replace: Vec<(AttributePath, String)> = Vec::new();
        for (attr, field) in FORCE_NEW {
            if field(&prior) != field(&planned) {
                replace.push((
                    AttributePath::new(attr),
                    format!("{attr} is fixed when the cluster is created"),
                ));
            }
        }
        for (pool, fixed) in pool_changes(&base, &planned).recreate {
            diags.root_warning(
                "Node Pool Will Be Replaced",
                format!(
                    "node pool \"{}\" is deleted and created again, because AKS cannot change {} of an existing pool: its nodes are drained and deleted and its pods rescheduled onto the new pool's nodes (once they are ready, pods without another pool to run on wait). Nothing else about the cluster changes.",
                    s(&pool.name).unwrap_or_default(),
                    fixed.join(", ")
                ),
            );
        }
        let change = migration::classify(&net_of(&prior), &net_of(&planned));
        replace.extend(
            change
                .replace
                .iter()
                .map(|(p, why)| (attribute_path(p), why.clone())),
        );
        self.check(diags, &planned, &config, false).await;
        report(diags, &change.findings, &config);
        // The default pool is rotated (M8), never the cluster replaced for it.
        report(diags, &rotation_findings(&prior, &planned), &config);
        let left = prior_private
            .as_ref()
            .and_then(|p| p.rotation_temporary.as_deref());
        if let (Some(temp), None) = (left, pool_changes(&base, &planned).rotate) {
            diags.root_warning(
                "Temporary Node Pool Will Be Deleted",
                format!("the temporary system pool \"{temp}\" that an earlier rotation of the default node pool left in the cluster (M8) is deleted by this apply; the default pool already runs with its new settings. Nothing else is written for it."),
            );
        }
        if !replace.is_empty() {
            let why: Vec<String> = replace
                .iter()
                .map(|(_, w)| w.clone())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            diags.root_warning("Cluster Will Be Replaced", format!("this change needs a new cluster: {}. Its workloads and addresses are lost unless migrated.", why.join("; ")));
            mark_create_unknowns(&mut planned);
        } else {
            if planned.network_plugin != prior.network_plugin
                || planned.network_plugin_mode != prior.network_plugin_mode
            {
                planned.kubenet_route_table_id = Value::Unknown;
            }
            // Basic → Standard creates new public IPs for egress (A-blb).
            if planned.outbound_type != prior.outbound_type
                || planned.load_balancer_sku != prior.load_balancer_sku
                || planned.load_balancer_profile != prior.load_balancer_profile
                || planned.nat_gateway_profile != prior.nat_gateway_profile
            {
                planned.effective_outbound_ips = Value::Unknown;
            }
        }
        Some((
            planned,
            prior_private,
            replace.into_iter().map(|(p, _)| p).collect(),
        ))
    }

    async fn plan_destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: Self::State<'a>,
        _prior_private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<Self::PrivateState<'a>> {
        Some(None)
    }

    async fn create<'a>(
        &self,
        diags: &mut Diagnostics,
        planned: Self::State<'a>,
        _config: Self::State<'a>,
        private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let (client, sub) = self.client(diags).await?;
        let id = id_of(&planned, &sub)?;
        let limit = timeouts::resolve(diags, &planned.timeouts, "create", DEFAULT_CRUD)?;
        if !require_absent(&client, diags, &id, "aksnet_cluster_network").await {
            return None;
        }
        if !self.udr_ready(diags, &client, &planned).await {
            return None;
        }
        let body = desired(&planned, None, Stage::Full);
        let mut state = planned;
        match client.put::<_, ManagedCluster>(&id, &body, None, limit).await {
            Ok(done) => self.settle(&client, &mut state, &done, false).await,
            Err(e) => {
                arm_error(diags, "creating", &id, &e);
                // The PUT may have created the cluster before failing: record it (Terraform
                // taints it) so it is never lost.
                return match left_behind::<ManagedCluster>(&client, diags, &id, &e).await {
                    LeftBehind::Exists(c) => {
                        self.settle(&client, &mut state, &c, false).await;
                        Some((state, private))
                    }
                    LeftBehind::Unknown => Some((without_unknowns(state), private)),
                    LeftBehind::Nothing => None,
                };
            }
        }
        Some((state, private))
    }

    async fn update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: Self::State<'a>,
        planned: Self::State<'a>,
        _config: Self::State<'a>,
        private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let (client, sub) = self.client(diags).await?;
        let id = id_of(&planned, &sub)?;
        let Some(limit) = timeouts::resolve(diags, &planned.timeouts, "update", DEFAULT_CRUD) else {
            return Some((prior, private));
        };
        let mut current = match client.get::<ManagedCluster>(&id).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                diags.root_error(
                    "Cluster Not Found",
                    format!("{id} was deleted outside Terraform; run terraform apply again to create it."),
                );
                return Some((prior, private));
            }
            Err(e) => {
                arm_error(diags, "reading", &id, &e);
                return Some((prior, private));
            }
        };
        let mut state = prior.clone();
        // Pools first, one agent pool request each; the cluster is written only for what is
        // the cluster's own. Imported pools the configuration declares start as Azure has them.
        let imported = private
            .as_ref()
            .map(|p| p.imported_pools.as_slice())
            .unwrap_or_default();
        let pool_ops = pool_changes(&with_adopted(&prior, &planned, imported), &planned);
        // The temporary pool of a rotation that did not finish (M8): reused while the rotation
        // is still planned, deleted once the default pool runs with its new settings.
        let mut temporary = private.as_ref().and_then(|p| p.rotation_temporary.clone());
        let keeping = |private: &Option<Private>, temporary: Option<String>| {
            let imported = private
                .as_ref()
                .map(|p| p.imported_pools.clone())
                .unwrap_or_default();
            Private::of(imported, temporary)
        };
        if let (None, Some(temp)) = (&pool_ops.rotate, temporary.clone()) {
            if !self
                .delete_temporary(diags, &client, &id, &state, &temp, limit)
                .await
            {
                return Some((state, keeping(&private, temporary)));
            }
            temporary = None;
            current = match client.get::<ManagedCluster>(&id).await {
                Ok(Some(c)) => c,
                _ => return Some((state, keeping(&private, None))),
            };
        }
        if !pool_ops.is_empty() {
            if !self
                .apply_pools(
                    diags,
                    &client,
                    &id,
                    &current,
                    &pool_ops,
                    &mut state,
                    &mut temporary,
                    limit,
                )
                .await
            {
                return Some((state, keeping(&private, temporary)));
            }
            current = match client.get::<ManagedCluster>(&id).await {
                Ok(Some(c)) => c,
                _ => return Some((state, private)),
            };
        }
        let stages: &[Stage] = if !cluster_changed(&prior, &planned) {
            &[]
        } else if migration::classify(&net_of(&prior), &net_of(&planned)).ipam_first {
            &[Stage::Ipam, Stage::Full]
        } else {
            &[Stage::Full]
        };
        for stage in stages {
            let mut written = self.write(&client, &id, &planned, &current, *stage, limit).await;
            if matches!(&written, Err(ClientError::Arm(e)) if e.status == 412) {
                // Someone wrote in between (AKS itself, often): apply the change on top of theirs once.
                if let Ok(Some(fresh)) = client.get::<ManagedCluster>(&id).await {
                    current = fresh;
                    written = self.write(&client, &id, &planned, &current, *stage, limit).await;
                }
            }
            match written {
                Ok(done) => {
                    // Record each completed step: a later failure leaves an accurate state.
                    self.settle(&client, &mut state, &done, false).await;
                    current = done;
                }
                Err(e) => {
                    // State keeps the values of the last step that completed: a failed
                    // operation leaves Azure showing the values it asked for, which the
                    // cluster does not run, and the next apply must send them again.
                    arm_error(diags, "updating", &id, &e);
                    return Some((state, private));
                }
            }
        }
        // Declared-only attributes (tags, blocks, timeouts) take their planned values.
        let mut done = planned;
        self.settle(&client, &mut done, &current, false).await;
        // Adopted pools are in state now, and the imported pools left undeclared are foreign.
        let left = unowned_pools(&done, &current.body, Some(imported));
        Some((done, Private::of(left, None)))
    }

    async fn destroy<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: Self::State<'a>,
        _private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<()> {
        let (client, sub) = self.client(diags).await?;
        let id = id_of(&prior, &sub)?;
        let limit = timeouts::resolve(diags, &prior.timeouts, "delete", DEFAULT_CRUD)?;
        match client.delete(&id, limit).await {
            Ok(()) => Some(()),
            Err(e) => {
                arm_error(diags, "deleting", &id, &e);
                None
            }
        }
    }

    async fn generate_config<'a>(
        &self,
        _diags: &mut Diagnostics,
        state: Self::State<'a>,
    ) -> Option<Self::State<'a>> {
        Some(as_config(state))
    }

    async fn import<'a>(
        &self,
        diags: &mut Diagnostics,
        id: String,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let parsed = match ResourceId::parse(Kind::ManagedCluster, &id) {
            Ok(p) => p,
            Err(e) => {
                diags.root_error("Invalid Import ID", e.to_string());
                return None;
            }
        };
        if !in_provider_subscription(&self.connection, diags, &parsed, "aksnet_cluster_network").await {
            return None;
        }
        let state = State {
            id: Value::Value(parsed.path()),
            name: Value::Value(parsed.name().to_string()),
            resource_group_name: Value::Value(parsed.resource_group.clone()),
            ..Default::default()
        };
        Some((state, None))
    }

    async fn move_state<'a>(
        &self,
        diags: &mut Diagnostics,
        source: MoveSource,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        // No ARM call: Terraform refreshes the moved state (ReadResource) before it plans;
        // with default_node_pool set that read is a refresh, not an import, so the pools
        // azurerm_kubernetes_cluster did not own stay foreign.
        match moved_from_azurerm::from_azurerm(&source) {
            Ok(state) => Some((state, None)),
            Err(e) => {
                e.report(diags);
                None
            }
        }
    }
}

/// The pools in `cluster` (ARM) that `state` does not hold, as Azure has them; with `keep`,
/// only those it names (the imported pools recorded earlier).
fn unowned_pools(state: &State, cluster: &ManagedCluster, keep: Option<&[Pool]>) -> Vec<Pool> {
    let held: Vec<&str> = pools(state).iter().filter_map(|(_, p)| s(&p.name)).collect();
    let named = |list: &[&str], n: &str| list.iter().any(|h| h.eq_ignore_ascii_case(n));
    cluster
        .properties
        .agent_pool_profiles
        .iter()
        .filter(|p| !named(&held, &p.name))
        .filter(|p| {
            keep.is_none_or(|k| {
                let kept: Vec<&str> = k.iter().filter_map(|q| s(&q.name)).collect();
                named(&kept, &p.name)
            })
        })
        .map(|p| pool::refresh_pool(None, p, true))
        .collect()
}

/// The warning an import gives for the pools it left out of `node_pool`, naming them.
fn imported_pools_warning(diags: &mut Diagnostics, state: &State, imported: &[Pool]) {
    let names: Vec<String> = imported
        .iter()
        .filter_map(|p| s(&p.name).map(|n| format!("\"{n}\"")))
        .collect();
    let system = state
        .default_node_pool
        .as_ref_option()
        .and_then(|p| s(&p.name))
        .unwrap_or_default();
    diags.root_warning(
        "Imported Cluster Has Other Node Pools",
        format!(
            "besides its system pool \"{system}\", the cluster has the node pool(s) {}. Import cannot tell which of them the configuration declares, so they are not recorded in node_pool: a pool the configuration declares in a node_pool block is managed by this resource from the next apply (no request is sent while its settings match Azure's); a pool it does not declare is left to its owner (an aksnet_node_pool or azurerm_kubernetes_cluster_node_pool resource, another module, the az CLI): never deleted or shown as drift here, and counted by the capacity checks (subnet addresses, kubenet routes, pod CIDR blocks).",
            names.join(", ")
        ),
    );
}

/// True when something other than the pools (which change through the agent pool API) or
/// the timeouts differs, so the cluster itself must be written.
fn cluster_changed(prior: &State, planned: &State) -> bool {
    // The identity is compared as the body it sends: no block means AKS's default, a
    // system-assigned identity, so dropping a recorded `SystemAssigned` block (e.g. after an
    // import) is no write.
    let own = |s: &State| State {
        default_node_pool: Value::Null,
        node_pool: Value::Null,
        timeouts: Value::Null,
        identity: Value::Null,
        ..s.clone()
    };
    own(prior) != own(planned)
        || body::identity(prior.identity.as_ref_option()) != body::identity(planned.identity.as_ref_option())
}

/// The state's pool list after `pool` was written (`None`: deleted) as Azure answered.
fn record_pool(state: &mut State, name: &str, pool: Option<Pool>, system: bool) {
    if system {
        if let Some(p) = pool {
            state.default_node_pool = Value::Value(p);
        }
        return;
    }
    let mut list: Vec<Value<Pool>> = state.node_pool.as_ref_option().cloned().unwrap_or_default();
    let at = list.iter().position(|p| {
        p.as_ref_option()
            .and_then(|p| s(&p.name))
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    });
    match (at, pool) {
        (Some(i), Some(p)) => list[i] = Value::Value(p),
        (None, Some(p)) => list.push(Value::Value(p)),
        (Some(i), None) => {
            list.remove(i);
        }
        (None, None) => {}
    }
    state.node_pool = if list.is_empty() {
        Value::Null
    } else {
        Value::Value(list)
    };
}

/// M8: the error for a default-pool rotation that stopped at `step`, saying what is left.
fn rotation_incomplete(diags: &mut Diagnostics, pool: &str, step: &str, left: String) {
    diags.root_error(
        "Default Node Pool Rotation Incomplete",
        format!("the rotation of the default node pool \"{pool}\" stopped at step {step}. {left}"),
    );
}

impl ClusterNetwork {
    async fn client(&self, diags: &mut Diagnostics) -> Option<(ArmClient, String)> {
        arm_common::client(&self.connection, diags, "clusters").await
    }

    /// Runs the live checks when Azure is reachable; without credentials they are skipped
    /// with a warning (plan still checks everything that needs no Azure).
    async fn live(&self, diags: &mut Diagnostics, planned: &State, creating: bool) -> Live {
        let any_subnet = pools(planned)
            .iter()
            .any(|(_, p)| p.vnet_subnet_id.is_value() || p.pod_subnet_id.is_value());
        if !any_subnet {
            return Live::default();
        }
        let client = match self.connection.client().await {
            Ok(c) => c,
            // No credential works: apply would fail too, so this is an error (issue 19).
            Err(e @ ConnectionError::Credentials(_)) => {
                arm_common::connection_error(diags, &e);
                return Live::default();
            }
            Err(e) => {
                diags.root_warning(
                    "Live Network Checks Skipped",
                    format!("the subnets were not checked against Azure: {e}"),
                );
                return Live::default();
            }
        };
        let mut live = gather(&client, planned, creating).await;
        match (s(&planned.outbound_type), &live.node) {
            (Some("userDefinedRouting"), Some(node)) => {
                if let Ok(table) = udr_table(&client, node).await {
                    live.findings.extend(o1_udr(&table, pool_path("vnet_subnet_id")));
                }
            }
            (Some("userAssignedNATGateway"), Some(node)) => live.findings.extend(o3_nat_gateway(
                node.nat_gateway.as_deref(),
                pool_path("vnet_subnet_id"),
                false,
            )),
            _ => {}
        }
        live
    }

    /// Plans shared by create and update: pairs, findings (static, netplan with live facts).
    async fn check(&self, diags: &mut Diagnostics, planned: &State, config: &State, creating: bool) {
        // Values unknown at validate (variables, other resources' attributes) are known here.
        report_nulls(diags, &schema::block(), config);
        let mut live = self.live(diags, planned, creating).await;
        if creating {
            live.findings.extend(kubenet_identity_route_table(config, &live));
        }
        if !creating {
            // AKS checks the ranges against the VNet's other subnets when it creates the
            // cluster; a subnet added later next to a running cluster must not block its
            // updates (A-leg FAQ: "It's possible to later create a new subnet … that overlaps").
            live.vnet_subnets.clear();
        }
        let mut findings = shape_findings(config);
        findings.extend(o4_with_prior(planned, config));
        // netplan fills AKS's defaults for what the configuration leaves unset, so a default
        // range that collides with the VNet is caught here rather than by AKS.
        let mut prof = profile(planned, config, &live);
        // AKS refuses some values on create only (E16: a Basic load balancer).
        prof.lifecycle = if creating {
            Lifecycle::Create
        } else {
            Lifecycle::Existing
        };
        if !creating {
            // Pools in Azure this configuration does not declare take addresses too.
            prof.node_pools.extend(self.foreign(planned).await);
        }
        findings.extend(validate_profile(&prof));
        findings.extend(live.findings);
        report(diags, &findings, config);
    }

    /// The cluster's pools in Azure that `planned` does not declare (an `aksnet_node_pool`,
    /// another module, the az CLI): foreign, never drift and never deleted here, but counted
    /// by the capacity rules (subnet sizing, kubenet routes, pod CIDR blocks). Read live at
    /// plan; when Azure cannot be read the live checks already said so.
    async fn foreign(&self, planned: &State) -> Vec<crate::netplan::NodePool> {
        let (Ok(client), Some(sub)) = (
            self.connection.client().await,
            self.connection.subscription_id().await,
        ) else {
            return Vec::new();
        };
        let Some(id) = id_of(planned, &sub) else {
            return Vec::new();
        };
        let Ok(Some(cluster)) = client.get::<ManagedCluster>(&id).await else {
            return Vec::new();
        };
        let declared: Vec<&str> = pools(planned).iter().filter_map(|(_, p)| s(&p.name)).collect();
        foreign_pools(
            &cluster.body.properties.agent_pool_profiles,
            &declared,
            shared_subnet(planned, |p| &p.vnet_subnet_id).as_deref(),
            shared_subnet(planned, |p| &p.pod_subnet_id).as_deref(),
        )
    }

    /// Apply-time O1 and O3 checks: AKS would fail the create with
    /// ExistingRouteTableNotAssociatedWithSubnet, or find no NAT gateway to egress through.
    async fn udr_ready(&self, diags: &mut Diagnostics, client: &ArmClient, planned: &State) -> bool {
        let outbound = s(&planned.outbound_type);
        if !matches!(outbound, Some("userDefinedRouting" | "userAssignedNATGateway")) {
            return true;
        }
        let live = gather(client, planned, false).await;
        let Some(node) = &live.node else { return true };
        if outbound == Some("userAssignedNATGateway") {
            let Some(finding) =
                o3_nat_gateway(node.nat_gateway.as_deref(), pool_path("vnet_subnet_id"), true)
            else {
                return true;
            };
            report(diags, &[finding], planned);
            return false;
        }
        let Ok(table) = udr_table(client, node).await else {
            return true;
        };
        let Some(finding) = o1_udr_at_create(&table) else {
            return true;
        };
        report(diags, &[finding], planned);
        false
    }

    /// With kubenet in a custom VNet: the route table on the node subnet.
    async fn kubenet_route_table(&self, client: &ArmClient, state: &State) -> Str {
        if s(&state.network_plugin) != Some("kubenet") {
            return Value::Null;
        }
        let live = gather(client, state, false).await;
        live.node
            .and_then(|n| n.route_table)
            .map_or(Value::Null, Value::Value)
    }

    /// Refreshes `state` from a cluster body, resolving computed values that need more reads.
    async fn settle(
        &self,
        client: &ArmClient,
        state: &mut State,
        cluster: &Tagged<ManagedCluster>,
        importing: bool,
    ) {
        refresh(state, &cluster.body, importing);
        state.kubenet_route_table_id = self.kubenet_route_table(client, state).await;
    }

    /// The pool changes through the agent pool API, recording each one that completes in
    /// `state`; false (with an error) when one fails.
    #[allow(clippy::too_many_arguments)]
    async fn apply_pools(
        &self,
        diags: &mut Diagnostics,
        client: &ArmClient,
        id: &ResourceId,
        current: &Tagged<ManagedCluster>,
        ops: &PoolChanges,
        state: &mut State,
        temporary: &mut Option<String>,
        limit: Duration,
    ) -> bool {
        let pool_id = |name: &str| {
            ResourceId::new(
                Kind::AgentPool,
                &id.subscription_id,
                &id.resource_group,
                &[id.name(), name],
            )
        };
        let profile = |name: &str| current.body.pool(name).cloned();
        if let Some(r) = &ops.rotate {
            if !self.rotate(diags, client, id, r, state, temporary, limit).await {
                return false;
            }
        }
        let gone: Vec<String> = ops
            .delete
            .iter()
            .cloned()
            .chain(
                ops.recreate
                    .iter()
                    .filter_map(|(p, _)| s(&p.name).map(str::to_string)),
            )
            .collect();
        for name in &gone {
            let pid = pool_id(name);
            if let Err(e) = client.delete(&pid, limit).await {
                arm_error(diags, "deleting", &pid, &e);
                return false;
            }
            record_pool(state, name, None, false);
        }
        let writes = ops
            .update
            .iter()
            .map(|(p, system)| (p, *system, profile(s(&p.name).unwrap_or_default())))
            .chain(ops.create.iter().map(|p| (p, false, None)))
            .chain(ops.recreate.iter().map(|(p, _)| (p, false, None)));
        for (pool, system, existing) in writes {
            let name = s(&pool.name).unwrap_or_default().to_string();
            let pid = pool_id(&name);
            let body = agent_pool_body(existing.as_ref(), pool, system);
            let mut written = client.put::<_, AgentPool>(&pid, &body, None, limit).await;
            if matches!(&written, Err(ClientError::Arm(e)) if e.status == 412) {
                // Someone wrote in between (AKS itself, often): write on top of theirs once.
                written = client.put::<_, AgentPool>(&pid, &body, None, limit).await;
            }
            match written {
                Ok(done) => {
                    let written = refresh_pool(Some(pool), &done.body.profile(), false);
                    record_pool(state, &name, Some(written), system);
                }
                Err(e) => {
                    arm_error(diags, "writing", &pid, &e);
                    return false;
                }
            }
        }
        true
    }

    /// M8: rotates the default (system) pool through a temporary system pool, in azurerm's
    /// order, so that the cluster always has a system pool (AKS refuses to delete the last one;
    /// AKS system node pools: "Every AKS cluster must contain at least one system node pool"):
    /// 1. the temporary pool with the new settings (a failed rotation's is reused when its
    ///    last operation succeeded, written again when it failed);
    /// 2. the old pool deleted (already gone: nothing to do);
    /// 3. the pool created again with the new settings, recorded in `state`;
    /// 4. the temporary pool deleted.
    ///
    /// A failed step is an error naming the step and what is left, and `temporary` names the
    /// temporary pool from step 1 until step 4 deleted it (private state): until step 3 the
    /// state keeps the old pool, so the next apply plans the rotation again and resumes it;
    /// after step 3 the state holds the new pool without its temporary name, so the next apply
    /// plans the name again and deletes the temporary pool.
    #[allow(clippy::too_many_arguments)]
    async fn rotate(
        &self,
        diags: &mut Diagnostics,
        client: &ArmClient,
        id: &ResourceId,
        r: &Rotate,
        state: &mut State,
        temporary: &mut Option<String>,
        limit: Duration,
    ) -> bool {
        let pool_id = |name: &str| {
            ResourceId::new(
                Kind::AgentPool,
                &id.subscription_id,
                &id.resource_group,
                &[id.name(), name],
            )
        };
        let name = s(&r.pool.name).unwrap_or_default().to_string();
        let (temp, temp_id) = (r.temporary.as_str(), pool_id(&r.temporary));
        let incomplete =
            |diags: &mut Diagnostics, step: &str, left: String| rotation_incomplete(diags, &name, step, left);
        // 1. The temporary system pool, with the new settings. From here on it may exist.
        *temporary = Some(temp.to_string());
        let mut settings = r.pool.settings();
        settings.name = Value::Value(temp.to_string());
        let reusable = match client.get::<AgentPool>(&temp_id).await {
            // A failed rotation left it running: reuse it (azurerm: "if the temp node pool
            // already exists due to a previous failure, don't bother spinning it up"). One
            // whose own operation failed is written again first, as the old pool's system pods
            // are about to move onto it (AKS troubleshooting: "you can reconcile the node pool
            // by using `az aks nodepool update`", a PUT of the pool).
            Ok(Some(p)) => p.body.succeeded(),
            Ok(None) => false,
            Err(e) => {
                arm_error(diags, "reading", &temp_id, &e);
                incomplete(
                    diags,
                    "1 of 4 (creating the temporary pool)",
                    format!(
                        "Node pool \"{}\" is unchanged. Run terraform apply again to resume the rotation.",
                        r.old_name
                    ),
                );
                return false;
            }
        };
        if !reusable {
            let body = agent_pool_body(None, &settings, true);
            if let Err(e) = client.put::<_, AgentPool>(&temp_id, &body, None, limit).await {
                arm_error(diags, "creating", &temp_id, &e);
                incomplete(
                    diags,
                    "1 of 4 (creating the temporary pool)",
                    format!("Node pool \"{}\" is unchanged; the temporary pool \"{temp}\" may exist (this resource's, never shown as drift). Run terraform apply again to resume the rotation.", r.old_name),
                );
                return false;
            }
        }
        // 2. The old pool: the temporary system pool now carries the system pods. Gone when
        // an earlier apply stopped at step 3 (azurerm: "delete the old default node pool if
        // it exists").
        let old_id = pool_id(&r.old_name);
        let old = match client.get::<AgentPool>(&old_id).await {
            Ok(old) => old,
            Err(e) => {
                arm_error(diags, "reading", &old_id, &e);
                incomplete(
                    diags,
                    "2 of 4 (deleting the old pool)",
                    format!("The temporary system pool \"{temp}\" is in the cluster with the new settings. Run terraform apply again to resume the rotation."),
                );
                return false;
            }
        };
        if old.is_some() {
            if let Err(e) = client.delete(&old_id, limit).await {
                arm_error(diags, "deleting", &old_id, &e);
                incomplete(
                    diags,
                    "2 of 4 (deleting the old pool)",
                    format!("The temporary system pool \"{temp}\" is in the cluster with the new settings. Run terraform apply again to resume the rotation."),
                );
                return false;
            }
        }
        // 3. The pool again, with the new settings.
        let new_id = pool_id(&name);
        match client
            .put::<_, AgentPool>(&new_id, &agent_pool_body(None, &r.pool, true), None, limit)
            .await
        {
            Ok(done) => {
                let mut written = refresh_pool(Some(&r.pool), &done.body.profile(), false);
                // Until the temporary pool is gone the state lacks its name, so the next plan
                // plans it again and that apply deletes the temporary pool.
                written.temporary_name_for_rotation = Some(Value::Null);
                record_pool(state, &name, Some(written), true);
            }
            Err(e) => {
                arm_error(diags, "creating", &new_id, &e);
                incomplete(
                    diags,
                    "3 of 4 (creating the pool again)",
                    format!("Node pool \"{}\" is deleted; the temporary system pool \"{temp}\" runs the cluster's system pods with the new settings. Run terraform apply again to resume the rotation.", r.old_name),
                );
                return false;
            }
        }
        // 4. The temporary pool.
        if let Err(e) = client.delete(&temp_id, limit).await {
            arm_error(diags, "deleting", &temp_id, &e);
            incomplete(
                diags,
                "4 of 4 (deleting the temporary pool)",
                format!("Node pool \"{name}\" runs with the new settings and is recorded in state; the temporary system pool \"{temp}\" is left in the cluster (this resource's, never shown as drift). Run terraform apply again to delete it."),
            );
            return false;
        }
        *temporary = None;
        if let Value::Value(p) = &mut state.default_node_pool {
            p.temporary_name_for_rotation = r.pool.temporary_name_for_rotation.clone();
        }
        true
    }

    /// M8, the last step of a rotation an earlier apply left unfinished: deletes the temporary
    /// pool `temp` (private state names it this resource's); false (with an error) when that
    /// fails.
    async fn delete_temporary(
        &self,
        diags: &mut Diagnostics,
        client: &ArmClient,
        id: &ResourceId,
        state: &State,
        temp: &str,
        limit: Duration,
    ) -> bool {
        let temp_id = ResourceId::new(
            Kind::AgentPool,
            &id.subscription_id,
            &id.resource_group,
            &[id.name(), temp],
        );
        let Err(e) = client.delete(&temp_id, limit).await else {
            return true;
        };
        arm_error(diags, "deleting", &temp_id, &e);
        let pool = state
            .default_node_pool
            .as_ref_option()
            .and_then(|p| s(&p.name))
            .unwrap_or_default();
        rotation_incomplete(
            diags,
            pool,
            "4 of 4 (deleting the temporary pool)",
            format!("Node pool \"{pool}\" runs with the new settings; the temporary system pool \"{temp}\" is left in the cluster (this resource's, never shown as drift). Run terraform apply again to delete it."),
        );
        false
    }

    /// One PUT with If-Match on the cluster as last read.
    async fn write(
        &self,
        client: &ArmClient,
        id: &ResourceId,
        planned: &State,
        current: &Tagged<ManagedCluster>,
        stage: Stage,
        limit: Duration,
    ) -> Result<Tagged<ManagedCluster>, ClientError> {
        let body = desired(planned, Some(&current.body), stage);
        // The ETag header, or the body's `eTag` when AKS sends none (the client reads both).
        client
            .put::<_, ManagedCluster>(id, &body, current.etag.as_deref(), limit)
            .await
    }
}

/// O6 on create: kubenet with a system-assigned identity (written, or AKS's default when the
/// block is absent) in a node subnet that already has a route table (Azure/AKS#2333).
fn kubenet_identity_route_table(config: &State, live: &Live) -> Option<Finding> {
    if s(&config.network_plugin) != Some("kubenet") {
        return None;
    }
    let path = match &config.identity {
        Value::Null => FieldPath::attr("network_plugin"),
        Value::Value(i) if s(&i.kind) == Some("SystemAssigned") => {
            FieldPath::attr("identity").index(0).then("type")
        }
        _ => return None,
    };
    o6_route_table(live.node.as_ref()?.route_table.as_deref(), path)
}
