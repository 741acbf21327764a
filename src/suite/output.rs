//! Report files: JUnit XML (for CI systems), JSON (machine-readable, with transcripts) and a
//! single self-contained HTML page with the per-area matrix and expandable transcripts.

use super::report::{AREAS, Level, Outcome, Report, ScenarioResult};
use serde_json::json;
use std::fmt::Write as _;
use std::io::Write;

/// Writes the JUnit XML report: one test suite per area, one test case per scenario.
pub fn junit(report: &Report, out: impl Write) -> Result<(), String> {
    let mut r = junit_report::Report::new();
    for area in AREAS.iter().copied().chain(std::iter::once("other")) {
        let cases: Vec<&ScenarioResult> = report.scenarios.iter().filter(|s| s.area() == area).collect();
        if cases.is_empty() {
            continue;
        }
        let mut suite = junit_report::TestSuite::new(area);
        for s in cases {
            let name = format!("{} ({}:{})", s.name, s.path, s.line);
            let mut case = match &s.outcome {
                Outcome::Passed => junit_report::TestCase::success(&name, junit_report::Duration::ZERO),
                Outcome::Failed(msg) if s.level == Level::Must => {
                    junit_report::TestCase::failure(&name, junit_report::Duration::ZERO, "must", msg)
                }
                // SHOULD and MAY failures are warnings: they do not fail the build.
                Outcome::Failed(msg) => {
                    let level = if s.level == Level::Should { "should" } else { "may" };
                    junit_report::TestCase::skipped_with_cause(&name, level, msg)
                }
                Outcome::Skipped(why) => junit_report::TestCase::skipped_with_cause(&name, "skipped", why),
                Outcome::ExpectedFailure(why) => {
                    junit_report::TestCase::skipped_with_cause(&name, "expected-failure", why)
                }
            };
            case.set_classname(&s.feature);
            case.set_filepath(&s.path);
            if !s.transcript.is_empty() && matches!(s.outcome, Outcome::Failed(_)) {
                case.set_system_out(&s.transcript.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"));
            }
            suite.add_testcase(case);
        }
        r.add_testsuite(suite);
    }
    r.write_xml(out).map_err(|e| format!("cannot write the JUnit report: {e}"))
}

/// Writes the JSON report: counts, then every scenario with its outcome and transcript.
pub fn json(report: &Report, out: impl Write) -> Result<(), String> {
    let scenarios: Vec<_> = report
        .scenarios
        .iter()
        .map(|s| {
            let mut v = serde_json::to_value(s).expect("results serialise");
            v["area"] = json!(s.area());
            v
        })
        .collect();
    let doc = json!({
        "base_url": report.base_url,
        "summary": {
            "passed": report.passed(), "failed": report.failed(), "skipped": report.skipped(),
            "expected_failures": report.expected_failures(), "must_failed": report.failures(Level::Must).count(),
            "should_failed": report.failures(Level::Should).count(), "may_failed": report.failures(Level::May).count(),
            "result": if report.is_failure() { "fail" } else { "pass" },
        },
        "stale_expectations": report.stale_expectations,
        "scenarios": scenarios,
    });
    serde_json::to_writer_pretty(out, &doc).map_err(|e| format!("cannot write the JSON report: {e}"))
}

fn esc(s: &str) -> String {
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

/// The HTML report: a single page with no external resources.
pub fn html(report: &Report) -> String {
    let mut h = String::new();
    let verdict = if report.is_failure() { "FAIL" } else { "PASS" };
    let _ = write!(
        h,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>scimcheck report: {verdict}</title>
<style>
body{{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}} h1{{margin:0 0 .2em}} .muted{{color:#666}}
.verdict{{display:inline-block;padding:.2em .6em;border-radius:4px;color:#fff;font-weight:bold}}
.PASS{{background:#2e7d32}} .FAIL{{background:#c62828}}
table{{border-collapse:collapse;margin:1em 0}} td,th{{border:1px solid #ddd;padding:.3em .7em;text-align:right}} th:first-child,td:first-child{{text-align:left}}
.n-failed{{color:#c62828;font-weight:bold}} .n-passed{{color:#2e7d32}}
details{{margin:.3em 0;border-left:4px solid #ddd;padding-left:.6em}} details.failed{{border-color:#c62828}} details.passed{{border-color:#2e7d32}}
details.skipped{{border-color:#9e9e9e}} details.expected{{border-color:#f9a825}}
summary{{cursor:pointer}} pre{{background:#f6f6f6;padding:.6em;overflow:auto;white-space:pre-wrap}} .tag{{font-size:11px;color:#555;background:#eee;border-radius:3px;padding:0 .3em;margin-left:.3em}}
</style></head><body>
<h1>scimcheck report <span class="verdict {verdict}">{verdict}</span></h1>
<p class="muted">Target: {}</p>
<p id="summary"><span id="count-passed">{}</span> passed, <span id="count-failed">{}</span> failed, <span id="count-skipped">{}</span> skipped, <span id="count-expected">{}</span> expected failures</p>
<table id="matrix"><tr><th>area</th><th>passed</th><th>failed</th><th>skipped</th><th>expected</th></tr>"#,
        esc(&report.base_url),
        report.passed(),
        report.failed(),
        report.skipped(),
        report.expected_failures()
    );
    for area in AREAS.iter().copied().chain(std::iter::once("other")) {
        let of =
            |p: fn(&Outcome) -> bool| report.scenarios.iter().filter(|s| s.area() == area && p(&s.outcome)).count();
        if report.scenarios.iter().all(|s| s.area() != area) {
            continue;
        }
        let failed = of(|o| matches!(o, Outcome::Failed(_)));
        let _ = write!(
            h,
            r##"<tr><td><a href="#area-{}">{}</a></td><td class="n-passed">{}</td><td class="{}">{}</td><td>{}</td><td>{}</td></tr>"##,
            esc(&area.replace(' ', "-")),
            esc(area),
            of(|o| matches!(o, Outcome::Passed)),
            if failed > 0 { "n-failed" } else { "" },
            failed,
            of(|o| matches!(o, Outcome::Skipped(_))),
            of(|o| matches!(o, Outcome::ExpectedFailure(_)))
        );
    }
    h.push_str("</table>");
    for stale in &report.stale_expectations {
        let _ = write!(h, r#"<p class="n-failed">Stale expectation: {}</p>"#, esc(stale));
    }
    for area in AREAS.iter().copied().chain(std::iter::once("other")) {
        let list: Vec<&ScenarioResult> = report.scenarios.iter().filter(|s| s.area() == area).collect();
        if list.is_empty() {
            continue;
        }
        let _ = write!(h, r#"<h2 id="area-{}">{}</h2>"#, esc(&area.replace(' ', "-")), esc(area));
        for s in list {
            let (class, label, detail) = match &s.outcome {
                Outcome::Passed => ("passed", "passed", String::new()),
                Outcome::Failed(m) => (
                    "failed",
                    match s.level {
                        Level::Must => "FAILED (MUST)",
                        Level::Should => "WARNING (SHOULD)",
                        Level::May => "NOTE (MAY)",
                    },
                    m.clone(),
                ),
                Outcome::Skipped(m) => ("skipped", "skipped", m.clone()),
                Outcome::ExpectedFailure(m) => ("expected", "expected failure", m.clone()),
            };
            let tags: String = s.tags.iter().map(|t| format!(r#"<span class="tag">@{}</span>"#, esc(t))).collect();
            let _ = write!(
                h,
                r#"<details class="{class}"{}><summary><b>{label}</b> {} — {} {tags}</summary><p class="muted">{}:{}</p>"#,
                if class == "failed" { " open" } else { "" },
                esc(&s.feature),
                esc(&s.name),
                esc(&s.path),
                s.line
            );
            if !detail.is_empty() {
                let _ = write!(h, "<pre>{}</pre>", esc(&detail));
            }
            if !s.transcript.is_empty() {
                h.push_str("<details><summary>transcript</summary><pre>");
                for ex in &s.transcript {
                    h.push_str(&esc(&ex.to_string()));
                    h.push('\n');
                }
                h.push_str("</pre></details>");
            }
            h.push_str("</details>");
        }
    }
    let _ = write!(h, r#"<p class="muted" id="closing">{}</p></body></html>"#, esc(&report.summary_line()));
    h
}
