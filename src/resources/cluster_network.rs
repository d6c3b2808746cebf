//! `aksnet_cluster_network`: an AKS cluster whose identity is its network. Plan runs every
//! netplan rule plus live checks of the VNet, and classifies changes by AKS's update matrix;
//! apply creates the cluster or migrates it in place, one step per request where AKS needs it.

mod body;
mod live;
mod schema;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value as Json;
use tf_provider::schema::Schema;
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{AttributePath, Diagnostics, Resource};

use crate::arm::client::{ArmClient, ClientError, Tagged};
use crate::arm::connection::Connection;
use crate::arm::ids::{Kind, ResourceId};
use crate::netplan::cluster::{
    validate_cluster, ClusterSpec, IdentitySpec, Input, LoadBalancerSpec, NatGatewaySpec, PoolSpec,
};
use crate::netplan::migration::{self, ClusterNetwork as Net};
use crate::netplan::profile::Located;
use crate::netplan::rules::validate_profile;
use crate::netplan::{FieldPath, Finding, NetworkProfile, NodePool, RuleId, Severity};
use crate::resources::arm_common::{self, arm_error, require_absent, same_location, with_timeout};
use crate::resources::timeouts;
use crate::tfvalue::{attribute_path, input, report};

use body::{desired, refresh, s, strs, Stage};
use live::{gather, pool_path, udr_status, Live, Udr};
pub use schema::State;
use schema::{Num, Pool, Str, StrList, FORCE_NEW, POOL_FIXED};

const DEFAULT_CRUD: Duration = Duration::from_secs(90 * 60);
const DEFAULT_READ: Duration = Duration::from_secs(5 * 60);

/// ClusterNetwork implements `aksnet_cluster_network`.
#[derive(Debug, Clone)]
pub struct ClusterNetwork {
    connection: Arc<Connection>,
}

impl ClusterNetwork {
    /// The resource, sharing the provider's connection.
    pub fn new(connection: Arc<Connection>) -> Self {
        Self { connection }
    }
}

fn id_of(state: &State, subscription: &str) -> Option<ResourceId> {
    Some(ResourceId::new(
        Kind::ManagedCluster,
        subscription,
        s(&state.resource_group_name)?,
        &[s(&state.name)?],
    ))
}

fn pools(state: &State) -> Vec<(FieldPath, &Pool)> {
    let mut out: Vec<(FieldPath, &Pool)> = state
        .default_node_pool
        .as_ref_option()
        .map(|p| (FieldPath::attr("default_node_pool"), p))
        .into_iter()
        .collect();
    if let Some(list) = state.node_pool.as_ref_option() {
        for (i, p) in list.iter().enumerate() {
            if let Some(p) = p.as_ref_option() {
                out.push((FieldPath::attr("node_pool").index(i), p));
            }
        }
    }
    out
}

/// A count netplan can use; negative values are left to the range check that reports them.
fn u32_of(v: &Num) -> Option<u32> {
    v.as_ref_option().and_then(|n| u32::try_from(*n).ok())
}

fn located(v: &Str, path: FieldPath) -> Option<Located<String>> {
    v.as_ref_option().map(|s| Located::new(s.clone(), path))
}

fn located_list(v: &StrList, attr: &'static str) -> Vec<Located<String>> {
    v.as_ref_option()
        .map(|items| {
            items
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    s.as_ref_option()
                        .map(|s| Located::new(s.clone(), FieldPath::attr(attr).index(i)))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The netplan profile of `cfg` (planned values) plus what Azure says about its subnets.
/// `config` decides which of a single/list pair findings point at.
fn profile(cfg: &State, config: &State, live: &Live) -> NetworkProfile {
    let cidrs = |single: &Str, plural: &StrList, one: &'static str, many: &'static str| {
        let list_declared = match one {
            "pod_cidr" => config.pod_cidrs.is_value(),
            _ => config.service_cidrs.is_value(),
        };
        if list_declared || (plural.is_value() && single.is_null()) {
            located_list(plural, many)
        } else {
            located(single, FieldPath::attr(one)).into_iter().collect()
        }
    };
    let subnet = |f: &Option<live::SubnetFacts>, attr: &'static str| {
        f.as_ref()
            .and_then(|f| f.prefix.clone())
            .map(|p| Located::new(p, pool_path(attr)))
    };
    let space = |items: &[String]| {
        items
            .iter()
            .map(|c| Located::new(c.clone(), pool_path("vnet_subnet_id")))
            .collect()
    };
    NetworkProfile {
        network_plugin: located(&cfg.network_plugin, FieldPath::attr("network_plugin")),
        network_plugin_mode: located(&cfg.network_plugin_mode, FieldPath::attr("network_plugin_mode")),
        network_policy: located(&cfg.network_policy, FieldPath::attr("network_policy")),
        network_data_plane: located(&cfg.network_data_plane, FieldPath::attr("network_data_plane")),
        pod_cidrs: cidrs(&cfg.pod_cidr, &cfg.pod_cidrs, "pod_cidr", "pod_cidrs"),
        service_cidrs: cidrs(
            &cfg.service_cidr,
            &cfg.service_cidrs,
            "service_cidr",
            "service_cidrs",
        ),
        dns_service_ip: located(&cfg.dns_service_ip, FieldPath::attr("dns_service_ip")),
        ip_families: located_list(&cfg.ip_families, "ip_families"),
        outbound_type: located(&cfg.outbound_type, FieldPath::attr("outbound_type")),
        load_balancer_sku: located(&cfg.load_balancer_sku, FieldPath::attr("load_balancer_sku")),
        kubernetes_version: located(&cfg.kubernetes_version, FieldPath::attr("kubernetes_version")),
        vnet_address_space: space(&live.vnet_space),
        reserved_cidrs: space(&live.peered),
        node_subnet_cidr: subnet(&live.node, "vnet_subnet_id"),
        pod_subnet_cidr: subnet(&live.pod, "pod_subnet_id"),
        node_subnet_in_use: live.node.as_ref().map_or(0, |f| f.in_use),
        pod_subnet_in_use: live.pod.as_ref().map_or(0, |f| f.in_use),
        node_pools: pools(cfg)
            .into_iter()
            .map(|(path, p)| NodePool {
                path,
                name: p.name.as_ref_option().cloned(),
                os_type: p.os_type.as_ref_option().cloned(),
                node_count: u32_of(&p.node_count),
                min_count: u32_of(&p.min_count),
                max_count: u32_of(&p.max_count),
                max_pods: u32_of(&p.max_pods),
                max_surge: p.max_surge.as_ref_option().cloned(),
                uses_pod_subnet: !p.pod_subnet_id.is_null(),
                pod_ip_allocation_mode: p.pod_ip_allocation_mode.as_ref_option().cloned(),
            })
            .collect(),
    }
}

/// A list whose elements are all known, else unknown.
fn input_list(v: &StrList) -> Input<Vec<String>> {
    match v {
        Value::Null => Input::Unset,
        _ => strs(v).map_or(Input::Unknown, Input::Set),
    }
}

/// The cluster as [`validate_cluster`] reads it.
fn cluster_spec(cfg: &State) -> ClusterSpec {
    let read_only_set = [
        ("id", !cfg.id.is_null()),
        ("fqdn", !cfg.fqdn.is_null()),
        ("node_resource_group", !cfg.node_resource_group.is_null()),
        ("effective_outbound_ips", !cfg.effective_outbound_ips.is_null()),
        ("kubenet_route_table_id", !cfg.kubenet_route_table_id.is_null()),
    ];
    let single_and_list = [
        (
            "pod_cidr",
            "pod_cidrs",
            !cfg.pod_cidr.is_null() && !cfg.pod_cidrs.is_null(),
        ),
        (
            "service_cidr",
            "service_cidrs",
            !cfg.service_cidr.is_null() && !cfg.service_cidrs.is_null(),
        ),
    ];
    let owned = |v: &Str| s(v).map(str::to_string);
    ClusterSpec {
        read_only_set: read_only_set
            .iter()
            .filter(|(_, set)| *set)
            .map(|(a, _)| *a)
            .collect(),
        single_and_list: single_and_list
            .iter()
            .filter(|(.., both)| *both)
            .map(|(a, b, _)| (*a, *b))
            .collect(),
        name: owned(&cfg.name),
        dns_prefix: owned(&cfg.dns_prefix),
        location: owned(&cfg.location),
        kubernetes_version: owned(&cfg.kubernetes_version),
        sku_tier: owned(&cfg.sku_tier),
        network_plugin: owned(&cfg.network_plugin),
        identity: match &cfg.identity {
            Value::Value(i) => Input::Set(IdentitySpec {
                kind: owned(&i.kind),
                ids: input_list(&i.identity_ids),
            }),
            Value::Null => Input::Unset,
            Value::Unknown => Input::Unknown,
        },
        pools: pools(cfg)
            .into_iter()
            .map(|(path, p)| PoolSpec {
                path,
                vm_size: p.vm_size.as_ref_option().cloned(),
                node_count: p.node_count.as_ref_option().copied(),
                min_count: input(&p.min_count),
                max_count: input(&p.max_count),
                max_pods: p.max_pods.as_ref_option().copied(),
                auto_scaling: input(&p.auto_scaling_enabled),
                has_node_subnet: !p.vnet_subnet_id.is_null(),
                bad_subnet_ids: [
                    ("vnet_subnet_id", &p.vnet_subnet_id),
                    ("pod_subnet_id", &p.pod_subnet_id),
                ]
                .into_iter()
                .filter_map(|(attr, v)| {
                    Some((attr, ResourceId::parse(Kind::Subnet, s(v)?).err()?.to_string()))
                })
                .collect(),
                zones: strs(&p.zones),
            })
            .collect(),
        pools_unknown: cfg.default_node_pool.is_unknown(),
        outbound_type: input(&cfg.outbound_type),
        load_balancer_profile: cfg
            .load_balancer_profile
            .as_ref_option()
            .map(|lb| LoadBalancerSpec {
                managed_outbound_ip_count: lb.managed_outbound_ip_count.as_ref_option().copied(),
                managed_outbound_ipv6_count: lb.managed_outbound_ipv6_count.as_ref_option().copied(),
                outbound_ip_address_ids_set: !lb.outbound_ip_address_ids.is_null(),
                outbound_ip_prefix_ids_set: !lb.outbound_ip_prefix_ids.is_null(),
                outbound_ports_allocated: lb.outbound_ports_allocated.as_ref_option().copied(),
                idle_timeout_in_minutes: lb.idle_timeout_in_minutes.as_ref_option().copied(),
            }),
        nat_gateway_profile: cfg.nat_gateway_profile.as_ref_option().map(|nat| NatGatewaySpec {
            managed_outbound_ip_count: nat.managed_outbound_ip_count.as_ref_option().copied(),
            idle_timeout_in_minutes: nat.idle_timeout_in_minutes.as_ref_option().copied(),
        }),
    }
}

/// Checks of the configuration beyond the network profile (netplan's cluster rules).
fn shape_findings(cfg: &State) -> Vec<Finding> {
    validate_cluster(&cluster_spec(cfg))
}

/// Static findings: the shape and every netplan rule (no Azure calls).
fn static_findings(cfg: &State) -> Vec<Finding> {
    let mut f = shape_findings(cfg);
    f.extend(validate_profile(&profile(cfg, cfg, &Live::default())));
    f
}

/// AKS's documented defaults (service 10.0.0.0/16 with DNS 10.0.0.10; pods 10.244.0.0/16
/// for kubenet, overlay and none) filled into what the plan leaves unset.
fn with_aks_defaults(planned: &State) -> State {
    let mut p = planned.clone();
    if [&p.service_cidr, &p.dns_service_ip].iter().all(|v| v.is_null()) && p.service_cidrs.is_null() {
        p.service_cidr = Value::Value("10.0.0.0/16".into());
        p.dns_service_ip = Value::Value("10.0.0.10".into());
    }
    let uses_pod_cidr = matches!(s(&p.network_plugin), Some("kubenet" | "none"))
        || s(&p.network_plugin_mode) == Some("overlay");
    if uses_pod_cidr && p.pod_cidr.is_null() && p.pod_cidrs.is_null() {
        p.pod_cidr = Value::Value("10.244.0.0/16".into());
    }
    p
}

fn known(v: &Str) -> Option<String> {
    match v {
        Value::Value(x) => Some(x.clone()),
        Value::Null => Some(String::new()),
        Value::Unknown => None,
    }
}

fn known_list(v: &StrList) -> Option<Vec<String>> {
    match v {
        Value::Null => Some(Vec::new()),
        _ => strs(v),
    }
}

/// The migration view of a state (prior or planned).
fn net_of(state: &State) -> Net {
    let all = pools(state);
    let egress = match (
        state.load_balancer_profile.as_ref_option(),
        state.nat_gateway_profile.as_ref_option(),
    ) {
        (Some(lb), _) => {
            let n = |v: &Num| match v {
                Value::Unknown => None,
                v => Some(v.as_ref_option().copied()),
            };
            (|| {
                Some(format!(
                    "lb {:?} {:?} {:?} {:?}",
                    n(&lb.managed_outbound_ip_count)?,
                    n(&lb.managed_outbound_ipv6_count)?,
                    known_list(&lb.outbound_ip_address_ids)?,
                    known_list(&lb.outbound_ip_prefix_ids)?
                ))
            })()
        }
        (None, Some(nat)) => match &nat.managed_outbound_ip_count {
            Value::Unknown => None,
            v => Some(format!("nat {:?}", v.as_ref_option())),
        },
        (None, None) => Some(String::new()),
    };
    Net {
        plugin: known(&state.network_plugin),
        plugin_mode: known(&state.network_plugin_mode),
        policy: known(&state.network_policy),
        dataplane: known(&state.network_data_plane),
        pod_cidrs: known_list(&state.pod_cidrs),
        service_cidrs: known_list(&state.service_cidrs),
        dns_service_ip: known(&state.dns_service_ip),
        ip_families: known_list(&state.ip_families),
        outbound_type: known(&state.outbound_type),
        load_balancer_sku: known(&state.load_balancer_sku),
        egress_ips: egress,
        kubernetes_version: known(&state.kubernetes_version),
        byo_vnet: all.iter().any(|(_, p)| !p.vnet_subnet_id.is_null()),
        pod_subnet: all.iter().any(|(_, p)| !p.pod_subnet_id.is_null()),
        windows: all.iter().any(|(_, p)| s(&p.os_type) == Some("Windows")),
    }
}

/// Keeps a single-value attribute and its list twin consistent: the one the configuration
/// sets decides the other; with neither set both keep their prior (or unknown) values.
fn pair(
    single: &mut Str,
    plural: &mut StrList,
    cfg_single: &Str,
    cfg_plural: &StrList,
    prior: Option<(&Str, &StrList)>,
) {
    if cfg_plural.is_unknown() || cfg_single.is_unknown() {
        *single = Value::Unknown;
        *plural = Value::Unknown;
    } else if let Some(items) = cfg_plural.as_ref_option() {
        *single = items.first().cloned().unwrap_or(Value::Null);
    } else if let Some(v) = cfg_single.as_ref_option() {
        *plural = match prior {
            Some((ps, pp)) if ps.as_ref_option() == Some(v) => pp.clone(),
            _ => Value::Value(vec![Value::Value(v.clone())]),
        };
    } else if prior.is_none() {
        *single = Value::Unknown;
        *plural = Value::Unknown;
    }
}

fn unknown_if_null<T>(v: &mut Value<T>) {
    if v.is_null() {
        *v = Value::Unknown;
    }
}

/// Computed values of a new cluster are unknown until AKS has defaulted them.
fn mark_create_unknowns(p: &mut State) {
    p.id = Value::Unknown;
    p.fqdn = Value::Unknown;
    p.node_resource_group = Value::Unknown;
    p.effective_outbound_ips = Value::Unknown;
    p.kubenet_route_table_id = Value::Unknown;
    for v in [
        &mut p.kubernetes_version,
        &mut p.sku_tier,
        &mut p.network_plugin,
        &mut p.network_plugin_mode,
        &mut p.network_policy,
        &mut p.network_data_plane,
        &mut p.dns_service_ip,
        &mut p.outbound_type,
        &mut p.load_balancer_sku,
    ] {
        unknown_if_null(v);
    }
    unknown_if_null(&mut p.ip_families);
    let mut fix = |pool: &mut Pool| {
        unknown_if_null(&mut pool.os_type);
        unknown_if_null(&mut pool.node_count);
        unknown_if_null(&mut pool.max_pods);
        unknown_if_null(&mut pool.max_surge);
        unknown_if_null(&mut pool.pod_ip_allocation_mode);
    };
    if let Some(pool) = p.default_node_pool.as_mut_option() {
        fix(pool);
    }
    if let Some(list) = p.node_pool.as_mut_option() {
        list.iter_mut()
            .filter_map(Value::as_mut_option)
            .for_each(&mut fix);
    }
}

/// Pool attributes that changed in a way AKS cannot apply to an existing pool.
fn pool_replacements(prior: &State, planned: &State) -> Vec<(AttributePath, String)> {
    let mut out = Vec::new();
    let fixed = |a: &Pool, b: &Pool, base: AttributePath, out: &mut Vec<(AttributePath, String)>| {
        let pairs: [(&str, bool); 8] = [
            ("name", a.name != b.name),
            ("vm_size", a.vm_size != b.vm_size),
            ("os_type", a.os_type != b.os_type),
            ("max_pods", a.max_pods != b.max_pods),
            ("vnet_subnet_id", a.vnet_subnet_id != b.vnet_subnet_id),
            ("pod_subnet_id", a.pod_subnet_id != b.pod_subnet_id),
            (
                "pod_ip_allocation_mode",
                a.pod_ip_allocation_mode != b.pod_ip_allocation_mode,
            ),
            ("zones", a.zones != b.zones),
        ];
        debug_assert_eq!(pairs.len(), POOL_FIXED.len());
        for (attr, differs) in pairs {
            if differs {
                out.push((
                    base.clone().attribute(attr),
                    format!("AKS cannot change {attr} of an existing node pool"),
                ));
            }
        }
    };
    if let (Some(a), Some(b)) = (
        prior.default_node_pool.as_ref_option(),
        planned.default_node_pool.as_ref_option(),
    ) {
        fixed(a, b, AttributePath::new("default_node_pool"), &mut out);
    }
    let (a, b) = (
        prior.node_pool.as_ref_option().map(Vec::len).unwrap_or(0),
        planned.node_pool.as_ref_option().map(Vec::len).unwrap_or(0),
    );
    if a != b || planned.node_pool.is_unknown() {
        out.push((
            AttributePath::new("node_pool"),
            "node pools are created with the cluster; adding or removing one creates a new cluster".into(),
        ));
    } else if let (Some(pa), Some(pb)) = (prior.node_pool.as_ref_option(), planned.node_pool.as_ref_option())
    {
        for (i, (x, y)) in pa.iter().zip(pb).enumerate() {
            if let (Some(x), Some(y)) = (x.as_ref_option(), y.as_ref_option()) {
                fixed(x, y, AttributePath::new("node_pool").index(i as i64), &mut out);
            }
        }
    }
    out
}

impl ClusterNetwork {
    async fn client(&self, diags: &mut Diagnostics) -> Option<(ArmClient, String)> {
        arm_common::client(&self.connection, diags, "clusters").await
    }

    /// Runs the live checks when Azure is reachable; without credentials they are skipped
    /// with a warning (plan still checks everything that needs no Azure).
    async fn live(&self, diags: &mut Diagnostics, planned: &State, creating: bool) -> Live {
        let any_subnet = pools(planned)
            .iter()
            .any(|(_, p)| p.vnet_subnet_id.is_value() || p.pod_subnet_id.is_value());
        if !any_subnet {
            return Live::default();
        }
        let client = match self.connection.client().await {
            Ok(c) => c,
            Err(e) => {
                diags.root_warning(
                    "Live Network Checks Skipped",
                    format!("the subnets were not checked against Azure: {e}"),
                );
                return Live::default();
            }
        };
        let mut live = gather(&client, planned, creating).await;
        if s(&planned.outbound_type) == Some("userDefinedRouting") {
            if let Some(node) = &live.node {
                match udr_status(&client, node).await {
                    Ok(Udr::Ready) | Err(_) => {}
                    Ok(Udr::NoRouteTable) => live.findings.push(Finding::warning(RuleId::O1, pool_path("vnet_subnet_id"), "No Route Table On The Node Subnet Yet", "userDefinedRouting needs a route table with 0.0.0.0/0 → VirtualAppliance or VirtualNetworkGateway associated with the node subnet before the cluster is created. If this configuration associates one, it must be applied first; aksnet checks again before creating the cluster.")),
                    Ok(Udr::Broken(why)) => live.findings.push(Finding::error(RuleId::O1, FieldPath::attr("outbound_type"), "Default Route Missing For userDefinedRouting", why)),
                }
            }
        }
        live
    }

    /// Plans shared by create and update: pairs, findings (static, netplan with live facts).
    async fn check(&self, diags: &mut Diagnostics, planned: &State, config: &State, creating: bool) {
        let live = self.live(diags, planned, creating).await;
        let mut findings = shape_findings(config);
        // Rules run on the planned values, with AKS's defaults for what is left unset, so a
        // default range that collides with the VNet is caught here rather than by AKS.
        findings.extend(validate_profile(&profile(
            &with_aks_defaults(planned),
            config,
            &live,
        )));
        findings.extend(live.findings);
        report(diags, &findings);
    }

    /// Apply-time O1 check: AKS would fail the create with ExistingRouteTableNotAssociatedWithSubnet.
    async fn udr_ready(&self, diags: &mut Diagnostics, client: &ArmClient, planned: &State) -> bool {
        if s(&planned.outbound_type) != Some("userDefinedRouting") {
            return true;
        }
        let live = gather(client, planned, false).await;
        let Some(node) = &live.node else { return true };
        let why = match udr_status(client, node).await {
            Ok(Udr::Ready) | Err(_) => return true,
            Ok(Udr::NoRouteTable) => "the node subnet has no route table; associate one whose 0.0.0.0/0 route goes to a VirtualAppliance or VirtualNetworkGateway, then apply again.".to_string(),
            Ok(Udr::Broken(why)) => why,
        };
        diags.error(
            "Default Route Missing For userDefinedRouting (O1)",
            why,
            AttributePath::new("outbound_type"),
        );
        false
    }

    /// With kubenet in a custom VNet: the route table on the node subnet.
    async fn kubenet_route_table(&self, client: &ArmClient, state: &State) -> Str {
        if s(&state.network_plugin) != Some("kubenet") {
            return Value::Null;
        }
        let live = gather(client, state, false).await;
        live.node
            .and_then(|n| n.route_table)
            .map_or(Value::Null, Value::Value)
    }

    /// Refreshes `state` from a cluster body, resolving computed values that need more reads.
    async fn settle(&self, client: &ArmClient, state: &mut State, cluster: &Tagged<Json>, importing: bool) {
        refresh(state, &cluster.body, importing);
        state.kubenet_route_table_id = self.kubenet_route_table(client, state).await;
    }

    /// One PUT with If-Match on the cluster as last read.
    async fn write(
        &self,
        client: &ArmClient,
        id: &ResourceId,
        planned: &State,
        current: &Tagged<Json>,
        stage: Stage,
        limit: Duration,
    ) -> Result<Tagged<Json>, ClientError> {
        let body = desired(planned, Some(&current.body), stage);
        let etag = current
            .etag
            .clone()
            .or_else(|| current.body["eTag"].as_str().map(str::to_string));
        with_timeout(limit, client.put::<_, Json>(id, &body, etag.as_deref(), limit)).await
    }
}

#[async_trait]
impl Resource for ClusterNetwork {
    type State<'a> = State;
    type PrivateState<'a> = ValueEmpty;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Schema {
            version: 1,
            block: schema::block(),
        })
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Self::State<'a>) -> Option<()> {
        // Warnings wait for plan, so they are shown once.
        let errors: Vec<Finding> = static_findings(&config)
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        report(diags, &errors);
        if let Some(t) = config.timeouts.as_ref_option() {
            for which in ["create", "read", "update", "delete"] {
                if let Err(e) = t.get(which, DEFAULT_CRUD) {
                    diags.error(
                        "Invalid Timeout",
                        e,
                        AttributePath::new("timeouts").attribute(which),
                    );
                }
            }
        }
        Some(())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        state: Self::State<'a>,
        private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let (client, sub) = self.client(diags).await?;
        let Some(id) = id_of(&state, &sub) else {
            diags.root_error_short("internal-error: the state has no name or resource group");
            return Some((state, private));
        };
        let importing = state.default_node_pool.is_null();
        let limit = timeouts::resolve(diags, &state.timeouts, "read", DEFAULT_READ)?;
        match with_timeout(limit, client.get::<Json>(&id)).await {
            Ok(Some(cluster)) => {
                let mut next = state;
                self.settle(&client, &mut next, &cluster, importing).await;
                Some((next, private))
            }
            // Deleted out of band: Terraform plans to create it again.
            Ok(None) => None,
            Err(e) => {
                arm_error(diags, "reading", &id, &e);
                Some((state, private))
            }
        }
    }

    async fn plan_create<'a>(
        &self,
        diags: &mut Diagnostics,
        proposed: Self::State<'a>,
        config: Self::State<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let mut planned = proposed;
        pair(
            &mut planned.pod_cidr,
            &mut planned.pod_cidrs,
            &config.pod_cidr,
            &config.pod_cidrs,
            None,
        );
        pair(
            &mut planned.service_cidr,
            &mut planned.service_cidrs,
            &config.service_cidr,
            &config.service_cidrs,
            None,
        );
        self.check(diags, &planned, &config, true).await;
        mark_create_unknowns(&mut planned);
        Some((planned, ValueEmpty::default()))
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
        let mut planned = proposed;
        if let (Some(a), Some(b)) = (s(&prior.location), s(&planned.location)) {
            if same_location(a, b) {
                planned.location = prior.location.clone();
            }
        }
        // The mode only exists for Azure CNI: leaving it unset while moving to another plugin
        // drops it rather than carrying the old mode along.
        if config.network_plugin_mode.is_null() && s(&config.network_plugin).is_some_and(|p| p != "azure") {
            planned.network_plugin_mode = Value::Null;
        }
        pair(
            &mut planned.pod_cidr,
            &mut planned.pod_cidrs,
            &config.pod_cidr,
            &config.pod_cidrs,
            Some((&prior.pod_cidr, &prior.pod_cidrs)),
        );
        pair(
            &mut planned.service_cidr,
            &mut planned.service_cidrs,
            &config.service_cidr,
            &config.service_cidrs,
            Some((&prior.service_cidr, &prior.service_cidrs)),
        );
        if planned == prior {
            return Some((planned, ValueEmpty::default(), Vec::new()));
        }
        let mut replace: Vec<(AttributePath, String)> = Vec::new();
        for (attr, field) in FORCE_NEW {
            if field(&prior) != field(&planned) {
                replace.push((
                    AttributePath::new(attr),
                    format!("{attr} is fixed when the cluster is created"),
                ));
            }
        }
        replace.extend(pool_replacements(&prior, &planned));
        let change = migration::classify(&net_of(&prior), &net_of(&planned));
        replace.extend(
            change
                .replace
                .iter()
                .map(|(p, why)| (attribute_path(p), why.clone())),
        );
        self.check(diags, &planned, &config, false).await;
        report(diags, &change.findings);
        if !replace.is_empty() {
            let why: Vec<String> = replace
                .iter()
                .map(|(_, w)| w.clone())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            diags.root_warning("Cluster Will Be Replaced", format!("this change needs a new cluster: {}. Its workloads and addresses are lost unless migrated.", why.join("; ")));
            mark_create_unknowns(&mut planned);
        } else {
            if planned.network_plugin != prior.network_plugin
                || planned.network_plugin_mode != prior.network_plugin_mode
            {
                planned.kubenet_route_table_id = Value::Unknown;
            }
            if planned.outbound_type != prior.outbound_type
                || planned.load_balancer_profile != prior.load_balancer_profile
                || planned.nat_gateway_profile != prior.nat_gateway_profile
            {
                planned.effective_outbound_ips = Value::Unknown;
            }
        }
        Some((
            planned,
            ValueEmpty::default(),
            replace.into_iter().map(|(p, _)| p).collect(),
        ))
    }

    async fn plan_destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior: Self::State<'a>,
        _prior_private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<Self::PrivateState<'a>> {
        Some(ValueEmpty::default())
    }

    async fn create<'a>(
        &self,
        diags: &mut Diagnostics,
        planned: Self::State<'a>,
        _config: Self::State<'a>,
        private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let (client, sub) = self.client(diags).await?;
        let id = id_of(&planned, &sub)?;
        let limit = timeouts::resolve(diags, &planned.timeouts, "create", DEFAULT_CRUD)?;
        if !require_absent(&client, diags, &id, "aksnet_cluster_network").await {
            return None;
        }
        if !self.udr_ready(diags, &client, &planned).await {
            return None;
        }
        let body = desired(&planned, None, Stage::Full);
        let mut state = planned;
        match with_timeout(limit, client.put::<_, Json>(&id, &body, None, limit)).await {
            Ok(done) => self.settle(&client, &mut state, &done, false).await,
            Err(e) => {
                arm_error(diags, "creating", &id, &e);
                // The PUT may have created the cluster before failing: record it (Terraform
                // taints it) so it is never lost.
                return match client.get::<Json>(&id).await {
                    Ok(Some(c)) => {
                        self.settle(&client, &mut state, &c, false).await;
                        Some((state, private))
                    }
                    _ => None,
                };
            }
        }
        Some((state, private))
    }

    async fn update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: Self::State<'a>,
        planned: Self::State<'a>,
        _config: Self::State<'a>,
        private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let (client, sub) = self.client(diags).await?;
        let id = id_of(&planned, &sub)?;
        let Some(limit) = timeouts::resolve(diags, &planned.timeouts, "update", DEFAULT_CRUD) else {
            return Some((prior, private));
        };
        let mut current = match client.get::<Json>(&id).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                diags.root_error(
                    "Cluster Not Found",
                    format!("{id} was deleted outside Terraform; run terraform apply again to create it."),
                );
                return Some((prior, private));
            }
            Err(e) => {
                arm_error(diags, "reading", &id, &e);
                return Some((prior, private));
            }
        };
        let mut state = prior.clone();
        let stages: &[Stage] = if migration::classify(&net_of(&prior), &net_of(&planned)).ipam_first {
            &[Stage::Ipam, Stage::Full]
        } else {
            &[Stage::Full]
        };
        for stage in stages {
            let mut written = self.write(&client, &id, &planned, &current, *stage, limit).await;
            if matches!(&written, Err(ClientError::Arm(e)) if e.status == 412) {
                // Someone wrote in between (AKS itself, often): apply the change on top of theirs once.
                if let Ok(Some(fresh)) = client.get::<Json>(&id).await {
                    current = fresh;
                    written = self.write(&client, &id, &planned, &current, *stage, limit).await;
                }
            }
            match written {
                Ok(done) => {
                    // Record each completed step: a later failure leaves an accurate state.
                    self.settle(&client, &mut state, &done, false).await;
                    current = done;
                }
                Err(e) => {
                    arm_error(diags, "updating", &id, &e);
                    if let Ok(Some(c)) = client.get::<Json>(&id).await {
                        self.settle(&client, &mut state, &c, false).await;
                    }
                    return Some((state, private));
                }
            }
        }
        // Declared-only attributes (tags, blocks, timeouts) take their planned values.
        let mut done = planned;
        self.settle(&client, &mut done, &current, false).await;
        Some((done, private))
    }

    async fn destroy<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: Self::State<'a>,
        _private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<()> {
        let (client, sub) = self.client(diags).await?;
        let id = id_of(&prior, &sub)?;
        let limit = timeouts::resolve(diags, &prior.timeouts, "delete", DEFAULT_CRUD)?;
        match with_timeout(limit, client.delete(&id, limit)).await {
            Ok(()) => Some(()),
            Err(e) => {
                arm_error(diags, "deleting", &id, &e);
                None
            }
        }
    }

    async fn import<'a>(
        &self,
        diags: &mut Diagnostics,
        id: String,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let parsed = match ResourceId::parse(Kind::ManagedCluster, &id) {
            Ok(p) => p,
            Err(e) => {
                diags.root_error("Invalid Import ID", e.to_string());
                return None;
            }
        };
        let state = State {
            id: Value::Value(parsed.path()),
            name: Value::Value(parsed.name().to_string()),
            resource_group_name: Value::Value(parsed.resource_group.clone()),
            ..Default::default()
        };
        Some((state, ValueEmpty::default()))
    }
}
