use serde_json::{Value, json};

use super::{
    MatchMode, MatcherError, Mismatch, match_at, match_value, parse_expected, validate_expected,
    validate_expected_at,
};

/// The mismatches as their display text, for compact assertions.
fn shown(expected: &Value, actual: Option<&Value>, mode: MatchMode) -> Vec<String> {
    match_value(expected, actual, mode)
        .iter()
        .map(Mismatch::to_string)
        .collect()
}

const UUID: &str = "6f9619ff-8b86-d011-b42d-00c04fc964ff";

#[test]
fn every_marker_matches_and_mismatches_as_documented() {
    // (marker, actual or None = absent, expected reason or None = match)
    let cases: &[(&str, Option<Value>, Option<&str>)] = &[
        ("#ignore", Some(json!(1)), None),
        ("#ignore", Some(json!(null)), None),
        ("#ignore", None, None),
        ("#present", Some(json!("x")), None),
        ("#present", Some(json!(null)), None),
        ("#present", None, Some("missing")),
        ("#notpresent", None, None),
        ("#notpresent", Some(json!(null)), Some("must be absent")),
        ("#null", Some(json!(null)), None),
        ("#null", Some(json!(0)), Some("not null")),
        ("#null", None, Some("missing")),
        ("#notnull", Some(json!(0)), None),
        ("#notnull", Some(json!(null)), Some("must not be null")),
        ("#notnull", None, Some("missing")),
        ("#string", Some(json!("")), None),
        ("#string", Some(json!(1)), Some("not a string")),
        ("#string", Some(json!(null)), Some("not a string")),
        ("#string", None, Some("missing")),
        ("#number", Some(json!(1)), None),
        ("#number", Some(json!(-1.5)), None),
        ("#number", Some(json!("1")), Some("not a number")),
        ("#boolean", Some(json!(false)), None),
        ("#boolean", Some(json!("true")), Some("not a boolean")),
        ("#array", Some(json!([])), None),
        ("#array", Some(json!({})), Some("not an array")),
        ("#object", Some(json!({})), None),
        ("#object", Some(json!([])), Some("not an object")),
        ("#uuid", Some(json!(UUID)), None),
        ("#uuid", Some(json!(UUID.to_uppercase())), None),
        (
            "#uuid",
            Some(json!(UUID.replace('-', ""))),
            Some("not a UUID"),
        ),
        (
            "#uuid",
            Some(json!("6f9619ff-8b86-d011-b42d-00c04fc964fg")),
            Some("not a UUID"),
        ),
        ("#uuid", Some(json!(42)), Some("not a UUID")),
        ("#regex (CREATED|OPEN)", Some(json!("OPEN")), None),
        (
            "#regex (CREATED|OPEN)",
            Some(json!("REOPENED")),
            Some("does not match the regex"),
        ),
        (
            "#regex (CREATED|OPEN)",
            Some(json!("OPENED")),
            Some("does not match the regex"),
        ),
        ("#regex \\d+", Some(json!(42)), Some("not a string")),
        ("#regex PO-\\d{4}", Some(json!("PO-1001")), None),
        ("#date", Some(json!("2024-02-29")), None),
        (
            "#date",
            Some(json!("2023-02-29")),
            Some("not a date (YYYY-MM-DD)"),
        ),
        (
            "#date",
            Some(json!("2024-2-9")),
            Some("not a date (YYYY-MM-DD)"),
        ),
        (
            "#date",
            Some(json!("2024-02-29T10:00:00Z")),
            Some("not a date (YYYY-MM-DD)"),
        ),
        (
            "#date",
            Some(json!(20240229)),
            Some("not a date (YYYY-MM-DD)"),
        ),
        ("#datetime", Some(json!("2024-05-01T10:00:00Z")), None),
        (
            "#datetime",
            Some(json!("2024-05-01T12:00:00.123+02:00")),
            None,
        ),
        (
            "#datetime",
            Some(json!("2024-05-01T10:00:00")),
            Some("not an RFC 3339 date-time"),
        ),
        (
            "#datetime",
            Some(json!("2024-05-01")),
            Some("not an RFC 3339 date-time"),
        ),
        ("#[]", Some(json!([])), None),
        ("#[]", Some(json!([1, "a"])), None),
        ("#[]", Some(json!("[]")), Some("not an array")),
        ("#[2]", Some(json!([1, 2])), None),
        ("#[2]", Some(json!([1])), Some("1 elements, expected 2")),
        ("#[0]", Some(json!([])), None),
        ("#[] #string", Some(json!(["a", "b"])), None),
        ("#[] #string", Some(json!([])), None),
        ("#[2] #number", Some(json!([1, 2.5])), None),
        ("#[] ##string", Some(json!(["a", null])), None),
        ("#[] #[] #number", Some(json!([[1], [2, 3]])), None),
        ("##string", None, None),
        ("##string", Some(json!(null)), None),
        ("##string", Some(json!("x")), None),
        ("##string", Some(json!(1)), Some("not a string")),
        ("##uuid", Some(json!("nope")), Some("not a UUID")),
        ("##[1]", None, None),
        ("##[1]", Some(json!([])), Some("0 elements, expected 1")),
        ("#xyz", Some(json!(1)), Some("unknown marker")),
        (
            "#strng",
            Some(json!("a")),
            Some("unknown marker; did you mean `#string`?"),
        ),
    ];
    for (marker, actual, reason) in cases {
        let mismatches = match_value(&json!(marker), actual.as_ref(), MatchMode::Equals);
        let reasons: Vec<&str> = mismatches.iter().map(|m| m.reason.as_str()).collect();
        let wanted: Vec<&str> = reason.iter().copied().collect();
        assert_eq!(reasons, wanted, "{marker} against {actual:?}");
        for mismatch in &mismatches {
            assert_eq!(mismatch.path, "$", "{marker}");
            assert_eq!(mismatch.expected, json!(marker), "{marker}");
            assert_eq!(mismatch.actual.as_ref(), actual.as_ref(), "{marker}");
        }
    }
}

#[test]
fn array_element_markers_report_each_bad_element_after_the_array() {
    let expected = json!({"lines": "#[2] #number"});
    let actual = json!({"lines": ["1", 2, null]});
    assert_eq!(
        shown(&expected, Some(&actual), MatchMode::Equals),
        [
            r#"$.lines: expected #[2] #number, got ["1",2,null] (3 elements, expected 2)"#,
            r#"$.lines[0]: expected #number, got "1" (not a number)"#,
            "$.lines[2]: expected #number, got null (not a number)",
        ]
    );
}

#[test]
fn display_matches_the_documented_shapes() {
    let expected = json!({"status": "CREATED", "id": "#uuid", "note": "#string"});
    let actual = json!({"status": "OPEN", "id": 42});
    assert_eq!(
        shown(&expected, Some(&actual), MatchMode::Contains),
        [
            r#"$.status: expected "CREATED", got "OPEN""#,
            "$.id: expected #uuid, got 42 (not a UUID)",
            "$.note: missing",
        ]
    );
}

#[test]
fn display_cuts_long_values() {
    let long = "x".repeat(500);
    let mismatch = &match_value(&json!("short"), Some(&json!(long)), MatchMode::Equals)[0];
    let text = mismatch.to_string();
    assert!(text.ends_with('…'), "{text}");
    assert!(text.chars().count() < 200, "{text}");
}

#[test]
fn the_sample_order_docstring_matches_and_names_every_failure() {
    let expected = parse_expected(
        r###"{ "orderNo": "PO-1001", "id": "#uuid", "createdAt": "#string", "lines": "#[] #object",
             "note": "##string", "total": "#number", "status": "#regex (CREATED|OPEN)" }"###,
    );
    assert_eq!(validate_expected(&expected), Ok(()));
    let good = json!({"orderNo": "PO-1001", "id": UUID, "createdAt": "2024-05-01T10:00:00Z",
                      "lines": [{"sku": "A"}], "total": 12.5, "status": "OPEN"});
    assert_eq!(match_value(&expected, Some(&good), MatchMode::Equals), []);
    let bad = json!({"orderNo": "PO-1002", "id": UUID, "createdAt": "2024-05-01T10:00:00Z",
                     "lines": [{"sku": "A"}, "B"], "note": 5, "total": "12.5", "status": "SHIPPED",
                     "extra": true});
    assert_eq!(
        shown(&expected, Some(&bad), MatchMode::Equals),
        [
            r#"$.orderNo: expected "PO-1001", got "PO-1002""#,
            r#"$.lines[1]: expected #object, got "B" (not an object)"#,
            "$.note: expected ##string, got 5 (not a string)",
            r#"$.total: expected #number, got "12.5" (not a number)"#,
            r#"$.status: expected #regex (CREATED|OPEN), got "SHIPPED" (does not match the regex)"#,
            "$.extra: expected #notpresent, got true (unexpected field)",
        ]
    );
}

#[test]
fn nested_paths_name_the_exact_element() {
    let expected = json!({"lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}], "ship to": {"plant": "P1"}});
    let actual = json!({"lines": [{"sku": "A", "qty": 1}, {"sku": "C", "qty": 2}], "ship to": {"plant": "P2"}});
    let mismatches = match_value(&expected, Some(&actual), MatchMode::Equals);
    let paths: Vec<&str> = mismatches.iter().map(|m| m.path.as_str()).collect();
    assert_eq!(paths, ["$.lines[1].sku", "$['ship to'].plant"]);
    assert_eq!(mismatches[0].expected, json!("B"));
    assert_eq!(mismatches[0].actual, Some(json!("C")));
    assert_eq!(mismatches[0].reason, "different value");
}

#[test]
fn match_at_roots_paths_at_the_queried_location() {
    let mismatches = match_at(
        "$.lines[0]",
        &json!({"sku": "#number"}),
        Some(&json!({"sku": "A"})),
        MatchMode::Contains,
    );
    assert_eq!(mismatches.len(), 1);
    assert_eq!(mismatches[0].path, "$.lines[0].sku");
    let absent = match_at("$.id", &json!("#uuid"), None, MatchMode::Equals);
    assert_eq!(absent[0].to_string(), "$.id: missing");
}

#[test]
fn optional_and_absence_markers_in_objects() {
    let expected =
        json!({"note": "##string", "gone": "#notpresent", "any": "#ignore", "opt": "##number"});
    for actual in [
        json!({}),
        json!({"note": null, "opt": null}),
        json!({"note": "n", "opt": 1, "any": [1]}),
    ] {
        assert_eq!(
            match_value(&expected, Some(&actual), MatchMode::Equals),
            [],
            "{actual}"
        );
    }
    assert_eq!(
        shown(
            &expected,
            Some(&json!({"gone": 1, "opt": "1"})),
            MatchMode::Equals
        ),
        [
            "$.gone: expected #notpresent, got 1 (must be absent)",
            r#"$.opt: expected ##number, got "1" (not a number)"#,
        ]
    );
}

#[test]
fn equals_and_contains_differ_on_extra_fields_and_array_order() {
    // (expected, actual, mismatch count with Equals, with Contains)
    let cases = [
        (json!({"a": 1}), json!({"a": 1, "b": 2}), 1, 0),
        (json!({"a": {"x": 1}}), json!({"a": {"x": 1, "y": 2}}), 1, 0),
        (json!([1, 2]), json!([2, 1]), 2, 0),
        (json!([1, 2]), json!([1, 2, 3]), 1, 0),
        (json!([1, 2, 3]), json!([1, 2]), 1, 1),
        (
            json!([{"sku": "B"}]),
            json!([{"sku": "A", "q": 1}, {"sku": "B", "q": 2}]),
            1,
            0,
        ),
        (json!([{"sku": "#string"}]), json!([{"sku": 1}]), 1, 1),
        (json!([]), json!([1]), 1, 0),
        (json!({"a": [1]}), json!({"a": [2, 1], "b": 0}), 2, 0),
        (json!({"a": 1}), json!({"b": 1}), 2, 1),
    ];
    for (expected, actual, equals, contains) in cases {
        let counted = |mode| match_value(&expected, Some(&actual), mode).len();
        assert_eq!(
            counted(MatchMode::Equals),
            equals,
            "Equals {expected} vs {actual}"
        );
        assert_eq!(
            counted(MatchMode::Contains),
            contains,
            "Contains {expected} vs {actual}"
        );
    }
}

#[test]
fn contains_names_the_expected_element_nobody_matched() {
    let expected = json!({"lines": [{"sku": "A"}, {"sku": "Z"}]});
    let actual = json!({"lines": [{"sku": "B"}, {"sku": "A"}]});
    let mismatches = match_value(&expected, Some(&actual), MatchMode::Contains);
    assert_eq!(mismatches.len(), 1);
    assert_eq!(mismatches[0].path, "$.lines");
    assert_eq!(mismatches[0].expected, json!({"sku": "Z"}));
    assert_eq!(
        mismatches[0].reason,
        "no element matches expected element [1]"
    );
}

#[test]
fn equal_length_arrays_compare_element_by_element_and_other_lengths_once() {
    assert_eq!(
        shown(
            &json!([1, 2, 3]),
            Some(&json!([1, 9, 3])),
            MatchMode::Equals
        ),
        ["$[1]: expected 2, got 9"]
    );
    assert_eq!(
        shown(&json!([1, 2]), Some(&json!([1])), MatchMode::Equals),
        ["$: expected [1,2], got [1] (1 elements, expected 2)"]
    );
}

#[test]
fn scalars_compare_by_type_then_value() {
    // (expected, actual, reason or None = match)
    let cases = [
        (json!(1), json!(1.0), None),
        (json!(1.0), json!(1), None),
        (json!(-3), json!(-3.0), None),
        (json!(1), json!(1.5), Some("different value")),
        (json!(0.1), json!(0.1), None),
        (json!(u64::MAX), json!(u64::MAX), None),
        (
            json!(9_007_199_254_740_993_i64),
            json!(9_007_199_254_740_992_i64),
            Some("different value"),
        ),
        (
            json!(9_007_199_254_740_993_i64),
            json!(9_007_199_254_740_992.0),
            Some("different value"),
        ),
        (json!(-1), json!(u64::MAX), Some("different value")),
        (json!(1), json!("1"), Some("not a number")),
        (json!("1"), json!(1), Some("not a string")),
        (json!(true), json!(true), None),
        (json!(true), json!(false), Some("different value")),
        (json!(null), json!(null), None),
        (json!(null), json!(0), Some("not null")),
        (json!("CREATED"), json!("CREATED"), None),
        (json!({"a": 1}), json!([1]), Some("not an object")),
        (json!([1]), json!({"a": 1}), Some("not an array")),
    ];
    for (expected, actual, reason) in cases {
        let reasons: Vec<String> = match_value(&expected, Some(&actual), MatchMode::Equals)
            .into_iter()
            .map(|m| m.reason)
            .collect();
        let wanted: Vec<String> = reason.iter().map(|r| r.to_string()).collect();
        assert_eq!(reasons, wanted, "{expected} vs {actual}");
    }
}

#[test]
fn a_plain_expected_value_needs_the_field_present() {
    assert_eq!(
        shown(&json!("CREATED"), None, MatchMode::Equals),
        ["$: missing"]
    );
    assert_eq!(
        shown(&json!(null), None, MatchMode::Contains),
        ["$: missing"]
    );
}

#[test]
fn parse_expected_reads_json_or_falls_back_to_trimmed_text() {
    let cases = [
        (r#""CREATED""#, json!("CREATED")),
        ("CREATED", json!("CREATED")),
        ("  CREATED  ", json!("CREATED")),
        ("42", json!(42)),
        ("-1.5", json!(-1.5)),
        ("true", json!(true)),
        ("null", json!(null)),
        ("#uuid", json!("#uuid")),
        (r##""#uuid""##, json!("#uuid")),
        ("#regex (CREATED|OPEN)", json!("#regex (CREATED|OPEN)")),
        (r##"{"a": [1, "#string"]}"##, json!({"a": [1, "#string"]})),
        ("[1, 2]", json!([1, 2])),
        ("{not json", json!("{not json")),
        ("PO-1001", json!("PO-1001")),
        ("", json!("")),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_expected(text), expected, "{text:?}");
    }
}

#[test]
fn a_regex_reads_the_same_quoted_and_unquoted() {
    let unquoted = parse_expected(r"#regex [0-9]+\.[0-9]+");
    let quoted = parse_expected(r##""#regex [0-9]+\.[0-9]+""##);
    assert_eq!(quoted, unquoted);
    assert_eq!(quoted, json!(r"#regex [0-9]+\.[0-9]+"));
    assert!(match_value(&quoted, Some(&json!("10.25")), MatchMode::Equals).is_empty());
    assert_eq!(
        match_value(&quoted, Some(&json!("10x25")), MatchMode::Equals).len(),
        1,
        "`\\.` is a literal dot"
    );
}

#[test]
fn parse_expected_keeps_big_integers_exact() {
    assert_eq!(parse_expected("18446744073709551615"), json!(u64::MAX));
    assert!(parse_expected("9007199254740993").is_u64());
}

#[test]
fn validate_accepts_every_known_marker() {
    let markers = [
        "#ignore",
        "#present",
        "#notpresent",
        "#null",
        "#notnull",
        "#string",
        "#number",
        "#boolean",
        "#array",
        "#object",
        "#uuid",
        "#date",
        "#datetime",
        "#regex [A-Z]+",
        "#[]",
        "#[3]",
        "#[] #string",
        "#[2] ##number",
        "#[ 2 ]",
        "##uuid",
        "##[]",
        "#string ",
        "#[] #[1] #null",
    ];
    for marker in markers {
        assert_eq!(
            validate_expected(&json!({"a": [marker]})),
            Ok(()),
            "{marker}"
        );
    }
}

#[test]
fn validate_names_the_invalid_marker_and_its_path() {
    let unknown =
        |path: &str, marker: &str, suggestion: Option<&str>| MatcherError::UnknownMarker {
            path: path.into(),
            marker: marker.into(),
            suggestion: suggestion.map(str::to_owned),
        };
    let cases = [
        (json!({"a": "#foo"}), unknown("$.a", "#foo", None)),
        (
            json!({"a": ["#strnig"]}),
            unknown("$.a[0]", "#strnig", Some("#string")),
        ),
        (
            json!({"a": "##nul"}),
            unknown("$.a", "##nul", Some("##null")),
        ),
        (
            json!({"a": "#[] #uid"}),
            unknown("$.a", "#[] #uid", Some("#uuid")),
        ),
        (
            json!("#regexp x"),
            unknown("$", "#regexp x", Some("#regex")),
        ),
        (json!("#"), unknown("$", "#", None)),
    ];
    for (expected, error) in cases {
        assert_eq!(validate_expected(&expected), Err(error), "{expected}");
    }
}

#[test]
fn validate_rejects_bad_regexes_and_malformed_markers() {
    let cases = [
        ("#regex (unclosed", "invalid regex"),
        ("#regex", "malformed"),
        ("#regex   ", "malformed"),
        ("#[x]", "malformed"),
        ("#[-1]", "malformed"),
        ("#[", "malformed"),
        ("#[] string", "malformed"),
    ];
    for (marker, kind) in cases {
        let error = validate_expected_at("$.status", &json!(marker)).expect_err(marker);
        let found = match &error {
            MatcherError::InvalidRegex {
                path,
                marker: named,
                ..
            } => ("invalid regex", path, named),
            MatcherError::MalformedMarker {
                path,
                marker: named,
                ..
            } => ("malformed", path, named),
            MatcherError::UnknownMarker {
                path,
                marker: named,
                ..
            } => ("unknown", path, named),
        };
        assert_eq!(
            found,
            (kind, &"$.status".to_owned(), &marker.to_owned()),
            "{error}"
        );
        assert!(error.to_string().starts_with("$.status: "), "{error}");
        assert!(error.to_string().contains(marker.trim()), "{error}");
    }
}

#[test]
fn error_messages_read_well() {
    let error = validate_expected(&json!({"id": "#uuidd"})).expect_err("unknown");
    assert_eq!(
        error.to_string(),
        "$.id: unknown marker `#uuidd`; did you mean `#uuid`?"
    );
    let error = validate_expected(&json!({"n": "#[x]"})).expect_err("malformed");
    assert_eq!(
        error.to_string(),
        "$.n: malformed marker `#[x]`: `[x]` is not an array length; write `#[]` or `#[N]`"
    );
}

#[test]
fn an_invalid_marker_is_also_a_mismatch_when_matching() {
    let mismatches = match_value(
        &json!({"s": "#regex ("}),
        Some(&json!({"s": "("})),
        MatchMode::Equals,
    );
    assert_eq!(mismatches.len(), 1);
    assert!(
        mismatches[0].reason.starts_with("invalid regex"),
        "{}",
        mismatches[0].reason
    );
}

#[test]
fn regexes_match_whole_strings_even_with_alternation() {
    // Without grouping, `A|B` anchored naively would accept "Axx".
    for (actual, ok) in [
        ("A", true),
        ("B", true),
        ("Axx", false),
        ("xxB", false),
        ("A\n", false),
    ] {
        let mismatches = match_value(
            &json!("#regex A|B"),
            Some(&json!(actual)),
            MatchMode::Equals,
        );
        assert_eq!(mismatches.is_empty(), ok, "{actual:?}");
    }
}

#[test]
fn a_regex_problem_is_one_line_from_the_parser_not_its_rendering() {
    let cases = [
        ("[a", "unclosed character class"),
        ("(", "unclosed group"),
        (r"\p{Nope}", "Unicode property not found"),
    ];
    for (pattern, expected) in cases {
        let error = regex::Regex::new(pattern).unwrap_err();
        assert_eq!(super::regex_problem(pattern, &error), expected, "{pattern}");
    }
}
