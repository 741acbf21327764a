//! One cause, one finding. Scenarios that failed (or could not be judged) for the same reason are
//! grouped: same request shape, status, `scimType` and detail at the exchange that showed it, or
//! the same failing setup. A server that answers every `POST /Users` with a 500 is one finding
//! listing the scenarios it stopped, not a hundred findings quoting a hundred RFC sentences.
//!
//! The key of a cause is normalised text: run prefixes, ids and numbers are replaced, so the
//! same defect met by two scenarios (with two user names) is one cause.

use super::report::{Level, Outcome, Report};
use super::world::Exchange;
use regex::Regex;
use serde::Serialize;
use std::sync::OnceLock;

/// A root cause and the scenarios (indexes into [`Report::scenarios`]) it explains.
#[derive(Debug, Clone, Serialize)]
pub struct Cause {
    /// What happened, in words, e.g. `POST /Users answered 400 invalidValue "name.formatted is required"`.
    pub text: String,
    /// The strongest level among its failed scenarios (MAY for inconclusive causes).
    pub level: Level,
    pub scenarios: Vec<usize>,
    /// The requirement ids its scenarios cite, strongest level first, each once.
    pub requirements: Vec<String>,
}

/// The failures of a run grouped by cause, MUST causes first, then by how many they explain.
pub fn failures(report: &Report) -> Vec<Cause> {
    group(report, |o| matches!(o, Outcome::Failed(_)), |i| failure_key(report, i))
}

/// The inconclusive scenarios grouped by the precondition that could not be established.
pub fn inconclusive(report: &Report) -> Vec<Cause> {
    group(
        report,
        |o| matches!(o, Outcome::Inconclusive(_)),
        |i| match &report.scenarios[i].outcome {
            Outcome::Inconclusive(why) => normalise(why.lines().next().unwrap_or(why)),
            _ => String::new(),
        },
    )
}

impl Cause {
    /// Where another profile asks the opposite of the requirement this cause is about (its
    /// first, strongest one): the requirement id and what the other profile says.
    pub fn disagreement(&self) -> Option<(&str, &'static str)> {
        let id = self.requirements.first()?;
        let other = super::requirements::Catalogue::embedded().get(id)?.disagrees.as_deref()?;
        Some((id.as_str(), other))
    }
}

fn group(report: &Report, pick: impl Fn(&Outcome) -> bool, key: impl Fn(usize) -> String) -> Vec<Cause> {
    let mut causes: Vec<Cause> = Vec::new();
    for (i, s) in report.scenarios.iter().enumerate().filter(|(_, s)| pick(&s.outcome)) {
        let text = key(i);
        let idx = match causes.iter().position(|c| c.text == text) {
            Some(idx) => idx,
            None => {
                causes.push(Cause { text, level: Level::May, scenarios: vec![], requirements: vec![] });
                causes.len() - 1
            }
        };
        let c = &mut causes[idx];
        c.scenarios.push(i);
        if matches!(s.outcome, Outcome::Failed(_)) && rank(s.level) < rank(c.level) {
            c.level = s.level;
        }
        for r in s.requirements() {
            if !c.requirements.contains(&r.id) {
                c.requirements.push(r.id.clone());
            }
        }
    }
    let cat = super::requirements::Catalogue::embedded();
    for c in &mut causes {
        c.requirements.sort_by_key(|id| cat.get(id).map(|r| rank(r.level)).unwrap_or(3));
    }
    causes.sort_by(|a, b| rank(a.level).cmp(&rank(b.level)).then(b.scenarios.len().cmp(&a.scenarios.len())));
    causes
}

fn rank(l: Level) -> u8 {
    match l {
        Level::Must => 0,
        Level::Should => 1,
        Level::May => 2,
    }
}

/// A failure's cause: the error the server answered at the failing exchange, or, when the
/// exchange succeeded, that exchange with what the failed check expected.
fn failure_key(report: &Report, i: usize) -> String {
    let s = &report.scenarios[i];
    let Outcome::Failed(msg) = &s.outcome else { return String::new() };
    let why = msg.lines().skip_while(|l| l.starts_with("step failed")).find(|l| !l.trim().is_empty());
    let why = normalise(why.unwrap_or(msg));
    match s.transcript.last() {
        Some(ex) if ex.status >= 400 || ex.status == 0 => describe(&report.base_url, ex),
        // The same check failing the same way on /Users and /Groups is one defect of the
        // server's resource handling (a missing Location, a case-sensitive filter).
        Some(ex) => format!("{}: {why}", any_resource(&describe(&report.base_url, ex))),
        None => why,
    }
}

/// `/Users` and `/Groups` at the start of a described request read as `/{resource}`.
fn any_resource(described: &str) -> String {
    let (method, rest) = described.split_once(' ').unwrap_or(("", described));
    for endpoint in ["/Users", "/Groups"] {
        if let Some(after) = rest.strip_prefix(endpoint)
            && (after.is_empty() || after.starts_with(['/', '?', ' ']))
        {
            return format!("{method} /{{resource}}{after}");
        }
    }
    described.to_owned()
}

/// An exchange in words: `PATCH /Users/{id} answered 400 invalidPath "…"`.
pub fn describe(base_url: &str, ex: &Exchange) -> String {
    let mut out = format!("{} {} answered {}", ex.method, shape(base_url, &ex.url), ex.status);
    if ex.status >= 400
        && let Some(body) = &ex.json
    {
        if let Some(t) = body.get("scimType").and_then(|t| t.as_str()) {
            out.push(' ');
            out.push_str(t);
        }
        if let Some(d) = body.get("detail").and_then(|d| d.as_str()) {
            let d = normalise(d);
            let d: String = d.chars().take(160).collect();
            out.push_str(&format!(" \"{d}\""));
        }
    }
    out
}

/// A request URL as an endpoint shape: relative to the base, ids replaced with `{id}`, the
/// query reduced to its parameter names (`GET /Users?filter&count`).
pub fn shape(base_url: &str, url: &str) -> String {
    let rel = url.strip_prefix(base_url).unwrap_or(url);
    let (path, query) = rel.split_once('?').unwrap_or((rel, ""));
    let mut out = String::new();
    let mut prev = "";
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        let is_id = matches!(prev, "Users" | "Groups" | "ResourceTypes" | "Schemas") && seg != ".search";
        out.push('/');
        out.push_str(if is_id { "{id}" } else { seg });
        prev = seg;
    }
    if out.is_empty() {
        out.push('/');
    }
    let mut names: Vec<&str> =
        query.split('&').filter_map(|kv| kv.split('=').next()).filter(|k| !k.is_empty()).collect();
    names.sort_unstable();
    names.dedup();
    if !names.is_empty() {
        out.push('?');
        out.push_str(&names.join("&"));
    }
    out
}

/// Replaces what differs between two scenarios meeting the same defect: run prefixes, UUIDs
/// and other ids, numbers of five digits or more.
pub fn normalise(s: &str) -> String {
    static RES: OnceLock<[(Regex, &str); 4]> = OnceLock::new();
    let res = RES.get_or_init(|| {
        [
            (Regex::new(r"scimcheck-[0-9a-f]{8}-\d+-[A-Za-z0-9_.@-]*").expect("regex"), "…"),
            (Regex::new(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").expect("regex"), "{id}"),
            (Regex::new(r"(?i)\b[0-9a-f]{16,}\b").expect("regex"), "{id}"),
            (Regex::new(r"\d{5,}").expect("regex"), "{n}"),
        ]
    });
    let mut out = s.trim().to_owned();
    for (re, with) in res {
        out = re.replace_all(&out, *with).into_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_normal_forms() {
        let base = "http://h/scim/v2";
        assert_eq!(shape(base, "http://h/scim/v2/Users/abc-1?filter=x&count=2&filter=y"), "/Users/{id}?count&filter");
        assert_eq!(shape(base, "http://h/scim/v2/Groups/.search"), "/Groups/.search");
        assert_eq!(shape(base, "http://h/scim/v2/Bulk"), "/Bulk");
        assert_eq!(
            normalise(
                "userName scimcheck-0a1b2c3d-17-alice@example.com exists (id 2819c223-7f76-453a-919d-413861904646)"
            ),
            "userName … exists (id {id})"
        );
        assert_eq!(normalise("took 12345 ms (RFC 7643)"), "took {n} ms (RFC 7643)");
        assert_eq!(any_resource("POST /Groups answered 201"), "POST /{resource} answered 201");
        assert_eq!(any_resource("GET /Users/{id}?filter answered 200"), "GET /{resource}/{id}?filter answered 200");
        assert_eq!(any_resource("GET /UsersX answered 200"), "GET /UsersX answered 200");
    }
}
