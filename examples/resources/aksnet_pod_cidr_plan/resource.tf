resource "aksnet_pod_cidr_plan" "example" {
  network_plugin      = "azure"
  network_plugin_mode = "overlay"
  address_space       = ["10.10.0.0/16"]
  reserved_cidrs      = ["10.10.0.0/24"] # an existing gateway subnet

  node_pool {
    name       = "system"
    node_count = 3
  }

  node_pool {
    name       = "user"
    node_count = 3
    max_count  = 50
    max_surge  = "33%"
  }
}

output "node_subnet_cidr" {
  value = aksnet_pod_cidr_plan.example.node_subnet_cidr
}
