//! X12 tokenizer: delimiters from the fixed-width ISA, then segments,
//! elements, repetitions and components.
//!
//! ```text
//! ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261126*1000*^*00501*000000001*0*P*>~
//!    ^ element separator (byte 3)                                              ISA11 ^         ISA16 ^ ^ terminator
//! ```
//!
//! ISA elements have fixed widths (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9,
//! 1, 1, 1), so an element of the wrong width is named. ISA11 is the
//! repetition separator when it is not a letter or digit (version 00402 on);
//! `U` in older versions means there is none. Line breaks after a segment
//! terminator are skipped.

use super::{Delimiters, EdiError, Element, Interchange, Segment, Standard};

/// Widths of ISA01 … ISA16.
const ISA_WIDTHS: [usize; 16] = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];

/// Splits an X12 interchange (text starting with `ISA`, after whitespace) into segments.
pub(super) fn tokenize(text: &str) -> Result<Interchange, EdiError> {
    let start = text.len()
        - text
            .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
            .len();
    let (delimiters, isa_len) = read_isa(&text.as_bytes()[start..])?;
    let mut segments = vec![isa_segment(
        &text[start..start + isa_len],
        start,
        &delimiters,
    )];
    let mut at = start + isa_len;
    loop {
        at += skip_line_breaks(&text[at..]);
        if at >= text.len() {
            break;
        }
        let position = segments.len() + 1;
        let rest = &text[at..];
        let Some(end) = rest.find(delimiters.segment) else {
            return Err(truncated(position, rest, &delimiters));
        };
        segments.push(segment(&rest[..end], position, at, &delimiters)?);
        at += end + delimiters.segment.len_utf8();
    }
    Ok(Interchange {
        standard: Standard::X12,
        delimiters,
        segments,
    })
}

/// The delimiters declared by the ISA at the start of `bytes`, and the ISA's length with its terminator.
fn read_isa(bytes: &[u8]) -> Result<(Delimiters, usize), EdiError> {
    let isa_error = |message: String| EdiError::at(1, "ISA", message);
    let Some(&element) = bytes.get(3) else {
        return Err(isa_error(
            "truncated: the ISA segment is cut off before its element separator".into(),
        ));
    };
    let mut pos = 4;
    for (n, width) in ISA_WIDTHS.iter().enumerate().take(15) {
        let field_len = bytes[pos..]
            .iter()
            .position(|&b| b == element)
            .ok_or_else(|| {
                isa_error(format!(
                    "truncated: ISA{:02} is not followed by the element separator `{}` (the ISA segment is 106 characters)",
                    n + 1,
                    printable(element)
                ))
            })?;
        if field_len != *width {
            return Err(isa_error(format!(
                "ISA{:02} is {field_len} characters, must be {width} (the ISA segment has a fixed width of 106 characters)",
                n + 1
            )));
        }
        pos += field_len + 1;
    }
    let (Some(&component), Some(&terminator)) = (bytes.get(pos), bytes.get(pos + 1)) else {
        return Err(isa_error(
            "truncated: the ISA segment ends before ISA16 and its segment terminator".into(),
        ));
    };
    let repetition = bytes[82];
    let delimiters = Delimiters {
        element: char::from(element),
        component: char::from(component),
        repetition: (!repetition.is_ascii_alphanumeric()).then_some(char::from(repetition)),
        segment: char::from(terminator),
        release: None,
    };
    check_delimiters(bytes, &delimiters)?;
    Ok((delimiters, pos + 2))
}

/// Each delimiter is an ASCII character that is not a letter, digit or space, and no two are the same.
fn check_delimiters(isa: &[u8], d: &Delimiters) -> Result<(), EdiError> {
    if !isa[..106].is_ascii() {
        return Err(EdiError::at(
            1,
            "ISA",
            "the ISA segment contains non-ASCII characters",
        ));
    }
    let named = [
        ("element separator (byte 4)", Some(d.element)),
        ("repetition separator ISA11", d.repetition),
        ("component separator ISA16", Some(d.component)),
        ("segment terminator (after ISA16)", Some(d.segment)),
    ];
    for (i, (name, delimiter)) in named.iter().enumerate() {
        let Some(c) = delimiter else { continue };
        if c.is_ascii_alphanumeric() || *c == ' ' {
            return Err(EdiError::at(
                1,
                "ISA",
                format!(
                    "unknown delimiters: the {name} is `{c}`; delimiters must not be letters, digits or spaces"
                ),
            ));
        }
        if let Some((other, _)) = named[..i].iter().find(|(_, d)| *d == Some(*c)) {
            return Err(EdiError::at(
                1,
                "ISA",
                format!(
                    "unknown delimiters: the {name} `{}` is also the {other}",
                    printable_char(*c)
                ),
            ));
        }
    }
    Ok(())
}

/// The ISA as a segment: its elements are not split (ISA11 and ISA16 *are* separators).
fn isa_segment(text: &str, offset: usize, d: &Delimiters) -> Segment {
    let body = text.get(..text.len() - 1).unwrap_or_default();
    let elements = body
        .split(d.element)
        .skip(1)
        .map(|e| Element::of(&[e]))
        .collect();
    Segment {
        position: 1,
        offset,
        tag: "ISA".into(),
        elements,
    }
}

fn segment(
    text: &str,
    position: usize,
    offset: usize,
    d: &Delimiters,
) -> Result<Segment, EdiError> {
    let mut parts = text.split(d.element);
    let tag = parts.next().unwrap_or_default();
    if !is_tag(tag) {
        return Err(EdiError::at(
            position,
            "",
            format!(
                "`{}` is not a segment tag (2–3 upper-case letters or digits, starting with a letter)",
                excerpt(tag)
            ),
        ));
    }
    let elements = parts.map(|e| element(e, d)).collect();
    Ok(Segment {
        position,
        offset,
        tag: tag.to_owned(),
        elements,
    })
}

fn element(text: &str, d: &Delimiters) -> Element {
    let repetitions: Vec<&str> = match d.repetition {
        Some(r) => text.split(r).collect(),
        None => vec![text],
    };
    Element {
        repetitions: repetitions
            .into_iter()
            .map(|r| r.split(d.component).map(str::to_owned).collect())
            .collect(),
    }
}

/// Whether `tag` is a segment tag: 2–3 upper-case ASCII letters or digits, the first a letter.
pub(super) fn is_tag(tag: &str) -> bool {
    (2..=3).contains(&tag.len())
        && tag.starts_with(|c: char| c.is_ascii_uppercase())
        && tag
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

fn truncated(position: usize, rest: &str, d: &Delimiters) -> EdiError {
    let tag = rest.split(d.element).next().unwrap_or_default();
    let tag = if is_tag(tag) { tag } else { "" };
    EdiError::at(
        position,
        tag,
        format!(
            "truncated: `{}` ends without the segment terminator `{}`",
            excerpt(rest.trim_end()),
            printable_char(d.segment)
        ),
    )
}

fn skip_line_breaks(text: &str) -> usize {
    text.len() - text.trim_start_matches(['\r', '\n']).len()
}

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

fn printable(byte: u8) -> String {
    printable_char(char::from(byte))
}

/// A delimiter as shown in messages (`\n` for a line feed).
fn printable_char(c: char) -> String {
    c.escape_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISA: &str = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261126*1000*^*00501*000000001*0*P*>~";

    #[test]
    fn delimiters_come_from_the_isa() {
        let (d, len) = read_isa(ISA.as_bytes()).unwrap();
        assert_eq!(len, 106);
        assert_eq!(
            (d.element, d.component, d.repetition, d.segment),
            ('*', '>', Some('^'), '~')
        );
        let old = ISA.replace("*^*00501", "*U*00401");
        assert_eq!(read_isa(old.as_bytes()).unwrap().0.repetition, None);
    }

    #[test]
    fn bad_isa_names_the_element_and_position() {
        let cases = [
            (
                ISA.replace("SENDER         ", "SENDER"),
                "ISA06 is 6 characters, must be 15",
            ),
            (ISA[..50].to_owned(), "truncated: ISA06"),
            ("ISA".to_owned(), "truncated"),
            (
                ISA.replace("*P*>~", "*P*X~"),
                "unknown delimiters: the component separator ISA16 is `X`",
            ),
            (
                ISA.replace("*P*>~", "*P*~~"),
                "unknown delimiters: the segment terminator (after ISA16) `~` is also the component separator ISA16",
            ),
            (
                ISA.replace("*P*>~", "*P*>"),
                "truncated: the ISA segment ends before ISA16",
            ),
        ];
        for (text, expected) in cases {
            let error = read_isa(text.as_bytes()).unwrap_err().to_string();
            assert!(error.starts_with("segment 1 (ISA): "), "{error}");
            assert!(error.contains(expected), "{text}\n{error}");
        }
    }

    #[test]
    fn segments_elements_repetitions_and_components_split() {
        let text = format!("{ISA}\r\nGS*PO*A*B~\nSV1*HC>99213>25*1^2~");
        let ix = tokenize(&text).unwrap();
        let tags: Vec<&str> = ix.segments.iter().map(|s| s.tag.as_str()).collect();
        assert_eq!(tags, ["ISA", "GS", "SV1"]);
        let sv1 = &ix.segments[2];
        assert_eq!(sv1.position, 3);
        assert_eq!(&text[sv1.offset..sv1.offset + 3], "SV1");
        assert_eq!(sv1.elements[0].repetitions, [["HC", "99213", "25"]]);
        assert_eq!(sv1.elements[1].repetitions, [["1"], ["2"]]);
        assert_eq!(ix.segments[0].elements[15], Element::of(&[">"]));
    }

    #[test]
    fn truncated_and_bad_tags_name_the_segment() {
        let truncated = tokenize(&format!("{ISA}GS*PO*A*B~ST*850*00")).unwrap_err();
        assert_eq!(
            truncated.to_string(),
            "segment 3 (ST): truncated: `ST*850*00` ends without the segment terminator `~`"
        );
        let bad = tokenize(&format!("{ISA}gs*PO~")).unwrap_err();
        assert_eq!(bad.position(), Some(2));
        assert!(bad.to_string().contains("`gs` is not a segment tag"));
    }
}
