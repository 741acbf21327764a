//! Probe attributes: the optional User attributes scenarios write and read back to observe a
//! behaviour (`title`, `nickName`, `phoneNumbers`, ...). RFC 7643 §4.1 makes each optional, so
//! a server may not declare it, or may declare it and not keep it. Before the run, the suite
//! reads which ones the target declares writable and returned, then creates one probe user
//! carrying them all and reads it back once. A scenario that uses an attribute the target does
//! not keep is inconclusive, with the reason, instead of failing for something it never claimed.

use super::discovery::{Discovery, USER_URN};
use regex::Regex;
use serde_json::{Value, json};
use std::sync::OnceLock;

/// The optional attributes scenarios use as probes, with a value of each.
pub const PROBES: &[(&str, &str)] = &[
    ("title", r#""Probe""#),
    ("nickName", r#""probe""#),
    ("phoneNumbers", r#"[{"value": "555-0100", "type": "work"}]"#),
    ("addresses", r#"[{"locality": "Probe", "type": "work"}]"#),
    ("x509Certificates", r#"[{"value": "c2NpbWNoZWNr"}]"#),
];

impl Discovery {
    /// Why a scenario whose steps and bodies are `texts` cannot be judged here: it uses a probe
    /// attribute the target does not keep.
    pub fn probe_gap<'t>(&self, texts: impl IntoIterator<Item = &'t str>) -> Option<String> {
        static RE: OnceLock<Regex> = OnceLock::new();
        let re = RE.get_or_init(|| {
            let names: Vec<&str> = PROBES.iter().map(|(n, _)| *n).collect();
            Regex::new(&format!(r"\b({})\b", names.join("|"))).expect("regex")
        });
        for text in texts {
            for m in re.find_iter(text) {
                if let Some((_, why)) = self.not_kept.iter().find(|(a, _)| a == m.as_str()) {
                    return Some(format!("the scenario writes and reads User.{}, which {why}", m.as_str()));
                }
            }
        }
        None
    }

    /// Probe attributes the User schema does not declare as writable and returned (when the
    /// schema could be read), each with the reason.
    fn undeclared_probes(&self) -> Vec<(String, String)> {
        let Some(schema) = self.schema(USER_URN) else { return vec![] };
        PROBES
            .iter()
            .filter(|(name, _)| {
                let attr = schema["attributes"].as_array().into_iter().flatten().find(|a| {
                    a["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name))
                });
                !attr.is_some_and(|a| {
                    let m = a["mutability"].as_str().unwrap_or("readWrite");
                    let r = a["returned"].as_str().unwrap_or("default");
                    !m.eq_ignore_ascii_case("readOnly") && !r.eq_ignore_ascii_case("never")
                })
            })
            .map(|(name, _)| {
                let why = "the server's User schema does not declare as an attribute it stores and returns (RFC 7643 §4.1 makes it optional)";
                ((*name).to_owned(), why.to_owned())
            })
            .collect()
    }
}

/// Fills `d.not_kept`: the probe attributes not declared, then those declared but not returned
/// after a create of one probe user (removed again). When the probe user cannot be created,
/// only the declarations count: the scenarios then meet the server's refusal themselves.
pub async fn probe(
    client: &reqwest::Client,
    base_url: &str,
    headers: &[(String, String)],
    d: &mut Discovery,
    prefix: &str,
) {
    d.not_kept = d.undeclared_probes();
    let send = |req: reqwest::RequestBuilder| {
        let mut req = req.header("accept", "application/scim+json").header("content-type", "application/scim+json");
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.send()
    };
    let user_name = format!("{prefix}probe@example.com");
    let mut body = json!({"schemas": [USER_URN], "userName": user_name, "name": {"givenName": "Probe", "familyName": "User"},
        "emails": [{"value": user_name, "type": "work", "primary": true}], "active": true});
    let sent: Vec<&str> = PROBES.iter().map(|(n, _)| *n).filter(|n| !d.not_kept.iter().any(|(a, _)| a == n)).collect();
    for (name, value) in PROBES.iter().filter(|(n, _)| sent.contains(n)) {
        body[*name] = serde_json::from_str(value).expect("probe values are JSON");
    }
    let body = d.fixture("User", body, prefix);
    let Ok(resp) = send(client.post(format!("{base_url}/Users")).body(body.to_string())).await else { return };
    if resp.status().as_u16() != 201 {
        return;
    }
    let Ok(created) = resp.json::<Value>().await else { return };
    let Some(id) = created["id"].as_str() else { return };
    let read = match send(client.get(format!("{base_url}/Users/{id}"))).await {
        Ok(r) if r.status().is_success() => r.json::<Value>().await.ok(),
        _ => None,
    };
    let _ = send(client.delete(format!("{base_url}/Users/{id}"))).await;
    let Some(read) = read else { return };
    for name in sent {
        let kept = read
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .is_some_and(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()));
        if !kept {
            let why =
                "the server declares but did not return after creating a user with it (probe user, before the run)";
            d.not_kept.push((name.to_owned(), why.to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_using_an_attribute_the_target_does_not_keep_are_named() {
        let d = Discovery {
            schemas: Some(vec![json!({"id": USER_URN, "attributes": [
                {"name": "userName", "type": "string"},
                {"name": "title", "type": "string"},
                {"name": "nickName", "type": "string", "mutability": "readOnly"}]})]),
            ..Discovery::default()
        };
        let gaps: Vec<String> = d.undeclared_probes().into_iter().map(|(a, _)| a).collect();
        assert_eq!(gaps, ["nickName", "phoneNumbers", "addresses", "x509Certificates"]);
        let d = Discovery { not_kept: d.undeclared_probes(), ..d };
        assert!(d.probe_gap([r#"{"op": "add", "path": "nickName"}"#]).unwrap().contains("User.nickName"));
        assert_eq!(d.probe_gap([r#"{"title": "x", "subtitle": 1}"#, "the JSON at \"title\" is \"x\""]), None);
    }
}
