//! `aksnet_cluster_network`'s imported pools: what an import found besides the system pool,
//! kept in private state until the configuration declares them (adopted) or not (foreign).

use aksnet_tfplugin::Diagnostics;

use crate::arm::models::ManagedCluster;

use super::body::s;
use super::plan::pools;
use super::pool;
use super::schema::{Pool, State};

/// The pools in `cluster` (ARM) that `state` does not hold, as Azure has them; with `keep`,
/// only those it names (the imported pools recorded earlier).
pub(super) fn unowned_pools(state: &State, cluster: &ManagedCluster, keep: Option<&[Pool]>) -> Vec<Pool> {
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
pub(super) fn imported_pools_warning(diags: &mut Diagnostics, state: &State, imported: &[Pool]) {
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
