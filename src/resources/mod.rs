//! Terraform resources, one per file: schema, validation, plan, CRUD, import and tests.

pub(crate) mod arm_common;
pub(crate) mod cluster_network;
pub(crate) mod identity;
pub(crate) mod moved;
pub(crate) mod node_pool;
pub(crate) mod pod_cidr_plan;
pub(crate) mod route_table;
pub(crate) mod timeouts;

#[cfg(test)]
pub(crate) mod schema_guard;
