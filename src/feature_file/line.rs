//! One line of a feature file and the pieces Gherkin reads out of it: tags
//! and table cells.
//!
//! ```text
//!   | \|æ\\n | a\nb |     →  cells "|æ\n" (column 5) and "a⏎b" (column 12)
//!   @smoke @erp #note      →  tags "smoke" (column 3) and "erp" (column 10)
//! ```
//!
//! Columns are 1-based and count characters; a tab is one column, as in
//! Cucumber's own parser.

/// A line of the file, without its line break.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// 1-based line number.
    pub number: usize,
    /// Byte offset of the line's first character in the file.
    pub offset: usize,
    /// The whole line.
    pub text: &'a str,
    /// Leading whitespace, in characters.
    pub indent: usize,
    /// The line without its leading and trailing whitespace.
    pub trimmed: &'a str,
}

/// A piece of a line with the column it starts at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// 1-based column.
    pub col: usize,
    /// The piece, unescaped.
    pub text: String,
}

/// A tag that holds whitespace (`@a tag`), at its column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagWithSpace {
    /// 1-based column of the tag.
    pub col: usize,
}

/// Splits a file into lines: `\n` or `\r\n` ends a line, a byte-order mark
/// is skipped, and a final line break does not start another line.
pub fn lines(source: &str) -> Vec<Line<'_>> {
    let start = if source.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut out = Vec::new();
    let mut offset = start;
    let body = &source[start..];
    for (i, raw) in body.split_inclusive('\n').enumerate() {
        let text = raw.strip_suffix('\n').unwrap_or(raw);
        let text = text.strip_suffix('\r').unwrap_or(text);
        let without_indent = text.trim_start();
        out.push(Line {
            number: i + 1,
            offset,
            text,
            indent: text.chars().count() - without_indent.chars().count(),
            trimmed: without_indent.trim_end(),
        });
        offset += raw.len();
    }
    out
}

impl<'a> Line<'a> {
    /// The 1-based column of the first non-blank character.
    pub fn col(&self) -> usize {
        self.indent + 1
    }

    /// Byte offset just past the line's last character.
    pub fn end(&self) -> usize {
        self.offset + self.text.len()
    }

    /// The line with up to `indent` leading whitespace characters removed
    /// (the indentation of a docstring's opening separator).
    pub fn dedented(&self, indent: usize) -> &'a str {
        let mut rest = self.text;
        for _ in 0..indent {
            match rest.chars().next() {
                Some(c) if c.is_whitespace() => rest = &rest[c.len_utf8()..],
                _ => break,
            }
        }
        rest
    }

    /// The tags of a tag line, without their `@`; a ` #` starts a comment.
    pub fn tags(&self) -> Result<Vec<Item>, TagWithSpace> {
        let uncommented = match self.trimmed.find(" #").or_else(|| self.trimmed.find("\t#")) {
            Some(at) => &self.trimmed[..at],
            None => self.trimmed,
        };
        let mut col = self.col();
        let mut tags = Vec::new();
        for (i, piece) in uncommented.split('@').enumerate() {
            if i == 0 {
                // Text before the first `@` (nothing, on a tag line).
                col += piece.chars().count();
                continue;
            }
            let name = piece.trim_end();
            if name.chars().any(char::is_whitespace) {
                return Err(TagWithSpace { col });
            }
            if !name.is_empty() {
                tags.push(Item {
                    col,
                    text: name.to_owned(),
                });
            }
            col += piece.chars().count() + 1;
        }
        Ok(tags)
    }

    /// The cells of a table row. Text before the first `|` and after the
    /// last one is not part of the table; `\|`, `\\` and `\n` are escapes,
    /// any other backslash is kept; cells are trimmed.
    pub fn cells(&self) -> Vec<Item> {
        let mut cells = Vec::new();
        let mut chars = self.trimmed.chars();
        let mut col = self.col();
        let mut cell = String::new();
        let mut cell_col = col;
        let mut opened = false;
        while let Some(c) = chars.next() {
            col += 1;
            match c {
                '|' => {
                    if opened {
                        let lead = cell.chars().take_while(|c| c.is_whitespace()).count();
                        cells.push(Item {
                            col: cell_col + lead,
                            text: cell.trim().to_owned(),
                        });
                    }
                    opened = true;
                    cell.clear();
                    cell_col = col;
                }
                '\\' => {
                    match chars.next() {
                        Some('n') => cell.push('\n'),
                        Some(e @ ('|' | '\\')) => cell.push(e),
                        Some(other) => {
                            cell.push('\\');
                            cell.push(other);
                        }
                        None => cell.push('\\'),
                    }
                    col += 1;
                }
                other => cell.push(other),
            }
        }
        cells
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Line<'_> {
        lines(text)[0]
    }

    fn texts(items: &[Item]) -> Vec<&str> {
        items.iter().map(|i| i.text.as_str()).collect()
    }

    #[test]
    fn lines_keep_numbers_offsets_and_drop_line_breaks() {
        let ls = lines("\u{feff}a\r\n  b \n\nc");
        let shown: Vec<(usize, usize, &str, usize, &str)> = ls
            .iter()
            .map(|l| (l.number, l.offset, l.text, l.indent, l.trimmed))
            .collect();
        assert_eq!(
            shown,
            [
                (1, 3, "a", 0, "a"),
                (2, 6, "  b ", 2, "b"),
                (3, 11, "", 0, ""),
                (4, 12, "c", 0, "c")
            ]
        );
        assert!(lines("").is_empty());
        assert_eq!(lines("# only a comment").len(), 1);
    }

    #[test]
    fn cells_unescape_and_ignore_text_outside_pipes() {
        let row = one(r"    | \|æ\\n | \o\no\  | tail");
        let cells = row.cells();
        assert_eq!(texts(&cells), ["|æ\\n", "\\o\no\\"]);
        assert_eq!(cells[0].col, 7);
        assert_eq!(texts(&one("|foo||boz|").cells()), ["foo", "", "boz"]);
        assert_eq!(texts(&one("| x\\y | this\\ |").cells()), ["x\\y", "this\\"]);
        assert!(one(r"| bar \").cells().is_empty());
        assert_eq!(texts(&one("|\u{a0} \tred\u{a0} \t|").cells()), ["red"]);
    }

    #[test]
    fn tags_split_on_at_and_stop_at_a_comment() {
        let tags = one("  @a @b  #c @d").tags().unwrap();
        assert_eq!(texts(&tags), ["a", "b"]);
        assert_eq!(tags[1].col, 6);
        assert_eq!(texts(&one("@j3@j4").tags().unwrap()), ["j3", "j4"]);
        assert_eq!(texts(&one("@x#2 #c").tags().unwrap()), ["x#2"]);
        assert_eq!(one("  @a tag").tags(), Err(TagWithSpace { col: 3 }));
    }
}
