//! Provider functions through the real Terraform CLI (functions need Terraform ≥ 1.8).

use std::path::Path;

use aksnet_acceptance::harness::{expect_eq, run_case, Step};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");

#[test]
fn functions_compute() {
    let config = r#"
output "overlap" { value = provider::aksnet::cidrs_overlap("10.0.0.0/16", "10.0.128.0/20") }
output "disjoint" { value = provider::aksnet::cidrs_overlap("10.0.0.0/16", "fd00::/8") }
output "nodes" { value = provider::aksnet::pod_cidr_max_nodes("10.244.0.0/16") }
output "prefix" { value = provider::aksnet::node_subnet_prefix("azure", 51, 30) }
output "overlay_prefix" { value = provider::aksnet::node_subnet_prefix("overlay", 500, 250) }
output "errors" {
  value = provider::aksnet::network_profile_errors({
    network_plugin     = "kubenet"
    network_policy     = "cilium"
    pod_cidr           = "172.30.0.0/16"
    vnet_address_space = ["10.0.0.0/16"]
    default_node_pool  = { name = "system", node_count = 3 }
  })
}
output "clean" {
  value = provider::aksnet::network_profile_errors({
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    node_pool           = [{ name = "system", node_count = 3, max_pods = 110 }]
  })
}
"#;
    run_case(
        "functions",
        Path::new(BIN),
        vec![Step::apply(config, |s| {
            expect_eq("overlap", s.output("overlap")?, &json!(true))?;
            expect_eq("disjoint", s.output("disjoint")?, &json!(false))?;
            expect_eq("nodes", s.output("nodes")?, &json!(256))?;
            expect_eq("prefix", s.output("prefix")?, &json!(21))?;
            expect_eq("overlay_prefix", s.output("overlay_prefix")?, &json!(23))?;
            expect_eq("clean", s.output("clean")?, &json!([]))?;
            let errors = s.output("errors")?.as_array().cloned().unwrap_or_default();
            let text: Vec<String> = errors
                .iter()
                .filter_map(|e| e.as_str().map(str::to_string))
                .collect();
            for rule in ["[E9] network_policy", "[R1] pod_cidr"] {
                if !text.iter().any(|t| t.starts_with(rule)) {
                    return Err(format!("no {rule} error in {text:?}"));
                }
            }
            Ok(())
        })],
    );
}

#[test]
fn function_errors_name_the_argument() {
    run_case(
        "function errors",
        Path::new(BIN),
        vec![
            Step::expect_error(
                r#"output "x" { value = provider::aksnet::cidrs_overlap("10.0.0.0", "10.0.0.0/8") }"#,
                r"no prefix length",
            ),
            Step::expect_error(
                r#"output "x" { value = provider::aksnet::pod_cidr_max_nodes("fd00::/64") }"#,
                r"IPv6",
            ),
            Step::expect_error(
                r#"output "x" { value = provider::aksnet::node_subnet_prefix("calico", 3, 30) }"#,
                r#""calico" is not a network plugin"#,
            ),
            Step::expect_error(
                r#"output "x" { value = provider::aksnet::node_subnet_prefix("azure", 3, 5) }"#,
                r"max_pods is 5.*C8",
            ),
            Step::expect_error(
                r#"output "x" { value = provider::aksnet::network_profile_errors({ network_plugin = "azure", network_profile = [{ network_plugin = "kubenet" }] }) }"#,
                r"network_plugin is given twice with different values \(network_profile.network_plugin and network_plugin\); set it in one place",
            ),
            Step::expect_error(
                r#"output "x" { value = provider::aksnet::network_profile_errors("azure") }"#,
                r"must be an object",
            ),
        ],
    );
}

#[test]
fn network_profile_errors_guards_a_precondition() {
    let config = r#"
variable "pod_cidr" { default = "10.0.0.0/16" }
resource "terraform_data" "cluster" {
  lifecycle {
    precondition {
      condition = length(provider::aksnet::network_profile_errors({
        network_plugin      = "azure"
        network_plugin_mode = "overlay"
        pod_cidr            = var.pod_cidr
        vnet_address_space  = ["10.0.0.0/16"]
      })) == 0
      error_message = "The AKS network profile breaks aksnet's rules."
    }
  }
}
"#;
    run_case(
        "precondition",
        Path::new(BIN),
        vec![Step::expect_error(config, r"breaks aksnet's rules")],
    );
}
