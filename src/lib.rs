//! aksnet: a Terraform provider that makes Azure Kubernetes Service networking declarative
//! and safe. Rules and address planning live in [`netplan`] (pure); resources and functions
//! translate between Terraform values and `netplan`.

#![warn(missing_docs, unreachable_pub)]

pub mod arm;
pub(crate) mod data_sources;
pub mod functions;
pub mod logging;
pub mod netplan;
pub mod provider;
pub(crate) mod resources;
pub(crate) mod tfvalue;
