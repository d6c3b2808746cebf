//! The node pool model both `aksnet_cluster_network` (its `default_node_pool` and `node_pool`
//! blocks) and `aksnet_node_pool` use: the Terraform shape, the agent pool model
//! ([`AgentPoolProfile`]) in both directions, what AKS fixes at creation, and the pool as netplan counts it.

use std::collections::BTreeSet;

use aksnet_tfplugin::schema::{AttributeConstraint as C, AttributeType as T, Block};
use aksnet_tfplugin::value::Value;
use serde::{Deserialize, Serialize};

use crate::arm::models::{AgentPool, AgentPoolProfile, AgentPoolProperties, UpgradeSettings};
use crate::netplan::{FieldPath, NodePool, Placement};
use crate::tfvalue::attribute;

use super::body::{drift, list, num, s, set_num, set_str, strs, text};
use super::plan::u32_of;
use super::schema::{block_of, Num, Str, StrList};

/// `default_node_pool` and `node_pool` blocks.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Pool {
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
    /// `default_node_pool` only: the temporary system pool's name for a rotation (M8). The
    /// other pool blocks and `aksnet_node_pool` have no such attribute: `None` there, and
    /// left out of what is sent to Terraform; the default pool always sends it (see
    /// [`serialize_default_pool`]).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub temporary_name_for_rotation: Option<Str>,
}

/// An attribute the block declares: `Some` even when null.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Str>, D::Error> {
    Str::deserialize(d).map(Some)
}

/// `default_node_pool` as Terraform expects it: with `temporary_name_for_rotation`, null when
/// the pool was built from Azure's answer alone (import).
pub(crate) fn serialize_default_pool<S: serde::Serializer>(
    v: &Value<Pool>,
    ser: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Value::Value(p) if p.temporary_name_for_rotation.is_none() => {
            let mut p = p.clone();
            p.temporary_name_for_rotation = Some(Value::Null);
            Value::Value(p).serialize(ser)
        }
        other => other.serialize(ser),
    }
}

impl Pool {
    /// The settings AKS runs the pool with: everything but the rotation's temporary name.
    pub(crate) fn settings(&self) -> Pool {
        Pool {
            temporary_name_for_rotation: None,
            ..self.clone()
        }
    }
}

/// Pool attributes AKS fixes when a pool is created (A-ip; update matrix).
pub(crate) const POOL_FIXED: [&str; 8] = [
    "name",
    "vm_size",
    "os_type",
    "max_pods",
    "vnet_subnet_id",
    "pod_subnet_id",
    "pod_ip_allocation_mode",
    "zones",
];

/// A `node_pool` block.
pub(crate) fn pool_block(doc: &str) -> Block {
    let fixed = " Changing this deletes the pool and creates it again (AKS cannot change it on an existing pool); the cluster is not replaced.";
    block_of(pool_attributes(fixed), vec![], doc)
}

/// The `default_node_pool` block: a pool plus `temporary_name_for_rotation`.
pub(crate) fn default_pool_block(doc: &str) -> Block {
    let fixed = " Changing this rotates the pool through a temporary system pool named `temporary_name_for_rotation` (AKS cannot change it on an existing pool); the cluster is not replaced.";
    let mut attrs = pool_attributes(fixed);
    attrs.push((
        "temporary_name_for_rotation",
        attribute(
            T::String,
            C::Optional,
            "The name of a temporary system pool for a change AKS cannot make on an existing pool (VM size, OS, max pods, subnets, pod IP allocation mode, zones, name): the temporary pool is created with the new settings, this pool deleted and created again with them, and the temporary pool deleted, so the cluster always has a system pool and is never replaced (rule M8; as azurerm's attribute of the same name). Without it such a change is a plan error. A pool name (`^[a-z][a-z0-9]{0,11}$`) no declared pool uses; changing it alone changes nothing in Azure.",
        ),
    ));
    block_of(attrs, vec![], doc)
}

/// The pool's attributes; `fixed` ends the description of those AKS fixes at creation.
pub(crate) fn pool_attributes(fixed: &str) -> Vec<(&'static str, aksnet_tfplugin::schema::Attribute)> {
    let s = |c, d: &str| attribute(T::String, c, d);
    let n = |c, d: &str| attribute(T::Number, c, d);
    vec![
            ("name", s(C::Required, &format!("The pool name: `^[a-z][a-z0-9]{{0,11}}$`, at most 6 characters for Windows.{fixed}"))),
            ("vm_size", s(C::Required, &format!("The VM size, e.g. `Standard_D4s_v5`.{fixed}"))),
            ("os_type", s(C::OptionalComputed, &format!("`Linux` or `Windows`. Defaults to `Linux`.{fixed}"))),
            ("node_count", n(C::OptionalComputed, "The node count (the initial count when autoscaling; the autoscaler's changes are not drift). Required unless the pool autoscales: with `auto_scaling_enabled`, `min_count` and `max_count` it may be left out, AKS starts the pool at `min_count` and capacity is checked at `max_count`.")),
            ("auto_scaling_enabled", attribute(T::Bool, C::Optional, "Whether the cluster autoscaler manages the pool between `min_count` and `max_count`.")),
            ("min_count", n(C::Optional, "The autoscaler minimum.")),
            ("max_count", n(C::Optional, "The autoscaler maximum; address capacity is checked against it.")),
            ("max_pods", n(C::OptionalComputed, &format!("Pods per node (10–250). Defaults to the plugin's default (kubenet 110, Azure CNI 30, overlay and none 250; with a pod subnet Microsoft's pages disagree, 250 or 110, so aksnet sizes the pod subnet for 250 — set it to plan for what the pool runs).{fixed}"))),
            ("max_surge", s(C::OptionalComputed, "Extra nodes during upgrades: a count (`\"3\"`) or a percentage (`\"33%\"`); they need addresses too.")),
            ("vnet_subnet_id", s(C::Optional, &format!("The node subnet (custom VNet). Without it AKS creates a managed VNet.{fixed}"))),
            ("pod_subnet_id", s(C::Optional, &format!("The pod subnet (Azure CNI with dynamic or static block allocation).{fixed}"))),
            ("pod_ip_allocation_mode", s(C::OptionalComputed, &format!("`DynamicIndividual` or `StaticBlock`; only with `pod_subnet_id`.{fixed}"))),
            ("zones", attribute(T::List(Box::new(T::String)), C::Optional, &format!("Availability zones, e.g. `[\"1\", \"2\", \"3\"]`.{fixed}"))),
    ]
}

/// The pool's agent pool profile, on top of `existing` (the pool as Azure last showed it).
pub(crate) fn pool_profile(
    existing: Option<&AgentPoolProfile>,
    pool: &Pool,
    system: bool,
) -> AgentPoolProfile {
    let mut p = existing.cloned().unwrap_or_else(|| AgentPoolProfile {
        name: String::new(),
        properties: AgentPoolProperties {
            kind: Some("VirtualMachineScaleSets".into()),
            ..Default::default()
        },
    });
    if let Some(name) = s(&pool.name) {
        p.name = name.to_string();
    }
    let m = &mut p.properties;
    m.mode = Some(if system { "System" } else { "User" }.into());
    set_str(&mut m.vm_size, &pool.vm_size);
    set_str(&mut m.os_type, &pool.os_type);
    let autoscale = pool
        .auto_scaling_enabled
        .as_ref_option()
        .copied()
        .unwrap_or(false);
    m.enable_auto_scaling = Some(autoscale);
    if autoscale {
        set_num(&mut m.min_count, &pool.min_count);
        set_num(&mut m.max_count, &pool.max_count);
        // The autoscaler owns the count after creation.
        if existing.is_none() {
            set_num(&mut m.count, &pool.node_count);
            if m.count.is_none() {
                set_num(&mut m.count, &pool.min_count);
            }
        }
    } else {
        m.min_count = None;
        m.max_count = None;
        set_num(&mut m.count, &pool.node_count);
    }
    set_num(&mut m.max_pods, &pool.max_pods);
    if let Some(surge) = s(&pool.max_surge) {
        m.upgrade_settings
            .get_or_insert_with(UpgradeSettings::default)
            .max_surge = Some(surge.to_string());
    }
    set_str(&mut m.vnet_subnet_id, &pool.vnet_subnet_id);
    set_str(&mut m.pod_subnet_id, &pool.pod_subnet_id);
    set_str(&mut m.pod_ip_allocation_mode, &pool.pod_ip_allocation_mode);
    if let Some(z) = strs(&pool.zones) {
        m.availability_zones = Some(z);
    }
    p
}

/// An agent pool request body (`AgentPool`: the profile's fields under `properties`), on top
/// of the pool as the cluster last showed it.
pub(crate) fn agent_pool_body(existing: Option<&AgentPoolProfile>, pool: &Pool, system: bool) -> AgentPool {
    AgentPool::request(pool_profile(existing, pool, system).properties)
}

pub(crate) fn refresh_pool(prior: Option<&Pool>, arm: &AgentPoolProfile, importing: bool) -> Pool {
    let blank = Pool::default();
    let p = prior.unwrap_or(&blank);
    let imp = importing || prior.is_none();
    let a = &arm.properties;
    let autoscale = a.enable_auto_scaling.unwrap_or(false);
    Pool {
        name: if arm.name.is_empty() {
            Value::Null
        } else {
            Value::Value(arm.name.clone())
        },
        vm_size: text(a.vm_size.as_ref()),
        os_type: text(a.os_type.as_ref()).or(Value::Value("Linux".into())),
        // The autoscaler moves the count; that is not drift.
        node_count: if autoscale && !imp && p.node_count.is_value() {
            p.node_count
        } else {
            num(a.count)
        },
        auto_scaling_enabled: if autoscale || p.auto_scaling_enabled.is_value() {
            Value::Value(autoscale)
        } else {
            Value::Null
        },
        min_count: drift(&p.min_count, num(a.min_count), imp),
        max_count: drift(&p.max_count, num(a.max_count), imp),
        max_pods: num(a.max_pods),
        max_surge: match text(a.upgrade_settings.as_ref().and_then(|u| u.max_surge.as_ref())) {
            Value::Null if !imp && p.max_surge.is_value() => p.max_surge.clone(),
            v => v,
        },
        vnet_subnet_id: drift(&p.vnet_subnet_id, text(a.vnet_subnet_id.as_ref()), imp),
        pod_subnet_id: drift(&p.pod_subnet_id, text(a.pod_subnet_id.as_ref()), imp),
        pod_ip_allocation_mode: text(a.pod_ip_allocation_mode.as_ref()),
        zones: drift(
            &p.zones,
            a.availability_zones.clone().map_or(Value::Null, list),
            imp,
        ),
        // Configuration only: Azure has no such field.
        temporary_name_for_rotation: p.temporary_name_for_rotation.clone(),
    }
}

/// Pool attributes known only after apply (from another resource or module).
pub(crate) fn pool_unknowns(p: &Pool) -> BTreeSet<&'static str> {
    let nums: [(&'static str, &Num); 4] = [
        ("node_count", &p.node_count),
        ("min_count", &p.min_count),
        ("max_count", &p.max_count),
        ("max_pods", &p.max_pods),
    ];
    let strs: [(&'static str, &Str); 4] = [
        ("max_surge", &p.max_surge),
        ("os_type", &p.os_type),
        ("pod_subnet_id", &p.pod_subnet_id),
        ("pod_ip_allocation_mode", &p.pod_ip_allocation_mode),
    ];
    let mut out: BTreeSet<&'static str> = nums
        .into_iter()
        .filter(|(_, v)| v.is_unknown())
        .map(|(k, _)| k)
        .collect();
    out.extend(strs.into_iter().filter(|(_, v)| v.is_unknown()).map(|(k, _)| k));
    out
}

/// The attributes of `a` → `b` that AKS cannot change on an existing pool.
pub(crate) fn fixed_changes(a: &Pool, b: &Pool) -> Vec<&'static str> {
    let pairs: [(&'static str, bool); 8] = [
        ("name", a.name != b.name),
        ("vm_size", a.vm_size != b.vm_size),
        ("os_type", a.os_type != b.os_type),
        ("max_pods", a.max_pods != b.max_pods),
        ("vnet_subnet_id", a.vnet_subnet_id != b.vnet_subnet_id),
        ("pod_subnet_id", a.pod_subnet_id != b.pod_subnet_id),
        (
            "pod_ip_allocation_mode",
            a.pod_ip_allocation_mode != b.pod_ip_allocation_mode,
        ),
        ("zones", a.zones != b.zones),
    ];
    debug_assert_eq!(pairs.len(), POOL_FIXED.len());
    pairs
        .into_iter()
        .filter_map(|(attr, differs)| differs.then_some(attr))
        .collect()
}

/// The pool as netplan counts it, its attributes under `path`.
pub(crate) fn netplan_pool(path: FieldPath, p: &Pool) -> NodePool {
    NodePool {
        path,
        name: p.name.as_ref_option().cloned(),
        os_type: p.os_type.as_ref_option().cloned(),
        node_count: u32_of(&p.node_count),
        min_count: u32_of(&p.min_count),
        max_count: u32_of(&p.max_count),
        max_pods: u32_of(&p.max_pods),
        max_surge: p.max_surge.as_ref_option().cloned(),
        uses_pod_subnet: !p.pod_subnet_id.is_null(),
        pod_ip_allocation_mode: p.pod_ip_allocation_mode.as_ref_option().cloned(),
        unknown: pool_unknowns(p),
        placement: Placement::default(),
    }
}

/// The pools Azure shows (`agentPoolProfiles`, or agent pools in that shape) that are not
/// among `declared`: pools another resource, module or tool owns. They are foreign, like the
/// routes AKS writes: never drift, never deleted, but their nodes take addresses, routes and
/// pod ranges, so the capacity rules count them. A pool on another node subnet than
/// `node_subnet` (or another pod subnet than `pod_subnet`) takes no address from ours, but
/// still counts in the cluster-wide limits (kubenet routes, the pod CIDR): its placement says
/// so, and netplan decides what counts where.
pub(crate) fn foreign_pools(
    arm: &[AgentPoolProfile],
    declared: &[&str],
    node_subnet: Option<&str>,
    pod_subnet: Option<&str>,
) -> Vec<NodePool> {
    let other = |theirs: &Option<String>, ours: Option<&str>| match (theirs.as_deref(), ours) {
        (Some(theirs), Some(ours)) => !theirs.eq_ignore_ascii_case(ours),
        _ => false,
    };
    arm.iter()
        .filter(|p| !declared.iter().any(|d| d.eq_ignore_ascii_case(&p.name)))
        .map(|p| {
            let pool = refresh_pool(None, p, true);
            let name = s(&pool.name).unwrap_or_default().to_string();
            NodePool {
                placement: Placement {
                    other_node_subnet: other(&p.properties.vnet_subnet_id, node_subnet),
                    other_pod_subnet: other(&p.properties.pod_subnet_id, pod_subnet),
                },
                ..netplan_pool(FieldPath::foreign(name), &pool)
            }
        })
        .collect()
}
