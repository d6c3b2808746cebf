# A node pool can be imported using its agent pool resource ID.
terraform import aksnet_node_pool.example /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/example-rg/providers/Microsoft.ContainerService/managedClusters/example-aks/agentPools/user1
