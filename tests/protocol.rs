//! Protocol-level tests: the provider binary over gRPC, as Terraform drives it, without the
//! Terraform CLI. Fast checks of schema, validation, planning and functions.

use aksnet_acceptance::grpc::{decode, dynamic, ProviderProcess, UNKNOWN};
use aksnet_acceptance::tfplugin6::{
    call_function, get_provider_schema, plan_resource_change, validate_resource_config, Diagnostic,
};
use std::path::Path;

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");
const PLAN: &str = "aksnet_pod_cidr_plan";

async fn provider() -> ProviderProcess {
    ProviderProcess::start(Path::new(BIN))
        .await
        .expect("provider starts")
}

/// A full pod_cidr_plan object: every attribute present, as Terraform sends config.
fn plan_config(overrides: Value) -> Value {
    let mut base = json!({
        "id": null, "network_plugin": "azure", "network_plugin_mode": "overlay", "pod_ip_allocation_mode": null,
        "address_space": ["10.10.0.0/16"], "reserved_cidrs": null, "ip_families": null,
        "pod_cidr": null, "service_cidr": null, "dns_service_ip": null, "headroom_percent": null,
        "node_pool": [pool("system", 3)],
        "node_subnet_cidr": null, "pod_subnet_cidr": null, "pod_cidrs": null, "service_cidrs": null,
        "max_nodes": null, "max_nodes_limit": null, "required_node_ips": null, "required_pod_ips": null,
        "kubenet_routes_needed": null, "pools": null, "warnings": null
    });
    for (k, v) in overrides.as_object().expect("object") {
        base[k] = v.clone();
    }
    base
}

fn pool(name: &str, count: i64) -> Value {
    json!({"name": name, "os_type": null, "node_count": count, "min_count": null, "max_count": null, "max_pods": null, "max_surge": null})
}

fn errors(diags: &[Diagnostic]) -> Vec<&Diagnostic> {
    diags.iter().filter(|d| d.severity == 1).collect()
}

async fn validate(p: &mut ProviderProcess, config: Value) -> Vec<Diagnostic> {
    p.client
        .validate_resource_config(validate_resource_config::Request {
            type_name: PLAN.into(),
            config: Some(dynamic(&config)),
        })
        .await
        .expect("rpc")
        .into_inner()
        .diagnostics
}

async fn plan(p: &mut ProviderProcess, config: Value) -> (Option<Value>, Vec<Diagnostic>) {
    let resp = p
        .client
        .plan_resource_change(plan_resource_change::Request {
            type_name: PLAN.into(),
            prior_state: Some(dynamic(&Value::Null)),
            proposed_new_state: Some(dynamic(&config)),
            config: Some(dynamic(&config)),
            prior_private: Vec::new(),
            provider_meta: Some(dynamic(&Value::Null)),
        })
        .await
        .expect("rpc")
        .into_inner();
    (
        resp.planned_state.as_ref().map(|s| decode(s).expect("decodes")),
        resp.diagnostics,
    )
}

async fn call(p: &mut ProviderProcess, name: &str, args: Vec<Value>) -> (Option<Value>, Option<String>) {
    let resp = p
        .client
        .call_function(call_function::Request {
            name: name.into(),
            arguments: args.iter().map(dynamic).collect(),
        })
        .await
        .expect("rpc")
        .into_inner();
    (
        resp.result.as_ref().map(|r| decode(r).expect("decodes")),
        resp.error.map(|e| e.text),
    )
}

#[tokio::test]
async fn schema_lists_resource_and_functions_with_descriptions() {
    let mut p = provider().await;
    let s = p
        .client
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .expect("rpc")
        .into_inner();
    assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
    let res = s.resource_schemas.get(PLAN).expect("aksnet_pod_cidr_plan");
    let block = res.block.as_ref().unwrap();
    for a in &block.attributes {
        assert!(
            !a.description.trim().is_empty() && a.description != "empty",
            "{} lacks a description",
            a.name
        );
        assert!(a.nested_type.is_none(), "{} uses a nested attribute type", a.name);
    }
    for f in [
        "cidrs_overlap",
        "pod_cidr_max_nodes",
        "node_subnet_prefix",
        "network_profile_errors",
    ] {
        assert!(s.functions.contains_key(f), "function {f} missing");
    }
    p.stop().await;
}

#[tokio::test]
async fn validation_blames_the_attribute_with_the_rule_id() {
    let mut p = provider().await;
    let diags = validate(&mut p, plan_config(json!({"pod_cidr": "172.30.0.0/16"}))).await;
    let errs = errors(&diags);
    assert!(!errs.is_empty(), "reserved pod CIDR accepted: {diags:?}");
    let e = errs
        .iter()
        .find(|d| d.summary.contains("(R1)"))
        .unwrap_or_else(|| panic!("no R1 error: {errs:?}"));
    // The input range is named, not echoed (issue 17 item 9: it may be sensitive).
    assert!(e.detail.contains("(pod_cidr, not shown)"), "{}", e.detail);
    assert!(!e.detail.contains("172.30.0.0/16"), "{}", e.detail);
    let path = e.attribute.as_ref().expect("attribute path");
    assert!(format!("{:?}", path.steps).contains("pod_cidr"), "{path:?}");

    // Unknown values (from references) are skipped, not rejected.
    let diags = validate(
        &mut p,
        plan_config(json!({"pod_cidr": UNKNOWN, "address_space": UNKNOWN})),
    )
    .await;
    assert!(errors(&diags).is_empty(), "{diags:?}");
    p.stop().await;
}

#[tokio::test]
async fn plan_computes_every_output_at_plan_time() {
    let mut p = provider().await;
    let (planned, diags) = plan(&mut p, plan_config(json!({}))).await;
    assert!(errors(&diags).is_empty(), "{diags:?}");
    let planned = planned.expect("planned state");
    assert_eq!(planned["pod_cidr"], "10.244.0.0/16");
    assert_eq!(planned["service_cidr"], "10.0.0.0/16");
    assert_eq!(planned["dns_service_ip"], "10.0.0.10");
    assert_eq!(planned["node_subnet_cidr"], "10.10.0.0/28");
    assert_eq!(planned["pools"][0]["peak_nodes"], 4);
    assert_ne!(planned["id"], UNKNOWN);
    p.stop().await;
}

#[tokio::test]
async fn unknown_inputs_plan_unknown_outputs() {
    let mut p = provider().await;
    let (planned, diags) = plan(&mut p, plan_config(json!({"address_space": UNKNOWN}))).await;
    assert!(errors(&diags).is_empty(), "{diags:?}");
    let planned = planned.expect("planned state");
    assert_eq!(planned["node_subnet_cidr"], UNKNOWN);
    assert_eq!(planned["pod_cidr"], UNKNOWN);
    p.stop().await;
}

#[tokio::test]
async fn infeasible_plans_fail_with_numbers() {
    let mut p = provider().await;
    let mut big = pool("system", 50);
    big["max_pods"] = json!(30);
    let cfg = plan_config(
        json!({"network_plugin_mode": null, "address_space": ["10.0.0.0/22"], "node_pool": [big]}),
    );
    let (_, diags) = plan(&mut p, cfg).await;
    let errs = errors(&diags);
    assert_eq!(errs.len(), 1, "{diags:?}");
    assert!(
        errs[0]
            .detail
            .contains("1,581 addresses for 51 nodes × (30 pods + 1)"),
        "{}",
        errs[0].detail
    );
    assert!(errs[0].detail.contains("/21"), "{}", errs[0].detail);
    p.stop().await;
}

#[tokio::test]
async fn functions_compute_and_blame_arguments() {
    let mut p = provider().await;
    assert_eq!(
        call(
            &mut p,
            "cidrs_overlap",
            vec![json!("10.0.0.0/8"), json!("10.1.0.0/16")]
        )
        .await
        .0,
        Some(json!(true))
    );
    assert_eq!(
        call(
            &mut p,
            "cidrs_overlap",
            vec![json!("10.0.0.0/16"), json!("10.1.0.0/16")]
        )
        .await
        .0,
        Some(json!(false))
    );
    assert_eq!(
        call(&mut p, "pod_cidr_max_nodes", vec![json!("10.244.0.0/16")])
            .await
            .0,
        Some(json!(256))
    );
    assert_eq!(
        call(
            &mut p,
            "node_subnet_prefix",
            vec![json!("azure"), json!(51), json!(30)]
        )
        .await
        .0,
        Some(json!(21))
    );
    assert_eq!(
        call(
            &mut p,
            "node_subnet_prefix",
            vec![json!("kubenet"), json!(3), json!(110)]
        )
        .await
        .0,
        Some(json!(29))
    );
    let (_, err) = call(
        &mut p,
        "cidrs_overlap",
        vec![json!("10.0.0.1/8"), json!("10.1.0.0/16")],
    )
    .await;
    assert!(err.expect("error").contains("10.0.0.0/8"));
    let (_, err) = call(
        &mut p,
        "node_subnet_prefix",
        vec![json!("azure"), json!(5), json!(300)],
    )
    .await;
    assert!(err.expect("error").contains("C8"));
    p.stop().await;
}

#[tokio::test]
async fn diagnostics_never_carry_backtraces() {
    let mut p = ProviderProcess::start_with_env(
        Path::new(BIN),
        &[("RUST_BACKTRACE", "full"), ("RUST_LIB_BACKTRACE", "1")],
    )
    .await
    .expect("provider starts");
    let diags = validate(&mut p, plan_config(json!({"pod_cidr": "not-a-cidr"}))).await;
    let errs = errors(&diags);
    assert!(!errs.is_empty(), "{diags:?}");
    for d in errs {
        assert!(
            !d.detail.contains("backtrace") && !d.detail.contains("rust_begin_unwind"),
            "{}",
            d.detail
        );
    }
    p.stop().await;
}

#[test]
fn started_by_hand_it_explains_itself() {
    let out = std::process::Command::new(BIN)
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("This binary is a plugin"));
    assert!(out.stdout.is_empty(), "no handshake line without the cookie");
}
