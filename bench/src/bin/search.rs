//! The console's user search at scale: the L organization (100,000 users, 500,000
//! assignments) in an in-process `rolegate serve` (SQLite), searched through the `/v1` API as
//! the console does (`GET …/users?q=&role=&page=&page_size=50`). Each kind of query — a
//! name, an email, a SID, a role name, a scope name, no text (the first page of everyone),
//! a role filter, a text nobody has — is asked `ROUNDS` times; the figures are the server's
//! answer times seen by the client on loopback, p50 and p99.
//!
//! `rolegate-bench-search OUT_DIR [ROUNDS]` writes `OUT_DIR/search-results.json`.

// A command-line harness: failing loudly is its error handling.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;
use std::time::Instant;

use rolegate_bench::api::Client;
use rolegate_bench::timing::percentile;
use rolegate_core::{Assignment, User};
use rolegate_tests::{Shape, generate};
use serde_json::{Value, json};

const ADMIN: &str = "US0000000000000000000000000000ad01";

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "target/bench-data".into()));
    let rounds: usize = args.next().map_or(100, |n| n.parse().unwrap());
    std::fs::create_dir_all(&out).unwrap();

    let mut policy = generate::policy(&Shape::L, 0x5eed);
    let org = policy.organization.id.clone();
    policy
        .users
        .push(User::new(ADMIN, "Bench Admin", "bench.admin@bench.example"));
    policy.assignments.push(Assignment {
        id: "RA0000000000000000000000000000ad01".into(),
        user: ADMIN.into(),
        role: "organization-owner".into(),
        scope: org.clone(),
        resource: None,
    });
    let users = policy.users.len();
    let assignments = policy.assignments.len();
    let sample = policy.users[users / 2].clone();
    let scope_name = policy.subaccounts[policy.subaccounts.len() / 3]
        .name
        .clone();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = tempfile::tempdir().unwrap();
    let server = runtime
        .block_on(rolegate_server::start(rolegate_server::ServeOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            db_url: Some(db.path().join("bench.db").display().to_string()),
            ..Default::default()
        }))
        .unwrap();
    let started = Instant::now();
    runtime.block_on(server.import(&policy, "bench")).unwrap();
    println!(
        "imported {users} users, {assignments} assignments in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let Client {
        http,
        org_url,
        bearer,
    } = Client::new(&runtime, &server, &org, ADMIN);
    let users_url = format!("{org_url}/users");

    let queries: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("name", vec![("q", sample.name.clone())]),
        ("name fragment", vec![("q", "user 04".into())]),
        ("email", vec![("q", sample.email.clone())]),
        ("SID", vec![("q", sample.id.clone())]),
        ("role name", vec![("q", "Studio Admin".into())]),
        ("scope name", vec![("q", scope_name.clone())]),
        ("no text (first page)", vec![]),
        ("role filter", vec![("role", "developer".into())]),
        ("no match", vec![("q", "zz-nobody-zz".into())]),
    ];
    // The first request compiles the organization; it is not a search.
    http.get(&users_url)
        .header("Authorization", &bearer)
        .query("page_size", "1")
        .call()
        .unwrap();
    let mut rows = Vec::new();
    let mut all = Vec::new();
    for (kind, params) in &queries {
        let mut ms = Vec::with_capacity(rounds);
        let mut total = 0u64;
        for _ in 0..rounds {
            let mut request = http
                .get(&users_url)
                .header("Authorization", &bearer)
                .query("page_size", "50");
            for (k, v) in params {
                request = request.query(*k, v);
            }
            let started = Instant::now();
            let mut response = request.call().unwrap();
            let body: Value = response.body_mut().read_json().unwrap();
            ms.push(started.elapsed().as_secs_f64() * 1e3);
            assert_eq!(response.status(), 200, "{body}");
            total = body["total"].as_u64().unwrap();
        }
        all.extend_from_slice(&ms);
        ms.sort_by(f64::total_cmp);
        println!(
            "{kind:>22}: {total:>6} matches, p50 {:.1} ms, p99 {:.1} ms",
            percentile(&ms, 0.5),
            percentile(&ms, 0.99)
        );
        rows.push(json!({
            "kind": kind, "matches": total, "rounds": rounds,
            "p50_ms": percentile(&ms, 0.5), "p99_ms": percentile(&ms, 0.99),
        }));
    }
    all.sort_by(f64::total_cmp);
    let summary = json!({
        "users": users, "assignments": assignments, "page_size": 50,
        "p50_ms": percentile(&all, 0.5), "p99_ms": percentile(&all, 0.99),
        "queries": rows,
    });
    println!(
        "all searches: p50 {:.1} ms, p99 {:.1} ms",
        percentile(&all, 0.5),
        percentile(&all, 0.99)
    );
    std::fs::write(
        out.join("search-results.json"),
        serde_json::to_string_pretty(&summary).unwrap(),
    )
    .unwrap();
    runtime.block_on(server.stop()).unwrap();
}
