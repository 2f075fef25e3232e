//! Starting and stopping a server, and the library functions a CLI calls (`serve`, importing
//! a policy, creating OAuth clients, verifying an audit chain).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinHandle;

use crate::api::{self, App};
use crate::auth::TokenKeys;
use crate::clock::{hex, now, random};
use crate::engine::{self, Policy, SigningKey};
use crate::publish::{Publisher, PublisherError};
use crate::store::{
    AuditReport, ClientCredentials, ClientError, ImportError, KeyPair, Store, StoreError,
};

/// The demo organization's policy (the same file as `examples/policies/acme.json`).
pub const DEMO_POLICY: &str = include_str!("../../examples/policies/acme.json");

/// How a server runs. `Default` is `127.0.0.1:8080`, `rolegate.db`, no demo, no publish
/// directory, one-hour tokens, 1024 watchers, 12-hour console sessions, cookies without
/// `Secure`, the repository's built console, 10 seconds to send a request's head, 90 for a
/// whole request.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where to listen (port 0: any free port; [`Server::addr`] says which).
    pub listen: SocketAddr,
    /// The database: `postgres://…`, `sqlite:…`, or a SQLite file path. `None` with `demo`:
    /// a file in a fresh temporary directory; `None` otherwise: `rolegate.db`.
    pub db_url: Option<String>,
    /// Load the demo organization (if the database lacks it) and create an OAuth client
    /// acting as its Organization Owner.
    pub demo: bool,
    /// Also write every published snapshot and delta into this directory.
    pub publish_dir: Option<PathBuf>,
    /// How long access tokens live.
    pub token_ttl: Duration,
    /// Most clients watching (long-polling) at once.
    pub max_watchers: usize,
    /// How long a console session lasts.
    pub session_ttl: Duration,
    /// Mark session cookies `Secure` (set when the console is served over HTTPS, directly
    /// or behind a proxy).
    pub secure_cookies: bool,
    /// The built console to serve under `/console/`; `None`: the repository's
    /// `console/dist` if it has been built.
    pub console_dir: Option<PathBuf>,
    /// How long a client has to send a request's head before its connection is closed.
    pub header_timeout: Duration,
    /// How long one request may take, watches included (they wait at most a minute).
    pub request_timeout: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            db_url: None,
            demo: false,
            publish_dir: None,
            token_ttl: Duration::from_secs(3600),
            max_watchers: 1024,
            session_ttl: Duration::from_secs(12 * 3600),
            secure_cookies: false,
            console_dir: None,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(90),
        }
    }
}

/// Why a server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The demo policy could not be imported.
    #[error("the demo organization could not be loaded: {0}")]
    Import(#[from] ImportError),
    /// The demo client could not be created.
    #[error("the demo client could not be created: {0}")]
    Client(#[from] ClientError),
    /// Publishing could not resume.
    #[error(transparent)]
    Publish(#[from] PublisherError),
    /// The embedded demo policy does not parse.
    #[error("the demo policy does not parse: {0}")]
    DemoPolicy(serde_json::Error),
    /// The stored signing key is not 32 bytes.
    #[error("the stored snapshot signing key `{0}` is not an ed25519 secret")]
    BadKey(String),
    /// Listening or serving failed.
    #[error("could not serve on `{addr}`: {source}")]
    Io {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// No such user in the organization.
    #[error("user `{0}` is not in the organization")]
    UnknownUser(String),
    /// The password was refused.
    #[error("{0}")]
    Password(String),
    /// A temporary directory for the demo could not be made.
    #[error("could not create a directory for the demo database: {0}")]
    TempDir(std::io::Error),
}

/// What `--demo` set up.
#[derive(Debug, Clone)]
pub struct Demo {
    /// The demo organization's id.
    pub organization: String,
    /// The user the client acts as (an Organization Owner).
    pub actor: String,
    /// The client's credentials.
    pub client: ClientCredentials,
    /// The database it lives in.
    pub db_url: String,
}

/// A running server. Owns the listener task, the publisher and (with `--demo` and no
/// database given) the temporary directory holding the database, which goes when it does.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    app: Arc<App>,
    demo: Option<Demo>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    _tempdir: Option<tempfile::TempDir>,
}

impl Server {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://addr`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What `--demo` set up.
    pub fn demo(&self) -> Option<&Demo> {
        self.demo.as_ref()
    }

    /// The server's store.
    pub fn store(&self) -> &Arc<Store> {
        &self.app.store
    }

    /// Imports a whole policy as one audited revision and publishes it.
    pub async fn import(&self, policy: &Policy, actor: &str) -> Result<u64, ImportError> {
        let revision = self.app.store.import(policy, actor, now()).await?;
        self.app.publisher.notify(&policy.organization.id, revision);
        Ok(revision)
    }

    /// Creates an OAuth client of `org` acting as `actor`.
    pub async fn create_client(
        &self,
        org: &str,
        actor: &str,
        name: &str,
    ) -> Result<ClientCredentials, ClientError> {
        self.app.store.create_client(org, actor, name).await
    }

    /// Stops accepting, finishes in-flight requests, stops publishing, closes the database.
    pub async fn stop(mut self) -> Result<(), ServeError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.app.publisher.shutdown();
        let result = (&mut self.task).await;
        self.app.publisher.finished().await;
        self.app.store.close().await;
        match result {
            Ok(Ok(())) | Err(_) => Ok(()),
            Ok(Err(source)) => Err(ServeError::Io {
                addr: self.addr,
                source,
            }),
        }
    }
}

async fn signing_key(store: &Store) -> Result<SigningKey, ServeError> {
    let secret = random::<32>().map_err(StoreError::Random)?;
    let fresh = KeyPair {
        key_id: format!(
            "rolegate-{}",
            hex(&random::<4>().map_err(StoreError::Random)?)
        ),
        secret: secret.to_vec(),
        public: engine::public_key(&secret).to_vec(),
    };
    let stored = store.key("snapshot-ed25519", fresh).await?;
    let secret = <[u8; 32]>::try_from(stored.secret.as_slice())
        .map_err(|_| ServeError::BadKey(stored.key_id.clone()))?;
    Ok(SigningKey {
        id: stored.key_id,
        secret,
    })
}

async fn token_keys(store: &Store) -> Result<TokenKeys, ServeError> {
    let fresh = KeyPair {
        key_id: "hs256".into(),
        secret: random::<32>().map_err(StoreError::Random)?.to_vec(),
        public: Vec::new(),
    };
    Ok(TokenKeys::new(
        &store.key("token-hs256", fresh).await?.secret,
    ))
}

/// Loads the demo organization unless present, and creates a client for its owner.
async fn demo(store: &Store, db_url: &str) -> Result<Demo, ServeError> {
    let policy: Policy = serde_json::from_str(DEMO_POLICY).map_err(ServeError::DemoPolicy)?;
    let org = policy.organization.id.clone();
    if store.revision(&org).await?.is_none() {
        store.import(&policy, "demo", now()).await?;
    }
    let state = store.current(&org).await?;
    let actor = engine::organization_owners(&state.policy)
        .into_iter()
        .next()
        .unwrap_or_default();
    let client = store.create_client(&org, &actor, "demo").await?;
    Ok(Demo {
        organization: org,
        actor,
        client,
        db_url: db_url.to_string(),
    })
}

/// Starts a server: opens and migrates the database, loads keys, resumes publishing, binds
/// the listener. Returns once it accepts connections.
pub async fn start(options: ServeOptions) -> Result<Server, ServeError> {
    let (db_url, tempdir) = match (&options.db_url, options.demo) {
        (Some(db), _) => (db.clone(), None),
        (None, true) => {
            let dir = tempfile::Builder::new()
                .prefix("rolegate-demo-")
                .tempdir()
                .map_err(ServeError::TempDir)?;
            let path = dir.path().join("rolegate-demo.db");
            (path.display().to_string(), Some(dir))
        }
        (None, false) => ("rolegate.db".to_string(), None),
    };
    let store = Arc::new(Store::open(&db_url).await?);
    let key = signing_key(&store).await?;
    let tokens = token_keys(&store).await?;
    let demo = if options.demo {
        Some(demo(&store, &db_url).await?)
    } else {
        None
    };
    let publisher = Publisher::new(store.clone(), key, options.publish_dir.clone());
    publisher.resume().await?;
    publisher.follow_others();
    let app = Arc::new(App {
        store,
        publisher,
        tokens,
        token_ttl: options.token_ttl,
        watchers: Semaphore::new(options.max_watchers),
        session_ttl: options.session_ttl,
        secure_cookies: options.secure_cookies,
        demo_org: demo.as_ref().map(|d| d.organization.clone()),
        console_dir: options
            .console_dir
            .clone()
            .or_else(api::console_default_dir),
    });
    let listener = TcpListener::bind(options.listen)
        .await
        .map_err(|source| ServeError::Io {
            addr: options.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Io {
        addr: options.listen,
        source,
    })?;
    let (stop, stopped) = oneshot::channel::<()>();
    let router =
        api::router(app.clone()).layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            options.request_timeout,
        ));
    let header_timeout = options.header_timeout;
    let task = tokio::spawn(crate::accept::serve(
        listener,
        router,
        header_timeout,
        async {
            let _ = stopped.await;
        },
    ));
    Ok(Server {
        addr,
        app,
        demo,
        stop: Some(stop),
        task,
        _tempdir: tempdir,
    })
}

/// Runs a server until Ctrl-C, printing where it listens (and, with `demo`, the demo
/// organization's URLs and client credentials).
pub async fn serve(options: ServeOptions) -> Result<(), ServeError> {
    let server = start(options).await?;
    let url = server.url();
    println!("rolegate listening on {url}");
    println!("console: {url}/console/");
    if let Some(demo) = server.demo() {
        println!("database: {}", demo.db_url);
        println!("organization: {url}/v1/organizations/{}", demo.organization);
        println!("token: POST {url}/v1/token (grant_type=client_credentials)");
        println!("actor: {}", demo.actor);
        println!("client_id: {}", demo.client.client_id);
        println!("client_secret: {}", demo.client.client_secret);
    }
    println!("ready");
    let _ = tokio::signal::ctrl_c().await;
    server.stop().await
}

/// Imports a whole policy into the database at `db_url` as one audited revision by `actor`;
/// returns the organization's new revision. A running server publishes it within seconds.
pub async fn import_policy(db_url: &str, policy: &Policy, actor: &str) -> Result<u64, ServeError> {
    let store = Store::open(db_url).await?;
    let revision = store.import(policy, actor, now()).await;
    store.close().await;
    Ok(revision?)
}

/// The policy of organization `org` in the database at `db_url`, at its current revision:
/// what [`import_policy`] takes back (users and assignments in id order).
pub async fn export_policy(db_url: &str, org: &str) -> Result<Policy, ServeError> {
    let store = Store::open(db_url).await?;
    let policy = store.export(org).await;
    store.close().await;
    Ok(policy?)
}

/// Creates an OAuth client of organization `org` acting as its user `actor`.
pub async fn create_client(
    db_url: &str,
    org: &str,
    actor: &str,
    name: &str,
) -> Result<ClientCredentials, ServeError> {
    let store = Store::open(db_url).await?;
    let client = store.create_client(org, actor, name).await;
    store.close().await;
    Ok(client?)
}

/// Walks organization `org`'s audit chain in the database at `db_url`.
pub async fn verify_audit(db_url: &str, org: &str) -> Result<AuditReport, ServeError> {
    let store = Store::open(db_url).await?;
    let report = store.verify_audit(org).await;
    store.close().await;
    Ok(report?)
}

/// Sets the console password of user `user` of organization `org` (signing them out
/// everywhere).
pub async fn set_password(
    db_url: &str,
    org: &str,
    user: &str,
    password: String,
) -> Result<(), ServeError> {
    let store = Store::open(db_url).await?;
    let result = async {
        let state = store.current(org).await?;
        if !engine::may_sign_in(&state.policy, user) {
            return Err(ServeError::UnknownUser(user.to_string()));
        }
        let hash = crate::api::hash_password(password)
            .await
            .map_err(|e| ServeError::Password(e.message))?;
        store.set_password(org, user, &hash).await?;
        Ok(())
    }
    .await;
    store.close().await;
    result
}
