//! Twilio's API shapes at the wire, where the helper-library scenario does not look: error
//! bodies (legacy and SCIM), authentication, another organization, paging parameters and
//! tokens, SCIM's list and patch forms other clients send.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::*;

/// A request to Twilio's routes with `api`'s token (or none).
async fn twilio(
    api: &Api,
    method: Method,
    path: &str,
    body: Option<Value>,
    token: bool,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut r = api
        .http
        .request(method, format!("{}/Organizations/{ACME}{path}", api.base));
    if token {
        r = r.bearer_auth(&api.token);
    }
    if let Some(b) = body {
        r = r
            .header("content-type", "application/scim+json")
            .body(b.to_string());
    }
    let r = r.send().await.unwrap();
    let (status, headers) = (r.status(), r.headers().clone());
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
        headers,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_wire_shapes() {
    let db = Db::sqlite();
    let t = TestServer::start(&db).await;
    let api = &t.owner;

    // No token: 401 in Twilio's legacy shape.
    let (status, body, _) = twilio(api, Method::GET, "/Accounts", None, false).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], 25018);
    assert_eq!(body["status"], 401);
    assert_eq!(
        body["more_info"],
        "https://www.twilio.com/docs/errors/25018"
    );
    assert!(body.get("type").is_none() && body.get("title").is_none());

    // Another organization is one that does not exist.
    let r = api
        .http
        .get(format!(
            "{}/Organizations/OR00000000000000000000000000000000/Accounts",
            api.base
        ))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], 25100);

    // Paging parameters.
    for bad in [
        "/Accounts?PageSize=0",
        "/Accounts?PageSize=101",
        "/Accounts?PageSize=x",
    ] {
        let (status, body, _) = twilio(api, Method::GET, bad, None, true).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let (status, body, _) =
        twilio(api, Method::GET, "/Accounts?PageToken=PT7b7d", None, true).await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(25023))
    );
    // The library's own `Page` parameter is client state: ignored.
    let (status, body, _) =
        twilio(api, Method::GET, "/Accounts?Page=3&PageSize=2", None, true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["meta"]["key"], "content");
    assert!(
        body["meta"]["next_page_url"]
            .as_str()
            .unwrap()
            .contains("PageToken=PT")
    );
    // Previous pages link back.
    let next = body["meta"]["next_page_url"].as_str().unwrap().to_string();
    let second: Value = api
        .http
        .get(&next)
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let back = second["meta"]["previous_page_url"]
        .as_str()
        .expect("a previous page");
    let first: Value = api
        .http
        .get(back)
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first["content"], body["content"]);

    // SCIM errors: their own shape, `status` a string, `Content-Type: application/scim+json`.
    let (status, body, headers) = twilio(
        api,
        Method::GET,
        "/scim/Users?filter=name%20co%20%22a%22",
        None,
        true,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(body["status"], "400");
    assert_eq!(body["scimType"], "invalidFilter");
    assert_eq!(body["code"], 25001);
    assert!(body["detail"].as_str().is_some() && body["message"] == body["detail"]);
    assert_eq!(headers["content-type"], "application/scim+json");
    // A body that is not JSON.
    let (status, body, _) = twilio(api, Method::POST, "/scim/Users", Some(json!("{")), true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["scimType"], "invalidSyntax");

    // SCIM list: `Resources` first, paged by startIndex/count.
    let (status, body, _) = twilio(
        api,
        Method::GET,
        "/scim/Users?startIndex=2&count=3",
        None,
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys[0], "Resources");
    assert_eq!(body["totalResults"], 10);
    assert_eq!(body["startIndex"], 2);
    assert_eq!(body["Resources"].as_array().unwrap().len(), 3);

    // Okta's deactivation: a patch with no path and an object value; Entra ID's: "False".
    let dana = format!("/scim/Users/{DANA}");
    let before = api.revision().await;
    let (status, body, headers) = twilio(
        api,
        Method::PATCH,
        &dana,
        Some(json!({"Operations": [{"op": "replace", "value": {"active": false}}]})),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["active"], false);
    assert_eq!(api.revision().await, before + 1);
    assert_eq!(headers["etag"], format!("W/\"{}\"", before + 1));
    let (status, body, _) = twilio(
        api,
        Method::PATCH,
        &dana,
        Some(json!({"Operations": [{"op": "Replace", "path": "active", "value": "True"}]})),
        true,
    )
    .await;
    assert_eq!(
        (status, body["active"].clone()),
        (StatusCode::OK, json!(true))
    );
    // A patch that changes nothing writes nothing.
    let at = api.revision().await;
    let (status, _, _) = twilio(
        api,
        Method::PATCH,
        &dana,
        Some(json!({"Operations": [{"op": "replace", "path": "active", "value": true}]})),
        true,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(api.revision().await, at);

    // A non-admin asking about a user that does not exist hears "not authorized".
    let member = t.client_as(DANA).await;
    let (status, body, _) = twilio(
        &member,
        Method::DELETE,
        "/scim/Users/US00000000000000000000000000000000",
        None,
        true,
    )
    .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::FORBIDDEN, json!(25105))
    );
    let (status, body, _) = twilio(
        &member,
        Method::DELETE,
        "/RoleAssignments/IY00000000000000000000000000000000",
        None,
        true,
    )
    .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::FORBIDDEN, json!(25105))
    );
    // The owner hears that it does not exist.
    let (status, body, _) = twilio(
        api,
        Method::DELETE,
        "/RoleAssignments/IY00000000000000000000000000000000",
        None,
        true,
    )
    .await;
    assert_eq!(
        (status, body["code"].clone()),
        (StatusCode::NOT_FOUND, json!(20404))
    );
    t.stop().await;
}
