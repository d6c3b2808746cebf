// This file is part of the tf-provider project (0.2.2), modified by the aksnet project: see ../NOTICE
//
// Copyright (C) ANEO, 2024-2024. All rights reserved.
//
// Licensed under the Apache License, Version 2.0 (the "License")
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

//! [`Resource`] module

use crate::attribute_path::AttributePath;
use crate::diagnostics::Diagnostics;
use crate::identity::{Identity, IdentitySchema};
use crate::raw::RawValue;
use crate::schema::Schema;
use crate::utils::OptionFactor;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// The resource a `moved` block moves into this resource type (MoveResourceState, tfplugin
/// 6.5+, Terraform >= 1.8), as Terraform hands it over: another provider's or another type's
/// state, never decoded with this resource's schema.
#[derive(Debug, Clone, PartialEq)]
pub struct MoveSource {
    /// The source provider's address, e.g. `registry.terraform.io/hashicorp/azurerm`.
    pub provider_address: String,
    /// The source resource type, e.g. `azurerm_route_table`.
    pub type_name: String,
    /// The schema version the source state was written with.
    pub schema_version: i64,
    /// The source state as stored (JSON; Terraform sends no other encoding for moves).
    pub state: serde_json::Value,
    /// The resource type being moved to (this one).
    pub target_type_name: String,
}

impl MoveSource {
    /// The error for a source this resource does not take: it names the source type, its
    /// provider and schema version, and what `supported` lists (empty: no moves at all).
    pub fn refuse(&self, diags: &mut Diagnostics, supported: &str) {
        let what = if supported.is_empty() {
            format!(
                "{} accepts no moves from another resource type.",
                self.target_type_name
            )
        } else {
            format!("{} accepts moves from {supported}.", self.target_type_name)
        };
        diags.root_error(
            "Unsupported Resource Move",
            format!(
                "moving {} (schema version {}) of provider {} to {} is not supported: {what} \
                 To hand the object over, replace the moved block with a removed block \
                 (lifecycle {{ destroy = false }}) and an import block for {}.",
                self.type_name,
                self.schema_version,
                self.provider_address,
                self.target_type_name,
                self.target_type_name
            ),
        );
    }
}

/// Trait for implementing a resource with automatic serialization/deserialization
///
/// See also: [`DynamicResource`]
#[async_trait]
pub trait Resource: Send + Sync {
    /// State of the resource
    ///
    /// The state will be automatically serialized/deserialized at the border of the request.
    type State<'a>: Serialize + Deserialize<'a> + Send;

    /// Private state of the resource
    ///
    /// The private state will be automatically serialized/deserialized at the border of the request.
    type PrivateState<'a>: Serialize + Deserialize<'a> + Send;

    /// State of the provider metadata
    ///
    /// The state will be automatically serialized/deserialized at the border of the request.
    type ProviderMetaState<'a>: Serialize + Deserialize<'a> + Send;

    /// Get the schema of the resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured when getting back the schema
    ///
    /// # Remarks
    ///
    /// The return is ignored if there is an error in diagnostics.
    /// If the return is [`None`], an ad-hoc error is added to diagnostics.
    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema>;

    /// Validate the configuration of the resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during validation
    /// * `config` - State as declared in the Terraform file
    ///
    /// # Remarks
    ///
    /// The return is ignored if there is an error in diagnostics.
    /// If the return is [`None`], an ad-hoc error is added to diagnostics.
    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Self::State<'a>) -> Option<()> {
        _ = diags;
        _ = config;
        Some(())
    }

    /// Read the new state of the resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the read
    /// * `state` - State as stored in the Terraform state
    /// * `private_state` - Private state as stored in the Terraform state
    /// * `provider_meta_state` - State of the provider metadata as declared in the Terraform file
    ///
    /// # Remarks
    ///
    /// Return must be [`None`] if the resource has been destroyed externally.
    /// Return must be [`Some`] if the resource is still there, even if there was errors while reading the resource.
    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        state: Self::State<'a>,
        private_state: Self::PrivateState<'a>,
        provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)>;

    /// Plan the creation of a new resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the plan
    /// * `proposed_state` - State proposed by Terraform
    /// * `config_state` - State as declared in the Terraform file
    /// * `provider_meta_state` - State of the provider metadata as declared in the Terraform file
    ///
    /// # Remarks
    ///
    /// The return is ignored if there is an error in diagnostics.
    /// If the return is [`None`], an ad-hoc error is added to diagnostics.
    async fn plan_create<'a>(
        &self,
        diags: &mut Diagnostics,
        proposed_state: Self::State<'a>,
        config_state: Self::State<'a>,
        provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)>;

    /// Plan the changes on the resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the plan
    /// * `prior_state` - State as stored in the Terraform state
    /// * `proposed_state` - State proposed by Terraform
    /// * `config_state` - State as declared in the Terraform file
    /// * `private_state` - Private state as stored in the Terraform state
    /// * `provider_meta_state` - State of the provider metadata as declared in the Terraform file
    ///
    /// # Remarks
    ///
    /// The return is ignored if there is an error in diagnostics.
    /// If the return is [`None`], an ad-hoc error is added to diagnostics.
    async fn plan_update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State<'a>,
        proposed_state: Self::State<'a>,
        config_state: Self::State<'a>,
        prior_private_state: Self::PrivateState<'a>,
        provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>, Vec<AttributePath>)>;

    /// Plan the destruction of the resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the plan
    /// * `prior_state` - State as stored in the Terraform state
    /// * `prior_private_state` - Private state as stored in the Terraform state
    /// * `provider_meta_state` - State of the provider metadata as declared in the Terraform file
    ///
    /// # Remarks
    ///
    /// The return is ignored if there is an error in diagnostics.
    /// If the return is [`None`], an ad-hoc error is added to diagnostics.
    /// By default the destroy is planned as it comes, carrying the prior private state.
    async fn plan_destroy<'a>(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State<'a>,
        prior_private_state: Self::PrivateState<'a>,
        provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<Self::PrivateState<'a>> {
        _ = (diags, prior_state, provider_meta_state);
        Some(prior_private_state)
    }

    /// Create a new resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the creation
    /// * `planned_state` - State proposed by the provider upon plan
    /// * `config_state` - State as declared in the Terraform file
    /// * `planned_private_state` - Private state proposed by the provider upon plan
    /// * `provider_meta_state` - State of the provider metadata as declared in the Terraform file
    ///
    /// # Remarks
    ///
    /// If the return is [`None`], an ad-hoc error is added to diagnostics.
    /// Return must be [`Some`] if the resource was created, even if there was errors while creating the resource.
    async fn create<'a>(
        &self,
        diags: &mut Diagnostics,
        planned_state: Self::State<'a>,
        config_state: Self::State<'a>,
        planned_private_state: Self::PrivateState<'a>,
        provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)>;

    /// Apply the changes on the resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the update
    /// * `prior_state` - State as stored in the Terraform state
    /// * `planned_state` - State proposed by the provider upon plan
    /// * `config_state` - State as declared in the Terraform file
    /// * `planned_private_state` - Private state proposed by the provider upon plan
    /// * `provider_meta_state` - State of the provider metadata as declared in the Terraform file
    ///
    /// # Remarks
    ///
    /// If the return is [`None`], an ad-hoc error is added to diagnostics, and the resource state is kept unchanged.
    /// Return must be [`Some`] if the resource was updated, even if there was errors while updated the resource.
    async fn update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State<'a>,
        planned_state: Self::State<'a>,
        config_state: Self::State<'a>,
        planned_private_state: Self::PrivateState<'a>,
        provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)>;

    /// Destroy the resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the destruction
    /// * `prior_state` - State as stored in the Terraform state
    /// * `planned_private_state` - Private state proposed by the provider upon plan
    /// * `provider_meta_state` - State of the provider metadata as declared in the Terraform file
    ///
    /// # Remarks
    ///
    /// The return is ignored if there is an error in diagnostics.
    /// If the return is [`None`], an ad-hoc error is added to diagnostics.
    async fn destroy<'a>(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State<'a>,
        planned_private_state: Self::PrivateState<'a>,
        provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<()>;

    /// Import an existing resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the import
    /// * `id` - Opaque string that the provider can use to identify the actual resource to import
    ///
    /// # Remarks
    ///
    /// If the return is [`None`], an ad-hoc error is added to diagnostics.
    /// Return must be [`Some`] if the resource was imported, even if there was errors while importing the resource.
    async fn import<'a>(
        &self,
        diags: &mut Diagnostics,
        id: String,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        _ = id;
        diags.root_error_short("Import is not supported");
        None
    }

    /// The resource's identity schema (tfplugin 6.9, Terraform >= 1.12); `None` (the default)
    /// when the resource has no identity.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }

    /// The identity of the object `state` describes, built from the state alone; `None` while it
    /// cannot be known yet (an ID computed at apply).
    fn identity<'a>(&self, state: &Self::State<'a>) -> Option<Identity> {
        _ = state;
        None
    }

    /// The import ID for an `import` block's `identity` (already checked against the identity
    /// schema: every attribute required for import is set); the server then imports it as
    /// [`Resource::import`] does an ID.
    async fn import_id(&self, diags: &mut Diagnostics, identity: &Identity) -> Option<String> {
        _ = identity;
        diags.root_error_short("Import by identity is not supported");
        None
    }

    /// Upgrade the resource from a prior version of the resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the import
    /// * `version` - Prior version of the resource to upgrade as recorded in Terraform state
    /// * `prior_state` - Prior state of the resource to upgrade as recorded in Terraform state
    ///
    /// # Remarks
    ///
    /// If the return is [`None`], an ad-hoc error is added to diagnostics, and the resource state is kept unchanged.
    /// Return must be [`Some`] if the resource was upgraded, even if there was errors while upgraded the resource.
    ///
    /// Because the schema of the resource might have changed,
    /// the prior state must be deserialized explicitely.
    async fn upgrade<'a>(
        &self,
        diags: &mut Diagnostics,
        version: i64,
        prior_state: RawValue,
    ) -> Option<Self::State<'a>> {
        _ = version;
        _ = prior_state;
        diags.root_error_short("Upgrade is not supported");
        None
    }
    /// Move another resource type's state into this one (a `moved` block whose `from` is
    /// another type, possibly of another provider)
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the move
    /// * `source` - The source type, provider, schema version and raw state
    ///
    /// # Remarks
    ///
    /// The default refuses every move with an error naming the source. The returned state
    /// is refreshed (ReadResource) before Terraform plans, so values the source lacks can be
    /// left to that read.
    async fn move_state<'a>(
        &self,
        diags: &mut Diagnostics,
        source: MoveSource,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        source.refuse(diags, "");
        None
    }

    /// Shape the configuration Terraform writes for `terraform plan -generate-config-out` from
    /// the resource's state (tfplugin 6.10 `GenerateResourceConfig`, called by Terraform >= 1.14)
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors
    /// * `state` - The state of the resource, as imported and read
    ///
    /// # Remarks
    ///
    /// Return a value the resource accepts as its own configuration, with the same plan (no
    /// changes), e.g. with one of two conflicting forms of a value left out. The server then
    /// drops what no configuration may set (computed-only and deprecated attributes), as
    /// Terraform does for providers without this RPC. The default returns the state unchanged.
    async fn generate_config<'a>(
        &self,
        diags: &mut Diagnostics,
        state: Self::State<'a>,
    ) -> Option<Self::State<'a>> {
        _ = diags;
        Some(state)
    }
}

/// Trait for implementing a resource *without* automatic serialization/deserialization
///
/// See also: [`Resource`]
#[async_trait]
pub trait DynamicResource: Send + Sync {
    /// Get the schema of the resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured when getting back the schema
    ///
    /// # Remarks
    ///
    /// The return is ignored if there is an error in diagnostics.
    /// If the return is [`None`], an ad-hoc error is added to diagnostics.
    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema>;

    /// Validate the configuration of the resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during validation
    /// * `config` - State as declared in the Terraform file
    ///
    /// # Remarks
    ///
    /// The return is ignored if there is an error in diagnostics.
    /// If the return is [`None`], an ad-hoc error is added to diagnostics.
    async fn validate(&self, diags: &mut Diagnostics, config: RawValue) -> Option<()> {
        _ = diags;
        _ = config;
        Some(())
    }

    /// Read the new state of the resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the read
    /// * `state` - State as stored in the Terraform state
    /// * `private_state` - Private state as stored in the Terraform state
    /// * `provider_meta_state` - State of the provider metadata as declared in the Terraform file
    ///
    /// # Remarks
    ///
    /// Return must be [`None`] if the resource has been destroyed externally.
    /// Return must be [`Some`] if the resource is still there, even if there was errors while reading the resource.
    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: RawValue,
        private_state: Vec<u8>,
        provider_meta_state: RawValue,
    ) -> Option<(RawValue, Vec<u8>)>;

    /// Plan the creation of a new resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the plan
    /// * `proposed_state` - State proposed by Terraform
    /// * `config_state` - State as declared in the Terraform file
    /// * `provider_meta_state` - State of the provider metadata as declared in the Terraform file
    ///
    /// # Remarks
    ///
    /// The return is ignored if there is an error in diagnostics.
    /// If the return is [`None`], an ad-hoc error is added to diagnostics.
    async fn plan_create(
        &self,
        diags: &mut Diagnostics,
        proposed_state: RawValue,
        config_state: RawValue,
        provider_meta_state: RawValue,
    ) -> Option<(RawValue, Vec<u8>)>;

    /// Plan the changes on the resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the plan
    /// * `prior_state` - State as stored in the Terraform state
    /// * `proposed_state` - State proposed by Terraform
    /// * `config_state` - State as declared in the Terraform file
    /// * `private_state` - Private state as stored in the Terraform state
    /// * `provider_meta_state` - State of the provider metadata as declared in the Terraform file
    ///
    /// # Remarks
    ///
    /// The return is ignored if there is an error in diagnostics.
    /// If the return is [`None`], an ad-hoc error is added to diagnostics.
    async fn plan_update(
        &self,
        diags: &mut Diagnostics,
        prior_state: RawValue,
        proposed_state: RawValue,
        config_state: RawValue,
        prior_private_state: Vec<u8>,
        provider_meta_state: RawValue,
    ) -> Option<(RawValue, Vec<u8>, Vec<AttributePath>)>;

    /// Plan the destruction of the resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the plan
    /// * `prior_state` - State as stored in the Terraform state
    /// * `prior_private_state` - Private state as stored in the Terraform state
    /// * `provider_meta_state` - State of the provider metadata as declared in the Terraform file
    ///
    /// # Remarks
    ///
    /// The return is ignored if there is an error in diagnostics.
    /// If the return is [`None`], an ad-hoc error is added to diagnostics.
    async fn plan_destroy(
        &self,
        diags: &mut Diagnostics,
        prior_state: RawValue,
        prior_private_state: Vec<u8>,
        provider_meta_state: RawValue,
    ) -> Option<Vec<u8>>;

    /// Create a new resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the creation
    /// * `planned_state` - State proposed by the provider upon plan
    /// * `config_state` - State as declared in the Terraform file
    /// * `planned_private_state` - Private state proposed by the provider upon plan
    /// * `provider_meta_state` - State of the provider metadata as declared in the Terraform file
    ///
    /// # Remarks
    ///
    /// If the return is [`None`], an ad-hoc error is added to diagnostics.
    /// Return must be [`Some`] if the resource was created, even if there was errors while creating the resource.
    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned_state: RawValue,
        config_state: RawValue,
        planned_private_state: Vec<u8>,
        provider_meta_state: RawValue,
    ) -> Option<(RawValue, Vec<u8>)>;

    /// Apply the changes on the resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the update
    /// * `prior_state` - State as stored in the Terraform state
    /// * `planned_state` - State proposed by the provider upon plan
    /// * `config_state` - State as declared in the Terraform file
    /// * `planned_private_state` - Private state proposed by the provider upon plan
    /// * `provider_meta_state` - State of the provider metadata as declared in the Terraform file
    ///
    /// # Remarks
    ///
    /// If the return is [`None`], an ad-hoc error is added to diagnostics, and the resource state is kept unchanged.
    /// Return must be [`Some`] if the resource was updated, even if there was errors while updated the resource.
    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior_state: RawValue,
        planned_state: RawValue,
        config_state: RawValue,
        planned_private_state: Vec<u8>,
        provider_meta_state: RawValue,
    ) -> Option<(RawValue, Vec<u8>)>;

    /// Destroy the resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the destruction
    /// * `prior_state` - State as stored in the Terraform state
    /// * `planned_private_state` - Private state proposed by the provider upon plan
    /// * `provider_meta_state` - State of the provider metadata as declared in the Terraform file
    ///
    /// # Remarks
    ///
    /// The return is ignored if there is an error in diagnostics.
    /// If the return is [`None`], an ad-hoc error is added to diagnostics.
    async fn destroy(
        &self,
        diags: &mut Diagnostics,
        prior_state: RawValue,
        planned_private_state: Vec<u8>,
        provider_meta_state: RawValue,
    ) -> Option<()>;

    /// Import an existing resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the import
    /// * `id` - Opaque string that the provider can use to identify the actual resource to import
    ///
    /// # Remarks
    ///
    /// If the return is [`None`], an ad-hoc error is added to diagnostics.
    /// Return must be [`Some`] if the resource was imported, even if there was errors while importing the resource.
    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<(RawValue, Vec<u8>)> {
        _ = id;
        diags.root_error_short("Import is not supported");
        None
    }

    /// The resource's identity schema; `None` when it has no identity.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }

    /// The identity of the object `state` (a non-null state) describes; `None` while unknown.
    fn identity(&self, diags: &mut Diagnostics, state: &RawValue) -> Option<Identity> {
        _ = (diags, state);
        None
    }

    /// The import ID for an `import` block's `identity`.
    async fn import_id(&self, diags: &mut Diagnostics, identity: &Identity) -> Option<String> {
        _ = identity;
        diags.root_error_short("Import by identity is not supported");
        None
    }

    /// Upgrade the resource
    ///
    /// # Arguments
    ///
    /// * `diags` - Diagnostics to record warnings and errors that occured during the import
    /// * `version` - Prior version of the resource to upgrade as recorded in Terraform state
    /// * `prior_state` - Prior state of the resource to upgrade as recorded in Terraform state
    ///
    /// # Remarks
    ///
    /// If the return is [`None`], an ad-hoc error is added to diagnostics, and the resource state is kept unchanged.
    /// Return must be [`Some`] if the resource was upgraded, even if there was errors while upgraded the resource.
    async fn upgrade(
        &self,
        diags: &mut Diagnostics,
        version: i64,
        prior_state: RawValue,
    ) -> Option<RawValue> {
        _ = version;
        _ = prior_state;
        diags.root_error_short("Upgrade is not supported");
        None
    }
    /// Move another resource type's state into this one; see [`Resource::move_state`].
    async fn move_state(&self, diags: &mut Diagnostics, source: MoveSource) -> Option<(RawValue, Vec<u8>)> {
        source.refuse(diags, "");
        None
    }

    /// Shape the configuration for `-generate-config-out` from the state; see [`Resource::generate_config`]
    async fn generate_config(&self, diags: &mut Diagnostics, state: RawValue) -> Option<RawValue> {
        _ = diags;
        Some(state)
    }
}

#[async_trait]
impl<T: Resource> DynamicResource for T {
    /// Get the schema of the resource
    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema> {
        <T as Resource>::schema(self, diags)
    }
    /// Validate the configuration of the resource
    async fn validate(&self, diags: &mut Diagnostics, config: RawValue) -> Option<()> {
        let config = config.deserialize(diags)?;
        <T as Resource>::validate(self, diags, config).await
    }
    /// Read the new state of the resource
    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: RawValue,
        private_state: Vec<u8>,
        provider_meta_state: RawValue,
    ) -> Option<(RawValue, Vec<u8>)> {
        let private_state = RawValue::MessagePack(private_state);
        let (state, private_state, provider_meta_state) = (
            state.deserialize(diags),
            private_state.deserialize(diags),
            provider_meta_state.deserialize(diags),
        )
            .factor()?;

        let (state, private_state) =
            <T as Resource>::read(self, diags, state, private_state, provider_meta_state).await?;

        (
            RawValue::serialize(diags, &state),
            RawValue::serialize_vec(diags, &private_state),
        )
            .factor()
    }
    /// Plan the creation of a new resource
    async fn plan_create(
        &self,
        diags: &mut Diagnostics,
        proposed_state: RawValue,
        config_state: RawValue,
        provider_meta_state: RawValue,
    ) -> Option<(RawValue, Vec<u8>)> {
        let (proposed_state, config_state, provider_meta_state) = (
            proposed_state.deserialize(diags),
            config_state.deserialize(diags),
            provider_meta_state.deserialize(diags),
        )
            .factor()?;

        let (state, private_state) =
            <T as Resource>::plan_create(self, diags, proposed_state, config_state, provider_meta_state)
                .await?;

        (
            RawValue::serialize(diags, &state),
            RawValue::serialize_vec(diags, &private_state),
        )
            .factor()
    }
    /// Plan the changes on the resource
    async fn plan_update(
        &self,
        diags: &mut Diagnostics,
        prior_state: RawValue,
        proposed_state: RawValue,
        config_state: RawValue,
        prior_private_state: Vec<u8>,
        provider_meta_state: RawValue,
    ) -> Option<(RawValue, Vec<u8>, Vec<AttributePath>)> {
        let prior_private_state = RawValue::MessagePack(prior_private_state);
        let (prior_state, proposed_state, config_state, prior_private_state, provider_meta_state) = (
            prior_state.deserialize(diags),
            proposed_state.deserialize(diags),
            config_state.deserialize(diags),
            prior_private_state.deserialize(diags),
            provider_meta_state.deserialize(diags),
        )
            .factor()?;

        let (state, private_state, destroy_triggers) = <T as Resource>::plan_update(
            self,
            diags,
            prior_state,
            proposed_state,
            config_state,
            prior_private_state,
            provider_meta_state,
        )
        .await?;

        (
            RawValue::serialize(diags, &state),
            RawValue::serialize_vec(diags, &private_state),
            Some(destroy_triggers),
        )
            .factor()
    }
    /// Plan the destruction of the resource
    async fn plan_destroy(
        &self,
        diags: &mut Diagnostics,
        prior_state: RawValue,
        prior_private_state: Vec<u8>,
        provider_meta_state: RawValue,
    ) -> Option<Vec<u8>> {
        let prior_private_state = RawValue::MessagePack(prior_private_state);
        let (prior_state, prior_private_state, provider_meta_state) = (
            prior_state.deserialize(diags),
            prior_private_state.deserialize(diags),
            provider_meta_state.deserialize(diags),
        )
            .factor()?;

        let private_state =
            <T as Resource>::plan_destroy(self, diags, prior_state, prior_private_state, provider_meta_state)
                .await?;

        RawValue::serialize_vec(diags, &private_state)
    }
    /// Create a new resource
    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned_state: RawValue,
        config_state: RawValue,
        planned_private_state: Vec<u8>,
        provider_meta_state: RawValue,
    ) -> Option<(RawValue, Vec<u8>)> {
        let planned_private_state = RawValue::MessagePack(planned_private_state);
        let (planned_state, config_state, planned_private_state, provider_meta_state) = (
            planned_state.deserialize(diags),
            config_state.deserialize(diags),
            planned_private_state.deserialize(diags),
            provider_meta_state.deserialize(diags),
        )
            .factor()?;
        let (state, private_state) = <T as Resource>::create(
            self,
            diags,
            planned_state,
            config_state,
            planned_private_state,
            provider_meta_state,
        )
        .await?;
        (
            RawValue::serialize(diags, &state),
            RawValue::serialize_vec(diags, &private_state),
        )
            .factor()
    }
    /// Apply the changes on the resource
    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior_state: RawValue,
        planned_state: RawValue,
        config_state: RawValue,
        planned_private_state: Vec<u8>,
        provider_meta_state: RawValue,
    ) -> Option<(RawValue, Vec<u8>)> {
        let planned_private_state = RawValue::MessagePack(planned_private_state);
        let (prior_state, planned_state, config_state, planned_private_state, provider_meta_state) = (
            prior_state.deserialize(diags),
            planned_state.deserialize(diags),
            config_state.deserialize(diags),
            planned_private_state.deserialize(diags),
            provider_meta_state.deserialize(diags),
        )
            .factor()?;
        let (state, private_state) = <T as Resource>::update(
            self,
            diags,
            prior_state,
            planned_state,
            config_state,
            planned_private_state,
            provider_meta_state,
        )
        .await?;
        (
            RawValue::serialize(diags, &state),
            RawValue::serialize_vec(diags, &private_state),
        )
            .factor()
    }
    /// Destroy the resource
    async fn destroy(
        &self,
        diags: &mut Diagnostics,
        prior_state: RawValue,
        planned_private_state: Vec<u8>,
        provider_meta_state: RawValue,
    ) -> Option<()> {
        let planned_private_state = RawValue::MessagePack(planned_private_state);
        let (prior_state, planned_private_state, provider_meta_state) = (
            prior_state.deserialize(diags),
            planned_private_state.deserialize(diags),
            provider_meta_state.deserialize(diags),
        )
            .factor()?;

        <T as Resource>::destroy(
            self,
            diags,
            prior_state,
            planned_private_state,
            provider_meta_state,
        )
        .await
    }
    /// Import an existing resource
    async fn import(&self, diags: &mut Diagnostics, id: String) -> Option<(RawValue, Vec<u8>)> {
        let (state, private_state) = <T as Resource>::import(self, diags, id).await?;
        (
            RawValue::serialize(diags, &state),
            RawValue::serialize_vec(diags, &private_state),
        )
            .factor()
    }
    /// The resource's identity schema
    fn identity_schema(&self) -> Option<IdentitySchema> {
        <T as Resource>::identity_schema(self)
    }
    /// The identity of the object `state` describes
    fn identity(&self, diags: &mut Diagnostics, state: &RawValue) -> Option<Identity> {
        if state.is_null() {
            return None;
        }
        let state = state.deserialize(diags)?;
        <T as Resource>::identity(self, &state)
    }
    /// The import ID for an `import` block's `identity`
    async fn import_id(&self, diags: &mut Diagnostics, identity: &Identity) -> Option<String> {
        <T as Resource>::import_id(self, diags, identity).await
    }
    /// Upgrade the resource
    async fn upgrade(
        &self,
        diags: &mut Diagnostics,
        version: i64,
        prior_state: RawValue,
    ) -> Option<RawValue> {
        let state = <T as Resource>::upgrade(self, diags, version, prior_state).await?;
        RawValue::serialize(diags, &state)
    }
    /// Move another resource type's state into this one
    async fn move_state(&self, diags: &mut Diagnostics, source: MoveSource) -> Option<(RawValue, Vec<u8>)> {
        let (state, private_state) = <T as Resource>::move_state(self, diags, source).await?;
        (
            RawValue::serialize(diags, &state),
            RawValue::serialize_vec(diags, &private_state),
        )
            .factor()
    }
    /// Shape the configuration for `-generate-config-out` from the state
    async fn generate_config(&self, diags: &mut Diagnostics, state: RawValue) -> Option<RawValue> {
        let state = state.deserialize(diags)?;
        let config = <T as Resource>::generate_config(self, diags, state).await?;
        RawValue::serialize(diags, &config)
    }
}

impl<T: Resource + 'static> From<T> for Box<dyn DynamicResource> {
    fn from(value: T) -> Self {
        Box::new(value)
    }
}
