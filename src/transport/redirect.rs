//! Redirects: by default a 3xx is the observed response, compared like any
//! other (as Hurl does). A service with `follow_redirects = true` follows up
//! to [`MAX_REDIRECTS`] of them, each recorded in the trace, and never sends
//! its credentials to another origin:
//!
//! ```text
//! GET https://erp/api/orders/1   Authorization: Bearer …, X-Api-Key: …
//!   302 Location: /api/v2/orders/1            → same origin: headers kept
//!   302 Location: https://cdn.other/o/1       → other origin: credentials dropped
//!   200                                        ← the observed response
//! ```

use reqwest::{Method, StatusCode, Url};

/// Redirects followed before the request is an error.
pub const MAX_REDIRECTS: usize = 10;

/// Headers that carry credentials whatever service sends them.
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "proxy-authorization", "cookie"];

/// The request a redirect leads to.
#[derive(Debug, Clone, PartialEq)]
pub struct NextHop {
    /// Method of the next request (303, and 301/302 after a POST, turn it into GET).
    pub method: Method,
    /// Absolute URL.
    pub url: Url,
    /// Whether the body is sent again (307 and 308 only).
    pub keeps_body: bool,
}

/// Where a response sends the client next, if it is a redirect with a
/// usable `Location`.
pub fn next_hop(
    method: &Method,
    url: &Url,
    status: StatusCode,
    location: Option<&str>,
) -> Option<NextHop> {
    if !status.is_redirection() || status == StatusCode::NOT_MODIFIED {
        return None;
    }
    let next = url.join(location?.trim()).ok()?;
    if !matches!(next.scheme(), "http" | "https") {
        return None;
    }
    let keeps = matches!(
        status,
        StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
    );
    let method = if keeps
        || *method == Method::HEAD
        || (status != StatusCode::SEE_OTHER && *method == Method::GET)
    {
        method.clone()
    } else {
        Method::GET
    };
    Some(NextHop {
        method,
        url: next,
        keeps_body: keeps,
    })
}

/// Whether two URLs share scheme, host and port.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.origin() == b.origin()
}

/// The headers without any credential: `Authorization`, `Proxy-Authorization`,
/// `Cookie`, and the service's own (`service_credentials`: its `auth` header,
/// headers whose value is a secret, such as `X-Api-Key`).
pub fn without_credentials(
    headers: &[(String, String)],
    service_credentials: &[String],
) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(name, _)| {
            let listed = CREDENTIAL_HEADERS
                .iter()
                .any(|c| c.eq_ignore_ascii_case(name));
            let own = service_credentials
                .iter()
                .any(|c| c.eq_ignore_ascii_case(name));
            !(listed || own)
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redirect_says_where_and_how_to_go_next() {
        let url = Url::parse("https://erp.example/api/orders/1").unwrap();
        let cases = [
            (
                Method::GET,
                302,
                Some("/v2/1"),
                Some((Method::GET, "https://erp.example/v2/1", false)),
            ),
            (
                Method::POST,
                302,
                Some("done"),
                Some((Method::GET, "https://erp.example/api/orders/done", false)),
            ),
            (
                Method::POST,
                303,
                Some("https://x.other/"),
                Some((Method::GET, "https://x.other/", false)),
            ),
            (
                Method::PUT,
                307,
                Some("/again"),
                Some((Method::PUT, "https://erp.example/again", true)),
            ),
            (
                Method::POST,
                308,
                Some("/again"),
                Some((Method::POST, "https://erp.example/again", true)),
            ),
            (
                Method::HEAD,
                303,
                Some("/h"),
                Some((Method::HEAD, "https://erp.example/h", false)),
            ),
            (Method::GET, 304, Some("/x"), None),
            (Method::GET, 302, None, None),
            (Method::GET, 302, Some("file:///etc/passwd"), None),
            (Method::GET, 200, Some("/x"), None),
        ];
        for (method, status, location, expected) in cases {
            let status = StatusCode::from_u16(status).unwrap();
            let hop = next_hop(&method, &url, status, location);
            let got = hop.map(|h| (h.method, h.url.to_string(), h.keeps_body));
            let expected = expected.map(|(m, u, k)| (m, u.to_owned(), k));
            assert_eq!(got, expected, "{method} {status} {location:?}");
        }
    }

    #[test]
    fn credentials_are_removed_and_other_headers_kept() {
        let headers: Vec<(String, String)> = [
            ("Authorization", "Bearer t"),
            ("cookie", "s=1"),
            ("X-Api-Key", "k"),
            ("X-Tenant", "acme"),
            ("Accept", "application/json"),
        ]
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
        let kept = without_credentials(&headers, &["x-api-key".to_owned()]);
        let names: Vec<&str> = kept.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["X-Tenant", "Accept"]);
        let a = Url::parse("https://erp.example/a").unwrap();
        assert!(same_origin(
            &a,
            &Url::parse("https://erp.example:443/b").unwrap()
        ));
        assert!(!same_origin(
            &a,
            &Url::parse("http://erp.example/a").unwrap()
        ));
        assert!(!same_origin(
            &a,
            &Url::parse("https://erp.example:8443/a").unwrap()
        ));
        assert!(!same_origin(
            &a,
            &Url::parse("https://other.example/a").unwrap()
        ));
    }
}
