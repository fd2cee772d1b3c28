//! Verify: the page sends a client script on its control socket and the bridge answers with
//! the result of that script on the upstream RabbitMQ (the real 3.10.8 on 127.0.0.1:5672).
//! The same script on the core, under the upstream's profile, gives the same text.

mod common;

use std::time::Duration;

use amqp_playground_bridge::{verify, BridgeConfig};
use amqp_playground_core::Compat;
use amqp_playground_relay::control::{ToBridge, ToPage};
use amqp_playground_script::{run_on_core, Script};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

const RABBITMQ: &str = "amqp://guest:guest@127.0.0.1:5672/";

const SCRIPT: &str = r#"{
  "exchanges": [{"name": "logs", "type": "fanout"}],
  "queues": [{"name": "a"}, {"name": "b"}],
  "bindings": [{"source": "logs", "destination": "a", "destination_type": "queue"},
               {"source": "logs", "destination": "b", "destination_type": "queue"}],
  "steps": [
    {"publish": {"exchange": "logs", "routing_key": "", "body": "hi"}},
    {"publish": {"exchange": "", "routing_key": "nowhere", "body": "lost", "mandatory": true}},
    {"count": {"queue": "a"}}
  ]
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upstream_says_its_version_and_an_unreachable_one_says_nothing() {
    let version = verify::upstream_version(RABBITMQ)
        .await
        .expect("the RabbitMQ on 5672 answers");
    assert!(
        version.split('.').all(|p| p.parse::<u32>().is_ok()),
        "{version}"
    );
    assert_eq!(
        verify::upstream_version("amqp://guest:guest@127.0.0.1:1/").await,
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_runs_the_pages_script_on_rabbitmq_and_matches_the_core() {
    let bridge = amqp_playground_bridge::spawn(BridgeConfig {
        amqp: "127.0.0.1:0".parse().unwrap(),
        http: "127.0.0.1:0".parse().unwrap(),
        dist: common::dist(),
        token: Some("tok".into()),
        upstream: Some(RABBITMQ.into()),
        log: false,
        ..BridgeConfig::default()
    })
    .await
    .unwrap();
    let (mut ws, _) = tokio_tungstenite::connect_async(common::request(
        &bridge,
        "/ws/control?token=tok&label=verify",
    ))
    .await
    .unwrap();
    let hello = ws.next().await.unwrap().unwrap();
    let Ok(ToPage::Hello {
        upstream,
        upstream_version,
        ..
    }) = ToPage::from_json(hello.to_text().unwrap())
    else {
        panic!("hello first: {hello:?}");
    };
    assert_eq!(
        upstream.as_deref(),
        Some("amqp://guest@127.0.0.1:5672/"),
        "no password"
    );
    let version = upstream_version.expect("the upstream's version");

    let ask = ToBridge::Verify {
        id: 7,
        script: SCRIPT.into(),
    };
    ws.send(Message::Text(ask.to_json().into())).await.unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(30), ws.next())
        .await
        .expect("an answer")
        .unwrap()
        .unwrap();
    let Ok(ToPage::Verified { id, result, error }) = ToPage::from_json(answer.to_text().unwrap())
    else {
        panic!("verified: {answer:?}");
    };
    assert_eq!((id, error), (7, None));
    let compat = if version.starts_with("3.") {
        Compat::RabbitMq310
    } else {
        Compat::RabbitMq4
    };
    let core = run_on_core(&Script::parse(SCRIPT).unwrap(), compat).unwrap();
    assert_eq!(result.unwrap(), core);

    // A bad script is refused with the reason, and the socket stays usable.
    let bad = ToBridge::Verify {
        id: 8,
        script: r#"{"steps": [{"jump": {}}]}"#.into(),
    };
    ws.send(Message::Text(bad.to_json().into())).await.unwrap();
    let answer = ws.next().await.unwrap().unwrap();
    let Ok(ToPage::Verified {
        id: 8,
        error: Some(e),
        ..
    }) = ToPage::from_json(answer.to_text().unwrap())
    else {
        panic!("refused: {answer:?}");
    };
    assert!(e.starts_with("the script is not valid"), "{e}");
    bridge.stop().await.unwrap();
}
