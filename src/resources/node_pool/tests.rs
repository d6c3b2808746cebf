//! Unit tests of `aksnet_node_pool`.

use super::plan::as_pool_finding;
use super::schema::{block, State};
use crate::netplan::{FieldPath, Finding};
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
