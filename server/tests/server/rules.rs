//! Every seed rule, refused through the API with nothing changed — not the revision, not
//! the audit log, not the assignments.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::*;

/// Sends a write and checks it is refused with `status` and `code`, changing nothing.
async fn refused(
    api: &Api,
    observer: &Api,
    request: impl std::future::Future<Output = (StatusCode, Value)>,
    status: StatusCode,
    code: &str,
) -> Value {
    let before = fingerprint(observer).await;
    let (got, body) = request.await;
    assert_eq!(got, status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status.as_u16());
    assert_eq!(
        fingerprint(observer).await,
        before,
        "a refused write changed something"
    );
    let _ = api;
    body
}

pub async fn run(db: Db) {
    let t = TestServer::start(&db).await;
    let owner = &t.owner;

    // A Developer may not manage assignments, and is told only that.
    let dana = t.client_as(DANA).await;
    let body = refused(
        &dana,
        owner,
        dana.post(
            &format!("/users/{DANA}/assignments"),
            json!({"scope": STAGING, "roles": ["studio-admin"]}),
        ),
        StatusCode::FORBIDDEN,
        "not-authorized",
    )
    .await;
    assert!(
        body["message"].as_str().unwrap().contains("may not"),
        "{body}"
    );
    // Even about users and roles that do not exist: nothing else leaks.
    refused(
        &dana,
        owner,
        dana.post(
            "/users/US99999999999999999999999999999999/assignments",
            json!({"scope": STAGING, "roles": ["no-such-role"]}),
        ),
        StatusCode::FORBIDDEN,
        "not-authorized",
    )
    .await;
    refused(
        &dana,
        owner,
        dana.delete(&format!("/users/{SAM}")),
        StatusCode::FORBIDDEN,
        "not-authorized",
    )
    .await;
    let (_, dry) = dana
        .post(
            "/operations/dry-run",
            json!({"op": "remove-user", "user": "USnobody"}),
        )
        .await;
    assert_eq!(dry["violations"].as_array().unwrap().len(), 1, "{dry}");
    assert_eq!(dry["violations"][0]["code"], "not-authorized");
    assert_eq!(dry["change"]["removed"], json!([]));

    // An Organization Administrator cannot create an Organization Owner.
    let adam = t.client_as(ADAM).await;
    refused(
        &adam,
        owner,
        adam.post(
            &format!("/users/{DANA}/assignments"),
            json!({"scope": ACME, "roles": ["organization-owner"]}),
        ),
        StatusCode::FORBIDDEN,
        "more-powerful",
    )
    .await;

    // An account's Owner assignment is not deleted by assignment management.
    refused(
        owner,
        owner,
        owner.delete(&format!("/users/{PAUL}/scopes/{PRODUCTION}")),
        StatusCode::CONFLICT,
        "account-owner-protected",
    )
    .await;
    refused(
        owner,
        owner,
        owner.delete(&format!("/users/{PAUL}/scopes/{PRODUCTION}/roles/owner")),
        StatusCode::CONFLICT,
        "account-owner-protected",
    )
    .await;

    // The last Organization Owner stays.
    refused(
        owner,
        owner,
        owner.delete(&format!(
            "/users/{OLIVIA}/scopes/{ACME}/roles/organization-owner"
        )),
        StatusCode::CONFLICT,
        "last-organization-owner",
    )
    .await;
    refused(
        owner,
        owner,
        owner.delete(&format!("/users/{OLIVIA}")),
        StatusCode::CONFLICT,
        "last-organization-owner",
    )
    .await;

    // Roles only at the levels they allow; unknown things are 422.
    refused(
        owner,
        owner,
        owner.post(
            &format!("/users/{SAM}/assignments"),
            json!({"scope": ACME, "roles": ["developer"]}),
        ),
        StatusCode::UNPROCESSABLE_ENTITY,
        "level-not-allowed",
    )
    .await;
    refused(
        owner,
        owner,
        owner.post(
            &format!("/users/{SAM}/assignments"),
            json!({"scope": PRODUCTION, "roles": ["studio-admn"]}),
        ),
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown-role",
    )
    .await;

    // At most 25 built-in roles per user: fill to 25, then the 26th is refused.
    let (_, roles) = owner.get("/roles?kind=built-in").await;
    let built_in: Vec<String> = roles["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .filter(|id| id != "campaign-manager")
        .collect();
    let mut pairs = Vec::new();
    for scope in [ACME, PRODUCTION, STAGING, MARKETING, PRODUCTION_EU] {
        let level = if scope == ACME {
            "organization"
        } else if scope == PRODUCTION_EU {
            "subaccount"
        } else {
            "account"
        };
        for role in &built_in {
            let (_, d) = owner.get(&format!("/roles/{role}")).await;
            if d["assignable_at"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l == level)
            {
                pairs.push((scope, role.clone()));
            }
        }
    }
    assert!(pairs.len() > 25, "{} pairs", pairs.len());
    let user = "US0000000000000000000000000000cafe";
    let (status, _) = owner
        .post(
            "/users",
            json!({"id": user, "name": "Cap Tester", "email": "cap@acme.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    for scope in [ACME, PRODUCTION, STAGING, MARKETING, PRODUCTION_EU] {
        let roles: Vec<&String> = pairs
            .iter()
            .take(25)
            .filter(|(s, _)| *s == scope)
            .map(|(_, r)| r)
            .collect();
        if roles.is_empty() {
            continue;
        }
        let (status, body) = owner
            .post(
                &format!("/users/{user}/assignments"),
                json!({"scope": scope, "roles": roles}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (scope, role) = &pairs[25];
    refused(
        owner,
        owner,
        owner.post(
            &format!("/users/{user}/assignments"),
            json!({"scope": scope, "roles": [role]}),
        ),
        StatusCode::CONFLICT,
        "built-in-cap-exceeded",
    )
    .await;

    // Conflicts with the current state.
    refused(
        owner,
        owner,
        owner.post(
            "/users",
            json!({"id": DANA, "name": "Again", "email": "a@b"}),
        ),
        StatusCode::CONFLICT,
        "user-exists",
    )
    .await;
    refused(
        owner,
        owner,
        owner.post(
            &format!("/users/{DANA}/assignments"),
            json!({"scope": STAGING, "roles": ["developer"]}),
        ),
        StatusCode::CONFLICT,
        "already-assigned",
    )
    .await;

    t.stop().await;
    let report = rolegate_server::verify_audit(db.url(), ACME).await.unwrap();
    assert!(report.ok(), "{report:?}");
}

both!(rules_sqlite, rules_postgres, run);
