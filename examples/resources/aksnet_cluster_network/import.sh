# Clusters can be imported by their managed cluster ID.
terraform import aksnet_cluster_network.example /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/example-rg/providers/Microsoft.ContainerService/managedClusters/example-aks
