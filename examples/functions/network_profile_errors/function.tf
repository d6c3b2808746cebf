variable "pod_cidr" {
  type    = string
  default = "10.244.0.0/16"
}

resource "terraform_data" "cluster" {
  lifecycle {
    precondition {
      condition = length(provider::aksnet::network_profile_errors({
        network_plugin      = "azure"
        network_plugin_mode = "overlay"
        pod_cidr            = var.pod_cidr
        vnet_address_space  = ["10.0.0.0/16"]
        default_node_pool   = { name = "system", node_count = 3 }
      })) == 0
      error_message = "The AKS network profile breaks aksnet's rules."
    }
  }
}
