//! OAuth 2.0 authorization code grant with PKCE for a public client in the browser, as pure
//! functions: no IO, no clock, no random source (random bytes and times come in as arguments),
//! so every rule is tested natively. The `connectors` layer does the requests.
//!
//! Sources:
//! - RFC 6749 (OAuth 2.0): §4.1 authorization code grant, §4.1.2.1 error redirect, §5.1 token
//!   response, §5.2 error response, §6 refresh.
//! - RFC 7636 (PKCE): `code_verifier` = 43–128 unreserved characters (§4.1; here 32 random bytes
//!   in base64url = 43 characters), `code_challenge = BASE64URL(SHA256(ASCII(code_verifier)))`
//!   (§4.2, method `S256`); Appendix B is the test vector.
//! - RFC 7009 (revocation): `token` and `token_type_hint`, form-encoded.
//! - RFC 8414 / OpenID Connect Discovery 1.0: the metadata document, tried in the order of
//!   [`discovery_urls`] (an issuer with a path: RFC 8414 §3.1's `/.well-known/oauth-authorization-server`
//!   inserted before the path, then OIDC's `{issuer}/.well-known/openid-configuration`; without a
//!   path, OIDC's first); its `issuer` must equal the issuer asked for.
//! - OpenID Connect Core 1.0 §3.1.3.7: an ID token that comes with the token answer is checked —
//!   `iss` is the issuer, `aud` contains the client id (and `azp` is it when there are several
//!   audiences), `exp` is not past, `nonce` is the attempt's. Its signature is not verified: a
//!   public client that receives the ID token straight from the token endpoint over TLS may rely
//!   on TLS for its origin instead (§3.1.3.7 item 6), and this app uses the ID token for nothing
//!   but these checks (the reports are read with the access token).
//! - OAuth 2.0 for Browser-Based Applications: no implicit grant, tokens only in memory; only the
//!   attempt in flight ([`Attempt`]: state, verifier, nonce, redirect URI) survives the redirect,
//!   and for at most [`ATTEMPT_TTL_MS`].

use refleqt_engine::percent::{percent_decode, percent_encode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use thiserror::Error;

/// How long an attempt may wait for the user to come back from the server: ten minutes.
pub const ATTEMPT_TTL_MS: i64 = 10 * 60 * 1000;
/// Random bytes behind a verifier, a state or a nonce (RFC 7636 §7.1 asks for 32).
pub const RANDOM_BYTES: usize = 32;
/// An access token is treated as expired this long before the server's `expires_in` ends.
pub const EXPIRY_MARGIN_MS: i64 = 30_000;

/// base64url without padding (RFC 4648 §5), as PKCE and random tokens use it.
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

/// Decode base64url without padding (RFC 4648 §5); `None` for any other character.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The S256 code challenge of a verifier (RFC 7636 §4.2).
pub fn s256_challenge(verifier: &str) -> String {
    base64url(&Sha256::digest(verifier.as_bytes()))
}

/// A one-time random value (state, nonce, verifier) from at least [`RANDOM_BYTES`] random bytes.
pub fn random_token(random: &[u8]) -> Result<String, OAuthError> {
    if random.len() < RANDOM_BYTES {
        return Err(OAuthError::Internal(format!(
            "{} random bytes are too few for a one-time value (at least {RANDOM_BYTES})",
            random.len()
        )));
    }
    Ok(base64url(random))
}

/// Where a connection's server takes the user, trades codes for tokens and revokes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Endpoints {
    /// The issuer, when known (discovery); checked against the metadata's `issuer`.
    pub issuer: String,
    pub authorization: String,
    pub token: String,
    /// RFC 7009; empty when the server has none (Disconnect then only forgets the token).
    pub revocation: String,
    /// OpenID Connect: ask for and check a `nonce`.
    pub openid: bool,
}

/// Where the metadata document of an issuer may live, in the order to try: for an issuer with a
/// path, RFC 8414 §3.1 (the well-known part inserted between host and path, the path's final `/`
/// removed) and then OpenID Connect Discovery §4 (appended); without a path, OIDC first, then
/// RFC 8414.
pub fn discovery_urls(issuer: &str) -> Vec<String> {
    let issuer = issuer.trim().trim_end_matches('/');
    let oidc = format!("{issuer}/.well-known/openid-configuration");
    let (origin, path) = match issuer.split_once("://") {
        Some((scheme, rest)) => match rest.find('/') {
            Some(i) => (format!("{scheme}://{}", &rest[..i]), &rest[i..]),
            None => (issuer.to_owned(), ""),
        },
        None => (issuer.to_owned(), ""),
    };
    let rfc8414 = format!("{origin}/.well-known/oauth-authorization-server{path}");
    if path.is_empty() {
        vec![oidc, rfc8414]
    } else {
        vec![rfc8414, oidc]
    }
}

fn https_or_loopback(url: &str) -> bool {
    url.starts_with("https://")
        || url.starts_with("http://127.0.0.1")
        || url.starts_with("http://localhost")
        || url.starts_with("http://[::1]")
}

/// Read a discovery document (RFC 8414 §3.2 / OIDC Discovery §4.2) for `issuer`.
pub fn parse_discovery(issuer: &str, body: &str) -> Result<Endpoints, OAuthError> {
    let bad = |why: &str| OAuthError::Discovery(why.to_owned());
    let v: Value =
        serde_json::from_str(body).map_err(|_| bad("its metadata document is not JSON"))?;
    let text = |key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_owned();
    let found = text("issuer");
    if found.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(bad(&format!(
            "it says it is \u{201c}{found}\u{201d}, not \u{201c}{issuer}\u{201d}"
        )));
    }
    let authorization = text("authorization_endpoint");
    let token = text("token_endpoint");
    if authorization.is_empty() || token.is_empty() {
        return Err(bad("it names no authorization or token endpoint"));
    }
    for url in [&authorization, &token] {
        if !https_or_loopback(url) {
            return Err(bad(&format!("{url} is not an https address")));
        }
    }
    if let Some(methods) = v
        .get("code_challenge_methods_supported")
        .and_then(Value::as_array)
    {
        if !methods.iter().any(|m| m.as_str() == Some("S256")) {
            return Err(bad("it does not support PKCE with S256"));
        }
    }
    let openid = v
        .get("scopes_supported")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|x| x.as_str() == Some("openid")));
    Ok(Endpoints {
        issuer: found,
        authorization,
        token,
        revocation: text("revocation_endpoint"),
        openid,
    })
}

/// One Connect in flight: what must survive the trip to the server and back (sessionStorage),
/// and nothing else. Deleted on use; refused after [`ATTEMPT_TTL_MS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub connection_id: u64,
    pub state: String,
    pub verifier: String,
    pub nonce: Option<String>,
    pub redirect_uri: String,
    /// The token endpoint the code goes to (fixed when the attempt starts).
    pub endpoints: Endpoints,
    pub client_id: String,
    pub created_ms: i64,
}

impl Attempt {
    /// A new attempt from three sets of random bytes (verifier, state, nonce).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        connection_id: u64,
        endpoints: Endpoints,
        client_id: &str,
        redirect_uri: &str,
        random: [&[u8]; 3],
        now_ms: i64,
    ) -> Result<Attempt, OAuthError> {
        let [v, s, n] = random;
        Ok(Attempt {
            connection_id,
            verifier: random_token(v)?,
            state: random_token(s)?,
            nonce: if endpoints.openid {
                Some(random_token(n)?)
            } else {
                None
            },
            redirect_uri: redirect_uri.to_owned(),
            endpoints,
            client_id: client_id.to_owned(),
            created_ms: now_ms,
        })
    }

    /// The authorization request URL (RFC 6749 §4.1.1 with RFC 7636 §4.3).
    pub fn authorize_url(&self, scopes: &str) -> String {
        let mut params = vec![
            ("response_type", "code".to_owned()),
            ("client_id", self.client_id.clone()),
            ("redirect_uri", self.redirect_uri.clone()),
            ("state", self.state.clone()),
            ("code_challenge", s256_challenge(&self.verifier)),
            ("code_challenge_method", "S256".to_owned()),
        ];
        let scopes = scopes.split_whitespace().collect::<Vec<_>>().join(" ");
        if !scopes.is_empty() {
            params.push(("scope", scopes));
        }
        if let Some(n) = &self.nonce {
            params.push(("nonce", n.clone()));
        }
        if scopes_include(&params, "offline_access") {
            // OpenID Connect Core §11: a refresh token for offline access needs consent.
            params.push(("prompt", "consent".to_owned()));
        }
        let sep = if self.endpoints.authorization.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{sep}{}", self.endpoints.authorization, form(&params))
    }

    /// Check what came back against this attempt: same state, not expired, no error.
    pub fn check(&self, back: &Return, now_ms: i64) -> Result<String, OAuthError> {
        if now_ms - self.created_ms > ATTEMPT_TTL_MS || now_ms < self.created_ms {
            return Err(OAuthError::AttemptExpired);
        }
        let state = match back {
            Return::Code { state, .. } | Return::Error { state, .. } => state,
        };
        if state.as_deref() != Some(self.state.as_str()) {
            return Err(OAuthError::StateMismatch);
        }
        match back {
            Return::Code { code, .. } => Ok(code.clone()),
            Return::Error {
                error, description, ..
            } => Err(OAuthError::from_code(error, description.as_deref())),
        }
    }

    /// Check the ID token of the token answer, when there is one (OpenID Connect Core §3.1.3.7:
    /// `iss`, `aud`/`azp`, `exp`, and `nonce` against this attempt). No signature check: the
    /// token came straight from the token endpoint over TLS (see the module's sources).
    pub fn check_id_token(&self, id_token: Option<&str>, now_ms: i64) -> Result<(), OAuthError> {
        let Some(jwt) = id_token else {
            return Ok(());
        };
        let bad = |why: &str| OAuthError::IdToken(why.to_owned());
        let mut parts = jwt.split('.');
        let payload = match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(_), Some(p), Some(_), None) => p,
            _ => return Err(bad("it is not a signed token")),
        };
        let claims: Value = base64url_decode(payload)
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| bad("its contents cannot be read"))?;
        let text = |k: &str| claims.get(k).and_then(Value::as_str);
        let issuer = self.endpoints.issuer.trim_end_matches('/');
        if !issuer.is_empty() && text("iss").map(|i| i.trim_end_matches('/')) != Some(issuer) {
            return Err(bad("it was issued by another server"));
        }
        let audiences: Vec<&str> = match claims.get("aud") {
            Some(Value::String(a)) => vec![a.as_str()],
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !audiences.contains(&self.client_id.as_str()) {
            return Err(bad("it was issued to another app"));
        }
        if audiences.len() > 1 && text("azp") != Some(self.client_id.as_str()) {
            return Err(bad("it was issued to another app"));
        }
        match claims.get("exp").and_then(Value::as_f64) {
            Some(exp) if exp * 1000.0 > now_ms as f64 => {}
            Some(_) => return Err(bad("it has expired")),
            None => return Err(bad("it has no expiry")),
        }
        if let Some(nonce) = &self.nonce {
            if text("nonce") != Some(nonce.as_str()) {
                return Err(bad("it was not made for this Connect attempt"));
            }
        }
        Ok(())
    }

    /// The token request trading `code` for tokens (RFC 6749 §4.1.3, RFC 7636 §4.5).
    pub fn token_request(&self, code: &str) -> String {
        form(&[
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", self.redirect_uri.clone()),
            ("client_id", self.client_id.clone()),
            ("code_verifier", self.verifier.clone()),
        ])
    }
}

fn scopes_include(params: &[(&str, String)], scope: &str) -> bool {
    params
        .iter()
        .any(|(k, v)| *k == "scope" && v.split(' ').any(|s| s == scope))
}

/// `application/x-www-form-urlencoded` (unreserved characters kept, everything else escaped).
pub fn form(params: &[(&str, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// What the server put on the redirect URI's query (RFC 6749 §4.1.2 and §4.1.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Return {
    Code {
        code: String,
        state: Option<String>,
    },
    Error {
        error: String,
        description: Option<String>,
        state: Option<String>,
    },
}

impl Return {
    /// Read `location.search` (`?code=…&state=…`); `None` when it carries neither code nor error.
    pub fn from_query(search: &str) -> Option<Return> {
        let mut code = None;
        let mut state = None;
        let mut error = None;
        let mut description = None;
        for pair in search.trim_start_matches('?').split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = percent_decode(v);
            match k {
                "code" => code = Some(v),
                "state" => state = Some(v),
                "error" => error = Some(v),
                "error_description" => description = Some(v),
                _ => {}
            }
        }
        match (error, code) {
            (Some(error), _) => Some(Return::Error {
                error,
                description,
                state,
            }),
            (None, Some(code)) => Some(Return::Code { code, state }),
            (None, None) => None,
        }
    }
}

/// Tokens of a connection. Lives in memory only; never serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    /// When the access token expires (ms since the epoch), from `expires_in`.
    pub expires_at_ms: Option<i64>,
    pub scope: Option<String>,
    /// OpenID Connect: the ID token of the code exchange (checked, then not used).
    pub id_token: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never a token in a log line or a panic message.
        f.debug_struct("Tokens")
            .field("refresh_token", &self.refresh_token.is_some())
            .field("expires_at_ms", &self.expires_at_ms)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    /// Whether the access token should not be used any more at `now_ms`.
    pub fn expired(&self, now_ms: i64) -> bool {
        self.expires_at_ms
            .is_some_and(|t| now_ms + EXPIRY_MARGIN_MS >= t)
    }
}

/// Read a token endpoint's answer (RFC 6749 §5.1, or §5.2 for an error). A refresh answer
/// without a new refresh token keeps `previous_refresh` (rotation: a new one replaces it).
pub fn parse_token_response(
    status: u16,
    body: &str,
    now_ms: i64,
    previous_refresh: Option<&str>,
) -> Result<Tokens, OAuthError> {
    let v: Value = serde_json::from_str(body).map_err(|_| OAuthError::BadResponse {
        status,
        what: "an answer that is not JSON".to_owned(),
    })?;
    if let Some(error) = v.get("error").and_then(Value::as_str) {
        return Err(OAuthError::from_code(
            error,
            v.get("error_description").and_then(Value::as_str),
        ));
    }
    if !(200..300).contains(&status) {
        return Err(OAuthError::BadResponse {
            status,
            what: "an error without a reason".to_owned(),
        });
    }
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    let Some(access_token) = text("access_token").filter(|t| !t.is_empty()) else {
        return Err(OAuthError::BadResponse {
            status,
            what: "no access token".to_owned(),
        });
    };
    let token_type = text("token_type").unwrap_or_default();
    if !token_type.eq_ignore_ascii_case("bearer") {
        return Err(OAuthError::BadResponse {
            status,
            what: format!("a token of type \u{201c}{token_type}\u{201d} instead of Bearer"),
        });
    }
    let expires_at_ms = v
        .get("expires_in")
        .and_then(Value::as_f64)
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|s| now_ms + (s * 1000.0) as i64);
    Ok(Tokens {
        access_token,
        refresh_token: text("refresh_token").or_else(|| previous_refresh.map(str::to_owned)),
        expires_at_ms,
        scope: text("scope"),
        id_token: text("id_token"),
    })
}

/// The refresh request (RFC 6749 §6).
pub fn refresh_request(refresh_token: &str, client_id: &str) -> String {
    form(&[
        ("grant_type", "refresh_token".to_owned()),
        ("refresh_token", refresh_token.to_owned()),
        ("client_id", client_id.to_owned()),
    ])
}

/// The revocation request of one token (RFC 7009 §2.1).
pub fn revocation_request(token: &str, refresh: bool, client_id: &str) -> String {
    let hint = if refresh {
        "refresh_token"
    } else {
        "access_token"
    };
    form(&[
        ("token", token.to_owned()),
        ("token_type_hint", hint.to_owned()),
        ("client_id", client_id.to_owned()),
    ])
}

/// What went wrong while connecting, in words a marketer understands (`Display`), with what to do.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OAuthError {
    #[error("You declined access on the provider's page, so nothing was connected. Connect again and choose Allow if you want the app to read your reports.")]
    AccessDenied,
    #[error("The answer from the sign-in page did not belong to this Connect attempt (it may have been replayed or tampered with), so it was refused and nothing was connected. Press Connect again.")]
    StateMismatch,
    #[error("This sign-in took longer than ten minutes or was already used, so it was refused. Press Connect again.")]
    AttemptExpired,
    #[error("The provider refused the sign-in code: it was already used or has expired (codes work once, for a short time). Press Connect again.")]
    InvalidGrant,
    #[error("The provider does not know this client id, or does not allow it to sign in from a browser. Check the client id and that the app is registered as a public client (no secret) with PKCE.")]
    InvalidClient,
    #[error("The provider refused the requested permissions (scopes). Check the scopes of this connection.")]
    InvalidScope,
    #[error("The provider refused to connect: {0}.")]
    Refused(String),
    #[error("The provider's address could not be used: {0}. Check the issuer address, or type the endpoints in.")]
    Discovery(String),
    #[error("The provider answered with {what} (HTTP {status}). Try again later; if it persists, check the connection's endpoints.")]
    BadResponse { status: u16, what: String },
    #[error("The provider's sign-in answer did not check out ({0}), so nothing was connected. Press Connect again; if it repeats, check the connection's issuer and client id.")]
    IdToken(String),
    #[error("Something went wrong inside the app: {0}")]
    Internal(String),
}

impl OAuthError {
    /// An RFC 6749 error code (§4.1.2.1, §5.2) as a typed error.
    pub fn from_code(code: &str, description: Option<&str>) -> OAuthError {
        match code {
            "access_denied" => OAuthError::AccessDenied,
            "invalid_grant" => OAuthError::InvalidGrant,
            "invalid_client" | "unauthorized_client" => OAuthError::InvalidClient,
            "invalid_scope" => OAuthError::InvalidScope,
            other => {
                let why = match other {
                    "temporarily_unavailable" | "server_error" => {
                        "it is having trouble right now; try again in a few minutes".to_owned()
                    }
                    "login_required" | "consent_required" | "interaction_required" => {
                        "you need to sign in and allow access again; press Connect".to_owned()
                    }
                    _ => match description {
                        Some(d) if !d.trim().is_empty() => {
                            format!("{} ({other})", d.chars().take(200).collect::<String>())
                        }
                        _ => format!("error \u{201c}{other}\u{201d}"),
                    },
                };
                OAuthError::Refused(why)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EP: fn() -> Endpoints = || Endpoints {
        issuer: "http://127.0.0.1:4175".into(),
        authorization: "http://127.0.0.1:4175/auth".into(),
        token: "http://127.0.0.1:4175/token".into(),
        revocation: "http://127.0.0.1:4175/token/revocation".into(),
        openid: true,
    };

    fn attempt() -> Attempt {
        Attempt::new(
            7,
            EP(),
            "refleqt",
            "http://127.0.0.1:4174/refleqt/",
            [&[1u8; 32], &[2u8; 32], &[3u8; 32]],
            1_000,
        )
        .unwrap()
    }

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        // Appendix B's octets give its verifier.
        let octets = [
            116u8, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        assert_eq!(
            random_token(&octets).unwrap(),
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        );
    }

    #[test]
    fn base64url_matches_rfc4648_vectors() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url(raw.as_bytes()), enc);
        }
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn verifier_needs_32_bytes_and_is_43_unreserved_characters() {
        assert!(random_token(&[0; 31]).is_err());
        let v = random_token(&[0xab; 32]).unwrap();
        assert_eq!(v.len(), 43);
        assert!(v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }

    #[test]
    fn authorize_url_carries_pkce_state_nonce_and_exact_redirect() {
        let a = attempt();
        let url = a.authorize_url("openid  ga4:read offline_access");
        assert!(url.starts_with("http://127.0.0.1:4175/auth?response_type=code&client_id=refleqt&redirect_uri=http%3A%2F%2F127.0.0.1%3A4174%2Frefleqt%2F&state="));
        assert!(url.contains(&format!("code_challenge={}", s256_challenge(&a.verifier))));
        assert!(url.contains("code_challenge_method=S256"));
        assert!(url.contains("scope=openid%20ga4%3Aread%20offline_access"));
        assert!(url.contains(&format!("nonce={}", a.nonce.clone().unwrap())));
        assert!(url.ends_with("prompt=consent"));
        assert!(!url.contains(&a.verifier), "the verifier never leaves");
        let mut plain = a.clone();
        plain.endpoints.authorization = "https://x.example/auth?tenant=1".into();
        plain.nonce = None;
        let u = plain.authorize_url("read");
        assert!(u.starts_with("https://x.example/auth?tenant=1&response_type=code"));
        assert!(!u.contains("nonce") && !u.contains("prompt"));
    }

    #[test]
    fn return_is_checked_against_the_attempt() {
        let a = attempt();
        let ok = Return::from_query(&format!("?code=abc%2B1&state={}&iss=x", a.state)).unwrap();
        assert_eq!(a.check(&ok, 2_000), Ok("abc+1".to_owned()));
        let tampered = Return::from_query("?code=abc&state=forged").unwrap();
        assert_eq!(a.check(&tampered, 2_000), Err(OAuthError::StateMismatch));
        let missing = Return::from_query("?code=abc").unwrap();
        assert_eq!(a.check(&missing, 2_000), Err(OAuthError::StateMismatch));
        assert_eq!(
            a.check(&ok, 1_000 + ATTEMPT_TTL_MS + 1),
            Err(OAuthError::AttemptExpired)
        );
        let denied = Return::from_query(&format!(
            "error=access_denied&error_description=End-User+aborted&state={}",
            a.state
        ))
        .unwrap();
        assert_eq!(a.check(&denied, 2_000), Err(OAuthError::AccessDenied));
        assert_eq!(Return::from_query("?utm_source=x"), None);
        assert_eq!(Return::from_query(""), None);
    }

    #[test]
    fn token_request_has_the_verifier_and_exact_redirect() {
        let a = attempt();
        assert_eq!(
            a.token_request("c/1"),
            format!("grant_type=authorization_code&code=c%2F1&redirect_uri=http%3A%2F%2F127.0.0.1%3A4174%2Frefleqt%2F&client_id=refleqt&code_verifier={}", a.verifier)
        );
    }

    #[test]
    fn token_responses_and_errors() {
        let t = parse_token_response(
            200,
            r#"{"access_token":"AT","token_type":"Bearer","expires_in":3600,"refresh_token":"RT","scope":"openid"}"#,
            10,
            None,
        )
        .unwrap();
        assert_eq!(t.access_token, "AT");
        assert_eq!(t.refresh_token.as_deref(), Some("RT"));
        assert_eq!(t.expires_at_ms, Some(3_600_010));
        assert!(!t.expired(10));
        assert!(t.expired(3_600_010 - EXPIRY_MARGIN_MS));
        assert!(!format!("{t:?}").contains("AT"), "Debug hides tokens");
        // Rotation: a refresh without a new refresh token keeps the old one; with one, replaces.
        let kept = parse_token_response(
            200,
            r#"{"access_token":"A2","token_type":"bearer"}"#,
            0,
            Some("RT"),
        )
        .unwrap();
        assert_eq!(kept.refresh_token.as_deref(), Some("RT"));
        assert_eq!(kept.expires_at_ms, None);
        let rotated = parse_token_response(
            200,
            r#"{"access_token":"A3","token_type":"Bearer","refresh_token":"RT2"}"#,
            0,
            Some("RT"),
        )
        .unwrap();
        assert_eq!(rotated.refresh_token.as_deref(), Some("RT2"));
        for (status, body, want) in [
            (
                400,
                r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#,
                OAuthError::InvalidGrant,
            ),
            (
                401,
                r#"{"error":"invalid_client"}"#,
                OAuthError::InvalidClient,
            ),
            (
                400,
                r#"{"error":"invalid_scope"}"#,
                OAuthError::InvalidScope,
            ),
            (
                400,
                r#"{"error":"weird","error_description":"Nope"}"#,
                OAuthError::Refused("Nope (weird)".into()),
            ),
            (
                502,
                "<html>",
                OAuthError::BadResponse {
                    status: 502,
                    what: "an answer that is not JSON".into(),
                },
            ),
            (
                200,
                r#"{"token_type":"Bearer"}"#,
                OAuthError::BadResponse {
                    status: 200,
                    what: "no access token".into(),
                },
            ),
        ] {
            assert_eq!(parse_token_response(status, body, 0, None), Err(want));
        }
        let mac = parse_token_response(200, r#"{"access_token":"x","token_type":"mac"}"#, 0, None);
        assert!(matches!(mac, Err(OAuthError::BadResponse { .. })));
    }

    #[test]
    fn errors_read_as_sentences() {
        for e in [
            OAuthError::AccessDenied,
            OAuthError::StateMismatch,
            OAuthError::InvalidGrant,
            OAuthError::from_code("server_error", None),
        ] {
            let s = e.to_string();
            assert!(s.ends_with('.'), "{s}");
            assert!(!s.contains("invalid_") && !s.contains("_error"), "{s}");
        }
    }

    #[test]
    fn refresh_and_revocation_requests() {
        assert_eq!(
            refresh_request("r t", "app"),
            "grant_type=refresh_token&refresh_token=r%20t&client_id=app"
        );
        assert_eq!(
            revocation_request("tok", false, "app"),
            "token=tok&token_type_hint=access_token&client_id=app"
        );
        assert_eq!(
            revocation_request("tok", true, "app"),
            "token=tok&token_type_hint=refresh_token&client_id=app"
        );
    }

    #[test]
    fn discovery_checks_issuer_endpoints_and_s256() {
        let doc = r#"{"issuer":"http://127.0.0.1:4175","authorization_endpoint":"http://127.0.0.1:4175/auth",
            "token_endpoint":"http://127.0.0.1:4175/token","revocation_endpoint":"http://127.0.0.1:4175/token/revocation",
            "code_challenge_methods_supported":["S256"],"scopes_supported":["openid","offline_access"]}"#;
        assert_eq!(parse_discovery("http://127.0.0.1:4175/", doc), Ok(EP()));
        assert!(matches!(
            parse_discovery("https://other.example", doc),
            Err(OAuthError::Discovery(_))
        ));
        let plain = doc.replace("[\"S256\"]", "[\"plain\"]");
        assert!(parse_discovery("http://127.0.0.1:4175", &plain).is_err());
        let http = doc.replace(
            "http://127.0.0.1:4175/token\"",
            "http://evil.example/token\"",
        );
        assert!(parse_discovery("http://127.0.0.1:4175", &http).is_err());
        assert!(parse_discovery("http://127.0.0.1:4175", "not json").is_err());
        assert_eq!(
            discovery_urls("https://id.example/tenant/"),
            vec![
                "https://id.example/.well-known/oauth-authorization-server/tenant",
                "https://id.example/tenant/.well-known/openid-configuration",
            ]
        );
        assert_eq!(
            discovery_urls("http://127.0.0.1:4175/"),
            vec![
                "http://127.0.0.1:4175/.well-known/openid-configuration",
                "http://127.0.0.1:4175/.well-known/oauth-authorization-server",
            ]
        );
        // RFC 8414 §3.1's own example.
        assert_eq!(
            discovery_urls("https://example.com/issuer1")[0],
            "https://example.com/.well-known/oauth-authorization-server/issuer1"
        );
    }

    fn jwt(claims: &Value) -> String {
        format!(
            "{}.{}.sig",
            base64url(br#"{"alg":"RS256"}"#),
            base64url(claims.to_string().as_bytes())
        )
    }

    #[test]
    fn base64url_round_trips() {
        for bytes in [
            &b""[..],
            b"f",
            b"fo",
            b"foo",
            b"foob",
            &[0xff, 0xfe, 0x00, 0x10],
        ] {
            assert_eq!(base64url_decode(&base64url(bytes)).as_deref(), Some(bytes));
        }
        assert_eq!(base64url_decode("ab+c"), None);
    }

    #[test]
    fn id_token_checks_nonce_iss_aud_exp() {
        let a = attempt();
        let nonce = a.nonce.clone().unwrap();
        let good = serde_json::json!({"iss": "http://127.0.0.1:4175", "aud": "refleqt",
            "exp": 2_000, "iat": 1, "nonce": nonce, "sub": "m"});
        let now = 1_000_000; // ms; exp is in seconds
        assert_eq!(a.check_id_token(Some(&jwt(&good)), now), Ok(()));
        assert_eq!(
            a.check_id_token(None, now),
            Ok(()),
            "no ID token, nothing to check"
        );
        let with = |k: &str, v: Value| {
            let mut c = good.clone();
            c[k] = v;
            a.check_id_token(Some(&jwt(&c)), now)
        };
        for (k, v) in [
            ("nonce", Value::from("other")),
            ("iss", Value::from("http://127.0.0.1:9999")),
            ("aud", Value::from("someone-else")),
            ("aud", serde_json::json!(["refleqt", "other"])),
            ("exp", Value::from(999)),
            ("exp", Value::Null),
        ] {
            assert!(
                matches!(with(k, v.clone()), Err(OAuthError::IdToken(_))),
                "{k} = {v}"
            );
        }
        let mut multi = good.clone();
        multi["aud"] = serde_json::json!(["refleqt", "other"]);
        multi["azp"] = Value::from("refleqt");
        assert_eq!(a.check_id_token(Some(&jwt(&multi)), now), Ok(()));
        assert!(a.check_id_token(Some("not-a-jwt"), now).is_err());
        assert!(a.check_id_token(Some("a.!!.c"), now).is_err());
        let e = with("nonce", Value::from("x")).unwrap_err().to_string();
        assert!(e.ends_with('.') && !e.contains("nonce"), "{e}");
    }
}
