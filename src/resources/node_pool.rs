//! `aksnet_node_pool`: one agent pool of a cluster another module owns (azurerm's
//! `azurerm_kubernetes_cluster_node_pool` pattern). The pool model, its ARM translation and
//! its rules are `aksnet_cluster_network`'s (`cluster_network::pool`); plan checks the pool
//! against the live cluster (its plugin and mode decide what a node costs) and the live subnet,
//! counting the cluster's other pools, which this resource never touches.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use aksnet_tfplugin::schema::{AttributeConstraint as C, AttributeType as T, Block, Description, Schema};
use aksnet_tfplugin::value::{Value, ValueEmpty};
use aksnet_tfplugin::{AttributePath, Diagnostics, Identity, IdentitySchema, Resource};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::arm::client::{ArmClient, ClientError, Tagged};
use crate::arm::connection::{Connection, ConnectionError};
use crate::arm::ids::{Kind, ResourceId};
use crate::arm::models::{AgentPool, ManagedCluster};
use crate::netplan::profile::Lifecycle;
use crate::netplan::rules::validate_profile;
use crate::netplan::{FieldPath, Finding, Severity, Step};
use crate::resources::arm_common::{self, arm_error, left_behind, require_absent, LeftBehind};
use crate::resources::cluster_network::body::{refresh, s};
use crate::resources::cluster_network::live::{gather, Live};
use crate::resources::cluster_network::plan::{profile, shape_findings};
use crate::resources::cluster_network::pool::{
    agent_pool_body, fixed_changes, foreign_pools, pool_attributes, refresh_pool, Pool,
};
use crate::resources::cluster_network::schema::{Num, State as Cluster, Str, StrList};
use crate::resources::identity::NODE_POOL;
use crate::resources::timeouts::{self, Timeouts};
use crate::tfvalue::{attribute, report, report_nulls};

const DEFAULT_CRUD: Duration = Duration::from_secs(60 * 60);
const DEFAULT_READ: Duration = Duration::from_secs(5 * 60);

/// Terraform state, in lock-step with the schema: the pool's attributes are
/// `cluster_network`'s `node_pool` block, at the top level.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub cluster_id: Str,
    pub mode: Str,
    pub name: Str,
    pub vm_size: Str,
    pub os_type: Str,
    pub node_count: Num,
    pub auto_scaling_enabled: Value<bool>,
    pub min_count: Num,
    pub max_count: Num,
    pub max_pods: Num,
    pub max_surge: Str,
    pub vnet_subnet_id: Str,
    pub pod_subnet_id: Str,
    pub pod_ip_allocation_mode: Str,
    pub zones: StrList,
    pub timeouts: Value<Timeouts>,
}

impl State {
    /// The pool, as `cluster_network` models it.
    fn pool(&self) -> Pool {
        Pool {
            name: self.name.clone(),
            vm_size: self.vm_size.clone(),
            os_type: self.os_type.clone(),
            node_count: self.node_count,
            auto_scaling_enabled: self.auto_scaling_enabled,
            min_count: self.min_count,
            max_count: self.max_count,
            max_pods: self.max_pods,
            max_surge: self.max_surge.clone(),
            vnet_subnet_id: self.vnet_subnet_id.clone(),
            pod_subnet_id: self.pod_subnet_id.clone(),
            pod_ip_allocation_mode: self.pod_ip_allocation_mode.clone(),
            zones: self.zones.clone(),
            // A standalone pool is a user pool or one of several system pools: deleted and
            // created again, never rotated.
            temporary_name_for_rotation: None,
        }
    }

    fn set_pool(&mut self, p: Pool) {
        self.name = p.name;
        self.vm_size = p.vm_size;
        self.os_type = p.os_type;
        self.node_count = p.node_count;
        self.auto_scaling_enabled = p.auto_scaling_enabled;
        self.min_count = p.min_count;
        self.max_count = p.max_count;
        self.max_pods = p.max_pods;
        self.max_surge = p.max_surge;
        self.vnet_subnet_id = p.vnet_subnet_id;
        self.pod_subnet_id = p.pod_subnet_id;
        self.pod_ip_allocation_mode = p.pod_ip_allocation_mode;
        self.zones = p.zones;
    }

    fn system(&self) -> bool {
        s(&self.mode).is_some_and(|m| m.eq_ignore_ascii_case("System"))
    }

    fn cluster(&self) -> Option<ResourceId> {
        ResourceId::parse(Kind::ManagedCluster, s(&self.cluster_id)?).ok()
    }

    fn pool_id(&self) -> Option<ResourceId> {
        let c = self.cluster()?;
        Some(ResourceId::new(
            Kind::AgentPool,
            &c.subscription_id,
            &c.resource_group,
            &[c.name(), s(&self.name)?],
        ))
    }
}

/// Values AKS defaults when the configuration leaves them unset.
fn computed_unknown(p: &mut State, config: &State) {
    macro_rules! unset {
        ($($f:ident),*) => {$(
            if config.$f.is_null() {
                p.$f = Value::Unknown;
            }
        )*};
    }
    unset!(os_type, node_count, max_pods, max_surge, pod_ip_allocation_mode);
    p.id = Value::Unknown;
}

/// The resource schema.
pub fn block() -> Block {
    let force = " Changing this forces a new node pool to be created.";
    let s = |c, d: &str| attribute(T::String, c, d);
    let mut attrs: Vec<(&str, aksnet_tfplugin::schema::Attribute)> = vec![
        ("id", s(C::Computed, "The agent pool's ARM ID.")),
        ("cluster_id", s(C::Required, &format!("The ID of the managed cluster (e.g. `aksnet_cluster_network.example.id`).{force}"))),
        ("mode", s(C::OptionalComputed, "`User` or `System`. Defaults to `User`. Updates in place; AKS refuses to make the last system pool a user pool.")),
    ];
    let fixed = " Changing this forces a new node pool to be created (AKS cannot change it on an existing pool); only this pool is replaced.";
    attrs.extend(pool_attributes(fixed));
    Block {
        version: 1,
        attributes: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        blocks: HashMap::from([("timeouts".to_string(), timeouts::block(60, 5, 60, 60, "node pool"))]),
        description: Description::markdown(
            "Manages one node pool (agent pool) of an AKS cluster, for pools another module owns. The pool is checked at \
             plan time against the live cluster and subnet with the same rules as `aksnet_cluster_network`'s \
             `node_pool` blocks, counting the cluster's other pools; counts, autoscaling, surge and mode update in \
             place through the agent pool API, while a change AKS cannot make replaces this pool only.",
        ),
        deprecated: false,
    }
}

/// A finding about the cluster seen with this pool as its `default_node_pool`, as this
/// resource shows it: paths under the pool become top-level attributes, others the resource.
fn as_pool_finding(mut f: Finding) -> Finding {
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
fn static_findings(cfg: &State) -> Vec<Finding> {
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

/// NodePool implements `aksnet_node_pool`.
#[derive(Debug, Clone)]
pub struct NodePool {
    connection: Arc<Connection>,
}

impl NodePool {
    /// The resource, sharing the provider's connection.
    pub fn new(connection: Arc<Connection>) -> Self {
        Self { connection }
    }

    async fn client(&self, diags: &mut Diagnostics) -> Option<ArmClient> {
        arm_common::client(&self.connection, diags, "node pools")
            .await
            .map(|(c, _)| c)
    }

    /// Plan-time checks against the live cluster and subnet: what this pool adds to the
    /// cluster as Azure shows it (its other pools counted, never changed).
    async fn check(&self, diags: &mut Diagnostics, planned: &State, config: &State) {
        report_nulls(diags, &block(), config);
        let mut findings = static_findings(planned);
        findings.extend(self.live_findings(diags, planned).await);
        report(diags, &findings, config);
    }

    async fn live_findings(&self, diags: &mut Diagnostics, planned: &State) -> Vec<Finding> {
        let Some(cluster_id) = planned.cluster() else {
            return Vec::new(); // unknown until the cluster exists, or reported by validate
        };
        let client = match self.connection.client().await {
            Ok(c) => c,
            Err(e @ ConnectionError::Credentials(_)) => {
                arm_common::connection_error(diags, &e);
                return Vec::new();
            }
            Err(e) => {
                diags.root_warning(
                    "Live Network Checks Skipped",
                    format!("the node pool was not checked against its cluster and subnet: {e}"),
                );
                return Vec::new();
            }
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
        Some(NODE_POOL.to_id(diags, identity, "aksnet_node_pool")?.path())
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
        let client = self.client(diags).await?;
        let Some(id) = state.pool_id() else {
            diags.root_error_short("internal-error: the state has no cluster ID or name");
            return Some((state, private));
        };
        let importing = state.vm_size.is_null();
        let limit = timeouts::resolve(diags, &state.timeouts, "read", DEFAULT_READ)?;
        match client.get_within::<AgentPool>(&id, limit).await {
            Ok(Some(pool)) => {
                let mut next = state;
                Self::settle(&mut next, &pool, importing);
                Some((next, private))
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
        if !arm_common::credentials_at_plan(&self.connection, diags).await {
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

    async fn plan_destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: Self::State<'a>,
        _prior_private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<Self::PrivateState<'a>> {
        Some(ValueEmpty::default())
    }

    async fn create<'a>(
        &self,
        diags: &mut Diagnostics,
        planned: Self::State<'a>,
        _config: Self::State<'a>,
        private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let client = self.client(diags).await?;
        let Some(id) = planned.pool_id() else {
            diags.error(
                "Invalid Cluster ID",
                "cluster_id is not the ID of a managed cluster",
                AttributePath::new("cluster_id"),
            );
            return None;
        };
        let limit = timeouts::resolve(diags, &planned.timeouts, "create", DEFAULT_CRUD)?;
        if !require_absent(&client, diags, &id, "aksnet_node_pool").await {
            return None;
        }
        let body = agent_pool_body(None, &planned.pool(), planned.system());
        let mut state = planned;
        match client.put::<_, AgentPool>(&id, &body, None, limit).await {
            Ok(done) => Self::settle(&mut state, &done, false),
            Err(e) => {
                arm_error(diags, "creating", &id, &e);
                // The PUT may have created the pool before failing: record it (Terraform
                // taints it) so it is never lost.
                return match left_behind::<AgentPool>(&client, diags, &id, &e).await {
                    LeftBehind::Exists(p) => {
                        Self::settle(&mut state, &p, false);
                        Some((state, private))
                    }
                    LeftBehind::Unknown => Some((without_unknowns(state, &id), private)),
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
        let client = self.client(diags).await?;
        let id = planned.pool_id()?;
        let Some(limit) = timeouts::resolve(diags, &planned.timeouts, "update", DEFAULT_CRUD) else {
            return Some((prior, private));
        };
        if prior.pool() == planned.pool() && prior.mode == planned.mode {
            // Only the timeouts changed: nothing to send.
            return Some((planned, private));
        }
        let current = match client.get::<AgentPool>(&id).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                diags.root_error(
                    "Node Pool Not Found",
                    format!("{id} was deleted outside Terraform; run terraform apply again to create it."),
                );
                return Some((prior, private));
            }
            Err(e) => {
                arm_error(diags, "reading", &id, &e);
                return Some((prior, private));
            }
        };
        let body = agent_pool_body(Some(&current.body.profile()), &planned.pool(), planned.system());
        let mut written = client.put::<_, AgentPool>(&id, &body, None, limit).await;
        if matches!(&written, Err(ClientError::Arm(e)) if e.status == 412) {
            // Someone wrote in between (AKS itself, often): write on top of theirs once.
            written = client.put::<_, AgentPool>(&id, &body, None, limit).await;
        }
        match written {
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
        let client = self.client(diags).await?;
        let id = prior.pool_id()?;
        let limit = timeouts::resolve(diags, &prior.timeouts, "delete", DEFAULT_CRUD)?;
        // AKS refuses to delete the last system pool; its error is shown as it is.
        match client.delete(&id, limit).await {
            Ok(()) => Some(()),
            // Gone with its cluster (ARM: 404 ParentResourceNotFound): the same destroy may
            // delete the cluster first when `cluster_id` is written as a literal ID, as
            // `-generate-config-out` writes it, so Terraform sees no dependency.
            Err(ClientError::Arm(e)) if e.status == 404 => Some(()),
            Err(e) => {
                arm_error(diags, "deleting", &id, &e);
                None
            }
        }
    }

    async fn import<'a>(
        &self,
        diags: &mut Diagnostics,
        id: String,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let parsed = match ResourceId::parse(Kind::AgentPool, &id) {
            Ok(p) => p,
            Err(e) => {
                diags.root_error("Invalid Import ID", e.to_string());
                return None;
            }
        };
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

/// The planned state with the values a create never learned set to null.
fn without_unknowns(mut p: State, id: &ResourceId) -> State {
    use crate::tfvalue::null_if_unknown;
    null_if_unknown(&mut p.os_type);
    null_if_unknown(&mut p.node_count);
    null_if_unknown(&mut p.max_pods);
    null_if_unknown(&mut p.max_surge);
    null_if_unknown(&mut p.pod_ip_allocation_mode);
    p.id = Value::Value(id.path());
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::schema_guard::{assert_state_matches, assert_well_described};

    #[test]
    fn state_matches_schema() {
        assert_state_matches(&State::default(), &block(), "aksnet_node_pool");
        assert_well_described(&block(), "aksnet_node_pool");
    }

    #[test]
    fn findings_under_the_pool_point_at_top_level_attributes() {
        let f = Finding::error(
            crate::netplan::RuleId::C3,
            FieldPath::attr("default_node_pool").then("node_count"),
            "X",
            "default_node_pool.node_count is 0; the pools peak at 3 nodes (default_node_pool: 3 + 0 surge)",
        );
        let g = as_pool_finding(f);
        assert_eq!(g.path, FieldPath::attr("node_count"));
        assert_eq!(
            g.detail,
            "node_count is 0; the pools peak at 3 nodes (this node pool: 3 + 0 surge)"
        );
    }
}
