//! scimcheck: a SCIM 2.0 conformance suite and reference server.
//!
//! # Map of the crate
//!
//! Pure core (no IO, not async, no hyper):
//! - [`error`]: the one error type, [`error::ScimError`], in RFC 7644's vocabulary.
//! - [`schema`]: attribute characteristics, the embedded schema data, resource types, and the
//!   JSON Schema generator behind `cargo xtask schemas`.
//! - [`model`]: client JSON → canonical attributes ([`model::normalize`]), stored record →
//!   response JSON ([`model::render`]), `attributes`/`excludedAttributes` ([`model::Projection`]).
//! - [`store`]: the storage contract ([`store::Store`]) and the in-memory store.
//! - [`api`]: the SCIM protocol as functions from a request to a response: routing, auth,
//!   discovery and the resource endpoints.
//!
//! Edges:
//! - [`server`]: hyper; sockets in, [`api::Request`] → [`api::Response`] out. The only module
//!   that knows hyper's server API.
//! - [`suite`]: the cucumber conformance suite; talks to any server over HTTP only.
//!
//! The binary (`src/main.rs`) is the command line: `scimcheck serve` and `scimcheck check`.

pub mod api;
pub mod clock;
pub mod error;
pub mod filter;
pub mod model;
pub mod patch;
pub mod schema;
pub mod server;
pub mod store;
pub mod suite;

use std::sync::Arc;

/// Builds the reference server's API with an in-memory store and one accepted token.
pub fn reference_api(token: &str, config: api::Config) -> Arc<api::Api> {
    Arc::new(api::Api {
        registry: schema::Registry::embedded(),
        store: Arc::new(store::MemoryStore::new()),
        auth: api::auth::Auth::with_token(token),
        config,
        cursors: api::cursor::CursorKey::random(3600),
    })
}
