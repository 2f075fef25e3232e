//! Console session cookies: a random token in an `HttpOnly`, `SameSite=Strict` cookie, of
//! which the server keeps only the SHA-256.

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "rolegate_session";
/// The header a cookie-authenticated state-changing request must carry the session's CSRF
/// token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A session token: 32 random bytes as hex.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the token.
        f.write_str("SessionToken(…)")
    }
}

impl SessionToken {
    /// A fresh random token.
    pub fn generate() -> Result<SessionToken, getrandom::Error> {
        Ok(SessionToken(crate::clock::hex(
            &crate::clock::random::<32>()?,
        )))
    }

    /// The token a `Cookie` header carries, if it carries a well-formed one.
    pub fn from_cookie_header(header: &str) -> Option<SessionToken> {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == SESSION_COOKIE)
            .map(|(_, value)| value.trim())
            .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(|v| SessionToken(v.to_string()))
    }

    /// What the database keeps: the token's SHA-256, as hex.
    pub fn hash(&self) -> String {
        crate::clock::sha256_hex(self.0.as_bytes())
    }

    /// The `Set-Cookie` value that hands this token to the browser for `max_age` seconds.
    pub fn set_cookie(&self, max_age: u64, secure: bool) -> String {
        format!(
            "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
            self.0,
            if secure { "; Secure" } else { "" }
        )
    }
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_well_formed_session_cookie_is_taken() {
        let t = SessionToken::generate().unwrap();
        let header = format!("theme=dark; {SESSION_COOKIE}={}; other=1", t.0);
        assert_eq!(SessionToken::from_cookie_header(&header), Some(t.clone()));
        assert_eq!(SessionToken::from_cookie_header("theme=dark"), None);
        assert_eq!(
            SessionToken::from_cookie_header(&format!("{SESSION_COOKIE}=short")),
            None
        );
        assert_eq!(
            SessionToken::from_cookie_header(&format!("{SESSION_COOKIE}={}", "z".repeat(64))),
            None
        );
        // The cookie is never readable by scripts and never sent cross-site.
        let cookie = t.set_cookie(60, false);
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        assert!(!cookie.contains("Secure"));
        assert!(t.set_cookie(60, true).ends_with("; Secure"));
        assert_ne!(t.hash(), t.0);
    }
}
