//! The `aksnet` provider: schema, configuration, and the resources and functions it serves.

use std::collections::HashMap;

use async_trait::async_trait;
use tf_provider::schema::{Block, Description, Schema};
use tf_provider::value::ValueEmpty;
use tf_provider::{map, Diagnostics, DynamicFunction, DynamicResource, Provider};

use crate::functions;
use crate::resources::pod_cidr_plan::PodCidrPlan;

/// The provider type name; tf-provider prefixes resource names with `aksnet_`.
pub const PROVIDER_NAME: &str = "aksnet";

/// AksnetProvider serves aksnet's resources and functions.
#[derive(Debug, Default, Clone)]
pub struct AksnetProvider;

impl AksnetProvider {
    /// Builds the provider; resources are created once and shared by every request.
    pub fn new() -> Self {
        Self
    }
}

#[async_trait]
impl Provider for AksnetProvider {
    type Config<'a> = ValueEmpty;
    type MetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Schema {
            version: 1,
            block: Block {
                description: Description::markdown(
                    "The aksnet provider makes Azure Kubernetes Service networking declarative \
                     and safe: it checks address plans, plugin combinations and capacity at plan \
                     time, before Azure sees them.",
                ),
                ..Default::default()
            },
        })
    }

    async fn configure<'a>(
        &self,
        _diags: &mut Diagnostics,
        _terraform_version: String,
        _config: Self::Config<'a>,
    ) -> Option<()> {
        Some(())
    }

    fn get_resources(
        &self,
        _diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicResource>>> {
        Some(map! {
            "pod_cidr_plan" => PodCidrPlan,
        })
    }

    fn get_functions(
        &self,
        _diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicFunction>>> {
        Some(functions::all())
    }
}
