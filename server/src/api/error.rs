//! The API's one error shape: `{"code", "message", "status"}`, with the core's stable codes
//! where the core has one.
//!
//! Statuses for refused admin operations:
//! - **403** — the actor may not do this: not an Organization Owner or Administrator
//!   (`not-authorized`, and then nothing else is said), or the role is more powerful than
//!   the actor (`more-powerful`);
//! - **409** — a rule protecting the organization's current state: the last Organization
//!   Owner, an account's Owner assignment, already assigned, already owner, user exists,
//!   nothing to remove, the built-in role cap;
//! - **422** — a well-formed request that the model's rules can never accept as given:
//!   unknown users, roles or scopes, a role at a level it cannot be assigned at, resource
//!   rules, no roles.
//!
//! In every refused case nothing changed: not the tables, not the revision, not the audit log.

use std::borrow::Cow;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::engine::{self, Refusal};
use crate::store::{ClientError, ImportError, StoreError, WriteError};

/// What a 503 tells the client to wait before trying again, in seconds.
pub const RETRY_AFTER_SECS: &str = "2";

/// An error answer.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable code.
    pub code: Cow<'static, str>,
    /// What went wrong, naming the offending value.
    pub message: String,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    /// 400.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 404 for an organization: the same for one that does not exist and one the caller's
    /// token is not for, so a token reveals nothing about other organizations.
    pub fn organization_not_found(org: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "organization-not-found",
            format!("organization `{}` not found", clip(org)),
        )
    }

    /// 404 for anything else.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 500, with the details kept in the server's log rather than sent.
    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        eprintln!("rolegate-server: internal error: {detail}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal server error",
        )
    }
}

/// A value as messages quote it: at most 80 characters.
pub fn clip(value: &str) -> String {
    if value.chars().count() <= 80 {
        value.to_string()
    } else {
        let mut s: String = value.chars().take(80).collect();
        s.push('…');
        s
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "code": self.code,
            "message": self.message,
            "status": self.status.as_u16(),
        });
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::UnknownOrganization(org) => ApiError::organization_not_found(&org),
            // The database cannot be reached (refused, gone mid-query, no connection free in
            // time): the client should come back, and published snapshots keep being served.
            StoreError::Database(
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::WorkerCrashed,
            )
            | StoreError::Unsettled(_) => {
                eprintln!("rolegate-server: store unavailable: {e}");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store-unavailable",
                    "the database is unavailable; try again",
                )
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> ApiError {
        match r {
            Refusal::Rule(e) => {
                let status = if engine::refusal_is_authorization(&e) {
                    StatusCode::FORBIDDEN
                } else if engine::refusal_is_conflict(&e) {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                ApiError::new(status, e.code().as_str(), e.to_string())
            }
        }
    }
}

impl From<WriteError> for ApiError {
    fn from(e: WriteError) -> ApiError {
        match e {
            WriteError::Refused(r) => r.into(),
            stale @ WriteError::Stale { .. } => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "stale-revision",
                stale.to_string(),
            ),
            nul @ WriteError::NulText => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-text",
                nul.to_string(),
            ),
            busy @ WriteError::Busy(_) => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", busy.to_string())
            }
            WriteError::Store(s) => s.into(),
        }
    }
}

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> ApiError {
        match e {
            ImportError::Invalid(rule) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                rule.code().as_str(),
                rule.to_string(),
            ),
            nul @ ImportError::NulText => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-text",
                nul.to_string(),
            ),
            ImportError::Store(s) => s.into(),
        }
    }
}

impl From<ClientError> for ApiError {
    fn from(e: ClientError) -> ApiError {
        match e {
            unknown @ ClientError::UnknownActor { .. } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown-user",
                unknown.to_string(),
            ),
            ClientError::Store(s) => s.into(),
            other @ ClientError::Hash(_) => ApiError::internal(other),
        }
    }
}
