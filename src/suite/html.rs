//! The HTML report: one self-contained page (no scripts, no external resources) with the run's
//! metadata, a failures-only switch, the scenarios by area and the requirements by RFC section
//! (linked to the RFC), and for every scenario its steps and its exchanges with pretty-printed
//! bodies, collapsed unless it failed.

use super::output::esc;
use super::report::{AREAS, Level, Outcome, Report, ScenarioResult};
use super::requirements::{Catalogue, Source};
use super::world::Exchange;
use std::fmt::Write as _;

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
h1{margin:0 0 .2em} .muted{color:#666} code{font-size:12px}
.verdict{display:inline-block;padding:.2em .6em;border-radius:4px;color:#fff;font-weight:bold}
.PASS{background:#2e7d32} .FAIL{background:#c62828}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.1em 1em;margin:.5em 0} dl.meta dt{color:#666}
table{border-collapse:collapse;margin:1em 0} td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}
td.n{text-align:right} .n-failed{color:#c62828;font-weight:bold} .n-passed{color:#2e7d32}
details.scenario{margin:.3em 0;border-left:4px solid #ddd;padding-left:.6em}
details.failed{border-color:#c62828} details.passed{border-color:#2e7d32} details.skipped{border-color:#9e9e9e} details.expected{border-color:#f9a825} details.inconclusive{border-color:#6a1b9a}
summary{cursor:pointer} pre{background:#f6f6f6;padding:.5em;overflow:auto;white-space:pre-wrap;margin:.3em 0}
.tag{font-size:11px;color:#555;background:#eee;border-radius:3px;padding:0 .3em;margin-left:.3em;text-decoration:none}
ol.steps{margin:.3em 0;padding-left:1.5em} li.failed{color:#c62828;font-weight:bold} li.skipped{color:#999}
.badge{display:inline-block;min-width:1em;padding:0 .3em;border-radius:3px;color:#fff;font-size:11px;margin:1px}
.b-passed{background:#2e7d32} .b-failed{background:#c62828} .b-skipped{background:#9e9e9e} .b-expected{background:#f9a825} .b-inconclusive{background:#6a1b9a}
section.cause{border-left:4px solid #c62828;padding-left:.6em;margin:.6em 0} section.cause.unsure{border-color:#6a1b9a}
#only-failed:checked ~ main details.scenario:not(.failed){display:none}
#only-failed:checked ~ main tr.req:not(.has-failed){display:none}
"#;

/// The page.
pub fn html(report: &Report) -> String {
    let mut h = String::new();
    let verdict = if report.is_failure() { "FAIL" } else { "PASS" };
    let m = &report.meta;
    let _ = write!(
        h,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>scimcheck report: {verdict}</title><style>{STYLE}</style></head><body>
<h1>scimcheck report <span class="verdict {verdict}">{verdict}</span></h1>
<dl class="meta"><dt>Target</dt><dd id="meta-target">{}</dd><dt>Profile</dt><dd id="meta-profile">{}</dd><dt>Tags</dt><dd>{}</dd><dt>scimcheck</dt><dd id="meta-version">{}</dd><dt>Started</dt><dd id="meta-started">{}</dd><dt>Duration</dt><dd id="meta-duration">{:.1} s</dd></dl>
<p id="summary"><span id="count-passed">{}</span> passed, <span id="count-failed">{}</span> failed, <span id="count-inconclusive">{}</span> inconclusive, <span id="count-skipped">{}</span> skipped, <span id="count-expected">{}</span> expected failures</p>
"#,
        esc(&report.base_url),
        esc(m.profile.as_deref().unwrap_or("default (all but the interop profile)")),
        esc(m.tags.as_deref().unwrap_or("–")),
        esc(&m.version),
        esc(&m.started),
        m.duration_ms as f64 / 1000.0,
        report.passed(),
        report.failed(),
        report.inconclusive(),
        report.skipped(),
        report.expected_failures()
    );
    if let Some(why) = &m.not_started {
        let _ = write!(h, r#"<p class="n-failed" id="not-started">The run could not start: {}</p>"#, esc(why));
    }
    if let Some(note) = &m.not_applicable {
        let _ = write!(h, r#"<p class="muted" id="not-applicable">{}</p>"#, esc(note));
    }
    h.push_str(
        r##"<input type="checkbox" id="only-failed"><label for="only-failed"> show failures only</label>
<p><a href="#causes">Causes</a> · <a href="#by-area">By area</a> · <a href="#by-requirement">By requirement</a></p><main>"##,
    );
    for stale in &report.stale_expectations {
        let _ = write!(h, r#"<p class="n-failed">Stale expectation: {}</p>"#, esc(stale));
    }
    causes(&mut h, report);
    by_area(&mut h, report);
    by_requirement(&mut h, report);
    let _ = write!(h, r#"</main><p class="muted" id="closing">{}</p></body></html>"#, esc(&report.summary_line()));
    h
}

/// Causes first: each failure cause with its level, the requirements it breaks and links to
/// its scenarios; then the inconclusive scenarios by cause.
fn causes(h: &mut String, report: &Report) {
    let failed = super::causes::failures(report);
    let unsure = super::causes::inconclusive(report);
    if failed.is_empty() && unsure.is_empty() {
        return;
    }
    h.push_str(r#"<h2 id="causes">Findings by cause</h2>"#);
    for (c, class, what) in failed
        .iter()
        .map(|c| (c, "cause", format!("{:?}", c.level).to_uppercase()))
        .chain(unsure.iter().map(|c| (c, "cause unsure", "INCONCLUSIVE".to_owned())))
    {
        let reqs: String = c
            .requirements
            .iter()
            .map(|id| format!(r##"<a class="tag" href="#req-{}">{}</a>"##, anchor(id), esc(id)))
            .collect();
        let _ = write!(
            h,
            r#"<section class="{class}"><p><b>{what}</b> · {} scenario(s) · <code>{}</code> {reqs}</p><ul>"#,
            c.scenarios.len(),
            esc(&c.text)
        );
        for &i in &c.scenarios {
            let s = &report.scenarios[i];
            let _ =
                write!(h, r##"<li><a href="#{}">{} — {}</a></li>"##, scenario_anchor(s), esc(&s.feature), esc(&s.name));
        }
        h.push_str("</ul>");
        if let Some((id, other)) = c.disagreement() {
            let _ =
                write!(h, r#"<p class="disagree">Profiles disagree on <code>{}</code>: {}</p>"#, esc(id), esc(other));
        }
        h.push_str("</section>");
    }
}

fn areas() -> impl Iterator<Item = &'static str> {
    AREAS.iter().copied().chain(std::iter::once("other"))
}

fn by_area(h: &mut String, report: &Report) {
    h.push_str(r#"<h2 id="by-area">By area</h2><table id="matrix"><tr><th>area</th><th>passed</th><th>failed</th><th>inconclusive</th><th>skipped</th><th>expected</th></tr>"#);
    for area in areas() {
        let list: Vec<&ScenarioResult> = report.scenarios.iter().filter(|s| s.area() == area).collect();
        if list.is_empty() {
            continue;
        }
        let of = |p: fn(&Outcome) -> bool| list.iter().filter(|s| p(&s.outcome)).count();
        let failed = of(|o| matches!(o, Outcome::Failed(_)));
        let _ = write!(
            h,
            r##"<tr><td><a href="#area-{}">{}</a></td><td class="n n-passed">{}</td><td class="n {}">{failed}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"##,
            anchor(area),
            esc(area),
            of(|o| matches!(o, Outcome::Passed)),
            if failed > 0 { "n-failed" } else { "" },
            of(|o| matches!(o, Outcome::Inconclusive(_))),
            of(|o| matches!(o, Outcome::Skipped(_))),
            of(|o| matches!(o, Outcome::ExpectedFailure(_)))
        );
    }
    h.push_str("</table>");
    for area in areas() {
        let list: Vec<&ScenarioResult> = report.scenarios.iter().filter(|s| s.area() == area).collect();
        if list.is_empty() {
            continue;
        }
        let _ = write!(h, r#"<h3 id="area-{}">{}</h3>"#, anchor(area), esc(area));
        for s in list {
            scenario(h, s);
        }
    }
}

fn class_of(o: &Outcome) -> &'static str {
    match o {
        Outcome::Passed => "passed",
        Outcome::Failed(_) => "failed",
        Outcome::Skipped(_) => "skipped",
        Outcome::Inconclusive(_) => "inconclusive",
        Outcome::ExpectedFailure(_) => "expected",
    }
}

fn scenario(h: &mut String, s: &ScenarioResult) {
    let class = class_of(&s.outcome);
    let label = match (&s.outcome, s.level) {
        (Outcome::Passed, _) => "passed",
        (Outcome::Failed(_), Level::Must) => "FAILED (MUST)",
        (Outcome::Failed(_), Level::Should) => "WARNING (SHOULD)",
        (Outcome::Failed(_), Level::May) => "NOTE (MAY)",
        (Outcome::Skipped(_), _) => "skipped",
        (Outcome::Inconclusive(_), _) => "INCONCLUSIVE",
        (Outcome::ExpectedFailure(_), _) => "expected failure",
    };
    let reqs: String = s
        .requirements()
        .iter()
        .map(|r| format!(r##"<a class="tag" href="#req-{}">{}</a>"##, anchor(&r.id), esc(&r.id)))
        .collect();
    let _ = write!(
        h,
        r#"<details class="scenario {class}" id="{}"{}><summary><b>{label}</b> {} — {} {reqs}</summary><p class="muted">{}:{} · {} ms</p>"#,
        scenario_anchor(s),
        if class == "failed" { " open" } else { "" },
        esc(&s.feature),
        esc(&s.name),
        esc(&s.path),
        s.line,
        s.duration_ms
    );
    match &s.outcome {
        Outcome::Failed(m) | Outcome::Skipped(m) | Outcome::Inconclusive(m) | Outcome::ExpectedFailure(m) => {
            let _ = write!(h, "<pre>{}</pre>", esc(&reason(m)));
        }
        Outcome::Passed => {}
    }
    if !s.steps.is_empty() {
        h.push_str(r#"<ol class="steps">"#);
        for st in &s.steps {
            let _ = write!(h, r#"<li class="{}">{} {}</li>"#, st.status, esc(&st.keyword), esc(&st.text));
        }
        h.push_str("</ol>");
    }
    let last = s.transcript.len().saturating_sub(1);
    for (i, ex) in s.transcript.iter().enumerate() {
        exchange(h, ex, class == "failed" && i == last);
    }
    h.push_str("</details>");
}

/// A failure's text without the exchange dump the step appended (the exchanges are shown below).
fn reason(m: &str) -> String {
    m.lines().take_while(|l| !l.starts_with("> ") && !l.starts_with("< ")).collect::<Vec<_>>().join("\n")
}

fn exchange(h: &mut String, ex: &Exchange, open: bool) {
    let _ = write!(
        h,
        r#"<details{}><summary><code>{} {} → {} ({} ms)</code></summary>"#,
        if open { " open" } else { "" },
        esc(&ex.method),
        esc(&ex.url),
        ex.status,
        ex.elapsed_ms
    );
    if let Some(b) = &ex.request_body {
        let _ = write!(h, "<pre>{}</pre>", esc(&pretty(b)));
    }
    let headers: String = ex.response_headers.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
    let _ = write!(
        h,
        "<pre>{}{}{}</pre></details>",
        esc(&headers),
        if ex.response_body.is_empty() { "" } else { "\n" },
        esc(&pretty(&ex.response_body))
    );
}

fn pretty(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_owned())
}

fn by_requirement(h: &mut String, report: &Report) {
    h.push_str(r#"<h2 id="by-requirement">By requirement</h2><table id="requirements"><tr><th>requirement</th><th>level</th><th>statement</th><th>scenarios</th></tr>"#);
    let mut current: Option<Source> = None;
    for r in &Catalogue::embedded().requirements {
        let runs: Vec<&ScenarioResult> = report.scenarios.iter().filter(|s| s.tags.contains(&r.id)).collect();
        if runs.is_empty() {
            continue;
        }
        if current != Some(r.source()) {
            current = Some(r.source());
            let _ = write!(h, r#"<tr><th colspan="4">{}</th></tr>"#, esc(r.source().title()));
        }
        let failed = runs.iter().any(|s| matches!(s.outcome, Outcome::Failed(_)));
        let section = match r.link() {
            Some(url) => format!(r#"<a href="{}">{}</a>"#, esc(&url), esc(&r.section())),
            None => esc(&r.section()),
        };
        let badges: String = runs
            .iter()
            .map(|s| {
                format!(
                    r##"<a class="badge b-{}" href="#{}" title="{}">{}</a>"##,
                    class_of(&s.outcome),
                    scenario_anchor(s),
                    esc(&s.name),
                    match s.outcome {
                        Outcome::Passed => "✓",
                        Outcome::Failed(_) => "✗",
                        Outcome::Skipped(_) => "–",
                        Outcome::Inconclusive(_) => "?",
                        Outcome::ExpectedFailure(_) => "!",
                    }
                )
            })
            .collect();
        let _ = write!(
            h,
            r#"<tr class="req{}" id="req-{}"><td><code>{}</code><br>{section}</td><td>{}</td><td>{}</td><td>{badges}</td></tr>"#,
            if failed { " has-failed" } else { "" },
            anchor(&r.id),
            esc(&r.id),
            r.keyword(),
            esc(&r.quote)
        );
    }
    h.push_str("</table>");
}

fn anchor(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '-' }).collect()
}

fn scenario_anchor(s: &ScenarioResult) -> String {
    format!("s-{}-{}", anchor(&s.path), s.line)
}
