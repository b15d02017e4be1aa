//! Connectors (issue 9): the requests a connection makes, and nothing else — discovery, the code
//! exchange, refresh and revocation at the provider's endpoints (what to send and how to read the
//! answers is `model::oauth`), the report pages of a pull (`model::connection` decides what each
//! answer means), the one Connect attempt kept in sessionStorage across the redirect
//! (gloo-storage; deleted on use), the return's `code`/`state` taken off the address bar and the
//! history, and the OS random source for verifiers and state (`getrandom`, which is
//! `crypto.getRandomValues` in the browser). Called only from `state::connections`.
//!
//! API-key sources: [`key_page`] sends a request `model::api_key` built; a key is written to
//! localStorage only when the person ticks "Remember this key on this device"
//! ([`remember_key`]), and [`forget_remembered_key`] deletes it.
//!
//! Requests carry no cookies (`credentials: omit`) and are never cached (`cache: no-store`).
//! Tokens pass through here but are never stored here.

use crate::model::api_key::KeyRequest;
use crate::model::connection::PullError;
use crate::model::oauth::{
    discovery_urls, parse_discovery, parse_token_response, refresh_request, revocation_request,
    Attempt, Endpoints, OAuthError, Return, Tokens, RANDOM_BYTES,
};
use crate::web_tools;
use gloo_storage::{LocalStorage, SessionStorage, Storage};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The sessionStorage key of the attempt in flight.
const ATTEMPT_KEY: &str = "refleqt.connect.attempt";

/// One HTTP answer.
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub retry_after: Option<String>,
}

/// A request that got no answer (offline, refused by CORS or by the app's own policy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoAnswer;

fn no_answer(e: JsValue) -> NoAnswer {
    web_tools::warn("a connection request got no answer", &e);
    NoAnswer
}

/// Send one request: `body` as `content_type`, with a Bearer token when given.
pub async fn send(
    method: &str,
    url: &str,
    body: Option<(&str, &str)>,
    bearer: Option<&str>,
) -> Result<Answer, NoAnswer> {
    let auth = bearer.map(|t| ("authorization", format!("Bearer {t}")));
    send_with(method, url, body, auth.as_slice()).await
}

/// Send one request with extra `headers`.
async fn send_with(
    method: &str,
    url: &str,
    body: Option<(&str, &str)>,
    extra: &[(&str, String)],
) -> Result<Answer, NoAnswer> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_mode(web_sys::RequestMode::Cors);
    init.set_credentials(web_sys::RequestCredentials::Omit);
    init.set_cache(web_sys::RequestCache::NoStore);
    let headers = web_sys::Headers::new().map_err(no_answer)?;
    headers
        .set("accept", "application/json")
        .map_err(no_answer)?;
    if let Some((content_type, text)) = body {
        headers
            .set("content-type", content_type)
            .map_err(no_answer)?;
        init.set_body(&JsValue::from_str(text));
    }
    for (name, value) in extra {
        headers.set(name, value).map_err(no_answer)?;
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(no_answer)?;
    let window = web_sys::window().ok_or(NoAnswer)?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(no_answer)?
        .dyn_into()
        .map_err(no_answer)?;
    let retry_after = response.headers().get("retry-after").ok().flatten();
    let text = JsFuture::from(response.text().map_err(no_answer)?)
        .await
        .map_err(no_answer)?
        .as_string()
        .unwrap_or_default();
    Ok(Answer {
        status: response.status(),
        body: text,
        retry_after,
    })
}

const FORM: &str = "application/x-www-form-urlencoded";

fn unreachable_server() -> OAuthError {
    OAuthError::Discovery(
        "it could not be reached (offline, or its address is not allowed by this app's security policy; see README, Connections)".to_owned(),
    )
}

/// Read the issuer's metadata document, trying [`discovery_urls`] in order (a 404 moves on).
pub async fn discover(issuer: &str) -> Result<Endpoints, OAuthError> {
    let mut last = 0;
    for url in discovery_urls(issuer) {
        let answer = send("GET", &url, None, None)
            .await
            .map_err(|_| unreachable_server())?;
        if answer.status == 200 {
            return parse_discovery(issuer, &answer.body);
        }
        last = answer.status;
    }
    Err(OAuthError::Discovery(format!(
        "its metadata document answered HTTP {last}"
    )))
}

/// Trade the code of a checked return for tokens.
pub async fn exchange(attempt: &Attempt, code: &str) -> Result<Tokens, OAuthError> {
    let form = attempt.token_request(code);
    let answer = send(
        "POST",
        &attempt.endpoints.token,
        Some((FORM, form.as_str())),
        None,
    )
    .await
    .map_err(|_| unreachable_server())?;
    let now = web_tools::now_ms();
    let tokens = parse_token_response(answer.status, &answer.body, now, None)?;
    attempt.check_id_token(tokens.id_token.as_deref(), now)?;
    Ok(tokens)
}

/// A new access token from the refresh token (rotation: the answer's refresh token replaces it).
pub async fn refresh(
    endpoints: &Endpoints,
    client_id: &str,
    refresh_token: &str,
) -> Result<Tokens, OAuthError> {
    let form = refresh_request(refresh_token, client_id);
    let answer = send("POST", &endpoints.token, Some((FORM, form.as_str())), None)
        .await
        .map_err(|_| unreachable_server())?;
    parse_token_response(
        answer.status,
        &answer.body,
        web_tools::now_ms(),
        Some(refresh_token),
    )
}

/// Revoke the refresh token (which ends the grant) and the access token (RFC 7009). `Ok(false)`
/// when the server has no revocation endpoint.
pub async fn revoke(
    endpoints: &Endpoints,
    client_id: &str,
    tokens: &Tokens,
) -> Result<bool, OAuthError> {
    if endpoints.revocation.is_empty() {
        return Ok(false);
    }
    let mut list = vec![(tokens.access_token.as_str(), false)];
    if let Some(r) = &tokens.refresh_token {
        list.insert(0, (r.as_str(), true));
    }
    for (token, is_refresh) in list {
        let form = revocation_request(token, is_refresh, client_id);
        let answer = send(
            "POST",
            &endpoints.revocation,
            Some((FORM, form.as_str())),
            None,
        )
        .await
        .map_err(|_| unreachable_server())?;
        // RFC 7009 §2.2: 200 also for a token that was already invalid.
        if answer.status != 200 {
            return Err(parse_token_response(answer.status, &answer.body, 0, None)
                .err()
                .unwrap_or(OAuthError::BadResponse {
                    status: answer.status,
                    what: "an unexpected answer to the revocation".to_owned(),
                }));
        }
    }
    Ok(true)
}

/// One page of a report: POST the JSON `request` with the access token.
pub async fn report_page(url: &str, token: &str, request: &str) -> Result<Answer, PullError> {
    send(
        "POST",
        url,
        Some(("application/json", request)),
        Some(token),
    )
    .await
    .map_err(|_| PullError::Network)
}

/// One request of an API-key pull.
pub async fn key_page(request: &KeyRequest) -> Result<Answer, PullError> {
    send_with(
        request.method,
        &request.url,
        request.body.as_ref().map(|(t, b)| (*t, b.as_str())),
        &request.headers,
    )
    .await
    .map_err(|_| PullError::Network)
}

fn key_name(connection: u64) -> String {
    format!("refleqt.connection.{connection}.api-key")
}

/// The key remembered on this device for a connection, if the person chose so.
pub fn remembered_key(connection: u64) -> Option<String> {
    LocalStorage::get::<String>(key_name(connection)).ok()
}

/// Remember a key on this device (localStorage), at the person's explicit choice.
pub fn remember_key(connection: u64, key: &str) -> Result<(), String> {
    LocalStorage::set(key_name(connection), key).map_err(|e| {
        format!(
            "The browser refused to remember the key ({e}); it is kept in this tab's memory only."
        )
    })
}

/// Delete a remembered key (nothing happens when there is none).
pub fn forget_remembered_key(connection: u64) {
    LocalStorage::delete(key_name(connection));
}

/// `RANDOM_BYTES` bytes from the OS random source.
pub fn random_bytes() -> Result<[u8; RANDOM_BYTES], OAuthError> {
    let mut bytes = [0u8; RANDOM_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|e| OAuthError::Internal(format!("the browser gave no random numbers ({e})")))?;
    Ok(bytes)
}

/// Keep the attempt for the trip to the server (sessionStorage: this tab only).
pub fn keep_attempt(attempt: &Attempt) -> Result<(), OAuthError> {
    SessionStorage::set(ATTEMPT_KEY, attempt).map_err(|e| {
        OAuthError::Internal(format!(
            "the browser refused to keep the sign-in attempt ({e})"
        ))
    })
}

/// Take the attempt out of sessionStorage: it is deleted whatever happens next.
pub fn take_attempt() -> Option<Attempt> {
    let attempt = SessionStorage::get::<Attempt>(ATTEMPT_KEY).ok();
    SessionStorage::delete(ATTEMPT_KEY);
    attempt
}

/// This page's address without query or fragment: the redirect URI registered at the server.
pub fn redirect_uri() -> Option<String> {
    let location = web_sys::window()?.location();
    Some(format!(
        "{}{}",
        location.origin().ok()?,
        location.pathname().ok()?
    ))
}

/// Leave for the server's authorization page.
pub fn go_to(url: &str) -> Result<(), OAuthError> {
    let window = web_sys::window().ok_or_else(|| OAuthError::Internal("no window".to_owned()))?;
    window
        .location()
        .assign(url)
        .map_err(|e| OAuthError::Internal(format!("the browser refused to leave ({e:?})")))
}

/// The server's answer on this page's query string, taken off the address bar and out of the
/// history at once (`history.replaceState`); the fragment becomes `fragment`.
pub fn take_return(fragment: &str) -> Option<Return> {
    let window = web_sys::window()?;
    let location = window.location();
    let back = Return::from_query(&location.search().ok()?)?;
    let clean = format!("{}{fragment}", location.pathname().ok()?);
    if let Err(e) = window
        .history()
        .and_then(|h| h.replace_state_with_url(&JsValue::NULL, "", Some(&clean)))
    {
        web_tools::warn(
            "could not clear the sign-in answer from the address bar",
            &e,
        );
    }
    Some(back)
}

/// Wait `ms` milliseconds (HTTP 429's `Retry-After`).
pub async fn sleep(ms: u64) {
    let ms = ms.min(i32::MAX as u64) as i32;
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            if let Err(e) = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms) {
                web_tools::warn("could not wait", &e);
            }
        }
    });
    if let Err(e) = JsFuture::from(promise).await {
        web_tools::warn("waiting failed", &e);
    }
}
