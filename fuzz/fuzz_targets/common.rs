// Shared by the targets (included with `#[path]`): the demo snapshot, and asking a decoded
// snapshot questions with names from the input.
#![allow(dead_code)] // each target uses part of it

use rolegate_core::{Request, Snapshot};

pub const ACME: &[u8] = include_bytes!("../../tests/fixtures/acme-r1.rgs");

/// Whatever a snapshot decoded to, it answers — and `can` agrees with `check`.
pub fn exercise(s: &Snapshot, data: &[u8]) {
    let users: Vec<&str> = s.users().map(|u| u.id).take(3).collect();
    let scopes: Vec<&str> = s.scopes().map(|x| x.id).take(3).collect();
    let permissions: Vec<&str> = s.catalog().take(3).collect();
    let probe =
        std::str::from_utf8(data.get(..data.len().min(40)).unwrap_or_default()).unwrap_or("x");
    for u in users.iter().copied().chain([probe]) {
        for sc in scopes.iter().copied().chain([probe]) {
            for p in permissions.iter().copied().chain([probe]) {
                let r = Request::new(u, p, sc).on("billing-group", probe);
                assert_eq!(s.check(&r).allowed, s.can(&r));
            }
        }
    }
    let _ = s.search_users(probe);
    let _ = s.slice(users.first().copied().unwrap_or(probe));
}
