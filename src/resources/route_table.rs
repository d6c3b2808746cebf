//! `aksnet_route_table`: a route table managed in one write, next to the routes AKS and
//! others add. Routes declared here are owned; every other route is foreign and, by
//! default, preserved and never diffed: foreign routes live in private state only, so AKS
//! adding and removing its routes changes no attribute. Subnet associations are managed per
//! subnet. Destroy checks every blocker before its first write.
//!
//! The lifecycle comes first; `schema`, `plan` and `body` hold the rest.

mod body;
pub(crate) mod moved_from_azurerm;
mod plan;
mod schema;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use aksnet_tfplugin::schema::Schema;
use aksnet_tfplugin::value::{Value, ValueEmpty};
use aksnet_tfplugin::{AttributePath, Diagnostics, Identity, IdentitySchema, MoveSource, Resource};
use async_trait::async_trait;

use crate::arm::client::{ArmClient, ClientError};
use crate::arm::connection::Connection;
use crate::arm::ids::{IdError, Kind, ResourceId};
use crate::arm::models::{RouteTable as ArmRouteTable, SubResource, Subnet};
use crate::netplan::route_table::{delete_blockers, DeleteCheck};
use crate::resources::arm_common::{
    self, arm_error, same_location, ArmResource, LeftBehind, Provisioned, Read,
};
use crate::resources::identity::ROUTE_TABLE;
use crate::resources::timeouts;

use body::{desired_table, foreign_routes, id_of, refresh};
use plan::{foreign_count, plan_common, validate_config};
use schema::{block, routes_of, s, subnet_set};
pub(crate) use schema::{Private, State};

const DEFAULT_CRUD: Duration = Duration::from_secs(30 * 60);
const DEFAULT_READ: Duration = Duration::from_secs(5 * 60);

/// RouteTable implements `aksnet_route_table`.
#[derive(Debug, Clone)]
pub(crate) struct RouteTable {
    arm: ArmResource,
}

impl RouteTable {
    /// The resource, sharing the provider's connection.
    pub(crate) fn new(connection: Arc<Connection>) -> Self {
        Self {
            arm: ArmResource::new(connection, "aksnet_route_table", "route tables"),
        }
    }
}

#[async_trait]
impl Resource for RouteTable {
    type State<'a> = State;
    type PrivateState<'a> = Option<Private>;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Schema {
            version: 1,
            block: block(),
        })
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(ROUTE_TABLE.schema())
    }

    /// See [`arm_common::subscription_of`].
    fn identity<'a>(&self, state: &Self::State<'a>) -> Option<Identity> {
        let sub = arm_common::subscription_of(Kind::RouteTable, s(&state.id))?;
        Some(ROUTE_TABLE.of(&id_of(state, &sub)?))
    }

    async fn import_id(&self, diags: &mut Diagnostics, identity: &Identity) -> Option<String> {
        self.arm.identity_import_id(diags, &ROUTE_TABLE, identity)
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Self::State<'a>) -> Option<()> {
        validate_config(diags, &config, 0);
        timeouts::validate(diags, &config.timeouts, DEFAULT_CRUD);
        Some(())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        state: Self::State<'a>,
        private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let (client, sub) = self.arm.client(diags).await?;
        let Some(id) = id_of(&state, &sub) else {
            diags.root_error_short("internal-error: the state has no name or resource group");
            return Some((state, private));
        };
        let importing = state.route.is_null() && state.etag.is_null();
        let Some(limit) = timeouts::resolve(diags, &state.timeouts, "read", DEFAULT_READ) else {
            return Some((state, private));
        };
        match arm_common::read::<ArmRouteTable>(&client, diags, &id, limit).await {
            Read::Found(t) if !importing && t.body.failed() => {
                // Azure shows the routes of the write that failed: keep what state recorded,
                // so the next plan writes the configuration again.
                diags.root_warning(
                    "Route Table In Failed State",
                    format!("{id} is in provisioningState Failed: its last write did not complete, and the routes Azure shows are the ones that write asked for. aksnet keeps the values it recorded, so the next terraform apply writes the configuration again."),
                );
                Some((state, private))
            }
            Read::Found(t) => {
                let mut next = state;
                next.id = Value::Value(id.path());
                // The ETag in state is the one after this resource's last write: AKS writing its
                // routes changes the table's ETag, and that is no change of ours to report.
                let etag = match next.etag.as_ref_option() {
                    Some(kept) if !importing => Some(kept.clone()),
                    _ => t.etag,
                };
                refresh(&mut next, &t.body, etag, importing);
                let foreign = foreign_routes(&next, &t.body);
                Some((next, Some(foreign)))
            }
            Read::Gone => None,
            Read::Unreadable => Some((state, private)),
        }
    }

    async fn plan_create<'a>(
        &self,
        diags: &mut Diagnostics,
        proposed: Self::State<'a>,
        config: Self::State<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        // Creating needs ARM: a missing credential is an error now, not at apply.
        if !self.arm.credentials_at_plan(diags).await {
            return None;
        }
        let mut planned = plan_common(diags, proposed, &config, 0);
        planned.id = Value::Unknown;
        if config.subnet_ids.is_null() {
            // Unset means "no associations of ours", not "whatever Azure computes".
            planned.subnet_ids = Value::Null;
        }
        Some((planned, None))
    }

    async fn plan_update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior: Self::State<'a>,
        proposed: Self::State<'a>,
        config: Self::State<'a>,
        prior_private: Self::PrivateState<'a>,
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
        let unchanged = proposed.same_as(&prior);
        // Foreign routes count in the 400-route budget as the last read saw them.
        let foreign = foreign_count(&config, prior_private.as_ref());
        let mut planned = plan_common(diags, proposed, &config, foreign);
        if unchanged || !replace.is_empty() {
            planned.etag = prior.etag.clone();
        }
        if !replace.is_empty() {
            planned.id = Value::Unknown;
            planned.etag = Value::Unknown;
        }
        Some((planned, prior_private, replace))
    }

    async fn create<'a>(
        &self,
        diags: &mut Diagnostics,
        planned: Self::State<'a>,
        _config: Self::State<'a>,
        private: Self::PrivateState<'a>,
        _meta: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let (client, sub) = self.arm.client(diags).await?;
        let id = id_of(&planned, &sub)?;
        let timeout = timeouts::resolve(diags, &planned.timeouts, "create", DEFAULT_CRUD)?;
        if !self.arm.require_absent(&client, diags, &id).await {
            return None;
        }
        let body = desired_table(&planned, None, &BTreeSet::new());
        let mut state = planned.clone();
        state.id = Value::Value(id.path());
        match arm_common::put_new::<_, ArmRouteTable>(&client, diags, &id, &body, timeout).await {
            Ok(done) => refresh(&mut state, &done.body, done.etag, false),
            // A table left behind is recorded without its subnets: the next plan retries them.
            Err(LeftBehind::Exists(t)) => {
                refresh(&mut state, &t.body, t.etag, false);
                return Some((state, private));
            }
            Err(LeftBehind::Unknown) => return Some((state.without_unknowns(), private)),
            Err(LeftBehind::Nothing) => return None,
        }
        let wanted = subnet_set(&planned.subnet_ids);
        self.sync_subnets(diags, &client, &id, &BTreeSet::new(), &wanted, timeout)
            .await;
        // Record what is true now: associations that failed are left out, so the next plan retries them.
        if let Ok(Some(t)) = client.get::<ArmRouteTable>(&id).await {
            state.subnet_ids = planned.subnet_ids.clone();
            refresh(&mut state, &t.body, t.etag, false);
            if !planned.subnet_ids.is_value() {
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
        let (client, sub) = self.arm.client(diags).await?;
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
        let (client, sub) = self.arm.client(diags).await?;
        let id = id_of(&prior, &sub)?;
        let timeout = timeouts::resolve(diags, &prior.timeouts, "delete", DEFAULT_CRUD)?;
        let deadline = tokio::time::Instant::now() + timeout;
        let left = || deadline.saturating_duration_since(tokio::time::Instant::now());
        // Every blocker is found before the first write: a destroy that cannot finish changes nothing.
        let table = match client.get_within::<ArmRouteTable>(&id, timeout).await {
            Ok(Some(t)) => t.body,
            Ok(None) => return Some(()),
            Err(e) => {
                arm_error(diags, "reading", &id, &e);
                return None;
            }
        };
        let check = DeleteCheck {
            table: id.path(),
            routes: table.properties.routes.iter().map(|r| r.name.clone()).collect(),
            subnets: table.properties.subnets.iter().map(|x| x.id.clone()).collect(),
            owned_routes: routes_of(&prior)
                .iter()
                .filter_map(|r| s(&r.name).map(str::to_string))
                .collect(),
            owned_subnets: subnet_set(&prior.subnet_ids).into_iter().collect(),
            remove_foreign_routes: s(&prior.foreign_routes) == Some("remove"),
        };
        let mine = match delete_blockers(&check) {
            Ok(mine) => mine,
            Err(why) => {
                diags.root_error("Route Table Still In Use", why.to_string());
                return None;
            }
        };
        // If a write fails from here on, the table stays in state; the next refresh drops the
        // subnets already dissociated from subnet_ids, so the next plan shows them.
        let mut done = Vec::new();
        for subnet in &mine {
            if let Err(e) = self.associate(&client, subnet, &id, false, left()).await {
                diags.root_error(
                    "Error Dissociating Subnet",
                    format!(
                        "dissociating {subnet} from {id}: {e}. The route table was not deleted and stays in state{}.",
                        partly(&done)
                    ),
                );
                return None;
            }
            done.push(subnet.as_str());
        }
        let e = match client.delete(&id, left()).await {
            Ok(()) => return Some(()),
            Err(e) => e,
        };
        let (summary, fix) = match &e {
            ClientError::Arm(a) if a.code == "InUseRouteTableCannotBeDeleted" => (
                "Route Table Still In Use".to_string(),
                " A subnet was associated with the table after destroy checked it; dissociate it, or add it to subnet_ids and apply, then destroy again.",
            ),
            _ => (format!("Error deleting {}", id.kind.display_name()), ""),
        };
        diags.root_error(
            summary,
            format!(
                "deleting {id}: {e}.{fix} The route table stays in state{}.",
                partly(&done)
            ),
        );
        None
    }

    async fn import<'a>(
        &self,
        diags: &mut Diagnostics,
        id: String,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let parsed = self.arm.import_id(diags, Kind::RouteTable, &id, true).await?;
        let state = State {
            id: Value::Value(parsed.path()),
            name: Value::Value(parsed.name().to_string()),
            resource_group_name: Value::Value(parsed.resource_group.clone()),
            foreign_routes: Value::Null,
            ..Default::default()
        };
        Some((state, None))
    }

    async fn move_state<'a>(
        &self,
        diags: &mut Diagnostics,
        source: MoveSource,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        // No ARM call: Terraform refreshes the moved state (ReadResource) before it plans,
        // which fills the ETag and the foreign routes.
        match moved_from_azurerm::from_azurerm(&source) {
            Ok(state) => Some((state, None)),
            Err(e) => {
                e.report(diags);
                None
            }
        }
    }
}

impl RouteTable {
    /// Sets (`associate`) or clears `routeTable` on a subnet with If-Match, retrying ETag
    /// races. Clearing leaves a subnet associated with another table alone: that is not ours.
    async fn associate(
        &self,
        client: &ArmClient,
        subnet_id: &str,
        table: &ResourceId,
        associate: bool,
        timeout: Duration,
    ) -> Result<(), AssociateError> {
        let id = ResourceId::parse(Kind::Subnet, subnet_id)?;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let Some(current) = client
                .get::<Subnet>(&id)
                .await
                .map_err(|source| AssociateError::Read {
                    id: id.clone(),
                    source,
                })?
            else {
                return if associate {
                    Err(AssociateError::Missing(id))
                } else {
                    Ok(())
                };
            };
            let mut subnet = current.body;
            let mine = table.path();
            let ours = subnet
                .properties
                .route_table
                .as_ref()
                .is_some_and(|r| r.id.eq_ignore_ascii_case(&mine));
            if ours == associate {
                return Ok(());
            }
            subnet.properties.route_table = associate.then(|| SubResource {
                id: mine,
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
                Err(source) => return Err(AssociateError::Write { id, source }),
            }
        }
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
            if let Err(e) = self.associate(client, subnet, id, true, timeout).await {
                diags.error(
                    "Error Associating Subnet",
                    format!("associating {subnet} with {id}: {e}"),
                    AttributePath::new("subnet_ids"),
                );
            }
        }
        for subnet in before.difference(after) {
            if let Err(e) = self.associate(client, subnet, id, false, timeout).await {
                diags.error(
                    "Error Dissociating Subnet",
                    format!("dissociating {subnet} from {id}: {e}"),
                    AttributePath::new("subnet_ids"),
                );
            }
        }
    }
}

/// Why a subnet's `routeTable` could not be set or cleared; the text is the diagnostic's detail.
#[derive(Debug, thiserror::Error)]
enum AssociateError {
    /// The subnet ID is not a subnet ID.
    #[error(transparent)]
    Id(#[from] IdError),
    /// Reading the subnet failed.
    #[error("reading {id}: {source}")]
    Read {
        /// The subnet.
        id: ResourceId,
        /// What ARM or the transport said.
        source: ClientError,
    },
    /// The subnet to associate does not exist.
    #[error("{0} does not exist")]
    Missing(ResourceId),
    /// Writing the subnet failed.
    #[error("updating {id}: {source}")]
    Write {
        /// The subnet.
        id: ResourceId,
        /// What ARM or the transport said.
        source: ClientError,
    },
}

/// For a message after a partial destroy: which subnets were dissociated already.
fn partly(done: &[&str]) -> String {
    if done.is_empty() {
        String::new()
    } else {
        format!(
            "; already dissociated: {} (the next plan shows them to associate again)",
            done.join(", ")
        )
    }
}
