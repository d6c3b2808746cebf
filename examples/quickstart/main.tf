# Quickstart: plan the addresses of an Azure CNI Overlay cluster with a system pool and an
# autoscaled user pool in a VNet that already has two subnets. Nothing is created in Azure.

terraform {
  required_version = ">= 1.8"
  required_providers {
    aksnet = {
      source = "aksnet/aksnet"
    }
  }
}

resource "aksnet_pod_cidr_plan" "example" {
  network_plugin      = "azure"
  network_plugin_mode = "overlay"
  address_space       = ["10.10.0.0/16"]
  reserved_cidrs      = ["10.10.0.0/24", "10.10.1.0/24"] # existing subnets: gateway and firewall

  node_pool {
    name       = "system"
    node_count = 3
  }

  node_pool {
    name       = "user"
    node_count = 3
    min_count  = 3
    max_count  = 40
    max_surge  = "33%"
  }
}

output "address_plan" {
  description = "The address plan aksnet computed at plan time."
  value = {
    node_subnet_cidr = aksnet_pod_cidr_plan.example.node_subnet_cidr
    pod_cidr         = aksnet_pod_cidr_plan.example.pod_cidr
    service_cidr     = aksnet_pod_cidr_plan.example.service_cidr
    dns_service_ip   = aksnet_pod_cidr_plan.example.dns_service_ip
    max_nodes        = aksnet_pod_cidr_plan.example.max_nodes
    max_nodes_limit  = aksnet_pod_cidr_plan.example.max_nodes_limit
    pools            = aksnet_pod_cidr_plan.example.pools
  }
}

output "pod_cidr_fits_500_nodes" {
  description = "Provider functions do address math anywhere in a configuration."
  value       = provider::aksnet::pod_cidr_max_nodes(aksnet_pod_cidr_plan.example.pod_cidr) >= 500
}
