//! Test steps modelled on terraform-plugin-testing, run with the real Terraform CLI.
//!
//! Every [`Step::apply`] is followed by `plan -detailed-exitcode`, which must report no
//! changes; every case ends with `destroy`, also when a step failed.

use std::path::{Path, PathBuf};

use regex::Regex;
use serde_json::Value;

use crate::terraform::{parse_version, terraform_binaries, with_provider, Run, TerraformBin, Workdir};

/// A check over state or plan JSON; returns a message when it fails.
pub type Check = Box<dyn Fn(&Json) -> Result<(), String>>;

/// `terraform show -json` output (state or plan) with lookup helpers.
#[derive(Debug, Clone)]
pub struct Json {
    pub doc: Value,
    /// Human-readable CLI output of the step (warnings live here).
    pub text: String,
}

/// Joins Terraform's wrapped lines: every whitespace run becomes one space.
pub fn flatten(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Json {
    /// True when the CLI output says `needle`, whatever Terraform's line wrapping.
    pub fn says(&self, needle: &str) -> bool {
        flatten(&self.text).contains(&flatten(needle))
    }

    fn resources(&self) -> Vec<&Value> {
        let root = self
            .doc
            .pointer("/values/root_module")
            .or_else(|| self.doc.pointer("/planned_values/root_module"));
        root.and_then(|r| r.get("resources"))
            .and_then(Value::as_array)
            .map(|v| v.iter().collect())
            .unwrap_or_default()
    }

    /// The values of resource `address` (e.g. `aksnet_pod_cidr_plan.example`).
    pub fn resource(&self, address: &str) -> Result<&Value, String> {
        self.resources()
            .into_iter()
            .find(|r| r.get("address").and_then(Value::as_str) == Some(address))
            .and_then(|r| r.get("values"))
            .ok_or_else(|| format!("{address} is not in the state or plan"))
    }

    /// The whole entry of resource `address`: `values`, and `identity` and
    /// `identity_schema_version` when the provider gave it an identity.
    pub fn entry(&self, address: &str) -> Result<&Value, String> {
        self.resources()
            .into_iter()
            .find(|r| r.get("address").and_then(Value::as_str) == Some(address))
            .ok_or_else(|| format!("{address} is not in the state or plan"))
    }

    /// One attribute of a resource; `path` is a JSON pointer below its values (`/pools/0/name`)
    /// or a plain attribute name.
    pub fn attr(&self, address: &str, path: &str) -> Result<&Value, String> {
        let values = self.resource(address)?;
        let pointer = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        values
            .pointer(&pointer)
            .ok_or_else(|| format!("{address} has no {path}: {values}"))
    }

    /// A string attribute.
    pub fn str_attr(&self, address: &str, path: &str) -> Result<String, String> {
        self.attr(address, path)?
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("{address}.{path} is not a string"))
    }

    /// True when state marks resource `address` tainted (a failed create Terraform kept).
    pub fn tainted(&self, address: &str) -> bool {
        self.resources()
            .into_iter()
            .any(|r| r["address"] == address && r["tainted"] == true)
    }

    /// A root output's value.
    pub fn output(&self, name: &str) -> Result<&Value, String> {
        self.doc
            .pointer(&format!("/values/outputs/{name}/value"))
            .or_else(|| self.doc.pointer(&format!("/planned_values/outputs/{name}/value")))
            .ok_or_else(|| format!("output {name} is not set"))
    }
}

/// Asserts `actual == expected` with a message naming `what`.
pub fn expect_eq(what: &str, actual: &Value, expected: &Value) -> Result<(), String> {
    if actual == expected {
        Ok(())
    } else {
        Err(format!("{what}: expected {expected}, got {actual}"))
    }
}

/// One step of a test case.
pub enum Step {
    /// Apply the configuration, run the checks on the state, then require an empty plan.
    Apply { config: String, check: Option<Check> },
    /// Plan only (nothing applied) and check the planned values.
    Plan { config: String, check: Option<Check> },
    /// Plan must fail; the output must match `pattern` and, when set, show `attribute` in the
    /// diagnostic's source snippet.
    ExpectError {
        config: String,
        pattern: Regex,
        attribute: Option<String>,
    },
    /// Any CLI command with an expected outcome (e.g. `import`).
    Cli {
        args: Vec<String>,
        succeed: bool,
        pattern: Option<Regex>,
    },
    /// Runs arbitrary code between steps (out-of-band changes, fault injection).
    Do(Box<dyn Fn() -> Result<(), String>>),
    /// `plan -detailed-exitcode` must exit `code` (0 no changes, 2 changes) and match `pattern`.
    PlanExit {
        config: String,
        code: i32,
        pattern: Option<Regex>,
    },
    /// Apply must fail with output matching `pattern`; the applied config still gets destroyed.
    ApplyError {
        config: String,
        pattern: Regex,
        check: Option<Check>,
    },
}

impl Step {
    /// Apply + checks + empty re-plan.
    pub fn apply(config: &str, check: impl Fn(&Json) -> Result<(), String> + 'static) -> Step {
        Step::Apply {
            config: with_provider(config),
            check: Some(Box::new(check)),
        }
    }
    /// Plan only, with checks on the planned values.
    pub fn plan(config: &str, check: impl Fn(&Json) -> Result<(), String> + 'static) -> Step {
        Step::Plan {
            config: with_provider(config),
            check: Some(Box::new(check)),
        }
    }
    /// Plan must fail with output matching `pattern`.
    pub fn expect_error(config: &str, pattern: &str) -> Step {
        Step::ExpectError {
            config: with_provider(config),
            pattern: Regex::new(pattern).expect("valid regex"),
            attribute: None,
        }
    }
    /// Plan must fail with output matching `pattern`, pointing at `attribute`.
    pub fn expect_error_at(config: &str, pattern: &str, attribute: &str) -> Step {
        Step::ExpectError {
            config: with_provider(config),
            pattern: Regex::new(pattern).expect("valid regex"),
            attribute: Some(attribute.to_string()),
        }
    }
    /// Plan with `-detailed-exitcode` expecting `code`.
    pub fn plan_exit(config: &str, code: i32, pattern: Option<&str>) -> Step {
        Step::PlanExit {
            config: with_provider(config),
            code,
            pattern: pattern.map(|p| Regex::new(p).expect("valid regex")),
        }
    }
    /// Apply must fail with output matching `pattern`.
    pub fn apply_error(
        config: &str,
        pattern: &str,
        check: impl Fn(&Json) -> Result<(), String> + 'static,
    ) -> Step {
        Step::ApplyError {
            config: with_provider(config),
            pattern: Regex::new(pattern).expect("valid regex"),
            check: Some(Box::new(check)),
        }
    }
    /// Arbitrary code between steps.
    pub fn run(f: impl Fn() -> Result<(), String> + 'static) -> Step {
        Step::Do(Box::new(f))
    }
    /// A CLI command that must succeed or fail, with output matching `pattern`.
    pub fn cli(args: &[&str], succeed: bool, pattern: Option<&str>) -> Step {
        Step::Cli {
            args: args.iter().map(|s| s.to_string()).collect(),
            succeed,
            pattern: pattern.map(|p| Regex::new(p).expect("valid regex")),
        }
    }
}

/// Destroys whatever the case left, even when a step failed (panics included).
/// Destroy runs with the last applied configuration, as terraform-plugin-testing does,
/// because later steps may have written configurations that do not even parse.
struct Cleanup<'a> {
    wd: &'a Workdir,
    applied: Option<String>,
}

impl Cleanup<'_> {
    fn destroy(&mut self) -> Result<Option<Run>, String> {
        match self.applied.take() {
            Some(config) => {
                self.wd.write_config(&config)?;
                self.wd
                    .run(&["destroy", "-auto-approve", "-no-color", "-input=false"])
                    .map(Some)
            }
            None => Ok(None),
        }
    }
}

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let _ = self.destroy();
    }
}

fn step_error(i: usize, what: &str, msg: String) -> String {
    format!("step {} ({what}): {msg}", i + 1)
}

fn show_plan(wd: &Workdir, text: String) -> Result<Json, String> {
    let run = wd.run_ok(&["show", "-json", "-no-color", "plan.bin"])?;
    let doc = serde_json::from_str(&run.stdout).map_err(|e| format!("parsing the plan JSON: {e}"))?;
    Ok(Json { doc, text })
}

/// Runs the steps on one Terraform.
pub fn run_steps(terraform: &TerraformBin, provider: Option<&Path>, steps: &[Step]) -> Result<(), String> {
    run_steps_env(terraform, provider, &[], steps)
}

/// Runs the steps with extra environment for Terraform and the provider (e.g. `ARM_*`).
pub fn run_steps_env(
    terraform: &TerraformBin,
    provider: Option<&Path>,
    env: &[(String, String)],
    steps: &[Step],
) -> Result<(), String> {
    run_steps_with(terraform, provider, env, &[], steps)
}

/// [`run_steps_env`] with more `dev_overrides`: `(source, dir)`, e.g. a test-only stand-in
/// for `hashicorp/azurerm` (see [`crate::terraform::dev_overrides_with`]).
pub fn run_steps_with(
    terraform: &TerraformBin,
    provider: Option<&Path>,
    env: &[(String, String)],
    overrides: &[(String, PathBuf)],
    steps: &[Step],
) -> Result<(), String> {
    let mut wd = Workdir::with_overrides(terraform, provider, overrides)?;
    for (k, v) in env {
        wd.set_env(k, v);
    }
    let wd = wd;
    let mut cleanup = Cleanup {
        wd: &wd,
        applied: None,
    };
    for (i, step) in steps.iter().enumerate() {
        match step {
            Step::Apply { config, check } => {
                wd.write_config(config)?;
                cleanup.applied = Some(config.clone());
                let run = wd.run(&["apply", "-auto-approve", "-no-color", "-input=false"])?;
                if run.code != 0 {
                    return Err(step_error(
                        i,
                        "apply",
                        format!("exited {}:\n{}", run.code, run.text()),
                    ));
                }
                let state = Json {
                    doc: wd.show_state()?,
                    text: run.text(),
                };
                if let Some(check) = check {
                    check(&state).map_err(|e| step_error(i, "apply check", e))?;
                }
                let again = wd.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"])?;
                if again.code != 0 {
                    return Err(step_error(
                        i,
                        "re-plan after apply",
                        format!(
                            "expected no changes (exit 0), got exit {}:\n{}",
                            again.code,
                            again.text()
                        ),
                    ));
                }
            }
            Step::Plan { config, check } => {
                wd.write_config(config)?;
                let run = wd.run(&["plan", "-no-color", "-input=false", "-out=plan.bin"])?;
                if run.code != 0 {
                    return Err(step_error(
                        i,
                        "plan",
                        format!("exited {}:\n{}", run.code, run.text()),
                    ));
                }
                let plan = show_plan(&wd, run.text())?;
                if let Some(check) = check {
                    check(&plan).map_err(|e| step_error(i, "plan check", e))?;
                }
            }
            Step::ExpectError {
                config,
                pattern,
                attribute,
            } => {
                wd.write_config(config)?;
                let run = wd.run(&["plan", "-no-color", "-input=false"])?;
                check_error(&run, pattern, attribute.as_deref())
                    .map_err(|e| step_error(i, "expect error", e))?;
            }
            Step::Do(f) => f().map_err(|e| step_error(i, "out-of-band action", e))?,
            Step::PlanExit {
                config,
                code,
                pattern,
            } => {
                wd.write_config(config)?;
                let run = wd.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"])?;
                if run.code != *code {
                    return Err(step_error(
                        i,
                        "plan",
                        format!("expected exit {code}, got {}:\n{}", run.code, run.text()),
                    ));
                }
                if let Some(p) = pattern {
                    if !p.is_match(&flatten(&run.text())) {
                        return Err(step_error(
                            i,
                            "plan",
                            format!("output does not match /{p}/:\n{}", run.text()),
                        ));
                    }
                }
            }
            Step::ApplyError {
                config,
                pattern,
                check,
            } => {
                wd.write_config(config)?;
                cleanup.applied = Some(config.clone());
                let run = wd.run(&["apply", "-auto-approve", "-no-color", "-input=false"])?;
                check_error(&run, pattern, None).map_err(|e| step_error(i, "apply error", e))?;
                if let Some(check) = check {
                    let state = Json {
                        doc: wd.show_state()?,
                        text: run.text(),
                    };
                    check(&state).map_err(|e| step_error(i, "apply error check", e))?;
                }
            }
            Step::Cli {
                args,
                succeed,
                pattern,
            } => {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let run = wd.run(&args)?;
                if (run.code == 0) != *succeed {
                    return Err(step_error(
                        i,
                        &args.join(" "),
                        format!("exited {}:\n{}", run.code, run.text()),
                    ));
                }
                if let Some(p) = pattern {
                    if !p.is_match(&flatten(&run.text())) {
                        return Err(step_error(
                            i,
                            &args.join(" "),
                            format!("output does not match /{p}/:\n{}", run.text()),
                        ));
                    }
                }
            }
        }
    }
    if let Some(run) = cleanup.destroy()? {
        if run.code != 0 {
            return Err(format!("destroy exited {}:\n{}", run.code, run.text()));
        }
        let left = Json {
            doc: wd.show_state()?,
            text: String::new(),
        };
        if !left.resources().is_empty() {
            return Err(format!("destroy left resources in state: {}", left.doc));
        }
    }
    Ok(())
}

/// Checks a failed run: non-zero exit, output matching, the attribute in the snippet.
pub fn check_error(run: &Run, pattern: &Regex, attribute: Option<&str>) -> Result<(), String> {
    let text = run.text();
    if run.code == 0 {
        return Err(format!(
            "expected an error matching /{pattern}/, but the command succeeded:\n{text}"
        ));
    }
    // A provider that panics mid-request shows up as "Plugin did not respond" or, when the
    // process dies under a running call, as "The … request was cancelled".
    if text.contains("panicked")
        || text.contains("Plugin did not respond")
        || text.contains("request was cancelled")
    {
        return Err(format!("the provider crashed:\n{text}"));
    }
    if !pattern.is_match(&flatten(&text)) {
        return Err(format!(
            "error output does not match /{pattern}/ (lines joined):\n{text}"
        ));
    }
    if let Some(attr) = attribute {
        // The snippet under "on main.tf line N" shows the offending line, e.g. `  12:   max_pods = 5`.
        let line = Regex::new(&format!(r"(?m)^[│|]?\s*\d+:\s+{}\s*(=|\{{)", regex::escape(attr)))
            .expect("valid regex");
        if !line.is_match(&text) {
            return Err(format!("the error does not point at `{attr}`:\n{text}"));
        }
    }
    Ok(())
}

/// Runs a case on every Terraform the suite uses and panics naming the version that failed.
pub fn run_case(name: &str, provider: &Path, steps: Vec<Step>) {
    run_case_env(name, provider, &[], steps)
}

/// [`run_case`] with extra environment (e.g. an emulator's `ARM_*`).
pub fn run_case_env(name: &str, provider: &Path, env: &[(String, String)], steps: Vec<Step>) {
    run_case_with(name, provider, env, &[], steps)
}

/// [`run_case_env`] with more `dev_overrides` (see [`run_steps_with`]).
pub fn run_case_with(
    name: &str,
    provider: &Path,
    env: &[(String, String)],
    overrides: &[(String, PathBuf)],
    steps: Vec<Step>,
) {
    let bins = terraform_binaries().unwrap_or_else(|e| panic!("{name}: no Terraform: {e}"));
    for tf in &bins {
        if let Err(e) = run_steps_with(tf, Some(provider), env, overrides, &steps) {
            panic!("{name} on Terraform {} ({}): {e}", tf.version, tf.path.display());
        }
    }
}

/// The first Terraform with resource identity (tfplugin 6.9: identity in state, `import`
/// blocks with `identity`): "Resource identity is supported in Terraform 1.12 and later"
/// (developer.hashicorp.com/terraform/plugin/sdkv2/resources/identity).
pub const IDENTITY_VERSION: (u32, u32) = (1, 12);

/// [`run_case_env`] on each Terraform at least `min`; an older one is skipped, printing the
/// version and `why` (never a silent pass). Returns the versions that ran the case.
pub fn run_case_env_from(
    name: &str,
    provider: &Path,
    env: &[(String, String)],
    min: (u32, u32),
    why: &str,
    steps: Vec<Step>,
) -> Vec<String> {
    let bins = terraform_binaries().unwrap_or_else(|e| panic!("{name}: no Terraform: {e}"));
    let mut ran = Vec::new();
    for tf in &bins {
        if parse_version(&tf.version).is_none_or(|v| v < min) {
            println!(
                "SKIP {name} on Terraform {}: {why} (needs Terraform >= {}.{})",
                tf.version, min.0, min.1
            );
            continue;
        }
        if let Err(e) = run_steps_env(tf, Some(provider), env, &steps) {
            panic!("{name} on Terraform {} ({}): {e}", tf.version, tf.path.display());
        }
        ran.push(tf.version.clone());
    }
    ran
}
