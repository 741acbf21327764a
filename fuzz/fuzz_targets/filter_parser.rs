//! The filter parser on arbitrary input: no panic, no overflow; accepted filters round-trip.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(f) = scimcheck::filter::parse(&text) {
        let again = scimcheck::filter::parse(&f.to_string()).expect("a printed filter parses");
        assert_eq!(again, f);
    }
});
