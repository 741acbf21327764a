//! Data-driven filter parser tests: every file in `tests/data/filter/ok/` parses (snapshot of
//! the canonical print and the AST), every file in `err/` fails (snapshot of the error).
//! `lenient_*` cases must also fail in strict mode. Plus a property test: random ASTs print and
//! parse back to themselves.

use crate::support::Rng;
use scimcheck::filter::{AttrPath, CompValue, CompareOp, Filter, Limits, Text, parse, parse_with};
use std::path::Path;

fn cases(dir: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/filter").join(dir);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&root)
        .expect("case directory")
        .map(|e| e.expect("entry").path())
        .map(|p| {
            let name = p.file_stem().expect("file name").to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).expect("case file");
            (name, text.strip_suffix('\n').unwrap_or(&text).to_owned())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no cases in {}", root.display());
    out
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../../snapshots/filter");
    s.set_prepend_module_to_snapshot(false);
    s
}

#[test]
fn ok_cases_parse_print_and_reparse() {
    for (name, input) in cases("ok") {
        let ast = parse(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
        let printed = ast.to_string();
        assert_eq!(parse(&printed).unwrap(), ast, "{name}: canonical form {printed} does not reparse");
        if name.starts_with("lenient_") {
            let strict = parse_with(&input, Limits { lenient: false, ..Limits::default() });
            assert!(strict.is_err(), "{name} must be rejected in strict mode");
        }
        settings().bind(|| {
            insta::assert_snapshot!(format!("ok_{name}"), format!("{input}\n---\n{printed}\n---\n{ast:#?}"));
        });
    }
}

#[test]
fn err_cases_fail_with_invalid_filter() {
    for (name, input) in cases("err") {
        let e = parse(&input).expect_err(&name);
        assert_eq!((e.status, e.scim_type.map(|t| t.as_str())), (400, Some("invalidFilter")), "{name}");
        settings().bind(|| insta::assert_snapshot!(format!("err_{name}"), format!("{input}\n---\n{}", e.detail)));
    }
}

#[test]
fn deep_and_long_input_is_rejected_without_overflow() {
    let deep = format!("{}a pr{}", "(".repeat(100_000), ")".repeat(100_000));
    assert_eq!(parse(&deep).unwrap_err().scim_type.map(|t| t.as_str()), Some("invalidFilter"));
    let unlimited = Limits { max_len: usize::MAX, ..Limits::default() };
    let e = parse_with(&deep, unlimited).unwrap_err();
    assert!(e.detail.contains("nesting"), "{}", e.detail);
    let nots = "not (".repeat(50_000);
    assert!(parse_with(&nots, unlimited).is_err());
    let long_chain = vec!["a pr"; 1500].join(" and ");
    assert!(parse(&long_chain).is_ok(), "a long flat chain within the length budget parses");
}

fn path(r: &mut Rng, in_value: bool) -> AttrPath {
    let attr: Text = r.pick(&["userName", "title", "emails", "name", "x-y_z9", "$ref"]).into();
    if in_value {
        return AttrPath { urn: None, attr, sub: None };
    }
    let urn = r.pick(&[None, None, Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")]).map(Text::from);
    let sub = r.pick(&[None, Some("value"), Some("givenName")]).map(Text::from);
    AttrPath { urn, attr, sub }
}

fn value(r: &mut Rng) -> CompValue {
    match r.next() % 5 {
        0 => CompValue::Null,
        1 => CompValue::Bool(r.next().is_multiple_of(2)),
        2 => CompValue::Number(serde_json::Number::from((r.next() % 2000) as i64 - 1000)),
        3 => CompValue::Number(serde_json::Number::from_f64(((r.next() % 10_000) as f64) / 8.0 + 0.5).unwrap()),
        _ => CompValue::Str(r.pick(&["", "a b", "quote\"slash\\", "é😀", "\u{1}ctl", "tab\t"]).into()),
    }
}

fn filter(r: &mut Rng, depth: u32, in_value: bool) -> Filter {
    let leaf = depth == 0 || r.next().is_multiple_of(3);
    if leaf {
        return match r.next() % 3 {
            0 => Filter::Present(path(r, in_value)),
            _ => {
                let op = r.pick(&[
                    CompareOp::Eq,
                    CompareOp::Ne,
                    CompareOp::Co,
                    CompareOp::Sw,
                    CompareOp::Ew,
                    CompareOp::Gt,
                    CompareOp::Lt,
                    CompareOp::Ge,
                    CompareOp::Le,
                ]);
                Filter::Compare(path(r, in_value), op, value(r))
            }
        };
    }
    match r.next() % 4 {
        0 => Filter::Not(Box::new(filter(r, depth - 1, in_value))),
        1 => Filter::And(Box::new(filter(r, depth - 1, in_value)), Box::new(filter(r, depth - 1, in_value))),
        2 => Filter::Or(Box::new(filter(r, depth - 1, in_value)), Box::new(filter(r, depth - 1, in_value))),
        _ if !in_value => {
            let base = AttrPath { urn: None, attr: "emails".into(), sub: None };
            Filter::ValuePath(base, Box::new(filter(r, depth - 1, true)))
        }
        _ => Filter::Present(path(r, true)),
    }
}

#[test]
fn property_print_then_parse_is_identity() {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..5000 {
        let f = filter(&mut r, 5, false);
        let text = f.to_string();
        let strict = Limits { lenient: false, ..Limits::default() };
        assert_eq!(parse_with(&text, strict).unwrap_or_else(|e| panic!("{text}: {e}")), f, "{text}");
    }
}
