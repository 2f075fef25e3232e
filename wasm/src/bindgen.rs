//! The wasm-bindgen exports behind the npm package: JS conversion only. Strings in, booleans,
//! numbers and typed arrays out on the hot path; structured answers cross as one compact byte
//! string each, which the package turns into plain objects (`values`, `npm/src/values.js`).
//! A failure throws the string `code\tmessage` (an [`ffi::Code`] and its explanation), which
//! the package turns into its one error type. No js-sys and no std: the module carries only
//! what the engine needs.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use rolegate_core::ffi::{self, Code};
use rolegate_core::{Reason, ResourceRef, RoleFilter, Snapshot, Trust};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::values;

// TLSF instead of std's dlmalloc: a fraction of the code, constant-time, enough for the
// engine's few large allocations and JS's short-lived strings.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: rlsf::GlobalTlsf = rlsf::GlobalTlsf::new();

// Without std there is no panic handler: a panic (which the workspace lints keep off every
// path the engine takes) traps, and the package reports the trap as `internal`.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// The largest integer a JS number carries exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// What a failure throws: `code\tmessage`.
#[inline(never)]
fn error(code: Code, message: &str) -> JsValue {
    let mut text = String::with_capacity(code.as_str().len() + 1 + message.len());
    text.push_str(code.as_str());
    text.push('\t');
    text.push_str(message);
    JsValue::from(text)
}

/// An answer in the `values` encoding.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, JsValue> {
    values::encode(value).map_err(|e| error(Code::Internal, &e.to_string()))
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

/// Seconds since the Unix epoch, from a JS number.
fn seconds(now: f64) -> Result<u64, JsValue> {
    if now.is_finite() && now >= 0.0 {
        Ok(now as u64)
    } else {
        Err(error(Code::BadArgument, "`now` must be a time after 1970"))
    }
}

/// The core's [`Trust`] from its fields, one argument each (see [`Authorizer::load`]).
fn trust(
    key_ids: &str,
    keys: &[u8],
    allow_unsigned: bool,
    organization: Option<String>,
    min_revision: Option<f64>,
    max_age: Option<f64>,
    slice_of: Option<String>,
) -> Result<Trust, JsValue> {
    // Whole numbers JS can carry exactly, or nothing.
    let whole = |n: Option<f64>| match n {
        None => Ok(None),
        Some(n) if n >= 0.0 && n <= MAX_SAFE_INTEGER as f64 && n == (n as u64) as f64 => {
            Ok(Some(n as u64))
        }
        Some(_) => Err(error(Code::BadArgument, "not a whole number")),
    };
    let publics = keys.chunks_exact(32);
    let ids = key_ids.split('\n').filter(|id| !id.is_empty());
    if publics.len() != ids.clone().count() || !publics.remainder().is_empty() {
        return Err(error(
            Code::BadArgument,
            "each trusted key needs an id and 32 bytes",
        ));
    }
    let mut trusted = Vec::with_capacity(publics.len());
    for (id, public) in ids.zip(publics) {
        let Ok(public) = <[u8; 32]>::try_from(public) else {
            return Err(error(Code::BadArgument, "a trusted key is not 32 bytes"));
        };
        trusted.push(rolegate_core::TrustedKey {
            id: id.to_string(),
            public,
        });
    }
    Ok(Trust {
        keys: trusted,
        allow_unsigned,
        organization,
        min_revision: whole(min_revision)?,
        max_age: whole(max_age)?,
        slice_of,
    })
}

/// One organization's decoded snapshot. Immutable: to move to a new revision, load the new
/// bytes and swap the whole authorizer.
#[wasm_bindgen(js_name = WasmAuthorizer)]
#[derive(Debug)]
pub struct Authorizer {
    snapshot: Snapshot,
    /// The snapshot bytes a delta rebuilt, until JS takes them.
    rebuilt: Vec<u8>,
}

#[wasm_bindgen(js_class = WasmAuthorizer)]
impl Authorizer {
    /// Loads snapshot bytes that the trust settings accept at time `now` (seconds since the
    /// Unix epoch) — or, when `delta` is not empty, the snapshot it rebuilds from the base
    /// `bytes`, the envelope it carries checked and its size bounded before anything is
    /// rebuilt (the rebuilt bytes are then [`take_rebuilt`](Self::take_rebuilt)). The settings
    /// are [`Trust`]'s fields, one argument each: the `i`-th line of `key_ids` names the
    /// public key `keys[32i..32i + 32]`. Throws with the snapshot, delta or trust code.
    #[allow(clippy::too_many_arguments)]
    pub fn load(
        bytes: &[u8],
        delta: &[u8],
        key_ids: &str,
        keys: &[u8],
        allow_unsigned: bool,
        organization: Option<String>,
        min_revision: Option<f64>,
        max_age: Option<f64>,
        slice_of: Option<String>,
        now: f64,
    ) -> Result<Authorizer, JsValue> {
        let trust = trust(
            key_ids,
            keys,
            allow_unsigned,
            organization,
            min_revision,
            max_age,
            slice_of,
        )?;
        let now = seconds(now)?;
        let rebuilt = if delta.is_empty() {
            Vec::new()
        } else {
            rolegate_core::apply_delta_trusted(bytes, delta, &trust, now)
                .map_err(|e| error(e.code(), &e.to_string()))?
        };
        let source = if delta.is_empty() { bytes } else { &rebuilt };
        let snapshot =
            ffi::load(source, &trust, now).map_err(|e| error(e.code(), &e.to_string()))?;
        // JS numbers are exact only up to 2^53: a revision past that could not be compared
        // exactly (rollback checks would round), so it is refused rather than carried wrongly.
        if snapshot.revision() > MAX_SAFE_INTEGER {
            return Err(error(
                Code::RevisionOutOfRange,
                "the snapshot's revision is past 2^53, which JavaScript cannot carry exactly",
            ));
        }
        Ok(Authorizer { snapshot, rebuilt })
    }

    /// The bytes a delta rebuilt (see [`load`](Self::load)), handed over once: empty after
    /// that, and for a snapshot loaded from its bytes.
    #[wasm_bindgen(js_name = takeRebuilt)]
    pub fn take_rebuilt(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.rebuilt)
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

    /// The indexes of many names of one kind (`ffi::NameKind`'s number) in one call: `names`
    /// holds one name per line (a resource as `type\tid`), the answer one index per name,
    /// 0xFFFFFFFF for those the snapshot lacks. (Names with a line break or tab are no names
    /// of any snapshot: the package resolves them as unknown without asking.)
    pub fn indexes(&self, kind: u32, names: &str) -> Vec<u32> {
        let resolve = |name: &str| match ffi::NameKind::from_number(kind as i32) {
            Some(ffi::NameKind::Resource) => {
                name.split_once('\t').map_or(ffi::UNKNOWN, |(t, id)| {
                    ffi::resource_index(&self.snapshot, t, id)
                })
            }
            Some(kind) => ffi::index_of(&self.snapshot, kind, name).unwrap_or(ffi::UNKNOWN),
            None => ffi::UNKNOWN,
        };
        names.split('\n').map(resolve).collect()
    }

    /// Allow or Deny on resolved indexes: numbers cross the boundary, strings do not.
    #[wasm_bindgen(js_name = canAt)]
    pub fn can_at(&self, user: u32, permission: u32, scope: u32, resource: u32) -> bool {
        ffi::can_at(&self.snapshot, user, permission, scope, resource)
    }

    /// Many index quadruples (user, permission, scope, resource) in one call: a `Uint8Array`
    /// of 1 (Allow) and 0 (Deny). Its length is a multiple of four (the package makes it).
    #[wasm_bindgen(js_name = checkBatchAt)]
    pub fn check_batch_at(&self, ids: &[u32]) -> Vec<u8> {
        ids.chunks_exact(4)
            .map(|q| match *q {
                [u, p, s, r] => u8::from(ffi::can_at(&self.snapshot, u, p, s, r)),
                _ => 0,
            })
            .collect()
    }

    /// `check` on resolved indexes, without building the reason: the granting assignment's
    /// number, or the denial's negative status (either turned into a reason by `reason`). The JS
    /// side remembers each reason, so a check crosses with four numbers and allocates nothing.
    #[wasm_bindgen(js_name = decideAt)]
    pub fn decide_at(&self, user: u32, permission: u32, scope: u32, resource: u32) -> i32 {
        let decided = ffi::decide_at(&self.snapshot, user, permission, scope, resource);
        // Assignment indexes are bounded far below i32::MAX by the snapshot limits.
        i32::try_from(ffi::decided_to_number(decided)).unwrap_or(Code::Internal.status())
    }

    /// The reason of a `decideAt` answer, `{kind, …}`: the granting assignment's for a number
    /// ≥ 0, the denial's for a negative status.
    pub fn reason(&self, decided: i32) -> Result<Vec<u8>, JsValue> {
        let reason = match u32::try_from(decided) {
            Ok(assignment) => ffi::grant_of(&self.snapshot, assignment).map(Reason::Granted),
            Err(_) => ffi::denial_of(i64::from(decided)),
        };
        match reason {
            Some(reason) => to_js(&reason),
            None => Err(error(Code::BadArgument, "not an answer of `decideAt`")),
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
    ) -> Result<Vec<u8>, JsValue> {
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
    ) -> Result<Vec<u8>, JsValue> {
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
    ) -> Result<Vec<u8>, JsValue> {
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
    ) -> Result<Vec<u8>, JsValue> {
        let list = self
            .snapshot
            .scopes_with(user, permission, resource(resource_type, resource_id))
            .map_err(|e| error(e.code(), &e.to_string()))?;
        to_js(&list)
    }

    /// Users matching `query` in name, email, id, role name or scope name.
    #[wasm_bindgen(js_name = searchUsers)]
    pub fn search_users(&self, query: &str) -> Result<Vec<u8>, JsValue> {
        to_js(&self.snapshot.search_users(query))
    }

    /// One user's assignments grouped by scope; throws `unknown-user`.
    #[wasm_bindgen(js_name = directoryEntry)]
    pub fn directory_entry(&self, user: &str) -> Result<Vec<u8>, JsValue> {
        let entry = self.snapshot.directory_entry(user).ok_or_else(|| {
            error(
                Code::UnknownUser,
                &alloc::format!("unknown user `{}`", rolegate_core::ids::clip(user)),
            )
        })?;
        to_js(&entry)
    }

    /// The role catalog, filtered by kind, product and level (`""` for any).
    pub fn roles(&self, kind: &str, product: &str, level: &str) -> Result<Vec<u8>, JsValue> {
        let filter = RoleFilter {
            kind: filter(kind)?,
            product: (!product.is_empty()).then_some(product),
            level: filter(level)?,
        };
        to_js(&self.snapshot.roles_matching(&filter))
    }

    /// One role with its permissions expanded; throws `unknown-role`.
    pub fn role(&self, id: &str) -> Result<Vec<u8>, JsValue> {
        let details = self.snapshot.role_details(id).ok_or_else(|| {
            error(
                Code::UnknownRole,
                &alloc::format!("unknown role `{}`", rolegate_core::ids::clip(id)),
            )
        })?;
        to_js(&details)
    }

    /// Every scope: organization, accounts, subaccounts.
    pub fn scopes(&self) -> Result<Vec<u8>, JsValue> {
        to_js(&self.snapshot.scopes().collect::<Vec<_>>())
    }

    /// The permission catalog, sorted: every permission a check may name, one per line
    /// (permissions hold no newline).
    pub fn catalog(&self) -> String {
        let mut out = String::new();
        for p in self.snapshot.catalog() {
            out.push_str(p);
            out.push('\n');
        }
        out
    }

    /// The snapshot's revision.
    #[wasm_bindgen(getter)]
    pub fn revision(&self) -> f64 {
        // Exact: `load` refuses revisions past 2^53.
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
