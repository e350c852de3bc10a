//! The read-only check a statement passes before it is sent to a protected
//! environment.
//!
//! Conservative on purpose: a statement is allowed only when, with comments,
//! string literals and `[quoted]`/`"quoted"` names blanked out, it is one
//! statement (a trailing `;` is fine) that starts with `SELECT` or `WITH` and
//! contains none of the words that write, change settings or run other code
//! (`INSERT`, `UPDATE`, `DELETE`, `MERGE`, `INTO`, `EXEC`, `CREATE`, `DROP`,
//! `ALTER`, `TRUNCATE`, `GRANT`, `SET`, `DECLARE`, `OPENROWSET`, …). A
//! legitimate read that trips it (a column named `update`) can quote the
//! name: `[update]`.
//!
//! ```text
//! "SELECT * FROM dbo.Orders WHERE OrderNo = @P1"        → Ok
//! "WITH t AS (SELECT 1 AS n) SELECT n FROM t"           → Ok
//! "SELECT * INTO #copy FROM dbo.Orders"                 → Err("… `INTO` …")
//! "SELECT 1; DELETE FROM dbo.Orders"                    → Err("… more than one statement …")
//! ```

/// Words that make a statement something other than a plain read.
const FORBIDDEN: &[&str] = &[
    "INSERT",
    "UPDATE",
    "DELETE",
    "MERGE",
    "INTO",
    "EXEC",
    "EXECUTE",
    "CREATE",
    "DROP",
    "ALTER",
    "TRUNCATE",
    "GRANT",
    "REVOKE",
    "DENY",
    "SET",
    "DECLARE",
    "USE",
    "BACKUP",
    "RESTORE",
    "DBCC",
    "KILL",
    "SHUTDOWN",
    "RECONFIGURE",
    "BULK",
    "OPENROWSET",
    "OPENQUERY",
    "OPENDATASOURCE",
    "WAITFOR",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "SAVE",
];

/// Whether the statement is a single read; the error says what was found.
pub fn check_read_only(statement: &str) -> Result<(), String> {
    let code = blank_literals(statement)?;
    let trimmed = code.trim().trim_end_matches(';').trim_end();
    if trimmed.contains(';') {
        return Err("it holds more than one statement".into());
    }
    let words: Vec<String> = trimmed
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '@' || c == '#'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    match words.first().map(String::as_str) {
        Some("SELECT" | "WITH") => {}
        Some(first) => return Err(format!("it starts with `{first}`, not SELECT or WITH")),
        None => return Err("it is empty".into()),
    }
    match words.iter().find(|w| FORBIDDEN.contains(&w.as_str())) {
        Some(word) => Err(format!("it contains `{word}`")),
        None => Ok(()),
    }
}

/// The statement with comments, string literals and quoted names replaced by
/// spaces, so words inside them are not mistaken for keywords.
fn blank_literals(statement: &str) -> Result<String, String> {
    let chars: Vec<char> = statement.chars().collect();
    let mut out = String::with_capacity(statement.len());
    let mut i = 0;
    while i < chars.len() {
        let (c, next) = (chars[i], chars.get(i + 1).copied());
        let end = match (c, next) {
            ('-', Some('-')) => line_comment_end(&chars, i),
            ('/', Some('*')) => block_comment_end(&chars, i)?,
            ('\'', _) => quoted_end(&chars, i, '\'')?,
            ('"', _) => quoted_end(&chars, i, '"')?,
            ('[', _) => quoted_end(&chars, i, ']')?,
            _ => {
                out.push(c);
                i += 1;
                continue;
            }
        };
        out.push(' ');
        i = end;
    }
    Ok(out)
}

fn line_comment_end(chars: &[char], start: usize) -> usize {
    chars[start..]
        .iter()
        .position(|&c| c == '\n')
        .map_or(chars.len(), |p| start + p + 1)
}

/// End of a `/* */` comment; T-SQL comments nest.
fn block_comment_end(chars: &[char], start: usize) -> Result<usize, String> {
    let (mut depth, mut i) = (0usize, start);
    while i + 1 < chars.len() {
        match (chars[i], chars[i + 1]) {
            ('/', '*') => {
                depth += 1;
                i += 2;
            }
            ('*', '/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Ok(i);
                }
            }
            _ => i += 1,
        }
    }
    Err("it has an unclosed /* comment".into())
}

/// End of a literal opened at `start` and closed by `close` (doubled to escape).
fn quoted_end(chars: &[char], start: usize, close: char) -> Result<usize, String> {
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == close {
            if chars.get(i + 1) == Some(&close) {
                i += 2;
                continue;
            }
            return Ok(i + 1);
        }
        i += 1;
    }
    Err(format!("it has an unclosed {}", chars[start]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pass() {
        for sql in [
            "SELECT * FROM dbo.Orders WHERE OrderNo = @P1",
            "  select count(*) as n from Orders;  ",
            "WITH t AS (SELECT 1 AS n) SELECT n FROM t",
            "SELECT 'DELETE FROM x; INSERT' AS note -- UPDATE in a comment\nFROM t",
            "SELECT [update], \"set\" FROM t /* DROP /* nested */ TABLE */",
            "SELECT 'it''s; fine' AS s",
        ] {
            assert_eq!(check_read_only(sql), Ok(()), "{sql}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_the_reason() {
        for (sql, reason) in [
            ("DELETE FROM dbo.Orders", "starts with `DELETE`"),
            ("UPDATE t SET a = 1", "starts with `UPDATE`"),
            (
                "SELECT 1; DELETE FROM dbo.Orders",
                "more than one statement",
            ),
            ("SELECT * INTO #copy FROM dbo.Orders", "contains `INTO`"),
            (
                "WITH d AS (SELECT 1 AS n) DELETE FROM t",
                "contains `DELETE`",
            ),
            ("SELECT 1 EXEC('DROP TABLE t')", "contains `EXEC`"),
            ("EXEC sp_who", "starts with `EXEC`"),
            ("SELECT * FROM OPENROWSET('x')", "contains `OPENROWSET`"),
            ("SELECT 'unclosed", "unclosed '"),
            ("SELECT 1 /* open", "unclosed /*"),
            ("  -- only a comment", "empty"),
        ] {
            let err = check_read_only(sql).unwrap_err();
            assert!(err.contains(reason), "{sql}: {err}");
        }
    }
}
