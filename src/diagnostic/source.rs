//! Positions in source text: a line by number, and a byte span (as parsers
//! such as toml report them) as a line, a column and a caret width.
//!
//! ```text
//! offset 23..26 of "[run]\nconcurrency = 0\nx = 1" ──▶ line 2, column 15, width 1
//! ```

use super::Location;

/// The text of 1-based line `line` of `text`, without its line ending.
pub fn source_line(text: &str, line: usize) -> Option<String> {
    let index = line.checked_sub(1)?;
    text.lines().nth(index).map(str::to_owned)
}

/// The location of the byte range `span` of `text` (shown as `shown`): the
/// line and column where it starts, the caret as wide as the part of the
/// range on that line. Offsets outside the text or inside a character are
/// moved to the nearest character boundary before them.
pub fn location_of_offset(
    shown: impl Into<String>,
    text: &str,
    span: std::ops::Range<usize>,
) -> Location {
    let start = floor_boundary(text, span.start);
    let end = floor_boundary(text, span.end.max(span.start));
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..start].matches('\n').count() + 1;
    let col = text[line_start..start].chars().count() + 1;
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let width = text[start..end.min(line_end)]
        .trim_end_matches('\r')
        .chars()
        .count()
        .max(1);
    Location {
        file: shown.into(),
        line,
        col,
        source_line: Some(text[line_start..line_end].trim_end_matches('\r').to_owned()),
        width,
    }
}

fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
