//! `aksnet_cluster_network`: an AKS cluster whose identity is its network. Plan runs every
//! netplan rule plus live checks of the VNet, and classifies changes by AKS's update matrix;
//! apply creates the cluster or migrates it in place, one step per request where AKS needs it.

mod apply;
pub(crate) mod body;
mod checks;
mod imported;
pub(crate) mod live;
pub(crate) mod moved_from_azurerm;
pub(crate) mod plan;
pub(crate) mod pool;
mod pool_plan;
pub(crate) mod schema;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use aksnet_tfplugin::schema::Schema;
use aksnet_tfplugin::value::{Value, ValueEmpty};
use aksnet_tfplugin::{AttributePath, Diagnostics, Identity, IdentitySchema, MoveSource, Resource};
use async_trait::async_trait;

use crate::arm::client::ClientError;
use crate::arm::connection::Connection;
use crate::arm::ids::Kind;
use crate::arm::models::ManagedCluster;
use crate::netplan::migration;
use crate::netplan::{Finding, Severity};
use crate::resources::arm_common::{
    self, arm_error, same_location, ArmResource, LeftBehind, Provisioned, Read,
};
use crate::resources::identity::CLUSTER;
use crate::resources::timeouts;
use crate::tfvalue::{attribute_path, report, report_nulls};

use apply::cluster_changed;
use body::{desired, s, Stage};
use imported::{imported_names, imported_pools_warning, left_to_owner_warning, without_undeclared};

use plan::{as_config, id_of, mark_create_unknowns, net_of, pair, static_findings, without_unknowns};
use pool_plan::{align_pools, pool_changes, pool_changes_to_apply, rotation_findings};
use schema::FORCE_NEW;
pub(crate) use schema::{Planned, Private, State};

const DEFAULT_CRUD: Duration = Duration::from_secs(90 * 60);
const DEFAULT_READ: Duration = Duration::from_secs(5 * 60);

/// ClusterNetwork implements `aksnet_cluster_network`.
#[derive(Debug, Clone)]
pub(crate) struct ClusterNetwork {
    arm: ArmResource,
}

impl ClusterNetwork {
    /// The resource, sharing the provider's connection.
    pub(crate) fn new(connection: Arc<Connection>) -> Self {
        Self {
            arm: ArmResource::new(connection, "aksnet_cluster_network", "clusters"),
        }
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

    /// See [`arm_common::subscription_of`].
    fn identity<'a>(&self, state: &Self::State<'a>) -> Option<Identity> {
        let sub = arm_common::subscription_of(Kind::ManagedCluster, s(&state.id))?;
        Some(CLUSTER.of(&id_of(state, &sub)?))
    }

    async fn import_id(&self, diags: &mut Diagnostics, identity: &Identity) -> Option<String> {
        self.arm.identity_import_id(diags, &CLUSTER, identity)
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
        let (client, sub) = self.arm.client(diags).await?;
        let Some(id) = id_of(&state, &sub) else {
            diags.root_error_short("internal-error: the state has no name or resource group");
            return Some((state, private));
        };
        let importing = state.default_node_pool.is_null();
        let limit = timeouts::resolve(diags, &state.timeouts, "read", DEFAULT_READ)?;
        match arm_common::read::<ManagedCluster>(&client, diags, &id, limit).await {
            Read::Found(cluster) if !importing && cluster.body.failed() => {
                // AKS shows the values of the write that failed, not what the cluster runs:
                // keep what state recorded, so the next plan sends the configuration again.
                diags.root_warning(
                    "Cluster In Failed State",
                    format!("{id} is in provisioningState Failed: its last operation did not complete, and the values Azure shows are the ones that operation asked for. aksnet keeps the values it recorded, so a configuration that differs from them is applied again by the next terraform apply. If the configuration already matches, reconcile the cluster with `az aks update --resource-group {} --name {}` (AKS's remedy for a failed cluster).", id.resource_group, id.name()),
                );
                Some((state, private))
            }
            Read::Found(cluster) => {
                let mut next = state;
                self.settle(&client, &mut next, &cluster, importing).await;
                // On import every pool in node_pool (import records them all); later, those of
                // them still in state, until an apply.
                let (known, temporary) = match private {
                    Some(p) if !importing => (Some(p.imported_pools), p.rotation_temporary),
                    _ => (None, None),
                };
                let imported = if importing || known.is_some() {
                    imported_names(&next, known.as_deref())
                } else {
                    Vec::new()
                };
                if importing && !imported.is_empty() {
                    imported_pools_warning(diags, &next, &imported);
                }
                // A failed rotation's temporary pool stays this resource's while it exists,
                // shown in state so that a plan deleting it is a change.
                let temporary = temporary.filter(|t| cluster.body.pool(t).is_some());
                next.leftover_temporary_pool = temporary.clone().map_or(Value::Null, Value::Value);
                Some((next, Private::of(imported, temporary)))
            }
            Read::Gone => None,
            Read::Unreadable => Some((state, private)),
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
        if !self.arm.credentials_at_plan(diags).await {
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
        self.check(diags, &planned, &config, true, None).await;
        mark_create_unknowns(&mut planned);
        planned.leftover_temporary_pool = Value::Null;
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
        // Pools the import recorded that the configuration does not declare are foreign: the
        // plan starts from a prior without them, so they leave the state with no request.
        let imported = prior_private
            .as_ref()
            .map(|p| p.imported_pools.as_slice())
            .unwrap_or_default();
        let (base, dropped) = without_undeclared(&prior, &config, imported);
        for name in &dropped {
            left_to_owner_warning(diags, name);
        }
        // A failed rotation's temporary pool is deleted by this apply (or by the rotation it
        // resumes): planned as gone, so the plan shows the deletion as a change.
        planned.leftover_temporary_pool = Value::Null;
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
        let pool_plan = pool_changes(&base, &planned);
        for (pool, fixed) in &pool_plan.recreate {
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
        // What this plan decided travels to apply, which carries it out.
        let left = prior_private.as_ref().and_then(|p| p.rotation_temporary.clone());
        let rotation = pool_plan
            .rotate
            .as_ref()
            .map(|r| (r.temporary.as_str(), left.as_deref()));
        self.check(diags, &planned, &config, false, rotation).await;
        report(diags, &change.findings, &config);
        let private = Private {
            imported_pools: imported.to_vec(),
            planned: Some(Planned {
                pools: pool_plan.decision(),
                ipam_first: change.ipam_first,
            }),
            rotation_temporary: left.clone(),
        };
        // The default pool is rotated (M8), never the cluster replaced for it.
        report(diags, &rotation_findings(&prior, &planned), &config);
        if let (Some(temp), None) = (&left, &pool_plan.rotate) {
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
            Some(private),
            replace.into_iter().map(|(p, _)| p).collect(),
        ))
    }

    async fn create<'a>(
        &self,
        diags: &mut Diagnostics,
        planned: Self::State<'a>,
        _config: Self::State<'a>,
        private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let (client, sub) = self.arm.client(diags).await?;
        let id = id_of(&planned, &sub)?;
        let limit = timeouts::resolve(diags, &planned.timeouts, "create", DEFAULT_CRUD)?;
        if !self.arm.require_absent(&client, diags, &id).await {
            return None;
        }
        if !self.udr_ready(diags, &client, &planned).await {
            return None;
        }
        let body = desired(&planned, None, Stage::Full);
        let mut state = planned;
        match arm_common::put_new::<_, ManagedCluster>(&client, diags, &id, &body, limit).await {
            Ok(done) | Err(LeftBehind::Exists(done)) => self.settle(&client, &mut state, &done, false).await,
            Err(LeftBehind::Unknown) => return Some((without_unknowns(state), private)),
            Err(LeftBehind::Nothing) => return None,
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
        let (client, sub) = self.arm.client(diags).await?;
        let id = id_of(&planned, &sub)?;
        let Some(limit) = timeouts::resolve(diags, &planned.timeouts, "update", DEFAULT_CRUD) else {
            return Some((prior, private));
        };
        let Some(mut current) =
            arm_common::current::<ManagedCluster>(&client, diags, &id, "Cluster Not Found").await
        else {
            return Some((prior, private));
        };
        let mut state = prior.clone();
        // What plan decided is carried out here and kept in no state this apply returns.
        let mut private = private;
        let decided = private.as_mut().and_then(|p| p.planned.take());
        // Pools first, one agent pool request each; the cluster is written only for what is
        // the cluster's own. Imported pools the configuration declares start as Azure has them.
        let imported = private
            .as_ref()
            .map(|p| p.imported_pools.as_slice())
            .unwrap_or_default();
        let pool_ops = pool_changes_to_apply(decided.as_ref().map(|d| &d.pools), &prior, &planned, imported);
        // The temporary pool of a rotation that did not finish (M8): reused while the rotation
        // is still planned, deleted once the default pool runs with its new settings.
        let mut temporary = private.as_ref().and_then(|p| p.rotation_temporary.clone());
        // An exit before the end: state records the temporary pool left, if any.
        let keeping = |state: &mut State, private: &Option<Private>, temporary: Option<String>| {
            let imported = private
                .as_ref()
                .map(|p| p.imported_pools.clone())
                .unwrap_or_default();
            state.leftover_temporary_pool = temporary.clone().map_or(Value::Null, Value::Value);
            Private::of(imported, temporary)
        };
        if let (None, Some(temp)) = (&pool_ops.rotate, temporary.clone()) {
            if !self
                .delete_temporary(diags, &client, &id, &state, &temp, limit)
                .await
            {
                let kept = keeping(&mut state, &private, temporary);
                return Some((state, kept));
            }
            temporary = None;
            current = match client.get::<ManagedCluster>(&id).await {
                Ok(Some(c)) => c,
                _ => {
                    let kept = keeping(&mut state, &private, None);
                    return Some((state, kept));
                }
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
                let kept = keeping(&mut state, &private, temporary);
                return Some((state, kept));
            }
            current = match client.get::<ManagedCluster>(&id).await {
                Ok(Some(c)) => c,
                _ => {
                    let kept = keeping(&mut state, &private, temporary);
                    return Some((state, kept));
                }
            };
        }
        let stages: &[Stage] = if !cluster_changed(&prior, &planned) {
            &[]
        } else if decided.as_ref().map_or_else(
            || migration::classify(&net_of(&prior), &net_of(&planned)).ipam_first,
            |d| d.ipam_first,
        ) {
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
                    let kept = keeping(&mut state, &private, temporary);
                    return Some((state, kept));
                }
            }
        }
        // Declared-only attributes (tags, blocks, timeouts) take their planned values.
        let mut done = planned;
        self.settle(&client, &mut done, &current, false).await;
        // After an apply only the declared pools are this resource's: the imported pools the
        // configuration did not declare left the state with this apply.
        done.leftover_temporary_pool = Value::Null;
        Some((done, Private::of(Vec::new(), None)))
    }

    async fn destroy<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: Self::State<'a>,
        _private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<()> {
        let (client, sub) = self.arm.client(diags).await?;
        let id = id_of(&prior, &sub)?;
        let limit = timeouts::resolve(diags, &prior.timeouts, "delete", DEFAULT_CRUD)?;
        arm_common::delete(&client, diags, &id, limit).await
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
        let parsed = self.arm.import_id(diags, Kind::ManagedCluster, &id, true).await?;
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
