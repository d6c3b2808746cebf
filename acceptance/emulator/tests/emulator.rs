//! The emulator over real HTTPS with a plain HTTP client (no aksnet code): contract, ARM
//! semantics, faults and AKS server behaviour.

mod common;

use std::time::Duration;

use aksnet_emulator::{start, Options};
use common::{client_for, token, Emu, AKS, NET, RG, SUB};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

impl Emu {
    async fn fixture(&self, rg: &str) {
        self.group(rg).await;
        let vnet = json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.10.0.0/16"]},
            "subnets": [{"name": "nodes", "properties": {"addressPrefix": "10.10.1.0/24"}}, {"name": "small", "properties": {"addressPrefix": "10.10.2.0/28"}}]}});
        let (s, h, _) = self.put(&vnet_path(rg), NET, vnet).await;
        assert_eq!(s, StatusCode::CREATED);
        self.wait(&h).await;
    }
}

fn vnet_path(rg: &str) -> String {
    format!("{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/vnet")
}

fn aks_path(rg: &str) -> String {
    format!("{SUB}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/aks")
}

fn cluster(rg: &str, network: Value, count: u32, subnet: &str) -> Value {
    json!({"location": "westeurope", "properties": {"kubernetesVersion": "1.33", "dnsPrefix": "aks",
        "agentPoolProfiles": [{"name": "system", "count": count, "vmSize": "Standard_D2s_v5", "mode": "System", "vnetSubnetID": format!("{}/subnets/{subnet}", vnet_path(rg))}],
        "networkProfile": network}})
}

#[tokio::test]
async fn contract_files_metadata_and_persistence_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let emu = Emu::start(
        dir.path(),
        Options {
            lro_ms: 50,
            ..Default::default()
        },
    )
    .await;
    let env = std::fs::read_to_string(dir.path().join("env.sh")).unwrap();
    for var in [
        "ARM_METADATA_HOSTNAME",
        "SSL_CERT_FILE",
        "ARM_TENANT_ID",
        "ARM_CLIENT_ID",
        "ARM_CLIENT_SECRET",
        "ARM_SUBSCRIPTION_ID",
    ] {
        assert!(env.contains(&format!("export {var}=")), "env.sh lacks {var}");
    }
    let meta: Value = emu
        .http
        .get(format!(
            "{}/metadata/endpoints?api-version=2022-09-01",
            emu.running.url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(meta["resourceManager"], format!("{}/", emu.running.url()));
    emu.fixture("rg-persist").await;
    let old_ca = emu.running.ca_pem.clone();
    emu.running.stop();
    // Restart on the same directory: state survives and the old CA file still verifies.
    let again = start(Options {
        data_dir: dir.path().to_path_buf(),
        ..Default::default()
    })
    .await
    .unwrap();
    let http = client_for(&old_ca);
    let tok = token(&http, &again.url()).await;
    let v: Value = http
        .get(format!(
            "{}{}?api-version={NET}",
            again.url(),
            vnet_path("rg-persist")
        ))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["properties"]["subnets"][0]["name"], "nodes");
    assert_eq!(v["properties"]["provisioningState"], "Succeeded");
}

#[tokio::test]
async fn auth_api_versions_and_not_found() {
    let emu = Emu::fresh(Options::default()).await;
    let r = emu
        .http
        .get(format!(
            "{}{SUB}/resourceGroups/x?api-version={RG}",
            emu.running.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "AuthenticationFailed"
    );
    let r = emu
        .http
        .get(format!(
            "{}{SUB}/resourceGroups/x?api-version={RG}",
            emu.running.url()
        ))
        .bearer_auth("forged")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let (s, b) = emu
        .get(
            &format!("{SUB}/resourceGroups/x/providers/Microsoft.Network/routeTables/rt"),
            "2019-01-01",
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("NoRegisteredProviderFound"))
    );
    let (s, b) = emu.get(&format!("{SUB}/resourceGroups/x"), RG).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("ResourceGroupNotFound"))
    );
    let (s, _, b) = emu
        .put(
            &format!("{SUB}/resourceGroups/nope/providers/Microsoft.Network/routeTables/rt"),
            NET,
            json!({"location": "westeurope"}),
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("ResourceGroupNotFound"))
    );
    let r = emu
        .http
        .put(format!(
            "{}{SUB}/resourceGroups/bad?api-version={RG}",
            emu.running.url()
        ))
        .bearer_auth(&emu.token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "InvalidRequestContent"
    );
}

#[tokio::test]
async fn lro_etags_preconditions_and_conflicts() {
    let emu = Emu::fresh(Options {
        lro_ms: 600,
        ..Default::default()
    })
    .await;
    emu.fixture("rg-lro").await;
    let rt = format!("{SUB}/resourceGroups/rg-lro/providers/Microsoft.Network/routeTables/rt");
    let (s, h, b) = emu.put(&rt, NET, json!({"location": "westeurope"})).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(b["properties"]["provisioningState"], "Updating");
    assert!(h["etag"].to_str().unwrap().starts_with("W/\""));
    assert!(
        h.contains_key("x-ms-request-id") && h.contains_key("x-ms-ratelimit-remaining-subscription-writes")
    );
    // Busy: Network answers 409 AnotherOperationInProgress, wrapped.
    let (s, _, b) = emu.put(&rt, NET, json!({"location": "westeurope"})).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("AnotherOperationInProgress"))
    );
    let done = emu.wait(&h).await;
    assert_eq!(done["status"], "Succeeded");
    let (_, cur) = emu.get(&rt, NET).await;
    let etag = cur["etag"].as_str().unwrap().to_string();
    let (s, _, _) = emu
        .call(
            Method::PUT,
            &rt,
            NET,
            Some(json!({"location": "westeurope"})),
            &[("If-Match", "W/\"stale\"")],
        )
        .await;
    assert_eq!(s, StatusCode::PRECONDITION_FAILED);
    let (s, _, _) = emu
        .call(
            Method::PUT,
            &rt,
            NET,
            Some(json!({"location": "westeurope"})),
            &[("If-None-Match", "*")],
        )
        .await;
    assert_eq!(s, StatusCode::PRECONDITION_FAILED);
    let (s, _, _) = emu
        .call(
            Method::PUT,
            &format!("{rt}2"),
            NET,
            Some(json!({"location": "westeurope"})),
            &[("If-Match", "*")],
        )
        .await;
    assert_eq!(s, StatusCode::PRECONDITION_FAILED);
    let (s, h, b) = emu
        .call(
            Method::PUT,
            &rt,
            NET,
            Some(json!({"location": "westeurope"})),
            &[("If-Match", &etag)],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_ne!(
        b["etag"].as_str().unwrap(),
        etag,
        "every mutation gets a new ETag"
    );
    emu.wait(&h).await;
    // Delete: 202 with Location, then 204 on the Location URL when done.
    let (s, h, _) = emu.call(Method::DELETE, &rt, NET, None, &[]).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let loc = h["location"].to_str().unwrap().to_string();
    let first = emu
        .http
        .get(&loc)
        .bearer_auth(&emu.token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(first, StatusCode::ACCEPTED);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        emu.http
            .get(&loc)
            .bearer_auth(&emu.token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(emu.get(&rt, NET).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_fault_kind() {
    let emu = Emu::fresh(Options {
        lro_ms: 100,
        ..Default::default()
    })
    .await;
    emu.fixture("rg-faults").await;
    let rt = format!("{SUB}/resourceGroups/rg-faults/providers/Microsoft.Network/routeTables/rt");
    emu.admin("faults", json!({"method": "PUT", "path": "routeTables/rt", "count": 2, "status": 429, "code": "TooManyRequests", "retry_after": 7})).await;
    for _ in 0..2 {
        let (s, h, b) = emu.put(&rt, NET, json!({"location": "westeurope"})).await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (StatusCode::TOO_MANY_REQUESTS, Some("TooManyRequests"))
        );
        assert_eq!(h["retry-after"], "7");
    }
    emu.admin(
        "faults",
        json!({"method": "GET", "path": "routeTables/rt", "drop": true}),
    )
    .await;
    let dropped = emu
        .http
        .get(format!("{}{rt}?api-version={NET}", emu.running.url()))
        .bearer_auth(&emu.token)
        .send()
        .await;
    assert!(dropped.is_err(), "the connection should have been dropped");
    emu.admin(
        "faults",
        json!({"path": "routeTables/rt", "lro": "fail", "code": "InternalServerError", "message": "boom"}),
    )
    .await;
    let (_, h, _) = emu.put(&rt, NET, json!({"location": "westeurope"})).await;
    let done = emu.wait(&h).await;
    assert_eq!(
        (done["status"].as_str(), done["error"]["code"].as_str()),
        (Some("Failed"), Some("InternalServerError"))
    );
    assert_eq!(
        emu.get(&rt, NET).await.1["properties"]["provisioningState"],
        "Failed"
    );
    emu.admin(
        "faults",
        json!({"path": "routeTables/rt", "lro": "hold", "hold_ms": 1500}),
    )
    .await;
    let (_, h, _) = emu.put(&rt, NET, json!({"location": "westeurope"})).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let v: Value = emu
        .http
        .get(h["azure-asyncoperation"].to_str().unwrap())
        .bearer_auth(&emu.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["status"], "InProgress", "held beyond --lro-ms");
    // Inventory and reset.
    let inv: Value = emu
        .http
        .get(format!("{}/_emulator/inventory", emu.running.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(inv["resources"].as_array().unwrap().len() >= 3);
    emu.admin("reset", json!({})).await;
    let inv: Value = emu
        .http
        .get(format!("{}/_emulator/inventory", emu.running.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(inv["resources"], json!([]));
}

/// `body` faults answer with malformed text verbatim (truncated JSON, wrong types, missing
/// fields), as JSON, for the next `count` matching requests; then the real resource again.
#[tokio::test]
async fn body_faults_serve_malformed_responses_verbatim() {
    let emu = Emu::fresh(Options {
        lro_ms: 100,
        ..Default::default()
    })
    .await;
    emu.fixture("rg-body").await;
    let rt = format!("{SUB}/resourceGroups/rg-body/providers/Microsoft.Network/routeTables/rt");
    let (s, h, _) = emu.put(&rt, NET, json!({"location": "westeurope"})).await;
    assert_eq!(s, StatusCode::CREATED);
    emu.wait(&h).await;
    let raw = |emu: &Emu| {
        let req = emu
            .http
            .get(format!("{}{rt}?api-version={NET}", emu.running.url()))
            .bearer_auth(&emu.token);
        async move {
            let resp = req.send().await.expect("get");
            let status = resp.status();
            let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
            (status, ct, resp.text().await.expect("text"))
        }
    };
    let truncated = format!("{{\"id\": \"{rt}\", \"name\": \"rt\", \"properties\": {{\"rou");
    emu.admin(
        "faults",
        json!({"method": "GET", "path": "routeTables/rt", "count": 2, "body": truncated}),
    )
    .await;
    // Writes do not match a GET fault.
    let (s, _, _) = emu.put(&rt, NET, json!({"location": "westeurope"})).await;
    assert_eq!(s, StatusCode::OK);
    for _ in 0..2 {
        let (status, ct, text) = raw(&emu).await;
        assert_eq!(status, StatusCode::OK);
        assert!(ct.starts_with("application/json"), "{ct}");
        assert_eq!(text, truncated);
    }
    emu.admin(
        "faults",
        json!({"method": "GET", "path": "routeTables/rt", "status": 502, "body": "{\"properties\": 42}"}),
    )
    .await;
    let (status, _, text) = raw(&emu).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::BAD_GATEWAY, "{\"properties\": 42}")
    );
    let (status, _, text) = raw(&emu).await;
    assert_eq!(status, StatusCode::OK, "the faults are used up");
    let body: Value = serde_json::from_str(&text).expect("valid JSON again");
    assert_eq!(body["name"], "rt");
}

#[tokio::test]
async fn write_rate_limit_throttles_with_retry_after() {
    let emu = Emu::fresh(Options {
        writes_per_second: Some(2),
        ..Default::default()
    })
    .await;
    let mut codes = Vec::new();
    for i in 0..4 {
        let (s, h, _) = emu
            .put(
                &format!("{SUB}/resourceGroups/rg{i}"),
                RG,
                json!({"location": "westeurope"}),
            )
            .await;
        codes.push(s.as_u16());
        if s == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(h["retry-after"], "1");
        }
    }
    assert_eq!(codes, [201, 201, 429, 429]);
}

#[tokio::test]
async fn route_tables_in_use_and_routes_as_children() {
    let emu = Emu::fresh(Options {
        lro_ms: 50,
        ..Default::default()
    })
    .await;
    emu.fixture("rg-rt").await;
    let rt = format!("{SUB}/resourceGroups/rg-rt/providers/Microsoft.Network/routeTables/rt");
    let (_, h, _) = emu.put(&rt, NET, json!({"location": "westeurope"})).await;
    emu.wait(&h).await;
    let (s, _, b) = emu
        .put(
            &format!("{rt}/routes/fw"),
            NET,
            json!({"properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance"}}),
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("MissingNextHopIpAddress"))
    );
    let (s, h, _) = emu.put(&format!("{rt}/routes/fw"), NET, json!({"properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4"}})).await;
    assert_eq!(s, StatusCode::CREATED);
    emu.wait(&h).await;
    assert_eq!(emu.get(&rt, NET).await.1["properties"]["routes"][0]["name"], "fw");
    let subnet = format!("{}/subnets/nodes", vnet_path("rg-rt"));
    let (_, h, _) = emu
        .put(
            &subnet,
            NET,
            json!({"properties": {"addressPrefix": "10.10.1.0/24", "routeTable": {"id": rt}}}),
        )
        .await;
    emu.wait(&h).await;
    assert_eq!(
        emu.get(&rt, NET).await.1["properties"]["subnets"][0]["id"],
        subnet
    );
    let (s, _, b) = emu.call(Method::DELETE, &rt, NET, None, &[]).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("InUseRouteTableCannotBeDeleted"))
    );
}

async fn aks_error(emu: &Emu, rg: &str, body: Value) -> (String, String) {
    let (s, _, b) = emu.put(&aks_path(rg), AKS, body).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(b.get("error").is_none(), "AKS errors are flat: {b}");
    (
        b["code"].as_str().unwrap_or("").to_string(),
        b["target"].as_str().unwrap_or("").to_string(),
    )
}

#[tokio::test]
async fn aks_defaults_and_every_error_code() {
    let emu = Emu::fresh(Options {
        lro_ms: 50,
        ..Default::default()
    })
    .await;
    emu.fixture("rg-aks").await;
    let cases = [
        (
            json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "serviceCidr": "10.10.1.0/24", "dnsServiceIP": "10.10.1.10"}),
            "nodes",
            3,
            "ServiceCidrOverlapExistingSubnetsCidr",
            "networkProfile.serviceCIDR",
        ),
        (
            json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "serviceCidr": "10.1.0.0/16", "dnsServiceIP": "10.2.0.10"}),
            "nodes",
            3,
            "DnsServiceIpOutOfServiceCidr",
            "networkProfile.dnsServiceIP",
        ),
        (
            json!({"networkPlugin": "kubenet", "podCidr": "10.244.0.0/22"}),
            "nodes",
            5,
            "InsufficientSubnetSize",
            "networkProfile.podCIDR",
        ),
        (
            json!({"networkPlugin": "kubenet", "podCidr": "10.10.128.0/17"}),
            "nodes",
            3,
            "NetworkProfileCIDROverlapVNET",
            "networkProfile.podCIDR",
        ),
        (
            json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "outboundType": "userDefinedRouting"}),
            "nodes",
            3,
            "ExistingRouteTableNotAssociatedWithSubnet",
            "networkProfile.outboundType",
        ),
        (
            json!({"networkPlugin": "azure", "podCidr": "10.244.0.0/16"}),
            "nodes",
            3,
            "InvalidParameter",
            "networkProfile.podCIDR",
        ),
    ];
    for (network, subnet, count, code, target) in cases {
        let got = aks_error(&emu, "rg-aks", cluster("rg-aks", network, count, subnet)).await;
        assert_eq!(got, (code.to_string(), target.to_string()));
    }
    // UDR with a 0.0.0.0/0 → Internet route.
    let rt = format!("{SUB}/resourceGroups/rg-aks/providers/Microsoft.Network/routeTables/udr");
    let (_, h, _) = emu.put(&rt, NET, json!({"location": "westeurope", "properties": {"routes": [{"name": "d", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "Internet"}}]}})).await;
    emu.wait(&h).await;
    let (_, h, _) = emu
        .put(
            &format!("{}/subnets/nodes", vnet_path("rg-aks")),
            NET,
            json!({"properties": {"addressPrefix": "10.10.1.0/24", "routeTable": {"id": rt}}}),
        )
        .await;
    emu.wait(&h).await;
    let udr = json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "outboundType": "userDefinedRouting"});
    assert_eq!(
        aks_error(&emu, "rg-aks", cluster("rg-aks", udr, 3, "nodes"))
            .await
            .0,
        "RouteTableInvalidNextHop"
    );
    // A subnet too small is refused up front, synchronously: flat Azure CNI, (3 nodes + surge)
    // × 31 = 124 > 11 usable in a /28.
    let (s, _, b) = emu
        .put(
            &aks_path("rg-aks"),
            AKS,
            cluster("rg-aks", json!({"networkPlugin": "azure"}), 3, "small"),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str(), b["target"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("InsufficientSubnetSize"),
            Some("agentPoolProfile.count")
        ),
        "{b}"
    );
    assert!(
        b["message"]
            .as_str()
            .is_some_and(|m| m
                .starts_with("Pre-allocated IPs 124 exceeds IPs available 11 in Subnet Cidr 10.10.2.0/28")),
        "{b}"
    );
    // Defaults filled in: plugin by version, CIDRs, DNS IP, outbound type, max pods.
    let mut body = cluster("rg-aks", json!({}), 2, "nodes");
    body["properties"]["kubernetesVersion"] = json!("1.29");
    body["properties"]["networkProfile"] = json!({});
    let (s, h, b) = emu
        .put(
            &format!("{SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/old"),
            AKS,
            body,
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let np = &b["properties"]["networkProfile"];
    assert_eq!(
        (
            np["networkPlugin"].as_str(),
            np["podCidr"].as_str(),
            np["dnsServiceIP"].as_str(),
            np["outboundType"].as_str()
        ),
        (
            Some("kubenet"),
            Some("10.244.0.0/16"),
            Some("10.0.0.10"),
            Some("loadBalancer")
        )
    );
    assert_eq!(b["properties"]["agentPoolProfiles"][0]["maxPods"], 110);
    emu.wait(&h).await;
}

#[tokio::test]
async fn byo_cni_pod_cidr_is_not_stored_and_basic_load_balancers_only_upgrade() {
    // Existing Basic clusters (AKS no longer creates them), at 1.29 and at 1.26.
    let dir = tempfile::tempdir().expect("tempdir");
    let seed = dir.path().join("basic.json");
    let basic = |version: &str| {
        let mut c = cluster(
            "rg-sku",
            json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/16",
                "serviceCidr": "10.1.0.0/16", "dnsServiceIP": "10.1.0.10", "loadBalancerSku": "basic",
                "outboundType": "loadBalancer", "networkPolicy": "none", "networkDataplane": "azure"}),
            3,
            "nodes",
        );
        c["properties"]["kubernetesVersion"] = json!(version);
        c
    };
    let path = |name: &str| {
        format!("{SUB}/resourceGroups/rg-sku/providers/Microsoft.ContainerService/managedClusters/{name}")
    };
    let seeds =
        json!([{"id": path("basic"), "body": basic("1.29")}, {"id": path("old"), "body": basic("1.26")}]);
    std::fs::write(&seed, seeds.to_string()).expect("seed");
    let emu = Emu::start(
        &dir.path().join("data"),
        Options {
            lro_ms: 50,
            seeds: vec![seed],
            ..Default::default()
        },
    )
    .await;
    emu.fixture("rg-sku").await;
    let with_sku = |version: &str, sku: &str| {
        let mut c = basic(version);
        c["properties"]["networkProfile"]["loadBalancerSku"] = json!(sku);
        c
    };
    // Basic is refused on create, with the message upgrade-basic-load-balancer-on-aks quotes.
    let (s, _, b) = emu.put(&path("new"), AKS, basic("1.33")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(
        (b["code"].as_str(), b["target"].as_str(), b["message"].as_str()),
        (
            Some("InvalidLoadBalancerSku"),
            Some("networkProfile.loadBalancerSku"),
            Some("Load Balancer SKU 'basic' is invalid; must use 'standard'.")
        )
    );
    // Below 1.27 the upgrade is refused; from 1.27 it is in place.
    let (s, _, b) = emu.put(&path("old"), AKS, with_sku("1.26", "standard")).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("PropertyChangeNotAllowed"))
    );
    let (s, h, b) = emu.put(&path("basic"), AKS, with_sku("1.29", "standard")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    emu.wait(&h).await;
    // One-way.
    let (s, _, b) = emu.put(&path("basic"), AKS, with_sku("1.29", "basic")).await;
    assert_eq!(
        (s, b["code"].as_str(), b["target"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("PropertyChangeNotAllowed"),
            Some("networkProfile.loadBalancerSku")
        )
    );
    // BYO CNI: AKS accepts podCidr but neither stores nor returns it below 2026-01-01, and a
    // different podCidr later is no change at all.
    let byo = |pod: &str| {
        cluster(
            "rg-sku",
            json!({"networkPlugin": "none", "podCidr": pod, "podCidrs": [pod]}),
            3,
            "nodes",
        )
    };
    let (s, h, b) = emu.put(&path("byo"), AKS, byo("10.10.0.0/16")).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    emu.wait(&h).await;
    let (_, got) = emu.get(&path("byo"), AKS).await;
    let np = &got["properties"]["networkProfile"];
    assert!(
        np.get("podCidr").is_none() && np.get("podCidrs").is_none(),
        "{np}"
    );
    let (s, h, b) = emu.put(&path("byo"), AKS, byo("10.11.0.0/16")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    emu.wait(&h).await;
}

#[tokio::test]
async fn aks_in_place_updates_follow_the_matrix() {
    // The busy-cluster 409 needs the second PUT to land while the first one's operation runs:
    // with 50 ms it failed once on a loaded machine (load average 8, 6 test threads).
    let emu = Emu::fresh(Options {
        lro_ms: 1000,
        ..Default::default()
    })
    .await;
    emu.fixture("rg-matrix").await;
    let kubenet = json!({"networkPlugin": "kubenet", "podCidr": "10.244.0.0/16", "serviceCidr": "10.1.0.0/16", "dnsServiceIP": "10.1.0.10"});
    let (_, h, _) = emu
        .put(
            &aks_path("rg-matrix"),
            AKS,
            cluster("rg-matrix", kubenet, 3, "nodes"),
        )
        .await;
    emu.wait(&h).await;
    // Service CIDR is fixed at creation.
    let moved = json!({"networkPlugin": "kubenet", "podCidr": "10.244.0.0/16", "serviceCidr": "10.2.0.0/16", "dnsServiceIP": "10.2.0.10"});
    let (code, target) = aks_error(&emu, "rg-matrix", cluster("rg-matrix", moved, 3, "nodes")).await;
    assert_eq!(
        (code.as_str(), target.as_str()),
        ("PropertyChangeNotAllowed", "networkProfile.serviceCidr")
    );
    // kubenet → overlay is allowed in place.
    let overlay = json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/16", "serviceCidr": "10.1.0.0/16", "dnsServiceIP": "10.1.0.10"});
    let (s, h, _) = emu
        .put(
            &aks_path("rg-matrix"),
            AKS,
            cluster("rg-matrix", overlay, 3, "nodes"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    emu.wait(&h).await;
    // Overlay → kubenet is not.
    let back = json!({"networkPlugin": "kubenet", "podCidr": "10.244.0.0/16", "serviceCidr": "10.1.0.0/16", "dnsServiceIP": "10.1.0.10"});
    assert_eq!(
        aks_error(&emu, "rg-matrix", cluster("rg-matrix", back, 3, "nodes"))
            .await
            .0,
        "PropertyChangeNotAllowed"
    );
    // Overlay pod CIDR may grow to a superset only.
    let grow = json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/15", "serviceCidr": "10.1.0.0/16", "dnsServiceIP": "10.1.0.10"});
    let (s, h, _) = emu
        .put(
            &aks_path("rg-matrix"),
            AKS,
            cluster("rg-matrix", grow, 3, "nodes"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    emu.wait(&h).await;
    let shrink = json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/16", "serviceCidr": "10.1.0.0/16", "dnsServiceIP": "10.1.0.10"});
    assert_eq!(
        aks_error(&emu, "rg-matrix", cluster("rg-matrix", shrink, 3, "nodes"))
            .await
            .1,
        "networkProfile.podCidr"
    );
    // Busy cluster: AKS answers 409 OperationNotAllowed, flat.
    let again = json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/15", "serviceCidr": "10.1.0.0/16", "dnsServiceIP": "10.1.0.10", "networkPolicy": "calico"});
    let (s, _, _) = emu
        .put(
            &aks_path("rg-matrix"),
            AKS,
            cluster("rg-matrix", again.clone(), 3, "nodes"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, b) = emu
        .put(
            &aks_path("rg-matrix"),
            AKS,
            cluster("rg-matrix", again, 3, "nodes"),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::CONFLICT, Some("OperationNotAllowed"))
    );
}

#[tokio::test]
async fn recording_writes_exchanges_with_the_public_host() {
    let rec = tempfile::tempdir().unwrap();
    let emu = Emu::fresh(Options {
        record: Some(rec.path().to_path_buf()),
        lro_ms: 50,
        ..Default::default()
    })
    .await;
    emu.fixture("rg-rec").await;
    let files: Vec<_> = std::fs::read_dir(rec.path()).unwrap().flatten().collect();
    assert!(files
        .iter()
        .any(|f| f.file_name().to_string_lossy().starts_with("arm-")));
    assert!(files
        .iter()
        .any(|f| f.file_name().to_string_lossy().starts_with("poll-")));
    let one: Value = serde_json::from_slice(&std::fs::read(files[0].path()).unwrap()).unwrap();
    assert!(one["liveRequest"]["url"]
        .as_str()
        .unwrap()
        .starts_with("https://management.azure.com/"));
    assert!(
        one["liveRequest"]["headers"].get("authorization").is_none(),
        "tokens are never recorded"
    );
}

#[tokio::test]
async fn clusters_consume_subnet_addresses_and_kubenet_gets_a_managed_route_table() {
    let emu = Emu::fresh(Options {
        lro_ms: 50,
        ..Default::default()
    })
    .await;
    emu.fixture("rg-ips").await;
    // Flat Azure CNI: 2 nodes × (30 pods + 1) = 62 ipConfigurations in the node subnet.
    let flat = json!({"networkPlugin": "azure", "serviceCidr": "10.1.0.0/16", "dnsServiceIP": "10.1.0.10"});
    let (s, h, _) = emu
        .put(&aks_path("rg-ips"), AKS, cluster("rg-ips", flat, 2, "nodes"))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    emu.wait(&h).await;
    let subnet = format!("{}/subnets/nodes", vnet_path("rg-ips"));
    let (_, sb) = emu.get(&subnet, NET).await;
    assert_eq!(
        sb["properties"]["ipConfigurations"].as_array().map(Vec::len),
        Some(62)
    );
    // A second cluster of 6 nodes (+1 surge) × 31 = 217 addresses does not fit the 251 − 62 left:
    // AKS counts the free addresses up front and refuses synchronously.
    let other =
        format!("{SUB}/resourceGroups/rg-ips/providers/Microsoft.ContainerService/managedClusters/other");
    let other_body = cluster(
        "rg-ips",
        json!({"networkPlugin": "azure", "serviceCidr": "10.2.0.0/16", "dnsServiceIP": "10.2.0.10"}),
        6,
        "nodes",
    );
    let (s, _, b) = emu.put(&other, AKS, other_body.clone()).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("InsufficientSubnetSize")),
        "{b}"
    );
    assert!(
        b["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Pre-allocated IPs 217 exceeds IPs available 189 ")),
        "{b}"
    );
    // Deleting the first cluster gives its addresses back.
    let (s, _, _) = emu
        .call(Method::DELETE, &aks_path("rg-ips"), AKS, None, &[])
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (_, sb) = emu.get(&subnet, NET).await;
    assert_eq!(
        sb["properties"]["ipConfigurations"].as_array().map(Vec::len),
        Some(0)
    );
    // Kubenet without a BYO table: AKS creates one in the node resource group and associates it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let kubenet =
        json!({"networkPlugin": "kubenet", "serviceCidr": "10.1.0.0/16", "dnsServiceIP": "10.1.0.10"});
    let kube =
        format!("{SUB}/resourceGroups/rg-ips/providers/Microsoft.ContainerService/managedClusters/kube");
    let (s, h, _) = emu.put(&kube, AKS, cluster("rg-ips", kubenet, 3, "small")).await;
    assert_eq!(s, StatusCode::CREATED);
    emu.wait(&h).await;
    let (_, c) = emu.get(&kube, AKS).await;
    let mc = c["properties"]["nodeResourceGroup"]
        .as_str()
        .expect("nodeResourceGroup")
        .to_string();
    assert_eq!(mc, "MC_rg-ips_kube_westeurope");
    let table =
        format!("{SUB}/resourceGroups/{mc}/providers/Microsoft.Network/routeTables/aks-agentpool-routetable");
    let (s, t) = emu.get(&table, NET).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t["properties"]["routes"].as_array().map(Vec::len), Some(3));
    let (_, small) = emu
        .get(&format!("{}/subnets/small", vnet_path("rg-ips")), NET)
        .await;
    assert_eq!(small["properties"]["routeTable"]["id"], table);
}

#[tokio::test]
async fn deleting_a_group_is_a_long_running_operation_that_takes_everything_in_it() {
    let emu = Emu::fresh(Options {
        lro_ms: 300,
        ..Default::default()
    })
    .await;
    emu.fixture("rg-gone").await;
    emu.fixture("rg-stays").await;
    let group = format!("{SUB}/resourceGroups/rg-gone");
    let rt = format!("{group}/providers/Microsoft.Network/routeTables/rt");
    let (_, h, _) = emu.put(&rt, NET, json!({"location": "westeurope"})).await;
    emu.wait(&h).await;
    // A subnet in another group uses the table: the group cannot go, as in Azure.
    let outside = format!("{}/subnets/nodes", vnet_path("rg-stays"));
    let (_, h, _) = emu
        .put(
            &outside,
            NET,
            json!({"properties": {"addressPrefix": "10.10.1.0/24", "routeTable": {"id": rt}}}),
        )
        .await;
    emu.wait(&h).await;
    let (s, _, b) = emu.call(Method::DELETE, &group, RG, None, &[]).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("ResourceGroupDeletionBlocked"))
    );
    let (_, h, _) = emu
        .put(
            &outside,
            NET,
            json!({"properties": {"addressPrefix": "10.10.1.0/24"}}),
        )
        .await;
    emu.wait(&h).await;
    // A kubenet cluster gets a node resource group (managed by the cluster) with AKS's table.
    let kubenet =
        json!({"networkPlugin": "kubenet", "serviceCidr": "10.1.0.0/16", "dnsServiceIP": "10.1.0.10"});
    let (s, h, _) = emu
        .put(&aks_path("rg-gone"), AKS, cluster("rg-gone", kubenet, 2, "small"))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    emu.wait(&h).await;
    let (s, list) = emu.get(&format!("{SUB}/resourcegroups"), RG).await;
    assert_eq!(s, StatusCode::OK);
    let mut names: Vec<&str> = list["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|g| g["name"].as_str())
        .collect();
    names.sort();
    assert_eq!(names, ["MC_rg-gone_aks_westeurope", "rg-gone", "rg-stays"]);

    let (s, h, _) = emu.call(Method::DELETE, &group, RG, None, &[]).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let location = h["location"].to_str().expect("Location").to_string();
    assert!(h.contains_key("azure-asyncoperation") && h.contains_key("retry-after"));
    // While it runs the group reads Deleting and takes no new resources; a second DELETE is accepted.
    let (s, g) = emu.get(&group, RG).await;
    assert_eq!(
        (s, g["properties"]["provisioningState"].as_str()),
        (StatusCode::OK, Some("Deleting"))
    );
    let (s, _, b) = emu.put(&rt, NET, json!({"location": "westeurope"})).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("ResourceGroupBeingDeleted"))
    );
    let (s, _, _) = emu.call(Method::DELETE, &group, RG, None, &[]).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let poll = || async {
        emu.http
            .get(&location)
            .bearer_auth(&emu.token)
            .send()
            .await
            .expect("poll")
            .status()
    };
    assert_eq!(poll().await, StatusCode::ACCEPTED);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(poll().await, StatusCode::NO_CONTENT);
    assert_eq!(emu.get(&group, RG).await.0, StatusCode::NOT_FOUND);
    assert_eq!(emu.get(&rt, NET).await.0, StatusCode::NOT_FOUND);
    let inventory: Value = emu
        .http
        .get(format!("{}/_emulator/inventory", emu.running.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let left: Vec<&str> = inventory["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(
        left.iter().all(|id| id.contains("/resourceGroups/rg-stays")),
        "left behind: {left:?}"
    );
    let (_, list) = emu.get(&format!("{SUB}/resourcegroups"), RG).await;
    assert_eq!(list["value"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn vnet_usages_count_ip_configurations_against_the_size_less_five() {
    let emu = Emu::fresh(Options::default()).await;
    emu.fixture("rg-usage").await;
    let usages = format!("{}/usages", vnet_path("rg-usage"));
    let (s, body) = emu.get(&usages, NET).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let entries = body["value"].as_array().expect("value");
    assert_eq!(entries.len(), 2, "{body}");
    let nodes = format!("{}/subnets/nodes", vnet_path("rg-usage"));
    assert_eq!(entries[0]["id"], nodes.as_str());
    assert_eq!(
        (entries[0]["limit"].as_f64(), entries[0]["currentValue"].as_f64()),
        (Some(251.0), Some(0.0))
    );
    assert_eq!(entries[1]["limit"].as_f64(), Some(11.0), "a /28 less 5");
    assert_eq!(entries[0]["name"]["value"], "Subnet size and usage");
    assert_eq!(entries[0]["unit"], "Count");
    // IP configurations put addresses in use.
    let (_, vnet) = emu.get(&vnet_path("rg-usage"), NET).await;
    let mut vnet = vnet;
    vnet["properties"]["subnets"][0]["properties"]["ipConfigurations"] =
        json!([{"id": "/nic1/ipConfigurations/a"}, {"id": "/nic2/ipConfigurations/a"}]);
    emu.admin("seeds", json!([{"id": vnet_path("rg-usage"), "body": vnet}]))
        .await;
    let (_, body) = emu.get(&usages, NET).await;
    assert_eq!(body["value"][0]["currentValue"].as_f64(), Some(2.0), "{body}");
    // A missing VNet is 404, a wrong api-version 400, like every other read.
    let (s, body) = emu
        .get(
            &format!("{SUB}/resourceGroups/rg-usage/providers/Microsoft.Network/virtualNetworks/none/usages"),
            NET,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    let (s, _) = emu.get(&usages, "2019-01-01").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // A subnet named `usages` is still a subnet.
    let (s, body) = emu
        .get(&format!("{}/subnets/usages", vnet_path("rg-usage")), NET)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "ResourceNotFound");
}

#[tokio::test]
async fn azure_pipelines_oidc_endpoint_answers_as_azure_devops_does() {
    let emu = Emu::fresh(Options::default()).await;
    let uri = aksnet_emulator::ado_oidc_request_uri(&emu.running.url());
    let post = |query: String, bearer: &'static str| {
        let req = emu.http.post(format!("{uri}?{query}")).bearer_auth(bearer);
        async move {
            let r = req.send().await.expect("post");
            (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let conn = aksnet_emulator::SAMPLE_SERVICE_CONNECTION;
    let job = aksnet_emulator::SAMPLE_ADO_ACCESS_TOKEN;
    let (s, body) = post(format!("api-version=7.1&serviceConnectionId={conn}"), job).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let token = body["oidcToken"].as_str().expect("oidcToken");
    assert_eq!(token.split('.').count(), 3, "a JWT");
    let (s, body) = post(format!("serviceConnectionId={conn}"), job).await;
    assert_eq!(
        (s, body["typeKey"].as_str()),
        (StatusCode::BAD_REQUEST, Some("VssVersionNotSpecifiedException"))
    );
    let (s, _) = post(
        format!("api-version=7.1&serviceConnectionId={conn}"),
        "someone-else",
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, body) = post("api-version=7.1&serviceConnectionId=other".into(), job).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("No service connection found with identifier other"),
        "{body}"
    );
    let (s, counters) = {
        let r = emu
            .http
            .get(format!("{}/_emulator/counters", emu.running.url()))
            .send()
            .await
            .expect("counters");
        (r.status(), r.json::<Value>().await.expect("json"))
    };
    assert_eq!(
        (s, counters["ado_oidc_tokens"].as_u64()),
        (StatusCode::OK, Some(1))
    );
}
