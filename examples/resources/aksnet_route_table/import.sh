# A route table can be imported using its resource ID.
terraform import aksnet_route_table.example /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/example-rg/providers/Microsoft.Network/routeTables/example-routes
