//! Time stamps in the form SCIM uses (`xsd:dateTime`, RFC 3339, UTC, millisecond precision).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The current time as an RFC 3339 string with milliseconds, e.g. `2026-11-29T05:49:18.123Z`.
pub fn now() -> String {
    format(OffsetDateTime::now_utc())
}

/// Formats an instant the way `meta.created` and `meta.lastModified` show it: UTC, always
/// three fractional digits.
pub fn format(t: OffsetDateTime) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.to_offset(time::UtcOffset::UTC).format(&fmt).unwrap_or_default()
}

/// Parses an `xsd:dateTime`: RFC 3339, or without a zone (read as UTC). `None` when malformed.
pub fn parse_datetime(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok().or_else(|| OffsetDateTime::parse(&format!("{s}Z"), &Rfc3339).ok())
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_and_parses() {
        let whole_second = time::macros::datetime!(2026-01-02 03:04:05 UTC);
        assert_eq!(super::format(whole_second), "2026-01-02T03:04:05.000Z");
        let s = super::now();
        assert!(s.ends_with('Z') && s.len() == 24, "{s}");
        assert!(super::parse_datetime(&s).is_some());
        assert!(super::parse_datetime("2015-10-10T14:38:21.8617979-07:00").is_some());
        assert!(super::parse_datetime("2011-05-13T04:42:34").is_some());
        assert!(super::parse_datetime("04-12-2018 00:00:00").is_none());
    }
}
