terraform {
  required_providers {
    aksnet = {
      source = "aksnet/aksnet"
    }
  }
}

provider "aksnet" {}
