//! Rules on what Azure says about a cluster's subnets (read at plan time by the resource):
//! the subnet exists (W4), for `userDefinedRouting` its route table sends the default route
//! to an appliance or gateway (O1), and kubenet with a system-assigned identity finds no
//! route table there (O6). The reading is the resource's; the verdicts are here.

use super::{FieldPath, Finding, RuleId};

/// What looking a subnet up found, when it was not there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SubnetLookup {
    /// The subnet's virtual network does not exist.
    VnetMissing { vnet: String },
    /// The virtual network has no subnet of that name.
    SubnetMissing { vnet: String, subnet: String },
    /// The virtual network could not be read.
    Unreadable { vnet: String, why: String },
}

/// W4: a subnet the cluster names must exist before the cluster is created; one that cannot
/// be read only skips the live checks.
pub(crate) fn w4_subnet(path: FieldPath, attr: &str, id: &str, lookup: &SubnetLookup) -> Finding {
    match lookup {
        SubnetLookup::VnetMissing { vnet } => Finding::error(
            RuleId::W4,
            path,
            "Subnet Not Found",
            format!("{attr} {id}: its virtual network {vnet} does not exist. Create the VNet and subnet first, or reference them from their resources so the ID is known after apply."),
        ),
        SubnetLookup::SubnetMissing { vnet, subnet } => Finding::error(
            RuleId::W4,
            path,
            "Subnet Not Found",
            format!("{attr} {id}: virtual network {vnet} has no subnet named {subnet}."),
        ),
        SubnetLookup::Unreadable { vnet, why } => Finding::warning(
            RuleId::W4,
            path,
            "Live Network Checks Skipped",
            format!("reading {vnet} failed, so overlaps and subnet capacity were not checked against Azure: {why}"),
        ),
    }
}

/// The node subnet's route table as O1 sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UdrTable {
    /// No route table is associated with the node subnet.
    None,
    /// The associated table does not exist.
    Missing { id: String },
    /// The table and its routes as `(address prefix, next hop type)`.
    Routes {
        name: String,
        routes: Vec<(String, String)>,
    },
}

/// O1: why the node subnet cannot serve `userDefinedRouting`, if it cannot. A missing table
/// is `Err` with the fix: at plan it may still be associated by the same apply.
fn o1_default_route(table: &UdrTable) -> Result<(), Option<String>> {
    match table {
        UdrTable::None => Err(None),
        UdrTable::Missing { id } => Err(Some(format!(
            "route table {id} on the node subnet does not exist."
        ))),
        UdrTable::Routes { name, routes } => {
            match routes.iter().find(|(p, _)| p == "0.0.0.0/0").map(|(_, hop)| hop.as_str()) {
                Some("VirtualAppliance" | "VirtualNetworkGateway") => Ok(()),
                Some(hop) => Err(Some(format!("route table {name} sends 0.0.0.0/0 to {hop}; userDefinedRouting needs it to go to a VirtualAppliance (firewall) or VirtualNetworkGateway."))),
                None => Err(Some(format!("route table {name} has no 0.0.0.0/0 route; add one with next_hop_type = \"VirtualAppliance\" (your firewall) or \"VirtualNetworkGateway\"."))),
            }
        }
    }
}

/// O1 at plan: no table yet is a warning (this apply may associate one, and apply checks
/// again before creating the cluster); a wrong or missing table is an error.
pub(crate) fn o1_udr(table: &UdrTable, subnet_path: FieldPath) -> Option<Finding> {
    match o1_default_route(table) {
        Ok(()) => None,
        Err(None) => Some(Finding::warning(RuleId::O1, subnet_path, "No Route Table On The Node Subnet Yet", "userDefinedRouting needs a route table with 0.0.0.0/0 → VirtualAppliance or VirtualNetworkGateway associated with the node subnet before the cluster is created. If this configuration associates one, it must be applied first; aksnet checks again before creating the cluster.")),
        Err(Some(why)) => Some(Finding::error(RuleId::O1, FieldPath::attr("outbound_type"), "Default Route Missing For userDefinedRouting", why)),
    }
}

/// O1 just before create, when a missing table is no longer pending: the error, if any.
pub(crate) fn o1_udr_at_create(table: &UdrTable) -> Option<Finding> {
    o1_default_route(table).err().map(|why| {
        Finding::error(
            RuleId::O1,
            FieldPath::attr("outbound_type"),
            "Default Route Missing For userDefinedRouting",
            why.unwrap_or_else(|| "the node subnet has no route table; associate one whose 0.0.0.0/0 route goes to a VirtualAppliance or VirtualNetworkGateway, then apply again.".into()),
        )
    })
}

/// O6 on create: kubenet with a system-assigned identity in a subnet that already has a route
/// table. AKS refuses it: "Clusters using managed identity type SystemAssigned do not support
/// bringing your own route table" (Azure/AKS#2333; limit-egress-traffic: "For user-defined
/// routing, system-assigned identity only supports the CNI network plugin"). `identity_path`
/// is the identity type's attribute, or the plugin's when the identity is AKS's default.
pub(crate) fn o6_route_table(route_table: Option<&str>, identity_path: FieldPath) -> Option<Finding> {
    route_table.map(|_| {
        Finding::error(
            RuleId::O6,
            identity_path,
            "Your Own Route Table Needs A User-Assigned Identity",
            "the node subnet already has a route table, and AKS refuses kubenet clusters with a system-assigned identity there (\"Clusters using managed identity type SystemAssigned do not support bringing your own route table\"). Use identity { type = \"UserAssigned\" identity_ids = [...] } with Network Contributor on the subnet and the route table, granted before create.",
        )
    })
}

/// O3: `userAssignedNATGateway` egresses through the NAT gateway associated with the node
/// subnet, so one must be there. Learn, nat-gateway ("Create an AKS cluster with a
/// `userAssignedNatGateway`"): "This configuration requires bring-your-own networking (via
/// Azure CNI) and that the NAT gateway is preconfigured on the subnet."; egress-outboundtype
/// (update to `userAssignedNATGateway`): "Before running the update command, associate an
/// existing NAT gateway with the cluster subnet." `nat_gateway` is the node subnet's
/// association as read. At plan a missing one is a warning, since the same apply may create
/// the association (the resource checks again just before creating the cluster, where
/// `at_create` makes it an error).
pub(crate) fn o3_nat_gateway(
    nat_gateway: Option<&str>,
    subnet_path: FieldPath,
    at_create: bool,
) -> Option<Finding> {
    if nat_gateway.is_some() {
        return None;
    }
    Some(if at_create {
        Finding::error(
            RuleId::O3,
            FieldPath::attr("outbound_type"),
            "No NAT Gateway On The Node Subnet",
            "userAssignedNATGateway sends egress through the NAT gateway associated with the node subnet, and the subnet has none; associate your NAT gateway with the subnet (azurerm_subnet_nat_gateway_association), then apply again.",
        )
    } else {
        Finding::warning(
            RuleId::O3,
            subnet_path,
            "No NAT Gateway On The Node Subnet Yet",
            "userAssignedNATGateway needs a NAT gateway associated with the node subnet before the cluster is created or switched to it. If this configuration associates one, it must be applied first (depends_on); aksnet checks again before creating the cluster.",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes(r: &[(&str, &str)]) -> UdrTable {
        UdrTable::Routes {
            name: "rt".into(),
            routes: r.iter().map(|(p, h)| (p.to_string(), h.to_string())).collect(),
        }
    }

    #[test]
    fn default_route_must_go_to_an_appliance_or_gateway() {
        assert_eq!(
            o1_default_route(&routes(&[("0.0.0.0/0", "VirtualAppliance")])),
            Ok(())
        );
        assert_eq!(
            o1_default_route(&routes(&[("0.0.0.0/0", "VirtualNetworkGateway")])),
            Ok(())
        );
        let why = |t| o1_default_route(&t).unwrap_err().unwrap();
        assert!(why(routes(&[("0.0.0.0/0", "Internet")])).contains("sends 0.0.0.0/0 to Internet"));
        assert!(why(routes(&[("10.0.0.0/8", "VirtualAppliance")])).contains("no 0.0.0.0/0 route"));
        assert_eq!(o1_default_route(&UdrTable::None), Err(None));
        assert!(why(UdrTable::Missing { id: "/rt".into() }).contains("does not exist"));
    }

    #[test]
    fn a_route_table_refuses_a_system_assigned_kubenet_cluster() {
        let p = FieldPath::attr("network_plugin");
        assert_eq!(o6_route_table(None, p.clone()), None);
        let f = o6_route_table(Some("/rt"), p).expect("a finding");
        assert!(f.is_error() && f.rule == RuleId::O6, "{f:?}");
    }

    #[test]
    fn user_assigned_nat_gateway_needs_one_on_the_node_subnet() {
        let p = FieldPath::attr("vnet_subnet_id");
        assert_eq!(o3_nat_gateway(Some("/ng"), p.clone(), false), None);
        assert_eq!(o3_nat_gateway(Some("/ng"), p.clone(), true), None);
        let plan = o3_nat_gateway(None, p.clone(), false).expect("warning");
        assert!(!plan.is_error() && plan.rule == RuleId::O3 && plan.path == p);
        let create = o3_nat_gateway(None, p, true).expect("error");
        assert!(create.is_error() && create.path == FieldPath::attr("outbound_type"));
        assert!(create.detail.contains("associate your NAT gateway"));
    }

    #[test]
    fn an_unreadable_vnet_is_a_warning_a_missing_one_an_error() {
        let p = FieldPath::attr("x");
        assert!(w4_subnet(
            p.clone(),
            "a",
            "id",
            &SubnetLookup::VnetMissing { vnet: "v".into() }
        )
        .is_error());
        assert!(!w4_subnet(
            p,
            "a",
            "id",
            &SubnetLookup::Unreadable {
                vnet: "v".into(),
                why: "403".into()
            }
        )
        .is_error());
    }
}
