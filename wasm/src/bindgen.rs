//! The wasm-bindgen exports behind the npm package: JS conversion only. Strings in, booleans
//! and typed arrays out on the hot path; structured answers cross as plain JS objects through
//! serde-wasm-bindgen. Every failure is a JS `Error` with a stable `code` (an [`ffi::Code`]).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use rolegate_core::ffi::{self, Code};
use rolegate_core::{Reason, ResourceRef, RoleFilter, Snapshot, Trust};
use serde::Serialize;
use wasm_bindgen::prelude::*;

// TLSF instead of std's dlmalloc: a fraction of the code, constant-time, enough for the
// engine's few large allocations and JS's short-lived strings.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: rlsf::GlobalTlsf = rlsf::GlobalTlsf::new();

/// A JS `Error` with `code` set.
fn error(code: Code, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    // Setting a property on a fresh Error cannot fail; if it did, the message still stands.
    let _ = js_sys::Reflect::set(
        &e,
        &JsValue::from_str("code"),
        &JsValue::from_str(code.as_str()),
    );
    e.into()
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    // `null` for absent values, as the native JSON has them: the same decision, the same shape.
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true);
    value
        .serialize(&serializer)
        .map_err(|e| error(Code::Internal, &e.to_string()))
}

fn resource<'a>(resource_type: &'a str, id: &'a str) -> Option<ResourceRef<'a>> {
    (!resource_type.is_empty()).then_some(ResourceRef { resource_type, id })
}

/// Parses an optional filter value (`""` for none).
fn filter<T: core::str::FromStr<Err = rolegate_core::UnknownName>>(
    value: &str,
) -> Result<Option<T>, JsValue> {
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse()
        .map(Some)
        .map_err(|e: rolegate_core::UnknownName| {
            error(Code::BadArgument, &alloc::format!("`{value}`: {e}"))
        })
}

/// One organization's decoded snapshot. Immutable: to move to a new revision, load the new
/// bytes and swap the whole authorizer.
#[wasm_bindgen(js_name = WasmAuthorizer)]
#[derive(Debug)]
pub struct Authorizer {
    snapshot: Snapshot,
}

#[wasm_bindgen(js_class = WasmAuthorizer)]
impl Authorizer {
    /// Loads snapshot bytes that `trust` (a plain object in [`Trust`]'s serde form) accepts
    /// at time `now` (seconds since the Unix epoch). Throws with the snapshot or trust code.
    pub fn load(bytes: &[u8], trust: JsValue, now: f64) -> Result<Authorizer, JsValue> {
        let trust: Trust = serde_wasm_bindgen::from_value(trust)
            .map_err(|e| error(Code::BadArgument, &alloc::format!("trust settings: {e}")))?;
        if !(now.is_finite() && now >= 0.0) {
            return Err(error(Code::BadArgument, "`now` must be a time after 1970"));
        }
        ffi::load(bytes, &trust, now as u64)
            .map(|snapshot| Authorizer { snapshot })
            .map_err(|e| error(e.code(), &e.to_string()))
    }

    /// Rebuilds the snapshot a delta produces from its base snapshot's bytes; throws with a
    /// `delta-*` code for the wrong base or a damaged delta. Verify the result as any snapshot.
    #[wasm_bindgen(js_name = applyDelta)]
    pub fn apply_delta(base: &[u8], delta: &[u8]) -> Result<Vec<u8>, JsValue> {
        rolegate_core::apply_delta(base, delta).map_err(|e| error(e.code(), &e.to_string()))
    }

    /// The code text of a negative status (from `decideAt`), or `""` for none.
    #[wasm_bindgen(js_name = codeOf)]
    pub fn code_of(status: i32) -> String {
        Code::from_status(status).map_or_else(String::new, |c| c.as_str().into())
    }

    /// The index of a user for `canAt`; `ffi::UNKNOWN` (0xFFFFFFFF) when unknown.
    #[wasm_bindgen(js_name = userIndex)]
    pub fn user_index(&self, id: &str) -> u32 {
        ffi::user_index(&self.snapshot, id)
    }

    /// The index of a permission for `canAt`; 0xFFFFFFFF when unknown.
    #[wasm_bindgen(js_name = permissionIndex)]
    pub fn permission_index(&self, permission: &str) -> u32 {
        ffi::permission_index(&self.snapshot, permission)
    }

    /// The index of a scope for `canAt`; 0xFFFFFFFF when unknown.
    #[wasm_bindgen(js_name = scopeIndex)]
    pub fn scope_index(&self, id: &str) -> u32 {
        ffi::scope_index(&self.snapshot, id)
    }

    /// The index of a resource for `canAt`; 0xFFFFFFFF when unknown.
    #[wasm_bindgen(js_name = resourceIndex)]
    pub fn resource_index(&self, resource_type: &str, id: &str) -> u32 {
        ffi::resource_index(&self.snapshot, resource_type, id)
    }

    /// Allow or Deny on resolved indexes: numbers cross the boundary, strings do not.
    #[wasm_bindgen(js_name = canAt)]
    pub fn can_at(&self, user: u32, permission: u32, scope: u32, resource: u32) -> bool {
        ffi::can_at(&self.snapshot, user, permission, scope, resource)
    }

    /// Many index quadruples (user, permission, scope, resource) in one call: a `Uint8Array`
    /// of 1 (Allow) and 0 (Deny).
    #[wasm_bindgen(js_name = checkBatchAt)]
    pub fn check_batch_at(&self, ids: &[u32]) -> Result<Vec<u8>, JsValue> {
        if !ids.len().is_multiple_of(4) {
            return Err(error(
                Code::BadArgument,
                "index batches hold four numbers per request",
            ));
        }
        Ok(ids
            .chunks_exact(4)
            .map(|q| match *q {
                [u, p, s, r] => u8::from(ffi::can_at(&self.snapshot, u, p, s, r)),
                _ => 0,
            })
            .collect())
    }

    /// `check` on resolved indexes, without building the reason: the granting assignment's
    /// number (for `grantReason`), or the denial's negative status (for `codeOf`). The JS
    /// side remembers each reason, so a check crosses with four numbers and allocates nothing.
    #[wasm_bindgen(js_name = decideAt)]
    pub fn decide_at(&self, user: u32, permission: u32, scope: u32, resource: u32) -> i32 {
        let decided = ffi::decide_at(&self.snapshot, user, permission, scope, resource);
        // Assignment indexes are bounded far below i32::MAX by the snapshot limits.
        i32::try_from(ffi::decided_to_number(decided)).unwrap_or(Code::Internal.status())
    }

    /// The `granted` reason of assignment number `assignment` (from `decideAt`).
    #[wasm_bindgen(js_name = grantReason)]
    pub fn grant_reason(&self, assignment: u32) -> Result<JsValue, JsValue> {
        match ffi::grant_of(&self.snapshot, assignment) {
            Some(grant) => to_js(&Reason::Granted(grant)),
            None => Err(error(Code::UnknownAssignment, "no such assignment")),
        }
    }

    /// The decision, every granting assignment, and what would grant it.
    pub fn explain(
        &self,
        user: &str,
        permission: &str,
        scope: &str,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<JsValue, JsValue> {
        let request = rolegate_core::Request {
            user,
            permission,
            scope,
            resource: resource(resource_type, resource_id),
        };
        to_js(&self.snapshot.explain(&request))
    }

    /// The user's effective permissions at `scope`, sorted.
    pub fn permissions(
        &self,
        user: &str,
        scope: &str,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<JsValue, JsValue> {
        let list = self
            .snapshot
            .effective_permissions(user, scope, resource(resource_type, resource_id))
            .map_err(|e| error(e.code(), &e.to_string()))?;
        to_js(&list)
    }

    /// Every user who may do `permission` at `scope`, with the assignment that lets them.
    #[wasm_bindgen(js_name = whoCan)]
    pub fn who_can(
        &self,
        permission: &str,
        scope: &str,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<JsValue, JsValue> {
        let list = self
            .snapshot
            .who_can(permission, scope, resource(resource_type, resource_id))
            .map_err(|e| error(e.code(), &e.to_string()))?;
        to_js(&list)
    }

    /// Every scope where the user has `permission`.
    #[wasm_bindgen(js_name = scopesWith)]
    pub fn scopes_with(
        &self,
        user: &str,
        permission: &str,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<JsValue, JsValue> {
        let list = self
            .snapshot
            .scopes_with(user, permission, resource(resource_type, resource_id))
            .map_err(|e| error(e.code(), &e.to_string()))?;
        to_js(&list)
    }

    /// Users matching `query` in name, email, id, role name or scope name.
    #[wasm_bindgen(js_name = searchUsers)]
    pub fn search_users(&self, query: &str) -> Result<JsValue, JsValue> {
        to_js(&self.snapshot.search_users(query))
    }

    /// One user's assignments grouped by scope; throws `unknown-user`.
    #[wasm_bindgen(js_name = directoryEntry)]
    pub fn directory_entry(&self, user: &str) -> Result<JsValue, JsValue> {
        let entry = self.snapshot.directory_entry(user).ok_or_else(|| {
            error(
                Code::UnknownUser,
                &alloc::format!("unknown user `{}`", rolegate_core::ids::clip(user)),
            )
        })?;
        to_js(&entry)
    }

    /// The role catalog, filtered by kind, product and level (`""` for any).
    pub fn roles(&self, kind: &str, product: &str, level: &str) -> Result<JsValue, JsValue> {
        let filter = RoleFilter {
            kind: filter(kind)?,
            product: (!product.is_empty()).then_some(product),
            level: filter(level)?,
        };
        to_js(&self.snapshot.roles_matching(&filter))
    }

    /// One role with its permissions expanded; throws `unknown-role`.
    pub fn role(&self, id: &str) -> Result<JsValue, JsValue> {
        let details = self.snapshot.role_details(id).ok_or_else(|| {
            error(
                Code::UnknownRole,
                &alloc::format!("unknown role `{}`", rolegate_core::ids::clip(id)),
            )
        })?;
        to_js(&details)
    }

    /// Every scope: organization, accounts, subaccounts.
    pub fn scopes(&self) -> Result<JsValue, JsValue> {
        to_js(&self.snapshot.scopes().collect::<Vec<_>>())
    }

    /// The permission catalog, sorted: every permission a check may name.
    pub fn catalog(&self) -> Result<JsValue, JsValue> {
        to_js(&self.snapshot.catalog().collect::<Vec<_>>())
    }

    /// The snapshot's revision.
    #[wasm_bindgen(getter)]
    pub fn revision(&self) -> f64 {
        // Revisions are counters far below 2^53; a number is what JS callers compare.
        self.snapshot.revision() as f64
    }

    /// When the snapshot was compiled, in seconds since the Unix epoch.
    #[wasm_bindgen(getter, js_name = issuedAt)]
    pub fn issued_at(&self) -> f64 {
        self.snapshot.meta().issued_at as f64
    }

    /// The organization's id.
    #[wasm_bindgen(getter)]
    pub fn organization(&self) -> String {
        self.snapshot.organization().to_string()
    }

    /// The organization's name.
    #[wasm_bindgen(getter, js_name = organizationName)]
    pub fn organization_name(&self) -> String {
        self.snapshot.organization_name().to_string()
    }

    /// The most built-in roles one user may hold (the organization's setting).
    #[wasm_bindgen(getter, js_name = builtInCap)]
    pub fn built_in_cap(&self) -> u32 {
        self.snapshot.built_in_cap()
    }
}
