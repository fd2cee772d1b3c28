//! A stand-in page for the bridge's tests: it holds the bridge over the control socket and,
//! for each client announced, opens the connection socket and relays its frames to our own
//! AMQP server (which runs the wire session, as the page's wasm does). So a real client talks
//! to a real session through the real bridge; only the browser is missing.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use amqp_playground_bridge::{BridgeConfig, BridgeHandle};
use amqp_playground_relay::control::{ConnectionText, ToPage};
use amqp_playground_relay::frames::split_output;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

/// A `dist/` with an index page, unique per test.
pub fn dist() -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "amqp-playground-bridge-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>AMQP Playground</title>",
    )
    .unwrap();
    dir
}

/// A bridge on free ports with a known token.
pub async fn bridge() -> BridgeHandle {
    amqp_playground_bridge::spawn(BridgeConfig {
        amqp: "127.0.0.1:0".parse().unwrap(),
        http: "127.0.0.1:0".parse().unwrap(),
        dist: dist(),
        token: Some("tok".into()),
        log: false,
        ..BridgeConfig::default()
    })
    .await
    .unwrap()
}

/// A WebSocket request to the bridge, with the page's Origin.
pub fn request(
    bridge: &BridgeHandle,
    path_and_query: &str,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut req = format!("ws://{}{path_and_query}", bridge.http)
        .into_client_request()
        .unwrap();
    let origin = format!("http://{}", bridge.http);
    req.headers_mut()
        .insert("Origin", HeaderValue::from_str(&origin).unwrap());
    req
}

/// What runs a relayed client's session behind the fake page.
#[derive(Clone)]
pub enum Behind {
    /// Our AMQP server at this address (a real session).
    Server(SocketAddr),
    /// Nothing: the page reads and counts frames but never grants more credit (a stalled page).
    Stalled(Arc<AtomicU64>),
}

/// A page holding the bridge; dropping its control socket (with [`FakePage::close`]) is the
/// page going away.
pub struct FakePage {
    /// Control messages the page received (hello first).
    pub messages: mpsc::UnboundedReceiver<ToPage>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl FakePage {
    /// Opens a page on `bridge` whose sessions run on the AMQP server at `server`. With
    /// `credit_per_frame` 0 the page never grants credit beyond the initial window (a page
    /// too slow to read).
    pub async fn open(
        bridge: &BridgeHandle,
        server: SocketAddr,
        credit_per_frame: u32,
    ) -> FakePage {
        Self::open_behind(bridge, Behind::Server(server), credit_per_frame).await
    }

    /// A page whose sessions run on `behind`.
    pub async fn open_behind(
        bridge: &BridgeHandle,
        behind: Behind,
        credit_per_frame: u32,
    ) -> FakePage {
        let (ws, _) = tokio_tungstenite::connect_async(request(
            bridge,
            "/ws/control?token=tok&label=test%20page",
        ))
        .await
        .expect("the control socket opens");
        let (tx, messages) = mpsc::unbounded_channel();
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let base = (bridge.http, format!("http://{}", bridge.http));
        let task = tokio::spawn(async move {
            let (mut sink, mut stream) = ws.split();
            let mut relays = Vec::new();
            loop {
                tokio::select! {
                    msg = stream.next() => {
                        let Some(Ok(Message::Text(text))) = msg else { break };
                        let m = ToPage::from_json(text.as_str()).unwrap();
                        if let ToPage::Client { conn, .. } = &m {
                            relays.push(tokio::spawn(relay(base.clone(), *conn, behind.clone(), credit_per_frame)));
                        }
                        let _ = tx.send(m);
                    }
                    _ = &mut stopped => break,
                }
            }
            // The page goes away: its sockets drop without a close handshake.
            for r in relays {
                r.abort();
            }
            let _ = sink.close().await;
        });
        FakePage {
            messages,
            stop: Some(stop),
            task,
        }
    }

    /// The page closes (or reloads).
    pub async fn close(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

async fn relay(base: (SocketAddr, String), conn: u64, behind: Behind, credit_per_frame: u32) {
    let mut req = format!("ws://{}/ws?token=tok&conn={conn}", base.0)
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("Origin", HeaderValue::from_str(&base.1).unwrap());
    req.headers_mut()
        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("amqp"));
    let (ws, response) = tokio_tungstenite::connect_async_with_config(req, None, true)
        .await
        .unwrap();
    assert_eq!(
        response
            .headers()
            .get("Sec-WebSocket-Protocol")
            .map(|v| v.as_bytes()),
        Some(&b"amqp"[..])
    );
    let (mut sink, mut stream) = ws.split();
    let server = match behind {
        Behind::Server(server) => server,
        Behind::Stalled(count) => {
            while let Some(Ok(msg)) = stream.next().await {
                if msg.is_binary() {
                    count.fetch_add(1, Ordering::Relaxed);
                }
            }
            return;
        }
    };
    let mut tcp = TcpStream::connect(server).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        tokio::select! {
            msg = stream.next() => match msg {
                Some(Ok(Message::Binary(frame))) => {
                    if tcp.write_all(&frame).await.is_err() { break }
                    if credit_per_frame > 0 {
                        let credit = ConnectionText::Credit { frames: credit_per_frame }.to_json();
                        if sink.send(Message::Text(credit.into())).await.is_err() { break }
                    }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                _ => break,
            },
            read = tcp.read(&mut buf) => match read {
                Ok(0) | Err(_) => {
                    let _ = sink.send(Message::Close(Some(tokio_tungstenite::tungstenite::protocol::CloseFrame {
                        code: 1000.into(),
                        reason: "session closed".into(),
                    }))).await;
                    break;
                }
                Ok(n) => {
                    for frame in split_output(&buf[..n]) {
                        if sink.send(Message::Binary(frame.to_vec().into())).await.is_err() { return }
                    }
                }
            },
        }
    }
}

/// Our AMQP server on a free port, behind the fake page.
pub fn server() -> amqp_playground_server::ServerHandle {
    // It starts a runtime of its own, which cannot happen on one of the test's.
    std::thread::spawn(|| {
        amqp_playground_server::spawn(amqp_playground_server::ServerConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            log: false,
            ..Default::default()
        })
    })
    .join()
    .unwrap()
    .unwrap()
}

/// The next control message of a kind, skipping others.
pub async fn next_client(page: &mut FakePage) -> u64 {
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(5), page.messages.recv()).await {
            Ok(Some(ToPage::Client { conn, .. })) => return conn,
            Ok(Some(_)) => continue,
            _ => panic!("no client announced"),
        }
    }
}
