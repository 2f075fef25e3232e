//! # rolegate-server
//!
//! The rolegate control plane: it holds each organization's policy in a database (SQLite,
//! embedded, by default; PostgreSQL for several replicas), changes it only through the
//! core's admin rules — one transaction per change, with the revision bump and a
//! hash-chained audit row — and publishes every committed revision as a signed snapshot,
//! deltas and per-user slices.
//!
//! ```no_run
//! # async fn run() -> Result<(), rolegate_server::ServeError> {
//! let options = rolegate_server::ServeOptions {
//!     db_url: Some("rolegate.db".into()),
//!     demo: true,
//!     ..Default::default()
//! };
//! rolegate_server::serve(options).await
//! # }
//! ```
//!
//! Module map: [`store`] is the database (schema, writes, audit chain, clients, keys,
//! snapshots), [`api`] the HTTP routes and their errors, [`auth`] client secrets and access
//! tokens, [`publish`] the publisher, [`twilio`] Twilio's own API (role assignments, SCIM
//! users, accounts) translated onto the same operations, [`commands`] the command-line commands both binaries share, `engine` every call into `rolegate-core`.

mod accept;
pub mod api;
pub mod auth;
mod clock;
pub mod commands;
mod engine;
pub mod publish;
mod serve;
pub mod store;
pub mod twilio;

pub use api::error::ApiError;
pub use engine::{Policy, SigningKey};
pub use serve::{
    DEMO_POLICY, Demo, ServeError, ServeOptions, Server, create_client, export_policy,
    import_policy, serve, set_password, start, verify_audit,
};
pub use store::{AuditReport, ClientCredentials, Store, database_url};
