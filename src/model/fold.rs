//! How strings that are not case-exact are compared: RFC 7644 §5 asks for the PRECIS rules of
//! RFC 7613 before `userName` is compared or checked for uniqueness. [`fold`] applies the
//! UsernameCaseMapped profile's mappings: fullwidth and halfwidth forms to their ordinary
//! width, lower case, then Unicode normalisation form C. Every caseExact=false comparison
//! (filters, sorting, uniqueness, the equality indexes) goes through it, so filtering and
//! uniqueness agree.

use unicode_normalization::UnicodeNormalization;

/// The comparison form of a case-insensitive string.
pub fn fold(s: &str) -> String {
    if s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        return s.to_owned();
    }
    let widened: String = s.chars().map(width_map).collect();
    widened.to_lowercase().nfc().collect()
}

/// RFC 7613 §3.2 width mapping: a fullwidth or halfwidth character becomes its
/// compatibility decomposition (U+FF01–U+FFEF only; other compatibility forms are kept).
fn width_map(c: char) -> char {
    if ('\u{FF01}'..='\u{FFEF}').contains(&c) {
        let mut d = std::iter::once(c).nfkd();
        if let (Some(first), None) = (d.next(), d.next()) {
            return first;
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn case_width_and_normalisation_forms_fold_together() {
        assert_eq!(fold("Bob@Example.COM"), "bob@example.com");
        assert_eq!(fold("jose\u{301}"), fold("jos\u{e9}"));
        assert_eq!(fold("\u{ff2a}\u{ff4f}\u{ff53}\u{e9}"), "jos\u{e9}");
        assert_ne!(fold("jose"), fold("jos\u{e9}"));
    }
}
