//! How a command ends: the terminal report of a judged run, the files it
//! left (trace, reports, metrics), warnings and errors, and the exit code.
//! This is the one place that writes errors, warnings and notes to stderr:
//! each a [`Diagnostic`], in colour where stderr shows it (`--color`,
//! `NO_COLOR`), plain elsewhere.
//!
//! ```text
//! (the terminal report)
//! trace: driftgate-reports/trace.jsonl
//! report: driftgate-reports/drift.json
//! report: driftgate-reports/junit.xml
//! metrics: driftgate-reports/driftgate.prom
//! ```

use std::path::{Path, PathBuf};

use driftgate::diagnostic::{Diagnose, Diagnostic, Styling, render_error};
use driftgate::exit;
use driftgate::judge::DriftReport;
use driftgate::report;
use driftgate::report::terminal::TerminalOptions;
use driftgate::runner::{RunError, RunOutcome};
use driftgate::secret::Redactor;

use super::args::MetricsArgs;

/// Prints what is wrong with a command line (or a file it names); returns
/// the usage exit code.
pub(crate) fn usage_error(e: &dyn Diagnose) -> u8 {
    failed(e, exit::USAGE)
}

/// Prints the error; returns `code`.
pub(crate) fn failed(e: &dyn Diagnose, code: u8) -> u8 {
    anstream::eprint!("{}", render_error(e, Styling::Colour));
    code
}

/// Prints why a run could not judge anything; returns its exit code.
pub(crate) fn run_failed(e: &RunError) -> u8 {
    failed(e, e.exit_code())
}

/// Prints `warning: …`.
pub(crate) fn warning(text: impl Into<String>) {
    anstream::eprint!("{}", Diagnostic::warning(text).render(Styling::Colour));
}

/// Prints `note: …`.
pub(crate) fn note(text: impl Into<String>) {
    anstream::eprint!("{}", Diagnostic::note(text).render(Styling::Colour));
}

/// Prints the report files that could not be written, secrets redacted.
pub(crate) fn print_warnings(errors: &[String], redactor: &Redactor) {
    for e in errors {
        warning(redactor.redact(e));
    }
}

/// Prints the outcome of a run, writes its metrics; returns its exit code.
pub(crate) fn run_outcome(
    outcome: Result<RunOutcome, RunError>,
    view: TerminalOptions,
    metrics: &MetricsArgs,
) -> u8 {
    match outcome {
        Err(e) => run_failed(&e),
        Ok(outcome) => {
            let judged = Judged {
                report: &outcome.report,
                redactor: &outcome.redactor,
                trace: Some(&outcome.trace_path),
                files: &outcome.report_files,
                errors: &outcome.report_errors,
            };
            judged.print(view, metrics)
        }
    }
}

/// Writes and prints a report rebuilt from traces, writes its metrics;
/// returns its exit code.
pub(crate) fn rebuilt_report(
    report: Result<DriftReport, RunError>,
    dir: &Path,
    view: TerminalOptions,
    metrics: &MetricsArgs,
) -> u8 {
    match report {
        Ok(report) => {
            let files = ReportFiles {
                dir: Some(dir),
                trace: None,
            };
            written_report(&report, files, &Redactor::default(), view, metrics)
        }
        Err(e) => run_failed(&e),
    }
}

/// Where a judged report goes besides the terminal.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ReportFiles<'a> {
    /// The folder for every report format; none are written without it.
    pub(crate) dir: Option<&'a Path>,
    /// The trace its records were written to, to name it.
    pub(crate) trace: Option<&'a Path>,
}

/// Writes a judged report into its folder, when there is one, prints it and
/// the files it left, writes its metrics; returns its exit code.
pub(crate) fn written_report(
    report: &DriftReport,
    files: ReportFiles<'_>,
    redactor: &Redactor,
    view: TerminalOptions,
    metrics: &MetricsArgs,
) -> u8 {
    let (written, errors) = match files
        .dir
        .map(|dir| report::write_all(report, dir, redactor))
    {
        None => (Vec::new(), Vec::new()),
        Some(Ok(written)) => (written, Vec::new()),
        Some(Err(e)) => (Vec::new(), vec![e.to_string()]),
    };
    let judged = Judged {
        report,
        redactor,
        trace: files.trace,
        files: &written,
        errors: &errors,
    };
    judged.print(view, metrics)
}

/// A judged run and the files it left behind.
struct Judged<'a> {
    report: &'a DriftReport,
    redactor: &'a Redactor,
    trace: Option<&'a Path>,
    files: &'a [PathBuf],
    errors: &'a [String],
}

impl Judged<'_> {
    /// Prints the terminal report and the files, writes the metrics; returns
    /// the verdict's exit code.
    fn print(&self, view: TerminalOptions, metrics: &MetricsArgs) -> u8 {
        print!(
            "{}",
            report::terminal::render_with(self.report, view, self.redactor)
        );
        if let Some(trace) = self.trace {
            println!("trace: {}", trace.display());
        }
        for file in self.files {
            println!("report: {}", file.display());
        }
        print_warnings(self.errors, self.redactor);
        write_metrics(self.report, metrics);
        self.report.exit_code()
    }
}

/// Writes the drift indicators asked for; a file that cannot be written is
/// a warning (the gate's exit code stays the drift's).
fn write_metrics(report: &DriftReport, metrics: &MetricsArgs) {
    match report::metrics::write(
        report,
        metrics.metrics.as_deref(),
        metrics.metrics_json.as_deref(),
    ) {
        Ok(files) => {
            for file in files {
                println!("metrics: {}", file.display());
            }
        }
        Err(e) => warning(e.to_string()),
    }
}
