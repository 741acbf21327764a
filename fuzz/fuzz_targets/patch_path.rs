//! The PATCH path parser on arbitrary input: no panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = scimcheck::filter::parse_path(&String::from_utf8_lossy(data));
});
