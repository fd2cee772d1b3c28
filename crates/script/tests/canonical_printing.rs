//! The canonical result prints exactly as scenario-script.md describes: sorted keys, message
//! objects, `<timestamp>`, `$decimal`, `$bytes`, and every section.

use amqp_playground_core::{FieldTable, FieldValue};
use amqp_playground_script::result::{ErrorEntry, LogEntry, Returned, StepRef};
use amqp_playground_script::script::Properties;
use amqp_playground_script::{Message, RunResult, Scope};

fn msg(body: &[u8]) -> Message {
    Message {
        body: body.to_vec(),
        redelivered: false,
        exchange: String::new(),
        routing_key: "q".into(),
        headers: None,
        properties: Properties::default(),
    }
}

#[test]
fn an_empty_result_prints_every_section() {
    assert_eq!(
        RunResult::default().to_canonical_json(),
        "{\n  \"consumers\": {},\n  \"errors\": [],\n  \"log\": [],\n  \"nacks\": [],\n  \"queues\": {},\n  \"returns\": []\n}\n"
    );
}

#[test]
fn message_headers_use_the_tagged_forms() {
    let death: FieldTable = [
        ("time".to_string(), FieldValue::Timestamp(1_700_000_000)),
        ("count".to_string(), FieldValue::I64(1)),
        ("reason".to_string(), FieldValue::string("expired")),
    ]
    .into_iter()
    .collect();
    let headers: FieldTable = [
        ("z".to_string(), FieldValue::I8(-3)),
        (
            "a".to_string(),
            FieldValue::Decimal {
                scale: 2,
                value: 150,
            },
        ),
        ("raw".to_string(), FieldValue::LongString(vec![0xff, 0x00])),
        ("bin".to_string(), FieldValue::Bytes(b"hi".to_vec())),
        ("void".to_string(), FieldValue::Void),
        ("f".to_string(), FieldValue::F64(0.5)),
        (
            "x-death".to_string(),
            FieldValue::Array(vec![FieldValue::Table(death)]),
        ),
    ]
    .into_iter()
    .collect();
    let mut m = msg(&[0xc3, 0x28]);
    m.redelivered = true;
    m.headers = Some(headers);
    m.properties.priority = Some(5);
    m.properties.expiration = Some("100".into());
    m.properties.kind = Some("t".into());
    let mut result = RunResult::default();
    result.queues.insert("q".into(), Some(vec![m]));
    result.queues.insert("gone".into(), None);
    let want = r#"{
  "consumers": {},
  "errors": [],
  "log": [],
  "nacks": [],
  "queues": {
    "gone": null,
    "q": [
      {
        "body": {
          "$bytes": "wyg="
        },
        "exchange": "",
        "headers": {
          "a": {
            "$decimal": "1.50"
          },
          "bin": {
            "$bytes": "aGk="
          },
          "f": 0.5,
          "raw": {
            "$bytes": "/wA="
          },
          "void": null,
          "x-death": [
            {
              "count": 1,
              "reason": "expired",
              "time": "<timestamp>"
            }
          ],
          "z": -3
        },
        "properties": {
          "expiration": "100",
          "priority": 5,
          "type": "t"
        },
        "redelivered": true,
        "routing_key": "q"
      }
    ]
  },
  "returns": []
}
"#;
    assert_eq!(result.to_canonical_json(), want);
}

#[test]
fn log_returns_nacks_and_errors_print_their_fields() {
    let mut result = RunResult::default();
    result.log.push(LogEntry::Get {
        step: 1,
        queue: "q".into(),
        ack: "hold",
        message: None,
        message_count: 0,
    });
    result.log.push(LogEntry::Count {
        step: 2,
        queue: "q".into(),
        message_count: 3,
        consumer_count: 1,
    });
    result.returns.push(Returned {
        step: 0,
        reply_code: 312,
        reply_text: "NO_ROUTE".into(),
        message: msg(b"lost"),
    });
    result.nacks.push((4, b"n".to_vec()));
    result.errors.push(ErrorEntry {
        step: StepRef::Setup,
        op: "declare_queue".into(),
        scope: Scope::Channel,
        reply_code: 403,
        reply_text: "ACCESS_REFUSED - queue name 'amq.q' contains reserved prefix 'amq.*'".into(),
    });
    result.consumers.insert("c1".into(), vec![msg(b"m")]);
    let v: serde_json::Value = serde_json::from_str(&result.to_canonical_json()).unwrap();
    assert_eq!(
        v["log"],
        serde_json::json!([
            {"step": 1, "op": "get", "queue": "q", "ack": "hold", "message": null, "message_count": 0},
            {"step": 2, "op": "count", "queue": "q", "message_count": 3, "consumer_count": 1}
        ])
    );
    assert_eq!(
        v["returns"],
        serde_json::json!([{"step": 0, "reply_code": 312, "reply_text": "NO_ROUTE", "body": "lost",
                            "exchange": "", "routing_key": "q", "redelivered": false}])
    );
    assert_eq!(v["nacks"], serde_json::json!([{"step": 4, "body": "n"}]));
    assert_eq!(v["errors"][0]["step"], "setup");
    assert_eq!(v["errors"][0]["scope"], "channel");
    assert_eq!(v["consumers"]["c1"][0]["body"], "m");
}

#[test]
fn renames_replace_generated_names_in_keys_and_texts() {
    let mut result = RunResult::default();
    let mut m = msg(b"x");
    m.routing_key = "amq.gen-AAAAAAAAAAAAAAAAAAAAAA".into();
    result.queues.insert("run1-q".into(), Some(vec![m]));
    result.errors.push(ErrorEntry {
        step: StepRef::Index(0),
        op: "get".into(),
        scope: Scope::Channel,
        reply_code: 404,
        reply_text: "NOT_FOUND - no queue 'run1-missing' in vhost '/'".into(),
    });
    result.renames = vec![
        ("amq.gen-AAAAAAAAAAAAAAAAAAAAAA".into(), "sub".into()),
        ("run1-".into(), String::new()),
    ];
    let v: serde_json::Value = serde_json::from_str(&result.to_canonical_json()).unwrap();
    assert_eq!(v["queues"]["q"][0]["routing_key"], "sub");
    assert_eq!(
        v["errors"][0]["reply_text"],
        "NOT_FOUND - no queue 'missing' in vhost '/'"
    );
}
