//! `aksnet_cluster_network`'s writes: the pool changes one agent pool request each, the
//! default pool's rotation (M8), the cluster's own PUT with If-Match, and recording each
//! completed step in state.

use std::time::Duration;

use aksnet_tfplugin::value::Value;
use aksnet_tfplugin::Diagnostics;
use serde_json::Value as Json;

use crate::arm::client::{ArmClient, ClientError, Tagged};
use crate::arm::ids::ResourceId;
use crate::resources::arm_common::{arm_error, put_over};

use super::body::{self, desired, refresh, s, Stage};
use super::live::gather;
use super::plan::agent_pool_id;
use super::pool::{agent_pool_body, profile_of, refresh_pool};
use super::pool_plan::{PoolChanges, Rotate};
use super::schema::{Pool, State, Str};
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
    state.node_pool = if list.is_empty() {
        Value::Null
    } else {
        Value::Value(list)
    };
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
        cluster: &Tagged<Json>,
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
        current: &Tagged<Json>,
        ops: &PoolChanges,
        state: &mut State,
        limit: Duration,
    ) -> bool {
        let pool_id = |name: &str| agent_pool_id(id, name);
        let profile = |name: &str| {
            current.body["properties"]["agentPoolProfiles"]
                .as_array()
                .and_then(|l| {
                    l.iter()
                        .find(|p| p["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
                })
                .cloned()
        };
        if let Some(r) = &ops.rotate {
            if !self.rotate(diags, client, id, r, state, limit).await {
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
            match put_over::<_, Json>(client, &pid, &body, limit).await {
                Ok(done) => {
                    let written = refresh_pool(Some(pool), &profile_of(&done.body), false);
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
    /// 1. the temporary pool with the new settings (a failed rotation's is reused);
    /// 2. the old pool deleted (already gone: nothing to do);
    /// 3. the pool created again with the new settings, recorded in `state`;
    /// 4. the temporary pool deleted.
    ///
    /// A failed step is an error naming the step and what is left; until step 3 the state
    /// keeps the old pool, so the next apply plans the rotation again and resumes it.
    pub(super) async fn rotate(
        &self,
        diags: &mut Diagnostics,
        client: &ArmClient,
        id: &ResourceId,
        r: &Rotate,
        state: &mut State,
        limit: Duration,
    ) -> bool {
        let pool_id = |name: &str| agent_pool_id(id, name);
        let name = s(&r.pool.name).unwrap_or_default().to_string();
        let (temp, temp_id) = (r.temporary.as_str(), pool_id(&r.temporary));
        let incomplete = |diags: &mut Diagnostics, step: &str, left: String| {
            diags.root_error(
                "Default Node Pool Rotation Incomplete",
                format!("the rotation of the default node pool \"{name}\" stopped at step {step}. {left}"),
            );
        };
        // 1. The temporary system pool, with the new settings.
        let mut temporary = r.pool.settings();
        temporary.name = Value::Value(temp.to_string());
        match client.get::<Json>(&temp_id).await {
            Ok(Some(_)) => {} // a failed rotation left it: reuse it
            Ok(None) => {
                let body = agent_pool_body(None, &temporary, true);
                if let Err(e) = client.put::<_, Json>(&temp_id, &body, None, limit).await {
                    arm_error(diags, "creating", &temp_id, &e);
                    incomplete(
                        diags,
                        "1 of 4 (creating the temporary pool)",
                        format!("Node pool \"{}\" is unchanged; the temporary pool \"{temp}\" may exist (it is not declared, so it is kept and counted, never shown as drift). Run terraform apply again to resume the rotation.", r.old_name),
                    );
                    return false;
                }
            }
            Err(e) => {
                arm_error(diags, "reading", &temp_id, &e);
                return false;
            }
        }
        // 2. The old pool: the temporary system pool now carries the system pods.
        let old_id = pool_id(&r.old_name);
        if let Err(e) = client.delete(&old_id, limit).await {
            arm_error(diags, "deleting", &old_id, &e);
            incomplete(
                diags,
                "2 of 4 (deleting the old pool)",
                format!("The temporary system pool \"{temp}\" is left in the cluster with the new settings. Run terraform apply again to resume the rotation."),
            );
            return false;
        }
        // 3. The pool again, with the new settings.
        let new_id = pool_id(&name);
        match client
            .put::<_, Json>(&new_id, &agent_pool_body(None, &r.pool, true), None, limit)
            .await
        {
            Ok(done) => {
                let written = refresh_pool(Some(&r.pool), &profile_of(&done.body), false);
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
                format!("Node pool \"{name}\" runs with the new settings and is recorded in state; the temporary system pool \"{temp}\" is left in the cluster (not declared, so kept and counted as a foreign pool, never shown as drift). Delete it (`az aks nodepool delete --name {temp}`) once it is not needed."),
            );
            return false;
        }
        true
    }

    /// One PUT with If-Match on the cluster as last read.
    pub(super) async fn write(
        &self,
        client: &ArmClient,
        id: &ResourceId,
        planned: &State,
        current: &Tagged<Json>,
        stage: Stage,
        limit: Duration,
    ) -> Result<Tagged<Json>, ClientError> {
        let body = desired(planned, Some(&current.body), stage);
        let etag = current
            .etag
            .clone()
            .or_else(|| current.body["eTag"].as_str().map(str::to_string));
        client.put::<_, Json>(id, &body, etag.as_deref(), limit).await
    }
}
