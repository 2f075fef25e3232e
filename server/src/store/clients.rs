//! OAuth clients: `OQ…` ids with argon2-hashed secrets, each acting in one organization as
//! one of its users.

use sqlx::Row;

use super::{Store, StoreError, to_i64};
use crate::clock::{hex, random};

/// A new client's credentials. The secret is shown once; only its hash is stored.
#[derive(Clone, serde::Serialize)]
pub struct ClientCredentials {
    /// `OQ` and 32 hex digits.
    pub client_id: String,
    /// 64 hex digits.
    pub client_secret: String,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// A stored client.
#[derive(Debug, Clone)]
pub struct StoredClient {
    /// Its organization.
    pub organization: String,
    /// The user it acts as.
    pub actor: String,
    /// The argon2 PHC hash of its secret.
    pub secret_hash: String,
}

/// Why a client could not be created.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The acting user is not in the organization.
    #[error("user `{user}` is not in organization `{organization}`")]
    UnknownActor {
        /// The organization.
        organization: String,
        /// The user.
        user: String,
    },
    /// The secret could not be hashed.
    #[error("the client secret could not be hashed: {0}")]
    Hash(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Creates an OAuth client of `org` acting as `actor` (a user of the organization).
    pub async fn create_client(
        &self,
        org: &str,
        actor: &str,
        name: &str,
    ) -> Result<ClientCredentials, ClientError> {
        let state = self.current(org).await?;
        if !state.policy.users.iter().any(|u| u.id == actor) {
            return Err(ClientError::UnknownActor {
                organization: org.to_string(),
                user: actor.to_string(),
            });
        }
        let id = format!("OQ{}", hex(&random::<16>().map_err(StoreError::Random)?));
        let secret = hex(&random::<32>().map_err(StoreError::Random)?);
        let secret_hash = {
            let secret = secret.clone();
            tokio::task::spawn_blocking(move || crate::auth::hash_secret(&secret))
                .await
                .map_err(|e| ClientError::Hash(e.to_string()))?
                .map_err(|e| ClientError::Hash(e.to_string()))?
        };
        sqlx::query(
            "INSERT INTO oauth_clients (id, organization, actor, name, secret_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(org)
        .bind(actor)
        .bind(name)
        .bind(&secret_hash)
        .bind(to_i64(crate::clock::now()).map_err(ClientError::Store)?)
        .execute(self.pool())
        .await
        .map_err(StoreError::from)?;
        Ok(ClientCredentials {
            client_id: id,
            client_secret: secret,
        })
    }

    /// The client with this id, if any.
    pub async fn client(&self, id: &str) -> Result<Option<StoredClient>, StoreError> {
        let row =
            sqlx::query("SELECT organization, actor, secret_hash FROM oauth_clients WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?;
        row.map(|r| {
            Ok(StoredClient {
                organization: r.try_get("organization")?,
                actor: r.try_get("actor")?,
                secret_hash: r.try_get("secret_hash")?,
            })
        })
        .transpose()
    }
}
