//! Microsoft.ContainerService behaviour: defaults AKS fills in and the server-side checks
//! it makes, implemented independently of the provider's netplan (a shared bug would hide).

use serde_json::{json, Map, Value};

use crate::arm::{flat, Reply};
use crate::ids::{key, Target};
use crate::store::Store;

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
pub fn prepare(
    store: &Store,
    target: &Target,
    mut body: Map<String, Value>,
) -> Result<Map<String, Value>, Reply> {
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
    let props = body.entry("properties").or_insert_with(|| json!({}));
    let version = props
        .get("kubernetesVersion")
        .and_then(Value::as_str)
        .unwrap_or("1.33")
        .to_string();
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
    if (plugin == "kubenet" || overlay || plugin == "none") && np.get("podCidr").is_none() {
        np["podCidr"] = json!("10.244.0.0/16");
    }
    if plugin == "azure" && !overlay && np.get("podCidr").is_some() {
        return Err(flat(
            400,
            "InvalidParameter",
            "Pod CIDR can only be specified with kubenet, azure overlay or none network plugin.",
            "networkProfile.podCIDR",
        ));
    }
    if np.get("serviceCidr").is_none() {
        np["serviceCidr"] = json!("10.0.0.0/16");
        np["dnsServiceIP"] = json!("10.0.0.10");
    }
    np.as_object_mut()
        .map(|m| m.entry("outboundType").or_insert(json!("loadBalancer")));
    np.as_object_mut()
        .map(|m| m.entry("networkPolicy").or_insert(json!("none")));
    np.as_object_mut()
        .map(|m| m.entry("loadBalancerSku").or_insert(json!("standard")));
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
        }
    }
    let default_pods = match (plugin.as_str(), overlay) {
        ("kubenet", _) => 110,
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
            pool["maxPods"] = json!(default_pods);
        }
        if let Some(sid) = pool.get("vnetSubnetID").and_then(Value::as_str) {
            let subnet = lookup_subnet(store, sid).ok_or_else(|| {
                flat(
                    400,
                    "InvalidParameter",
                    &format!("Subnet {sid} could not be found."),
                    "agentPoolProfile.vnetSubnetID",
                )
            })?;
            subnets.push((sid.to_string(), subnet));
        }
    }
    for (sid, prefix) in &subnets {
        if overlap(&svc, prefix) {
            return Err(flat(400, "ServiceCidrOverlapExistingSubnetsCidr", &format!("The specified service CIDR {svc} is conflicted with an existing subnet CIDR {prefix}. Please see https://aka.ms/aks/servicecidroverlap for how to fix the error."), "networkProfile.serviceCIDR"));
        }
        if let Some(pc) = &pod {
            if overlap(pc, prefix) {
                return Err(flat(
                    400,
                    "NetworkProfileCIDROverlapVNET",
                    &format!(
                        "NetworkProfile CIDR {pc} overlaps with reserved VNET CIDR {prefix} of subnet {sid}."
                    ),
                    "networkProfile.podCIDR",
                ));
            }
        }
    }
    Ok(body)
}

fn lookup_subnet(store: &Store, id: &str) -> Option<String> {
    let k = key(id);
    let (vnet, name) = k.rsplit_once("/subnets/")?;
    let body = &store.resources.get(vnet)?.body;
    body.pointer("/properties/subnets")?
        .as_array()?
        .iter()
        .find(|s| {
            s.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })?
        .pointer("/properties/addressPrefix")
        .and_then(Value::as_str)
        .map(str::to_string)
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
    let k = key(subnet_id);
    let (vnet, name) = k.rsplit_once("/subnets/")?;
    store
        .resources
        .get(vnet)?
        .body
        .pointer("/properties/subnets")?
        .as_array()?
        .iter()
        .find(|s| {
            s.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })?
        .pointer("/properties/routeTable/id")?
        .as_str()
        .map(str::to_string)
}

/// Kubenet: one `aks-<pool>-vmssNNNNNN` route per node in the node subnet's route table,
/// kept in step with the node counts; other routes are left alone (as AKS does).
pub fn reconcile_kubenet_routes(store: &mut Store, cluster: &Value) {
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
        let Some(table) = subnet_route_table(store, subnet) else {
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
                "etag": crate::arm::etag(),
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
            t.body["etag"] = json!(crate::arm::etag());
        }
    }
}

/// Deleting a kubenet cluster removes its routes from the BYO table.
pub fn remove_kubenet_routes(store: &mut Store, cluster: &Value) {
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
                t.body["etag"] = json!(crate::arm::etag());
            }
        }
    }
}
