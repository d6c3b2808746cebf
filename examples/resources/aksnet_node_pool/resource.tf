# A user node pool of a cluster another module manages. Its capacity is checked at plan
# against the cluster's live network settings and subnet, counting the cluster's other pools.
resource "aksnet_node_pool" "example" {
  cluster_id     = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/example-rg/providers/Microsoft.ContainerService/managedClusters/example-aks"
  name           = "user1"
  vm_size        = "Standard_D4s_v5"
  node_count     = 3
  vnet_subnet_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/example-rg/providers/Microsoft.Network/virtualNetworks/example-vnet/subnets/nodes"
}
