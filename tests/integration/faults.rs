//! The suite proves itself: against the reference server with each fault on, a scenario that
//! cites a violated requirement fails at that requirement's level; against each smaller server
//! (`--without`), nothing fails and what is missing is skipped with a reason.

#[test]
fn every_fault_is_caught_and_every_smaller_server_passes() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let matrix = rt.block_on(scimcheck::faults::run::run_all(4, &|_| {})).expect("the matrix runs");
    // The suite's runs may leave a panic hook that does not print: say what went wrong first.
    for s in matrix.smaller.iter().chain(&matrix.variants).filter(|s| !s.failed.is_empty() || !s.flaky.is_empty()) {
        eprintln!("{}: failed {:?}; differing {:?}", s.without, s.failed, s.flaky);
    }
    for v in matrix.verdicts.iter().filter(|v| !v.caught) {
        eprintln!("not caught: {}", v.fault.name);
    }
    let missed: Vec<&str> = matrix.verdicts.iter().filter(|v| !v.caught).map(|v| v.fault.name.as_str()).collect();
    assert!(missed.is_empty(), "faults not caught at their level: {missed:?}");
    assert!(matrix.verdicts.len() >= 60);
    assert_eq!(matrix.smaller[0].without, "", "the reference server itself is the first row");
    assert_eq!(matrix.variants.len(), scimcheck::faults::run::VARIANT_SETS.len());
    for s in matrix.smaller.iter().chain(&matrix.variants) {
        assert!(s.failed.is_empty(), "{}: failed {:?}", s.without, s.failed);
        assert!(
            s.flaky.is_empty(),
            "{}: outcomes differ between runs at concurrency 8, 8 and 1: {:?}",
            s.without,
            s.flaky
        );
    }
    assert!(matrix.smaller[0].inconclusive.is_empty(), "the reference server keeps every probe attribute");
    let subset = matrix.variants.iter().find(|s| s.without == "schema-subset").unwrap();
    assert!(
        subset.inconclusive.iter().any(|(why, _)| why.contains("User.title")),
        "a server that does not keep title leaves the scenarios that need it inconclusive: {:?}",
        subset.inconclusive
    );
    for s in matrix.smaller.iter().skip(1) {
        assert!(!s.skipped.is_empty(), "--without {}: nothing was skipped", s.without);
        for feature in s.without.split(',') {
            let named = s
                .skipped
                .iter()
                .any(|(why, _)| why.to_lowercase().contains(feature) || (feature == "groups" && why.contains("Group")));
            assert!(named, "--without {}: no skip reason names '{feature}': {:?}", s.without, s.skipped);
        }
    }
}
