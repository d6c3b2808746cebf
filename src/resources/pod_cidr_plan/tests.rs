//! Unit tests for `aksnet_pod_cidr_plan`: schema/state lock-step and plan behaviour.

use super::plan::*;
use super::schema::*;
use super::*;
use crate::netplan::FieldPath;
use crate::resources::schema_guard;
use aksnet_tfplugin::schema::NestedBlock;

#[test]
fn state_matches_schema() {
    let schema = PodCidrPlan.schema(&mut Diagnostics::default()).unwrap();
    schema_guard::assert_state_matches(&State::default(), &schema.block, "aksnet_pod_cidr_plan");
    schema_guard::assert_state_matches(
        &NodePoolBlock::default(),
        match &schema.block.blocks["node_pool"] {
            NestedBlock::List(b) => b,
            _ => panic!("node_pool must be a list block"),
        },
        "node_pool",
    );
    schema_guard::assert_well_described(&schema.block, "aksnet_pod_cidr_plan");
}

fn config(plugin: &str, space: &[&str], count: i64) -> State {
    State {
        network_plugin: Value::Value(plugin.into()),
        address_space: strs(space),
        node_pool: Value::Value(vec![Value::Value(NodePoolBlock {
            name: Value::Value("system".into()),
            node_count: Value::Value(count),
            ..Default::default()
        })]),
        ..Default::default()
    }
}

#[test]
fn plan_fills_every_output_and_is_stable() {
    let cfg = config("kubenet", &["10.0.0.0/16"], 3);
    let mut diags = Diagnostics::default();
    let planned = plan_state(&mut diags, cfg.clone(), &cfg, None).unwrap();
    assert!(diags.errors.is_empty());
    assert_eq!(planned.pod_cidr, Value::Value("10.244.0.0/16".into()));
    assert_eq!(planned.kubenet_routes_needed, Value::Value(4));
    assert!(planned.node_subnet_cidr.is_value());
    // Re-planning with the state as prior changes nothing.
    let again = plan_state(&mut diags, planned.clone(), &cfg, Some(&planned)).unwrap();
    assert_eq!(again, planned);
}

#[test]
fn unknown_inputs_make_outputs_unknown() {
    let mut cfg = config("azure", &["10.0.0.0/16"], 3);
    cfg.address_space = Value::Unknown;
    let planned = plan_state(&mut Diagnostics::default(), cfg.clone(), &cfg, None).unwrap();
    assert!(planned.node_subnet_cidr.is_unknown());
    assert!(planned.pod_cidr.is_unknown());
    assert!(planned.pools.is_unknown());
}

#[test]
fn infeasible_plan_is_an_error_on_the_attribute() {
    let mut cfg = config("azure", &["10.0.0.0/22"], 50);
    if let Value::Value(pools) = &mut cfg.node_pool {
        if let Value::Value(p) = &mut pools[0] {
            p.max_pods = Value::Value(30);
        }
    }
    let mut diags = Diagnostics::default();
    assert!(plan_state(&mut diags, cfg.clone(), &cfg, None).is_none());
    assert_eq!(diags.errors.len(), 1);
    let e = &diags.errors[0];
    assert!(e.summary.contains("(C5)"), "{}", e.summary);
    assert!(e.detail.contains("1,581"), "{}", e.detail);
    assert_eq!(
        e.attribute.to_string(),
        AttributePath::new("address_space").to_string()
    );
}

#[test]
fn computed_attributes_cannot_be_configured() {
    let mut cfg = config("azure", &["10.0.0.0/16"], 3);
    cfg.node_subnet_cidr = Value::Value("10.0.0.0/24".into());
    let mut diags = Diagnostics::default();
    validate_shape(&mut diags, &cfg);
    assert_eq!(diags.errors.len(), 1);
    assert!(diags.errors[0].detail.contains("node_subnet_cidr"));
}

#[test]
fn pod_subnet_findings_point_at_the_allocation_mode() {
    let mut cfg = config("kubenet", &["10.0.0.0/16"], 3);
    cfg.pod_ip_allocation_mode = Value::Value("StaticBlock".into());
    let f = rule_findings(&cfg);
    let e12 = f.iter().find(|f| f.rule == "E12").expect("E12");
    assert_eq!(e12.path, FieldPath::attr("pod_ip_allocation_mode"));
}
