//! Filter evaluation as a table: one record, many filters, the expected verdict or error.

use rstest::rstest;
use scimcheck::filter::eval::compile;
use scimcheck::filter::parse;
use scimcheck::model::Record;
use scimcheck::schema::Registry;
use serde_json::json;

fn record() -> Record {
    let attrs = json!({
        "userName": "BJensen@Example.com",
        "externalId": "Ext-42",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "title": "",
        "active": true,
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "x509Certificates": [{"value": "MIIDQzCC"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "manager": {"value": "m-1"}}
    });
    Record {
        id: "2819c223-7f76-453a-919d-413861904646".into(),
        attrs: attrs.as_object().unwrap().clone(),
        created: "2026-01-02T03:04:05.000Z".into(),
        last_modified: "2026-03-04T05:06:07.000Z".into(),
        version: 7,
    }
}

fn verdict(filter: &str) -> Result<bool, String> {
    let reg = Registry::embedded();
    let users = reg.resource_type("User").unwrap();
    let f = parse(filter).map_err(|e| e.to_string())?;
    let c = compile(users, &f, true).map_err(|e| e.scim_type.map(|t| t.as_str()).unwrap_or("").to_string())?;
    Ok(c.matches(&record()))
}

#[rstest]
#[case::case_insensitive_username(r#"userName eq "bjensen@example.com""#, true)]
#[case::case_exact_external_id(r#"externalId eq "ext-42""#, false)]
#[case::case_exact_external_id_exact(r#"externalId eq "Ext-42""#, true)]
#[case::contains_ignores_case(r#"userName co "JENSEN""#, true)]
#[case::starts_with(r#"name.givenName sw "Bar""#, true)]
#[case::ends_with(r#"name.familyName ew "sen""#, true)]
#[case::ne_missing_attribute_matches(r#"nickName ne "x""#, true)]
#[case::ordering_strings(r#"name.familyName gt "Adams" and name.familyName lt "Smith""#, true)]
#[case::pr_false_for_empty_string("title pr", false)]
#[case::pr_false_for_missing("nickName pr", false)]
#[case::pr_true_for_complex("name pr", true)]
#[case::multi_valued_any_value(r#"emails.value eq "babs@jensen.org""#, true)]
#[case::complex_multi_without_sub_compares_value(r#"emails co "jensen.org""#, true)]
#[case::value_path_same_element(r#"emails[type eq "home" and value co "example.com"]"#, false)]
#[case::value_path_matching_element(r#"emails[type eq "work" and primary eq true]"#, true)]
#[case::boolean(r#"active eq true"#, true)]
#[case::boolean_lenient_string(r#"active eq "True""#, true)]
#[case::datetime_instants(r#"meta.created lt "2026-01-02T04:04:05+01:00""#, false)]
#[case::datetime_instants_equal(r#"meta.created eq "2026-01-02T04:04:05+01:00""#, true)]
#[case::meta_resource_type(r#"meta.resourceType eq "User""#, true)]
#[case::id_case_exact(r#"id eq "2819C223-7F76-453A-919D-413861904646""#, false)]
#[case::extension_urn(r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#, true)]
#[case::extension_sub(r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m-1""#, true)]
#[case::not_and_or(r#"not (active eq false) and (userName eq "nope" or title eq "x")"#, false)]
#[case::not_and_or_true(r#"not (active eq false) and (userName eq "nope" or emails.type eq "home")"#, true)]
#[case::eq_null_means_absent("nickName eq null", true)]
fn evaluates(#[case] filter: &str, #[case] expected: bool) {
    assert_eq!(verdict(filter), Ok(expected), "{filter}");
}

#[rstest]
#[case::unknown_attribute(r#"favoriteColor eq "blue""#)]
#[case::unknown_sub_attribute(r#"name.nickname eq "x""#)]
#[case::ordering_boolean("active gt true")]
#[case::ordering_binary(r#"x509Certificates.value gt "AA""#)]
#[case::substring_on_boolean(r#"active co "t""#)]
#[case::complex_without_value(r#"name eq "Barbara""#)]
#[case::bad_datetime(r#"meta.created gt "yesterday""#)]
#[case::number_for_boolean("active eq 1")]
#[case::members_filter_not_on_users(r#"members.value eq "x""#)]
fn rejects(#[case] filter: &str) {
    assert_eq!(verdict(filter), Err("invalidFilter".to_owned()), "{filter}");
}
