//! Data-driven PATCH tests: each `tests/data/patch/*.json` is
//! `{comment, resource, operations, expected | error {status, scimType}}`. The engine runs on
//! the resource (a group when it has `members` or a `displayName` and no `userName`), and the
//! result (attributes plus members) must equal `expected`, or fail with `error`.

use scimcheck::model::{Kind, Member, Mode};
use scimcheck::patch::{apply, parse_request};
use scimcheck::schema::Registry;
use scimcheck::store::MemberChange;
use serde_json::{Map, Value, json};
use std::path::Path;

fn members_of(v: &Value) -> Vec<Member> {
    v.get("members")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|m| Member {
            value: m["value"].as_str().unwrap().to_owned(),
            display: m.get("display").and_then(Value::as_str).map(str::to_owned),
            kind: Kind::User,
        })
        .collect()
}

fn member_json(ms: &[(String, Option<String>)]) -> Vec<Value> {
    let mut out: Vec<Value> = ms
        .iter()
        .map(|(v, d)| match d {
            Some(d) => json!({"value": v, "display": d}),
            None => json!({"value": v}),
        })
        .collect();
    out.sort_by(|a, b| a["value"].as_str().cmp(&b["value"].as_str()));
    out
}

fn run(case: &Value) -> Result<Value, (u16, Option<String>)> {
    let reg = Registry::embedded();
    let resource = &case["resource"];
    let is_group = resource.get("members").is_some() || resource.get("userName").is_none();
    let rt = reg.resource_type(if is_group { "Group" } else { "User" }).unwrap();
    let id = resource["id"].as_str().unwrap();
    let mut attrs: Map<String, Value> = resource.as_object().unwrap().clone();
    attrs.remove("id");
    attrs.remove("members");
    let before = members_of(resource);
    let err = |e: scimcheck::error::ScimError| (e.status, e.scim_type.map(|t| t.as_str().to_owned()));
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": case["operations"]});
    let ops = parse_request(&body, Mode::default()).map_err(err)?;
    let out = apply(rt, id, &attrs, &|| before.clone(), &ops, Mode::default()).map_err(err)?;
    let mut result = out.attrs;
    result.insert("id".into(), Value::from(id));
    let mut members: Vec<(String, Option<String>)> =
        before.iter().map(|m| (m.value.clone(), m.display.clone())).collect();
    match out.members {
        None => {}
        Some(MemberChange::Replace(all)) => members = all,
        Some(MemberChange::Delta { add, remove }) => {
            members.retain(|(v, _)| !remove.contains(v));
            for (v, d) in add {
                match members.iter_mut().find(|(m, _)| *m == v) {
                    Some(existing) => existing.1 = d.or(existing.1.take()),
                    None => members.push((v, d)),
                }
            }
        }
    }
    if !members.is_empty() {
        result.insert("members".into(), Value::Array(member_json(&members)));
    }
    Ok(Value::Object(result))
}

#[test]
fn patch_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/patch");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 40, "expected the full PATCH case table in {}", dir.display());
    let mut failures = Vec::new();
    for f in files {
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let got = run(&case);
        let ok = match (&got, case.get("expected"), case.get("error")) {
            (Ok(v), Some(expected), _) => {
                let mut expected = expected.clone();
                if let Some(ms) = expected.get_mut("members").and_then(Value::as_array_mut) {
                    ms.sort_by(|a, b| a["value"].as_str().cmp(&b["value"].as_str()));
                }
                *v == expected
            }
            (Err((status, t)), None, Some(e)) => {
                Some(*status as u64) == e["status"].as_u64()
                    && t.as_deref() == e.get("scimType").and_then(Value::as_str)
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{name} ({}):\n  got {got:?}\n  want {}",
                case["comment"],
                case.get("expected").or(case.get("error")).unwrap()
            ));
        }
    }
    assert!(failures.is_empty(), "{} PATCH case(s) failed:\n{}", failures.len(), failures.join("\n"));
}
