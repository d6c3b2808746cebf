//! Acceptance tests for `aksnet_pod_cidr_plan` with the real Terraform CLI (every Terraform
//! the harness finds: the pinned 1.15.5 and, when present, the system one).

use std::path::Path;

use aksnet_acceptance::harness::{expect_eq, run_case, Json, Step};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");
const R: &str = "aksnet_pod_cidr_plan.test";

fn provider() -> &'static Path {
    Path::new(BIN)
}

fn eq(s: &Json, path: &str, want: serde_json::Value) -> Result<(), String> {
    expect_eq(&format!("{R}.{path}"), s.attr(R, path)?, &want)
}

fn basic_config() -> &'static str {
    r#"
resource "aksnet_pod_cidr_plan" "test" {
  network_plugin      = "azure"
  network_plugin_mode = "overlay"
  address_space       = ["10.10.0.0/16"]

  node_pool {
    name       = "system"
    node_count = 3
  }
}
"#
}

#[test]
fn basic() {
    run_case(
        "pod_cidr_plan basic",
        provider(),
        vec![Step::apply(basic_config(), |s| {
            eq(s, "pod_cidr", json!("10.244.0.0/16"))?;
            eq(s, "service_cidr", json!("10.0.0.0/16"))?;
            eq(s, "dns_service_ip", json!("10.0.0.10"))?;
            eq(s, "node_subnet_cidr", json!("10.10.0.0/28"))?;
            eq(s, "pod_subnet_cidr", json!(null))?;
            eq(s, "required_node_ips", json!(4))?;
            eq(s, "kubenet_routes_needed", json!(0))?;
            eq(
                s,
                "pools",
                json!([{"name": "system", "os_type": "Linux", "max_pods": 250, "surge_nodes": 1, "peak_nodes": 4, "node_ips": 4, "pod_ips": 1024}]),
            )?;
            eq(s, "warnings", json!([]))?;
            let id = s.str_attr(R, "id")?;
            id.starts_with("podcidrplan-")
                .then_some(())
                .ok_or(format!("id {id}"))
        })],
    );
}

#[test]
fn outputs_are_known_at_plan_time() {
    run_case(
        "pod_cidr_plan known at plan",
        provider(),
        vec![Step::plan(basic_config(), |p| {
            eq(p, "node_subnet_cidr", json!("10.10.0.0/28"))?;
            eq(p, "max_nodes", json!(11))?;
            let unknown = p
                .doc
                .pointer("/resource_changes/0/change/after_unknown")
                .cloned()
                .unwrap_or(json!({}));
            let any_unknown = unknown
                .as_object()
                .is_some_and(|m| m.values().any(|v| v == &json!(true)));
            (!any_unknown)
                .then_some(())
                .ok_or(format!("unknown values at plan: {unknown}"))
        })],
    );
}

#[test]
fn complete_dual_stack_windows_and_several_pools() {
    let config = r#"
resource "aksnet_pod_cidr_plan" "test" {
  network_plugin      = "azure"
  network_plugin_mode = "overlay"
  address_space       = ["10.0.0.0/16", "fd00:10::/48"]
  reserved_cidrs      = ["10.0.0.0/24", "10.244.0.0/16"]
  ip_families         = ["IPv4", "IPv6"]
  headroom_percent    = 20

  node_pool {
    name       = "system"
    node_count = 3
  }

  node_pool {
    name       = "user"
    node_count = 3
    min_count  = 3
    max_count  = 30
    max_surge  = "33%"
    max_pods   = 110
  }

  node_pool {
    name       = "win"
    os_type    = "Windows"
    node_count = 2
    max_pods   = 60
  }
}
"#;
    run_case(
        "pod_cidr_plan complete",
        provider(),
        vec![Step::apply(config, |s| {
            // 10.244.0.0/16 is reserved, so the pod CIDR moves to the next free private /16.
            let pod = s.str_attr(R, "pod_cidr")?;
            (pod != "10.244.0.0/16")
                .then_some(())
                .ok_or("pod CIDR overlaps a reserved range")?;
            eq(s, "pod_cidrs/1", json!("fd12:3456:789a::/64"))?;
            eq(s, "service_cidrs/1", json!("fd12:3456:789a:1::/108"))?;
            // The node subnet avoids the reserved 10.0.0.0/24 and the default service CIDR moves off the VNet.
            eq(s, "node_subnet_cidr", json!("10.0.1.0/26"))?;
            let svc = s.str_attr(R, "service_cidr")?;
            (!svc.starts_with("10.0."))
                .then_some(())
                .ok_or(format!("service CIDR {svc} inside the VNet"))?;
            // user: (30 + ceil(30 × 33%) = 10) × 1.2 = 48; system (3 + 1) × 1.2 = 5; win (2 + 1) × 1.2 = 4.
            eq(s, "pools/1/peak_nodes", json!(48))?;
            eq(s, "pools/1/surge_nodes", json!(10))?;
            eq(s, "pools/2/os_type", json!("Windows"))?;
            eq(s, "required_node_ips", json!(57))
        })],
    );
}

#[test]
fn update_keeps_ranges_that_still_fit() {
    let small = basic_config();
    let bigger = basic_config().replace("node_count = 3", "node_count = 5");
    let huge = basic_config().replace("node_count = 3", "node_count = 100");
    run_case(
        "pod_cidr_plan update",
        provider(),
        vec![
            Step::apply(small, |s| eq(s, "node_subnet_cidr", json!("10.10.0.0/28"))),
            // 6 nodes still fit the /28 (11 usable): nothing is renumbered.
            Step::apply(&bigger, |s| {
                eq(s, "node_subnet_cidr", json!("10.10.0.0/28"))?;
                eq(s, "required_node_ips", json!(6))
            }),
            // 101 nodes do not: the subnet grows and the plan says so.
            Step::apply(&huge, |s| {
                eq(s, "node_subnet_cidr", json!("10.10.0.0/25"))?;
                s.says("node_subnet_cidr moves from 10.10.0.0/28 to 10.10.0.0/25")
                    .then_some(())
                    .ok_or(format!("no move warning in:\n{}", s.text))
            }),
            // Shrinking again keeps the larger range: no needless renumbering.
            Step::apply(small, |s| eq(s, "node_subnet_cidr", json!("10.10.0.0/25"))),
        ],
    );
}

#[test]
fn kubenet_routes_feed_route_tables() {
    let config = r#"
resource "aksnet_pod_cidr_plan" "test" {
  network_plugin = "kubenet"
  address_space  = ["10.1.0.0/16"]

  node_pool {
    name       = "system"
    node_count = 3
    max_count  = 20
  }
}

output "routes" { value = aksnet_pod_cidr_plan.test.kubenet_routes_needed }
"#;
    run_case(
        "pod_cidr_plan kubenet",
        provider(),
        vec![Step::apply(config, |s| {
            expect_eq("routes", s.output("routes")?, &json!(21))?;
            eq(s, "pools/0/max_pods", json!(110))?;
            s.says("2028-03-31")
                .then_some(())
                .ok_or(format!("no kubenet retirement warning in:\n{}", s.text))
        })],
    );
}

#[test]
fn import_is_not_supported() {
    run_case(
        "pod_cidr_plan import",
        provider(),
        vec![
            Step::apply(basic_config(), |_| Ok(())),
            Step::cli(
                &["import", "-no-color", "aksnet_pod_cidr_plan.other", "anything"],
                false,
                Some("Import Not Supported|not declared|resource address"),
            ),
        ],
    );
}

/// (name, configuration, error pattern, attribute the error must point at).
const INVALID: &[(&str, &str, &str, &str)] = &[
    (
        "unknown plugin",
        r#"network_plugin = "flannel""#,
        r"Unsupported Network Plugin \(E1\)",
        "network_plugin",
    ),
    (
        "overlay with kubenet",
        r#"network_plugin = "kubenet"
  network_plugin_mode = "overlay""#,
        r"Overlay Requires Azure CNI \(E2\)",
        "network_plugin_mode",
    ),
    (
        "bad mode",
        r#"network_plugin = "azure"
  network_plugin_mode = "Overlay""#,
        r"did you mean `overlay`",
        "network_plugin_mode",
    ),
    (
        "pod cidr with flat azure",
        r#"network_plugin = "azure"
  pod_cidr = "10.244.0.0/16""#,
        r"Pod CIDR Requires Overlay \(E10\)",
        "pod_cidr",
    ),
    (
        "reserved pod cidr",
        r#"network_plugin = "kubenet"
  pod_cidr = "172.31.0.0/16""#,
        r"Reserved Address Range \(R1\)",
        "pod_cidr",
    ),
    (
        "reserved superset",
        r#"network_plugin = "kubenet"
  pod_cidr = "172.16.0.0/12""#,
        r"172\.30\.0\.0/16",
        "pod_cidr",
    ),
    (
        "pod cidr in vnet",
        r#"network_plugin = "kubenet"
  pod_cidr = "10.9.0.0/16""#,
        r"NetworkProfileCIDROverlapVNET",
        "pod_cidr",
    ),
    (
        "service cidr on a declared range",
        r#"network_plugin = "kubenet"
  service_cidr = "10.9.0.0/24"
  dns_service_ip = "10.9.0.10"
  reserved_cidrs = ["10.9.0.0/24"]"#,
        r"Service CIDR Overlaps Network \(R4\)",
        "service_cidr",
    ),
    (
        "service cidr too large",
        r#"network_plugin = "kubenet"
  service_cidr = "172.0.0.0/8"
  dns_service_ip = "172.0.0.10""#,
        r"larger than /12",
        "service_cidr",
    ),
    (
        "dns outside service",
        r#"network_plugin = "kubenet"
  service_cidr = "10.0.0.0/16"
  dns_service_ip = "10.1.0.10""#,
        r"DnsServiceIpOutOfServiceCidr",
        "dns_service_ip",
    ),
    (
        "dns is first address",
        r#"network_plugin = "kubenet"
  service_cidr = "10.0.0.0/16"
  dns_service_ip = "10.0.0.1""#,
        r"Unusable DNS Service IP \(R5\)",
        "dns_service_ip",
    ),
    (
        "dns without service",
        r#"network_plugin = "kubenet"
  dns_service_ip = "10.0.0.10""#,
        r"\(R6\)",
        "dns_service_ip",
    ),
    (
        "cidr with host bits",
        r#"network_plugin = "kubenet"
  pod_cidr = "10.244.1.0/16""#,
        r"host bits set.*network address of that range is \(network of pod_cidr, not shown\)",
        "pod_cidr",
    ),
    (
        "forbidden vnet",
        r#"network_plugin = "kubenet"
  reserved_cidrs = []
  address_space = ["127.0.0.0/16"]"#,
        r"Forbidden VNet Range \(R2\)",
        "address_space",
    ),
    (
        "pod cidr too small",
        r#"network_plugin = "kubenet"
  pod_cidr = "10.200.0.0/24""#,
        r"holds 1 nodes.*use /22 or larger",
        "pod_cidr",
    ),
    (
        "dual stack kubenet",
        r#"network_plugin = "kubenet"
  ip_families = ["IPv4", "IPv6"]"#,
        r"Dual Stack Requires Overlay \(E14\)",
        "ip_families",
    ),
    (
        "ipv6 only",
        r#"network_plugin = "azure"
  network_plugin_mode = "overlay"
  ip_families = ["IPv6"]"#,
        r"IPv6-only",
        "ip_families",
    ),
    (
        "allocation mode with overlay",
        r#"network_plugin = "azure"
  network_plugin_mode = "overlay"
  pod_ip_allocation_mode = "StaticBlock""#,
        r"\(E12\)",
        "pod_ip_allocation_mode",
    ),
    (
        "read-only attribute set",
        r#"network_plugin = "kubenet"
  node_subnet_cidr = "10.9.0.0/24""#,
        r"Read-Only Attribute",
        "node_subnet_cidr",
    ),
    (
        "negative headroom",
        r#"network_plugin = "kubenet"
  headroom_percent = -5"#,
        r"Invalid Headroom",
        "headroom_percent",
    ),
];

fn invalid_config(body: &str) -> String {
    let address = if body.contains("address_space") {
        ""
    } else {
        "  address_space = [\"10.9.0.0/16\"]\n"
    };
    format!("resource \"aksnet_pod_cidr_plan\" \"test\" {{\n  {body}\n{address}\n  node_pool {{\n    name       = \"system\"\n    node_count = 3\n  }}\n}}\n")
}

#[test]
fn invalid_configurations_fail_at_plan_naming_the_attribute() {
    let steps = INVALID
        .iter()
        .map(|(_, body, pattern, attr)| Step::expect_error_at(&invalid_config(body), pattern, attr))
        .collect();
    run_case("pod_cidr_plan invalid", provider(), steps);
}

/// Errors inside node_pool blocks point at the block's line.
#[test]
fn invalid_node_pools_fail_at_plan() {
    let pool = |body: &str| {
        format!("resource \"aksnet_pod_cidr_plan\" \"test\" {{\n  network_plugin = \"azure\"\n  network_plugin_mode = \"overlay\"\n  address_space = [\"10.9.0.0/16\"]\n\n  node_pool {{\n    name = \"system\"\n    node_count = 3\n  }}\n\n  node_pool {{\n{body}\n  }}\n}}\n")
    };
    let steps = vec![
        Step::expect_error_at(&pool("    name = \"user\"\n    node_count = 3\n    max_pods = 300"), r"Max Pods Out Of Range \(C8\)", "max_pods"),
        Step::expect_error_at(&pool("    name = \"windows1\"\n    os_type = \"Windows\"\n    node_count = 3"), r"at most 6 characters", "name"),
        Step::expect_error_at(&pool("    name = \"user\"\n    node_count = 3\n    min_count = 5\n    max_count = 4"), r"greater than max_count", "min_count"),
        Step::expect_error_at(&pool("    name = \"user\"\n    node_count = 3\n    max_surge = \"lots\""), r"Invalid Max Surge", "max_surge"),
        Step::expect_error_at(&pool("    name = \"user\"\n    node_count = 3\n    os_type = \"Mac\""), r"Unsupported OS Type", "os_type"),
        Step::expect_error(
            "resource \"aksnet_pod_cidr_plan\" \"test\" {\n  network_plugin = \"azure\"\n  address_space = [\"10.9.0.0/22\"]\n  node_pool {\n    name = \"system\"\n    node_count = 50\n    max_pods = 30\n  }\n}\n",
            r"1,581 addresses for 51 nodes × \(30 pods \+ 1\).*/21",
        ),
        Step::expect_error("resource \"aksnet_pod_cidr_plan\" \"test\" {\n  network_plugin = \"azure\"\n  address_space = [\"10.9.0.0/16\"]\n}\n", r"Missing Node Pool"),
    ];
    run_case("pod_cidr_plan invalid pools", provider(), steps);
}

/// Issue 20: a fractional or oversized number where aksnet counts in whole numbers is refused
/// at validate with the attribute it is in (Terraform prints that line), what it must be and
/// the class of value; before, the decode error named no attribute.
#[test]
fn fractional_and_oversized_numbers_point_at_the_attribute() {
    let config = |top: &str, pool: &str| {
        format!("resource \"aksnet_pod_cidr_plan\" \"test\" {{\n  network_plugin = \"azure\"\n  network_plugin_mode = \"overlay\"\n  address_space = [\"10.9.0.0/16\"]\n{top}\n  node_pool {{\n    name = \"system\"\n    node_count = 3\n  }}\n\n  node_pool {{\n    name = \"user\"\n{pool}\n  }}\n}}\n")
    };
    let steps = vec![
        Step::expect_error_at(
            &config("", "    node_count = 3\n    max_pods = 1.5"),
            r"Invalid Number.*node_pool\[1\]\.max_pods must be a whole number, but the value is a fractional number\. Write the value without a fractional part",
            "max_pods",
        ),
        Step::expect_error_at(
            &config("", "    node_count = 1e20"),
            r"Invalid Number.*node_pool\[1\]\.node_count must be a whole number, but the value is a number beyond the 64-bit integer range \(2\^63\)",
            "node_count",
        ),
        Step::expect_error_at(
            &config("", "    node_count = 123456789012345678901234567890"),
            r"Invalid Number.*node_pool\[1\]\.node_count must be a whole number, but the value is a number beyond the 64-bit integer range",
            "node_count",
        ),
        Step::expect_error_at(
            &config("  headroom_percent = 12.5\n", "    node_count = 3"),
            r"Invalid Number.*headroom_percent must be a whole number, but the value is a fractional number",
            "headroom_percent",
        ),
    ];
    run_case("pod_cidr_plan fractional numbers", provider(), steps);
}
