//! Report files: JUnit XML (for CI systems) and JSON (machine-readable, every scenario with its
//! steps, exchanges and duration). The HTML page is [`super::html`].

pub use super::html::html;
use super::report::{Level, Outcome, Report, ScenarioResult};
use serde_json::json;
use std::fmt::Write as _;
use std::io::Write;

/// Writes the JUnit XML report: one test suite per feature, one test case per scenario with its
/// time, the requirement ids it checks as properties, and its exchanges as system output. Only
/// MUST failures are failures; SHOULD and MAY failures are reported as skipped with their cause,
/// so CI fails only on what the RFCs require.
pub fn junit(report: &Report, mut out: impl Write) -> Result<(), String> {
    let mut features: Vec<&str> = report.scenarios.iter().map(|s| s.path.as_str()).collect();
    features.dedup();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuites>\n");
    for path in features {
        let cases: Vec<&ScenarioResult> = report.scenarios.iter().filter(|s| s.path == path).collect();
        let failures =
            cases.iter().filter(|s| s.level == Level::Must && matches!(s.outcome, Outcome::Failed(_))).count();
        let must_failed = |s: &&ScenarioResult| s.level == Level::Must && matches!(s.outcome, Outcome::Failed(_));
        let skipped = cases.iter().filter(|s| !matches!(s.outcome, Outcome::Passed) && !must_failed(s)).count();
        let time: u64 = cases.iter().map(|s| s.duration_ms).sum();
        let _ = writeln!(
            xml,
            r#"  <testsuite name="{}" tests="{}" failures="{failures}" errors="0" skipped="{skipped}" time="{}" timestamp="{}">"#,
            esc(cases[0].feature.as_str()),
            cases.len(),
            secs(time),
            esc(&report.meta.started),
        );
        for s in cases {
            let _ = writeln!(
                xml,
                r#"    <testcase name="{}" classname="{}" file="{}" line="{}" time="{}">"#,
                esc(&s.name),
                esc(&s.feature),
                esc(&s.path),
                s.line,
                secs(s.duration_ms)
            );
            xml.push_str("      <properties>\n");
            let _ = writeln!(xml, r#"        <property name="level" value="{}"/>"#, level_name(s.level));
            for r in s.requirements() {
                let _ = writeln!(xml, r#"        <property name="requirement" value="{}"/>"#, esc(&r.id));
            }
            xml.push_str("      </properties>\n");
            match &s.outcome {
                Outcome::Passed => {}
                Outcome::Failed(m) if s.level == Level::Must => {
                    let _ = writeln!(
                        xml,
                        r#"      <failure type="must" message="{}">{}</failure>"#,
                        esc(first_line(m)),
                        esc(m)
                    );
                }
                Outcome::Failed(m) => {
                    let _ = writeln!(
                        xml,
                        r#"      <skipped type="{}" message="{}"/>"#,
                        level_name(s.level),
                        esc(first_line(m))
                    );
                }
                Outcome::Skipped(why) => {
                    let _ = writeln!(xml, r#"      <skipped type="skipped" message="{}"/>"#, esc(why));
                }
                Outcome::Inconclusive(why) => {
                    let _ = writeln!(
                        xml,
                        r#"      <skipped type="inconclusive" message="{}">{}</skipped>"#,
                        esc(first_line(why)),
                        esc(why)
                    );
                }
                Outcome::ExpectedFailure(why) => {
                    let _ = writeln!(xml, r#"      <skipped type="expected-failure" message="{}"/>"#, esc(why));
                }
            }
            if !s.transcript.is_empty() {
                let text: Vec<String> = s.transcript.iter().map(ToString::to_string).collect();
                let _ = writeln!(xml, "      <system-out>{}</system-out>", esc(&text.join("\n")));
            }
            xml.push_str("    </testcase>\n");
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    out.write_all(xml.as_bytes()).map_err(|e| format!("cannot write the JUnit report: {e}"))
}

fn secs(ms: u64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}

fn level_name(l: Level) -> &'static str {
    match l {
        Level::Must => "must",
        Level::Should => "should",
        Level::May => "may",
    }
}

fn first_line(s: &str) -> &str {
    s.lines().find(|l| !l.trim().is_empty() && !l.starts_with("step failed")).unwrap_or(s)
}

/// Writes the JSON report: counts, then every scenario with its outcome and transcript.
pub fn json(report: &Report, out: impl Write) -> Result<(), String> {
    let scenarios: Vec<_> = report
        .scenarios
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s).expect("results serialise");
            v["area"] = json!(s.area());
            v["requirements"] = json!(s.requirements().iter().map(|r| &r.id).collect::<Vec<_>>());
            v
        })
        .collect();
    let doc = json!({
        "base_url": report.base_url,
        "meta": report.meta,
        "summary": {
            "passed": report.passed(), "failed": report.failed(), "skipped": report.skipped(),
            "inconclusive": report.inconclusive(),
            "expected_failures": report.expected_failures(), "must_failed": report.failures(Level::Must).count(),
            "rfc_must_failed": report.failures(Level::Must).filter(|s| !s.is_profile()).count(),
            "profile_must_failed": report.failures(Level::Must).filter(|s| s.is_profile()).count(),
            "should_failed": report.failures(Level::Should).count(), "may_failed": report.failures(Level::May).count(),
            "result": if report.is_failure() { "fail" } else { "pass" },
        },
        "stale_expectations": report.stale_expectations,
        "causes": super::causes::failures(report),
        "inconclusive_causes": super::causes::inconclusive(report),
        "scenarios": scenarios,
    });
    serde_json::to_writer_pretty(out, &doc).map_err(|e| format!("cannot write the JSON report: {e}"))
}

/// Writes a SARIF 2.1.0 log: one rule per requirement cited by a failed scenario (its id, level
/// and sentence), one result per failed scenario at its feature file and line, with the cause
/// as a partial fingerprint so that a CI system folds the scenarios of one cause.
pub fn sarif(report: &Report, out: impl Write) -> Result<(), String> {
    let causes = super::causes::failures(report);
    let mut rules: Vec<serde_json::Value> = Vec::new();
    let mut rule_ids: Vec<String> = Vec::new();
    let mut results = Vec::new();
    for c in &causes {
        for &i in &c.scenarios {
            let s = &report.scenarios[i];
            let Outcome::Failed(msg) = &s.outcome else { continue };
            let reqs = s.requirements();
            let rule = reqs.iter().find(|r| r.level == s.level).or(reqs.first());
            let rule_id = rule.map(|r| r.id.clone()).unwrap_or_else(|| "scimcheck-scenario".to_owned());
            if !rule_ids.contains(&rule_id) {
                rule_ids.push(rule_id.clone());
                rules.push(match rule {
                    Some(r) => json!({
                        "id": r.id, "name": r.id,
                        "shortDescription": {"text": format!("{} ({}, {})", r.id, r.keyword(), r.section())},
                        "fullDescription": {"text": r.quote},
                        "helpUri": r.link(),
                        "properties": {"level": r.keyword()},
                    }),
                    None => json!({"id": rule_id, "shortDescription": {"text": "a scenario without a citation"}}),
                });
            }
            let level = match s.level {
                Level::Must => "error",
                Level::Should => "warning",
                Level::May => "note",
            };
            results.push(json!({
                "ruleId": rule_id,
                "ruleIndex": rule_ids.iter().position(|r| r == &rule_id),
                "level": level,
                "message": {"text": format!("{}: {}\ncause: {}", s.name, first_line(msg), c.text)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": s.path},
                    "region": {"startLine": s.line},
                }}],
                "partialFingerprints": {"scimcheckCause/v1": c.text},
                "properties": {"requirements": reqs.iter().map(|r| &r.id).collect::<Vec<_>>(), "target": report.base_url},
            }));
        }
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "scimcheck",
                "version": report.meta.version,
                "informationUri": "https://www.rfc-editor.org/rfc/rfc7644",
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(out, &doc).map_err(|e| format!("cannot write the SARIF report: {e}"))
}

pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}
