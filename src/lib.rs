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
//! - [`filter`]: the filter grammar (nom), its AST, printer, evaluator and sorting.
//! - [`patch`]: the PATCH engine, including group membership deltas.
//! - [`product`]: the modelled product's settings, roles, access computation and user rules.
//! - [`api`]: the SCIM protocol of one tenant as functions from a request to a response:
//!   routing, discovery, the resource endpoints, search, bulk; and the admin API.
//! - [`tenant`] and [`app`]: tenants (keys, settings, mappings) and the routing in front of
//!   them (tenant selection, rate limit, authentication, the SCIM switch). [`audit`] logs changes.
//! - [`faults`]: the reference server breaking one behaviour on purpose (`serve --fault`), a
//!   shim in front of the correct server, to test the suite.
//! - [`variants`]: the reference server as a stricter or smaller but conformant server
//!   (`serve --variant`), the same kind of shim, to hold the suite to 0 failures on it.
//!
//! Edges:
//! - [`server`]: hyper; sockets in, [`api::Request`] → [`api::Response`] out. The only module
//!   that knows hyper's server API.
//! - [`suite`]: the cucumber conformance suite; talks to any server over HTTP only.
//!
//! The binary (`src/main.rs`) is the command line: `scimcheck serve` and `scimcheck check`.

pub mod api;
pub mod app;
pub mod audit;
pub mod clock;
pub mod error;
pub mod faults;
pub mod filter;
pub mod load;
pub mod model;
pub mod patch;
pub mod product;
pub mod schema;
pub mod server;
pub mod store;
pub mod suite;
pub mod tenant;
pub mod variants;
