//! Pure planning and validation of AKS networking: no I/O, no Terraform types.
//!
//! Every rule has a stable id from [`catalog`] (E = enumerations and combinations, R =
//! address ranges, C = capacity, O = outbound and routes, W = Windows and retirement, I =
//! inputs, M = changes to an existing cluster). Diagnostics cite the id; the catalog, with
//! each rule's fix and primary sources, is published as `docs/guides/rules.md`.

pub mod catalog;
pub mod cidr;
pub mod cluster;
pub mod error;
pub mod finding;
pub mod live;
pub mod migration;
pub mod names;
pub mod planner;
pub mod profile;
pub mod rotation;
pub mod route_table;
pub mod rules;
pub mod sizing;
pub mod usage;

pub use catalog::RuleId;
pub use error::{CidrError, SurgeError};
pub use finding::{FieldPath, Finding, Severity, Step};
pub use profile::{NetworkProfile, NodePool, Placement};
