//! The cases real feature files hit, one by one: what is accepted and what
//! it becomes, and what is refused at which line.

use cucumber::gherkin::{Feature, StepType};
use proptest::prelude::*;

use super::{SyntaxErrorKind, parse};

fn feature(source: &str) -> Feature {
    match parse(source) {
        Ok(Some(f)) => f,
        other => panic!("expected a feature from {source:?}, got {other:?}"),
    }
}

fn error_lines(source: &str) -> Vec<(usize, usize, String)> {
    match parse(source) {
        Err(errors) => errors
            .into_iter()
            .map(|e| (e.line, e.col, e.to_string()))
            .collect(),
        other => panic!("expected errors from {source:?}, got {other:?}"),
    }
}

#[test]
fn a_file_without_a_feature_is_accepted_and_empty() {
    for source in ["", "\n\n", "# only a comment", "# a\n# b\n"] {
        assert_eq!(parse(source), Ok(None), "{source:?}");
    }
}

#[test]
fn escaped_pipes_backslashes_and_newlines_in_cells() {
    let f = feature(
        "Feature: f\n  Scenario: s\n    Given a table\n      | \\|a | b\\\\c | d\\ne | \\o |\n",
    );
    let table = f.scenarios[0].steps[0].table.as_ref().unwrap();
    assert_eq!(table.rows, [["|a", "b\\c", "d\ne", "\\o"]]);
}

#[test]
fn lines_padded_with_spaces_or_tabs_on_both_sides() {
    for pad in [" ", "\t"] {
        let source = format!(
            "{pad}Feature: Minimal{pad}\n{pad}\n{pad}Scenario: minimalistic{pad}\n{pad}  Given the minimalism{pad}\n"
        );
        let f = feature(&source);
        assert_eq!(f.name, "Minimal");
        assert_eq!(f.scenarios[0].name, "minimalistic");
        assert_eq!(f.scenarios[0].steps[0].value, "the minimalism");
    }
}

#[test]
fn a_step_takes_a_table_and_a_docstring_in_either_order() {
    let f = feature(concat!(
        "Feature: f\n",
        "  Scenario: table first\n",
        "    Given both\n      | id |\n      | 1  |\n      \"\"\"\n      hello\n      \"\"\"\n",
        "  Scenario: docstring first\n",
        "    Given both\n      ```json\n      {\"a\": 1}\n        \\`\\`\\`\n      ```\n      | id |\n",
    ));
    let first = &f.scenarios[0].steps[0];
    assert_eq!(first.table.as_ref().unwrap().rows, [["id"], ["1"]]);
    assert_eq!(first.docstring.as_deref(), Some("hello"));
    let second = &f.scenarios[1].steps[0];
    assert_eq!(second.docstring.as_deref(), Some("{\"a\": 1}\n  ```"));
    assert_eq!(second.table.as_ref().unwrap().rows, [["id"]]);
}

#[test]
fn a_trailing_backslash_and_text_after_the_last_pipe() {
    let f = feature(concat!(
        "Feature: f\n  Scenario Outline: o\n    Given <what>\n",
        "      | a | b \\\n      | c | d\n",
        "  Examples:\n    | what | this  |\n    | x\\\\y | this\\ |",
    ));
    let scenario = &f.scenarios[0];
    assert_eq!(
        scenario.steps[0].table.as_ref().unwrap().rows,
        [["a"], ["c"]]
    );
    let examples = scenario.examples[0].table.as_ref().unwrap();
    assert_eq!(examples.rows[1], ["x\\y", "this\\"]);
}

#[test]
fn the_model_keeps_keywords_tags_types_and_positions() {
    let f = feature(concat!(
        "@erp\nFeature: orders\n  Some text\n\n  Rule: r\n    Background:\n      Given a\n",
        "    @smoke @slow\n    Scenario: s\n      When b\n      And c\n      * d\n      Then e\n",
    ));
    assert_eq!(f.tags, ["erp"]);
    assert_eq!(f.description.as_deref(), Some("Some text"));
    let rule = &f.rules[0];
    assert_eq!(rule.background.as_ref().unwrap().steps[0].value, "a");
    let s = &rule.scenarios[0];
    assert_eq!(s.tags, ["smoke", "slow"]);
    assert_eq!((s.position.line, s.position.col), (9, 5));
    let types: Vec<(&str, StepType)> = s
        .steps
        .iter()
        .map(|st| (st.keyword.as_str(), st.ty))
        .collect();
    assert_eq!(
        types,
        [
            ("When ", StepType::When),
            ("And ", StepType::When),
            ("* ", StepType::When),
            ("Then ", StepType::Then)
        ]
    );
    assert_eq!((s.steps[1].position.line, s.steps[1].position.col), (11, 7));
}

#[test]
fn other_languages_use_their_own_keywords() {
    let f = feature("# language: fr\nFonctionnalité: f\n  Scénario: s\n    Soit un gâteau\n");
    assert_eq!(f.scenarios[0].steps[0].value, "un gâteau");
    assert_eq!(f.scenarios[0].steps[0].keyword, "Soit ");
}

#[test]
fn an_unknown_language_is_named_at_its_line() {
    let errors = parse("\n# language: no-such\nFeature: f\n").unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 2);
    assert_eq!(
        errors[0].kind,
        SyntaxErrorKind::UnknownLanguage {
            code: "no-such".into(),
            suggestion: None
        }
    );
    let typo = parse("# language: frr\nFeature: f\n").unwrap_err();
    assert!(
        typo[0].help().contains("`# language: fr`"),
        "{}",
        typo[0].help()
    );
}

#[test]
fn syntax_errors_are_reported_at_the_line_and_reading_goes_on() {
    assert_eq!(
        error_lines("\nnot gherkin\nFeature: f\n  Scenario: s\n    Given a\n  stray text\n"),
        [
            (2, 1, "`not gherkin` is not valid here".to_owned()),
            (6, 3, "`stray text` is not valid here".to_owned()),
        ]
    );
    assert_eq!(
        error_lines("Feature: f\n  Scenario: s\n    Given a\n      \"\"\"\n      x\n"),
        [(
            6,
            0,
            "the docstring opened at line 4 is never closed".to_owned()
        )]
    );
}

#[test]
fn a_misspelled_keyword_line_after_steps_gets_a_did_you_mean() {
    let errors =
        parse("Feature: f\n  Scenario: a\n    Given x\n  Scenaro: b\n    Given y\n").unwrap_err();
    assert_eq!(errors[0].line, 4);
    assert!(
        errors[0].help().starts_with("did you mean `Scenario:`?"),
        "{}",
        errors[0].help()
    );
}

#[test]
fn a_misspelled_keyword_before_the_first_scenario_is_an_error() {
    let errors = parse(concat!(
        "Feature: refunds\n",
        "  Scenaro: full refund\n",
        "    When I ask for a refund\n",
        "  Scenario: partial refund\n",
        "    When I ask for half\n",
    ))
    .unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].line, errors[0].col), (2, 3));
    assert_eq!(
        errors[0].kind,
        SyntaxErrorKind::KeywordTypo {
            word: "Scenaro".into(),
            keyword: "Scenario".into()
        }
    );
}

#[test]
fn steps_without_any_scenario_line_are_an_error() {
    let errors = parse("Feature: f\n\n  Given a\n  When b\n").unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].line, 3);
    assert!(matches!(
        errors[0].kind,
        SyntaxErrorKind::StepOutsideScenario { .. }
    ));
}

#[test]
fn a_misspelled_feature_keyword_gets_a_did_you_mean() {
    let errors = parse("Featur: orders\n  Scenario: s\n    Given a\n").unwrap_err();
    assert_eq!(errors[0].line, 1);
    assert!(
        errors[0].help().starts_with("did you mean `Feature:`?"),
        "{}",
        errors[0].help()
    );
}

#[test]
fn reading_stops_after_ten_errors() {
    let source = "not gherkin\n".repeat(10_000);
    let errors = parse(&source).unwrap_err();
    assert_eq!(errors.len(), 11);
    assert_eq!(errors[10].kind, SyntaxErrorKind::TooManyErrors);
    assert_eq!(errors[10].line, 11);
}

/// Lines Gherkin is made of, to shake the grammar with.
fn gherkin_noise() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "Feature: f",
            "Rule: r",
            "Background:",
            "Scenario: s",
            "Scenario Outline: o",
            "Examples:",
            "Given <a>",
            "And b",
            "* c",
            "| a | b |",
            "| \\| |",
            "|",
            "\"\"\"",
            "```",
            "\\\"\\\"\\\"",
            "@t @u",
            "@a b",
            "# c",
            "# language: fr",
            "# language: xx",
            "",
            "  ",
            "\t",
            "text",
            "Scenaro: x",
            "Soit a",
            "Fonctionnalité: f",
            "é\u{a0}",
        ]),
        0..40,
    )
    .prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// No input panics, and every error points into the file (or just past
    /// its end, for an early end of the file).
    #[test]
    fn no_input_panics_and_errors_point_into_the_file(source in gherkin_noise()) {
        let lines = source.lines().count();
        if let Err(errors) = parse(&source) {
            prop_assert!(!errors.is_empty());
            for e in errors {
                prop_assert!(e.line >= 1 && e.line <= lines + 1, "{e:?} in {source:?}");
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(source in any::<String>()) {
        let _ = parse(&source);
    }
}
