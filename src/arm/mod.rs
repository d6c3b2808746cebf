//! Azure Resource Manager client: typed IDs, models, errors, LRO polling.

pub mod auth;
pub mod client;
pub(crate) mod connection;
pub mod error;
pub mod ids;
pub mod models;
pub(crate) mod msi_probe;
pub(crate) mod shape;
