//! SCIM 2.0 users — `/Organizations/{OR}/scim/Users[/{US}]` — as Twilio's API and identity
//! providers (Okta, Entra ID, the helper libraries) speak it: list with `filter=userName eq
//! "…"` or `externalId eq "…"`, create, fetch, replace (`PUT`), patch (`Operations`), delete.
//! Each change is the `/v1` API's operation underneath (`add-user`, `update-user`,
//! `remove-user`), judged by the core with the OAuth client's user as the actor.
//!
//! Where rolegate chose (the README's compatibility table says the same):
//! - one display name per user: `displayName` (or `name.formatted`, or `givenName` and
//!   `familyName` joined) sets it, and `name.givenName`/`familyName` are read back split at
//!   its first space;
//! - `userName` and the primary email are one value (Twilio's rule, 25014) and do not change
//!   after creation (25013, 25012);
//! - `active: false` deactivates: every decision for the user is Deny from the next revision,
//!   their assignments kept; a `PUT` without `active` keeps it;
//! - `meta.version` is `W/"R"`, R the organization's revision at the user's last change;
//!   `If-Match` with another version is 409 (25020).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_TYPE, ETAG, IF_MATCH, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::TwilioError;
use super::extract::{Params, TwilioCaller, TwilioJson, checked_ids, origin};
use crate::api::App;
use crate::api::admin::commit;
use crate::api::extract::Caller;
use crate::api::org::{readable, state};
use crate::engine::{self, Operation, User};
use crate::store::{OrgState, UserMeta};

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// Largest `count` of one list page.
const MAX_COUNT: usize = 1000;

fn scim_error(
    status: StatusCode,
    code: u32,
    scim_type: Option<&'static str>,
    detail: impl Into<String>,
) -> TwilioError {
    TwilioError::new(status, code, detail).scim(scim_type)
}

fn invalid(code: u32, detail: impl Into<String>) -> TwilioError {
    scim_error(StatusCode::BAD_REQUEST, code, Some("invalidValue"), detail)
}

/// Any error, in SCIM's shape.
fn scim<E: Into<TwilioError>>(e: E) -> TwilioError {
    e.into().in_scim()
}

/// A JSON answer as SCIM sends it.
fn scim_json(status: StatusCode, body: Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/scim+json"),
    );
    response
}

/// `W/"R"`.
fn version_tag(version: u64) -> String {
    format!("W/\"{version}\"")
}

/// The version an `If-Match` names (`W/"5"`, `W/5`, `"5"`, `5`); `*` and absence: any.
fn if_match(headers: &HeaderMap) -> Result<Option<u64>, TwilioError> {
    let Some(value) = headers.get(IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    text.strip_prefix("W/")
        .unwrap_or(text)
        .trim_matches('"')
        .parse::<u64>()
        .map(Some)
        .map_err(|_| {
            invalid(
                25020,
                format!(
                    "`If-Match: {}` is not a version",
                    crate::api::error::clip(text)
                ),
            )
        })
}

/// Given and family names, read back from the one display name.
fn name_parts(name: &str) -> (&str, &str) {
    match name.trim().split_once(' ') {
        Some((given, family)) => (given, family.trim()),
        None => (name.trim(), ""),
    }
}

fn render(user: &User, meta: &UserMeta, location: &str) -> Value {
    let (given, family) = name_parts(&user.name);
    json!({
        "schemas": [USER_SCHEMA],
        "id": user.id,
        "externalId": user.external_id,
        "userName": user.email,
        "displayName": user.name,
        "name": {"formatted": user.name, "givenName": given, "familyName": family},
        "emails": [{"value": user.email, "primary": true, "type": "work"}],
        "active": user.active,
        "meta": {
            "resourceType": "User",
            "created": crate::clock::iso8601(meta.created_at),
            "lastModified": crate::clock::iso8601(meta.updated_at),
            "version": version_tag(meta.version),
            "location": location,
        },
    })
}

fn location(headers: &HeaderMap, org: &str, user: &str) -> String {
    format!("{}/Organizations/{org}/scim/Users/{user}", origin(headers))
}

/// One user as SCIM answers it, with `ETag` (and `Location` when `created`).
async fn answer(
    app: &App,
    headers: &HeaderMap,
    org: &str,
    user: &User,
    status: StatusCode,
) -> Result<Response, TwilioError> {
    let meta = app
        .store
        .user_meta(org, Some(&user.id))
        .await
        .map_err(scim)?
        .remove(&user.id)
        .unwrap_or_default();
    let url = location(headers, org, &user.id);
    let mut response = scim_json(status, render(user, &meta, &url));
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&version_tag(meta.version)) {
        h.insert(ETAG, v);
    }
    if status == StatusCode::CREATED
        && let Ok(v) = HeaderValue::from_str(&url)
    {
        h.insert(LOCATION, v);
    }
    Ok(response)
}

// ---- list ----

/// What a list filter asks for.
#[derive(Debug, PartialEq, Eq)]
enum Filter {
    UserName(String),
    ExternalId(String),
}

/// `userName eq "…"` or `externalId eq "…"` (attribute and operator in any case, the value
/// a JSON string); anything else is 25001 `invalidFilter`.
fn parse_filter(text: &str) -> Result<Filter, TwilioError> {
    let refuse = || {
        scim_error(
            StatusCode::BAD_REQUEST,
            25001,
            Some("invalidFilter"),
            "only `userName eq \"…\"` and `externalId eq \"…\"` filters are supported",
        )
    };
    let text = text.trim();
    let (attribute, rest) = text.split_once(char::is_whitespace).ok_or_else(refuse)?;
    let (operator, value) = rest
        .trim_start()
        .split_once(char::is_whitespace)
        .ok_or_else(refuse)?;
    if !operator.eq_ignore_ascii_case("eq") {
        return Err(refuse());
    }
    let value: String = serde_json::from_str(value.trim()).map_err(|_| refuse())?;
    if attribute.eq_ignore_ascii_case("userName") {
        Ok(Filter::UserName(value))
    } else if attribute.eq_ignore_ascii_case("externalId") {
        Ok(Filter::ExternalId(value))
    } else {
        Err(refuse())
    }
}

pub async fn list(
    State(app): State<Arc<App>>,
    TwilioCaller(caller): TwilioCaller,
    Path(org): Path<String>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, TwilioError> {
    checked_ids(&[&org], true)?;
    let state = readable(&app, &caller, &org).await.map_err(scim)?;
    let filter = params.get("filter").map(parse_filter).transpose()?;
    let start = params
        .number("startIndex", 1, 0..=usize::MAX)
        .map_err(scim)?
        .max(1);
    let count = params.number("count", 100, 0..=MAX_COUNT).map_err(scim)?;
    let mut users: Vec<&User> = state
        .policy
        .users
        .iter()
        .filter(|u| match &filter {
            // userName is case-insensitive in SCIM; externalId is exact.
            Some(Filter::UserName(v)) => u.email.eq_ignore_ascii_case(v),
            Some(Filter::ExternalId(v)) => u.external_id.as_ref() == Some(v),
            None => true,
        })
        .collect();
    users.sort_by(|a, b| a.id.cmp(&b.id));
    let meta = app.store.user_meta(&org, None).await.map_err(scim)?;
    let page: Vec<Value> = users
        .iter()
        .skip(start - 1)
        .take(count)
        .map(|u| {
            render(
                u,
                &meta.get(&u.id).copied().unwrap_or_default(),
                &location(&headers, &org, &u.id),
            )
        })
        .collect();
    // `Resources` first: the Node library reads the first array of a page without `meta`.
    Ok(scim_json(
        StatusCode::OK,
        json!({
            "Resources": page,
            "totalResults": users.len(),
            "startIndex": start,
            "itemsPerPage": page.len(),
            "schemas": [LIST_SCHEMA],
        }),
    ))
}

// ---- one user ----

/// The organization's state and the user, for a caller of it. A user who is not there is
/// 404 (25008) only for someone who may manage users; anyone else hears "not authorized",
/// so a refusal never tells who exists.
async fn existing(
    app: &App,
    caller: &Caller,
    org: &str,
    user: &str,
    reading: bool,
) -> Result<(Arc<OrgState>, User), TwilioError> {
    let state = if reading {
        readable(app, caller, org).await
    } else {
        state(app, caller, org).await
    }
    .map_err(scim)?;
    if let Some(u) = state.policy.users.iter().find(|u| u.id == user) {
        return Ok((state.clone(), u.clone()));
    }
    let snapshot = state
        .snapshot()
        .map_err(|e| scim(crate::api::error::ApiError::internal(e)))?;
    if reading || engine::is_organization_manager(&snapshot, caller.actor()) {
        Err(scim_error(
            StatusCode::NOT_FOUND,
            25008,
            None,
            format!("user `{}` not found", crate::api::error::clip(user)),
        ))
    } else {
        Err(scim_error(
            StatusCode::FORBIDDEN,
            25105,
            None,
            format!(
                "not authorized: user `{}` may not edit users",
                caller.actor()
            ),
        ))
    }
}

pub async fn fetch(
    State(app): State<Arc<App>>,
    TwilioCaller(caller): TwilioCaller,
    Path((org, user)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, TwilioError> {
    checked_ids(&[&org, &user], true)?;
    let (_, user) = existing(&app, &caller, &org, &user, true).await?;
    answer(&app, &headers, &org, &user, StatusCode::OK).await
}

// ---- create and replace ----

/// A user as SCIM clients send it. Attributes rolegate does not keep (`locale`, `timezone`,
/// `password`, `meta`, …) are accepted and ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimUser {
    #[serde(default)]
    user_name: Option<String>,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    name: Option<ScimName>,
    #[serde(default)]
    emails: Vec<ScimEmail>,
    #[serde(default)]
    active: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScimName {
    #[serde(default)]
    formatted: Option<String>,
    #[serde(default)]
    given_name: Option<String>,
    #[serde(default)]
    family_name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ScimEmail {
    value: String,
    #[serde(default)]
    primary: Option<bool>,
}

/// Checks a SCIM text's length (2 to 255 characters), or `code`.
fn length(value: &str, what: &str, code: u32) -> Result<(), TwilioError> {
    let n = value.chars().count();
    if (2..=255).contains(&n) {
        Ok(())
    } else {
        Err(invalid(
            code,
            format!("`{what}` must have 2 to 255 characters"),
        ))
    }
}

/// `active` as clients send it: a boolean, or (Entra ID) `"True"`/`"False"`.
fn boolean(value: &Value) -> Result<bool, TwilioError> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(invalid(25015, "`active` must be true or false")),
    }
}

impl ScimName {
    fn checked(&self) -> Result<(), TwilioError> {
        for (part, what, code) in [
            (&self.given_name, "name.givenName", 25002),
            (&self.family_name, "name.familyName", 25003),
            (&self.formatted, "name.formatted", 25002),
        ] {
            if let Some(p) = part
                && p.chars().count() > 255
            {
                return Err(invalid(
                    code,
                    format!("`{what}` is longer than 255 characters"),
                ));
            }
        }
        Ok(())
    }

    /// The display name these parts make, if any.
    fn joined(&self) -> Option<String> {
        if let Some(f) = self.formatted.as_ref().filter(|f| !f.trim().is_empty()) {
            return Some(f.trim().to_string());
        }
        let parts: Vec<&str> = [&self.given_name, &self.family_name]
            .into_iter()
            .flatten()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

impl ScimUser {
    /// The primary email: the only one, or the one marked primary (25010 otherwise; 25011
    /// when it is no address).
    fn primary_email(&self) -> Result<&str, TwilioError> {
        let primary = match self.emails.as_slice() {
            [] => None,
            [only] => Some(only),
            many => {
                let marked: Vec<&ScimEmail> =
                    many.iter().filter(|e| e.primary == Some(true)).collect();
                match marked.as_slice() {
                    [one] => Some(*one),
                    _ => None,
                }
            }
        };
        let email = primary
            .map(|e| e.value.trim())
            .ok_or_else(|| invalid(25010, "a primary email is required"))?;
        if !(2..=160).contains(&email.chars().count()) || !email.contains('@') {
            return Err(invalid(25011, "the primary email is not an address"));
        }
        Ok(email)
    }

    /// The display name: `displayName`, else the name's parts, else `fallback`.
    fn display(&self, fallback: &str) -> Result<String, TwilioError> {
        if let Some(name) = &self.name {
            name.checked()?;
        }
        let name = self
            .display_name
            .as_ref()
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .or_else(|| self.name.as_ref().and_then(ScimName::joined))
            .unwrap_or_else(|| fallback.to_string());
        if name.chars().count() > 255 {
            return Err(invalid(
                25002,
                "`displayName` is longer than 255 characters",
            ));
        }
        Ok(name)
    }

    fn external(&self) -> Result<Option<String>, TwilioError> {
        match &self.external_id {
            Some(e) => length(e, "externalId", 25004).map(|()| Some(e.clone())),
            None => Ok(None),
        }
    }
}

pub async fn create(
    State(app): State<Arc<App>>,
    TwilioCaller(caller): TwilioCaller,
    Path(org): Path<String>,
    headers: HeaderMap,
    TwilioJson(body): TwilioJson<ScimUser>,
) -> Result<Response, TwilioError> {
    checked_ids(&[&org], true)?;
    state(&app, &caller, &org).await.map_err(scim)?;
    let user_name = body
        .user_name
        .as_deref()
        .ok_or_else(|| invalid(25005, "`userName` is required"))?;
    length(user_name, "userName", 25005)?;
    let email = body.primary_email()?;
    if !email.eq_ignore_ascii_case(user_name) {
        return Err(invalid(25014, "`userName` must be the primary email"));
    }
    let id = format!(
        "US{}",
        crate::clock::hex(
            &crate::clock::random::<16>()
                .map_err(|e| scim(crate::api::error::ApiError::internal(e)))?
        )
    );
    let user = User {
        external_id: body.external()?,
        active: body
            .active
            .as_ref()
            .map(boolean)
            .transpose()?
            .unwrap_or(true),
        ..User::new(id, body.display(user_name)?, email)
    };
    commit(
        &app,
        &caller,
        &org,
        None,
        &Operation::AddUser { user: user.clone() },
    )
    .await
    .map_err(scim)?;
    answer(&app, &headers, &org, &user, StatusCode::CREATED).await
}

/// Commits the edit (only when something changes), honouring `If-Match`.
#[allow(clippy::too_many_arguments)]
async fn edit(
    app: &App,
    caller: &Caller,
    org: &str,
    headers: &HeaderMap,
    state: &OrgState,
    before: &User,
    after: User,
) -> Result<Response, TwilioError> {
    if let Some(expected) = if_match(headers)? {
        let version = app
            .store
            .user_meta(org, Some(&before.id))
            .await
            .map_err(scim)?
            .get(&before.id)
            .map_or(0, |m| m.version);
        if expected != version {
            return Err(scim_error(
                StatusCode::CONFLICT,
                25020,
                None,
                format!(
                    "version `{}` is not the user's current version `{}`",
                    version_tag(expected),
                    version_tag(version)
                ),
            ));
        }
    }
    if after == *before {
        return answer(app, headers, org, before, StatusCode::OK).await;
    }
    let operation = Operation::UpdateUser {
        user: before.id.clone(),
        name: (after.name != before.name).then(|| after.name.clone()),
        email: None,
        external_id: (after.external_id != before.external_id).then(|| after.external_id.clone()),
        active: (after.active != before.active).then_some(after.active),
    };
    // With `If-Match`, the whole organization must still be where it was judged, so a
    // change racing in between is a conflict rather than a lost update.
    let expected = headers.get(IF_MATCH).map(|_| state.revision);
    commit(app, caller, org, expected, &operation)
        .await
        .map_err(|e| match e {
            crate::store::WriteError::Stale { .. } => scim_error(
                StatusCode::CONFLICT,
                25020,
                None,
                "the user changed while this request was made; fetch it and try again",
            ),
            other => scim(other),
        })?;
    answer(app, headers, org, &after, StatusCode::OK).await
}

/// `userName` and the primary email cannot change (25013, 25012).
fn same_identity(
    user: &User,
    user_name: Option<&str>,
    email: Option<&str>,
) -> Result<(), TwilioError> {
    let refuse = |code, what: &str| {
        scim_error(
            StatusCode::BAD_REQUEST,
            code,
            Some("mutability"),
            format!("`{what}` cannot be changed"),
        )
    };
    if user_name.is_some_and(|n| !n.eq_ignore_ascii_case(&user.email)) {
        return Err(refuse(25013, "userName"));
    }
    if email.is_some_and(|e| !e.eq_ignore_ascii_case(&user.email)) {
        return Err(refuse(25012, "emails"));
    }
    Ok(())
}

pub async fn replace(
    State(app): State<Arc<App>>,
    TwilioCaller(caller): TwilioCaller,
    Path((org, user)): Path<(String, String)>,
    headers: HeaderMap,
    TwilioJson(body): TwilioJson<ScimUser>,
) -> Result<Response, TwilioError> {
    checked_ids(&[&org, &user], true)?;
    let (state, before) = existing(&app, &caller, &org, &user, false).await?;
    let email = if body.emails.is_empty() {
        None
    } else {
        Some(body.primary_email()?)
    };
    same_identity(&before, body.user_name.as_deref(), email)?;
    let after = User {
        name: body.display(&before.name)?,
        // A replace without an external id removes it; without `active`, keeps it.
        external_id: body.external()?,
        active: body
            .active
            .as_ref()
            .map(boolean)
            .transpose()?
            .unwrap_or(before.active),
        ..before.clone()
    };
    edit(&app, &caller, &org, &headers, &state, &before, after).await
}

// ---- patch ----

/// A PATCH body: `Operations` (or `operations`, as the Node library's type names it).
#[derive(Debug, Deserialize)]
pub struct PatchRequest {
    #[serde(default, alias = "operations", rename = "Operations")]
    operations: Vec<PatchOp>,
}

#[derive(Debug, Deserialize)]
pub struct PatchOp {
    op: String,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    value: Option<Value>,
}

fn bad_patch(detail: impl Into<String>) -> TwilioError {
    scim_error(
        StatusCode::BAD_REQUEST,
        25015,
        Some("invalidSyntax"),
        detail,
    )
}

fn text(value: Option<&Value>, what: &str) -> Result<String, TwilioError> {
    match value {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(bad_patch(format!("`{what}` takes a string"))),
    }
}

/// Applies one attribute of a patch to `user`.
fn patch_attribute(
    user: &mut User,
    op: &str,
    path: &str,
    value: Option<&Value>,
) -> Result<(), TwilioError> {
    let removing = op == "remove";
    match path.to_ascii_lowercase().as_str() {
        "active" if !removing => user.active = boolean(value.unwrap_or(&Value::Null))?,
        "displayname" | "name.formatted" if !removing => {
            let name = text(value, path)?;
            if name.trim().is_empty() || name.chars().count() > 255 {
                return Err(invalid(25002, "a name has 1 to 255 characters"));
            }
            user.name = name.trim().to_string();
        }
        "name.givenname" | "name.familyname" if !removing => {
            let part = text(value, path)?;
            let (given, family) = name_parts(&user.name);
            let (given, family) = if path.eq_ignore_ascii_case("name.givenName") {
                (part.trim().to_string(), family.to_string())
            } else {
                (given.to_string(), part.trim().to_string())
            };
            user.name = [given, family]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
        }
        "name" if !removing => {
            let name: ScimName = serde_json::from_value(value.cloned().unwrap_or(Value::Null))
                .map_err(|_| bad_patch("`name` takes an object"))?;
            name.checked()?;
            if let Some(joined) = name.joined() {
                user.name = joined;
            }
        }
        "externalid" => {
            user.external_id = if removing {
                None
            } else {
                let e = text(value, path)?;
                length(&e, "externalId", 25004)?;
                Some(e)
            };
        }
        "username" => same_identity(user, Some(&text(value, path)?), None)?,
        p if p == "emails" || p.starts_with("emails[") || p.starts_with("emails.") => {
            let email = match value {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Array(items)) => {
                    let emails: Vec<ScimEmail> =
                        serde_json::from_value(Value::Array(items.clone()))
                            .map_err(|_| bad_patch("`emails` takes a list of emails"))?;
                    let probe = ScimUser {
                        emails,
                        ..ScimUser::default()
                    };
                    Some(probe.primary_email()?.to_string())
                }
                _ => None,
            };
            if removing || email.is_none() {
                return Err(scim_error(
                    StatusCode::BAD_REQUEST,
                    25012,
                    Some("mutability"),
                    "`emails` cannot be changed",
                ));
            }
            same_identity(user, None, email.as_deref())?;
        }
        _ => {
            return Err(scim_error(
                StatusCode::BAD_REQUEST,
                25015,
                Some("invalidPath"),
                format!(
                    "`{} {}` is not supported",
                    op,
                    crate::api::error::clip(path)
                ),
            ));
        }
    }
    Ok(())
}

/// Applies a whole patch to a copy of `user`.
fn patched(user: &User, ops: &[PatchOp]) -> Result<User, TwilioError> {
    if ops.is_empty() {
        return Err(bad_patch("a patch needs `Operations`"));
    }
    let mut after = user.clone();
    for o in ops {
        let op = o.op.to_ascii_lowercase();
        if !matches!(op.as_str(), "add" | "replace" | "remove") {
            return Err(bad_patch(format!(
                "`op` must be add, replace or remove, not `{}`",
                crate::api::error::clip(&o.op)
            )));
        }
        match (&o.path, &o.value) {
            (Some(path), value) => patch_attribute(&mut after, &op, path, value.as_ref())?,
            // No path: the value is an object of attributes (as Okta sends `{"active": false}`).
            (None, Some(Value::Object(attributes))) if op != "remove" => {
                for (name, value) in attributes {
                    patch_attribute(&mut after, &op, name, Some(value))?;
                }
            }
            _ => {
                return Err(bad_patch(
                    "an operation needs a `path` or an object `value`",
                ));
            }
        }
    }
    Ok(after)
}

pub async fn patch(
    State(app): State<Arc<App>>,
    TwilioCaller(caller): TwilioCaller,
    Path((org, user)): Path<(String, String)>,
    headers: HeaderMap,
    TwilioJson(body): TwilioJson<PatchRequest>,
) -> Result<Response, TwilioError> {
    checked_ids(&[&org, &user], true)?;
    let (state, before) = existing(&app, &caller, &org, &user, false).await?;
    let after = patched(&before, &body.operations)?;
    edit(&app, &caller, &org, &headers, &state, &before, after).await
}

pub async fn delete(
    State(app): State<Arc<App>>,
    TwilioCaller(caller): TwilioCaller,
    Path((org, user)): Path<(String, String)>,
) -> Result<Response, TwilioError> {
    checked_ids(&[&org, &user], true)?;
    let (_, user) = existing(&app, &caller, &org, &user, false).await?;
    commit(
        &app,
        &caller,
        &org,
        None,
        &Operation::RemoveUser { user: user.id },
    )
    .await
    .map_err(scim)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_user_name_or_external_id_eq_and_nothing_else() {
        assert_eq!(
            parse_filter(r#"userName eq "ada@example.com""#).unwrap(),
            Filter::UserName("ada@example.com".into())
        );
        assert_eq!(
            parse_filter(r#"externalid EQ "00u\"1""#).unwrap(),
            Filter::ExternalId("00u\"1".into())
        );
        for bad in [
            r#"userName co "ada""#,
            r#"displayName eq "Ada""#,
            r#"userName eq ada"#,
            "userName",
            r#"userName eq "a" and active eq true"#,
            "",
        ] {
            let e = parse_filter(bad).unwrap_err();
            assert_eq!(
                (e.code, e.scim_type),
                (25001, Some("invalidFilter")),
                "{bad}"
            );
        }
    }

    #[test]
    fn patches_change_what_they_name_and_refuse_identity_changes() {
        let user = User::new("US1", "Ada Lovelace", "ada@example.com");
        let op = |op: &str, path: Option<&str>, value: Value| PatchOp {
            op: op.into(),
            path: path.map(String::from),
            value: Some(value),
        };
        let after = patched(&user, &[op("Replace", Some("active"), json!("False"))]).unwrap();
        assert!(!after.active);
        let after = patched(
            &user,
            &[op(
                "replace",
                None,
                json!({"active": false, "externalId": "ext-1"}),
            )],
        )
        .unwrap();
        assert!(!after.active);
        assert_eq!(after.external_id.as_deref(), Some("ext-1"));
        let after = patched(
            &user,
            &[op("replace", Some("name.familyName"), json!("Byron"))],
        )
        .unwrap();
        assert_eq!(after.name, "Ada Byron");
        let e = patched(
            &user,
            &[op("replace", Some("userName"), json!("eve@example.com"))],
        )
        .unwrap_err();
        assert_eq!(e.code, 25013);
        let e = patched(
            &user,
            &[op(
                "replace",
                Some("emails"),
                json!([{"value": "eve@example.com", "primary": true}]),
            )],
        )
        .unwrap_err();
        assert_eq!(e.code, 25012);
        // The same email is no change at all.
        assert!(
            patched(
                &user,
                &[op("replace", Some("userName"), json!("ADA@example.com"))]
            )
            .is_ok()
        );
        let e = patched(&user, &[op("replace", Some("nickName"), json!("x"))]).unwrap_err();
        assert_eq!(e.code, 25015);
        let e = patched(&user, &[op("move", Some("active"), json!(true))]).unwrap_err();
        assert_eq!(e.code, 25015);
        assert_eq!(patched(&user, &[]).unwrap_err().code, 25015);
    }
}
