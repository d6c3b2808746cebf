//! M8 and W1 for the default (system) pool's rotation: what a change AKS cannot make on an
//! existing pool needs when the pool is the cluster's system pool.
//!
//! Sources (catalog M8):
//! - AKS, manage node pools: "You can't change the VM size of a node pool after you create it."
//! - AKS, resize node pools: "the recommended method to resize a node pool by creating a new
//!   node pool with the desired SKU size, cordoning and draining the existing nodes, and then
//!   removing the existing node pool."
//! - AKS, system node pools: "Every AKS cluster must contain at least one system node pool";
//!   AKS refuses to delete the last one, so the temporary pool is created first.
//! - azurerm `kubernetes_cluster_resource.go`: with `temporary_name_for_rotation` it creates
//!   the temporary pool with the new profile, deletes the default pool, creates it again with
//!   the new profile and deletes the temporary pool; without it, the update fails with
//!   "`temporary_name_for_rotation` must be specified when updating any of the following
//!   properties". A rotation that failed midway is resumed by the next apply as azurerm does:
//!   "if the temp node pool already exists due to a previous failure, don't bother spinning it
//!   up" and "delete the old default node pool if it exists".
//! - AKS troubleshooting (cannot-scale-cluster-autoscaler-enabled-node-pool): "you can
//!   reconcile the node pool by using `az aks nodepool update`" — a temporary pool whose own
//!   operation failed is written again before the system pods move onto it.

use super::cluster::Input;
use super::rules::pool_name_problem;
use super::{FieldPath, Finding, RuleId};

/// A change to the default pool that AKS cannot make in place.
#[derive(Debug, Clone)]
pub(crate) struct Rotation<'a> {
    /// The pool's name before the change (the one deleted and created again).
    pub pool: &'a str,
    /// The changed attributes AKS fixes at creation, e.g. `vm_size`.
    pub fixed: Vec<&'static str>,
    /// `default_node_pool.temporary_name_for_rotation`.
    pub temporary: Input<String>,
}

/// M8: the rotation plan's verdict. An error naming the pool, the attributes and the fix
/// without a temporary name; a warning naming the disruption with one; nothing while the
/// name is known only after apply (the apply-time plan decides).
pub(crate) fn m8_default_pool_rotation(r: &Rotation) -> Option<Finding> {
    let at = |attr: &'static str| FieldPath::attr("default_node_pool").then(attr);
    let what = r.fixed.join(", ");
    let first = r.fixed.first().copied().unwrap_or("name");
    match &r.temporary {
        Input::Unset => Some(Finding::error(
            RuleId::M8,
            at(first),
            "Default Node Pool Needs Rotation",
            format!(
                "AKS cannot change {what} of the existing node pool \"{pool}\", and it is the cluster's default (system) pool: a cluster needs a system pool at all times, so the pool is rotated through a temporary system pool instead of replacing the cluster. Set default_node_pool.temporary_name_for_rotation to an unused pool name (e.g. \"tmprotation\") and plan again, or keep {what} as it is.",
                pool = r.pool
            ),
        )),
        Input::Unknown => None,
        Input::Set(temp) => Some(Finding::warning(
            RuleId::M8,
            at("temporary_name_for_rotation"),
            "Default Node Pool Will Be Rotated",
            format!(
                "AKS cannot change {what} of the existing node pool \"{pool}\", the cluster's default (system) pool, so it is rotated (the cluster is not replaced): the temporary system pool \"{temp}\" is created with the new settings, \"{pool}\" is deleted (its nodes are drained and deleted, pods move to \"{temp}\"), created again with the new settings, and \"{temp}\" is deleted (pods move back). Pods are rescheduled twice and the pools' addresses are in use twice over while both exist; plan a maintenance window.",
                pool = r.pool
            ),
        )),
    }
}

/// M8: the temporary pool's name is taken by a pool in the cluster that this resource did not
/// create (`ours`: the temporary pool a failed rotation of this resource left, recorded in its
/// private state, which the rotation reuses). The rotation would take that pool over as its
/// temporary pool (azurerm: "if the temp node pool already exists due to a previous failure,
/// don't bother spinning it up") and delete it at its last step, so the plan refuses it.
/// `existing`: the cluster's pools as Azure lists them (the cluster GET plan already makes).
pub(crate) fn m8_temporary_pool_taken(temp: &str, existing: &[&str], ours: Option<&str>) -> Option<Finding> {
    let same = |n: &str| n.eq_ignore_ascii_case(temp);
    if ours.is_some_and(same) {
        return None;
    }
    let taken = existing.iter().copied().find(|n| same(n))?;
    Some(Finding::error(
        RuleId::M8,
        FieldPath::attr("default_node_pool").then("temporary_name_for_rotation"),
        "Temporary Node Pool Name Taken",
        format!("the cluster already has a node pool \"{taken}\", and this resource did not create it: it is foreign (another resource, module or tool owns it). The rotation of the default pool would take it over as its temporary pool and delete it at its last step. Set default_node_pool.temporary_name_for_rotation to a name no pool in the cluster uses, or remove the pool \"{taken}\" yourself first if it is not needed."),
    ))
}

/// M8: a rotation planned through another temporary name than the one a failed rotation of
/// this resource left in the cluster (`ours`). Resuming under the new name would leave the old
/// temporary pool behind, a system pool nothing records any more, so the plan refuses it until
/// the rotation has finished under the name it started with.
pub(crate) fn m8_temporary_name_changed(temp: &str, ours: Option<&str>) -> Option<Finding> {
    let ours = ours.filter(|o| !o.eq_ignore_ascii_case(temp))?;
    Some(Finding::error(
        RuleId::M8,
        FieldPath::attr("default_node_pool").then("temporary_name_for_rotation"),
        "Temporary Node Pool Name Changed",
        format!("a rotation of the default pool that did not finish left its temporary system pool \"{ours}\" in the cluster (this resource's). Resuming the rotation through \"{temp}\" would leave \"{ours}\" behind, recorded nowhere. Set default_node_pool.temporary_name_for_rotation = \"{ours}\" to resume the rotation (its last step deletes \"{ours}\"), and change the name once the rotation has finished."),
    ))
}

/// W1 for `temporary_name_for_rotation`: a valid pool name (`^[a-z][a-z0-9]{0,11}$`) that no
/// declared pool uses.
pub(crate) fn w1_temporary_name(temp: &str, declared: &[&str]) -> Option<Finding> {
    let path = FieldPath::attr("default_node_pool").then("temporary_name_for_rotation");
    if let Some(problem) = pool_name_problem(temp) {
        return Some(Finding::error(
            RuleId::W1,
            path,
            "Invalid Node Pool Name",
            format!("temporary_name_for_rotation \"{temp}\" {problem}; names start with a lowercase letter and have at most 12 lowercase letters or digits."),
        ));
    }
    declared
        .iter()
        .any(|d| d.eq_ignore_ascii_case(temp))
        .then(|| {
            Finding::error(
                RuleId::W1,
                path,
                "Duplicate Node Pool Name",
                format!("temporary_name_for_rotation \"{temp}\" is the name of a declared node pool; the temporary pool needs a name no pool uses."),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rotation(temp: Input<String>) -> Rotation<'static> {
        Rotation {
            pool: "system",
            fixed: vec!["vm_size"],
            temporary: temp,
        }
    }

    #[test]
    fn a_foreign_pool_with_the_temporary_name_is_refused_and_our_leftover_is_not() {
        let f = m8_temporary_pool_taken("tmp", &["system", "TMP"], None).expect("a finding");
        assert!(f.is_error());
        assert_eq!(f.rule, RuleId::M8);
        assert_eq!(
            f.path.to_string(),
            "default_node_pool.temporary_name_for_rotation"
        );
        for part in [
            "\"TMP\"",
            "did not create it",
            "delete it",
            "temporary_name_for_rotation",
        ] {
            assert!(f.detail.contains(part), "{part}: {}", f.detail);
        }
        assert!(m8_temporary_pool_taken("tmp", &["system", "tmp"], Some("tmp")).is_none());
        assert!(m8_temporary_pool_taken("tmp", &["system"], None).is_none());
    }

    #[test]
    fn resuming_under_another_temporary_name_is_refused() {
        let f = m8_temporary_name_changed("other", Some("tmp")).expect("a finding");
        assert!(f.is_error());
        assert_eq!(
            f.path.to_string(),
            "default_node_pool.temporary_name_for_rotation"
        );
        assert!(
            f.detail.contains("\"tmp\"") && f.detail.contains("\"other\""),
            "{}",
            f.detail
        );
        assert!(m8_temporary_name_changed("TMP", Some("tmp")).is_none());
        assert!(m8_temporary_name_changed("tmp", None).is_none());
    }

    #[test]
    fn without_a_temporary_name_the_rotation_is_an_error_naming_pool_attribute_and_fix() {
        let f = m8_default_pool_rotation(&rotation(Input::Unset)).expect("a finding");
        assert!(f.is_error());
        assert_eq!(f.rule, RuleId::M8);
        assert_eq!(f.path.to_string(), "default_node_pool.vm_size");
        for part in ["\"system\"", "vm_size", "temporary_name_for_rotation"] {
            assert!(f.detail.contains(part), "{part}: {}", f.detail);
        }
    }

    #[test]
    fn with_a_temporary_name_the_rotation_warns_of_the_disruption() {
        let f = m8_default_pool_rotation(&rotation(Input::Set("tmp".into()))).expect("a finding");
        assert!(!f.is_error());
        assert!(
            f.detail.contains("\"tmp\"") && f.detail.contains("drained"),
            "{}",
            f.detail
        );
        assert!(m8_default_pool_rotation(&rotation(Input::Unknown)).is_none());
    }

    #[test]
    fn the_temporary_name_is_a_free_valid_pool_name() {
        assert!(w1_temporary_name("tmp", &["system", "user"]).is_none());
        assert!(w1_temporary_name("Tmp", &["system"]).is_some_and(|f| f.is_error()));
        assert!(w1_temporary_name("user", &["system", "user"])
            .is_some_and(|f| f.summary == "Duplicate Node Pool Name"));
    }
}
