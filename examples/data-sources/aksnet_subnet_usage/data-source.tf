# How many more nodes the node subnet of an Azure CNI (flat) cluster still holds.
data "aksnet_subnet_usage" "nodes" {
  subnet_id      = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/example-rg/providers/Microsoft.Network/virtualNetworks/example-vnet/subnets/nodes"
  network_plugin = "azure"
  max_pods       = 30
}

# Scale-out guard: fail the plan, with this message, before AKS would fail the scale-out.
resource "terraform_data" "scale_out" {
  input = 5

  lifecycle {
    precondition {
      condition     = data.aksnet_subnet_usage.nodes.additional_nodes >= 5
      error_message = "The node subnet holds only ${data.aksnet_subnet_usage.nodes.additional_nodes} more nodes (${data.aksnet_subnet_usage.nodes.free_addresses} free addresses, ${data.aksnet_subnet_usage.nodes.ips_per_node} per node); 5 are needed."
    }
  }
}

output "node_subnet_free_addresses" {
  value = data.aksnet_subnet_usage.nodes.free_addresses
}
