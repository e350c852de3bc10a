//! End to end: a feature file cannot make a run read a file outside the
//! fixtures folder (and send it to both environments), nor point the noise
//! file outside the config's folder; `driftgate check` flags the same paths.

use crate::common::{Project, Run, TwinConfig, Twins};
use wiremock::matchers::method;
use wiremock::{Mock, ResponseTemplate};

/// Text of a file outside the fixtures folder that must never be sent.
const OUTSIDE: &str = "runner-private-7c41";

const ESCAPES: &[(&str, &str)] = &[
    ("Climbs out", "../outside.txt"),
    ("Climbs far", "../../../../etc/hostname"),
    ("Absolute", "/etc/hostname"),
    ("Symbolic link", "link.json"),
];

fn feature() -> String {
    let mut text = String::from("Feature: Fixture paths\n");
    for (name, path) in ESCAPES.iter().chain(&[("Inside", "orders/ok.json")]) {
        text.push_str(&format!(
            "\n  Scenario: {name}\n    When I send a POST request to \"/api/orders\" with the fixture \"{path}\"\n"
        ));
    }
    text
}

fn project(mocks: &Twins) -> Project {
    let project = Project::new(&TwinConfig::new(mocks).render());
    project.write("outside.txt", OUTSIDE);
    project.fixture("orders/ok.json", r#"{"orderNo": "PO-1"}"#);
    std::os::unix::fs::symlink(
        project.root().join("outside.txt"),
        project.root().join("fixtures/link.json"),
    )
    .expect("create a symbolic link");
    project.feature("paths.feature", &feature());
    project
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fixture_outside_the_fixtures_folder_is_refused_and_never_sent() {
    let mocks = Twins::start().await;
    for server in mocks.both() {
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(201))
            .mount(server)
            .await;
    }
    let project = project(&mocks);

    let run = project.run().execute().await;

    run.assert_no_panic();
    for server in mocks.both() {
        let sent = server.received_requests().await.unwrap_or_default();
        assert_eq!(sent.len(), 1, "only the fixture inside is sent: {sent:?}");
        assert_eq!(sent[0].body, br#"{"orderNo": "PO-1"}"#);
    }
    assert_eq!(run.scenario("Inside")["status"], "passed");
    let fixtures = project.root().join("fixtures").display().to_string();
    for (name, path) in ESCAPES {
        let scenario = run.scenario(name);
        let message = scenario["message"].as_str().unwrap_or_default();
        assert_eq!(scenario["status"], "failed", "{name}: {message}");
        assert!(
            message.contains(&format!("`{path}` is outside the folder {fixtures}")),
            "{name}: {message}"
        );
    }
    for file in ["trace.jsonl", "drift.json"] {
        assert!(
            !run.report_file(file).contains(OUTSIDE),
            "{file} holds the outside file"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn check_flags_every_fixture_path_that_leaves_the_folder() {
    let mocks = Twins::start().await;
    let project = project(&mocks);
    let config = project.config_path().display().to_string();

    let run = Run::bare(&["check", "--config", &config], project.root())
        .execute()
        .await;

    run.assert_code(2);
    run.assert_no_panic();
    for (line, (_, path)) in (4..).step_by(3).zip(ESCAPES) {
        let title = format!("`{path}` is outside the fixtures folder");
        assert!(run.stdout.contains(&title), "{title}:\n{}", run.stdout);
        assert!(
            run.stdout.contains(&format!("paths.feature:{line}:")),
            "line {line}:\n{}",
            run.stdout
        );
    }
    assert!(!run.stdout.contains("orders/ok.json"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_noise_file_outside_the_config_folder_is_a_config_error() {
    let mocks = Twins::start().await;
    let config = TwinConfig::new(&mocks)
        .render()
        .replace("[compare]\n", "[compare]\nnoise = \"../noise.json\"\n");
    let project = Project::new(&config);
    project.feature(
        "x.feature",
        "Feature: x\n  Scenario: y\n    When I send a GET request to \"/\"\n",
    );

    let run = project.run().execute().await;

    run.assert_usage_error(&["compare.noise", "`../noise.json` is outside the folder"]);
}
