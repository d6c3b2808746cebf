import {
  to = aksnet_node_pool.example
  identity = {
    subscription_id      = "00000000-0000-0000-0000-000000000000"
    resource_group_name  = "example-rg"
    managed_cluster_name = "example-aks"
    name                 = "user1"
  }
}
