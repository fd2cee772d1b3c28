//! `amqp-playground bench`: usage errors exit 2 with a message, and — when a RabbitMQ is
//! reachable — a tiny run exits 0 with a report and leaves no queue behind.
//!
//! The broker is `BENCH_AMQP_URL` (default amqp://guest:guest@127.0.0.1:5672/%2f). Without one
//! the broker tests print a notice and pass, unless `CI=true`, where they fail.

use std::net::{TcpStream, ToSocketAddrs};
use std::process::{Command, Output};
use std::time::Duration;

fn bench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_amqp-playground"))
        .arg("bench")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn bad_arguments_exit_2_with_a_message() {
    for (args, needle) in [
        (&[][..], "bench needs --amqp URL"),
        (&["--amqp"][..], "--amqp needs a value"),
        (&["--amqp", "http//nope"][..], "is not an AMQP URL"),
        (
            &["--amqp", "amqp://127.0.0.1", "--size", "2"][..],
            "--size must be an integer from 8",
        ),
        (
            &["--amqp", "amqp://127.0.0.1", "--producers", "-3"][..],
            "--producers must be",
        ),
        (
            &["--amqp", "amqp://127.0.0.1", "--ack", "sometimes"][..],
            "--ack must be auto or manual",
        ),
        (
            &["--amqp", "amqp://127.0.0.1", "--prefetch", "10"][..],
            "applies to --ack manual",
        ),
        (
            &[
                "--amqp",
                "amqp://127.0.0.1",
                "--count",
                "5",
                "--duration",
                "1",
            ][..],
            "not both",
        ),
        (
            &["--amqp", "amqp://127.0.0.1", "--duration", "forever"][..],
            "--duration must be",
        ),
        (
            &["--amqp", "amqp://127.0.0.1", "--turbo"][..],
            "unknown option --turbo",
        ),
    ] {
        let out = bench(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn help_lists_the_options() {
    let out = bench(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    for option in [
        "--confirm WINDOW",
        "--prefetch N",
        "--multi-ack-every N",
        "--rate",
        "--json",
    ] {
        assert!(stdout.contains(option), "{option}: {stdout}");
    }
}

#[test]
fn an_unreachable_broker_is_a_run_failure() {
    // Port 1 on loopback: nothing listens there, the connect is refused at once.
    let out = bench(&["--amqp", "amqp://127.0.0.1:1/%2f", "--count", "1"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot connect to 127.0.0.1:1"), "{stderr}");
}

/// The broker URL, or `None` (with a notice) when nothing listens there outside CI.
fn broker() -> Option<String> {
    let url = std::env::var("BENCH_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
    let authority = url
        .split("://")
        .nth(1)
        .unwrap_or("")
        .split('/')
        .next()
        .unwrap_or("");
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host_port = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:5672")
    };
    let reachable = host_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).is_ok());
    if reachable {
        return Some(url);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("no AMQP broker at {host_port} (CI=true: the broker tests must run)");
    }
    eprintln!("notice: no AMQP broker at {host_port}; skipping the bench runs");
    None
}

/// True if the broker still has `queue` (a passive declare succeeds).
fn queue_exists(url: &str, queue: &str) -> bool {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let conn = lapin::Connection::connect(url, lapin::ConnectionProperties::default())
            .await
            .expect("connect for the check");
        let channel = conn.create_channel().await.unwrap();
        let declared = channel
            .queue_declare(
                queue.into(),
                lapin::options::QueueDeclareOptions {
                    passive: true,
                    ..Default::default()
                },
                Default::default(),
            )
            .await;
        let _ = conn.close(200, "checked".into()).await;
        declared.is_ok()
    })
}

#[test]
fn a_tiny_run_reports_and_deletes_its_queue() {
    let Some(url) = broker() else { return };
    let queue = format!("bench-test-{}", std::process::id());
    let out = bench(&["--amqp", &url, "--count", "200", "--queue", &queue]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    for line in [
        "published",
        "consumed",
        "latency µs  p50",
        "total       sent 200, received 200",
        "ok ",
    ] {
        assert!(stdout.contains(line), "{line:?} missing:\n{stdout}");
    }
    assert!(
        !queue_exists(&url, &queue),
        "the bench left queue {queue} behind"
    );
}

#[test]
fn a_tiny_confirmed_manual_ack_run_prints_json() {
    let Some(url) = broker() else { return };
    let out = bench(&[
        "--amqp",
        &url,
        "--count",
        "200",
        "--producers",
        "2",
        "--consumers",
        "2",
        "--size",
        "100",
        "--confirm",
        "10",
        "--ack",
        "manual",
        "--prefetch",
        "20",
        "--multi-ack-every",
        "7",
        "--json",
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let v: serde_json::Value = serde_json::from_str(lines[0]).expect("one JSON line");
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(
        (v["published"].as_u64(), v["consumed"].as_u64()),
        (Some(200), Some(200)),
        "{v}"
    );
    assert_eq!(v["confirmed"].as_u64(), Some(200), "{v}");
    assert_eq!(v["latency_samples"].as_u64(), Some(200), "{v}");
    assert!(v["latency_p99_us"].as_f64().is_some_and(|p| p > 0.0), "{v}");
}
