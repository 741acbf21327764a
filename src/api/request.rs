//! A parsed HTTP request, independent of the HTTP library.

use crate::error::{Result, ScimError};
use serde_json::Value;

/// The methods SCIM uses; anything else is [`Method::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Other,
}

impl Method {
    pub fn parse(s: &str) -> Method {
        match s {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            _ => Method::Other,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Other => "this method",
        }
    }
}

/// One request: method, path, decoded query, headers (names lower-case) and body bytes.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The absolute base URL of the SCIM API as the client reached it, e.g. `http://h:1/scim/v2`.
    pub base_url: String,
    /// Who is making the request (the authenticated service user), for the audit log.
    pub actor: String,
}

impl Request {
    /// Builds a request from a path with an optional raw query string (`+` and `%20` both decode
    /// to a space).
    pub fn new(method: Method, path_and_query: &str) -> Request {
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        Request {
            method,
            path: path.to_owned(),
            query: form_urlencoded::parse(query.as_bytes()).into_owned().collect(),
            headers: Vec::new(),
            body: Vec::new(),
            base_url: String::new(),
            actor: String::new(),
        }
    }

    /// A header by (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// A query parameter by name, case-insensitively.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// An integer query parameter; 400 `invalidValue` when present but not an integer.
    pub fn int_param(&self, name: &str) -> Result<Option<i64>> {
        match self.param(name) {
            None => Ok(None),
            Some(s) if s.trim().is_empty() => Ok(None),
            Some(s) => s.trim().parse::<i64>().map(Some).map_err(|_| {
                ScimError::invalid_value(format!("query parameter '{name}' must be an integer, got '{s}'"))
            }),
        }
    }

    /// The body as JSON. Checks the media type (`application/scim+json` or `application/json`,
    /// any parameters; absent is accepted) and reports malformed JSON as 400 `invalidSyntax`.
    pub fn json(&self) -> Result<Value> {
        if let Some(ct) = self.header("content-type") {
            let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            if essence != "application/scim+json" && essence != "application/json" {
                return Err(ScimError::unsupported_media_type(format!(
                    "Content-Type '{ct}' is not supported; send application/scim+json or application/json"
                )));
            }
        }
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(ScimError::invalid_syntax("the request body is empty; a JSON object is required"));
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| ScimError::invalid_syntax(format!("the request body is not valid JSON: {e}")))
    }
}
