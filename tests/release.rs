//! Release artifacts (the cheap half; `make release` builds and checks the real ones):
//! - the packager's Registry layout from the test's debug binaries, with LICENSE in each zip;
//! - `scripts/sign.sh` signing with a throwaway GPG key, `gpg --verify SHA256SUMS.sig SHA256SUMS`
//!   passing and failing once SHA256SUMS changes; no key means no release unless
//!   RELEASE_UNSIGNED=1;
//! - `scripts/mirror-install.sh`: `terraform init` from a filesystem mirror, the zip checked
//!   against the SHA256SUMS through the lock file (a wrong checksum is refused), then plan with
//!   no dev_overrides; against the debug build here, and against the real release in dist/ (or
//!   `$AKSNET_RELEASE_DIR`) when it exists.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use aksnet_acceptance::terraform::pinned;

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aksnet");
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn script(name: &str) -> Command {
    let mut cmd = Command::new(root().join("scripts").join(name));
    // The signing key comes only from what each test passes.
    for var in [
        "GPG_PRIVATE_KEY",
        "GPG_FINGERPRINT",
        "GPG_PASSPHRASE",
        "RELEASE_UNSIGNED",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?} failed:\n{}", text(&out));
    out
}

fn zip_names(zip: &Path) -> Vec<String> {
    let out = run_ok(Command::new("python3").args([
        "-c",
        "import sys, zipfile; print('\\n'.join(zipfile.ZipFile(sys.argv[1]).namelist()))",
        zip.to_str().unwrap(),
    ]));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// A throwaway GNUPGHOME holding one passphrase-less RSA signing key; the agent it starts is
/// stopped on drop.
struct Gpg {
    home: tempfile::TempDir,
    fingerprint: String,
}

fn gpg_in(home: &Path) -> Command {
    let mut cmd = Command::new("gpg");
    cmd.env("GNUPGHOME", home)
        .env("LC_ALL", "C")
        .args(["--batch", "--pinentry-mode", "loopback"]);
    cmd
}

impl Gpg {
    fn new() -> Self {
        // Short path: gpg-agent's socket lives in GNUPGHOME (sun_path is 108 bytes).
        let home = tempfile::Builder::new().prefix("gpg").tempdir_in("/tmp").unwrap();
        run_ok(gpg_in(home.path()).args([
            "--passphrase",
            "",
            "--quick-gen-key",
            "aksnet release test <release-test@example.invalid>",
            "rsa2048",
            "sign",
            "never",
        ]));
        let out = run_ok(gpg_in(home.path()).args(["--with-colons", "--list-secret-keys"]));
        let fingerprint = String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("fpr:").map(|r| r.trim_matches(':').to_string()))
            .expect("a fingerprint");
        Self { home, fingerprint }
    }

    fn cmd(&self) -> Command {
        gpg_in(self.home.path())
    }

    fn secret_key(&self) -> String {
        let out = run_ok(self.cmd().args([
            "--passphrase",
            "",
            "--armor",
            "--export-secret-keys",
            &self.fingerprint,
        ]));
        String::from_utf8(out.stdout).unwrap()
    }

    fn verify(&self, sig: &Path, data: &Path) -> Output {
        self.cmd()
            .args(["--verify", sig.to_str().unwrap(), data.to_str().unwrap()])
            .output()
            .expect("gpg runs")
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.home.path())
            .args(["--kill", "gpg-agent"])
            .output();
    }
}

#[test]
fn release_layout_is_signed_with_a_throwaway_key_and_installs_from_a_filesystem_mirror() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    let emulator = Path::new(BIN).with_file_name("aksnet-emulator");
    let d = dist.to_str().unwrap();
    run_ok(script("package.sh").args([BIN, VERSION, "linux_amd64", d]));
    if emulator.exists() {
        run_ok(script("package.sh").args([
            "--emulator",
            emulator.to_str().unwrap(),
            VERSION,
            "linux_amd64",
            d,
        ]));
        let names = zip_names(&dist.join(format!("aksnet-emulator_{VERSION}_linux_amd64.zip")));
        assert_eq!(names, ["aksnet-emulator", "LICENSE"]);
    }
    let zip = format!("terraform-provider-aksnet_{VERSION}_linux_amd64.zip");
    assert_eq!(
        zip_names(&dist.join(&zip)),
        [format!("terraform-provider-aksnet_v{VERSION}"), "LICENSE".into()]
    );
    let sums = dist.join(format!("terraform-provider-aksnet_{VERSION}_SHA256SUMS"));
    let listed = std::fs::read_to_string(&sums).unwrap();
    assert!(
        listed.contains(&zip) && listed.contains("_manifest.json") && !listed.contains("aksnet-emulator"),
        "{listed}"
    );
    let manifest =
        std::fs::read(dist.join(format!("terraform-provider-aksnet_{VERSION}_manifest.json"))).unwrap();
    assert_eq!(
        manifest,
        std::fs::read(root().join("terraform-registry-manifest.json")).unwrap()
    );

    // No key: signing refuses unless an unsigned release is asked for explicitly.
    let out = script("sign.sh").args([d, VERSION]).output().unwrap();
    assert!(
        !out.status.success() && text(&out).contains("RELEASE_UNSIGNED=1"),
        "{}",
        text(&out)
    );
    let out = run_ok(script("sign.sh").args([d, VERSION]).env("RELEASE_UNSIGNED", "1"));
    assert!(text(&out).contains("UNSIGNED"), "{}", text(&out));
    let sig = dist.join(format!("terraform-provider-aksnet_{VERSION}_SHA256SUMS.sig"));
    assert!(!sig.exists());

    // A throwaway key from the environment, as CI passes its secret.
    let gpg = Gpg::new();
    run_ok(
        script("sign.sh")
            .args([d, VERSION])
            .env("GPG_PRIVATE_KEY", gpg.secret_key()),
    );
    let verified = gpg.verify(&sig, &sums);
    assert!(verified.status.success(), "gpg --verify:\n{}", text(&verified));
    assert!(text(&verified).contains("Good signature"), "{}", text(&verified));
    assert!(
        text(&verified).contains(&gpg.fingerprint) || text(&verified).contains(&gpg.fingerprint[24..]),
        "signed by another key:\n{}",
        text(&verified)
    );
    // Or a key already in the keyring (GPG_FINGERPRINT, no exported secret).
    let emulator_sums = dist.join(format!("aksnet-emulator_{VERSION}_SHA256SUMS"));
    if emulator_sums.exists() {
        let sig = PathBuf::from(format!("{}.sig", emulator_sums.display()));
        std::fs::remove_file(&sig).unwrap();
        let out = run_ok(
            script("sign.sh")
                .args([d, VERSION])
                .env("GNUPGHOME", gpg.home.path())
                .env("GPG_FINGERPRINT", &gpg.fingerprint),
        );
        assert!(text(&out).contains("aksnet-emulator"), "{}", text(&out));
        assert!(gpg.verify(&sig, &emulator_sums).status.success());
    }
    // A changed SHA256SUMS no longer matches its signature.
    let tampered = tmp.path().join("tampered_SHA256SUMS");
    std::fs::write(&tampered, format!("{listed}{}  extra.zip\n", "0".repeat(64))).unwrap();
    let out = gpg.verify(&sig, &tampered);
    assert!(
        !out.status.success(),
        "a tampered SHA256SUMS verified:\n{}",
        text(&out)
    );

    // terraform init from a filesystem mirror, checksums from this SHA256SUMS; then plan.
    pinned().expect("terraform");
    let out = run_ok(script("mirror-install.sh").args([d, VERSION]));
    let said = text(&out);
    assert!(said.contains("a wrong checksum is refused"), "{said}");
    assert!(
        said.contains(&format!("installed aksnet/aksnet v{VERSION}")),
        "{said}"
    );
    assert!(said.contains("plan ran the installed provider"), "{said}");
}

/// The artifacts `make release` left (dist/, or `$AKSNET_RELEASE_DIR`) install the same way.
#[test]
fn real_release_artifacts_install_from_a_filesystem_mirror_when_present() {
    let dir = match std::env::var_os("AKSNET_RELEASE_DIR") {
        Some(d) => PathBuf::from(d),
        None => root().join("dist"),
    };
    let host = run_ok(script("mirror-install.sh").arg("--host-platform"));
    let host = String::from_utf8_lossy(&host.stdout).trim().to_string();
    let zip = dir.join(format!("terraform-provider-aksnet_{VERSION}_{host}.zip"));
    let sums = dir.join(format!("terraform-provider-aksnet_{VERSION}_SHA256SUMS"));
    if !zip.exists() || !sums.exists() {
        assert!(
            std::env::var_os("AKSNET_RELEASE_DIR").is_none(),
            "AKSNET_RELEASE_DIR={} has no {}",
            dir.display(),
            zip.display()
        );
        eprintln!(
            "no release artifacts in {} (make release VERSION={VERSION}); skipped",
            dir.display()
        );
        return;
    }
    pinned().expect("terraform");
    let out = run_ok(script("mirror-install.sh").args([dir.to_str().unwrap(), VERSION]));
    assert!(
        text(&out).contains("plan ran the installed provider"),
        "{}",
        text(&out)
    );
}
