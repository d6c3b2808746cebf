# Offline: a route table applied against aksnet-emulator (see `make demo`), exactly as it
# would be against Azure. Source the emulator's env.sh first.

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
  network_plugin = "kubenet"
  address_space  = ["10.0.0.0/16"]
  reserved_cidrs = ["10.0.1.0/24"]

  node_pool {
    name       = "system"
    node_count = 3
    max_count  = 10
  }
}

resource "aksnet_route_table" "example" {
  name                 = "example-routes"
  resource_group_name  = "example-rg"
  location             = "westeurope"
  subnet_ids           = [var.subnet_id]
  reserved_route_count = aksnet_pod_cidr_plan.example.kubenet_routes_needed

  route {
    name                = "default"
    address_prefix      = "0.0.0.0/0"
    next_hop_type       = "VirtualAppliance"
    next_hop_ip_address = "10.0.0.4"
  }
}

output "route_table_id" {
  value = aksnet_route_table.example.id
}
