resource "aksnet_route_table" "example" {
  name                = "example-routes"
  resource_group_name = "example-rg"
  location            = "westeurope"
  subnet_ids          = ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/example-rg/providers/Microsoft.Network/virtualNetworks/example-vnet/subnets/nodes"]

  # Egress through a firewall (userDefinedRouting). AKS's own aks-* routes are preserved.
  # Route blocks are a set keyed by name: their order carries no meaning.
  route {
    name                = "default"
    address_prefix      = "0.0.0.0/0"
    next_hop_type       = "VirtualAppliance"
    next_hop_ip_address = "10.0.0.4"
  }

  route {
    name           = "storage"
    address_prefix = "Storage.WestEurope"
    next_hop_type  = "Internet"
  }

  reserved_route_count = 50 # kubenet nodes; e.g. aksnet_pod_cidr_plan.example.kubenet_routes_needed

  tags = {
    environment = "example"
  }
}
