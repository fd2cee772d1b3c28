//! The live region's narration (`Playground::narration`, read out by screen readers from the
//! status panel) says why a message went where it went, for one routing decision of each
//! exchange type: the moment it is routed, the words name the exchange, each binding's
//! reason, and where the copies went.
#![cfg(not(target_arch = "wasm32"))]

use amqp_playground_web::sim::playground::NARRATION_LINES;
use amqp_playground_web::sim::{presets, Playground, PublishRequest};

/// What the live region says the moment a message from `preset`'s producer is routed.
fn narrated(preset: &str, key: Option<&str>) -> String {
    let mut pg = Playground::new(presets::by_name(preset).unwrap()).unwrap();
    pg.publish(PublishRequest {
        routing_key: key.map(str::to_string),
        ..PublishRequest::default()
    })
    .unwrap();
    for _ in 0..100 {
        pg.advance(10);
        let said = pg.narration();
        if said.contains("routed to") || said.contains("unroutable") {
            return said;
        }
    }
    panic!(
        "{preset}: never routed; the log: {:?}",
        pg.log().collect::<Vec<_>>()
    );
}

#[test]
fn a_direct_exchange_says_which_key_matched_and_which_did_not() {
    let said = narrated("routing", Some("orange"));
    assert!(
        said.contains("message #1 published to `direct_logs` with key `orange`"),
        "{said}"
    );
    assert!(said.contains("message #1 routed to Q1"), "{said}");
    assert!(
        said.contains(
            "Binding key 'orange' equals routing key 'orange'. The message goes to queue 'Q1'."
        ),
        "{said}"
    );
    assert!(
        said.contains("Binding key 'black' differs from routing key 'orange' (a direct exchange needs exact equality)"),
        "{said}"
    );
}

#[test]
fn a_fanout_exchange_says_it_ignores_keys_and_copies_to_every_queue() {
    let said = narrated("publish-subscribe", Some("anything"));
    assert!(
        said.contains("A fanout exchange copies every message to every binding; keys and arguments are ignored."),
        "{said}"
    );
    assert_eq!(
        said.matches("The message goes to queue").count(),
        2,
        "{said}"
    );
}

#[test]
fn a_topic_exchange_says_word_by_word_why_a_pattern_matched_or_not() {
    let said = narrated("topics", Some("lazy.brown.fox"));
    assert!(said.contains("message #1 routed to Q2"), "{said}");
    assert!(
        said.contains("Binding key 'lazy.#' matches routing key 'lazy.brown.fox'"),
        "{said}"
    );
    assert!(
        said.contains("Binding key '*.orange.*' does not match routing key 'lazy.brown.fox'"),
        "{said}"
    );
}

#[test]
fn a_headers_exchange_says_which_arguments_matched_under_x_match() {
    let said = narrated("headers", None);
    assert!(
        said.contains("x-match 'all': every argument must match."),
        "{said}"
    );
    assert!(
        said.contains("x-match 'any': one matching argument is enough."),
        "{said}"
    );
    assert!(
        said.contains("'format' wants 'pdf' (longstr) and the message has 'pdf' (longstr): equal"),
        "{said}"
    );
}

#[test]
fn a_message_no_binding_takes_is_narrated_as_unroutable() {
    let said = narrated("routing", Some("purple"));
    assert!(said.contains("unroutable"), "{said}");
    assert!(said.contains("`direct_logs`"), "{said}");
}

#[test]
fn the_narration_is_one_moment_and_bounded() {
    let mut pg = Playground::new(presets::by_name("topics").unwrap()).unwrap();
    pg.advance(5_000);
    let said = pg.narration();
    assert!(!said.contains(" ms "), "no time stamps: {said}");
    // Ten messages at once: the region reads the first lines of that moment, not all.
    for _ in 0..10 {
        pg.publish(PublishRequest::default()).unwrap();
    }
    pg.advance(2_000);
    let said = pg.narration();
    assert_eq!(said.matches("message #").count(), NARRATION_LINES, "{said}");
    assert!(
        said.starts_with("message #1 published"),
        "the moment's first lines: {said}"
    );
}
