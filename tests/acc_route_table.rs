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
    let (aks, check, removed) = (t.clone(), t.clone(), t.clone());
    let updated = config(&t, &FIREWALL.replace("10.0.0.4", "10.0.0.5"), "");
    let steps = vec![
        Step::apply(&config(&t, FIREWALL, ""), |_| Ok(())),
        Step::run(move || aks_route(&aks)),
        // AKS's route is not ours: no diff.
        Step::plan_exit(&config(&t, FIREWALL, ""), 0, None),
        Step::apply(&updated, move |s: &Json| {
            // Foreign routes are not state: no attribute names them.
            if s.attr(R, "foreign_route_names").is_ok() {
                return Err("foreign_route_names is in state".into());
            }
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
            move |_| {
                expect_eq(
                    "routes in Azure",
                    &json!(route_names(&removed)),
                    &json!(["default"]),
                )
            },
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
        // Identical blocks are one element of the set; one name with different values is two.
        Step::expect_error(
            &config(
                &t,
                &format!("{FIREWALL}{}", FIREWALL.replace("0.0.0.0/0", "10.9.0.0/16")),
                "",
            ),
            r#"Duplicate Route Name \(O7\).*"default".*different.*values"#,
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
    let (e, r) = (t.clone(), t.clone());
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
        // The opt-in deletes AKS's route on this apply; destroy then deletes the table.
        Step::apply(&remove, move |_| {
            expect_eq("routes in Azure", &json!(route_names(&r)), &json!(["default"]))
        }),
    ];
    t.run(bin(), steps);
}

/// Associates `subnet` with the table out of band (say, an azurerm_subnet_route_table_association).
fn associate_out_of_band(t: &Target, subnet: &str) -> Result<(), String> {
    let id = format!("{}/subnets/{subnet}", vnet_id(t));
    let (status, mut body) = t.arm("GET", &id, NET, None);
    if status != 200 {
        return Err(format!("reading subnet {subnet}: {status} {body}"));
    }
    body["properties"]["routeTable"] = json!({"id": table_id(t)});
    t.arm_wait("PUT", &id, NET, Some(body))
        .map(|_| ())
        .map_err(|e| format!("associating {subnet}: {e}"))
}

/// The subnet is still associated with the table.
fn still_associated(t: &Target, subnet: &str) -> Result<(), String> {
    match subnet_route_table(t, subnet)? {
        Some(id) if id.eq_ignore_ascii_case(&table_id(t)) => Ok(()),
        other => Err(format!(
            "subnet {subnet} is associated with {other:?}, not the table"
        )),
    }
}

/// Issue 17 item 3: with a subnet associated out of band, destroy refused and advised
/// foreign_routes = "remove"; following that advice, destroy dissociated its own subnet and
/// then failed with InUseRouteTableCannotBeDeleted. Every blocker is now found before the
/// first write, with the fix that works.
#[test]
fn destroy_with_a_foreign_association_changes_nothing_and_names_the_fix() {
    let t = Target::new("route_table_destroy_foreign_subnet", NETWORK);
    let (e1, e2, e3, e4) = (t.clone(), t.clone(), t.clone(), t.clone());
    let nodes = format!("{}/subnets/nodes", vnet_id(&t));
    let preserve = config(&t, FIREWALL, "");
    let remove = config(&t, FIREWALL, "  foreign_routes = \"remove\"");
    let both = unassociated(
        &t,
        FIREWALL,
        &format!("  subnet_ids = [\"{nodes}\", \"{}/subnets/other\"]", vnet_id(&t)),
    );
    let refused = r#"Route Table Still In Use.*nothing was changed.*associated with it outside this resource: \S*/subnets/other\..*add them to subnet_ids and apply"#;
    let steps = vec![
        Step::apply(&preserve, |_| Ok(())),
        Step::run(move || associate_out_of_band(&e1, "other")),
        Step::cli(&["destroy", "-auto-approve", "-no-color"], false, Some(refused)),
        Step::run(move || still_associated(&e2, "nodes")),
        // The advice the issue followed: it is about routes and does not unblock the delete.
        Step::apply(&remove, |_| Ok(())),
        Step::cli(&["destroy", "-auto-approve", "-no-color"], false, Some(refused)),
        Step::run(move || still_associated(&e3, "nodes")),
        // Nothing changed, and state says so.
        Step::plan_exit(&remove, 0, None),
        // The fix: take the association over; destroy then removes both and deletes the table.
        Step::apply(&both, |_| Ok(())),
    ];
    t.run(bin(), steps);
    let (status, _) = e4.arm("GET", &table_id(&e4), NET, None);
    assert_eq!(status, 404, "destroy left the route table behind");
    for subnet in ["nodes", "other"] {
        assert_eq!(subnet_route_table(&e4, subnet), Ok(None), "{subnet}");
    }
}

/// A DELETE that fails after destroy dissociated its subnet: the table stays in state and the
/// next plan shows the association to make again; the next apply and destroy converge.
#[test]
fn destroy_failing_after_dissociating_keeps_state_truthful() {
    let Some(t) = Target::emulator_only("route_table_destroy_delete_fails", "fault injection", NETWORK)
    else {
        return;
    };
    let (e1, e2) = (t.clone(), t.clone());
    let cfg = config(&t, FIREWALL, "");
    let steps = vec![
        Step::apply(&cfg, |_| Ok(())),
        Step::run(move || {
            let emu = e1.emulator().ok_or("no emulator")?;
            emu.fault(json!({"method": "DELETE", "path": "routeTables/rt-test", "count": 1, "status": 400, "code": "ScopeLocked", "message": "The scope is locked."}));
            Ok(())
        }),
        Step::cli(
            &["destroy", "-auto-approve", "-no-color"],
            false,
            Some("ScopeLocked.*already dissociated: \\S*/subnets/nodes"),
        ),
        Step::run(move || match subnet_route_table(&e2, "nodes")? {
            None => Ok(()),
            Some(id) => Err(format!("nodes still associated with {id}")),
        }),
        Step::cli(&["state", "list"], true, Some("aksnet_route_table.test")),
        Step::plan_exit(&cfg, 2, Some(r#"\+ "\S*/subnets/nodes""#)),
        Step::apply(&cfg, |_| Ok(())),
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
                    "owned route",
                    s.attr(R, "/route/0/next_hop_ip_address")?,
                    &json!("10.0.0.6"),
                )
            },
        ),
        Step::run(move || kubenet_cluster(&e3, 5)),
        // Two more nodes, two more routes: no change, nothing reported as changed outside Terraform.
        Step::plan(
            &config(&t, &FIREWALL.replace("10.0.0.4", "10.0.0.6"), ""),
            no_changes,
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

/// Replaces the `aks-*` routes in the table with `names`, as kubenet's route controller does
/// when nodes come and go (out of band, between applies).
fn set_aks_routes(t: &Target, names: &[&str]) -> Result<(), String> {
    for old in route_names(t).iter().filter(|n| n.starts_with("aks-")) {
        if !names.contains(&old.as_str()) {
            t.arm_wait("DELETE", &format!("{}/routes/{old}", table_id(t)), NET, None)
                .map_err(|e| format!("AKS route delete failed: {e}"))?;
        }
    }
    for (i, name) in names.iter().enumerate() {
        let body = json!({"properties": {"addressPrefix": format!("10.244.{i}.0/24"), "nextHopType": "VirtualAppliance", "nextHopIpAddress": format!("10.0.1.{}", i + 4)}});
        t.arm_wait("PUT", &format!("{}/routes/{name}", table_id(t)), NET, Some(body))
            .map_err(|e| format!("AKS route write failed: {e}"))?;
    }
    Ok(())
}

/// A plan with no changes and no note about changes outside Terraform.
fn no_changes(p: &Json) -> Result<(), String> {
    no_drift_reported(p)?;
    p.says("No changes.")
        .then_some(())
        .ok_or(format!("expected no changes:\n{}", p.text))
}

/// Neither the human plan nor the JSON plan reports the table as changed outside Terraform.
fn no_drift_reported(p: &Json) -> Result<(), String> {
    for note in [
        "Objects have changed outside of Terraform",
        "changed outside of Terraform",
    ] {
        if p.says(note) {
            return Err(format!("the plan says \"{note}\":\n{}", p.text));
        }
    }
    let drift: Vec<&serde_json::Value> = p.doc["resource_drift"]
        .as_array()
        .map(|d| d.iter().filter(|r| r["address"] == R).collect())
        .unwrap_or_default();
    drift
        .is_empty()
        .then_some(())
        .ok_or(format!("the plan records drift of {R}: {drift:?}"))
}

/// Issue 17 item 12: the docs promise AKS's routes never show as drift, yet each change of
/// them showed `foreign_route_names` (and the table's ETag) under "Objects have changed outside
/// of Terraform". An output of the whole resource makes Terraform report any such change.
#[test]
fn aks_route_churn_is_never_reported_as_changed_outside_terraform() {
    let t = Target::new("route_table_aks_churn", NETWORK);
    let (a1, a2, a3) = (t.clone(), t.clone(), t.clone());
    let output = "\noutput \"route_table\" {\n  value = aksnet_route_table.test\n}\n";
    let cfg = format!("{}{output}", config(&t, FIREWALL, ""));
    let retagged = cfg.replace("team = \"network\"", "team = \"platform\"");
    let over_budget = format!("{}{output}", config(&t, FIREWALL, "  reserved_route_count = 398"));
    let refresh_only = ["plan", "-refresh-only", "-no-color", "-input=false"];
    let still_matches = Some("No changes. Your infrastructure still matches the configuration");
    let steps = vec![
        Step::apply(&cfg, |_| Ok(())),
        // Nodes join: AKS adds its routes.
        Step::run(move || set_aks_routes(&a1, &["aks-node-0", "aks-node-1"])),
        Step::plan(&cfg, no_changes),
        Step::cli(&refresh_only, true, still_matches),
        // A change of ours while AKS's routes changed: only our change is shown.
        Step::plan(&retagged, |p: &Json| {
            no_drift_reported(p)?;
            p.says("1 to change")
                .then_some(())
                .ok_or(format!("expected the tag change only:\n{}", p.text))
        }),
        Step::apply(&retagged, |s: &Json| {
            (!s.says("changed outside of Terraform"))
                .then_some(())
                .ok_or(format!("apply reported a change outside Terraform:\n{}", s.text))
        }),
        // A node leaves and another joins.
        Step::run(move || set_aks_routes(&a2, &["aks-node-1", "aks-node-2"])),
        Step::plan(&retagged, no_changes),
        Step::cli(&refresh_only, true, still_matches),
        // AKS's routes still count in the 400-route budget.
        Step::expect_error(
            &over_budget,
            r"1 declared \+ 2 foreign \+ 398 reserved routes = 401",
        ),
        // The cluster is gone: AKS takes its routes back, so the table can be destroyed.
        Step::run(move || set_aks_routes(&a3, &[])),
    ];
    t.run(bin(), steps);
}

/// State written before `foreign_route_names` left the schema (same schema version) still
/// plans and applies: Terraform drops the attribute the schema no longer has.
#[test]
fn state_with_foreign_route_names_from_an_earlier_version_still_works() {
    let t = Target::new("route_table_old_state", NETWORK);
    let tf = aksnet_acceptance::terraform::pinned().expect("pinned Terraform");
    let mut wd = aksnet_acceptance::terraform::Workdir::new(&tf, Some(bin())).expect("workdir");
    for (k, v) in t.env() {
        wd.set_env(&k, &v);
    }
    let cfg = aksnet_acceptance::terraform::with_provider(&unassociated(&t, FIREWALL, ""));
    wd.write_config(&cfg).unwrap();
    let outcome = (|| -> Result<(), String> {
        wd.run_ok(&["apply", "-auto-approve", "-no-color", "-input=false"])?;
        let path = wd.path().join("terraform.tfstate");
        let mut state: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
        let attrs = state
            .pointer_mut("/resources/0/instances/0/attributes")
            .and_then(serde_json::Value::as_object_mut)
            .ok_or("no attributes in state")?;
        attrs.insert("foreign_route_names".into(), json!(["aks-node-0"]));
        std::fs::write(&path, state.to_string()).map_err(|e| e.to_string())?;
        let plan = wd.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"])?;
        if plan.code != 0 {
            return Err(format!(
                "plan on the old state exited {}:\n{}",
                plan.code,
                plan.text()
            ));
        }
        Ok(())
    })();
    let destroy = wd.run(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    outcome.unwrap();
    let destroy = destroy.unwrap();
    assert_eq!(destroy.code, 0, "{}", destroy.text());
}

/// Issue 16: an `import` block for a table associated with a subnet, with that subnet
/// declared, plans "1 to import, 0 to add, 0 to change" and leaves an empty plan; leaving
/// `subnet_ids` unset afterwards changes nothing either (the associations are kept).
#[test]
fn import_block_reads_associations_and_round_trips_to_an_empty_plan() {
    let t = Target::new("route_table_import_block", &["network", "route_table"]);
    let id = table_id(&t);
    let import = format!("\nimport {{\n  to = {R}\n  id = \"{id}\"\n}}\n");
    let declared = format!("{}{import}", config(&t, FIREWALL, ""));
    let e = t.clone();
    let steps = vec![
        Step::run(move || associate_out_of_band(&e, "nodes")),
        Step::plan_exit(
            &declared,
            2,
            Some(r"Plan: 1 to import, 0 to add, 0 to change, 0 to destroy"),
        ),
        Step::apply(&declared, |s: &Json| {
            let ids = s.attr(R, "subnet_ids")?;
            let n = ids.as_array().map_or(0, Vec::len);
            (n == 1 && ids.to_string().contains("/subnets/nodes"))
                .then_some(())
                .ok_or(format!("subnet_ids after import: {ids}"))
        }),
        Step::plan_exit(&unassociated(&t, FIREWALL, ""), 0, None),
        Step::cli(&["state", "rm", "-no-color", R], true, None),
    ];
    t.run(bin(), steps);
    let (status, _) = t.arm("GET", &id, NET, None);
    assert_eq!(status, 200, "a table the user did not create was deleted");
}

/// Three routes `a`, `b`, `c` in the given order; `b` goes to the appliance at `hop`.
fn three_routes(order: [usize; 3], hop: &str) -> String {
    let blocks = [
        "  route {\n    name           = \"a\"\n    address_prefix = \"10.100.0.0/24\"\n    next_hop_type  = \"VnetLocal\"\n  }\n".to_string(),
        format!("  route {{\n    name                = \"b\"\n    address_prefix      = \"10.101.0.0/24\"\n    next_hop_type       = \"VirtualAppliance\"\n    next_hop_ip_address = \"{hop}\"\n  }}\n"),
        "  route {\n    name           = \"c\"\n    address_prefix = \"Storage.WestEurope\"\n    next_hop_type  = \"Internet\"\n  }\n".to_string(),
    ];
    order.iter().map(|&i| blocks[i].as_str()).collect()
}

/// The table's routes in Azure: name → (prefix, next hop type, next hop address).
fn routes_in_azure(t: &Target) -> serde_json::Value {
    let (_, table) = t.arm("GET", &table_id(t), NET, None);
    let mut out = serde_json::Map::new();
    for r in table["properties"]["routes"].as_array().into_iter().flatten() {
        let p = &r["properties"];
        out.insert(
            r["name"].as_str().unwrap_or_default().to_string(),
            json!([p["addressPrefix"], p["nextHopType"], p["nextHopIpAddress"]]),
        );
    }
    serde_json::Value::Object(out)
}

fn writes(t: &Target) -> u64 {
    t.emulator()
        .map(|e| e.counters()["writes"].as_u64().unwrap_or(0))
        .unwrap_or(0)
}

/// Records the emulator's write counter in `at`.
fn mark_writes(t: &Arc<Target>, at: &Arc<std::sync::Mutex<u64>>) -> Step {
    let (t, at) = (t.clone(), at.clone());
    Step::run(move || {
        *at.lock().map_err(|e| e.to_string())? = writes(&t);
        Ok(())
    })
}

fn writes_since(t: &Target, at: &std::sync::Mutex<u64>) -> Result<u64, String> {
    Ok(writes(t) - *at.lock().map_err(|e| e.to_string())?)
}

/// `route` blocks are a set keyed by name: reordering them plans nothing and writes nothing;
/// changing one route plans that route's change alone and writes the table in one PUT that
/// carries every route.
#[test]
fn route_blocks_are_a_set_keyed_by_name() {
    let Some(t) = Target::emulator_only("route_table_route_set", "request counters", NETWORK) else {
        return;
    };
    let first = unassociated(&t, &three_routes([0, 1, 2], "10.0.0.4"), "");
    let swapped = unassociated(&t, &three_routes([2, 0, 1], "10.0.0.4"), "");
    let changed = unassociated(&t, &three_routes([1, 2, 0], "10.0.0.7"), "");
    let at = Arc::new(std::sync::Mutex::new(0u64));
    let (t1, t2, a2, t3, a3) = (t.clone(), t.clone(), at.clone(), t.clone(), at.clone());
    let steps = vec![
        Step::apply(&first, move |s: &Json| {
            expect_eq(
                "routes in state",
                &json!(s.attr(R, "route")?.as_array().map(Vec::len)),
                &json!(3),
            )?;
            expect_eq("routes in Azure", &json!(route_names(&t1).len()), &json!(3))
        }),
        mark_writes(&t, &at),
        Step::plan(&swapped, no_changes),
        Step::apply(&swapped, move |_| {
            expect_eq(
                "ARM writes after reordering",
                &json!(writes_since(&t2, &a2)?),
                &json!(0),
            )
        }),
        // Only route "b" changes in the plan (Terraform shows a set element's change as the old
        // element removed and the new one added): routes "a" and "c" and the timeouts block
        // are the 3 unchanged blocks.
        Step::plan(&changed, |p: &Json| {
            let text = &p.text;
            for want in [
                r"1 to change",
                r#"name\s+= "b""#,
                r"10\.0\.0\.7",
                r"- route \{",
                r"\+ route \{",
                r"# \(3 unchanged blocks hidden\)",
            ] {
                if !regex::Regex::new(want).map_err(|e| e.to_string())?.is_match(text) {
                    return Err(format!("the plan does not show {want:?}:\n{}", p.text));
                }
            }
            for other in ["\"10.100.0.0/24\"", "Storage.WestEurope"] {
                if text.contains(other) {
                    return Err(format!(
                        "the plan shows an unchanged route ({other}):\n{}",
                        p.text
                    ));
                }
            }
            Ok(())
        }),
        mark_writes(&t, &at),
        Step::apply(&changed, move |_| {
            expect_eq(
                "ARM writes for one changed route",
                &json!(writes_since(&t3, &a3)?),
                &json!(1),
            )?;
            expect_eq(
                "routes in Azure",
                &routes_in_azure(&t3),
                &json!({
                    "a": ["10.100.0.0/24", "VnetLocal", null],
                    "b": ["10.101.0.0/24", "VirtualAppliance", "10.0.0.7"],
                    "c": ["Storage.WestEurope", "Internet", null],
                }),
            )
        }),
    ];
    t.run(bin(), steps);
}

/// State written while `route` was a list of blocks (schema version 1, as every earlier
/// release wrote it) keeps working: the routes in an order of their own, a configuration in
/// another order, no change planned and nothing written.
#[test]
fn state_written_with_route_list_needs_no_upgrade() {
    let Some(t) = Target::emulator_only("route_table_list_state", "request counters", NETWORK) else {
        return;
    };
    let cfg = unassociated(&t, &three_routes([0, 1, 2], "10.0.0.4"), "");
    let reordered = unassociated(&t, &three_routes([1, 0, 2], "10.0.0.4"), "");
    let file = std::env::temp_dir().join(format!("aksnet-list-state-{}.tfstate", std::process::id()));
    let path = file.to_string_lossy().to_string();
    let at = Arc::new(std::sync::Mutex::new(0u64));
    let (t1, f1, t2, a2) = (t.clone(), file.clone(), t.clone(), at.clone());
    let steps = vec![
        Step::apply(&cfg, |_| Ok(())),
        // The state file as the list-nesting provider wrote it, routes in their list order c, b, a.
        Step::run(move || {
            let (status, table) = t1.arm("GET", &table_id(&t1), NET, None);
            if status != 200 {
                return Err(format!("reading the table: {status} {table}"));
            }
            let route = |name: &str, prefix: &str, hop: &str, ip: Option<&str>| json!({"name": name, "address_prefix": prefix, "next_hop_type": hop, "next_hop_ip_address": ip});
            let state = json!({
                "version": 4,
                "terraform_version": "1.8.0",
                "serial": 100,
                "lineage": "0b7a3c1e-list-state-of-an-earlier-release",
                "outputs": {},
                "resources": [{
                    "mode": "managed",
                    "type": "aksnet_route_table",
                    "name": "test",
                    "provider": "provider[\"registry.terraform.io/aksnet/aksnet\"]",
                    "instances": [{
                        "schema_version": 1,
                        "attributes": {
                            "id": table["id"],
                            "name": "rt-test",
                            "resource_group_name": t1.rg(),
                            "location": t1.location_written(),
                            "bgp_route_propagation_enabled": true,
                            "tags": {"team": "network"},
                            "subnet_ids": null,
                            "route": [
                                route("c", "Storage.WestEurope", "Internet", None),
                                route("b", "10.101.0.0/24", "VirtualAppliance", Some("10.0.0.4")),
                                route("a", "10.100.0.0/24", "VnetLocal", None),
                            ],
                            "foreign_routes": null,
                            "reserved_route_count": null,
                            "etag": table["etag"],
                            "timeouts": {"create": null, "read": null, "update": null, "delete": null}
                        },
                        "sensitive_attributes": []
                    }]
                }],
                "check_results": null
            });
            std::fs::write(&f1, serde_json::to_vec_pretty(&state).map_err(|e| e.to_string())?)
                .map_err(|e| format!("writing {}: {e}", f1.display()))
        }),
        Step::cli(&["state", "push", "-force", &path], true, None),
        Step::cli(&["state", "list"], true, Some(R)),
        mark_writes(&t, &at),
        Step::plan(&reordered, no_changes),
        Step::apply(&reordered, move |s: &Json| {
            expect_eq("ARM writes", &json!(writes_since(&t2, &a2)?), &json!(0))?;
            let mut names: Vec<String> = s
                .attr(R, "route")?
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["name"].as_str().map(str::to_string))
                .collect();
            names.sort();
            expect_eq("routes in state", &json!(names), &json!(["a", "b", "c"]))
        }),
    ];
    t.run(bin(), steps);
    let _ = std::fs::remove_file(&file);
}
