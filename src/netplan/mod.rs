//! Pure planning and validation of AKS networking: no I/O, no Terraform types.
//!
//! Every rule has the stable id used in `../shared/reference/aks-network-rules.md`
//! (E = enumerations and combinations, R = address ranges, C = capacity, O = outbound,
//! W = Windows and retirement). Diagnostics cite the id so users can look it up.

pub mod cidr;
pub mod finding;
pub mod migration;
pub mod planner;
pub mod profile;
pub mod rules;
pub mod sizing;

pub use finding::{FieldPath, Finding, Severity, Step};
pub use profile::{NetworkProfile, NodePool};
