//! Who a user is: deactivation (every decision Deny, assignments kept, nothing they may
//! change), external ids (unique, never in snapshots), and the `update-user` operation that
//! changes them — with the same rules as renaming.

use rolegate_core::ffi::{Code, decide_at, permission_index, scope_index, user_index};
use rolegate_core::{
    AdminError, CompileError, Operation, Policy, Reason, Request, User, apply, dry_run, validate,
};

use crate::common::{acme, snapshot};

const OLIVIA: &str = "US47bc17dc1a2f164967f55325d866c75c"; // Organization Owner
const ADAM: &str = "US1d7c2923c1684726dc23d2901c4d8157"; // Organization Administrator
const PAUL: &str = "US6c63212ab48e8401eaf6b59b95d816a9"; // Owner of Production
const DANA: &str = "US21cb4e4be93c09542ffa73b2b5cb95ea"; // Developer at Staging
const PRODUCTION: &str = "ACfd89784e59c72499525556f80289b2c7";
const STAGING: &str = "AC830f78e090fe8aec00891405dfc14824";
const NOW: u64 = 1_700_000_000;

fn update(user: &str) -> Operation {
    Operation::UpdateUser {
        user: user.into(),
        name: None,
        email: None,
        external_id: None,
        active: None,
    }
}

fn set_active(user: &str, active: bool) -> Operation {
    match update(user) {
        Operation::UpdateUser {
            user,
            name,
            email,
            external_id,
            ..
        } => Operation::UpdateUser {
            user,
            name,
            email,
            external_id,
            active: Some(active),
        },
        other => other,
    }
}

fn deactivated(policy: &Policy, user: &str) -> Policy {
    apply(policy, OLIVIA, &set_active(user, false), NOW)
        .unwrap()
        .policy
}

#[test]
fn a_deactivated_user_is_denied_everything_and_keeps_their_assignments() {
    let before = acme();
    let after = deactivated(&before, DANA);
    assert_eq!(after.assignments, before.assignments, "assignments stay");
    let s = snapshot(&after);
    let request = Request::new(DANA, "messaging/services/read", STAGING);
    assert!(snapshot(&before).can(&request), "allowed while active");
    let decision = s.check(&request);
    assert!(!decision.allowed);
    assert_eq!(decision.reason, Reason::UserInactive);
    assert_eq!(decision.reason.kind(), "user-inactive");
    assert!(!s.can(&request));
    // The index path agrees.
    let at = decide_at(
        &s,
        user_index(&s, DANA),
        permission_index(&s, "messaging/services/read"),
        scope_index(&s, STAGING),
        u32::MAX,
    );
    assert_eq!(at, Err(Code::UserInactive));
    // Unknown names still come first.
    assert_eq!(
        s.check(&Request::new(DANA, "no/such/permission", STAGING))
            .reason,
        Reason::UnknownPermission
    );
    // Every query agrees with check.
    assert!(
        s.effective_permissions(DANA, STAGING, None)
            .unwrap()
            .is_empty()
    );
    assert!(
        s.scopes_with(DANA, "messaging/services/read", None)
            .unwrap()
            .is_empty()
    );
    assert!(
        !s.who_can("messaging/services/read", STAGING, None)
            .unwrap()
            .iter()
            .any(|h| h.user.id == DANA)
    );
    let explained = s.explain(&request);
    assert!(explained.granting.is_empty() && !explained.decision.allowed);
    // The directory still shows them, marked, with their rows.
    let entry = s.directory_entry(DANA).unwrap();
    assert!(!entry.user.active && !entry.rows.is_empty());
    // Their slice says so too.
    let slice = rolegate_core::Snapshot::decode(&s.slice(DANA).unwrap()).unwrap();
    assert_eq!(slice.check(&request).reason, Reason::UserInactive);
    // Reactivated, everything is back.
    let back = apply(&after, OLIVIA, &set_active(DANA, true), NOW)
        .unwrap()
        .policy;
    assert!(snapshot(&back).can(&request));
}

#[test]
fn a_deactivated_administrator_may_change_nothing() {
    let after = deactivated(&acme(), ADAM);
    let e = apply(&after, ADAM, &set_active(DANA, false), NOW).unwrap_err();
    assert!(matches!(e, AdminError::NotAuthorized { .. }), "{e:?}");
    // And is told nothing else, as any non-member.
    assert_eq!(
        dry_run(&after, ADAM, &set_active(DANA, false))
            .violations
            .len(),
        1
    );
}

#[test]
fn the_last_active_organization_owner_stays_active() {
    let e = apply(&acme(), OLIVIA, &set_active(OLIVIA, false), NOW).unwrap_err();
    assert!(
        matches!(e, AdminError::LastOrganizationOwner { .. }),
        "{e:?}"
    );
    // An administrator cannot deactivate an owner at all: the owner is more powerful.
    let codes: Vec<Code> = dry_run(&acme(), ADAM, &set_active(OLIVIA, false))
        .violations
        .iter()
        .map(AdminError::code)
        .collect();
    assert!(codes.contains(&Code::MorePowerful), "{codes:?}");
    // With a second active owner, the first may go.
    let mut two = acme();
    two.assignments.push(rolegate_core::Assignment {
        id: "RAsecondowner".into(),
        user: PAUL.into(),
        role: "organization-owner".into(),
        scope: two.organization.id.clone(),
        resource: None,
    });
    assert!(apply(&two, PAUL, &set_active(OLIVIA, false), NOW).is_ok());
}

#[test]
fn emails_and_external_ids_name_one_user() {
    let p = acme();
    let taken = Operation::AddUser {
        user: User::new("USnew", "New", "dana@acme.example"),
    };
    let e = apply(&p, OLIVIA, &taken, NOW).unwrap_err();
    assert_eq!(e.code(), Code::IdentityTaken, "{e}");
    assert!(e.to_string().contains(DANA), "{e}");

    let with_external = |user: &str, id: &str| match update(user) {
        Operation::UpdateUser {
            user,
            name,
            email,
            active,
            ..
        } => Operation::UpdateUser {
            user,
            name,
            email,
            external_id: Some(Some(id.into())),
            active,
        },
        other => other,
    };
    let p = apply(&p, OLIVIA, &with_external(DANA, "okta-00u1"), NOW)
        .unwrap()
        .policy;
    let dana = p.users.iter().find(|u| u.id == DANA).unwrap();
    assert_eq!(dana.external_id.as_deref(), Some("okta-00u1"));
    let e = apply(&p, OLIVIA, &with_external(PAUL, "okta-00u1"), NOW).unwrap_err();
    assert_eq!(e.code(), Code::IdentityTaken, "{e}");
    // A policy file with a shared external id does not compile.
    let mut shared = p.clone();
    shared
        .users
        .iter_mut()
        .find(|u| u.id == PAUL)
        .unwrap()
        .external_id = Some("okta-00u1".into());
    assert!(
        validate(&shared)
            .iter()
            .any(|e| matches!(e, CompileError::DuplicateExternalId { .. })),
        "{:?}",
        validate(&shared)
    );
    // External ids never reach a snapshot: no decision depends on them.
    let bytes = rolegate_core::compile(&p, &crate::common::options(&p)).unwrap();
    assert!(!bytes.windows(9).any(|w| w == b"okta-00u1"));
}

#[test]
fn update_user_reads_external_id_null_as_removal_and_old_rename_records() {
    let op: Operation =
        serde_json::from_str(r#"{"op": "update-user", "user": "US1", "external_id": null}"#)
            .unwrap();
    assert!(matches!(
        op,
        Operation::UpdateUser {
            external_id: Some(None),
            ..
        }
    ));
    let op: Operation = serde_json::from_str(r#"{"op": "update-user", "user": "US1"}"#).unwrap();
    assert!(matches!(
        op,
        Operation::UpdateUser {
            external_id: None,
            ..
        }
    ));
    // Audit logs written before `update-user` existed still read.
    let old: Operation = serde_json::from_str(
        r#"{"op": "rename-user", "user": "US1", "name": "Ada", "email": "a@x"}"#,
    )
    .unwrap();
    assert!(matches!(
        old,
        Operation::UpdateUser {
            name: Some(_),
            email: Some(_),
            ..
        }
    ));
    // A policy writes `active` only when false.
    let json = serde_json::to_string(&User::new("US1", "A", "a@x")).unwrap();
    assert!(!json.contains("active"), "{json}");
    let user: User =
        serde_json::from_str(r#"{"id":"US1","name":"A","email":"a@x","active":false}"#).unwrap();
    assert!(!user.active);
    // An account Owner deactivated keeps the account's one Owner (the rule is about
    // assignments), and the policy still compiles.
    let p = deactivated(&acme(), PAUL);
    assert!(validate(&p).is_empty());
    assert!(!snapshot(&p).can(&Request::new(PAUL, "voice/calls/create", PRODUCTION)));
}

#[test]
fn roles_carry_twilio_sids_their_own_or_derived() {
    let mut p = acme();
    let s = snapshot(&p);
    assert_eq!(
        s.role("developer").unwrap().sid,
        "IX00000000000000000000000000000103"
    );
    assert_eq!(
        s.role("campaign-manager").unwrap().sid,
        rolegate_core::sid::role_sid("campaign-manager")
    );
    assert_eq!(
        s.role_by_sid("IX00000000000000000000000000000102")
            .unwrap()
            .id,
        "administrator"
    );
    // A role brought from Twilio keeps its SID.
    p.roles[0].sid = Some("IXaaaabbbbccccddddeeeeffff00001111".into());
    let s = snapshot(&p);
    assert_eq!(
        s.role_by_sid("IXaaaabbbbccccddddeeeeffff00001111")
            .unwrap()
            .id,
        "campaign-manager"
    );
    // Two roles with one SID do not compile.
    p.roles[0].sid = Some("IX00000000000000000000000000000103".into());
    assert!(
        validate(&p)
            .iter()
            .any(|e| matches!(e, CompileError::DuplicateId { .. })),
        "{:?}",
        validate(&p)
    );
}
