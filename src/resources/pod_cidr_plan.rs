//! `aksnet_pod_cidr_plan`: a pure resource that plans an AKS cluster's address ranges.
//!
//! Every output is known at plan time, so `terraform plan` shows the address plan. Apply
//! stores what plan computed; nothing talks to Azure.
//!
//! The lifecycle comes first; `schema` and `plan` hold the rest.

mod plan;
mod schema;
#[cfg(test)]
mod tests;

use aksnet_tfplugin::schema::Schema;
use aksnet_tfplugin::value::{Value, ValueEmpty};
use aksnet_tfplugin::{AttributePath, Diagnostics, Resource};
use async_trait::async_trait;

use crate::tfvalue::{report, report_nulls};

use plan::*;
#[cfg(test)]
pub(crate) use schema::NodePoolBlock;
pub(crate) use schema::State;

/// PodCidrPlan implements `aksnet_pod_cidr_plan`.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PodCidrPlan;

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
