//! Terraform data sources: read-only views of Azure, with netplan's arithmetic on top.

pub mod subnet_usage;
