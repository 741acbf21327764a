//! A response independent of the HTTP library, and the one place a [`ScimError`] becomes one.

use crate::error::ScimError;
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// The media type of every SCIM response body (RFC 7644 §3.1).
pub const SCIM_JSON: &str = "application/scim+json";

/// Status, extra headers and an optional JSON body (sent as `application/scim+json`).
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Body>,
}

/// A JSON body: a value, or JSON already written (resources rendered straight from their stored
/// records, [`crate::model::render::Rendered`], so that a read copies no stored value). Both
/// read as a value; editing a written body parses it first, which only the variants and the
/// fault shim do.
#[derive(Debug, Clone)]
pub enum Body {
    Value(Value),
    Written(Box<RawValue>),
}

impl Body {
    /// The body as a value (parsed, when it was written).
    pub fn value(&self) -> Cow<'_, Value> {
        match self {
            Body::Value(v) => Cow::Borrowed(v),
            Body::Written(raw) => Cow::Owned(serde_json::from_str(raw.get()).unwrap_or(Value::Null)),
        }
    }

    /// The body as a value, owned.
    pub fn into_value(self) -> Value {
        match self {
            Body::Value(v) => v,
            Body::Written(raw) => serde_json::from_str(raw.get()).unwrap_or(Value::Null),
        }
    }

    /// The body as a value to edit (parsed once, when it was written).
    pub fn value_mut(&mut self) -> &mut Value {
        if let Body::Written(_) = self {
            *self = Body::Value(std::mem::replace(self, Body::Value(Value::Null)).into_value());
        }
        match self {
            Body::Value(v) => v,
            Body::Written(_) => unreachable!("a written body was just parsed"),
        }
    }
}

impl From<Value> for Body {
    fn from(v: Value) -> Body {
        Body::Value(v)
    }
}

impl PartialEq for Body {
    fn eq(&self, other: &Body) -> bool {
        self.value() == other.value()
    }
}

impl Response {
    pub fn json(status: u16, body: Value) -> Response {
        Response { status, headers: Vec::new(), body: Some(Body::Value(body)) }
    }
    /// A response whose body was written already.
    pub fn written(status: u16, body: Box<RawValue>) -> Response {
        Response { status, headers: Vec::new(), body: Some(Body::Written(body)) }
    }
    /// The body as a value, if there is one.
    pub fn value(&self) -> Option<Cow<'_, Value>> {
        self.body.as_ref().map(Body::value)
    }
    /// The body as a value to edit, if there is one.
    pub fn value_mut(&mut self) -> Option<&mut Value> {
        self.body.as_mut().map(Body::value_mut)
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
        match &self.body {
            None => Vec::new(),
            Some(Body::Value(v)) => serde_json::to_vec(v).unwrap_or_default(),
            Some(Body::Written(raw)) => raw.get().as_bytes().to_vec(),
        }
    }
}
