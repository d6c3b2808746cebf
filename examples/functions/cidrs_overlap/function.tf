output "overlaps" {
  value = provider::aksnet::cidrs_overlap("10.0.0.0/16", "10.0.128.0/20") # true
}
