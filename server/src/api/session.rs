//! The console's sign-in: `GET`/`POST`/`DELETE /v1/session` (a session cookie, `HttpOnly`
//! and `SameSite=Strict`, with a CSRF token for state-changing requests), the demo sign-in
//! picker (`--demo` only), and passwords set by an administrator.

use std::sync::{Arc, OnceLock};

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::App;
use super::error::{ApiError, clip};
use super::extract::{Body, Caller, Credential, Ids, session_token};
use super::org::state;
use crate::auth::{clear_cookie, hash_secret, verify_secret};
use crate::engine;
use crate::store::{OrgState, Session};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in bytes (argon2 hashes anything; this bounds the work).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A hash to verify against when nobody has that email, so an unknown email takes as long
/// to refuse as a wrong password.
fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_secret("rolegate decoy password").unwrap_or_default())
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid-credentials",
        "wrong email or password",
    )
}

/// The session as the console sees it.
fn view(state: &OrgState, session: &Session, demo: bool) -> Value {
    let user = state.policy.users.iter().find(|u| u.id == session.user);
    json!({
        "organization": {
            "id": state.policy.organization.id,
            "name": state.policy.organization.name,
        },
        "user": user.map(|u| json!({"id": u.id, "name": u.name, "email": u.email})),
        "csrf": session.csrf,
        "expires_at": session.expires_at,
        "demo": demo,
    })
}

/// Starts a session for `user` of `org` and answers with it and its cookie.
async fn sign_in(app: &App, org: &str, user: &str) -> Result<Response, ApiError> {
    let state = app.store.current(org).await?;
    let ttl = app.session_ttl.as_secs().max(1);
    let (token, session) = app.store.create_session(org, user, ttl).await?;
    let mut response = Json(view(&state, &session, app.is_demo(org))).into_response();
    if let Ok(v) = HeaderValue::from_str(&token.set_cookie(ttl, app.secure_cookies)) {
        response.headers_mut().insert(SET_COOKIE, v);
    }
    Ok(response)
}

/// `GET /v1/session`: who is signed in (401 when nobody is).
pub async fn current(State(app): State<Arc<App>>, caller: Caller) -> Result<Response, ApiError> {
    let Credential::Session { csrf } = &caller.credential else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "no-session",
            "no console session: this is a bearer token",
        ));
    };
    let org = caller.organization().to_string();
    let state = app.store.current(&org).await?;
    let session = Session {
        organization: org.clone(),
        user: caller.actor().to_string(),
        csrf: csrf.clone(),
        expires_at: 0,
    };
    let mut body = view(&state, &session, app.is_demo(&org));
    if let Some(o) = body.as_object_mut() {
        o.remove("expires_at");
    }
    Ok(Json(body).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    email: String,
    password: String,
    /// Needed only when the email belongs to users of several organizations.
    #[serde(default)]
    organization: Option<String>,
}

/// `POST /v1/session`: sign in with email and password.
pub async fn create(
    State(app): State<Arc<App>>,
    Body(c): Body<Credentials>,
) -> Result<Response, ApiError> {
    if c.email.len() > 320 || c.password.len() > MAX_PASSWORD_BYTES {
        return Err(invalid_credentials());
    }
    let candidates: Vec<_> = app
        .store
        .passwords_for_email(&c.email)
        .await?
        .into_iter()
        .filter(|p| c.organization.as_ref().is_none_or(|o| *o == p.organization))
        .collect();
    // Every candidate's hash is tried (or the decoy's when there is none), so the time taken
    // does not tell whether the email exists.
    let hashes: Vec<String> = if candidates.is_empty() {
        vec![decoy().to_string()]
    } else {
        candidates.iter().map(|p| p.hash.clone()).collect()
    };
    let password = c.password;
    let matched = tokio::task::spawn_blocking(move || {
        hashes
            .iter()
            .map(|h| verify_secret(&password, h))
            .collect::<Vec<bool>>()
    })
    .await
    .map_err(ApiError::internal)?;
    let found: Vec<_> = candidates
        .iter()
        .zip(matched)
        .filter_map(|(p, ok)| ok.then_some(p))
        .collect();
    match found.as_slice() {
        [one] => {
            let state = app.store.current(&one.organization).await?;
            if !engine::may_sign_in(&state.policy, &one.user) {
                return Err(invalid_credentials());
            }
            sign_in(&app, &one.organization, &one.user).await
        }
        [] => Err(invalid_credentials()),
        _ => Err(ApiError::bad_request(
            "organization-required",
            "this email and password open several organizations; name one in `organization`",
        )),
    }
}

/// `DELETE /v1/session`: sign out (the cookie goes; the session ends on the server).
pub async fn delete(
    State(app): State<Arc<App>>,
    caller: Caller,
    parts: Parts,
) -> Result<Response, ApiError> {
    if let (Credential::Session { .. }, Some(token)) = (&caller.credential, session_token(&parts)) {
        app.store.end_session(&token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&clear_cookie(app.secure_cookies)) {
        response.headers_mut().insert(SET_COOKIE, v);
    }
    Ok(response)
}

/// The demo organization, or 404 when the server is not in demo mode (the demo sign-in
/// must not exist anywhere else).
fn demo_org(app: &App) -> Result<&str, ApiError> {
    app.demo_org
        .as_deref()
        .ok_or_else(|| ApiError::not_found("not-found", "no such route"))
}

/// `GET /v1/session/demo-users`: the demo organization's users, for the sign-in picker.
pub async fn demo_users(State(app): State<Arc<App>>) -> Result<Json<Value>, ApiError> {
    let org = demo_org(&app)?;
    let state = app.store.current(org).await?;
    let snapshot = state.snapshot().map_err(ApiError::internal)?;
    let users: Vec<Value> = state
        .policy
        .users
        .iter()
        .filter(|u| engine::may_sign_in(&state.policy, &u.id))
        .map(|u| {
            json!({
                "id": u.id,
                "name": u.name,
                "email": u.email,
                "roles": engine::role_summary(&snapshot, &u.id),
            })
        })
        .collect();
    Ok(Json(json!({
        "organization": {"id": state.policy.organization.id, "name": state.policy.organization.name},
        "users": users,
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoSignIn {
    user: String,
}

/// `POST /v1/session/demo`: sign in as any demo user, no password (`--demo` only).
pub async fn demo_sign_in(
    State(app): State<Arc<App>>,
    Body(body): Body<DemoSignIn>,
) -> Result<Response, ApiError> {
    let org = demo_org(&app)?.to_string();
    let state = app.store.current(&org).await?;
    if !engine::may_sign_in(&state.policy, &body.user) {
        return Err(ApiError::not_found(
            "unknown-user",
            format!("unknown user `{}`", clip(&body.user)),
        ));
    }
    sign_in(&app, &org, &body.user).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    password: String,
}

/// `PUT /v1/organizations/{OR}/users/{US}/password`: an Organization Owner or Administrator
/// sets a user's console password (which signs that user out everywhere).
pub async fn set_password(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids((org, user)): Ids<(String, String)>,
    Body(body): Body<NewPassword>,
) -> Result<Response, ApiError> {
    let state = state(&app, &caller, &org).await?;
    let snapshot = state.snapshot().map_err(ApiError::internal)?;
    if !engine::is_organization_manager(&snapshot, caller.actor()) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not-authorized",
            format!(
                "user `{}` may not set passwords: only Organization Owners and \
                 Administrators may",
                caller.actor()
            ),
        ));
    }
    if snapshot.user(&user).is_none() {
        return Err(ApiError::not_found(
            "unknown-user",
            format!("unknown user `{}`", clip(&user)),
        ));
    }
    let hash = hash_password(body.password).await?;
    app.store.set_password(&org, &user, &hash).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Checks a new password's length and hashes it (off the async workers).
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "weak-password",
            format!(
                "a password needs at least {MIN_PASSWORD_CHARS} characters (and at most \
                 {MAX_PASSWORD_BYTES} bytes)"
            ),
        ));
    }
    tokio::task::spawn_blocking(move || hash_secret(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}
