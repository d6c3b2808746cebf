//! `terraform-provider-aksnet`: serves the aksnet provider over Terraform plugin protocol 6.

use std::process::ExitCode;

/// go-plugin's handshake cookie; Terraform sets it when it launches a provider.
const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// go-plugin's message for a plugin started by hand.
const NOT_A_PROGRAM: &str = "This binary is a plugin. These are not meant to be executed directly.
Please execute the program that consumes these plugins, which will
load any plugins automatically";

fn main() -> ExitCode {
    // aksnet-tfplugin appends a captured backtrace to every diagnostic when these are set;
    // users must never see one. Done before any thread starts, so it cannot race.
    std::env::remove_var("RUST_BACKTRACE");
    std::env::remove_var("RUST_LIB_BACKTRACE");
    // hclog JSON lines on stderr, which go-plugin hands to Terraform's log under
    // TF_LOG/TF_LOG_PROVIDER. Also before any thread: it takes over PLUGIN_LOG_FILE.
    aksnet::logging::init();

    if std::env::var(MAGIC_COOKIE_KEY).as_deref() != Ok(MAGIC_COOKIE_VALUE) {
        eprintln!("{NOT_A_PROGRAM}");
        return ExitCode::FAILURE;
    }

    // Two rustls crypto backends are compiled in (see Cargo.toml); without a process default,
    // a rustls configuration that names no backend panics.
    if rustls::crypto::ring::default_provider()
        .install_default()
        .is_err()
    {
        eprintln!("aksnet: a TLS crypto provider was already installed");
    }

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("aksnet: starting the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(aksnet_tfplugin::serve(
        "aksnet",
        aksnet::provider::AksnetProvider::new(),
    )) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("aksnet: serving the provider: {err:#}");
            ExitCode::FAILURE
        }
    }
}
