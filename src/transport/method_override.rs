//! Method overrides: a request sent as `GET` or `POST` that asks the server
//! to act as another method. Many frameworks honour them (Rails and Rack,
//! Laravel, Symfony, ASP.NET, Google APIs), so on a protected environment a
//! `GET` carrying one that names a write is a write.
//!
//! ```text
//! GET /api/orders/4711   X-HTTP-Method-Override: DELETE   → Some("`X-HTTP-Method-Override: DELETE`")
//! GET /api/orders?_method=delete                          → Some("`_method=delete`")
//! POST /api/orders       body _method=PUT&qty=2           → Some("`_method=PUT`")
//! GET /api/orders        X-HTTP-Method-Override: GET      → None
//! ```
//!
//! A value that is not plainly a read method (a `{{ template }}`, an
//! unknown word) counts as a write: refusing is the safe side.

use reqwest::Method;
use serde_json::Value;

use super::http::is_write;

/// Headers through which a client names the method the server should apply.
const OVERRIDE_HEADERS: &[&str] = &[
    "x-http-method-override",
    "x-method-override",
    "x-http-method",
];

/// The query or form parameter that names it.
const OVERRIDE_PARAM: &str = "_method";

/// Why a request is a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteReason {
    /// Its method writes (not GET, HEAD or OPTIONS).
    Method,
    /// A read method carries this override naming a write (`` `_method=delete` ``).
    Override(String),
}

impl WriteReason {
    /// `POST`, or `GET with `X-HTTP-Method-Override: DELETE``.
    pub fn describe(&self, method: &Method) -> String {
        match self {
            WriteReason::Method => method.to_string(),
            WriteReason::Override(found) => format!("{method} with {found}"),
        }
    }
}

/// Whether a request writes, and why: the one check a run, `--dry-run` and
/// `driftgate check` make before a protected environment.
pub fn request_writes<'a>(
    method: &Method,
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    path: &str,
    query: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: Option<&str>,
) -> Option<WriteReason> {
    if is_write(method) {
        return Some(WriteReason::Method);
    }
    write_override(headers, path, query, body).map(WriteReason::Override)
}

/// The override, if any, that makes a request a write: headers, query
/// parameters (of the path and given apart), and a form or JSON body.
pub fn write_override<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    path: &str,
    query: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: Option<&str>,
) -> Option<String> {
    for (name, value) in headers {
        if OVERRIDE_HEADERS
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name))
            && names_write(value)
        {
            return Some(format!("`{name}: {value}`"));
        }
    }
    let path_query = path.split_once('?').map_or("", |(_, q)| q);
    let from_path = form_pairs(path_query);
    let from_body = body.map(body_params).unwrap_or_default();
    let given = query.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned()));
    from_path
        .into_iter()
        .chain(given)
        .chain(from_body)
        .find(|(k, v)| k.eq_ignore_ascii_case(OVERRIDE_PARAM) && names_write(v))
        .map(|(k, v)| format!("`{k}={v}`"))
}

/// Whether an override value names anything but a read method.
fn names_write(value: &str) -> bool {
    let value = value.trim();
    !value.is_empty()
        && value
            .to_ascii_uppercase()
            .parse::<Method>()
            .map_or(true, |m| is_write(&m))
}

/// `a=1&_method=DELETE` as decoded pairs.
fn form_pairs(text: &str) -> Vec<(String, String)> {
    let Ok(mut url) = reqwest::Url::parse("http://form.invalid/") else {
        return Vec::new();
    };
    url.set_query(Some(text));
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The parameters of a body: a JSON object's top-level strings, or form pairs.
fn body_params(body: &str) -> Vec<(String, String)> {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k, v.to_owned())))
            .collect(),
        Ok(_) => Vec::new(),
        Err(_) => form_pairs(body.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Headers, path, query parameters, body, and the override expected.
    type Case = (
        &'static [(&'static str, &'static str)],
        &'static str,
        &'static [(&'static str, &'static str)],
        Option<&'static str>,
        Option<&'static str>,
    );

    #[test]
    fn an_override_naming_a_write_is_a_write() {
        let none: [(&str, &str); 0] = [];
        let cases: [Case; 12] = [
            (
                &[("X-HTTP-Method-Override", "DELETE")],
                "/o/1",
                &[],
                None,
                Some("`X-HTTP-Method-Override: DELETE`"),
            ),
            (
                &[("x-method-override", "put")],
                "/o/1",
                &[],
                None,
                Some("`x-method-override: put`"),
            ),
            (
                &[("X-HTTP-Method", "PATCH")],
                "/o/1",
                &[],
                None,
                Some("`X-HTTP-Method: PATCH`"),
            ),
            (
                &[("X-HTTP-Method-Override", "{{ m }}")],
                "/o/1",
                &[],
                None,
                Some("`X-HTTP-Method-Override: {{ m }}`"),
            ),
            (
                &[],
                "/o/1?x=1&_method=DELETE",
                &[],
                None,
                Some("`_method=DELETE`"),
            ),
            (
                &[],
                "/o/1?_method=%44ELETE",
                &[],
                None,
                Some("`_method=DELETE`"),
            ),
            (
                &[],
                "/o/1",
                &[("_method", "post")],
                None,
                Some("`_method=post`"),
            ),
            (
                &[],
                "/o",
                &[],
                Some("qty=2&_method=PUT"),
                Some("`_method=PUT`"),
            ),
            (
                &[],
                "/o",
                &[],
                Some(r#"{"_method": "DELETE", "qty": 2}"#),
                Some("`_method=DELETE`"),
            ),
            (
                &[("X-HTTP-Method-Override", "GET")],
                "/o?_method=head",
                &[],
                None,
                None,
            ),
            (
                &[("X-Correlation-Id", "DELETE")],
                "/o?method=DELETE",
                &[],
                Some(r#"{"method": "DELETE"}"#),
                None,
            ),
            (&[("X-HTTP-Method-Override", " ")], "/o", &[], None, None),
        ];
        for (headers, path, query, body, expected) in cases {
            let found = write_override(headers.iter().copied(), path, query.iter().copied(), body);
            assert_eq!(
                found.as_deref(),
                expected,
                "{headers:?} {path} {query:?} {body:?}"
            );
        }
        assert_eq!(write_override(none, "/o", none, None), None);
    }
}
