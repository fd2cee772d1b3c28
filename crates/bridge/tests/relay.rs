//! The bridge relays a real client (lapin) through a page to a session and back, closes it
//! with 320 when the page goes away, and tells a second page who holds it.

mod common;

use std::time::Duration;

use amqp_playground_relay::control::ToPage;
use common::{bridge, next_client, server, FakePage};
use lapin::options::{
    BasicGetOptions, BasicPublishOptions, ConfirmSelectOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Connection, ConnectionProperties};

fn url(addr: std::net::SocketAddr) -> String {
    format!("amqp://guest:guest@{addr}/%2f")
}

/// The connection error the client reports when the server closes it.
fn close_reason(conn: &Connection) -> tokio::task::JoinHandle<String> {
    let mut events = Box::pin(conn.events_listener());
    tokio::spawn(async move {
        use futures_util::StreamExt;
        while let Some(event) = events.next().await {
            if let lapin::Event::Error(e) = event {
                return e.to_string();
            }
        }
        "no error: the connection just ended".into()
    })
}

/// A bridge, a page behind it, and a client connected through both with a channel open.
async fn connected() -> (
    amqp_playground_server::ServerHandle,
    amqp_playground_bridge::BridgeHandle,
    FakePage,
    Connection,
    lapin::Channel,
) {
    let server = server();
    let bridge = bridge().await;
    let mut page = FakePage::open(&bridge, server.addr(), 1).await;
    let conn = Connection::connect(&url(bridge.amqp), ConnectionProperties::default())
        .await
        .unwrap();
    next_client(&mut page).await;
    let ch = conn.create_channel().await.unwrap();
    (server, bridge, page, conn, ch)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_client_publishes_and_gets_through_the_page() {
    let server = server();
    let bridge = bridge().await;
    let mut page = FakePage::open(&bridge, server.addr(), 1).await;
    let Some(ToPage::Hello { amqp, upstream, .. }) = page.messages.recv().await else {
        panic!("the page is greeted first");
    };
    assert_eq!(amqp, bridge.amqp.to_string());
    assert_eq!(upstream, None);

    let conn = Connection::connect(&url(bridge.amqp), ConnectionProperties::default())
        .await
        .expect("the client connects through the bridge");
    next_client(&mut page).await;
    let ch = conn.create_channel().await.unwrap();
    ch.confirm_select(ConfirmSelectOptions::default())
        .await
        .unwrap();
    ch.queue_declare(
        "hello".into(),
        QueueDeclareOptions::default(),
        FieldTable::default(),
    )
    .await
    .unwrap();
    // Enough messages to spend the initial credit many times over.
    for i in 0..300 {
        ch.basic_publish(
            "".into(),
            "hello".into(),
            BasicPublishOptions::default(),
            format!("Hello World! {i}").as_bytes(),
            BasicProperties::default(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
    }
    let got = ch
        .basic_get("hello".into(), BasicGetOptions { no_ack: true })
        .await
        .unwrap()
        .expect("a message waits");
    assert_eq!(got.delivery.data, b"Hello World! 0");
    assert_eq!(got.message_count, 299);
    conn.close(200, "bye".into()).await.unwrap();
    page.close().await;
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_page_goes_away_its_clients_get_320_page_closed() {
    let (server, bridge, page, conn, _ch) = connected().await;
    let closed = close_reason(&conn);
    page.close().await;
    let text = tokio::time::timeout(Duration::from_secs(5), closed)
        .await
        .expect("the client hears of it at once, it does not hang")
        .unwrap();
    assert!(text.contains("CONNECTION_FORCED - page closed"), "{text}");

    // A new page takes over and serves new clients.
    let mut page = FakePage::open(&bridge, server.addr(), 1).await;
    let conn = Connection::connect(&url(bridge.amqp), ConnectionProperties::default())
        .await
        .unwrap();
    next_client(&mut page).await;
    assert!(conn.create_channel().await.is_ok());
    page.close().await;
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_page_is_told_which_page_holds_the_bridge() {
    let server = server();
    let bridge = bridge().await;
    let first = FakePage::open(&bridge, server.addr(), 1).await;
    let mut second = FakePage::open(&bridge, server.addr(), 1).await;
    let mut busy = None;
    while let Some(m) = second.messages.recv().await {
        if let ToPage::Busy { holder } = m {
            busy = Some(holder);
        }
    }
    let holder = busy.expect("the second page hears it is busy");
    assert!(holder.starts_with("test page (connected"), "{holder}");
    first.close().await;
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_connects_before_the_page_waits_for_it() {
    let server = server();
    let bridge = bridge().await;
    let amqp = bridge.amqp;
    let client = tokio::spawn(async move {
        Connection::connect(&url(amqp), ConnectionProperties::default()).await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut page = FakePage::open(&bridge, server.addr(), 1).await;
    next_client(&mut page).await;
    let conn = client
        .await
        .unwrap()
        .expect("connected once the page opened");
    assert!(conn.create_channel().await.is_ok());
    page.close().await;
    bridge.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_bridge_closes_clients_with_320_and_tells_the_page() {
    let (_server, bridge, mut page, conn, _ch) = connected().await;
    let closed = close_reason(&conn);
    bridge.stop().await.unwrap();
    let text = closed.await.unwrap();
    assert!(
        text.contains(
            "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'"
        ),
        "{text}"
    );
    // The page's control socket closed: its message stream ends.
    let ended = tokio::time::timeout(Duration::from_secs(3), async {
        while page.messages.recv().await.is_some() {}
    })
    .await;
    assert!(ended.is_ok());
    page.close().await;
}
