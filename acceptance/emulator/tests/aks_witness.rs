//! The emulator as an independent witness of AKS: over real HTTPS with a plain HTTP client (no
//! aksnet code, no netplan), it refuses what AKS refuses, with AKS's codes and bodies, even where
//! the provider would already have refused the input at plan time.

mod common;

use aksnet_emulator::Options;
use common::{Emu, AKS, NET, RG, SUB};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

impl Emu {
    /// Resource group `rg` with VNet `vnet` (`space`) and subnets `(name, prefix)`.
    async fn network(&self, rg: &str, space: &str, subnets: &[(&str, &str)]) {
        self.group(rg).await;
        let subnets: Vec<Value> = subnets
            .iter()
            .map(|(n, p)| json!({"name": n, "properties": {"addressPrefix": p}}))
            .collect();
        self.create(
            &vnet(rg),
            NET,
            json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": [space]}, "subnets": subnets}}),
        )
        .await;
    }

    /// A cluster PUT AKS must refuse synchronously with a flat body: `(code, subcode, target)`.
    async fn refused(&self, path: &str, body: Value) -> (String, String, String) {
        let (s, _, b) = self.put(path, AKS, body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
        assert!(b.get("error").is_none(), "AKS errors are flat: {b}");
        let f = |k: &str| b[k].as_str().unwrap_or("").to_string();
        (f("code"), f("subcode"), f("target"))
    }
}

fn vnet(rg: &str) -> String {
    format!("{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/vnet")
}

fn aks(rg: &str, name: &str) -> String {
    format!("{SUB}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{name}")
}

fn pool(rg: &str, name: &str, count: u32, subnet: &str) -> Value {
    json!({"name": name, "count": count, "vmSize": "Standard_D2s_v5", "mode": "System",
        "vnetSubnetID": format!("{}/subnets/{subnet}", vnet(rg))})
}

fn cluster(network: Value, pools: Vec<Value>) -> Value {
    json!({"location": "westeurope", "properties": {"kubernetesVersion": "1.33", "dnsPrefix": "aks",
        "agentPoolProfiles": pools, "networkProfile": network}})
}

fn triple(code: &str, subcode: &str, target: &str) -> (String, String, String) {
    (code.to_string(), subcode.to_string(), target.to_string())
}

#[tokio::test]
async fn plugin_policy_dataplane_and_windows_combinations_are_refused_with_aks_bodies() {
    let e = Emu::fresh(Options {
        lro_ms: 30,
        ..Default::default()
    })
    .await;
    let rg = "rg-combo";
    e.network(rg, "10.10.0.0/16", &[("nodes", "10.10.0.0/22")]).await;
    let p = aks(rg, "aks");
    let one = || vec![pool(rg, "system", 3, "nodes")];
    let windows = || {
        let mut w = pool(rg, "win", 1, "nodes");
        w["osType"] = json!("Windows");
        w["mode"] = json!("User");
        vec![pool(rg, "system", 3, "nodes"), w]
    };
    let overlay = |extra: Value| {
        let mut n = json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/16",
            "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10"});
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            n[k] = v;
        }
        n
    };
    let cases = [
        (
            "overlay mode on kubenet",
            cluster(
                json!({"networkPlugin": "kubenet", "networkPluginMode": "overlay"}),
                one(),
            ),
            triple("NetworkModeNotSupported", "", "networkProfile.networkPluginMode"),
        ),
        (
            "kubenet with Azure NPM",
            cluster(
                json!({"networkPlugin": "kubenet", "networkPolicy": "azure"}),
                one(),
            ),
            triple(
                "NetworkPolicyAzureNotSupportedForKubenet",
                "",
                "networkProfile.networkPolicy",
            ),
        ),
        (
            "Cilium policy on the Azure dataplane",
            cluster(overlay(json!({"networkPolicy": "cilium"})), one()),
            triple(
                "NetworkPolicyNotSupported",
                "NetworkPolicyCiliumRequiresCiliumDataplane",
                "networkProfile.networkPolicy",
            ),
        ),
        (
            "Cilium dataplane with Azure NPM",
            cluster(
                overlay(json!({"networkDataplane": "cilium", "networkPolicy": "azure"})),
                one(),
            ),
            triple(
                "BadRequest",
                "CiliumDataplaneRequiresNetworkPolicyCilium",
                "networkProfile.networkPolicy",
            ),
        ),
        (
            "Cilium dataplane with policy none",
            cluster(
                overlay(json!({"networkDataplane": "cilium", "networkPolicy": "none"})),
                one(),
            ),
            triple(
                "BadRequest",
                "CiliumDataplaneRequiresNetworkPolicyCilium",
                "networkProfile.networkPolicy",
            ),
        ),
        (
            "Cilium dataplane on kubenet",
            cluster(
                json!({"networkPlugin": "kubenet", "networkDataplane": "cilium", "networkPolicy": "cilium"}),
                one(),
            ),
            triple("InvalidParameter", "", "networkProfile.networkDataplane"),
        ),
        (
            "Windows pool on kubenet",
            cluster(json!({"networkPlugin": "kubenet"}), windows()),
            triple("AzureCNIOnlyForWindows", "", "agentPoolProfile.osType"),
        ),
        (
            "Windows pool on BYO CNI",
            cluster(json!({"networkPlugin": "none"}), windows()),
            triple("AzureCNIOnlyForWindows", "", "agentPoolProfile.osType"),
        ),
        (
            "Windows pool on the Cilium dataplane",
            cluster(
                overlay(json!({"networkDataplane": "cilium", "networkPolicy": "cilium"})),
                windows(),
            ),
            triple("InvalidParameter", "", "agentPoolProfile.osType"),
        ),
    ];
    for (what, body, want) in cases {
        assert_eq!(e.refused(&p, body).await, want, "{what}");
    }
    // Nothing was created by the refusals.
    assert_eq!(e.get(&p, AKS).await.0, StatusCode::NOT_FOUND);

    // What AKS accepts: kubenet with Calico; Windows on Azure CNI Overlay; the Cilium dataplane
    // with its policy left unset (Cilium enforces it).
    let ok = [
        (
            "calico",
            cluster(
                json!({"networkPlugin": "kubenet", "networkPolicy": "calico"}),
                one(),
            ),
        ),
        ("win", cluster(overlay(json!({})), windows())),
        (
            "cilium",
            cluster(overlay(json!({"networkDataplane": "cilium"})), one()),
        ),
    ];
    for (name, body) in ok {
        let c = e.create(&aks(rg, name), AKS, body).await;
        if name == "cilium" {
            assert_eq!(c["properties"]["networkProfile"]["networkPolicy"], "cilium");
        }
    }
}

#[tokio::test]
async fn reserved_ranges_and_the_kubenet_node_ceiling() {
    let e = Emu::fresh(Options {
        lro_ms: 30,
        ..Default::default()
    })
    .await;
    let rg = "rg-reserved";
    e.network(rg, "10.10.0.0/16", &[("nodes", "10.10.0.0/22")]).await;
    let p = aks(rg, "aks");
    let one = || vec![pool(rg, "system", 3, "nodes")];
    let overlay = |pod: &str, svc: &str, dns: &str| json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": pod, "serviceCidr": svc, "dnsServiceIP": dns});
    for (svc, dns) in [
        ("172.30.0.0/16", "172.30.0.10"),
        ("172.31.128.0/24", "172.31.128.10"),
        ("169.254.0.0/16", "169.254.0.10"),
        ("192.0.2.0/24", "192.0.2.10"),
    ] {
        assert_eq!(
            e.refused(&p, cluster(overlay("10.244.0.0/16", svc, dns), one()))
                .await,
            triple("InvalidParameter", "", "networkProfile.serviceCIDR"),
            "service range {svc}"
        );
    }
    // A pod range that contains a reserved one is refused too.
    assert_eq!(
        e.refused(
            &p,
            cluster(overlay("172.16.0.0/12", "10.0.0.0/16", "10.0.0.10"), one())
        )
        .await,
        triple("InvalidParameter", "", "networkProfile.podCIDR")
    );
    // The nodes' VNet must not use a reserved range either.
    let rg2 = "rg-reserved-vnet";
    e.network(rg2, "172.31.0.0/16", &[("nodes", "172.31.1.0/24")])
        .await;
    assert_eq!(
        e.refused(
            &aks(rg2, "aks"),
            cluster(
                overlay("10.244.0.0/16", "10.0.0.0/16", "10.0.0.10"),
                vec![pool(rg2, "system", 3, "nodes")]
            )
        )
        .await,
        triple("InvalidParameter", "", "agentPoolProfile.vnetSubnetID")
    );

    // kubenet: 401 nodes at the autoscaler maximum exceed 400, 400 fit. The /21 subnet and
    // /14 pod range hold 400 nodes, so only the ceiling decides.
    let rg3 = "rg-kubenet-400";
    e.network(rg3, "10.20.0.0/16", &[("nodes", "10.20.0.0/21")]).await;
    let kubenet = json!({"networkPlugin": "kubenet", "podCidr": "10.128.0.0/14",
        "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10"});
    let big = |max: u32| {
        let mut user = pool(rg3, "user", 100, "nodes");
        user["mode"] = json!("User");
        user["enableAutoScaling"] = json!(true);
        user["minCount"] = json!(1);
        user["maxCount"] = json!(max);
        cluster(kubenet.clone(), vec![pool(rg3, "system", 300, "nodes"), user])
    };
    let (s, _, b) = e.put(&aks(rg3, "aks"), AKS, big(101)).await;
    assert_eq!(
        (s, b["code"].as_str(), b["subcode"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("ValidationError"),
            Some("KubenetNodeCountTotalExceedsLimit")
        ),
        "{b}"
    );
    assert!(
        b["message"].as_str().is_some_and(|m| m
            .starts_with("Cluster's upper limit node count is 401 which exceeds the limit for Kubenet 400.")),
        "{b}"
    );
    e.create(&aks(rg3, "aks"), AKS, big(100)).await;
}

#[tokio::test]
async fn subnet_exhaustion_is_synchronous_and_subnet_is_full_only_when_another_writer_got_there_first() {
    let e = Emu::fresh(Options {
        lro_ms: 400,
        ..Default::default()
    })
    .await;
    let rg = "rg-ips";
    // 10.10.2.0/28: 16 − 5 = 11 usable addresses. Overlay: a node (and a surge node per pool) each.
    e.network(rg, "10.10.0.0/16", &[("small", "10.10.2.0/28")]).await;
    let network = |svc: &str| {
        json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/16",
            "serviceCidr": svc, "dnsServiceIP": svc.replace("0/16", "10")})
    };
    let a = aks(rg, "a");
    e.create(
        &a,
        AKS,
        cluster(network("10.1.0.0/16"), vec![pool(rg, "system", 3, "small")]),
    )
    .await;
    let subnet = format!("{}/subnets/small", vnet(rg));
    let held = |v: &Value| v["properties"]["ipConfigurations"].as_array().map_or(0, Vec::len);
    assert_eq!(held(&e.get(&subnet, NET).await.1), 3);

    // Scale through the agent pool API: (12 + 1) > 11 is refused at once, nothing changes.
    let pool_path = format!("{a}/agentPools/system");
    let mut scale = pool(rg, "system", 12, "small");
    if let Some(m) = scale.as_object_mut() {
        m.remove("name");
    }
    let (s, _, b) = e.put(&pool_path, AKS, json!({"properties": scale})).await;
    assert_eq!(
        (s, b["code"].as_str(), b["target"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("InsufficientSubnetSize"),
            Some("agentPoolProfile.count")
        ),
        "{b}"
    );
    assert_eq!(e.get(&pool_path, AKS).await.1["properties"]["count"], 3);
    // The same scale as a cluster PUT.
    let (s, _, b) = e
        .put(
            &a,
            AKS,
            cluster(network("10.1.0.0/16"), vec![pool(rg, "system", 12, "small")]),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("InsufficientSubnetSize"))
    );
    // A scale that fits goes through the operation and takes the addresses when it ends.
    let (s, h, _) = e
        .put(
            &pool_path,
            AKS,
            json!({"properties": {"count": 4, "vmSize": "Standard_D2s_v5", "mode": "System",
            "vnetSubnetID": subnet}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(e.wait(&h).await["status"], "Succeeded");
    assert_eq!(held(&e.get(&subnet, NET).await.1), 4);

    // Two clusters of 4 (+ surge) each pass the up-front check against the 7 free addresses,
    // but once the first has taken its addresses the second's operation ends SubnetIsFull.
    let (b_path, c_path) = (aks(rg, "b"), aks(rg, "c"));
    let (s1, h1, _) = e
        .put(
            &b_path,
            AKS,
            cluster(network("10.2.0.0/16"), vec![pool(rg, "system", 4, "small")]),
        )
        .await;
    let (s2, h2, _) = e
        .put(
            &c_path,
            AKS,
            cluster(network("10.3.0.0/16"), vec![pool(rg, "system", 4, "small")]),
        )
        .await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(e.wait(&h1).await["status"], "Succeeded");
    let done = e.wait(&h2).await;
    assert_eq!(
        (done["status"].as_str(), done["error"]["code"].as_str()),
        (Some("Failed"), Some("SubnetIsFull")),
        "{done}"
    );
    assert_eq!(
        done["error"]["message"],
        "Subnet small with address prefix 10.10.2.0/28 does not have enough capacity for 5 IP addresses."
    );
    assert_eq!(
        e.get(&c_path, AKS).await.1["properties"]["provisioningState"],
        "Failed"
    );
    assert_eq!(
        held(&e.get(&subnet, NET).await.1),
        8,
        "the failed cluster holds nothing"
    );
}

#[tokio::test]
async fn kubenet_to_overlay_deletes_the_aks_routes_and_the_managed_route_table() {
    let e = Emu::fresh(Options {
        lro_ms: 30,
        ..Default::default()
    })
    .await;
    let rg = "rg-migrate";
    e.network(
        rg,
        "10.10.0.0/16",
        &[("nodes", "10.10.1.0/24"), ("byo", "10.10.2.0/24")],
    )
    .await;
    // A customer route table with its own route, on the `byo` subnet.
    let rt = format!("{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/routeTables/rt");
    e.create(&rt, NET, json!({"location": "westeurope", "properties": {"routes": [
        {"name": "fw", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.10.9.4"}}]}}))
        .await;
    e.create(
        &format!("{}/subnets/byo", vnet(rg)),
        NET,
        json!({"properties": {"addressPrefix": "10.10.2.0/24", "routeTable": {"id": rt}}}),
    )
    .await;
    let kubenet = |svc: &str| {
        json!({"networkPlugin": "kubenet", "podCidr": "10.244.0.0/16", "serviceCidr": svc,
            "dnsServiceIP": svc.replace("0/16", "10")})
    };
    let managed = aks(rg, "managed");
    let byo = aks(rg, "byo");
    e.create(
        &managed,
        AKS,
        cluster(kubenet("10.1.0.0/16"), vec![pool(rg, "system", 3, "nodes")]),
    )
    .await;
    e.create(
        &byo,
        AKS,
        cluster(kubenet("10.2.0.0/16"), vec![pool(rg, "system", 2, "byo")]),
    )
    .await;
    // A system-assigned identity cannot bring its own route table (Azure/AKS#2333).
    let mut sysid = cluster(kubenet("10.3.0.0/16"), vec![pool(rg, "system", 2, "byo")]);
    sysid["identity"] = json!({"type": "SystemAssigned"});
    assert_eq!(
        e.refused(&aks(rg, "sysid"), sysid).await,
        triple("InvalidParameter", "", "agentPoolProfile.vnetSubnetID")
    );
    let table = format!(
        "{SUB}/resourceGroups/MC_{rg}_managed_westeurope/providers/Microsoft.Network/routeTables/aks-agentpool-routetable"
    );
    let names = |t: &Value| -> Vec<String> {
        t["properties"]["routes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["name"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(names(&e.get(&table, NET).await.1).len(), 3);
    assert_eq!(names(&e.get(&rt, NET).await.1).len(), 3, "fw + 2 node routes");

    // Migrate both: plugin azure, mode overlay, the pod CIDR kept.
    let overlay = |svc: &str| {
        let mut n = kubenet(svc);
        n["networkPlugin"] = json!("azure");
        n["networkPluginMode"] = json!("overlay");
        n
    };
    for (path, svc, count, subnet) in [
        (&managed, "10.1.0.0/16", 3, "nodes"),
        (&byo, "10.2.0.0/16", 2, "byo"),
    ] {
        let (s, h, b) = e
            .put(
                path,
                AKS,
                cluster(overlay(svc), vec![pool(rg, "system", count, subnet)]),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(e.wait(&h).await["status"], "Succeeded");
    }
    // The managed table is gone and the node subnet no longer points at it.
    assert_eq!(e.get(&table, NET).await.0, StatusCode::NOT_FOUND);
    let nodes = e.get(&format!("{}/subnets/nodes", vnet(rg)), NET).await.1;
    assert!(nodes["properties"].get("routeTable").is_none(), "{nodes}");
    // The customer's table stays, associated, with only its own route.
    let t = e.get(&rt, NET).await.1;
    assert_eq!(names(&t), ["fw"]);
    assert_eq!(
        t["properties"]["subnets"][0]["id"],
        format!("{}/subnets/byo", vnet(rg))
    );
    // Scaling the overlay cluster adds no routes any more.
    let (s, h, _) = e
        .put(
            &byo,
            AKS,
            cluster(overlay("10.2.0.0/16"), vec![pool(rg, "system", 3, "byo")]),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    e.wait(&h).await;
    assert_eq!(names(&e.get(&rt, NET).await.1), ["fw"]);
}

fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

#[tokio::test]
async fn aks_etags_are_guids_and_a_pool_operation_changes_only_its_pool() {
    let e = Emu::fresh(Options {
        lro_ms: 30,
        ..Default::default()
    })
    .await;
    let rg = "rg-etag";
    e.network(rg, "10.10.0.0/16", &[("nodes", "10.10.0.0/22")]).await;
    let p = aks(rg, "aks");
    let mut user = pool(rg, "user", 2, "nodes");
    user["mode"] = json!("User");
    let net = json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/16",
        "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10"});
    let body = cluster(net, vec![pool(rg, "system", 3, "nodes"), user]);
    let (_, h, b) = e.put(&p, AKS, body.clone()).await;
    let header = h["etag"].to_str().unwrap().to_string();
    assert!(is_guid(&header), "AKS eTag is a bare GUID, not W/\"…\": {header}");
    assert_eq!(b["eTag"], header);
    e.wait(&h).await;
    let c = e.get(&p, AKS).await.1;
    let tag = |c: &Value, i: usize| {
        c["properties"]["agentPoolProfiles"][i]["eTag"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    let (cluster_tag, system_tag, user_tag) =
        (c["eTag"].as_str().unwrap().to_string(), tag(&c, 0), tag(&c, 1));
    assert!(
        is_guid(&system_tag) && is_guid(&user_tag) && system_tag != user_tag,
        "{c}"
    );

    // An agent pool PUT: If-Match with a stale eTag fails, with the pool's own eTag it passes.
    let pool_path = format!("{p}/agentPools/user");
    let pool_body = json!({"properties": {"count": 3, "vmSize": "Standard_D2s_v5", "mode": "User",
        "vnetSubnetID": format!("{}/subnets/nodes", vnet(rg))}});
    let (s, _, _) = e
        .call(
            Method::PUT,
            &pool_path,
            AKS,
            Some(pool_body.clone()),
            &[("If-Match", &system_tag)],
        )
        .await;
    assert_eq!(s, StatusCode::PRECONDITION_FAILED);
    let (s, h, _) = e
        .call(
            Method::PUT,
            &pool_path,
            AKS,
            Some(pool_body),
            &[("If-Match", &user_tag)],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    e.wait(&h).await;
    let after = e.get(&p, AKS).await.1;
    assert_eq!(
        after["eTag"], cluster_tag,
        "a pool operation keeps the cluster's eTag"
    );
    assert_eq!(tag(&after, 0), system_tag, "and the other pools'");
    assert_ne!(tag(&after, 1), user_tag);
    assert!(is_guid(&tag(&after, 1)));
    assert_eq!(
        e.get(&pool_path, AKS).await.1["properties"]["eTag"],
        tag(&after, 1)
    );

    // A cluster-level PUT changes them all.
    let (s, h, _) = e.put(&p, AKS, body).await;
    assert_eq!(s, StatusCode::OK);
    e.wait(&h).await;
    let last = e.get(&p, AKS).await.1;
    assert_ne!(last["eTag"], after["eTag"]);
    assert_ne!(tag(&last, 0), tag(&after, 0));
    assert_ne!(tag(&last, 1), tag(&after, 1));

    // Deleting a pool is a pool operation as well: the cluster and the remaining pool keep theirs.
    let (s, h, _) = e.call(Method::DELETE, &pool_path, AKS, None, &[]).await;
    assert_eq!(s, StatusCode::ACCEPTED);
    e.wait(&h).await;
    let gone = e.get(&p, AKS).await.1;
    assert_eq!(gone["eTag"], last["eTag"]);
    assert_eq!(
        gone["properties"]["agentPoolProfiles"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(tag(&gone, 0), tag(&last, 0));
}

#[tokio::test]
async fn throttling_answers_with_the_code_of_the_layer_that_throttles() {
    // ARM's own limit: SubscriptionRequestsThrottled, wrapped, with Retry-After.
    let e = Emu::fresh(Options {
        writes_per_second: Some(1),
        ..Default::default()
    })
    .await;
    let mut last = None;
    for i in 0..3 {
        let (s, h, b) = e
            .put(
                &format!("{SUB}/resourceGroups/rg{i}"),
                RG,
                json!({"location": "westeurope"}),
            )
            .await;
        if s == StatusCode::TOO_MANY_REQUESTS {
            last = Some((h, b));
        }
    }
    let (h, b) = last.expect("throttled");
    assert_eq!(h["retry-after"], "1");
    assert_eq!(b["error"]["code"], "SubscriptionRequestsThrottled", "{b}");
    assert!(b["error"]["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("Number of requests for subscription '11111111-2222-3333-4444-555555555555' and operation 'PUT/SUBSCRIPTIONS/RESOURCEGROUPS'")));

    let e = Emu::fresh(Options::default()).await;
    let p = aks("rg-t", "aks");
    // The AKS resource provider's limit: Throttled, AKS's flat body, with Retry-After.
    e.admin("faults", json!({"method": "PUT", "path": "managedClusters/aks", "status": 429, "source": "rp", "retry_after": 7}))
        .await;
    let (s, h, b) = e.put(&p, AKS, json!({"location": "westeurope"})).await;
    assert_eq!(
        (s, h["retry-after"].to_str().unwrap()),
        (StatusCode::TOO_MANY_REQUESTS, "7")
    );
    assert_eq!(
        (b["code"].as_str(), b["subcode"].as_str()),
        (Some("Throttled"), Some("Throttled")),
        "{b}"
    );
    assert!(b["message"].as_str().is_some_and(|m| m.starts_with(
        "The PutManagedClusterHandler.PUT request limit has been exceeded for SubID='11111111-2222-3333-4444-555555555555', please retry again in 7 seconds."
    )), "{b}");
    // The same path throttled by ARM (the default source): ARM's code and wrapped body.
    e.admin(
        "faults",
        json!({"method": "GET", "path": "managedClusters/aks", "status": 429, "retry_after": 2}),
    )
    .await;
    let (s, h, b) = e.call(Method::GET, &p, AKS, None, &[]).await;
    assert_eq!(
        (s, h["retry-after"].to_str().unwrap()),
        (StatusCode::TOO_MANY_REQUESTS, "2")
    );
    assert_eq!(b["error"]["code"], "SubscriptionRequestsThrottled", "{b}");
    // Any other RP error keeps AKS's shape, subcode included.
    e.admin(
        "faults",
        json!({"method": "PUT", "path": "managedClusters/aks", "status": 409, "source": "rp",
        "code": "EtagMismatch", "subcode": "PutManagedClusterAndComponents_FailedPrecondition",
        "message": "Operation is not allowed: Another operation is in progress"}),
    )
    .await;
    let (s, _, b) = e.put(&p, AKS, json!({"location": "westeurope"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(
        (b["code"].as_str(), b["subcode"].as_str()),
        (
            Some("EtagMismatch"),
            Some("PutManagedClusterAndComponents_FailedPrecondition")
        ),
        "{b}"
    );
}

#[tokio::test]
async fn max_pods_defaults_follow_the_plugin_and_the_pod_subnet() {
    let e = Emu::fresh(Options {
        lro_ms: 30,
        ..Default::default()
    })
    .await;
    let rg = "rg-maxpods";
    e.network(
        rg,
        "10.10.0.0/16",
        &[("nodes", "10.10.0.0/22"), ("pods", "10.10.4.0/22")],
    )
    .await;
    let flat = |svc: &str| json!({"networkPlugin": "azure", "serviceCidr": svc, "dnsServiceIP": svc.replace("0/16", "10")});
    let mut with_pods = pool(rg, "system", 3, "nodes");
    with_pods["podSubnetID"] = json!(format!("{}/subnets/pods", vnet(rg)));
    let c = e
        .create(
            &aks(rg, "dyn"),
            AKS,
            cluster(flat("10.1.0.0/16"), vec![with_pods]),
        )
        .await;
    assert_eq!(
        c["properties"]["agentPoolProfiles"][0]["maxPods"], 250,
        "pod subnet"
    );
    let c = e
        .create(
            &aks(rg, "flat"),
            AKS,
            cluster(flat("10.2.0.0/16"), vec![pool(rg, "system", 2, "nodes")]),
        )
        .await;
    assert_eq!(
        c["properties"]["agentPoolProfiles"][0]["maxPods"], 30,
        "node subnet"
    );
    let overlay = json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/16",
        "serviceCidr": "10.3.0.0/16", "dnsServiceIP": "10.3.0.10"});
    let c = e
        .create(
            &aks(rg, "ovl"),
            AKS,
            cluster(overlay, vec![pool(rg, "system", 2, "nodes")]),
        )
        .await;
    assert_eq!(c["properties"]["agentPoolProfiles"][0]["maxPods"], 250, "overlay");
}

#[tokio::test]
async fn spec_bounds_pool_limits_outbound_and_dual_stack_rules_are_refused() {
    let e = Emu::fresh(Options {
        lro_ms: 30,
        ..Default::default()
    })
    .await;
    let rg = "rg-bounds";
    e.network(
        rg,
        "10.10.0.0/16",
        &[("nodes", "10.10.0.0/20"), ("pods", "10.10.64.0/18")],
    )
    .await;
    let p = aks(rg, "aks");
    let overlay = |extra: Value| {
        let mut n = json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/16",
            "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10"});
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            n[k] = v;
        }
        n
    };
    // A pool without a custom subnet (AKS-managed VNet).
    let managed =
        |count: u32| json!({"name": "system", "count": count, "vmSize": "Standard_D2s_v5", "mode": "System"});
    let with = |mut p: Value, extra: Value| {
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            p[k] = v;
        }
        p
    };
    let static_block = |version: &str| {
        let mut c = cluster(
            json!({"networkPlugin": "azure", "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10"}),
            vec![with(
                pool(rg, "system", 2, "nodes"),
                json!({"maxPods": 250, "podIPAllocationMode": "StaticBlock",
                    "podSubnetID": format!("{}/subnets/pods", vnet(rg))}),
            )],
        );
        c["properties"]["kubernetesVersion"] = json!(version);
        c
    };
    let cases = [
        (
            "dnsServiceIP on the first address",
            cluster(overlay(json!({"dnsServiceIP": "10.0.0.1"})), vec![managed(3)]),
            triple("InvalidParameter", "", "networkProfile.dnsServiceIP"),
        ),
        (
            "dnsServiceIP alone, outside the default 10.0.0.0/16",
            cluster(
                json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "dnsServiceIP": "10.2.0.10"}),
                vec![managed(3)],
            ),
            triple("DnsServiceIpOutOfServiceCidr", "", "networkProfile.dnsServiceIP"),
        ),
        (
            "service CIDR larger than /12",
            cluster(overlay(json!({"serviceCidr": "10.0.0.0/11"})), vec![managed(3)]),
            triple("InvalidParameter", "", "networkProfile.serviceCIDR"),
        ),
        (
            "outboundType outside the 2025-10-01 enum",
            cluster(
                overlay(json!({"outboundType": "managedNATGatewayV2"})),
                vec![managed(3)],
            ),
            triple("InvalidParameter", "", "networkProfile.outboundType"),
        ),
        (
            "17 managed NAT gateway IPs",
            cluster(
                overlay(json!({"outboundType": "managedNATGateway",
                    "natGatewayProfile": {"managedOutboundIPProfile": {"count": 17}}})),
                vec![managed(3)],
            ),
            triple(
                "InvalidParameter",
                "",
                "networkProfile.natGatewayProfile.managedOutboundIPProfile.count",
            ),
        ),
        (
            "outbound ports not a multiple of 8",
            cluster(
                overlay(json!({"loadBalancerProfile": {"allocatedOutboundPorts": 1001}})),
                vec![managed(3)],
            ),
            triple(
                "InvalidParameter",
                "",
                "networkProfile.loadBalancerProfile.allocatedOutboundPorts",
            ),
        ),
        (
            "a system pool of 1001 nodes",
            cluster(overlay(json!({"podCidr": "10.240.0.0/12"})), vec![managed(1001)]),
            triple("InvalidParameter", "", "agentPoolProfile.count"),
        ),
        (
            "a system pool of 0 nodes",
            cluster(overlay(json!({})), vec![managed(0)]),
            triple("InvalidParameter", "", "agentPoolProfile.count"),
        ),
        (
            "a Windows pool name over six characters",
            cluster(
                overlay(json!({})),
                vec![
                    managed(3),
                    json!({"name": "npwindows", "count": 1, "vmSize": "Standard_D2s_v5", "mode": "User", "osType": "Windows"}),
                ],
            ),
            triple("InvalidParameter", "", "agentPoolProfile.name"),
        ),
        (
            "maxPods 251",
            cluster(
                overlay(json!({})),
                vec![with(managed(3), json!({"maxPods": 251}))],
            ),
            triple("InvalidParameter", "", "agentPoolProfile.maxPods"),
        ),
        (
            "maxPods 10 on one node (room for fewer than 30 pods)",
            cluster(overlay(json!({})), vec![with(managed(1), json!({"maxPods": 10}))]),
            triple("InvalidParameter", "", "agentPoolProfile.maxPods"),
        ),
        (
            "podIPAllocationMode without podSubnetID",
            cluster(
                json!({"networkPlugin": "azure", "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10"}),
                vec![with(
                    pool(rg, "system", 2, "nodes"),
                    json!({"podIPAllocationMode": "StaticBlock"}),
                )],
            ),
            triple("InvalidParameter", "", "agentPoolProfile.podIPAllocationMode"),
        ),
        (
            "a pod subnet on the system pool only (all or none of the pools)",
            cluster(
                json!({"networkPlugin": "azure", "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10"}),
                vec![
                    with(
                        pool(rg, "system", 2, "nodes"),
                        json!({"podSubnetID": format!("{}/subnets/pods", vnet(rg))}),
                    ),
                    with(pool(rg, "user", 2, "nodes"), json!({"mode": "User"})),
                ],
            ),
            triple("InvalidParameter", "", "agentPoolProfile.podSubnetID"),
        ),
        (
            "StaticBlock on Kubernetes 1.27",
            static_block("1.27"),
            triple("InvalidParameter", "", "agentPoolProfile.podIPAllocationMode"),
        ),
        (
            "managed NAT gateway in a custom VNet",
            cluster(
                json!({"networkPlugin": "azure", "outboundType": "managedNATGateway",
                    "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10"}),
                vec![pool(rg, "system", 3, "nodes")],
            ),
            triple("InvalidParameter", "", "networkProfile.outboundType"),
        ),
        (
            "userAssignedNATGateway on a subnet without a NAT gateway",
            cluster(
                json!({"networkPlugin": "azure", "outboundType": "userAssignedNATGateway",
                    "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10"}),
                vec![pool(rg, "system", 3, "nodes")],
            ),
            triple("InvalidParameter", "", "networkProfile.outboundType"),
        ),
        (
            "userDefinedRouting in the AKS-managed VNet",
            cluster(
                overlay(json!({"outboundType": "userDefinedRouting"})),
                vec![managed(3)],
            ),
            triple("InvalidParameter", "", "networkProfile.outboundType"),
        ),
        (
            "dual-stack with Azure NPM",
            cluster(
                overlay(json!({"networkPolicy": "azure", "ipFamilies": ["IPv4", "IPv6"]})),
                vec![managed(3)],
            ),
            triple("InvalidParameter", "", "networkProfile.networkPolicy"),
        ),
        (
            "dual-stack on flat Azure CNI",
            cluster(
                json!({"networkPlugin": "azure", "ipFamilies": ["IPv4", "IPv6"]}),
                vec![managed(3)],
            ),
            triple("InvalidParameter", "", "networkProfile.ipFamilies"),
        ),
    ];
    for (what, body, want) in cases {
        assert_eq!(e.refused(&p, body).await, want, "{what}");
    }
    assert_eq!(e.get(&p, AKS).await.0, StatusCode::NOT_FOUND);

    // The edges AKS accepts: the DNS IP on the second address, a /12 service range, 16 NAT IPs,
    // 64000 outbound ports, maxPods 10 with room for 30 pods, StaticBlock on 1.28, dual-stack
    // overlay with Cilium, a six-character Windows pool name.
    let ok = [
        (
            "edges",
            cluster(
                overlay(json!({"serviceCidr": "10.0.0.0/12", "dnsServiceIP": "10.0.0.2",
                    "loadBalancerProfile": {"allocatedOutboundPorts": 64000}})),
                vec![
                    with(managed(3), json!({"maxPods": 10})),
                    json!({"name": "win123", "count": 1, "vmSize": "Standard_D2s_v5", "mode": "User", "osType": "Windows"}),
                ],
            ),
        ),
        (
            "nat16",
            cluster(
                overlay(json!({"outboundType": "managedNATGateway",
                    "natGatewayProfile": {"managedOutboundIPProfile": {"count": 16}}})),
                vec![managed(3)],
            ),
        ),
        ("static", static_block("1.28")),
        (
            "dual",
            cluster(
                overlay(json!({"networkDataplane": "cilium", "ipFamilies": ["IPv4", "IPv6"]})),
                vec![managed(3)],
            ),
        ),
    ];
    for (name, body) in ok {
        e.create(&aks(rg, name), AKS, body).await;
    }
}

/// A managed cluster outside the regions that offer AKS is refused by ARM with its wrapped
/// body (a geography written as a region, jupyterhub/zero-to-jupyterhub-k8s#3082); a display
/// name such as `West Europe` is the same region as `westeurope`.
#[tokio::test]
async fn an_unknown_location_is_refused_as_arm_refuses_it() {
    let e = Emu::fresh(Options {
        lro_ms: 30,
        ..Default::default()
    })
    .await;
    let rg = "rg-location";
    e.network(rg, "10.10.0.0/16", &[("nodes", "10.10.0.0/22")]).await;
    let overlay =
        json!({"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/16"});
    let mut c = cluster(overlay, vec![pool(rg, "system", 2, "nodes")]);
    c["location"] = json!("unitedstates");
    let (s, _, b) = e.put(&aks(rg, "us"), AKS, c.clone()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"]["code"], "LocationNotAvailableForResourceType", "{b}");
    assert!(
        b["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("The provided location 'unitedstates' is not available for resource type 'Microsoft.ContainerService/managedClusters'.")),
        "{b}"
    );
    c["location"] = json!("West Europe");
    e.create(&aks(rg, "we"), AKS, c).await;
}
