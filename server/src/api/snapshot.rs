//! Serving published snapshots: the full snapshot with a strong ETag (`If-None-Match` →
//! 304), deltas, per-user slices, and the watch on each — a long poll held until a newer
//! revision is published. Served from memory: once a revision is published, serving it needs
//! no database.
//!
//! The watch protocol (what `rolegate-host`'s `Syncer` and the npm `SnapshotLoader` speak):
//!
//! - `GET …/snapshot?after=R&wait=S` — the snapshot as soon as one newer than `R` is published
//!   (at once if it already is), or `304` after `S` seconds (at most [`MAX_WAIT_SECS`]);
//! - `GET …/snapshot.delta-R?wait=S` — likewise, the delta from `R` to the newest revision;
//!   `404` when no delta from `R` is kept (fetch the snapshot instead);
//! - `GET …/users/{US}/slice?after=R&wait=S` — likewise, the user's signed slice;
//! - every watch answer carries `Rolegate-Watch: S`, which tells a watching server from a
//!   plain one, and a delta carries the ETag of the snapshot it rebuilds in
//!   `Rolegate-Snapshot-ETag`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::App;
use super::error::{ApiError, clip};
use super::extract::{Caller, Ids, Query};
use crate::engine;
use crate::publish::Published;

/// The longest a watch waits.
pub const MAX_WAIT_SECS: u64 = 60;
/// Marks a watch answer.
const WATCH_HEADER: &str = "rolegate-watch";
/// On a delta, the ETag of the snapshot it rebuilds.
const SNAPSHOT_ETAG_HEADER: &str = "rolegate-snapshot-etag";

/// Marks `response` as a watch answer that waited up to `wait` seconds.
fn watching(mut response: Response, wait: u64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
        response.headers_mut().insert(WATCH_HEADER, v);
    }
    response
}

/// The newest publication of `org` newer than `after`: `published` itself if it is, or the
/// first one within `wait` seconds; `Ok(None)` when the wait ends with nothing newer. Each
/// waiter holds one of the bounded watch permits.
async fn newer_than(
    app: &App,
    org: &str,
    published: Arc<Published>,
    after: u64,
    wait: u64,
) -> Result<Option<Arc<Published>>, Response> {
    if published.revision > after {
        return Ok(Some(published));
    }
    if wait == 0 {
        return Ok(None);
    }
    let Ok(_permit) = app.watchers.try_acquire() else {
        let mut response = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too-many-watchers",
            "too many clients are watching; try again",
        )
        .into_response();
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("1"));
        return Err(response);
    };
    let mut rx = app.publisher.subscribe(org);
    let newer = tokio::time::timeout(Duration::from_secs(wait), async {
        loop {
            if let Some(p) = rx.borrow_and_update().clone()
                && p.revision > after
            {
                return Some(p);
            }
            tokio::select! {
                changed = rx.changed() => if changed.is_err() { return None },
                // Shutting down: answer "nothing newer" now; the client asks the next server.
                () = app.publisher.stopped() => return None,
            }
        }
    })
    .await;
    Ok(newer.ok().flatten())
}

/// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 says for it).
fn matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

fn bytes_response(status: StatusCode, bytes: Bytes, etag: &str, revision: u64) -> Response {
    let mut response = (status, bytes).into_response();
    let h = response.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&revision.to_string()) {
        h.insert("x-rolegate-revision", v);
    }
    response
}

fn full(published: &Published, headers: &HeaderMap) -> Response {
    if matches(headers, &published.etag) {
        not_modified(published)
    } else {
        bytes_response(
            StatusCode::OK,
            published.bytes.clone(),
            &published.etag,
            published.revision,
        )
    }
}

fn not_modified(published: &Published) -> Response {
    bytes_response(
        StatusCode::NOT_MODIFIED,
        Bytes::new(),
        &published.etag,
        published.revision,
    )
}

/// The latest published snapshot, or why there is none yet. A watch (`wait` > 0) waits for
/// the first one, as it would for a newer one.
async fn latest(
    app: &App,
    caller: &Caller,
    org: &str,
    wait: u64,
) -> Result<Arc<Published>, ApiError> {
    caller.within(org)?;
    if let Some(p) = app.publisher.latest(org) {
        return Ok(p);
    }
    if wait > 0 && app.store.revision(org).await?.is_some() {
        app.publisher.notify(org, 0);
        let mut rx = app.publisher.subscribe(org);
        let first = tokio::time::timeout(Duration::from_secs(wait), async {
            loop {
                if let Some(p) = rx.borrow_and_update().clone() {
                    return Some(p);
                }
                if rx.changed().await.is_err() {
                    return None;
                }
            }
        })
        .await;
        if let Ok(Some(p)) = first {
            return Ok(p);
        }
    }
    // Nothing in memory: either no such organization, or not published yet (for example,
    // written by another server process); wake its publisher either way.
    match app.store.revision(org).await? {
        None => Err(ApiError::organization_not_found(org)),
        Some(revision) => {
            app.publisher.notify(org, revision);
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not-published",
                format!("organization `{org}` has no published snapshot yet; try again"),
            ))
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchQuery {
    after: Option<u64>,
    wait: Option<u64>,
}

pub async fn snapshot(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids(org): Ids<String>,
    Query(q): Query<WatchQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let wait = q.wait.unwrap_or(0).min(MAX_WAIT_SECS);
    let published = latest(&app, &caller, &org, q.after.map_or(0, |_| wait)).await?;
    let Some(after) = q.after else {
        return Ok(full(&published, &headers));
    };
    Ok(watching(
        match newer_than(&app, &org, published.clone(), after, wait).await {
            Ok(Some(p)) => full(&p, &headers),
            Ok(None) => not_modified(&app.publisher.latest(&org).unwrap_or(published)),
            Err(busy) => return Ok(busy),
        },
        wait,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeltaQuery {
    wait: Option<u64>,
}

/// `snapshot.delta-{base}`: the delta from `base` to the newest snapshot — with `?wait=S`, a
/// watch that waits for a revision newer than `base`.
pub async fn file(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids((org, file)): Ids<(String, String)>,
    Query(q): Query<DeltaQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(base) = file
        .strip_prefix("snapshot.delta-")
        .and_then(|b| b.parse::<u64>().ok())
    else {
        caller.within(&org)?;
        return Err(ApiError::not_found("not-found", "no such route"));
    };
    let wait = q.wait.map(|w| w.min(MAX_WAIT_SECS));
    let published = latest(&app, &caller, &org, wait.unwrap_or(0)).await?;
    let published = match newer_than(&app, &org, published.clone(), base, wait.unwrap_or(0)).await {
        Ok(Some(p)) => p,
        Ok(None) if wait.is_some() => {
            return Ok(watching(not_modified(&published), wait.unwrap_or(0)));
        }
        Ok(None) => published,
        Err(busy) => return Ok(busy),
    };
    let mark = |response| match wait {
        Some(w) => watching(response, w),
        None => response,
    };
    let Some((bytes, etag)) = published.deltas.get(&base) else {
        return Ok(mark(
            ApiError::not_found(
                "delta-not-found",
                format!(
                    "no delta from revision `{base}` to revision `{}`",
                    published.revision
                ),
            )
            .into_response(),
        ));
    };
    let mut response = if matches(&headers, etag) {
        bytes_response(
            StatusCode::NOT_MODIFIED,
            Bytes::new(),
            etag,
            published.revision,
        )
    } else {
        bytes_response(StatusCode::OK, bytes.clone(), etag, published.revision)
    };
    if let Ok(v) = HeaderValue::from_str(&published.etag) {
        response.headers_mut().insert(SNAPSHOT_ETAG_HEADER, v);
    }
    Ok(mark(response))
}

/// A user's signed slice of the latest published snapshot: the caller's own, or anyone's
/// for an Organization Owner or Administrator.
pub async fn slice(
    State(app): State<Arc<App>>,
    caller: Caller,
    Ids((org, user)): Ids<(String, String)>,
    Query(q): Query<WatchQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let wait = q.wait.unwrap_or(0).min(MAX_WAIT_SECS);
    let published = latest(&app, &caller, &org, q.after.map_or(0, |_| wait)).await?;
    let published = match q.after {
        None => published,
        Some(after) => match newer_than(&app, &org, published.clone(), after, wait).await {
            Ok(Some(p)) => p,
            Ok(None) => return Ok(watching(not_modified(&published), wait)),
            Err(busy) => return Ok(busy),
        },
    };
    let snapshot = {
        let published = published.clone();
        tokio::task::spawn_blocking(move || published.snapshot())
            .await
            .map_err(ApiError::internal)?
            .map_err(ApiError::internal)?
    };
    if caller.actor() != user && !engine::is_organization_manager(&snapshot, caller.actor()) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not-authorized",
            format!(
                "user `{}` may not read the slice of user `{}`",
                caller.actor(),
                clip(&user)
            ),
        ));
    }
    if snapshot.user(&user).is_none() {
        return Err(ApiError::not_found(
            "unknown-user",
            format!("unknown user `{}`", clip(&user)),
        ));
    }
    let key = app.publisher.key().clone();
    let bytes = tokio::task::spawn_blocking(move || engine::slice_signed(&snapshot, &user, &key))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let etag = format!("\"{}\"", crate::clock::sha256_hex(&bytes));
    let response = if matches(&headers, &etag) {
        bytes_response(
            StatusCode::NOT_MODIFIED,
            Bytes::new(),
            &etag,
            published.revision,
        )
    } else {
        bytes_response(
            StatusCode::OK,
            Bytes::from(bytes),
            &etag,
            published.revision,
        )
    };
    Ok(match q.after {
        Some(_) => watching(response, wait),
        None => response,
    })
}
