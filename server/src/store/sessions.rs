//! Console sign-in: per-user passwords (argon2id) and sessions (only the token's SHA-256 is
//! stored).

use sqlx::Row;

use super::{Store, StoreError, to_i64, to_u64};
use crate::auth::SessionToken;

/// A signed-in console user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The organization.
    pub organization: String,
    /// The user.
    pub user: String,
    /// The token that must accompany state-changing requests.
    pub csrf: String,
    /// When it ends (Unix seconds).
    pub expires_at: u64,
}

/// A user who may sign in with a password: where, and the stored hash.
#[derive(Debug, Clone)]
pub struct PasswordRow {
    /// The organization.
    pub organization: String,
    /// The user.
    pub user: String,
    /// The argon2 PHC string.
    pub hash: String,
}

impl Store {
    /// Sets (or replaces) `user`'s password hash in `org`.
    pub async fn set_password(&self, org: &str, user: &str, hash: &str) -> Result<(), StoreError> {
        let now = to_i64(crate::clock::now())?;
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM passwords WHERE organization = $1 AND user_id = $2")
            .bind(org)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO passwords (organization, user_id, hash, updated_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(org)
        .bind(user)
        .bind(hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // A new password signs the user out everywhere.
        sqlx::query("DELETE FROM sessions WHERE organization = $1 AND user_id = $2")
            .bind(org)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every user with this email who has a password, across organizations.
    pub async fn passwords_for_email(&self, email: &str) -> Result<Vec<PasswordRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.organization, p.user_id, p.hash FROM passwords p \
             JOIN users u ON u.organization = p.organization AND u.id = p.user_id \
             WHERE u.email = $1 ORDER BY p.organization, p.user_id",
        )
        .bind(email)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PasswordRow {
                    organization: r.try_get("organization")?,
                    user: r.try_get("user_id")?,
                    hash: r.try_get("hash")?,
                })
            })
            .collect()
    }

    /// Starts a session for `user` of `org` lasting `ttl_secs`; returns the cookie's token
    /// and the session.
    pub async fn create_session(
        &self,
        org: &str,
        user: &str,
        ttl_secs: u64,
    ) -> Result<(SessionToken, Session), StoreError> {
        let token = SessionToken::generate().map_err(StoreError::Random)?;
        let csrf = crate::clock::hex(&crate::clock::random::<16>().map_err(StoreError::Random)?);
        let now = crate::clock::now();
        let expires_at = now.saturating_add(ttl_secs);
        // Expired sessions go as new ones come, so the table holds only live ones.
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(to_i64(now)?)
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, organization, user_id, csrf, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token.hash())
        .bind(org)
        .bind(user)
        .bind(&csrf)
        .bind(to_i64(now)?)
        .bind(to_i64(expires_at)?)
        .execute(self.pool())
        .await?;
        let session = Session {
            organization: org.to_string(),
            user: user.to_string(),
            csrf,
            expires_at,
        };
        Ok((token, session))
    }

    /// The live session a cookie's token opens, if any.
    pub async fn session(&self, token: &SessionToken) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(
            "SELECT organization, user_id, csrf, expires_at FROM sessions \
             WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token.hash())
        .bind(to_i64(crate::clock::now())?)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(Session {
                organization: r.try_get("organization")?,
                user: r.try_get("user_id")?,
                csrf: r.try_get("csrf")?,
                expires_at: to_u64(r.try_get("expires_at")?)?,
            })
        })
        .transpose()
    }

    /// Ends the session a token opens (nothing if there is none).
    pub async fn end_session(&self, token: &SessionToken) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token.hash())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
