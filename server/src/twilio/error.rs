//! Twilio's error bodies, translated from the `/v1` API's errors (which carry the core's
//! stable codes).
//!
//! Two shapes, as Twilio answers them:
//! - role assignments and accounts: `{code, message, more_info, status}` — the shape the
//!   helper libraries turn into `RestException` / `TwilioRestException`;
//! - SCIM: `{schemas, detail, scimType, status (a string), code, message}` — `message` too,
//!   because the Node library reads only `message`.
//!
//! `code` is Twilio's number where Twilio has one that means the same; rolegate's own rules
//! (the built-in cap, an account's Owner, escalation, …) answer with Twilio's nearest code
//! (25019 "business rule violation", 25105 "not authorized") and name the rule exactly in
//! `details.code` — the core's stable code, the same text the `/v1` API sends.

use std::borrow::Cow;

use axum::Json;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::api::error::ApiError;
use crate::store::WriteError;

/// Which body an error is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{code, message, more_info, status}`.
    Legacy,
    /// SCIM's error.
    Scim,
}

/// An error as Twilio's API answers it.
#[derive(Debug, Clone)]
pub struct TwilioError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Twilio's numeric code.
    pub code: u32,
    /// What went wrong.
    pub message: String,
    /// SCIM's `scimType`, when one applies.
    pub scim_type: Option<&'static str>,
    /// rolegate's stable code, when the error comes from a rule of ours.
    pub rolegate_code: Option<Cow<'static, str>>,
    /// The body's shape.
    pub shape: Shape,
}

impl TwilioError {
    /// A Twilio error of the legacy shape.
    pub fn new(status: StatusCode, code: u32, message: impl Into<String>) -> TwilioError {
        TwilioError {
            status,
            code,
            message: message.into(),
            scim_type: None,
            rolegate_code: None,
            shape: Shape::Legacy,
        }
    }

    /// 400 with `code`.
    pub fn bad_request(code: u32, message: impl Into<String>) -> TwilioError {
        TwilioError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// The same error as SCIM writes it, with `scim_type`.
    pub fn scim(mut self, scim_type: Option<&'static str>) -> TwilioError {
        self.shape = Shape::Scim;
        if scim_type.is_some() {
            self.scim_type = scim_type;
        }
        self
    }

    /// Answered in SCIM's shape.
    pub fn in_scim(mut self) -> TwilioError {
        self.shape = Shape::Scim;
        self
    }
}

/// Twilio's code, status and SCIM type for one of rolegate's stable codes.
fn translate(code: &str, status: StatusCode) -> (StatusCode, u32, Option<&'static str>) {
    match code {
        // Who asked.
        "missing-token" | "invalid-token" | "token-expired" | "session-expired" => {
            (StatusCode::UNAUTHORIZED, 25018, None)
        }
        "not-authorized" | "more-powerful" | "csrf-token-missing" => {
            (StatusCode::FORBIDDEN, 25105, None)
        }
        "organization-not-found" => (StatusCode::NOT_FOUND, 25100, None),
        // What was named.
        "unknown-role" => (StatusCode::BAD_REQUEST, 25202, None),
        "unknown-scope" => (StatusCode::BAD_REQUEST, 25200, None),
        "unknown-user" => (StatusCode::BAD_REQUEST, 25201, None),
        // Rules that protect the organization.
        "last-organization-owner" => (StatusCode::BAD_REQUEST, 25016, Some("mutability")),
        "identity-taken" | "user-exists" => (StatusCode::CONFLICT, 25022, Some("uniqueness")),
        "stale-revision" => (StatusCode::CONFLICT, 25020, None),
        "payload-too-large" => (StatusCode::PAYLOAD_TOO_LARGE, 25106, None),
        "malformed-json"
        | "invalid-body"
        | "unsupported-media-type"
        | "invalid-path"
        | "invalid-id"
        | "invalid-query" => (StatusCode::BAD_REQUEST, 25106, Some("invalidSyntax")),
        "store-unavailable" | "busy" => (StatusCode::SERVICE_UNAVAILABLE, 25109, None),
        "internal" => (StatusCode::INTERNAL_SERVER_ERROR, 25106, None),
        "not-found" => (StatusCode::NOT_FOUND, 20404, None),
        // Every other rule of ours (the built-in cap, an account's Owner, levels,
        // resources, …) is a business rule violation.
        _ if status.is_client_error() => (StatusCode::BAD_REQUEST, 25019, None),
        _ => (status, 25106, None),
    }
}

impl From<ApiError> for TwilioError {
    fn from(e: ApiError) -> TwilioError {
        let (status, code, scim_type) = translate(&e.code, e.status);
        TwilioError {
            status,
            code,
            message: e.message,
            scim_type,
            rolegate_code: Some(e.code),
            shape: Shape::Legacy,
        }
    }
}

impl From<WriteError> for TwilioError {
    fn from(e: WriteError) -> TwilioError {
        ApiError::from(e).into()
    }
}

impl From<crate::store::StoreError> for TwilioError {
    fn from(e: crate::store::StoreError) -> TwilioError {
        ApiError::from(e).into()
    }
}

impl IntoResponse for TwilioError {
    fn into_response(self) -> Response {
        let more_info = format!("https://www.twilio.com/docs/errors/{}", self.code);
        let details = self.rolegate_code.as_ref().map(|c| json!({ "code": c }));
        let (body, content_type) = match self.shape {
            Shape::Legacy => (
                json!({
                    "code": self.code,
                    "message": self.message,
                    "more_info": more_info,
                    "status": self.status.as_u16(),
                    "details": details,
                }),
                "application/json",
            ),
            Shape::Scim => (
                json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                    "detail": self.message,
                    "scimType": self.scim_type,
                    "status": self.status.as_u16().to_string(),
                    "code": self.code,
                    "message": self.message,
                    "moreInfo": more_info,
                    "details": details,
                }),
                "application/scim+json",
            ),
        };
        let mut response = (self.status, Json(body)).into_response();
        let h = response.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            h.insert(
                axum::http::header::RETRY_AFTER,
                HeaderValue::from_static(crate::api::error::RETRY_AFTER_SECS),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_rules_keep_their_code_beside_twilios() {
        let e: TwilioError =
            ApiError::new(StatusCode::CONFLICT, "built-in-cap-exceeded", "too many").into();
        assert_eq!((e.status, e.code), (StatusCode::BAD_REQUEST, 25019));
        assert_eq!(e.rolegate_code.as_deref(), Some("built-in-cap-exceeded"));
        let e: TwilioError = ApiError::new(StatusCode::FORBIDDEN, "not-authorized", "no").into();
        assert_eq!((e.status, e.code), (StatusCode::FORBIDDEN, 25105));
        let e: TwilioError =
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown-role", "no").into();
        assert_eq!((e.status, e.code), (StatusCode::BAD_REQUEST, 25202));
    }
}
