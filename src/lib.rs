//! aksnet: a Terraform provider that makes Azure Kubernetes Service networking declarative
//! and safe. Rules and address planning live in [`netplan`] (pure); resources and functions
//! translate between Terraform values and `netplan`.

pub mod arm;
pub mod data_sources;
pub mod functions;
pub mod logging;
pub mod netplan;
pub mod provider;
pub mod resources;
pub mod tfvalue;
