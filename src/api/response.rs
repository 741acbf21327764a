//! A response independent of the HTTP library, and the one place a [`ScimError`] becomes one.

use crate::error::ScimError;
use serde_json::Value;

/// The media type of every SCIM response body (RFC 7644 §3.1).
pub const SCIM_JSON: &str = "application/scim+json";

/// Status, extra headers and an optional JSON body (sent as `application/scim+json`).
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Value>,
}

impl Response {
    pub fn json(status: u16, body: Value) -> Response {
        Response { status, headers: Vec::new(), body: Some(body) }
    }
    pub fn empty(status: u16) -> Response {
        Response { status, headers: Vec::new(), body: None }
    }
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    /// The SCIM error response for an error: Error body, string status, and the headers some
    /// statuses require (`WWW-Authenticate` on 401, `Allow` on 405).
    pub fn error(e: &ScimError) -> Response {
        let mut r = Response::json(e.status, e.to_json());
        if e.status == 401 {
            r = r.with_header("www-authenticate", "Bearer realm=\"scimcheck\"");
        }
        if e.status == 405
            && let Some((_, allowed)) = e.detail.split_once("allowed: ")
        {
            r = r.with_header("allow", allowed.to_owned());
        }
        r
    }

    /// The body serialised (empty for bodiless responses).
    pub fn body_bytes(&self) -> Vec<u8> {
        self.body.as_ref().map(|b| serde_json::to_vec(b).unwrap_or_default()).unwrap_or_default()
    }
}
