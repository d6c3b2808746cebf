//! `aksnet_route_table`: a route table managed in one write, next to the routes AKS and
//! others add. Routes declared here are owned; every other route is foreign and, by
//! default, preserved and never diffed. Subnet associations are managed per subnet.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use tf_provider::schema::{
    AttributeConstraint as C, AttributeType as T, Block, Description, NestedBlock, Schema,
};
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{AttributePath, Diagnostics, Resource};

use crate::arm::client::{ArmClient, ClientError};
use crate::arm::connection::Connection;
use crate::arm::ids::{Kind, ResourceId};
use crate::arm::models::{Route, RouteProperties, RouteTable as ArmRouteTable, SubResource, Subnet};
use crate::netplan::route_table::{validate_route_table, RouteSpec, RouteTableSpec};
use crate::resources::arm_common::{self, arm_error, require_absent, same_location, with_timeout};
use crate::resources::timeouts::{self, Timeouts};
use crate::tfvalue::{attribute, input, report};

const DEFAULT_CRUD: Duration = Duration::from_secs(30 * 60);
const DEFAULT_READ: Duration = Duration::from_secs(5 * 60);

type Str = Value<String>;

/// RouteTable implements `aksnet_route_table`.
#[derive(Debug, Clone)]
pub struct RouteTable {
    connection: Arc<Connection>,
}

impl RouteTable {
    /// The resource, sharing the provider's connection.
    pub fn new(connection: Arc<Connection>) -> Self {
        Self { connection }
    }
}

/// Terraform state, in lock-step with the schema.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub id: Str,
    pub name: Str,
    pub resource_group_name: Str,
    pub location: Str,
    pub bgp_route_propagation_enabled: Value<bool>,
    pub tags: Value<BTreeMap<String, Str>>,
    pub subnet_ids: Value<BTreeSet<Str>>,
    pub route: Value<Vec<Value<RouteBlock>>>,
    pub foreign_routes: Str,
    pub reserved_route_count: Value<i64>,
    pub etag: Str,
    pub foreign_route_names: Value<Vec<Str>>,
    pub timeouts: Value<Timeouts>,
}

/// A `route` block.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteBlock {
    pub name: Str,
    pub address_prefix: Str,
    pub next_hop_type: Str,
    pub next_hop_ip_address: Str,
}

fn block() -> Block {
    let force = " Changing this forces a new resource to be created.";
    let attrs = [
        ("id", attribute(T::String, C::Computed, "The ARM resource ID of the route table.")),
        ("name", attribute(T::String, C::Required, &format!("The name of the route table (1–80 characters: letters, digits, `_`, `.`, `-`).{force}"))),
        ("resource_group_name", attribute(T::String, C::Required, &format!("The resource group of the route table.{force}"))),
        ("location", attribute(T::String, C::Required, &format!("The Azure region, e.g. `westeurope`.{force}"))),
        ("bgp_route_propagation_enabled", attribute(T::Bool, C::OptionalComputed, "Whether routes learned by BGP propagate to the associated subnets. Defaults to `true`.")),
        ("tags", attribute(T::Map(Box::new(T::String)), C::Optional, "Tags to assign to the route table.")),
        ("subnet_ids", attribute(T::Set(Box::new(T::String)), C::Optional, "IDs of subnets to associate with the route table. Associations this resource did not make are left alone.")),
        ("foreign_routes", attribute(T::String, C::Optional, "What to do with routes in the table that are not declared here, such as the `aks-*` routes kubenet writes: `preserve` (the default) keeps them and never shows them as drift; `remove` deletes them on the next apply.")),
        ("reserved_route_count", attribute(T::Number, C::Optional, "Routes to keep free for kubenet nodes (one per node), e.g. `aksnet_pod_cidr_plan.example.kubenet_routes_needed`. Declared + foreign + reserved routes must fit Azure's limit of 400.")),
        ("etag", attribute(T::String, C::Computed, "The route table's ETag after the last write; writes send it in `If-Match`.")),
        ("foreign_route_names", attribute(T::List(Box::new(T::String)), C::Computed, "Names of routes in the table that this resource does not own (for example AKS's `aks-*` routes).")),
    ];
    let route_attrs = [
        ("name", attribute(T::String, C::Required, "The route name, unique in the table.")),
        ("address_prefix", attribute(T::String, C::Required, "Destination CIDR (e.g. `0.0.0.0/0`) or service tag (e.g. `AzureCloud`).")),
        ("next_hop_type", attribute(T::String, C::Required, "Possible values are `VirtualNetworkGateway`, `VnetLocal`, `Internet`, `VirtualAppliance` and `None`.")),
        ("next_hop_ip_address", attribute(T::String, C::Optional, "The next hop's IP address; required for, and only allowed with, `VirtualAppliance`.")),
    ];
    Block {
        version: 1,
        attributes: attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        blocks: HashMap::from([
            (
                "route".to_string(),
                NestedBlock::List(Block {
                    version: 1,
                    attributes: route_attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
                    blocks: HashMap::new(),
                    description: Description::markdown("A route this resource owns."),
                    deprecated: false,
                }),
            ),
            ("timeouts".to_string(), timeouts::block(30, 5, 30, 30, "route table")),
        ]),
        description: Description::markdown(
            "Manages a route table for kubenet or bring-your-own routing without fighting AKS: the whole table is written \
             in one request (with `If-Match`), routes it does not declare (such as AKS's `aks-*` routes) are preserved and \
             never shown as drift, and subnet associations are made per subnet.",
        ),
        deprecated: false,
    }
}

fn s(v: &Str) -> Option<&str> {
    v.as_ref_option().map(String::as_str)
}

fn routes_of(state: &State) -> Vec<&RouteBlock> {
    state
        .route
        .as_ref_option()
        .map(|r| r.iter().filter_map(|b| b.as_ref_option()).collect())
        .unwrap_or_default()
}

/// The table as netplan's route table rules read it; `foreign` counts routes in Azure that
/// the table does not declare.
fn table_spec(cfg: &State, foreign: usize) -> RouteTableSpec {
    let owned = |v: &Str| s(v).map(str::to_string);
    let routes = cfg.route.as_ref_option().cloned().unwrap_or_default();
    RouteTableSpec {
        name: owned(&cfg.name),
        resource_group_name: owned(&cfg.resource_group_name),
        location: owned(&cfg.location),
        foreign_routes: owned(&cfg.foreign_routes),
        read_only_set: [
            ("id", cfg.id.is_value()),
            ("etag", cfg.etag.is_value()),
            ("foreign_route_names", cfg.foreign_route_names.is_value()),
        ]
        .iter()
        .filter(|(_, set)| *set)
        .map(|(a, _)| *a)
        .collect(),
        bad_subnet_ids: subnet_set(&cfg.subnet_ids)
            .iter()
            .filter_map(|id| ResourceId::parse(Kind::Subnet, id).err().map(|e| e.to_string()))
            .collect(),
        declared_routes: routes.len(),
        routes: routes
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let r = r.as_ref_option()?;
                Some((
                    i,
                    RouteSpec {
                        name: owned(&r.name),
                        address_prefix: owned(&r.address_prefix),
                        next_hop_type: owned(&r.next_hop_type),
                        next_hop_ip_address: input(&r.next_hop_ip_address),
                    },
                ))
            })
            .collect(),
        reserved_route_count: cfg.reserved_route_count.as_ref_option().copied(),
        foreign,
    }
}

/// Plan-time checks: netplan's route table rules (I, O7, O1, C2).
fn validate_config(diags: &mut Diagnostics, cfg: &State, foreign: usize) {
    report(diags, &validate_route_table(&table_spec(cfg, foreign)));
}

fn id_of(state: &State, subscription: &str) -> Option<ResourceId> {
    Some(ResourceId::new(
        Kind::RouteTable,
        subscription,
        s(&state.resource_group_name)?,
        &[s(&state.name)?],
    ))
}

fn to_arm_route(r: &RouteBlock, existing: Option<&Route>) -> Route {
    let mut route = existing.cloned().unwrap_or_default();
    route.name = s(&r.name).unwrap_or_default().to_string();
    route.properties = RouteProperties {
        address_prefix: s(&r.address_prefix).unwrap_or_default().to_string(),
        next_hop_type: s(&r.next_hop_type).unwrap_or_default().to_string(),
        next_hop_ip_address: s(&r.next_hop_ip_address).map(str::to_string),
        extra: existing.map(|e| e.properties.extra.clone()).unwrap_or_default(),
    };
    route.properties.extra.remove("provisioningState");
    route
}

fn from_arm_route(r: &Route) -> RouteBlock {
    RouteBlock {
        name: Value::Value(r.name.clone()),
        address_prefix: Value::Value(r.properties.address_prefix.clone()),
        next_hop_type: Value::Value(r.properties.next_hop_type.clone()),
        next_hop_ip_address: r
            .properties
            .next_hop_ip_address
            .clone()
            .filter(|s| !s.is_empty())
            .into(),
    }
}

/// The table body to write: declared routes (keeping server fields), plus foreign routes unless removed.
/// `released` names routes this resource owned before and no longer declares: they go.
fn desired_table(
    planned: &State,
    current: Option<&ArmRouteTable>,
    released: &BTreeSet<String>,
) -> ArmRouteTable {
    let mut table = current.cloned().unwrap_or_default();
    let declared = routes_of(planned);
    let owned: BTreeSet<String> = declared
        .iter()
        .filter_map(|r| s(&r.name))
        .map(str::to_ascii_lowercase)
        .collect();
    let existing: HashMap<String, &Route> = current
        .map(|c| {
            c.properties
                .routes
                .iter()
                .map(|r| (r.name.to_ascii_lowercase(), r))
                .collect()
        })
        .unwrap_or_default();
    let mut routes: Vec<Route> = declared
        .iter()
        .map(|r| {
            to_arm_route(
                r,
                s(&r.name).and_then(|n| existing.get(&n.to_ascii_lowercase()).copied()),
            )
        })
        .collect();
    if s(&planned.foreign_routes) != Some("remove") {
        if let Some(c) = current {
            routes.extend(
                c.properties
                    .routes
                    .iter()
                    .filter(|r| {
                        let n = r.name.to_ascii_lowercase();
                        !owned.contains(&n) && !released.contains(&n)
                    })
                    .cloned(),
            );
        }
    }
    table.location = s(&planned.location).map(str::to_string).or(table.location);
    table.tags = Some(
        planned
            .tags
            .as_ref_option()
            .map(|t| {
                t.iter()
                    .filter_map(|(k, v)| v.as_ref_option().map(|v| (k.clone(), Json::from(v.clone()))))
                    .collect()
            })
            .unwrap_or_default(),
    );
    table.properties.routes = routes;
    table.properties.disable_bgp_route_propagation = Some(
        !planned
            .bgp_route_propagation_enabled
            .as_ref_option()
            .copied()
            .unwrap_or(true),
    );
    table.properties.extra.remove("provisioningState");
    table
}

/// Refreshes the computed parts of `state` from the table ARM returned.
fn refresh(state: &mut State, table: &ArmRouteTable, etag: Option<String>, importing: bool) {
    let declared: BTreeSet<String> = routes_of(state)
        .iter()
        .filter_map(|r| s(&r.name))
        .map(str::to_ascii_lowercase)
        .collect();
    let by_name: HashMap<String, &Route> = table
        .properties
        .routes
        .iter()
        .map(|r| (r.name.to_ascii_lowercase(), r))
        .collect();
    if importing {
        // Kubenet's per-node routes are AKS's; every other route becomes owned on import.
        let (aks, owned): (Vec<&Route>, Vec<&Route>) = table
            .properties
            .routes
            .iter()
            .partition(|r| r.name.starts_with("aks-"));
        state.route = Value::Value(
            owned
                .into_iter()
                .map(|r| Value::Value(from_arm_route(r)))
                .collect(),
        );
        state.foreign_route_names =
            Value::Value(aks.into_iter().map(|r| Value::Value(r.name.clone())).collect());
    } else {
        // Owned routes show drift (changed or deleted out of band); foreign ones never do.
        let owned: Vec<Value<RouteBlock>> = routes_of(state)
            .iter()
            .filter_map(|r| {
                s(&r.name)
                    .and_then(|n| by_name.get(&n.to_ascii_lowercase()))
                    .map(|arm| Value::Value(from_arm_route(arm)))
            })
            .collect();
        state.route = Value::Value(owned);
        let mut foreign: Vec<Str> = table
            .properties
            .routes
            .iter()
            .filter(|r| !declared.contains(&r.name.to_ascii_lowercase()))
            .map(|r| Value::Value(r.name.clone()))
            .collect();
        foreign.sort();
        state.foreign_route_names = Value::Value(foreign);
    }
    if let Some(loc) = &table.location {
        if !s(&state.location).is_some_and(|l| same_location(l, loc)) {
            state.location = Value::Value(loc.clone());
        }
    }
    state.bgp_route_propagation_enabled =
        Value::Value(!table.properties.disable_bgp_route_propagation.unwrap_or(false));
    let tags: BTreeMap<String, Str> = table
        .tags
        .as_ref()
        .map(|t| {
            t.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        Value::Value(v.as_str().unwrap_or_default().to_string()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    state.tags = if tags.is_empty() && state.tags.is_null() {
        Value::Null
    } else {
        Value::Value(tags)
    };
    let associated: BTreeSet<String> = table
        .properties
        .subnets
        .iter()
        .map(|s| s.id.to_ascii_lowercase())
        .collect();
    if let Value::Value(ids) = &state.subnet_ids {
        // Associations made elsewhere are not ours; ours that vanished show as drift.
        state.subnet_ids = Value::Value(
            ids.iter()
                .filter(|id| s(id).is_some_and(|i| associated.contains(&i.to_ascii_lowercase())))
                .cloned()
                .collect(),
        );
    }
    state.etag = etag.into();
}

impl RouteTable {
    async fn client(&self, diags: &mut Diagnostics) -> Option<(ArmClient, String)> {
        arm_common::client(&self.connection, diags, "route tables").await
    }

    /// Sets (or clears) `routeTable` on a subnet with If-Match, retrying ETag races.
    async fn associate(
        &self,
        client: &ArmClient,
        subnet_id: &str,
        table: Option<&ResourceId>,
        timeout: Duration,
    ) -> Result<(), String> {
        let id = ResourceId::parse(Kind::Subnet, subnet_id).map_err(|e| e.to_string())?;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let Some(current) = client
                .get::<Subnet>(&id)
                .await
                .map_err(|e| format!("reading {id}: {e}"))?
            else {
                return if table.is_some() {
                    Err(format!("{id} does not exist"))
                } else {
                    Ok(())
                };
            };
            let mut subnet = current.body;
            let mine = table.map(|t| t.path());
            let now = subnet
                .properties
                .route_table
                .as_ref()
                .map(|r| r.id.to_ascii_lowercase());
            match (&mine, &now) {
                (Some(m), Some(n)) if m.to_ascii_lowercase() == *n => return Ok(()),
                (None, None) => return Ok(()),
                _ => {}
            }
            subnet.properties.route_table = mine.map(|id| SubResource {
                id,
                ..Default::default()
            });
            subnet.properties.extra.remove("provisioningState");
            match client
                .put::<_, Subnet>(
                    &id,
                    &subnet,
                    current.etag.as_deref(),
                    deadline.saturating_duration_since(tokio::time::Instant::now()),
                )
                .await
            {
                Ok(_) => return Ok(()),
                Err(ClientError::Arm(e))
                    if e.is_precondition_failed() && tokio::time::Instant::now() < deadline =>
                {
                    continue
                }
                Err(e) => return Err(format!("updating {id}: {e}")),
            }
        }
    }

    /// Refuses to delete a table that still carries routes or associations this resource does
    /// not own: deleting it would break the cluster that wrote them (kubenet's `aks-*` routes).
    async fn safe_to_delete(&self, client: &ArmClient, id: &ResourceId, prior: &State) -> Result<(), String> {
        let Some(table) = client
            .get::<ArmRouteTable>(id)
            .await
            .map_err(|e| format!("reading {id}: {e}"))?
        else {
            return Ok(());
        };
        let owned: BTreeSet<String> = routes_of(prior)
            .iter()
            .filter_map(|r| s(&r.name))
            .map(str::to_ascii_lowercase)
            .collect();
        let foreign: Vec<&str> = table
            .body
            .properties
            .routes
            .iter()
            .filter(|r| !owned.contains(&r.name.to_ascii_lowercase()))
            .map(|r| r.name.as_str())
            .collect();
        let mine: BTreeSet<String> = subnet_set(&prior.subnet_ids)
            .iter()
            .map(|x| x.to_ascii_lowercase())
            .collect();
        let others: Vec<&str> = table
            .body
            .properties
            .subnets
            .iter()
            .filter(|x| !mine.contains(&x.id.to_ascii_lowercase()))
            .map(|x| x.id.as_str())
            .collect();
        if foreign.is_empty() && others.is_empty() {
            return Ok(());
        }
        let mut parts = Vec::new();
        if !foreign.is_empty() {
            parts.push(format!(
                "{} route(s) this resource does not own ({})",
                foreign.len(),
                foreign.join(", ")
            ));
        }
        if !others.is_empty() {
            parts.push(format!(
                "associations with subnets it did not make ({})",
                others.join(", ")
            ));
        }
        Err(format!(
            "{id} still holds {}; deleting it would break the cluster routing through it. Remove those first, or set foreign_routes = \"remove\" and apply before destroying.",
            parts.join(" and ")
        ))
    }

    /// GET → merge → PUT with If-Match; on 412 (AKS wrote meanwhile) re-read and retry.
    async fn write_table(
        &self,
        client: &ArmClient,
        id: &ResourceId,
        planned: &State,
        prior: &State,
        timeout: Duration,
    ) -> Result<(ArmRouteTable, Option<String>), ClientError> {
        let released: BTreeSet<String> = routes_of(prior)
            .iter()
            .filter_map(|r| s(&r.name))
            .map(str::to_ascii_lowercase)
            .collect();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let current = client.get::<ArmRouteTable>(id).await?;
            let body = desired_table(planned, current.as_ref().map(|c| &c.body), &released);
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match client
                .put::<_, ArmRouteTable>(id, &body, current.as_ref().and_then(|c| c.etag.as_deref()), left)
                .await
            {
                Ok(done) => return Ok((done.body, done.etag)),
                Err(ClientError::Arm(e))
                    if e.is_precondition_failed() && tokio::time::Instant::now() < deadline =>
                {
                    continue
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn sync_subnets(
        &self,
        diags: &mut Diagnostics,
        client: &ArmClient,
        id: &ResourceId,
        before: &BTreeSet<String>,
        after: &BTreeSet<String>,
        timeout: Duration,
    ) {
        for subnet in after.difference(before) {
            if let Err(e) = self.associate(client, subnet, Some(id), timeout).await {
                diags.error(
                    "Error Associating Subnet",
                    format!("associating {subnet} with {id}: {e}"),
                    AttributePath::new("subnet_ids"),
                );
            }
        }
        for subnet in before.difference(after) {
            if let Err(e) = self.associate(client, subnet, None, timeout).await {
                diags.error(
                    "Error Dissociating Subnet",
                    format!("dissociating {subnet} from {id}: {e}"),
                    AttributePath::new("subnet_ids"),
                );
            }
        }
    }
}

fn subnet_set(v: &Value<BTreeSet<Str>>) -> BTreeSet<String> {
    v.as_ref_option()
        .map(|s| s.iter().filter_map(|x| x.as_ref_option().cloned()).collect())
        .unwrap_or_default()
}

fn plan_common(diags: &mut Diagnostics, mut proposed: State, config: &State, prior: Option<&State>) -> State {
    let foreign = prior
        .and_then(|p| p.foreign_route_names.as_ref_option().map(Vec::len))
        .unwrap_or(0);
    validate_config(diags, config, foreign);
    if proposed.bgp_route_propagation_enabled.is_null() {
        proposed.bgp_route_propagation_enabled = Value::Value(true);
    }
    proposed.etag = Value::Unknown;
    // Foreign routes stay as they are unless they are being removed, or the configuration
    // now declares them (a route a failed write left behind becomes owned again).
    let declared: BTreeSet<String> = routes_of(config)
        .iter()
        .filter_map(|r| s(&r.name).map(str::to_ascii_lowercase))
        .collect();
    proposed.foreign_route_names = match (s(&config.foreign_routes), prior) {
        (Some("remove"), _) => Value::Value(Vec::new()),
        (_, Some(p)) => p.foreign_route_names.clone().map(|names| {
            names
                .into_iter()
                .filter(|n| {
                    !n.as_ref_option()
                        .is_some_and(|n| declared.contains(&n.to_ascii_lowercase()))
                })
                .collect()
        }),
        (_, None) => Value::Unknown,
    };
    proposed
}

#[async_trait]
impl Resource for RouteTable {
    type State<'a> = State;
    type PrivateState<'a> = ValueEmpty;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Schema {
            version: 1,
            block: block(),
        })
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Self::State<'a>) -> Option<()> {
        validate_config(diags, &config, 0);
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
        let importing = state.route.is_null() && state.etag.is_null();
        let Some(limit) = timeouts::resolve(diags, &state.timeouts, "read", DEFAULT_READ) else {
            return Some((state, private));
        };
        match with_timeout(limit, client.get::<ArmRouteTable>(&id)).await {
            Ok(Some(t)) => {
                let mut next = state;
                next.id = Value::Value(id.path());
                refresh(&mut next, &t.body, t.etag, importing);
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
        let mut planned = plan_common(diags, proposed, &config, None);
        planned.id = Value::Unknown;
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
        let mut replace = Vec::new();
        if proposed.name != prior.name {
            replace.push(AttributePath::new("name"));
        }
        if proposed.resource_group_name != prior.resource_group_name {
            replace.push(AttributePath::new("resource_group_name"));
        }
        let mut proposed = proposed;
        match (s(&prior.location), s(&proposed.location)) {
            (Some(a), Some(b)) if same_location(a, b) => proposed.location = prior.location.clone(),
            (Some(_), Some(_)) => replace.push(AttributePath::new("location")),
            _ => {}
        }
        let unchanged = proposed == prior;
        let mut planned = plan_common(diags, proposed, &config, Some(&prior));
        if unchanged || !replace.is_empty() {
            planned.etag = prior.etag.clone();
        }
        if !replace.is_empty() {
            planned.id = Value::Unknown;
            planned.etag = Value::Unknown;
        }
        Some((planned, ValueEmpty::default(), replace))
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
        let timeout = timeouts::resolve(diags, &planned.timeouts, "create", DEFAULT_CRUD)?;
        if !require_absent(&client, diags, &id, "aksnet_route_table").await {
            return None;
        }
        let body = desired_table(&planned, None, &BTreeSet::new());
        let mut state = planned.clone();
        state.id = Value::Value(id.path());
        match client.put::<_, ArmRouteTable>(&id, &body, None, timeout).await {
            Ok(done) => refresh(&mut state, &done.body, done.etag, false),
            Err(e) => {
                arm_error(diags, "creating", &id, &e);
                // The PUT may have created the table before failing: record it if it exists.
                return match client.get::<ArmRouteTable>(&id).await {
                    Ok(Some(t)) => {
                        refresh(&mut state, &t.body, t.etag, false);
                        Some((state, private))
                    }
                    _ => None,
                };
            }
        }
        let wanted = subnet_set(&planned.subnet_ids);
        self.sync_subnets(diags, &client, &id, &BTreeSet::new(), &wanted, timeout)
            .await;
        // Record what is true now: associations that failed are left out, so the next plan retries them.
        if let Ok(Some(t)) = client.get::<ArmRouteTable>(&id).await {
            state.subnet_ids = planned.subnet_ids.clone();
            refresh(&mut state, &t.body, t.etag, false);
            if planned.subnet_ids.is_null() {
                state.subnet_ids = Value::Null;
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
        let Some(timeout) = timeouts::resolve(diags, &planned.timeouts, "update", DEFAULT_CRUD) else {
            return Some((prior, private));
        };
        let mut state = planned.clone();
        state.id = Value::Value(id.path());
        match self.write_table(&client, &id, &planned, &prior, timeout).await {
            Ok((table, etag)) => refresh(&mut state, &table, etag, false),
            Err(e) => {
                arm_error(diags, "updating", &id, &e);
                return Some((prior, private));
            }
        }
        self.sync_subnets(
            diags,
            &client,
            &id,
            &subnet_set(&prior.subnet_ids),
            &subnet_set(&planned.subnet_ids),
            timeout,
        )
        .await;
        // Record what is true now: associations that failed are left out, so the next plan retries them.
        if let Ok(Some(t)) = client.get::<ArmRouteTable>(&id).await {
            state.subnet_ids = planned.subnet_ids.clone();
            refresh(&mut state, &t.body, t.etag, false);
        }
        Some((state, private))
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
        let timeout = timeouts::resolve(diags, &prior.timeouts, "delete", DEFAULT_CRUD)?;
        if s(&prior.foreign_routes) != Some("remove") {
            if let Err(why) = self.safe_to_delete(&client, &id, &prior).await {
                diags.root_error("Route Table Still In Use", why);
                return None;
            }
        }
        self.sync_subnets(
            diags,
            &client,
            &id,
            &subnet_set(&prior.subnet_ids),
            &BTreeSet::new(),
            timeout,
        )
        .await;
        if !diags.errors.is_empty() {
            return None;
        }
        match client.delete(&id, timeout).await {
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
        let parsed = match ResourceId::parse(Kind::RouteTable, &id) {
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
            foreign_routes: Value::Null,
            ..Default::default()
        };
        Some((state, ValueEmpty::default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::schema_guard;

    #[test]
    fn state_matches_schema() {
        let b = block();
        schema_guard::assert_state_matches(&State::default(), &b, "aksnet_route_table");
        schema_guard::assert_well_described(&b, "aksnet_route_table");
        let NestedBlock::List(route) = &b.blocks["route"] else {
            panic!("route is a list block")
        };
        schema_guard::assert_state_matches(&RouteBlock::default(), route, "route");
        let NestedBlock::Group(t) = &b.blocks["timeouts"] else {
            panic!("timeouts is a group")
        };
        schema_guard::assert_state_matches(&Timeouts::default(), t, "timeouts");
        for a in ["name", "resource_group_name", "location"] {
            assert!(
                b.attributes[a]
                    .description
                    .content
                    .ends_with("Changing this forces a new resource to be created."),
                "{a}"
            );
        }
    }

    fn route(name: &str, prefix: &str, hop: &str, ip: Option<&str>) -> Value<RouteBlock> {
        Value::Value(RouteBlock {
            name: Value::Value(name.into()),
            address_prefix: Value::Value(prefix.into()),
            next_hop_type: Value::Value(hop.into()),
            next_hop_ip_address: ip.map(str::to_string).into(),
        })
    }

    fn cfg(routes: Vec<Value<RouteBlock>>) -> State {
        State {
            name: Value::Value("rt".into()),
            resource_group_name: Value::Value("rg".into()),
            location: Value::Value("westeurope".into()),
            route: Value::Value(routes),
            ..Default::default()
        }
    }

    #[test]
    fn merge_keeps_foreign_routes_unless_removed() {
        let current = ArmRouteTable {
            properties: crate::arm::models::RouteTableProperties {
                routes: vec![
                    Route {
                        name: "aks-node-0".into(),
                        properties: RouteProperties {
                            address_prefix: "10.244.0.0/24".into(),
                            next_hop_type: "VirtualAppliance".into(),
                            next_hop_ip_address: Some("10.0.0.4".into()),
                            ..Default::default()
                        },
                        ..Default::default()
                    },
                    Route {
                        name: "fw".into(),
                        properties: RouteProperties {
                            address_prefix: "0.0.0.0/0".into(),
                            next_hop_type: "Internet".into(),
                            ..Default::default()
                        },
                        ..Default::default()
                    },
                ],
                ..Default::default()
            },
            ..Default::default()
        };
        let planned = cfg(vec![route(
            "fw",
            "0.0.0.0/0",
            "VirtualAppliance",
            Some("10.0.0.5"),
        )]);
        let t = desired_table(&planned, Some(&current), &BTreeSet::new());
        let names: Vec<&str> = t.properties.routes.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["fw", "aks-node-0"]);
        assert_eq!(
            t.properties.routes[0].properties.next_hop_ip_address.as_deref(),
            Some("10.0.0.5")
        );
        let mut removing = planned.clone();
        removing.foreign_routes = Value::Value("remove".into());
        assert_eq!(
            desired_table(&removing, Some(&current), &BTreeSet::new())
                .properties
                .routes
                .len(),
            1
        );
        let mut state = planned;
        refresh(&mut state, &current, None, false);
        assert_eq!(
            state.foreign_route_names,
            Value::Value(vec![Value::Value("aks-node-0".to_string())])
        );
    }
}
