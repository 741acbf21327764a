//! Bearer credentials: reading them from a request, making them, and keeping only hashes.
//!
//! Tokens are random (256 bits), shown once, and kept only as SHA-256 hashes; a presented token
//! is hashed and compared in constant time ([`matches`]). Which token may do what is decided
//! by the tenant (`tenant::Tenant::authenticate_scim`).

use super::Request;
use crate::error::{Result, ScimError};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The token of an `Authorization: Bearer <token>` header; 401 when absent or malformed.
pub fn bearer(req: &Request) -> Result<&str> {
    let Some(header) = req.header("authorization") else {
        return Err(ScimError::unauthorized("authentication required: send 'Authorization: Bearer <token>'"));
    };
    match header.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") && !t.trim().is_empty() => Ok(t.trim()),
        _ => Err(ScimError::unauthorized("the Authorization header must be 'Bearer <token>'")),
    }
}

/// SHA-256 of a token.
pub fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Whether a stored hash is the hash of a presented token's hash, in constant time.
pub fn matches(stored: &[u8; 32], presented: &[u8; 32]) -> bool {
    bool::from(stored.ct_eq(presented))
}

/// A new random token: `prefix_` and 64 hex digits (256 bits from the OS generator).
pub fn generate_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random generator is available");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}_{hex}")
}

/// A short random identifier (for keys, service users, tenants' records).
pub fn generate_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Method;

    fn req(auth: Option<&str>) -> Request {
        let mut r = Request::new(Method::Get, "/scim/v2/Users");
        if let Some(a) = auth {
            r.headers.push(("authorization".into(), a.into()));
        }
        r
    }

    #[test]
    fn bearer_tokens() {
        let t = generate_token("scim");
        assert_eq!(t.len(), 69);
        assert_ne!(t, generate_token("scim"));
        assert_eq!(bearer(&req(Some(&format!("Bearer {t}")))).unwrap(), t);
        assert_eq!(bearer(&req(Some(&format!("bearer {t}")))).unwrap(), t);
        assert_eq!(bearer(&req(None)).unwrap_err().status, 401);
        assert_eq!(bearer(&req(Some("non-token"))).unwrap_err().status, 401);
        assert!(matches(&hash(&t), &hash(&t)));
        assert!(!matches(&hash(&t), &hash("other")));
    }
}
