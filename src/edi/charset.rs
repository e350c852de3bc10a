//! Character sets: an EDI document is read as the bytes a partner sent and
//! decoded with the character set its envelope declares; what is sent is
//! encoded back into that set, so an untouched fixture goes out byte for byte.
//!
//! ```text
//! UNB+UNOC:3+…   bytes 4D FC 6C 6C 65 72        ──decode──▶ "Müller"  (ISO 8859-1)
//! UNB+UNOD:3+…   bytes 8A 6F 64 7A              ──decode──▶ "Łodz"    (ISO 8859-2)
//! UNB+UNOE:3+…   bytes B8 D0 DD                 ──decode──▶ "Иан"     (ISO 8859-5)
//! ISA*…          UTF-8                          ──decode──▶ text as written
//! ```
//!
//! EDIFACT names its syntax level in UNB S001 (ISO 9735; the header up to it
//! is always ASCII): `UNOA`/`UNOB` are ASCII subsets, `UNOC` … `UNOK` the
//! ISO 8859 parts 1, 2, 5, 7, 3, 4, 6, 8 and 9, `UNOW` and `UNOY` UTF-8 /
//! ISO 10646, `UNOX` ISO 2022 code extensions (read as ISO-2022-JP, the
//! form they take in practice). The single-byte sets are `edifact-rs`'s
//! tables (every byte decodes to one character and encodes back to the same
//! byte); ISO-2022-JP is `encoding_rs`. X12 documents, and EDIFACT without a
//! UNB, are UTF-8.

use std::fmt;

use edifact_rs::EdifactError;

use super::EdiError;

/// The character set of a document's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Charset {
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// UTF-8: X12, EDIFACT `UNOW`, or no syntax identifier.
    Utf8,
    /// A syntax level `edifact-rs` decodes (UNOA … UNOK, UNOY).
    Level(edifact_rs::Charset),
    /// EDIFACT `UNOX`.
    Iso2022,
}

/// A document decoded from its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The document as text.
    pub text: String,
    /// The character set its bytes are in.
    pub charset: Charset,
}

impl Charset {
    /// UTF-8, the character set of X12 documents and of text without an envelope.
    pub const UTF8: Charset = Charset { kind: Kind::Utf8 };

    /// The character set the document's envelope declares: the EDIFACT UNB
    /// syntax identifier, else UTF-8. Only the ASCII header is read, so this
    /// works on bytes and on decoded text alike.
    pub fn declared(bytes: &[u8]) -> Result<Charset, EdiError> {
        let start = bytes.len() - trim_prologue(bytes).len();
        let header = &bytes[start..];
        if !(header.starts_with(b"UNA") || header.starts_with(b"UNB")) {
            return Ok(Charset::UTF8);
        }
        let identifier = || syntax_identifier(header);
        match edifact_rs::sniff_charset(header) {
            Ok(Some(level)) => Ok(Charset {
                kind: Kind::Level(level),
            }),
            Ok(None) => Ok(Charset::UTF8),
            Err(EdifactError::UnsupportedCharset { syntax_identifier })
                if syntax_identifier == "UNOX" =>
            {
                Ok(Charset {
                    kind: Kind::Iso2022,
                })
            }
            // A fixture whose syntax level is a template (`UNB+{{ env.level }}:3`) is read as
            // UTF-8; the rendered document declares its level before it is sent.
            Err(EdifactError::UnrecognisedSyntaxIdentifier(id))
                if id == "UNOW" || id.starts_with('{') =>
            {
                Ok(Charset::UTF8)
            }
            Err(
                EdifactError::UnsupportedCharset { .. }
                | EdifactError::UnrecognisedSyntaxIdentifier(_),
            ) => Err(EdiError::at(
                1,
                "UNB",
                format!(
                    "UNB syntax identifier `{}` is not an EDIFACT syntax level this tool reads; use UNOA … UNOK, UNOW, UNOX or UNOY",
                    identifier()
                ),
            )),
            Err(e) => Err(EdiError::at(1, "UNA", e.to_string())),
        }
    }

    /// The name shown in messages: `UNOC (ISO 8859-1)`, `UTF-8`.
    pub fn name(self) -> String {
        match self.kind {
            Kind::Utf8 => "UTF-8".to_owned(),
            Kind::Iso2022 => "UNOX (ISO-2022-JP)".to_owned(),
            Kind::Level(level) => format!("{level} ({})", standard_name(level)),
        }
    }

    /// Decodes `bytes`; an error names the first byte that is not a character of the set.
    pub fn decode(self, bytes: &[u8]) -> Result<String, EdiError> {
        let invalid = |offset: usize| EdiError::Encoding {
            offset,
            byte: bytes.get(offset).copied().unwrap_or_default(),
            charset: self.name(),
        };
        match self.kind {
            Kind::Utf8 => std::str::from_utf8(bytes)
                .map(str::to_owned)
                .map_err(|e| invalid(e.valid_up_to())),
            Kind::Level(level) => level
                .decode(bytes)
                .map(|text| text.into_owned())
                .map_err(|e| match e {
                    EdifactError::InvalidText { offset } => invalid(offset),
                    _ => invalid(0),
                }),
            Kind::Iso2022 => encoding_rs::ISO_2022_JP
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(|text| text.into_owned())
                .ok_or_else(|| invalid(first_non_ascii(bytes))),
        }
    }

    /// Encodes `text` into the set; an error names the first character it cannot hold.
    pub fn encode(self, text: &str) -> Result<Vec<u8>, EdiError> {
        let unrepresentable = |character: char, offset: usize| EdiError::Unrepresentable {
            character,
            at: text.get(..offset).map_or(0, |t| t.chars().count()) + 1,
            charset: self.name(),
        };
        match self.kind {
            Kind::Utf8 => Ok(text.as_bytes().to_vec()),
            Kind::Level(level) => match level.encode(text) {
                Ok(bytes) => Ok(bytes.into_owned()),
                Err(EdifactError::CharacterNotInRepertoire {
                    character, offset, ..
                }) => Err(unrepresentable(character, offset)),
                Err(_) => Err(unrepresentable('\u{fffd}', 0)),
            },
            Kind::Iso2022 => {
                let (bytes, _, had_errors) = encoding_rs::ISO_2022_JP.encode(text);
                if had_errors {
                    let (offset, character) = text
                        .char_indices()
                        .find(|(_, c)| encoding_rs::ISO_2022_JP.encode(&c.to_string()).2)
                        .unwrap_or((0, '\u{fffd}'));
                    return Err(unrepresentable(character, offset));
                }
                Ok(bytes.into_owned())
            }
        }
    }
}

impl fmt::Display for Charset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Reads a document from its bytes with the character set its envelope declares.
pub fn decode(bytes: &[u8]) -> Result<Decoded, EdiError> {
    let charset = Charset::declared(bytes)?;
    Ok(Decoded {
        text: charset.decode(bytes)?,
        charset,
    })
}

/// The bytes after a UTF-8 byte order mark and leading whitespace.
fn trim_prologue(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// The UNB syntax identifier as written (for messages), up to the next separator.
fn syntax_identifier(header: &[u8]) -> String {
    let after_una = if header.starts_with(b"UNA") {
        header.get(9..).unwrap_or_default()
    } else {
        header
    };
    let unb = trim_prologue(after_una);
    unb.get(4..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .take(8)
        .map(|&b| char::from(b))
        .collect()
}

fn first_non_ascii(bytes: &[u8]) -> usize {
    bytes.iter().position(|b| !b.is_ascii()).unwrap_or_default()
}

fn standard_name(level: edifact_rs::Charset) -> &'static str {
    match level.syntax_identifier() {
        "UNOA" => "ISO 646 upper case",
        "UNOB" => "ISO 646",
        "UNOC" => "ISO 8859-1",
        "UNOD" => "ISO 8859-2",
        "UNOE" => "ISO 8859-5",
        "UNOF" => "ISO 8859-7",
        "UNOG" => "ISO 8859-3",
        "UNOH" => "ISO 8859-4",
        "UNOI" => "ISO 8859-6",
        "UNOJ" => "ISO 8859-8",
        "UNOK" => "ISO 8859-9",
        _ => "ISO 10646, UTF-8",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unb(level: &str, name: &[u8]) -> Vec<u8> {
        let mut bytes = format!("UNB+{level}:3+A+B+261126:1000+1'NAD+BY+").into_bytes();
        bytes.extend_from_slice(name);
        bytes.extend_from_slice(b"'UNZ+0+1'");
        bytes
    }

    #[test]
    fn every_syntax_level_decodes_and_encodes_back_to_the_same_bytes() {
        let cases: [(&str, &[u8], &str); 9] = [
            ("UNOA", b"MULLER", "MULLER"),
            ("UNOB", b"Muller", "Muller"),
            ("UNOC", b"M\xFCller", "Müller"),
            ("UNOD", b"\xA3\xF3d\xBC", "Łódź"),
            ("UNOE", b"\xB8\xD2\xD0\xDD", "Иван"),
            ("UNOF", b"\xC1\xE8\xDE\xED\xE1", "Αθήνα"),
            ("UNOK", b"\xDDzmir", "İzmir"),
            ("UNOW", "Müller".as_bytes(), "Müller"),
            ("UNOY", "Łódź".as_bytes(), "Łódź"),
        ];
        for (level, name, text) in cases {
            let bytes = unb(level, name);
            let decoded = decode(&bytes).unwrap_or_else(|e| panic!("{level}: {e}"));
            assert!(decoded.text.contains(text), "{level}: {}", decoded.text);
            assert_eq!(
                decoded.charset.encode(&decoded.text).unwrap(),
                bytes,
                "{level}"
            );
        }
        let iso2022 = unb("UNOX", b"\x1b$B%F%9%H\x1b(B");
        let decoded = decode(&iso2022).unwrap();
        assert!(decoded.text.contains("テスト"), "{}", decoded.text);
        assert_eq!(decoded.charset.encode(&decoded.text).unwrap(), iso2022);
    }

    #[test]
    fn bytes_and_characters_outside_the_set_are_named() {
        let ascii_only = decode(&unb("UNOA", b"M\xFCller")).unwrap_err();
        assert_eq!(
            ascii_only.to_string(),
            "byte 37 (0xFC) is not a character of UNOA (ISO 646 upper case), the character set of the document"
        );
        let latin1 = Charset::declared(b"UNB+UNOC:3+A").unwrap();
        assert_eq!(
            latin1.encode("price 5 €").unwrap_err().to_string(),
            "character 9 `€` cannot be written in UNOC (ISO 8859-1), the character set of the document"
        );
        let unknown = Charset::declared(b"UNB+UNOQ:3+A").unwrap_err();
        assert!(
            unknown
                .to_string()
                .contains("`UNOQ` is not an EDIFACT syntax level"),
            "{unknown}"
        );
        assert_eq!(
            Charset::declared(b"UNB+{{ env.level }}:3+A").unwrap(),
            Charset::UTF8,
            "a templated syntax level is read as UTF-8 until it is rendered"
        );
        let utf8 = decode(b"ISA*\xFF").unwrap_err();
        assert!(utf8.to_string().contains("of UTF-8"), "{utf8}");
    }
}
