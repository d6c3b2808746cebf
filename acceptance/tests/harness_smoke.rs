//! The harness itself, on a configuration with only built-in resources.

use aksnet_acceptance::harness::{run_steps, Step};
use aksnet_acceptance::terraform::{terraform_binaries, PINNED_VERSION};

#[test]
fn finds_the_pinned_terraform() {
    let bins = terraform_binaries().expect("terraform");
    if std::env::var_os("TF_ACC_TERRAFORM_PATH").is_none() {
        assert_eq!(bins[0].version, PINNED_VERSION);
    }
}

#[test]
fn applies_replans_and_destroys_builtin_resources() {
    let config = r#"resource "terraform_data" "x" { input = "hello" }
output "y" { value = terraform_data.x.output }"#;
    let parse_error = regex::Regex::new("Invalid|Unclosed|Argument or block").unwrap();
    for tf in terraform_binaries().expect("terraform") {
        let steps = vec![
            Step::Apply {
                config: config.into(),
                check: Some(Box::new(|s| {
                    let out = s.output("y")?;
                    (out == "hello")
                        .then_some(())
                        .ok_or_else(|| format!("output y is {out}"))
                })),
            },
            Step::ExpectError {
                config: "resource \"nope\" {".into(),
                pattern: parse_error.clone(),
                attribute: None,
            },
        ];
        run_steps(&tf, None, &steps).unwrap_or_else(|e| panic!("Terraform {}: {e}", tf.version));
    }
}

#[test]
fn a_failing_check_fails_the_case() {
    let tf = &terraform_binaries().expect("terraform")[0];
    let steps = vec![Step::Apply {
        config: r#"resource "terraform_data" "x" { input = 1 }"#.into(),
        check: Some(Box::new(|_| Err("deliberate".into()))),
    }];
    let err = run_steps(tf, None, &steps).unwrap_err();
    assert!(err.contains("deliberate"), "{err}");
}
