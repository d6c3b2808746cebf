output "prefix_length" {
  # Flat Azure CNI: 51 nodes × (30 pods + 1) = 1,581 addresses → /21
  value = provider::aksnet::node_subnet_prefix("azure", 51, 30)
}
