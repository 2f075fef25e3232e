//! The benchmark requests as written to disk for every runtime: names, the resource as
//! `type:id`, and the reference model's decision.

use rolegate_core::{Request, ResourceRef};
use serde::{Deserialize, Serialize};

/// One request and the decision the reference model gives it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchRequest {
    /// User id.
    pub user: String,
    /// Permission.
    pub permission: String,
    /// Scope id.
    pub scope: String,
    /// `type:id`, for a request about a resource.
    pub resource: Option<String>,
    /// The reference model's answer.
    pub allowed: bool,
}

impl BenchRequest {
    /// Borrows it as a core request.
    pub fn as_request(&self) -> Request<'_> {
        Request {
            user: &self.user,
            permission: &self.permission,
            scope: &self.scope,
            resource: self.resource.as_deref().and_then(|r| {
                let (resource_type, id) = r.split_once(':')?;
                Some(ResourceRef { resource_type, id })
            }),
        }
    }
}
