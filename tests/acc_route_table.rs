//! `aksnet_route_table` with the real Terraform CLI. By default every scenario gets its own
//! aksnet-emulator over HTTPS, seeded from `acceptance/seeds/`; with `TF_ACC=1` and `ARM_*`
//! credentials (`make testacc`) the same scenarios run against that ARM endpoint, in a fresh
//! `acctest-<n>` resource group the harness creates from the same seeds and deletes afterwards.
//! Scenarios that need the emulator (fault injection, request counters, an AKS cluster in
//! seconds) are skipped there with the reason printed.

use std::path::Path;
use std::sync::Arc;

use aksnet_acceptance::harness::{expect_eq, Json, Step};
use aksnet_acceptance::target::Target;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");
const R: &str = "aksnet_route_table.test";
const NET: &str = "2025-01-01";
/// The fixtures most scenarios stand on: a resource group with a VNet and two subnets.
const NETWORK: &[&str] = &["network"];

fn bin() -> &'static Path {
    Path::new(BIN)
}

fn vnet_id(t: &Target) -> String {
    t.id("/providers/Microsoft.Network/virtualNetworks/vnet")
}

fn table_id(t: &Target) -> String {
    t.id("/providers/Microsoft.Network/routeTables/rt-test")
}

/// A route table in the scenario's group; `extra` lines go inside the resource. The nodes
/// subnet is associated unless `extra` sets `subnet_ids` itself.
fn config(t: &Target, routes: &str, extra: &str) -> String {
    let subnets = if extra.contains("subnet_ids") {
        String::new()
    } else {
        format!("  subnet_ids = [\"{}/subnets/nodes\"]\n", vnet_id(t))
    };
    unassociated(t, routes, &format!("{subnets}{extra}"))
}

/// A route table with no subnet associations unless `extra` adds them.
fn unassociated(t: &Target, routes: &str, extra: &str) -> String {
    let (rg, location) = (t.rg(), t.location_written());
    format!(
        r#"
provider "aksnet" {{}}

resource "aksnet_route_table" "test" {{
  name                = "rt-test"
  resource_group_name = "{rg}"
  location            = "{location}"
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

/// The route table a subnet is associated with, read through ARM.
fn subnet_route_table(t: &Target, subnet: &str) -> Result<Option<String>, String> {
    let (status, body) = t.arm("GET", &format!("{}/subnets/{subnet}", vnet_id(t)), NET, None);
    if status != 200 {
        return Err(format!("reading subnet {subnet}: {status} {body}"));
    }
    Ok(body["properties"]["routeTable"]["id"]
        .as_str()
        .map(str::to_string))
}

/// The names of the table's routes in Azure.
fn route_names(t: &Target) -> Vec<String> {
    let (_, table) = t.arm("GET", &table_id(t), NET, None);
    table["properties"]["routes"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|x| x["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Writes a route named like AKS's, as AKS would (out of band), and waits for it.
fn aks_route(t: &Target) -> Result<(), String> {
    let id = format!("{}/routes/aks-node-0", table_id(t));
    let body = json!({"properties": {"addressPrefix": "10.244.0.0/24", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.1.4"}});
    t.arm_wait("PUT", &id, NET, Some(body))
        .map(|_| ())
        .map_err(|e| format!("AKS route write failed: {e}"))
}

#[test]
fn basic_create_read_update_destroy() {
    let t = Target::new("route_table_basic", NETWORK);
    let (t1, t2) = (t.clone(), t.clone());
    let steps = vec![
        Step::apply(&config(&t, FIREWALL, ""), move |s: &Json| {
            expect_eq("id", s.attr(R, "id")?, &json!(table_id(&t1)))?;
            expect_eq("bgp", s.attr(R, "bgp_route_propagation_enabled")?, &json!(true))?;
            expect_eq("foreign", s.attr(R, "foreign_route_names")?, &json!([]))?;
            expect_eq(
                "location kept as written",
                s.attr(R, "location")?,
                &json!(t1.location_written()),
            )?;
            let assoc = subnet_route_table(&t1, "nodes")?.ok_or("nodes subnet not associated")?;
            (assoc.eq_ignore_ascii_case(&table_id(&t1)))
                .then_some(())
                .ok_or(format!("associated with {assoc}"))
        }),
        Step::apply(
            &config(
                &t,
                FIREWALL,
                "  bgp_route_propagation_enabled = false\n  subnet_ids = []",
            ),
            move |s: &Json| {
                expect_eq("bgp", s.attr(R, "bgp_route_propagation_enabled")?, &json!(false))?;
                match subnet_route_table(&t2, "nodes")? {
                    None => Ok(()),
                    Some(id) => Err(format!("nodes still associated with {id}")),
                }
            },
        ),
    ];
    t.run(bin(), steps);
    let (status, _) = t.arm("GET", &table_id(&t), NET, None);
    assert_eq!(status, 404, "destroy left the route table behind");
}

#[test]
fn foreign_routes_are_preserved_and_never_drift() {
    let t = Target::new("route_table_foreign_routes", NETWORK);
    let (aks, check) = (t.clone(), t.clone());
    let updated = config(&t, &FIREWALL.replace("10.0.0.4", "10.0.0.5"), "");
    let steps = vec![
        Step::apply(&config(&t, FIREWALL, ""), |_| Ok(())),
        Step::run(move || aks_route(&aks)),
        // AKS's route is not ours: no diff.
        Step::plan_exit(&config(&t, FIREWALL, ""), 0, None),
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
            let names = route_names(&check);
            (names.iter().any(|n| n == "aks-node-0") && names.iter().any(|n| n == "default"))
                .then_some(())
                .ok_or(format!("routes after update: {names:?}"))
        }),
        Step::apply(
            &config(
                &t,
                &FIREWALL.replace("10.0.0.4", "10.0.0.5"),
                "  foreign_routes = \"remove\"",
            ),
            |s: &Json| expect_eq("foreign", s.attr(R, "foreign_route_names")?, &json!([])),
        ),
    ];
    t.run(bin(), steps);
}

#[test]
fn existing_table_requires_import_and_imports() {
    let t = Target::new("route_table_requires_import", &["network", "route_table"]);
    let cfg = unassociated(&t, FIREWALL, "");
    let id = table_id(&t);
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
    t.run(bin(), steps);
    let (status, _) = t.arm("GET", &id, NET, None);
    assert_eq!(status, 200, "a table the user did not create was deleted");
}

#[test]
fn deleted_out_of_band_is_recreated() {
    let t = Target::new("route_table_disappears", NETWORK);
    let e = t.clone();
    let cfg = unassociated(&t, FIREWALL, "");
    let steps = vec![
        Step::apply(&cfg, |_| Ok(())),
        Step::run(move || {
            let (status, _) = e.arm_wait("DELETE", &table_id(&e), NET, None)?;
            (status == 202 || status == 200)
                .then_some(())
                .ok_or(format!("delete answered {status}"))
        }),
        Step::plan_exit(&cfg, 2, Some("will be created")),
        Step::apply(&cfg, |s: &Json| s.str_attr(R, "etag").map(|_| ())),
    ];
    t.run(bin(), steps);
}

#[test]
fn throttling_and_conflicts_are_retried() {
    let Some(t) = Target::emulator_only("route_table_throttling", "fault injection", NETWORK) else {
        return;
    };
    let e = t.clone();
    let steps = vec![
        Step::run(move || {
            let emu = e.emulator().ok_or("no emulator")?;
            emu.fault(json!({"method": "PUT", "path": "routeTables/rt-test", "count": 1, "status": 429, "code": "TooManyRequests", "retry_after": 1}));
            emu.fault(json!({"method": "PUT", "path": "routeTables/rt-test", "count": 1, "status": 409, "code": "AnotherOperationInProgress", "retry_after": 1}));
            Ok(())
        }),
        Step::apply(&config(&t, FIREWALL, ""), |_| Ok(())),
    ];
    t.run(bin(), steps);
}

#[test]
fn failed_lro_names_the_code_and_keeps_state_accurate() {
    let Some(t) = Target::emulator_only("route_table_failed_lro", "fault injection", NETWORK) else {
        return;
    };
    let e = t.clone();
    let cfg = unassociated(&t, FIREWALL, "");
    let steps = vec![
        Step::run(move || {
            let emu = e.emulator().ok_or("no emulator")?;
            emu.fault(json!({"path": "routeTables/rt-test", "lro": "fail", "code": "InternalServerError", "message": "backend exploded"}));
            Ok(())
        }),
        // The table exists after the failed LRO, so it is recorded in state (nothing lost).
        Step::apply_error(&cfg, "InternalServerError.*backend exploded", |s: &Json| {
            s.resource(R).map(|_| ())
        }),
        Step::apply(&cfg, |_| Ok(())),
    ];
    t.run(bin(), steps);
}

#[test]
fn invalid_route_tables_fail_at_plan() {
    // Plan-time errors need no fixtures (against Azure, not even a resource group).
    let t = Target::new("route_table_invalid", &[]);
    let many: String = (0..401)
        .map(|i| format!("  route {{\n    name = \"r{i}\"\n    address_prefix = \"10.{}.{}.0/24\"\n    next_hop_type = \"VnetLocal\"\n  }}\n", i / 256, i % 256))
        .collect();
    let steps = vec![
        Step::expect_error_at(
            &config(
                &t,
                &FIREWALL.replace("    next_hop_ip_address = \"10.0.0.4\"\n", ""),
                "",
            ),
            "Missing Next Hop IP Address",
            "route",
        ),
        Step::expect_error(
            &config(&t, &format!("{FIREWALL}{FIREWALL}"), ""),
            "Duplicate Route Name",
        ),
        Step::expect_error(
            &config(&t, &many, ""),
            r"401 declared \+ 0 foreign \+ 0 reserved routes = 401",
        ),
        Step::expect_error_at(
            &config(&t, FIREWALL, "  reserved_route_count = 400"),
            "at most 400 routes",
            "reserved_route_count",
        ),
        Step::expect_error_at(
            &config(&t, FIREWALL, "  foreign_routes = \"keep\""),
            "Invalid Foreign Routes Mode",
            "foreign_routes",
        ),
        Step::expect_error_at(
            &config(&t, FIREWALL, "  timeouts {\n    create = \"10 minutes\"\n  }"),
            "Invalid Timeout",
            "create",
        ),
    ];
    t.run(bin(), steps);
}

#[test]
fn destroy_refuses_to_break_a_cluster_routing_through_the_table() {
    let t = Target::new("route_table_destroy_safety", NETWORK);
    let e = t.clone();
    let preserve = unassociated(&t, FIREWALL, "");
    let remove = unassociated(&t, FIREWALL, "  foreign_routes = \"remove\"");
    let steps = vec![
        Step::apply(&preserve, |_| Ok(())),
        Step::run(move || aks_route(&e)),
        Step::cli(
            &["destroy", "-auto-approve", "-no-color"],
            false,
            Some(r"Route Table Still In Use.*aks-node-0"),
        ),
        Step::apply(&remove, |s: &Json| {
            expect_eq("foreign", s.attr(R, "foreign_route_names")?, &json!([]))
        }),
    ];
    t.run(bin(), steps);
}

#[test]
fn concurrent_write_between_read_and_put_is_retried() {
    let Some(t) = Target::emulator_only("route_table_precondition_failed", "fault injection", NETWORK) else {
        return;
    };
    let e = t.clone();
    let steps = vec![
        Step::apply(&unassociated(&t, FIREWALL, ""), |_| Ok(())),
        Step::run(move || {
            let emu = e.emulator().ok_or("no emulator")?;
            emu.fault(json!({"method": "PUT", "path": "routeTables/rt-test", "count": 1, "status": 412, "code": "PreconditionFailed", "message": "The ETag does not match."}));
            Ok(())
        }),
        Step::apply(
            &unassociated(&t, &FIREWALL.replace("10.0.0.4", "10.0.0.9"), ""),
            |s: &Json| {
                expect_eq(
                    "hop",
                    s.attr(R, "/route/0/next_hop_ip_address")?,
                    &json!("10.0.0.9"),
                )
            },
        ),
    ];
    t.run(bin(), steps);
}

#[test]
fn fifty_routes_and_two_associations_take_three_writes() {
    let Some(t) = Target::emulator_only("route_table_request_count", "request counters", NETWORK) else {
        return;
    };
    let routes: String = (0..50)
        .map(|i| format!("  route {{\n    name           = \"r{i}\"\n    address_prefix = \"10.100.{i}.0/24\"\n    next_hop_type  = \"VnetLocal\"\n  }}\n"))
        .collect();
    let cfg = unassociated(
        &t,
        &routes,
        &format!(
            "  subnet_ids = [\"{0}/subnets/nodes\", \"{0}/subnets/other\"]",
            vnet_id(&t)
        ),
    );
    let writes = |t: &Target| {
        t.emulator()
            .map(|e| e.counters()["writes"].as_u64().unwrap_or(0))
            .unwrap_or(0)
    };
    let before = Arc::new(std::sync::Mutex::new(0u64));
    let (t1, t2, b1, b2) = (t.clone(), t.clone(), before.clone(), before.clone());
    let steps = vec![
        Step::run(move || {
            *b1.lock().unwrap() = writes(&t1);
            Ok(())
        }),
        Step::apply(&cfg, move |s: &Json| {
            let writes = writes(&t2) - *b2.lock().unwrap();
            // Floor: one table PUT and one PUT per subnet association; a naive provider sends 50 route PUTs.
            expect_eq("ARM writes for the create", &json!(writes), &json!(3))?;
            expect_eq(
                "routes",
                &json!(s.attr(R, "route")?.as_array().map(Vec::len)),
                &json!(50),
            )
        }),
    ];
    t.run(bin(), steps);
}

#[test]
fn update_adds_changes_removes_routes_and_moves_the_association() {
    let t = Target::new("route_table_update", NETWORK);
    let e = t.clone();
    let storage = "  route {\n    name           = \"storage\"\n    address_prefix = \"Storage.WestEurope\"\n    next_hop_type  = \"Internet\"\n  }\n";
    let first = unassociated(
        &t,
        &format!("{FIREWALL}{storage}"),
        &format!("  subnet_ids = [\"{}/subnets/nodes\"]", vnet_id(&t)),
    );
    let second = unassociated(
        &t,
        &FIREWALL
            .replace("10.0.0.4", "10.0.0.8")
            .replace("default", "egress"),
        &format!("  subnet_ids = [\"{}/subnets/other\"]", vnet_id(&t)),
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
            expect_eq("routes in Azure", &json!(route_names(&e)), &json!(["egress"]))?;
            match (subnet_route_table(&e, "nodes")?, subnet_route_table(&e, "other")?) {
                (None, Some(_)) => Ok(()),
                other => Err(format!("associations after the move: {other:?}")),
            }
        }),
    ];
    t.run(bin(), steps);
}

#[test]
fn import_treats_aks_routes_as_foreign() {
    let t = Target::new(
        "route_table_import_aks_routes",
        &["network", "route_table_aks_routes"],
    );
    let cfg = unassociated(&t, FIREWALL, "");
    let id = table_id(&t);
    let steps = vec![
        Step::plan_exit(&cfg, 2, Some("will be created")),
        Step::cli(&["import", "-no-color", R, &id], true, Some("Import successful")),
        Step::plan_exit(&cfg, 0, None),
        Step::cli(&["state", "rm", "-no-color", R], true, None),
    ];
    t.run(bin(), steps);
}

fn cluster_id(t: &Target) -> String {
    t.id("/providers/Microsoft.ContainerService/managedClusters/kube")
}

/// A kubenet cluster on the nodes subnet, created out of band (AKS writes its routes).
fn kubenet_cluster(t: &Target, nodes: u32) -> Result<(), String> {
    let body = json!({"location": t.location(), "properties": {"kubernetesVersion": "1.29", "dnsPrefix": "kube",
        "agentPoolProfiles": [{"name": "system", "count": nodes, "vmSize": "Standard_D2s_v5", "mode": "System", "vnetSubnetID": format!("{}/subnets/nodes", vnet_id(t))}],
        "networkProfile": {"networkPlugin": "kubenet", "podCidr": "10.244.0.0/16", "serviceCidr": "10.1.0.0/16", "dnsServiceIP": "10.1.0.10"}}});
    t.arm_wait("PUT", &cluster_id(t), "2025-10-01", Some(body))
        .map(|_| ())
        .map_err(|e| format!("cluster write failed: {e}"))
}

fn aks_routes(t: &Target) -> usize {
    route_names(t).iter().filter(|n| n.starts_with("aks-")).count()
}

#[test]
fn kubenet_cluster_routes_between_applies_cause_no_diff() {
    let Some(t) = Target::emulator_only(
        "route_table_kubenet_cluster",
        "an AKS cluster created and scaled in seconds",
        NETWORK,
    ) else {
        return;
    };
    let (e1, e2, e3, e4, e5) = (t.clone(), t.clone(), t.clone(), t.clone(), t.clone());
    let steps = vec![
        Step::apply(&config(&t, FIREWALL, ""), |_| Ok(())),
        Step::run(move || {
            kubenet_cluster(&e1, 3)?;
            let n = aks_routes(&e1);
            (n == 3)
                .then_some(())
                .ok_or(format!("the cluster wrote {n} routes, expected 3"))
        }),
        Step::plan_exit(&config(&t, FIREWALL, ""), 0, None),
        Step::apply(
            &config(&t, &FIREWALL.replace("10.0.0.4", "10.0.0.6"), ""),
            move |s: &Json| {
                expect_eq("aks routes kept", &json!(aks_routes(&e2)), &json!(3))?;
                expect_eq(
                    "foreign",
                    &json!(s.attr(R, "foreign_route_names")?.as_array().map(Vec::len)),
                    &json!(3),
                )
            },
        ),
        Step::run(move || kubenet_cluster(&e3, 5)),
        Step::plan_exit(
            &config(&t, &FIREWALL.replace("10.0.0.4", "10.0.0.6"), ""),
            0,
            None,
        ),
        Step::run(move || {
            let n = aks_routes(&e4);
            (n == 5)
                .then_some(())
                .ok_or(format!("scaled cluster has {n} routes, expected 5"))
        }),
        Step::run(move || {
            let (status, _) = e5.arm_wait("DELETE", &cluster_id(&e5), "2025-10-01", None)?;
            (status == 202)
                .then_some(())
                .ok_or(format!("cluster delete answered {status}"))
        }),
    ];
    t.run(bin(), steps);
}

#[test]
fn complete() {
    let t = Target::new("route_table_complete", NETWORK);
    let storage = "  route {\n    name           = \"storage\"\n    address_prefix = \"Storage.WestEurope\"\n    next_hop_type  = \"Internet\"\n  }\n";
    let extra = format!(
        "  subnet_ids = [\"{0}/subnets/nodes\", \"{0}/subnets/other\"]\n  bgp_route_propagation_enabled = false\n  foreign_routes = \"preserve\"\n  reserved_route_count = 100\n  timeouts {{\n    create = \"10m\"\n    update = \"10m\"\n    delete = \"10m\"\n    read   = \"1m\"\n  }}",
        vnet_id(&t)
    );
    let cfg = unassociated(&t, &format!("{FIREWALL}{storage}"), &extra);
    t.run(
        bin(),
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
