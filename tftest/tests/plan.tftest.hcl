# Plan-time checks: aksnet_pod_cidr_plan knows every output at plan, so `command = plan` runs
# need no Azure at all.

run "overlay_defaults" {
  command = plan

  assert {
    condition     = aksnet_pod_cidr_plan.this.pod_cidr == "10.244.0.0/16"
    error_message = "overlay should use AKS's default pod CIDR when it is free"
  }

  assert {
    condition     = aksnet_pod_cidr_plan.this.node_subnet_cidr == "10.30.0.0/27"
    error_message = "21 nodes at peak fit a /27 (27 usable addresses)"
  }

  assert {
    condition     = aksnet_pod_cidr_plan.this.max_nodes >= 21
    error_message = "the plan must hold the peak node count"
  }
}

run "flat_cni_needs_more_space" {
  command = plan

  variables {
    network_plugin_mode = null
  }

  assert {
    condition     = aksnet_pod_cidr_plan.this.required_node_ips == 21 * 31
    error_message = "flat Azure CNI needs (nodes) × (30 pods + 1) addresses"
  }

  assert {
    condition     = provider::aksnet::node_subnet_prefix("azure", 21, 30) == tonumber(split("/", aksnet_pod_cidr_plan.this.node_subnet_cidr)[1])
    error_message = "the function and the resource must agree on the node subnet size"
  }
}

run "apply_and_read_back" {
  command = apply

  assert {
    condition     = output.max_nodes == aksnet_pod_cidr_plan.this.max_nodes
    error_message = "outputs are known after apply"
  }

  assert {
    condition     = provider::aksnet::cidrs_overlap(output.pod_cidr, "10.30.0.0/16") == false
    error_message = "the pod CIDR must stay outside the VNet"
  }
}
