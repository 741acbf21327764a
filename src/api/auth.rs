//! Bearer-token authentication for the SCIM API.
//!
//! Tokens are random (256 bits), shown once, and kept only as SHA-256 hashes; a presented token
//! is hashed and compared in constant time. A request without a valid token gets 401 with
//! `WWW-Authenticate: Bearer`.

use super::Request;
use crate::error::{Result, ScimError};
use sha2::{Digest, Sha256};
use std::sync::{Arc, RwLock};
use subtle::ConstantTimeEq;

/// The set of accepted token hashes.
#[derive(Debug, Clone, Default)]
pub struct Auth {
    hashes: Arc<RwLock<Vec<[u8; 32]>>>,
}

impl Auth {
    /// An `Auth` that accepts exactly this token.
    pub fn with_token(token: &str) -> Auth {
        let auth = Auth::default();
        auth.add(token);
        auth
    }

    /// Accepts one more token.
    pub fn add(&self, token: &str) {
        if let Ok(mut h) = self.hashes.write() {
            h.push(hash(token));
        }
    }

    /// Checks the request's `Authorization: Bearer` header.
    pub fn check(&self, req: &Request) -> Result<()> {
        let Some(header) = req.header("authorization") else {
            return Err(ScimError::unauthorized("authentication required: send 'Authorization: Bearer <token>'"));
        };
        let token = match header.split_once(' ') {
            Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") && !t.trim().is_empty() => t.trim(),
            _ => return Err(ScimError::unauthorized("the Authorization header must be 'Bearer <token>'")),
        };
        let presented = hash(token);
        let hashes = self.hashes.read().map_err(|_| ScimError::internal("auth lock poisoned"))?;
        let mut ok = subtle::Choice::from(0);
        for h in hashes.iter() {
            ok |= h.ct_eq(&presented);
        }
        if bool::from(ok) { Ok(()) } else { Err(ScimError::unauthorized("the bearer token is not valid")) }
    }
}

/// SHA-256 of a token.
pub fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A new random token: `scim_` and 64 hex digits (256 bits from the OS generator).
pub fn generate_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random generator is available");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("scim_{hex}")
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
        let t = generate_token();
        assert_eq!(t.len(), 69);
        let auth = Auth::with_token(&t);
        assert!(auth.check(&req(Some(&format!("Bearer {t}")))).is_ok());
        assert!(auth.check(&req(Some(&format!("bearer {t}")))).is_ok());
        assert_eq!(auth.check(&req(None)).unwrap_err().status, 401);
        assert_eq!(auth.check(&req(Some("non-token"))).unwrap_err().status, 401);
        assert_eq!(auth.check(&req(Some("Bearer wrong"))).unwrap_err().status, 401);
    }
}
