# A small module for `terraform test` (tftest/tests/*.tftest.hcl): a worked example of testing
# a module that plans AKS addresses with aksnet. Run by `make test` (tests/tftest.rs).

terraform {
  required_version = ">= 1.8"
  required_providers {
    aksnet = {
      source = "aksnet/aksnet"
    }
  }
}

variable "network_plugin" {
  type    = string
  default = "azure"
}

variable "network_plugin_mode" {
  type    = string
  default = "overlay"
}

variable "address_space" {
  type    = list(string)
  default = ["10.30.0.0/16"]
}

variable "max_count" {
  type    = number
  default = 20
}

resource "aksnet_pod_cidr_plan" "this" {
  network_plugin      = var.network_plugin
  network_plugin_mode = var.network_plugin_mode
  address_space       = var.address_space

  node_pool {
    name       = "system"
    node_count = 3
    max_count  = var.max_count
  }
}

output "node_subnet_cidr" {
  value = aksnet_pod_cidr_plan.this.node_subnet_cidr
}

output "pod_cidr" {
  value = aksnet_pod_cidr_plan.this.pod_cidr
}

output "max_nodes" {
  value = aksnet_pod_cidr_plan.this.max_nodes
}
