//! Authentication: OAuth 2.0 client credentials, argon2-hashed client secrets and
//! passwords, HS256 access tokens (JWTs) that name the client, its organization and the user
//! it acts as, and the console's session cookies.

mod secret;
mod session;
mod token;

pub use secret::{hash_secret, verify_secret};
pub use session::{CSRF_HEADER, SESSION_COOKIE, SessionToken, clear_cookie};
pub use token::{Claims, ISSUER, TokenError, TokenKeys};
