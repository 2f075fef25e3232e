//! The trust chain under attack, natively: each test pins one hardening and fails on the
//! code before it (named after what it pins).

use rolegate_core::{
    AdminError, CompileOptions, DeltaError, Operation, Snapshot, Trust, TrustError, TrustedKey,
    apply, apply_delta, apply_delta_trusted, compile, diff, public_key, sign,
};
use rolegate_tests::attacks::{bomb_base, delta_bomb};

use crate::common::acme;

const NOW: u64 = 1_800_000_000;
const SECRET: [u8; 32] = [7; 32];

fn keys() -> Trust {
    Trust::signed_by(vec![TrustedKey {
        id: "k".into(),
        public: public_key(&SECRET),
    }])
}

fn compiled(revision: u64, issued_at: u64) -> Vec<u8> {
    compile(
        &acme(),
        &CompileOptions {
            revision,
            issued_at,
        },
    )
    .unwrap()
}

#[test]
fn a_delta_bomb_is_refused_before_anything_is_rebuilt() {
    let base = bomb_base();
    let payload = Snapshot::peek(&base).unwrap().payload_bytes;
    assert!(payload > 90_000, "the base payload is {payload} bytes");
    let bomb = delta_bomb(&base, 10_000);
    assert!(bomb.len() < 60_000, "the bomb is {} bytes", bomb.len());
    let wants = payload as u64 * 10_000;
    assert!(wants > 900_000_000, "it asks for {wants} bytes");
    // Refused by its size, counted before a byte is allocated for the result.
    let counted = allocation_counter::measure(|| {
        let e = apply_delta(&base, &bomb).unwrap_err();
        assert!(matches!(e, DeltaError::TooLarge { .. }), "{e:?}");
        assert_eq!(e.code().as_str(), "delta-too-large");
    });
    assert!(
        counted.bytes_max < 1 << 20,
        "refusing the bomb allocated {} bytes at its peak",
        counted.bytes_max
    );
    // With trust, refused even earlier: its envelope carries no signature.
    let counted = allocation_counter::measure(|| {
        let e = apply_delta_trusted(&base, &bomb, &keys(), NOW).unwrap_err();
        assert_eq!(e.code().as_str(), "unsigned");
    });
    assert!(counted.bytes_max < 1 << 20);
}

#[test]
fn a_delta_is_checked_against_trust_before_it_is_rebuilt() {
    let (r1, r2) = (compiled(1, NOW - 10), compiled(2, NOW - 5));
    let signed = |b: &[u8]| sign(b, "k", &SECRET).unwrap();
    let delta = diff(&signed(&r1), &signed(&r2)).unwrap();
    // The genuine delta rebuilds the signed r2 under trust.
    assert_eq!(
        apply_delta_trusted(&signed(&r1), &delta, &keys(), NOW).unwrap(),
        signed(&r2)
    );
    // A delta to an unsigned target, or one for an older revision than allowed, is refused
    // on its header.
    let unsigned = diff(&signed(&r1), &r2).unwrap();
    let e = apply_delta_trusted(&signed(&r1), &unsigned, &keys(), NOW).unwrap_err();
    assert!(
        matches!(e, DeltaError::Untrusted(TrustError::Unsigned)),
        "{e:?}"
    );
    let floor = Trust {
        min_revision: Some(3),
        ..keys()
    };
    let e = apply_delta_trusted(&signed(&r1), &delta, &floor, NOW).unwrap_err();
    assert_eq!(e.code().as_str(), "stale-revision");
}

#[test]
fn a_signed_slice_never_passes_for_the_organizations_snapshot() {
    let full = sign(&compiled(4, NOW - 10), "k", &SECRET).unwrap();
    let snapshot = Snapshot::decode(&full).unwrap();
    let user = snapshot.users().next().unwrap().id.to_string();
    let other = snapshot.users().nth(1).unwrap().id.to_string();
    let slice = sign(&snapshot.slice(&user).unwrap(), "k", &SECRET).unwrap();
    // Same key, organization and revision as the full snapshot — and still refused as one.
    let e = Snapshot::decode_trusted(&slice, &keys(), NOW).unwrap_err();
    assert!(matches!(e, TrustError::WrongKind { .. }), "{e:?}");
    assert_eq!(e.code().as_str(), "wrong-kind");
    // Loaded as what it is, it works; as another user's slice, it does not.
    let mine = Trust {
        slice_of: Some(user.clone()),
        ..keys()
    };
    let s = Snapshot::decode_trusted(&slice, &mine, NOW).unwrap();
    assert_eq!(s.meta().slice_of.as_deref(), Some(user.as_str()));
    let theirs = Trust {
        slice_of: Some(other),
        ..keys()
    };
    assert_eq!(
        Snapshot::decode_trusted(&slice, &theirs, NOW)
            .unwrap_err()
            .code()
            .as_str(),
        "wrong-kind"
    );
    // And the full snapshot is no slice either.
    assert_eq!(
        Snapshot::decode_trusted(&full, &mine, NOW)
            .unwrap_err()
            .code()
            .as_str(),
        "wrong-kind"
    );
    // Even unsigned and with signatures not checked, what a snapshot is still counts.
    let unsigned = snapshot.slice(&user).unwrap();
    assert_eq!(
        Snapshot::decode_trusted(&unsigned, &Trust::unsigned(), NOW)
            .unwrap_err()
            .code()
            .as_str(),
        "wrong-kind"
    );
}

#[test]
fn a_snapshot_issued_in_the_future_is_refused() {
    let skew = rolegate_core::MAX_CLOCK_SKEW;
    let soon = sign(&compiled(1, NOW + skew), "k", &SECRET).unwrap();
    assert!(Snapshot::decode_trusted(&soon, &keys(), NOW).is_ok());
    let later = sign(&compiled(1, NOW + skew + 1), "k", &SECRET).unwrap();
    let e = Snapshot::decode_trusted(&later, &keys(), NOW).unwrap_err();
    assert!(matches!(e, TrustError::IssuedInFuture { .. }), "{e:?}");
    // A millisecond timestamp by mistake would otherwise never expire.
    let millis = sign(&compiled(1, NOW * 1000), "k", &SECRET).unwrap();
    let fresh = Trust {
        max_age: Some(60),
        ..keys()
    };
    assert_eq!(
        Snapshot::decode_trusted(&millis, &fresh, NOW)
            .unwrap_err()
            .code()
            .as_str(),
        "issued-in-future"
    );
}

#[test]
fn the_revision_cannot_saturate() {
    let mut policy = acme();
    policy.revision = u64::MAX;
    let owner = policy
        .assignments
        .iter()
        .find(|a| a.role == "organization-owner")
        .unwrap()
        .user
        .clone();
    let e = apply(
        &policy,
        &owner,
        &Operation::UpdateUser {
            user: owner.clone(),
            name: Some("Still".into()),
            email: None,
            external_id: None,
            active: None,
        },
        NOW,
    )
    .unwrap_err();
    assert!(matches!(e, AdminError::RevisionExhausted { .. }), "{e:?}");
}

#[test]
fn decoding_preallocates_no_more_than_the_input() {
    // A payload whose first list claims as many items as there are bytes left, each of which
    // fails to parse: before, the decoder reserved room for every claimed item at once.
    let mut payload = vec![0u8]; // organization name ""
    let n: u64 = 100_000;
    let mut count = Vec::new();
    let mut m = n;
    while m >= 0x80 {
        count.push((m as u8) | 0x80);
        m >>= 7;
    }
    count.push(m as u8);
    payload.extend(count);
    payload.extend(std::iter::repeat_n(0xff, n as usize));
    let snapshot = rolegate_core::testing::seal_payload("ORattack", 1, &payload);
    let counted = allocation_counter::measure(|| {
        assert!(Snapshot::decode(&snapshot).is_err());
    });
    assert!(
        counted.bytes_max < 2 * payload.len() as u64,
        "decoding {} bytes reserved {} at its peak",
        payload.len(),
        counted.bytes_max
    );
}
