//! `moved { from = azurerm_kubernetes_cluster.x  to = aksnet_cluster_network.x }`: azurerm's
//! state in, `aksnet_cluster_network`'s out. Pure; the mapping is the guide's table
//! (docs/guides/adopting-from-azurerm.md, "Attribute names").
//!
//! azurerm's schema (hashicorp/terraform-provider-azurerm
//! internal/services/containers/kubernetes_cluster_resource.go): `SchemaVersion: 2` in v3.117.1
//! and v4 (StateUpgraders 0 → 1 → 2, migration/kubernetes_cluster.go), blocks stored as lists
//! of one object (`MaxItems: 1`), `""`, `0` and `[]` for unset values. v4 names the default
//! pool's autoscaler switch `auto_scaling_enabled`, v3 `enable_auto_scaling`
//! (kubernetes_nodepool.go, v3.117.1: `s["enable_auto_scaling"]` unless 4.0 features); v3 also
//! has `network_profile.ebpf_data_plane` next to `network_data_plane`.
//!
//! What azurerm's state lacks or the configuration decides is left to the refresh that
//! follows the move (the cluster is read as it is): the Kubernetes version, every computed
//! network value, `kubenet_route_table_id`, the bootstrap profile, the pools' OS type and pod
//! IP allocation mode. `node_pool` stays unset: `azurerm_kubernetes_cluster` owns only its
//! default pool, so the pools of `azurerm_kubernetes_cluster_node_pool` stay foreign (never
//! drift, never deleted) until declared here.

use aksnet_tfplugin::value::Value;
use aksnet_tfplugin::MoveSource;
use serde_json::Value as Json;

use crate::resources::moved::{
    check, first, number, positive, required, string_map, strings, text, timeouts, MoveError,
};

use super::schema::{Identity, LoadBalancerProfile, NatGatewayProfile, Pool, State};

/// The source type this resource takes moves from.
pub(crate) const SOURCE: &str = "azurerm_kubernetes_cluster";
/// azurerm's schema version of `azurerm_kubernetes_cluster`.
pub(crate) const VERSION: i64 = 2;

/// azurerm's `load_balancer_profile` defaults ("Default: 30" for `idle_timeout_in_minutes`,
/// "Default: 0" for `outbound_ports_allocated`) and AKS's one managed outbound IP.
const LB_IDLE_DEFAULT: i64 = 30;
/// azurerm's `nat_gateway_profile.idle_timeout_in_minutes` "Default: 4".
const NAT_IDLE_DEFAULT: i64 = 4;

/// The `aksnet_cluster_network` state for an `azurerm_kubernetes_cluster` state.
pub(crate) fn from_azurerm(source: &MoveSource) -> Result<State, MoveError> {
    check(
        source,
        SOURCE,
        VERSION,
        "azurerm 3.x and 4.x, whose kubernetes_cluster_resource.go declares SchemaVersion: 2",
    )?;
    let st = &source.state;
    let missing = |attribute| MoveError::Missing {
        source_type: source.type_name.clone(),
        attribute,
    };
    let none = Json::Null;
    let np = first(&st["network_profile"]).unwrap_or(&none);
    let lb = first(&np["load_balancer_profile"]);
    let nat = first(&np["nat_gateway_profile"]);
    let pool = first(&st["default_node_pool"]).ok_or_else(|| missing("default_node_pool"))?;
    let data_plane = match text(&np["network_data_plane"]) {
        Value::Null if np["ebpf_data_plane"].as_str() == Some("cilium") => Value::Value("cilium".to_string()),
        v => v,
    };
    let effective = lb
        .map(|p| strings(&p["effective_outbound_ips"]))
        .filter(Value::is_value)
        .or_else(|| nat.map(|p| strings(&p["effective_outbound_ips"])))
        .unwrap_or(Value::Null);
    Ok(State {
        id: required(source, st, "id")?,
        name: required(source, st, "name")?,
        resource_group_name: required(source, st, "resource_group_name")?,
        location: required(source, st, "location")?,
        dns_prefix: required(source, st, "dns_prefix")?,
        kubernetes_version: text(&st["kubernetes_version"]),
        sku_tier: text(&st["sku_tier"]),
        tags: string_map(&st["tags"]),
        network_plugin: text(&np["network_plugin"]),
        network_plugin_mode: text(&np["network_plugin_mode"]),
        network_policy: text(&np["network_policy"]),
        network_data_plane: data_plane,
        pod_cidr: text(&np["pod_cidr"]),
        pod_cidrs: strings(&np["pod_cidrs"]),
        service_cidr: text(&np["service_cidr"]),
        service_cidrs: strings(&np["service_cidrs"]),
        dns_service_ip: text(&np["dns_service_ip"]),
        ip_families: strings(&np["ip_versions"]),
        outbound_type: text(&np["outbound_type"]),
        load_balancer_sku: text(&np["load_balancer_sku"]),
        bootstrap_artifact_source: Value::Null,
        bootstrap_container_registry_id: Value::Null,
        fqdn: text(&st["fqdn"]),
        node_resource_group: text(&st["node_resource_group"]),
        effective_outbound_ips: effective,
        kubenet_route_table_id: Value::Null,
        leftover_temporary_pool: Value::Null,
        identity: first(&st["identity"]).map_or(Value::Null, |i| {
            Value::Value(Identity {
                kind: text(&i["type"]),
                identity_ids: strings(&i["identity_ids"]),
            })
        }),
        default_node_pool: Value::Value(default_pool(pool)),
        node_pool: Value::Null,
        load_balancer_profile: lb.and_then(load_balancer).map_or(Value::Null, Value::Value),
        nat_gateway_profile: nat.and_then(nat_gateway).map_or(Value::Null, Value::Value),
        timeouts: timeouts(&st["timeouts"]),
    })
}

fn default_pool(p: &Json) -> Pool {
    let autoscale = p["auto_scaling_enabled"]
        .as_bool()
        .or_else(|| p["enable_auto_scaling"].as_bool())
        .unwrap_or(false);
    let bound = |key: &str| if autoscale { positive(&p[key]) } else { Value::Null };
    Pool {
        name: text(&p["name"]),
        vm_size: text(&p["vm_size"]),
        // The default pool is always Linux (azurerm has no os_type for it); the refresh reads it.
        os_type: Value::Null,
        node_count: number(&p["node_count"]),
        // `false` is azurerm's default, not a choice: unset, as in a configuration without it.
        auto_scaling_enabled: if autoscale {
            Value::Value(true)
        } else {
            Value::Null
        },
        min_count: bound("min_count"),
        max_count: bound("max_count"),
        max_pods: positive(&p["max_pods"]),
        max_surge: first(&p["upgrade_settings"]).map_or(Value::Null, |u| text(&u["max_surge"])),
        vnet_subnet_id: text(&p["vnet_subnet_id"]),
        pod_subnet_id: text(&p["pod_subnet_id"]),
        pod_ip_allocation_mode: Value::Null,
        zones: strings(&p["zones"]),
        // azurerm keeps the same attribute with the same meaning (its rotation order is ours).
        temporary_name_for_rotation: Some(text(&p["temporary_name_for_rotation"])),
    }
}

/// azurerm stores `load_balancer_profile` (Optional + Computed) for every load-balancer
/// cluster, with AKS's defaults when the configuration had no block. A block holding only
/// those defaults (one managed IP, no IPv6 count, no own IPs or prefixes, 0 ports, 30 minutes)
/// is taken as not configured; any other value as configured.
fn load_balancer(p: &Json) -> Option<LoadBalancerProfile> {
    let ips = strings(&p["outbound_ip_address_ids"]);
    let prefixes = strings(&p["outbound_ip_prefix_ids"]);
    let own = ips.is_value() || prefixes.is_value();
    let count = if own {
        Value::Null
    } else {
        positive(&p["managed_outbound_ip_count"])
    };
    let v6 = if own {
        Value::Null
    } else {
        positive(&p["managed_outbound_ipv6_count"])
    };
    let ports = number(&p["outbound_ports_allocated"]);
    let idle = number(&p["idle_timeout_in_minutes"]);
    let defaults = !own
        && count.as_ref_option().is_none_or(|c| *c == 1)
        && v6.is_null()
        && ports.as_ref_option().is_none_or(|n| *n == 0)
        && idle.as_ref_option().is_none_or(|n| *n == LB_IDLE_DEFAULT);
    (!defaults).then_some(LoadBalancerProfile {
        managed_outbound_ip_count: count,
        managed_outbound_ipv6_count: v6,
        outbound_ip_address_ids: ips,
        outbound_ip_prefix_ids: prefixes,
        outbound_ports_allocated: ports,
        idle_timeout_in_minutes: idle,
    })
}

/// As [`load_balancer`]: a `nat_gateway_profile` with one managed IP and 4 minutes is AKS's.
fn nat_gateway(p: &Json) -> Option<NatGatewayProfile> {
    let count = positive(&p["managed_outbound_ip_count"]);
    let idle = number(&p["idle_timeout_in_minutes"]);
    let defaults = count.as_ref_option().is_none_or(|c| *c == 1)
        && idle.as_ref_option().is_none_or(|n| *n == NAT_IDLE_DEFAULT);
    (!defaults).then_some(NatGatewayProfile {
        managed_outbound_ip_count: count,
        idle_timeout_in_minutes: idle,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg";

    fn source(version: i64, state: Json) -> MoveSource {
        MoveSource {
            provider_address: "registry.terraform.io/hashicorp/azurerm".into(),
            type_name: SOURCE.into(),
            schema_version: version,
            state,
            target_type_name: "aksnet_cluster_network".into(),
        }
    }

    /// An overlay cluster as azurerm v4 stores it (flattenKubernetesClusterNetworkProfile,
    /// FlattenDefaultNodePool): lists of one, `""`/`0`/`[]` for unset, the load balancer
    /// profile with AKS's defaults, plus attributes aksnet does not manage.
    fn v4() -> Json {
        json!({
            "id": format!("{RG}/providers/Microsoft.ContainerService/managedClusters/aks"),
            "name": "aks", "resource_group_name": "rg", "location": "westeurope", "dns_prefix": "aks",
            "kubernetes_version": "1.33", "sku_tier": "Free", "tags": {"environment": "production"},
            "fqdn": "aks-1.hcp.westeurope.azmk8s.io", "node_resource_group": "MC_rg_aks_westeurope",
            "role_based_access_control_enabled": true, "kube_config": [{"host": "h", "client_key": "k"}],
            "identity": [{"type": "SystemAssigned", "identity_ids": [], "principal_id": "p", "tenant_id": "t"}],
            "default_node_pool": [{
                "name": "system", "vm_size": "Standard_D4s_v5", "node_count": 3,
                "auto_scaling_enabled": true, "min_count": 3, "max_count": 10, "max_pods": 250,
                "vnet_subnet_id": format!("{RG}/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes"),
                "pod_subnet_id": "", "zones": ["1", "2", "3"], "os_sku": "Ubuntu",
                "upgrade_settings": [{"max_surge": "10%", "drain_timeout_in_minutes": 0, "node_soak_duration_in_minutes": 0}]
            }],
            "network_profile": [{
                "network_plugin": "azure", "network_plugin_mode": "overlay", "network_policy": "cilium",
                "network_data_plane": "cilium", "network_mode": "", "pod_cidr": "10.244.0.0/16",
                "pod_cidrs": ["10.244.0.0/16"], "service_cidr": "10.0.0.0/16", "service_cidrs": ["10.0.0.0/16"],
                "dns_service_ip": "10.0.0.10", "ip_versions": ["IPv4"], "outbound_type": "loadBalancer",
                "load_balancer_sku": "standard",
                "load_balancer_profile": [{
                    "managed_outbound_ip_count": 1, "managed_outbound_ipv6_count": 0,
                    "outbound_ip_address_ids": [], "outbound_ip_prefix_ids": [], "outbound_ports_allocated": 0,
                    "idle_timeout_in_minutes": 30, "effective_outbound_ips": [format!("{RG}/providers/Microsoft.Network/publicIPAddresses/ip")],
                    "backend_pool_type": "NodeIPConfiguration"
                }],
                "nat_gateway_profile": []
            }],
            "timeouts": null
        })
    }

    #[test]
    fn v4_state_maps_to_ours() {
        let s = from_azurerm(&source(2, v4())).expect("translates");
        assert_eq!(s.dns_prefix, Value::Value("aks".into()));
        assert_eq!(s.network_plugin_mode, Value::Value("overlay".into()));
        assert_eq!(s.network_data_plane, Value::Value("cilium".into()));
        assert_eq!(s.ip_families, Value::Value(vec![Value::Value("IPv4".into())]));
        assert_eq!(
            s.load_balancer_profile,
            Value::Null,
            "AKS's defaults only: not configured"
        );
        assert_eq!(s.effective_outbound_ips.as_ref_option().map(Vec::len), Some(1));
        let id = s.identity.as_ref_option().expect("identity");
        assert_eq!(id.kind, Value::Value("SystemAssigned".into()));
        assert_eq!(id.identity_ids, Value::Null);
        let p = s.default_node_pool.as_ref_option().expect("pool");
        assert_eq!(p.auto_scaling_enabled, Value::Value(true));
        assert_eq!((p.min_count, p.max_count), (Value::Value(3), Value::Value(10)));
        assert_eq!(p.max_surge, Value::Value("10%".into()));
        assert_eq!(p.pod_subnet_id, Value::Null);
        assert_eq!(p.zones.as_ref_option().map(Vec::len), Some(3));
        assert_eq!(s.node_pool, Value::Null, "other pools stay foreign");
        assert!(s.bootstrap_artifact_source.is_null() && s.kubenet_route_table_id.is_null());
    }

    #[test]
    fn v3_names_and_configured_outbound_profiles() {
        let mut st = v4();
        let pool = &mut st["default_node_pool"][0];
        let m = pool.as_object_mut().unwrap();
        m.remove("auto_scaling_enabled");
        m.insert("enable_auto_scaling".into(), json!(false));
        m.insert("min_count".into(), json!(0));
        m.insert("max_count".into(), json!(0));
        let np = st["network_profile"][0].as_object_mut().unwrap();
        np.insert("network_data_plane".into(), json!(""));
        np.insert("ebpf_data_plane".into(), json!("cilium"));
        np["load_balancer_profile"][0]["managed_outbound_ip_count"] = json!(3);
        let s = from_azurerm(&source(2, st.clone())).expect("translates");
        let p = s.default_node_pool.as_ref_option().unwrap();
        assert_eq!(p.auto_scaling_enabled, Value::Null);
        assert_eq!((p.min_count, p.max_count), (Value::Null, Value::Null));
        assert_eq!(s.network_data_plane, Value::Value("cilium".into()));
        let lb = s.load_balancer_profile.as_ref_option().expect("configured");
        assert_eq!(lb.managed_outbound_ip_count, Value::Value(3));
        assert_eq!(lb.idle_timeout_in_minutes, Value::Value(30));

        let np = st["network_profile"][0].as_object_mut().unwrap();
        np.insert("outbound_type".into(), json!("managedNATGateway"));
        np.insert("load_balancer_profile".into(), json!([]));
        np.insert(
            "nat_gateway_profile".into(),
            json!([{"managed_outbound_ip_count": 2, "idle_timeout_in_minutes": 4, "effective_outbound_ips": ["x"]}]),
        );
        let s = from_azurerm(&source(2, st)).expect("translates");
        assert_eq!(s.load_balancer_profile, Value::Null);
        let nat = s.nat_gateway_profile.as_ref_option().expect("configured");
        assert_eq!(nat.managed_outbound_ip_count, Value::Value(2));
        assert_eq!(
            s.effective_outbound_ips,
            Value::Value(vec![Value::Value("x".into())])
        );
    }

    #[test]
    fn unknown_versions_and_missing_pool_are_errors() {
        for v in [0, 1, 3] {
            let e = from_azurerm(&source(v, v4())).unwrap_err();
            assert!(matches!(e, MoveError::UnsupportedVersion { known: 2, .. }), "{e}");
            assert!(e
                .to_string()
                .contains(&format!("schema version {v} is not one aksnet translates")));
        }
        let mut st = v4();
        st["default_node_pool"] = json!([]);
        let e = from_azurerm(&source(2, st)).unwrap_err();
        assert!(matches!(
            e,
            MoveError::Missing {
                attribute: "default_node_pool",
                ..
            }
        ));
    }
}
