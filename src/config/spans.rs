//! Where a key path of a configuration problem is written in the file, so
//! the problem can point at its line and column.
//!
//! ```text
//! environments.prod.services.erp.timeout_ms   ──▶ the value `0` of `timeout_ms = 0`
//! compare.rules[1].mask[0].regex              ──▶ the value `"("` in the second [[compare.rules]]
//! waivers[0].scenario (not written)           ──▶ the `[[waivers]]` it is missing from
//! ```

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Location, location_of_offset};

/// The location of `key` in `text` (shown as `shown`): the value when the
/// key is written, else the closest enclosing key that is; `None` when the
/// text does not parse or holds none of the path.
pub(super) fn locate(text: &str, shown: &str, key: &str) -> Option<Location> {
    let document = DeTable::parse(text).ok()?;
    let span = span_of(document.get_ref(), &segments(key))?;
    Some(location_of_offset(shown, text, span))
}

/// One step of a key path: a table key, or an index into an array.
#[derive(Debug, PartialEq)]
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// `a.b[2].c` as `a`, `b`, `2`, `c`.
fn segments(key: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in key.split('.') {
        let (name, mut rest) = part.split_once('[').map_or((part, ""), |(n, r)| (n, r));
        if !name.is_empty() {
            out.push(Segment::Key(name));
        }
        while let Some((index, after)) = rest.split_once(']') {
            if let Ok(i) = index.parse() {
                out.push(Segment::Index(i));
            }
            rest = after.trim_start_matches('[');
        }
    }
    out
}

/// The span of the deepest part of `path` written in `table`: the value of
/// the whole path, or the key (table header) where the path leaves the file.
fn span_of(table: &DeTable<'_>, path: &[Segment<'_>]) -> Option<Range<usize>> {
    let Some((Segment::Key(first), rest)) = path.split_first() else {
        return None;
    };
    let (key, value) = table.iter().find(|(k, _)| k.get_ref().as_ref() == *first)?;
    Some(descend(value, rest).unwrap_or_else(|| key.span()))
}

fn descend(value: &Spanned<DeValue<'_>>, path: &[Segment<'_>]) -> Option<Range<usize>> {
    let Some((next, rest)) = path.split_first() else {
        return Some(value.span());
    };
    match (value.get_ref(), next) {
        (DeValue::Table(table), Segment::Key(_)) => span_of(table, path),
        (DeValue::Array(items), Segment::Index(i)) => {
            let item = items.get(*i)?;
            Some(descend(item, rest).unwrap_or_else(|| item.span()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[run]\nconcurrency = 0\n\n[[compare.rules]]\nroute = \"GET /a\"\n\n[[compare.rules]]\nmask = [{ path = \"$.a\", regex = \"(\" }]\n\n[environments.prod.services.erp]\nbase_url = \"ftp://x\"\n";

    fn at(key: &str) -> Option<(usize, usize, String)> {
        locate(TEXT, "driftgate.toml", key).map(|l| {
            let src = l.source_line.unwrap_or_default();
            let shown: String = src.chars().skip(l.col - 1).take(l.width).collect();
            (l.line, l.col, shown)
        })
    }

    #[test]
    fn a_written_value_is_found_through_tables_and_arrays() {
        assert_eq!(at("run.concurrency"), Some((2, 15, "0".into())));
        assert_eq!(
            at("compare.rules[1].mask[0].regex"),
            Some((8, 33, "\"(\"".into()))
        );
        assert_eq!(
            at("environments.prod.services.erp.base_url"),
            Some((11, 12, "\"ftp://x\"".into()))
        );
    }

    #[test]
    fn a_missing_key_points_at_what_encloses_it() {
        let (line, _, _) = at("environments.prod.services.erp.timeout_ms").unwrap();
        assert_eq!(line, 10);
        let (line, _, _) = at("compare.rules[0].tolerance[0]").unwrap();
        assert!((4..=5).contains(&line), "{line}");
        assert_eq!(at("policy.fail_on"), None);
        assert_eq!(locate("[run", "f", "run"), None);
    }

    #[test]
    fn key_paths_split_into_keys_and_indexes() {
        use Segment::{Index, Key};
        assert_eq!(
            segments("compare.rules[1].tolerance[0]"),
            [
                Key("compare"),
                Key("rules"),
                Index(1),
                Key("tolerance"),
                Index(0)
            ]
        );
        assert_eq!(segments("compare.noise"), [Key("compare"), Key("noise")]);
    }
}
