//! Step definitions. They are generic wherever they can be: send a request, check the status,
//! check a value at a JSON path. Scenario-specific knowledge lives in the feature files.

pub mod admin;
pub mod assert;
pub mod checks;
pub mod events;
pub mod fixtures;
pub mod http;
pub mod profiles;
