//! Client assertions checked as Entra checks them. A self-issued assertion (`iss` = `sub` = the
//! client, or an `x5t` header) is a certificate credential: it must name a certificate
//! registered for the client by its thumbprint, carry a valid RS256 (or PS256) signature from
//! it, be addressed to the token endpoint and be within its lifetime. Anything else is a
//! federated (OIDC) token, which the emulator cannot verify and accepts as before.
//!
//! It also plays Azure Pipelines' OIDC endpoint (`SYSTEM_OIDCREQUESTURI`, Azure DevOps REST
//! "Oidctoken - Create": `POST https://dev.azure.com/{organization}/{project}/_apis/distributedtask/hubs/{hub}/plans/{plan}/jobs/{job}/oidctoken?serviceConnectionId={id}&api-version=7.1`,
//! answering `TaskHubOidcToken` `{"oidcToken": "..."}`), see [`ado_oidc_token`].

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use rustls::pki_types::CertificateDer;
use serde_json::Value;

/// Entra tolerates this much clock skew on `nbf` and `exp`.
const SKEW_SECS: i64 = 300;

/// Why an assertion is refused: the OAuth `error` and its `error_description`.
pub(crate) type Refusal = (&'static str, String);

fn b64(alphabet: &base64::alphabet::Alphabet, s: &str) -> Option<Vec<u8>> {
    let config = GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    GeneralPurpose::new(alphabet, config).decode(s).ok()
}

/// `x5t` values are base64url by RFC 7515; azure_identity sends standard base64, which Entra
/// also accepts.
fn thumbprint(s: &str) -> Option<Vec<u8>> {
    b64(&base64::alphabet::URL_SAFE, s).or_else(|| b64(&base64::alphabet::STANDARD, s))
}

fn malformed(what: &str) -> Refusal {
    (
        "invalid_request",
        format!("AADSTS50027: JWT token is invalid or malformed: {what}."),
    )
}

/// Checks `assertion` for `client_id` at the token endpoint `audience`, against the DER
/// certificates registered for that client.
pub(crate) fn check_assertion(
    assertion: &str,
    client_id: &str,
    audience: &str,
    certificates: &[Vec<u8>],
) -> Result<(), Refusal> {
    let parts: Vec<&str> = assertion.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err(malformed("it must have three parts"));
    };
    let json = |part: &str| -> Option<Value> {
        serde_json::from_slice(&b64(&base64::alphabet::URL_SAFE, part)?).ok()
    };
    let (Some(header), Some(claims)) = (json(header), json(claims)) else {
        return Err(malformed("the header and claims must be base64url JSON"));
    };
    let claim = |name: &str| claims.get(name).and_then(Value::as_str);
    let x5t = header.get("x5t").and_then(Value::as_str);
    let x5t_s256 = header.get("x5t#S256").and_then(Value::as_str);
    let self_issued = claim("iss") == Some(client_id) || x5t.is_some() || x5t_s256.is_some();
    if !self_issued {
        return Ok(());
    }
    if claim("iss") != Some(client_id) || claim("sub") != Some(client_id) {
        return Err((
            "invalid_client",
            format!("The client assertion's iss and sub must both be the client id {client_id}."),
        ));
    }
    // Which certificate: SHA-256 thumbprint when given, else SHA-1.
    let (wanted, digest) = match (x5t_s256, x5t) {
        (Some(t), _) => (thumbprint(t), &ring::digest::SHA256),
        (None, Some(t)) => (thumbprint(t), &ring::digest::SHA1_FOR_LEGACY_USE_ONLY),
        (None, None) => return Err(malformed("a certificate assertion needs an x5t header")),
    };
    let cert = certificates
        .iter()
        .find(|der| wanted.as_deref() == Some(ring::digest::digest(digest, der).as_ref()))
        .ok_or_else(|| {
            ("invalid_client", format!("AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application {client_id}."))
        })?;
    let algorithm = match header.get("alg").and_then(Value::as_str) {
        Some("RS256") => webpki::ring::RSA_PKCS1_2048_8192_SHA256,
        Some("PS256") => webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        _ => return Err(malformed("alg must be RS256 or PS256")),
    };
    let signed = &assertion[..assertion.rfind('.').unwrap_or(0)];
    let verified = b64(&base64::alphabet::URL_SAFE, signature).is_some_and(|sig| {
        let der = CertificateDer::from(cert.as_slice());
        webpki::EndEntityCert::try_from(&der)
            .is_ok_and(|c| c.verify_signature(algorithm, signed.as_bytes(), &sig).is_ok())
    });
    if !verified {
        return Err((
            "invalid_client",
            "AADSTS700027: Client assertion failed signature validation.".into(),
        ));
    }
    if claim("aud") != Some(audience) {
        return Err((
            "invalid_client",
            format!("The client assertion's audience (aud) must be the token endpoint {audience}."),
        ));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let exp = claims.get("exp").and_then(Value::as_i64);
    let nbf = claims.get("nbf").and_then(Value::as_i64).unwrap_or(i64::MIN);
    if exp.is_none_or(|exp| exp + SKEW_SECS < now) || nbf - SKEW_SECS > now {
        return Err((
            "invalid_client",
            "AADSTS700024: Client assertion is not within its valid time range.".into(),
        ));
    }
    Ok(())
}

/// A certificate to register: base64 DER, or PEM.
pub(crate) fn parse_certificate(text: &str) -> Option<Vec<u8>> {
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    let der = STANDARD.decode(body.trim()).ok()?;
    let cert = CertificateDer::from(der.as_slice());
    webpki::EndEntityCert::try_from(&cert).ok()?;
    Some(der)
}

/// The job access token (`$(System.AccessToken)`) the emulator's Azure Pipelines accepts.
pub const SAMPLE_ADO_ACCESS_TOKEN: &str = "emulator-ado-job-access-token";
/// The one service connection (workload identity federation) the emulator's pipeline has.
pub const SAMPLE_SERVICE_CONNECTION: &str = "00000000-0000-0000-0000-0000000000dd";

/// `SYSTEM_OIDCREQUESTURI` for a job of the emulator at `base` (`https://host:port`).
pub fn ado_oidc_request_uri(base: &str) -> String {
    format!("{base}/aksnet-org/00000000-0000-0000-0000-0000000000ee/_apis/distributedtask/hubs/build/plans/00000000-0000-0000-0000-000000000001/jobs/00000000-0000-0000-0000-000000000002/oidctoken")
}

/// True for a request path Azure Pipelines' OIDC endpoint serves.
pub(crate) fn is_ado_oidc_path(path: &str) -> bool {
    path.contains("/_apis/distributedtask/hubs/") && path.ends_with("/oidctoken")
}

/// Azure DevOps' error body: `message` and `typeKey`, as its REST API answers.
fn ado_error(status: u16, type_key: &str, message: String) -> (u16, Value) {
    (
        status,
        serde_json::json!({"$id": "1", "innerException": null, "message": message, "typeKey": type_key, "errorCode": 0, "eventId": 3000}),
    )
}

/// Answers `POST .../oidctoken` as Azure DevOps does: `api-version` is required, the bearer
/// must be the job's access token, and the service connection must exist; then an ID token for
/// the connection (issuer `https://vstoken.dev.azure.com/{organization id}`, subject
/// `sc://{organization}/{project}/{connection}`, audience `api://AzureADTokenExchange`, the
/// claims Microsoft Learn's workload identity federation page lists). `nonce` makes each token
/// unique. Returns the status and JSON body.
pub(crate) fn ado_oidc_token(query: &str, authorization: Option<&str>, nonce: &str) -> (u16, Value) {
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| {
                kv.split_once('=')
                    .filter(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            })
            .filter(|v| !v.is_empty())
    };
    if param("api-version").is_none() {
        return ado_error(400, "VssVersionNotSpecifiedException", "No api-version was supplied for the \"POST\" request. The version must be supplied either as part of the Accept header (e.g. \"application/json; api-version=1.0\") or as a query parameter (e.g. \"?api-version=1.0\").".into());
    }
    if authorization.and_then(|a| a.strip_prefix("Bearer ")) != Some(SAMPLE_ADO_ACCESS_TOKEN) {
        return ado_error(
            401,
            "UnauthorizedRequestException",
            "TF400813: The user '' is not authorized to access this resource.".into(),
        );
    }
    match param("serviceConnectionId") {
        Some(id) if id == SAMPLE_SERVICE_CONNECTION => {}
        Some(id) => {
            return ado_error(404, "ServiceEndpointNotFoundException", format!("No service connection found with identifier {id}. Please verify the service connection exists and the pipeline is authorized to use it."));
        }
        None => {
            return ado_error(
                400,
                "ArgumentNullException",
                "Value cannot be null. Parameter name: serviceConnectionId".into(),
            );
        }
    }
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": nonce});
    let claims = serde_json::json!({
        "iss": "https://vstoken.dev.azure.com/00000000-0000-0000-0000-0000000000ff",
        "sub": "sc://aksnet-org/aksnet-project/aksnet-connection",
        "aud": "api://AzureADTokenExchange",
        "jti": nonce,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    });
    let token = format!(
        "{}.{}.{}",
        url.encode(header.to_string()),
        url.encode(claims.to_string()),
        url.encode(format!("emulator-ado-signature-{nonce}"))
    );
    (200, serde_json::json!({"oidcToken": token}))
}
