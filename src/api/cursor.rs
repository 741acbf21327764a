//! Opaque, tamper-proof cursors for RFC 9865 pagination.
//!
//! A cursor is `base64url(JSON state) "." base64url(HMAC-SHA256(key, state))`: only characters
//! RFC 3986 calls unreserved. The state holds the position to continue from (sort key and id,
//! so pages stay correct while resources come and go), the direction, a hash of the query it
//! belongs to, the page size and when it was issued. A modified cursor fails the MAC check and
//! is `invalidCursor`; an old one is `expiredCursor`.

use crate::error::{Result, ScimError, ScimType};
use crate::store::Position;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Which way a cursor continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    After,
    Before,
}

/// What a cursor remembers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CursorState {
    pub pos: Position,
    pub dir: Direction,
    /// Hash of the resource type, filter and sort the cursor was issued for.
    pub query: String,
    pub count: usize,
    /// Seconds since the Unix epoch.
    pub issued: i64,
}

/// Signs and checks cursors with a server key.
#[derive(Debug, Clone)]
pub struct CursorKey {
    key: [u8; 32],
    /// Seconds a cursor stays valid (advertised as `cursorTimeout`).
    pub timeout: i64,
}

impl CursorKey {
    pub fn new(key: [u8; 32], timeout: i64) -> CursorKey {
        CursorKey { key, timeout }
    }

    /// A key from the OS random generator.
    pub fn random(timeout: i64) -> CursorKey {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the OS random generator is available");
        CursorKey::new(key, timeout)
    }

    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key).expect("HMAC takes any key length")
    }

    pub fn encode(&self, state: &CursorState) -> String {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(state).expect("cursor state serialises"));
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        let tag = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{payload}.{tag}")
    }

    /// Checks and decodes a cursor issued for `query`.
    pub fn decode(&self, cursor: &str, query: &str, now: i64) -> Result<CursorState> {
        let invalid = || {
            ScimError::bad_request(ScimType::InvalidCursor, "the cursor is not one this server issued for this query")
        };
        let (payload, tag) = cursor.split_once('.').ok_or_else(invalid)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        mac.verify_slice(&tag).map_err(|_| invalid())?;
        let bytes = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid())?;
        let state: CursorState = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if state.query != query {
            return Err(invalid());
        }
        if now - state.issued > self.timeout {
            return Err(ScimError::bad_request(
                ScimType::ExpiredCursor,
                "the cursor has expired; start again without one",
            ));
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::sort::SortKey;

    fn state() -> CursorState {
        CursorState {
            pos: Position { key: SortKey::Str("bob".into()), id: "42".into() },
            dir: Direction::After,
            query: "q".into(),
            count: 10,
            issued: 1000,
        }
    }

    #[test]
    fn round_trip_tamper_and_expiry() {
        let k = CursorKey::new([7; 32], 60);
        let c = k.encode(&state());
        assert!(c.chars().all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch)));
        assert_eq!(k.decode(&c, "q", 1030).unwrap(), state());
        let mut tampered = c.clone().into_bytes();
        tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
        let e = k.decode(std::str::from_utf8(&tampered).unwrap(), "q", 1030).unwrap_err();
        assert_eq!(e.scim_type, Some(ScimType::InvalidCursor));
        assert_eq!(k.decode(&c, "other", 1030).unwrap_err().scim_type, Some(ScimType::InvalidCursor));
        assert_eq!(k.decode(&c, "q", 2000).unwrap_err().scim_type, Some(ScimType::ExpiredCursor));
        assert!(CursorKey::new([8; 32], 60).decode(&c, "q", 1030).is_err());
    }
}
