output "max_nodes" {
  value = provider::aksnet::pod_cidr_max_nodes("10.244.0.0/16") # 256
}
