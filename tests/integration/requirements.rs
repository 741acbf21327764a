//! The requirements catalogue holds the features to their word: every citation is in the
//! catalogue, every scenario's level is the strongest level it cites, every MUST is checked
//! or says why it cannot be, and `docs/coverage.md` is what `cargo xtask coverage` writes.

use scimcheck::suite::requirements::{self as req, Catalogue};
use std::path::Path;

fn features() -> Vec<req::ScenarioRef> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = scimcheck::suite::load_features(Some(&root.join("features"))).expect("features load");
    let sources: Vec<_> = sources.into_iter().map(|(p, t)| (Path::new("features").join(p), t)).collect();
    req::scenarios(&sources).expect("features parse")
}

#[test]
fn every_scenario_cites_known_requirements_at_their_level() {
    let problems = req::problems(Catalogue::embedded(), &features());
    assert!(problems.is_empty(), "catalogue problems:\n{}", problems.join("\n"));
}

#[test]
fn coverage_document_is_fresh() {
    let want = req::markdown(Catalogue::embedded(), &features());
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/coverage.md");
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "docs/coverage.md is stale: run `cargo xtask coverage`");
}

#[test]
fn the_checks_catch_a_level_that_disagrees_and_an_unknown_citation() {
    let cat = Catalogue::parse(
        r#"
[[req]]
id = "rfc7644-3.3-created-201"
level = "MUST"
quote = "SHALL be returned with HTTP status code 201"

[[req]]
id = "rfc7644-3.3-created-body"
level = "SHOULD"
quote = "The response body SHOULD contain ..."
"#,
    )
    .unwrap();
    let s = |line: usize, tags: &[&str]| req::ScenarioRef {
        path: "x.feature".into(),
        line,
        name: format!("s{line}"),
        tags: tags.iter().map(|t| t.to_string()).collect(),
    };
    let problems = req::problems(
        &cat,
        &[
            s(1, &["rfc7644-3.3-created-201", "should"]),
            s(2, &["rfc7644-3.3-created-body", "should"]),
            s(3, &["rfc7644-3.3-no-such", "must"]),
            s(4, &["must"]),
        ],
    );
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(problems[0].contains("tagged @should but the strongest requirement it cites is MUST"));
    assert!(problems[1].contains("cites @rfc7644-3.3-no-such"));
    assert!(problems[3].contains("cites no requirement"));
    assert_eq!(
        req::problems(
            &cat,
            &[s(1, &["rfc7644-3.3-created-201", "must"]), s(2, &["rfc7644-3.3-created-body", "should"])]
        ),
        Vec::<String>::new()
    );
    assert!(Catalogue::parse("[[req]]\nid = \"nonsense\"\nlevel = \"MUST\"\nquote = \"x\"\n").is_err());
}
