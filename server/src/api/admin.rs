//! Changing an organization: users, assignments, ownership, any core operation — each judged
//! by the core's admin rules with the caller's user as the actor, committed as one
//! transaction, acknowledged after commit — and the dry run of each.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::App;
use super::error::ApiError;
use super::extract::{Body, Caller, Ids, Query, if_match};
use super::org::at_revision;
use crate::engine::{self, Operation, ResourceKey, Settings, User};
use crate::store::{Committed, WriteError};

/// Commits `operation` by the caller (at revision `expected`, if given) and has it
/// published: every API that changes an organization goes through here.
pub(crate) async fn commit(
    app: &App,
    caller: &Caller,
    org: &str,
    expected: Option<u64>,
    operation: &Operation,
) -> Result<Committed, WriteError> {
    let committed = app
        .store
        .write(
            org,
            caller.actor(),
            operation,
            expected,
            crate::clock::now(),
        )
        .await?;
    app.publisher.notify(org, committed.revision);
    Ok(committed)
}

/// Commits `operation` by the caller; `created` answers 201 instead of 200.
async fn execute(
    app: &App,
    caller: &Caller,
    org: &str,
    headers: &HeaderMap,
    operation: Operation,
    created: bool,
) -> Result<Response, ApiError> {
    caller.within(org)?;
    let expected = if_match(headers)?;
    let committed = commit(app, caller, org, expected, &operation).await?;
    let mut response = at_revision(
        committed.revision,
        json!({
            "revision": committed.revision,
            "audit_hash": committed.audit_hash,
            "operation": committed.record.operation,
            "change": committed.record.change,
        }),
    );
    if created {
        *response.status_mut() = StatusCode::CREATED;
    }
    Ok(response)
}

/// Tries `operation` by the caller; nothing changes.
async fn dry(
    app: &App,
    caller: &Caller,
    org: &str,
    operation: Operation,
) -> Result<Response, ApiError> {
    caller.within(org)?;
    if engine::has_nul(&operation) {
        return Err(crate::store::WriteError::NulText.into());
    }
    let view = app.store.dry_run(org, caller.actor(), &operation).await?;
    Ok(at_revision(
        view.revision.saturating_sub(1),
        serde_json::to_value(view).map_err(ApiError::internal)?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    id: String,
    name: String,
    email: String,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default = "yes")]
    active: bool,
}

fn yes() -> bool {
    true
}

impl NewUser {
    fn operation(self) -> Operation {
        Operation::AddUser {
            user: User {
                external_id: self.external_id,
                active: self.active,
                ..User::new(self.id, self.name, self.email)
            },
        }
    }
}

pub async fn add_user(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
    headers: HeaderMap,
    Body(body): Body<NewUser>,
) -> Result<Response, ApiError> {
    execute(&app, &caller, &org, &headers, body.operation(), true).await
}

pub async fn add_user_dry(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
    Body(body): Body<NewUser>,
) -> Result<Response, ApiError> {
    dry(&app, &caller, &org, body.operation()).await
}

/// `PATCH …/users/{US}`: the fields given change; `"external_id": null` removes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default, deserialize_with = "present")]
    external_id: Option<Option<String>>,
    #[serde(default)]
    active: Option<bool>,
}

/// A field that was present: `null` is `Some(None)`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

pub async fn update_user(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids((org, user)): Ids<(String, String)>,
    headers: HeaderMap,
    Body(body): Body<UserPatch>,
) -> Result<Response, ApiError> {
    let operation = Operation::UpdateUser {
        user,
        name: body.name,
        email: body.email,
        external_id: body.external_id,
        active: body.active,
    };
    execute(&app, &caller, &org, &headers, operation, false).await
}

pub async fn remove_user(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids((org, user)): Ids<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    execute(
        &app,
        &caller,
        &org,
        &headers,
        Operation::RemoveUser { user },
        false,
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    scope: String,
    roles: Vec<String>,
    #[serde(default)]
    resources: Vec<ResourceKey>,
}

impl Assign {
    fn operation(self, user: String) -> Operation {
        Operation::Assign {
            user,
            scope: self.scope,
            roles: self.roles,
            resources: self.resources,
        }
    }
}

pub async fn assign(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids((org, user)): Ids<(String, String)>,
    headers: HeaderMap,
    Body(body): Body<Assign>,
) -> Result<Response, ApiError> {
    execute(&app, &caller, &org, &headers, body.operation(user), true).await
}

pub async fn assign_dry(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids((org, user)): Ids<(String, String)>,
    Body(body): Body<Assign>,
) -> Result<Response, ApiError> {
    dry(&app, &caller, &org, body.operation(user)).await
}

/// `?resource=none` deletes only the scope's plain row, `?resource=type:id` only that
/// resource's row; without it, every assignment at the scope.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnassignQuery {
    resource: Option<String>,
}

pub async fn unassign(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids((org, user, scope)): Ids<(String, String, String)>,
    headers: HeaderMap,
    Query(q): Query<UnassignQuery>,
) -> Result<Response, ApiError> {
    let resource = match q.resource.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some(r) => Some(Some(resource_key(r)?)),
    };
    execute(
        &app,
        &caller,
        &org,
        &headers,
        Operation::Unassign {
            user,
            scope,
            resource,
        },
        false,
    )
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveRoleQuery {
    /// `type:id`.
    resource: Option<String>,
}

/// Parses `type:id`.
pub(super) fn resource_key(text: &str) -> Result<ResourceKey, ApiError> {
    match text.split_once(':') {
        Some((t, id)) if engine::valid_id(t) && engine::valid_id(id) => Ok(ResourceKey {
            resource_type: t.to_string(),
            id: id.to_string(),
        }),
        _ => Err(ApiError::bad_request(
            "invalid-resource",
            format!(
                "resource `{}` is not of the form `type:id`",
                super::error::clip(text)
            ),
        )),
    }
}

pub async fn remove_role(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids((org, user, scope, role)): Ids<(String, String, String, String)>,
    headers: HeaderMap,
    Query(q): Query<RemoveRoleQuery>,
) -> Result<Response, ApiError> {
    let resource = q.resource.as_deref().map(resource_key).transpose()?;
    let operation = Operation::RemoveRole {
        user,
        scope,
        role,
        resource,
    };
    execute(&app, &caller, &org, &headers, operation, false).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    to: String,
}

pub async fn transfer(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids((org, account)): Ids<(String, String)>,
    headers: HeaderMap,
    Body(body): Body<Transfer>,
) -> Result<Response, ApiError> {
    let operation = Operation::TransferOwnership {
        account,
        to: body.to,
    };
    execute(&app, &caller, &org, &headers, operation, false).await
}

pub async fn transfer_dry(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids((org, account)): Ids<(String, String)>,
    Body(body): Body<Transfer>,
) -> Result<Response, ApiError> {
    let operation = Operation::TransferOwnership {
        account,
        to: body.to,
    };
    dry(&app, &caller, &org, operation).await
}

pub async fn operation(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
    headers: HeaderMap,
    Body(operation): Body<Operation>,
) -> Result<Response, ApiError> {
    execute(&app, &caller, &org, &headers, operation, false).await
}

pub async fn operation_dry(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
    Body(operation): Body<Operation>,
) -> Result<Response, ApiError> {
    dry(&app, &caller, &org, operation).await
}

/// Replaces the organization's settings: an operation like every other — authorized, judged
/// by the core's rules (a cap below what a user holds is refused), audited.
pub async fn put_settings(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
    headers: HeaderMap,
    Body(settings): Body<Settings>,
) -> Result<Response, ApiError> {
    execute(
        &app,
        &caller,
        &org,
        &headers,
        Operation::UpdateSettings { settings },
        false,
    )
    .await
}
