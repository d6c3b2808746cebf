# Offline: an address plan, a firewall route table and an Azure CNI Overlay cluster applied
# against aksnet-emulator (see `make demo`), exactly as against Azure. Source the emulator's
# env.sh first.

terraform {
  required_version = ">= 1.8"
  required_providers {
    aksnet = {
      source = "aksnet/aksnet"
    }
  }
}

provider "aksnet" {}

variable "subnet_id" {
  type        = string
  description = "The node subnet to route through the firewall."
}

resource "aksnet_pod_cidr_plan" "example" {
  network_plugin      = "azure"
  network_plugin_mode = "overlay"
  address_space       = ["10.0.0.0/16"]
  reserved_cidrs      = ["10.0.1.0/24"]

  node_pool {
    name       = "system"
    node_count = 3
    max_count  = 10
  }
}

resource "aksnet_route_table" "example" {
  name                = "example-routes"
  resource_group_name = "example-rg"
  location            = "westeurope"
  subnet_ids          = [var.subnet_id]

  route {
    name                = "default"
    address_prefix      = "0.0.0.0/0"
    next_hop_type       = "VirtualAppliance"
    next_hop_ip_address = "10.0.0.4"
  }
}

# userDefinedRouting: the route table must be on the subnet first (aksnet checks it again
# when Terraform plans the cluster during apply).
resource "aksnet_cluster_network" "example" {
  name                = "example-aks"
  resource_group_name = "example-rg"
  location            = "westeurope"
  dns_prefix          = "example-aks"
  network_plugin      = "azure"
  network_plugin_mode = "overlay"
  pod_cidr            = aksnet_pod_cidr_plan.example.pod_cidr
  service_cidr        = aksnet_pod_cidr_plan.example.service_cidr
  dns_service_ip      = aksnet_pod_cidr_plan.example.dns_service_ip
  outbound_type       = "userDefinedRouting"

  default_node_pool {
    name           = "system"
    vm_size        = "Standard_D4s_v5"
    node_count     = 3
    vnet_subnet_id = var.subnet_id
  }

  depends_on = [aksnet_route_table.example]
}

output "cluster" {
  value = {
    id       = aksnet_cluster_network.example.id
    fqdn     = aksnet_cluster_network.example.fqdn
    pod_cidr = aksnet_cluster_network.example.pod_cidr
  }
}

output "route_table_id" {
  value = aksnet_route_table.example.id
}
