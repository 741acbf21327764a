//! The SCIM protocol (RFC 7644) as plain functions from a [`Request`] to a [`Response`].
//!
//! This is where routing, authentication, discovery and the resource endpoints live. It is
//! synchronous and knows nothing of hyper: `server` reads bytes off the socket, builds a
//! [`Request`], calls [`Api::handle`] and writes the [`Response`] back. Tests can call
//! [`Api::handle`] directly.

pub mod admin;
pub mod auth;
pub mod bulk;
pub mod cursor;
pub mod discovery;
pub mod events;
pub mod offer;
pub mod query;
pub mod request;
pub mod resources;
pub mod response;
pub mod roles;
pub mod stream;

pub use request::{Method, Request};
pub use response::Response;

use crate::error::{Result, ScimError};
use crate::model::Mode;
use crate::schema::Registry;
use crate::store::Store;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The SCIM base path under which the API is served.
pub const SCIM_PREFIX: &str = "/scim/v2";

/// Settings that change how the API answers.
#[derive(Debug, Clone)]
pub struct Config {
    /// Reject what the RFCs forbid even when IdPs send it (unknown attributes, string booleans).
    pub strict: bool,
    /// Largest request body accepted, advertised as `bulk.maxPayloadSize`.
    pub max_body_bytes: usize,
    /// Page size when a request names none.
    pub default_count: usize,
    /// Largest page returned, advertised as `filter.maxResults`.
    pub max_results: usize,
    /// Time a client has to send its request headers (and to finish a TLS handshake).
    pub header_timeout: std::time::Duration,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// Optional features turned off (`serve --without`).
    pub without: offer::Without,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            strict: false,
            max_body_bytes: 1 << 20,
            default_count: 100,
            max_results: 200,
            header_timeout: std::time::Duration::from_secs(10),
            max_connections: 1024,
            without: offer::Without::default(),
        }
    }
}

impl Config {
    pub fn mode(&self) -> Mode {
        Mode { strict: self.strict }
    }
}

/// The SCIM service of one tenant: schemas, storage, settings, audit log. Authentication and
/// tenant selection happen before (in `app`).
pub struct Api {
    registry: Registry,
    product_registry: Registry,
    /// Whether the product's stricter user rules apply (`user_rules: "product"`).
    pub product_rules: AtomicBool,
    pub store: Arc<dyn Store>,
    pub config: Config,
    /// Signs pagination cursors.
    pub cursors: cursor::CursorKey,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Api {
    pub fn new(store: Arc<dyn Store>, config: Config) -> Api {
        let w = config.without;
        let registry = Registry::embedded().without(w.has(offer::Feature::Groups), w.has(offer::Feature::Enterprise));
        Api {
            product_registry: crate::product::rules::product_registry(&registry),
            registry,
            product_rules: AtomicBool::new(false),
            store,
            config,
            cursors: cursor::CursorKey::random(3600),
        }
    }

    /// Records an admin change in the tenant's audit log (SCIM writes are recorded by the store,
    /// with the write). A failure to record is logged, not returned: the change itself is made.
    pub fn audit(
        &self,
        actor: &str,
        action: &str,
        resource_type: &str,
        resource_id: &str,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) {
        let event = crate::audit::Event::new(actor, action, resource_type, resource_id, before, after);
        if let Err(e) = self.store.audit(event) {
            tracing::error!(error = %e.detail, "could not store an audit event");
        }
    }

    /// The schemas in force: RFC 7643's, or with the product's user rules.
    pub fn registry(&self) -> &Registry {
        if self.product_rules.load(Ordering::Relaxed) { &self.product_registry } else { &self.registry }
    }

    /// Answers one request. Never panics on input: every failure is a SCIM error response.
    pub fn handle(&self, req: &Request) -> Response {
        if events::wants_async(req) && self.config.without.offers(offer::Feature::Async) {
            return events::accept(&*self.store, req, self.handle_now(req));
        }
        self.handle_now(req)
    }

    /// Answers one request synchronously.
    fn handle_now(&self, req: &Request) -> Response {
        let w = self.config.without;
        if w == offer::Without::default() {
            return self.route(req).unwrap_or_else(|e| Response::error(&e));
        }
        if let Some(e) = offer::refusal(req, w) {
            return Response::error(&e);
        }
        let resp = self.route(&offer::trim_request(req, w)).unwrap_or_else(|e| Response::error(&e));
        if w.has(offer::Feature::Etag) { offer::strip_versions(resp) } else { resp }
    }

    fn route(&self, req: &Request) -> Result<Response> {
        let Some(rest) = req.path.strip_prefix(SCIM_PREFIX) else {
            return Err(ScimError::not_found(format!("no such endpoint: {}", req.path)));
        };
        let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        use Method::*;
        let discovery_path =
            matches!(segments.first(), Some(&"ServiceProviderConfig") | Some(&"ResourceTypes") | Some(&"Schemas"));
        if discovery_path && req.param("filter").is_some() {
            // RFC 7644 §4: a filter here must not look as if it were applied.
            return Err(ScimError::forbidden(
                "discovery endpoints cannot be filtered; filter parameters are not applied",
            ));
        }
        match (segments.as_slice(), req.method) {
            (["ServiceProviderConfig"], Get) => Ok(discovery::service_provider_config(self, req)),
            (["ResourceTypes"], Get) => Ok(discovery::resource_types(self, req)),
            (["ResourceTypes", "Role"], Get) => Ok(Response::json(200, roles::resource_type(&req.base_url))),
            (["ResourceTypes", "Entitlement"], Get) => Ok(Response::json(200, roles::entitlement_type(&req.base_url))),
            (["ResourceTypes", id], Get) => discovery::resource_type(self, req, id),
            (["Schemas"], Get) => Ok(discovery::schemas(self, req)),
            (["Schemas", roles::ROLE_URN], Get) => Ok(Response::json(200, roles::schema(&req.base_url))),
            (["Schemas", roles::ENTITLEMENT_URN], Get) => {
                Ok(Response::json(200, roles::entitlement_schema(&req.base_url)))
            }
            (["Schemas", id], Get) => discovery::schema(self, req, id),
            (
                ["ServiceProviderConfig"] | ["ResourceTypes"] | ["ResourceTypes", _] | ["Schemas"] | ["Schemas", _],
                _,
            ) => Err(not_allowed(req, "GET")),
            (["Events"], Post) if self.config.without.offers(offer::Feature::Async) => {
                Ok(Response::json(200, events::poll(&*self.store, &req.base_url, &req.json()?)?))
            }
            (["Roles"], Get) => roles::list(req),
            (["Roles", id], Get) => roles::get(req, id),
            (["Roles"] | ["Roles", _], _) => Err(not_allowed(req, "GET")),
            (["Bulk"], Post) => bulk::bulk(self, req),
            (["Bulk"], _) => Err(not_allowed(req, "POST")),
            ([".search"], Post) => query::search_all(self, req, &query::ListParams::from_search(&req.json()?)?),
            ([".search"], _) => Err(not_allowed(req, "POST")),
            ([endpoint, ".search"], m) if self.registry().by_endpoint(endpoint).is_some() => {
                let rt = self.registry().by_endpoint(endpoint).expect("checked above");
                match m {
                    Post => query::list(self, req, rt, &query::ListParams::from_search(&req.json()?)?),
                    _ => Err(not_allowed(req, "POST")),
                }
            }
            ([endpoint], m) if self.registry().by_endpoint(endpoint).is_some() => {
                let rt = self.registry().by_endpoint(endpoint).expect("checked above");
                match m {
                    Post => resources::create(self, req, rt),
                    Get => query::list(self, req, rt, &query::ListParams::from_query(req)?),
                    _ => Err(not_allowed(req, "GET, POST")),
                }
            }
            ([endpoint, id], m) if self.registry().by_endpoint(endpoint).is_some() => {
                let rt = self.registry().by_endpoint(endpoint).expect("checked above");
                match m {
                    Get => resources::get(self, req, rt, id),
                    Put => resources::replace(self, req, rt, id),
                    Patch => resources::patch(self, req, rt, id),
                    Delete => resources::delete(self, req, rt, id),
                    _ => Err(not_allowed(req, "GET, PUT, PATCH, DELETE")),
                }
            }
            (["Me", ..], _) => Err(ScimError::new(
                501,
                None,
                "/Me is not supported: API keys belong to service users, not to a User resource",
            )),
            _ => Err(ScimError::not_found(format!("no such endpoint: {}", req.path))),
        }
    }
}

fn not_allowed(req: &Request, allowed: &str) -> ScimError {
    ScimError::method_not_allowed(format!("{} is not allowed on {}; allowed: {allowed}", req.method.as_str(), req.path))
}
