//! `aksnet_cluster_network`'s imported pools: import records every pool in state and names the
//! non-system ones in private state; the first plan keeps those the configuration declares
//! (owned, no request while they match Azure) and drops the others from state with no request
//! (foreign: left to their owner, never deleted).

use aksnet_tfplugin::value::Value;
use aksnet_tfplugin::Diagnostics;

use super::body::s;
use super::schema::{pool_list, Pool, State};

fn named(list: &[String], name: &str) -> bool {
    list.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// The names of `state`'s `node_pool` entries.
fn node_pool_names(state: &State) -> impl Iterator<Item = &str> {
    state
        .node_pool
        .as_ref_option()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_ref_option().and_then(|p| s(&p.name)))
}

/// The names of `state`'s `node_pool` entries: on import, the pools the import recorded; later
/// (`keep`), those of them still in state.
pub(super) fn imported_names(state: &State, keep: Option<&[String]>) -> Vec<String> {
    node_pool_names(state)
        .filter(|n| keep.is_none_or(|k| named(k, n)))
        .map(str::to_string)
        .collect()
}

/// `prior` without the imported pools (`imported`, private state) that `config` does not
/// declare, and their names: the prior an update plans from, so those pools are dropped from
/// state with no request instead of being deleted.
pub(super) fn without_undeclared(prior: &State, config: &State, imported: &[String]) -> (State, Vec<String>) {
    let declared = |name: &str| node_pool_names(config).any(|n| n.eq_ignore_ascii_case(name));
    let Some(list) = prior.node_pool.as_ref_option() else {
        return (prior.clone(), Vec::new());
    };
    let mut dropped = Vec::new();
    let kept: Vec<Value<Pool>> = list
        .iter()
        .filter(|p| {
            let name = p.as_ref_option().and_then(|p| s(&p.name)).unwrap_or_default();
            let drop = named(imported, name) && !declared(name);
            if drop {
                dropped.push(name.to_string());
            }
            !drop
        })
        .cloned()
        .collect();
    let mut base = prior.clone();
    base.node_pool = pool_list(kept);
    (base, dropped)
}

/// The warning an import gives for the pools besides the system pool that it recorded in
/// `node_pool`, naming them.
pub(super) fn imported_pools_warning(diags: &mut Diagnostics, state: &State, imported: &[String]) {
    let names: Vec<String> = imported.iter().map(|n| format!("\"{n}\"")).collect();
    let system = state
        .default_node_pool
        .as_ref_option()
        .and_then(|p| s(&p.name))
        .unwrap_or_default();
    diags.root_warning(
        "Imported Cluster Has Other Node Pools",
        format!(
            "besides its system pool \"{system}\", the cluster has the node pool(s) {}, which the import records in node_pool. A pool the configuration declares in a node_pool block is this resource's (no request is sent while its settings match Azure's); a pool it does not declare is left to its owner (an aksnet_node_pool or azurerm_kubernetes_cluster_node_pool resource, another module, the az CLI): the next plan drops it from this resource's state with no request to Azure, never deletes it or shows it as drift, and the capacity checks count it (subnet addresses, kubenet routes, pod CIDR blocks). Configuration generated with -generate-config-out declares every pool: remove the node_pool blocks of pools owned elsewhere.",
            names.join(", ")
        ),
    );
}

/// The plan's warning for an imported pool the configuration does not declare.
pub(super) fn left_to_owner_warning(diags: &mut Diagnostics, name: &str) {
    diags.root_warning(
        "Imported Node Pool Left To Its Owner",
        format!("node pool \"{name}\", which the import recorded in node_pool, is not declared in this configuration: it is left to its owner (an aksnet_node_pool or azurerm_kubernetes_cluster_node_pool resource, another module, the az CLI). This apply drops it from this resource's state with no request to Azure; it is never deleted or shown as drift here, and the capacity checks still count it. To manage it here instead, declare it in a node_pool block."),
    );
}
