//! Server-side decisions, answered natively by the core from the organization's compiled
//! snapshot at its current revision.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::App;
use super::admin::resource_key;
use super::error::ApiError;
use super::extract::{Body, Caller, Ids, Query};
use super::org::{at_revision, snapshot};
use crate::engine::{self, QueryError, Question, ResourceKey};

/// Most requests in one batch.
pub const MAX_BATCH: usize = 1000;

pub async fn check(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
    Body(q): Body<Question>,
) -> Result<Response, ApiError> {
    let (revision, snapshot) = snapshot(&app, &caller, &org).await?;
    Ok(at_revision(revision, engine::check(&snapshot, &q)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    requests: Vec<Question>,
}

pub async fn batch(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
    Body(batch): Body<Batch>,
) -> Result<Response, ApiError> {
    if batch.requests.len() > MAX_BATCH {
        return Err(ApiError::bad_request(
            "batch-too-large",
            format!(
                "a batch holds at most {MAX_BATCH} requests, not {}",
                batch.requests.len()
            ),
        ));
    }
    let (revision, snapshot) = snapshot(&app, &caller, &org).await?;
    let decisions: Vec<_> = batch
        .requests
        .iter()
        .map(|q| engine::check(&snapshot, q))
        .collect();
    Ok(at_revision(revision, json!({ "decisions": decisions })))
}

pub async fn explain(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
    Body(q): Body<Question>,
) -> Result<Response, ApiError> {
    let (revision, snapshot) = snapshot(&app, &caller, &org).await?;
    Ok(at_revision(revision, engine::explain(&snapshot, &q)))
}

fn query_error(e: &QueryError) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, e.code().as_str(), e.to_string())
}

fn resource(text: Option<&str>) -> Result<Option<ResourceKey>, ApiError> {
    text.map(resource_key).transpose()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionsQuery {
    user: String,
    scope: String,
    resource: Option<String>,
}

pub async fn permissions(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
    Query(q): Query<PermissionsQuery>,
) -> Result<Response, ApiError> {
    let resource = resource(q.resource.as_deref())?;
    let (revision, snapshot) = snapshot(&app, &caller, &org).await?;
    let permissions =
        engine::effective_permissions(&snapshot, &q.user, &q.scope, resource.as_ref())
            .map_err(|e| query_error(&e))?;
    Ok(at_revision(revision, json!({ "permissions": permissions })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhoCanQuery {
    permission: String,
    scope: String,
    resource: Option<String>,
}

pub async fn who_can(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
    Query(q): Query<WhoCanQuery>,
) -> Result<Response, ApiError> {
    let resource = resource(q.resource.as_deref())?;
    let (revision, snapshot) = snapshot(&app, &caller, &org).await?;
    let holders = engine::who_can(&snapshot, &q.permission, &q.scope, resource.as_ref())
        .map_err(|e| query_error(&e))?;
    Ok(at_revision(revision, json!({ "holders": holders })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopesQuery {
    user: String,
    permission: String,
    resource: Option<String>,
}

pub async fn scopes_with(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
    Query(q): Query<ScopesQuery>,
) -> Result<Response, ApiError> {
    let resource = resource(q.resource.as_deref())?;
    let (revision, snapshot) = snapshot(&app, &caller, &org).await?;
    let scopes = engine::scopes_with(&snapshot, &q.user, &q.permission, resource.as_ref())
        .map_err(|e| query_error(&e))?;
    Ok(at_revision(revision, json!({ "scopes": scopes })))
}
