//! The corpus of real configurations (`tests/corpus/cases.json`, issue #15): layouts taken
//! from Microsoft Learn, azurerm's examples, the AKS baseline and Azure/AKS issues, each with
//! its source and Azure's documented verdict. Three witnesses must agree with that verdict:
//!
//! 1. the provider through the real Terraform CLI — `network_profile_errors` for cases without
//!    live fixtures (one `terraform apply` of outputs for all of them), `aksnet_cluster_network`
//!    planned against aksnet-emulator seeded with the case's VNet, subnets, peerings and route
//!    tables for the others (one `terraform plan -json` for all of them);
//! 2. aksnet-emulator: the managed cluster body PUT directly over HTTPS (accepted, or refused
//!    synchronously or by its long-running operation).
//!
//! A case marked `emulator_pending` / `provider_pending` records a known disagreement; the
//! suite asserts the disagreement still holds, so fixing it makes the test say "remove the
//! marker". `tests/corpus/README.md` describes the format.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use aksnet_acceptance::arm::{lookup_in, ArmClient};
use aksnet_acceptance::emulator::{TestEmulator, SAMPLE_SUBSCRIPTION};
use aksnet_acceptance::target::skip_against_arm;
use aksnet_acceptance::terraform::{terraform_binaries, with_provider, Workdir};
use serde_json::{json, Map, Value};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");
const CASES: &str = include_str!("corpus/cases.json");
const AKS_API: &str = "2025-10-01";
/// The Network API version aksnet speaks (route tables).
const NETWORK_API: &str = "2025-01-01";
/// Keys of a pool the provider function does not take (the resource needs them).
const POOL_FIXTURE_KEYS: [&str; 2] = ["subnet", "pod_subnet"];

/// One corpus case.
struct Case {
    id: String,
    /// `None`: Azure accepts the layout; `Some(rule)`: it refuses it and aksnet must say `rule`.
    rule: Option<String>,
    /// Azure accepts the layout and aksnet must advise against it: no error, and a warning
    /// carrying this rule id (`"verdict": "warn"`; only cases with `network`, planned through
    /// the resource, since `network_profile_errors` returns errors only).
    warn: Option<String>,
    cluster: Map<String, Value>,
    /// The cluster as it already runs in Azure (`"prior"`, same shape as `cluster`): seeded
    /// into the emulator, imported by the provider (an `import` block), and `cluster` is the
    /// change applied to it (the M rules).
    prior: Option<Map<String, Value>>,
    network: Option<Value>,
    /// The cluster's name (`"name"`; default `aks-<id>`), for the naming rules (I2).
    name: Option<String>,
    /// The cluster's location (`"location"`; default `westeurope`), for the location rule (I4).
    location: Option<String>,
    /// A route table's own routes (`"routes"`, the shape of `network.route_tables`' entries):
    /// the case is then that table, not a cluster — `aksnet_route_table` planned by the
    /// provider, the table PUT to the emulator (the route rules, O7).
    routes: Option<Vec<Value>>,
    emulator_pending: Option<String>,
    provider_pending: Option<String>,
    /// aksnet gives this verdict when it applies (just before it would create the cluster),
    /// not at plan: e.g. a node subnet without a route table, which the same apply may add.
    provider_at_apply: bool,
}

fn cases() -> Vec<Case> {
    let doc: Value = serde_json::from_str(CASES).expect("tests/corpus/cases.json parses");
    let mut seen = BTreeSet::new();
    doc["cases"]
        .as_array()
        .expect("cases is a list")
        .iter()
        .map(|c| {
            let id = c["id"].as_str().expect("id").to_string();
            assert!(seen.insert(id.clone()), "duplicate case id {id}");
            assert!(
                id.chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_'),
                "{id}: ids are [a-z0-9_]"
            );
            let source = c["source"].as_str().unwrap_or_default();
            assert!(source.starts_with("https://"), "{id}: source must be a URL");
            assert!(!c["quote"].as_str().unwrap_or_default().is_empty(), "{id}: quote");
            let named = || {
                c["rule"]
                    .as_str()
                    .expect("a reject or warn case names its rule")
                    .to_string()
            };
            let (rule, warn) = match c["verdict"].as_str() {
                Some("accept") => (None, None),
                Some("reject") => (Some(named()), None),
                Some("warn") => {
                    assert!(
                        c.get("network").is_some() || c.get("prior").is_some() || c.get("routes").is_some(),
                        "{id}: a warn case needs network, prior or routes (the resource path)"
                    );
                    (None, Some(named()))
                }
                v => panic!("{id}: verdict must be accept, reject or warn, got {v:?}"),
            };
            let provider_at_apply = match c["provider_at"].as_str() {
                None | Some("plan") => false,
                Some("apply") => true,
                Some(other) => panic!("{id}: provider_at is plan or apply, got {other}"),
            };
            Case {
                id,
                rule,
                warn,
                // A route table case has no cluster.
                cluster: match c["routes"].is_array() {
                    true => Map::new(),
                    false => c["cluster"].as_object().cloned().expect("cluster object"),
                },
                prior: c.get("prior").and_then(Value::as_object).cloned(),
                network: c.get("network").cloned().filter(|n| !n.is_null()),
                name: c["name"].as_str().map(str::to_string),
                location: c["location"].as_str().map(str::to_string),
                routes: c["routes"].as_array().cloned(),
                emulator_pending: c["emulator_pending"].as_str().map(str::to_string),
                provider_pending: c["provider_pending"].as_str().map(str::to_string),
                provider_at_apply,
            }
        })
        .collect()
}

// ---- fixtures: one resource group and VNet per case ----

fn rg(case: &Case) -> String {
    format!("corpus-{}", case.id.replace('_', "-"))
}

fn rg_id(case: &Case) -> String {
    format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{}", rg(case))
}

fn subnet_id(case: &Case, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/{name}",
        rg_id(case)
    )
}

fn identity_id(case: &Case) -> String {
    format!(
        "{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aks",
        rg_id(case)
    )
}

/// Seeds for the case's resource group, prior cluster, VNet (subnets, peerings) and route
/// tables.
fn seeds(case: &Case) -> Vec<Value> {
    let group = rg_id(case);
    let mut out = vec![json!({"id": group, "body": {"location": "westeurope"}})];
    if let Some(prior) = prior_body(case) {
        out.push(json!({"id": cluster_id(case), "body": prior}));
    }
    let Some(net) = &case.network else {
        return out;
    };
    let table_id = |name: &str| format!("{group}/providers/Microsoft.Network/routeTables/{name}");
    for (name, routes) in net["route_tables"].as_object().cloned().unwrap_or_default() {
        let routes = arm_routes(routes.as_array().map_or(&[][..], Vec::as_slice));
        out.push(json!({"id": table_id(&name), "body": {"location": "westeurope", "properties": {"routes": routes}}}));
    }
    let mut subnets = Vec::new();
    for (name, s) in net["subnets"].as_object().cloned().unwrap_or_default() {
        let mut props = json!({"addressPrefix": s["prefix"]});
        if let Some(t) = s["route_table"].as_str() {
            props["routeTable"] = json!({"id": table_id(t)});
        }
        if s["nat_gateway"].as_bool() == Some(true) {
            props["natGateway"] =
                json!({"id": format!("{group}/providers/Microsoft.Network/natGateways/natgw")});
        }
        subnets.push(json!({"name": name, "id": subnet_id(case, &name), "properties": props}));
    }
    let peerings: Vec<Value> = net["peerings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, space)| {
            json!({"name": format!("peer{i}"), "properties": {"remoteAddressSpace": {"addressPrefixes": space}}})
        })
        .collect();
    out.push(json!({
        "id": format!("{group}/providers/Microsoft.Network/virtualNetworks/vnet"),
        "body": {"location": "westeurope", "properties": {
            "addressSpace": {"addressPrefixes": net["address_space"]},
            "virtualNetworkPeerings": peerings,
            "subnets": subnets}}
    }));
    out
}

/// Routes in the corpus shape (`name`, `prefix`, `next_hop`, optional `ip`) as the Network
/// API's `routes` (Microsoft.Network 2025-01-01 routeTable.json).
fn arm_routes(routes: &[Value]) -> Vec<Value> {
    routes
        .iter()
        .map(|r| {
            let mut p = json!({"addressPrefix": r["prefix"], "nextHopType": r["next_hop"]});
            if let Some(ip) = r["ip"].as_str() {
                p["nextHopIpAddress"] = json!(ip);
            }
            json!({"name": r["name"], "properties": p})
        })
        .collect()
}

/// The route table a `routes` case describes: its ID in the case's group.
fn route_table_id(case: &Case) -> String {
    format!("{}/providers/Microsoft.Network/routeTables/rt", rg_id(case))
}

/// A `routes` case as an `aksnet_route_table` resource named after its id.
fn route_table_hcl(case: &Case, routes: &[Value]) -> String {
    let mut out = format!(
        "resource \"aksnet_route_table\" \"{}\" {{\n  name                = \"rt\"\n  resource_group_name = \"{}\"\n  location            = \"westeurope\"\n",
        case.id,
        rg(case)
    );
    for r in routes {
        out.push_str("  route {\n");
        for (ours, theirs) in [
            ("name", "name"),
            ("prefix", "address_prefix"),
            ("next_hop", "next_hop_type"),
            ("ip", "next_hop_ip_address"),
        ] {
            if let Some(v) = r.get(ours) {
                out.push_str(&format!("    {theirs} = {}\n", hcl(v)));
            }
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}

// ---- the case's cluster in each shape ----

fn pools(case: &Case) -> Vec<(bool, Map<String, Value>)> {
    let mut out = Vec::new();
    if let Some(p) = case.cluster.get("default_node_pool").and_then(Value::as_object) {
        out.push((true, p.clone()));
    }
    for p in case
        .cluster
        .get("node_pool")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.push((false, p.as_object().cloned().unwrap_or_default()));
    }
    out
}

/// A pool with its fixture references (`subnet`, `pod_subnet`) turned into subnet IDs.
fn resolved_pool(case: &Case, pool: &Map<String, Value>) -> Map<String, Value> {
    let mut p = pool.clone();
    for k in POOL_FIXTURE_KEYS {
        p.remove(k);
    }
    if let Some(s) = pool.get("subnet").and_then(Value::as_str) {
        p.insert("vnet_subnet_id".into(), json!(subnet_id(case, s)));
    }
    if let Some(s) = pool.get("pod_subnet").and_then(Value::as_str) {
        p.insert("pod_subnet_id".into(), json!(subnet_id(case, s)));
    }
    p
}

/// The user-assigned identity placeholder `"<identity>"` becomes the case's identity ID.
fn resolved_identity(case: &Case) -> Option<Value> {
    let mut ident = case.cluster.get("identity")?.clone();
    if let Some(ids) = ident.get_mut("identity_ids").and_then(Value::as_array_mut) {
        for id in ids.iter_mut() {
            if id == "<identity>" {
                *id = json!(identity_id(case));
            }
        }
    }
    Some(ident)
}

/// `network_profile_errors`'s argument.
fn function_profile(case: &Case) -> Value {
    let mut p = case.cluster.clone();
    if let Some(d) = case.cluster.get("default_node_pool").and_then(Value::as_object) {
        p.insert("default_node_pool".into(), Value::Object(resolved_pool(case, d)));
    }
    if let Some(list) = case.cluster.get("node_pool").and_then(Value::as_array) {
        let list: Vec<Value> = list
            .iter()
            .map(|x| Value::Object(resolved_pool(case, x.as_object().unwrap_or(&Map::new()))))
            .collect();
        p.insert("node_pool".into(), Value::Array(list));
    }
    if let Some(i) = resolved_identity(case) {
        p.insert("identity".into(), i);
    }
    Value::Object(p)
}

/// A value as HCL (strings escaped, objects as `{ k = v }`).
fn hcl(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            serde_json::to_string(&s.replace("${", "$${").replace("%{", "%%{")).unwrap_or_default()
        }
        Value::Array(a) => format!("[{}]", a.iter().map(hcl).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => format!(
            "{{ {} }}",
            o.iter()
                .map(|(k, v)| format!("{k} = {}", hcl(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The case as an `aksnet_cluster_network` resource named after its id (a `routes` case as
/// its `aksnet_route_table`).
fn resource_hcl(case: &Case) -> String {
    if let Some(routes) = &case.routes {
        return route_table_hcl(case, routes);
    }
    let mut out = format!(
        "resource \"aksnet_cluster_network\" \"{id}\" {{\n  name                = {name}\n  resource_group_name = \"{rg}\"\n  location            = {location}\n  dns_prefix          = \"aks{n}\"\n",
        id = case.id,
        name = hcl(&json!(cluster_name(case))),
        location = hcl(&json!(location(case))),
        n = case.id.replace('_', "-"),
        rg = rg(case)
    );
    for (k, v) in &case.cluster {
        match k.as_str() {
            "default_node_pool" | "node_pool" => {}
            "identity" | "load_balancer_profile" | "nat_gateway_profile" => {
                let v = if k == "identity" {
                    resolved_identity(case).unwrap_or(Value::Null)
                } else {
                    v.clone()
                };
                out.push_str(&format!("  {k} {{\n"));
                for (bk, bv) in v.as_object().cloned().unwrap_or_default() {
                    out.push_str(&format!("    {bk} = {}\n", hcl(&bv)));
                }
                out.push_str("  }\n");
            }
            _ => out.push_str(&format!("  {k} = {}\n", hcl(v))),
        }
    }
    for (system, pool) in pools(case) {
        out.push_str(if system {
            "  default_node_pool {\n"
        } else {
            "  node_pool {\n"
        });
        out.push_str("    vm_size = \"Standard_D4s_v5\"\n");
        for (k, v) in resolved_pool(case, &pool) {
            out.push_str(&format!("    {k} = {}\n", hcl(&v)));
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}

/// The managed cluster body the case describes, written from the AKS REST API 2025-10-01
/// (managedClusters.json) without the provider's code, for the emulator.
fn arm_body(case: &Case) -> Value {
    let c = &case.cluster;
    let s = |k: &str| c.get(k).cloned().filter(|v| !v.is_null());
    let mut np = Map::new();
    for (ours, theirs) in [
        ("network_plugin", "networkPlugin"),
        ("network_plugin_mode", "networkPluginMode"),
        ("network_policy", "networkPolicy"),
        ("network_data_plane", "networkDataplane"),
        ("pod_cidr", "podCidr"),
        ("pod_cidrs", "podCidrs"),
        ("service_cidr", "serviceCidr"),
        ("service_cidrs", "serviceCidrs"),
        ("dns_service_ip", "dnsServiceIP"),
        ("ip_families", "ipFamilies"),
        ("outbound_type", "outboundType"),
        ("load_balancer_sku", "loadBalancerSku"),
    ] {
        if let Some(v) = s(ours) {
            np.insert(theirs.into(), v);
        }
    }
    if let Some(lb) = s("load_balancer_profile") {
        let mut p = Map::new();
        if let Some(n) = lb.get("managed_outbound_ip_count") {
            p.insert("managedOutboundIPs".into(), json!({"count": n}));
        }
        if let Some(n) = lb.get("outbound_ports_allocated") {
            p.insert("allocatedOutboundPorts".into(), n.clone());
        }
        if let Some(n) = lb.get("idle_timeout_in_minutes") {
            p.insert("idleTimeoutInMinutes".into(), n.clone());
        }
        np.insert("loadBalancerProfile".into(), Value::Object(p));
    }
    if let Some(nat) = s("nat_gateway_profile") {
        let mut p = Map::new();
        if let Some(n) = nat.get("managed_outbound_ip_count") {
            p.insert("managedOutboundIPProfile".into(), json!({"count": n}));
        }
        if let Some(n) = nat.get("idle_timeout_in_minutes") {
            p.insert("idleTimeoutInMinutes".into(), n.clone());
        }
        np.insert("natGatewayProfile".into(), Value::Object(p));
    }
    let profiles: Vec<Value> = pools(case)
        .into_iter()
        .map(|(system, p)| {
            let p = resolved_pool(case, &p);
            let mut a = json!({
                "name": p.get("name"),
                "vmSize": "Standard_D4s_v5",
                "mode": if system { "System" } else { "User" },
                "osType": p.get("os_type").cloned().unwrap_or(json!("Linux")),
                // An autoscaled pool without node_count starts at min_count (C3).
                "count": p.get("node_count").or(p.get("min_count")).cloned()
                    .unwrap_or(json!(if system { 3 } else { 1 })),
            });
            for (ours, theirs) in [
                ("min_count", "minCount"),
                ("max_count", "maxCount"),
                ("max_pods", "maxPods"),
                ("vnet_subnet_id", "vnetSubnetID"),
                ("pod_subnet_id", "podSubnetID"),
                ("pod_ip_allocation_mode", "podIPAllocationMode"),
                ("auto_scaling_enabled", "enableAutoScaling"),
                ("zones", "availabilityZones"),
            ] {
                if let Some(v) = p.get(ours).filter(|v| !v.is_null()) {
                    a[theirs] = v.clone();
                }
            }
            if let Some(v) = p.get("max_surge") {
                a["upgradeSettings"] = json!({"maxSurge": v});
            }
            a
        })
        .collect();
    let identity = match resolved_identity(case) {
        Some(i) if i["type"] == "UserAssigned" => {
            let ids: Map<String, Value> = i["identity_ids"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .filter_map(|x| x.as_str().map(|x| (x.to_string(), json!({}))))
                .collect();
            json!({"type": "UserAssigned", "userAssignedIdentities": ids})
        }
        _ => json!({"type": "SystemAssigned"}),
    };
    let mut props = json!({
        "dnsPrefix": format!("aks{}", case.id.replace('_', "-")),
        "agentPoolProfiles": profiles,
        "networkProfile": np,
    });
    if let Some(v) = s("kubernetes_version") {
        props["kubernetesVersion"] = v;
    }
    if let Some(v) = s("bootstrap_artifact_source") {
        props["bootstrapProfile"] = json!({"artifactSource": v});
    }
    let mut body = json!({"location": location(case), "identity": identity, "properties": props});
    // SPEC ManagedClusterSKU: name `Base` (the only non-preview one besides `Automatic`), tier.
    if let Some(tier) = s("sku_tier") {
        body["sku"] = json!({"name": "Base", "tier": tier});
    }
    body
}

/// The prior cluster as AKS stores it: the prior's request body with what AKS fills in on
/// create (SPEC 2025-10-01 defaults: serviceCidr 10.0.0.0/16, dnsServiceIP 10.0.0.10,
/// networkPolicy none, networkDataplane azure, outboundType loadBalancer, loadBalancerSku
/// standard; podCidr 10.244.0.0/16 for kubenet and overlay; max pods per node as
/// configure-azure-cni lists them: kubenet 110, Azure CNI 30, overlay 250) and the node
/// resource group and FQDN it computes. Seeded, not created: AKS no longer creates some
/// clusters that still run (a Basic load balancer).
fn prior_body(case: &Case) -> Option<Value> {
    let prior = Case {
        id: case.id.clone(),
        rule: None,
        warn: None,
        cluster: case.prior.clone()?,
        prior: None,
        network: case.network.clone(),
        name: case.name.clone(),
        location: case.location.clone(),
        routes: None,
        emulator_pending: None,
        provider_pending: None,
        provider_at_apply: false,
    };
    let mut body = arm_body(&prior);
    let props = &mut body["properties"];
    let np = &mut props["networkProfile"];
    let plugin = np["networkPlugin"].as_str().unwrap_or("azure").to_string();
    let overlay = np["networkPluginMode"].as_str() == Some("overlay");
    let cilium = np["networkDataplane"].as_str() == Some("cilium");
    for (k, v) in [
        ("networkPlugin", json!(plugin)),
        ("serviceCidr", json!("10.0.0.0/16")),
        ("dnsServiceIP", json!("10.0.0.10")),
        ("networkPolicy", json!(if cilium { "cilium" } else { "none" })),
        ("networkDataplane", json!("azure")),
        ("outboundType", json!("loadBalancer")),
        ("loadBalancerSku", json!("standard")),
    ] {
        if np.get(k).is_none_or(Value::is_null) {
            np[k] = v;
        }
    }
    if (plugin == "kubenet" || overlay) && np.get("podCidr").is_none() {
        np["podCidr"] = json!("10.244.0.0/16");
    }
    let pods = match (plugin.as_str(), overlay) {
        ("kubenet", _) => 110,
        ("azure", false) => 30,
        _ => 250,
    };
    for p in props["agentPoolProfiles"].as_array_mut().into_iter().flatten() {
        if p.get("maxPods").is_none() {
            p["maxPods"] = json!(pods);
        }
    }
    let n = case.id.replace('_', "-");
    props["nodeResourceGroup"] = json!(format!("MC_{}_aks-{n}_westeurope", rg(case)));
    props["fqdn"] = json!(format!("aks{n}-00000000.hcp.westeurope.azmk8s.io"));
    props["provisioningState"] = json!("Succeeded");
    Some(body)
}

/// The cluster's location: the case's `location`, or `westeurope` (where the fixtures are).
fn location(case: &Case) -> &str {
    case.location.as_deref().unwrap_or("westeurope")
}

/// The cluster's name: the case's `name`, or `aks-<id>`.
fn cluster_name(case: &Case) -> String {
    case.name
        .clone()
        .unwrap_or_else(|| format!("aks-{}", case.id.replace('_', "-")))
}

fn cluster_id(case: &Case) -> String {
    format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/{}",
        rg_id(case),
        cluster_name(case)
    )
}

// ---- verdicts ----

/// What a witness said about a case: `Ok(())` accepted; `Err(text)` refused, with its errors.
type Verdict = Result<(), String>;

/// Compares a witness's verdict with the case's, honouring a recorded disagreement.
fn judge(
    case: &Case,
    witness: &str,
    pending: Option<&str>,
    verdict: &Verdict,
    rule_seen: bool,
) -> Option<String> {
    let agrees = match (&case.rule, verdict) {
        (None, Ok(())) => true,
        (None, Err(_)) => false,
        (Some(_), Ok(())) => false,
        (Some(_), Err(_)) => rule_seen,
    };
    let said = match verdict {
        Ok(()) => "accepted".to_string(),
        Err(e) => format!("refused: {e}"),
    };
    let want = case
        .rule
        .as_deref()
        .map_or("accept".to_string(), |r| format!("refuse with {r}"));
    match (agrees, pending) {
        (true, None) | (false, Some(_)) => None,
        (false, None) => Some(format!("{}: {witness} should {want}, but {said}", case.id)),
        (true, Some(why)) => Some(format!(
            "{}: {witness} now agrees with the corpus ({want}); remove its pending marker ({why})",
            case.id
        )),
    }
}

/// Provider verdicts for cases without fixtures: one output per case.
fn function_verdicts(cases: &[&Case], tf: &Workdir) -> BTreeMap<String, Vec<String>> {
    let mut config = String::new();
    for c in cases {
        config.push_str(&format!(
            "output \"{}\" {{\n  value = provider::aksnet::network_profile_errors({})\n}}\n",
            c.id,
            hcl(&function_profile(c))
        ));
    }
    tf.write_config(&with_provider(&config)).expect("config");
    let run = tf
        .run(&["apply", "-auto-approve", "-no-color", "-input=false"])
        .expect("terraform apply");
    assert_eq!(
        run.code,
        0,
        "terraform apply of the function cases:\n{}",
        run.text()
    );
    let out = tf
        .run_ok(&["output", "-json", "-no-color"])
        .expect("terraform output");
    let doc: Value = serde_json::from_str(&out.stdout).expect("output json");
    cases
        .iter()
        .map(|c| {
            let errs = doc[&c.id]["value"]
                .as_array()
                .unwrap_or_else(|| panic!("{}: no output in {doc}", c.id))
                .iter()
                .filter_map(|e| e.as_str().map(str::to_string))
                .collect();
            (c.id.clone(), errs)
        })
        .collect()
}

/// Diagnostics per case id.
type PerCase = BTreeMap<String, Vec<String>>;

/// Runs `terraform ARGS` over the cases' resources and attributes each error and warning
/// diagnostic to a case by the line range of its resource block: the run's exit code and
/// text, the refused cases' errors and the cases' warnings.
fn attributed(tf: &Workdir, cases: &[&Case], args: &[&str]) -> (i32, String, PerCase, PerCase) {
    let mut config = with_provider("provider \"aksnet\" {}\n\n");
    let mut blocks = Vec::new();
    for c in cases {
        let first = config.lines().count() + 1;
        config.push_str(&resource_hcl(c));
        blocks.push((first, config.lines().count(), c.id.clone()));
        config.push('\n');
    }
    // The running clusters of the cases with a prior: imported, so that the plan is the
    // change (Terraform >= 1.5 plans import blocks).
    for c in cases.iter().filter(|c| c.prior.is_some()) {
        config.push_str(&format!(
            "import {{\n  to = aksnet_cluster_network.{}\n  id = \"{}\"\n}}\n",
            c.id,
            cluster_id(c)
        ));
    }
    tf.write_config(&config).expect("config");
    let run = tf.run(args).expect("terraform");
    let mut refused = PerCase::new();
    let mut warned = PerCase::new();
    let mut unattributed = Vec::new();
    for line in run.stdout.lines() {
        let Ok(msg) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let d = &msg["diagnostic"];
        if msg["type"] != "diagnostic" {
            continue;
        }
        let error = d["severity"] == "error";
        let text = format!(
            "{}: {}",
            d["summary"].as_str().unwrap_or(""),
            d["detail"].as_str().unwrap_or("")
        );
        let at = d["range"]["start"]["line"].as_u64().unwrap_or(0) as usize;
        match blocks.iter().find(|(a, b, _)| (*a..=*b).contains(&at)) {
            Some((_, _, id)) if error => refused.entry(id.clone()).or_default().push(text),
            Some((_, _, id)) => warned.entry(id.clone()).or_default().push(text),
            None if error => unattributed.push(text),
            None => {}
        }
    }
    assert!(
        unattributed.is_empty(),
        "terraform {} errors not attributed to a case: {unattributed:#?}\n{}",
        args[0],
        run.text()
    );
    assert!(
        run.code == 0 || !refused.is_empty(),
        "terraform {} failed without a diagnostic:\n{}",
        args[0],
        run.text()
    );
    (run.code, run.text(), refused, warned)
}

/// Provider verdicts for cases with fixtures: `terraform plan -json` over all their resources.
/// An error Terraform finds while validating stops the plan of every resource, so the cases
/// without an error are planned again (without the others) until a plan succeeds. Cases whose
/// verdict comes at apply (`provider_at = "apply"`: aksnet checks again just before it would
/// create the cluster) are then applied, and whatever got created is destroyed.
/// Returns the errors and the warnings per case.
fn resource_verdicts(cases: &[&Case], tf: &Workdir) -> (PerCase, PerCase) {
    let mut out: PerCase = cases.iter().map(|c| (c.id.clone(), Vec::new())).collect();
    let mut warnings = PerCase::new();
    let mut remaining: Vec<&Case> = cases.to_vec();
    while !remaining.is_empty() {
        let (code, _, refused, warned) =
            attributed(tf, &remaining, &["plan", "-json", "-no-color", "-input=false"]);
        remaining.retain(|c| !refused.contains_key(&c.id));
        out.extend(refused);
        for (id, w) in warned {
            warnings.entry(id).or_default().extend(w);
        }
        if code == 0 {
            break;
        }
    }
    let at_apply: Vec<&Case> = remaining.into_iter().filter(|c| c.provider_at_apply).collect();
    if !at_apply.is_empty() {
        let (_, _, refused, _) = attributed(
            tf,
            &at_apply,
            &["apply", "-json", "-auto-approve", "-no-color", "-input=false"],
        );
        out.extend(refused);
        let (code, text, ..) = attributed(
            tf,
            &at_apply,
            &["destroy", "-json", "-auto-approve", "-no-color", "-input=false"],
        );
        assert_eq!(code, 0, "destroy after the apply-time cases:\n{text}");
    }
    (out, warnings)
}

/// The emulator's verdict: PUT the body and wait for the operation; a 4xx or a failed
/// operation is a refusal (its code and message).
fn emulator_verdict(arm: &ArmClient, case: &Case) -> Verdict {
    let (id, api, body) = match &case.routes {
        Some(routes) => (
            route_table_id(case),
            NETWORK_API,
            json!({"location": "westeurope", "properties": {"routes": arm_routes(routes)}}),
        ),
        None => (cluster_id(case), AKS_API, arm_body(case)),
    };
    let r = arm.send_and_wait("PUT", &id, api, Some(&body), Duration::from_secs(60));
    match r {
        Ok(_) => Ok(()),
        Err(e) if e.contains("HTTP 4") || e.contains("the operation ended") => Err(e),
        Err(e) => panic!("{}: the emulator did not answer: {e}", case.id),
    }
}

fn all_seeds(cases: &[Case]) -> Value {
    Value::Array(cases.iter().flat_map(seeds).collect())
}

#[test]
fn corpus_cases_are_well_formed() {
    let cases = cases();
    assert!(
        cases.len() >= 40,
        "the corpus has {} cases, the issue asks for 40",
        cases.len()
    );
    let catalog = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guides/rules.md"))
        .expect("docs/guides/rules.md");
    let mut refused: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &cases {
        if let Some(r) = c.rule.as_ref().or(c.warn.as_ref()) {
            assert!(
                catalog.contains(&format!("\n## {r}\n")),
                "{}: unknown rule {r}",
                c.id
            );
            *refused.entry(r.as_str()).or_default() += 1;
        }
        for (_, p) in pools(c) {
            for k in POOL_FIXTURE_KEYS {
                if let Some(s) = p.get(k).and_then(Value::as_str) {
                    // A subnet in `missing_subnets` is named but deliberately not created.
                    let known = c.network.as_ref().is_some_and(|n| {
                        n["subnets"].get(s).is_some()
                            || n["missing_subnets"]
                                .as_array()
                                .is_some_and(|m| m.contains(&json!(s)))
                    });
                    assert!(known, "{}: pool {k} {s:?} is not a subnet of its network", c.id);
                }
            }
        }
    }
    let accepted = cases.iter().filter(|c| c.rule.is_none()).count();
    println!(
        "{} cases: {accepted} accepted, {} refused; refusals per rule: {refused:?}",
        cases.len(),
        cases.len() - accepted
    );
    // Issue #15: every rule id is flagged by at least one public case at its catalog severity:
    // a rejected case for a rule that can be an error (Error, ErrorOrWarning), a warning case
    // for a rule that only warns (Warning). A rule that can be either also counts a warning
    // case (e.g. C6: a dynamic pod subnet below max_pods per node, which AKS accepts). No
    // public source can give Azure's verdict on these, so they have none:
    // - I1: a Terraform rule (a computed-only attribute set in configuration); Azure never sees
    //   the configuration, so no Azure verdict exists, and the emulator has nothing to judge.
    // A new case removes its id here.
    let mut flagged_badly = Vec::new();
    for c in &cases {
        let (Some(r), verdict) = (c.rule.as_ref().or(c.warn.as_ref()), c.rule.is_some()) else {
            continue;
        };
        let level = aksnet::netplan::RuleId::parse(r)
            .unwrap_or_else(|| panic!("{}: unknown rule {r}", c.id))
            .info()
            .level;
        use aksnet::netplan::catalog::Level;
        let fits = match level {
            Level::Error => verdict,
            Level::Warning => !verdict,
            Level::ErrorOrWarning => true,
        };
        if !fits {
            flagged_badly.push(format!(
                "{}: {r} is a {level} rule, the case is a {}",
                c.id,
                if verdict { "rejection" } else { "warning" }
            ));
        }
    }
    assert!(
        flagged_badly.is_empty(),
        "cases that do not match their rule's catalog severity: {flagged_badly:#?}"
    );
    let uncovered: Vec<&str> = catalog
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .filter(|r| !refused.contains_key(r))
        .collect();
    assert_eq!(
        uncovered,
        ["I1"],
        "rule ids without a public case that flags them (catalog order)"
    );
}

#[test]
fn provider_gives_the_documented_verdict() {
    if skip_against_arm("corpus", "seeded VNet fixtures") {
        return;
    }
    let all = cases();
    let resource_path = |c: &&Case| c.network.is_some() || c.prior.is_some() || c.routes.is_some();
    let plain: Vec<&Case> = all.iter().filter(|c| !resource_path(c)).collect();
    let live: Vec<&Case> = all.iter().filter(resource_path).collect();
    let emu = Arc::new(TestEmulator::start(all_seeds(&all)));
    let mut failures = Vec::new();
    for bin in terraform_binaries().expect("terraform") {
        let mut verdicts = BTreeMap::new();
        let mut warnings = PerCase::new();
        let wd = Workdir::new(&bin, Some(Path::new(BIN))).expect("workdir");
        verdicts.extend(
            function_verdicts(&plain, &wd)
                .into_iter()
                .map(|(k, v)| (k, (v, "function"))),
        );
        let mut wd = Workdir::new(&bin, Some(Path::new(BIN))).expect("workdir");
        for (k, v) in emu.env() {
            wd.set_env(&k, &v);
        }
        let (errors, warned) = resource_verdicts(&live, &wd);
        verdicts.extend(errors.into_iter().map(|(k, v)| (k, (v, "resource"))));
        warnings.extend(warned);
        for c in &all {
            let (errs, how) = &verdicts[&c.id];
            let says = |r: &str, list: &[String]| {
                list.iter()
                    .any(|e| e.starts_with(&format!("[{r}]")) || e.contains(&format!("({r})")))
            };
            let rule_seen = c.rule.as_ref().is_some_and(|r| says(r, errs));
            let verdict = match &c.warn {
                _ if !errs.is_empty() => Err(errs.join(" | ")),
                // Accepted, and the case's warning must be among the plan's.
                Some(w) if !says(w, warnings.get(&c.id).map_or(&[][..], Vec::as_slice)) => {
                    Err(format!("no {w} warning (warnings: {:?})", warnings.get(&c.id)))
                }
                _ => Ok(()),
            };
            let witness = format!("aksnet ({how}, Terraform {})", bin.version);
            failures.extend(judge(
                c,
                &witness,
                c.provider_pending.as_deref(),
                &verdict,
                rule_seen,
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn emulator_gives_the_documented_verdict() {
    if skip_against_arm("corpus emulator", "seeded VNet fixtures") {
        return;
    }
    let all = cases();
    let emu = TestEmulator::start_with(all_seeds(&all), 50);
    let env = emu.env();
    let arm = ArmClient::from_settings(&lookup_in(&env)).expect("ARM client");
    // Every case PUTs into a resource group of its own, so the cases run side by side: each
    // waits out the emulator's Retry-After (1 s) on its operation, and one after another those
    // waits were most of this test's minute.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let verdicts: std::sync::Mutex<Vec<Option<Verdict>>> = std::sync::Mutex::new(vec![None; all.len()]);
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(c) = all.get(i) else { break };
                let verdict = emulator_verdict(&arm, c);
                verdicts.lock().expect("verdicts")[i] = Some(verdict);
            });
        }
    });
    let verdicts = verdicts.into_inner().expect("verdicts");
    let mut failures = Vec::new();
    let mut pending = Vec::new();
    for (c, verdict) in all.iter().zip(verdicts) {
        let verdict = verdict.expect("every case has a verdict");
        if let Err(why) = &verdict {
            println!("{}: refused: {why}", c.id);
        }
        // The emulator speaks Azure's codes, not aksnet's rule ids: any refusal of a case Azure
        // refuses agrees.
        failures.extend(judge(
            c,
            "aksnet-emulator",
            c.emulator_pending.as_deref(),
            &verdict,
            true,
        ));
        if let Some(why) = &c.emulator_pending {
            pending.push(format!("{}: {why}", c.id));
        }
    }
    println!("emulator pending ({}):\n{}", pending.len(), pending.join("\n"));
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
