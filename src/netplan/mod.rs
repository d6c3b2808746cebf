//! Pure planning and validation of AKS networking: no I/O, no Terraform types.
//!
//! Every rule has a stable id from [`catalog`] (E = enumerations and combinations, R =
//! address ranges, C = capacity, O = outbound and routes, W = Windows and retirement, I =
//! inputs, M = changes to an existing cluster). Diagnostics cite the id; the catalog, with
//! each rule's fix and primary sources, is published as `docs/guides/rules.md`.

pub mod catalog;
pub mod cidr;
pub(crate) mod cluster;
pub(crate) mod error;
pub mod finding;
pub(crate) mod live;
pub(crate) mod migration;
pub(crate) mod names;
pub mod planner;
pub mod profile;
pub(crate) mod rotation;
pub(crate) mod route_table;
pub mod rules;
pub(crate) mod sizing;
pub(crate) mod usage;

pub use catalog::RuleId;
pub use error::{CidrError, SurgeError};
pub use finding::{FieldPath, Finding, Severity, Step};
pub use profile::{NetworkProfile, NodePool, Placement};
