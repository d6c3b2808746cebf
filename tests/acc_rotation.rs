//! The default (system) pool's rotation (M8) when a step fails, with the real Terraform CLI
//! against aksnet-emulator over HTTPS: the apply stops with an error naming the step and the
//! pools, state and private state record what exists, the next apply resumes and finishes the
//! rotation (the temporary pool reused, then deleted), the plan after it is empty, the cluster
//! has a system pool throughout, and the emulator's pools are exactly the declared ones.
//!
//! The rotation is azurerm's (`kubernetes_cluster_resource.go`, `temporary_name_for_rotation`):
//! create the temporary pool, delete the default pool, create it again with the new settings,
//! delete the temporary pool. AKS refuses to delete a cluster's last system pool (use-system-pools:
//! "Every AKS cluster must contain at least one system node pool"); the emulator does too, and
//! these tests check that refusal is never met.

use std::path::Path;
use std::sync::{Arc, Mutex};

use aksnet_acceptance::emulator::{TestEmulator, SAMPLE_SUBSCRIPTION};
use aksnet_acceptance::harness::{expect_eq, run_case_env, Json, Step};
use aksnet_acceptance::target::skip_against_arm;
use base64::Engine;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");
const R: &str = "aksnet_cluster_network.test";
const AKS: &str = "2025-10-01";
const TEMP: &str = "    temporary_name_for_rotation = \"tmprotation\"\n";
/// What the emulator answers when asked to delete the last system pool.
const LAST_SYSTEM_POOL: &str = "last system node pool";

fn rg_id(rg: &str) -> String {
    format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{rg}")
}

fn subnet(rg: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes",
        rg_id(rg)
    )
}

fn cluster_id(rg: &str) -> String {
    format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/aks-test",
        rg_id(rg)
    )
}

fn seeds(rg: &str) -> Value {
    json!([
        {"id": rg_id(rg), "body": {"location": "westeurope"}},
        {"id": format!("{}/providers/Microsoft.Network/virtualNetworks/vnet", rg_id(rg)), "body": {"location": "westeurope", "properties": {
            "addressSpace": {"addressPrefixes": ["10.10.0.0/16"]},
            "subnets": [{"name": "nodes", "id": subnet(rg), "properties": {"addressPrefix": "10.10.0.0/22"}}]}}}
    ])
}

/// An Azure CNI Overlay cluster whose default pool `system` has `vm_size` and a temporary name.
fn cluster(rg: &str, vm_size: &str) -> String {
    format!(
        r#"
provider "aksnet" {{}}

resource "aksnet_cluster_network" "test" {{
  name                = "aks-test"
  resource_group_name = "{rg}"
  location            = "westeurope"
  dns_prefix          = "akstest"
  kubernetes_version  = "1.33"
  network_plugin      = "azure"
  network_plugin_mode = "overlay"
  pod_cidr            = "10.244.0.0/16"

  default_node_pool {{
    name           = "system"
    vm_size        = "{vm_size}"
    node_count     = 3
    vnet_subnet_id = "{}"
{TEMP}  }}
}}
"#,
        subnet(rg)
    )
}

/// The state's private data for the cluster records the temporary pool as this resource's:
/// `{"imported_pools": [], "rotation_temporary": "tmprotation"}` in MessagePack, as the plugin
/// server encodes private state, base64 in the state file.
fn private_records_the_temporary_pool() -> Step {
    let mut msgpack = vec![0x82, 0xa0 | 14];
    msgpack.extend(b"imported_pools");
    msgpack.extend([0x90, 0xa0 | 18]);
    msgpack.extend(b"rotation_temporary");
    msgpack.push(0xa0 | 11);
    msgpack.extend(b"tmprotation");
    let b64 = base64::engine::general_purpose::STANDARD.encode(msgpack);
    Step::cli(
        &["state", "pull"],
        true,
        Some(&format!(r#""private": "{}""#, b64.replace('+', r"\+"))),
    )
}

/// The apply never came to the emulator's refusal to delete the cluster's last system pool.
fn never_met_last_system_pool(s: &Json) -> Result<(), String> {
    (!s.says(LAST_SYSTEM_POOL))
        .then_some(())
        .ok_or(format!("the last system pool was nearly deleted:\n{}", s.text))
}

fn attr_is(s: &Json, path: &str, want: Value) -> Result<(), String> {
    expect_eq(path, s.attr(R, path)?, &want)
}

/// One rotation scenario: an emulator, and the position in its write log that `mark` recorded.
struct Case {
    rg: &'static str,
    emu: Arc<TestEmulator>,
    mark: Arc<Mutex<usize>>,
}

impl Case {
    fn new(rg: &'static str) -> Case {
        Case {
            rg,
            emu: Arc::new(TestEmulator::start(seeds(rg))),
            mark: Arc::new(Mutex::new(0)),
        }
    }

    fn write_log(emu: &TestEmulator) -> Vec<String> {
        emu.counters()["write_log"]
            .as_array()
            .map(|l| l.iter().filter_map(|w| w.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    /// Remembers where the write log is.
    fn mark(&self) -> Step {
        let (emu, mark) = (self.emu.clone(), self.mark.clone());
        Step::run(move || {
            *mark.lock().map_err(|e| e.to_string())? = Case::write_log(&emu).len();
            Ok(())
        })
    }

    /// The ARM writes since the mark, in order, as `method <cluster>/agentpools/name`.
    fn writes(emu: &TestEmulator, mark: &Mutex<usize>, rg: &str) -> Result<Vec<String>, String> {
        let from = *mark.lock().map_err(|e| e.to_string())?;
        let cluster = cluster_id(rg).to_ascii_lowercase();
        Ok(Case::write_log(emu)
            .into_iter()
            .skip(from)
            .map(|w| w.to_ascii_lowercase().replace(&cluster, "<cluster>"))
            .collect())
    }

    /// The writes since the mark are exactly `want`.
    fn wrote(&self, want: &'static [&'static str]) -> Step {
        let (emu, mark, rg) = (self.emu.clone(), self.mark.clone(), self.rg);
        Step::run(move || {
            expect_eq(
                "ARM writes since the mark, in order",
                &json!(Case::writes(&emu, &mark, rg)?),
                &json!(want),
            )
        })
    }

    /// The cluster's pools in the emulator as `[name, mode, vmSize]`, in order.
    fn pools(emu: &TestEmulator, rg: &str) -> Value {
        let (_, c) = emu.arm("GET", &cluster_id(rg), AKS, None);
        let pools: Vec<Value> = c["properties"]["agentPoolProfiles"]
            .as_array()
            .map(|l| {
                l.iter()
                    .map(|p| json!([p["name"], p["mode"], p["vmSize"]]))
                    .collect()
            })
            .unwrap_or_default();
        json!(pools)
    }

    /// The cluster's pools in the emulator are exactly `want`.
    fn pools_are(&self, want: Value) -> Step {
        let (emu, rg) = (self.emu.clone(), self.rg);
        Step::run(move || expect_eq("pools in Azure", &Case::pools(&emu, rg), &want))
    }

    fn fault(&self, fault: Value) -> Step {
        let emu = self.emu.clone();
        Step::run(move || {
            emu.fault(fault.clone());
            Ok(())
        })
    }
}

/// The plan after a failed rotation: the rotation again (or the temporary pool's deletion),
/// the temporary pool neither drift nor a blocker.
fn resume_plan(cfg: &str, warning: &'static str) -> Step {
    Step::plan(cfg, move |p| {
        for part in ["Plan: 0 to add, 1 to change, 0 to destroy.", warning] {
            if !p.says(part) {
                return Err(format!("expected {part:?} in the plan:\n{}", p.text));
            }
        }
        for never in [
            "changed outside of Terraform",
            "must be replaced",
            "Node Pool Will Be Replaced",
        ] {
            if p.says(never) {
                return Err(format!("the plan says {never:?}:\n{}", p.text));
            }
        }
        Ok(())
    })
}

const ROTATED: &str = "Default Node Pool Will Be Rotated (M8)";
const BOTH: [&str; 2] = ["Standard_D4s_v5", "Standard_D8s_v5"];

/// (a) The temporary pool's operation ends Failed (the pool exists, the cluster is Failed):
/// the apply errors at step 1 naming both pools, the old pool and the state are untouched,
/// and the next apply writes the failed temporary pool again, then finishes the rotation.
#[test]
fn rotation_failing_after_the_temporary_pool_exists_resumes() {
    let rg = "acctest-rot-temp";
    if skip_against_arm("rotation failure at the temporary pool", "fault injection") {
        return;
    }
    let c = Case::new(rg);
    let (old, new) = (cluster(rg, BOTH[0]), cluster(rg, BOTH[1]));
    let e = c.emu.clone();
    let steps = vec![
        Step::apply(&old, |_| Ok(())),
        c.mark(),
        // The next AKS operation (the temporary pool's PUT, applied to its cluster) ends Failed.
        c.fault(json!({"path": "managedClusters/aks-test", "lro": "fail", "code": "InternalOperationError", "message": "Injected failure of the temporary pool's operation."})),
        Step::apply_error(
            &new,
            r#"Default Node Pool Rotation Incomplete.*"system" stopped at step 1 of 4 \(creating the temporary pool\)\. Node pool "system" is unchanged; the temporary pool "tmprotation" may exist"#,
            move |s| {
                // Nothing recorded as done: the next plan rotates again.
                attr_is(s, "/default_node_pool/vm_size", json!(BOTH[0]))?;
                expect_eq(
                    "pools in Azure after the failure",
                    &Case::pools(&e, rg),
                    &json!([["system", "System", BOTH[0]], ["tmprotation", "System", BOTH[1]]]),
                )?;
                never_met_last_system_pool(s)
            },
        ),
        c.wrote(&["put <cluster>/agentpools/tmprotation"]),
        private_records_the_temporary_pool(),
        resume_plan(&new, ROTATED),
        c.mark(),
        Step::apply(&new, |s| {
            attr_is(s, "/default_node_pool/vm_size", json!(BOTH[1]))?;
            attr_is(s, "/default_node_pool/temporary_name_for_rotation", json!("tmprotation"))
        }),
        // The failed temporary pool is written again before system pods move onto it.
        c.wrote(&[
            "put <cluster>/agentpools/tmprotation",
            "delete <cluster>/agentpools/system",
            "put <cluster>/agentpools/system",
            "delete <cluster>/agentpools/tmprotation",
        ]),
        c.pools_are(json!([["system", "System", BOTH[1]]])),
    ];
    run_case_env("rotation failing at step 1", Path::new(BIN), &c.emu.env(), steps);
}

/// (a) Deleting the old pool fails (AKS answers 409): the temporary pool runs with the new
/// settings next to the old pool; the next apply reuses it as it is (no second PUT).
#[test]
fn rotation_failing_to_delete_the_old_pool_reuses_the_temporary_pool() {
    let rg = "acctest-rot-delete";
    if skip_against_arm("rotation failure deleting the old pool", "fault injection") {
        return;
    }
    let c = Case::new(rg);
    let (old, new) = (cluster(rg, BOTH[0]), cluster(rg, BOTH[1]));
    let e = c.emu.clone();
    let steps = vec![
        Step::apply(&old, |_| Ok(())),
        c.mark(),
        c.fault(json!({"method": "DELETE", "path": "agentPools/system", "status": 400, "source": "rp", "code": "OperationNotAllowed", "message": "Injected refusal to delete the pool."})),
        Step::apply_error(
            &new,
            r#"Default Node Pool Rotation Incomplete.*"system" stopped at step 2 of 4 \(deleting the old pool\)\. The temporary system pool "tmprotation" is in the cluster"#,
            move |s| {
                attr_is(s, "/default_node_pool/vm_size", json!(BOTH[0]))?;
                expect_eq(
                    "pools in Azure after the failure",
                    &Case::pools(&e, rg),
                    &json!([["system", "System", BOTH[0]], ["tmprotation", "System", BOTH[1]]]),
                )
            },
        ),
        c.wrote(&[
            "put <cluster>/agentpools/tmprotation",
            "delete <cluster>/agentpools/system",
        ]),
        private_records_the_temporary_pool(),
        // Resuming under another temporary name would leave "tmprotation" behind: refused.
        Step::expect_error_at(
            &new.replace("\"tmprotation\"", "\"tmpother\""),
            r#"Temporary Node Pool Name Changed \(M8\).*left its temporary system pool "tmprotation".*temporary_name_for_rotation = "tmprotation" to resume"#,
            "temporary_name_for_rotation",
        ),
        resume_plan(&new, ROTATED),
        c.mark(),
        Step::apply(&new, |s| attr_is(s, "/default_node_pool/vm_size", json!(BOTH[1]))),
        c.wrote(&[
            "delete <cluster>/agentpools/system",
            "put <cluster>/agentpools/system",
            "delete <cluster>/agentpools/tmprotation",
        ]),
        c.pools_are(json!([["system", "System", BOTH[1]]])),
    ];
    run_case_env("rotation failing at step 2", Path::new(BIN), &c.emu.env(), steps);
}

/// (b) Creating the default pool again fails (AKS's vCPU quota, taken by the temporary pool):
/// the worst point, the old pool gone and only the temporary system pool running. The state
/// keeps the old pool, the next apply creates the pool and deletes the temporary one, and the
/// cluster never lacks a system pool (the refusal to delete the last one is never met).
#[test]
fn rotation_failing_to_recreate_the_default_pool_resumes_with_a_system_pool_throughout() {
    let rg = "acctest-rot-recreate";
    if skip_against_arm("rotation failure re-creating the default pool", "fault injection") {
        return;
    }
    let c = Case::new(rg);
    let (old, new) = (cluster(rg, BOTH[0]), cluster(rg, BOTH[1]));
    let e = c.emu.clone();
    let steps = vec![
        Step::apply(&old, |_| Ok(())),
        c.mark(),
        c.fault(json!({"method": "PUT", "path": "agentPools/system", "status": 400, "source": "rp", "code": "ErrCode_InsufficientVCPUQuota", "message": "Insufficient vcpu quota requested 24, remaining 0 for family standardDSv5Family for region westeurope."})),
        Step::apply_error(
            &new,
            r#"Default Node Pool Rotation Incomplete.*"system" stopped at step 3 of 4 \(creating the pool again\)\. Node pool "system" is deleted; the temporary system pool "tmprotation" runs the cluster's system pods"#,
            move |s| {
                attr_is(s, "/default_node_pool/vm_size", json!(BOTH[0]))?;
                // Only the temporary pool runs, and it is a system pool.
                expect_eq(
                    "pools in Azure after the failure",
                    &Case::pools(&e, rg),
                    &json!([["tmprotation", "System", BOTH[1]]]),
                )?;
                never_met_last_system_pool(s)
            },
        ),
        c.wrote(&[
            "put <cluster>/agentpools/tmprotation",
            "delete <cluster>/agentpools/system",
            "put <cluster>/agentpools/system",
        ]),
        private_records_the_temporary_pool(),
        resume_plan(&new, ROTATED),
        c.mark(),
        Step::apply(&new, |s| {
            attr_is(s, "/default_node_pool/vm_size", json!(BOTH[1]))?;
            never_met_last_system_pool(s)
        }),
        // The temporary pool is reused and the gone pool not deleted again.
        c.wrote(&["put <cluster>/agentpools/system", "delete <cluster>/agentpools/tmprotation"]),
        c.pools_are(json!([["system", "System", BOTH[1]]])),
    ];
    run_case_env("rotation failing at step 3", Path::new(BIN), &c.emu.env(), steps);
}

/// (c) Deleting the temporary pool fails: the default pool runs with its new settings and is
/// recorded, the temporary pool is left, this resource's (private state): the next plan says
/// it is deleted (never drift, no rotation, no replacement), and that apply deletes it with
/// one write.
#[test]
fn a_temporary_pool_left_by_a_failed_rotation_is_deleted_by_the_next_apply() {
    let rg = "acctest-rot-left";
    if skip_against_arm("rotation failure deleting the temporary pool", "fault injection") {
        return;
    }
    let c = Case::new(rg);
    let (old, new) = (cluster(rg, BOTH[0]), cluster(rg, BOTH[1]));
    let e = c.emu.clone();
    let steps = vec![
        Step::apply(&old, |_| Ok(())),
        c.mark(),
        c.fault(json!({"method": "DELETE", "path": "agentPools/tmprotation", "status": 400, "source": "rp", "code": "OperationNotAllowed", "message": "Injected refusal to delete the pool."})),
        Step::apply_error(
            &new,
            r#"Default Node Pool Rotation Incomplete.*"system" stopped at step 4 of 4 \(deleting the temporary pool\)\. Node pool "system" runs with the new settings and is recorded in state; the temporary system pool "tmprotation" is left.*Run terraform apply again to delete it"#,
            move |s| {
                attr_is(s, "/default_node_pool/vm_size", json!(BOTH[1]))?;
                expect_eq(
                    "pools in Azure after the failure",
                    &Case::pools(&e, rg),
                    &json!([["tmprotation", "System", BOTH[1]], ["system", "System", BOTH[1]]]),
                )
            },
        ),
        c.wrote(&[
            "put <cluster>/agentpools/tmprotation",
            "delete <cluster>/agentpools/system",
            "put <cluster>/agentpools/system",
            "delete <cluster>/agentpools/tmprotation",
        ]),
        private_records_the_temporary_pool(),
        resume_plan(&new, "Temporary Node Pool Will Be Deleted"),
        Step::plan(&new, |p| {
            (!p.says(ROTATED))
                .then_some(())
                .ok_or(format!("the rotation is planned again:\n{}", p.text))
        }),
        c.mark(),
        Step::apply(&new, |s| {
            attr_is(s, "/default_node_pool/vm_size", json!(BOTH[1]))?;
            attr_is(s, "/default_node_pool/temporary_name_for_rotation", json!("tmprotation"))
        }),
        c.wrote(&["delete <cluster>/agentpools/tmprotation"]),
        c.pools_are(json!([["system", "System", BOTH[1]]])),
    ];
    run_case_env("rotation failing at step 4", Path::new(BIN), &c.emu.env(), steps);
}

/// Issue 16: a pool already in the cluster under the temporary name, which this resource did
/// not create (foreign: here made out of band), is refused at plan on
/// `temporary_name_for_rotation`, naming the pool and the fix; nothing is written and the pool
/// stays. Without the check the rotation would take it over and delete it at step 4.
#[test]
fn a_foreign_pool_under_the_temporary_name_is_refused_at_plan() {
    let rg = "acctest-rot-taken";
    if skip_against_arm(
        "temporary name taken by a foreign pool",
        "out-of-band pools in the emulator",
    ) {
        return;
    }
    let c = Case::new(rg);
    let (old, new) = (cluster(rg, BOTH[0]), cluster(rg, BOTH[1]));
    let e = c.emu.clone();
    let steps = vec![
        Step::apply(&old, |_| Ok(())),
        // Someone else's user pool, named like the temporary pool.
        Step::run(move || {
            let id = format!("{}/agentPools/tmprotation", cluster_id(rg));
            let body = json!({"properties": {"count": 1, "vmSize": "Standard_D2s_v5", "mode": "User", "vnetSubnetID": subnet(rg)}});
            let (status, reply) = e.arm("PUT", &id, AKS, Some(body));
            if !(200..300).contains(&status) {
                return Err(format!("PUT of the foreign pool: {status} {reply}"));
            }
            Ok(())
        }),
        c.mark(),
        Step::expect_error_at(
            &new,
            r#"Temporary Node Pool Name Taken \(M8\).*already has a node pool "tmprotation", and this resource did not create it: it is foreign.*delete it at its last step.*temporary_name_for_rotation to a name no pool in the cluster uses, or remove the pool "tmprotation" yourself"#,
            "temporary_name_for_rotation",
        ),
        c.wrote(&[]),
        c.pools_are(json!([
            ["system", "System", BOTH[0]],
            ["tmprotation", "User", "Standard_D2s_v5"]
        ])),
        // The same change with a free name plans the rotation.
        Step::plan(&new.replace("\"tmprotation\"", "\"tmpfree\""), |p| {
            (p.says(ROTATED) && !p.says("Temporary Node Pool Name Taken"))
                .then_some(())
                .ok_or(format!("expected the rotation through tmpfree:\n{}", p.text))
        }),
    ];
    run_case_env("temporary name taken", Path::new(BIN), &c.emu.env(), steps);
}

/// Issue 16: a temporary pool left by a failed rotation is deleted even after
/// `temporary_name_for_rotation` is removed from the configuration: the plan shows
/// `leftover_temporary_pool` going to null with the warning, the apply sends one DELETE and
/// nothing else, and the next plan is empty.
#[test]
fn a_leftover_temporary_pool_is_deleted_after_its_name_is_removed() {
    let rg = "acctest-rot-noname";
    if skip_against_arm("leftover temporary pool without its name", "fault injection") {
        return;
    }
    let c = Case::new(rg);
    let (old, new) = (cluster(rg, BOTH[0]), cluster(rg, BOTH[1]));
    let unnamed = new.replace(TEMP, "");
    let steps = vec![
        Step::apply(&old, |_| Ok(())),
        c.fault(json!({"method": "DELETE", "path": "agentPools/tmprotation", "status": 400, "source": "rp", "code": "OperationNotAllowed", "message": "Injected refusal to delete the pool."})),
        Step::apply_error(
            &new,
            r#"stopped at step 4 of 4 \(deleting the temporary pool\)"#,
            |s| attr_is(s, "/leftover_temporary_pool", json!("tmprotation")),
        ),
        private_records_the_temporary_pool(),
        Step::plan(&unnamed, |p| {
            for part in [
                "Plan: 0 to add, 1 to change, 0 to destroy.",
                "Temporary Node Pool Will Be Deleted",
                r#"leftover_temporary_pool = "tmprotation" -> null"#,
            ] {
                if !p.says(part) {
                    return Err(format!("expected {part:?} in the plan:\n{}", p.text));
                }
            }
            for never in [ROTATED, "changed outside of Terraform", "must be replaced"] {
                if p.says(never) {
                    return Err(format!("the plan says {never:?}:\n{}", p.text));
                }
            }
            Ok(())
        }),
        c.mark(),
        Step::apply(&unnamed, |s| {
            attr_is(s, "/leftover_temporary_pool", Value::Null)?;
            attr_is(s, "/default_node_pool/vm_size", json!(BOTH[1]))
        }),
        c.wrote(&["delete <cluster>/agentpools/tmprotation"]),
        c.pools_are(json!([["system", "System", BOTH[1]]])),
    ];
    run_case_env(
        "leftover temporary pool without its name",
        Path::new(BIN),
        &c.emu.env(),
        steps,
    );
}
