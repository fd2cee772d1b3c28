//! Every kind of malformed script gives a message naming where and what.

use amqp_playground_script::script::{ChannelName, GetAck, Step};
use amqp_playground_script::Script;

fn err(text: &str) -> String {
    Script::parse(text)
        .expect_err("the script should be refused")
        .to_string()
}

fn steps(steps: &str) -> String {
    format!(r#"{{"steps": [{steps}]}}"#)
}

#[test]
fn wrong_field_type_names_step_kind_and_field() {
    assert_eq!(
        err(&steps(
            r#"{"sleep_ms": 5}, {"sleep_ms": 5}, {"sleep_ms": 5}, {"publish": {"exchange": "", "routing_key": 42, "body": "x"}}"#
        )),
        r#"step 3 (publish): field "routing_key": expected a string, got 42"#
    );
}

#[test]
fn malformed_inputs_and_their_messages() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"steps": [}"#,
            "invalid JSON at line 1 column 12: expected value",
        ),
        ("[]", "script: expected an object, got []"),
        (r#"{}"#, r#"script: missing field "steps""#),
        (
            r#"{"steps": {}}"#,
            r#"script: field "steps": expected an array, got {}"#,
        ),
        (
            r#"{"steps": [], "stesp": []}"#,
            r#"script: unknown field "stesp" (expected one of: description, confirm, exchanges, queues, bindings, steps)"#,
        ),
        (
            r#"{"confirm": "yes", "steps": []}"#,
            r#"script: field "confirm": expected a boolean, got "yes""#,
        ),
        (
            &steps(r#"{"publsh": {}}"#),
            "step 0: unknown step kind \"publsh\" (expected one of: publish, sleep_ms, get, drain, count, settle, consume, cancel, qos, recover, close_channel, close_connection, declare_queue, declare_exchange, bind, unbind, delete_queue, delete_exchange, purge, tx)",
        ),
        (
            &steps(r#"{"publish": {}, "get": {}}"#),
            r#"step 0: expected an object with exactly one key (the step kind), got {"get":{},"publish":{}}"#,
        ),
        (
            &steps(r#""publish""#),
            r#"step 0: expected an object with exactly one key (the step kind), got "publish""#,
        ),
        (
            &steps(r#"{"publish": {"exchange": "", "body": "x"}}"#),
            r#"step 0 (publish): missing field "routing_key""#,
        ),
        (
            &steps(r#"{"publish": {"exchange": "", "routing_key": "k", "body": "x", "mandatry": true}}"#),
            r#"step 0 (publish): unknown field "mandatry" (expected one of: exchange, routing_key, body, headers, properties, mandatory, immediate, repeat, channel)"#,
        ),
        (
            &steps(r#"{"publish": {"exchange": "", "routing_key": "k", "body": "x", "repeat": 0}}"#),
            r#"step 0 (publish): field "repeat": must be at least 1"#,
        ),
        (
            &steps(r#"{"publish": {"exchange": "", "routing_key": "k", "body": "x", "repeat": -1}}"#),
            r#"step 0 (publish): field "repeat": expected a non-negative integer, got -1"#,
        ),
        (
            &steps(r#"{"publish": {"exchange": "", "routing_key": "k", "body": "x", "properties": {"priority": 300}}}"#),
            r#"step 0 (publish): field "properties.priority": 300 is larger than 255"#,
        ),
        (
            &steps(r#"{"publish": {"exchange": "", "routing_key": "k", "body": "x", "properties": {"expiration": 100}}}"#),
            r#"step 0 (publish): field "properties.expiration": expected a string, got 100"#,
        ),
        (
            &steps(r#"{"publish": {"exchange": "", "routing_key": "k", "body": "x", "properties": {"colour": "red"}}}"#),
            r#"step 0 (publish): unknown field "properties.colour" (expected one of: content_type, content_encoding, delivery_mode, priority, correlation_id, reply_to, expiration, message_id, timestamp, type, user_id, app_id)"#,
        ),
        (
            &steps(r#"{"publish": {"exchange": "", "routing_key": "k", "body": "x", "headers": [1]}}"#),
            r#"step 0 (publish): field "headers": expected an object, got [1]"#,
        ),
        (
            &steps(r#"{"publish": {"exchange": "", "routing_key": "k", "body": "x", "headers": {"a": {"b": [1, 18446744073709551615]}}}}"#),
            r#"step 0 (publish): field "headers["a"]["b"][1]": integer 18446744073709551615 does not fit a signed 64-bit field"#,
        ),
        (
            &steps(r#"{"publish": {"exchange": "", "routing_key": "k", "body": "x", "headers": {"d": {"$decimal": "x"}}}}"#),
            r#"step 0 (publish): field "headers["d"]": invalid $decimal "x""#,
        ),
        (
            &steps(r#"{"publish": {"exchange": "", "routing_key": "k", "body": "x", "headers": {"n": {"$signedint": 3000000000}}}}"#),
            r#"step 0 (publish): field "headers["n"]": $signedint 3000000000 is not a 32-bit signed integer"#,
        ),
        (
            &steps(r#"{"consume": {"queue": "s", "tag": "t", "ack": "ack", "prefetch": 1, "arguments": {"x-stream-offset": {"$timestamp": -5}}}}"#),
            r#"step 0 (consume): field "arguments["x-stream-offset"]": $timestamp -5 is not a whole number of seconds"#,
        ),
        (
            &steps(r#"{"publish": {"exchange": "", "routing_key": "k", "body": "x", "headers": {"n": {"$double": "1"}}}}"#),
            r#"step 0 (publish): field "headers["n"]": $double expects a number, got "1""#,
        ),
        (
            &steps(r#"{"publish": {"exchange": "", "routing_key": "k", "body": "x", "channel": "a:b:c"}}"#),
            r#"step 0 (publish): field "channel": "a:b:c" is not a channel name ("chan" or "connection:chan")"#,
        ),
        (
            &steps(r#"{"sleep_ms": "100"}"#),
            r#"step 0 (sleep_ms): expected a non-negative integer (milliseconds), got "100""#,
        ),
        (
            &steps(r#"{"get": {"queue": "q", "ack": "yes"}}"#),
            r#"step 0 (get): field "ack": expected one of "ack", "nack", "reject", "none", "hold", got "yes""#,
        ),
        (
            &steps(r#"{"get": {"queue": "q"}}"#),
            r#"step 0 (get): missing field "ack""#,
        ),
        (
            &steps(r#"{"consume": {"queue": "q", "tag": "", "ack": "ack"}}"#),
            r#"step 0 (consume): field "tag": must not be empty (results are recorded under it)"#,
        ),
        (
            &steps(r#"{"consume": {"queue": "q", "tag": "c", "ack": "ack", "prefetch": 70000}}"#),
            r#"step 0 (consume): field "prefetch": 70000 is larger than 65535"#,
        ),
        (
            &steps(r#"{"settle": {"mode": "drop"}}"#),
            r#"step 0 (settle): field "mode": expected one of "ack", "nack", "reject", got "drop""#,
        ),
        (
            &steps(r#"{"tx": {"op": "begin"}}"#),
            r#"step 0 (tx): field "op": expected one of "select", "commit", "rollback", "confirm_select", got "begin""#,
        ),
        (
            &steps(r#"{"qos": {"global": true}}"#),
            r#"step 0 (qos): missing field "prefetch""#,
        ),
        (
            &steps(r#"{"bind": {"source": "x", "destination": "q", "destination_type": "table"}}"#),
            r#"step 0 (bind): field "destination_type": expected one of "queue", "exchange", got "table""#,
        ),
        (
            &steps(r#"{"declare_queue": {"name": ""}}"#),
            r#"step 0 (declare_queue): field "alias": a server-named queue ("name": "") needs an alias for later steps"#,
        ),
        (
            &steps(r#"{"declare_exchange": {"name": "x"}}"#),
            r#"step 0 (declare_exchange): missing field "type""#,
        ),
        (
            &steps(r#"{"delete_queue": {"queue": "q", "if_empty": 1}}"#),
            r#"step 0 (delete_queue): field "if_empty": expected a boolean, got 1"#,
        ),
        (
            r#"{"queues": [{"name": "a"}, {"name": 7}], "steps": []}"#,
            r#"queues[1]: field "name": expected a string, got 7"#,
        ),
        (
            r#"{"queues": [{"name": "a", "channel": "x"}], "steps": []}"#,
            r#"queues[0]: unknown field "channel" (expected one of: name, alias, durable, exclusive, auto_delete, passive, arguments, drain)"#,
        ),
        (
            r#"{"exchanges": [{"name": "x", "type": "direct", "arguments": {"alternate-exchange": 1.2345678901}}], "steps": []}"#,
            r#"exchanges[0]: field "arguments["alternate-exchange"]": number 1.2345678901 cannot be an AMQP decimal (at most 9 digits, 255 places, not negative)"#,
        ),
        (
            r#"{"bindings": [{"source": "x"}], "steps": []}"#,
            r#"bindings[0]: missing field "destination""#,
        ),
    ];
    for (input, want) in cases {
        assert_eq!(&err(input), want, "input: {input}");
    }
}

#[test]
fn a_full_script_parses_into_typed_steps() {
    let script = Script::parse(
        r#"{
          "description": "d",
          "confirm": false,
          "exchanges": [{"name": "logs", "type": "fanout"}],
          "queues": [{"name": "", "alias": "sub", "exclusive": true}, {"name": "q", "drain": false}],
          "bindings": [{"source": "logs", "destination": "sub"}],
          "steps": [
            {"publish": {"exchange": "logs", "routing_key": "", "body": "m{i}", "repeat": 3,
                         "headers": {"n": null, "f": 1.5}, "properties": {"priority": 2}}},
            {"get": {"queue": "sub", "ack": "hold", "channel": "other:c2"}},
            {"sleep_ms": 10}
          ]
        }"#,
    )
    .unwrap();
    assert!(!script.confirm);
    assert_eq!(script.exchanges[0].kind, "fanout");
    assert_eq!(
        script.declared_queues(),
        vec![("sub".to_string(), true), ("q".to_string(), false)]
    );
    let Step::Publish(p) = &script.steps[0] else {
        panic!("not a publish")
    };
    assert_eq!(p.repeat, 3);
    assert_eq!(p.body_for(2), "m2");
    assert_eq!(p.properties.priority, Some(2));
    assert_eq!(
        p.headers.as_ref().unwrap().get("f"),
        Some(&amqp_playground_core::FieldValue::Decimal {
            scale: 1,
            value: 15
        })
    );
    assert_eq!(
        script.steps[1],
        Step::Get {
            queue: "sub".into(),
            ack: GetAck::Hold,
            requeue: false,
            channel: ChannelName {
                connection: "other".into(),
                channel: "c2".into()
            },
        }
    );
    assert_eq!(script.steps[2], Step::SleepMs(10));
}
