//! Extractors that turn every bad input into a typed 4xx in the API's error shape: bodies
//! (malformed JSON 400, unknown fields 400, too large 413, wrong type 415), query strings,
//! path segments, `If-Match`, and the caller (bearer token or console session).

use std::sync::Arc;

use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, COOKIE, IF_MATCH};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use serde::de::DeserializeOwned;

use super::App;
use super::error::{ApiError, clip};
use crate::auth::{CSRF_HEADER, SessionToken, TokenError};
use crate::engine;

/// A JSON body.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonSyntaxError(e) => {
            ApiError::bad_request("malformed-json", format!("the body is not JSON: {e}"))
        }
        JsonRejection::JsonDataError(e) => {
            ApiError::bad_request("invalid-body", format!("the body is not accepted: {e}"))
        }
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "send the body as `application/json`",
        ),
        other => body_failure(other.status(), other.body_text()),
    }
}

fn body_failure(status: StatusCode, text: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            status,
            "payload-too-large",
            "the body is larger than the limit",
        )
    } else {
        ApiError::new(status, "invalid-body", text)
    }
}

/// A form body (the token endpoint).
#[derive(Debug)]
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Form(value)),
            Err(FormRejection::InvalidFormContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "send the body as `application/x-www-form-urlencoded`",
            )),
            Err(e @ FormRejection::FailedToDeserializeForm(_))
            | Err(e @ FormRejection::FailedToDeserializeFormBody(_)) => Err(ApiError::bad_request(
                "invalid-request",
                format!("the form is not accepted: {}", e.body_text()),
            )),
            Err(other) => Err(body_failure(other.status(), other.body_text())),
        }
    }
}

/// A query string.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(ApiError::bad_request(
                "invalid-query",
                format!("the query string is not accepted: {}", clip(&e.body_text())),
            )),
            Err(other) => Err(ApiError::bad_request("invalid-query", other.body_text())),
        }
    }
}

/// Path segments; each id segment is checked against the core's id rules.
#[derive(Debug)]
pub struct Ids<T>(pub T);

/// Path parameters that are ids.
pub trait PathIds {
    /// The ids to check.
    fn ids(&self) -> Vec<&str>;
}

impl PathIds for String {
    fn ids(&self) -> Vec<&str> {
        vec![self]
    }
}

impl PathIds for (String, String) {
    fn ids(&self) -> Vec<&str> {
        vec![&self.0, &self.1]
    }
}

impl PathIds for (String, String, String) {
    fn ids(&self) -> Vec<&str> {
        vec![&self.0, &self.1, &self.2]
    }
}

impl PathIds for (String, String, String, String) {
    fn ids(&self) -> Vec<&str> {
        vec![&self.0, &self.1, &self.2, &self.3]
    }
}

impl<T: DeserializeOwned + PathIds + Send, S: Send + Sync> FromRequestParts<S> for Ids<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let value = match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => value,
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                return Err(ApiError::bad_request("invalid-path", e.body_text()));
            }
            Err(other) => return Err(ApiError::bad_request("invalid-path", other.body_text())),
        };
        if let Some(bad) = value.ids().into_iter().find(|id| !engine::valid_id(id)) {
            return Err(ApiError::bad_request(
                "invalid-id",
                format!("`{}` is not a valid id", clip(bad)),
            ));
        }
        Ok(Ids(value))
    }
}

/// How a caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A bearer access token of this OAuth client.
    Token {
        /// The client id.
        client: String,
    },
    /// The console's session cookie.
    Session {
        /// The session's CSRF token.
        csrf: String,
    },
}

/// The caller: a user of one organization, from a valid bearer token or session cookie.
/// A cookie-authenticated request that changes anything must also carry the session's CSRF
/// token in `X-CSRF-Token`.
#[derive(Debug, Clone)]
pub struct Caller {
    org: String,
    actor: String,
    /// How they proved it.
    pub credential: Credential,
}

impl Caller {
    /// The organization must be the caller's: anything else is answered exactly like an
    /// organization that does not exist.
    pub fn within(&self, org: &str) -> Result<(), ApiError> {
        if self.org == org {
            Ok(())
        } else {
            Err(ApiError::organization_not_found(org))
        }
    }

    /// The user the caller acts as.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// The caller's organization.
    pub fn organization(&self) -> &str {
        &self.org
    }
}

fn unauthorized(code: &'static str, message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, code, message)
}

/// The caller a bearer token names.
pub(super) fn bearer(app: &App, header: &axum::http::HeaderValue) -> Result<Caller, ApiError> {
    let token = header
        .to_str()
        .ok()
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| unauthorized("invalid-token", "the authorization is not a bearer token"))?;
    match app.tokens.verify(token) {
        Ok(claims) => Ok(Caller {
            org: claims.org,
            actor: claims.act,
            credential: Credential::Token { client: claims.sub },
        }),
        Err(TokenError::Expired) => Err(unauthorized(
            "token-expired",
            "the access token has expired",
        )),
        Err(_) => Err(unauthorized(
            "invalid-token",
            "the access token is not valid",
        )),
    }
}

/// The session token a request's cookies carry, if any.
pub(super) fn session_token(parts: &Parts) -> Option<SessionToken> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(SessionToken::from_cookie_header)
}

/// Whether a request may change state (and so, with a cookie, needs the CSRF token).
fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        // A bearer token wins: programs send one, and it is no ambient credential, so no
        // CSRF token is needed with it.
        if let Some(header) = parts.headers.get(AUTHORIZATION) {
            return bearer(app, header);
        }
        let Some(token) = session_token(parts) else {
            return Err(unauthorized(
                "missing-token",
                "send `Authorization: Bearer <token>` (or sign in to the console)",
            ));
        };
        let session = app.store.session(&token).await?.ok_or_else(|| {
            unauthorized("session-expired", "the session has ended; sign in again")
        })?;
        if changes_state(&parts.method) {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            // Constant-time: the comparison must not tell an attacker how much they got right.
            let ok = sent.is_some_and(|s| {
                s.len() == session.csrf.len()
                    && s.bytes()
                        .zip(session.csrf.bytes())
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0
            });
            if !ok {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf-token-missing",
                    "a console request that changes anything must carry the session's \
                     `X-CSRF-Token`",
                ));
            }
        }
        Ok(Caller {
            org: session.organization,
            actor: session.user,
            credential: Credential::Session { csrf: session.csrf },
        })
    }
}

/// The revision a write requires (`If-Match: 7` or `If-Match: "7"`; `*` or absent: any).
pub fn if_match(parts: &axum::http::HeaderMap) -> Result<Option<u64>, ApiError> {
    let Some(value) = parts.get(IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    let digits = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    digits.parse::<u64>().map(Some).map_err(|_| {
        ApiError::bad_request(
            "invalid-if-match",
            format!("`If-Match: {}` is not a revision", clip(text)),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::if_match;
    use axum::http::{HeaderMap, HeaderValue, header::IF_MATCH};

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(IF_MATCH, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn if_match_takes_bare_quoted_and_weak_revisions() {
        assert_eq!(if_match(&HeaderMap::new()).unwrap(), None);
        assert_eq!(if_match(&with("*")).unwrap(), None);
        assert_eq!(if_match(&with("7")).unwrap(), Some(7));
        assert_eq!(if_match(&with("\"7\"")).unwrap(), Some(7));
        assert_eq!(if_match(&with("W/\"7\"")).unwrap(), Some(7));
        assert_eq!(
            if_match(&with("seven")).unwrap_err().code,
            "invalid-if-match"
        );
    }
}
