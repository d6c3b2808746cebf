# An Azure CNI Overlay cluster in an existing subnet, egressing through a firewall. aksnet
# checks every AKS network rule and the live VNet at plan time.
resource "aksnet_cluster_network" "example" {
  name                = "example-aks"
  resource_group_name = "example-rg"
  location            = "westeurope"
  dns_prefix          = "example-aks"
  kubernetes_version  = "1.33"

  network_plugin      = "azure"
  network_plugin_mode = "overlay"
  network_data_plane  = "cilium"
  network_policy      = "cilium"
  pod_cidr            = "10.244.0.0/16"
  service_cidr        = "10.0.0.0/16"
  dns_service_ip      = "10.0.0.10"
  outbound_type       = "userDefinedRouting"

  default_node_pool {
    name           = "system"
    vm_size        = "Standard_D4s_v5"
    node_count     = 3
    vnet_subnet_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/example-rg/providers/Microsoft.Network/virtualNetworks/example-vnet/subnets/nodes"

    # A change AKS cannot make on an existing pool (vm_size, max_pods, subnets, zones, ...)
    # rotates this system pool through a temporary one; the cluster is never replaced.
    temporary_name_for_rotation = "tmprotation"
  }

  node_pool {
    name                 = "user"
    vm_size              = "Standard_D8s_v5"
    auto_scaling_enabled = true
    min_count            = 3
    max_count            = 50
    max_surge            = "33%"
    vnet_subnet_id       = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/example-rg/providers/Microsoft.Network/virtualNetworks/example-vnet/subnets/nodes"
  }

  tags = {
    environment = "example"
  }
}
