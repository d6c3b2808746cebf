//! Azure Resource Manager client: typed IDs, models, errors, LRO polling.

pub mod auth;
pub mod client;
pub mod connection;
pub mod error;
pub mod ids;
pub mod models;
pub mod shape;
