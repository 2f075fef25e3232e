//! The HTTP side of syncing: snapshot and delta requests, conditional (`If-None-Match`) or as
//! watches of a rolegate server.
//!
//! The watch protocol (what `rolegate serve` answers; a plain web server ignores the query
//! and answers as it always does):
//!
//! - `GET <url>?after=R&wait=S` — the snapshot as soon as one newer than revision `R` is
//!   published (at once if it already is), or `304` after `S` seconds;
//! - `GET <url>.delta-R?wait=S` — likewise, the delta from revision `R` to the newest one;
//!   `404` when the server keeps no delta from `R` (then fetch the snapshot);
//! - every watch answer carries a `Rolegate-Watch` header, which tells a watching server
//!   from a plain one; a delta's answer carries the `ETag` of the snapshot it rebuilds as
//!   `Rolegate-Snapshot-ETag`.

use std::time::Duration;

use crate::syncer::SyncError;

/// The header that marks a watch answer.
const WATCH_HEADER: &str = "rolegate-watch";
/// The header that carries, on a delta, the ETag of the snapshot it rebuilds.
const SNAPSHOT_ETAG_HEADER: &str = "rolegate-snapshot-etag";

/// How to ask.
pub(crate) struct Request<'a> {
    pub(crate) agent: &'a ureq::Agent,
    pub(crate) watch: Option<Duration>,
    pub(crate) max_snapshot_bytes: u64,
    pub(crate) max_delta_bytes: u64,
    /// `Authorization: Bearer …`, when the source needs one.
    pub(crate) bearer: Option<String>,
}

/// OAuth 2.0 client credentials for a source that needs a bearer token (a `rolegate serve`
/// snapshot URL): the token is fetched from `token_url` and renewed before it expires.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    /// The token endpoint, such as `http://127.0.0.1:8080/v1/token`.
    pub token_url: String,
    /// The client id (`OQ…`).
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// An access token and when to stop using it.
pub(crate) struct Token {
    pub(crate) value: String,
    pub(crate) renew_at: std::time::Instant,
}

/// What a token endpoint answers (other fields ignored).
#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: Option<u64>,
}

/// A fresh access token for `credentials`: requested now, renewed a minute before it
/// expires (or halfway, for short-lived ones).
pub(crate) fn token(
    agent: &ureq::Agent,
    credentials: &ClientCredentials,
) -> Result<Token, SyncError> {
    let failed = |source: crate::error::Cause| SyncError::Fetch {
        from: credentials.token_url.clone(),
        source,
    };
    let mut response = agent
        .post(&credentials.token_url)
        .send_form([
            ("grant_type", "client_credentials"),
            ("client_id", credentials.client_id.as_str()),
            ("client_secret", credentials.client_secret.as_str()),
        ])
        .map_err(|e| failed(e.into()))?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(SyncError::Status(status));
    }
    let body = response
        .body_mut()
        .with_config()
        .limit(64 << 10)
        .read_to_vec()
        .map_err(|e| failed(e.into()))?;
    let answer: TokenAnswer = serde_json::from_slice(&body).map_err(|e| failed(e.into()))?;
    let value = answer.access_token;
    let lives = answer.expires_in.unwrap_or(60);
    let renew_in = lives.saturating_sub(60).max(lives / 2);
    Ok(Token {
        value,
        renew_at: std::time::Instant::now() + Duration::from_secs(renew_in),
    })
}

/// A snapshot request's answer.
pub(crate) enum Fetched {
    /// 304: nothing newer.
    NotModified,
    /// The bytes, and the ETag that names them.
    Body {
        bytes: Vec<u8>,
        etag: Option<String>,
    },
}

/// A snapshot request's answer and whether the source answered as a watch.
pub(crate) struct Answer {
    pub(crate) body: Fetched,
    pub(crate) watching: bool,
}

/// A delta request's answer.
pub(crate) enum Delta {
    /// The delta, and the ETag of the snapshot it rebuilds, when the server said.
    Bytes {
        delta: Vec<u8>,
        etag: Option<String>,
    },
    /// A watch that ended with nothing newer.
    NotModified,
    /// No delta from this base: fetch the snapshot.
    Unavailable,
}

/// `url` with `.delta-<base>` appended to its path (before any query string).
pub(crate) fn delta_url(url: &str, base: u64) -> String {
    match url.split_once('?') {
        Some((path, query)) => format!("{path}.delta-{base}?{query}"),
        None => format!("{url}.delta-{base}"),
    }
}

/// `url` with `params` added to its query string.
fn with_params(url: &str, params: &[(&str, String)]) -> String {
    let mut out = String::from(url);
    for (i, (name, value)) in params.iter().enumerate() {
        let joiner = if i == 0 && !url.contains('?') {
            '?'
        } else {
            '&'
        };
        out.push(joiner);
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn fetch_failed(url: &str, e: ureq::Error) -> SyncError {
    SyncError::Fetch {
        from: url.to_owned(),
        source: e.into(),
    }
}

impl Request<'_> {
    fn wait_params(&self) -> Vec<(&'static str, String)> {
        self.watch
            .map(|w| vec![("wait", w.as_secs().max(1).to_string())])
            .unwrap_or_default()
    }

    /// The snapshot at `url`: after `served` when watching, conditional on `etag`.
    pub(crate) fn snapshot(
        &self,
        url: &str,
        served: Option<u64>,
        etag: Option<&str>,
    ) -> Result<Answer, SyncError> {
        let mut params = Vec::new();
        if self.watch.is_some() {
            // With nothing served yet, `after=0` answers at once, and the answer already says
            // whether the source watches.
            params.push(("after", served.unwrap_or(0).to_string()));
            params.extend(self.wait_params());
        }
        let target = with_params(url, &params);
        let mut request = self.agent.get(&target);
        if let Some(bearer) = &self.bearer {
            request = request.header("Authorization", format!("Bearer {bearer}"));
        }
        if let Some(etag) = etag {
            request = request.header("If-None-Match", etag);
        }
        let mut response = request.call().map_err(|e| fetch_failed(url, e))?;
        let watching = header(&response, WATCH_HEADER).is_some();
        let body = match response.status().as_u16() {
            304 if etag.is_some() || watching => Fetched::NotModified,
            304 => return Err(SyncError::UnexpectedNotModified),
            200 => {
                let etag = header(&response, "etag");
                let bytes = response
                    .body_mut()
                    .with_config()
                    .limit(self.max_snapshot_bytes)
                    .read_to_vec()
                    .map_err(|e| fetch_failed(url, e))?;
                Fetched::Body { bytes, etag }
            }
            status => return Err(SyncError::Status(status)),
        };
        Ok(Answer { body, watching })
    }

    /// The delta from `base` to the newest snapshot at `url`, and whether the source
    /// answered as a watch.
    pub(crate) fn delta(&self, url: &str, base: u64) -> Result<(Delta, bool), SyncError> {
        let target = with_params(&delta_url(url, base), &self.wait_params());
        let mut request = self.agent.get(&target);
        if let Some(bearer) = &self.bearer {
            request = request.header("Authorization", format!("Bearer {bearer}"));
        }
        let mut response = request.call().map_err(|e| fetch_failed(url, e))?;
        let watching = header(&response, WATCH_HEADER).is_some();
        let answer = match response.status().as_u16() {
            200 => {
                let etag = header(&response, SNAPSHOT_ETAG_HEADER);
                let delta = response
                    .body_mut()
                    .with_config()
                    .limit(self.max_delta_bytes)
                    .read_to_vec()
                    .map_err(|e| fetch_failed(url, e))?;
                Delta::Bytes { delta, etag }
            }
            304 if watching => Delta::NotModified,
            _ => Delta::Unavailable,
        };
        Ok((answer, watching))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_urls_keep_the_query_string() {
        assert_eq!(delta_url("http://h/a.rgs", 41), "http://h/a.rgs.delta-41");
        assert_eq!(
            delta_url("http://h/a.rgs?token=x&v=2", 41),
            "http://h/a.rgs.delta-41?token=x&v=2"
        );
        assert_eq!(
            with_params("http://h/a?t=1", &[("wait", "30".into())]),
            "http://h/a?t=1&wait=30"
        );
        assert_eq!(
            with_params(
                "http://h/a",
                &[("after", "4".into()), ("wait", "30".into())]
            ),
            "http://h/a?after=4&wait=30"
        );
    }
}
