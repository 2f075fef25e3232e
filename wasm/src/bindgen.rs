//! The wasm-bindgen exports behind the npm package. Strings in, booleans and typed arrays out
//! on the hot path; structured answers cross as plain JS objects through serde-wasm-bindgen.
//! Every failure is a JS `Error` with a stable `code` property.

use alloc::string::ToString;
use alloc::vec::Vec;

use rolegate_core::{
    NO_RESOURCE, Reason, Request, ResourceRef, RoleFilter, RoleKind, ScopeLevel, Snapshot, Trust,
    TrustedKey,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;

// TLSF instead of std's dlmalloc: a fraction of the code, constant-time, enough for the
// engine's few large allocations and JS's short-lived strings.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: rlsf::GlobalTlsf = rlsf::GlobalTlsf::new();

/// A JS `Error` with `code` set.
fn error(code: &str, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    // Setting a property on a fresh Error cannot fail; if it did, the message still stands.
    let _ = js_sys::Reflect::set(&e, &JsValue::from_str("code"), &JsValue::from_str(code));
    e.into()
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    // `null` for absent values, as the native JSON has them: the same decision, the same shape.
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true);
    value
        .serialize(&serializer)
        .map_err(|e| error("internal", &e.to_string()))
}

fn resource<'a>(resource_type: &'a str, id: &'a str) -> Option<ResourceRef<'a>> {
    (!resource_type.is_empty()).then_some(ResourceRef { resource_type, id })
}

fn request<'a>(
    user: &'a str,
    permission: &'a str,
    scope: &'a str,
    resource_type: &'a str,
    resource_id: &'a str,
) -> Request<'a> {
    Request {
        user,
        permission,
        scope,
        resource: resource(resource_type, resource_id),
    }
}

fn query_error(e: rolegate_core::QueryError) -> JsValue {
    error(e.code(), &e.to_string())
}

/// Parses an optional filter value (`""` for none) as the serde name of `T`.
fn filter<T: for<'de> serde::Deserialize<'de>>(
    what: &str,
    value: &str,
) -> Result<Option<T>, JsValue> {
    if value.is_empty() {
        return Ok(None);
    }
    serde::Deserialize::deserialize(
        serde::de::value::StrDeserializer::<serde::de::value::Error>::new(value),
    )
    .map(Some)
    .map_err(|_| error("bad-argument", &alloc::format!("unknown {what} `{value}`")))
}

/// One organization's decoded snapshot. Immutable: to move to a new revision, decode the
/// new bytes and swap the whole authorizer.
#[wasm_bindgen(js_name = WasmAuthorizer)]
#[derive(Debug)]
pub struct Authorizer {
    snapshot: Snapshot,
}

#[wasm_bindgen(js_class = WasmAuthorizer)]
impl Authorizer {
    /// Decodes snapshot bytes that the trust settings accept: `keyIds` is the key ids, each
    /// ending in `\0`, the i-th naming the 32-byte public key `keys[32i..32i+32]`; no keys, an empty `organization`, a negative
    /// `minRevision` or `maxAge` mean "any" (so no trust settings at all is a plain decode).
    /// Throws with the snapshot or trust code (`snapshot-checksum-mismatch`, `unsigned`, …).
    #[wasm_bindgen(js_name = fromTrustedSnapshot)]
    pub fn from_trusted_snapshot(
        bytes: &[u8],
        key_ids: &str,
        keys: &[u8],
        organization: &str,
        min_revision: f64,
        max_age: f64,
        now: f64,
    ) -> Result<Authorizer, JsValue> {
        let publics = keys.chunks_exact(32);
        if key_ids.split_terminator('\0').count() != publics.len()
            || !publics.remainder().is_empty()
        {
            return Err(error(
                "bad-argument",
                "each trusted key needs an id and 32 bytes",
            ));
        }
        let trust = Trust {
            keys: key_ids
                .split_terminator('\0')
                .zip(publics)
                .filter_map(|(id, k)| {
                    Some(TrustedKey {
                        id: id.into(),
                        public: <[u8; 32]>::try_from(k).ok()?,
                    })
                })
                .collect(),
            organization: (!organization.is_empty()).then(|| organization.into()),
            min_revision: (min_revision >= 0.0).then_some(min_revision as u64),
            max_age: (max_age >= 0.0).then_some(max_age as u64),
        };
        Snapshot::decode_trusted(bytes, &trust, now.max(0.0) as u64)
            .map(|snapshot| Authorizer { snapshot })
            .map_err(|e| error(e.code(), &e.to_string()))
    }

    /// Rebuilds the snapshot a delta produces from its base snapshot's bytes; throws with a
    /// `delta-*` code for the wrong base or a damaged delta. Verify the result as any snapshot.
    #[wasm_bindgen(js_name = applyDelta)]
    pub fn apply_delta(base: &[u8], delta: &[u8]) -> Result<Vec<u8>, JsValue> {
        rolegate_core::apply_delta(base, delta).map_err(|e| error(e.code(), &e.to_string()))
    }

    /// Allow (`true`) or Deny. An empty resource type means no resource.
    pub fn can(
        &self,
        user: &str,
        permission: &str,
        scope: &str,
        resource_type: &str,
        resource_id: &str,
    ) -> bool {
        self.snapshot.can(&request(
            user,
            permission,
            scope,
            resource_type,
            resource_id,
        ))
    }

    /// The index of a user for `canAt`; 0xFFFFFFFF when unknown.
    #[wasm_bindgen(js_name = userIndex)]
    pub fn user_index(&self, id: &str) -> u32 {
        self.snapshot.user_index(id).unwrap_or(NO_RESOURCE)
    }

    /// The index of a permission for `canAt`; 0xFFFFFFFF when unknown.
    #[wasm_bindgen(js_name = permissionIndex)]
    pub fn permission_index(&self, permission: &str) -> u32 {
        self.snapshot
            .permission_index(permission)
            .unwrap_or(NO_RESOURCE)
    }

    /// The index of a scope for `canAt`; 0xFFFFFFFF when unknown.
    #[wasm_bindgen(js_name = scopeIndex)]
    pub fn scope_index(&self, id: &str) -> u32 {
        self.snapshot.scope_index(id).unwrap_or(NO_RESOURCE)
    }

    /// The index of a resource for `canAt`; 0xFFFFFFFF when unknown.
    #[wasm_bindgen(js_name = resourceIndex)]
    pub fn resource_index(&self, resource_type: &str, id: &str) -> u32 {
        self.snapshot.resource_index(resource_type, id)
    }

    /// Allow or Deny on resolved indexes: numbers cross the boundary, strings do not.
    #[wasm_bindgen(js_name = canAt)]
    pub fn can_at(&self, user: u32, permission: u32, scope: u32, resource: u32) -> bool {
        self.snapshot.can_at(user, permission, scope, resource)
    }

    /// Many index quadruples (user, permission, scope, resource) in one call: a `Uint8Array`
    /// of 1 (Allow) and 0 (Deny).
    #[wasm_bindgen(js_name = checkBatchAt)]
    pub fn check_batch_at(&self, ids: &[u32]) -> Result<Vec<u8>, JsValue> {
        if !ids.len().is_multiple_of(4) {
            return Err(error(
                "bad-batch",
                "index batches hold four numbers per request",
            ));
        }
        Ok(ids
            .chunks_exact(4)
            .map(|q| match *q {
                [u, p, s, r] => u8::from(self.snapshot.can_at(u, p, s, r)),
                _ => 0,
            })
            .collect())
    }

    /// `check` on resolved indexes, without building the reason: the granting assignment's
    /// number (for `grantReason`), or a negative reason code — -1 unknown permission, -2
    /// unknown scope, -3 unknown user, -4 no matching assignment. The JS side turns it into
    /// the decision object and remembers each assignment's reason, so a check crosses the
    /// boundary with four numbers and allocates nothing here.
    #[wasm_bindgen(js_name = decideAt)]
    pub fn decide_at(&self, user: u32, permission: u32, scope: u32, resource: u32) -> i32 {
        match self.snapshot.decide_at(user, permission, scope, resource) {
            Ok(assignment) => i32::try_from(assignment).unwrap_or(-4),
            Err(Reason::UnknownPermission) => -1,
            Err(Reason::UnknownScope) => -2,
            Err(Reason::UnknownUser) => -3,
            Err(_) => -4,
        }
    }

    /// The `granted` reason of assignment number `assignment` (from `decideAt`).
    #[wasm_bindgen(js_name = grantReason)]
    pub fn grant_reason(&self, assignment: u32) -> Result<JsValue, JsValue> {
        match self.snapshot.grant_of(assignment) {
            Some(grant) => to_js(&Reason::Granted(grant)),
            None => Err(error("bad-argument", "no such assignment")),
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
        to_js(&self.snapshot.explain(&request(
            user,
            permission,
            scope,
            resource_type,
            resource_id,
        )))
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
            .map_err(query_error)?;
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
            .map_err(query_error)?;
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
            .map_err(query_error)?;
        to_js(&list)
    }

    /// Users matching `query` in name, email, id, role name or scope name.
    #[wasm_bindgen(js_name = searchUsers)]
    pub fn search_users(&self, query: &str) -> Result<JsValue, JsValue> {
        to_js(&self.snapshot.search_users(query))
    }

    /// One user's assignments grouped by scope; throws `unknown-user`.
    #[wasm_bindgen(js_name = userAssignments)]
    pub fn user_assignments(&self, user: &str) -> Result<JsValue, JsValue> {
        let entry = self
            .snapshot
            .directory_entry(user)
            .ok_or_else(|| error("unknown-user", &alloc::format!("unknown user `{user}`")))?;
        to_js(&entry)
    }

    /// The role catalog, filtered by kind, product and level (`""` for any).
    pub fn roles(&self, kind: &str, product: &str, level: &str) -> Result<JsValue, JsValue> {
        let filter = RoleFilter {
            kind: filter::<RoleKind>("role kind", kind)?,
            product: (!product.is_empty()).then_some(product),
            level: filter::<ScopeLevel>("scope level", level)?,
        };
        to_js(&self.snapshot.find_roles(&filter))
    }

    /// One role with its permissions expanded; throws `unknown-role`.
    pub fn role(&self, id: &str) -> Result<JsValue, JsValue> {
        let details = self
            .snapshot
            .role_details(id)
            .ok_or_else(|| error("unknown-role", &alloc::format!("unknown role `{id}`")))?;
        to_js(&details)
    }

    /// Every scope: organization, accounts, subaccounts.
    pub fn scopes(&self) -> Result<JsValue, JsValue> {
        to_js(&self.snapshot.scopes().collect::<Vec<_>>())
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
    pub fn organization(&self) -> alloc::string::String {
        self.snapshot.organization().to_string()
    }

    /// The organization's name.
    #[wasm_bindgen(getter, js_name = organizationName)]
    pub fn organization_name(&self) -> alloc::string::String {
        self.snapshot.organization_name().to_string()
    }
}
