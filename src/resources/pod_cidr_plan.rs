//! `aksnet_pod_cidr_plan`: a pure resource that plans an AKS cluster's address ranges.
//!
//! Every output is known at plan time, so `terraform plan` shows the address plan. Apply
//! stores what plan computed; nothing talks to Azure.

use std::collections::HashMap;
use std::net::IpAddr;

use aksnet_tfplugin::schema::{
    AttributeConstraint as C, AttributeType as T, Block, Description, NestedBlock, Schema,
};
use aksnet_tfplugin::value::{Value, ValueEmpty};
use aksnet_tfplugin::{AttributePath, Diagnostics, Resource};
use async_trait::async_trait;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::netplan::planner::{self, unset_ranges_are_planned, Plan, PlanRequest, PriorPlan};
use crate::netplan::profile::Located;
use crate::netplan::rules::validate_profile;
use crate::netplan::{cidr, FieldPath, Finding, NetworkProfile, NodePool, Step};
use crate::tfvalue::{attribute, known_strings, list_has_unknown, report, report_nulls};

/// The resource type, without the provider prefix.
pub const TYPE_NAME: &str = "pod_cidr_plan";

type Str = Value<String>;
type Num = Value<i64>;
type StrList = Value<Vec<Str>>;

/// PodCidrPlan implements `aksnet_pod_cidr_plan`.
#[derive(Debug, Default, Clone, Copy)]
pub struct PodCidrPlan;

/// Terraform state; one field per schema attribute and block, in lock-step with `schema()`.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub network_plugin: Str,
    pub network_plugin_mode: Str,
    pub pod_ip_allocation_mode: Str,
    pub address_space: StrList,
    pub reserved_cidrs: StrList,
    pub ip_families: StrList,
    pub pod_cidr: Str,
    pub service_cidr: Str,
    pub dns_service_ip: Str,
    pub headroom_percent: Num,
    pub node_pool: Value<Vec<Value<NodePoolBlock>>>,
    pub node_subnet_cidr: Str,
    pub pod_subnet_cidr: Str,
    pub pod_cidrs: StrList,
    pub service_cidrs: StrList,
    pub max_nodes: Num,
    pub max_nodes_limit: Str,
    pub required_node_ips: Num,
    pub required_pod_ips: Num,
    pub kubenet_routes_needed: Num,
    pub pools: Value<Vec<Value<PoolOutput>>>,
    pub warnings: StrList,
}

/// A `node_pool` block.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodePoolBlock {
    pub name: Str,
    pub os_type: Str,
    pub node_count: Num,
    pub min_count: Num,
    pub max_count: Num,
    pub max_pods: Num,
    pub max_surge: Str,
}

/// One element of the computed `pools` list.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolOutput {
    pub name: String,
    pub os_type: String,
    pub max_pods: i64,
    pub surge_nodes: i64,
    pub peak_nodes: i64,
    pub node_ips: i64,
    pub pod_ips: i64,
}

impl PodCidrPlan {
    /// The resource's schema block.
    pub fn schema_block() -> Block {
        Self::block()
    }

    fn block() -> Block {
        let list_str = || T::List(Box::new(T::String));
        let attrs = [
            ("id", attribute(T::String, C::Computed, "Identifier of this plan (random; the plan has no Azure resource).")),
            ("network_plugin", attribute(T::String, C::Required, "Network plugin the cluster will use. Possible values are `azure`, `kubenet` and `none` (bring your own CNI such as Cilium or Flannel).")),
            ("network_plugin_mode", attribute(T::String, C::Optional, "Set to `overlay` for Azure CNI Overlay (requires `network_plugin = \"azure\"`). Pods then take a /24 per node from `pod_cidr`, outside the VNet.")),
            ("pod_ip_allocation_mode", attribute(T::String, C::Optional, "Plan a pod subnet for Azure CNI (without overlay). Possible values are `DynamicIndividual` (16-address batches per node) and `StaticBlock` (/28 blocks per node, `ceil((max_pods + 1) / 16)` per node).")),
            ("address_space", attribute(list_str(), C::Required, "CIDRs to carve the node subnet (and pod subnet) from, usually the VNet's address space. Pod and service CIDRs are kept outside them.")),
            ("reserved_cidrs", attribute(list_str(), C::Optional, "Ranges to avoid: existing subnets of the VNet, peered VNets, on-premises and VPN ranges.")),
            ("ip_families", attribute(list_str(), C::Optional, "IP families: `[\"IPv4\"]` (the default) or `[\"IPv4\", \"IPv6\"]` for dual stack (overlay or `none` only).")),
            ("pod_cidr", attribute(T::String, C::OptionalComputed, "IPv4 pod CIDR for kubenet, overlay and `none`. Validated when set; when unset, AKS's default `10.244.0.0/16` if it is free, else the next free private range large enough for one /24 per node.")),
            ("service_cidr", attribute(T::String, C::OptionalComputed, "IPv4 service CIDR. Validated when set; when unset, AKS's default `10.0.0.0/16` if it is free, else the next free private /16 (or smaller).")),
            ("dns_service_ip", attribute(T::String, C::OptionalComputed, "Kubernetes DNS service IP inside `service_cidr`. When unset, the `.10` address of `service_cidr`.")),
            ("headroom_percent", attribute(T::Number, C::Optional, "Growth to reserve on top of the peak node count, in percent. Defaults to `0`.")),
            ("node_subnet_cidr", attribute(T::String, C::Computed, "The node subnet: the smallest free range of `address_space` that holds every node at peak (and, for flat Azure CNI, every pod). Azure keeps 5 addresses per subnet.")),
            ("pod_subnet_cidr", attribute(T::String, C::Computed, "The pod subnet, when `pod_ip_allocation_mode` is set; otherwise null.")),
            ("pod_cidrs", attribute(list_str(), C::Computed, "Pod CIDRs in `ip_families` order (IPv6 default `fd12:3456:789a::/64`); empty for flat Azure CNI and pod-subnet modes.")),
            ("service_cidrs", attribute(list_str(), C::Computed, "Service CIDRs in `ip_families` order (IPv6 default `fd12:3456:789a:1::/108`).")),
            ("max_nodes", attribute(T::Number, C::Computed, "Nodes the plan can hold, surge nodes included, at the pools' current mix of `max_pods`.")),
            ("max_nodes_limit", attribute(T::String, C::Computed, "What binds `max_nodes`: a range of this plan, the kubenet 400-route limit, or AKS's 5,000-node cluster limit.")),
            ("required_node_ips", attribute(T::Number, C::Computed, "Node-subnet addresses needed at peak (nodes, plus pods for flat Azure CNI).")),
            ("required_pod_ips", attribute(T::Number, C::Computed, "Pod addresses reserved at peak: a /24 (256) per node for kubenet, overlay and `none`; `max_pods` per node for flat Azure CNI; 16-address batches or /28 blocks for pod subnets.")),
            ("kubenet_routes_needed", attribute(T::Number, C::Computed, "Routes kubenet writes into the route table at peak (one per node); `0` for other plugins. Feed it to `aksnet_route_table.reserved_route_count`.")),
            ("pools", attribute(T::List(Box::new(T::Object(pool_output_type()))), C::Computed, "Per `node_pool`, in order: `name`, `os_type`, effective `max_pods`, `surge_nodes`, `peak_nodes` (`max(node_count, max_count)` + surge + headroom), `node_ips` and `pod_ips`.")),
            ("warnings", attribute(list_str(), C::Computed, "Rule warnings (retirements, unsupported ranges) and notes about ranges that moved since the last plan, each prefixed with its rule id.")),
        ];
        let pool_attrs = [
            ("name", attribute(T::String, C::Required, "Node pool name: lowercase letters and digits, starting with a letter, at most 12 characters (6 for Windows).")),
            ("os_type", attribute(T::String, C::Optional, "Operating system of the pool's nodes. Possible values are `Linux` and `Windows`. Defaults to `Linux`.")),
            ("node_count", attribute(T::Number, C::Optional, "Node count, or the initial count of an autoscaled pool. May be omitted when `min_count` and `max_count` are set: AKS starts the pool at `min_count` and the plan sizes for `max_count`; without them it is required.")),
            ("min_count", attribute(T::Number, C::Optional, "Autoscaler minimum.")),
            ("max_count", attribute(T::Number, C::Optional, "Autoscaler maximum; the plan sizes for it, as AKS checks capacity at `max_count`.")),
            ("max_pods", attribute(T::Number, C::Optional, "Maximum pods per node, 10–250. Defaults per plugin: kubenet 110, Azure CNI 30, overlay and `none` 250. With a pod subnet (dynamic or static block) Microsoft's pages disagree (250 on the dynamic IP allocation page, 110 in IP address planning): aksnet sizes for 250 until a primary source settles it; set `max_pods` to plan for what the pool runs.")),
            ("max_surge", attribute(T::String, C::Optional, "Extra nodes during upgrades: a count (`\"3\"`) or a percentage (`\"33%\"`, rounded up). Defaults to one node.")),
        ];
        Block {
            version: 1,
            attributes: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            blocks: HashMap::from([(
                "node_pool".to_string(),
                NestedBlock::List(Block {
                    version: 1,
                    attributes: pool_attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                    blocks: HashMap::new(),
                    description: Description::markdown("A node pool to plan for. At least one; the first is the system pool."),
                    deprecated: false,
                }),
            )]),
            description: Description::markdown(
                "Plans an AKS cluster's address ranges (node subnet, pod subnet, pod and service CIDRs, DNS service IP) \
                 from its node pools and checks them against every AKS networking rule at plan time. A pure resource: \
                 all outputs are known at plan, nothing is created in Azure, and import is not supported (there is nothing \
                 to import).",
            ),
            deprecated: false,
        }
    }
}

fn pool_output_type() -> HashMap<String, T> {
    [
        ("name", T::String),
        ("os_type", T::String),
        ("max_pods", T::Number),
        ("surge_nodes", T::Number),
        ("peak_nodes", T::Number),
        ("node_ips", T::Number),
        ("pod_ips", T::Number),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn located(v: &Str, path: FieldPath) -> Option<Located<String>> {
    v.as_ref_option().map(|s| Located::new(s.clone(), path))
}

fn located_list(v: &StrList, attr: &'static str) -> Vec<Located<String>> {
    known_strings(v)
        .into_iter()
        .map(|(i, s)| Located::new(s.to_string(), FieldPath::attr(attr).index(i)))
        .collect()
}

/// A count the rules can use; out-of-range values are left out (validation reports them),
/// so no rule speaks of a clamped `0` the user never wrote.
fn num(v: &Num) -> Option<u32> {
    v.as_ref_option().and_then(|n| u32::try_from(*n).ok())
}

/// Builds the netplan profile from known config values (unknown ones are left out).
fn profile(cfg: &State) -> NetworkProfile {
    let pod_subnet = cfg.pod_ip_allocation_mode.is_value();
    let pools = cfg
        .node_pool
        .as_ref_option()
        .map(|pools| {
            pools
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.as_ref_option().map(|p| (i, p)))
                .map(|(i, p)| NodePool {
                    path: FieldPath::attr("node_pool").index(i),
                    name: p.name.as_ref_option().cloned(),
                    os_type: p.os_type.as_ref_option().cloned(),
                    node_count: num(&p.node_count),
                    min_count: num(&p.min_count),
                    max_count: num(&p.max_count),
                    max_pods: num(&p.max_pods),
                    max_surge: p.max_surge.as_ref_option().cloned(),
                    uses_pod_subnet: pod_subnet,
                    pod_ip_allocation_mode: cfg.pod_ip_allocation_mode.as_ref_option().cloned(),
                    unknown: [
                        ("node_count", p.node_count.is_unknown()),
                        ("min_count", p.min_count.is_unknown()),
                        ("max_count", p.max_count.is_unknown()),
                        ("max_pods", p.max_pods.is_unknown()),
                        ("max_surge", p.max_surge.is_unknown()),
                        ("os_type", p.os_type.is_unknown()),
                        // pod_ip_allocation_mode stands for the pod subnet here.
                        ("pod_subnet_id", cfg.pod_ip_allocation_mode.is_unknown()),
                    ]
                    .into_iter()
                    .filter(|(_, u)| *u)
                    .map(|(a, _)| a)
                    .collect(),
                    placement: Default::default(),
                })
                .collect()
        })
        .unwrap_or_default();
    NetworkProfile {
        network_plugin: located(&cfg.network_plugin, FieldPath::attr("network_plugin")),
        network_plugin_mode: located(&cfg.network_plugin_mode, FieldPath::attr("network_plugin_mode")),
        pod_cidrs: located(&cfg.pod_cidr, FieldPath::attr("pod_cidr"))
            .into_iter()
            .collect(),
        service_cidrs: located(&cfg.service_cidr, FieldPath::attr("service_cidr"))
            .into_iter()
            .collect(),
        dns_service_ip: located(&cfg.dns_service_ip, FieldPath::attr("dns_service_ip")),
        ip_families: located_list(&cfg.ip_families, "ip_families"),
        vnet_address_space: located_list(&cfg.address_space, "address_space"),
        reserved_cidrs: located_list(&cfg.reserved_cidrs, "reserved_cidrs"),
        node_pools: pools,
        // Values known only after apply are not "unset" (issue 15 item 9).
        unknown: [
            ("network_plugin", cfg.network_plugin.is_unknown()),
            ("network_plugin_mode", cfg.network_plugin_mode.is_unknown()),
            ("pod_cidr", cfg.pod_cidr.is_unknown()),
            ("service_cidr", cfg.service_cidr.is_unknown()),
            ("dns_service_ip", cfg.dns_service_ip.is_unknown()),
            ("ip_families", list_has_unknown(&cfg.ip_families)),
        ]
        .into_iter()
        .filter(|(_, u)| *u)
        .map(|(a, _)| a)
        .collect(),
        ..Default::default()
    }
}

/// Runs the rules and points pool-level pod-subnet findings at `pod_ip_allocation_mode`,
/// the attribute that stands for the pod subnet in this resource.
fn rule_findings(cfg: &State) -> Vec<Finding> {
    let mut findings = validate_profile(&unset_ranges_are_planned(&profile(cfg)));
    for f in &mut findings {
        if let [Step::Attr("node_pool"), Step::Index(_), Step::Attr("pod_subnet_id" | "pod_ip_allocation_mode")] =
            f.path.0.as_slice()
        {
            f.path = FieldPath::attr("pod_ip_allocation_mode");
        }
    }
    findings
}

/// True when some input is unknown, so outputs cannot be computed yet.
fn inputs_unknown(cfg: &State) -> bool {
    let strs = [
        &cfg.network_plugin,
        &cfg.network_plugin_mode,
        &cfg.pod_ip_allocation_mode,
        &cfg.pod_cidr,
        &cfg.service_cidr,
        &cfg.dns_service_ip,
    ];
    strs.iter().any(|v| v.is_unknown())
        || cfg.headroom_percent.is_unknown()
        || [&cfg.address_space, &cfg.reserved_cidrs, &cfg.ip_families]
            .iter()
            .any(|l| list_has_unknown(l))
        || match &cfg.node_pool {
            Value::Unknown => true,
            Value::Null => false,
            Value::Value(pools) => pools.iter().any(|p| match p {
                Value::Unknown => true,
                Value::Null => false,
                Value::Value(p) => {
                    [&p.name, &p.os_type, &p.max_surge].iter().any(|v| v.is_unknown())
                        || [&p.node_count, &p.min_count, &p.max_count, &p.max_pods]
                            .iter()
                            .any(|v| v.is_unknown())
                }
            }),
        }
}

/// Schema-level checks Terraform core leaves to providers.
fn validate_shape(diags: &mut Diagnostics, cfg: &State) {
    let computed: [(&str, bool); 12] = [
        ("id", !cfg.id.is_null()),
        ("node_subnet_cidr", !cfg.node_subnet_cidr.is_null()),
        ("pod_subnet_cidr", !cfg.pod_subnet_cidr.is_null()),
        ("pod_cidrs", !cfg.pod_cidrs.is_null()),
        ("service_cidrs", !cfg.service_cidrs.is_null()),
        ("max_nodes", !cfg.max_nodes.is_null()),
        ("max_nodes_limit", !cfg.max_nodes_limit.is_null()),
        ("required_node_ips", !cfg.required_node_ips.is_null()),
        ("required_pod_ips", !cfg.required_pod_ips.is_null()),
        ("kubenet_routes_needed", !cfg.kubenet_routes_needed.is_null()),
        ("pools", !cfg.pools.is_null()),
        ("warnings", !cfg.warnings.is_null()),
    ];
    for (name, set) in computed {
        if set {
            diags.error(
                "Invalid Configuration for Read-Only Attribute",
                format!("`{name}` is computed by aksnet_pod_cidr_plan and cannot be set; remove it from the configuration."),
                AttributePath::new(name),
            );
        }
    }
    if let Value::Value(h) = cfg.headroom_percent {
        if !(0..=1000).contains(&h) {
            diags.error(
                "Invalid Headroom",
                format!("headroom_percent is {h}; it must be between 0 and 1000."),
                AttributePath::new("headroom_percent"),
            );
        }
    }
    match &cfg.node_pool {
        Value::Value(p) if p.is_empty() => no_pool(diags),
        Value::Null => no_pool(diags),
        _ => {}
    }
    if let Value::Value(pools) = &cfg.node_pool {
        for (i, p) in pools.iter().enumerate() {
            let Value::Value(p) = p else { continue };
            for (name, v) in [
                ("node_count", &p.node_count),
                ("min_count", &p.min_count),
                ("max_count", &p.max_count),
                ("max_pods", &p.max_pods),
            ] {
                if let Value::Value(n) = v {
                    if *n < 0 || *n > i64::from(u32::MAX) {
                        diags.error(
                            "Invalid Node Pool Number",
                            format!("node_pool[{i}].{name} is {n}; it must be a whole number of 0 or more."),
                            AttributePath::new("node_pool").index(i as i64).attribute(name),
                        );
                    }
                }
            }
        }
    }
}

fn no_pool(diags: &mut Diagnostics) {
    diags.root_error(
        "Missing Node Pool",
        "aksnet_pod_cidr_plan needs at least one `node_pool` block to size the plan; add one for the system pool.",
    );
}

fn parse_net_list(v: &StrList) -> Vec<IpNet> {
    known_strings(v)
        .into_iter()
        .filter_map(|(_, s)| cidr::parse_cidr(s).ok())
        .collect()
}

/// The previous outputs, used to keep ranges stable across updates.
fn prior_plan(prior: &State) -> PriorPlan {
    let net = |v: &Str| v.as_ref_option().and_then(|s| cidr::parse_cidr(s).ok());
    PriorPlan {
        node_subnet_cidr: net(&prior.node_subnet_cidr),
        pod_subnet_cidr: net(&prior.pod_subnet_cidr),
        pod_cidrs: parse_net_list(&prior.pod_cidrs),
        service_cidrs: parse_net_list(&prior.service_cidrs),
        dns_service_ip: prior
            .dns_service_ip
            .as_ref_option()
            .and_then(|s| s.parse::<IpAddr>().ok()),
    }
}

fn strs<T: ToString>(items: impl IntoIterator<Item = T>) -> StrList {
    Value::Value(items.into_iter().map(|s| Value::Value(s.to_string())).collect())
}

fn count(n: u64) -> Num {
    Value::Value(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Fills the computed attributes from a plan.
fn apply_plan(state: &mut State, plan: &Plan, warnings: &[Finding]) {
    state.node_subnet_cidr = Value::Value(plan.node_subnet_cidr.to_string());
    state.pod_subnet_cidr = plan.pod_subnet_cidr.map(|n| n.to_string()).into();
    state.pod_cidrs = strs(&plan.pod_cidrs);
    state.service_cidrs = strs(&plan.service_cidrs);
    state.pod_cidr = plan.pod_cidrs.first().map(|n| n.to_string()).into();
    state.service_cidr = plan.service_cidrs.first().map(|n| n.to_string()).into();
    state.dns_service_ip = Value::Value(plan.dns_service_ip.to_string());
    state.max_nodes = count(plan.max_nodes);
    state.max_nodes_limit = Value::Value(plan.max_nodes_limit.clone());
    state.required_node_ips = count(plan.required_node_ips);
    state.required_pod_ips = count(plan.required_pod_ips);
    state.kubenet_routes_needed = count(plan.kubenet_routes_needed);
    state.pools = Value::Value(
        plan.pools
            .iter()
            .map(|p| {
                Value::Value(PoolOutput {
                    name: p.name.clone(),
                    os_type: p.os_type.clone(),
                    max_pods: i64::from(p.max_pods),
                    surge_nodes: i64::from(p.surge_nodes),
                    peak_nodes: i64::try_from(p.peak_nodes).unwrap_or(i64::MAX),
                    node_ips: i64::try_from(p.node_ips).unwrap_or(i64::MAX),
                    pod_ips: i64::try_from(p.pod_ips).unwrap_or(i64::MAX),
                })
            })
            .collect(),
    );
    state.warnings = strs(warnings.iter().map(|w| w.to_string()));
}

fn mark_unknown(state: &mut State) {
    state.node_subnet_cidr = Value::Unknown;
    state.pod_subnet_cidr = Value::Unknown;
    state.pod_cidrs = Value::Unknown;
    state.service_cidrs = Value::Unknown;
    state.max_nodes = Value::Unknown;
    state.max_nodes_limit = Value::Unknown;
    state.required_node_ips = Value::Unknown;
    state.required_pod_ips = Value::Unknown;
    state.kubenet_routes_needed = Value::Unknown;
    state.pools = Value::Unknown;
    state.warnings = Value::Unknown;
    if state.pod_cidr.is_null() {
        state.pod_cidr = Value::Unknown;
    }
    if state.service_cidr.is_null() {
        state.service_cidr = Value::Unknown;
    }
    if state.dns_service_ip.is_null() {
        state.dns_service_ip = Value::Unknown;
    }
}

/// Plans `proposed` (user inputs from `config`, stability from `prior`).
fn plan_state(
    diags: &mut Diagnostics,
    proposed: State,
    config: &State,
    prior: Option<&State>,
) -> Option<State> {
    // Values unknown at validate (variables, other resources' attributes) are known here.
    report_nulls(diags, &PodCidrPlan::block(), config);
    if !diags.errors.is_empty() {
        return None;
    }
    let mut state = proposed;
    // Optional+Computed inputs: the user's value if set, else computed again below.
    state.pod_cidr = config.pod_cidr.clone();
    state.service_cidr = config.service_cidr.clone();
    state.dns_service_ip = config.dns_service_ip.clone();
    if inputs_unknown(config) {
        mark_unknown(&mut state);
        return Some(state);
    }
    let req = PlanRequest {
        profile: profile(config),
        headroom_percent: num(&config.headroom_percent).unwrap_or(0),
        prior: prior.map(prior_plan),
    };
    match planner::plan(&req) {
        Ok(plan) => {
            // Rule warnings were already shown at validate; moves are news of this plan only,
            // so they are reported but kept out of `warnings` (which must be stable to re-plan empty).
            let (moves, rules): (Vec<_>, Vec<_>) = plan
                .warnings
                .iter()
                .cloned()
                .partition(|w| w.summary == planner::MOVE_SUMMARY);
            report(diags, &moves, config);
            apply_plan(&mut state, &plan, &rules);
            Some(state)
        }
        Err(errors) => {
            report(diags, &errors, config);
            None
        }
    }
}

/// A deterministic id from the creating configuration: Terraform plans a create twice
/// (plan, then apply) and both must agree, so the id cannot be random. FNV-1a, 64 bits.
fn new_id(config: &State) -> String {
    let bytes = serde_json::to_vec(config).unwrap_or_default();
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("podcidrplan-{hash:016x}")
}

#[async_trait]
impl Resource for PodCidrPlan {
    type State<'a> = State;
    type PrivateState<'a> = ValueEmpty;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Schema {
            version: 1,
            block: Self::block(),
        })
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Self::State<'a>) -> Option<()> {
        report_nulls(diags, &Self::block(), &config);
        validate_shape(diags, &config);
        report(diags, &rule_findings(&config), &config);
        Some(())
    }

    async fn read<'a>(
        &self,
        _diags: &mut Diagnostics,
        state: Self::State<'a>,
        private_state: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        Some((state, private_state))
    }

    async fn plan_create<'a>(
        &self,
        diags: &mut Diagnostics,
        proposed: Self::State<'a>,
        config: Self::State<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let mut state = plan_state(diags, proposed, &config, None)?;
        state.id = Value::Value(new_id(&config));
        Some((state, ValueEmpty::default()))
    }

    async fn plan_update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: Self::State<'a>,
        proposed: Self::State<'a>,
        config: Self::State<'a>,
        _prior_private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>, Vec<AttributePath>)> {
        let mut state = plan_state(diags, proposed, &config, Some(&prior))?;
        state.id = prior.id.clone();
        Some((state, ValueEmpty::default(), Vec::new()))
    }

    async fn create<'a>(
        &self,
        _diags: &mut Diagnostics,
        planned: Self::State<'a>,
        _config: Self::State<'a>,
        planned_private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        Some((planned, planned_private))
    }

    async fn update<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: Self::State<'a>,
        planned: Self::State<'a>,
        _config: Self::State<'a>,
        planned_private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        Some((planned, planned_private))
    }

    async fn destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: Self::State<'a>,
        _planned_private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<()> {
        Some(())
    }

    async fn import<'a>(
        &self,
        diags: &mut Diagnostics,
        _id: String,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        diags.root_error(
            "Import Not Supported",
            "aksnet_pod_cidr_plan is computed entirely from its configuration and has no Azure resource to import; \
             declare it in configuration and run `terraform apply`.",
        );
        None
    }
}

#[cfg(test)]
mod tests;
