//! `POST /v1/token` and `POST /v2/token`: OAuth 2.0 client credentials, as Twilio's token
//! endpoint answers them (the SDKs call either, depending on their version).

use std::sync::{Arc, OnceLock};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::App;
use super::error::ApiError;
use super::extract::Form;
use crate::auth::{Claims, hash_secret, verify_secret};
use crate::clock::{hex, now, random};

/// The form. Other OAuth fields (`scope`, `audience`, …) are accepted and ignored.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// A hash to verify against when the client does not exist, so an unknown client id takes
/// as long to refuse as a wrong secret.
fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_secret("rolegate decoy secret").unwrap_or_default())
}

fn invalid_client() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid-client",
        "unknown client or wrong secret",
    )
}

pub async fn token(
    State(app): State<Arc<App>>,
    Form(form): Form<TokenForm>,
) -> Result<Json<Value>, ApiError> {
    match form.grant_type.as_deref() {
        Some("client_credentials") => {}
        Some(other) => {
            return Err(ApiError::bad_request(
                "unsupported-grant-type",
                format!(
                    "grant type `{}` is not supported; use `client_credentials`",
                    super::error::clip(other)
                ),
            ));
        }
        None => {
            return Err(ApiError::bad_request(
                "invalid-request",
                "`grant_type` is missing",
            ));
        }
    }
    let (Some(id), Some(secret)) = (form.client_id, form.client_secret) else {
        return Err(ApiError::bad_request(
            "invalid-request",
            "`client_id` and `client_secret` are required",
        ));
    };
    let client = if crate::engine::valid_id(&id) {
        app.store.client(&id).await?
    } else {
        None
    };
    let hash = client
        .as_ref()
        .map_or_else(|| decoy().to_string(), |c| c.secret_hash.clone());
    let verified = tokio::task::spawn_blocking(move || verify_secret(&secret, &hash))
        .await
        .map_err(ApiError::internal)?;
    let client = match client {
        Some(c) if verified => c,
        _ => return Err(invalid_client()),
    };
    let iat = now();
    let ttl = app.token_ttl.as_secs().max(1);
    let claims = Claims {
        iss: crate::auth::ISSUER.to_string(),
        sub: id,
        org: client.organization,
        act: client.actor,
        iat,
        exp: iat.saturating_add(ttl),
        jti: hex(&random::<16>().map_err(ApiError::internal)?),
    };
    let access_token = app.tokens.issue(&claims).map_err(ApiError::internal)?;
    Ok(Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl,
        "refresh_token": null,
        "id_token": null,
    })))
}
