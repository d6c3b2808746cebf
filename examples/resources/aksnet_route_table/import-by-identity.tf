import {
  to = aksnet_route_table.example
  identity = {
    subscription_id     = "00000000-0000-0000-0000-000000000000"
    resource_group_name = "example-rg"
    name                = "example-routes"
  }
}
