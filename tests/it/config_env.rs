//! End to end: `${VAR}` in configuration strings. A base URL assembled from
//! environment variables reaches the mock; a variable that is not set is a
//! configuration error (exit 2) from `run` and from `check`, naming the key
//! and the variable, and nothing is sent.

use crate::common::{Project, Run, TwinConfig, Twins, one_scenario};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const PORT_VAR: &str = "DRIFTGATE_TEST_CANDIDATE_PORT";
const KEY: &str = "environments.staging.services.erp.base_url";

/// A project whose candidate base URL is `http://127.0.0.1:${PORT_VAR}`.
fn project(mocks: &Twins) -> Project {
    let config = TwinConfig::new(mocks).render().replace(
        &mocks.candidate.uri(),
        &format!("http://127.0.0.1:${{{PORT_VAR}}}"),
    );
    let project = Project::new(&config);
    project.feature(
        "ping.feature",
        &one_scenario(
            "Ping",
            "",
            &[
                r#"When I send a GET request to "/api/ping""#,
                "Then the response status should be 200",
            ],
        ),
    );
    project
}

#[tokio::test(flavor = "multi_thread")]
async fn a_base_url_from_environment_variables_is_used() {
    let mocks = Twins::start().await;
    for server in mocks.both() {
        Mock::given(method("GET"))
            .and(path("/api/ping"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(server)
            .await;
    }
    let project = project(&mocks);
    let port = mocks.candidate.address().port().to_string();

    let run = project.run().env(PORT_VAR, &port).execute().await;

    run.assert_code(0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unset_variable_is_a_config_error_naming_key_and_variable() {
    let mocks = Twins::start().await;
    let project = project(&mocks);

    let run = project.run().without_env(PORT_VAR).execute().await;

    assert_eq!(run.code, Some(2), "{}", run.stderr);
    run.assert_usage_error(&[KEY, PORT_VAR, "is not set"]);
    for server in mocks.both() {
        let received = server.received_requests().await.unwrap_or_default();
        assert!(received.is_empty(), "a rejected run sent {received:?}");
    }

    let config = project.config_path().display().to_string();
    let check = Run::bare(&["check", "--config", &config], project.root())
        .without_env(PORT_VAR)
        .execute()
        .await;
    assert_eq!(check.code, Some(2), "{}", check.stdout);
    assert!(
        check.stdout.contains(KEY) && check.stdout.contains(PORT_VAR),
        "{}",
        check.stdout
    );
}
