//! A plugin-protocol 6 client for protocol-level tests: starts the provider binary the way
//! Terraform does (magic cookie, handshake line on stdout) and talks gRPC to it.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio_rustls::rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use tokio_rustls::rustls::client::ResolvesClientCert;
use tokio_rustls::rustls::crypto::{
    verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms,
};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio_rustls::TlsConnector;
use tonic::transport::{Channel, Endpoint};

use crate::tfplugin6::provider_client::ProviderClient;
use crate::tfplugin6::DynamicValue;

/// go-plugin's handshake cookie.
pub const MAGIC_COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

/// JSON stand-in for an unknown value in decoded msgpack (aksnet-tfplugin sends ext type 0).
pub const UNKNOWN: &str = "<unknown>";

/// A running provider process and a client connected to it; the process dies with it.
pub struct ProviderProcess {
    child: Child,
    channel: Channel,
    pub client: ProviderClient<Channel>,
}

/// Starts `binary` the way Terraform does (magic cookie, protocol 6, `env`, AutoMTLS when
/// `client_pem` is set) and returns it with its handshake line; its later output is drained.
async fn launch(
    binary: &Path,
    env: &[(&str, &str)],
    client_pem: Option<&str>,
) -> Result<(Child, String), String> {
    let mut command = Command::new(binary);
    command
        .envs(env.iter().copied())
        .env(MAGIC_COOKIE.0, MAGIC_COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    match client_pem {
        Some(pem) => command.env("PLUGIN_CLIENT_CERT", pem),
        None => command.env_remove("PLUGIN_CLIENT_CERT"),
    };
    let mut child = command
        .spawn()
        .map_err(|e| format!("starting {}: {e}", binary.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .map_err(|_| "no handshake line within 30 s".to_string())?
        .map_err(|e| format!("reading the handshake: {e}"))?
        .ok_or("the provider exited before its handshake")?;
    // Keep draining stdout so the provider never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, line))
}

impl ProviderProcess {
    /// Starts `binary` and connects (plain TCP: no `PLUGIN_CLIENT_CERT`).
    pub async fn start(binary: &Path) -> Result<Self, String> {
        Self::start_with_env(binary, &[]).await
    }

    /// Like [`ProviderProcess::start`], with extra environment variables.
    pub async fn start_with_env(binary: &Path, env: &[(&str, &str)]) -> Result<Self, String> {
        let (child, line) = launch(binary, env, None).await?;
        let addr = parse_handshake(&line)?;
        let channel = Endpoint::from_shared(format!("http://{addr}"))
            .map_err(|e| e.to_string())?
            .connect()
            .await
            .map_err(|e| format!("connecting to {addr}: {e}"))?;
        let client = ProviderClient::new(channel.clone());
        Ok(Self {
            child,
            channel,
            client,
        })
    }

    /// The connection, for clients of go-plugin's services (controller, stdio, broker).
    pub fn channel(&self) -> Channel {
        self.channel.clone()
    }

    /// Waits for the process to exit by itself, at most `within`.
    pub async fn wait_exit(&mut self, within: Duration) -> Result<std::process::ExitStatus, String> {
        tokio::time::timeout(within, self.child.wait())
            .await
            .map_err(|_| format!("still running after {within:?}"))?
            .map_err(|e| format!("waiting for the provider: {e}"))
    }

    /// Kills the process.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// Extracts `127.0.0.1:PORT` from `1|6|tcp|127.0.0.1:PORT|grpc|`.
pub fn parse_handshake(line: &str) -> Result<String, String> {
    let parts: Vec<&str> = line.trim().split('|').collect();
    match parts.as_slice() {
        ["1", "6", "tcp", addr, "grpc", ..] => Ok(addr.to_string()),
        _ => Err(format!("unexpected handshake line {line:?}")),
    }
}

/// The server certificate of an AutoMTLS handshake line, `1|6|tcp|ADDR|grpc|CERT`: go-plugin's
/// last field is the certificate's DER in unpadded standard base64.
pub fn handshake_server_cert(line: &str) -> Result<Vec<u8>, String> {
    use base64::Engine;
    let cert = line.trim().rsplit('|').next().unwrap_or_default();
    if cert.is_empty() {
        return Err(format!("no server certificate in the handshake line {line:?}"));
    }
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(cert)
        .map_err(|e| format!("the handshake's server certificate is not base64: {e}"))
}

/// A provider started the way Terraform starts it with AutoMTLS: `PLUGIN_CLIENT_CERT` holds a
/// client certificate made like go-plugin's (self-signed, a CA, `localhost`); the process dies
/// with this value.
pub struct AutoMtlsProcess {
    child: Child,
    /// `127.0.0.1:PORT` from the handshake line.
    pub addr: String,
    /// The server certificate (DER) from the handshake line.
    pub server_cert: Vec<u8>,
    client: ClientIdentity,
}

/// How a test client connects to an [`AutoMtlsProcess`].
#[derive(Clone, Copy, Debug)]
pub enum MtlsClient {
    /// TLS, presenting the certificate passed in `PLUGIN_CLIENT_CERT` (what Terraform does).
    WithTheCert,
    /// TLS, presenting another certificate with the same subject and another key.
    WithAnotherCert,
    /// TLS, presenting the certificate passed in `PLUGIN_CLIENT_CERT` but signing the handshake
    /// with another key (a client that copied the certificate without its key).
    WithTheCertButAnotherKey,
    /// TLS without a client certificate.
    WithoutCert,
    /// Plain-text HTTP/2.
    Plaintext,
}

struct ClientIdentity {
    cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl ClientIdentity {
    /// A certificate like go-plugin's `generateCert` (P-256 rather than its P-521, which ring,
    /// the test client's backend, cannot sign with; real Terraform runs cover P-521).
    fn generate() -> Result<(Self, String), String> {
        let mut params =
            rcgen::CertificateParams::new(["localhost".to_string()]).map_err(|e| e.to_string())?;
        let mut dn = rcgen::DistinguishedName::new();
        dn.push(rcgen::DnType::OrganizationName, "HashiCorp");
        dn.push(rcgen::DnType::CommonName, "localhost");
        params.distinguished_name = dn;
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        ];
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| e.to_string())?;
        let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
        let pem = cert.pem();
        Ok((
            Self {
                cert: cert.der().clone(),
                key: PrivatePkcs8KeyDer::from(key.serialize_der()),
            },
            pem,
        ))
    }
}

/// A `PLUGIN_CLIENT_CERT` value made like go-plugin's (PEM), for starting a provider with
/// AutoMTLS without connecting to it.
pub fn go_plugin_client_cert_pem() -> Result<String, String> {
    ClientIdentity::generate().map(|(_, pem)| pem)
}

impl AutoMtlsProcess {
    /// Starts `binary` with a fresh client certificate in `PLUGIN_CLIENT_CERT` and reads its
    /// handshake line; no connection is made yet.
    pub async fn start(binary: &Path) -> Result<Self, String> {
        let (client, pem) = ClientIdentity::generate()?;
        let (child, line) = launch(binary, &[], Some(&pem)).await?;
        let addr = parse_handshake(&line)?;
        let server_cert = handshake_server_cert(&line)?;
        Ok(Self {
            child,
            addr,
            server_cert,
            client,
        })
    }

    /// A client connected as `how` says. With TLS 1.3 the server refuses a client certificate
    /// after the client has finished its side of the handshake, so a refusal may show only at
    /// the first call: callers judge by a call.
    pub async fn connect(&self, how: MtlsClient) -> Result<ProviderClient<Channel>, String> {
        let endpoint = Endpoint::from_shared(format!("http://{}", self.addr))
            .map_err(|e| e.to_string())?
            .connect_timeout(Duration::from_secs(10));
        let identity = match how {
            MtlsClient::Plaintext => {
                let channel = endpoint.connect().await.map_err(|e| format!("connecting: {e}"))?;
                return Ok(ProviderClient::new(channel));
            }
            MtlsClient::WithTheCert => Some((self.client.cert.clone(), self.client.key.clone_key())),
            MtlsClient::WithAnotherCert => {
                let (other, _) = ClientIdentity::generate()?;
                Some((other.cert, other.key))
            }
            MtlsClient::WithTheCertButAnotherKey => {
                let (other, _) = ClientIdentity::generate()?;
                Some((self.client.cert.clone(), other.key))
            }
            MtlsClient::WithoutCert => None,
        };
        let config = Arc::new(client_tls_config(self.server_cert.clone(), identity)?);
        let addr = self.addr.clone();
        let connector = tower::service_fn(move |_: tonic::transport::Uri| {
            let (config, addr) = (config.clone(), addr.clone());
            async move {
                let tcp = tokio::net::TcpStream::connect(&addr).await?;
                let name = ServerName::try_from("localhost").map_err(std::io::Error::other)?;
                let tls = TlsConnector::from(config).connect(name, tcp).await?;
                Ok::<_, std::io::Error>(TokioIo::new(tls))
            }
        });
        let channel = endpoint
            .connect_with_connector(connector)
            .await
            .map_err(|e| format!("connecting: {e:?}"))?;
        Ok(ProviderClient::new(channel))
    }

    /// Kills the process.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

fn client_tls_config(
    server_cert: Vec<u8>,
    identity: Option<(CertificateDer<'static>, PrivatePkcs8KeyDer<'static>)>,
) -> Result<ClientConfig, String> {
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServerCert {
            cert: CertificateDer::from(server_cert),
            algorithms: provider.signature_verification_algorithms,
        }));
    // A resolver rather than `with_client_auth_cert`, which refuses a key that does not match
    // the certificate: the test client must be able to present exactly that.
    let mut config = match identity {
        Some((cert, key)) => {
            let signing = provider
                .key_provider
                .load_private_key(key.into())
                .map_err(|e| e.to_string())?;
            builder.with_client_cert_resolver(Arc::new(FixedClientCert(Arc::new(CertifiedKey::new(
                vec![cert],
                signing,
            )))))
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

/// Always presents the one certificate and key it holds.
#[derive(Debug)]
struct FixedClientCert(Arc<CertifiedKey>);

impl ResolvesClientCert for FixedClientCert {
    fn resolve(&self, _hints: &[&[u8]], _schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// Trusts exactly the server certificate of the handshake line, as go-plugin's client does
/// (it is a self-signed CA certificate, which webpki refuses as an end entity).
#[derive(Debug)]
struct PinnedServerCert {
    cert: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedServerCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, tokio_rustls::rustls::Error> {
        if end_entity.as_ref() == self.cert.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(tokio_rustls::rustls::Error::InvalidCertificate(
                tokio_rustls::rustls::CertificateError::UnknownIssuer,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Encodes JSON as a msgpack DynamicValue (objects as maps, the way Terraform sends them).
pub fn dynamic(value: &serde_json::Value) -> DynamicValue {
    let mut buf = Vec::new();
    rmpv::encode::write_value(&mut buf, &to_msgpack(value)).expect("writing to a Vec cannot fail");
    DynamicValue {
        msgpack: buf,
        json: Vec::new(),
    }
}

/// An unknown value, as Terraform encodes it (msgpack ext type 0).
pub fn unknown() -> rmpv::Value {
    rmpv::Value::Ext(0, vec![0])
}

fn to_msgpack(v: &serde_json::Value) -> rmpv::Value {
    match v {
        serde_json::Value::Null => rmpv::Value::Nil,
        serde_json::Value::Bool(b) => rmpv::Value::Boolean(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => rmpv::Value::from(i),
            None => rmpv::Value::F64(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) if s == UNKNOWN => unknown(),
        serde_json::Value::String(s) => rmpv::Value::from(s.as_str()),
        serde_json::Value::Array(a) => rmpv::Value::Array(a.iter().map(to_msgpack).collect()),
        serde_json::Value::Object(m) => rmpv::Value::Map(
            m.iter()
                .map(|(k, v)| (rmpv::Value::from(k.as_str()), to_msgpack(v)))
                .collect(),
        ),
    }
}

/// Decodes a DynamicValue to JSON; unknown values become the string [`UNKNOWN`].
pub fn decode(v: &DynamicValue) -> Result<serde_json::Value, String> {
    if !v.json.is_empty() {
        return serde_json::from_slice(&v.json).map_err(|e| e.to_string());
    }
    let mp =
        rmpv::decode::read_value(&mut v.msgpack.as_slice()).map_err(|e| format!("decoding msgpack: {e}"))?;
    Ok(from_msgpack(mp))
}

fn from_msgpack(v: rmpv::Value) -> serde_json::Value {
    match v {
        rmpv::Value::Nil => serde_json::Value::Null,
        rmpv::Value::Boolean(b) => b.into(),
        rmpv::Value::Integer(i) => i
            .as_i64()
            .map(Into::into)
            .unwrap_or_else(|| i.as_u64().unwrap_or(0).into()),
        rmpv::Value::F32(f) => f64::from(f).into(),
        rmpv::Value::F64(f) => f.into(),
        rmpv::Value::String(s) => s.into_str().unwrap_or_default().into(),
        rmpv::Value::Binary(b) => String::from_utf8_lossy(&b).into_owned().into(),
        rmpv::Value::Array(a) => serde_json::Value::Array(a.into_iter().map(from_msgpack).collect()),
        rmpv::Value::Map(m) => serde_json::Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    (
                        k.as_str().map(str::to_string).unwrap_or_else(|| k.to_string()),
                        from_msgpack(v),
                    )
                })
                .collect(),
        ),
        rmpv::Value::Ext(..) => UNKNOWN.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_lines() {
        assert_eq!(
            parse_handshake("1|6|tcp|127.0.0.1:1025|grpc|\n").unwrap(),
            "127.0.0.1:1025"
        );
        assert!(parse_handshake("1|5|unix|/tmp/x|grpc|").is_err());
    }

    #[test]
    fn msgpack_round_trip_keeps_unknowns() {
        let v = serde_json::json!({"a": [1, "x", null, true], "b": UNKNOWN});
        assert_eq!(decode(&dynamic(&v)).unwrap(), v);
    }
}
