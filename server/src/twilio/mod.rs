//! Twilio's own API on rolegate: the paths, fields, paging and errors of Twilio's
//! Organizations API ("preview-iam", the form the official helper libraries call), so scripts
//! written with those libraries and identity providers provisioning over SCIM work unchanged
//! against `rolegate serve`.
//!
//! | route | what |
//! |---|---|
//! | `GET`/`POST /Organizations/{OR}/RoleAssignments` | list (`Identity`/`Scope` filters, paged) and create role assignments |
//! | `DELETE /Organizations/{OR}/RoleAssignments/{IY}` | delete one |
//! | `GET`/`POST /Organizations/{OR}/scim/Users` | SCIM 2.0: list (`filter`), create |
//! | `GET`/`PUT`/`PATCH`/`DELETE /Organizations/{OR}/scim/Users/{US}` | SCIM 2.0: fetch, replace, patch, delete |
//! | `GET /Organizations/{OR}/Accounts[/{AC}]` | accounts and subaccounts, paged; one |
//!
//! The token endpoints (`/v1/token`, `/v2/token`) are the `/v1` API's. Every route takes the
//! same bearer tokens, and every change goes through the same path as the `/v1` API — the
//! core's rules with the OAuth client's user as the actor, one transaction, one audit row —
//! so the two APIs can never disagree. This module only translates: SIDs (`IY…` for
//! assignments, whose rolegate ids are `RA…`; `IX…` for roles, see
//! [`rolegate_core::sid`]), shapes, and the core's stable codes into Twilio's numeric ones
//! ([`error`]). The README's compatibility table says what is supported and where rolegate
//! chose.

mod accounts;
pub mod error;
mod extract;
mod page;
mod role_assignments;
mod scim;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use crate::api::App;

/// Twilio's routes.
pub fn routes() -> Router<Arc<App>> {
    let org = Router::new()
        .route(
            "/RoleAssignments",
            get(role_assignments::list).post(role_assignments::create),
        )
        .route(
            "/RoleAssignments/{sid}",
            axum::routing::delete(role_assignments::delete),
        )
        .route("/scim/Users", get(scim::list).post(scim::create))
        .route(
            "/scim/Users/{user}",
            get(scim::fetch)
                .put(scim::replace)
                .patch(scim::patch)
                .delete(scim::delete),
        )
        .route("/Accounts", get(accounts::list))
        .route("/Accounts/{account}", get(accounts::fetch));
    Router::new().nest("/Organizations/{org}", org)
}
