//! `aksnet_subnet_usage` with the real Terraform CLI (every version the suite runs on) against
//! the emulator: exact numbers for a seeded subnet with addresses in use, a precondition that
//! fails with the user's message when capacity is short, and a missing subnet or VNet named at
//! `subnet_id`. Addresses in use are seeded IP configurations, which only the emulator can
//! produce without NICs; against ARM these scenarios are skipped.

use aksnet_acceptance::emulator::{TestEmulator, SAMPLE_SUBSCRIPTION};
use aksnet_acceptance::target::skip_against_arm;
use aksnet_acceptance::terraform::{terraform_binaries, with_provider, TerraformBin, Workdir};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");
const RG: &str = "acctest-usage";

fn vnet_id() -> String {
    format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworks/vnet")
}

fn subnet_id(name: &str) -> String {
    format!("{}/subnets/{name}", vnet_id())
}

/// A subnet with `in_use` IP configurations (NICs' primary ones), as ARM shows them.
fn subnet(name: &str, prefix: &str, in_use: usize) -> Value {
    let configs: Vec<Value> = (0..in_use)
        .map(|i| {
            json!({"id": format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.Network/networkInterfaces/nic-{name}-{i}/ipConfigurations/ipconfig1")})
        })
        .collect();
    json!({"name": name, "id": subnet_id(name), "properties": {"addressPrefix": prefix, "ipConfigurations": configs}})
}

/// A VNet with a node subnet (7 addresses in use), a pod subnet (2) and a full /29 (3 of 3).
fn emulator() -> TestEmulator {
    TestEmulator::start(json!([
        {"id": format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{RG}"), "body": {"location": "westeurope"}},
        {"id": vnet_id(), "body": {"location": "westeurope", "properties": {
            "addressSpace": {"addressPrefixes": ["10.20.0.0/16"]},
            "subnets": [
                subnet("nodes", "10.20.0.0/24", 7),
                subnet("pods", "10.20.1.0/24", 2),
                subnet("full", "10.20.2.0/29", 3),
            ]}}}
    ]))
}

fn workdir(tf: &TerraformBin, emu: &TestEmulator, config: &str) -> Workdir {
    let mut wd = Workdir::new(tf, Some(std::path::Path::new(BIN))).expect("workdir");
    for (k, v) in emu.env() {
        wd.set_env(&k, &v);
    }
    wd.write_config(&with_provider(config)).unwrap();
    wd
}

#[test]
fn reports_exact_usage_and_nodes_left_per_plugin() {
    if skip_against_arm("subnet_usage_numbers", "seeding addresses in use without NICs") {
        return;
    }
    let emu = emulator();
    let config = format!(
        r#"
provider "aksnet" {{}}

data "aksnet_subnet_usage" "flat" {{
  subnet_id      = "{nodes}"
  network_plugin = "azure"
}}

data "aksnet_subnet_usage" "overlay" {{
  subnet_id           = "{nodes}"
  network_plugin      = "azure"
  network_plugin_mode = "overlay"
}}

data "aksnet_subnet_usage" "static_pods" {{
  subnet_id              = "{pods}"
  network_plugin         = "azure"
  pod_ip_allocation_mode = "StaticBlock"
  subnet_role            = "pod"
  max_pods               = 30
}}

output "flat" {{ value = data.aksnet_subnet_usage.flat }}
output "overlay" {{ value = data.aksnet_subnet_usage.overlay }}
output "static_pods" {{ value = data.aksnet_subnet_usage.static_pods }}
"#,
        nodes = subnet_id("nodes"),
        pods = subnet_id("pods"),
    );
    for tf in terraform_binaries().expect("terraform") {
        let wd = workdir(&tf, &emu, &config);
        let apply = wd
            .run(&["apply", "-auto-approve", "-no-color", "-input=false"])
            .expect("apply runs");
        assert_eq!(apply.code, 0, "terraform {}: {}", tf.version, apply.text());
        let out = wd.run_ok(&["output", "-json"]).expect("output");
        let out: Value = serde_json::from_str(&out.stdout).expect("output JSON");
        let flat = &out["flat"]["value"];
        let v = tf.version.as_str();
        assert_eq!(flat["id"], subnet_id("nodes"), "{v}");
        assert_eq!(flat["address_prefixes"], json!(["10.20.0.0/24"]), "{v}");
        for (attr, want) in [
            ("total_addresses", 256),
            ("reserved_addresses", 5),
            ("used_addresses", 7),
            ("free_addresses", 244),
            ("largest_free_block", 28),
            ("max_pods", 30),
            ("ips_per_node", 31),
            ("additional_nodes", 7),
        ] {
            assert_eq!(flat[attr], json!(want), "terraform {v}: flat.{attr} in {flat}");
        }
        let overlay = &out["overlay"]["value"];
        for (attr, want) in [("max_pods", 250), ("ips_per_node", 1), ("additional_nodes", 244)] {
            assert_eq!(
                overlay[attr],
                json!(want),
                "terraform {v}: overlay.{attr} in {overlay}"
            );
        }
        let pods = &out["static_pods"]["value"];
        for (attr, want) in [
            ("used_addresses", 2),
            ("free_addresses", 249),
            ("ips_per_node", 32),
            ("additional_nodes", 6),
        ] {
            assert_eq!(
                pods[attr],
                json!(want),
                "terraform {v}: static_pods.{attr} in {pods}"
            );
        }
    }
}

#[test]
fn a_precondition_fails_with_the_users_message_when_capacity_is_short() {
    if skip_against_arm(
        "subnet_usage_precondition",
        "seeding addresses in use without NICs",
    ) {
        return;
    }
    let emu = emulator();
    let config = |subnet: &str| {
        format!(
            r#"
provider "aksnet" {{}}

data "aksnet_subnet_usage" "nodes" {{
  subnet_id      = "{id}"
  network_plugin = "kubenet"
}}

resource "terraform_data" "pool" {{
  input = 2
  lifecycle {{
    precondition {{
      condition     = data.aksnet_subnet_usage.nodes.additional_nodes >= 2
      error_message = "Subnet {subnet} has room for ${{data.aksnet_subnet_usage.nodes.additional_nodes}} more nodes; the pool needs 2."
    }}
  }}
}}
"#,
            id = subnet_id(subnet)
        )
    };
    for tf in terraform_binaries().expect("terraform") {
        let v = tf.version.as_str();
        let wd = workdir(&tf, &emu, &config("full"));
        let plan = wd.run(&["plan", "-no-color", "-input=false"]).expect("plan runs");
        let text = plan.text();
        assert_ne!(
            plan.code, 0,
            "terraform {v}: the precondition should fail:\n{text}"
        );
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("Resource precondition failed"),
            "terraform {v}: {text}"
        );
        assert!(
            flat.contains("Subnet full has room for 0 more nodes; the pool needs 2."),
            "terraform {v}: {text}"
        );
        // The same precondition holds for the node subnet (244 free addresses).
        let wd = workdir(&tf, &emu, &config("nodes"));
        let plan = wd.run(&["plan", "-no-color", "-input=false"]).expect("plan runs");
        assert_eq!(plan.code, 0, "terraform {v}: {}", plan.text());
    }
}

#[test]
fn a_missing_subnet_or_vnet_is_an_error_at_subnet_id() {
    if skip_against_arm("subnet_usage_missing", "its fixtures") {
        return;
    }
    let emu = emulator();
    let cases = [
        (subnet_id("gone"), "virtual network Virtual Network \"vnet\" (Resource Group \"acctest-usage\") has no subnet named gone"),
        (
            format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworks/novnet/subnets/nodes"),
            "its virtual network Virtual Network \"novnet\" (Resource Group \"acctest-usage\") does not exist",
        ),
        ("/subscriptions/oops/resourceGroups/rg".to_string(), "Invalid Subnet ID (I3)"),
    ];
    let bins = terraform_binaries().expect("terraform");
    for (tf, (id, want)) in bins.iter().flat_map(|tf| cases.iter().map(move |c| (tf, c))) {
        let v = tf.version.as_str();
        let wd = workdir(
            tf,
            &emu,
            &format!(
                r#"
provider "aksnet" {{}}

data "aksnet_subnet_usage" "nodes" {{
  subnet_id      = "{id}"
  network_plugin = "azure"
}}
"#
            ),
        );
        let plan = wd.run(&["plan", "-no-color", "-input=false"]).expect("plan runs");
        let text = plan.text();
        assert_ne!(plan.code, 0, "terraform {v}: {text}");
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(*want), "terraform {v}: {want:?} missing:\n{text}");
        assert!(flat.contains("subnet_id"), "terraform {v}: {text}");
        assert!(
            flat.contains("with data.aksnet_subnet_usage.nodes"),
            "terraform {v}: the diagnostic should point at the data source:\n{text}"
        );
        if !want.contains("I3") {
            assert!(flat.contains("Subnet Not Found (W4)"), "terraform {v}: {text}");
            assert!(
                flat.contains("(subnet_id, not shown)"),
                "terraform {v}: the ID is not echoed:\n{text}"
            );
        }
    }
}
