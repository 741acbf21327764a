//! A tenant's push event stream (RFC 8935): where its security events are delivered, and how
//! delivery goes. `PUT /admin/v1/event-stream` sets the receiver's URL (and the
//! `Authorization` header to send it), `GET` shows it with the delivery status, `DELETE`
//! stops pushing (the events stay readable at the poll endpoint).
//!
//! The delivery itself is IO and lives in `server::push`; this module is the configuration
//! and the status both sides share.

use super::{Method, Request, Response};
use crate::error::{Result, ScimError};
use crate::tenant::Tenant;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Where a tenant's events go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventStream {
    /// The receiver's endpoint (http or https).
    pub endpoint_url: String,
    /// Sent as the `Authorization` header of every delivery, when set. It is a credential of
    /// the receiver's, kept as given (it must be sent, so it cannot be hashed) and never shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_header: Option<String>,
    /// The issuer of the events: the tenant's SCIM base URL.
    pub iss: String,
}

/// How delivery goes, in memory.
#[derive(Debug, Default, Clone)]
pub struct PushStatus {
    /// Events the receiver accepted (2xx).
    pub delivered: u64,
    /// Events the receiver refused for good (400, RFC 8935 §2.3); not sent again.
    pub rejected: u64,
    /// Failed attempts in a row (connection errors, other statuses); 0 after a success.
    pub failures: u32,
    pub last_error: Option<String>,
    /// No attempt before this instant (the back-off after a failure).
    pub not_before: Option<Instant>,
}

impl PushStatus {
    /// The wait after `failures` failures in a row: 100 ms doubling, at most 25.6 s.
    pub fn backoff(failures: u32) -> Duration {
        Duration::from_millis(100 << failures.clamp(1, 9).saturating_sub(1))
    }

    /// Records a failed attempt and when to try again.
    pub fn failed(&mut self, why: String) {
        self.failures = self.failures.saturating_add(1);
        self.last_error = Some(why);
        self.not_before = Some(Instant::now() + Self::backoff(self.failures));
    }
}

/// `/admin/v1/event-stream`: `origin` is `scheme://host[/t/name]` as the client reached us.
pub fn handle(t: &Tenant, req: &Request, origin: &str) -> Result<Response> {
    match req.method {
        Method::Get => {
            let stream = t.state().stream.clone();
            let s = t.push.lock().unwrap_or_else(|p| p.into_inner()).clone();
            let config = stream.map(|c| {
                json!({"endpoint_url": c.endpoint_url, "authorization_header": c.authorization_header.map(|_| "(set)"), "iss": c.iss})
            });
            Ok(Response::json(
                200,
                json!({
                    "stream": config,
                    "delivered": s.delivered, "rejected": s.rejected,
                    "failures_in_a_row": s.failures, "last_error": s.last_error,
                }),
            ))
        }
        Method::Put => {
            let body = req.json()?;
            let url = body["endpoint_url"].as_str().unwrap_or("");
            let parsed = url::Url::parse(url).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
            if parsed.is_none() {
                return Err(ScimError::invalid_value(format!(
                    "endpoint_url must be an http(s) URL of the event receiver, got {}",
                    body["endpoint_url"]
                )));
            }
            let authorization_header = match &body["authorization_header"] {
                Value::Null => None,
                Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
                other => {
                    return Err(ScimError::invalid_value(format!(
                        "authorization_header must be a non-empty string when given, got {other}"
                    )));
                }
            };
            let stream =
                EventStream { endpoint_url: url.to_owned(), authorization_header, iss: format!("{origin}/scim/v2") };
            t.state_mut().stream = Some(stream.clone());
            t.persist()?;
            *t.push.lock().unwrap_or_else(|p| p.into_inner()) = PushStatus::default();
            t.api.audit("admin", "event_stream.update", "EventStream", &t.name, None, Some(json!(stream.endpoint_url)));
            Ok(Response::json(200, json!({"endpoint_url": stream.endpoint_url, "iss": stream.iss})))
        }
        Method::Delete => {
            t.state_mut().stream = None;
            t.persist()?;
            t.api.audit("admin", "event_stream.delete", "EventStream", &t.name, None, None);
            Ok(Response::empty(204))
        }
        m => Err(ScimError::new(405, None, format!("{} is not allowed on /event-stream", m.as_str()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_100_ms_to_at_most_25_6_s() {
        let waits: Vec<u128> = [1, 2, 3, 9, 20].iter().map(|f| PushStatus::backoff(*f).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 25_600, 25_600]);
        let mut s = PushStatus::default();
        s.failed("refused".into());
        s.failed("refused".into());
        assert_eq!((s.failures, s.last_error.as_deref()), (2, Some("refused")));
        assert!(s.not_before.is_some_and(|t| t > Instant::now()));
    }
}
