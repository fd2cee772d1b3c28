//! Back-pressure report: a client publishes 100,000 messages through `amqp-playground bridge`
//! (the release binary, as a child process) into a page that reads slowly; prints the bridge's
//! peak memory, the throughput, and checks nothing was lost.
//!
//! ```text
//! cargo build --release -p amqp-playground-cli
//! cargo run --release -p amqp-playground-bridge --example flood [-- MESSAGES]
//! ```
//!
//! The "page" is a stand-in (a WebSocket client) that relays each frame to our own `serve`
//! core, grants credit one frame at a time, and pauses 1 ms every 64 frames: slower than
//! the client publishes, so the bridge must hold the client back. Reported, not asserted.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use amqp_playground_relay::control::{ConnectionText, ToPage};
use amqp_playground_relay::frames::split_output;
use futures_util::{SinkExt, StreamExt};
use lapin::options::{BasicPublishOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Connection, ConnectionProperties};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

fn kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

async fn slow_page(http: SocketAddr, token: String, server: SocketAddr) {
    let url = format!("ws://{http}/ws/control?token={token}&label=flood");
    let (mut control, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("control");
    while let Some(Ok(Message::Text(text))) = control.next().await {
        let Ok(ToPage::Client { conn, .. }) = ToPage::from_json(text.as_str()) else {
            continue;
        };
        let mut req = format!("ws://{http}/ws?token={token}&conn={conn}")
            .into_client_request()
            .unwrap();
        req.headers_mut()
            .insert("Sec-WebSocket-Protocol", "amqp".parse().unwrap());
        let (ws, _) = tokio_tungstenite::connect_async_with_config(req, None, true)
            .await
            .expect("connection socket");
        tokio::spawn(async move {
            let (mut sink, mut stream) = ws.split();
            let mut tcp = TcpStream::connect(server).await.unwrap();
            tcp.set_nodelay(true).unwrap();
            let mut buf = vec![0u8; 64 * 1024];
            let mut frames = 0u64;
            loop {
                tokio::select! {
                    msg = stream.next() => match msg {
                        Some(Ok(Message::Binary(f))) => {
                            tcp.write_all(&f).await.unwrap();
                            frames += 1;
                            if frames.is_multiple_of(64) {
                                tokio::time::sleep(Duration::from_millis(1)).await;
                            }
                            let credit = ConnectionText::Credit { frames: 1 }.to_json();
                            if sink.send(Message::Text(credit.into())).await.is_err() { break }
                        }
                        Some(Ok(_)) => {}
                        _ => break,
                    },
                    n = tcp.read(&mut buf) => match n {
                        Ok(0) | Err(_) => break,
                        Ok(n) => for f in split_output(&buf[..n]) {
                            if sink.send(Message::Binary(f.to_vec().into())).await.is_err() { return }
                        },
                    },
                }
            }
        });
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let messages: u64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let binary = root.join("target/release/amqp-playground");
    assert!(
        binary.is_file(),
        "build it first: cargo build --release -p amqp-playground-cli"
    );
    let dist = std::env::temp_dir().join("amqp-playground-flood-dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html>").unwrap();
    let server = std::thread::spawn(|| {
        amqp_playground_server::spawn(amqp_playground_server::ServerConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            log: false,
            ..Default::default()
        })
    })
    .join()
    .unwrap()
    .unwrap();

    let mut child = Command::new(&binary)
        .args([
            "bridge",
            "--amqp",
            "127.0.0.1:0",
            "--http",
            "127.0.0.1:0",
            "--quiet",
            "--dist",
        ])
        .arg(&dist)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the bridge");
    let pid = child.id();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let page = lines.next().unwrap().unwrap();
    let amqp = lines.next().unwrap().unwrap();
    let url = page
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap();
    let http: SocketAddr = url["http://".len()..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let token = url.split("bridge=").nth(1).unwrap().to_string();
    let amqp: SocketAddr = amqp.split_whitespace().nth(3).unwrap().parse().unwrap();
    let idle = kib(pid, "VmRSS:");
    tokio::spawn(slow_page(http, token, server.addr()));

    let conn = Connection::connect(
        &format!("amqp://guest:guest@{amqp}/%2f"),
        ConnectionProperties::default(),
    )
    .await
    .expect("through the bridge");
    let ch = conn.create_channel().await.unwrap();
    ch.queue_declare(
        "flood".into(),
        QueueDeclareOptions::default(),
        FieldTable::default(),
    )
    .await
    .unwrap();
    let body = [b'x'; 64];
    let started = Instant::now();
    for _ in 0..messages {
        // Without confirms the returned confirmation is empty: dropping it is the point.
        drop(
            ch.basic_publish(
                "".into(),
                "flood".into(),
                BasicPublishOptions::default(),
                &body,
                BasicProperties::default(),
            )
            .await
            .unwrap(),
        );
    }
    // A round trip on the same channel: every publish before it has reached the core.
    let count = ch
        .queue_declare(
            "flood".into(),
            QueueDeclareOptions {
                passive: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap()
        .message_count();
    let elapsed = started.elapsed();
    let peak = kib(pid, "VmHWM:");
    println!("messages published through the bridge: {messages}");
    println!(
        "messages in the queue afterwards:      {count} (lost: {})",
        messages - u64::from(count)
    );
    println!(
        "elapsed {:.2} s, {:.0} msg/s into a page that pauses 1 ms every 64 frames",
        elapsed.as_secs_f64(),
        messages as f64 / elapsed.as_secs_f64()
    );
    println!("bridge memory: {idle} KiB resident idle, peak {peak} KiB (VmHWM)");
    let _ = child.kill();
    let _ = child.wait();
}
