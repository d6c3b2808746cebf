//! `aksnet_subnet_usage`: a subnet's live address usage and how many more nodes it holds —
//! the live counterpart of `aksnet_pod_cidr_plan`, for preconditions and dashboards.
//!
//! Reads the subnet's virtual network (`VirtualNetworks_Get`: the subnet's prefixes, and
//! whether the VNet and subnet exist) and its usage (`VirtualNetworks_ListUsage`, ARM's own
//! count of the addresses in use per subnet; azure-rest-api-specs Microsoft.Network stable
//! 2025-01-01 virtualNetwork.json). The arithmetic is netplan's ([`crate::netplan::usage`]).

use std::collections::HashMap;
use std::sync::Arc;

use aksnet_tfplugin::schema::{AttributeConstraint as C, AttributeType as T, Block, Description, Schema};
use aksnet_tfplugin::value::{Value, ValueEmpty};
use aksnet_tfplugin::{DataSource, Diagnostics};
use async_trait::async_trait;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::arm::client::DEFAULT_READ_TIMEOUT;
use crate::arm::connection::Connection;
use crate::arm::ids::{Kind, ResourceId};
use crate::arm::models::VirtualNetwork;
use crate::netplan::live::{w4_subnet, SubnetLookup};
use crate::netplan::usage::{node_cost, subnet_usage, NodeCost, UsageSpec};
use crate::netplan::{FieldPath, Finding, RuleId};
use crate::resources::arm_common::connection_error;
use crate::tfvalue::{attribute, report, Redactions};

type Str = Value<String>;
type Num = Value<i64>;

/// Configuration and results, in lock-step with the schema.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct State {
    pub id: Str,
    pub subnet_id: Str,
    pub network_plugin: Str,
    pub network_plugin_mode: Str,
    pub pod_ip_allocation_mode: Str,
    pub subnet_role: Str,
    pub max_pods: Num,
    pub address_prefixes: Value<Vec<Str>>,
    pub total_addresses: Num,
    pub reserved_addresses: Num,
    pub used_addresses: Num,
    pub free_addresses: Num,
    pub largest_free_block: Num,
    pub ips_per_node: Num,
    pub additional_nodes: Num,
}

fn block() -> Block {
    let attrs = [
        ("id", attribute(T::String, C::Computed, "The subnet's ARM ID.")),
        ("subnet_id", attribute(T::String, C::Required, "The ARM ID of the subnet to measure, e.g. `azurerm_subnet.nodes.id`.")),
        ("network_plugin", attribute(T::String, C::Required, "Network plugin of the cluster using the subnet: `azure`, `kubenet` or `none`.")),
        ("network_plugin_mode", attribute(T::String, C::Optional, "`overlay` for Azure CNI Overlay (with `network_plugin = \"azure\"`): a node then takes one address of the node subnet.")),
        ("pod_ip_allocation_mode", attribute(T::String, C::Optional, "Set when the cluster uses Azure CNI with a pod subnet: `DynamicIndividual` (16-address batches per node) or `StaticBlock` (`ceil((max_pods + 1) / 16)` /28 blocks per node).")),
        ("subnet_role", attribute(T::String, C::Optional, "Which of the cluster's subnets `subnet_id` is: `node` (the default) or `pod` (the pod subnet; needs `pod_ip_allocation_mode`).")),
        ("max_pods", attribute(T::Number, C::OptionalComputed, "Pods per node, 10–250. Defaults to AKS's default for the plugin: kubenet 110, Azure CNI 30, overlay and `none` 250, pod subnet 110.")),
        ("address_prefixes", attribute(T::List(Box::new(T::String)), C::Computed, "The subnet's address prefixes, as Azure reports them.")),
        ("total_addresses", attribute(T::Number, C::Computed, "Addresses in the subnet's IPv4 prefixes.")),
        ("reserved_addresses", attribute(T::Number, C::Computed, "Addresses Azure keeps in every subnet: the first four and the last of each prefix, 5 per prefix ([Virtual Network FAQ](https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets)).")),
        ("used_addresses", attribute(T::Number, C::Computed, "Addresses in use, as ARM counts them (`VirtualNetworks_ListUsage` `currentValue`): NICs and their secondary IP configurations (Azure CNI pods included), private endpoints, load balancer front ends.")),
        ("free_addresses", attribute(T::Number, C::Computed, "Addresses still free: ARM's usable size of the subnet (`limit`, the total without the reserved addresses) less `used_addresses`.")),
        ("largest_free_block", attribute(T::Number, C::Computed, "Prefix length of the largest aligned block that is certainly free, wherever the used addresses lie (each can spoil at most one block of a size), e.g. `28` for a /28; more may be free. Null when no address is free.")),
        ("ips_per_node", attribute(T::Number, C::Computed, "Addresses one more node takes from this subnet: 1 in a node subnet, `max_pods + 1` with flat Azure CNI, its pods' 16-address batches or /28 blocks in a pod subnet.")),
        ("additional_nodes", attribute(T::Number, C::Computed, "Nodes the subnet still holds: `free_addresses / ips_per_node`, or for `StaticBlock` pod subnets the /28 blocks certainly free divided by the blocks per node. Upgrades need room for the surge nodes too (one per pool by default).")),
    ];
    Block {
        version: 1,
        attributes: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        blocks: HashMap::new(),
        description: Description::markdown(
            "Reads a subnet's live address usage from Azure and how many more AKS nodes it holds for a network plugin \
             and `max_pods`: the live counterpart of `aksnet_pod_cidr_plan`, for preconditions and dashboards.",
        ),
        deprecated: false,
    }
}

/// SubnetUsage implements `aksnet_subnet_usage`.
#[derive(Debug, Clone)]
pub(crate) struct SubnetUsage {
    connection: Arc<Connection>,
}

impl SubnetUsage {
    /// The data source, sharing the provider's connection.
    pub(crate) fn new(connection: Arc<Connection>) -> Self {
        Self { connection }
    }
}

fn known(v: &Str) -> Option<String> {
    v.as_ref_option().cloned()
}

/// The inputs' findings (I3 for the subnet ID, the sizing inputs' own rules), and what a node
/// costs when they hold. Unknown values are left for the read.
fn check(config: &State) -> (Vec<Finding>, Option<(ResourceId, NodeCost)>) {
    let mut findings = Vec::new();
    let id = match config.subnet_id.as_ref_option() {
        Some(raw) => match ResourceId::parse(Kind::Subnet, raw) {
            Ok(id) => Some(id),
            Err(e) => {
                findings.push(Finding::error(
                    RuleId::I3,
                    FieldPath::attr("subnet_id"),
                    "Invalid Subnet ID",
                    format!("subnet_id: {e}"),
                ));
                None
            }
        },
        None => None,
    };
    let inputs = [
        &config.network_plugin,
        &config.network_plugin_mode,
        &config.pod_ip_allocation_mode,
        &config.subnet_role,
    ];
    if inputs.iter().any(|v| v.is_unknown()) || config.max_pods.is_unknown() {
        return (findings, None);
    }
    let spec = UsageSpec {
        network_plugin: known(&config.network_plugin),
        network_plugin_mode: known(&config.network_plugin_mode),
        pod_ip_allocation_mode: known(&config.pod_ip_allocation_mode),
        subnet_role: known(&config.subnet_role),
        max_pods: config.max_pods.as_ref_option().copied(),
    };
    match node_cost(&spec) {
        Ok(cost) => (findings, id.map(|id| (id, cost))),
        Err(more) => {
            findings.extend(more);
            (findings, None)
        }
    }
}

fn num(n: u64) -> Num {
    Value::Value(i64::try_from(n).unwrap_or(i64::MAX))
}

#[async_trait]
impl DataSource for SubnetUsage {
    type State<'a> = State;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Schema {
            version: 1,
            block: block(),
        })
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Self::State<'a>) -> Option<()> {
        let (findings, _) = check(&config);
        report(diags, &findings, &config);
        Some(())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        config: Self::State<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<Self::State<'a>> {
        let (findings, checked) = check(&config);
        report(diags, &findings, &config);
        let Some((subnet, cost)) = checked else {
            if findings.is_empty() {
                diags.root_error_short(
                    "internal-error: aksnet_subnet_usage was read with values not yet known",
                );
            }
            return None;
        };
        let client = match self.connection.client().await {
            Ok(c) => c,
            Err(e) => {
                connection_error(diags, &e);
                return None;
            }
        };
        let vnet_id = subnet.parent()?;
        let hide = Redactions::of(&config);
        let fail = |diags: &mut Diagnostics, what: &str, e: &dyn std::fmt::Display| {
            diags.root_error(
                format!("Error Reading {what}"),
                hide.apply(&format!("reading {what} for subnet_id: {e}")),
            );
        };
        let missing = |diags: &mut Diagnostics, lookup: SubnetLookup| {
            let finding = w4_subnet(FieldPath::attr("subnet_id"), "subnet_id", &subnet.path(), &lookup);
            report(diags, &[finding], &config);
        };
        let vnet = match client
            .get_within::<VirtualNetwork>(&vnet_id, DEFAULT_READ_TIMEOUT)
            .await
        {
            Ok(Some(v)) => v.body,
            Ok(None) => {
                missing(
                    diags,
                    SubnetLookup::VnetMissing {
                        vnet: vnet_id.to_string(),
                    },
                );
                return None;
            }
            Err(e) => {
                fail(diags, "Virtual Network", &e);
                return None;
            }
        };
        let Some(found) = vnet.properties.subnets.iter().find(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(subnet.name()))
        }) else {
            missing(
                diags,
                SubnetLookup::SubnetMissing {
                    vnet: vnet_id.to_string(),
                    subnet: subnet.name().to_string(),
                },
            );
            return None;
        };
        let props = &found.properties;
        let prefixes: Vec<String> = props
            .address_prefix
            .iter()
            .chain(props.address_prefixes.iter())
            .cloned()
            .collect();
        let nets: Vec<IpNet> = prefixes.iter().filter_map(|p| p.parse().ok()).collect();
        let usages = match client.list_vnet_usages(&vnet_id, DEFAULT_READ_TIMEOUT).await {
            Ok(u) => u.unwrap_or_default(),
            Err(e) => {
                fail(diags, "Virtual Network Usage", &e);
                return None;
            }
        };
        let entry = usages.iter().find(|u| {
            u.id.as_deref()
                .and_then(|id| ResourceId::parse(Kind::Subnet, id).ok())
                .is_some_and(|id| id.path().eq_ignore_ascii_case(&subnet.path()))
        });
        // ARM lists every subnet; should it not, each IP configuration holds one address.
        let (used, limit) = match entry {
            Some(u) => (u.current_value.max(0.0) as u64, Some(u.limit.max(0.0) as u64)),
            None => {
                tracing::debug!(subnet = %subnet, "no usage entry for the subnet; counting its IP configurations");
                (props.ip_configurations.len() as u64, None)
            }
        };
        let usage = subnet_usage(&nets, used, limit, cost);
        let mut state = config;
        state.id = Value::Value(found.id.clone().unwrap_or_else(|| subnet.path()));
        state.max_pods = Value::Value(i64::from(cost.max_pods));
        state.address_prefixes = Value::Value(prefixes.into_iter().map(Value::Value).collect());
        state.total_addresses = num(usage.total);
        state.reserved_addresses = num(usage.reserved);
        state.used_addresses = num(usage.used);
        state.free_addresses = num(usage.free);
        state.largest_free_block = usage
            .largest_free_block
            .map_or(Value::Null, |p| Value::Value(i64::from(p)));
        state.ips_per_node = num(usage.ips_per_node);
        state.additional_nodes = num(usage.additional_nodes);
        Some(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::schema_guard;

    #[test]
    fn state_matches_schema_and_is_described() {
        let b = block();
        schema_guard::assert_state_matches(&State::default(), &b, "aksnet_subnet_usage");
        schema_guard::assert_well_described(&b, "aksnet_subnet_usage");
    }

    #[test]
    fn a_bad_subnet_id_is_i3_at_subnet_id_and_unknowns_wait() {
        let cfg = State {
            subnet_id: Value::Value("/subscriptions/x/resourceGroups/rg".into()),
            network_plugin: Value::Value("azure".into()),
            ..Default::default()
        };
        let (f, cost) = check(&cfg);
        assert!(cost.is_none());
        assert_eq!(
            (f[0].rule, f[0].path.to_string()),
            (RuleId::I3, "subnet_id".to_string())
        );
        let unknown = State {
            subnet_id: Value::Unknown,
            network_plugin: Value::Unknown,
            ..Default::default()
        };
        let (f, cost) = check(&unknown);
        assert!(f.is_empty() && cost.is_none());
    }
}
