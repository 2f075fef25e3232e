//! Server-side decisions equal the native engine's on the conformance vectors: every
//! organization of `tests/conformance/v1/` imported through the library (one audited
//! revision each) into one server, then every case asked over HTTP — `check` in one batch,
//! `explain` one by one — and compared with the core compiled natively and with the
//! vector's own decision.

use std::path::PathBuf;

use reqwest::StatusCode;
use rolegate_core::{CompileOptions, Policy, Request, compile_snapshot};
use serde_json::{Value, json};

use crate::both;
use crate::harness::*;

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance/v1")
}

fn read(name: &str) -> Value {
    let path = vectors().join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn request(case: &Value) -> Request<'_> {
    let base = Request::new(
        case["user"].as_str().unwrap(),
        case["permission"].as_str().unwrap(),
        case["scope"].as_str().unwrap(),
    );
    match case["resource"].as_object() {
        Some(r) => base.on(r["type"].as_str().unwrap(), r["id"].as_str().unwrap()),
        None => base,
    }
}

fn question(case: &Value) -> Value {
    json!({
        "user": case["user"],
        "permission": case["permission"],
        "scope": case["scope"],
        "resource": case["resource"],
    })
}

pub async fn run(db: Db) {
    let mut options = options(&db);
    options.demo = false;
    let server = rolegate_server::start(options).await.unwrap();
    let manifest = read("manifest.json");
    let mut checked = 0usize;
    for org in manifest["organizations"].as_array().unwrap() {
        let policy: Policy = serde_json::from_value(read(org["policy"].as_str().unwrap())).unwrap();
        let cases = read(org["cases"].as_str().unwrap());
        let cases = cases.as_array().unwrap();
        let revision = server.import(&policy, "conformance").await.unwrap();
        assert_eq!(revision, policy.revision.max(1));
        let native = compile_snapshot(
            &policy,
            &CompileOptions {
                revision,
                issued_at: 0,
            },
        )
        .unwrap();
        let id = &policy.organization.id;
        let actor = &policy.users[0].id;
        let client = server
            .create_client(id, actor, "conformance")
            .await
            .unwrap();
        let api = Api::login(&server.url(), &client.client_id, &client.client_secret).await;
        let url = |path: &str| format!("{}/v1/organizations/{id}{path}", api.base);

        let batch = json!({ "requests": cases.iter().map(question).collect::<Vec<_>>() });
        let (status, answer) = api
            .send(reqwest::Method::POST, &url("/check/batch"), Some(&batch))
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let decisions = answer["decisions"].as_array().unwrap();
        assert_eq!(decisions.len(), cases.len());
        for (case, got) in cases.iter().zip(decisions) {
            let want = serde_json::to_value(native.check(&request(case))).unwrap();
            assert_eq!(got, &want, "{}: check {case}", org["name"]);
            assert_eq!(
                got, &case["decision"],
                "{}: the vector's decision",
                org["name"]
            );
        }
        // explain, one request each, a few at a time.
        let mut tasks = tokio::task::JoinSet::new();
        for chunk in cases.chunks(cases.len().div_ceil(4).max(1)) {
            let api = api.clone();
            let url = url("/explain");
            let chunk: Vec<Value> = chunk.to_vec();
            tasks.spawn(async move {
                let mut answers = Vec::new();
                for case in chunk {
                    let (status, got) = api
                        .send(reqwest::Method::POST, &url, Some(&question(&case)))
                        .await;
                    assert_eq!(status, StatusCode::OK, "{got}");
                    answers.push((case, got));
                }
                answers
            });
        }
        while let Some(answers) = tasks.join_next().await {
            for (case, got) in answers.unwrap() {
                let want = serde_json::to_value(native.explain(&request(&case))).unwrap();
                assert_eq!(got, want, "{}: explain {case}", org["name"]);
                checked += 1;
            }
        }
        let report = server.store().verify_audit(id).await.unwrap();
        assert!(report.ok(), "{report:?}");
        assert_eq!(report.records, 1, "an import is one audited revision");
    }
    assert!(checked >= 3000, "{checked} cases");
    server.stop().await.unwrap();
}

both!(conformance_sqlite, conformance_postgres, run);
