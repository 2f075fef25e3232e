//! `/Organizations/{OR}/RoleAssignments`: list (filtered by `Identity` and/or `Scope`, and
//! `ResourceType`/`ResourceId`; paged), create (one role for one identity at one scope,
//! optionally bound to a resource) and delete — each the `/v1` API's operation underneath
//! (`assign`, `remove-role`), judged by the core with the OAuth client's user as the actor.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::TwilioError;
use super::extract::{Params, TwilioCaller, TwilioJson, checked_ids};
use super::page::{self, PageToken};
use crate::api::App;
use crate::api::admin::commit;
use crate::api::org::{readable, state};
use crate::engine::{self, Assignment, Operation, ResourceKey, Snapshot};

/// Most items on one page, and the default.
const MAX_PAGE_SIZE: usize = 100;

/// An assignment's Twilio SID: rolegate's `RA…` ids appear as `IY…` (the same digits).
pub fn assignment_sid(id: &str) -> String {
    match id.strip_prefix("RA") {
        Some(rest) => format!("IY{rest}"),
        None => id.to_string(),
    }
}

/// The rolegate id a Twilio SID names.
fn assignment_id(sid: &str) -> String {
    match sid.strip_prefix("IY") {
        Some(rest) => format!("RA{rest}"),
        None => sid.to_string(),
    }
}

/// Every role's SID, by role id.
fn role_sids(snapshot: &Snapshot) -> HashMap<String, String> {
    snapshot
        .roles()
        .map(|r| (r.id.to_string(), r.sid.to_string()))
        .collect()
}

fn render(a: &Assignment, sids: &HashMap<String, String>) -> Value {
    json!({
        "sid": assignment_sid(&a.id),
        "role_sid": sids.get(&a.role),
        "scope": a.scope,
        "identity": a.user,
        "resource_type": a.resource.as_ref().map(|r| &r.resource_type),
        "resource_id": a.resource.as_ref().map(|r| &r.id),
    })
}

pub async fn list(
    State(app): State<Arc<App>>,
    TwilioCaller(caller): TwilioCaller,
    Path(org): Path<String>,
    params: Params,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, TwilioError> {
    checked_ids(&[&org], false)?;
    let state = readable(&app, &caller, &org).await?;
    let identity = params.id("Identity", 25201)?;
    let scope = params.id("Scope", 25200)?;
    if identity.is_none() && scope.is_none() {
        return Err(TwilioError::bad_request(
            25203,
            "listing role assignments requires `Identity`, `Scope` or both",
        ));
    }
    let policy = &state.policy;
    if let Some(user) = identity
        && !policy.users.iter().any(|u| u.id == user)
    {
        return Err(TwilioError::bad_request(
            25201,
            format!("identity `{user}` is not a user of organization `{org}`"),
        ));
    }
    if let Some(scope) = scope
        && !engine::is_scope(policy, scope)
    {
        return Err(TwilioError::bad_request(
            25200,
            format!("scope `{scope}` is not organization `{org}` or one of its accounts"),
        ));
    }
    let (resource_type, resource_id) = (params.get("ResourceType"), params.get("ResourceId"));
    let size = params.number("PageSize", MAX_PAGE_SIZE, 1..=MAX_PAGE_SIZE)?;
    let token = params.get("PageToken").map(PageToken::decode).transpose()?;
    let mut matching: Vec<&Assignment> = policy
        .assignments
        .iter()
        .filter(|a| identity.is_none_or(|u| a.user == u))
        .filter(|a| scope.is_none_or(|s| a.scope == s))
        .filter(|a| {
            resource_type.is_none_or(|t| a.resource.as_ref().is_some_and(|r| r.resource_type == t))
        })
        .filter(|a| resource_id.is_none_or(|i| a.resource.as_ref().is_some_and(|r| r.id == i)))
        .collect();
    matching.sort_by_key(|a| assignment_sid(&a.id));
    let snapshot = state
        .snapshot()
        .map_err(crate::api::error::ApiError::internal)?;
    let sids = role_sids(&snapshot);
    let keyed: Vec<(String, &Assignment)> = matching
        .into_iter()
        .map(|a| (assignment_sid(&a.id), a))
        .collect();
    let (items, number, before, after) = page::select(&keyed, |(s, _)| s, size, token.as_ref());
    let filters: Vec<(&str, String)> = [
        ("Identity", identity),
        ("Scope", scope),
        ("ResourceType", resource_type),
        ("ResourceId", resource_id),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v.to_string())))
    .collect();
    let body = page::body(
        &headers,
        &uri,
        &filters,
        size,
        number,
        &items,
        |(s, _)| s.clone(),
        |(_, a)| render(a, &sids),
        before,
        after,
    );
    Ok(Json(body).into_response())
}

/// The create body, as the libraries send it: snake_case from Python and plain JavaScript,
/// camelCase from the Node library's TypeScript request class.
#[derive(Debug, Deserialize)]
pub struct NewAssignment {
    #[serde(default, alias = "roleSid")]
    role_sid: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    identity: Option<String>,
    #[serde(default, alias = "resourceType")]
    resource_type: Option<String>,
    #[serde(default, alias = "resourceId")]
    resource_id: Option<String>,
}

pub async fn create(
    State(app): State<Arc<App>>,
    TwilioCaller(caller): TwilioCaller,
    Path(org): Path<String>,
    TwilioJson(body): TwilioJson<NewAssignment>,
) -> Result<Response, TwilioError> {
    checked_ids(&[&org], false)?;
    let state = state(&app, &caller, &org).await?;
    let snapshot = state
        .snapshot()
        .map_err(crate::api::error::ApiError::internal)?;
    let required = |value: Option<String>, field: &str, code: u32| {
        value.ok_or_else(|| TwilioError::bad_request(code, format!("`{field}` is required")))
    };
    // A role SID the organization does not have is passed on as it is: the core, which
    // judges who asks before anything else, names it as an unknown role (25202).
    let role_sid = required(body.role_sid, "role_sid", 25202)?;
    let role = snapshot
        .role_by_sid(&role_sid)
        .map_or(role_sid.clone(), |r| r.id.to_string());
    let scope = required(body.scope, "scope", 25200)?;
    let identity = required(body.identity, "identity", 25201)?;
    let resources = match (body.resource_type, body.resource_id) {
        (Some(resource_type), Some(id)) => vec![ResourceKey { resource_type, id }],
        (None, None) => Vec::new(),
        _ => {
            return Err(TwilioError::bad_request(
                25019,
                "`resource_type` and `resource_id` go together",
            ));
        }
    };
    let operation = Operation::Assign {
        user: identity,
        scope,
        roles: vec![role],
        resources,
    };
    let committed = commit(&app, &caller, &org, None, &operation).await?;
    let sids = role_sids(&snapshot);
    let created = committed
        .record
        .change
        .added
        .first()
        .map(|a| render(a, &sids))
        .unwrap_or(Value::Null);
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

pub async fn delete(
    State(app): State<Arc<App>>,
    TwilioCaller(caller): TwilioCaller,
    Path((org, sid)): Path<(String, String)>,
) -> Result<Response, TwilioError> {
    checked_ids(&[&org, &sid], false)?;
    let state = state(&app, &caller, &org).await?;
    let id = assignment_id(&sid);
    let Some(a) = state.policy.assignments.iter().find(|a| a.id == id) else {
        // Who asks comes first: only someone who may manage assignments learns that this
        // one does not exist.
        let snapshot = state
            .snapshot()
            .map_err(crate::api::error::ApiError::internal)?;
        if engine::is_organization_manager(&snapshot, caller.actor()) {
            return Err(TwilioError::new(
                StatusCode::NOT_FOUND,
                20404,
                format!("role assignment `{sid}` not found"),
            ));
        }
        return Err(TwilioError::new(
            StatusCode::FORBIDDEN,
            25105,
            format!(
                "not authorized: user `{}` may not delete role assignments",
                caller.actor()
            ),
        ));
    };
    let operation = Operation::RemoveRole {
        user: a.user.clone(),
        scope: a.scope.clone(),
        role: a.role.clone(),
        resource: a.resource.clone(),
    };
    commit(&app, &caller, &org, None, &operation).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
