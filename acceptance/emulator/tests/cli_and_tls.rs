//! The command line (`--help`, `--version`, every flag) and the emulator's TLS material: file
//! modes, certificate lifetimes and CA renewal from the persisted key.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use aksnet_emulator::cli::Cli;
use aksnet_emulator::tls::{cert_info, CA_LIFETIME_DAYS, CA_RENEW_DAYS, LEAF_LIFETIME_DAYS};
use aksnet_emulator::{start, Options};
use clap::Parser;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use time::{Duration, OffsetDateTime};

const BIN: &str = env!("CARGO_BIN_EXE_aksnet-emulator");
const FLAGS: [&str; 9] = [
    "--listen",
    "--data-dir",
    "--seed",
    "--record",
    "--latency-ms",
    "--lro-ms",
    "--writes-per-second",
    "--help",
    "--version",
];

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("runs the emulator binary")
}

#[test]
fn version_prints_the_crate_version() {
    let out = run(&["--version"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("aksnet-emulator {}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(run(&["-V"]).stdout, out.stdout);
}

#[test]
fn help_lists_every_flag() {
    for h in ["--help", "-h"] {
        let out = run(&[h]);
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Usage: aksnet-emulator"), "{text}");
        for flag in FLAGS {
            assert!(text.contains(flag), "{h} does not list {flag}:\n{text}");
        }
    }
}

#[test]
fn usage_errors_exit_2_and_name_the_problem() {
    for (args, needle) in [
        (&["--bogus"][..], "--bogus"),
        (&["--lro-ms", "soon"][..], "--lro-ms"),
        (&["--listen", "nowhere"][..], "--listen"),
        (&["--seed"][..], "--seed"),
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn flags_map_onto_options_with_the_library_defaults() {
    let none = Cli::try_parse_from(["aksnet-emulator"]).unwrap().into_options();
    assert_eq!(format!("{none:?}"), format!("{:?}", Options::default()));

    let all = Cli::try_parse_from([
        "aksnet-emulator",
        "--listen",
        "127.0.0.1:8443",
        "--data-dir",
        "/tmp/emu",
        "--seed",
        "a.json",
        "--seed",
        "b.json",
        "--record",
        "/tmp/rec",
        "--latency-ms",
        "5",
        "--lro-ms",
        "300",
        "--writes-per-second",
        "7",
    ])
    .unwrap()
    .into_options();
    assert_eq!(all.listen.to_string(), "127.0.0.1:8443");
    assert_eq!(all.data_dir, Path::new("/tmp/emu"));
    assert_eq!(all.seeds, [Path::new("a.json"), Path::new("b.json")]);
    assert_eq!(all.record.as_deref(), Some(Path::new("/tmp/rec")));
    assert_eq!(
        (all.latency_ms, all.lro_ms, all.writes_per_second),
        (5, 300, Some(7))
    );
}

/// The binary starts with the flags `scripts/demo.sh` passes and announces its address.
#[test]
fn binary_starts_and_prints_its_address() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.json");
    std::fs::write(&seed, "[]").unwrap();
    let data = dir.path().join("emu");
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data)
        .arg("--seed")
        .arg(&seed)
        .args(["--lro-ms", "300", "--writes-per-second", "50"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with("aksnet-emulator listening on https://127.0.0.1:"),
        "{line:?}"
    );
    assert!(data.join("ca.pem").is_file() && data.join("env.sh").is_file());
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[tokio::test]
async fn secrets_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let opts = || Options {
        data_dir: dir.path().to_path_buf(),
        ..Default::default()
    };
    let running = start(opts()).await.unwrap();
    for f in ["ca-key.pem", "state.json", "env.sh"] {
        assert_eq!(mode(&dir.path().join(f)), 0o600, "{f}");
    }
    running.stop();

    // A key file an earlier version left world-readable is tightened at the next start.
    let key = dir.path().join("ca-key.pem");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let state = dir.path().join("state.json");
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o644)).unwrap();
    let running = start(opts()).await.unwrap();
    assert_eq!(mode(&key), 0o600);
    assert_eq!(mode(&state), 0o600);
    running.stop();
}

fn pem_der(pem: &str) -> Vec<u8> {
    CertificateDer::from_pem_slice(pem.as_bytes()).unwrap().to_vec()
}

/// The certificate chain the emulator at `addr` presents, verified against `ca_pem`.
async fn served_chain(addr: std::net::SocketAddr, ca_pem: &str) -> Vec<Vec<u8>> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(pem_der(ca_pem))).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let tls = tokio::time::timeout(
        StdDuration::from_secs(10),
        tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp),
    )
    .await
    .expect("handshake in time")
    .expect("the server certificate verifies against the CA");
    tls.get_ref()
        .1
        .peer_certificates()
        .unwrap()
        .iter()
        .map(|c| c.to_vec())
        .collect()
}

/// Asserts that a certificate issued around `issued` runs for `lifetime_days`. Certificates
/// carry whole seconds and the test's clock is read a few milliseconds before or after the
/// emulator's, so "exactly N days" is checked to within a minute, not by whole-day rounding
/// (which flips between N-1 and N on the sub-second remainder).
fn assert_lifetime(not_after: OffsetDateTime, issued: OffsetDateTime, lifetime_days: i64, what: &str) {
    let off = not_after - (issued + Duration::days(lifetime_days));
    assert!(
        off.abs() <= Duration::minutes(1),
        "{what}: not_after {not_after} is {off} away from {lifetime_days} days after {issued}"
    );
}

#[tokio::test]
async fn ca_and_server_certificates_have_realistic_lifetimes() {
    let dir = tempfile::tempdir().unwrap();
    let running = start(Options {
        data_dir: dir.path().to_path_buf(),
        ..Default::default()
    })
    .await
    .unwrap();
    let now = OffsetDateTime::now_utc();
    let ca = cert_info(&pem_der(&running.ca_pem)).unwrap();
    assert!(ca.not_before <= now);
    assert_lifetime(ca.not_after, now, CA_LIFETIME_DAYS, "CA valid for a year");
    let chain = served_chain(running.addr, &running.ca_pem).await;
    let leaf = cert_info(&chain[0]).unwrap();
    assert!(leaf.not_before <= now);
    assert_lifetime(leaf.not_after, now, LEAF_LIFETIME_DAYS, "server certificate");
    assert!(leaf.not_after <= ca.not_after);
    running.stop();
}

/// Writes a CA certificate for the persisted key with the given validity, as an earlier
/// start (or version) would have.
fn persist_ca(dir: &Path, not_before: OffsetDateTime, not_after: OffsetDateTime) -> String {
    let key = rcgen::KeyPair::from_pem(&std::fs::read_to_string(dir.join("ca-key.pem")).unwrap()).unwrap();
    let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    p.distinguished_name
        .push(rcgen::DnType::CommonName, "aksnet-emulator CA");
    p.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    p.not_before = not_before;
    p.not_after = not_after;
    let pem = p.self_signed(&key).unwrap().pem();
    std::fs::write(dir.join("ca.pem"), &pem).unwrap();
    pem
}

#[tokio::test]
async fn the_ca_is_kept_across_restarts_and_renewed_from_the_same_key_near_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || Options {
        data_dir: dir.path().to_path_buf(),
        ..Default::default()
    };
    let first = start(opts()).await.unwrap();
    let first_pem = first.ca_pem.clone();
    first.stop();

    // A restart reuses ca.pem byte for byte and serves a chain it verifies.
    let again = start(opts()).await.unwrap();
    assert_eq!(again.ca_pem, first_pem);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ca.pem")).unwrap(),
        first_pem
    );
    served_chain(again.addr, &first_pem).await;
    again.stop();

    // Near its end the CA is re-issued for a full lifetime from the same key and name, so
    // the old ca.pem (still valid) verifies the new server certificate too.
    let now = OffsetDateTime::now_utc();
    let expiring = persist_ca(
        dir.path(),
        now - Duration::days(300),
        now + Duration::days(CA_RENEW_DAYS - 10),
    );
    let renewed = start(opts()).await.unwrap();
    assert_ne!(renewed.ca_pem, expiring);
    let new = cert_info(&pem_der(&renewed.ca_pem)).unwrap();
    let old = cert_info(&pem_der(&expiring)).unwrap();
    assert_eq!(new.spki, old.spki, "same key");
    assert_lifetime(new.not_after, now, CA_LIFETIME_DAYS, "renewed CA");
    let chain = served_chain(renewed.addr, &expiring).await;
    assert!(cert_info(&chain[0]).unwrap().not_after <= new.not_after);
    served_chain(renewed.addr, &renewed.ca_pem).await;
    renewed.stop();

    // A CA from an earlier version that ran to the year 4096 is replaced as well.
    persist_ca(
        dir.path(),
        now - Duration::days(1),
        rcgen::date_time_ymd(4096, 1, 1),
    );
    let replaced = start(opts()).await.unwrap();
    let info = cert_info(&pem_der(&replaced.ca_pem)).unwrap();
    assert_lifetime(info.not_after, now, CA_LIFETIME_DAYS, "replaced CA");
    replaced.stop();
}
