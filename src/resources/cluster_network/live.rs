//! Plan-time checks against the live VNet: address space and peerings, subnet sizes and the
//! addresses already in use, and the default route `userDefinedRouting` needs. Subnets
//! whose IDs are unknown (created in the same apply) are skipped, never failed.

use serde_json::Value as Json;

use crate::arm::client::ArmClient;
use crate::arm::ids::{Kind, ResourceId};
use crate::netplan::{FieldPath, Finding, RuleId, Step};

use super::schema::{Pool, State};

/// What Azure says about one subnet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubnetFacts {
    pub prefix: Option<String>,
    /// Addresses held by others (NICs, private endpoints, other clusters).
    pub in_use: u64,
    pub route_table: Option<String>,
}

/// The live context of a cluster's subnets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Live {
    pub vnet_space: Vec<String>,
    pub peered: Vec<String>,
    pub node: Option<SubnetFacts>,
    pub pod: Option<SubnetFacts>,
    pub findings: Vec<Finding>,
}

pub fn pool_path(attr: &'static str) -> FieldPath {
    FieldPath(vec![Step::Attr("default_node_pool"), Step::Attr(attr)])
}

fn pools(state: &State) -> Vec<&Pool> {
    let mut out: Vec<&Pool> = state.default_node_pool.as_ref_option().into_iter().collect();
    if let Some(list) = state.node_pool.as_ref_option() {
        out.extend(list.iter().filter_map(|p| p.as_ref_option()));
    }
    out
}

/// The subnet every pool shares for `attr`, when it is known and shared.
fn shared_subnet(state: &State, attr: fn(&Pool) -> &tf_provider::value::Value<String>) -> Option<String> {
    let all = pools(state);
    let first = all.first().map(|p| attr(p))?.as_ref_option()?.clone();
    all.iter()
        .all(|p| {
            attr(p)
                .as_ref_option()
                .is_none_or(|id| id.eq_ignore_ascii_case(&first))
                && !attr(p).is_unknown()
        })
        .then_some(first)
}

/// Why a route table cannot serve `userDefinedRouting`, if it cannot (O1).
pub fn default_route_problem(table: &str, routes: &[Json]) -> Option<String> {
    let default = routes
        .iter()
        .find(|r| r["properties"]["addressPrefix"] == "0.0.0.0/0");
    match default.and_then(|r| r["properties"]["nextHopType"].as_str()) {
        Some("VirtualAppliance" | "VirtualNetworkGateway") => None,
        Some(hop) => Some(format!(
            "route table {table} sends 0.0.0.0/0 to {hop}; userDefinedRouting needs it to go to a VirtualAppliance (firewall) or VirtualNetworkGateway."
        )),
        None => Some(format!(
            "route table {table} has no 0.0.0.0/0 route; add one with next_hop_type = \"VirtualAppliance\" (your firewall) or \"VirtualNetworkGateway\"."
        )),
    }
}

fn subnet_facts(vnet: &Json, name: &str) -> Option<SubnetFacts> {
    let subnet = vnet["properties"]["subnets"]
        .as_array()?
        .iter()
        .find(|s| s["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))?;
    let p = &subnet["properties"];
    Some(SubnetFacts {
        prefix: p["addressPrefix"]
            .as_str()
            .or_else(|| p["addressPrefixes"][0].as_str())
            .map(str::to_string),
        in_use: p["ipConfigurations"].as_array().map_or(0, |a| a.len() as u64),
        route_table: p["routeTable"]["id"].as_str().map(str::to_string),
    })
}

fn prefixes(v: &Json) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Reads what the checks need. `creating` counts addresses in use (on update the
/// cluster's own addresses are among them).
pub async fn gather(client: &ArmClient, state: &State, creating: bool) -> Live {
    let mut live = Live::default();
    let wanted = [
        ("vnet_subnet_id", shared_subnet(state, |p| &p.vnet_subnet_id)),
        ("pod_subnet_id", shared_subnet(state, |p| &p.pod_subnet_id)),
    ];
    let mut seen_vnets: Vec<String> = Vec::new();
    for (attr, id) in wanted {
        let Some(id) = id else { continue };
        let Ok(subnet) = ResourceId::parse(Kind::Subnet, &id) else {
            continue; // validate() reports malformed IDs
        };
        let Some(vnet_id) = subnet.parent() else { continue };
        let vnet = match client.get::<Json>(&vnet_id).await {
            Ok(Some(v)) => v.body,
            Ok(None) => {
                live.findings.push(Finding::error(
                    RuleId::W4,
                    pool_path(attr),
                    "Subnet Not Found",
                    format!("{attr} {id}: its virtual network {} does not exist. Create the VNet and subnet first, or reference them from their resources so the ID is known after apply.", vnet_id.path()),
                ));
                continue;
            }
            Err(e) => {
                live.findings.push(Finding::warning(
                    RuleId::W4,
                    pool_path(attr),
                    "Live Network Checks Skipped",
                    format!("reading {} failed, so overlaps and subnet capacity were not checked against Azure: {e}", vnet_id.path()),
                ));
                continue;
            }
        };
        let Some(facts) = subnet_facts(&vnet, subnet.name()) else {
            live.findings.push(Finding::error(
                RuleId::W4,
                pool_path(attr),
                "Subnet Not Found",
                format!(
                    "{attr} {id}: virtual network {} has no subnet named {}.",
                    vnet_id.path(),
                    subnet.name()
                ),
            ));
            continue;
        };
        if !seen_vnets.iter().any(|v| v.eq_ignore_ascii_case(&vnet_id.path())) {
            seen_vnets.push(vnet_id.path());
            live.vnet_space
                .extend(prefixes(&vnet["properties"]["addressSpace"]["addressPrefixes"]));
            for peering in vnet["properties"]["virtualNetworkPeerings"]
                .as_array()
                .into_iter()
                .flatten()
            {
                live.peered.extend(prefixes(
                    &peering["properties"]["remoteAddressSpace"]["addressPrefixes"],
                ));
            }
        }
        let facts = SubnetFacts {
            in_use: if creating { facts.in_use } else { 0 },
            ..facts
        };
        if attr == "vnet_subnet_id" {
            live.node = Some(facts);
        } else {
            live.pod = Some(facts);
        }
    }
    live
}

/// Whether the node subnet is ready for `userDefinedRouting` (O1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Udr {
    Ready,
    NoRouteTable,
    Broken(String),
}

/// O1 against Azure: the node subnet's route table sends 0.0.0.0/0 to an appliance or gateway.
pub async fn udr_status(client: &ArmClient, node: &SubnetFacts) -> Result<Udr, String> {
    let Some(table) = &node.route_table else {
        return Ok(Udr::NoRouteTable);
    };
    let id = ResourceId::parse(Kind::RouteTable, table).map_err(|e| e.to_string())?;
    match client.get::<Json>(&id).await {
        Ok(Some(t)) => Ok(default_route_problem(
            id.name(),
            t.body["properties"]["routes"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default(),
        )
        .map_or(Udr::Ready, Udr::Broken)),
        Ok(None) => Ok(Udr::Broken(format!(
            "route table {table} on the node subnet does not exist."
        ))),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn default_route_must_go_to_an_appliance_or_gateway() {
        let route =
            |prefix: &str, hop: &str| json!({"properties": {"addressPrefix": prefix, "nextHopType": hop}});
        assert_eq!(
            default_route_problem("rt", &[route("0.0.0.0/0", "VirtualAppliance")]),
            None
        );
        assert_eq!(
            default_route_problem("rt", &[route("0.0.0.0/0", "VirtualNetworkGateway")]),
            None
        );
        assert!(default_route_problem("rt", &[route("0.0.0.0/0", "Internet")])
            .unwrap()
            .contains("sends 0.0.0.0/0 to Internet"));
        assert!(
            default_route_problem("rt", &[route("10.0.0.0/8", "VirtualAppliance")])
                .unwrap()
                .contains("no 0.0.0.0/0 route")
        );
    }

    #[test]
    fn subnet_facts_count_addresses_in_use_and_the_route_table() {
        let vnet = json!({"properties": {"subnets": [{"name": "Nodes", "properties": {"addressPrefix": "10.0.1.0/24",
            "ipConfigurations": [{"id": "a"}, {"id": "b"}], "routeTable": {"id": "/rt"}}}]}});
        let f = subnet_facts(&vnet, "nodes").expect("found case-insensitively");
        assert_eq!(
            f,
            SubnetFacts {
                prefix: Some("10.0.1.0/24".into()),
                in_use: 2,
                route_table: Some("/rt".into())
            }
        );
        assert_eq!(subnet_facts(&vnet, "pods"), None);
    }
}
