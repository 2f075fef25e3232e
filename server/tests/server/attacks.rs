//! Attacks on authentication and input, each answered with a typed 4xx and nothing changed:
//! another organization's token (404, as for an organization that does not exist), expired,
//! tampered, `alg: none` and wrong-key tokens (401), oversized bodies (413), malformed JSON
//! (400), and injection-shaped ids and query strings.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use rolegate_core::Policy;
use serde_json::{Value, json};

use crate::both;
use crate::harness::*;

fn b64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn b64url_decode(text: &str) -> Vec<u8> {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let vals: Vec<u32> = text
        .bytes()
        .map(|c| A.iter().position(|a| *a == c).unwrap() as u32)
        .collect();
    let mut out = Vec::new();
    for chunk in vals.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, v)| n | (v << (18 - 6 * i)));
        for i in 0..chunk.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

fn with_token(api: &Api, token: &str) -> Api {
    Api {
        token: token.to_string(),
        ..api.clone()
    }
}

async fn assert_401(api: &Api, token: &str, code: &str) {
    let (status, body) = with_token(api, token).get("").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], code, "{body}");
    let (status, _) = with_token(api, token)
        .post(
            "/users",
            json!({"id": "USevil", "name": "Evil", "email": "e@x"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

pub async fn run(db: Db) {
    let t = TestServer::start(&db).await;
    let owner = &t.owner;
    let before = fingerprint(owner).await;

    // Another organization's token: 404, exactly as for an organization that does not exist.
    let other: Policy = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../tests/conformance/v1/generated-00.policy.json"),
        )
        .unwrap(),
    )
    .unwrap();
    t.server.import(&other, "test").await.unwrap();
    let c = t
        .server
        .create_client(&other.organization.id, &other.users[0].id, "other")
        .await
        .unwrap();
    let intruder = Api::login(&owner.base, &c.client_id, &c.client_secret).await;
    let (status, theirs) = intruder.get("/users").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{theirs}");
    assert_eq!(theirs["code"], "organization-not-found");
    let missing = format!(
        "{}/v1/organizations/OR00000000000000000000000000000000/users",
        owner.base
    );
    let (status, nobody) = owner.send(Method::GET, &missing, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(nobody["code"], theirs["code"]);
    assert_eq!(
        nobody["message"]
            .as_str()
            .unwrap()
            .replace("OR00000000000000000000000000000000", ACME),
        theirs["message"]
    );
    for (status, _) in [
        intruder
            .post(
                "/users",
                json!({"id": "USevil", "name": "Evil", "email": "e@x"}),
            )
            .await,
        intruder.delete(&format!("/users/{DANA}")).await,
        intruder.get("/snapshot").await,
        intruder.get(&format!("/users/{DANA}/slice")).await,
        intruder.get("/audit").await,
    ] {
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    // Missing, tampered, alg:none and wrong-key tokens.
    let (status, body) = owner
        .http
        .get(owner.org(""))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body:?}");
    let parts: Vec<&str> = owner.token.split('.').collect();
    let mut claims: Value = serde_json::from_slice(&b64url_decode(parts[1])).unwrap();
    claims["org"] = json!(other.organization.id);
    let forged_payload = b64url(claims.to_string().as_bytes());
    assert_401(
        owner,
        &format!("{}.{}.{}", parts[0], forged_payload, parts[2]),
        "invalid-token",
    )
    .await;
    let none = b64url(br#"{"alg":"none","typ":"JWT"}"#);
    assert_401(owner, &format!("{none}.{}.", parts[1]), "invalid-token").await;
    let wrong_key = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &serde_json::from_slice::<Value>(&b64url_decode(parts[1])).unwrap(),
        &jsonwebtoken::EncodingKey::from_secret(b"not the server's secret"),
    )
    .unwrap();
    assert_401(owner, &wrong_key, "invalid-token").await;
    assert_401(owner, "garbage", "invalid-token").await;

    // Token endpoint: wrong secret, unknown client, other grants.
    let demo = t.server.demo().unwrap().client.clone();
    let (status, body) = token(&owner.base, &demo.client_id, "wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "invalid-client");
    let (status, _) = token(
        &owner.base,
        "OQ00000000000000000000000000000000",
        &demo.client_secret,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let r = owner
        .http
        .post(format!("{}/v2/token", owner.base))
        .form(&[
            ("grant_type", "password"),
            ("client_id", "x"),
            ("client_secret", "y"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (status, body) = token(&owner.base, &demo.client_id, &demo.client_secret).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["refresh_token"].is_null() && body["id_token"].is_null());

    // Bodies: oversized, malformed, unknown fields, wrong type.
    let huge = json!({"id": "USbig", "name": "x".repeat(400 * 1024), "email": "b@x"});
    let (status, body) = owner.post("/users", huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], "payload-too-large");
    let raw = |body: &'static str, ct: &'static str| {
        owner
            .http
            .post(owner.org("/users"))
            .bearer_auth(&owner.token)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let r = raw("{\"id\": ", "application/json").await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "malformed-json");
    let r = raw(
        r#"{"id":"USx","name":"x","email":"x","admin":true}"#,
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "invalid-body");
    let r = raw(r#"{"id":"USx","name":"x","email":"x"}"#, "text/plain")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, _) = owner
        .post("/operations", json!({"op": "drop-tables"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Injection-shaped ids and query strings: a typed 4xx, or a harmless answer.
    for path in [
        "/users?q=%27%20OR%201%3D1%20--",
        "/users?q=%27%3B%20DROP%20TABLE%20users%3B%20--",
        "/users?q=%00%00",
        "/users?q=%25%25%25",
        "/users/US%27%20OR%20%271%27%3D%271",
        "/users/%27%3BDROP%20TABLE%20assignments--/slice",
        "/users?page_size=99999999999999999999999",
        "/users?page=-1",
        "/users?unknown=1",
        "/audit?before=-1",
        "/audit?before=18446744073709551615",
        "/audit?page_size=0",
        "/roles?kind=%27admin%27",
        "/roles/%27%20OR%20%271",
        "/permissions?user=%27%20OR%201%3D1&scope=x",
        "/who-can?permission=../../etc/passwd&scope=%00",
        "/snapshot?after=abc",
        "/snapshot.delta-%27%3B--",
        "/snapshot.delta-99999999999999999999999",
        "/users?q=",
    ] {
        let (status, body) = owner.get(path).await;
        assert!(
            status.is_success() || status.is_client_error(),
            "{path}: {status} {body}"
        );
        if status.is_client_error() {
            assert!(body["code"].is_string(), "{path}: {body}");
        }
        if path.starts_with("/users?q=") && status.is_success() {
            let n = body["users"].as_array().unwrap().len();
            assert!(n == 0 || n == 10, "{path}: {n}");
        }
    }
    let long = format!("/users?q={}", "a".repeat(300));
    assert_eq!(owner.get(&long).await.0, StatusCode::BAD_REQUEST);
    let (status, _) = owner
        .delete("/users/US%27%3B%20DELETE%20FROM%20users%3B--")
        .await;
    assert!(status.is_client_error());

    assert_eq!(
        fingerprint(owner).await,
        before,
        "the attacks changed nothing"
    );

    // Expired tokens: a server whose tokens live one second (and that takes one watcher).
    let mut short = options(&db);
    short.token_ttl = Duration::from_secs(1);
    short.max_watchers = 1;
    let s = TestServer::with(short).await;
    let (status, _) = s.owner.get("").await;
    assert_eq!(status, StatusCode::OK);
    let rev = s.owner.revision().await;
    let mut published = false;
    for _ in 0..100 {
        if s.owner.bytes("/snapshot", &[]).await.0 == StatusCode::OK {
            published = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(published);
    let first = {
        let api = s.owner.clone();
        tokio::spawn(async move {
            api.bytes(&format!("/snapshot?after={rev}&wait=3"), &[])
                .await
                .0
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, _, body) = s
        .owner
        .bytes(&format!("/snapshot?after={rev}&wait=3"), &[])
        .await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        String::from_utf8_lossy(&body)
    );
    first.abort();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_401(&s.owner, &s.owner.token, "token-expired").await;
    s.stop().await;

    t.stop().await;
    let report = rolegate_server::verify_audit(db.url(), ACME).await.unwrap();
    assert!(report.ok(), "{report:?}");
}

both!(attacks_sqlite, attacks_postgres, run);
