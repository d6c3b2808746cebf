//! Terraform data sources: read-only views of Azure, with netplan's arithmetic on top.

pub(crate) mod subnet_usage;
