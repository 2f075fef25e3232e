//! The wire format, pinned: the demo organization compiled at a fixed revision and time must
//! give exactly these bytes, and these bytes must keep decoding.
//!
//! After a deliberate format or catalog change, rewrite the fixture with
//! `ROLEGATE_BLESS=1 cargo test -p rolegate-tests golden` and review the diff.

use rolegate_core::{CompileOptions, FORMAT_VERSION, Reason, Request, Snapshot, compile};

use crate::common::acme;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/acme-r1.rgs");
const OPTIONS: CompileOptions = CompileOptions {
    revision: 1,
    issued_at: 1_700_000_000,
};

pub fn fixture() -> Vec<u8> {
    std::fs::read(FIXTURE).unwrap()
}

#[test]
fn golden_snapshot_bytes_are_stable() {
    let bytes = compile(&acme(), &OPTIONS).unwrap();
    if std::env::var_os("ROLEGATE_BLESS").is_some() {
        std::fs::write(FIXTURE, &bytes).unwrap();
    }
    assert!(
        bytes == fixture(),
        "the snapshot encoding changed; if deliberate, bump FORMAT_VERSION if old readers \
         cannot read it, and re-bless the fixture"
    );
}

#[test]
fn golden_snapshot_still_decodes_and_decides() {
    let snapshot = Snapshot::decode(&fixture()).unwrap();
    assert_eq!(snapshot.meta().format, FORMAT_VERSION);
    assert_eq!(snapshot.revision(), 1);
    assert_eq!(snapshot.meta().issued_at, 1_700_000_000);
    assert_eq!(snapshot.organization_name(), "Acme Corp");
    let stats = snapshot.stats();
    assert_eq!(
        (
            stats.accounts,
            stats.subaccounts,
            stats.users,
            stats.assignments
        ),
        (3, 3, 10, 15)
    );

    let policy = acme();
    let paul = &policy.users[3].id;
    let (production, marketing, production_eu) = (
        &policy.accounts[0].id,
        &policy.accounts[2].id,
        &policy.subaccounts[0].id,
    );
    let allowed = snapshot.check(&Request::new(paul, "voice/calls/create", production_eu));
    assert!(allowed.allowed);
    match allowed.reason {
        Reason::Granted(g) => {
            assert_eq!(g.role, "owner");
            assert_eq!(g.scope, production);
        }
        other => panic!("expected a grant, got {other:?}"),
    }
    let denied = snapshot.check(&Request::new(paul, "messaging/messages/send", marketing));
    assert_eq!(denied.reason, Reason::NoMatchingAssignment);
}

#[test]
fn a_newer_format_is_refused_cleanly() {
    let mut bytes = fixture();
    // The format version follows the four magic bytes; 1 is a one-byte varint.
    assert_eq!(bytes[4], FORMAT_VERSION as u8);
    bytes[4] = FORMAT_VERSION as u8 + 1;
    assert_eq!(
        Snapshot::decode(&bytes).unwrap_err(),
        rolegate_core::DecodeError::UnsupportedFormat {
            found: FORMAT_VERSION + 1,
            supported: FORMAT_VERSION
        }
    );
}
