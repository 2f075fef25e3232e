//! Test servers on 127.0.0.1 over a SQLite file or a PostgreSQL database, and a small JSON
//! client for them.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use rolegate_server::{ServeOptions, Server};
use serde_json::Value;

use rolegate_tests::pg::{Cluster, cluster};

pub const ACME: &str = "OR53bce4f1dfa0fe8e7ca126f91b35d3a6";
pub const OLIVIA: &str = "US47bc17dc1a2f164967f55325d866c75c"; // Organization Owner
pub const ADAM: &str = "US1d7c2923c1684726dc23d2901c4d8157"; // Organization Administrator
pub const PAUL: &str = "US6c63212ab48e8401eaf6b59b95d816a9"; // Owner of Production, Staging
pub const MIA: &str = "US5102ecd3d47f6561de70979017b87a80"; // Owner of Marketing
pub const DANA: &str = "US21cb4e4be93c09542ffa73b2b5cb95ea"; // Developer (Staging)
pub const SAM: &str = "US332532dcfaa1cbf61e2a266bd723612c"; // Support (Production)
pub const GARY: &str = "US03b083fd0aadc8883198881ba88111ab"; // billing groups
pub const PRODUCTION: &str = "ACfd89784e59c72499525556f80289b2c7";
pub const STAGING: &str = "AC830f78e090fe8aec00891405dfc14824";
pub const MARKETING: &str = "ACc769c2bd15500dd906102d9be97fdceb";
pub const PRODUCTION_EU: &str = "AC2c93a702ef4b1f1ca99a599c913be643";
pub const EMEA: &str = "BG7d81d267f4e09cbd3c8fb2765b28554b";

/// A database for one test: a SQLite file in a temporary directory, or a fresh database
/// of the shared PostgreSQL cluster.
pub struct Db {
    url: String,
    /// What must live as long as the database: its directory or its cluster.
    _keep: Keep,
}

#[allow(dead_code)] // held only to be dropped last
enum Keep {
    Dir(tempfile::TempDir),
    Cluster(Arc<Cluster>),
}

impl Db {
    pub fn sqlite() -> Db {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = dir.path().join("rolegate.db").display().to_string();
        Db {
            url,
            _keep: Keep::Dir(dir),
        }
    }

    pub async fn postgres() -> Db {
        let c = cluster();
        let url = {
            let c = c.clone();
            tokio::task::spawn_blocking(move || c.database())
                .await
                .expect("create a database")
        };
        Db {
            url,
            _keep: Keep::Cluster(c),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

/// Generates a SQLite and a PostgreSQL test of the scenario `$path(db)`.
#[macro_export]
macro_rules! both {
    ($sqlite:ident, $postgres:ident, $path:path) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $sqlite() {
            $path($crate::harness::Db::sqlite()).await;
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $postgres() {
            $path($crate::harness::Db::postgres().await).await;
        }
    };
}

/// An in-process server with the demo organization, and a client acting as its owner.
pub struct TestServer {
    pub server: Server,
    pub owner: Api,
}

pub fn options(db: &Db) -> ServeOptions {
    ServeOptions {
        listen: "127.0.0.1:0".parse().expect("address"),
        db_url: Some(db.url().to_string()),
        demo: true,
        ..ServeOptions::default()
    }
}

impl TestServer {
    pub async fn start(db: &Db) -> TestServer {
        TestServer::with(options(db)).await
    }

    pub async fn with(options: ServeOptions) -> TestServer {
        let server = rolegate_server::start(options)
            .await
            .expect("server starts");
        let demo = server.demo().expect("demo").client.clone();
        let owner = Api::login(&server.url(), &demo.client_id, &demo.client_secret).await;
        TestServer { server, owner }
    }

    /// A client of the demo organization acting as `user`.
    pub async fn client_as(&self, user: &str) -> Api {
        let c = self
            .server
            .create_client(ACME, user, "test")
            .await
            .expect("client");
        Api::login(&self.server.url(), &c.client_id, &c.client_secret).await
    }

    pub async fn stop(self) {
        self.server.stop().await.expect("server stops");
    }
}

/// Fetches an access token.
pub async fn token(base: &str, id: &str, secret: &str) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .post(format!("{base}/v1/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .expect("token request");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A JSON client with a bearer token.
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Api {
    pub async fn login(base: &str, id: &str, secret: &str) -> Api {
        let (status, body) = token(base, id, secret).await;
        assert_eq!(status, StatusCode::OK, "token: {body}");
        Api {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(90))
                .build()
                .expect("client"),
            base: base.to_string(),
            token: body["access_token"].as_str().expect("token").to_string(),
        }
    }

    /// `…/v1/organizations/ACME{path}`.
    pub fn org(&self, path: &str) -> String {
        format!("{}/v1/organizations/{ACME}{path}", self.base)
    }

    pub async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut r = self.http.request(method, url).bearer_auth(&self.token);
        if let Some(b) = body {
            r = r.json(b);
        }
        let r = r.send().await.expect("request");
        let status = r.status();
        let text = r.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, &self.org(path), None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, &self.org(path), Some(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PATCH, &self.org(path), Some(&body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::DELETE, &self.org(path), None).await
    }

    /// The organization's revision.
    pub async fn revision(&self) -> u64 {
        let (status, body) = self.get("").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["revision"].as_u64().expect("revision")
    }

    /// The newest audit rows.
    pub async fn audit(&self, page_size: u32) -> Vec<Value> {
        let (status, body) = self.get(&format!("/audit?page_size={page_size}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["records"].as_array().cloned().unwrap_or_default()
    }

    /// Raw bytes of a GET, with headers.
    pub async fn bytes(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let mut r = self.http.get(self.org(path)).bearer_auth(&self.token);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        let r = r.send().await.expect("request");
        let status = r.status();
        let h = r.headers().clone();
        (status, h, r.bytes().await.expect("body").to_vec())
    }
}

/// Everything that must not move when a request is refused: revision and audit head.
pub async fn fingerprint(api: &Api) -> (u64, Vec<Value>) {
    (api.revision().await, api.audit(3).await)
}

/// A trust that requires the server's signature on the demo organization's snapshots.
pub async fn trust_of(api: &Api) -> rolegate_core::Trust {
    let (status, keys) = api.get("/keys").await;
    assert_eq!(status, StatusCode::OK, "{keys}");
    let key = &keys["keys"][0];
    let hex = key["public_key_hex"].as_str().unwrap();
    let mut public = [0u8; 32];
    for (i, b) in public.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    rolegate_core::Trust {
        organization: Some(ACME.to_string()),
        ..rolegate_core::Trust::signed_by(vec![rolegate_core::TrustedKey {
            id: key["id"].as_str().unwrap().to_string(),
            public,
        }])
    }
}

/// A wasmtime host `Syncer` of the demo organization's snapshot on `t`, signed in as the demo
/// client, requiring the server's signature; watching (long polls of `watch`) or polling
/// every 100 ms.
pub async fn syncer(t: &TestServer, watch: Option<Duration>) -> Arc<rolegate_host::Syncer> {
    use rolegate_host::{ClientCredentials, Engine, EngineConfig, Source, SyncConfig, Syncer};
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    let engine = match ENGINE.get() {
        Some(e) => e.clone(),
        None => {
            let e = tokio::task::spawn_blocking(|| Engine::new(EngineConfig::default()))
                .await
                .unwrap()
                .expect("engine");
            ENGINE.get_or_init(|| e).clone()
        }
    };
    let api = &t.owner;
    let demo = t.server.demo().expect("demo").client.clone();
    Arc::new(Syncer::start(
        &engine,
        SyncConfig {
            trust: trust_of(api).await,
            credentials: Some(ClientCredentials {
                token_url: format!("{}/v1/token", api.base),
                client_id: demo.client_id.clone(),
                client_secret: demo.client_secret.clone(),
            }),
            watch,
            interval: Duration::from_millis(100),
            ..SyncConfig::new(Source::Http(api.org("/snapshot")))
        },
    ))
}
