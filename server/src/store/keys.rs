//! The server's own keys, created on first start and kept in the database so every server
//! process on one database signs with the same key.

use sqlx::Row;

use super::{Store, StoreError, to_i64};

/// A stored key.
#[derive(Clone)]
pub struct KeyPair {
    /// The key id.
    pub key_id: String,
    /// The secret.
    pub secret: Vec<u8>,
    /// The public half (empty for symmetric keys).
    pub public: Vec<u8>,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// The key in `slot`, inserting `fresh` if there is none yet. Several processes may
    /// race here: the first insert wins and everyone reads it back.
    pub async fn key(&self, slot: &str, fresh: KeyPair) -> Result<KeyPair, StoreError> {
        sqlx::query(
            "INSERT INTO signing_keys (slot, key_id, secret, public, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (slot) DO NOTHING",
        )
        .bind(slot)
        .bind(&fresh.key_id)
        .bind(fresh.secret.clone())
        .bind(fresh.public.clone())
        .bind(to_i64(crate::clock::now())?)
        .execute(self.pool())
        .await?;
        let row = sqlx::query("SELECT key_id, secret, public FROM signing_keys WHERE slot = $1")
            .bind(slot)
            .fetch_one(self.pool())
            .await?;
        Ok(KeyPair {
            key_id: row.try_get("key_id")?,
            secret: row.try_get("secret")?,
            public: row.try_get("public")?,
        })
    }
}
