//! The `amqp-playground` binary: exit codes, stderr texts and stdout JSON.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_amqp-playground"))
}

fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scripts")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes `contents` to a fresh temporary file and returns its path.
fn temp_script(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("amqp-playground-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn assert_no_panic(out: &Output) {
    let stderr = text(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "the binary panicked: {stderr}"
    );
}

#[test]
fn help_prints_usage_and_exits_0() {
    for flag in ["--help", "-h"] {
        let out = run(&[flag]);
        assert_eq!(out.status.code(), Some(0));
        let stdout = text(&out.stdout);
        assert!(
            stdout.contains("amqp-playground run [--compat PROFILE] FILE.json"),
            "{stdout}"
        );
        assert!(stdout.contains("rabbitmq-3.10"), "{stdout}");
    }
    let out = run(&["run", "--help"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn run_prints_the_canonical_result_of_hello_world() {
    let file = scripts_dir().join("hello-world.json");
    let out = run(&["run", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is JSON");
    assert_eq!(v["consumers"]["receiver"][0]["body"], "Hello World!");
    assert_eq!(v["queues"]["hello"][0]["body"], "final");
    assert_eq!(v["log"][0]["message"]["body"], "left in the queue");
    assert_eq!(v["errors"], serde_json::json!([]));
    // Sorted keys, two-space indentation, final newline.
    assert!(stdout.starts_with("{\n  \"consumers\": {"), "{stdout}");
    assert!(stdout.ends_with("}\n"));
}

#[test]
fn compat_profiles_give_their_versions_answers() {
    let file = scripts_dir().join("topic-hash-limit.json");
    let file = file.to_str().unwrap();
    let errors = |args: &[&str]| {
        let out = run(args);
        assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["errors"].as_array().unwrap().len()
    };
    // 4.3.5+ refuses a third '#' (406); 3.10 accepts it. rabbitmq-4 is the default.
    assert_eq!(errors(&["run", file]), 1);
    assert_eq!(errors(&["run", "--compat", "rabbitmq-4", file]), 1);
    assert_eq!(errors(&["run", "--compat", "rabbitmq-3.10", file]), 0);
    assert_eq!(errors(&["run", "--compat=rabbitmq-3.10", file]), 0);
}

#[test]
fn malformed_input_exits_2_with_a_message_naming_the_problem() {
    let bad_field = temp_script(
        "bad-field.json",
        r#"{"steps": [{"sleep_ms": 1}, {"sleep_ms": 1}, {"sleep_ms": 1},
                      {"publish": {"exchange": "", "routing_key": 42, "body": "x"}}]}"#,
    );
    let unknown_step = temp_script("unknown-step.json", r#"{"steps": [{"publsh": {}}]}"#);
    let unknown_field = temp_script(
        "unknown-field.json",
        r#"{"steps": [{"get": {"queue": "q", "ack": "ack", "colour": "red"}}]}"#,
    );
    let not_json = temp_script("not-json.json", "{\"steps\": [\n  {\"sleep_ms\": 1},\n");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["run".into(), bad_field.display().to_string()],
            r#"step 3 (publish): field "routing_key": expected a string, got 42"#,
        ),
        (
            vec!["run".into(), unknown_step.display().to_string()],
            r#"step 0: unknown step kind "publsh""#,
        ),
        (
            vec!["run".into(), unknown_field.display().to_string()],
            r#"step 0 (get): unknown field "colour""#,
        ),
        (
            vec!["run".into(), not_json.display().to_string()],
            "invalid JSON at line 3 column 0",
        ),
        (
            vec!["run".into(), "/no/such/file.json".into()],
            "cannot read /no/such/file.json",
        ),
        (vec![], "missing command"),
        (vec!["fly".into()], "unknown command \"fly\""),
        (vec!["run".into()], "run takes exactly one FILE.json, got 0"),
        (
            vec![
                "run".into(),
                "--compat".into(),
                "rabbitmq-2".into(),
                "x.json".into(),
            ],
            "unknown compat profile \"rabbitmq-2\"",
        ),
        (
            vec!["run".into(), "--compat".into()],
            "--compat needs a value",
        ),
        (
            vec!["run".into(), "--fast".into(), "x.json".into()],
            "unknown option --fast",
        ),
        (vec!["check".into()], "check needs at least one DIR_OR_FILE"),
    ];
    for (args, want) in cases {
        let out = bin().args(&args).output().unwrap();
        assert_no_panic(&out);
        assert_eq!(
            out.status.code(),
            Some(2),
            "args {args:?}: {}",
            text(&out.stderr)
        );
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(want),
            "args {args:?}: stderr {stderr:?} lacks {want:?}"
        );
        assert!(
            out.stdout.is_empty() || args.is_empty(),
            "args {args:?}: printed a result"
        );
    }
}

#[test]
fn check_runs_every_script_of_a_directory() {
    let out = run(&[
        "check",
        "--compat",
        "rabbitmq-3.10",
        scripts_dir().to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let scripts = std::fs::read_dir(scripts_dir())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    assert!(
        scripts >= 40,
        "the fidelity suite has at least 40 scripts, found {scripts}"
    );
    assert!(
        stdout.contains(&format!("{scripts} passed, 0 failed")),
        "{stdout}"
    );
    assert!(stdout.contains("ok     "), "{stdout}");
}

#[test]
fn check_reports_a_malformed_script_and_exits_2() {
    let good = scripts_dir().join("hello-world.json");
    let bad = temp_script(
        "check-bad.json",
        r#"{"steps": [{"get": {"queue": 1, "ack": "ack"}}]}"#,
    );
    let out = run(&["check", good.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("1 passed, 1 failed"), "{stdout}");
    assert!(
        stdout.contains(r#"step 0 (get): field "queue": expected a string, got 1"#),
        "{stdout}"
    );
}

/// `check` on playground scenarios, for docs CI: each walkthrough step's `expect` block.
#[test]
fn check_runs_a_scenarios_walkthrough_and_its_expectations() {
    // The docs example's inline scenario, kept in tests/scenarios/ for CI.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let out = run(&["check", example.to_str().unwrap()]);
    assert_no_panic(&out);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("  ok     step 1/2: `audit.login` matches"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  ok     step 2/2: `billing.paid` matches nothing"),
        "{stdout}"
    );

    // An expectation the scenario does not meet: exit 1, and the report says what differs.
    let wrong = temp_script(
        "wrong-expectation.json",
        r#"{ "version": 1, "name": "hello",
             "queues": [{ "name": "hello" }],
             "producers": [{ "name": "P", "routingKey": "hello" }],
             "consumers": [{ "name": "C", "queue": "hello" }],
             "tour": [{ "caption": "publish twice", "publish": { "count": 2 },
                        "expect": { "received": { "C": 3 }, "queues": { "hello": { "ready": 0 } } } }] }"#,
    );
    let out = run(&["check", wrong.to_str().unwrap()]);
    assert_no_panic(&out);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("  FAILED step 1/1: publish twice — consumer `C`: received 2, expected 3"),
        "{stdout}"
    );
    assert!(stdout.contains("0 passed, 1 failed"), "{stdout}");

    // A malformed scenario: exit 2, naming the JSON path.
    let bad = temp_script(
        "bad-scenario.json",
        r#"{ "version": 1, "queues": [{ "name": 7 }], "tour": [] }"#,
    );
    let out = run(&["check", bad.to_str().unwrap()]);
    assert_no_panic(&out);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("scenario.queues[0].name: expected a string"),
        "{stdout}"
    );
}
