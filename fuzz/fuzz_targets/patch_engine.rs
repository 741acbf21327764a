//! The PATCH engine on arbitrary JSON: `{"resource": {...}, "Operations": [...]}`, applied to a
//! User and a Group. Errors must be 4xx, never a panic.
#![no_main]
use scimcheck::model::Mode;
use serde_json::Value;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(v) = serde_json::from_slice::<Value>(data) else { return };
    let Some(resource) = v.get("resource").and_then(Value::as_object) else { return };
    let reg = scimcheck::schema::Registry::embedded();
    for rt in ["User", "Group"] {
        let rt = reg.resource_type(rt).expect("built in");
        for mode in [Mode::default(), Mode { strict: true }] {
            let Ok(ops) = scimcheck::patch::parse_request(&v, mode) else { continue };
            if let Err(e) = scimcheck::patch::apply(rt, "id", resource, &Vec::new, &ops, mode) {
                assert!((400..500).contains(&e.status), "{e}");
            }
        }
    }
});
