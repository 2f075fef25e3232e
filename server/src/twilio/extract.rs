//! The `/v1` API's extractors, answering in Twilio's error shapes: the caller (the same
//! bearer tokens), JSON bodies (the libraries send `application/json` or
//! `application/scim+json`), lenient query strings (the libraries add `Page` and other
//! client-side parameters), and the absolute URL a request came to (paging links point
//! back at the host the client used).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri};
use serde::de::DeserializeOwned;

use super::error::TwilioError;
use crate::api::App;
use crate::api::error::{ApiError, clip};
use crate::api::extract::{Body, Caller};
use crate::engine;

/// The caller, as the `/v1` API authenticates them; refusals in Twilio's shape.
#[derive(Debug)]
pub struct TwilioCaller(pub Caller);

impl FromRequestParts<Arc<App>> for TwilioCaller {
    type Rejection = TwilioError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        let scim = parts.uri.path().contains("/scim/");
        Caller::from_request_parts(parts, app)
            .await
            .map(TwilioCaller)
            .map_err(|e| scim_if(TwilioError::from(e), scim))
    }
}

/// The error in SCIM's shape when the request was a SCIM one.
pub fn scim_if(e: TwilioError, scim: bool) -> TwilioError {
    if scim { e.in_scim() } else { e }
}

/// A JSON body; refusals in Twilio's shape (SCIM's on SCIM routes).
#[derive(Debug)]
pub struct TwilioJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for TwilioJson<T> {
    type Rejection = TwilioError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let scim = req.uri().path().contains("/scim/");
        Body::<T>::from_request(req, state)
            .await
            .map(|Body(v)| TwilioJson(v))
            .map_err(|e| {
                let mut e = TwilioError::from(e);
                if scim {
                    // SCIM: a body that is not a user is a schema violation (25006).
                    e.code = if e.status == StatusCode::PAYLOAD_TOO_LARGE {
                        e.code
                    } else {
                        25006
                    };
                    e = e.scim(Some("invalidSyntax"));
                }
                e
            })
    }
}

/// Query parameters by name; unknown ones are the caller's business (the libraries add
/// `Page`), repeated ones keep the last value.
#[derive(Debug, Default)]
pub struct Params(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = TwilioError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let scim = parts.uri.path().contains("/scim/");
        match axum::extract::Query::<Vec<(String, String)>>::from_request_parts(parts, state).await
        {
            Ok(axum::extract::Query(pairs)) => Ok(Params(pairs.into_iter().collect())),
            Err(e) => Err(scim_if(
                TwilioError::bad_request(
                    25106,
                    format!("the query string is not accepted: {}", clip(&e.body_text())),
                ),
                scim,
            )),
        }
    }
}

impl Params {
    /// A parameter's value, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A numeric parameter in `range`, or `default` when absent.
    pub fn number(
        &self,
        name: &str,
        default: usize,
        range: std::ops::RangeInclusive<usize>,
    ) -> Result<usize, TwilioError> {
        let Some(text) = self.get(name) else {
            return Ok(default);
        };
        match text.parse::<usize>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(TwilioError::bad_request(
                25106,
                format!(
                    "`{name}` must be a number from {} to {}, not `{}`",
                    range.start(),
                    range.end(),
                    clip(text)
                ),
            )),
        }
    }

    /// An id parameter, checked like every id the core takes.
    pub fn id(&self, name: &str, code: u32) -> Result<Option<&str>, TwilioError> {
        match self.get(name) {
            Some(v) if !engine::valid_id(v) => Err(TwilioError::bad_request(
                code,
                format!("`{name}` `{}` is not a valid id", clip(v)),
            )),
            other => Ok(other),
        }
    }
}

/// Path ids checked like the `/v1` API's, refused in Twilio's shape.
pub fn checked_ids(ids: &[&str], scim: bool) -> Result<(), TwilioError> {
    match ids.iter().find(|id| !engine::valid_id(id)) {
        Some(bad) => Err(scim_if(
            ApiError::bad_request("invalid-id", format!("`{}` is not a valid id", clip(bad)))
                .into(),
            scim,
        )),
        None => Ok(()),
    }
}

/// `scheme://host` as the client addressed this server: the `Host` header (with
/// `X-Forwarded-Proto` from a proxy), so links point back where the client came from.
pub fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(axum::http::header::HOST))
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
    {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

/// The request's path as an absolute URL with `query` (already encoded).
pub fn absolute(headers: &HeaderMap, uri: &Uri, query: &str) -> String {
    let base = format!("{}{}", origin(headers), uri.path());
    if query.is_empty() {
        base
    } else {
        format!("{base}?{query}")
    }
}
