import {
  to = aksnet_cluster_network.example
  identity = {
    subscription_id     = "00000000-0000-0000-0000-000000000000"
    resource_group_name = "example-rg"
    name                = "example-aks"
  }
}
