//! `aksnet_cluster_network`'s pool plan: what an update does to the pools, matched by name
//! (create, delete, update, recreate, and the default pool's rotation, M8), and planned pools
//! lined up with their prior values.

use aksnet_tfplugin::value::Value;
use serde::{Deserialize, Serialize};

use crate::netplan::rotation::{m8_default_pool_rotation, Rotation};
use crate::netplan::Finding;
use crate::tfvalue::input;

use super::body::s;
use super::imported::without_undeclared;
use super::pool::fixed_changes;
use super::schema::{with_pool_computed, Pool, State, Str};

/// A change to the default (system) pool that AKS cannot make on an existing pool: the
/// pool's name before, the changed attributes, and the temporary name (M8). The pool is
/// rotated, never the cluster replaced; without a temporary name the plan fails.
fn default_pool_rotation(prior: &State, planned: &State) -> Option<(String, Vec<&'static str>, Str)> {
    let (Some(a), Some(b)) = (
        prior.default_node_pool.as_ref_option(),
        planned.default_node_pool.as_ref_option(),
    ) else {
        return None;
    };
    let fixed = fixed_changes(a, b);
    if fixed.is_empty() {
        return None;
    }
    let temp = b.temporary_name_for_rotation.clone().unwrap_or(Value::Null);
    Some((s(&a.name).unwrap_or_default().to_string(), fixed, temp))
}

/// M8's verdict on a change of the default pool from `prior` to `planned`.
pub(super) fn rotation_findings(prior: &State, planned: &State) -> Vec<Finding> {
    default_pool_rotation(prior, planned)
        .and_then(|(pool, fixed, temp)| {
            m8_default_pool_rotation(&Rotation {
                pool: &pool,
                fixed,
                temporary: input(&temp),
            })
        })
        .into_iter()
        .collect()
}

/// The default pool's rotation: the pool as planned, the name it had, and the temporary
/// pool's name.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Rotate {
    pub pool: Pool,
    pub old_name: String,
    pub temporary: String,
}

/// What an update does to the pools, matched by name: each is one agent pool request (two for
/// a recreate), and the cluster itself is not written for them.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct PoolChanges {
    /// `node_pool` entries new in the configuration.
    pub create: Vec<Pool>,
    /// Names of `node_pool` entries gone from the configuration.
    pub delete: Vec<String>,
    /// Pools (the default one included, flagged `true`) whose changeable settings changed.
    pub update: Vec<(Pool, bool)>,
    /// `node_pool` entries whose fixed settings changed: deleted and created again.
    pub recreate: Vec<(Pool, Vec<&'static str>)>,
    /// The default pool's fixed settings changed: rotated through a temporary pool (M8).
    pub rotate: Option<Rotate>,
}

impl PoolChanges {
    pub(super) fn is_empty(&self) -> bool {
        self == &PoolChanges::default()
    }

    /// The decision these changes stand for, by pool name, as plan hands it to apply.
    pub(super) fn decision(&self) -> PoolDecision {
        let name = |p: &Pool| s(&p.name).unwrap_or_default().to_string();
        PoolDecision {
            create: self.create.iter().map(name).collect(),
            delete: self.delete.clone(),
            update: self.update.iter().map(|(p, system)| (name(p), *system)).collect(),
            recreate: self.recreate.iter().map(|(p, _)| name(p)).collect(),
            rotate: self
                .rotate
                .as_ref()
                .map(|r| (r.old_name.clone(), r.temporary.clone())),
        }
    }

    /// The changes `decision` names, each pool with the values `planned` gives it (the fixed
    /// settings that force a recreate are not carried: plan has warned about them). `None` when
    /// `planned` has no pool of a name the decision gives.
    pub(super) fn decided(decision: &PoolDecision, planned: &State) -> Option<PoolChanges> {
        let default = planned.default_node_pool.as_ref_option();
        let user = |n: &str| {
            user_pools(planned)
                .into_iter()
                .find(|p| s(&p.name).is_some_and(|m| m.eq_ignore_ascii_case(n)))
                .cloned()
        };
        let pool = |n: &str, system: bool| if system { default.cloned() } else { user(n) };
        Some(PoolChanges {
            create: decision.create.iter().map(|n| user(n)).collect::<Option<_>>()?,
            delete: decision.delete.clone(),
            update: decision
                .update
                .iter()
                .map(|(n, system)| Some((pool(n, *system)?, *system)))
                .collect::<Option<_>>()?,
            recreate: decision
                .recreate
                .iter()
                .map(|n| Some((user(n)?, Vec::new())))
                .collect::<Option<_>>()?,
            rotate: match &decision.rotate {
                Some((old_name, temporary)) => Some(Rotate {
                    pool: default?.clone(),
                    old_name: old_name.clone(),
                    temporary: temporary.clone(),
                }),
                None => None,
            },
        })
    }
}

/// What plan decided for the pools, by name: it travels to apply in private state
/// ([`super::schema::Planned`]) so that apply carries out the plan's decision rather than
/// deciding again; the values each request sends are the planned state's.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct PoolDecision {
    /// `node_pool` entries to create.
    #[serde(default)]
    pub create: Vec<String>,
    /// `node_pool` entries to delete.
    #[serde(default)]
    pub delete: Vec<String>,
    /// Pools to update in place, the default one flagged `true`.
    #[serde(default)]
    pub update: Vec<(String, bool)>,
    /// `node_pool` entries to delete and create again.
    #[serde(default)]
    pub recreate: Vec<String>,
    /// The default pool's rotation (M8): its name before, and the temporary pool's name.
    #[serde(default)]
    pub rotate: Option<(String, String)>,
}

/// The pool changes an update makes: what its plan decided ([`PoolChanges::decided`]) when
/// private state carries that, otherwise (private state written by an older version, which
/// did not carry it) decided again from `prior`, without the imported pools `planned` does not
/// declare (dropped, never deleted), to `planned`.
pub(super) fn pool_changes_to_apply(
    decided: Option<&PoolDecision>,
    prior: &State,
    planned: &State,
    imported: &[String],
) -> PoolChanges {
    decided
        .and_then(|d| PoolChanges::decided(d, planned))
        .unwrap_or_else(|| pool_changes(&without_undeclared(prior, planned, imported).0, planned))
}

fn user_pools(state: &State) -> Vec<&Pool> {
    state
        .node_pool
        .as_ref_option()
        .map(|l| l.iter().filter_map(Value::as_ref_option).collect())
        .unwrap_or_default()
}

fn same_pool(a: &Pool, b: &Pool) -> bool {
    s(&a.name)
        .zip(s(&b.name))
        .is_some_and(|(x, y)| x.eq_ignore_ascii_case(y))
}

/// The pool changes from `prior` to `planned`.
pub(super) fn pool_changes(prior: &State, planned: &State) -> PoolChanges {
    let mut out = PoolChanges::default();
    if let (Some(a), Some(b)) = (
        prior.default_node_pool.as_ref_option(),
        planned.default_node_pool.as_ref_option(),
    ) {
        // The temporary name alone is configuration: nothing to write for it.
        if a.settings() != b.settings() && fixed_changes(a, b).is_empty() {
            out.update.push((b.clone(), true));
        }
        if let Some((old_name, _, Value::Value(temporary))) = default_pool_rotation(prior, planned) {
            out.rotate = Some(Rotate {
                pool: b.clone(),
                old_name,
                temporary,
            });
        }
    }
    let (old, new) = (user_pools(prior), user_pools(planned));
    for b in &new {
        match old.iter().find(|a| same_pool(a, b)) {
            None => out.create.push((*b).clone()),
            Some(a) if a == b => {}
            Some(a) => match fixed_changes(a, b) {
                fixed if fixed.is_empty() => out.update.push(((*b).clone(), false)),
                fixed => out.recreate.push(((*b).clone(), fixed)),
            },
        }
    }
    out.delete = old
        .iter()
        .filter(|a| !new.iter().any(|b| same_pool(a, b)))
        .filter_map(|a| s(&a.name).map(str::to_string))
        .collect();
    out
}

/// Lines up each planned `node_pool` with the prior pool of the same name: Terraform matches
/// list blocks by position, so a pool added in front would otherwise inherit its neighbour's
/// computed values. A new pool's unset computed values are unknown until AKS sets them.
pub(super) fn align_pools(prior: &State, planned: &mut State, config: &State) {
    let old = user_pools(prior);
    let cfg: Vec<&Pool> = user_pools(config);
    let Some(list) = planned.node_pool.as_mut_option() else {
        return;
    };
    for (i, slot) in list.iter_mut().enumerate() {
        let (Some(p), Some(c)) = (slot.as_mut_option(), cfg.get(i)) else {
            continue;
        };
        let before = old.iter().find(|a| same_pool(a, p));
        macro_rules! computed {
            ($($f:ident),*) => {$(
                if c.$f.is_null() {
                    p.$f = before.map_or(Value::Unknown, |b| b.$f.clone());
                }
            )*};
        }
        with_pool_computed!(computed);
    }
}
