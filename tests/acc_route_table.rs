//! `aksnet_route_table` with the real Terraform CLI against aksnet-emulator over HTTPS.

use std::path::Path;
use std::sync::Arc;

use aksnet_acceptance::emulator::{TestEmulator, SAMPLE_SUBSCRIPTION};
use aksnet_acceptance::harness::{expect_eq, run_case_env, Json, Step};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");
const R: &str = "aksnet_route_table.test";
const NET: &str = "2025-01-01";

fn rg_id(rg: &str) -> String {
    format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{rg}")
}

fn vnet_id(rg: &str) -> String {
    format!("{}/providers/Microsoft.Network/virtualNetworks/vnet", rg_id(rg))
}

fn table_id(rg: &str, name: &str) -> String {
    format!("{}/providers/Microsoft.Network/routeTables/{name}", rg_id(rg))
}

/// A resource group with a VNet and two subnets, as the acceptance fixtures seed them.
fn seeds(rg: &str) -> Value {
    json!([
        {"id": rg_id(rg), "body": {"location": "westeurope"}},
        {"id": vnet_id(rg), "body": {"location": "westeurope", "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [
                {"name": "nodes", "id": format!("{}/subnets/nodes", vnet_id(rg)), "properties": {"addressPrefix": "10.0.1.0/24"}},
                {"name": "other", "id": format!("{}/subnets/other", vnet_id(rg)), "properties": {"addressPrefix": "10.0.2.0/24"}}
            ]}}}
    ])
}

/// A route table in `rg`; `extra` lines go inside the resource. The nodes subnet is
/// associated unless `extra` sets `subnet_ids` itself.
fn config(rg: &str, routes: &str, extra: &str) -> String {
    let subnets = if extra.contains("subnet_ids") {
        String::new()
    } else {
        format!("  subnet_ids = [\"{}/subnets/nodes\"]\n", vnet_id(rg))
    };
    unassociated(rg, routes, &format!("{subnets}{extra}"))
}

/// A route table with no subnet associations unless `extra` adds them.
fn unassociated(rg: &str, routes: &str, extra: &str) -> String {
    format!(
        r#"
provider "aksnet" {{}}

resource "aksnet_route_table" "test" {{
  name                = "rt-test"
  resource_group_name = "{rg}"
  location            = "West Europe"
  tags = {{
    team = "network"
  }}
{routes}
{extra}
}}
"#
    )
}

const FIREWALL: &str = r#"
  route {
    name                = "default"
    address_prefix      = "0.0.0.0/0"
    next_hop_type       = "VirtualAppliance"
    next_hop_ip_address = "10.0.0.4"
  }
"#;

fn subnet_route_table(emu: &TestEmulator, rg: &str, subnet: &str) -> Option<String> {
    emu.inventory()
        .into_iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(&vnet_id(rg)))
        .and_then(|(_, body)| {
            body["properties"]["subnets"]
                .as_array()?
                .iter()
                .find(|s| s["name"] == subnet)?["properties"]["routeTable"]["id"]
                .as_str()
                .map(str::to_string)
        })
}

#[test]
fn basic_create_read_update_destroy() {
    let rg = "acctest-rt-basic";
    let emu = Arc::new(TestEmulator::start(seeds(rg)));
    let e1 = emu.clone();
    let e2 = emu.clone();
    let steps = vec![
        Step::apply(&config(rg, FIREWALL, ""), move |s: &Json| {
            expect_eq(
                "id",
                s.attr(R, "id")?,
                &json!(table_id("acctest-rt-basic", "rt-test")),
            )?;
            expect_eq("bgp", s.attr(R, "bgp_route_propagation_enabled")?, &json!(true))?;
            expect_eq("foreign", s.attr(R, "foreign_route_names")?, &json!([]))?;
            expect_eq(
                "location kept as written",
                s.attr(R, "location")?,
                &json!("West Europe"),
            )?;
            let assoc =
                subnet_route_table(&e1, "acctest-rt-basic", "nodes").ok_or("nodes subnet not associated")?;
            (assoc == table_id("acctest-rt-basic", "rt-test"))
                .then_some(())
                .ok_or(format!("associated with {assoc}"))
        }),
        Step::apply(
            &config(
                rg,
                FIREWALL,
                "  bgp_route_propagation_enabled = false\n  subnet_ids = []",
            ),
            move |s: &Json| {
                expect_eq("bgp", s.attr(R, "bgp_route_propagation_enabled")?, &json!(false))?;
                match subnet_route_table(&e2, "acctest-rt-basic", "nodes") {
                    None => Ok(()),
                    Some(id) => Err(format!("nodes still associated with {id}")),
                }
            },
        ),
    ];
    run_case_env("route_table basic", Path::new(BIN), &emu.env(), steps);
    assert!(
        !emu.inventory()
            .iter()
            .any(|(id, _)| id.to_ascii_lowercase().contains("routetables")),
        "destroy left a route table behind"
    );
}

#[test]
fn foreign_routes_are_preserved_and_never_drift() {
    let rg = "acctest-rt-foreign";
    let emu = Arc::new(TestEmulator::start(seeds(rg)));
    let aks = emu.clone();
    let check = emu.clone();
    let add_aks_route = move || {
        let id = format!("{}/routes/aks-node-0", table_id("acctest-rt-foreign", "rt-test"));
        let body = json!({"properties": {"addressPrefix": "10.244.0.0/24", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.1.4"}});
        let (status, resp) = aks.arm("PUT", &id, NET, Some(body));
        (status < 300)
            .then_some(())
            .ok_or(format!("AKS route write failed: {status} {resp}"))
    };
    let updated = config(rg, &FIREWALL.replace("10.0.0.4", "10.0.0.5"), "");
    let steps = vec![
        Step::apply(&config(rg, FIREWALL, ""), |_| Ok(())),
        Step::run(add_aks_route),
        // AKS's route is not ours: no diff.
        Step::plan_exit(&config(rg, FIREWALL, ""), 0, None),
        Step::apply(&updated, move |s: &Json| {
            expect_eq(
                "foreign",
                s.attr(R, "foreign_route_names")?,
                &json!(["aks-node-0"]),
            )?;
            expect_eq(
                "owned route updated",
                s.attr(R, "/route/0/next_hop_ip_address")?,
                &json!("10.0.0.5"),
            )?;
            let (_, table) = check.arm("GET", &table_id("acctest-rt-foreign", "rt-test"), NET, None);
            let names: Vec<&str> = table["properties"]["routes"]
                .as_array()
                .map(|r| r.iter().filter_map(|x| x["name"].as_str()).collect())
                .unwrap_or_default();
            (names.contains(&"aks-node-0") && names.contains(&"default"))
                .then_some(())
                .ok_or(format!("routes after update: {names:?}"))
        }),
        Step::apply(
            &config(
                rg,
                &FIREWALL.replace("10.0.0.4", "10.0.0.5"),
                "  foreign_routes = \"remove\"",
            ),
            |s: &Json| expect_eq("foreign", s.attr(R, "foreign_route_names")?, &json!([])),
        ),
    ];
    run_case_env("route_table foreign", Path::new(BIN), &emu.env(), steps);
}

#[test]
fn existing_table_requires_import_and_imports() {
    let rg = "acctest-rt-import";
    let mut seed = seeds(rg);
    seed.as_array_mut().unwrap().push(json!({"id": table_id(rg, "rt-test"), "body": {"location": "westeurope", "tags": {"team": "network"}, "properties": {"routes": [
        {"name": "default", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4"}}
    ]}}}));
    let emu = TestEmulator::start(seed);
    let cfg = unassociated(rg, FIREWALL, "");
    let id = table_id(rg, "rt-test");
    let steps = vec![
        Step::apply_error(
            &cfg,
            "already exists - to be managed via Terraform this resource needs to be imported",
            |s: &Json| {
                s.resource(R)
                    .is_err()
                    .then_some(())
                    .ok_or("a failed create must not claim the table".into())
            },
        ),
        Step::cli(&["import", "-no-color", R, &id], true, Some("Import successful")),
        Step::plan_exit(&cfg, 0, None),
        Step::cli(&["state", "rm", "-no-color", R], true, None),
    ];
    run_case_env("route_table import", Path::new(BIN), &emu.env(), steps);
    assert!(
        emu.inventory().iter().any(|(i, _)| i.eq_ignore_ascii_case(&id)),
        "a table the user did not create was deleted"
    );
}

#[test]
fn deleted_out_of_band_is_recreated() {
    let rg = "acctest-rt-gone";
    let emu = Arc::new(TestEmulator::start(seeds(rg)));
    let e = emu.clone();
    let cfg = unassociated(rg, FIREWALL, "");
    let steps = vec![
        Step::apply(&cfg, |_| Ok(())),
        Step::run(move || {
            let (status, body) = e.arm("DELETE", &table_id("acctest-rt-gone", "rt-test"), NET, None);
            std::thread::sleep(std::time::Duration::from_millis(400));
            (status == 202)
                .then_some(())
                .ok_or(format!("delete: {status} {body}"))
        }),
        Step::plan_exit(&cfg, 2, Some("will be created")),
        Step::apply(&cfg, |s: &Json| s.str_attr(R, "etag").map(|_| ())),
    ];
    run_case_env("route_table disappears", Path::new(BIN), &emu.env(), steps);
}

#[test]
fn throttling_and_conflicts_are_retried() {
    let rg = "acctest-rt-faults";
    let emu = Arc::new(TestEmulator::start(seeds(rg)));
    let e = emu.clone();
    let steps = vec![
        Step::run(move || {
            e.fault(json!({"method": "PUT", "path": "routeTables/rt-test", "count": 1, "status": 429, "code": "TooManyRequests", "retry_after": 1}));
            e.fault(json!({"method": "PUT", "path": "routeTables/rt-test", "count": 1, "status": 409, "code": "AnotherOperationInProgress", "retry_after": 1}));
            Ok(())
        }),
        Step::apply(&config(rg, FIREWALL, ""), |_| Ok(())),
    ];
    run_case_env("route_table faults", Path::new(BIN), &emu.env(), steps);
}

#[test]
fn failed_lro_names_the_code_and_keeps_state_accurate() {
    let rg = "acctest-rt-lro";
    let emu = Arc::new(TestEmulator::start(seeds(rg)));
    let e = emu.clone();
    let cfg = unassociated(rg, FIREWALL, "");
    let steps = vec![
        Step::run(move || {
            e.fault(json!({"path": "routeTables/rt-test", "lro": "fail", "code": "InternalServerError", "message": "backend exploded"}));
            Ok(())
        }),
        // The table exists after the failed LRO, so it is recorded in state (nothing lost).
        Step::apply_error(&cfg, "InternalServerError.*backend exploded", |s: &Json| {
            s.resource(R).map(|_| ())
        }),
        Step::apply(&cfg, |_| Ok(())),
    ];
    run_case_env("route_table failed lro", Path::new(BIN), &emu.env(), steps);
}

#[test]
fn invalid_route_tables_fail_at_plan() {
    let rg = "acctest-rt-invalid";
    let emu = TestEmulator::start(seeds(rg));
    let many: String = (0..401)
        .map(|i| format!("  route {{\n    name = \"r{i}\"\n    address_prefix = \"10.{}.{}.0/24\"\n    next_hop_type = \"VnetLocal\"\n  }}\n", i / 256, i % 256))
        .collect();
    let steps = vec![
        Step::expect_error_at(
            &config(
                rg,
                &FIREWALL.replace("    next_hop_ip_address = \"10.0.0.4\"\n", ""),
                "",
            ),
            "Missing Next Hop IP Address",
            "route",
        ),
        Step::expect_error(
            &config(rg, &format!("{FIREWALL}{FIREWALL}"), ""),
            "Duplicate Route Name",
        ),
        Step::expect_error(
            &config(rg, &many, ""),
            r"401 declared \+ 0 foreign \+ 0 reserved routes = 401",
        ),
        Step::expect_error_at(
            &config(rg, FIREWALL, "  reserved_route_count = 400"),
            "at most 400 routes",
            "reserved_route_count",
        ),
        Step::expect_error_at(
            &config(rg, FIREWALL, "  foreign_routes = \"keep\""),
            "Invalid Foreign Routes Mode",
            "foreign_routes",
        ),
        Step::expect_error_at(
            &config(rg, FIREWALL, "  timeouts {\n    create = \"10 minutes\"\n  }"),
            "Invalid Timeout",
            "create",
        ),
    ];
    run_case_env("route_table invalid", Path::new(BIN), &emu.env(), steps);
}

fn aks_route(emu: &TestEmulator, rg: &str) -> Result<(), String> {
    let id = format!("{}/routes/aks-node-0", table_id(rg, "rt-test"));
    let body = json!({"properties": {"addressPrefix": "10.244.0.0/24", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.1.4"}});
    let (status, resp) = emu.arm("PUT", &id, NET, Some(body));
    (status < 300)
        .then_some(())
        .ok_or(format!("AKS route write failed: {status} {resp}"))
}

#[test]
fn destroy_refuses_to_break_a_cluster_routing_through_the_table() {
    let rg = "acctest-rt-keep";
    let emu = Arc::new(TestEmulator::start(seeds(rg)));
    let e = emu.clone();
    let preserve = unassociated(rg, FIREWALL, "");
    let remove = unassociated(rg, FIREWALL, "  foreign_routes = \"remove\"");
    let steps = vec![
        Step::apply(&preserve, |_| Ok(())),
        Step::run(move || aks_route(&e, "acctest-rt-keep")),
        Step::cli(
            &["destroy", "-auto-approve", "-no-color"],
            false,
            Some(r"Route Table Still In Use.*aks-node-0"),
        ),
        Step::apply(&remove, |s: &Json| {
            expect_eq("foreign", s.attr(R, "foreign_route_names")?, &json!([]))
        }),
    ];
    run_case_env("route_table destroy safety", Path::new(BIN), &emu.env(), steps);
}

#[test]
fn concurrent_write_between_read_and_put_is_retried() {
    let rg = "acctest-rt-race";
    let emu = Arc::new(TestEmulator::start(seeds(rg)));
    let e = emu.clone();
    let steps = vec![
        Step::apply(&unassociated(rg, FIREWALL, ""), |_| Ok(())),
        Step::run(move || {
            e.fault(json!({"method": "PUT", "path": "routeTables/rt-test", "count": 1, "status": 412, "code": "PreconditionFailed", "message": "The ETag does not match."}));
            Ok(())
        }),
        Step::apply(
            &unassociated(rg, &FIREWALL.replace("10.0.0.4", "10.0.0.9"), ""),
            |s: &Json| {
                expect_eq(
                    "hop",
                    s.attr(R, "/route/0/next_hop_ip_address")?,
                    &json!("10.0.0.9"),
                )
            },
        ),
    ];
    run_case_env("route_table 412", Path::new(BIN), &emu.env(), steps);
}

#[test]
fn fifty_routes_and_two_associations_take_three_writes() {
    let rg = "acctest-rt-count";
    let emu = Arc::new(TestEmulator::start(seeds(rg)));
    let routes: String = (0..50)
        .map(|i| format!("  route {{\n    name           = \"r{i}\"\n    address_prefix = \"10.100.{i}.0/24\"\n    next_hop_type  = \"VnetLocal\"\n  }}\n"))
        .collect();
    let cfg = unassociated(
        rg,
        &routes,
        &format!(
            "  subnet_ids = [\"{0}/subnets/nodes\", \"{0}/subnets/other\"]",
            vnet_id(rg)
        ),
    );
    let before = Arc::new(std::sync::Mutex::new(0u64));
    let (e1, e2, b1, b2) = (emu.clone(), emu.clone(), before.clone(), before.clone());
    let steps = vec![
        Step::run(move || {
            *b1.lock().unwrap() = e1.counters()["writes"].as_u64().unwrap_or(0);
            Ok(())
        }),
        Step::apply(&cfg, move |s: &Json| {
            let writes = e2.counters()["writes"].as_u64().unwrap_or(0) - *b2.lock().unwrap();
            // Floor: one table PUT and one PUT per subnet association; a naive provider sends 50 route PUTs.
            expect_eq("ARM writes for the create", &json!(writes), &json!(3))?;
            expect_eq(
                "routes",
                &json!(s.attr(R, "route")?.as_array().map(Vec::len)),
                &json!(50),
            )
        }),
    ];
    run_case_env("route_table request count", Path::new(BIN), &emu.env(), steps);
}

#[test]
fn update_adds_changes_removes_routes_and_moves_the_association() {
    let rg = "acctest-rt-update";
    let emu = Arc::new(TestEmulator::start(seeds(rg)));
    let e = emu.clone();
    let storage = "  route {\n    name           = \"storage\"\n    address_prefix = \"Storage.WestEurope\"\n    next_hop_type  = \"Internet\"\n  }\n";
    let first = unassociated(
        rg,
        &format!("{FIREWALL}{storage}"),
        &format!("  subnet_ids = [\"{}/subnets/nodes\"]", vnet_id(rg)),
    );
    let second = unassociated(
        rg,
        &FIREWALL
            .replace("10.0.0.4", "10.0.0.8")
            .replace("default", "egress"),
        &format!("  subnet_ids = [\"{}/subnets/other\"]", vnet_id(rg)),
    );
    let steps = vec![
        Step::apply(&first, |s: &Json| {
            expect_eq(
                "routes",
                &json!(s.attr(R, "route")?.as_array().map(Vec::len)),
                &json!(2),
            )
        }),
        Step::apply(&second, move |s: &Json| {
            expect_eq("route", s.attr(R, "/route/0/name")?, &json!("egress"))?;
            let (_, table) = e.arm("GET", &table_id("acctest-rt-update", "rt-test"), NET, None);
            let names: Vec<String> = table["properties"]["routes"]
                .as_array()
                .map(|r| {
                    r.iter()
                        .filter_map(|x| x["name"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            expect_eq("routes in Azure", &json!(names), &json!(["egress"]))?;
            match (
                subnet_route_table(&e, "acctest-rt-update", "nodes"),
                subnet_route_table(&e, "acctest-rt-update", "other"),
            ) {
                (None, Some(_)) => Ok(()),
                other => Err(format!("associations after the move: {other:?}")),
            }
        }),
    ];
    run_case_env("route_table update", Path::new(BIN), &emu.env(), steps);
}

#[test]
fn import_treats_aks_routes_as_foreign() {
    let rg = "acctest-rt-import-aks";
    let mut seed = seeds(rg);
    seed.as_array_mut().unwrap().push(json!({"id": table_id(rg, "rt-test"), "body": {"location": "westeurope", "tags": {"team": "network"}, "properties": {"routes": [
        {"name": "default", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4"}},
        {"name": "aks-node-7", "properties": {"addressPrefix": "10.244.7.0/24", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.1.7"}}
    ]}}}));
    let emu = TestEmulator::start(seed);
    let cfg = unassociated(rg, FIREWALL, "");
    let id = table_id(rg, "rt-test");
    let steps = vec![
        Step::plan_exit(&cfg, 2, Some("will be created")),
        Step::cli(&["import", "-no-color", R, &id], true, Some("Import successful")),
        Step::plan_exit(&cfg, 0, None),
        Step::cli(&["state", "rm", "-no-color", R], true, None),
    ];
    run_case_env("route_table import aks", Path::new(BIN), &emu.env(), steps);
}

fn kubenet_cluster(emu: &TestEmulator, rg: &str, nodes: u32) -> Result<(), String> {
    let id = format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/kube",
        rg_id(rg)
    );
    let body = json!({"location": "westeurope", "properties": {"kubernetesVersion": "1.29", "dnsPrefix": "kube",
        "agentPoolProfiles": [{"name": "system", "count": nodes, "vmSize": "Standard_D2s_v5", "mode": "System", "vnetSubnetID": format!("{}/subnets/nodes", vnet_id(rg))}],
        "networkProfile": {"networkPlugin": "kubenet", "podCidr": "10.244.0.0/16", "serviceCidr": "10.1.0.0/16", "dnsServiceIP": "10.1.0.10"}}});
    let (status, resp) = emu.arm("PUT", &id, "2025-10-01", Some(body));
    std::thread::sleep(std::time::Duration::from_millis(400));
    (status < 300)
        .then_some(())
        .ok_or(format!("cluster write failed: {status} {resp}"))
}

fn aks_routes(emu: &TestEmulator, rg: &str) -> usize {
    let (_, table) = emu.arm("GET", &table_id(rg, "rt-test"), NET, None);
    table["properties"]["routes"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter(|x| x["name"].as_str().is_some_and(|n| n.starts_with("aks-")))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn kubenet_cluster_routes_between_applies_cause_no_diff() {
    let rg = "acctest-rt-kubenet";
    let emu = Arc::new(TestEmulator::start(seeds(rg)));
    let (e1, e2, e3, e4, e5) = (emu.clone(), emu.clone(), emu.clone(), emu.clone(), emu.clone());
    let steps = vec![
        Step::apply(&config(rg, FIREWALL, ""), |_| Ok(())),
        Step::run(move || {
            kubenet_cluster(&e1, "acctest-rt-kubenet", 3)?;
            let n = aks_routes(&e1, "acctest-rt-kubenet");
            (n == 3)
                .then_some(())
                .ok_or(format!("the cluster wrote {n} routes, expected 3"))
        }),
        Step::plan_exit(&config(rg, FIREWALL, ""), 0, None),
        Step::apply(
            &config(rg, &FIREWALL.replace("10.0.0.4", "10.0.0.6"), ""),
            move |s: &Json| {
                expect_eq(
                    "aks routes kept",
                    &json!(aks_routes(&e2, "acctest-rt-kubenet")),
                    &json!(3),
                )?;
                expect_eq(
                    "foreign",
                    &json!(s.attr(R, "foreign_route_names")?.as_array().map(Vec::len)),
                    &json!(3),
                )
            },
        ),
        Step::run(move || kubenet_cluster(&e3, "acctest-rt-kubenet", 5)),
        Step::plan_exit(
            &config(rg, &FIREWALL.replace("10.0.0.4", "10.0.0.6"), ""),
            0,
            None,
        ),
        Step::run(move || {
            let n = aks_routes(&e4, "acctest-rt-kubenet");
            (n == 5)
                .then_some(())
                .ok_or(format!("scaled cluster has {n} routes, expected 5"))
        }),
        Step::run(move || {
            let id = format!(
                "{}/providers/Microsoft.ContainerService/managedClusters/kube",
                rg_id("acctest-rt-kubenet")
            );
            let (status, body) = e5.arm("DELETE", &id, "2025-10-01", None);
            std::thread::sleep(std::time::Duration::from_millis(400));
            (status == 202)
                .then_some(())
                .ok_or(format!("cluster delete: {status} {body}"))
        }),
    ];
    run_case_env("route_table kubenet", Path::new(BIN), &emu.env(), steps);
}

#[test]
fn complete() {
    let rg = "acctest-rt-complete";
    let emu = TestEmulator::start(seeds(rg));
    let storage = "  route {\n    name           = \"storage\"\n    address_prefix = \"Storage.WestEurope\"\n    next_hop_type  = \"Internet\"\n  }\n";
    let extra = format!(
        "  subnet_ids = [\"{0}/subnets/nodes\", \"{0}/subnets/other\"]\n  bgp_route_propagation_enabled = false\n  foreign_routes = \"preserve\"\n  reserved_route_count = 100\n  timeouts {{\n    create = \"10m\"\n    update = \"10m\"\n    delete = \"10m\"\n    read   = \"1m\"\n  }}",
        vnet_id(rg)
    );
    let cfg = unassociated(rg, &format!("{FIREWALL}{storage}"), &extra);
    run_case_env(
        "route_table complete",
        Path::new(BIN),
        &emu.env(),
        vec![Step::apply(&cfg, |s: &Json| {
            expect_eq(
                "routes",
                &json!(s.attr(R, "route")?.as_array().map(Vec::len)),
                &json!(2),
            )?;
            expect_eq(
                "subnets",
                &json!(s.attr(R, "subnet_ids")?.as_array().map(Vec::len)),
                &json!(2),
            )?;
            expect_eq("bgp", s.attr(R, "bgp_route_propagation_enabled")?, &json!(false))?;
            expect_eq("reserved", s.attr(R, "reserved_route_count")?, &json!(100))?;
            expect_eq("timeouts", s.attr(R, "/timeouts/create")?, &json!("10m"))
        })],
    );
}
