//! `report.html`: one self-contained page (no script, no external asset; it
//! opens from disk or as a CI artifact) showing the gate's verdict, every
//! drifted or failed step with the baseline and the candidate side by side
//! and the differing paths highlighted, suppressed differences on demand
//! (`<details>`), a timing chart per step (inline SVG) and the run's metadata.
//!
//! Rendered by minijinja from `templates/report.html` with HTML
//! auto-escaping on: every interpolated value is escaped by the engine, so a
//! response body holding `<script>` shows as text. Anchors: `#scenario-N`
//! (N-th scenario of the report) and `#drift-N` (N-th drift), which the
//! Markdown summary links to.
//!
//! ```html
//! <span class="verdict drift" id="verdict">DRIFT</span>
//! <tr class="drift" id="drift-2"><td>value_change</td><td class="path">$.currency</td>
//!   <td class="value baseline">"EUR"</td><td class="value candidate">"USD"</td>…
//! ```

mod body;
mod chart;
mod view;

use minijinja::Environment;

use crate::judge::DriftReport;
use crate::report::ReportError;
use crate::secret::Redactor;

/// The page template, embedded in the binary.
const TEMPLATE: &str = include_str!("../templates/report.html");
/// The template's name; the `.html` suffix turns HTML auto-escaping on.
const TEMPLATE_NAME: &str = "report.html";

/// Renders the report as one HTML page, secrets redacted.
pub fn render(report: &DriftReport, redactor: &Redactor) -> Result<String, ReportError> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            minijinja::AutoEscape::Html
        } else {
            minijinja::AutoEscape::None
        }
    });
    env.add_template(TEMPLATE_NAME, TEMPLATE)
        .map_err(|e| ReportError::Html(e.to_string()))?;
    let page = env
        .get_template(TEMPLATE_NAME)
        .and_then(|t| t.render(minijinja::value::Serde(view::report_view(report, redactor))))
        .map_err(|e| ReportError::Html(e.to_string()))?;
    // Values are redacted before escaping (an escaped secret would no longer
    // match) and the page once more after.
    Ok(redactor.redact(&page).into_owned())
}

#[cfg(test)]
mod tests;
