//! End to end: secrets of every kind (a bearer token with URL and HTML
//! special characters, basic auth, an API-key header from a file, a password
//! in a `base_url`, AMQP and SQL passwords) against servers that echo the
//! Authorization header into a body, a header and redirect locations (same
//! and other origin). No output of the run — stdout, stderr at `-vv`, the
//! trace, every report — holds any secret in any encoding, and the other
//! origin never receives a credential.

use crate::common::{Project, Twins};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const BEARER: &str = "a+b/c=d%&<>Tk9";
const API_KEY: &str = "key-7Hq/+=&x";
const BASIC_USER: &str = "svc-wms";
const BASIC_PASS: &str = "b@sic pa:ss/+1";
const URL_USER: &str = "legacy-user";
const URL_PASS: &str = "url-p@ss/9";
const AMQP_PASS: &str = "amqp-Pw+!7x";
const SQL_PASS: &str = "sql-Pw&7x";

/// Every secret planted, as the services see them.
fn secrets() -> Vec<String> {
    vec![
        BEARER.to_owned(),
        format!("Bearer {BEARER}"),
        API_KEY.to_owned(),
        BASIC_PASS.to_owned(),
        format!("{BASIC_USER}:{BASIC_PASS}"),
        URL_PASS.to_owned(),
        format!("{URL_USER}:{URL_PASS}"),
        AMQP_PASS.to_owned(),
        SQL_PASS.to_owned(),
    ]
}

/// A secret in every encoding it could leak as.
fn encodings(secret: &str) -> Vec<String> {
    let component = utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string();
    let mut url = reqwest::Url::parse("http://x/").expect("a URL");
    url.set_path(secret);
    url.query_pairs_mut().append_pair("q", secret);
    let path = url.path().trim_start_matches('/').to_owned();
    let form = url
        .query()
        .unwrap_or_default()
        .trim_start_matches("q=")
        .to_owned();
    let mut all = vec![
        secret.to_owned(),
        serde_json::to_string(secret)
            .expect("JSON")
            .trim_matches('"')
            .to_owned(),
        component.clone(),
        component.to_ascii_lowercase(),
        path,
        form,
    ];
    for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
        all.push(engine.encode(secret));
    }
    let html = secret
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    all.push(html.replace('/', "&#x2f;"));
    all.push(html);
    all
}

/// Answers with what it was sent: the Authorization and API-key headers in
/// the body and a header, or in a redirect's Location.
struct Echo {
    side: &'static str,
    other_origin: String,
}

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (auth, key) = (header("authorization"), header("x-api-key"));
        let encoded = |v: &str| utf8_percent_encode(v, NON_ALPHANUMERIC).to_string();
        match request.url.path() {
            "/redirect-same" => ResponseTemplate::new(302).insert_header(
                "location",
                format!("/landing?auth={}&key={}", encoded(&auth), encoded(&key)).as_str(),
            ),
            "/redirect-other" => ResponseTemplate::new(302).insert_header(
                "location",
                format!("{}/landing?auth={}", self.other_origin, encoded(&auth)).as_str(),
            ),
            "/redirect-other-plain" => ResponseTemplate::new(302).insert_header(
                "location",
                format!("{}/landing", self.other_origin).as_str(),
            ),
            _ => {
                let mut body = json!({ "auth": auth, "key": key, "path": request.url.path() });
                if self.side == "staging" {
                    body["session"] = json!(auth);
                }
                ResponseTemplate::new(200)
                    .insert_header("x-echo", format!("{auth} {}", self.side).as_str())
                    .set_body_json(body)
            }
        }
    }
}

fn config(mocks: &Twins) -> String {
    let url_pass = utf8_percent_encode(URL_PASS, NON_ALPHANUMERIC);
    let mut text = String::from(
        "[run]\nfeatures = [\"features\"]\nfixtures = \"fixtures\"\ndefault_service = \"erp\"\n\n[compare]\nheaders = [\"x-echo\"]\n",
    );
    for (env, server) in [
        ("production", &mocks.baseline),
        ("staging", &mocks.candidate),
    ] {
        let base = server.uri();
        let port = server.address().port();
        text.push_str(&format!(
            r#"
[environments.{env}.services.erp]
base_url = "{base}"
auth = {{ bearer = "${{DG_IT_BEARER}}" }}
headers = {{ "X-Api-Key" = {{ file = "api-key.txt" }} }}

[environments.{env}.services.follow]
base_url = "{base}"
follow_redirects = true
auth = {{ bearer = "${{DG_IT_BEARER}}" }}
headers = {{ "X-Api-Key" = {{ file = "api-key.txt" }} }}

[environments.{env}.services.wms]
base_url = "{base}"
auth = {{ basic = {{ username = "{BASIC_USER}", password = "${{DG_IT_BASIC}}" }} }}

[environments.{env}.services.legacy]
base_url = "http://{URL_USER}:{url_pass}@127.0.0.1:{port}"

[environments.{env}.services.events]
amqp_url = "amqp://dg:${{DG_IT_AMQP}}@127.0.0.1:{port}/%2F"

[environments.{env}.services.erpdb]
kind = "sqlserver"
connection = "Server=tcp:127.0.0.1,{port};Database=erp;User Id=svc;Password=${{DG_IT_SQL}};TrustServerCertificate=true"
"#
        ));
    }
    text
}

const FEATURE: &str = r#"Feature: Secrets

  Scenario: Bearer and API key echoed
    When I send a GET request to "/echo"
    And I capture the response field "$.auth" as "token"
    And I send a GET request to "/echo/{{ token }}?again={{ token }}"
    Then the response field "$.auth" should be "not the token"

  Scenario: Basic auth echoed
    When I send a GET request to "/echo" on "wms"
    Then the response field "$.auth" should be "not the token"

  Scenario: Password in the base URL
    When I send a GET request to "/echo" on "legacy"
    Then the response field "$.auth" should be "not the token"

  Scenario: Redirect observed
    When I send a GET request to "/redirect-same"
    Then the response status should be 302

  Scenario: Redirect followed on the same origin
    When I send a GET request to "/redirect-same" on "follow"
    Then the response status should be 200

  Scenario: Redirect followed to another origin
    When I send a GET request to "/redirect-other-plain" on "follow"
    Then the response status should be 200

  Scenario: Redirect to another origin with a secret in its URL
    When I send a GET request to "/redirect-other" on "follow"
"#;

async fn echo_on(server: &MockServer, side: &'static str, other: &MockServer) {
    Mock::given(method("GET"))
        .and(path_regex("^/"))
        .respond_with(Echo {
            side,
            other_origin: other.uri(),
        })
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_leaks_in_any_encoding_and_no_credential_reaches_another_origin() {
    let mocks = Twins::start().await;
    let other = MockServer::start().await;
    echo_on(&mocks.baseline, "production", &other).await;
    echo_on(&mocks.candidate, "staging", &other).await;
    Mock::given(path("/landing"))
        .respond_with(Echo {
            side: "other",
            other_origin: String::new(),
        })
        .mount(&other)
        .await;
    let project = Project::new(&config(&mocks));
    project.write("api-key.txt", &format!("{API_KEY}\n"));
    project.feature("secrets.feature", FEATURE);

    let run = project
        .run()
        .args(&["-vv"])
        .env("DG_IT_BEARER", BEARER)
        .env("DG_IT_BASIC", BASIC_PASS)
        .env("DG_IT_AMQP", AMQP_PASS)
        .env("DG_IT_SQL", SQL_PASS)
        .execute()
        .await;

    run.assert_code(1);
    run.assert_no_panic();

    // The run did exercise every path a secret could take.
    let received = mocks.baseline.received_requests().await.unwrap_or_default();
    let auth_of = |p: &str| {
        received
            .iter()
            .filter(|r| r.url.path().starts_with(p))
            .filter_map(|r| r.headers.get("authorization"))
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    let basic = |pair: String| format!("Basic {}", STANDARD.encode(pair));
    assert!(auth_of("/echo").contains(&format!("Bearer {BEARER}")));
    assert!(auth_of("/echo").contains(&basic(format!("{BASIC_USER}:{BASIC_PASS}"))));
    assert!(auth_of("/echo").contains(&basic(format!("{URL_USER}:{URL_PASS}"))));
    assert_eq!(
        auth_of("/landing"),
        [format!("Bearer {BEARER}")],
        "same-origin hop keeps credentials"
    );
    let trace = run.report_file("trace.jsonl");
    assert!(
        trace.contains("\"credentials_dropped\":true"),
        "no redirect chain in the trace"
    );
    assert!(
        run.scenario("Redirect to another origin with a secret in its URL")["message"]
            .as_str()
            .unwrap_or_default()
            .contains("redirect not followed"),
        "{:#}",
        run.report()
    );

    // The other origin got requests, and not one credential.
    let at_other = other.received_requests().await.unwrap_or_default();
    assert_eq!(
        at_other.len(),
        2,
        "one followed redirect per side: {at_other:?}"
    );
    for request in &at_other {
        for name in [
            "authorization",
            "proxy-authorization",
            "cookie",
            "x-api-key",
        ] {
            assert!(
                request.headers.get(name).is_none(),
                "{name} sent to another origin"
            );
        }
    }

    // Every output, every secret, every encoding: no hit.
    let mut outputs = vec![
        ("stdout".to_owned(), run.stdout.clone()),
        ("stderr".to_owned(), run.stderr.clone()),
    ];
    for entry in std::fs::read_dir(project.reports()).expect("the reports folder") {
        let path = entry.expect("a report").path();
        if let Ok(text) = std::fs::read_to_string(&path) {
            outputs.push((path.display().to_string(), text));
        }
    }
    for name in [
        "drift.json",
        "junit.xml",
        "cucumber.json",
        "summary.md",
        "report.html",
        "trace.jsonl",
    ] {
        assert!(
            outputs.iter().any(|(p, _)| p.ends_with(name)),
            "{name} was not written"
        );
    }
    let at_other_urls: Vec<String> = at_other.iter().map(|r| r.url.to_string()).collect();
    outputs.push(("other origin URLs".into(), at_other_urls.join("\n")));
    let mut leaks = Vec::new();
    for secret in secrets() {
        for form in encodings(&secret) {
            for (name, text) in &outputs {
                if text.contains(&form) {
                    leaks.push(format!("{name}: {form:?} (of {secret:?})"));
                }
            }
        }
    }
    assert!(leaks.is_empty(), "leaks:\n{}", leaks.join("\n"));
    assert!(trace.contains("***"), "the trace shows no redaction");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_base_url_is_reported_without_its_password() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = dead.local_addr().expect("its address").port();
    drop(dead);
    let mut text = String::from("[run]\nfeatures = [\"features\"]\n");
    for env in ["production", "staging"] {
        text.push_str(&format!(
            "\n[environments.{env}.services.erp]\nbase_url = \"http://{URL_USER}:{URL_PASS}@127.0.0.1:{port}\"\n",
            URL_PASS = utf8_percent_encode(URL_PASS, NON_ALPHANUMERIC)
        ));
    }
    let project = Project::new(&text);
    project.feature(
        "x.feature",
        "Feature: x\n  Scenario: y\n    When I send a GET request to \"/\"\n",
    );

    let run = project.run().execute().await;

    run.assert_code(3);
    assert!(
        run.stderr.contains(&format!("127.0.0.1:{port}")),
        "{}",
        run.stderr
    );
    for form in encodings(URL_PASS) {
        assert!(!run.stderr.contains(&form), "{form:?} in:\n{}", run.stderr);
    }
}
