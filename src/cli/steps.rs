//! The commands that need no environment: `steps` lists the built-in steps,
//! `check` lints features, fixtures and config.
//!
//! ```text
//! driftgate steps --format markdown > docs/steps.md
//! driftgate check features/ --config driftgate.toml
//! ```

use std::path::PathBuf;

use anyhow::Context as _;
use clap::ValueEnum;
use driftgate::exit;
use driftgate::world::steps::reference::{self, ReferenceFormat};

use super::output;

/// `driftgate steps`.
#[derive(Debug, clap::Args)]
pub(crate) struct StepsArgs {
    /// Output format: text, json (for editor tooling) or markdown (docs/steps.md).
    #[arg(long, value_enum, default_value_t = StepsFormat::Text)]
    format: StepsFormat,
}

/// How `steps` prints the step reference.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum StepsFormat {
    Text,
    Json,
    Markdown,
}

/// `driftgate check`.
#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// Feature files or folders (default: [run] features of the config, else features/).
    paths: Vec<PathBuf>,
    /// Configuration file; service, environment and protected-write checks need it.
    #[arg(short, long, env = "DRIFTGATE_CONFIG")]
    config: Option<PathBuf>,
}

/// Prints the reference of every built-in step.
pub(crate) fn print_steps(args: &StepsArgs) -> u8 {
    let format = match args.format {
        StepsFormat::Text => ReferenceFormat::Text,
        StepsFormat::Json => ReferenceFormat::Json,
        StepsFormat::Markdown => ReferenceFormat::Markdown,
    };
    print!("{}", reference::render(format));
    exit::NO_DRIFT
}

/// Lints the features, fixtures and config; the usage exit code when anything is found.
pub(crate) fn check(args: &CheckArgs) -> anyhow::Result<u8> {
    let root = std::env::current_dir().context("cannot read the current directory")?;
    let outcome = driftgate::lint::check(&args.paths, args.config.as_deref(), &root);
    for note in &outcome.notes {
        output::note(note.clone());
    }
    for finding in &outcome.findings {
        println!("{finding}");
    }
    println!("{}", outcome.summary());
    Ok(if outcome.findings.is_empty() {
        exit::NO_DRIFT
    } else {
        exit::USAGE
    })
}
