//! aksnet's acceptance harness and protocol test client.
//!
//! - [`terraform`]: finds the Terraform CLI (lookup order in DEVELOPERS.md) and runs it
//!   against a provider binary through `dev_overrides`.
//! - [`harness`]: steps modelled on terraform-plugin-testing (apply + check + empty re-plan,
//!   plan-only, expected errors, destroy at the end), run on every Terraform found.
//! - [`grpc`]: a plugin-protocol 6 client that talks to the provider binary directly.
//! - [`target`]: where a scenario runs (its own seeded emulator, or the ARM endpoint `ARM_*`
//!   names with `TF_ACC=1`), its fixtures from `acceptance/seeds/` and their cleanup.
//! - [`arm`]: the small ARM client the harness creates and deletes fixtures with.
//! - [`plugin_test`]: the `main` of a test binary that is also a provider Terraform launches.

pub mod arm;
pub mod bench;
pub mod emulator;
pub mod grpc;
pub mod harness;
pub mod plugin_test;
pub mod target;
pub mod terraform;

/// Generated tfplugin6.10 client types.
#[allow(missing_docs, clippy::all)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// Generated go-plugin clients (GRPCController, GRPCStdio, GRPCBroker) for the protocol tests.
#[allow(missing_docs, clippy::all)]
pub mod plugin {
    tonic::include_proto!("plugin");
}
