//! `aksnet_cluster_network`'s plan-time checks: netplan's rules on the configuration, with
//! what Azure says about the subnets, the VNet and the cluster's other pools; and the
//! outbound checks apply repeats just before it creates the cluster.

use aksnet_tfplugin::value::Value;
use aksnet_tfplugin::Diagnostics;

use crate::arm::client::ArmClient;
use crate::arm::models::{AgentPoolProfile, ManagedCluster};
use crate::netplan::live::{o1_udr, o1_udr_at_create, o3_nat_gateway, o6_route_table};
use crate::netplan::profile::Lifecycle;
use crate::netplan::rotation::{m8_temporary_name_changed, m8_temporary_pool_taken};
use crate::netplan::rules::validate_profile;
use crate::netplan::{FieldPath, Finding};
use crate::tfvalue::{report, report_nulls};

use super::body::s;
use super::live::{gather, pool_path, shared_subnet, udr_table, Live};
use super::plan::{id_of, o4_with_prior, pools, profile, shape_findings};
use super::pool::foreign_pools;
use super::schema::{self, State};
use super::ClusterNetwork;

impl ClusterNetwork {
    /// Runs the live checks when Azure is reachable; without credentials they are skipped
    /// with a warning (plan still checks everything that needs no Azure).
    pub(super) async fn live(&self, diags: &mut Diagnostics, planned: &State, creating: bool) -> Live {
        let any_subnet = pools(planned)
            .iter()
            .any(|(_, p)| p.vnet_subnet_id.is_value() || p.pod_subnet_id.is_value());
        if !any_subnet {
            return Live::default();
        }
        // No credential works: apply would fail too, so that is an error (issue 19).
        let skipped = "the subnets were not checked against Azure";
        let Some(client) = self.arm.live_client(diags, skipped).await else {
            return Live::default();
        };
        let mut live = gather(&client, planned, creating).await;
        match (s(&planned.outbound_type), &live.node) {
            (Some("userDefinedRouting"), Some(node)) => {
                if let Ok(table) = udr_table(&client, node).await {
                    live.findings.extend(o1_udr(&table, pool_path("vnet_subnet_id")));
                }
            }
            (Some("userAssignedNATGateway"), Some(node)) => live.findings.extend(o3_nat_gateway(
                node.nat_gateway.as_deref(),
                pool_path("vnet_subnet_id"),
                false,
            )),
            _ => {}
        }
        live
    }

    /// Plans shared by create and update: pairs, findings (static, netplan with live facts).
    /// `rotation`: on update, the temporary pool a planned rotation of the default pool (M8)
    /// goes through, and the failed rotation's temporary pool this resource recorded, if any.
    pub(super) async fn check(
        &self,
        diags: &mut Diagnostics,
        planned: &State,
        config: &State,
        creating: bool,
        rotation: Option<(&str, Option<&str>)>,
    ) {
        // Values unknown at validate (variables, other resources' attributes) are known here.
        report_nulls(diags, &schema::block(), config);
        let mut live = self.live(diags, planned, creating).await;
        if creating {
            live.findings.extend(kubenet_identity_route_table(config, &live));
        }
        if !creating {
            // AKS checks the ranges against the VNet's other subnets when it creates the
            // cluster; a subnet added later next to a running cluster must not block its
            // updates (A-leg FAQ: "It's possible to later create a new subnet … that overlaps").
            live.vnet_subnets.clear();
        }
        let mut findings = shape_findings(config);
        findings.extend(o4_with_prior(planned, config));
        // netplan fills AKS's defaults for what the configuration leaves unset, so a default
        // range that collides with the VNet is caught here rather than by AKS.
        let mut prof = profile(planned, config, &live);
        // AKS refuses some values on create only (E16: a Basic load balancer).
        prof.lifecycle = if creating {
            Lifecycle::Create
        } else {
            Lifecycle::Existing
        };
        if !creating {
            let live_pools = self.live_pools(planned).await;
            // Pools in Azure this configuration does not declare take addresses too.
            let declared: Vec<&str> = pools(planned).iter().filter_map(|(_, p)| s(&p.name)).collect();
            prof.node_pools.extend(foreign_pools(
                &live_pools,
                &declared,
                shared_subnet(planned, |p| &p.vnet_subnet_id).as_deref(),
                shared_subnet(planned, |p| &p.pod_subnet_id).as_deref(),
            ));
            // M8: the rotation's temporary name must not be a pool this resource did not make.
            if let Some((temp, ours)) = rotation {
                let names: Vec<&str> = live_pools.iter().map(|p| p.name.as_str()).collect();
                findings.extend(m8_temporary_pool_taken(temp, &names, ours));
                findings.extend(m8_temporary_name_changed(temp, ours));
            }
        }
        findings.extend(validate_profile(&prof));
        findings.extend(live.findings);
        report(diags, &findings, config);
    }

    /// The cluster's pools as Azure lists them, read live at plan (one cluster GET): those
    /// `planned` does not declare (an `aksnet_node_pool`, another module, the az CLI) are
    /// foreign, never drift and never deleted here, but counted by the capacity rules (subnet
    /// sizing, kubenet routes, pod CIDR blocks). Empty when Azure cannot be read (the live
    /// checks already said so).
    pub(super) async fn live_pools(&self, planned: &State) -> Vec<AgentPoolProfile> {
        let (Ok(client), Some(sub)) = (
            self.arm.connection().client().await,
            self.arm.connection().subscription_id().await,
        ) else {
            return Vec::new();
        };
        let Some(id) = id_of(planned, &sub) else {
            return Vec::new();
        };
        let Ok(Some(cluster)) = client.get::<ManagedCluster>(&id).await else {
            return Vec::new();
        };
        cluster.body.properties.agent_pool_profiles
    }

    /// Apply-time O1 and O3 checks: AKS would fail the create with
    /// ExistingRouteTableNotAssociatedWithSubnet, or find no NAT gateway to egress through.
    pub(super) async fn udr_ready(
        &self,
        diags: &mut Diagnostics,
        client: &ArmClient,
        planned: &State,
    ) -> bool {
        let outbound = s(&planned.outbound_type);
        if !matches!(outbound, Some("userDefinedRouting" | "userAssignedNATGateway")) {
            return true;
        }
        let live = gather(client, planned, false).await;
        let Some(node) = &live.node else { return true };
        if outbound == Some("userAssignedNATGateway") {
            let Some(finding) =
                o3_nat_gateway(node.nat_gateway.as_deref(), pool_path("vnet_subnet_id"), true)
            else {
                return true;
            };
            report(diags, &[finding], planned);
            return false;
        }
        let Ok(table) = udr_table(client, node).await else {
            return true;
        };
        let Some(finding) = o1_udr_at_create(&table) else {
            return true;
        };
        report(diags, &[finding], planned);
        false
    }
}

/// O6 on create: kubenet with a system-assigned identity (written, or AKS's default when the
/// block is absent) in a node subnet that already has a route table (Azure/AKS#2333).
pub(super) fn kubenet_identity_route_table(config: &State, live: &Live) -> Option<Finding> {
    if s(&config.network_plugin) != Some("kubenet") {
        return None;
    }
    let path = match &config.identity {
        Value::Null => FieldPath::attr("network_plugin"),
        Value::Value(i) if s(&i.kind) == Some("SystemAssigned") => {
            FieldPath::attr("identity").index(0).then("type")
        }
        _ => return None,
    };
    o6_route_table(live.node.as_ref()?.route_table.as_deref(), path)
}
