//! The emulator's own CA and server certificate.
//!
//! The CA key persists in the data directory (`ca-key.pem`, mode 0600) and so does the CA
//! certificate (`ca.pem`): a restart reuses both, so a `ca.pem` clients already trust stays
//! valid. The CA is valid for [`CA_LIFETIME_DAYS`] and is re-issued from the same key and name
//! when less than [`CA_RENEW_DAYS`] remain (a certificate the old `ca.pem` still verifies). The
//! server certificate is issued at every start, valid for at most [`LEAF_LIFETIME_DAYS`] and
//! never beyond the CA.

use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SerialNumber,
};
use ring::rand::SecureRandom;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

/// How long a newly issued CA certificate is valid.
pub const CA_LIFETIME_DAYS: i64 = 365;
/// A persisted CA certificate with less than this left is re-issued at start.
pub const CA_RENEW_DAYS: i64 = 90;
/// The longest a server certificate is valid (it is re-issued at every start).
pub const LEAF_LIFETIME_DAYS: i64 = 90;
/// Certificates start this long before now, for clients whose clock runs a little behind.
const CLOCK_SKEW: Duration = Duration::hours(1);

const CA_NAME: &str = "aksnet-emulator CA";

/// TLS material for the listener plus the CA clients must trust.
pub(crate) struct Tls {
    pub ca_pem: String,
    pub server: Arc<rustls::ServerConfig>,
    /// The key access tokens are signed with, derived from the CA key: tokens stay valid
    /// across restarts (as Entra's do) without being stored anywhere.
    pub token_key: Vec<u8>,
}

fn err(e: impl std::fmt::Display) -> String {
    format!("generating the emulator's certificates: {e}")
}

/// A random, positive 16-byte serial number (a re-issued CA must not repeat its serial).
fn serial() -> Result<SerialNumber, String> {
    let mut bytes = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| err("no randomness for a serial number"))?;
    bytes[0] = (bytes[0] & 0x7f) | 0x01;
    Ok(SerialNumber::from_slice(&bytes))
}

/// The CA's parameters; signing a leaf needs only its name, key-identifier method and usages,
/// so the CA rebuilt from these signs certificates the persisted `ca.pem` verifies.
fn ca_params(not_before: OffsetDateTime, not_after: OffsetDateTime) -> Result<CertificateParams, String> {
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.distinguished_name.push(DnType::CommonName, CA_NAME);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.not_before = not_before;
    p.not_after = not_after;
    p.serial_number = Some(serial()?);
    Ok(p)
}

/// Validity and subject public key info of a DER certificate.
pub struct CertInfo {
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity; the CA is renewed within [`CA_RENEW_DAYS`] of it.
    pub not_after: OffsetDateTime,
    /// DER subject public key info, to tell whether a renewal kept the key.
    pub spki: Vec<u8>,
}

/// Reads validity and public key from a DER X.509 certificate (`None` if it does not parse).
pub fn cert_info(der: &[u8]) -> Option<CertInfo> {
    fn time(r: yasna::BERReader) -> yasna::ASN1Result<OffsetDateTime> {
        if r.lookahead_tag()? == yasna::tags::TAG_UTCTIME {
            Ok(*r.read_utctime()?.datetime())
        } else {
            Ok(*r.read_generalized_time()?.datetime())
        }
    }
    yasna::parse_der(der, |r| {
        r.read_sequence(|r| {
            let info = r.next().read_sequence(|r| {
                r.read_optional(|r| r.read_tagged(yasna::Tag::context(0), |r| r.read_der()))?;
                r.next().read_der()?; // serial number
                r.next().read_der()?; // signature algorithm
                r.next().read_der()?; // issuer
                let (not_before, not_after) = r
                    .next()
                    .read_sequence(|r| Ok((time(r.next())?, time(r.next())?)))?;
                r.next().read_der()?; // subject
                let spki = r.next().read_der()?;
                while r.read_optional(|r| r.read_der())?.is_some() {} // unique ids, extensions
                Ok(CertInfo {
                    not_before,
                    not_after,
                    spki,
                })
            })?;
            r.next().read_der()?; // signature algorithm
            r.next().read_der()?; // signature
            Ok(info)
        })
    })
    .ok()
}

/// Reads a PEM `CERTIFICATE` block into DER.
fn pem_der(pem: &str) -> Option<Vec<u8>> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::from_pem_slice(pem.as_bytes())
        .ok()
        .map(|c| c.to_vec())
}

/// Writes `contents` to `path` readable by its owner only (mode 0600 on Unix), also when the
/// file already exists with a wider mode.
pub(crate) fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        std::io::Write::write_all(&mut &file, contents)
    }
    #[cfg(not(unix))]
    {
        let file = options.open(path)?;
        std::io::Write::write_all(&mut &file, contents)
    }
}

/// Loads the CA key and certificate from `dir` (creating or renewing them as needed) and
/// issues a server certificate for `127.0.0.1` and `localhost`.
pub(crate) fn load_or_create(dir: &Path) -> Result<Tls, String> {
    let key_path = dir.join("ca-key.pem");
    let ca_key = match std::fs::read_to_string(&key_path) {
        Ok(pem) => {
            // Tighten a key file an earlier version left world-readable.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| format!("restricting {}: {e}", key_path.display()))?;
            }
            KeyPair::from_pem(&pem).map_err(err)?
        }
        Err(_) => {
            let k = KeyPair::generate().map_err(err)?;
            write_private(&key_path, k.serialize_pem().as_bytes())
                .map_err(|e| format!("writing {}: {e}", key_path.display()))?;
            k
        }
    };
    let now = OffsetDateTime::now_utc();

    // Reuse the persisted CA certificate when it belongs to this key, is already valid and
    // has neither too little nor an unrealistic amount of its lifetime left (certificates of
    // earlier versions ran to the year 4096).
    let ca_path = dir.join("ca.pem");
    let persisted = std::fs::read_to_string(&ca_path).ok().and_then(|pem| {
        let info = cert_info(&pem_der(&pem)?)?;
        let fits = info.spki == ca_key.public_key_der()
            && info.not_before <= now
            && info.not_after > now + Duration::days(CA_RENEW_DAYS)
            && info.not_after <= now + Duration::days(CA_LIFETIME_DAYS + 1);
        fits.then_some((pem, info))
    });
    let (ca_pem, ca_cert, ca_not_after): (String, Certificate, OffsetDateTime) = match persisted {
        Some((pem, info)) => {
            // Rebuilt with the same name and key: it signs what the persisted one verifies.
            let issuer = ca_params(info.not_before, info.not_after)?
                .self_signed(&ca_key)
                .map_err(err)?;
            (pem, issuer, info.not_after)
        }
        None => {
            let not_after = now + Duration::days(CA_LIFETIME_DAYS);
            let cert = ca_params(now - CLOCK_SKEW, not_after)?
                .self_signed(&ca_key)
                .map_err(err)?;
            (cert.pem(), cert, not_after)
        }
    };

    let server_key = KeyPair::generate().map_err(err)?;
    let mut params =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).map_err(err)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "aksnet-emulator");
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    params.not_before = now - CLOCK_SKEW;
    params.not_after = (now + Duration::days(LEAF_LIFETIME_DAYS)).min(ca_not_after);
    params.serial_number = Some(serial()?);
    let server_cert = params.signed_by(&server_key, &ca_cert, &ca_key).map_err(err)?;

    let ca_der = pem_der(&ca_pem).ok_or_else(|| err("the CA certificate does not parse"))?;
    let chain = vec![
        CertificateDer::from(server_cert.der().to_vec()),
        CertificateDer::from(ca_der),
    ];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(err)?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    let mut label = b"aksnet-emulator access tokens\0".to_vec();
    label.extend_from_slice(&ca_key.serialize_der());
    let token_key = ring::digest::digest(&ring::digest::SHA256, &label)
        .as_ref()
        .to_vec();
    Ok(Tls {
        ca_pem,
        server: Arc::new(server),
        token_key,
    })
}
