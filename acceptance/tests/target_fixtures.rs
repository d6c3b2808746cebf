//! The harness's ARM path against an unseeded emulator: fixtures created through ARM from the
//! seed files, deleted when the scenario ends (also when it panics), and the sweeper.

use std::panic::{catch_unwind, AssertUnwindSafe};

use aksnet_acceptance::arm::{lookup_in, ArmClient};
use aksnet_acceptance::emulator::TestEmulator;
use aksnet_acceptance::target::{sweep, Target, GROUP_PREFIX, SEED_GROUP};
use serde_json::{json, Value};

const NET: &str = "2025-01-01";

/// An emulator with nothing in it and the settings `make testacc` would pass.
fn arm_settings(extra: &[(&str, &str)]) -> (TestEmulator, Vec<(String, String)>) {
    let emu = TestEmulator::start(json!([]));
    let mut env = emu.env();
    env.push(("TF_ACC".into(), "1".into()));
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    (emu, env)
}

fn ids(emu: &TestEmulator) -> Vec<String> {
    emu.inventory().into_iter().map(|(id, _)| id).collect()
}

#[test]
fn fixtures_are_created_through_arm_and_deleted_with_the_group() {
    let (emu, env) = arm_settings(&[("ARM_TEST_LOCATION", "North Europe")]);
    let t = Target::with_settings("fixtures", &["network", "route_table"], &lookup_in(&env));
    assert!(t.against_arm());
    assert!(t.rg().starts_with(GROUP_PREFIX) && t.rg() != SEED_GROUP);
    assert_eq!(
        (t.location(), t.location_written()),
        ("northeurope", "North Europe")
    );
    let held = emu.inventory();
    assert_eq!(held.len(), 3, "{held:?}");
    let group = held
        .iter()
        .find(|(id, _)| id == &t.group_id())
        .map(|(_, b)| b.clone())
        .expect("the group");
    assert_eq!(group["tags"]["aksnet-acctest"], "fixtures");
    assert_eq!(group["location"], "northeurope");
    let (status, vnet) = t.arm(
        "GET",
        &t.id("/providers/Microsoft.Network/virtualNetworks/vnet"),
        NET,
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(vnet["properties"]["subnets"][1]["name"], "other");
    assert_eq!(vnet["properties"]["provisioningState"], "Succeeded");
    let table = t.id("/providers/Microsoft.Network/routeTables/rt-test");
    let (_, rt) = t.arm("GET", &table, NET, None);
    assert_eq!(rt["properties"]["routes"][0]["name"], "default");
    // Out-of-band calls wait for their operation when asked to.
    let route = json!({"properties": {"addressPrefix": "10.244.0.0/24", "nextHopType": "VnetLocal"}});
    let (status, body) = t
        .arm_wait("PUT", &format!("{table}/routes/aks-node-0"), NET, Some(route))
        .expect("route");
    assert_eq!(
        (status, body["properties"]["provisioningState"].as_str()),
        (201, Some("Succeeded"))
    );
    drop(t);
    assert_eq!(ids(&emu), Vec::<String>::new());
}

#[test]
fn the_group_is_created_even_when_no_seed_names_it() {
    let (emu, env) = arm_settings(&[]);
    let t = Target::with_settings("table only", &["route_table"], &lookup_in(&env));
    let mut held = ids(&emu);
    held.sort();
    assert_eq!(
        held,
        [
            t.group_id(),
            t.id("/providers/Microsoft.Network/routeTables/rt-test")
        ]
    );
    drop(t);
    assert_eq!(ids(&emu), Vec::<String>::new());
}

#[test]
fn a_failing_scenario_still_deletes_its_group() {
    let (emu, env) = arm_settings(&[]);
    let result = catch_unwind(AssertUnwindSafe(|| {
        let t = Target::with_settings("panics", &["network"], &lookup_in(&env));
        assert_eq!(ids(&emu).len(), 2);
        panic!("{}: a step failed", t.rg());
    }));
    assert!(result.is_err());
    assert_eq!(ids(&emu), Vec::<String>::new());
}

#[test]
fn a_fixture_that_fails_to_create_still_deletes_its_group() {
    let (emu, env) = arm_settings(&[]);
    emu.fault(json!({"method": "PUT", "path": "virtualNetworks/vnet", "count": 1, "status": 400, "code": "InvalidRequestFormat", "message": "nope"}));
    let result = catch_unwind(AssertUnwindSafe(|| {
        Target::with_settings("bad fixture", &["network"], &lookup_in(&env))
    }));
    let err = result.err().expect("creating the fixtures fails");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("InvalidRequestFormat"), "{msg}");
    assert_eq!(ids(&emu), Vec::<String>::new());
}

#[test]
fn without_tf_acc_each_scenario_gets_its_own_seeded_emulator() {
    let t = Target::with_settings("emulated", &["network"], &|_| None);
    assert!(!t.against_arm());
    let emu = t.emulator().expect("an emulator");
    let held: Vec<String> = emu.inventory().into_iter().map(|(id, _)| id).collect();
    assert!(held.contains(&t.group_id()), "{held:?}");
    assert_eq!(t.env(), emu.env());
}

#[test]
fn sweep_deletes_only_acctest_groups() {
    let sub = aksnet_acceptance::emulator::SAMPLE_SUBSCRIPTION;
    let group = |name: &str| json!({"id": format!("/subscriptions/{sub}/resourceGroups/{name}"), "body": {"location": "westeurope"}});
    let vnet = json!({"id": format!("/subscriptions/{sub}/resourceGroups/acctest-1/providers/Microsoft.Network/virtualNetworks/v"),
        "body": {"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}});
    let emu = TestEmulator::start(json!([
        group("acctest-1"),
        vnet,
        group("AccTest-2"),
        group("keep-acctest-3")
    ]));
    let env = emu.env();
    let client = ArmClient::from_settings(&lookup_in(&env)).expect("client");
    let mut deleted = sweep(&client, GROUP_PREFIX).expect("sweep");
    deleted.sort();
    assert_eq!(deleted, ["AccTest-2", "acctest-1"]);
    let left: Vec<Value> = emu
        .inventory()
        .into_iter()
        .map(|(_, b)| b["name"].clone())
        .collect();
    assert_eq!(left, [json!("keep-acctest-3")]);
}
