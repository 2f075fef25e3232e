//! A client of `rolegate serve`'s `/v1` API for the harnesses that drive a real server.

use std::time::Duration;

use rolegate_server::Server;
use serde_json::{Value, json};

/// An HTTP client of one organization's `/v1` API, signed in with client credentials.
pub struct Client {
    pub http: ureq::Agent,
    /// `{server}/v1/organizations/{org}`.
    pub org_url: String,
    /// The `Authorization` header's value.
    pub bearer: String,
}

impl Client {
    /// A new OAuth client of `org` acting as `actor`, signed in.
    pub fn new(
        runtime: &tokio::runtime::Runtime,
        server: &Server,
        org: &str,
        actor: &str,
    ) -> Client {
        let c = runtime
            .block_on(server.create_client(org, actor, "bench"))
            .unwrap();
        Client::login(&server.url(), org, &c.client_id, &c.client_secret)
    }

    /// Signs in at `base` with a client id and secret.
    pub fn login(base: &str, org: &str, id: &str, secret: &str) -> Client {
        let http = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .new_agent();
        let token: Value = http
            .post(format!("{base}/v1/token"))
            .send_form([
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
            ])
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap();
        Client {
            http,
            org_url: format!("{base}/v1/organizations/{org}"),
            bearer: format!("Bearer {}", token["access_token"].as_str().unwrap()),
        }
    }

    /// Grants or takes away `role` of `user` at `scope`: (status, revision).
    pub fn toggle(&self, user: &str, scope: &str, role: &str, grant: bool) -> (u16, u64) {
        let mut r = if grant {
            self.http
                .post(format!("{}/users/{user}/assignments", self.org_url))
                .header("Authorization", &self.bearer)
                .send_json(json!({"scope": scope, "roles": [role]}))
        } else {
            self.http
                .delete(format!(
                    "{}/users/{user}/scopes/{scope}/roles/{role}",
                    self.org_url
                ))
                .header("Authorization", &self.bearer)
                .call()
        }
        .unwrap();
        let status = r.status().as_u16();
        let body: Value = r.body_mut().read_json().unwrap_or(Value::Null);
        if status >= 500 {
            eprintln!("{status} from a write: {body}");
        }
        (status, body["revision"].as_u64().unwrap_or(0))
    }

    /// GETs `path` (after the organization's URL): (status, revision header, body length).
    pub fn get(&self, path: &str) -> (u16, u64, usize) {
        let mut r = self
            .http
            .get(format!("{}{path}", self.org_url))
            .header("Authorization", &self.bearer)
            .call()
            .unwrap();
        let revision = r
            .headers()
            .get("x-rolegate-revision")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let status = r.status().as_u16();
        let len = r
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_vec()
            .map_or(0, |b| b.len());
        (status, revision, len)
    }
}
