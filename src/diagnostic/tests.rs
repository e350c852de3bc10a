use super::*;

fn unknown_step() -> Diagnostic {
    let text = "Feature: x\n  Scenario: y\n    When I sned it\n";
    Diagnostic::error("unknown step")
        .located(Location::in_text("features/a.feature", text, 3, 10))
        .underline(10, 9)
        .with_help("did you mean `I send it`?")
}

#[test]
fn plain_rendering_is_rustc_style() {
    assert_eq!(
        unknown_step().render(Styling::Plain),
        "error: unknown step\n --> features/a.feature:3:10\n  |\n3 |     When I sned it\n  |          ^^^^^^^^^\n  = help: did you mean `I send it`?\n"
    );
}

#[test]
fn colour_rendering_styles_each_part_and_strips_to_the_plain_text() {
    let d = unknown_step().with_note("steps are matched as written");
    let coloured = d.render(Styling::Colour);
    // Bold bright red `error`, bold title, blue gutter, red caret.
    assert!(
        coloured.starts_with("\u{1b}[1m\u{1b}[91merror\u{1b}[0m\u{1b}[1m: unknown step\u{1b}[0m\n"),
        "{coloured:?}"
    );
    assert!(
        coloured.contains("\u{1b}[1m\u{1b}[94m-->\u{1b}[0m features/a.feature:3:10"),
        "{coloured:?}"
    );
    assert!(
        coloured.contains("\u{1b}[1m\u{1b}[91m^^^^^^^^^\u{1b}[0m"),
        "{coloured:?}"
    );
    assert!(
        coloured.contains("\u{1b}[1mnote\u{1b}[0m: steps are matched"),
        "{coloured:?}"
    );
    let mut stripped = Vec::new();
    let mut stream = anstream::StripStream::new(&mut stripped);
    std::io::Write::write_all(&mut stream, coloured.as_bytes()).unwrap();
    assert_eq!(
        String::from_utf8(stripped).unwrap(),
        d.render(Styling::Plain)
    );
}

#[test]
fn warnings_and_notes_are_coloured_as_what_they_are() {
    let warning = Diagnostic::warning("report not written").render(Styling::Colour);
    assert!(
        warning.starts_with("\u{1b}[1m\u{1b}[93mwarning"),
        "{warning:?}"
    );
    let note = Diagnostic::note("checks skipped").render(Styling::Plain);
    assert_eq!(note, "note: checks skipped\n");
}

#[test]
fn locations_without_a_line_name_the_file_or_the_character() {
    let cases = [
        (
            Diagnostic::error("no feature files").located(Location::file("features/")),
            "error: no feature files\n --> features/\n",
        ),
        (
            Diagnostic::error("invalid tag expression")
                .located(Location::character("--tags", 7))
                .with_help("example: --tags \"@smoke\""),
            "error: invalid tag expression\n --> --tags, character 7\n  = help: example: --tags \"@smoke\"\n",
        ),
        (
            Diagnostic::error("nothing to compare")
                .with_help("name two traces")
                .with_note("traces are JSON Lines"),
            "error: nothing to compare\n  = help: name two traces\n  = note: traces are JSON Lines\n",
        ),
    ];
    for (d, expected) in cases {
        assert_eq!(d.render(Styling::Plain), expected);
    }
}

#[test]
fn a_tab_indented_line_keeps_its_tabs_under_the_caret() {
    let d = Diagnostic::error("x").located(Location::in_text("f", "\tWhen it", 1, 3));
    assert_eq!(
        d.render(Styling::Plain),
        "error: x\n --> f:1:3\n  |\n1 | \tWhen it\n  | \t ^^^^^^\n"
    );
}

#[test]
fn a_byte_span_becomes_line_column_and_width() {
    let text = "[run]\nconcurrency = 0\r\nnote = \"é\"\n";
    let at = location_of_offset("driftgate.toml", text, 20..21);
    assert_eq!((at.line, at.col, at.width), (2, 15, 1));
    assert_eq!(at.source_line.as_deref(), Some("concurrency = 0"));
    // A span running past its line is cut at the line's end; one past the
    // text ends on the last line.
    let at = location_of_offset("f", text, 6..40);
    assert_eq!((at.line, at.col, at.width), (2, 1, 15));
    let at = location_of_offset("f", text, 33..34);
    assert_eq!((at.line, at.col), (3, 10));
    let at = location_of_offset("f", text, 500..501);
    assert_eq!((at.line, at.col), (4, 1));
}

#[test]
fn several_diagnostics_are_separated_by_a_blank_line() {
    let text = render_all(
        &[Diagnostic::error("a"), Diagnostic::error("b")],
        Styling::Plain,
    );
    assert_eq!(text, "error: a\n\nerror: b\n");
}

struct TwoProblems;

impl Diagnose for TwoProblems {
    fn diagnostics(&self) -> Vec<Diagnostic> {
        vec![Diagnostic::error("a"), Diagnostic::error("b")]
    }

    fn summary(&self) -> Option<Diagnostic> {
        Some(Diagnostic::error("2 problems in x.toml"))
    }
}

#[test]
fn an_error_renders_its_diagnostics_then_its_summary() {
    assert_eq!(
        render_error(&TwoProblems, Styling::Plain),
        "error: a\n\nerror: b\n\nerror: 2 problems in x.toml\n"
    );
}
