//! Static rules (E, R, C, O, W) over a [`NetworkProfile`]. Implemented in a later step.
use super::{Finding, NetworkProfile};

/// Runs every rule that needs no Azure call and returns all findings, errors first.
pub fn validate_profile(_p: &NetworkProfile) -> Vec<Finding> {
    Vec::new()
}
