//! The bad-input catalog (issue #9, item 4). One table of invalid configurations across
//! aksnet's resources and provider functions, each planned with the real Terraform CLI against
//! an emulator seeded with a VNet (cluster plans read it) and each required to fail with an
//! error diagnostic that shows the attribute's line (for functions: names the parameter) —
//! never a crash. Then malformed ARM responses on refresh (truncated JSON, wrong types,
//! missing fields): a clear error naming the resource, and the state kept as it was.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use aksnet_acceptance::emulator::{TestEmulator, SAMPLE_SUBSCRIPTION};
use aksnet_acceptance::harness::{run_case_env, Step};
use regex::Regex;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");
const RG: &str = "acctest-bic";
const NET: &str = "2025-01-01";
const AKS: &str = "2025-10-01";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    PodCidrPlan,
    RouteTable,
    ClusterNetwork,
    Function,
}

use Family::{ClusterNetwork as CN, Function as FN, PodCidrPlan as PCP, RouteTable as RT};

impl Family {
    fn label(self) -> &'static str {
        match self {
            PCP => "pod_cidr_plan",
            RT => "route_table",
            CN => "cluster_network",
            FN => "functions",
        }
    }
}

/// One invalid input.
///
/// - `hcl`: for resources, the lines that differ from the family's valid configuration
///   (a default is left out when `hcl` sets one of its keys; see [`config`]); for functions,
///   the expression. `@subnet/NAME`, `@vnet` and `@identity` expand to the fixture's IDs.
/// - `error`: a regex over the plan output, lines joined.
/// - `attr`: the attribute whose line the diagnostic must show; for functions the parameter
///   the message must name (`Invalid value for "a" parameter`); "" when Terraform shows no
///   line for it, and then `error` itself names the attribute.
struct Case {
    name: &'static str,
    family: Family,
    hcl: &'static str,
    error: &'static str,
    attr: &'static str,
}

const fn c(
    name: &'static str,
    family: Family,
    hcl: &'static str,
    error: &'static str,
    attr: &'static str,
) -> Case {
    Case {
        name,
        family,
        hcl,
        error,
        attr,
    }
}

#[rustfmt::skip]
const CATALOG: &[Case] = &[
    // ---- aksnet_pod_cidr_plan ----
    c("plan: unknown plugin", PCP, r#"network_plugin = "flannel""#, r"Unsupported Network Plugin \(E1\)", "network_plugin"),
    c("plan: overlay with kubenet", PCP, "network_plugin = \"kubenet\"\nnetwork_plugin_mode = \"overlay\"", r"Overlay Requires Azure CNI \(E2\)", "network_plugin_mode"),
    c("plan: mode in the wrong case", PCP, "network_plugin = \"azure\"\nnetwork_plugin_mode = \"Overlay\"", r"did you mean `overlay`", "network_plugin_mode"),
    c("plan: pod cidr prefix over 32", PCP, "network_plugin = \"kubenet\"\npod_cidr = \"10.244.0.0/33\"", r"Invalid CIDR \(R7\).*\(pod_cidr, not shown\)", "pod_cidr"),
    c("plan: pod cidr is a word", PCP, "network_plugin = \"kubenet\"\npod_cidr = \"pods\"", r"Invalid CIDR \(R7\).*\x22pods\x22", "pod_cidr"),
    c("plan: service cidr with host bits", PCP, "service_cidr = \"10.0.0.1/16\"\ndns_service_ip = \"10.0.0.10\"", r"\(service_cidr, not shown\) has host bits set.*\(network of service_cidr, not shown\)", "service_cidr"),
    c("plan: dns ip octet over 255", PCP, "service_cidr = \"10.0.0.0/16\"\ndns_service_ip = \"10.0.0.300\"", r"Invalid DNS Service IP \(R7\)", "dns_service_ip"),
    c("plan: address space entry not a cidr", PCP, r#"address_space = ["10.9.0.0/16", "ten"]"#, r"Invalid CIDR \(R7\).*\x22ten\x22", "address_space"),
    c("plan: reserved cidr with two prefixes", PCP, r#"reserved_cidrs = ["10.0.0.0/8/8"]"#, r"Invalid CIDR \(R7\)", "reserved_cidrs"),
    c("plan: unknown ip family", PCP, r#"ip_families = ["IPv5"]"#, r#"Unsupported IP Family \(E14\).*"IPv5" is not an IP family"#, "ip_families"),
    c("plan: headroom above 1000", PCP, "headroom_percent = 5000", r"Invalid Headroom.*5000", "headroom_percent"),
    c("plan: unknown allocation mode", PCP, "network_plugin = \"azure\"\npod_ip_allocation_mode = \"Sticky\"", r"Unsupported Pod IP Allocation Mode \(E13\).*\x22Sticky\x22", "pod_ip_allocation_mode"),
    c("plan: max pods below 10", PCP, "node_pool {\n  name = \"system\"\n  node_count = 3\n  max_pods = 5\n}", r"Max Pods Out Of Range \(C8\)", "max_pods"),
    c("plan: no node count and no autoscaler bounds", PCP, "node_pool {\n  name = \"system\"\n  node_count = null\n}", r"Node Count Required \(C3\).*set node_count, or let the autoscaler size the pool with min_count and max_count", "node_count"),
    c("plan: negative node count", PCP, "node_pool {\n  name = \"system\"\n  node_count = -1\n}", r"Invalid Node Pool Number.*node_count is -1", "node_count"),
    c("plan: pool name with capitals", PCP, "node_pool {\n  name = \"System\"\n  node_count = 3\n}", r"Invalid Node Pool Name \(W1\)", "name"),
    c("plan: surge above 100%", PCP, "node_pool {\n  name = \"system\"\n  node_count = 3\n  max_surge = \"150%\"\n}", r"Invalid Max Surge \(C4\).*150%", "max_surge"),
    c("plan: min count above max count", PCP, "node_pool {\n  name = \"system\"\n  node_count = 3\n  min_count = 5\n  max_count = 4\n}", r"Min Count Above Max Count \(C3\)", "min_count"),
    c("plan: fractional max pods", PCP, "node_pool {\n  name = \"system\"\n  node_count = 3\n  max_pods = 30.5\n}", r"Invalid Number.*node_pool\[0\]\.max_pods must be a whole number, but the value is a fractional number", "max_pods"),
    c("plan: node count beyond 64 bits", PCP, "node_pool {\n  name = \"system\"\n  node_count = 100000000000000000000\n}", r"Invalid Number.*node_pool\[0\]\.node_count must be a whole number, but the value is a number beyond the 64-bit integer range", "node_count"),
    c("plan: node count is a word", PCP, "node_pool {\n  name = \"system\"\n  node_count = \"three\"\n}", r#"Incorrect attribute value type.*"node_count": a number is required"#, "node_count"),
    c("plan: read-only max_nodes set", PCP, "max_nodes = 10", r"Invalid Configuration for Read-Only Attribute.*max_nodes", "max_nodes"),
    c("plan: misspelt argument", PCP, r#"pod_cidrz = "10.244.0.0/16""#, r#"Unsupported argument.*"pod_cidrz" is not expected here"#, "pod_cidrz"),
    c("plan: duplicate pool names", PCP, "node_pool {\n  name = \"system\"\n  node_count = 3\n}\nnode_pool {\n  name = \"system\"\n  node_count = 2\n}", r"Duplicate Node Pool Name \(W1\)", "name"),
    c("plan: windows pool on kubenet", PCP, "network_plugin = \"kubenet\"\nnode_pool {\n  name = \"system\"\n  node_count = 3\n}\nnode_pool {\n  name = \"win\"\n  os_type = \"Windows\"\n  node_count = 2\n}", r"Kubenet Does Not Support Windows \(E9\)", "os_type"),
    c("plan: service cidr on a declared range", PCP, "service_cidr = \"10.9.0.0/24\"\ndns_service_ip = \"10.9.0.10\"\nreserved_cidrs = [\"10.9.0.0/24\"]", r"Service CIDR Overlaps Network \(R4\)", "service_cidr"),
    c("plan: dns ip outside the service cidr", PCP, "service_cidr = \"10.0.0.0/16\"\ndns_service_ip = \"10.1.0.10\"", r"DNS Service IP Outside Service CIDR \(R5\)", "dns_service_ip"),
    // Issue 17 item 7: an explicit null where a value is required (I8).
    c("plan: null network plugin", PCP, "network_plugin = null", r"Null Value \(I8\).*network_plugin is null, but it is required", "network_plugin"),
    c("plan: null pool name", PCP, "node_pool {\n  name = null\n  node_count = 3\n}", r"Null Value \(I8\).*node_pool\[0\]\.name is null", "name"),
    c("plan: null address space element", PCP, r#"address_space = ["10.9.0.0/16", null]"#, r"Null Value \(I8\).*address_space\[1\] is null", "address_space"),
    // Issue 17 item 9: a sensitive value is never echoed (Terraform does not tell providers
    // which values are sensitive, so no address, range or ID of the configuration is).
    c("plan: sensitive pod cidr with host bits", PCP, "network_plugin = \"kubenet\"\npod_cidr = sensitive(\"10.99.77.5/16\")", r"\(pod_cidr, not shown\) has host bits set; the network address of that range is \(network of pod_cidr, not shown\)", "pod_cidr"),

    // ---- aksnet_route_table ----
    c("table: name starts with a hyphen", RT, r#"name = "-rt""#, r"Invalid Route Table Name", "name"),
    c("table: name of 81 characters", RT, r#"name = "rt-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx""#, r"Invalid Route Table Name.*1–80 characters", "name"),
    c("table: name ends with a period", RT, r#"name = "rt.""#, r"Invalid Route Table Name", "name"),
    c("table: route name with spaces", RT, "route {\n  name = \"bad name!\"\n  address_prefix = \"10.1.0.0/16\"\n  next_hop_type = \"VnetLocal\"\n}", r"Invalid Route Name", "name"),
    c("table: prefix length over 32", RT, "route {\n  name = \"r\"\n  address_prefix = \"10.0.0.0/33\"\n  next_hop_type = \"VnetLocal\"\n}", r"Invalid Address Prefix", "address_prefix"),
    c("table: prefix with host bits", RT, "route {\n  name = \"r\"\n  address_prefix = \"10.1.2.3/8\"\n  next_hop_type = \"VnetLocal\"\n}", r"Invalid Address Prefix.*host bits", "address_prefix"),
    c("table: prefix neither cidr nor tag", RT, "route {\n  name = \"r\"\n  address_prefix = \"every where\"\n  next_hop_type = \"VnetLocal\"\n}", r"Invalid Address Prefix.*neither a CIDR nor a service tag", "address_prefix"),
    c("table: prefix is a bare address", RT, "route {\n  name = \"r\"\n  address_prefix = \"10.0.0.4\"\n  next_hop_type = \"VnetLocal\"\n}", r"Invalid Address Prefix.*no prefix length", "address_prefix"),
    c("table: unknown next hop type", RT, "route {\n  name = \"r\"\n  address_prefix = \"10.1.0.0/16\"\n  next_hop_type = \"Firewall\"\n}", r"Invalid Next Hop Type", "next_hop_type"),
    c("table: next hop type in lower case", RT, "route {\n  name = \"r\"\n  address_prefix = \"10.1.0.0/16\"\n  next_hop_type = \"virtualappliance\"\n  next_hop_ip_address = \"10.0.0.4\"\n}", r"Invalid Next Hop Type", "next_hop_type"),
    c("table: appliance without an address", RT, "route {\n  name = \"r\"\n  address_prefix = \"0.0.0.0/0\"\n  next_hop_type = \"VirtualAppliance\"\n}", r"Missing Next Hop IP Address", "route"),
    c("table: address with VnetLocal", RT, "route {\n  name = \"r\"\n  address_prefix = \"10.1.0.0/16\"\n  next_hop_type = \"VnetLocal\"\n  next_hop_ip_address = \"10.0.0.4\"\n}", r"Next Hop IP Address Not Allowed", "next_hop_ip_address"),
    c("table: next hop address not an IP", RT, "route {\n  name = \"r\"\n  address_prefix = \"0.0.0.0/0\"\n  next_hop_type = \"VirtualAppliance\"\n  next_hop_ip_address = \"10.0.0.999\"\n}", r"Invalid Next Hop IP Address", "next_hop_ip_address"),
    c("table: duplicate route names", RT, "route {\n  name = \"r\"\n  address_prefix = \"10.1.0.0/16\"\n  next_hop_type = \"VnetLocal\"\n}\nroute {\n  name = \"R\"\n  address_prefix = \"10.2.0.0/16\"\n  next_hop_type = \"VnetLocal\"\n}", r#"Duplicate Route Name \(O7\).*routes.*"r".*"R""#, ""),
    c("table: duplicate prefixes", RT, "route {\n  name = \"a\"\n  address_prefix = \"10.1.0.0/16\"\n  next_hop_type = \"VnetLocal\"\n}\nroute {\n  name = \"b\"\n  address_prefix = \"10.1.0.0/16\"\n  next_hop_type = \"None\"\n}", r#"Duplicate Address Prefix.*address_prefix.*"a".*"b""#, ""),
    c("table: resource group ends with a period", RT, r#"resource_group_name = "rg.""#, r"Invalid Resource Group Name", "resource_group_name"),
    c("table: empty location", RT, r#"location = """#, r"Invalid Location", "location"),
    c("table: unknown foreign routes mode", RT, r#"foreign_routes = "keep""#, r"Invalid Foreign Routes Mode", "foreign_routes"),
    c("table: negative reserved routes", RT, "reserved_route_count = -1", r"Invalid Reserved Route Count", "reserved_route_count"),
    c("table: reserved routes over the limit", RT, "reserved_route_count = 400", r"Route Table Limit \(C2\).*401", "reserved_route_count"),
    c("table: timeout in words", RT, "timeouts {\n  create = \"ten minutes\"\n}", r"Invalid Timeout.*\x22ten minutes\x22 is not a duration", "create"),
    // Regression: beyond u64 seconds the duration parser panicked and killed the provider.
    c("table: timeout beyond u64 seconds", RT, "timeouts {\n  create = \"99999999999999999999h\"\n}", r"Invalid Timeout.*is too long for a timeout", "create"),
    c("table: negative timeout", RT, "timeouts {\n  delete = \"-5m\"\n}", r"Invalid Timeout.*\x22-5m\x22 is not a duration", "delete"),
    c("table: read-only etag set", RT, r#"etag = "W/\"1\"""#, r"Invalid Configuration for Read-Only Attribute.*etag", "etag"),
    c("table: read-only id set", RT, r#"id = "/subscriptions/x""#, r"Invalid Configuration for Read-Only Attribute.*`id`", "id"),
    // Foreign routes are not state (they would show as changed outside of Terraform).
    c("table: removed foreign route names set", RT, r#"foreign_route_names = ["aks-1"]"#, r#"Unsupported argument.*"foreign_route_names" is not expected here"#, "foreign_route_names"),
    c("table: bgp flag not a bool", RT, r#"bgp_route_propagation_enabled = "maybe""#, r#"Incorrect attribute value type.*"bgp_route_propagation_enabled": a bool is required"#, "bgp_route_propagation_enabled"),
    c("table: subnet id is a bare name", RT, r#"subnet_ids = ["nodes"]"#, r"Invalid Subnet ID.*\x22nodes\x22", "subnet_ids"),
    c("table: subnet id of a vnet", RT, r#"subnet_ids = ["@vnet"]"#, r"Invalid Subnet ID.*subnet_ids: parsing Subnet ID", "subnet_ids"),
    c("table: route without next hop type", RT, "route {\n  name = \"r\"\n  address_prefix = \"10.1.0.0/16\"\n}", r#"Missing required argument.*"next_hop_type" is required"#, "route"),
    c("table: null location", RT, "location = null", r"Null Value \(I8\).*location is null, but it is required", "location"),
    c("table: null route prefix", RT, "route {\n  name = \"r\"\n  address_prefix = null\n  next_hop_type = \"VnetLocal\"\n}", r"Null Value \(I8\).*route\[0\]\.address_prefix is null", "address_prefix"),
    c("table: null route name", RT, "route {\n  name = null\n  address_prefix = \"10.1.0.0/16\"\n  next_hop_type = \"VnetLocal\"\n}", r"Null Value \(I8\).*route\[0\]\.name is null", "name"),
    c("table: null tag value", RT, "tags = {\n  team = null\n}", r#"Null Value \(I8\).*tags\["team"\] is null"#, "team"),
    // Issue 17 item 8: names that would change the request path (I2, I3).
    c("table: resource group with a path", RT, r#"resource_group_name = "nonexistent/../acctest-bic""#, r"Invalid Resource Group Name \(I2\)", "resource_group_name"),
    c("table: route table name with a slash", RT, r#"name = "rt/../other""#, r"Invalid Route Table Name \(I2\)", "name"),
    c("table: subnet id with a foreign path", RT, r#"subnet_ids = ["/subscriptions/00000000-0000-0000-0000-0000000000cc/resourceGroups/acctest-bic/providers/Microsoft.Network/virtualNetworks/../subnets/nodes"]"#, r#"Invalid Subnet ID \(I3\).*virtualNetworks name "\.\." breaks ARM's naming rules"#, "subnet_ids"),
    c("table: subnet id without a guid", RT, r#"subnet_ids = ["/subscriptions/not-a-guid/resourceGroups/acctest-bic/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes"]"#, r#"Invalid Subnet ID \(I3\).*subscription "not-a-guid" is not a GUID"#, "subnet_ids"),
    c("table: sensitive route prefix with host bits", RT, "route {\n  name = \"r\"\n  address_prefix = sensitive(\"10.99.77.5/16\")\n  next_hop_type = \"VnetLocal\"\n}", r"Invalid Address Prefix \(O7\).*\(route\[0\]\.address_prefix, not shown\) has host bits set", "address_prefix"),

    // ---- aksnet_cluster_network ----
    c("cluster: unknown plugin", CN, r#"network_plugin = "flannel""#, r"Unsupported Network Plugin \(E1\).*\x22flannel\x22", "network_plugin"),
    c("cluster: overlay with kubenet", CN, "network_plugin = \"kubenet\"\nnetwork_plugin_mode = \"overlay\"\nidentity {\n  type = \"UserAssigned\"\n  identity_ids = [\"@identity\"]\n}", r"Overlay Requires Azure CNI \(E2\)", "network_plugin_mode"),
    c("cluster: pod cidr prefix over 32", CN, "network_plugin = \"azure\"\nnetwork_plugin_mode = \"overlay\"\npod_cidr = \"10.244.0.0/33\"", r"Invalid CIDR \(R7\)", "pod_cidr"),
    c("cluster: pod cidr on flat azure cni", CN, "network_plugin = \"azure\"\npod_cidr = \"10.244.0.0/16\"", r"Pod CIDR Requires Overlay \(E10\)", "pod_cidr"),
    c("cluster: pod_cidr and pod_cidrs disagree", CN, "network_plugin = \"azure\"\nnetwork_plugin_mode = \"overlay\"\npod_cidr = \"10.244.0.0/16\"\npod_cidrs = [\"10.245.0.0/16\"]", r"Conflicting Attributes.*pod_cidr differs from the first of pod_cidrs", "pod_cidrs"),
    c("cluster: dns ip outside the service cidr", CN, "service_cidr = \"10.0.0.0/16\"\ndns_service_ip = \"10.1.0.10\"", r"DNS Service IP Outside Service CIDR \(R5\)", "dns_service_ip"),
    c("cluster: dns ip not an address", CN, "service_cidr = \"10.0.0.0/16\"\ndns_service_ip = \"ten\"", r"Invalid DNS Service IP \(R7\)", "dns_service_ip"),
    c("cluster: cilium policy without cilium dataplane", CN, r#"network_policy = "cilium""#, r"Cilium Policy Requires Cilium Dataplane \(E4\)", "network_policy"),
    c("cluster: unknown dataplane", CN, r#"network_data_plane = "ebpf""#, r"Unsupported Network Data Plane \(E5\).*\x22ebpf\x22", "network_data_plane"),
    c("cluster: unknown outbound type", CN, r#"outbound_type = "gateway""#, r"Unsupported Outbound Type \(E15\).*\x22gateway\x22", "outbound_type"),
    c("cluster: outbound none without network isolation", CN, r#"outbound_type = "none""#, r"Outbound Type None Needs A Network Isolated Cluster \(O4\)", "outbound_type"),
    c("cluster: outbound none with direct artifacts", CN, "outbound_type = \"none\"\nbootstrap_artifact_source = \"Direct\"", r"Outbound Type None Needs A Network Isolated Cluster \(O4\)", "bootstrap_artifact_source"),
    c("cluster: unknown bootstrap artifact source", CN, r#"bootstrap_artifact_source = "Mirror""#, r"Unsupported Value \(I6\).*Mirror", "bootstrap_artifact_source"),
    c("cluster: basic load balancer", CN, r#"load_balancer_sku = "basic""#, r"Basic Load Balancer Not Supported \(E16\)", "load_balancer_sku"),
    c("cluster: unknown sku tier", CN, r#"sku_tier = "Gold""#, r"Unsupported Value.*Gold", "sku_tier"),
    c("cluster: ipv6-only families", CN, r#"ip_families = ["IPv6"]"#, r"Unsupported IP Families \(E14\).*IPv6-only", "ip_families"),
    c("cluster: unknown identity type", CN, "identity {\n  type = \"Magic\"\n}", r"Unsupported Value.*Magic", "type"),
    c("cluster: user-assigned without an identity", CN, "identity {\n  type = \"UserAssigned\"\n  identity_ids = []\n}", r"One Identity Required", "identity_ids"),
    c("cluster: system-assigned with identity ids", CN, "identity {\n  type = \"SystemAssigned\"\n  identity_ids = [\"@identity\"]\n}", r"Identity IDs Not Allowed", "identity_ids"),
    c("cluster: max pods above 250", CN, "default_node_pool {\n  max_pods = 300\n}", r"Max Pods Out Of Range \(C8\)", "max_pods"),
    c("cluster: fractional node count", CN, "default_node_pool {\n  node_count = 2.5\n}", r"Invalid Number.*default_node_pool\.node_count must be a whole number, but the value is a fractional number", "node_count"),
    c("cluster: empty system pool", CN, "default_node_pool {\n  node_count = 0\n}", r"Empty System Pool \(C3\)", "node_count"),
    c("cluster: autoscaler min above max", CN, "default_node_pool {\n  auto_scaling_enabled = true\n  min_count = 5\n  max_count = 2\n}", r"Min Count Above Max Count \(C3\)", "min_count"),
    c("cluster: min count without autoscaling", CN, "default_node_pool {\n  min_count = 1\n}", r"Autoscaler Disabled", "min_count"),
    c("cluster: node subnet id is a bare name", CN, "default_node_pool {\n  vnet_subnet_id = \"nodes\"\n}", r"Invalid Subnet ID.*parsing Subnet ID \x22nodes\x22", "vnet_subnet_id"),
    c("cluster: pod subnet id of a vnet", CN, "network_plugin = \"azure\"\ndefault_node_pool {\n  pod_subnet_id = \"@vnet\"\n}", r"Invalid Subnet ID.*pod_subnet_id: parsing Subnet ID", "pod_subnet_id"),
    c("cluster: zone 4", CN, "default_node_pool {\n  zones = [\"1\", \"4\"]\n}", r"not an availability zone", "zones"),
    c("cluster: empty vm size", CN, "default_node_pool {\n  vm_size = \"\"\n}", r"Empty VM Size \(I6\)", "vm_size"),
    c("cluster: surge in words", CN, "default_node_pool {\n  max_surge = \"lots\"\n}", r"Invalid Max Surge \(C4\)", "max_surge"),
    c("cluster: pool name with an underscore", CN, "default_node_pool {\n  name = \"sys_1\"\n}", r"Invalid Node Pool Name \(W1\)", "name"),
    c("cluster: duplicate pool names", CN, "node_pool {\n  name = \"system\"\n  vm_size = \"Standard_D4s_v5\"\n  node_count = 1\n  vnet_subnet_id = \"@subnet/nodes\"\n}", r"Duplicate Node Pool Name", "name"),
    c("cluster: no managed outbound ips", CN, "load_balancer_profile {\n  managed_outbound_ip_count = 0\n}", r"Value Out Of Range.*managed_outbound_ip_count is 0", "managed_outbound_ip_count"),
    c("cluster: idle timeout of 500 minutes", CN, "load_balancer_profile {\n  idle_timeout_in_minutes = 500\n}", r"Value Out Of Range.*idle_timeout_in_minutes is 500", "idle_timeout_in_minutes"),
    c("cluster: two egress ip sources", CN, "load_balancer_profile {\n  managed_outbound_ip_count = 2\n  outbound_ip_prefix_ids = [\"/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/publicIPPrefixes/z\"]\n}", r"Conflicting Outbound IP Sources", "outbound_ip_prefix_ids"),
    c("cluster: nat gateway with 20 ips", CN, "outbound_type = \"managedNATGateway\"\nnat_gateway_profile {\n  managed_outbound_ip_count = 20\n}\ndefault_node_pool {\n  vnet_subnet_id = null\n}", r"Value Out Of Range.*managed_outbound_ip_count is 20", "managed_outbound_ip_count"),
    c("cluster: timeout in words", CN, "timeouts {\n  update = \"an hour\"\n}", r"Invalid Timeout.*\x22an hour\x22 is not a duration", "update"),
    c("cluster: timeout beyond u64 seconds", CN, "timeouts {\n  delete = \"99999999999999999999h\"\n}", r"Invalid Timeout.*is too long for a timeout", "delete"),
    c("cluster: read-only fqdn set", CN, r#"fqdn = "aks.example.com""#, r"Read-Only Attribute.*fqdn is computed by Azure", "fqdn"),
    c("cluster: windows pool on kubenet", CN, "network_plugin = \"kubenet\"\nidentity {\n  type = \"UserAssigned\"\n  identity_ids = [\"@identity\"]\n}\ndefault_node_pool {\n  vnet_subnet_id = \"@subnet/kubenet\"\n}\nnode_pool {\n  name = \"win\"\n  vm_size = \"Standard_D4s_v5\"\n  node_count = 1\n  os_type = \"Windows\"\n  vnet_subnet_id = \"@subnet/kubenet\"\n}", r"Kubenet Does Not Support Windows \(E9\)", "os_type"),
    c("cluster: no node count and no autoscaler bounds", CN, "default_node_pool {\n  node_count = null\n}", r"Node Count Required \(C3\).*set node_count, or let the autoscaler size the pool with min_count and max_count \(and auto_scaling_enabled = true", "node_count"),
    c("cluster: node count is a word", CN, "default_node_pool {\n  node_count = \"three\"\n}", r#"Incorrect attribute value type.*"node_count": a number is required"#, "node_count"),
    c("cluster: no default node pool", CN, "dynamic \"default_node_pool\" {\n  for_each = []\n  content {\n    name = \"system\"\n  }\n}", r#"Missing default_node_pool block.*A block of type "default_node_pool" is required|Insufficient default_node_pool blocks"#, ""),
    c("live: node subnet does not exist", CN, "default_node_pool {\n  vnet_subnet_id = \"@subnet/missing\"\n}", r"Subnet Not Found \(W4\).*subnets/missing", "vnet_subnet_id"),
    c("live: pod cidr inside the vnet", CN, "network_plugin = \"azure\"\nnetwork_plugin_mode = \"overlay\"\npod_cidr = \"10.10.128.0/17\"", r"Pod CIDR Overlaps Network \(R3\)", "pod_cidr"),
    c("live: service cidr on a subnet the cluster does not use", CN, "service_cidr = \"10.10.64.0/24\"\ndns_service_ip = \"10.10.64.10\"", r#"Service CIDR Overlaps Network \(R4\).*subnet "pods" of the VNet"#, "service_cidr"),
    c("live: flat cni on a /28", CN, "network_plugin = \"azure\"\ndefault_node_pool {\n  vnet_subnet_id = \"@subnet/small\"\n}", r"Node Subnet Too Small \(C5\)", "vnet_subnet_id"),
    c("cluster: null location", CN, "location = null", r"Null Value \(I8\).*location is null, but it is required", "location"),
    c("cluster: null dns prefix", CN, "dns_prefix = null", r"Null Value \(I8\).*dns_prefix is null, but it is required", "dns_prefix"),
    c("cluster: null vm size", CN, "default_node_pool {\n  vm_size = null\n}", r"Null Value \(I8\).*default_node_pool\.vm_size is null", "vm_size"),
    c("cluster: null user pool name", CN, "node_pool {\n  name = null\n  vm_size = \"Standard_D4s_v5\"\n  node_count = 1\n  vnet_subnet_id = \"@subnet/nodes\"\n}", r"Null Value \(I8\).*node_pool\[0\]\.name is null", "name"),
    c("cluster: null zone", CN, "default_node_pool {\n  zones = [\"1\", null]\n}", r"Null Value \(I8\).*default_node_pool\.zones\[1\] is null", "zones"),
    c("cluster: resource group with a path", CN, r#"resource_group_name = "nonexistent/../acctest-bic""#, r"Invalid Resource Group Name \(I2\)", "resource_group_name"),
    c("cluster: name with a slash", CN, r#"name = "aks/../other""#, r"Invalid Cluster Name \(I2\)", "name"),
    c("cluster: node subnet id without a guid", CN, "default_node_pool {\n  vnet_subnet_id = \"/subscriptions/not-a-guid/resourceGroups/acctest-bic/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes\"\n}", r#"Invalid Subnet ID \(I3\).*subscription "not-a-guid" is not a GUID"#, "vnet_subnet_id"),
    c("cluster: identity in a foreign path", CN, "identity {\n  type = \"UserAssigned\"\n  identity_ids = [\"/subscriptions/00000000-0000-0000-0000-0000000000cc/resourceGroups/../providers/Microsoft.ManagedIdentity/userAssignedIdentities/aks\"]\n}", r"Invalid Identity ID \(I3\)", "identity_ids"),
    c("cluster: sensitive pod cidr overlapping the vnet", CN, "network_plugin = \"azure\"\nnetwork_plugin_mode = \"overlay\"\npod_cidr = sensitive(\"10.10.128.0/17\")", r"Pod CIDR Overlaps Network \(R3\).*\(pod_cidr, not shown\)", "pod_cidr"),

    // ---- provider functions ----
    c("fn: cidrs_overlap without prefix length", FN, r#"provider::aksnet::cidrs_overlap("10.0.0.0/16", "10.0.0.0")"#, r#"Invalid value for "b" parameter: "10\.0\.0\.0" has no prefix length"#, "b"),
    c("fn: cidrs_overlap prefix over 32", FN, r#"provider::aksnet::cidrs_overlap("10.0.0.0/33", "10.0.0.0/8")"#, r#"Invalid value for "a" parameter:.*10\.0\.0\.0/33"#, "a"),
    c("fn: cidrs_overlap null", FN, r#"provider::aksnet::cidrs_overlap(null, "10.0.0.0/8")"#, r#"Invalid value for "a" parameter: argument must not be null"#, "a"),
    c("fn: cidrs_overlap list", FN, r#"provider::aksnet::cidrs_overlap(["10.0.0.0/8"], "10.0.0.0/8")"#, r#"Invalid value for "a" parameter: string required"#, "a"),
    c("fn: pod_cidr_max_nodes ipv6", FN, r#"provider::aksnet::pod_cidr_max_nodes("fd00::/64")"#, r#"Invalid value for "pod_cidr" parameter:.*IPv6"#, "pod_cidr"),
    c("fn: pod_cidr_max_nodes host bits", FN, r#"provider::aksnet::pod_cidr_max_nodes("10.244.1.0/16")"#, r#"Invalid value for "pod_cidr" parameter:.*host bits"#, "pod_cidr"),
    c("fn: node_subnet_prefix unknown plugin", FN, r#"provider::aksnet::node_subnet_prefix("calico", 3, 30)"#, r#"Invalid value for "network_plugin" parameter: "calico" is not a network plugin"#, "network_plugin"),
    c("fn: node_subnet_prefix zero nodes", FN, r#"provider::aksnet::node_subnet_prefix("azure", 0, 30)"#, r#"Invalid value for "nodes" parameter: nodes is 0"#, "nodes"),
    c("fn: node_subnet_prefix fractional nodes", FN, r#"provider::aksnet::node_subnet_prefix("azure", 1.5, 30)"#, r#"Invalid value for "nodes" parameter: 1\.5 is not a whole number"#, "nodes"),
    c("fn: node_subnet_prefix nodes beyond 64 bits", FN, r#"provider::aksnet::node_subnet_prefix("azure", 100000000000000000000, 30)"#, r#"Invalid value for "nodes" parameter: 100000000000000000000 is too large"#, "nodes"),
    c("fn: node_subnet_prefix max pods 5", FN, r#"provider::aksnet::node_subnet_prefix("azure", 3, 5)"#, r#"Invalid value for "max_pods" parameter: max_pods is 5.*\(rule C8\)"#, "max_pods"),
    c("fn: node_subnet_prefix no subnet fits", FN, r#"provider::aksnet::node_subnet_prefix("azure", 4294967295, 250)"#, r#"Invalid value for "nodes" parameter:.*do not fit in any Azure subnet"#, "nodes"),
    c("fn: node_subnet_prefix missing argument", FN, r#"provider::aksnet::node_subnet_prefix("azure", 3)"#, r#"Not enough function arguments.*"max_pods""#, "max_pods"),
    c("fn: network_profile_errors one input in two spellings", FN, r#"provider::aksnet::network_profile_errors({ ip_families = ["IPv4"], ip_versions = ["IPv4", "IPv6"] })"#, r#"Invalid value for "profile" parameter:.*ip_families is given twice with different values \(ip_versions and ip_families\)"#, "profile"),
    c("fn: network_profile_errors not an object", FN, r#"provider::aksnet::network_profile_errors("azure")"#, r#"Invalid value for "profile" parameter: profile must be an object"#, "profile"),
    c("fn: network_profile_errors pool max pods a word", FN, r#"provider::aksnet::network_profile_errors({ node_pool = [{ name = "a", max_pods = "many" }] })"#, r#"Invalid value for "profile" parameter: node_pool\[0\]\.max_pods must be a number"#, "profile"),
    c("fn: network_profile_errors node_pool not a list", FN, r#"provider::aksnet::network_profile_errors({ node_pool = "system" })"#, r#"Invalid value for "profile" parameter: node_pool must be a list of objects"#, "profile"),
    c("fn: network_profile_errors families not a list", FN, r#"provider::aksnet::network_profile_errors({ ip_families = "IPv4" })"#, r#"Invalid value for "profile" parameter: ip_families must be a list of strings"#, "profile"),
];

// ---- fixture ----

fn rg_id() -> String {
    format!("/subscriptions/{SAMPLE_SUBSCRIPTION}/resourceGroups/{RG}")
}

fn vnet_id() -> String {
    format!("{}/providers/Microsoft.Network/virtualNetworks/vnet", rg_id())
}

fn subnet_id(name: &str) -> String {
    format!("{}/subnets/{name}", vnet_id())
}

fn table_id(name: &str) -> String {
    format!("{}/providers/Microsoft.Network/routeTables/{name}", rg_id())
}

fn identity_id() -> String {
    format!(
        "{}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aks",
        rg_id()
    )
}

/// A VNet (peered with 10.20.0.0/16) with node, pod, tiny and kubenet subnets.
fn seeds() -> Value {
    let sn = |name: &str, prefix: &str, extra: Value| {
        let mut props = json!({"addressPrefix": prefix});
        if let (Some(p), Some(e)) = (props.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        json!({"name": name, "id": subnet_id(name), "properties": props})
    };
    json!([
        {"id": rg_id(), "body": {"location": "westeurope"}},
        {"id": table_id("rt-kubenet"), "body": {"location": "westeurope", "properties": {"routes": []}}},
        {"id": vnet_id(), "body": {"location": "westeurope", "properties": {
            "addressSpace": {"addressPrefixes": ["10.10.0.0/16"]},
            "virtualNetworkPeerings": [{"name": "hub", "properties": {"remoteAddressSpace": {"addressPrefixes": ["10.20.0.0/16"]}}}],
            "subnets": [
                sn("nodes", "10.10.0.0/22", json!({})),
                sn("pods", "10.10.64.0/18", json!({})),
                sn("small", "10.10.250.0/28", json!({})),
                sn("kubenet", "10.10.4.0/24", json!({"routeTable": {"id": table_id("rt-kubenet")}}))
            ]}}}
    ])
}

/// The catalog's emulator, shared by its tests: plans only read it.
fn emulator() -> &'static TestEmulator {
    static EMU: OnceLock<TestEmulator> = OnceLock::new();
    EMU.get_or_init(|| TestEmulator::start(seeds()))
}

// ---- configurations ----

/// `(keys, lines)`: the lines are added unless the snippet sets one of the keys.
type Defaults = &'static [(&'static [&'static str], &'static str)];

const PLAN_DEFAULTS: Defaults = &[
    (
        &["network_plugin", "network_plugin_mode"],
        "network_plugin = \"azure\"\nnetwork_plugin_mode = \"overlay\"",
    ),
    (&["address_space"], "address_space = [\"10.9.0.0/16\"]"),
    (
        &["node_pool"],
        "node_pool {\n  name = \"system\"\n  node_count = 3\n}",
    ),
];

const TABLE_DEFAULTS: Defaults = &[
    (&["name"], "name = \"rt-bic\""),
    (&["resource_group_name"], "resource_group_name = \"acctest-bic\""),
    (&["location"], "location = \"westeurope\""),
    (
        &["route"],
        "route {\n  name = \"default\"\n  address_prefix = \"0.0.0.0/0\"\n  next_hop_type = \"VirtualAppliance\"\n  next_hop_ip_address = \"10.10.255.4\"\n}",
    ),
];

const CLUSTER_DEFAULTS: Defaults = &[
    (&["name"], "name = \"aks-bic\""),
    (&["resource_group_name"], "resource_group_name = \"acctest-bic\""),
    (&["location"], "location = \"westeurope\""),
    (&["dns_prefix"], "dns_prefix = \"aksbic\""),
    (&["kubernetes_version"], "kubernetes_version = \"1.33\""),
    (
        &["network_plugin", "network_plugin_mode", "pod_cidr", "pod_cidrs"],
        "network_plugin = \"azure\"\nnetwork_plugin_mode = \"overlay\"\npod_cidr = \"10.244.0.0/16\"",
    ),
    (&["default_node_pool"], "default_node_pool {\n}"),
];

const POOL_DEFAULTS: Defaults = &[
    (&["name"], "name = \"system\""),
    (&["vm_size"], "vm_size = \"Standard_D4s_v5\""),
    (&["node_count"], "node_count = 3"),
    (&["vnet_subnet_id"], "vnet_subnet_id = \"@subnet/nodes\""),
];

fn braces(line: &str) -> i32 {
    line.chars()
        .map(|ch| match ch {
            '{' => 1,
            '}' => -1,
            _ => 0,
        })
        .sum()
}

/// The attribute or block name a line starts, when it starts one (`key = …`, `key {`,
/// `dynamic "key" {`).
fn key_of(line: &str) -> Option<&str> {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix("dynamic \"") {
        return rest.split('"').next();
    }
    let end = t
        .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
        .unwrap_or(t.len());
    let rest = t[end..].trim_start();
    (end > 0 && (rest.starts_with('=') || rest.starts_with('{'))).then(|| &t[..end])
}

/// Names set at the top level of an HCL body.
fn top_keys(body: &str) -> Vec<&str> {
    let mut depth = 0;
    let mut keys = Vec::new();
    for line in body.lines() {
        if depth == 0 {
            keys.extend(key_of(line));
        }
        depth += braces(line);
    }
    keys
}

/// `body` with the defaults it does not override, first.
fn with_defaults(body: &str, defaults: Defaults) -> String {
    let set = top_keys(body);
    let mut out: Vec<&str> = defaults
        .iter()
        .filter(|(keys, _)| !keys.iter().any(|k| set.contains(k)))
        .map(|(_, lines)| *lines)
        .collect();
    out.push(body);
    out.join("\n")
}

/// Applies `defaults` inside the top-level `block { … }` of `body` (single-level blocks).
fn within_block(body: &str, block: &str, defaults: Defaults) -> String {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut inner: Option<Vec<&str>> = None;
    for line in body.lines() {
        let before = depth;
        depth += braces(line);
        match inner.as_mut() {
            Some(lines) if depth == 0 => {
                out.push(with_defaults(&lines.join("\n"), defaults));
                out.push(line.to_string());
                inner = None;
            }
            Some(lines) => lines.push(line),
            None => {
                out.push(line.to_string());
                if before == 0 && line.trim_start().starts_with(block) && depth == 1 {
                    inner = Some(Vec::new());
                }
            }
        }
    }
    out.join("\n")
}

fn indent(body: &str) -> String {
    let mut depth = 1;
    let mut out = String::new();
    for line in body.lines() {
        let t = line.trim();
        let d = braces(t);
        let level = if t.starts_with('}') { depth - 1 } else { depth };
        out.push_str(&"  ".repeat(level.max(0) as usize));
        out.push_str(t);
        out.push('\n');
        depth += d;
    }
    out
}

/// Expands the fixture placeholders.
fn expand(hcl: &str) -> String {
    let subnets = Regex::new(r"@subnet/([a-z]+)").expect("regex");
    let hcl = subnets.replace_all(hcl, |m: &regex::Captures| subnet_id(&m[1]));
    hcl.replace("@vnet", &vnet_id())
        .replace("@identity", &identity_id())
}

/// The whole configuration of a case.
fn config(case: &Case) -> String {
    let body = match case.family {
        FN => return format!("output \"x\" {{\n  value = {}\n}}\n", expand(case.hcl)),
        PCP => with_defaults(case.hcl, PLAN_DEFAULTS),
        RT => with_defaults(case.hcl, TABLE_DEFAULTS),
        CN => within_block(
            &with_defaults(case.hcl, CLUSTER_DEFAULTS),
            "default_node_pool",
            POOL_DEFAULTS,
        ),
    };
    let kind = match case.family {
        PCP => "aksnet_pod_cidr_plan",
        RT => "aksnet_route_table",
        _ => "aksnet_cluster_network",
    };
    format!("resource \"{kind}\" \"test\" {{\n{}}}\n", indent(&expand(&body)))
}

fn step(case: &Case) -> Step {
    let cfg = config(case);
    if case.family == FN || case.attr.is_empty() {
        Step::expect_error(&cfg, case.error)
    } else {
        Step::expect_error_at(&cfg, case.error, case.attr)
    }
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// Plans every case of `family` as one Terraform case (one step each); a failure names the
/// catalog entry.
fn run_family(family: Family) {
    let cases: Vec<&Case> = CATALOG.iter().filter(|c| c.family == family).collect();
    let label = family.label();
    let steps = cases.iter().map(|c| step(c)).collect();
    let env = emulator().env();
    let run = catch_unwind(AssertUnwindSafe(|| {
        run_case_env(
            &format!("bad-input catalog: {label}"),
            Path::new(BIN),
            &env,
            steps,
        )
    }));
    if let Err(p) = run {
        let msg = panic_text(p.as_ref());
        let which = Regex::new(r"step (\d+) ")
            .expect("regex")
            .captures(&msg)
            .and_then(|m| m[1].parse::<usize>().ok())
            .and_then(|n| cases.get(n.checked_sub(1)?))
            .map_or("?", |c| c.name);
        panic!("bad-input catalog: {label}: case {which:?} failed: {msg}");
    }
    println!("bad-input catalog: {label} {0}/{0}", cases.len());
}

/// Issue 17 items 7 and 10 at the provider and at plan time: a subscription that is not a
/// GUID (in the provider block or in `ARM_SUBSCRIPTION_ID`) fails before any request, naming
/// where it came from; a null known only at plan (a variable) fails the plan naming the
/// attribute, as a literal null fails validate.
#[test]
fn provider_and_plan_time_inputs_are_checked() {
    let table = config(&c("t", RT, "", "", ""));
    let in_config = format!("provider \"aksnet\" {{\n  subscription_id = \"not-a-guid\"\n}}\n{table}");
    let from_variable = format!(
        "variable \"location\" {{\n  type    = string\n  default = null\n}}\n{}",
        config(&c("t", RT, "location = var.location", "", ""))
    );
    let env = emulator().env();
    run_case_env(
        "bad-input catalog: provider and plan-time inputs",
        Path::new(BIN),
        &env,
        vec![
            Step::expect_error_at(
                &in_config,
                r"Invalid Subscription ID \(I3\).*subscription_id is not a subscription ID",
                "subscription_id",
            ),
            Step::expect_error_at(
                &from_variable,
                r"Null Value \(I8\).*location is null, but it is required",
                "location",
            ),
        ],
    );
    // Issue 17 item 9: a value from a sensitive variable appears nowhere in the output
    // (Terraform shows `var.secret` in the snippet; the message names the attribute).
    let secret = "variable \"secret\" {\n  type      = string\n  sensitive = true\n  default   = \"10.99.77.5/16\"\n}\n";
    let no_secret = r"^(?:[^1]|1[^0]|10[^.]|10\.[^9]|10\.9[^9])*(?:1|10|10\.|10\.9)?$";
    let sensitive_cases = [
        config(&c(
            "s",
            PCP,
            "network_plugin = \"kubenet\"\npod_cidr = var.secret",
            "",
            "",
        )),
        config(&c(
            "s",
            RT,
            "route {\n  name = \"r\"\n  address_prefix = var.secret\n  next_hop_type = \"VnetLocal\"\n}",
            "",
            "",
        )),
        config(&c(
            "s",
            CN,
            "network_plugin = \"azure\"\nnetwork_plugin_mode = \"overlay\"\npod_cidr = var.secret",
            "",
            "",
        )),
    ];
    let mut steps = Vec::new();
    for cfg in sensitive_cases {
        let cfg = format!("{secret}{cfg}");
        steps.push(Step::expect_error(&cfg, r"has host bits set"));
        steps.push(Step::expect_error(&cfg, no_secret));
    }
    run_case_env("bad-input catalog: sensitive values", Path::new(BIN), &env, steps);
    let mut bad_env = env.clone();
    bad_env.retain(|(k, _)| k != "ARM_SUBSCRIPTION_ID");
    bad_env.push((
        "ARM_SUBSCRIPTION_ID".into(),
        "nonexistent/../00000000-0000-0000-0000-0000000000cc".into(),
    ));
    run_case_env(
        "bad-input catalog: ARM_SUBSCRIPTION_ID",
        Path::new(BIN),
        &bad_env,
        vec![Step::expect_error(
            &table,
            r"Invalid Subscription ID \(I3\).*ARM_SUBSCRIPTION_ID is not a subscription ID",
        )],
    );
}

#[test]
fn catalog_is_well_formed() {
    assert!(CATALOG.len() >= 60, "{} cases", CATALOG.len());
    let mut names = std::collections::BTreeSet::new();
    let mut configs = std::collections::BTreeSet::new();
    // An attribute such as `max_pods`, or a block of a set by its key (`route "r"`): a set
    // element has no position, so Terraform shows the resource's line for it.
    let attribute_name = Regex::new(r"[a-z]+_[a-z_]+|\broutes?\b").expect("regex");
    for case in CATALOG {
        assert!(names.insert(case.name), "duplicate case name {:?}", case.name);
        assert!(
            configs.insert(config(case)),
            "{:?} duplicates another case",
            case.name
        );
        Regex::new(case.error).unwrap_or_else(|e| panic!("{:?}: bad regex: {e}", case.name));
        if case.family == FN {
            assert!(
                case.error.contains(&format!("\"{}\"", case.attr)),
                "{:?}: a function case must name its parameter",
                case.name
            );
        } else if case.attr.is_empty() {
            assert!(
                attribute_name.is_match(case.error),
                "{:?}: without a config line the message must name the attribute",
                case.name
            );
        }
    }
    for family in [PCP, RT, CN, FN] {
        let n = CATALOG.iter().filter(|c| c.family == family).count();
        assert!(n >= 10, "{}: only {n} cases", family.label());
    }
}

#[test]
fn pod_cidr_plan_rejects_bad_input() {
    run_family(PCP);
}

#[test]
fn route_table_rejects_bad_input() {
    run_family(RT);
}

#[test]
fn cluster_network_rejects_bad_input() {
    run_family(CN);
}

#[test]
fn functions_reject_bad_input() {
    run_family(FN);
}

// ---- malformed ARM responses on refresh ----

/// A way to break the body of a resource as ARM returned it, and the error it must cause.
struct Mangle {
    what: &'static str,
    body: fn(Value) -> String,
    error: &'static str,
}

fn truncated(b: Value) -> String {
    let text = b.to_string();
    text.chars().take(text.chars().count() / 2).collect()
}

fn without(mut b: Value, parent: &str, key: &str) -> String {
    if let Some(m) = b.pointer_mut(parent).and_then(Value::as_object_mut) {
        m.remove(key);
    }
    b.to_string()
}

fn with(mut b: Value, pointer: &str, v: Value) -> String {
    if let Some(slot) = b.pointer_mut(pointer) {
        *slot = v;
    }
    b.to_string()
}

/// Each mangle in turn: `terraform plan` and `terraform apply -refresh-only` (which would write
/// a refreshed state) both fail with `prefix` + the mangle's error, and the state still holds
/// the resource as applied (`kept`). A final empty plan shows state and Azure agree.
fn malformed_case(
    name: &str,
    cfg: &str,
    (id, api, address): (String, &'static str, &'static str),
    prefix: &str,
    mangles: &[Mangle],
    kept: &'static str,
) {
    let emu = Arc::new(TestEmulator::start(seeds()));
    let mut steps = vec![Step::apply(cfg, |_| Ok(()))];
    for m in mangles {
        let pattern = format!("{prefix}{}", m.error);
        let inject = || {
            let (e, id, mangle) = (emu.clone(), id.clone(), m.body);
            Step::run(move || {
                let (status, body) = e.arm("GET", &id, api, None);
                if status != 200 {
                    return Err(format!("GET {id}: {status} {body}"));
                }
                e.fault(json!({"method": "GET", "path": id, "count": 1, "body": mangle(body)}));
                Ok(())
            })
        };
        steps.push(inject());
        steps.push(Step::expect_error(cfg, &pattern));
        steps.push(inject());
        steps.push(Step::cli(
            &[
                "apply",
                "-refresh-only",
                "-auto-approve",
                "-no-color",
                "-input=false",
            ],
            false,
            Some(&pattern),
        ));
        steps.push(Step::cli(
            &["state", "show", "-no-color", address],
            true,
            Some(kept),
        ));
    }
    steps.push(Step::plan_exit(cfg, 0, None));
    run_case_env(&format!("malformed {name}"), Path::new(BIN), &emu.env(), steps);
    let what: Vec<&str> = mangles.iter().map(|m| m.what).collect();
    println!(
        "malformed ARM responses: {name} {}: refresh failed clearly, state kept",
        what.join(", ")
    );
}

#[test]
fn malformed_route_table_responses_fail_refresh_and_keep_the_state() {
    let cfg = config(&c(
        "malformed table",
        RT,
        "name = \"rt-malformed\"\ntags = {\n  team = \"network\"\n}\nsubnet_ids = [\"@subnet/nodes\"]",
        "",
        "",
    ));
    malformed_case(
        "route_table",
        &cfg,
        (table_id("rt-malformed"), NET, "aksnet_route_table.test"),
        r#"Error: Error reading Route Table.*reading Route Table "rt-malformed" \(Resource Group "acctest-bic"\): decoding the response: "#,
        &[
            Mangle {
                what: "truncated JSON",
                body: truncated,
                error: r"the body is truncated JSON \(EOF while parsing .*\) \[request id: ",
            },
            Mangle {
                what: "wrong type",
                body: |b| with(b, "/properties/routes/0/properties/nextHopType", json!(5)),
                error: r"properties\.routes\[0\]\.properties\.nextHopType is a number \(5\), expected a string",
            },
            Mangle {
                what: "missing fields",
                body: |b| without(b, "", "properties"),
                error: r"required field properties is missing",
            },
            Mangle {
                what: "a route without its name",
                body: |b| without(b, "/properties/routes/0", "name"),
                error: r"required field properties\.routes\[0\]\.name is missing",
            },
        ],
        r#"etag += "W/.*id += ".*/routeTables/rt-malformed".*subnet_ids += \[ "/subscriptions/.*/subnets/nodes", \].*"team" += "network".*route \{ address_prefix += "0\.0\.0\.0/0" name += "default" next_hop_ip_address += "10\.10\.255\.4" next_hop_type += "VirtualAppliance""#,
    );
}

#[test]
fn malformed_cluster_responses_fail_refresh_and_keep_the_state() {
    let cfg = config(&c("malformed cluster", CN, "name = \"aks-malformed\"", "", ""));
    malformed_case(
        "cluster_network",
        &cfg,
        (
            format!(
                "{}/providers/Microsoft.ContainerService/managedClusters/aks-malformed",
                rg_id()
            ),
            AKS,
            "aksnet_cluster_network.test",
        ),
        r#"Error: Error reading Kubernetes Cluster.*reading Kubernetes Cluster "aks-malformed" \(Resource Group "acctest-bic"\): decoding the response: "#,
        &[
            Mangle {
                what: "truncated JSON",
                body: truncated,
                error: r"the body is truncated JSON \(EOF while parsing .*\) \[request id: ",
            },
            Mangle {
                what: "wrong type",
                body: |b| with(b, "/properties/agentPoolProfiles/0/count", json!("three")),
                error: r#"properties\.agentPoolProfiles\[0\]\.count is a string \("three"\), expected an integer"#,
            },
            Mangle {
                what: "missing fields",
                body: |b| without(b, "/properties", "networkProfile"),
                error: r"required field properties\.networkProfile is missing",
            },
            Mangle {
                what: "a null body",
                body: |_| "null".into(),
                error: r"the body is null, expected a JSON object",
            },
        ],
        r#"id += ".*/managedClusters/aks-malformed".*network_plugin += "azure" network_plugin_mode += "overlay".*pod_cidr += "10\.244\.0\.0/16".*default_node_pool \{.*node_count += 3"#,
    );
}
