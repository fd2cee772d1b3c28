//! With the `serde` feature, commands, replies and events survive a JSON round trip (the UI,
//! CLI and bridge exchange them).
#![cfg(feature = "serde")]

mod harness;

use amqp_playground_core::*;
use harness::World;

#[test]
fn a_whole_story_round_trips_through_json() {
    let mut w = World::new();
    w.declare("q");
    w.publish_with(
        "",
        "q",
        "hello",
        Properties {
            headers: Some(harness::args(&[("n", FieldValue::I32(1))])),
            priority: Some(3),
            ..Properties::default()
        },
    );
    w.consume("q", false);
    let events = w.events();
    let json = serde_json::to_string(&events).unwrap();
    let back: Vec<Event> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, events);
    let command = Command::from(BasicPublish {
        channel: w.ch,
        routing_key: "q".into(),
        body: "x".into(),
        ..Default::default()
    });
    let back: Command = serde_json::from_str(&serde_json::to_string(&command).unwrap()).unwrap();
    assert_eq!(back, command);
    let config = Config::default();
    let back: Config = serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
    assert_eq!(back, config);
}
