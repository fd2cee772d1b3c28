//! The interpreter on the broker core: virtual time, aliases, held deliveries, errors and the
//! final drain, asserted on the canonical result.

use amqp_playground_core::Compat;
use amqp_playground_script::{run, run_on_core, CoreBackend, Script};
use serde_json::{json, Value};

fn result(script: &str) -> Value {
    let script = Script::parse(script).expect("valid script");
    let text = run_on_core(&script, Compat::RabbitMq310).expect("the run succeeds");
    serde_json::from_str(&text).expect("canonical JSON parses")
}

fn bodies(messages: &Value) -> Vec<String> {
    messages
        .as_array()
        .expect("an array of messages")
        .iter()
        .map(|m| {
            let body = m["body"].as_str().unwrap().to_string();
            if m["redelivered"] == json!(true) {
                format!("{body}(R)")
            } else {
                body
            }
        })
        .collect()
}

#[test]
fn sleep_ms_moves_virtual_time_and_fires_ttl_exactly_at_the_deadline() {
    let v = result(
        r#"{"queues": [{"name": "q", "arguments": {"x-message-ttl": 1000}}],
            "steps": [
              {"publish": {"exchange": "", "routing_key": "q", "body": "m"}},
              {"sleep_ms": 999},
              {"count": {"queue": "q"}},
              {"sleep_ms": 1},
              {"count": {"queue": "q"}}
            ]}"#,
    );
    assert_eq!(v["log"][0]["message_count"], 1, "{v}");
    assert_eq!(v["log"][1]["message_count"], 0, "{v}");
    assert_eq!(v["queues"]["q"], json!([]));
}

#[test]
fn server_named_queues_print_their_alias() {
    let v = result(
        r#"{"exchanges": [{"name": "logs", "type": "fanout"}],
            "steps": [
              {"declare_queue": {"name": "", "alias": "mine", "exclusive": true}},
              {"bind": {"source": "logs", "destination": "mine"}},
              {"publish": {"exchange": "logs", "routing_key": "", "body": "fan"}},
              {"publish": {"exchange": "", "routing_key": "mine", "body": "direct"}}
            ]}"#,
    );
    assert_eq!(v["log"][0]["server_named"], "amq.gen-<22>");
    assert_eq!(v["log"][0]["queue"], "mine");
    assert_eq!(bodies(&v["queues"]["mine"]), ["fan", "direct"]);
    assert_eq!(v["queues"]["mine"][1]["routing_key"], "mine");
    // Only the shape marker mentions amq.gen-: the generated name itself never prints.
    assert_eq!(
        v.to_string().matches("amq.gen-").count(),
        1,
        "a generated name leaked: {v}"
    );
}

#[test]
fn held_deliveries_settle_in_tag_order_and_the_rest_return_at_the_end() {
    let v = result(
        r#"{"queues": [{"name": "q"}],
            "steps": [
              {"publish": {"exchange": "", "routing_key": "q", "body": "m{i}", "repeat": 4}},
              {"consume": {"queue": "q", "tag": "c", "ack": "hold", "prefetch": 2}},
              {"settle": {"mode": "nack", "requeue": true}},
              {"get": {"queue": "q", "ack": "hold", "channel": "other"}}
            ]}"#,
    );
    // The consumer took m1, m2; the nack requeued both to their places; the consumer got them
    // again (redelivered); the get on another channel took m3.
    assert_eq!(bodies(&v["consumers"]["c"]), ["m1", "m2", "m1(R)", "m2(R)"]);
    assert_eq!(v["log"][0]["message"]["body"], "m3");
    assert_eq!(v["log"][0]["message_count"], 1);
    // Closing every channel at the end puts the held ones back in order.
    assert_eq!(bodies(&v["queues"]["q"]), ["m1(R)", "m2(R)", "m3(R)", "m4"]);
}

#[test]
fn a_channel_error_is_logged_and_the_script_goes_on_with_a_fresh_channel() {
    let v = result(
        r#"{"queues": [{"name": "q"}],
            "steps": [
              {"publish": {"exchange": "", "routing_key": "q", "body": "a"}},
              {"get": {"queue": "q", "ack": "hold"}},
              {"publish": {"exchange": "missing", "routing_key": "q", "body": "lost"}},
              {"settle": {"mode": "ack"}},
              {"get": {"queue": "q", "ack": "ack"}}
            ]}"#,
    );
    assert_eq!(
        v["errors"],
        json!([{"step": 2, "op": "publish", "scope": "channel", "reply_code": 404,
                "reply_text": "NOT_FOUND - no exchange 'missing' in vhost '/'"}])
    );
    // The error requeued the held message and the settle had nothing left to settle, so the
    // next get sees it again, redelivered.
    assert_eq!(v["log"][1]["message"]["body"], "a");
    assert_eq!(v["log"][1]["message"]["redelivered"], true);
    assert_eq!(v["queues"]["q"], json!([]));
}

#[test]
fn a_connection_error_closes_every_channel_of_that_connection_only() {
    let v = result(
        r#"{"queues": [{"name": "q"}],
            "steps": [
              {"publish": {"exchange": "", "routing_key": "q", "body": "m{i}", "repeat": 2}},
              {"get": {"queue": "q", "ack": "hold", "channel": "other:keep"}},
              {"get": {"queue": "q", "ack": "hold", "channel": "lost"}},
              {"recover": {"requeue": false}},
              {"count": {"queue": "q"}},
              {"settle": {"mode": "ack", "channel": "other:keep"}},
              {"count": {"queue": "q"}}
            ]}"#,
    );
    assert_eq!(v["errors"][0]["scope"], "connection");
    assert_eq!(v["errors"][0]["reply_code"], 540);
    assert_eq!(
        v["errors"][0]["reply_text"],
        "NOT_IMPLEMENTED - requeue=false"
    );
    // m2 (held on the main connection) came back; m1 (held on "other") did not until acked.
    assert_eq!(v["log"][2]["message_count"], 1);
    assert_eq!(v["log"][3]["message_count"], 1);
    assert_eq!(bodies(&v["queues"]["q"]), ["m2(R)"]);
}

#[test]
fn the_final_drain_shows_gone_queues_as_null_and_skips_drain_false() {
    let v = result(
        r#"{"queues": [{"name": "kept"}, {"name": "quiet", "drain": false}, {"name": "gone"}],
            "steps": [
              {"publish": {"exchange": "", "routing_key": "quiet", "body": "x"}},
              {"delete_queue": {"queue": "gone"}}
            ]}"#,
    );
    assert_eq!(v["queues"], json!({"kept": [], "gone": null}));
    assert_eq!(
        v["log"],
        json!([{"step": 1, "op": "delete_queue", "queue": "gone", "message_count": 0}])
    );
}

#[test]
fn returns_nacks_and_confirms_are_matched_to_their_publish() {
    let v = result(
        r#"{"queues": [{"name": "one", "arguments": {"x-max-length": 1, "x-overflow": "reject-publish"}}],
            "steps": [
              {"publish": {"exchange": "", "routing_key": "nowhere", "body": "back", "mandatory": true}},
              {"publish": {"exchange": "", "routing_key": "one", "body": "n{i}", "repeat": 3}}
            ]}"#,
    );
    assert_eq!(v["returns"][0]["step"], 0);
    assert_eq!(v["returns"][0]["reply_text"], "NO_ROUTE");
    assert_eq!(v["returns"][0]["routing_key"], "nowhere");
    assert_eq!(
        v["nacks"],
        json!([{"step": 1, "body": "n2"}, {"step": 1, "body": "n3"}])
    );
    assert_eq!(bodies(&v["queues"]["one"]), ["n1"]);
}

#[test]
fn the_same_script_gives_the_same_text_every_time() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/scripts/work-queues.json"),
    )
    .unwrap();
    let script = Script::parse(&text).unwrap();
    let first = run_on_core(&script, Compat::RabbitMq4).unwrap();
    for _ in 0..3 {
        assert_eq!(run_on_core(&script, Compat::RabbitMq4).unwrap(), first);
    }
    // A backend can be reused for inspection after the run.
    let mut backend = CoreBackend::new(Compat::RabbitMq4);
    let again = run(&script, &mut backend).unwrap().to_canonical_json();
    assert_eq!(again, first);
    assert_eq!(backend.now().0, 0, "work-queues never sleeps");
}

#[test]
fn a_stream_consumer_can_start_from_a_point_in_virtual_time() {
    // {"$timestamp": N} is an AMQP timestamp; the core's clock starts at 0 s.
    let v = result(
        r#"{"queues": [{"name": "s", "durable": true, "drain": false,
                        "arguments": {"x-queue-type": "stream"}}],
            "steps": [
              {"publish": {"exchange": "", "routing_key": "s", "body": "at-0s"}},
              {"sleep_ms": 2000},
              {"publish": {"exchange": "", "routing_key": "s", "body": "at-2s"}},
              {"sleep_ms": 2000},
              {"publish": {"exchange": "", "routing_key": "s", "body": "at-4s"}},
              {"consume": {"queue": "s", "tag": "since-1s", "ack": "ack", "prefetch": 10,
                           "arguments": {"x-stream-offset": {"$timestamp": 1}}}},
              {"consume": {"queue": "s", "tag": "last-3s", "ack": "ack", "prefetch": 10,
                           "channel": "b", "arguments": {"x-stream-offset": "3s"}}}
            ]}"#,
    );
    assert_eq!(
        bodies(&v["consumers"]["since-1s"]),
        ["at-2s", "at-4s"],
        "{v}"
    );
    assert_eq!(
        bodies(&v["consumers"]["last-3s"]),
        ["at-2s", "at-4s"],
        "{v}"
    );
    assert_eq!(
        v["consumers"]["since-1s"][0]["headers"]["x-stream-offset"],
        1
    );
}
