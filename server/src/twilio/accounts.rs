//! `/Organizations/{OR}/Accounts[/{AC}]`: the organization's accounts and, after each, its
//! subaccounts (with `parent_account_sid`, rolegate's addition), paged by SID; one account.
//! `owner_sid` is the account's Owner (a subaccount's is its account's); `status` is always
//! `active`; `date_created` is the organization's (rolegate keeps no date per account).

use std::sync::Arc;

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::TwilioError;
use super::extract::{Params, TwilioCaller, checked_ids};
use super::page::{self, PageToken};
use crate::api::App;
use crate::api::org::readable;
use crate::engine::{self, Policy};

/// Most items on one page.
const MAX_PAGE_SIZE: usize = 100;
/// Twilio's default page size for accounts.
const DEFAULT_PAGE_SIZE: usize = 50;

/// An account or subaccount, as Twilio shows it.
struct Row<'p> {
    sid: &'p str,
    name: &'p str,
    parent: Option<&'p str>,
}

fn rows(policy: &Policy) -> Vec<Row<'_>> {
    let mut rows: Vec<Row<'_>> = policy
        .accounts
        .iter()
        .map(|a| Row {
            sid: &a.id,
            name: &a.name,
            parent: None,
        })
        .chain(policy.subaccounts.iter().map(|s| Row {
            sid: &s.id,
            name: &s.name,
            parent: Some(&s.account),
        }))
        .collect();
    rows.sort_by(|a, b| a.sid.cmp(b.sid));
    rows
}

fn render(row: &Row<'_>, policy: &Policy, created: &str) -> Value {
    let owner = engine::account_owner(policy, row.parent.unwrap_or(row.sid));
    json!({
        "account_sid": row.sid,
        "friendly_name": row.name,
        "status": "active",
        "owner_sid": owner,
        "date_created": created,
        "parent_account_sid": row.parent,
    })
}

async fn created(app: &App, org: &str) -> Result<String, TwilioError> {
    let at = app.store.organization_created_at(org).await?.unwrap_or(0);
    Ok(crate::clock::iso8601(at))
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
    let size = params.number("PageSize", DEFAULT_PAGE_SIZE, 1..=MAX_PAGE_SIZE)?;
    let token = params.get("PageToken").map(PageToken::decode).transpose()?;
    let created = created(&app, &org).await?;
    let all = rows(&state.policy);
    let (items, number, before, after) = page::select(&all, |r| r.sid, size, token.as_ref());
    let body = page::body(
        &headers,
        &uri,
        &[],
        size,
        number,
        &items,
        |r| r.sid.to_string(),
        |r| render(r, &state.policy, &created),
        before,
        after,
    );
    Ok(Json(body).into_response())
}

pub async fn fetch(
    State(app): State<Arc<App>>,
    TwilioCaller(caller): TwilioCaller,
    Path((org, account)): Path<(String, String)>,
) -> Result<Response, TwilioError> {
    checked_ids(&[&org, &account], false)?;
    let state = readable(&app, &caller, &org).await?;
    let all = rows(&state.policy);
    let row = all.iter().find(|r| r.sid == account).ok_or_else(|| {
        TwilioError::new(
            StatusCode::NOT_FOUND,
            25101,
            format!("account `{account}` is not an account of organization `{org}`"),
        )
    })?;
    let created = created(&app, &org).await?;
    Ok(Json(render(row, &state.policy, &created)).into_response())
}
