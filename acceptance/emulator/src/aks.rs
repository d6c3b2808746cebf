//! Microsoft.ContainerService behaviour: defaults AKS fills in and the server-side checks
//! it makes, implemented independently of the provider's netplan (a shared bug would hide).

use serde_json::{json, Map, Value};

use crate::aks_checks::{self, np_str, pools};
use crate::ids::{key, Target};
use crate::network;
use crate::store::Store;
use crate::wire::{etag, flat, Reply};

fn v4(s: &str) -> Option<(u32, u8)> {
    let (a, p) = s.split_once('/')?;
    let ip: std::net::Ipv4Addr = a.parse().ok()?;
    let p: u8 = p.parse().ok()?;
    (p <= 32).then_some((u32::from(ip), p))
}

fn range((a, p): (u32, u8)) -> (u64, u64) {
    let size = 1u64 << (32 - u32::from(p));
    let start = u64::from(a) & !(size - 1);
    (start, start + size - 1)
}

fn overlap(a: &str, b: &str) -> bool {
    match (v4(a), v4(b)) {
        (Some(x), Some(y)) => {
            let (a0, a1) = range(x);
            let (b0, b1) = range(y);
            a0 <= b1 && b0 <= a1
        }
        _ => false,
    }
}

/// Fills AKS defaults and rejects what the AKS RP rejects.
/// The body to store, and an error the LRO will end with (none today: `SubnetIsFull` is decided
/// when the operation ends, see [`settle_ips`]).
pub(crate) type Prepared = (Map<String, Value>, Option<Value>);

pub(crate) fn prepare(
    store: &Store,
    target: &Target,
    mut body: Map<String, Value>,
    existing: Option<&Value>,
) -> Result<Prepared, Reply> {
    if !target
        .type_name()
        .eq_ignore_ascii_case("Microsoft.ContainerService/managedClusters")
    {
        return Err(flat(
            400,
            "InvalidParameter",
            &format!(
                "The resource type '{}' is not supported by aksnet-emulator.",
                target.type_name()
            ),
            "type",
        ));
    }
    if body.get("location").and_then(Value::as_str).is_none() {
        return Err(flat(
            400,
            "InvalidParameter",
            "The value of parameter location is invalid.",
            "location",
        ));
    }
    aks_checks::location(body.get("location").and_then(Value::as_str).unwrap_or_default())?;
    // The request's form first, before any default fills a field it left out.
    aks_checks::request_form(&Value::Object(body.clone()))?;
    aks_checks::cluster_name(&target.name())?;
    if let Some(old) = existing {
        aks_checks::pool_changes(old, &Value::Object(body.clone()))?;
    }
    let props = body.entry("properties").or_insert_with(|| json!({}));
    let version = props
        .get("kubernetesVersion")
        .and_then(Value::as_str)
        .unwrap_or("1.33")
        .to_string();
    if let Some(p) = props.as_object_mut() {
        p.entry("kubernetesVersion").or_insert_with(|| json!(version));
    }
    let minor: u32 = version
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(33);
    let np = props
        .as_object_mut()
        .map(|p| p.entry("networkProfile").or_insert_with(|| json!({})))
        .ok_or_else(|| {
            flat(
                400,
                "InvalidParameter",
                "properties must be an object",
                "properties",
            )
        })?;
    if np.get("networkPlugin").is_none() {
        if minor < 30 {
            np["networkPlugin"] = json!("kubenet");
        } else {
            np["networkPlugin"] = json!("azure");
            np["networkPluginMode"] = json!("overlay");
        }
    }
    let plugin = np["networkPlugin"].as_str().unwrap_or("").to_string();
    let overlay = np.get("networkPluginMode").and_then(Value::as_str) == Some("overlay");
    if (plugin == "kubenet" || overlay) && np.get("podCidr").is_none() {
        np["podCidr"] = json!("10.244.0.0/16");
    }
    // AKS < 2026-01-01 neither stores nor returns podCidr for `none`: it accepts the field
    // and drops it (AKS changelog 2026-01-04: "Starting with API version 2026-01-01, AKS
    // returns podCIDR and podCIDRs fields when networkPlugin=none"; Azure/AKS#5399; 2024-02-26:
    // a BYO CNI PUT without podCIDR is fine).
    if plugin == "none" {
        if let Some(m) = np.as_object_mut() {
            m.remove("podCidr");
            m.remove("podCidrs");
        }
    }
    if plugin == "azure" && !overlay && np.get("podCidr").is_some() {
        return Err(flat(
            400,
            "InvalidParameter",
            "Pod CIDR can only be specified with kubenet, azure overlay or none network plugin.",
            "networkProfile.podCIDR",
        ));
    }
    // Defaults 10.0.0.0/16 and 10.0.0.10 (SPEC `serviceCidr` default "10.0.0.0/16",
    // `dnsServiceIP` default "10.0.0.10"). A dnsServiceIP sent alone keeps its value and is
    // checked against the default range below.
    if np.get("serviceCidr").is_none() {
        np["serviceCidr"] = json!("10.0.0.0/16");
    }
    if np.get("dnsServiceIP").is_none() {
        np["dnsServiceIP"] = json!("10.0.0.10");
    }
    np.as_object_mut()
        .map(|m| m.entry("outboundType").or_insert(json!("loadBalancer")));
    // networkPolicy defaults to `none` (SPEC NetworkPolicy `none`: "This is the default value
    // when NetworkPolicy is not specified"); with the Cilium dataplane Cilium enforces policy
    // (azure-cni-powered-by-cilium: "Azure CNI Powered by Cilium ... enforces network policy"),
    // so an unset policy there is `cilium`.
    let cilium = np.get("networkDataplane").and_then(Value::as_str) == Some("cilium");
    np.as_object_mut().map(|m| {
        m.entry("networkPolicy")
            .or_insert(json!(if cilium { "cilium" } else { "none" }))
    });
    np.as_object_mut()
        .map(|m| m.entry("loadBalancerSku").or_insert(json!("standard")));
    // AKS blocks new clusters with a Basic load balancer (AKS changelog 2025-10-12,
    // 2026-01-04); the message is the one upgrade-basic-load-balancer-on-aks quotes.
    // code: AKS RP error-code list (provenance unverified)
    if existing.is_none()
        && np["loadBalancerSku"]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("basic"))
    {
        return Err(flat(
            400,
            "InvalidLoadBalancerSku",
            "Load Balancer SKU 'basic' is invalid; must use 'standard'.",
            "networkProfile.loadBalancerSku",
        ));
    }
    np.as_object_mut()
        .map(|m| m.entry("networkDataplane").or_insert(json!("azure")));
    let svc = np["serviceCidr"].as_str().unwrap_or("").to_string();
    let dns = np
        .get("dnsServiceIP")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let pod = np.get("podCidr").and_then(Value::as_str).map(str::to_string);
    if let (Some(s), Ok(ip)) = (v4(&svc), dns.parse::<std::net::Ipv4Addr>()) {
        let (lo, hi) = range(s);
        if !(lo..=hi).contains(&u64::from(u32::from(ip))) {
            return Err(flat(
                400,
                "DnsServiceIpOutOfServiceCidr",
                &format!("The DNS service IP {dns} is out of the range defined by service CIDR {svc}."),
                "networkProfile.dnsServiceIP",
            ));
        } // concepts-network-legacy-cni: "Don't use the first IP address in your address range.
          // The first address in your subnet range is used for the
          // kubernetes.default.svc.cluster.local address." code: not established by a primary source.
          // Kubernetes gives that address (the range's network address + 1, e.g. 10.0.0.1 in
          // 10.0.0.0/16) to the `kubernetes` service; the network address itself is no host either.
        if u64::from(u32::from(ip)) <= lo + 1 {
            return Err(flat(
                400,
                "InvalidParameter",
                &format!("The DNS service IP {dns} is the first address of service CIDR {svc}, which is used for the kubernetes.default.svc.cluster.local address."),
                "networkProfile.dnsServiceIP",
            ));
        }
    }
    // concepts-network-azure-cni-overlay: the service address CIDR "must be smaller than `/12`"
    // (a /12 or a longer prefix). code: not established by a primary source.
    if v4(&svc).is_some_and(|(_, p)| p < 12) {
        return Err(flat(
            400,
            "InvalidParameter",
            &format!("The service CIDR {svc} is larger than /12."),
            "networkProfile.serviceCIDR",
        ));
    }
    // Max pods per node when unset (configure-azure-cni, "Maximum pods per node": kubenet 110,
    // Azure CNI 30, overlay 250). A pool with a pod subnet takes 250
    // (configure-azure-cni-dynamic-ip-allocation, "Maximum pods per node in a cluster with Pod
    // Subnet - Dynamic IP Allocation": "Traditional Azure CNI | 30"; "Azure CNI Pod Subnet -
    // Dynamic IP Allocation | 250"); the static block mode is read the same way (issue 15
    // item 7: until a primary source says otherwise, the larger value).
    let default_pods = |pool: &Value| match (plugin.as_str(), overlay) {
        ("kubenet", _) => 110,
        ("azure", false) if pool.get("podSubnetID").and_then(Value::as_str).is_some() => 250,
        ("azure", false) => 30,
        _ => 250,
    };
    let pools = props
        .get_mut("agentPoolProfiles")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| {
            flat(
                400,
                "InvalidParameter",
                "At least one agent pool profile is required.",
                "agentPoolProfiles",
            )
        })?;
    let mut subnets: Vec<(String, String)> = Vec::new();
    for pool in pools.iter_mut() {
        if pool.get("maxPods").is_none() {
            pool["maxPods"] = json!(default_pods(pool));
        }
        if let Some(sid) = pool.get("vnetSubnetID").and_then(Value::as_str) {
            // Body as AKS returned it for a subnet its VNet does not have
            // (sassoftware/viya4-iac-azure#163): Code="SubnetNotFound" Message="Could not find
            // subnet kube4-aks-subnet in vnet kube4-vnet from resource group kube4-rg of
            // subscription <id>."
            let subnet = lookup_subnet(store, sid).ok_or_else(|| {
                let part = |i: usize| sid.trim_start_matches('/').split('/').nth(i).unwrap_or("");
                flat(
                    400,
                    "SubnetNotFound",
                    &format!(
                        "Could not find subnet {} in vnet {} from resource group {} of subscription {}.",
                        part(9),
                        part(7),
                        part(3),
                        part(1)
                    ),
                    "agentPoolProfile.vnetSubnetID",
                )
            })?;
            subnets.push((sid.to_string(), subnet));
        }
    }
    // The service range must not overlap any subnet of the VNets the cluster's nodes are in,
    // used by the cluster or not (SPEC `serviceCidr`: "It must not overlap with any Subnet IP
    // ranges"; Azure/AKS#1117). Subnets added next to a running cluster are not its problem
    // (A-leg FAQ), so other subnets count on create only. The address space itself is not
    // checked: Microsoft's own layouts put the default 10.0.0.0/16 inside a 10.0.0.0/8 VNet.
    let mut checked = subnets.clone();
    if existing.is_none() {
        for (sid, _) in &subnets {
            checked.extend(sibling_subnets(store, sid));
        }
    }
    for (sid, prefix) in &checked {
        if overlap(&svc, prefix) {
            return Err(flat(400, "ServiceCidrOverlapExistingSubnetsCidr", &format!("The specified service CIDR {svc} is conflicted with an existing subnet CIDR {prefix}. Please see https://aka.ms/aks/servicecidroverlap for how to fix the error."), "networkProfile.serviceCIDR"));
        }
        // Overlay checks the pod CIDR against the VNet's subnets since 2024-10-25 (AKS
        // changelog: "rather than checking if it conflicts with the virtual network address
        // space as a whole"); kubenet against the whole space (`vnet_overlap`); `none` not at all.
        if let (Some(pc), true) = (&pod, overlay) {
            if overlap(pc, prefix) {
                // code: AKS RP error-code list (provenance unverified)
                return Err(flat(
                    400,
                    "PodCidrOverlapExistingSubnetsCidr",
                    &format!("The specified pod CIDR {pc} is conflicted with an existing subnet CIDR {prefix} of subnet {sid}."),
                    "networkProfile.podCIDR",
                ));
            }
        }
    }
    // Identity first: checks that count other clusters' addresses need to know which is which.
    body.insert("id".into(), json!(target.id()));
    body.insert("name".into(), json!(target.name()));
    fill_outputs(&mut body);
    let cluster = Value::Object(body.clone());
    if let Some(old) = existing {
        update_matrix(old, &cluster)?;
    }
    aks_checks::combinations(&cluster)?;
    aks_checks::windows(&cluster)?;
    aks_checks::reserved_ranges(&cluster, &vnet_spaces(store, &cluster), overlap)?;
    aks_checks::kubenet_node_limit(&cluster)?;
    aks_checks::spec_bounds(&cluster)?;
    aks_checks::pod_subnet_all_or_none(&cluster)?;
    aks_checks::pool_limits(&cluster, existing.is_none())?;
    aks_checks::outbound_network(&cluster)?;
    aks_checks::outbound_none(&cluster, existing)?;
    aks_checks::dual_stack(&cluster)?;
    pod_cidr_capacity(&cluster)?;
    vnet_overlap(store, &cluster)?;
    udr_prerequisites(store, &cluster)?;
    user_nat_prerequisites(store, &cluster)?;
    if existing.is_none() {
        kubenet_system_identity_route_table(store, &cluster)?;
    }
    subnet_capacity(store, &cluster)?;
    Ok((body, None))
}

/// What AKS computes: the API server FQDN and the egress IPs it creates in the node
/// resource group (load balancer or managed NAT gateway; one per managed IP).
fn fill_outputs(body: &mut Map<String, Value>) {
    let cluster = Value::Object(body.clone());
    let Some(mc) = node_resource_group(&cluster) else {
        return;
    };
    let id = cluster["id"].as_str().unwrap_or_default();
    let sub = id.split('/').nth(2).unwrap_or_default().to_string();
    let location = cluster["location"].as_str().unwrap_or("westeurope").to_string();
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    let prefix = props
        .get("dnsPrefix")
        .and_then(Value::as_str)
        .unwrap_or("aks")
        .to_string();
    props.insert(
        "fqdn".into(),
        json!(format!("{prefix}-{:08x}.hcp.{location}.azmk8s.io", hash as u32)),
    );
    let Some(np) = props.get_mut("networkProfile").and_then(Value::as_object_mut) else {
        return;
    };
    let ip = |n: u64| json!({"id": format!("/subscriptions/{sub}/resourceGroups/{mc}/providers/Microsoft.Network/publicIPAddresses/{:08x}-{n}", hash as u32)});
    match np.get("outboundType").and_then(Value::as_str) {
        Some("loadBalancer") => {
            let lb = np.entry("loadBalancerProfile").or_insert_with(|| json!({}));
            let own: Option<Vec<Value>> = lb
                .pointer("/outboundIPs/publicIPs")
                .or_else(|| lb.pointer("/outboundIPPrefixes/publicIPPrefixes"))
                .and_then(Value::as_array)
                .cloned();
            let effective = match own {
                Some(ips) => ips,
                None => {
                    if lb.get("managedOutboundIPs").is_none() {
                        lb["managedOutboundIPs"] = json!({"count": 1});
                    }
                    let n = lb["managedOutboundIPs"]["count"].as_u64().unwrap_or(1);
                    (0..n).map(ip).collect()
                }
            };
            lb["effectiveOutboundIPs"] = Value::Array(effective);
        }
        Some("managedNATGateway") => {
            let nat = np.entry("natGatewayProfile").or_insert_with(|| json!({}));
            if nat.get("managedOutboundIPProfile").is_none() {
                nat["managedOutboundIPProfile"] = json!({"count": 1});
            }
            let n = nat["managedOutboundIPProfile"]["count"].as_u64().unwrap_or(1);
            nat["effectiveOutboundIPs"] = Value::Array((0..n).map(ip).collect());
            np.remove("loadBalancerProfile");
        }
        _ => {
            np.remove("loadBalancerProfile");
        }
    }
}

fn lookup_subnet(store: &Store, id: &str) -> Option<String> {
    store
        .body(&key(id))?
        .pointer("/properties/addressPrefix")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Every subnet of the VNet holding subnet `id`: `(id, prefix)`.
fn sibling_subnets(store: &Store, id: &str) -> Vec<(String, String)> {
    let Some(body) = network::subnet_vnet(store, id) else {
        return Vec::new();
    };
    let vnet_id = id.rsplit_once("/subnets/").map_or(id, |(v, _)| v);
    body.pointer("/properties/subnets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| {
            let name = s.get("name").and_then(Value::as_str)?;
            let prefix = s.pointer("/properties/addressPrefix").and_then(Value::as_str)?;
            Some((format!("{vnet_id}/subnets/{name}"), prefix.to_string()))
        })
        .collect()
}

/// `10.244.0.0/16` + n → the n-th /24 (`10.244.n.0/24`).
fn nth_slash24(pod_cidr: &str, n: u32) -> Option<String> {
    let (base, _) = v4(pod_cidr)?;
    let ip = std::net::Ipv4Addr::from(base.checked_add(n.checked_mul(256)?)?);
    Some(format!("{ip}/24"))
}

/// `10.0.1.0/24` + n → the node IP `10.0.1.(4 + n)` (Azure keeps the first four).
fn node_ip(subnet_prefix: &str, n: u32) -> Option<String> {
    let (base, _) = v4(subnet_prefix)?;
    Some(std::net::Ipv4Addr::from(base.checked_add(4 + n)?).to_string())
}

/// The BYO route table of a subnet, by subnet id.
fn subnet_route_table(store: &Store, subnet_id: &str) -> Option<String> {
    store
        .body(&key(subnet_id))?
        .pointer("/properties/routeTable/id")?
        .as_str()
        .map(str::to_string)
}

/// Kubenet: one `aks-<pool>-vmssNNNNNN` route per node in the node subnet's route table,
/// kept in step with the node counts; other routes are left alone (as AKS does).
pub(crate) fn reconcile_kubenet_routes(store: &mut Store, cluster: &Value) {
    let np = &cluster["properties"]["networkProfile"];
    if np["networkPlugin"].as_str() != Some("kubenet") {
        return;
    }
    let pod_cidr = np["podCidr"].as_str().unwrap_or("10.244.0.0/16").to_string();
    let cluster_name = cluster["name"].as_str().unwrap_or("aks").to_ascii_lowercase();
    let mut per_table: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    let mut n = 0u32;
    for pool in cluster["properties"]["agentPoolProfiles"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let Some(subnet) = pool["vnetSubnetID"].as_str() else {
            continue;
        };
        // Without a BYO table, AKS creates and associates one in the node resource group.
        let Some(table) =
            subnet_route_table(store, subnet).or_else(|| managed_route_table(store, cluster, subnet))
        else {
            continue;
        };
        let prefix = lookup_subnet(store, subnet).unwrap_or_default();
        let count = pool["count"].as_u64().unwrap_or(0) as u32;
        for i in 0..count {
            let (Some(dest), Some(hop)) = (nth_slash24(&pod_cidr, n), node_ip(&prefix, n)) else {
                continue;
            };
            n += 1;
            let name = format!(
                "aks-{}-{}-vmss{i:06}",
                cluster_name,
                pool["name"].as_str().unwrap_or("pool")
            );
            per_table.entry(key(&table)).or_default().push(json!({
                "name": name, "id": format!("{table}/routes/{name}"), "type": "Microsoft.Network/routeTables/routes",
                "etag": etag(),
                "properties": {"addressPrefix": dest, "nextHopType": "VirtualAppliance", "nextHopIpAddress": hop, "provisioningState": "Succeeded"}
            }));
        }
    }
    let marker = format!("aks-{cluster_name}-");
    for (table, routes) in per_table {
        if let Some(t) = store.resources.get_mut(&table) {
            if let Some(list) = t
                .body
                .pointer_mut("/properties/routes")
                .and_then(Value::as_array_mut)
            {
                list.retain(|r| !r["name"].as_str().is_some_and(|n| n.starts_with(&marker)));
                list.extend(routes);
            }
            t.body["etag"] = json!(etag());
        }
    }
}

/// Deleting a kubenet cluster removes its routes from the BYO table.
pub(crate) fn remove_kubenet_routes(store: &mut Store, cluster: &Value) {
    let marker = format!(
        "aks-{}-",
        cluster["name"].as_str().unwrap_or("aks").to_ascii_lowercase()
    );
    for t in store.resources.values_mut() {
        if let Some(list) = t
            .body
            .pointer_mut("/properties/routes")
            .and_then(Value::as_array_mut)
        {
            let before = list.len();
            list.retain(|r| !r["name"].as_str().is_some_and(|n| n.starts_with(&marker)));
            if list.len() != before {
                t.body["etag"] = json!(etag());
            }
        }
    }
}

/// Nodes a pool can reach: the autoscaler maximum when set, else its count.
fn pool_nodes(p: &Value) -> u64 {
    p["count"]
        .as_u64()
        .unwrap_or(0)
        .max(p["maxCount"].as_u64().unwrap_or(0))
}

/// Kubenet and overlay give every node a /24 of the pod CIDR, counted at maxCount plus a
/// surge node per pool; AKS refuses up front (`InsufficientSubnetSize`, ERR #701).
fn pod_cidr_capacity(c: &Value) -> Result<(), Reply> {
    let plugin = np_str(c, "networkPlugin").unwrap_or("");
    let overlay = np_str(c, "networkPluginMode") == Some("overlay");
    if !(plugin == "kubenet" || overlay) {
        return Ok(());
    }
    let Some(pc) = np_str(c, "podCidr").and_then(v4) else {
        return Ok(());
    };
    let nodes: u64 = pools(c).iter().map(|p| pool_nodes(p) + 1).sum();
    let available = 1u64 << (32 - u32::from(pc.1));
    let needed = nodes * 256;
    if needed > available {
        return Err(flat(400, "InsufficientSubnetSize", &format!("Pre-allocated IPs {needed} exceeds IPs available {available} in Subnet Cidr {}, Subnet Name networkProfile.podCIDR. http://aka.ms/aks/insufficientsubnetsize", np_str(c, "podCidr").unwrap_or("")), "networkProfile.podCIDR"));
    }
    Ok(())
}

/// kubenet: the pod CIDR must not overlap the VNet of any node subnet
/// (`NetworkProfileCIDROverlapVNET`, body quoted in Azure/AKS-Construction#403).
fn vnet_overlap(store: &Store, c: &Value) -> Result<(), Reply> {
    if np_str(c, "networkPlugin") != Some("kubenet") {
        return Ok(());
    }
    let Some(pod) = np_str(c, "podCidr") else {
        return Ok(());
    };
    for p in pools(c) {
        let Some(sid) = p["vnetSubnetID"].as_str() else {
            continue;
        };
        for prefix in network::subnet_vnet_space(store, sid) {
            let prefix = prefix.as_str().unwrap_or("");
            if overlap(pod, prefix) {
                return Err(flat(
                    400,
                    "NetworkProfileCIDROverlapVNET",
                    &format!("NetworkProfile CIDR {pod} overlaps with reserved VNET CIDR {prefix}"),
                    "networkProfile.podCIDR",
                ));
            }
        }
    }
    Ok(())
}

/// `userDefinedRouting` needs a route table on the node subnet whose 0.0.0.0/0 route does
/// not go to the Internet (A-udr; real codes from ERR and azurerm#8609).
fn udr_prerequisites(store: &Store, c: &Value) -> Result<(), Reply> {
    if np_str(c, "outboundType") != Some("userDefinedRouting") {
        return Ok(());
    }
    for p in pools(c) {
        let Some(sid) = p["vnetSubnetID"].as_str() else {
            continue;
        };
        let Some(rt) = subnet_route_table(store, sid) else {
            return Err(flat(400, "ExistingRouteTableNotAssociatedWithSubnet", &format!("An existing route table has not been associated with subnet {sid}. Please update the route table association"), "networkProfile.outboundType"));
        };
        let routes = store
            .resources
            .get(&key(&rt))
            .and_then(|t| t.body.pointer("/properties/routes").cloned())
            .and_then(|r| r.as_array().cloned())
            .unwrap_or_default();
        if routes.iter().any(|r| {
            r["properties"]["addressPrefix"] == "0.0.0.0/0" && r["properties"]["nextHopType"] == "Internet"
        }) {
            return Err(flat(400, "RouteTableInvalidNextHop", "Default route 0.0.0.0/0 has a next hop of Internet but only next hops of VirtualAppliance or VirtualNetworkGateway are allowed. Please see https://aka.ms/aks/outboundtype for more details", "networkProfile.outboundType"));
        }
    }
    Ok(())
}

/// kubenet with a system-assigned identity refuses a node subnet that already has a route table,
/// on create (configure-kubenet, "Bring your own subnet and route table with kubenet": a custom
/// route table needs a user-assigned identity; AKS's body, Azure/AKS#2333: "Clusters using
/// managed identity type SystemAssigned do not support bringing your own route table. Please see
/// https://aka.ms/aks/customrt for more information"). The table AKS created itself does not
/// count. Only a written `SystemAssigned` is judged: what AKS picks when `identity` is absent is
/// not established by a primary source. code: not established by a primary source.
fn kubenet_system_identity_route_table(store: &Store, c: &Value) -> Result<(), Reply> {
    if np_str(c, "networkPlugin") != Some("kubenet")
        || !c["identity"]["type"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("SystemAssigned"))
    {
        return Ok(());
    }
    let managed = managed_route_table_id(c).map(|t| key(&t));
    for p in pools(c) {
        let Some(sid) = p["vnetSubnetID"].as_str() else {
            continue;
        };
        if subnet_route_table(store, sid).is_some_and(|t| Some(key(&t)) != managed) {
            return Err(flat(400, "InvalidParameter", "Clusters using managed identity type SystemAssigned do not support bringing your own route table. Please see https://aka.ms/aks/customrt for more information", "agentPoolProfile.vnetSubnetID"));
        }
    }
    Ok(())
}

/// `userAssignedNATGateway` needs a NAT gateway on every node subnet (nat-gateway, "Create an
/// AKS cluster with a user-assigned NAT gateway": "This configuration requires bring-your-own
/// networking (via Azure CNI) and that the NAT gateway is preconfigured on the subnet").
/// code: not established by a primary source.
fn user_nat_prerequisites(store: &Store, c: &Value) -> Result<(), Reply> {
    if np_str(c, "outboundType") != Some("userAssignedNATGateway") {
        return Ok(());
    }
    let pools = pools(c);
    if !pools.iter().any(|p| p["vnetSubnetID"].is_string()) {
        return Err(flat(400, "InvalidParameter", "Outbound type userAssignedNATGateway requires bring-your-own networking: a node subnet with a NAT gateway.", "networkProfile.outboundType"));
    }
    for p in pools {
        let Some(sid) = p["vnetSubnetID"].as_str() else {
            continue;
        };
        if !key(sid).contains("/subnets/") {
            continue;
        }
        let has_nat = store.body(&key(sid)).is_some_and(|s| {
            s.pointer("/properties/natGateway/id")
                .and_then(Value::as_str)
                .is_some()
        });
        if !has_nat {
            return Err(flat(400, "InvalidParameter", &format!("Outbound type userAssignedNATGateway requires a NAT gateway associated with subnet {sid}."), "networkProfile.outboundType"));
        }
    }
    Ok(())
}

/// Addresses the cluster takes from each subnet at peak: nodes (at the autoscaler maximum, plus
/// a surge node per pool), plus pods for flat Azure CNI (in the node subnet) or pod subnets.
fn subnet_demand(c: &Value) -> std::collections::BTreeMap<String, u64> {
    let flat_cni =
        np_str(c, "networkPlugin") == Some("azure") && np_str(c, "networkPluginMode") != Some("overlay");
    let mut demand: std::collections::BTreeMap<String, u64> = Default::default();
    for p in pools(c) {
        let nodes = pool_nodes(&p) + 1;
        let pods = p["maxPods"].as_u64().unwrap_or(30);
        if let Some(sid) = p["vnetSubnetID"].as_str() {
            let mut n = nodes;
            if flat_cni && p["podSubnetID"].as_str().is_none() {
                n += nodes * pods;
            }
            *demand.entry(sid.to_string()).or_default() += n;
        }
        if let Some(pid) = p["podSubnetID"].as_str() {
            *demand.entry(pid.to_string()).or_default() += nodes * pod_subnet_ips_per_node(&p);
        }
    }
    demand
}

/// Pod subnet addresses a node holds from the start. Dynamic allocation (the default mode)
/// hands them out in batches of 16 as pods come: configure-azure-cni-dynamic-ip-allocation,
/// Plan IP addressing: "IPs are allocated to nodes in batches of 16. Pod subnet IP allocation
/// should be planned with a minimum of 16 IPs per node in the cluster; nodes will request 16 IPs
/// on startup and will request another batch of 16 any time there are <8 IPs unallocated in
/// their allotment."; MicrosoftDocs/azure-docs#97370: "16 ip will be pre-allocated for a node
/// when it is provisioning. So if customer use a /24 subnet as pod subnet for a node pool, the
/// maximum number of node in the node pool is 15." So AKS pre-allocates 16 per node, not
/// maxPods: a pod subnet smaller than nodes × maxPods is accepted (pods beyond it wait for
/// addresses). Static block allocation reserves the node's blocks for its lifetime
/// (configure-azure-cni-static-block-allocation: "CIDR blocks are statically allocated to the
/// cluster nodes and are present for the lifetime of the node"), counted here at maxPods.
fn pod_subnet_ips_per_node(p: &Value) -> u64 {
    match p["podIPAllocationMode"].as_str() {
        Some(m) if m.eq_ignore_ascii_case("StaticBlock") => p["maxPods"].as_u64().unwrap_or(30),
        _ => 16,
    }
}

/// `(prefix, name, addresses free to this cluster)`: the subnet's size less Azure's five
/// reserved addresses and what others already hold.
fn subnet_room(store: &Store, sid: &str, c: &Value) -> Option<(String, String, u64)> {
    let prefix = lookup_subnet(store, sid)?;
    let (_, len) = v4(&prefix)?;
    let name = sid.rsplit('/').next().unwrap_or("").to_string();
    let size = (1u64 << (32 - u32::from(len))).saturating_sub(5);
    Some((prefix, name, size.saturating_sub(used_by_others(store, sid, c))))
}

/// AKS checks subnet room up front, on create and on every scale (cluster PUT, or agent pool
/// PUT with a larger count): more than the subnet's free addresses is a synchronous 400
/// `InsufficientSubnetSize`. Microsoft Learn, troubleshoot/azure/azure-kubernetes/connectivity/
/// insufficientsubnetsize-error-advanced-networking: the error occurs when scaling ("The number
/// of free IP addresses in the subnet is less than ... The number of new nodes that you request
/// times the node pool value in the --max-pod parameter" for Azure CNI; "the number of nodes is
/// the value in the --max-count parameter" with the autoscaler), upgrading (buffer nodes) and
/// creating. Body from AKS (https://github.com/Azure/AKS-Construction/issues/701):
/// {"code": "InsufficientSubnetSize", "details": null, "message": "Pre-allocated IPs 1280
/// exceeds IPs available 1024 in Subnet Cidr 10.240.100.0/22, Subnet Name networkProfile.podCIDR.
/// If Autoscaler is enabled, the max-count from each nodepool is counted towards this total
/// (which means that pre-allocated IPs count represents a theoretical max value, not the actual
/// number of IPs requested). http://aka.ms/aks/insufficientsubnetsize", "subcode": "", "target":
/// ...}; for a node subnet the target is `agentPoolProfile.count`
/// (https://github.com/rancher/rancher/issues/20784: Code="InsufficientSubnetSize"
/// Message="Pre-allocated IPs 333 exceeds IPs available in Subnet 251"
/// Target="agentPoolProfile.count", a /24: 256 less Azure's five).
fn subnet_capacity(store: &Store, c: &Value) -> Result<(), Reply> {
    for (sid, need) in subnet_demand(c) {
        let Some((prefix, name, room)) = subnet_room(store, &sid, c) else {
            continue;
        };
        if need > room {
            return Err(flat(400, "InsufficientSubnetSize", &format!("Pre-allocated IPs {need} exceeds IPs available {room} in Subnet Cidr {prefix}, Subnet Name {name}. If Autoscaler is enabled, the max-count from each nodepool is counted towards this total (which means that pre-allocated IPs count represents a theoretical max value, not the actual number of IPs requested). http://aka.ms/aks/insufficientsubnetsize"), "agentPoolProfile.count"));
        }
    }
    Ok(())
}

/// The end of a cluster's PUT operation: AKS allocates the addresses now. If another writer took
/// them while the operation ran (the up-front check passed), the operation fails with
/// `SubnetIsFull` (body as AKS returns it, https://github.com/Azure/AKS-Construction/issues/403:
/// "Subnet aks-sn with address prefix 10.240.0.0/29 does not have enough capacity for 1 IP
/// addresses"; the same text from a scale in https://github.com/Azure/AKS/issues/2531) and the
/// cluster keeps the addresses it had. Otherwise it now holds them (subnet `ipConfigurations`).
pub(crate) fn settle_ips(store: &mut Store, cluster: &Value) -> Option<Value> {
    for (sid, need) in subnet_demand(cluster) {
        let Some((prefix, name, room)) = subnet_room(store, &sid, cluster) else {
            continue;
        };
        if need > room {
            return Some(
                json!({"code": "SubnetIsFull", "message": format!("Subnet {name} with address prefix {prefix} does not have enough capacity for {need} IP addresses.")}),
            );
        }
    }
    consume_ips(store, cluster);
    None
}

/// The address spaces of the VNets the cluster's node and pod subnets are in.
fn vnet_spaces(store: &Store, c: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in pools(c) {
        for field in ["vnetSubnetID", "podSubnetID"] {
            let Some(sid) = p[field].as_str() else { continue };
            for prefix in network::subnet_vnet_space(store, sid)
                .iter()
                .filter_map(Value::as_str)
            {
                if !out.iter().any(|o| o == prefix) {
                    out.push(prefix.to_string());
                }
            }
        }
    }
    out
}

/// kubenet → Azure CNI Overlay: the per-node routes go, and so does the route table AKS
/// created (upgrade-aks-ipam-and-dataplane, Kubenet Cluster Upgrade: "When upgrading from
/// Kubenet to CNI Overlay, the route table will no longer be required for pod routing. If the
/// cluster is using a customer provided route table, the routes which were being used to direct
/// pod traffic to the correct node will automatically be deleted during the migration operation.
/// If the cluster is using a managed route table (the route table was created by AKS and lives
/// in the node resource group) then that route table will be deleted as part of the migration.").
/// A customer's own table and its other routes stay.
pub(crate) fn leave_kubenet(store: &mut Store, old: &Value, new: &Value) {
    if np_str(old, "networkPlugin") != Some("kubenet") || np_str(new, "networkPlugin") == Some("kubenet") {
        return;
    }
    remove_kubenet_routes(store, old);
    let Some(table) = managed_route_table_id(old) else {
        return;
    };
    if !store.resources.contains_key(&key(&table)) {
        return;
    }
    for subnet in network::subnets_using_route_table(store, &table) {
        if let Some(props) = store
            .body_mut(&key(&subnet))
            .and_then(|s| s.get_mut("properties"))
            .and_then(Value::as_object_mut)
        {
            props.remove("routeTable");
        }
    }
    store.resources.remove(&key(&table));
}

/// In-place network changes AKS allows (aks-network-rules.md §2); anything else is refused.
fn update_matrix(old: &Value, new: &Value) -> Result<(), Reply> {
    let o = |f: &str| np_str(old, f).unwrap_or("").to_string();
    let n = |f: &str| np_str(new, f).unwrap_or("").to_string();
    let deny = |prop: &str, why: &str| {
        Err(flat(
            400,
            "PropertyChangeNotAllowed",
            &format!("Changing property 'networkProfile.{prop}' is not allowed: {why}."),
            &format!("networkProfile.{prop}"),
        ))
    };
    let (op, np) = (o("networkPlugin"), n("networkPlugin"));
    let (om, nm) = (o("networkPluginMode"), n("networkPluginMode"));
    let ipam_changed = op != np || om != nm;
    if ipam_changed {
        let to_overlay = np == "azure" && nm == "overlay";
        let from_ok = op == "kubenet"
            || (op == "azure" && om.is_empty() && !pools(old).iter().any(|p| p["podSubnetID"].is_string()));
        if !(to_overlay && from_ok) {
            return deny("networkPlugin", &format!("{op}{} cannot become {np}{}; only kubenet or Azure CNI (node subnet) can move to Azure CNI Overlay", if om.is_empty() { String::new() } else { format!("/{om}") }, if nm.is_empty() { String::new() } else { format!("/{nm}") }));
        }
        overlay_prerequisites(old, new, &op)?;
    }
    let (od, nd) = (o("networkDataplane"), n("networkDataplane"));
    if od != nd && !(nd == "cilium" && (od.is_empty() || od == "azure")) {
        return deny("networkDataplane", &format!("{od} cannot become {nd}"));
    }
    if od != nd && ipam_changed {
        return deny(
            "networkDataplane",
            "the IPAM mode and the dataplane cannot change in the same operation",
        );
    }
    let (opol, npol) = (o("networkPolicy"), n("networkPolicy"));
    let none = |p: &str| p.is_empty() || p == "none";
    if opol != npol && !(none(&opol) || none(&npol) || npol == "cilium") {
        return deny(
            "networkPolicy",
            &format!("{opol} cannot become {npol} directly; set none first"),
        );
    }
    // AKS changelog 2026-05-29: "AKS now rejects Calico NPM and Azure NPM install and
    // uninstall operations on clusters running Kubernetes versions earlier than 1.30. Requests
    // are rejected at the API level". Moving to Cilium is neither. code: not established by a
    // primary source.
    let engine = |p: &str| p == "azure" || p == "calico";
    if opol != npol && (engine(&opol) || engine(&npol)) && npol != "cilium" {
        let (version, minor) = running_minor(old);
        if minor < 30 {
            return Err(flat(
                400,
                "InvalidParameter",
                &format!("Installing or uninstalling Azure NPM or Calico network policy requires Kubernetes 1.30 or later; the cluster runs {version}."),
                "networkProfile.networkPolicy",
            ));
        }
    }
    for f in ["serviceCidr", "dnsServiceIP"] {
        if o(f) != n(f) && !n(f).is_empty() {
            return deny(f, "it is fixed at creation");
        }
    }
    // Basic → Standard is an in-place, one-way update from Kubernetes 1.27
    // (upgrade-basic-load-balancer-on-aks: `az aks update --load-balancer-sku standard`;
    // "Once the migration begins, roll back isn't allowed"; "The minimum Kubernetes version
    // for this script is 1.27").
    let (osku, nsku) = (
        o("loadBalancerSku").to_ascii_lowercase(),
        n("loadBalancerSku").to_ascii_lowercase(),
    );
    if osku != nsku && !nsku.is_empty() {
        if !(osku == "basic" && nsku == "standard") {
            return deny(
                "loadBalancerSku",
                &format!("{osku} cannot become {nsku}; only basic can move, one-way, to standard"),
            );
        }
        let version = old["properties"]["kubernetesVersion"].as_str().unwrap_or("");
        let minor: u32 = version
            .split('.')
            .nth(1)
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        if minor < 27 {
            // code: not established by a primary source
            return deny(
                "loadBalancerSku",
                &format!(
                    "upgrading basic to standard needs Kubernetes 1.27 or newer, the cluster runs {version}"
                ),
            );
        }
    }
    let (opc, npc) = (o("podCidr"), n("podCidr"));
    // `none`: podCidr is not stored at this API version, so there is nothing to compare.
    if opc != npc && !npc.is_empty() && !opc.is_empty() && !ipam_changed && np != "none" {
        let superset = match (v4(&opc), v4(&npc)) {
            (Some(a), Some(b)) => b.1 <= a.1 && range(b).0 <= range(a).0 && range(a).1 <= range(b).1,
            _ => false,
        };
        if !(nm == "overlay" && superset) {
            return deny(
                "podCidr",
                "only an overlay pod CIDR can grow, and only to a superset of the current range",
            );
        }
    }
    Ok(())
}

/// The Kubernetes version a cluster runs and its minor number (0 when unreadable).
fn running_minor(c: &Value) -> (String, u32) {
    let version = c["properties"]["kubernetesVersion"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let minor = version
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    (version, minor)
}

/// What a kubenet or Azure CNI (node subnet) cluster needs before it moves to Azure CNI
/// Overlay. Microsoft Learn, update-azure-cni: "You can update an existing AKS cluster to
/// Azure CNI Overlay if the cluster: Is on Kubernetes version 1.27 or later. Doesn't use the
/// dynamic IP allocation feature. Doesn't have network policies enabled." and, for kubenet:
/// "To remove the route table, you need a user-assigned managed identity on the cluster.
/// System-assigned managed identities aren't supported." Network policies are read as Azure
/// NPM or Calico (the engines the page gives uninstall steps for). The running cluster's
/// version counts, not one the same request asks for. code: not established by a primary
/// source.
fn overlay_prerequisites(old: &Value, new: &Value, from: &str) -> Result<(), Reply> {
    let refuse = |why: String| {
        Err(flat(
            400,
            "InvalidParameter",
            &format!("The cluster cannot be updated to Azure CNI Overlay: {why}."),
            "networkProfile.networkPluginMode",
        ))
    };
    let (version, minor) = running_minor(old);
    if minor < 27 {
        return refuse(format!(
            "it runs Kubernetes {version}; version 1.27 or later is required"
        ));
    }
    let policy = np_str(old, "networkPolicy").unwrap_or("none");
    if policy == "azure" || policy == "calico" {
        return refuse(format!("network policy {policy} is enabled; uninstall it first"));
    }
    let identity = |c: &Value| c["identity"]["type"].as_str().map(str::to_string);
    // Only a system-assigned identity is named as unsupported; a body without an identity
    // block says nothing about it.
    let kind = identity(new).or_else(|| identity(old)).unwrap_or_default();
    if from == "kubenet" && kind.eq_ignore_ascii_case("SystemAssigned") {
        return refuse(
            "removing the kubenet route table needs a user-assigned managed identity; system-assigned managed identities aren't supported"
                .into(),
        );
    }
    Ok(())
}

/// The node resource group AKS names `MC_<rg>_<cluster>_<location>`.
pub(crate) fn node_resource_group(cluster: &Value) -> Option<String> {
    let id = cluster["id"].as_str()?;
    let rg = id.split('/').nth(4)?;
    Some(format!(
        "MC_{rg}_{}_{}",
        cluster["name"].as_str()?,
        cluster["location"].as_str().unwrap_or("westeurope")
    ))
}

/// The id of the route table AKS creates for a kubenet cluster in its node resource group.
fn managed_route_table_id(cluster: &Value) -> Option<String> {
    let id = cluster["id"].as_str()?;
    let sub = id.split('/').nth(2)?;
    let mc = node_resource_group(cluster)?;
    Some(format!(
        "/subscriptions/{sub}/resourceGroups/{mc}/providers/Microsoft.Network/routeTables/aks-agentpool-routetable"
    ))
}

/// Creates the AKS-managed route table (and its resource group) and associates the subnet.
fn managed_route_table(store: &mut Store, cluster: &Value, subnet_id: &str) -> Option<String> {
    let id = cluster["id"].as_str()?;
    let sub = id.split('/').nth(2)?;
    let mc = node_resource_group(cluster)?;
    let location = cluster["location"].as_str().unwrap_or("westeurope").to_string();
    let rg_id = format!("/subscriptions/{sub}/resourceGroups/{mc}");
    store.resources.entry(key(&rg_id)).or_insert_with(|| crate::store::Stored {
        id: rg_id.clone(),
        body: json!({"id": rg_id, "name": mc, "type": "Microsoft.Resources/resourceGroups", "location": location,
            "managedBy": id, "properties": {"provisioningState": "Succeeded"}}),
    });
    let table_id = managed_route_table_id(cluster)?;
    store.resources.entry(key(&table_id)).or_insert_with(|| crate::store::Stored {
        id: table_id.clone(),
        body: json!({"id": table_id, "name": "aks-agentpool-routetable", "type": "Microsoft.Network/routeTables",
            "location": location, "etag": etag(),
            "properties": {"provisioningState": "Succeeded", "disableBgpRoutePropagation": false, "routes": []}}),
    });
    let s = store.body_mut(&key(subnet_id))?;
    s["properties"]["routeTable"] = json!({"id": table_id});
    Some(table_id)
}

/// Addresses the cluster's nodes and (flat Azure CNI) pods hold now, as subnet
/// `ipConfigurations` tagged with the cluster's node resource group.
pub(crate) fn consume_ips(store: &mut Store, cluster: &Value) {
    let Some(mc) = node_resource_group(cluster) else {
        return;
    };
    release_ips(store, cluster);
    let flat_cni = np_str(cluster, "networkPlugin") == Some("azure")
        && np_str(cluster, "networkPluginMode") != Some("overlay");
    let sub = cluster["id"]
        .as_str()
        .and_then(|i| i.split('/').nth(2))
        .unwrap_or("")
        .to_string();
    for p in pools(cluster) {
        let pool = p["name"].as_str().unwrap_or("pool").to_string();
        let nodes = p["count"].as_u64().unwrap_or(0);
        let pods = p["maxPods"].as_u64().unwrap_or(30);
        let mut demand: Vec<(String, u64)> = Vec::new();
        if let Some(sid) = p["vnetSubnetID"].as_str() {
            let per_node = if flat_cni && p["podSubnetID"].as_str().is_none() {
                1 + pods
            } else {
                1
            };
            demand.push((sid.to_string(), per_node));
        }
        if let Some(pid) = p["podSubnetID"].as_str() {
            demand.push((pid.to_string(), pod_subnet_ips_per_node(&p)));
        }
        for (sid, per_node) in demand {
            let Some(subnet) = store.body_mut(&key(&sid)) else {
                continue;
            };
            let list = subnet["properties"]
                .as_object_mut()
                .map(|p| p.entry("ipConfigurations").or_insert(json!([])));
            if let Some(Value::Array(items)) = list {
                for node in 0..nodes {
                    for ip in 0..per_node {
                        items.push(json!({"id": format!("/subscriptions/{sub}/resourceGroups/{mc}/providers/Microsoft.Network/networkInterfaces/aks-{pool}-nic-{node}/ipConfigurations/ipconfig{ip}")}));
                    }
                }
            }
        }
    }
}

/// Gives back the addresses a cluster held (on update and delete).
pub(crate) fn release_ips(store: &mut Store, cluster: &Value) {
    let Some(mc) = node_resource_group(cluster) else {
        return;
    };
    let marker = format!("/resourcegroups/{}/", mc.to_ascii_lowercase());
    for v in store.resources.values_mut() {
        let Some(subnets) = v
            .body
            .pointer_mut("/properties/subnets")
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        for s in subnets {
            if let Some(items) = s
                .pointer_mut("/properties/ipConfigurations")
                .and_then(Value::as_array_mut)
            {
                items.retain(|c| {
                    !c["id"]
                        .as_str()
                        .is_some_and(|i| i.to_ascii_lowercase().contains(&marker))
                });
            }
        }
    }
}

/// IPs other clusters already hold in a subnet.
fn used_by_others(store: &Store, subnet_id: &str, cluster: &Value) -> u64 {
    let marker = node_resource_group(cluster)
        .map(|m| format!("/resourcegroups/{}/", m.to_ascii_lowercase()))
        .unwrap_or_default();
    store
        .body(&key(subnet_id))
        .and_then(|s| s.pointer("/properties/ipConfigurations"))
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter(|c| {
                    !c["id"]
                        .as_str()
                        .is_some_and(|i| i.to_ascii_lowercase().contains(&marker))
                })
                .count() as u64
        })
        .unwrap_or(0)
}
