//! Foreign pages and hostile clients are refused with a clear reason, and the bridge keeps
//! serving: wrong or missing token, foreign Origin, foreign Host, a frame over the size limit,
//! and a client flooding a page that does not keep up (slowed by TCP, nothing dropped or
//! buffered without bound).

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use amqp_playground_relay::INITIAL_CREDIT;
use common::{bridge, next_client, request, server, Behind, FakePage};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Error;

/// The HTTP status and body a refused socket request got.
async fn refused(req: tokio_tungstenite::tungstenite::handshake::client::Request) -> (u16, String) {
    match tokio_tungstenite::connect_async(req).await {
        Err(Error::Http(response)) => (
            response.status().as_u16(),
            String::from_utf8_lossy(response.body().as_deref().unwrap_or_default()).into_owned(),
        ),
        Err(e) => panic!("refused without an answer: {e}"),
        Ok(_) => panic!("the socket opened"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_without_the_token_or_from_a_foreign_page_are_refused_with_the_reason() {
    let bridge = bridge().await;
    let (status, body) = refused(request(&bridge, "/ws/control?token=nope")).await;
    assert_eq!(status, 403);
    assert!(body.contains("wrong token"), "{body}");
    let (_, body) = refused(request(&bridge, "/ws/control")).await;
    assert!(body.contains("no token"), "{body}");

    let mut foreign = request(&bridge, "/ws/control?token=tok");
    foreign
        .headers_mut()
        .insert("Origin", HeaderValue::from_static("http://evil.example"));
    let (status, body) = refused(foreign).await;
    assert_eq!(status, 403);
    assert!(
        body.contains("\"http://evil.example\" may not use this bridge"),
        "{body}"
    );

    let mut rebound = request(&bridge, "/ws/control?token=tok");
    rebound
        .headers_mut()
        .insert("Host", HeaderValue::from_static("attacker.example:8080"));
    let (status, body) = refused(rebound).await;
    assert_eq!(status, 403);
    assert!(body.contains("DNS rebinding"), "{body}");

    // After all that, the right page still gets in.
    let server = server();
    let mut page = FakePage::open(&bridge, server.addr(), 1).await;
    assert!(matches!(
        page.messages.recv().await,
        Some(amqp_playground_relay::control::ToPage::Hello { .. })
    ));
    page.close().await;
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_itself_is_served_only_under_the_bridges_own_host() {
    let bridge = bridge().await;
    let get = |host: &'static str| {
        let addr = bridge.http;
        async move {
            let mut tcp = TcpStream::connect(addr).await.unwrap();
            let req = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
            let req = req.replace("{addr}", &addr.to_string());
            tcp.write_all(req.as_bytes()).await.unwrap();
            let mut answer = String::new();
            tcp.read_to_string(&mut answer).await.unwrap();
            answer
        }
    };
    let own = get("{addr}").await;
    assert!(own.starts_with("HTTP/1.1 200"), "{own}");
    assert!(own.contains("<title>AMQP Playground</title>"), "{own}");
    let foreign = get("rebind.example").await;
    assert!(foreign.starts_with("HTTP/1.1 403"), "{foreign}");
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_over_the_limit_closes_that_client_and_the_bridge_serves_on() {
    let server = server();
    let bridge = bridge().await;
    let mut page = FakePage::open(&bridge, server.addr(), 1).await;
    let mut tcp = TcpStream::connect(bridge.amqp).await.unwrap();
    next_client(&mut page).await;
    tcp.write_all(b"AMQP\x00\x00\x09\x01").await.unwrap();
    let mut start = [0u8; 7];
    tcp.read_exact(&mut start).await.unwrap();
    assert_eq!(&start[..3], &[1, 0, 0], "connection.start arrives");
    // A 16 MiB body frame: the bridge relays its header alone and reads nothing more.
    let mut huge = vec![3, 0, 1];
    huge.extend_from_slice(&(16u32 << 20).to_be_bytes());
    tcp.write_all(&huge).await.unwrap();
    let _ = tcp.write_all(&vec![0u8; 1 << 20]).await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the client is closed, not left hanging");

    let conn = lapin::Connection::connect(
        &format!("amqp://guest:guest@{}/%2f", bridge.amqp),
        lapin::ConnectionProperties::default(),
    )
    .await
    .expect("the next client is served");
    drop(conn);
    page.close().await;
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_into_a_stalled_page_is_held_back_by_tcp_not_buffered() {
    let bridge = bridge().await;
    let frames = Arc::new(AtomicU64::new(0));
    let mut page = FakePage::open_behind(&bridge, Behind::Stalled(frames.clone()), 0).await;
    let mut tcp = TcpStream::connect(bridge.amqp).await.unwrap();
    next_client(&mut page).await;
    // The protocol header, then heartbeats as fast as the socket takes them.
    let written = Arc::new(AtomicU64::new(0));
    let w = written.clone();
    let flood = tokio::spawn(async move {
        tcp.write_all(b"AMQP\x00\x00\x09\x01").await.unwrap();
        let beats: Vec<u8> = [8u8, 0, 0, 0, 0, 0, 0, 0xCE].repeat(8192);
        loop {
            if tcp.write_all(&beats).await.is_err() {
                return;
            }
            w.fetch_add(beats.len() as u64, Ordering::Relaxed);
        }
    });
    tokio::time::sleep(Duration::from_secs(2)).await;
    let sent_to_page = frames.load(Ordering::Relaxed);
    assert_eq!(
        sent_to_page,
        u64::from(INITIAL_CREDIT),
        "only the credit's worth reached the page"
    );
    let accepted = written.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        written.load(Ordering::Relaxed),
        accepted,
        "the client's writes are blocked (TCP back-pressure)"
    );
    assert!(
        accepted < 64 << 20,
        "kernel buffers only, not the bridge: {accepted} bytes"
    );
    flood.abort();
    page.close().await;
    bridge.stop().await.unwrap();
}
