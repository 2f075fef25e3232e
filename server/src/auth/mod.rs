//! Authentication: OAuth 2.0 client credentials, argon2-hashed client secrets, and HS256
//! access tokens (JWTs) that name the client, its organization and the user it acts as.

mod secret;
mod token;

pub use secret::{hash_secret, verify_secret};
pub use token::{Claims, ISSUER, TokenError, TokenKeys};
