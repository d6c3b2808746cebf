//! `aksnet_node_pool`: one agent pool of a cluster another module owns (azurerm's
//! `azurerm_kubernetes_cluster_node_pool` pattern). The pool model, its ARM translation and
//! its rules are `aksnet_cluster_network`'s (`cluster_network::pool`); plan checks the pool
//! against the live cluster (its plugin and mode decide what a node costs) and the live subnet,
//! counting the cluster's other pools, which this resource never touches.
//!
//! The lifecycle comes first; `schema` and `plan` hold the rest.

mod plan;
mod schema;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use aksnet_tfplugin::schema::Schema;
use aksnet_tfplugin::value::{Value, ValueEmpty};
use aksnet_tfplugin::{AttributePath, Diagnostics, Identity, IdentitySchema, Resource};
use async_trait::async_trait;

use crate::arm::client::Tagged;
use crate::arm::connection::Connection;
use crate::arm::ids::{Kind, ResourceId};
use crate::arm::models::AgentPool;
use crate::netplan::{Finding, Severity};
use crate::resources::arm_common::{self, arm_error, put_over, ArmResource, LeftBehind, Read};
use crate::resources::cluster_network::body::s;
use crate::resources::cluster_network::pool::{agent_pool_body, fixed_changes, refresh_pool};
use crate::resources::identity::NODE_POOL;
use crate::resources::timeouts;
use crate::tfvalue::{report, report_nulls};

use plan::static_findings;
pub(crate) use schema::State;
use schema::{block, computed_unknown, without_unknowns};

const DEFAULT_CRUD: Duration = Duration::from_secs(60 * 60);
const DEFAULT_READ: Duration = Duration::from_secs(5 * 60);

/// NodePool implements `aksnet_node_pool`.
#[derive(Debug, Clone)]
pub(crate) struct NodePool {
    arm: ArmResource,
}

impl NodePool {
    /// The resource, sharing the provider's connection.
    pub(crate) fn new(connection: Arc<Connection>) -> Self {
        Self {
            arm: ArmResource::new(connection, "aksnet_node_pool", "node pools"),
        }
    }

    /// Refreshes `state` from an agent pool ARM returned.
    fn settle(state: &mut State, arm: &Tagged<AgentPool>, importing: bool) {
        let prior = state.pool();
        let pool = refresh_pool((!importing).then_some(&prior), &arm.body.profile(), importing);
        state.set_pool(pool);
        state.mode = arm
            .body
            .properties
            .mode
            .as_ref()
            .map_or(Value::Value("User".into()), |m| Value::Value(m.clone()));
        if let Some(id) = &arm.body.id {
            state.id = Value::Value(id.clone());
        }
    }
}

#[async_trait]
impl Resource for NodePool {
    type State<'a> = State;
    type PrivateState<'a> = ValueEmpty;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Schema {
            version: 1,
            block: block(),
        })
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(NODE_POOL.schema())
    }

    /// From `cluster_id` and `name`: the pool's ID, in the cluster's subscription.
    fn identity<'a>(&self, state: &Self::State<'a>) -> Option<Identity> {
        Some(NODE_POOL.of(&state.pool_id()?))
    }

    async fn import_id(&self, diags: &mut Diagnostics, identity: &Identity) -> Option<String> {
        self.arm.identity_import_id(diags, &NODE_POOL, identity)
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Self::State<'a>) -> Option<()> {
        report_nulls(diags, &block(), &config);
        if let Some(id) = s(&config.cluster_id) {
            if let Err(e) = ResourceId::parse(Kind::ManagedCluster, id) {
                diags.error(
                    "Invalid Cluster ID",
                    e.to_string(),
                    AttributePath::new("cluster_id"),
                );
            }
        }
        if let Some(m) = s(&config.mode) {
            if !["User", "System"].contains(&m) {
                diags.error(
                    "Invalid Node Pool Mode",
                    format!("mode is \"{m}\"; AKS accepts \"User\" or \"System\"."),
                    AttributePath::new("mode"),
                );
            }
        }
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
        let (client, _) = self.arm.client(diags).await?;
        let Some(id) = state.pool_id() else {
            diags.root_error_short("internal-error: the state has no cluster ID or name");
            return Some((state, private));
        };
        let importing = state.vm_size.is_null();
        let limit = timeouts::resolve(diags, &state.timeouts, "read", DEFAULT_READ)?;
        match arm_common::read::<AgentPool>(&client, diags, &id, limit).await {
            Read::Found(pool) => {
                let mut next = state;
                Self::settle(&mut next, &pool, importing);
                Some((next, private))
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
        if !self.arm.credentials_at_plan(diags).await {
            return None;
        }
        let mut planned = proposed;
        if config.mode.is_null() {
            planned.mode = Value::Value("User".into());
        }
        self.check(diags, &planned, &config).await;
        computed_unknown(&mut planned, &config);
        Some((planned, ValueEmpty::default()))
    }

    async fn plan_update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: Self::State<'a>,
        proposed: Self::State<'a>,
        config: Self::State<'a>,
        _prior_private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>, Vec<AttributePath>)> {
        let mut planned = proposed;
        if planned == prior {
            return Some((planned, ValueEmpty::default(), Vec::new()));
        }
        let mut replace: Vec<&'static str> = fixed_changes(&prior.pool(), &planned.pool());
        if prior.cluster_id != planned.cluster_id {
            replace.insert(0, "cluster_id");
        }
        self.check(diags, &planned, &config).await;
        if !replace.is_empty() {
            diags.root_warning(
                "Node Pool Will Be Replaced",
                format!(
                    "node pool \"{}\" is deleted and created again, because AKS cannot change {} of an existing pool: its nodes are drained and deleted and its pods rescheduled onto other pools' nodes (pods without another pool to run on wait for the new one). Nothing else about the cluster changes.",
                    s(&planned.name).unwrap_or_default(),
                    replace.join(", ")
                ),
            );
            computed_unknown(&mut planned, &config);
        }
        Some((
            planned,
            ValueEmpty::default(),
            replace.into_iter().map(AttributePath::new).collect(),
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
        let (client, _) = self.arm.client(diags).await?;
        let Some(id) = planned.pool_id() else {
            diags.error(
                "Invalid Cluster ID",
                "cluster_id is not the ID of a managed cluster",
                AttributePath::new("cluster_id"),
            );
            return None;
        };
        let limit = timeouts::resolve(diags, &planned.timeouts, "create", DEFAULT_CRUD)?;
        if !self.arm.require_absent(&client, diags, &id).await {
            return None;
        }
        let body = agent_pool_body(None, &planned.pool(), planned.system());
        let mut state = planned;
        match arm_common::put_new::<_, AgentPool>(&client, diags, &id, &body, limit).await {
            Ok(done) | Err(LeftBehind::Exists(done)) => Self::settle(&mut state, &done, false),
            Err(LeftBehind::Unknown) => return Some((without_unknowns(state, &id), private)),
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
        let (client, _) = self.arm.client(diags).await?;
        let id = planned.pool_id()?;
        let Some(limit) = timeouts::resolve(diags, &planned.timeouts, "update", DEFAULT_CRUD) else {
            return Some((prior, private));
        };
        if prior.pool() == planned.pool() && prior.mode == planned.mode {
            // Only the timeouts changed: nothing to send.
            return Some((planned, private));
        }
        let Some(current) =
            arm_common::current::<AgentPool>(&client, diags, &id, "Node Pool Not Found").await
        else {
            return Some((prior, private));
        };
        let body = agent_pool_body(Some(&current.body.profile()), &planned.pool(), planned.system());
        match put_over::<_, AgentPool>(&client, &id, &body, limit).await {
            Ok(done) => {
                let mut state = planned;
                Self::settle(&mut state, &done, false);
                Some((state, private))
            }
            Err(e) => {
                arm_error(diags, "updating", &id, &e);
                Some((prior, private))
            }
        }
    }

    async fn destroy<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: Self::State<'a>,
        _private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<()> {
        let (client, _) = self.arm.client(diags).await?;
        let id = prior.pool_id()?;
        let limit = timeouts::resolve(diags, &prior.timeouts, "delete", DEFAULT_CRUD)?;
        // AKS refuses to delete the last system pool; its error is shown as it is. A pool gone
        // with its cluster (ARM: 404 ParentResourceNotFound) is deleted: the same destroy may
        // delete the cluster first when `cluster_id` is written as a literal ID, as
        // `-generate-config-out` writes it, so Terraform sees no dependency.
        arm_common::delete(&client, diags, &id, limit).await
    }

    async fn import<'a>(
        &self,
        diags: &mut Diagnostics,
        id: String,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        // The pool is in its cluster's subscription, which need not be the provider's.
        let parsed = self.arm.import_id(diags, Kind::AgentPool, &id, false).await?;
        let cluster = parsed.parent()?;
        let state = State {
            id: Value::Value(parsed.path()),
            cluster_id: Value::Value(cluster.path()),
            name: Value::Value(parsed.name().to_string()),
            ..Default::default()
        };
        Some((state, ValueEmpty::default()))
    }
}
