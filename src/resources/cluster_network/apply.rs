//! `aksnet_cluster_network`'s writes: the pool changes one agent pool request each, the
//! default pool's rotation (M8), the cluster's own PUT with If-Match, and recording each
//! completed step in state.

use std::time::Duration;

use aksnet_tfplugin::value::Value;
use aksnet_tfplugin::Diagnostics;

use crate::arm::client::{ArmClient, ClientError, Tagged};
use crate::arm::ids::ResourceId;
use crate::arm::models::{AgentPool, ManagedCluster};
use crate::resources::arm_common::Provisioned;
use crate::resources::arm_common::{arm_error, put_over};

use super::body::{self, desired, refresh, s, Stage};
use super::live::gather;
use super::plan::agent_pool_id;
use super::pool::{agent_pool_body, refresh_pool};
use super::pool_plan::{PoolChanges, Rotate};
use super::schema::{pool_list, Pool, State, Str};
use super::ClusterNetwork;

/// True when something other than the pools (which change through the agent pool API) or
/// the timeouts differs, so the cluster itself must be written.
pub(super) fn cluster_changed(prior: &State, planned: &State) -> bool {
    // The identity is compared as the body it sends: no block means AKS's default, a
    // system-assigned identity, so dropping a recorded `SystemAssigned` block (e.g. after an
    // import) is no write.
    let own = |s: &State| State {
        default_node_pool: Value::Null,
        node_pool: Value::Null,
        timeouts: Value::Null,
        identity: Value::Null,
        // The rotation's temporary pool goes through the agent pool API.
        leftover_temporary_pool: Value::Null,
        ..s.clone()
    };
    own(prior) != own(planned)
        || body::identity(prior.identity.as_ref_option()) != body::identity(planned.identity.as_ref_option())
}

/// The state's pool list after `pool` was written (`None`: deleted) as Azure answered.
pub(super) fn record_pool(state: &mut State, name: &str, pool: Option<Pool>, system: bool) {
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
    state.node_pool = pool_list(list);
}

/// M8: the error for a default-pool rotation that stopped at `step`, saying what is left.
fn rotation_incomplete(diags: &mut Diagnostics, pool: &str, step: &str, left: String) {
    diags.root_error(
        "Default Node Pool Rotation Incomplete",
        format!("the rotation of the default node pool \"{pool}\" stopped at step {step}. {left}"),
    );
}

impl ClusterNetwork {
    /// With kubenet in a custom VNet: the route table on the node subnet.
    pub(super) async fn kubenet_route_table(&self, client: &ArmClient, state: &State) -> Str {
        if s(&state.network_plugin) != Some("kubenet") {
            return Value::Null;
        }
        let live = gather(client, state, false).await;
        live.node
            .and_then(|n| n.route_table)
            .map_or(Value::Null, Value::Value)
    }

    /// Refreshes `state` from a cluster body, resolving computed values that need more reads.
    pub(super) async fn settle(
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
    pub(super) async fn apply_pools(
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
        let pool_id = |name: &str| agent_pool_id(id, name);
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
            match put_over::<_, AgentPool>(client, &pid, &body, limit).await {
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
    pub(super) async fn rotate(
        &self,
        diags: &mut Diagnostics,
        client: &ArmClient,
        id: &ResourceId,
        r: &Rotate,
        state: &mut State,
        temporary: &mut Option<String>,
        limit: Duration,
    ) -> bool {
        let pool_id = |name: &str| agent_pool_id(id, name);
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
        let deleted = match client.get::<AgentPool>(&old_id).await {
            Ok(None) => Ok(()),
            Ok(Some(_)) => client.delete(&old_id, limit).await.map_err(|e| ("deleting", e)),
            Err(e) => Err(("reading", e)),
        };
        if let Err((doing, e)) = deleted {
            arm_error(diags, doing, &old_id, &e);
            incomplete(
                diags,
                "2 of 4 (deleting the old pool)",
                format!("The temporary system pool \"{temp}\" is in the cluster with the new settings. Run terraform apply again to resume the rotation."),
            );
            return false;
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
    pub(super) async fn delete_temporary(
        &self,
        diags: &mut Diagnostics,
        client: &ArmClient,
        id: &ResourceId,
        state: &State,
        temp: &str,
        limit: Duration,
    ) -> bool {
        let temp_id = agent_pool_id(id, temp);
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
    pub(super) async fn write(
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
