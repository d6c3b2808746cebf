//! Protocol-level tests: the provider binary over gRPC, as Terraform drives it, without the
//! Terraform CLI. Fast checks of schema, validation, planning and functions.

use aksnet_acceptance::emulator::{TestEmulator, SAMPLE_SUBSCRIPTION};
use aksnet_acceptance::grpc::{decode, dynamic, AutoMtlsProcess, MtlsClient, ProviderProcess, UNKNOWN};
use aksnet_acceptance::tfplugin6::{
    apply_resource_change, call_function, close_ephemeral_resource, configure_provider,
    configure_state_store, delete_state, generate_resource_config, get_functions, get_metadata,
    get_provider_schema, get_resource_identity_schemas, get_states, import_resource_state, invoke_action,
    list_resource, lock_state, move_resource_state, open_ephemeral_resource, plan_action,
    plan_resource_change, read_data_source, read_resource, read_state_bytes, renew_ephemeral_resource,
    stop_provider, unlock_state, upgrade_resource_identity, upgrade_resource_state, validate_action_config,
    validate_data_resource_config, validate_ephemeral_resource_config, validate_list_resource_config,
    validate_provider_config, validate_resource_config, validate_state_store, write_state_bytes, Diagnostic,
    RawState, RequestChunkMeta, ResourceIdentityData,
};
use std::path::Path;

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");
const PLAN: &str = "aksnet_pod_cidr_plan";
const SUB: &str = "00000000-0000-0000-0000-0000000000aa";

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
            client_capabilities: None,
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
            prior_identity: None,
            client_capabilities: None,
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

/// Asserts no attribute of `block`, or of its nested blocks, is a nested attribute.
fn blocks_only(block: &aksnet_acceptance::tfplugin6::schema::Block, path: &str) {
    for a in &block.attributes {
        assert!(
            a.nested_type.is_none(),
            "{path}.{} is a nested attribute; aksnet's resources keep azurerm's block syntax",
            a.name
        );
    }
    for b in &block.block_types {
        blocks_only(
            b.block.as_ref().expect("a block"),
            &format!("{path}.{}", b.type_name),
        );
    }
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
    }
    // Nested attributes work (tests/acc_nested_attributes.rs), but aksnet's resources keep
    // blocks: configuration keeps azurerm's block syntax (`x { }`), which module authors copy.
    for (name, res) in &s.resource_schemas {
        blocks_only(res.block.as_ref().expect("a block"), name);
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
    // Arguments decode through the same path-aware decoder as resources (issue 20); the
    // function's own whole-number type still says what is wrong.
    let (_, err) = call(
        &mut p,
        "node_subnet_prefix",
        vec![json!("azure"), json!(5), json!(30.5)],
    )
    .await;
    assert_eq!(err.expect("error"), "30.5 is not a whole number");
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

/// GetProviderSchema through a client connected as `how`: the schema's resource names, or why
/// the connection or the call failed.
async fn schema_over(p: &AutoMtlsProcess, how: MtlsClient) -> Result<Vec<String>, String> {
    let attempt = async {
        let mut client = p.connect(how).await?;
        let s = client
            .get_provider_schema(get_provider_schema::Request {})
            .await
            .map_err(|e| format!("rpc: {e}"))?
            .into_inner();
        let mut names: Vec<String> = s.resource_schemas.into_keys().collect();
        names.sort_unstable();
        Ok(names)
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), attempt)
        .await
        .unwrap_or_else(|_| Err("no answer within 20 s".into()))
}

#[tokio::test]
async fn auto_mtls_requires_the_client_certificate_terraform_passed() {
    let p = AutoMtlsProcess::start(Path::new(BIN))
        .await
        .expect("provider starts");
    // go-plugin's handshake: the server certificate, DER, is the line's last field.
    assert!(
        !p.server_cert.is_empty() && p.server_cert[0] == 0x30,
        "a DER SEQUENCE"
    );

    let names = schema_over(&p, MtlsClient::WithTheCert)
        .await
        .expect("Terraform's certificate is accepted");
    assert_eq!(names, RESOURCES);

    for how in [
        MtlsClient::WithoutCert,
        MtlsClient::WithAnotherCert,
        MtlsClient::WithTheCertButAnotherKey,
        MtlsClient::Plaintext,
    ] {
        let refused = schema_over(&p, how).await;
        assert!(refused.is_err(), "{how:?} got an answer: {refused:?}");
    }
    // The refusals did not stop the server.
    assert!(schema_over(&p, MtlsClient::WithTheCert).await.is_ok());
    p.stop().await;
}

/// go-plugin's services as Terraform uses them: StreamStdio carries the plugin's output as
/// well-formed StdioData, a GRPCBroker stream is answered without breaking the provider, and
/// GRPCController.Shutdown ends both streams cleanly and the process with status 0.
#[tokio::test]
async fn go_plugin_stdio_broker_and_controller_shutdown() {
    use aksnet_acceptance::plugin::{
        grpc_broker_client::GrpcBrokerClient, grpc_controller_client::GrpcControllerClient,
        grpc_stdio_client::GrpcStdioClient, ConnInfo, Empty,
    };
    use std::time::Duration;
    use tokio_stream::StreamExt;

    let mut p = provider().await;
    // Subscribed once the response headers are in, so nothing written later is missed.
    let mut stdio = GrpcStdioClient::new(p.channel())
        .stream_stdio(())
        .await
        .expect("StreamStdio opens")
        .into_inner();

    // The broker relays what it is sent (go-plugin's broker: a stream of ConnInfo).
    let conn = ConnInfo {
        service_id: 7,
        network: "tcp".into(),
        address: "127.0.0.1:1".into(),
        knock: None,
    };
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tx.send(conn.clone()).await.expect("queued");
    let mut broker = GrpcBrokerClient::new(p.channel())
        .start_stream(tokio_stream::wrappers::ReceiverStream::new(rx))
        .await
        .expect("StartStream is answered")
        .into_inner();
    let relayed = tokio::time::timeout(Duration::from_secs(10), broker.next())
        .await
        .expect("relayed within 10 s");
    assert_eq!(relayed.map(|r| r.expect("no error")), Some(conn));

    // The relay is logged on the plugin's stdout channel (1), as StdioData chunks of one line.
    let mut line = Vec::new();
    while !line.ends_with(b"\n") {
        let chunk = tokio::time::timeout(Duration::from_secs(10), stdio.next())
            .await
            .expect("stdio data within 10 s")
            .expect("the stdio stream is open")
            .expect("no error");
        assert_eq!(chunk.channel, 1, "stdout: {chunk:?}");
        line.extend(chunk.data);
    }
    let line = String::from_utf8(line).expect("UTF-8");
    assert!(line.starts_with("relay ConnInfo{service_id: 7"), "{line:?}");

    // The provider still answers after the broker stream.
    let schema = p
        .client
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(schema.resource_schemas.len(), RESOURCES.len());

    GrpcControllerClient::new(p.channel())
        .shutdown(Empty {})
        .await
        .expect("Shutdown is answered");
    // Both streams end cleanly (an end of stream, no error) rather than hanging.
    let stdio_end = tokio::time::timeout(Duration::from_secs(5), stdio.next()).await;
    assert!(matches!(stdio_end, Ok(None)), "stdio: {stdio_end:?}");
    let broker_end = tokio::time::timeout(Duration::from_secs(5), broker.next()).await;
    assert!(matches!(broker_end, Ok(None)), "broker: {broker_end:?}");
    drop(tx);
    let status = p
        .wait_exit(Duration::from_secs(5))
        .await
        .expect("exits after Shutdown");
    assert!(status.success(), "{status:?}");
}

/// Every resource type the provider serves.
const RESOURCES: [&str; 4] = [
    "aksnet_cluster_network",
    "aksnet_node_pool",
    "aksnet_pod_cidr_plan",
    "aksnet_route_table",
];

/// Exactly one error whose summary names `needle` (a type name).
fn assert_one_error_naming(diags: &[Diagnostic], needle: &str) {
    let errs = errors(diags);
    assert_eq!(errs.len(), 1, "{diags:?}");
    assert!(errs[0].summary.contains(&format!("`{needle}`")), "{diags:?}");
    assert!(errs[0].attribute.is_none(), "{diags:?}");
}

#[tokio::test]
async fn metadata_and_schema_declare_only_what_exists() {
    let mut p = provider().await;
    let m = p
        .client
        .get_metadata(get_metadata::Request {})
        .await
        .expect("rpc")
        .into_inner();
    assert!(m.diagnostics.is_empty(), "{:?}", m.diagnostics);
    let mut resources: Vec<_> = m.resources.iter().map(|r| r.type_name.as_str()).collect();
    resources.sort_unstable();
    assert_eq!(resources, RESOURCES);
    let data: Vec<_> = m.data_sources.iter().map(|d| d.type_name.as_str()).collect();
    assert_eq!(data, ["aksnet_subnet_usage"]);
    assert!(m.functions.iter().any(|f| f.name == "cidrs_overlap"));
    assert!(m.ephemeral_resources.is_empty() && m.list_resources.is_empty());
    assert!(m.state_stores.is_empty() && m.actions.is_empty());
    let caps = m.server_capabilities.expect("capabilities");
    assert!(caps.plan_destroy);
    assert!(caps.move_resource_state, "moves from azurerm are offered");
    // Terraform >= 1.14 asks GenerateResourceConfig for -generate-config-out (issue 16).
    assert!(caps.generate_resource_config);

    let s = p
        .client
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .expect("rpc")
        .into_inner();
    assert!(s.ephemeral_resource_schemas.is_empty() && s.list_resource_schemas.is_empty());
    assert!(s.state_store_schemas.is_empty() && s.action_schemas.is_empty());
    assert_eq!(s.server_capabilities, Some(caps));
    p.stop().await;
}

#[tokio::test]
async fn identity_schemas_and_identity_upgrades() {
    let mut p = provider().await;
    let r = p
        .client
        .get_resource_identity_schemas(get_resource_identity_schemas::Request {})
        .await
        .expect("rpc")
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    // azurerm's shape: one string per ID part, all required for import; pure resources have none.
    for (type_name, names) in [
        (
            "aksnet_route_table",
            &["subscription_id", "resource_group_name", "name"][..],
        ),
        (
            "aksnet_cluster_network",
            &["subscription_id", "resource_group_name", "name"][..],
        ),
        (
            "aksnet_node_pool",
            &[
                "subscription_id",
                "resource_group_name",
                "managed_cluster_name",
                "name",
            ][..],
        ),
    ] {
        let schema = r.identity_schemas.get(type_name).expect(type_name);
        assert_eq!(schema.version, 0, "{type_name}");
        let got: Vec<&str> = schema
            .identity_attributes
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(got, names, "{type_name}");
        for a in &schema.identity_attributes {
            assert_eq!(a.r#type, br#""string""#, "{type_name}.{}", a.name);
            assert!(
                a.required_for_import && !a.optional_for_import,
                "{type_name}.{}",
                a.name
            );
            assert!(!a.description.is_empty(), "{type_name}.{}", a.name);
        }
    }
    assert_eq!(r.identity_schemas.len(), 3, "{:?}", r.identity_schemas.keys());

    let upgrade = |type_name: &str, version: i64, json: Value| upgrade_resource_identity::Request {
        type_name: type_name.into(),
        version,
        raw_identity: Some(RawState {
            json: json.to_string().into_bytes(),
            flatmap: Default::default(),
        }),
    };
    let current = json!({"subscription_id": SUB, "resource_group_name": "rg", "name": "rt"});
    // The current version passes through.
    let r = p
        .client
        .upgrade_resource_identity(upgrade("aksnet_route_table", 0, current.clone()))
        .await
        .expect("rpc")
        .into_inner();
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    let data = r
        .upgraded_identity
        .and_then(|i| i.identity_data)
        .expect("identity");
    assert_eq!(decode(&data).unwrap(), current);
    // An unknown version is an error that says which versions exist.
    let r = p
        .client
        .upgrade_resource_identity(upgrade("aksnet_route_table", 3, current.clone()))
        .await
        .expect("rpc")
        .into_inner();
    assert!(r.upgraded_identity.is_none());
    let errs = errors(&r.diagnostics);
    assert_eq!(errs.len(), 1, "{:?}", r.diagnostics);
    assert!(
        errs[0].summary.contains("Unsupported Identity Version"),
        "{errs:?}"
    );
    assert!(errs[0].detail.contains("identity version 3") && errs[0].detail.contains("identity version 0"));
    // Data that does not match the schema names the attribute.
    let r = p
        .client
        .upgrade_resource_identity(upgrade("aksnet_route_table", 0, json!({"id": "x"})))
        .await
        .expect("rpc")
        .into_inner();
    assert!(r.upgraded_identity.is_none());
    assert!(
        errors(&r.diagnostics)[0].detail.contains("`id`"),
        "{:?}",
        r.diagnostics
    );
    // A resource without identity has nothing to upgrade to.
    let r = p
        .client
        .upgrade_resource_identity(upgrade(PLAN, 0, json!({})))
        .await
        .expect("rpc")
        .into_inner();
    assert!(r.upgraded_identity.is_none());
    assert_one_error_naming(&r.diagnostics, PLAN);
    assert!(errors(&r.diagnostics)[0].summary.contains("no identity"));

    let r = p
        .client
        .upgrade_resource_identity(upgrade_resource_identity::Request {
            type_name: "aksnet_nope".into(),
            ..Default::default()
        })
        .await
        .expect("rpc")
        .into_inner();
    assert_one_error_naming(&r.diagnostics, "aksnet_nope");

    let r = p
        .client
        .generate_resource_config(generate_resource_config::Request {
            type_name: "aksnet_route_table".into(),
            state: Some(dynamic(&Value::Null)),
        })
        .await
        .expect("rpc")
        .into_inner();
    assert!(r.config.is_none());
    assert_one_error_naming(&r.diagnostics, "aksnet_route_table");

    // Configuration from a state: what no configuration may set (computed-only `id` and
    // `etag`, an empty optional string) is left out, the rest kept as it is.
    let state = json!({"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt",
        "name": "rt", "resource_group_name": "rg", "location": "westeurope",
        "bgp_route_propagation_enabled": true, "tags": null, "subnet_ids": ["/s"], "route": [
            {"name": "default", "address_prefix": "0.0.0.0/0", "next_hop_type": "Internet", "next_hop_ip_address": null}],
        "foreign_routes": "", "reserved_route_count": null, "etag": "W/\"1\"", "timeouts": null});
    let r = p
        .client
        .generate_resource_config(generate_resource_config::Request {
            type_name: "aksnet_route_table".into(),
            state: Some(dynamic(&state)),
        })
        .await
        .expect("rpc")
        .into_inner();
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    let config = decode(&r.config.expect("a configuration")).expect("msgpack");
    let mut want = state.clone();
    want["id"] = Value::Null;
    want["etag"] = Value::Null;
    want["foreign_routes"] = Value::Null;
    assert_eq!(config, want);
    p.stop().await;
}

#[tokio::test]
async fn ephemeral_resources_list_resources_and_actions_are_undeclared() {
    let mut p = provider().await;
    let c = &mut p.client;
    let name = || "aksnet_secret".to_string();
    let cfg = || Some(dynamic(&json!({})));

    let r = c
        .validate_ephemeral_resource_config(validate_ephemeral_resource_config::Request {
            type_name: name(),
            config: cfg(),
        })
        .await
        .expect("rpc")
        .into_inner();
    assert_one_error_naming(&r.diagnostics, "aksnet_secret");
    let r = c
        .open_ephemeral_resource(open_ephemeral_resource::Request {
            type_name: name(),
            config: cfg(),
            client_capabilities: None,
        })
        .await
        .expect("rpc")
        .into_inner();
    assert!(r.result.is_none() && r.renew_at.is_none());
    assert_one_error_naming(&r.diagnostics, "aksnet_secret");
    let r = c
        .renew_ephemeral_resource(renew_ephemeral_resource::Request {
            type_name: name(),
            private: None,
        })
        .await
        .expect("rpc")
        .into_inner();
    assert_one_error_naming(&r.diagnostics, "aksnet_secret");
    let r = c
        .close_ephemeral_resource(close_ephemeral_resource::Request {
            type_name: name(),
            private: None,
        })
        .await
        .expect("rpc")
        .into_inner();
    assert_one_error_naming(&r.diagnostics, "aksnet_secret");

    let r = c
        .validate_list_resource_config(validate_list_resource_config::Request {
            type_name: "aksnet_route_table".into(),
            config: cfg(),
            ..Default::default()
        })
        .await
        .expect("rpc")
        .into_inner();
    assert_one_error_naming(&r.diagnostics, "aksnet_route_table");
    let mut events = c
        .list_resource(list_resource::Request {
            type_name: "aksnet_route_table".into(),
            config: cfg(),
            include_resource_object: true,
            limit: 10,
        })
        .await
        .expect("rpc")
        .into_inner();
    let event = events.message().await.expect("stream").expect("one event");
    assert!(event.identity.is_none() && event.resource_object.is_none());
    assert_one_error_naming(&event.diagnostic, "aksnet_route_table");
    assert!(
        events.message().await.expect("stream").is_none(),
        "one event only"
    );

    let r = c
        .validate_action_config(validate_action_config::Request {
            type_name: name(),
            config: cfg(),
        })
        .await
        .expect("rpc")
        .into_inner();
    assert_one_error_naming(&r.diagnostics, "aksnet_secret");
    let r = c
        .plan_action(plan_action::Request {
            action_type: name(),
            config: cfg(),
            client_capabilities: None,
        })
        .await
        .expect("rpc")
        .into_inner();
    assert_one_error_naming(&r.diagnostics, "aksnet_secret");
    let mut events = c
        .invoke_action(invoke_action::Request {
            action_type: name(),
            config: cfg(),
            client_capabilities: None,
        })
        .await
        .expect("rpc")
        .into_inner();
    match events.message().await.expect("stream").expect("one event").r#type {
        Some(invoke_action::event::Type::Completed(done)) => {
            assert_one_error_naming(&done.diagnostics, "aksnet_secret")
        }
        other => panic!("expected a completed event, got {other:?}"),
    }
    assert!(
        events.message().await.expect("stream").is_none(),
        "one event only"
    );
    p.stop().await;
}

#[tokio::test]
async fn state_store_rpcs_are_undeclared() {
    let mut p = provider().await;
    let c = &mut p.client;
    let store = || "aksnet_store".to_string();
    let r = c
        .validate_state_store_config(validate_state_store::Request {
            type_name: store(),
            config: Some(dynamic(&json!({}))),
        })
        .await
        .expect("rpc")
        .into_inner();
    assert_one_error_naming(&r.diagnostics, "aksnet_store");
    let r = c
        .configure_state_store(configure_state_store::Request {
            type_name: store(),
            config: Some(dynamic(&json!({}))),
            capabilities: None,
        })
        .await
        .expect("rpc")
        .into_inner();
    assert_one_error_naming(&r.diagnostics, "aksnet_store");
    let mut chunks = c
        .read_state_bytes(read_state_bytes::Request {
            type_name: store(),
            state_id: "default".into(),
        })
        .await
        .expect("rpc")
        .into_inner();
    let chunk = chunks.message().await.expect("stream").expect("one chunk");
    assert!(chunk.bytes.is_empty());
    assert_one_error_naming(&chunk.diagnostics, "aksnet_store");
    let upload = write_state_bytes::RequestChunk {
        meta: Some(RequestChunkMeta {
            type_name: store(),
            state_id: "default".into(),
        }),
        bytes: b"{}".to_vec(),
        total_length: 2,
        range: None,
    };
    let r = c
        .write_state_bytes(futures_stream_of(upload))
        .await
        .expect("rpc")
        .into_inner();
    assert_one_error_naming(&r.diagnostics, "aksnet_store");
    let r = c
        .lock_state(lock_state::Request {
            type_name: store(),
            state_id: "default".into(),
            operation: "apply".into(),
        })
        .await
        .expect("rpc")
        .into_inner();
    assert!(r.lock_id.is_empty());
    assert_one_error_naming(&r.diagnostics, "aksnet_store");
    let r = c
        .unlock_state(unlock_state::Request {
            type_name: store(),
            state_id: "default".into(),
            lock_id: "l".into(),
        })
        .await
        .expect("rpc")
        .into_inner();
    assert_one_error_naming(&r.diagnostics, "aksnet_store");
    let r = c
        .get_states(get_states::Request { type_name: store() })
        .await
        .expect("rpc")
        .into_inner();
    assert!(r.state_id.is_empty());
    assert_one_error_naming(&r.diagnostics, "aksnet_store");
    let r = c
        .delete_state(delete_state::Request {
            type_name: store(),
            state_id: "default".into(),
        })
        .await
        .expect("rpc")
        .into_inner();
    assert_one_error_naming(&r.diagnostics, "aksnet_store");
    p.stop().await;
}

/// A client stream of one message.
fn futures_stream_of<T: Send + 'static>(item: T) -> impl tokio_stream::Stream<Item = T> {
    tokio_stream::iter([item])
}

/// Exactly one error, at the root, whose summary or detail says `needle`.
fn one_error_saying(diags: &[Diagnostic], needle: &str) {
    let errs = errors(diags);
    assert_eq!(errs.len(), 1, "{diags:?}");
    let text = format!("{} {}", errs[0].summary, errs[0].detail);
    assert!(text.contains(needle), "{needle:?} not in {diags:?}");
    assert!(errs[0].attribute.is_none(), "{diags:?}");
}

async fn move_state(
    p: &mut ProviderProcess,
    source_type: &str,
    version: i64,
    state: Value,
    target: &str,
) -> move_resource_state::Response {
    p.client
        .move_resource_state(move_resource_state::Request {
            source_provider_address: "registry.terraform.io/hashicorp/azurerm".into(),
            source_type_name: source_type.into(),
            source_schema_version: version,
            source_state: Some(RawState {
                json: serde_json::to_vec(&state).expect("json"),
                flatmap: Default::default(),
            }),
            target_type_name: target.into(),
            ..Default::default()
        })
        .await
        .expect("rpc")
        .into_inner()
}

#[tokio::test]
async fn move_resource_state_translates_azurerm_and_refuses_the_rest() {
    let mut p = provider().await;
    let rg = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg";
    // As azurerm v4 stores an azurerm_route_table (schema version 0).
    let table = json!({
        "id": format!("{rg}/providers/Microsoft.Network/routeTables/rt"),
        "name": "rt", "resource_group_name": "rg", "location": "westeurope",
        "bgp_route_propagation_enabled": true, "subnets": [], "tags": {},
        "route": [{"name": "default", "address_prefix": "0.0.0.0/0", "next_hop_type": "VirtualAppliance", "next_hop_in_ip_address": "10.0.0.4"}]
    });
    let r = move_state(
        &mut p,
        "azurerm_route_table",
        0,
        table.clone(),
        "aksnet_route_table",
    )
    .await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let state = decode(r.target_state.as_ref().expect("a state")).expect("decodes");
    assert_eq!(state["name"], "rt");
    assert_eq!(state["route"][0]["next_hop_ip_address"], "10.0.0.4");
    assert_eq!(state["etag"], Value::Null, "left to the refresh");
    assert_eq!(state["tags"], Value::Null);
    // The moved object has its identity from the move on (Terraform >= 1.12 stores it).
    assert_eq!(
        identity_of(r.target_identity.as_ref()),
        Some(json!({
            "subscription_id": "00000000-0000-0000-0000-000000000000",
            "resource_group_name": "rg", "name": "rt"
        }))
    );

    // An unknown schema version: one error naming the type, the version and the known one.
    let r = move_state(
        &mut p,
        "azurerm_route_table",
        7,
        table.clone(),
        "aksnet_route_table",
    )
    .await;
    assert!(r.target_state.is_none() && r.target_identity.is_none());
    one_error_saying(&r.diagnostics, "azurerm_route_table schema version 7");
    let e = errors(&r.diagnostics)[0];
    assert_eq!(e.summary, "Unsupported Source Schema Version");
    assert!(e.detail.contains("it knows schema version 0"), "{}", e.detail);

    // Another source type, and a target that takes no moves.
    let r = move_state(
        &mut p,
        "azurerm_virtual_network",
        0,
        table.clone(),
        "aksnet_route_table",
    )
    .await;
    one_error_saying(&r.diagnostics, "not from azurerm_virtual_network");
    let r = move_state(&mut p, "azurerm_route_table", 0, table, "aksnet_pod_cidr_plan").await;
    one_error_saying(&r.diagnostics, "aksnet_pod_cidr_plan accepts no moves");
    assert_eq!(errors(&r.diagnostics)[0].summary, "Unsupported Resource Move");

    // Not JSON: an error, never a panic, and no content echoed.
    let r = p
        .client
        .move_resource_state(move_resource_state::Request {
            source_type_name: "azurerm_kubernetes_cluster".into(),
            source_schema_version: 2,
            source_state: Some(RawState {
                json: b"{not json".to_vec(),
                flatmap: Default::default(),
            }),
            target_type_name: "aksnet_cluster_network".into(),
            ..Default::default()
        })
        .await
        .expect("rpc")
        .into_inner();
    one_error_saying(&r.diagnostics, "is not valid JSON");
    assert!(!errors(&r.diagnostics)[0].detail.contains("not json"));
    p.stop().await;
}

/// The attribute path of a diagnostic as `.attr[1].attr` steps.
fn path_steps(d: &Diagnostic) -> Vec<String> {
    use aksnet_acceptance::tfplugin6::attribute_path::step::Selector;
    d.attribute
        .iter()
        .flat_map(|p| p.steps.iter())
        .map(|s| match s.selector.as_ref().expect("selector") {
            Selector::AttributeName(n) => format!(".{n}"),
            Selector::ElementKeyString(k) => format!("[{k:?}]"),
            Selector::ElementKeyInt(i) => format!("[{i}]"),
        })
        .collect()
}

/// Issue 20: a number the provider reads as a whole number (counts, max_pods) but that is
/// fractional or beyond 64 bits used to fail decoding at the root, naming no attribute. Now
/// validation and plan name the attribute, what it needs and the class of value, and never
/// the value itself.
#[tokio::test]
async fn fractional_and_oversized_numbers_name_their_attribute() {
    let mut p = provider().await;
    let mut second = pool("user", 2);
    second["max_pods"] = json!(1.5);
    let fractional = plan_config(json!({"node_pool": [pool("system", 3), second]}));
    let mut oversized = pool("system", 3);
    // 1e20 is an exact float64, so Terraform sends it as one (cty msgpack).
    oversized["node_count"] = json!(1e20);
    let oversized = plan_config(json!({"node_pool": [oversized]}));
    // A number no float64 holds exactly arrives as its decimal text.
    let mut text = pool("system", 3);
    text["node_count"] = json!("99999999999999999999");
    let text = plan_config(json!({"node_pool": [text]}));
    let cases = [
        (
            fractional,
            ["node_pool", "[1]", "max_pods"],
            "a fractional number",
            "1.5",
        ),
        (
            oversized,
            ["node_pool", "[0]", "node_count"],
            "beyond the 64-bit integer range",
            "1e20",
        ),
        (
            text,
            ["node_pool", "[0]", "node_count"],
            "beyond the 64-bit integer range",
            "9999",
        ),
    ];
    for (config, want, class, value) in cases {
        let want: Vec<String> = [
            format!(".{}", want[0]),
            want[1].to_string(),
            format!(".{}", want[2]),
        ]
        .into();
        let shown = format!("node_pool{}{}", want[1], want[2]);
        let from_validate = validate(&mut p, config.clone()).await;
        let (planned, from_plan) = plan(&mut p, config).await;
        assert!(planned.is_none() || planned == Some(Value::Null), "{planned:?}");
        for diags in [from_validate, from_plan] {
            let errs = errors(&diags);
            assert_eq!(errs.len(), 1, "{diags:?}");
            let e = errs[0];
            assert_eq!(path_steps(e), want, "{e:?}");
            assert_eq!(e.summary, "Invalid Number");
            assert!(
                e.detail
                    .starts_with(&format!("{shown} must be a whole number, but the value is ")),
                "{}",
                e.detail
            );
            assert!(e.detail.contains(class), "{}", e.detail);
            assert!(!e.detail.contains(value), "value echoed: {}", e.detail);
        }
    }
    p.stop().await;
}

// ---- resource identity through the lifecycle RPCs, against an emulator ----

const RT: &str = "aksnet_route_table";

fn identity_data(v: &Value) -> ResourceIdentityData {
    ResourceIdentityData {
        identity_data: Some(dynamic(v)),
    }
}

fn identity_of(d: Option<&ResourceIdentityData>) -> Option<Value> {
    d.and_then(|i| i.identity_data.as_ref())
        .map(|v| decode(v).expect("identity decodes"))
}

/// ConfigureProvider with every provider attribute unset (credentials come from `ARM_*`).
async fn configure(p: &mut ProviderProcess) {
    let s = p
        .client
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .expect("rpc")
        .into_inner();
    let block = s.provider.and_then(|p| p.block).expect("provider schema");
    let config = unset_config(&block);
    let r = p
        .client
        .configure_provider(configure_provider::Request {
            terraform_version: "1.15.5".into(),
            config: Some(dynamic(&Value::Object(config))),
            client_capabilities: None,
        })
        .await
        .expect("rpc")
        .into_inner();
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
}

async fn import(
    p: &mut ProviderProcess,
    type_name: &str,
    id: &str,
    identity: Option<Value>,
) -> import_resource_state::Response {
    p.client
        .import_resource_state(import_resource_state::Request {
            type_name: type_name.into(),
            id: id.into(),
            client_capabilities: None,
            identity: identity.as_ref().map(identity_data),
        })
        .await
        .expect("rpc")
        .into_inner()
}

async fn read(p: &mut ProviderProcess, state: &Value, identity: &Value) -> read_resource::Response {
    p.client
        .read_resource(read_resource::Request {
            type_name: RT.into(),
            current_state: Some(dynamic(state)),
            private: Vec::new(),
            provider_meta: Some(dynamic(&Value::Null)),
            client_capabilities: None,
            current_identity: Some(identity_data(identity)),
        })
        .await
        .expect("rpc")
        .into_inner()
}

/// The configuration a state stands for: its read-only attributes unset.
fn config_of(state: &Value) -> Value {
    let mut config = state.clone();
    if let Some(m) = config.as_object_mut() {
        for read_only in ["id", "etag"] {
            m.insert(read_only.into(), Value::Null);
        }
    }
    config
}

async fn plan_rt(
    p: &mut ProviderProcess,
    prior: &Value,
    proposed: &Value,
    identity: &Value,
) -> plan_resource_change::Response {
    p.client
        .plan_resource_change(plan_resource_change::Request {
            type_name: RT.into(),
            prior_state: Some(dynamic(prior)),
            proposed_new_state: Some(dynamic(proposed)),
            config: Some(dynamic(&config_of(proposed))),
            prior_private: Vec::new(),
            provider_meta: Some(dynamic(&Value::Null)),
            client_capabilities: None,
            prior_identity: Some(identity_data(identity)),
        })
        .await
        .expect("rpc")
        .into_inner()
}

async fn apply_rt(
    p: &mut ProviderProcess,
    prior: &Value,
    planned: &Value,
    identity: &Value,
) -> apply_resource_change::Response {
    p.client
        .apply_resource_change(apply_resource_change::Request {
            type_name: RT.into(),
            prior_state: Some(dynamic(prior)),
            planned_state: Some(dynamic(planned)),
            config: Some(dynamic(&config_of(planned))),
            planned_private: Vec::new(),
            provider_meta: Some(dynamic(&Value::Null)),
            planned_identity: Some(identity_data(identity)),
        })
        .await
        .expect("rpc")
        .into_inner()
}

fn one_error(diags: &[Diagnostic], summary: &str, detail: &str) {
    let errs = errors(diags);
    assert_eq!(errs.len(), 1, "{diags:?}");
    assert!(errs[0].summary.contains(summary), "{diags:?}");
    assert!(errs[0].detail.contains(detail), "{diags:?}");
}

#[tokio::test]
async fn identity_is_carried_through_import_read_plan_and_apply() {
    let rg = "acctest-proto-identity";
    let table_id = format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.Network/routeTables/rt-test");
    let seeds = json!([
        {"id": format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{rg}"), "body": {"location": "westeurope"}},
        {"id": table_id, "body": {"location": "westeurope", "properties": {"routes": [
            {"name": "default", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4"}}]}}}
    ]);
    // The emulator's admin client is blocking: start and drop it off the async runtime.
    let emu = tokio::task::spawn_blocking(move || TestEmulator::start(seeds))
        .await
        .expect("emulator starts");
    let env = emu.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut p = ProviderProcess::start_with_env(Path::new(BIN), &env)
        .await
        .expect("provider starts");
    configure(&mut p).await;
    let identity =
        json!({"subscription_id": SAMPLE_SUBSCRIPTION, "resource_group_name": rg, "name": "rt-test"});

    // Import by identity: no ID, the identity in; the state and the full identity out.
    let r = import(&mut p, RT, "", Some(identity.clone())).await;
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    let imported = &r.imported_resources[0];
    let state = decode(imported.state.as_ref().expect("state")).expect("decodes");
    assert_eq!(state["id"], json!(table_id));
    assert_eq!(identity_of(imported.identity.as_ref()), Some(identity.clone()));
    // Import by ID answers with the same identity.
    let r = import(&mut p, RT, &table_id, None).await;
    assert_eq!(
        identity_of(r.imported_resources[0].identity.as_ref()),
        Some(identity.clone())
    );

    // Read keeps the identity; an identity that does not match the object is an error.
    let r = read(&mut p, &state, &identity).await;
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    assert_eq!(identity_of(r.new_identity.as_ref()), Some(identity.clone()));
    let state = decode(r.new_state.as_ref().expect("state")).expect("decodes");
    let mut other = identity.clone();
    other["name"] = json!("rt-other");
    let r = read(&mut p, &state, &other).await;
    one_error(&r.diagnostics, "Unexpected Identity Change", "`name` differ");
    assert_eq!(
        identity_of(r.new_identity.as_ref()),
        Some(other.clone()),
        "the stored identity is kept"
    );
    // A state written before identities existed (all attributes null) gets one.
    let empty = json!({"subscription_id": null, "resource_group_name": null, "name": null});
    let r = read(&mut p, &state, &empty).await;
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    assert_eq!(identity_of(r.new_identity.as_ref()), Some(identity.clone()));

    // Plan: an update keeps the prior identity; a destroy passes it through.
    let r = plan_rt(&mut p, &state, &state, &identity).await;
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    assert!(r.requires_replace.is_empty());
    assert_eq!(identity_of(r.planned_identity.as_ref()), Some(identity.clone()));
    let planned = decode(r.planned_state.as_ref().expect("planned")).expect("decodes");
    let r = plan_rt(&mut p, &state, &state, &other).await;
    one_error(&r.diagnostics, "Unexpected Identity Change", "During planning");
    let r = plan_rt(&mut p, &state, &Value::Null, &identity).await;
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    assert_eq!(identity_of(r.planned_identity.as_ref()), Some(identity.clone()));

    // Apply: the new state's identity must be the planned one.
    let r = apply_rt(&mut p, &state, &planned, &identity).await;
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    assert_eq!(identity_of(r.new_identity.as_ref()), Some(identity.clone()));
    let r = apply_rt(&mut p, &state, &planned, &other).await;
    one_error(&r.diagnostics, "Unexpected Identity Change", "During apply");

    // Import identities that cannot name an object: the attribute is named, never the value.
    let mut missing = identity.clone();
    missing["name"] = Value::Null;
    let r = import(&mut p, RT, "", Some(missing)).await;
    assert!(r.imported_resources.is_empty());
    one_error(
        &r.diagnostics,
        "Invalid Import Identity",
        "`identity.name` is required",
    );
    let mut bad = identity.clone();
    bad["subscription_id"] = json!("not-a-guid");
    let r = import(&mut p, RT, "", Some(bad)).await;
    one_error(
        &r.diagnostics,
        "Invalid Import Identity",
        "`identity.subscription_id`",
    );
    assert!(
        !r.diagnostics[0].detail.contains("not-a-guid"),
        "{:?}",
        r.diagnostics
    );
    let r = import(
        &mut p,
        PLAN,
        "",
        Some(json!({"subscription_id": SAMPLE_SUBSCRIPTION})),
    )
    .await;
    assert!(r.imported_resources.is_empty());
    assert_one_error_naming(&r.diagnostics, PLAN);

    // Destroy: no identity afterwards.
    let r = apply_rt(&mut p, &state, &Value::Null, &identity).await;
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    assert!(r.new_identity.is_none());
    p.stop().await;
    tokio::task::spawn_blocking(move || drop(emu))
        .await
        .expect("emulator stops");
}

// ---- the remaining RPCs Terraform calls: provider and data-source validation, data-source
// reads, function listing, state upgrades and StopProvider ----

/// A configuration object with every attribute and block of `block` unset, as Terraform sends
/// one for an empty configuration body.
fn unset_config(block: &aksnet_acceptance::tfplugin6::schema::Block) -> serde_json::Map<String, Value> {
    let mut config = serde_json::Map::new();
    for a in &block.attributes {
        config.insert(a.name.clone(), Value::Null);
    }
    for b in &block.block_types {
        // NestingMode: 1 single, 2 list, 3 set, 4 map, 5 group.
        let empty = match b.nesting {
            2 | 3 => json!([]),
            4 => json!({}),
            _ => Value::Null,
        };
        config.insert(b.type_name.clone(), empty);
    }
    config
}

#[tokio::test]
async fn provider_config_functions_and_state_upgrades_answer() {
    let mut p = provider().await;
    let schema = p
        .client
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .expect("rpc")
        .into_inner();

    // ValidateProviderConfig: an empty body is fine; an unknown cloud is an error at its attribute.
    let provider_block = schema
        .provider
        .as_ref()
        .and_then(|p| p.block.as_ref())
        .expect("provider schema");
    let mut config = unset_config(provider_block);
    let r = p
        .client
        .validate_provider_config(validate_provider_config::Request {
            config: Some(dynamic(&Value::Object(config.clone()))),
        })
        .await
        .expect("rpc")
        .into_inner();
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    config.insert("environment".into(), json!("mars"));
    let r = p
        .client
        .validate_provider_config(validate_provider_config::Request {
            config: Some(dynamic(&Value::Object(config))),
        })
        .await
        .expect("rpc")
        .into_inner();
    let errs = errors(&r.diagnostics);
    assert_eq!(errs.len(), 1, "{:?}", r.diagnostics);
    assert_eq!(path_steps(errs[0]), [".environment"], "{:?}", errs[0]);

    // GetFunctions lists the same functions as GetProviderSchema, with their signatures.
    let f = p
        .client
        .get_functions(get_functions::Request {})
        .await
        .expect("rpc")
        .into_inner();
    assert!(errors(&f.diagnostics).is_empty(), "{:?}", f.diagnostics);
    let mut listed: Vec<&String> = f.functions.keys().collect();
    let mut declared: Vec<&String> = schema.functions.keys().collect();
    listed.sort();
    declared.sort();
    assert_eq!(listed, declared);
    assert!(f.functions.contains_key("cidrs_overlap"), "{listed:?}");
    assert!(f.functions["cidrs_overlap"].r#return.is_some());

    // UpgradeResourceState: a state at the current schema version comes back as it was written.
    let version = schema.resource_schemas[PLAN].version;
    let (planned, diags) = plan(&mut p, plan_config(json!({}))).await;
    assert!(errors(&diags).is_empty(), "{diags:?}");
    let planned = planned.expect("planned state");
    let r = p
        .client
        .upgrade_resource_state(upgrade_resource_state::Request {
            type_name: PLAN.into(),
            version,
            raw_state: Some(RawState {
                json: serde_json::to_vec(&planned).expect("json"),
                flatmap: Default::default(),
            }),
        })
        .await
        .expect("rpc")
        .into_inner();
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    let upgraded = decode(r.upgraded_state.as_ref().expect("upgraded state")).expect("decodes");
    assert_eq!(upgraded, planned);

    // StopProvider answers without error (Terraform sends it on interrupt).
    let r = p
        .client
        .stop_provider(stop_provider::Request {})
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.error, "");
    p.stop().await;
}

#[tokio::test]
async fn data_source_validates_and_reads_against_the_emulator() {
    const DS: &str = "aksnet_subnet_usage";
    let rg = "acctest-proto-usage";
    let vnet = format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/vnet");
    let subnet = format!("{vnet}/subnets/nodes");
    let in_use: Vec<Value> = (0..3)
        .map(|i| json!({"id": format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.Network/networkInterfaces/nic-{i}/ipConfigurations/ipconfig1")}))
        .collect();
    let seeds = json!([
        {"id": format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{rg}"), "body": {"location": "westeurope"}},
        {"id": vnet, "body": {"location": "westeurope", "properties": {
            "addressSpace": {"addressPrefixes": ["10.30.0.0/16"]},
            "subnets": [{"name": "nodes", "id": subnet, "properties": {"addressPrefix": "10.30.0.0/24", "ipConfigurations": in_use}}]}}}
    ]);
    let emu = tokio::task::spawn_blocking(move || TestEmulator::start(seeds))
        .await
        .expect("emulator starts");
    let env = emu.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut p = ProviderProcess::start_with_env(Path::new(BIN), &env)
        .await
        .expect("provider starts");
    let schema = p
        .client
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .expect("rpc")
        .into_inner();
    let block = schema.data_source_schemas[DS]
        .block
        .as_ref()
        .expect("data source schema");
    let mut config = unset_config(block);
    config.insert("network_plugin".into(), json!("azure"));

    // ValidateDataResourceConfig: a subnet_id that is not a subnet's ID is an error there.
    config.insert("subnet_id".into(), json!(vnet));
    let r = p
        .client
        .validate_data_resource_config(validate_data_resource_config::Request {
            type_name: DS.into(),
            config: Some(dynamic(&Value::Object(config.clone()))),
        })
        .await
        .expect("rpc")
        .into_inner();
    let errs = errors(&r.diagnostics);
    assert_eq!(errs.len(), 1, "{:?}", r.diagnostics);
    assert_eq!(path_steps(errs[0]), [".subnet_id"], "{:?}", errs[0]);
    config.insert("subnet_id".into(), json!(subnet));
    let r = p
        .client
        .validate_data_resource_config(validate_data_resource_config::Request {
            type_name: DS.into(),
            config: Some(dynamic(&Value::Object(config.clone()))),
        })
        .await
        .expect("rpc")
        .into_inner();
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);

    // ReadDataSource: the live numbers (a /24: 256 addresses, 5 reserved, 3 in use; flat
    // Azure CNI's default 30 pods take 31 addresses a node).
    configure(&mut p).await;
    let r = p
        .client
        .read_data_source(read_data_source::Request {
            type_name: DS.into(),
            config: Some(dynamic(&Value::Object(config))),
            provider_meta: Some(dynamic(&Value::Null)),
            client_capabilities: None,
        })
        .await
        .expect("rpc")
        .into_inner();
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    let state = decode(r.state.as_ref().expect("state")).expect("decodes");
    assert_eq!(state["total_addresses"], 256, "{state}");
    assert_eq!(state["used_addresses"], 3, "{state}");
    assert_eq!(state["free_addresses"], 248, "{state}");
    assert_eq!(state["ips_per_node"], 31, "{state}");
    assert_eq!(state["additional_nodes"], 8, "{state}");
    p.stop().await;
    drop(emu);
}

const CN: &str = "aksnet_cluster_network";

/// The configuration a cluster state stands for: its read-only attributes unset.
fn cluster_config_of(state: &Value) -> Value {
    let mut config = state.clone();
    if let Some(m) = config.as_object_mut() {
        for read_only in [
            "id",
            "fqdn",
            "node_resource_group",
            "effective_outbound_ips",
            "kubenet_route_table_id",
        ] {
            m.insert(read_only.into(), Value::Null);
        }
    }
    config
}

/// Private state bytes (MessagePack) as JSON, and back.
fn private_json(bytes: &[u8]) -> Value {
    decode(&aksnet_acceptance::tfplugin6::DynamicValue {
        msgpack: bytes.to_vec(),
        json: Vec::new(),
    })
    .expect("private state decodes")
}

fn private_bytes(v: &Value) -> Vec<u8> {
    dynamic(v).msgpack
}

/// `state` with the system pool at `count` nodes.
fn system_pool_at(state: &Value, count: i64) -> Value {
    let mut s = state.clone();
    s["default_node_pool"]["node_count"] = json!(count);
    s
}

/// Issue 14: what plan decided for an update travels to apply in private state. Plan writes
/// its pool decision into the private state bytes; apply carries out the decision those bytes
/// hold (a decision of no pool change sends no request, though the planned state differs);
/// without it (private state an older version wrote) apply decides again from the states.
#[tokio::test]
async fn apply_carries_out_the_pool_decision_plan_put_in_private_state() {
    let rg = "acctest-proto-decision";
    let rg_id = format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{rg}");
    let cluster_id = format!("{rg_id}/providers/Microsoft.ContainerService/managedClusters/aks-test");
    let pool_id = format!("{cluster_id}/agentPools/system");
    // The cluster as AKS returns it, every default filled in (seeds are stored as given, and
    // an agent pool write is checked against the whole cluster: a default missing from the
    // seed would read as a change of a property fixed at creation).
    let seeds = json!([
        {"id": rg_id, "body": {"location": "westeurope"}},
        {"id": cluster_id, "body": {"location": "westeurope", "properties": {
            "kubernetesVersion": "1.33", "dnsPrefix": "akstest", "provisioningState": "Succeeded",
            "agentPoolProfiles": [{"name": "system", "count": 1, "mode": "System", "vmSize": "Standard_D4s_v5",
                "maxPods": 30, "osType": "Linux", "provisioningState": "Succeeded"}],
            "networkProfile": {"networkPlugin": "azure", "networkPluginMode": "overlay",
                "networkDataplane": "azure", "networkPolicy": "none", "podCidr": "10.244.0.0/16",
                "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10",
                "outboundType": "loadBalancer", "loadBalancerSku": "standard"}}}}
    ]);
    let emu = std::sync::Arc::new(
        tokio::task::spawn_blocking(move || TestEmulator::start(seeds))
            .await
            .expect("emulator starts"),
    );
    let env = emu.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut p = ProviderProcess::start_with_env(Path::new(BIN), &env)
        .await
        .expect("provider starts");
    configure(&mut p).await;
    // The emulator's client is blocking: ask it off the async runtime.
    let ask = |f: fn(&TestEmulator, &str) -> i64, id: String| {
        let e = emu.clone();
        async move {
            tokio::task::spawn_blocking(move || f(&e, &id))
                .await
                .expect("emulator answers")
        }
    };
    let count = |e: &TestEmulator, id: &str| {
        e.arm("GET", id, "2025-10-01", None).1["properties"]["count"]
            .as_i64()
            .unwrap_or(-1)
    };
    let writes = |e: &TestEmulator, _: &str| e.counters()["writes"].as_i64().unwrap_or(-1);

    // Import and read: the state and private state Terraform would hold.
    let r = import(&mut p, CN, &cluster_id, None).await;
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    let imported = &r.imported_resources[0];
    let r = p
        .client
        .read_resource(read_resource::Request {
            type_name: CN.into(),
            current_state: imported.state.clone(),
            private: imported.private.clone(),
            provider_meta: Some(dynamic(&Value::Null)),
            client_capabilities: None,
            current_identity: imported.identity.clone(),
        })
        .await
        .expect("rpc")
        .into_inner();
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    let state = decode(r.new_state.as_ref().expect("state")).expect("decodes");
    let identity = r.new_identity.clone();
    assert_eq!(state["default_node_pool"]["node_count"], json!(1), "{state}");

    // Plan the system pool at 2 nodes: the decision (update it in place, no IPAM stage) is in
    // the planned private state.
    let proposed = system_pool_at(&state, 2);
    let r = p
        .client
        .plan_resource_change(plan_resource_change::Request {
            type_name: CN.into(),
            prior_state: Some(dynamic(&state)),
            proposed_new_state: Some(dynamic(&proposed)),
            config: Some(dynamic(&cluster_config_of(&proposed))),
            prior_private: r.private.clone(),
            provider_meta: Some(dynamic(&Value::Null)),
            client_capabilities: None,
            prior_identity: identity.clone(),
        })
        .await
        .expect("rpc")
        .into_inner();
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    assert!(r.requires_replace.is_empty(), "{:?}", r.requires_replace);
    let planned = decode(r.planned_state.as_ref().expect("planned")).expect("decodes");
    let plan_private = r.planned_private.clone();
    let decided = private_json(&plan_private);
    assert_eq!(
        decided["planned"]["pools"]["update"],
        json!([["system", true]]),
        "{decided}"
    );
    assert_eq!(decided["planned"]["ipam_first"], json!(false), "{decided}");

    let apply = |private: Vec<u8>, prior: Value, planned: Value| apply_resource_change::Request {
        type_name: CN.into(),
        prior_state: Some(dynamic(&prior)),
        planned_state: Some(dynamic(&planned)),
        config: Some(dynamic(&cluster_config_of(&planned))),
        planned_private: private,
        provider_meta: Some(dynamic(&Value::Null)),
        planned_identity: identity.clone(),
    };
    // Private state whose decision is "no pool changes": apply sends nothing, though the
    // planned state has 2 nodes. Apply follows the private state, not a decision of its own.
    let mut nothing = decided.clone();
    nothing["planned"]["pools"]["update"] = json!([]);
    let before = ask(writes, String::new()).await;
    let r = p
        .client
        .apply_resource_change(apply(private_bytes(&nothing), state.clone(), planned.clone()))
        .await
        .expect("rpc")
        .into_inner();
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    assert_eq!(ask(writes, String::new()).await, before, "no ARM write");
    assert_eq!(ask(count, pool_id.clone()).await, 1);

    // The bytes plan wrote: the system pool is updated to 2 nodes.
    let r = p
        .client
        .apply_resource_change(apply(plan_private, state.clone(), planned.clone()))
        .await
        .expect("rpc")
        .into_inner();
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    assert_eq!(ask(count, pool_id.clone()).await, 2);
    let done = decode(r.new_state.as_ref().expect("state")).expect("decodes");
    assert!(
        private_json(&r.private).get("planned").is_none(),
        "apply leaves no decision behind"
    );

    // No decision in private state (an older version's): apply decides from the states.
    let three = system_pool_at(&done, 3);
    let r = p
        .client
        .apply_resource_change(apply(Vec::new(), done.clone(), three))
        .await
        .expect("rpc")
        .into_inner();
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    assert_eq!(ask(count, pool_id.clone()).await, 3);

    drop(p);
    tokio::task::spawn_blocking(move || drop(emu))
        .await
        .expect("emulator stops");
}
