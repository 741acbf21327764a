//! The report files of a known run (tests/data/suite/known-run): JUnit, JSON and HTML show the
//! same counts, failures carry their transcripts, and known deviations are applied honestly.

use crate::support::TestServer;
use scimcheck::suite::{self, Outcome, expect::Expectations, output};
use std::path::Path;

async fn known_run(expectations: Option<Expectations>) -> suite::Report {
    let s = TestServer::start().await;
    let mut opts = suite::RunOptions::new(&s.running.base_url(), Some(&s.token));
    opts.features_dir = Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/suite/known-run"));
    opts.expectations = expectations;
    suite::run(opts).await.expect("the suite runs")
}

#[tokio::test]
async fn reports_of_a_known_run() {
    let report = known_run(None).await;
    assert_eq!(
        (report.passed(), report.failed(), report.inconclusive(), report.skipped()),
        (2, 2, 1, 1),
        "{}",
        report.summary_line()
    );
    assert!(report.is_failure(), "a failed @must fails the run");
    let must = report.scenarios.iter().find(|s| s.name == "fails at must level").unwrap();
    assert!(matches!(&must.outcome, Outcome::Failed(m) if m.contains("418")));
    assert!(must.transcript.iter().any(|e| e.url.ends_with("/ServiceProviderConfig") && e.status == 200));
    let skipped = report.scenarios.iter().find(|s| s.name == "skipped without an admin token").unwrap();
    assert!(matches!(&skipped.outcome, Outcome::Skipped(why) if why.contains("--admin-token")));

    let unsure = report.scenarios.iter().find(|s| s.name.starts_with("inconclusive")).unwrap();
    assert!(
        matches!(&unsure.outcome, Outcome::Inconclusive(why) if why.starts_with("GET /Users/{id} answered 404")),
        "a refused Given leaves the scenario inconclusive, with the refusal as its cause: {:?}",
        unsure.outcome
    );
    let passed = report.scenarios.iter().find(|s| s.name == "passes").unwrap();
    assert!(!passed.transcript.is_empty(), "passed scenarios keep their exchanges");
    assert_eq!(passed.steps.len(), 2);
    assert!(passed.steps.iter().all(|s| s.status == "passed"));
    assert_eq!(must.steps.last().map(|s| s.status), Some("failed"));
    assert!(!report.meta.started.is_empty() && report.meta.duration_ms > 0);

    let mut terminal = Vec::new();
    report.print(&mut terminal).unwrap();
    let terminal = String::from_utf8(terminal).unwrap();
    assert_eq!(terminal.lines().last(), Some("2 passed, 2 failed, 1 skipped"));
    assert!(terminal.contains("FAILED (MUST)") && terminal.contains("WARNING (SHOULD)"));
    assert!(
        terminal.contains("The run FAILS: 1 MUST-level scenario(s) failed (1 cause(s)): 1 of an RFC requirement, 0 of an IdP or interop profile."),
        "the summary agrees with the exit code"
    );
    assert!(
        terminal.contains("checks rfc7644-4-spc (MUST, RFC 7644 §4)"),
        "failures quote their requirement: {terminal}"
    );
    assert!(
        terminal.contains("expected status 418, got 200") && !terminal.contains("left =="),
        "failures read in words"
    );
    assert!(
        terminal.contains("  1 scenario(s): no --admin-token was given"),
        "skips are counted per reason: {terminal}"
    );
    assert!(
        terminal.contains("    1 scenario(s) could not start: GET /Users/{id} answered 404")
            && terminal.contains("1 scenario(s) inconclusive (1 cause(s))"),
        "inconclusive scenarios are grouped by cause and counted apart: {terminal}"
    );

    let mut xml = Vec::new();
    output::junit(&report, &mut xml).unwrap();
    let xml = String::from_utf8(xml).unwrap();
    assert!(xml.contains(r#"tests="6""#), "{xml}");
    assert!(xml.contains(r#"<skipped type="inconclusive" message="GET /Users/{id} answered 404"#), "{xml}");
    assert_eq!(xml.matches("<testsuite ").count(), 1, "one test suite per feature: {xml}");
    assert!(xml.contains(r#"failures="1""#), "only the MUST failure fails in JUnit: {xml}");
    assert!(xml.contains("fails at must level"));
    assert!(xml.contains(r#"<property name="requirement" value="rfc7644-4-spc"/>"#), "{xml}");
    assert!(
        !xml.contains(r#"time="0.000">"#) || xml.matches(r#"time="0.000""#).count() < 5,
        "cases carry real times: {xml}"
    );

    let mut json = Vec::new();
    output::json(&report, &mut json).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(json["summary"]["passed"], 2);
    assert_eq!(json["summary"]["failed"], 2);
    assert_eq!(json["summary"]["must_failed"], 1);
    assert_eq!(json["summary"]["inconclusive"], 1);
    assert!(json["inconclusive_causes"][0]["text"].as_str().unwrap().starts_with("GET /Users/{id} answered 404"));
    assert_eq!(json["summary"]["result"], "fail");
    let failed = json["scenarios"].as_array().unwrap().iter().find(|s| s["name"] == "fails at must level").unwrap();
    assert_eq!(failed["area"], "discovery");
    assert!(!failed["transcript"].as_array().unwrap().is_empty());
    assert_eq!(failed["requirements"], serde_json::json!(["rfc7644-4-spc"]));
    let ok = json["scenarios"].as_array().unwrap().iter().find(|s| s["name"] == "passes").unwrap();
    assert!(!ok["transcript"].as_array().unwrap().is_empty() && ok["duration_ms"].is_u64());
    assert!(json["meta"]["version"].is_string() && json["meta"]["started"].is_string());

    let mut sarif = Vec::new();
    output::sarif(&report, &mut sarif).unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&sarif).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "one SARIF result per failed scenario, none for the inconclusive one");
    let must = results.iter().find(|r| r["level"] == "error").unwrap();
    assert_eq!(must["ruleId"], "rfc7644-4-spc");
    assert_eq!(must["locations"][0]["physicalLocation"]["region"]["startLine"], 11);
    assert!(
        must["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("known.feature")
    );
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["rules"][0]["id"], "rfc7644-4-spc");

    let html = output::html(&report);
    assert!(html.contains(r#"<span id="count-inconclusive">1</span> inconclusive"#));
    assert!(html.contains(r#"<h2 id="causes">"#), "causes come first");
    assert!(html.contains(r#"<span id="count-passed">2</span> passed"#));
    assert!(html.contains(r#"<span id="count-failed">2</span> failed"#));
    assert!(
        html.contains(r#"id="meta-target""#)
            && html.contains(r#"id="meta-started""#)
            && html.contains(r#"id="meta-duration""#)
    );
    assert!(html.contains(r#"<input type="checkbox" id="only-failed">"#), "a failures-only switch");
    assert!(
        html.contains(r#"<table id="requirements">"#)
            && html.contains("https://www.rfc-editor.org/rfc/rfc7644#section-4")
    );
    assert_eq!(
        html.matches("expected status 418, got 200").count(),
        2,
        "the failure is shown once in its scenario and once as its cause: {html}"
    );
    assert!(
        html.contains(r#"<li class="passed">When GET"#) || html.contains(r#"<li class="passed">When I GET"#),
        "steps are shown"
    );
    assert!(html.contains("&quot;schemas&quot;: ["), "bodies are pretty-printed");
    assert!(!html.contains("http-equiv"), "self-contained");
    std::fs::create_dir_all(Path::new(env!("CARGO_TARGET_TMPDIR"))).unwrap();
    std::fs::write(Path::new(env!("CARGO_TARGET_TMPDIR")).join("known-run.html"), &html).unwrap();
}

#[tokio::test]
async fn known_deviations_are_applied_and_stale_entries_reported() {
    let x = Expectations::parse(
        r#"{"expected_failures": [
            {"feature": "known.feature", "scenario": "fails at must level", "reason": "the server is a teapot"},
            {"scenario": "passes too", "reason": "stale: it passes"},
            {"scenario": "no such scenario", "reason": "stale: matches nothing"}]}"#,
    )
    .unwrap();
    let report = known_run(Some(x)).await;
    assert_eq!((report.passed(), report.failed(), report.expected_failures()), (2, 1, 1));
    assert_eq!(report.stale_expectations.len(), 2, "{:?}", report.stale_expectations);
    assert!(report.is_failure(), "stale entries fail the run");
    assert!(Expectations::parse(r#"{"expected_failures": [{"scenario": "x", "reason": " "}]}"#).is_err());
}

/// An interrupted run leaves nothing behind: abort the suite mid-run, then clean up what the
/// running scenarios had created (what `scimcheck check` does on Ctrl-C).
#[tokio::test]
async fn an_interrupted_run_leaves_no_data_behind() {
    let s = TestServer::start().await;
    let mut opts = suite::RunOptions::new(&s.running.base_url(), Some(&s.token));
    opts.tags = Some("@crud or @filter or @patch".into());
    let cleanup = opts.cleanup.clone();
    // Run until scenarios have created something, then drop the run (the interruption).
    let watch = async {
        for _ in 0..2000 {
            let n = s.send("GET", "/Users?count=0", None).await.json["totalResults"].as_u64().unwrap_or(0);
            // More than the one probe user the suite creates (and removes) before any scenario.
            if n > 1 {
                return n;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        0
    };
    let seen = tokio::select! {
        _ = suite::run(opts) => panic!("the run finished before it could be interrupted"),
        n = watch => n,
    };
    assert!(seen > 0, "the run created users before it was interrupted");
    // Let requests that were in flight at the interruption land first.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(cleanup.run(&s.client).await > 0, "there was something to clean up");
    assert_eq!(s.send("GET", "/Users?count=0", None).await.json["totalResults"], 0);
    assert_eq!(s.send("GET", "/Groups?count=0", None).await.json["totalResults"], 0);
}

/// Where two profiles ask opposite things, a failure says so beside it: the lenient reference
/// server accepts Okta's path-less PATCH, which the interop profile refuses.
#[tokio::test]
async fn a_failure_that_another_profile_would_pass_says_so() {
    let s = TestServer::start().await;
    let mut opts = suite::RunOptions::new(&s.running.base_url(), Some(&s.token));
    opts.profile = Some("interop-profile".into());
    let report = suite::run(opts).await.expect("the suite runs");
    let mut terminal = Vec::new();
    report.print(&mut terminal).unwrap();
    let terminal = String::from_utf8(terminal).unwrap();
    assert!(
        terminal.contains("profiles disagree on iop-6.5.1.1-path-required: Okta and Entra send path-less PATCH"),
        "{terminal}"
    );
    assert!(
        output::html(&report)
            .contains(r#"<p class="disagree">Profiles disagree on <code>iop-6.5.1.1-path-required</code>"#)
    );
}
