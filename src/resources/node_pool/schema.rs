//! `aksnet_node_pool`'s schema and state: the pool's attributes are `cluster_network`'s
//! `node_pool` block, at the top level.

use std::collections::HashMap;

use aksnet_tfplugin::schema::{AttributeConstraint as C, AttributeType as T, Block, Description};
use aksnet_tfplugin::value::Value;
use serde::{Deserialize, Serialize};

use crate::arm::ids::{Kind, ResourceId};
use crate::resources::cluster_network::body::s;
use crate::resources::cluster_network::plan::agent_pool_id;
use crate::resources::cluster_network::pool::{pool_attributes, Pool};
use crate::resources::cluster_network::schema::{with_pool_computed, Num, Str, StrList};
use crate::resources::timeouts::{self, Timeouts};
use crate::tfvalue::attribute;

/// Terraform state, in lock-step with the schema: the pool's attributes are
/// `cluster_network`'s `node_pool` block, at the top level.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct State {
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
    pub(super) fn pool(&self) -> Pool {
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

    pub(super) fn set_pool(&mut self, p: Pool) {
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

    pub(super) fn system(&self) -> bool {
        s(&self.mode).is_some_and(|m| m.eq_ignore_ascii_case("System"))
    }

    pub(super) fn cluster(&self) -> Option<ResourceId> {
        ResourceId::parse(Kind::ManagedCluster, s(&self.cluster_id)?).ok()
    }

    pub(super) fn pool_id(&self) -> Option<ResourceId> {
        Some(agent_pool_id(&self.cluster()?, s(&self.name)?))
    }
}

/// Values AKS defaults when the configuration leaves them unset.
pub(super) fn computed_unknown(p: &mut State, config: &State) {
    macro_rules! unset {
        ($($f:ident),*) => {$(
            if config.$f.is_null() {
                p.$f = Value::Unknown;
            }
        )*};
    }
    with_pool_computed!(unset);
    p.id = Value::Unknown;
}

/// The resource schema.
pub(super) fn block() -> Block {
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

/// The planned state with the values a create never learned set to null.
pub(super) fn without_unknowns(mut p: State, id: &ResourceId) -> State {
    use crate::tfvalue::null_if_unknown;
    macro_rules! null_if_unlearned {
        ($($f:ident),*) => {$(null_if_unknown(&mut p.$f);)*};
    }
    with_pool_computed!(null_if_unlearned);
    p.id = Value::Value(id.path());
    p
}
