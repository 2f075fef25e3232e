//! Reading an organization: its summary, keys, roles, directory, settings and audit log.
//! Answered from the organization's current revision (read-your-writes: a client sees its
//! own acknowledged write on the next request).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::App;
use super::error::{ApiError, clip};
use super::extract::{Caller, Ids, Query};
use crate::engine::{self, RoleKind, ScopeLevel, Snapshot};
use crate::store::OrgState;

/// The organization's current state, for a caller whose token is for it.
pub(crate) async fn state(
    app: &App,
    caller: &Caller,
    org: &str,
) -> Result<Arc<OrgState>, ApiError> {
    caller.within(org)?;
    Ok(app.store.current(org).await?)
}

/// The organization's current snapshot.
pub(super) async fn snapshot(
    app: &App,
    caller: &Caller,
    org: &str,
) -> Result<(u64, Arc<Snapshot>), ApiError> {
    let state = state(app, caller, org).await?;
    let snapshot = state.snapshot().map_err(ApiError::internal)?;
    Ok((state.revision, snapshot))
}

/// Refuses a caller who may not read the organization's directory (`iam/users/read` at
/// its scope), telling them nothing else.
fn may_read_directory(state: &OrgState, caller: &Caller) -> Result<(), ApiError> {
    let snapshot = state.snapshot().map_err(ApiError::internal)?;
    if engine::may_read_directory(&snapshot, caller.actor()) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not-authorized",
            format!(
                "user `{}` may not read the organization's directory",
                caller.actor()
            ),
        ))
    }
}

/// The organization's current state, for a caller who may read its directory.
pub(crate) async fn readable(
    app: &App,
    caller: &Caller,
    org: &str,
) -> Result<Arc<OrgState>, ApiError> {
    let state = state(app, caller, org).await?;
    may_read_directory(&state, caller)?;
    Ok(state)
}

/// The organization's current snapshot, for a caller who may read its directory.
pub(super) async fn directory(
    app: &App,
    caller: &Caller,
    org: &str,
) -> Result<(u64, Arc<Snapshot>), ApiError> {
    let state = state(app, caller, org).await?;
    may_read_directory(&state, caller)?;
    let snapshot = state.snapshot().map_err(ApiError::internal)?;
    Ok((state.revision, snapshot))
}

/// A JSON answer stamped with the revision it reflects.
pub(super) fn at_revision(revision: u64, body: Value) -> Response {
    let mut response = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&revision.to_string()) {
        response.headers_mut().insert("x-rolegate-revision", v);
    }
    response
}

pub async fn info(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
) -> Result<Response, ApiError> {
    let state = state(&app, &caller, &org).await?;
    let p = &state.policy;
    Ok(at_revision(
        state.revision,
        json!({
            "id": p.organization.id,
            "name": p.organization.name,
            "revision": state.revision,
            "counts": engine::counts(p),
            "published_revision": app.publisher.latest(&org).map(|s| s.revision),
        }),
    ))
}

fn key_list(app: &App) -> Value {
    let key = app.publisher.key();
    json!({ "keys": [{
        "id": key.id,
        "public_key_hex": crate::clock::hex(&engine::public_key(&key.secret)),
    }]})
}

pub async fn all_keys(State(app): State<Arc<App>>, _caller: Caller) -> Json<Value> {
    Json(key_list(&app))
}

pub async fn keys(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
) -> Result<Json<Value>, ApiError> {
    state(&app, &caller, &org).await?;
    Ok(Json(key_list(&app)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesQuery {
    kind: Option<RoleKind>,
    product: Option<String>,
    level: Option<ScopeLevel>,
}

pub async fn roles(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
    Query(q): Query<RolesQuery>,
) -> Result<Response, ApiError> {
    let (revision, snapshot) = snapshot(&app, &caller, &org).await?;
    let roles = engine::find_roles(&snapshot, q.kind, q.product.as_deref(), q.level);
    Ok(at_revision(revision, json!({ "roles": roles })))
}

pub async fn role(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids((org, role)): Ids<(String, String)>,
) -> Result<Response, ApiError> {
    let (revision, snapshot) = snapshot(&app, &caller, &org).await?;
    let details = engine::role_details(&snapshot, &role)
        .ok_or_else(|| ApiError::not_found("unknown-role", format!("unknown role `{role}`")))?;
    Ok(at_revision(revision, details))
}

/// Longest accepted search text.
const MAX_QUERY_CHARS: usize = 256;
/// Largest page.
const MAX_PAGE_SIZE: usize = 200;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    /// Only holders of this role (id).
    role: Option<String>,
    #[serde(default)]
    page: usize,
    page_size: Option<usize>,
}

pub async fn search(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, ApiError> {
    if q.q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad_request(
            "query-too-long",
            format!("the search text is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    let page_size = q.page_size.unwrap_or(50);
    if page_size == 0 || page_size > MAX_PAGE_SIZE {
        return Err(ApiError::bad_request(
            "invalid-page-size",
            format!("`page_size` must be 1 to {MAX_PAGE_SIZE}, not `{page_size}`"),
        ));
    }
    let (revision, snapshot) = directory(&app, &caller, &org).await?;
    let start = q.page.saturating_mul(page_size);
    let (total, users) = engine::search_users(&snapshot, &q.q, q.role.as_deref(), start, page_size);
    let next_page = (start.saturating_add(page_size) < total).then(|| q.page.saturating_add(1));
    Ok(at_revision(
        revision,
        json!({
            "users": users,
            "total": total,
            "page": q.page,
            "page_size": page_size,
            "next_page": next_page,
        }),
    ))
}

pub async fn user(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids((org, user)): Ids<(String, String)>,
) -> Result<Response, ApiError> {
    let (revision, snapshot) = directory(&app, &caller, &org).await?;
    let entry = engine::directory_entry(&snapshot, &user).ok_or_else(|| {
        ApiError::not_found("unknown-user", format!("unknown user `{}`", clip(&user)))
    })?;
    Ok(at_revision(revision, entry))
}

pub async fn settings(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
) -> Result<Response, ApiError> {
    let state = state(&app, &caller, &org).await?;
    Ok(at_revision(
        state.revision,
        json!({ "revision": state.revision, "settings": state.policy.settings }),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    before: Option<u64>,
    page_size: Option<u32>,
}

pub async fn audit(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, ApiError> {
    let state = readable(&app, &caller, &org).await?;
    let page_size = q.page_size.unwrap_or(50);
    if page_size == 0 || page_size as usize > MAX_PAGE_SIZE {
        return Err(ApiError::bad_request(
            "invalid-page-size",
            format!("`page_size` must be 1 to {MAX_PAGE_SIZE}, not `{page_size}`"),
        ));
    }
    let page = app.store.audit_page(&org, q.before, page_size).await?;
    Ok(at_revision(
        state.revision,
        serde_json::to_value(page).map_err(ApiError::internal)?,
    ))
}

/// `GET …/scopes`: the organization, its accounts (each with its Owner) and their
/// subaccounts, in policy order — what the console's scope pickers offer.
pub async fn scopes(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
) -> Result<Response, ApiError> {
    let state = readable(&app, &caller, &org).await?;
    let p = &state.policy;
    let user = |id: &str| {
        p.users
            .iter()
            .find(|u| u.id == id)
            .map(|u| json!({"id": u.id, "name": u.name}))
    };
    let accounts: Vec<Value> = p
        .accounts
        .iter()
        .map(|a| {
            let owner = engine::account_owner(p, &a.id).and_then(user);
            let subaccounts: Vec<Value> = p
                .subaccounts
                .iter()
                .filter(|s| s.account == a.id)
                .map(|s| json!({"id": s.id, "name": s.name}))
                .collect();
            json!({"id": a.id, "name": a.name, "owner": owner, "subaccounts": subaccounts})
        })
        .collect();
    Ok(at_revision(
        state.revision,
        json!({
            "organization": {"id": p.organization.id, "name": p.organization.name},
            "accounts": accounts,
        }),
    ))
}

/// `GET …/resources`: the resources resource-based roles can be bound to.
pub async fn resources(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
) -> Result<Response, ApiError> {
    let state = readable(&app, &caller, &org).await?;
    Ok(at_revision(
        state.revision,
        json!({ "resources": state.policy.resources }),
    ))
}
