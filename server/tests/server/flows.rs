//! Every seed flow through `/v1`: roles and role details, directory search and a user's
//! assignments grouped by scope, assigning several roles at a scope, resource-based
//! assignment, removing one role, deleting a scope's assignments, ownership transfer, users
//! add/rename/remove, dry runs, `If-Match`, settings and the audit log.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::harness::*;

fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.pointer(key).and_then(Value::as_str).map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The role ids of `user`'s row at `scope` (plain rows only).
async fn roles_at(api: &Api, user: &str, scope: &str) -> Vec<String> {
    let (status, entry) = api.get(&format!("/users/{user}")).await;
    assert_eq!(status, StatusCode::OK, "{entry}");
    entry["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["scope"]["id"] == scope && r["resource"].is_null())
        .flat_map(|r| ids(&r["roles"], "/id"))
        .collect()
}

async fn search(api: &Api, q: &str) -> Vec<String> {
    let (status, body) = api
        .get(&format!("/users?q={}", q.replace(' ', "%20")))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    ids(&body["users"], "/user/id")
}

pub async fn run(db: Db) {
    let t = TestServer::start(&db).await;
    let api = &t.owner;
    let start = api.revision().await;

    // Roles: the catalog, filtered, and one role's details.
    let (status, roles) = api.get("/roles").await;
    assert_eq!(status, StatusCode::OK);
    let all = ids(&roles["roles"], "/id");
    assert!(all.len() >= 29, "{all:?}");
    assert!(
        all.contains(&"campaign-manager".to_string()),
        "custom roles are listed"
    );
    let (_, built_in) = api.get("/roles?kind=built-in&level=subaccount").await;
    assert!(ids(&built_in["roles"], "/id").contains(&"studio-admin".to_string()));
    assert!(!ids(&built_in["roles"], "/id").contains(&"owner".to_string()));
    let (status, details) = api.get("/roles/studio-admin").await;
    assert_eq!(status, StatusCode::OK, "{details}");
    assert!(
        details["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "studio/flows/update")
    );
    assert_eq!(
        details["assignable_at"],
        json!(["organization", "account", "subaccount"])
    );
    let (status, _) = api.get("/roles/no-such-role").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Directory search by name, email, id, role name and scope name.
    assert_eq!(search(api, "okafor").await, [OLIVIA]);
    assert_eq!(search(api, "paul@acme").await, [PAUL]);
    assert_eq!(search(api, DANA).await, [DANA]);
    assert!(
        search(api, "Studio Admin")
            .await
            .contains(&DANA.to_string())
    );
    let eu = search(api, "production eu").await;
    assert!(eu.contains(&DANA.to_string()), "{eu:?}");
    let (_, page) = api.get("/users?page_size=3&page=1").await;
    assert_eq!(page["total"], 10);
    assert_eq!(page["users"].as_array().unwrap().len(), 3);
    assert_eq!(page["next_page"], 2);

    // A user's assignments grouped by scope; resource-based ones as rows of their own.
    let (status, gary) = api.get(&format!("/users/{GARY}")).await;
    assert_eq!(status, StatusCode::OK);
    let rows = gary["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{gary}");
    assert!(
        rows.iter()
            .all(|r| r["scope"]["id"] == ACME && !r["resource"].is_null())
    );

    // Assign several roles at one scope.
    let (status, body) = api
        .post(
            &format!("/users/{SAM}/assignments"),
            json!({"scope": PRODUCTION, "roles": ["developer", "studio-admin"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["revision"], start + 1);
    assert_eq!(body["change"]["added"].as_array().unwrap().len(), 2);
    let mut at_production = roles_at(api, SAM, PRODUCTION).await;
    at_production.sort();
    assert_eq!(at_production, ["developer", "studio-admin", "support"]);

    // Resource-based assignment.
    let (status, body) = api
        .post(
            &format!("/users/{SAM}/assignments"),
            json!({"scope": ACME, "roles": ["billing-group-viewer"],
                   "resources": [{"type": "billing-group", "id": EMEA}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["change"]["added"][0]["resource"]["id"], EMEA);

    // Edit: remove one role.
    let (status, body) = api
        .delete(&format!("/users/{SAM}/scopes/{PRODUCTION}/roles/developer"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["change"]["removed"].as_array().unwrap().len(), 1);
    let (status, body) = api
        .delete(&format!(
            "/users/{SAM}/scopes/{ACME}/roles/billing-group-viewer?resource=billing-group:{EMEA}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Delete a scope's assignments.
    let (status, body) = api
        .delete(&format!("/users/{SAM}/scopes/{PRODUCTION}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["change"]["removed"].as_array().unwrap().len(), 2);
    assert!(roles_at(api, SAM, PRODUCTION).await.is_empty());

    // Ownership transfer.
    let (status, body) = api
        .post(&format!("/accounts/{MARKETING}/owner"), json!({"to": SAM}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(roles_at(api, SAM, MARKETING).await, ["owner"]);
    assert!(
        !roles_at(api, MIA, MARKETING)
            .await
            .contains(&"owner".to_string())
    );

    // Users: add, rename, remove.
    let new = "US00000000000000000000000000000001";
    let (status, body) = api
        .post(
            "/users",
            json!({"id": new, "name": "Nina New", "email": "nina@acme.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(search(api, "nina").await, [new]);
    let (status, body) = api
        .patch(
            &format!("/users/{new}"),
            json!({"name": "Nina Renamed", "email": "nr@acme.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["change"]["user_before"]["name"], "Nina New");
    let (_, entry) = api.get(&format!("/users/{new}")).await;
    assert_eq!(entry["user"]["name"], "Nina Renamed");
    assert_eq!(entry["user"]["email"], "nr@acme.example");
    let (status, _) = api.delete(&format!("/users/{new}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = api.get(&format!("/users/{new}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Dry runs change nothing and report the change or every violation.
    let before = fingerprint(api).await;
    let (status, dry) = api
        .post(
            &format!("/users/{DANA}/assignments/dry-run"),
            json!({"scope": STAGING, "roles": ["studio-admin"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{dry}");
    assert_eq!(dry["accepted"], true);
    assert_eq!(dry["change"]["added"].as_array().unwrap().len(), 1);
    let (_, dry) = api
        .post(
            "/operations/dry-run",
            json!({"op": "unassign", "user": PAUL, "scope": PRODUCTION}),
        )
        .await;
    assert_eq!(dry["accepted"], false, "{dry}");
    assert!(ids(&dry["violations"], "/code").contains(&"account-owner-protected".to_string()));
    let (_, dry) = api
        .post(
            "/users/dry-run",
            json!({"id": DANA, "name": "Dup", "email": "d@x"}),
        )
        .await;
    assert_eq!(ids(&dry["violations"], "/code"), ["user-exists"]);
    assert_eq!(fingerprint(api).await, before, "dry runs change nothing");

    // The generic operation route, and If-Match.
    let rev = api.revision().await;
    let op = json!({"op": "rename-user", "user": DANA, "name": "Dana D."});
    let stale = api
        .http
        .post(api.org("/operations"))
        .bearer_auth(&api.token)
        .header("if-match", (rev - 1).to_string())
        .json(&op)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let body: Value = stale.json().await.unwrap();
    assert_eq!(body["code"], "stale-revision");
    assert_eq!(api.revision().await, rev);
    let fresh = api
        .http
        .post(api.org("/operations"))
        .bearer_auth(&api.token)
        .header("if-match", format!("\"{rev}\""))
        .json(&op)
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), StatusCode::OK);
    assert_eq!(
        fresh.headers()["x-rolegate-revision"].to_str().unwrap(),
        (rev + 1).to_string()
    );

    // Settings: readable, and changed by the audited settings operation.
    let (status, settings) = api.get("/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(settings["settings"]["max_built_in_roles_per_user"], 25);
    let before = api.revision().await;
    let (status, body) = api
        .send(
            reqwest::Method::PUT,
            &api.org("/settings"),
            Some(&json!({"max_built_in_roles_per_user": 30})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(api.revision().await, before + 1);
    let (_, settings) = api.get("/settings").await;
    assert_eq!(settings["settings"]["max_built_in_roles_per_user"], 30);
    let latest = api.audit(1).await;
    assert_eq!(latest[0]["entry"]["operation"]["op"], "update-settings");
    // A cap below what someone holds breaks the cap rule: refused, nothing changed.
    let (status, body) = api
        .send(
            reqwest::Method::PUT,
            &api.org("/settings"),
            Some(&json!({"max_built_in_roles_per_user": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "built-in-cap-exceeded");
    assert_eq!(api.revision().await, before + 1);

    // The audit log: newest first, chained, one row per revision.
    let now = api.revision().await;
    let audit = api.audit(50).await;
    assert_eq!(audit.len() as u64, now - start + 1);
    assert_eq!(audit[0]["revision"], now);
    for pair in audit.windows(2) {
        assert_eq!(pair[0]["prev_hash"], pair[1]["hash"]);
        assert_eq!(
            pair[0]["revision"].as_u64().unwrap(),
            pair[1]["revision"].as_u64().unwrap() + 1
        );
    }
    assert_eq!(audit.last().unwrap()["entry"]["kind"], "import");
    let (_, page) = api.get(&format!("/audit?page_size=2&before={now}")).await;
    assert_eq!(page["records"][0]["revision"], now - 1);
    assert_eq!(page["next_before"], now - 2);

    t.stop().await;
    let report = rolegate_server::verify_audit(db.url(), ACME).await.unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.revision, now);

    // Tampering with one audit record breaks the chain there, and verification says so.
    sqlx::any::install_default_drivers();
    let url = rolegate_server::database_url(db.url());
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let edited = sqlx::query(
        "UPDATE audit SET record = REPLACE(record, 'Nina New', 'Nina Evil') \
         WHERE organization = $1 AND record LIKE '%Nina New%'",
    )
    .bind(ACME)
    .execute(&pool)
    .await
    .unwrap()
    .rows_affected();
    assert!(edited >= 1);
    pool.close().await;
    let report = rolegate_server::verify_audit(db.url(), ACME).await.unwrap();
    assert!(!report.ok(), "tampering must be found");
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.problem.contains("does not match")),
        "{report:?}"
    );
}

both!(flows_sqlite, flows_postgres, run);
