use aksnet_tfplugin::value::Value;
use serde_json::json;

use super::body::{self, Stage};
use super::checks::kubenet_identity_route_table;
use super::imported::{imported_names, without_undeclared};
use super::live::Live;
use super::plan::*;
use super::pool;
use super::pool_plan::*;
use super::schema::{block, Pool, State, Str, StrList};
use super::*;
use crate::arm::models::AgentPoolProfile;
use crate::netplan::rules::validate_profile;
use crate::resources::schema_guard::{assert_state_matches, assert_well_described};

// The typed translation, driven with ARM bodies as JSON (what the client decodes and sends).

fn cluster(arm: &serde_json::Value) -> ManagedCluster {
    serde_json::from_value(arm.clone()).expect("a ManagedCluster body")
}

fn desired(state: &State, existing: Option<&serde_json::Value>, stage: Stage) -> serde_json::Value {
    serde_json::to_value(body::desired(state, existing.map(cluster).as_ref(), stage)).unwrap()
}

fn refresh(state: &mut State, arm: &serde_json::Value, importing: bool) {
    body::refresh(state, &cluster(arm), importing)
}

fn agent_pool_body(existing: Option<&serde_json::Value>, p: &Pool, system: bool) -> serde_json::Value {
    let existing = existing.map(|e| serde_json::from_value(e.clone()).expect("an agent pool profile"));
    serde_json::to_value(pool::agent_pool_body(existing.as_ref(), p, system)).unwrap()
}

fn v(s: &str) -> Str {
    Value::Value(s.to_string())
}

fn pool(name: &str, count: i64) -> Pool {
    Pool {
        name: v(name),
        vm_size: v("Standard_D4s_v5"),
        node_count: Value::Value(count),
        vnet_subnet_id: v("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes"),
        ..Default::default()
    }
}

fn cfg() -> State {
    State {
        name: v("aks"),
        resource_group_name: v("rg"),
        location: v("westeurope"),
        dns_prefix: v("aks"),
        network_plugin: v("azure"),
        network_plugin_mode: v("overlay"),
        pod_cidr: v("10.244.0.0/16"),
        default_node_pool: Value::Value(pool("system", 3)),
        ..Default::default()
    }
}

fn titles(f: &[Finding]) -> Vec<String> {
    f.iter()
        .filter(|f| f.is_error())
        .map(|f| format!("{} {}", f.path, f.summary))
        .collect()
}

#[test]
fn state_matches_schema() {
    let b = block();
    assert_state_matches(&State::default(), &b, "aksnet_cluster_network");
    assert_well_described(&b, "aksnet_cluster_network");
}

#[test]
fn a_clean_overlay_config_has_no_errors() {
    assert_eq!(titles(&static_findings(&cfg())), Vec::<String>::new());
}

#[test]
fn shape_errors_name_the_attribute() {
    let mut c = cfg();
    // Both forms agree only when pod_cidr is the first of pod_cidrs (see the test below).
    c.pod_cidrs = Value::Value(vec![v("10.245.0.0/16")]);
    c.sku_tier = v("Gold");
    c.fqdn = v("x");
    c.name = v("a/b");
    c.kubernetes_version = v("banana");
    let mut p = pool("system", 3);
    p.auto_scaling_enabled = Value::Value(true);
    p.zones = Value::Value(vec![v("4")]);
    c.default_node_pool = Value::Value(p);
    c.node_pool = Value::Value(vec![Value::Value(pool("system", 1))]);
    let t = titles(&static_findings(&c));
    for want in [
        "pod_cidrs Conflicting Attributes",
        "sku_tier Unsupported Value",
        "fqdn Read-Only Attribute",
        "name Invalid Cluster Name",
        "kubernetes_version Invalid Kubernetes Version",
        "default_node_pool.min_count Autoscaler Bounds Required",
        "default_node_pool.zones[0] Unsupported Value",
        "node_pool[0].name Duplicate Node Pool Name",
    ] {
        assert!(t.iter().any(|x| x == want), "missing {want} in {t:?}");
    }
}

#[test]
fn kubenet_with_a_system_identity_is_refused_only_with_a_route_table() {
    let mut c = cfg();
    c.network_plugin = v("kubenet");
    c.network_plugin_mode = Value::Null;
    c.pod_cidr = Value::Null;
    // AKS creates it (azurerm examples/kubernetes/public-ip): a warning without live facts.
    let f = static_findings(&c);
    assert!(
        f.iter().any(|f| f.rule == "O6" && !f.is_error())
            && !f.iter().any(|f| f.rule == "O6" && f.is_error()),
        "{f:?}"
    );
    let facts = |route_table: Option<&str>| Live {
        node: Some(live::SubnetFacts {
            prefix: Some("10.10.1.0/24".into()),
            in_use: 0,
            route_table: route_table.map(str::to_string),
            nat_gateway: None,
        }),
        ..Default::default()
    };
    assert_eq!(kubenet_identity_route_table(&c, &facts(None)), None);
    // A route table already on the subnet: "Clusters using managed identity type
    // SystemAssigned do not support bringing your own route table" (Azure/AKS#2333).
    let e = kubenet_identity_route_table(&c, &facts(Some("/rt"))).expect("O6");
    assert!(e.is_error() && e.rule == "O6", "{e:?}");
    assert_eq!(e.path.to_string(), "network_plugin");
    c.identity = Value::Value(schema::Identity {
        kind: v("UserAssigned"),
        identity_ids: Value::Value(vec![v("/id")]),
    });
    assert_eq!(kubenet_identity_route_table(&c, &facts(Some("/rt"))), None);
}

#[test]
fn load_balancer_profile_limits() {
    let mut c = cfg();
    c.load_balancer_profile = Value::Value(schema::LoadBalancerProfile {
        managed_outbound_ip_count: Value::Value(0),
        outbound_ip_address_ids: Value::Value(vec![v("/ip")]),
        outbound_ports_allocated: Value::Value(1001),
        ..Default::default()
    });
    let t = titles(&static_findings(&c));
    assert!(
        t.contains(&"load_balancer_profile[0].managed_outbound_ip_count Value Out Of Range".to_string()),
        "{t:?}"
    );
    assert!(
        t.contains(
            &"load_balancer_profile[0].outbound_ports_allocated Ports Must Be A Multiple Of 8".to_string()
        ),
        "{t:?}"
    );
    assert!(
        t.contains(
            &"load_balancer_profile[0].outbound_ip_address_ids Conflicting Outbound IP Sources".to_string()
        ),
        "{t:?}"
    );
}

#[test]
fn netplan_rules_run_on_the_cluster() {
    let mut c = cfg();
    c.pod_cidr = v("10.244.0.0/30");
    c.service_cidr = v("10.0.0.0/16");
    c.dns_service_ip = v("10.1.0.10");
    let t = titles(&static_findings(&c));
    assert!(t.iter().any(|x| x.starts_with("dns_service_ip")), "{t:?}");
    assert!(t.iter().any(|x| x.starts_with("pod_cidr")), "{t:?}");
}

#[test]
fn live_facts_feed_capacity_with_addresses_in_use() {
    let mut c = cfg();
    c.network_plugin_mode = Value::Null;
    c.pod_cidr = Value::Null;
    let live = Live {
        vnet_space: vec!["10.10.0.0/16".into()],
        node: Some(live::SubnetFacts {
            prefix: Some("10.10.1.0/24".into()),
            in_use: 200,
            route_table: None,
            nat_gateway: None,
        }),
        ..Default::default()
    };
    let f = validate_profile(&profile(&c, &c, &live));
    let e = f
        .iter()
        .find(|f| f.is_error() && f.rule == "C5")
        .expect("flat CNI: 3 nodes × 31 + surge > 251 − 200");
    assert!(e.detail.contains("200 addresses already in use"), "{}", e.detail);
    assert_eq!(e.path.to_string(), "default_node_pool.vnet_subnet_id");
}

#[test]
fn the_body_round_trips_through_refresh() {
    let mut c = cfg();
    c.tags = Value::Value([("env".to_string(), v("dev"))].into());
    let body = desired(&c, None, Stage::Full);
    assert_eq!(body["properties"]["networkProfile"]["podCidr"], "10.244.0.0/16");
    assert_eq!(body["properties"]["agentPoolProfiles"][0]["mode"], "System");
    assert_eq!(body["identity"]["type"], "SystemAssigned");
    // What AKS returns: the body plus defaults.
    let mut arm = body.clone();
    arm["id"] =
        json!("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks");
    arm["properties"]["networkProfile"]["serviceCidr"] = json!("10.0.0.0/16");
    arm["properties"]["networkProfile"]["dnsServiceIP"] = json!("10.0.0.10");
    arm["properties"]["agentPoolProfiles"][0]["maxPods"] = json!(250);
    arm["properties"]["fqdn"] = json!("aks-1.hcp.westeurope.azmk8s.io");
    let mut state = c.clone();
    mark_create_unknowns(&mut state);
    refresh(&mut state, &arm, false);
    assert_eq!(state.service_cidrs, Value::Value(vec![v("10.0.0.0/16")]));
    assert_eq!(state.network_policy, v("none"));
    assert_eq!(
        state.default_node_pool.as_ref_option().unwrap().max_pods,
        Value::Value(250)
    );
    assert_eq!(state.tags, c.tags);
    let json = serde_json::to_string(&state).unwrap();
    assert!(!json.contains("Unknown"), "no unknown survives apply: {json}");
    // Writing it back keeps fields aksnet does not manage and drops read-only ones.
    arm["properties"]["autoUpgradeProfile"] = json!({"upgradeChannel": "patch"});
    let again = desired(&state, Some(&arm), Stage::Full);
    assert_eq!(
        again["properties"]["autoUpgradeProfile"]["upgradeChannel"],
        "patch"
    );
    assert!(again["properties"].get("fqdn").is_none());
}

#[test]
fn ipam_stage_carries_only_the_migration() {
    let mut c = cfg();
    c.network_policy = v("cilium");
    c.network_data_plane = v("cilium");
    let existing = json!({"location": "westeurope", "properties": {"agentPoolProfiles": [{"name": "system", "mode": "System"}], "networkProfile": {"networkPlugin": "azure", "networkDataplane": "azure", "networkPolicy": "none"}}});
    let b = desired(&c, Some(&existing), Stage::Ipam);
    assert_eq!(b["properties"]["networkProfile"]["networkPluginMode"], "overlay");
    assert_eq!(b["properties"]["networkProfile"]["networkDataplane"], "azure");
    assert_eq!(b["properties"]["networkProfile"]["networkPolicy"], "none");
}

#[test]
fn pairs_follow_the_attribute_the_config_sets() {
    let (mut one, mut many) = (Value::Null, Value::Null);
    pair(&mut one, &mut many, &v("10.244.0.0/16"), &Value::Null, None);
    assert_eq!(many, Value::Value(vec![v("10.244.0.0/16")]));
    let (mut one, mut many) = (v("10.1.0.0/16"), Value::Value(vec![v("10.1.0.0/16")]));
    pair(
        &mut one,
        &mut many,
        &Value::Null,
        &Value::Value(vec![v("10.2.0.0/16"), v("fd00::/64")]),
        None,
    );
    assert_eq!(one, v("10.2.0.0/16"));
    let (mut one, mut many): (Str, StrList) = (Value::Null, Value::Null);
    pair(&mut one, &mut many, &Value::Null, &Value::Null, None);
    assert!(one.is_unknown() && many.is_unknown());
}

/// Issue 19: with autoscaler bounds `node_count` may be left out, as in azurerm.
#[test]
fn an_autoscaled_pool_may_leave_node_count_out() {
    let mut c = cfg();
    c.default_node_pool = Value::Value(Pool {
        node_count: Value::Null,
        auto_scaling_enabled: Value::Value(true),
        min_count: Value::Value(2),
        max_count: Value::Value(5),
        ..pool("system", 0)
    });
    assert_eq!(titles(&static_findings(&c)), Vec::<String>::new());
    // AKS starts the pool at min_count.
    let body = desired(&c, None, Stage::Full);
    let p = &body["properties"]["agentPoolProfiles"][0];
    assert_eq!(
        (&p["count"], &p["minCount"], &p["maxCount"]),
        (&json!(2), &json!(2), &json!(5))
    );
    let mut arm = body.clone();
    arm["id"] =
        json!("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks");
    let mut state = c.clone();
    mark_create_unknowns(&mut state);
    refresh(&mut state, &arm, false);
    let count = |s: &State| s.default_node_pool.as_ref_option().unwrap().node_count;
    assert_eq!(count(&state), Value::Value(2));
    // The autoscaler moves the count: not drift, and nothing to write.
    arm["properties"]["agentPoolProfiles"][0]["count"] = json!(4);
    let prior = state.clone();
    refresh(&mut state, &arm, false);
    assert_eq!(state, prior);
    assert!(pool_changes(&prior, &state).is_empty());
    // An update through the agent pool API leaves the count to the autoscaler.
    let update = agent_pool_body(
        Some(&arm["properties"]["agentPoolProfiles"][0]),
        state.default_node_pool.as_ref_option().unwrap(),
        true,
    );
    assert_eq!(update["properties"]["count"], json!(4), "sent back as AKS has it");
}

#[test]
fn a_pool_without_node_count_or_bounds_is_one_error() {
    let mut c = cfg();
    c.default_node_pool = Value::Value(Pool {
        node_count: Value::Null,
        ..pool("system", 0)
    });
    assert_eq!(
        titles(&static_findings(&c)),
        vec!["default_node_pool.node_count Node Count Required"]
    );
    // With autoscaling on but no bounds: still one finding, on node_count.
    c.default_node_pool = Value::Value(Pool {
        node_count: Value::Null,
        auto_scaling_enabled: Value::Value(true),
        ..pool("system", 0)
    });
    assert_eq!(
        titles(&static_findings(&c)),
        vec!["default_node_pool.node_count Node Count Required"]
    );
    // Bounds without a count are the autoscaler's (C3 asks for both when one is missing).
    c.default_node_pool = Value::Value(Pool {
        node_count: Value::Null,
        auto_scaling_enabled: Value::Value(true),
        max_count: Value::Value(5),
        ..pool("system", 0)
    });
    assert_eq!(
        titles(&static_findings(&c)),
        vec!["default_node_pool.min_count Autoscaler Bounds Required"]
    );
}

#[test]
fn only_the_default_pool_carries_temporary_name_for_rotation() {
    use aksnet_tfplugin::schema::NestedBlock;
    let b = block();
    let (NestedBlock::Single(default), NestedBlock::List(user)) =
        (&b.blocks["default_node_pool"], &b.blocks["node_pool"])
    else {
        panic!("default_node_pool is a single block and node_pool a list")
    };
    // Built from Azure's answer alone (import), the default pool still sends the attribute.
    let mut c = cfg();
    c.node_pool = Value::Value(vec![Value::Value(pool("user", 1))]);
    let json = serde_json::to_value(&c).expect("state serializes");
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    let attrs = |b: &aksnet_tfplugin::schema::Block| -> Vec<String> {
        let mut k: Vec<String> = b.attributes.keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&json["default_node_pool"]), attrs(default));
    assert_eq!(
        json["default_node_pool"]["temporary_name_for_rotation"],
        json!(null)
    );
    assert_eq!(keys(&json["node_pool"][0]), attrs(user));
    assert!(!user.attributes.contains_key("temporary_name_for_rotation"));
}

#[test]
fn a_fixed_change_of_the_default_pool_is_a_rotation_never_a_replacement() {
    let prior = cfg();
    let mut planned = cfg();
    let mut p = pool("system", 3);
    p.vm_size = v("Standard_D8s_v5");
    planned.default_node_pool = Value::Value(p.clone());
    // Without a temporary name: M8 error at vm_size, nothing to apply.
    let f = rotation_findings(&prior, &planned);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].is_error() && f[0].path.to_string() == "default_node_pool.vm_size",
        "{f:?}"
    );
    assert_eq!(pool_changes(&prior, &planned).rotate, None);
    // With one: a warning, and the rotation planned with the new settings.
    p.temporary_name_for_rotation = Some(v("tmp"));
    planned.default_node_pool = Value::Value(p.clone());
    let f = rotation_findings(&prior, &planned);
    assert!(f.len() == 1 && !f[0].is_error(), "{f:?}");
    let ops = pool_changes(&prior, &planned);
    assert_eq!(
        ops.rotate,
        Some(Rotate {
            pool: p,
            old_name: "system".into(),
            temporary: "tmp".into()
        })
    );
    assert!(ops.update.is_empty() && ops.create.is_empty() && ops.delete.is_empty());
    // The temporary name alone changes nothing in Azure.
    let mut named = cfg();
    if let Value::Value(p) = &mut named.default_node_pool {
        p.temporary_name_for_rotation = Some(v("tmp"));
    }
    assert!(pool_changes(&prior, &named).is_empty());
    assert!(rotation_findings(&prior, &named).is_empty());
}

#[test]
fn the_temporary_name_is_checked_at_validate() {
    let mut c = cfg();
    if let Value::Value(p) = &mut c.default_node_pool {
        p.temporary_name_for_rotation = Some(v("system"));
    }
    assert!(titles(&static_findings(&c))
        .iter()
        .any(|t| t.contains("Duplicate Node Pool Name")));
}

#[test]
fn a_single_range_and_its_list_may_both_be_written_when_they_agree() {
    // Configuration Terraform generates from the state has both forms (issue 16).
    let mut c = cfg();
    c.pod_cidrs = Value::Value(vec![v("10.244.0.0/16")]);
    c.service_cidr = v("10.0.0.0/16");
    c.service_cidrs = Value::Value(vec![v("10.0.0.0/16")]);
    let t = titles(&static_findings(&c));
    assert!(!t.iter().any(|x| x.contains("Conflicting")), "{t:?}");
    c.service_cidrs = Value::Value(vec![v("10.1.0.0/16")]);
    let t = titles(&static_findings(&c));
    assert!(
        t.iter().any(|x| x == "service_cidrs Conflicting Attributes"),
        "{t:?}"
    );
}

/// A cluster as AKS returns it with a system pool and a user pool `user1`.
fn two_pool_cluster() -> serde_json::Value {
    let mut arm = desired(&cfg(), None, Stage::Full);
    let mut user = arm["properties"]["agentPoolProfiles"][0].clone();
    user["name"] = json!("user1");
    user["mode"] = json!("User");
    user["count"] = json!(2);
    arm["properties"]["agentPoolProfiles"]
        .as_array_mut()
        .unwrap()
        .push(user);
    arm
}

#[test]
fn import_records_every_pool_in_state_and_names_the_others_in_private_state() {
    let arm = two_pool_cluster();
    let mut state = State::default();
    refresh(&mut state, &arm, true);
    assert_eq!(
        state.default_node_pool.as_ref_option().and_then(|p| s(&p.name)),
        Some("system")
    );
    let list = state.node_pool.as_ref_option().expect("user1 in state");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].as_ref_option().and_then(|p| s(&p.name)), Some("user1"));
    assert_eq!(imported_names(&state, None), vec!["user1".to_string()]);
    // Later reads keep only what was recorded and is still in state.
    assert!(imported_names(&state, Some(&[])).is_empty());
    assert_eq!(imported_names(&state, Some(&["USER1".into()])).len(), 1);
}

#[test]
fn an_undeclared_imported_pool_is_dropped_never_deleted_and_a_declared_one_kept() {
    let arm = two_pool_cluster();
    let mut prior = State::default();
    refresh(&mut prior, &arm, true);
    let imported = imported_names(&prior, None);
    // Undeclared: dropped from the prior the plan starts from, so no delete.
    let mut config = prior.clone();
    config.node_pool = Value::Null;
    let (base, dropped) = without_undeclared(&prior, &config, &imported);
    assert_eq!(dropped, vec!["user1".to_string()]);
    assert_eq!(base.node_pool, Value::Null);
    assert!(pool_changes(&base, &config).is_empty());
    // Without the import's record, the same removal is a delete.
    let (base, dropped) = without_undeclared(&prior, &config, &[]);
    assert!(dropped.is_empty());
    assert_eq!(pool_changes(&base, &config).delete, vec!["user1".to_string()]);
    // Declared as Azure has it: kept, no request.
    let (base, dropped) = without_undeclared(&prior, &prior, &imported);
    assert!(dropped.is_empty());
    assert_eq!(base, prior);
    assert!(pool_changes(&base, &prior).is_empty());
    // Declared with another count: one update of that pool, never a create.
    let mut planned = prior.clone();
    let mut scaled = prior.node_pool.as_ref_option().unwrap()[0]
        .as_ref_option()
        .unwrap()
        .clone();
    scaled.node_count = Value::Value(5);
    planned.node_pool = Value::Value(vec![Value::Value(scaled)]);
    let ops = pool_changes_to_apply(None, &prior, &planned, &imported);
    assert_eq!((ops.create.len(), ops.update.len(), ops.delete.len()), (0, 1, 0));
}

#[test]
fn generated_configuration_writes_each_range_once() {
    let mut state = cfg();
    state.pod_cidrs = Value::Value(vec![v("10.244.0.0/16")]);
    state.service_cidr = v("10.0.0.0/16");
    state.service_cidrs = Value::Value(vec![v("10.0.0.0/16"), v("fd00::/108")]);
    let config = as_config(state);
    assert_eq!(config.pod_cidr, v("10.244.0.0/16"));
    assert_eq!(config.pod_cidrs, Value::Null);
    // Dual stack: the list, which the single value would only repeat.
    assert_eq!(config.service_cidr, Value::Null);
    assert_eq!(config.service_cidrs.as_ref_option().map(Vec::len), Some(2));
    assert!(static_findings(&config)
        .iter()
        .all(|f| f.summary != "Conflicting Attributes"));
}

#[test]
fn a_system_assigned_identity_block_and_none_are_the_same_cluster() {
    let declared = |kind: &str, ids: Option<Vec<&str>>| {
        let mut c = cfg();
        c.identity = Value::Value(schema::Identity {
            kind: v(kind),
            identity_ids: ids.map_or(Value::Null, |ids| Value::Value(ids.into_iter().map(v).collect())),
        });
        c
    };
    // The body is the same, so dropping or adding the default block is no cluster write.
    assert_eq!(
        desired(&cfg(), None, Stage::Full)["identity"],
        desired(&declared("SystemAssigned", None), None, Stage::Full)["identity"]
    );
    assert!(!cluster_changed(&declared("SystemAssigned", None), &cfg()));
    assert!(!cluster_changed(
        &cfg(),
        &declared("SystemAssigned", Some(vec![]))
    ));
    // A user-assigned identity is a real change either way.
    let user = declared("UserAssigned", Some(vec!["/id"]));
    assert!(cluster_changed(&cfg(), &user));
    assert!(cluster_changed(&user, &cfg()));
}

/// Issue 14: the pool decision plan makes travels to apply by name and comes back as the same
/// changes with the planned values; apply follows it, and decides again only without one.
#[test]
fn the_pool_decision_travels_by_name_and_apply_follows_it() {
    let mut prior = cfg();
    prior.node_pool = Value::Value(vec![
        Value::Value(pool("keep", 1)),
        Value::Value(pool("gone", 1)),
        Value::Value(pool("fixed", 1)),
    ]);
    let mut planned = prior.clone();
    planned.default_node_pool = Value::Value(pool("system", 5));
    let mut fixed = pool("fixed", 1);
    fixed.vm_size = v("Standard_D8s_v5");
    planned.node_pool = Value::Value(vec![
        Value::Value(pool("keep", 2)),
        Value::Value(fixed.clone()),
        Value::Value(pool("new", 1)),
    ]);
    let ops = pool_changes(&prior, &planned);
    let decision = ops.decision();
    assert_eq!(decision.create, vec!["new".to_string()]);
    assert_eq!(decision.delete, vec!["gone".to_string()]);
    assert_eq!(
        decision.update,
        vec![("system".to_string(), true), ("keep".to_string(), false)]
    );
    assert_eq!(decision.recreate, vec!["fixed".to_string()]);
    // Back from the names: the same requests with the planned values (the fixed settings that
    // forced the recreate were plan's warning, not apply's business).
    let back = PoolChanges::decided(&decision, &planned).expect("every pool is planned");
    assert_eq!(back.recreate, vec![(fixed, Vec::new())]);
    assert_eq!(
        (back.create, back.delete, back.update, back.rotate),
        (
            ops.create.clone(),
            ops.delete.clone(),
            ops.update.clone(),
            ops.rotate.clone()
        )
    );

    // Apply carries out what plan decided, even where deciding again would differ ...
    let nothing = PoolDecision::default();
    assert!(pool_changes_to_apply(Some(&nothing), &prior, &planned, &[]).is_empty());
    let only_new = PoolDecision {
        create: vec!["new".into()],
        ..Default::default()
    };
    let applied = pool_changes_to_apply(Some(&only_new), &prior, &planned, &[]);
    assert_eq!(applied.create.len(), 1);
    assert!(applied.update.is_empty() && applied.delete.is_empty() && applied.recreate.is_empty());
    // ... and decides again without a decision (private state of an older version), or with
    // one naming a pool the planned state does not have.
    let decided_again = pool_changes_to_apply(None, &prior, &planned, &[]);
    assert_eq!(decided_again.update, ops.update);
    assert_eq!(decided_again.delete, ops.delete);
    let stale = PoolDecision {
        create: vec!["elsewhere".into()],
        ..Default::default()
    };
    assert_eq!(
        pool_changes_to_apply(Some(&stale), &prior, &planned, &[]).create,
        ops.create
    );
}

#[test]
fn private_state_keeps_a_failed_rotations_temporary_pool_and_reads_older_records() {
    // Nothing to keep: no private state at all.
    assert_eq!(Private::of(Vec::new(), None), None);
    let kept = Private::of(Vec::new(), Some("tmprotation".into())).expect("recorded");
    assert_eq!(kept.rotation_temporary.as_deref(), Some("tmprotation"));
    // Private state written before the rotation was recorded still reads.
    let older: Private = serde_json::from_value(json!({"imported_pools": []})).expect("reads");
    assert_eq!(older.rotation_temporary, None);
    // Older versions recorded the imported pools themselves: their names are read.
    let older: Private =
        serde_json::from_value(json!({"imported_pools": [{"name": "user1", "vm_size": "Standard_D4s_v5"}]}))
            .expect("reads");
    assert_eq!(older.imported_pools, vec!["user1".to_string()]);
    // And a record without a temporary pool is written as before.
    let written = serde_json::to_value(Private::of(vec!["user1".to_string()], None).expect("recorded"))
        .expect("writes");
    assert!(written.get("rotation_temporary").is_none(), "{written}");
    // The cluster's pools are matched by name, case-insensitively.
    let mut arm = ManagedCluster::default();
    arm.properties.agent_pool_profiles.push(AgentPoolProfile {
        name: "TmpRotation".into(),
        ..Default::default()
    });
    assert!(arm.pool("tmprotation").is_some());
    assert!(arm.pool("system").is_none());
}
