//! `make testacc-sweep`: deletes the resource groups acceptance tests left behind (names
//! starting with `acctest-`, or `$SWEEP_PREFIX`) in `ARM_SUBSCRIPTION_ID`, and waits.

use std::process::ExitCode;

use aksnet_acceptance::arm::{missing_settings, process_env, ArmClient};
use aksnet_acceptance::target::{sweep, GROUP_PREFIX};

fn main() -> ExitCode {
    let missing = missing_settings(&process_env);
    if !missing.is_empty() {
        println!(
            "testacc-sweep: skipped: set {} to sweep a subscription",
            missing.join(" ")
        );
        return ExitCode::SUCCESS;
    }
    let prefix = process_env("SWEEP_PREFIX").unwrap_or_else(|| GROUP_PREFIX.to_string());
    if prefix.len() < 4 {
        eprintln!("testacc-sweep: refusing the prefix {prefix:?}: too short to be a test prefix");
        return ExitCode::from(2);
    }
    let client = match ArmClient::from_settings(&process_env) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("testacc-sweep: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "testacc-sweep: deleting resource groups named {prefix}* in subscription {} ({})",
        client.subscription,
        client.endpoint()
    );
    match sweep(&client, &prefix) {
        Ok(deleted) => {
            for name in &deleted {
                println!("deleted {name}");
            }
            println!("testacc-sweep: {} resource group(s) deleted", deleted.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("testacc-sweep: {e}");
            ExitCode::FAILURE
        }
    }
}
