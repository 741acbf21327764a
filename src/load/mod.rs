//! `scimcheck load`: will a SCIM server hold up when an IdP syncs tens of thousands of users?
//! Bounded phases of IdP-shaped traffic against any server, each with a figure and a verdict
//! against a stated threshold; and the generator `scimcheck bench` measures the reference
//! server with.

pub mod driver;
