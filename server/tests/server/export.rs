//! Export: an organization's policy back out of the database as the JSON `import` takes —
//! the same policy that went in (in id order), and the same bytes after a round trip.

use rolegate_core::Policy;
use rolegate_server::Store;

use crate::both;
use crate::harness::Db;

/// A policy with every list in id order and the given revision: what an export gives.
fn normal(mut p: Policy, revision: u64) -> Policy {
    p.revision = revision;
    p.accounts.sort_by(|a, b| a.id.cmp(&b.id));
    p.subaccounts.sort_by(|a, b| a.id.cmp(&b.id));
    p.users.sort_by(|a, b| a.id.cmp(&b.id));
    p.roles.sort_by(|a, b| a.id.cmp(&b.id));
    p.resources
        .sort_by(|a, b| (&a.resource_type, &a.id).cmp(&(&b.resource_type, &b.id)));
    p.assignments.sort_by(|a, b| a.id.cmp(&b.id));
    p
}

async fn round_trip(db: Db) {
    let store = Store::open(db.url()).await.unwrap();
    let mut generated = rolegate_tests::generate::policy(
        &rolegate_tests::Shape {
            users: 60,
            ..rolegate_tests::Shape::S
        },
        42,
    );
    // Identity-provider ids and a custom role's own SID survive the trip too.
    generated.users[0].external_id = Some("okta-00u1".into());
    if let Some(r) = generated.roles.first_mut() {
        r.sid = Some("IXaaaabbbbccccddddeeeeffff00001111".into());
    }
    let acme: Policy =
        serde_json::from_str(include_str!("../../../examples/policies/acme.json")).unwrap();
    for policy in [acme, generated] {
        let org = policy.organization.id.clone();
        let revision = store.import(&policy, "test", 1).await.unwrap();
        let exported = store.export(&org).await.unwrap();
        assert_eq!(exported, normal(policy.clone(), revision), "{org}");
        // Export → import → export: the same bytes.
        let text = serde_json::to_string_pretty(&exported).unwrap();
        let again = store
            .import(&serde_json::from_str(&text).unwrap(), "test", 2)
            .await
            .unwrap();
        let second = store.export(&org).await.unwrap();
        assert_eq!(
            serde_json::to_string_pretty(&normal(second, revision)).unwrap(),
            text,
            "{org}"
        );
        assert_eq!(again, revision + 1);
    }
    store.close().await;
}

both!(
    export_round_trip_sqlite,
    export_round_trip_postgres,
    round_trip
);
