//! The one integration-test binary: generated files, snapshots of responses, server behaviour
//! over a real socket.

mod access;
mod admin_docs;
mod cli;
mod durability;
mod faults;
mod filter_cases;
mod filter_eval;
mod limits;
mod load;
mod patch_cases;
mod push;
mod reports;
mod requirements;
mod robustness;
mod schemas_fresh;
mod server;
mod snapshots;
mod store_contract;
mod support;
mod tls;
