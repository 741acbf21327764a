//! Hostile input, generated: mutated filters, PATCH paths, PATCH bodies on arbitrary resources,
//! and whole requests through the router. Nothing may panic, and every answer must be a valid
//! status with a SCIM error body when it is an error. (cargo-fuzz needs a nightly toolchain,
//! which this project's machines do not have; these deterministic generators run in
//! `cargo test` instead. See the closing note of the hardening issue.)

use crate::support::Rng;
use scimcheck::api::{Method, Request};
use scimcheck::filter::{parse, parse_path};
use scimcheck::model::Mode;
use scimcheck::patch::{apply, parse_request};
use scimcheck::schema::Registry;
use serde_json::{Value, json};

const SEEDS: &[&str] = &[
    r#"userName eq "bjensen" and (emails[type eq "work" and value co "@x.com"] or not (title pr))"#,
    r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "a\"b\\c\u00e9""#,
    r#"meta.lastModified gt "2011-05-13T04:42:34Z" or x eq -1.5e3 and y ne null"#,
    r#"emails[type eq "work"].value eq "x" and not(active eq false)"#,
];
const ALPHABET: &[u8] = b"()[]\"\\. :-_$aeoqnrtwpsglcAENOT0123456789\t\n\xc3\xa9\x00";

fn mutate(r: &mut Rng, seed: &str) -> Vec<u8> {
    let mut b = seed.as_bytes().to_vec();
    for _ in 0..=r.below(6) {
        match r.below(4) {
            0 if !b.is_empty() => {
                let i = r.below(b.len());
                b.remove(i);
            }
            1 => {
                let i = r.below(b.len() + 1);
                b.insert(i, ALPHABET[r.below(ALPHABET.len())]);
            }
            2 if !b.is_empty() => {
                let i = r.below(b.len());
                b[i] = ALPHABET[r.below(ALPHABET.len())];
            }
            _ => {
                let cut = r.below(b.len() + 1);
                b.truncate(cut);
            }
        }
    }
    b
}

#[test]
fn mutated_filters_and_paths_never_panic() {
    let mut r = Rng(0x1234_5678_9abc_def1);
    let mut accepted = 0;
    for i in 0..100_000 {
        let bytes = mutate(&mut r, SEEDS[i % SEEDS.len()]);
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(f) = parse(&text) {
            accepted += 1;
            assert_eq!(parse(&f.to_string()).as_ref().ok(), Some(&f), "{text}");
        } else {
            assert_eq!(parse(&text).unwrap_err().status, 400);
        }
        let _ = parse_path(&text);
    }
    assert!(accepted > 1000, "the mutations keep some inputs valid ({accepted})");
}

fn random_value(r: &mut Rng, depth: u32) -> Value {
    match r.below(if depth == 0 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => json!(r.below(2) == 0),
        2 => json!(r.below(1000) as i64 - 500),
        3 => Value::from(["", "x", "work", "True", "u1", "2020-01-01T00:00:00Z", "bulkId:a"][r.below(7)]),
        4 => json!(1.5),
        5 => Value::Array((0..r.below(3)).map(|_| random_value(r, depth - 1)).collect()),
        _ => {
            let keys =
                ["value", "type", "primary", "display", "givenName", "emails", "members", "name", "active", "$ref"];
            Value::Object(
                (0..r.below(4)).map(|_| (keys[r.below(keys.len())].to_owned(), random_value(r, depth - 1))).collect(),
            )
        }
    }
}

#[test]
fn random_patches_on_random_resources_never_panic() {
    let reg = Registry::embedded();
    let mut r = Rng(0xfeed_beef_cafe_f00d);
    let paths = [
        None,
        Some("emails"),
        Some("emails[type eq \"work\"].value"),
        Some("name.givenName"),
        Some("members"),
        Some("members[value eq \"u1\"]"),
        Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"),
        Some("active"),
        Some("phoneNumbers[primary eq true]"),
        Some("id"),
        Some("x[y"),
    ];
    for _ in 0..20_000 {
        let rt = reg.resource_type(if r.below(2) == 0 { "User" } else { "Group" }).unwrap();
        let mut resource = json!({"userName": "u@example.com", "displayName": "G"});
        if let Value::Object(extra) = random_value(&mut r, 3) {
            for (k, v) in extra {
                resource[k] = v;
            }
        }
        let ops: Vec<Value> = (0..=r.below(3))
            .map(|_| {
                let name = ["add", "Replace", "remove", "bogus"][r.below(4)];
                let mut op = json!({ "op": name });
                if let Some(p) = paths[r.below(paths.len())] {
                    op["path"] = json!(p);
                }
                if r.below(4) > 0 {
                    op["value"] = random_value(&mut r, 3);
                }
                op
            })
            .collect();
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
        let Ok(parsed) = parse_request(&body, Mode::default()) else { continue };
        let attrs = resource.as_object().unwrap().clone();
        if let Err(e) = apply(rt, "id1", &attrs, &Vec::new, &parsed, Mode::default()) {
            assert!((400..500).contains(&e.status), "{e}");
        }
    }
}

#[test]
fn random_requests_through_the_router_never_panic() {
    let app = scimcheck::app::App::in_memory(Default::default(), "tok", "adm");
    let mut r = Rng(0xabad_1dea_0bad_f00d);
    let paths = [
        "/scim/v2/Users",
        "/scim/v2/Groups",
        "/scim/v2/Users/x",
        "/scim/v2/Bulk",
        "/scim/v2/.search",
        "/scim/v2/Users/.search",
        "/scim/v2/Schemas/x",
        "/admin/v1/settings",
        "/admin/v1/group-mappings/%FF%FE",
        "/t/../scim/v2/Users",
        "/scim/v2/Users?filter=%28%28",
        "/scim/v2/Users?count=-1&startIndex=abc",
        "/scim/v2/Users?cursor=..&count=5",
        "/healthz",
    ];
    let methods = [Method::Get, Method::Post, Method::Put, Method::Patch, Method::Delete, Method::Other];
    for _ in 0..20_000 {
        let mut req = Request::new(methods[r.below(methods.len())], paths[r.below(paths.len())]);
        let auth = if r.below(5) == 0 { "Bearer adm" } else { "Bearer tok" };
        req.headers.push(("authorization".into(), auth.into()));
        if r.below(4) == 0 {
            let ct = ["text/plain", "application/json; x=y", "application/scim+json"][r.below(3)];
            req.headers.push(("content-type".into(), ct.into()));
        }
        let body = random_value(&mut r, 4);
        req.body = if r.below(5) == 0 { vec![0xff, b'{', 0] } else { body.to_string().into_bytes() };
        let resp = app.handle(req, "http://localhost");
        assert!((200..600).contains(&resp.status));
        if resp.status >= 400 {
            let b = resp.body.as_ref().expect("errors have a body");
            assert_eq!(b["status"], resp.status.to_string());
        }
    }
}
