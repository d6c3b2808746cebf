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

# azurerm_kubernetes_cluster's network_profile and default_node_pool objects are taken as they
# are (e.g. a module's azurerm-shaped variables); names aksnet has no rule for are ignored.
resource "terraform_data" "azurerm_shaped" {
  lifecycle {
    precondition {
      condition = length(provider::aksnet::network_profile_errors({
        network_profile = {
          network_plugin      = "azure"
          network_plugin_mode = "overlay"
          network_policy      = "cilium"
          network_data_plane  = "cilium"
          pod_cidr            = var.pod_cidr
          ip_versions         = ["IPv4", "IPv6"]
        }
        default_node_pool = {
          name                 = "system"
          vm_size              = "Standard_D4s_v5"
          auto_scaling_enabled = true
          min_count            = 3
          max_count            = 10
          upgrade_settings     = { max_surge = "10%" }
        }
      })) == 0
      error_message = "The AKS network profile breaks aksnet's rules."
    }
  }
}
