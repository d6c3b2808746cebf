//! Address planner.
