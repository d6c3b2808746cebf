//! Terraform resources, one per file: schema, validation, plan, CRUD, import and tests.

pub mod arm_common;
pub mod cluster_network;
pub mod identity;
pub mod moved;
pub mod node_pool;
pub mod pod_cidr_plan;
pub mod route_table;
pub mod timeouts;

#[cfg(test)]
pub(crate) mod schema_guard;
