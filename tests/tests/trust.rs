//! Signatures, rollback, freshness, deltas and slices, scenario by scenario, plus a property
//! over random delivery sequences.

use proptest::prelude::*;
use rolegate_core::testing::reseal_keeping_signature;
use rolegate_core::{
    CompileOptions, DeltaError, Policy, Request, SigningKeyRef, Snapshot, Trust, TrustError,
    TrustedKey, apply_delta, compile, compile_signed, diff, public_key, sign,
};
use rolegate_tests::{Reference, Rng, Shape, generate};

use crate::common::acme;

const NOW: u64 = 1_800_000_000;
const K1: [u8; 32] = [1; 32];
const K2: [u8; 32] = [2; 32];
const STRANGER: [u8; 32] = [3; 32];

fn key(id: &str, secret: &[u8; 32]) -> TrustedKey {
    TrustedKey {
        id: id.into(),
        public: public_key(secret),
    }
}

fn trust(keys: &[(&str, [u8; 32])]) -> Trust {
    Trust {
        keys: keys.iter().map(|(id, s)| key(id, s)).collect(),
        ..Trust::default()
    }
}

fn at(policy: &Policy, revision: u64) -> Vec<u8> {
    compile(
        policy,
        &CompileOptions {
            revision,
            issued_at: NOW - 60,
        },
    )
    .unwrap()
}

fn signed(policy: &Policy, revision: u64, id: &str, secret: &[u8; 32]) -> Vec<u8> {
    sign(&at(policy, revision), id, secret).unwrap()
}

fn code(r: Result<Snapshot, TrustError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code().as_str(),
    }
}

#[test]
fn each_trust_scenario() {
    let policy = acme();
    let t = Trust {
        min_revision: Some(5),
        ..trust(&[("k1", K1)])
    };
    let decode = |bytes: &[u8]| code(Snapshot::decode_trusted(bytes, &t, NOW));

    // A newer, validly signed snapshot is accepted; the same revision too (callers treat it
    // as no change); a lower one is a rollback.
    assert_eq!(decode(&signed(&policy, 6, "k1", &K1)), "ok");
    assert_eq!(decode(&signed(&policy, 5, "k1", &K1)), "ok");
    assert_eq!(decode(&signed(&policy, 4, "k1", &K1)), "stale-revision");
    // Unsigned when keys are required; an unknown key; a key that is trusted under another id.
    assert_eq!(decode(&at(&policy, 6)), "unsigned");
    assert_eq!(decode(&signed(&policy, 6, "k9", &K2)), "unknown-key");
    assert_eq!(
        decode(&signed(&policy, 6, "k1", &STRANGER)),
        "bad-signature"
    );
    // A valid signature over another organization's snapshot.
    let mut other = policy.clone();
    for a in &mut other.assignments {
        if a.scope == other.organization.id {
            a.scope = "ORother".into();
        }
    }
    other.organization.id = "ORother".into();
    let pinned = Trust {
        organization: Some(policy.organization.id.clone()),
        ..t.clone()
    };
    assert_eq!(
        code(Snapshot::decode_trusted(
            &signed(&other, 9, "k1", &K1),
            &pinned,
            NOW
        )),
        "wrong-organization"
    );
    assert_eq!(
        code(Snapshot::decode_trusted(
            &signed(&policy, 9, "k1", &K1),
            &pinned,
            NOW
        )),
        "ok"
    );
    // Expired.
    let fresh = Trust {
        max_age: Some(3_600),
        ..t.clone()
    };
    assert_eq!(
        code(Snapshot::decode_trusted(
            &signed(&policy, 6, "k1", &K1),
            &fresh,
            NOW
        )),
        "ok"
    );
    assert_eq!(
        code(Snapshot::decode_trusted(
            &signed(&policy, 6, "k1", &K1),
            &fresh,
            NOW + 3_600
        )),
        "expired"
    );
    // A non-canonical signature: S + L verifies under lax rules, never under strict ones.
    let good = signed(&policy, 6, "k1", &K1);
    let sig_at = good
        .windows(64)
        .position(|w| w == signature_of(&good))
        .unwrap();
    let mut malleable = good.clone();
    add_group_order(&mut malleable[sig_at + 32..sig_at + 64]);
    assert_eq!(decode(&malleable), "bad-signature");
    // A tampered payload behind the signed envelope (checksum recomputed, signature kept).
    let tampered = reseal_keeping_signature(&good, |p| {
        let last = p.len() - 1;
        p[last] ^= 1;
    })
    .unwrap();
    assert_eq!(decode(&tampered), "bad-signature");
    // Trust fails closed: with no keys and no explicit opt-in, nothing loads...
    assert_eq!(
        code(Snapshot::decode_trusted(&good, &Trust::default(), NOW)),
        "no-trusted-keys"
    );
    assert_eq!(
        code(Snapshot::decode_trusted(
            &at(&policy, 6),
            &Trust::default(),
            NOW
        )),
        "no-trusted-keys"
    );
    // ...and with the opt-in, unsigned and (unchecked) signed snapshots do.
    assert_eq!(
        code(Snapshot::decode_trusted(&good, &Trust::unsigned(), NOW)),
        "ok"
    );
    assert_eq!(
        code(Snapshot::decode_trusted(
            &at(&policy, 6),
            &Trust::unsigned(),
            NOW
        )),
        "ok"
    );
}

#[test]
fn compiling_signed_is_signing_the_compiled_bytes() {
    let policy = acme();
    let options = CompileOptions {
        revision: 4,
        issued_at: NOW - 60,
    };
    let key = SigningKeyRef {
        id: "k1",
        secret: &K1,
    };
    let bytes = compile_signed(&policy, &options, key).unwrap();
    assert_eq!(
        bytes,
        sign(&compile(&policy, &options).unwrap(), "k1", &K1).unwrap()
    );
    let snapshot = Snapshot::decode_trusted(&bytes, &trust(&[("k1", K1)]), NOW).unwrap();
    assert_eq!(snapshot.meta().revision, 4);
    assert_eq!(
        code(Snapshot::decode_trusted(&bytes, &trust(&[("k1", K2)]), NOW)),
        "bad-signature"
    );
}

#[test]
fn keys_rotate() {
    let policy = acme();
    let both = trust(&[("k1", K1), ("k2", K2)]);
    let new_only = trust(&[("k2", K2)]);
    let old = signed(&policy, 7, "k1", &K1);
    let new = signed(&policy, 8, "k2", &K2);
    assert_eq!(code(Snapshot::decode_trusted(&old, &both, NOW)), "ok");
    assert_eq!(code(Snapshot::decode_trusted(&new, &both, NOW)), "ok");
    assert_eq!(code(Snapshot::decode_trusted(&new, &new_only, NOW)), "ok");
    assert_eq!(
        code(Snapshot::decode_trusted(&old, &new_only, NOW)),
        "unknown-key"
    );
}

/// The signature bytes of a signed snapshot (read through the public envelope API).
fn signature_of(bytes: &[u8]) -> Vec<u8> {
    // The signature is the 64 bytes that the re-signing with another key changes.
    let other = sign(bytes, "k1", &STRANGER).unwrap();
    let start = bytes.iter().zip(&other).position(|(a, b)| a != b).unwrap();
    bytes[start..start + 64].to_vec()
}

/// Adds the ed25519 group order L to a little-endian scalar.
fn add_group_order(s: &mut [u8]) {
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for (b, l) in s.iter_mut().zip(L) {
        let sum = u16::from(*b) + u16::from(l) + carry;
        *b = sum as u8;
        carry = sum >> 8;
    }
}

#[test]
fn deltas_rebuild_the_new_snapshot_and_only_from_their_base() {
    let policy = acme();
    let r1 = signed(&policy, 1, "k1", &K1);
    let mut changed = policy.clone();
    changed.users[9].name = "Cora Costa-Okafor".into();
    changed.assignments.push(rolegate_core::Assignment {
        id: "RAnewone".into(),
        user: policy.users[9].id.clone(),
        role: "voice-viewer".into(),
        scope: policy.accounts[0].id.clone(),
        resource: None,
    });
    let r2 = signed(&changed, 2, "k1", &K1);
    let delta = diff(&r1, &r2).unwrap();
    assert!(
        delta.len() * 5 < r2.len(),
        "a small change is a small delta: {} vs {}",
        delta.len(),
        r2.len()
    );
    let rebuilt = apply_delta(&r1, &delta).unwrap();
    assert_eq!(
        rebuilt, r2,
        "the delta rebuilds the signed snapshot byte for byte"
    );
    let t = trust(&[("k1", K1)]);
    let (full, via) = (
        Snapshot::decode_trusted(&r2, &t, NOW).unwrap(),
        Snapshot::decode_trusted(&rebuilt, &t, NOW).unwrap(),
    );
    let cora = &policy.users[9].id;
    let r = Request::new(cora, "voice/calls/read", &policy.accounts[0].id);
    assert!(via.check(&r).allowed);
    assert_eq!(via.check(&r), full.check(&r));
    // The wrong base: another revision, or other bytes under the same revision.
    let r3 = signed(&changed, 3, "k1", &K1);
    assert!(matches!(
        apply_delta(&r3, &delta),
        Err(DeltaError::WrongBase { .. })
    ));
    let r1_other = signed(&changed, 1, "k1", &K1);
    assert!(matches!(
        apply_delta(&r1_other, &delta),
        Err(DeltaError::WrongBase { .. })
    ));
    // The same payload at the same revision is the same base, whatever its issue time.
    let later = compile(
        &policy,
        &CompileOptions {
            revision: 1,
            issued_at: 5,
        },
    )
    .unwrap();
    assert_eq!(
        apply_delta(&sign(&later, "k1", &K1).unwrap(), &delta).unwrap(),
        r2
    );
    // A damaged delta never yields a snapshot.
    for i in (0..delta.len()).step_by(7) {
        let mut bad = delta.clone();
        bad[i] ^= 0x55;
        if let Ok(bytes) = apply_delta(&r1, &bad) {
            // Only the signature could have been hit: the payload hash held.
            assert_ne!(
                code(Snapshot::decode_trusted(&bytes, &t, NOW)),
                "ok",
                "byte {i}"
            );
        }
    }
    assert_eq!(
        apply_delta(&r1, b"junk").unwrap_err().code().as_str(),
        "delta-bad-magic"
    );
}

#[test]
fn slices_decide_like_the_full_snapshot_and_hold_no_one_else() {
    for seed in 0..40u64 {
        let policy = generate::policy(&Shape::small(&mut Rng::new(seed)), seed);
        let full = Snapshot::decode(
            &compile(
                &policy,
                &CompileOptions {
                    revision: 3,
                    issued_at: 9,
                },
            )
            .unwrap(),
        )
        .unwrap();
        let reference = Reference::new(&policy, 3);
        for user in &policy.users {
            let bytes = full.slice(&user.id).unwrap();
            let slice = Snapshot::decode(&bytes).unwrap();
            assert_eq!(slice.users().count(), 1);
            // Exactly the same decisions; where a scope is left out (the user reaches
            // nothing there) the slice says so instead of "no matching assignment".
            let same = |r: &Request<'_>| {
                let (s, f) = (slice.check(r), full.check(r));
                assert_eq!(s.allowed, f.allowed, "seed {seed}: {r:?}");
                if slice.scope(r.scope).is_some() {
                    assert_eq!(s, f, "seed {seed}: {r:?}");
                } else {
                    assert!(!f.allowed);
                    assert_eq!(s.reason, rolegate_core::Reason::UnknownScope);
                }
            };
            for permission in reference.permissions() {
                for scope in reference.scopes() {
                    let r = Request::new(&user.id, permission, scope);
                    same(&r);
                    for res in &policy.resources {
                        same(&r.on(&res.resource_type, &res.id));
                    }
                }
            }
            // Every scope where the user holds a role is there, and nothing more than they
            // reach: no scope of a sibling account they hold nothing in.
            for a in policy.assignments.iter().filter(|a| a.user == user.id) {
                assert!(slice.scope(&a.scope).is_some());
            }
            assert!(slice.scopes().count() <= full.scopes().count());
            for other in policy.users.iter().filter(|o| o.id != user.id) {
                for secret in [&other.id, &other.name, &other.email] {
                    assert!(
                        !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                        "seed {seed}: {}'s slice holds {secret}",
                        user.id
                    );
                }
            }
        }
    }
}

/// The snapshot delivered as (revision, signer): 0 the trusted k1, 1 an untrusted key posing
/// as k2, 2 unsigned. Made once each.
fn delivery(revision: u64, signer: u8) -> Vec<u8> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    type Made = Mutex<HashMap<(u64, u8), Vec<u8>>>;
    static MADE: OnceLock<Made> = OnceLock::new();
    let made = MADE.get_or_init(Default::default);
    let mut made = made.lock().unwrap();
    made.entry((revision, signer))
        .or_insert_with(|| {
            let policy = acme();
            match signer {
                0 => signed(&policy, revision, "k1", &K1),
                1 => signed(&policy, revision, "k2", &STRANGER),
                _ => at(&policy, revision),
            }
        })
        .clone()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// Deliveries in any order, signed by a trusted key, an untrusted one or none, some
    /// tampered: the active revision only grows, and is always the highest validly signed
    /// revision delivered so far.
    #[test]
    fn active_revision_is_the_highest_valid_one(deliveries in proptest::collection::vec((1u64..12, 0u8..3, any::<bool>()), 1..25)) {
        let keys = trust(&[("k1", K1), ("k2", K2)]);
        let mut active: Option<u64> = None;
        let mut highest_valid: Option<u64> = None;
        for (revision, signer, tamper) in deliveries {
            let mut bytes = delivery(revision, signer);
            if tamper {
                bytes = reseal_keeping_signature(&bytes, |p| p[0] ^= 1).unwrap();
            }
            let valid = signer == 0 && !tamper;
            if valid {
                highest_valid = highest_valid.max(Some(revision));
            }
            let t = Trust { min_revision: active, ..keys.clone() };
            if let Ok(s) = Snapshot::decode_trusted(&bytes, &t, NOW) {
                prop_assert!(valid, "accepted an invalid delivery");
                prop_assert!(active.is_none_or(|a| s.revision() >= a), "went backwards");
                active = Some(s.revision());
            }
            prop_assert_eq!(active, highest_valid);
        }
    }
}

#[test]
fn a_slice_holds_the_scopes_its_user_reaches_not_the_organization() {
    let policy = acme();
    let full = Snapshot::decode(
        &compile(
            &policy,
            &CompileOptions {
                revision: 1,
                issued_at: 0,
            },
        )
        .unwrap(),
    )
    .unwrap();
    let scope_names = |bytes: &[u8]| {
        let s = Snapshot::decode(bytes).unwrap();
        let mut names: Vec<String> = s.scopes().map(|v| v.name.to_string()).collect();
        names.sort();
        names
    };
    // Dana: Developer at Staging, Studio Admin at Production EU — the way up to Acme,
    // nothing of Marketing or Production US.
    let dana = "US21cb4e4be93c09542ffa73b2b5cb95ea";
    assert_eq!(
        scope_names(&full.slice(dana).unwrap()),
        ["Acme Corp", "Production", "Production EU", "Staging"]
    );
    // Mia owns Marketing: it and its subaccount.
    let mia = "US5102ecd3d47f6561de70979017b87a80";
    assert_eq!(
        scope_names(&full.slice(mia).unwrap()),
        ["Acme Corp", "Marketing", "Marketing Campaigns"]
    );
    // An Organization Owner reaches everything.
    let olivia = "US47bc17dc1a2f164967f55325d866c75c";
    assert_eq!(
        Snapshot::decode(&full.slice(olivia).unwrap())
            .unwrap()
            .scopes()
            .count(),
        full.scopes().count()
    );
    // Resources: only the ones the user's roles are bound to.
    let gary = "US03b083fd0aadc8883198881ba88111ab";
    assert_eq!(
        Snapshot::decode(&full.slice(gary).unwrap())
            .unwrap()
            .resources()
            .count(),
        2
    );
    assert_eq!(
        Snapshot::decode(&full.slice(dana).unwrap())
            .unwrap()
            .resources()
            .count(),
        0
    );
}
