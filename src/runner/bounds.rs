//! The sizes a run accepts, so that a typo or a hostile feature file is a
//! clear error (exit 2, naming where) instead of a stack overflow or an
//! allocation storm:
//!
//! ```text
//! --tags               at most 128 operators (and, or, not), parentheses at most 32 deep
//! @samples(N)          1 ≤ N ≤ 1000, and so --samples and --warmup
//! one run              at most 100,000 scenario runs (outline rows × tenants × repetitions)
//! ```
//!
//! Timeouts and time windows are bounded in [`crate::config::duration`].

use cucumber::gherkin::tagexpr::TagOperation;

use super::RunError;
use crate::diagnostic::{Diagnostic, Location};

/// Most repetitions of a scenario (`@samples(N)`, `--samples`, `--warmup`).
pub const MAX_SAMPLES: usize = 1000;
/// Most scenario runs one run starts: outline rows, tenants and repetitions
/// counted one by one. Split a bigger suite with `--tags` or `--shard`.
pub const MAX_SCENARIO_RUNS: usize = 100_000;
/// Most operators (`and`, `or`, `not`) in a `--tags` expression.
pub const MAX_TAG_OPERATORS: usize = 128;
/// Deepest nesting of parentheses in a `--tags` expression.
pub const MAX_TAG_NESTING: usize = 32;

/// Refuses a run that would start more than [`MAX_SCENARIO_RUNS`] scenario
/// runs (`what` says how they multiply), before they are made.
pub fn check_run_size(runs: usize, what: &str) -> Result<(), RunError> {
    if runs <= MAX_SCENARIO_RUNS {
        return Ok(());
    }
    Err(RunError::TooManyRuns {
        runs,
        what: what.to_owned(),
        max: MAX_SCENARIO_RUNS,
    })
}

/// Parses a `--tags` expression after checking its size: the parser and the
/// expression tree it builds recurse once per operator and parenthesis.
pub fn parse_tag_expression(expr: &str) -> Result<TagOperation, Diagnostic> {
    let problem = |title: String, col: usize| {
        Diagnostic::error(title)
            .located(Location::character("--tags", col))
            .with_help("example: --tags \"@smoke and not @slow\"")
    };
    let size = measure(expr);
    if size.operators > MAX_TAG_OPERATORS {
        return Err(problem(
            format!(
                "tag expression has {} operators (and, or, not); at most {MAX_TAG_OPERATORS} are allowed",
                size.operators
            ),
            size.operator_limit_col,
        ));
    }
    if size.nesting > MAX_TAG_NESTING {
        return Err(problem(
            format!(
                "tag expression nests parentheses {} deep; at most {MAX_TAG_NESTING} are allowed",
                size.nesting
            ),
            size.nesting_limit_col,
        ));
    }
    expr.parse::<TagOperation>().map_err(|e| {
        problem(
            format!("invalid tag expression `{expr}`: {e}"),
            e.location.column,
        )
    })
}

/// How big a tag expression is, and where (1-based columns) it passed each limit.
#[derive(Debug, Default, PartialEq, Eq)]
struct TagSize {
    operators: usize,
    nesting: usize,
    operator_limit_col: usize,
    nesting_limit_col: usize,
}

/// Ends the word read so far at column `col`, counting it when it is an operator.
fn end_word(word: &mut String, size: &mut TagSize, col: usize) {
    if matches!(word.as_str(), "and" | "or" | "not") {
        size.operators += 1;
        if size.operators == MAX_TAG_OPERATORS + 1 {
            size.operator_limit_col = col;
        }
    }
    word.clear();
}

/// Counts operators and the deepest nesting without parsing: words are split
/// at whitespace and unescaped parentheses; `\` escapes the next character.
fn measure(expr: &str) -> TagSize {
    let mut size = TagSize::default();
    let mut depth = 0usize;
    let mut word = String::new();
    let mut escaped = false;
    for (i, c) in expr.chars().enumerate() {
        let col = i + 1;
        if escaped {
            escaped = false;
            word.push(c);
            continue;
        }
        match c {
            '\\' => {
                escaped = true;
                word.push(c);
            }
            '(' => {
                end_word(&mut word, &mut size, col);
                depth += 1;
                if depth > size.nesting {
                    size.nesting = depth;
                    if depth == MAX_TAG_NESTING + 1 {
                        size.nesting_limit_col = col;
                    }
                }
            }
            ')' => {
                end_word(&mut word, &mut size, col);
                depth = depth.saturating_sub(1);
            }
            c if c.is_whitespace() => end_word(&mut word, &mut size, col),
            c => word.push(c),
        }
    }
    end_word(&mut word, &mut size, expr.chars().count() + 1);
    size
}

#[cfg(test)]
mod tests {
    use super::*;
    use cucumber::tag::Ext as _;
    use proptest::prelude::*;

    #[test]
    fn ordinary_expressions_parse() {
        for expr in [
            "@smoke",
            "@smoke and not @slow",
            "(@a or @b) and not (@c or @d)",
            "not(@a)",
            r"@we\(ird\) and @or",
        ] {
            assert!(parse_tag_expression(expr).is_ok(), "{expr}");
        }
        assert_eq!(measure("@and and @not").operators, 1);
    }

    #[test]
    fn twenty_thousand_parentheses_or_nots_are_a_clear_error() {
        let cases = [
            (
                format!("{}@a{}", "(".repeat(20_000), ")".repeat(20_000)),
                "nests parentheses 20000 deep; at most 32",
                33,
            ),
            (
                format!("{}@a", "not ".repeat(20_000)),
                "has 20000 operators (and, or, not); at most 128",
                516,
            ),
            (
                vec!["@a"; 20_001].join(" and "),
                "has 20000 operators (and, or, not); at most 128",
                903,
            ),
        ];
        for (expr, message, col) in cases {
            let error = parse_tag_expression(&expr).unwrap_err();
            assert!(error.title.contains(message), "{}", error.title);
            let at = error.location.unwrap();
            assert_eq!((at.file.as_str(), at.col), ("--tags", col));
        }
    }

    /// Random expressions from tag-expression tokens, well formed or not.
    fn expression() -> impl Strategy<Value = String> {
        let token = prop::sample::select(vec![
            "(", ")", "not ", " and ", " or ", "@a", "@b", " ", "\\", "@x\\(", "not(",
        ]);
        prop::collection::vec(token, 0..600).prop_map(|tokens| tokens.concat())
    }

    fn depth(op: &TagOperation) -> usize {
        match op {
            TagOperation::Tag(_) => 1,
            TagOperation::Not(x) => 1 + depth(x),
            TagOperation::And(x, y) | TagOperation::Or(x, y) => 1 + depth(x).max(depth(y)),
        }
    }

    proptest! {
        #[test]
        fn any_expression_parses_or_is_refused_and_never_nests_past_the_limits(expr in expression()) {
            if let Ok(op) = parse_tag_expression(&expr) {
                prop_assert!(depth(&op) <= MAX_TAG_OPERATORS + 1, "{expr}");
                let tags = ["@a".to_owned()];
                let _ = op.eval(tags.iter());
            }
        }
    }
}
