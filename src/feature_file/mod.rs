//! Reading `.feature` files the way Cucumber's official Gherkin parser does,
//! into cucumber's feature model.
//!
//! Every file the official parser accepts is accepted (any `# language:`,
//! escaped `\|` in cells, steps with a data table and a docstring, …);
//! every file it rejects is rejected at the line it names, with a sentence
//! instead of a token list. On top, driftgate refuses description lines
//! that were clearly meant as a keyword or a step (see `intent`).
//!
//! ```text
//! Feature: refunds              Ok(Some(Feature { name: "refunds",
//!   Scenario: full refund           scenarios: [Scenario { name: "full refund",
//!     When I ask for a refund         steps: [When "I ask for a refund"] }] }))
//! ```

mod builder;
mod dialect;
mod error;
mod grammar;
mod intent;
mod line;

use cucumber::gherkin::Feature;

pub use error::{SyntaxError, SyntaxErrorKind};

/// Parses a feature file's text. `Ok(None)` for a file without a feature
/// (empty, or only comments); otherwise the feature, or every problem in
/// the file in line order.
pub fn parse(source: &str) -> Result<Option<Feature>, Vec<SyntaxError>> {
    let lines = line::lines(source);
    let mut builder = builder::Builder::default();
    let (mut errors, dialect) = grammar::read(&lines, &mut builder);
    let (feature, build_errors, prose) = builder.finish();
    errors.extend(build_errors);
    let has_scenarios = feature.as_ref().is_some_and(|f| {
        !f.scenarios.is_empty() || f.rules.iter().any(|r| !r.scenarios.is_empty())
    });
    errors.extend(intent::misread_lines(&prose, dialect, has_scenarios));
    if errors.is_empty() {
        return Ok(feature);
    }
    errors.sort_by_key(|e| (e.line, e.col));
    errors.dedup();
    Err(errors)
}

#[cfg(test)]
mod tests;
