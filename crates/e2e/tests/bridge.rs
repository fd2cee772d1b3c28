//! Real programs in the page: `amqp-playground bridge` serves the built page to headless
//! Chromium, RabbitMQ's pika tutorial 3 (`receive_logs.py`, `emit_log.py`, unchanged but for
//! host and port) talks to its AMQP port, and the page's broker runs them: the page shows the
//! real clients and what they declared, the programs print what they print against RabbitMQ.
//! Reloading the page ends the consumer with `320 CONNECTION_FORCED - page closed`.
//!
//! Needs python3 with pika (`scripts/setup.sh test`); without it the test prints a notice and
//! passes, except under `CI=true`.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use amqp_playground_e2e::{open_bridge, workspace_root, Browser, Tools};

const SNAPSHOT: &str = "return window.amqpPlayground.snapshot();";

fn have_pika() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import pika"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "python3 with pika is required under CI (scripts/setup.sh test installs it)"
        );
        eprintln!("NOTICE: skipping the bridge end-to-end test: python3 with pika is missing");
    }
    ok
}

/// A tutorial program, its stdout collected line by line; killed on drop.
struct Program {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<String>>,
}

impl Program {
    /// Starts a tutorial program and waits for its first `line` (a consumer's "Waiting").
    async fn started(script: &str, args: &[&str], port: u16, line: &str) -> Program {
        let program = Program::start(script, args, port);
        program.wait_for(line, Duration::from_secs(30)).await;
        program
    }

    fn start(script: &str, args: &[&str], port: u16) -> Program {
        let path: PathBuf = workspace_root().join("tests/tutorials/python").join(script);
        let mut cmd = Command::new("python3");
        cmd.arg(path).args(args);
        Program::spawn(cmd, port)
    }

    /// One of the amqplib scenarios (tests/tutorials/node/).
    fn node(script: &str, port: u16) -> Program {
        let mut cmd = Command::new("node");
        cmd.arg(script)
            .current_dir(workspace_root().join("tests/tutorials/node"));
        Program::spawn(cmd, port)
    }

    fn spawn(mut cmd: Command, port: u16) -> Program {
        let mut child = cmd
            .env("AMQP_HOST", "127.0.0.1")
            .env("AMQP_PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (out, l) = (child.stdout.take().unwrap(), lines.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                l.lock().unwrap().push(line);
            }
        });
        let (mut err, e) = (child.stderr.take().unwrap(), stderr.clone());
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = err.read_to_string(&mut text);
            *e.lock().unwrap() = text;
        });
        Program {
            child,
            lines,
            stderr,
        }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    async fn wait_for(&self, line: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.lines().iter().any(|l| l == line) {
            assert!(
                Instant::now() < deadline,
                "no line {line:?} within {timeout:?}; got {:?}, stderr {}",
                self.lines(),
                self.stderr.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for the program to end by itself; its exit status and stderr.
    async fn exit(&mut self, timeout: Duration) -> (bool, String) {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                tokio::time::sleep(Duration::from_millis(100)).await;
                return (status.success(), self.stderr.lock().unwrap().clone());
            }
            assert!(
                Instant::now() < deadline,
                "the program did not end within {timeout:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The page on a fresh bridge, for a test that runs pika programs; `None` (the test skips,
/// or fails under CI=true) without the tools or pika.
async fn pika_page(test: &str) -> Option<(Tools, amqp_playground_bridge::BridgeHandle, Browser)> {
    let tools = Tools::find_or_skip(test)?;
    if !have_pika() {
        return None;
    }
    let (bridge, browser) = open_bridge(&tools, None).await;
    Some((tools, bridge, browser))
}

const WAITING_LOGS: &str = " [*] Waiting for logs. To exit press CTRL+C";

/// Runs a producer to its end and checks it printed `sent`.
async fn run(script: &str, args: &[&str], port: u16, sent: &str) {
    let mut p = Program::start(script, args, port);
    p.wait_for(sent, Duration::from_secs(30)).await;
    assert!(p.exit(Duration::from_secs(20)).await.0, "{script} exits 0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pika_tutorials_4_and_5_route_in_the_page_as_on_rabbitmq() {
    let Some((_tools, bridge, browser)) =
        pika_page("pika_tutorials_4_and_5_route_in_the_page_as_on_rabbitmq").await
    else {
        return;
    };
    let port = bridge.amqp.port();

    // Tutorial 4: a direct exchange, one binding per severity.
    let to_file = Program::start("receive_logs_direct.py", &["warning", "error"], port);
    to_file
        .wait_for(WAITING_LOGS, Duration::from_secs(30))
        .await;
    run(
        "emit_log_direct.py",
        &["debug", "Nobody", "listens"],
        port,
        " [x] Sent debug:Nobody listens",
    )
    .await;
    run(
        "emit_log_direct.py",
        &["error", "Run. Run. Or it will explode."],
        port,
        " [x] Sent error:Run. Run. Or it will explode.",
    )
    .await;
    to_file
        .wait_for(
            " [x] error:b'Run. Run. Or it will explode.'",
            Duration::from_secs(30),
        )
        .await;

    // While a real client is connected the clock runs at real time: pausing says why not.
    browser
        .eval("window.amqpPlayground.pause(); return true;")
        .await;
    browser
        .wait_until(
            "the page to say why it does not pause",
            Duration::from_secs(10),
            "const e = document.querySelector('.status .error');
             return !!e && e.textContent.includes('while a real client is connected');",
        )
        .await;
    assert_eq!(browser.eval(SNAPSHOT).await["playing"], true);

    // Tutorial 5: a topic exchange; a message both bindings match arrives once.
    let topics = Program::start("receive_logs_topic.py", &["kern.*", "*.critical"], port);
    topics.wait_for(WAITING_LOGS, Duration::from_secs(30)).await;
    run(
        "emit_log_topic.py",
        &["kern.critical", "A critical kernel error"],
        port,
        " [x] Sent kern.critical:A critical kernel error",
    )
    .await;
    run(
        "emit_log_topic.py",
        &["anonymous.info", "Hello"],
        port,
        " [x] Sent anonymous.info:Hello",
    )
    .await;
    topics
        .wait_for(
            " [x] kern.critical:b'A critical kernel error'",
            Duration::from_secs(30),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        topics.lines(),
        [
            WAITING_LOGS,
            " [x] kern.critical:b'A critical kernel error'"
        ],
        "one copy, and nothing for anonymous.info"
    );
    assert_eq!(
        to_file.lines(),
        [WAITING_LOGS, " [x] error:b'Run. Run. Or it will explode.'"],
        "debug went nowhere"
    );
    let snap = browser.eval(SNAPSHOT).await;
    assert_eq!(snap["remotes"].as_array().map(Vec::len), Some(2), "{snap}");
    assert_eq!(
        snap["unroutable"], 2,
        "debug and anonymous.info found no queue: {snap}"
    );

    drop((to_file, topics));
    browser.close().await;
    bridge.stop().await.unwrap();
}

/// The queues drawn with a `quorum` badge.
const QUORUM_QUEUES: &str = "return [...document.querySelectorAll('svg.diagram g.node.queue')]
    .filter(g => g.querySelector('.type-badge[data-type=quorum]')).map(g => g.dataset.name);";

/// The "done when": the bridge's page, today's `receive.py` and `send.py` (durable
/// quorum `hello`), "Hello World!" drawn P → hello → C, then Verify on the real RabbitMQ shows
/// the same delivery; then tutorial 2's worker and task, and tutorial 6's RPC.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pika_tutorials_1_2_and_6_declare_quorum_queues_in_the_page() {
    let Some(tools) =
        Tools::find_or_skip("pika_tutorials_1_2_and_6_declare_quorum_queues_in_the_page")
    else {
        return;
    };
    if !have_pika() {
        return;
    }
    let (bridge, browser) = open_bridge(&tools, Some("amqp://guest:guest@127.0.0.1:5672/")).await;
    let port = bridge.amqp.port();
    // A fresh page of the bridge waits for the programs: `hello`, no simulated clients.
    let snap = browser.eval(SNAPSHOT).await;
    assert_eq!(snap["consumers"], serde_json::json!({}), "{snap}");
    let receiver = Program::started(
        "receive.py",
        &[],
        port,
        " [*] Waiting for messages. To exit press CTRL+C",
    )
    .await;
    run("send.py", &[], port, " [x] Sent 'Hello World!'").await;
    receiver
        .wait_for(" [x] Received b'Hello World!'", Duration::from_secs(30))
        .await;
    let quorum = browser.eval(QUORUM_QUEUES).await;
    assert!(
        quorum.as_array().unwrap().iter().any(|n| n == "hello"),
        "hello is drawn as a quorum queue: {quorum}"
    );
    let drawn = browser
        .eval(
            "return [...document.querySelectorAll('svg.diagram g.node')]
                 .filter(g => g.querySelector('.real-badge')).map(g => g.dataset.kind);",
        )
        .await;
    assert_eq!(
        drawn,
        serde_json::json!(["consumer"]),
        "receive.py stays, drawn as real C"
    );
    let outcome = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.amqpPlayground.verify().then(
                 r => done({ same: r.same, differences: r.differences,
                             got: Object.values(r.rabbitmq.consumers).flat().map(m => m.body) }),
                 e => done({ error: String(e) }));",
            vec![],
        )
        .await
        .expect("verify() settles");
    assert_eq!(outcome["same"], true, "{outcome}");
    assert_eq!(
        outcome["got"],
        serde_json::json!(["Hello World!"]),
        "receive.py's delivery again, on RabbitMQ: {outcome}"
    );

    // Tutorial 2: worker.py takes new_task.py's task from the durable quorum `task_queue`.
    let worker = Program::started(
        "worker.py",
        &[],
        port,
        " [*] Waiting for messages. To exit press CTRL+C",
    )
    .await;
    run(
        "new_task.py",
        &["First", "message."],
        port,
        " [x] Sent First message.",
    )
    .await;
    worker
        .wait_for(" [x] Received First message.", Duration::from_secs(30))
        .await;
    worker.wait_for(" [x] Done", Duration::from_secs(30)).await;
    let quorum = browser.eval(QUORUM_QUEUES).await;
    assert!(
        quorum.as_array().unwrap().iter().any(|n| n == "task_queue"),
        "the queue new_task.py declared is drawn as a quorum queue: {quorum}"
    );
    // Tutorial 6: RPC through a durable quorum `rpc_queue` and the client's exclusive
    // callback queue.
    let server = Program::started("rpc_server.py", &[], port, " [x] Awaiting RPC requests").await;
    run("rpc_client.py", &[], port, " [.] Got 832040").await;
    server
        .wait_for(" [.] fib(30)", Duration::from_secs(30))
        .await;
    let snap = browser.eval(SNAPSHOT).await;
    let remotes = snap["remotes"].as_array().expect("remotes in the snapshot");
    assert_eq!(
        remotes.len(),
        3,
        "receive.py, worker.py and rpc_server.py stay: {snap}"
    );
    drop((receiver, worker, server));
    browser.close().await;
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pika_tutorial_3_runs_on_the_broker_in_the_page() {
    let Some((tools, bridge, browser)) =
        pika_page("pika_tutorial_3_runs_on_the_broker_in_the_page").await
    else {
        return;
    };
    let port = bridge.amqp.port();
    let receiver = Program::start("receive_logs.py", &[], port);
    receiver
        .wait_for(
            " [*] Waiting for logs. To exit press CTRL+C",
            Duration::from_secs(30),
        )
        .await;
    let mut sender = Program::start("emit_log.py", &[], port);
    sender
        .wait_for(" [x] Sent info: Hello World!", Duration::from_secs(30))
        .await;
    assert!(
        sender.exit(Duration::from_secs(20)).await.0,
        "emit_log.py exits 0"
    );
    receiver
        .wait_for(" [x] b'info: Hello World!'", Duration::from_secs(30))
        .await;

    // The page drew the real consumer and what it declared: the fanout exchange and its
    // server-named queue.
    let snap = browser.eval(SNAPSHOT).await;
    let remotes = snap["remotes"].as_array().expect("remotes in the snapshot");
    assert_eq!(
        remotes.len(),
        1,
        "emit_log.py left, receive_logs.py stays: {snap}"
    );
    assert_eq!(remotes[0]["received"], 1, "{snap}");
    assert!(
        remotes[0]["client"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Pika Python Client Library"),
        "{snap}"
    );
    let drawn = browser
        .eval(
            "return [...document.querySelectorAll('svg.diagram g.node')]
                 .map(g => [g.dataset.kind, g.dataset.name, !!g.querySelector('.real-badge')]);",
        )
        .await;
    let drawn = drawn.as_array().unwrap();
    assert!(
        drawn.iter().any(|n| n[0] == "exchange" && n[1] == "logs"),
        "the fanout exchange is drawn: {drawn:?}"
    );
    assert!(
        drawn.iter().any(|n| n[0] == "consumer" && n[2] == true),
        "a real consumer with its badge: {drawn:?}"
    );

    // Reloading the page ends the relayed client with 320, and it exits instead of hanging.
    let mut receiver = receiver;
    browser.client.refresh().await.expect("reload");
    let (ok, stderr) = receiver.exit(Duration::from_secs(20)).await;
    assert!(!ok, "receive_logs.py ends with an error");
    assert!(
        stderr.contains("CONNECTION_FORCED - page closed"),
        "{stderr}"
    );

    // A second page on the same bridge is told which page holds it.
    browser
        .wait_until(
            "the reloaded page to hold the bridge again",
            Duration::from_secs(30),
            "const s = window.amqpPlayground && window.amqpPlayground.snapshot();
             return !!s && (s.bridge || '').includes('real clients connect to');",
        )
        .await;
    let second = Browser::start(&tools).await;
    second
        .client
        .goto(&bridge.page_url)
        .await
        .expect("open a second page");
    second
        .wait_until(
            "the second page to say who holds the bridge",
            Duration::from_secs(30),
            "const s = window.amqpPlayground && window.amqpPlayground.snapshot();
             return !!s && (s.bridge || '').includes('held by another page');",
        )
        .await;
    second.close().await;

    // The bridge stops: the page says so and keeps its scenario.
    browser
        .eval("window.amqpPlayground.loadPreset('topics'); return true;")
        .await;
    bridge.stop().await.unwrap();
    browser
        .wait_until(
            "the page to say the bridge stopped",
            Duration::from_secs(10),
            "const s = window.amqpPlayground.snapshot();
             return (s.bridge || '').includes('the bridge stopped') && 'Q1' in s.queues;",
        )
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_shows_the_same_outcome_on_the_real_rabbitmq() {
    let Some(tools) = Tools::find_or_skip("verify_shows_the_same_outcome_on_the_real_rabbitmq")
    else {
        return;
    };
    let (bridge, browser) = open_bridge(&tools, Some("amqp://guest:guest@127.0.0.1:5672/")).await;
    browser
        .eval(
            "const pg = window.amqpPlayground;
             pg.loadPreset('routing');
             pg.publish({ routingKey: 'orange' });
             pg.publish({ routingKey: 'purple', mandatory: true });
             return true;",
        )
        .await;
    let outcome = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.amqpPlayground.verify().then(
                 r => done({ same: r.same, differences: r.differences, profile: r.profile,
                             returns: r.rabbitmq.returns.length }),
                 e => done({ error: String(e) }));",
            vec![],
        )
        .await
        .expect("verify() settles");
    assert_eq!(outcome["same"], true, "{outcome}");
    assert_eq!(outcome["profile"], "rabbitmq-3.10", "{outcome}");
    assert_eq!(
        outcome["returns"], 1,
        "the purple message came back on RabbitMQ too: {outcome}"
    );

    // The button shows it in the page, side by side.
    browser.click("#verify").await;
    browser
        .wait_until(
            "the page to show the same outcome",
            Duration::from_secs(30),
            "const p = document.querySelector('.verify-same');
             return !!p && p.textContent.includes('Same outcome on RabbitMQ');",
        )
        .await;
    browser.close().await;
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publisher_confirms_and_amqplib_run_in_the_page() {
    let Some(tools) = Tools::find_or_skip("publisher_confirms_and_amqplib_run_in_the_page") else {
        return;
    };
    if !have_pika() {
        return;
    }
    let amqplib = workspace_root().join("tests/tutorials/node/node_modules/amqplib");
    assert!(
        amqplib.is_dir() || std::env::var("CI").as_deref() != Ok("true"),
        "amqplib is required under CI (scripts/setup.sh test installs it)"
    );
    let (bridge, browser) = open_bridge(&tools, None).await;
    let port = bridge.amqp.port();

    // Tutorial 7: confirms one by one, in batches, and asynchronously.
    let mut confirms = Program::start("publisher_confirms.py", &["200"], port);
    let (ok, stderr) = confirms.exit(Duration::from_secs(60)).await;
    assert!(ok, "publisher_confirms.py exits 0: {stderr}");
    let lines = confirms.lines();
    for (line, prefix) in lines.iter().zip([
        "Published 200 messages individually in ",
        "Published 200 messages in batch in ",
        "Published 200 messages and handled confirms asynchronously in ",
    ]) {
        assert!(
            line.starts_with(prefix) && line.ends_with(" ms"),
            "{lines:?}"
        );
    }
    assert_eq!(lines.len(), 3, "{lines:?}");

    // amqplib: topic routing with returns and confirms.
    if amqplib.is_dir() {
        let mut topics = Program::node("topics.js", port);
        let (ok, stderr) = topics.exit(Duration::from_secs(60)).await;
        assert!(ok, "topics.js exits 0: {stderr}");
        assert_eq!(
            topics.lines().last().map(String::as_str),
            Some("topics: OK"),
            "{:?}",
            topics.lines()
        );
    }
    let snap = browser.eval(SNAPSHOT).await;
    assert_eq!(
        snap["remotes"].as_array().map(Vec::len),
        Some(0),
        "all left: {snap}"
    );
    browser.close().await;
    bridge.stop().await.unwrap();
}
