//! Plan-time checks against the live VNet: address space and peerings, subnet sizes and the
//! addresses already in use, and the default route `userDefinedRouting` needs. Subnets
//! whose IDs are unknown (created in the same apply) are skipped, never failed.

use crate::arm::client::{ArmClient, ClientError};
use crate::arm::ids::{IdError, Kind, ResourceId};
use crate::arm::models::{AddressSpace, RouteTable, VirtualNetwork};
use crate::netplan::live::{w4_subnet, SubnetLookup, UdrTable};
use crate::netplan::{FieldPath, Finding, Step};

use super::schema::{Pool, State};

/// What Azure says about one subnet.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SubnetFacts {
    pub prefix: Option<String>,
    /// Addresses held by others (NICs, private endpoints, other clusters).
    pub in_use: u64,
    pub route_table: Option<String>,
    /// The associated NAT gateway's ID.
    pub nat_gateway: Option<String>,
}

/// The live context of a cluster's subnets.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Live {
    pub vnet_space: Vec<String>,
    /// Every subnet of the VNets holding the cluster's subnets: `(name, prefix)`.
    pub vnet_subnets: Vec<(String, String)>,
    pub peered: Vec<String>,
    pub node: Option<SubnetFacts>,
    pub pod: Option<SubnetFacts>,
    pub findings: Vec<Finding>,
}

pub(crate) fn pool_path(attr: &'static str) -> FieldPath {
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
pub(crate) fn shared_subnet(
    state: &State,
    attr: fn(&Pool) -> &aksnet_tfplugin::value::Value<String>,
) -> Option<String> {
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

/// The facts of subnet `name` (case-insensitive, as ARM compares names).
fn subnet_facts(vnet: &VirtualNetwork, name: &str) -> Option<SubnetFacts> {
    let subnet = vnet
        .properties
        .subnets
        .iter()
        .find(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name)))?;
    let p = &subnet.properties;
    Some(SubnetFacts {
        prefix: p
            .address_prefix
            .clone()
            .or_else(|| p.address_prefixes.first().cloned()),
        in_use: p.ip_configurations.len() as u64,
        route_table: p.route_table.as_ref().map(|t| t.id.clone()),
        nat_gateway: p.nat_gateway.as_ref().map(|t| t.id.clone()),
    })
}

/// Reads what the checks need. `creating` counts addresses in use (on update the
/// cluster's own addresses are among them).
pub(crate) async fn gather(client: &ArmClient, state: &State, creating: bool) -> Live {
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
        let vnet = vnet_id.path();
        let lookup = match client.get::<VirtualNetwork>(&vnet_id).await {
            Ok(Some(v)) => match subnet_facts(&v.body, subnet.name()) {
                Some(facts) => Ok((v.body, facts)),
                None => Err(SubnetLookup::SubnetMissing {
                    vnet,
                    subnet: subnet.name().to_string(),
                }),
            },
            Ok(None) => Err(SubnetLookup::VnetMissing { vnet }),
            Err(e) => Err(SubnetLookup::Unreadable {
                vnet,
                why: e.to_string(),
            }),
        };
        let (vnet, facts) = match lookup {
            Ok(found) => found,
            Err(lookup) => {
                live.findings.push(w4_subnet(pool_path(attr), attr, &id, &lookup));
                continue;
            }
        };
        if !seen_vnets.iter().any(|v| v.eq_ignore_ascii_case(&vnet_id.path())) {
            seen_vnets.push(vnet_id.path());
            let space = |a: &Option<AddressSpace>| {
                a.iter()
                    .flat_map(|a| a.address_prefixes.clone())
                    .collect::<Vec<_>>()
            };
            live.vnet_space.extend(space(&vnet.properties.address_space));
            for sub in &vnet.properties.subnets {
                let p = &sub.properties;
                let name = sub.name.clone().unwrap_or_default();
                let prefixes = p.address_prefix.iter().chain(p.address_prefixes.iter());
                live.vnet_subnets
                    .extend(prefixes.map(|prefix| (name.clone(), prefix.clone())));
            }
            for peering in &vnet.properties.virtual_network_peerings {
                live.peered
                    .extend(space(&peering.properties.remote_address_space));
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

/// Why the node subnet's route table could not be read for O1.
#[derive(Debug, thiserror::Error)]
pub(crate) enum UdrError {
    /// The subnet's `routeTable.id` from ARM is not a route table ID.
    #[error(transparent)]
    Id(#[from] IdError),
    /// Reading the table failed.
    #[error(transparent)]
    Read(#[from] ClientError),
}

/// The node subnet's route table as O1 reads it; `Err` when it could not be read.
pub(crate) async fn udr_table(client: &ArmClient, node: &SubnetFacts) -> Result<UdrTable, UdrError> {
    let Some(table) = &node.route_table else {
        return Ok(UdrTable::None);
    };
    let id = ResourceId::parse(Kind::RouteTable, table)?;
    match client.get::<RouteTable>(&id).await {
        Ok(Some(t)) => Ok(UdrTable::Routes {
            name: id.name().to_string(),
            routes: t
                .body
                .properties
                .routes
                .iter()
                .map(|r| {
                    (
                        r.properties.address_prefix.clone(),
                        r.properties.next_hop_type.clone(),
                    )
                })
                .collect(),
        }),
        Ok(None) => Ok(UdrTable::Missing { id: table.clone() }),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subnet_facts_count_addresses_in_use_and_the_route_table() {
        let vnet = json!({"properties": {"subnets": [{"name": "Nodes", "properties": {"addressPrefix": "10.0.1.0/24",
            "ipConfigurations": [{"id": "a"}, {"id": "b"}], "routeTable": {"id": "/rt"}, "natGateway": {"id": "/ng"}}}]}});
        let vnet: VirtualNetwork = serde_json::from_value(vnet).unwrap();
        let f = subnet_facts(&vnet, "nodes").expect("found case-insensitively");
        assert_eq!(
            f,
            SubnetFacts {
                prefix: Some("10.0.1.0/24".into()),
                in_use: 2,
                route_table: Some("/rt".into()),
                nat_gateway: Some("/ng".into())
            }
        );
        assert_eq!(subnet_facts(&vnet, "pods"), None);
    }
}
