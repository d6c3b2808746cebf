//! State moves from azurerm (issue 20) and the `removed` + `import` hand-over (issue 19), with
//! the real Terraform CLI (both versions) against the emulator.
//!
//! The source state is written the way azurerm writes it, by a stand-in for
//! `hashicorp/azurerm`: this test binary itself. Launched by Terraform as a plugin
//! (`TF_PLUGIN_MAGIC_COOKIE` set) it serves `azurerm_route_table` (schema version 0) and
//! `azurerm_kubernetes_cluster` (schema version 2) with azurerm's attribute names and the SDKv2's
//! zero values for unset attributes, and its CRUD only keeps state (no ARM call); otherwise it
//! runs the scenarios. `dev_overrides` maps `hashicorp/azurerm` to a directory holding a
//! `terraform-provider-azurerm` symlink to this binary, so the stand-in is never built into or
//! installed with the provider. The ARM objects are seeded in the emulator as azurerm creates
//! them (the cluster from azurerm v4's request body, tests/support/azurerm.rs).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use aksnet_acceptance::emulator::{TestEmulator, SAMPLE_SUBSCRIPTION};
use aksnet_acceptance::harness::{expect_eq, run_case_with, Json as Doc, Step, IDENTITY_VERSION};
use aksnet_acceptance::plugin_test::{self, Case};
use aksnet_acceptance::target::skip_against_arm;
use aksnet_acceptance::terraform::parse_version;
use serde_json::{json, Value};

#[path = "support/azurerm.rs"]
mod azurerm;
use azurerm::{
    adopted_config, azurerm_create_body, cluster_id, rg_id, seeds, subnet_id, wait_succeeded, AKS, RG,
};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");
const NET: &str = "2025-01-01";
/// Makes the stand-in record `azurerm_route_table` with another schema version (scenario d).
const ROUTE_TABLE_VERSION_ENV: &str = "AKSNET_TEST_STANDIN_ROUTE_TABLE_VERSION";
/// Makes the stand-in record `azurerm_kubernetes_cluster` with another schema version (d).
const CLUSTER_VERSION_ENV: &str = "AKSNET_TEST_STANDIN_CLUSTER_VERSION";

/// The stand-in `hashicorp/azurerm` provider.
mod standin {
    use std::collections::HashMap;
    use std::process::ExitCode;

    use aksnet_tfplugin::schema::{
        Attribute, AttributeConstraint as C, AttributeType as T, Block, Description, NestedBlock, Schema,
    };
    use aksnet_tfplugin::value::ValueEmpty;
    use aksnet_tfplugin::{map, AttributePath, Diagnostics, DynamicResource, Provider, Resource};
    use async_trait::async_trait;
    use serde_json::{json, Value as Json};

    use super::{CLUSTER_VERSION_ENV, ROUTE_TABLE_VERSION_ENV, SAMPLE_SUBSCRIPTION};

    /// Serves the stand-in to Terraform.
    pub fn serve() -> ExitCode {
        if rustls::crypto::ring::default_provider()
            .install_default()
            .is_err()
        {
            eprintln!("stand-in azurerm: a TLS crypto provider was already installed");
        }
        let Ok(runtime) = tokio::runtime::Builder::new_multi_thread().enable_all().build() else {
            return ExitCode::FAILURE;
        };
        match runtime.block_on(aksnet_tfplugin::serve("azurerm", StandIn)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("stand-in azurerm: {e:#}");
                ExitCode::FAILURE
            }
        }
    }

    struct StandIn;

    #[async_trait]
    impl Provider for StandIn {
        type Config<'a> = ValueEmpty;
        type MetaState<'a> = ValueEmpty;

        fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
            Some(Schema {
                version: 0,
                block: Block::default(),
            })
        }

        fn get_resources(
            &self,
            _diags: &mut Diagnostics,
        ) -> Option<HashMap<String, Box<dyn DynamicResource>>> {
            Some(map! {
                "route_table" => ROUTE_TABLE,
                "kubernetes_cluster" => CLUSTER
            })
        }
    }

    /// A resource type of the stand-in, whose CRUD only keeps state: the schema version
    /// azurerm records, its attributes, and what azurerm reads back from the object it created.
    /// One entry per type; the `Resource` implementation below serves them all.
    #[derive(Clone, Copy)]
    struct Kept {
        version: fn() -> i64,
        def: fn() -> Def,
        computed: fn(&mut Json),
    }

    const ROUTE_TABLE: Kept = Kept {
        version: route_table_version,
        def: route_table,
        computed: route_table_computed,
    };

    const CLUSTER: Kept = Kept {
        version: cluster_version,
        def: cluster,
        computed: cluster_computed,
    };

    /// An attribute: name, type, constraint, and the value the SDKv2 stores when it is unset
    /// (`""`, `0`, `false`, `[]`, `{}`, or azurerm's default); null: left as it is.
    type A = (&'static str, T, C, Json);

    /// A block's attributes and its list blocks (`MaxItems: 1` blocks are lists in the SDKv2).
    struct Def {
        attrs: Vec<A>,
        blocks: Vec<(&'static str, Def)>,
    }

    fn obj(fields: &[&str], ty: T) -> T {
        T::Object(fields.iter().map(|f| (f.to_string(), ty.clone())).collect())
    }

    /// The schema version in `env` when a scenario sets it (scenario d), else `azurerm`'s.
    fn version_from(env: &str, azurerm: i64) -> i64 {
        std::env::var(env)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(azurerm)
    }

    fn route_table_version() -> i64 {
        version_from(ROUTE_TABLE_VERSION_ENV, 0)
    }

    fn cluster_version() -> i64 {
        version_from(CLUSTER_VERSION_ENV, 2)
    }

    /// azurerm's `azurerm_route_table` (internal/services/network/route_table_resource.go):
    /// `route` is a set attribute (ConfigModeAttr), `subnets` computed.
    fn route_table() -> Def {
        let route = obj(
            &[
                "name",
                "address_prefix",
                "next_hop_type",
                "next_hop_in_ip_address",
            ],
            T::String,
        );
        Def {
            attrs: vec![
                ("id", T::String, C::Computed, Json::Null),
                ("name", T::String, C::Required, Json::Null),
                ("location", T::String, C::Required, Json::Null),
                ("resource_group_name", T::String, C::Required, Json::Null),
                ("route", T::Set(Box::new(route)), C::OptionalComputed, json!([])),
                (
                    "bgp_route_propagation_enabled",
                    T::Bool,
                    C::OptionalComputed,
                    json!(true),
                ),
                ("subnets", T::Set(Box::new(T::String)), C::Computed, json!([])),
                (
                    "tags",
                    T::Map(Box::new(T::String)),
                    C::OptionalComputed,
                    json!({}),
                ),
            ],
            blocks: vec![],
        }
    }

    /// azurerm's `azurerm_kubernetes_cluster` (internal/services/containers/
    /// kubernetes_cluster_resource.go, kubernetes_nodepool.go), the attributes aksnet maps plus
    /// some it does not manage.
    fn cluster() -> Def {
        let mut lb = obj(
            &[
                "managed_outbound_ip_count",
                "managed_outbound_ipv6_count",
                "outbound_ports_allocated",
                "idle_timeout_in_minutes",
            ],
            T::Number,
        );
        if let T::Object(m) = &mut lb {
            m.insert("outbound_ip_address_ids".into(), T::Set(Box::new(T::String)));
            m.insert("outbound_ip_prefix_ids".into(), T::Set(Box::new(T::String)));
            m.insert("effective_outbound_ips".into(), T::Set(Box::new(T::String)));
            m.insert("backend_pool_type".into(), T::String);
        }
        let mut nat = obj(
            &["managed_outbound_ip_count", "idle_timeout_in_minutes"],
            T::Number,
        );
        if let T::Object(m) = &mut nat {
            m.insert("effective_outbound_ips".into(), T::Set(Box::new(T::String)));
        }
        let s = |name, zero: Json| (name, T::String, C::OptionalComputed, zero);
        let n = |name, zero: Json| (name, T::Number, C::OptionalComputed, zero);
        let list = |name| (name, T::List(Box::new(T::String)), C::OptionalComputed, json!([]));
        let set = |name| (name, T::Set(Box::new(T::String)), C::OptionalComputed, json!([]));
        let req = |name| (name, T::String, C::Required, Json::Null);
        Def {
            attrs: vec![
                ("id", T::String, C::Computed, Json::Null),
                req("name"),
                req("location"),
                req("resource_group_name"),
                req("dns_prefix"),
                s("kubernetes_version", json!("")),
                s("sku_tier", json!("Free")),
                (
                    "tags",
                    T::Map(Box::new(T::String)),
                    C::OptionalComputed,
                    json!({}),
                ),
                ("fqdn", T::String, C::Computed, Json::Null),
                s("node_resource_group", Json::Null),
                (
                    "role_based_access_control_enabled",
                    T::Bool,
                    C::OptionalComputed,
                    json!(true),
                ),
                (
                    "private_cluster_enabled",
                    T::Bool,
                    C::OptionalComputed,
                    json!(false),
                ),
            ],
            blocks: vec![
                (
                    "default_node_pool",
                    Def {
                        attrs: vec![
                            req("name"),
                            req("vm_size"),
                            n("node_count", Json::Null),
                            ("auto_scaling_enabled", T::Bool, C::OptionalComputed, json!(false)),
                            n("min_count", json!(0)),
                            n("max_count", json!(0)),
                            n("max_pods", json!(0)),
                            s("vnet_subnet_id", json!("")),
                            s("pod_subnet_id", json!("")),
                            set("zones"),
                            s("os_sku", json!("Ubuntu")),
                            s("type", json!("VirtualMachineScaleSets")),
                            s("temporary_name_for_rotation", json!("")),
                        ],
                        blocks: vec![(
                            "upgrade_settings",
                            Def {
                                attrs: vec![
                                    req("max_surge"),
                                    n("drain_timeout_in_minutes", json!(0)),
                                    n("node_soak_duration_in_minutes", json!(0)),
                                ],
                                blocks: vec![],
                            },
                        )],
                    },
                ),
                (
                    "identity",
                    Def {
                        attrs: vec![
                            req("type"),
                            set("identity_ids"),
                            ("principal_id", T::String, C::Computed, json!("")),
                            ("tenant_id", T::String, C::Computed, json!("")),
                        ],
                        blocks: vec![],
                    },
                ),
                (
                    "network_profile",
                    Def {
                        attrs: vec![
                            req("network_plugin"),
                            s("network_plugin_mode", json!("")),
                            s("network_policy", json!("")),
                            s("network_data_plane", json!("azure")),
                            s("network_mode", json!("")),
                            s("pod_cidr", json!("")),
                            list("pod_cidrs"),
                            s("service_cidr", json!("")),
                            list("service_cidrs"),
                            s("dns_service_ip", json!("")),
                            list("ip_versions"),
                            s("outbound_type", json!("loadBalancer")),
                            s("load_balancer_sku", json!("standard")),
                            // Optional + Computed blocks in azurerm; as AKS fills them for a
                            // load-balancer cluster without a load_balancer_profile block.
                            (
                                "load_balancer_profile",
                                T::List(Box::new(lb)),
                                C::OptionalComputed,
                                json!([{
                                    "managed_outbound_ip_count": 1, "managed_outbound_ipv6_count": 0,
                                    "outbound_ports_allocated": 0, "idle_timeout_in_minutes": 30,
                                    "outbound_ip_address_ids": [], "outbound_ip_prefix_ids": [],
                                    "effective_outbound_ips": [], "backend_pool_type": "NodeIPConfiguration"
                                }]),
                            ),
                            (
                                "nat_gateway_profile",
                                T::List(Box::new(nat)),
                                C::OptionalComputed,
                                json!([]),
                            ),
                        ],
                        blocks: vec![],
                    },
                ),
            ],
        }
    }

    fn to_block(d: &Def) -> Block {
        Block {
            version: 0,
            attributes: d
                .attrs
                .iter()
                .map(|(name, ty, c, _)| {
                    (
                        name.to_string(),
                        Attribute {
                            attr_type: ty.clone(),
                            description: Description::markdown(format!("azurerm's `{name}`.")),
                            constraint: c.clone(),
                            sensitive: false,
                            deprecated: false,
                        },
                    )
                })
                .collect(),
            blocks: d
                .blocks
                .iter()
                .map(|(name, b)| (name.to_string(), NestedBlock::List(to_block(b))))
                .collect(),
            description: Description::markdown("Stand-in for azurerm (tests only)."),
            deprecated: false,
        }
    }

    /// Sets unset attributes to what the SDKv2 stores for them.
    fn fill(v: &mut Json, d: &Def) {
        let Some(m) = v.as_object_mut() else { return };
        for (name, _, c, zero) in &d.attrs {
            let slot = m.entry(name.to_string()).or_insert(Json::Null);
            if slot.is_null() && !matches!(c, C::Required) && !zero.is_null() {
                *slot = zero.clone();
            }
        }
        for (name, def) in &d.blocks {
            if let Some(items) = m.get_mut(*name).and_then(Json::as_array_mut) {
                for item in items {
                    fill(item, def);
                }
            }
        }
    }

    fn text(v: &Json, k: &str) -> String {
        v[k].as_str().unwrap_or_default().to_string()
    }

    /// The id azurerm reads back: `type_path` (`Microsoft.Network/routeTables`) and `name` in
    /// `resource_group_name`.
    fn arm_id(v: &Json, type_path: &str) -> Json {
        json!(format!(
            "/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{}/providers/{type_path}/{}",
            text(v, "resource_group_name"),
            text(v, "name")
        ))
    }

    /// What azurerm reads back from the route table it created.
    fn route_table_computed(v: &mut Json) {
        v["id"] = arm_id(v, "Microsoft.Network/routeTables");
    }

    /// What azurerm reads back from the cluster it created.
    fn cluster_computed(v: &mut Json) {
        let (rg, name, location) = (
            text(v, "resource_group_name"),
            text(v, "name"),
            text(v, "location"),
        );
        v["id"] = arm_id(v, "Microsoft.ContainerService/managedClusters");
        v["fqdn"] = json!(format!(
            "{}-00000000.hcp.{location}.azmk8s.io",
            text(v, "dns_prefix")
        ));
        if v["node_resource_group"].is_null() {
            v["node_resource_group"] = json!(format!("MC_{rg}_{name}_{location}"));
        }
        if let Some(p) = v["default_node_pool"].get_mut(0) {
            if p["node_count"].is_null() {
                // AKS starts an autoscaled pool at min_count.
                let min = p["min_count"].as_i64().filter(|n| *n > 0).unwrap_or(1);
                p["node_count"] = json!(min);
            }
        }
        if let Some(np) = v["network_profile"].get_mut(0) {
            for (one, many) in [("pod_cidr", "pod_cidrs"), ("service_cidr", "service_cidrs")] {
                let first = text(np, one);
                if np[many] == json!([]) && !first.is_empty() {
                    np[many] = json!([first]);
                }
            }
            if np["ip_versions"] == json!([]) {
                np["ip_versions"] = json!(["IPv4"]);
            }
        }
    }

    impl Kept {
        /// `proposed` with the SDKv2's values for unset attributes.
        fn planned(&self, proposed: Json) -> Json {
            let mut planned = proposed;
            fill(&mut planned, &(self.def)());
            planned
        }
    }

    #[async_trait]
    impl Resource for Kept {
        type State<'a> = Json;
        type PrivateState<'a> = ValueEmpty;
        type ProviderMetaState<'a> = ValueEmpty;

        fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
            Some(Schema {
                version: (self.version)(),
                block: to_block(&(self.def)()),
            })
        }

        async fn read<'a>(
            &self,
            _diags: &mut Diagnostics,
            state: Json,
            private: ValueEmpty,
            _meta: ValueEmpty,
        ) -> Option<(Json, ValueEmpty)> {
            Some((state, private))
        }

        async fn plan_create<'a>(
            &self,
            _diags: &mut Diagnostics,
            proposed: Json,
            _config: Json,
            _meta: ValueEmpty,
        ) -> Option<(Json, ValueEmpty)> {
            let mut planned = self.planned(proposed);
            (self.computed)(&mut planned);
            Some((planned, ValueEmpty::default()))
        }

        async fn plan_update<'a>(
            &self,
            _diags: &mut Diagnostics,
            _prior: Json,
            proposed: Json,
            _config: Json,
            private: ValueEmpty,
            _meta: ValueEmpty,
        ) -> Option<(Json, ValueEmpty, Vec<AttributePath>)> {
            Some((self.planned(proposed), private, vec![]))
        }

        async fn plan_destroy<'a>(
            &self,
            _diags: &mut Diagnostics,
            _prior: Json,
            private: ValueEmpty,
            _meta: ValueEmpty,
        ) -> Option<ValueEmpty> {
            Some(private)
        }

        async fn create<'a>(
            &self,
            _diags: &mut Diagnostics,
            planned: Json,
            _config: Json,
            private: ValueEmpty,
            _meta: ValueEmpty,
        ) -> Option<(Json, ValueEmpty)> {
            Some((planned, private))
        }

        async fn update<'a>(
            &self,
            _diags: &mut Diagnostics,
            _prior: Json,
            planned: Json,
            _config: Json,
            private: ValueEmpty,
            _meta: ValueEmpty,
        ) -> Option<(Json, ValueEmpty)> {
            Some((planned, private))
        }

        async fn destroy<'a>(
            &self,
            _diags: &mut Diagnostics,
            _prior: Json,
            _private: ValueEmpty,
            _meta: ValueEmpty,
        ) -> Option<()> {
            Some(())
        }
    }
}

// ---- scenarios ----

/// `dev_overrides` for `hashicorp/azurerm`: a directory with `terraform-provider-azurerm`
/// linking to this binary.
fn standin_override() -> (tempfile::TempDir, Vec<(String, PathBuf)>) {
    let dir = tempfile::Builder::new()
        .prefix("aksnet-standin-azurerm-")
        .tempdir()
        .expect("temp dir");
    let exe = std::env::current_exe().expect("this test binary");
    std::os::unix::fs::symlink(&exe, dir.path().join("terraform-provider-azurerm")).expect("symlink");
    let overrides = vec![("hashicorp/azurerm".to_string(), dir.path().to_path_buf())];
    (dir, overrides)
}

/// Runs `steps` on every Terraform with a fresh emulator and the stand-in.
fn case(name: &str, extra_env: &[(&str, &str)], steps: impl FnOnce(&Arc<TestEmulator>) -> Vec<Step>) {
    if skip_against_arm(name, "the stand-in azurerm provider and seeded ARM objects") {
        return;
    }
    let emu = Arc::new(TestEmulator::start(seeds()));
    let (_dir, overrides) = standin_override();
    let mut env = emu.env();
    env.extend(extra_env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let steps = steps(&emu);
    run_case_with(name, Path::new(BIN), &env, &overrides, steps);
}

fn writes(emu: &TestEmulator) -> u64 {
    emu.counters()["writes"].as_u64().unwrap_or(0)
}

/// Steps that record the emulator's write count, and check it has not moved since.
fn write_count(emu: &Arc<TestEmulator>) -> (Step, impl Fn(&'static str) -> Step) {
    let seen = Arc::new(Mutex::new(0u64));
    let (e1, s1) = (emu.clone(), seen.clone());
    let record = Step::run(move || {
        *s1.lock().map_err(|e| e.to_string())? = writes(&e1);
        Ok(())
    });
    let emu = emu.clone();
    let check = move |when: &'static str| {
        let (e, s) = (emu.clone(), seen.clone());
        Step::run(move || {
            let before = *s.lock().map_err(|e| e.to_string())?;
            expect_eq(&format!("ARM writes {when}"), &json!(writes(&e)), &json!(before))
        })
    };
    (record, check)
}

/// The planned change of `address` in `terraform show -json` of a plan.
fn change<'a>(plan: &'a Doc, address: &str) -> Result<&'a Value, String> {
    plan.doc["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["address"] == address)
        .ok_or(format!(
            "no change for {address}: {}",
            plan.doc["resource_changes"]
        ))
}

/// A moved resource: shown as moved, planned as a no-op (never a replacement).
fn moved_no_op(plan: &Doc, from: &str, to: &str) -> Result<(), String> {
    let c = change(plan, to)?;
    expect_eq(
        &format!("{to} previous_address"),
        &c["previous_address"],
        &json!(from),
    )?;
    expect_eq(
        &format!("{to} actions"),
        &c["change"]["actions"],
        &json!(["no-op"]),
    )?;
    plan.says(&format!("{from} has moved to {to}"))
        .then_some(())
        .ok_or(format!("the plan does not show the move:\n{}", plan.text))?;
    plan.says("Plan: 0 to add, 0 to change, 0 to destroy")
        .then_some(())
        .ok_or(format!(
            "expected nothing to add, change or destroy:\n{}",
            plan.text
        ))
}

/// After a move, on Terraform >= 1.12 (resource identity) the moved object has its identity in
/// state, azurerm's shape; older versions record none.
fn identity_after_move(s: &Doc, address: &str, name: &str) -> Result<(), String> {
    let version = s.doc["terraform_version"].as_str().unwrap_or_default();
    let entry = s.entry(address)?;
    if parse_version(version).is_some_and(|v| v >= IDENTITY_VERSION) {
        expect_eq(
            &format!("{address} identity on Terraform {version}"),
            &entry["identity"],
            &json!({"subscription_id": SAMPLE_SUBSCRIPTION, "resource_group_name": RG, "name": name}),
        )?;
        expect_eq(
            &format!("{address} identity_schema_version"),
            &entry["identity_schema_version"],
            &json!(0),
        )
    } else {
        expect_eq(
            &format!("{address} identity on Terraform {version}"),
            &entry.get("identity").cloned().unwrap_or(Value::Null),
            &Value::Null,
        )
    }
}

// -- (a) azurerm_route_table → aksnet_route_table --

const TABLE: &str = "rt-fw";

fn table_id() -> String {
    format!("{}/providers/Microsoft.Network/routeTables/{TABLE}", rg_id())
}

/// The route table azurerm v4 creates for `azurerm_config_route_table` (resourceRouteTableCreate:
/// name, normalized location, routes, `disableBgpRoutePropagation = !bgp_route_propagation_enabled`,
/// `tags.Expand` of no tags), with the `aks-*` route a kubenet cluster added since.
fn seed_route_table(emu: &TestEmulator) -> Result<(), String> {
    let body = json!({
        "name": TABLE,
        "location": "westeurope",
        "properties": {
            "routes": [
                {"name": "to-firewall", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.10.4.4"}},
                {"name": "aks-nodepool1-12345678-vmss000000", "properties": {"addressPrefix": "10.244.0.0/24", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.10.0.4"}}
            ],
            "disableBgpRoutePropagation": true
        },
        "tags": {}
    });
    let (status, reply) = emu.arm("PUT", &table_id(), NET, Some(body));
    (200..300)
        .contains(&status)
        .then_some(())
        .ok_or(format!("seeding the route table: {status} {reply}"))
}

/// AKS removes its route (the cluster scaled in), so the final destroy finds no foreign route.
fn aks_route_gone(emu: &TestEmulator) -> Result<(), String> {
    let (_, mut table) = emu.arm("GET", &table_id(), NET, None);
    if let Some(routes) = table["properties"]["routes"].as_array_mut() {
        routes.retain(|r| r["name"] == "to-firewall");
    }
    let (status, reply) = emu.arm("PUT", &table_id(), NET, Some(table));
    (200..300)
        .contains(&status)
        .then_some(())
        .ok_or(format!("removing the aks route: {status} {reply}"))
}

fn azurerm_config_route_table() -> String {
    format!(
        r#"
resource "azurerm_route_table" "rt" {{
  name                          = "{TABLE}"
  location                      = "westeurope"
  resource_group_name           = "{RG}"
  bgp_route_propagation_enabled = false
  route = [{{
    name                   = "to-firewall"
    address_prefix         = "0.0.0.0/0"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = "10.10.4.4"
  }}]
}}
"#
    )
}

fn aksnet_config_route_table(moved: bool) -> String {
    let moved = if moved {
        "moved {\n  from = azurerm_route_table.rt\n  to   = aksnet_route_table.rt\n}\n"
    } else {
        ""
    };
    format!(
        r#"
{moved}
resource "aksnet_route_table" "rt" {{
  name                          = "{TABLE}"
  resource_group_name           = "{RG}"
  location                      = "westeurope"
  bgp_route_propagation_enabled = false

  route {{
    name                = "to-firewall"
    address_prefix      = "0.0.0.0/0"
    next_hop_type       = "VirtualAppliance"
    next_hop_ip_address = "10.10.4.4"
  }}
}}
"#
    )
}

fn route_table_moves_from_azurerm_with_no_changes() {
    case("moved from azurerm_route_table", &[], |emu| {
        let (e1, e2) = (emu.clone(), emu.clone());
        let (record, unchanged) = write_count(emu);
        vec![
            Step::run(move || seed_route_table(&e1)),
            // azurerm's state, written by the stand-in (no ARM call).
            Step::apply(&azurerm_config_route_table(), |s| {
                expect_eq(
                    "azurerm state: next_hop_in_ip_address",
                    s.attr("azurerm_route_table.rt", "/route/0/next_hop_in_ip_address")?,
                    &json!("10.10.4.4"),
                )?;
                expect_eq(
                    "azurerm state: tags",
                    s.attr("azurerm_route_table.rt", "tags")?,
                    &json!({}),
                )
            }),
            record,
            Step::plan(&aksnet_config_route_table(true), |p| {
                moved_no_op(p, "azurerm_route_table.rt", "aksnet_route_table.rt")
            }),
            Step::apply(&aksnet_config_route_table(true), |s| {
                s.says("Apply complete! Resources: 0 added, 0 changed, 0 destroyed")
                    .then_some(())
                    .ok_or(format!("expected nothing applied:\n{}", s.text))?;
                s.resource("azurerm_route_table.rt")
                    .is_err()
                    .then_some(())
                    .ok_or("azurerm_route_table.rt is still in state")?;
                expect_eq("id", s.attr("aksnet_route_table.rt", "id")?, &json!(table_id()))?;
                identity_after_move(s, "aksnet_route_table.rt", TABLE)?;
                expect_eq(
                    "bgp_route_propagation_enabled",
                    s.attr("aksnet_route_table.rt", "bgp_route_propagation_enabled")?,
                    &json!(false),
                )?;
                // AKS's route stays foreign: not in state, so never drift.
                expect_eq(
                    "owned routes",
                    s.attr("aksnet_route_table.rt", "/route/0/name")?,
                    &json!("to-firewall"),
                )?;
                expect_eq(
                    "one owned route",
                    &json!(s.attr("aksnet_route_table.rt", "route")?.as_array().map(Vec::len)),
                    &json!(1),
                )?;
                s.attr("aksnet_route_table.rt", "etag")?
                    .as_str()
                    .filter(|e| !e.is_empty())
                    .map(|_| ())
                    .ok_or("the refresh after the move recorded no etag".to_string())
            }),
            // The moved block can go.
            Step::plan_exit(&aksnet_config_route_table(false), 0, None),
            unchanged("after the move, apply and re-plans"),
            Step::run(move || aks_route_gone(&e2)),
        ]
    });
}

// -- (b) azurerm_kubernetes_cluster → aksnet_cluster_network --

/// The guide's azurerm configuration (the one `azurerm_create_body` is the request of).
fn azurerm_config_cluster() -> String {
    format!(
        r#"
resource "azurerm_kubernetes_cluster" "aks" {{
  name                = "aks-adopt"
  location            = "westeurope"
  resource_group_name = "{RG}"
  dns_prefix          = "aks-adopt"
  kubernetes_version  = "1.33"
  tags                = {{ environment = "production" }}

  default_node_pool {{
    name                 = "system"
    vm_size              = "Standard_D4s_v5"
    auto_scaling_enabled = true
    min_count            = 3
    max_count            = 10
    vnet_subnet_id       = "{subnet}"
    zones                = ["1", "2", "3"]
    upgrade_settings {{
      max_surge = "10%"
    }}
  }}

  network_profile {{
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_policy      = "cilium"
    network_data_plane  = "cilium"
    pod_cidr            = "10.244.0.0/16"
    service_cidr        = "10.0.0.0/16"
    dns_service_ip      = "10.0.0.10"
  }}

  identity {{
    type = "SystemAssigned"
  }}
}}
"#,
        subnet = subnet_id()
    )
}

fn seed_cluster(emu: &TestEmulator) -> Result<(), String> {
    let id = cluster_id("aks-adopt");
    let (status, body) = emu.arm("PUT", &id, AKS, Some(azurerm_create_body()));
    if !(200..300).contains(&status) {
        return Err(format!("azurerm's create body was refused: {status} {body}"));
    }
    wait_succeeded(emu, &id).map(|_| ())
}

fn azurerm_cluster_state(s: &Doc) -> Result<(), String> {
    let a = "azurerm_kubernetes_cluster.aks";
    expect_eq(
        "azurerm state: min_count",
        s.attr(a, "/default_node_pool/0/min_count")?,
        &json!(3),
    )?;
    expect_eq(
        "azurerm state: max_surge",
        s.attr(a, "/default_node_pool/0/upgrade_settings/0/max_surge")?,
        &json!("10%"),
    )?;
    expect_eq(
        "azurerm state: ip_versions",
        s.attr(a, "/network_profile/0/ip_versions")?,
        &json!(["IPv4"]),
    )
}

fn cluster_moves_from_azurerm_with_no_changes() {
    case("moved from azurerm_kubernetes_cluster", &[], |emu| {
        let e1 = emu.clone();
        let (record, unchanged) = write_count(emu);
        let moved = format!(
            "moved {{\n  from = azurerm_kubernetes_cluster.aks\n  to   = aksnet_cluster_network.aks\n}}\n{}",
            adopted_config(false, false)
        );
        vec![
            Step::run(move || seed_cluster(&e1)),
            Step::apply(&azurerm_config_cluster(), azurerm_cluster_state),
            record,
            Step::plan(&moved, |p| {
                moved_no_op(p, "azurerm_kubernetes_cluster.aks", "aksnet_cluster_network.aks")
            }),
            Step::apply(&moved, |s| {
                s.says("Apply complete! Resources: 0 added, 0 changed, 0 destroyed")
                    .then_some(())
                    .ok_or(format!("expected nothing applied:\n{}", s.text))?;
                let a = "aksnet_cluster_network.aks";
                identity_after_move(s, a, "aks-adopt")?;
                expect_eq(
                    "node_resource_group (read after the move)",
                    s.attr(a, "node_resource_group")?,
                    &json!("MC_acctest-azurerm_aks-adopt_westeurope"),
                )?;
                expect_eq(
                    "node_count",
                    s.attr(a, "/default_node_pool/node_count")?,
                    &json!(3),
                )?;
                // The azurerm_kubernetes_cluster_node_pool "user" pool was never
                // azurerm_kubernetes_cluster's: it stays foreign, not planned for deletion.
                // (a list block without elements shows as [] in `terraform show -json`).
                expect_eq("node_pool", s.attr(a, "node_pool")?, &json!([]))
            }),
            Step::plan_exit(&adopted_config(false, false), 0, None),
            unchanged("after the move, apply and re-plans"),
        ]
    });
}

// -- (c) issue 19: removed + import in one apply --

fn cluster_hands_over_with_removed_and_import() {
    case("removed azurerm_kubernetes_cluster + import", &[], |emu| {
        let e1 = emu.clone();
        let (record, unchanged) = write_count(emu);
        let handover = format!(
            "removed {{\n  from = azurerm_kubernetes_cluster.aks\n\n  lifecycle {{\n    destroy = false\n  }}\n}}\n{}",
            adopted_config(true, true)
        );
        vec![
            Step::run(move || seed_cluster(&e1)),
            Step::apply(&azurerm_config_cluster(), azurerm_cluster_state),
            record,
            Step::plan(&handover, |p| {
                for needle in [
                    "azurerm_kubernetes_cluster.aks will no longer be managed by Terraform",
                    "aksnet_cluster_network.aks will be imported",
                    // Import records the declared "user" pool in state: no change, no write.
                    "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy",
                ] {
                    p.says(needle)
                        .then_some(())
                        .ok_or(format!("the plan does not say {needle:?}:\n{}", p.text))?;
                }
                let forget = change(p, "azurerm_kubernetes_cluster.aks")?;
                expect_eq(
                    "removed actions",
                    &forget["change"]["actions"],
                    &json!(["forget"]),
                )
            }),
            Step::apply(&handover, |s| {
                s.says("Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed")
                    .then_some(())
                    .ok_or(format!("expected one import and nothing else:\n{}", s.text))?;
                s.resource("azurerm_kubernetes_cluster.aks")
                    .is_err()
                    .then_some(())
                    .ok_or("azurerm_kubernetes_cluster.aks is still in state")?;
                expect_eq(
                    "id",
                    s.attr("aksnet_cluster_network.aks", "id")?,
                    &json!(cluster_id("aks-adopt")),
                )
            }),
            Step::plan_exit(&adopted_config(false, true), 0, None),
            unchanged("after the hand-over"),
        ]
    });
}

// -- (d) an unknown source schema version is a clear error --

fn unknown_source_schema_version_is_refused() {
    case(
        "moved from an unknown azurerm schema version",
        &[(ROUTE_TABLE_VERSION_ENV, "1")],
        |emu| {
            let e1 = emu.clone();
            vec![
                Step::run(move || seed_route_table(&e1)),
                Step::apply(&azurerm_config_route_table(), |_| Ok(())),
                Step::expect_error(
                    &aksnet_config_route_table(true),
                    r"Unsupported Source Schema Version.*azurerm_route_table schema version 1 is not one aksnet translates: it knows schema version 0 \(azurerm 3\.x and 4\.x, whose route_table_resource\.go declares no SchemaVersion\)",
                ),
                // Nothing moved: azurerm's state is as it was.
                Step::plan_exit(&azurerm_config_route_table(), 0, None),
            ]
        },
    );
}

fn unknown_cluster_schema_version_is_refused() {
    case(
        "moved from an unknown azurerm_kubernetes_cluster schema version",
        &[(CLUSTER_VERSION_ENV, "3")],
        |emu| {
            let e1 = emu.clone();
            let (record, unchanged) = write_count(emu);
            let moved = format!(
                "moved {{\n  from = azurerm_kubernetes_cluster.aks\n  to   = aksnet_cluster_network.aks\n}}\n{}",
                adopted_config(false, false)
            );
            vec![
                Step::run(move || seed_cluster(&e1)),
                Step::apply(&azurerm_config_cluster(), azurerm_cluster_state),
                record,
                Step::expect_error(
                    &moved,
                    r"Unsupported Source Schema Version.*azurerm_kubernetes_cluster schema version 3 is not one aksnet translates: it knows schema version 2 \(azurerm 3\.x and 4\.x, whose kubernetes_cluster_resource\.go declares SchemaVersion: 2\)",
                ),
                // Nothing moved and nothing written: azurerm's state is as it was.
                Step::plan_exit(&azurerm_config_cluster(), 0, None),
                unchanged("after the refused move"),
            ]
        },
    );
}

const CASES: [Case; 5] = [
    (
        "route_table_moves_from_azurerm_with_no_changes",
        route_table_moves_from_azurerm_with_no_changes,
    ),
    (
        "cluster_moves_from_azurerm_with_no_changes",
        cluster_moves_from_azurerm_with_no_changes,
    ),
    (
        "cluster_hands_over_with_removed_and_import",
        cluster_hands_over_with_removed_and_import,
    ),
    (
        "unknown_source_schema_version_is_refused",
        unknown_source_schema_version_is_refused,
    ),
    (
        "unknown_cluster_schema_version_is_refused",
        unknown_cluster_schema_version_is_refused,
    ),
];

fn main() -> ExitCode {
    plugin_test::main(standin::serve, &CASES)
}
