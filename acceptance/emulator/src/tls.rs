//! The emulator's own CA and server certificate. The CA key persists in the data directory,
//! so `ca.pem` stays valid across restarts.

use std::path::Path;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// TLS material for the listener plus the CA clients must trust.
pub struct Tls {
    pub ca_pem: String,
    pub server: Arc<rustls::ServerConfig>,
}

fn err(e: impl std::fmt::Display) -> String {
    format!("generating the emulator's certificates: {e}")
}

/// Loads the CA key from `dir` (or creates one) and issues a server certificate for
/// `127.0.0.1` and `localhost`.
pub fn load_or_create(dir: &Path) -> Result<Tls, String> {
    let key_path = dir.join("ca-key.pem");
    let ca_key = match std::fs::read_to_string(&key_path) {
        Ok(pem) => KeyPair::from_pem(&pem).map_err(err)?,
        Err(_) => {
            let k = KeyPair::generate().map_err(err)?;
            std::fs::write(&key_path, k.serialize_pem())
                .map_err(|e| format!("writing {}: {e}", key_path.display()))?;
            k
        }
    };
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "aksnet-emulator CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(err)?;

    let server_key = KeyPair::generate().map_err(err)?;
    let mut params =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).map_err(err)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "aksnet-emulator");
    let server_cert = params.signed_by(&server_key, &ca_cert, &ca_key).map_err(err)?;

    let chain = vec![
        CertificateDer::from(server_cert.der().to_vec()),
        CertificateDer::from(ca_cert.der().to_vec()),
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
    Ok(Tls {
        ca_pem: ca_cert.pem(),
        server: Arc::new(server),
    })
}
