//! The committed JSON Schemas in `schemas/json/` are what `cargo xtask schemas` generates.

use scimcheck::schema::{Registry, json_schema};
use std::path::Path;

#[test]
fn generated_json_schemas_are_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/json");
    for (name, doc) in json_schema::generate(&Registry::embedded()) {
        let have = std::fs::read_to_string(dir.join(&name)).unwrap_or_default();
        assert!(have == json_schema::to_file_contents(&doc), "schemas/json/{name} is stale: run `cargo xtask schemas`");
    }
}

#[test]
fn every_generated_schema_compiles_under_draft_2020_12() {
    for (name, doc) in json_schema::generate(&Registry::embedded()) {
        let v = jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&doc);
        assert!(v.is_ok(), "{name}: {:?}", v.err());
    }
}
