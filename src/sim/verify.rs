//! Verify on RabbitMQ: the playground as a client script, and the two results compared.
//!
//! The scenario's topology (exchanges, queues with their arguments, bindings), its consumers
//! (as `consume` steps), its scripted steps and the publishes the learner made become one
//! client script (the `amqp-playground run` format). The page runs it on its own core, the
//! bridge runs it on the upstream RabbitMQ (unique names, deleted afterwards), and
//! [`compare`] lists every section of the canonical results that differs. Both sides run the
//! same interpreter, so a difference is a difference in broker behaviour.
//!
//! What a client script cannot say is left out and listed in [`VerifyScript::notes`]: the
//! consumers' processing times and failure rules (script consumers ack each delivery), RPC
//! answers, steady rates, and edits made after the start (the topology as it stands is used).

use amqp_playground_core::Compat;
use serde_json::{json, Map, Value};

use super::replay::Input;
use super::scenario::{json_table, ConsumerSpec, MessageProps, Scenario, Settle, Step};
use super::PublishRequest;

/// The script Verify runs, and what it leaves out.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifyScript {
    /// The client script, as JSON text.
    pub json: String,
    /// What the scenario does that the script does not.
    pub notes: Vec<String>,
}

/// One section of the results that differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// `queues`, `consumers`, `returns`, `errors`, `nacks` or `log`.
    pub section: String,
    /// The playground's (pretty JSON).
    pub playground: String,
    /// RabbitMQ's (pretty JSON).
    pub rabbitmq: String,
}

/// The compat profile that matches an upstream version (`3.10.8` → RabbitMQ 3.10).
pub fn compat_for(version: Option<&str>) -> Compat {
    match version {
        Some(v) if v.starts_with("3.") => Compat::RabbitMq310,
        _ => Compat::RabbitMq4,
    }
}

/// The scenario, the learner's inputs and what real clients did (script steps, in time with
/// the inputs) as one client script.
pub fn script_for(
    scenario: &Scenario,
    inputs: &[(u64, Input)],
    remote: &[(u64, Value)],
) -> VerifyScript {
    let mut notes = Vec::new();
    let exchanges: Vec<Value> = scenario
        .exchanges
        .iter()
        .filter(|x| !x.name.is_empty() && !x.name.starts_with("amq."))
        .map(|x| {
            json!({"name": x.name, "type": x.kind, "durable": x.durable,
                   "auto_delete": x.auto_delete, "internal": x.internal,
                   "arguments": json_table(&x.arguments)})
        })
        .collect();
    let queues: Vec<Value> = scenario
        .queues
        .iter()
        .map(|q| {
            let mut v = json!({"name": if q.server_named { "" } else { q.name.as_str() },
                               "durable": q.durable, "exclusive": q.exclusive,
                               "auto_delete": q.auto_delete, "arguments": json_table(&q.arguments)});
            if q.server_named {
                v["alias"] = json!(q.name);
            }
            if q.is_stream() {
                // A stream cannot be drained with basic.get (540): its consumers show its log.
                v["drain"] = json!(false);
            }
            v
        })
        .collect();
    let bindings: Vec<Value> = scenario
        .bindings
        .iter()
        .map(|b| {
            json!({"source": b.exchange, "destination": b.destination,
                   "destination_type": if b.to_exchange { "exchange" } else { "queue" },
                   "routing_key": b.key, "arguments": json_table(&b.arguments)})
        })
        .collect();
    let mut steps = Vec::new();
    for c in &scenario.consumers {
        steps.push(consume(c, &mut notes));
    }
    for step in &scenario.steps {
        match scripted(step) {
            Some(s) => steps.push(s),
            None => notes.push(format!("a scripted step is not verified: {step:?}")),
        }
    }
    if !remote.is_empty() {
        notes.push(
            "real clients' consumes and publishes are replayed; their consumers ack each delivery"
                .into(),
        );
    }
    let mut remote = remote.iter().peekable();
    for (at, input) in inputs {
        while let Some((_, step)) = remote.next_if(|(t, _)| t < at) {
            steps.push(step.clone());
        }
        match input {
            Input::Publish(request) => steps.push(publish(scenario, request, 1)),
            Input::Burst(request, n) => steps.push(publish(scenario, request, *n)),
            Input::SetConsuming(name, false) => steps.push(json!({"cancel": {"tag": name}})),
            Input::SetConsuming(name, true) => {
                if let Some(c) = scenario.consumers.iter().find(|c| &c.name == name) {
                    steps.push(consume(c, &mut notes));
                }
            }
            Input::SetRate(p, rate) => notes.push(format!(
                "{p}'s steady rate ({rate}/s) is not verified: publish by hand or in bursts"
            )),
            Input::Edit(_) => notes.push(
                "edits made after the start are not replayed: the topology as it stands is used"
                    .into(),
            ),
            Input::Restart => notes.push("broker restarts are not verified".into()),
        }
    }
    steps.extend(remote.map(|(_, step)| step.clone()));
    notes.dedup();
    let script = json!({
        "description": format!("Verify: {}", scenario.name),
        "exchanges": exchanges, "queues": queues, "bindings": bindings, "steps": steps,
    });
    VerifyScript {
        json: script.to_string(),
        notes,
    }
}

/// Runs the script on the core (in the page) under `compat`.
#[cfg(feature = "bridge")]
pub fn run_on_core(json: &str, compat: Compat) -> Result<String, String> {
    let script = amqp_playground_script::Script::parse(json).map_err(|e| e.to_string())?;
    amqp_playground_script::run_on_core(&script, compat).map_err(|e| e.to_string())
}

/// Verify needs the client-script runner, which only the bridge's build of the page has.
#[cfg(not(feature = "bridge"))]
pub fn run_on_core(_json: &str, _compat: Compat) -> Result<String, String> {
    Err("this page was built without the bridge feature: Verify runs in the page          `amqp-playground bridge --upstream …` serves"
        .into())
}

/// The sections of two canonical results that differ, in the results' key order.
pub fn compare(playground: &str, rabbitmq: &str) -> Vec<Difference> {
    let parse = |s: &str| serde_json::from_str::<Map<String, Value>>(s).unwrap_or_default();
    let (a, b) = (parse(playground), parse(rabbitmq));
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let pretty = |v: Option<&Value>| {
        v.map_or("(absent)".to_string(), |v| {
            serde_json::to_string_pretty(v).unwrap_or_default()
        })
    };
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| Difference {
            section: k.clone(),
            playground: pretty(a.get(k)),
            rabbitmq: pretty(b.get(k)),
        })
        .collect()
}

fn consume(c: &ConsumerSpec, notes: &mut Vec<String>) -> Value {
    if !c.auto_ack && (c.settle != Settle::Ack || c.fail_every > 0) {
        notes.push(format!(
            "{}'s settling ({:?}, fail every {}) is not verified: the script acks each delivery",
            c.name, c.settle, c.fail_every
        ));
    }
    if c.rpc_server {
        notes.push(format!("{}'s RPC answers are not verified", c.name));
    }
    let mut v =
        json!({"queue": c.queue, "tag": c.name, "ack": if c.auto_ack { "none" } else { "ack" }});
    if c.prefetch > 0 {
        v["prefetch"] = json!(c.prefetch);
    }
    if !c.arguments.is_empty() {
        v["arguments"] = json_table(&c.arguments);
    }
    json!({ "consume": v })
}

fn publish(scenario: &Scenario, request: &PublishRequest, repeat: u32) -> Value {
    let producer = match &request.producer {
        Some(name) => scenario.producers.iter().find(|p| &p.name == name),
        None => scenario.producers.first(),
    };
    let exchange = (request.exchange.clone())
        .or_else(|| producer.map(|p| p.exchange.clone()))
        .unwrap_or_default();
    let routing_key = (request.routing_key.clone())
        .or_else(|| producer.map(|p| p.routing_key.clone()))
        .unwrap_or_default();
    let body = (request.body.clone())
        .or_else(|| producer.map(|p| p.body.clone()))
        .unwrap_or_default();
    let props = request
        .properties
        .clone()
        .or_else(|| producer.map(|p| p.properties.clone()))
        .unwrap_or_default();
    let mandatory = request.mandatory || producer.is_some_and(|p| p.mandatory);
    publish_step(&exchange, &routing_key, &body, &props, mandatory, repeat)
}

fn publish_step(
    exchange: &str,
    routing_key: &str,
    body: &str,
    props: &MessageProps,
    mandatory: bool,
    repeat: u32,
) -> Value {
    let mut p = json!({"exchange": exchange, "routing_key": routing_key, "body": body,
                       "mandatory": mandatory});
    if repeat > 1 {
        p["repeat"] = json!(repeat);
    }
    if !props.headers.is_empty() {
        p["headers"] = json_table(&props.headers);
    }
    let mut properties = Map::new();
    let mut put = |k: &str, v: Value| {
        properties.insert(k.to_string(), v);
    };
    if let Some(v) = props.delivery_mode {
        put("delivery_mode", json!(v));
    }
    if let Some(v) = props.priority {
        put("priority", json!(v));
    }
    for (k, v) in [
        ("expiration", &props.expiration),
        ("reply_to", &props.reply_to),
        ("correlation_id", &props.correlation_id),
        ("message_id", &props.message_id),
    ] {
        if let Some(v) = v {
            put(k, json!(v));
        }
    }
    if !properties.is_empty() {
        p["properties"] = Value::Object(properties);
    }
    json!({ "publish": p })
}

/// The client-script step for a scenario step, where there is one.
fn scripted(step: &Step) -> Option<Value> {
    Some(match step {
        Step::Publish {
            exchange,
            routing_key,
            body,
            properties,
            mandatory,
            repeat,
        } => publish_step(exchange, routing_key, body, properties, *mandatory, *repeat),
        Step::Sleep(ms) => json!({ "sleep_ms": ms }),
        Step::Cancel(tag) => json!({"cancel": {"tag": tag}}),
        Step::Count(queue) => json!({"count": {"queue": queue}}),
        Step::Consume(c) => consume(c, &mut Vec::new()),
        _ => return None,
    })
}

#[cfg(all(test, feature = "bridge"))]
mod tests {
    use super::*;
    use crate::sim::presets;

    #[test]
    fn every_preset_becomes_a_script_the_core_runs() {
        for name in presets::NAMES {
            let scenario = presets::by_name(name).unwrap();
            let script = script_for(&scenario, &[], &[]);
            let result = run_on_core(&script.json, Compat::RabbitMq310);
            assert!(result.is_ok(), "{name}: {result:?}\n{}", script.json);
        }
    }

    #[test]
    fn the_learners_publishes_become_publish_steps_with_the_producers_defaults() {
        let scenario = presets::hello_world();
        let inputs = [
            (0, Input::Publish(PublishRequest::default())),
            (
                10,
                Input::Burst(
                    PublishRequest {
                        body: Some("n{i}".into()),
                        ..PublishRequest::default()
                    },
                    3,
                ),
            ),
            (20, Input::SetRate("P".into(), 2.0)),
        ];
        let script = script_for(&scenario, &inputs, &[]);
        let v: Value = serde_json::from_str(&script.json).unwrap();
        let steps = v["steps"].as_array().unwrap();
        assert_eq!(steps[0]["consume"]["queue"], "hello");
        assert_eq!(steps[1]["publish"]["routing_key"], "hello");
        assert_eq!(steps[1]["publish"]["body"], "Hello World!");
        assert_eq!(steps[2]["publish"]["repeat"], 3);
        assert!(
            script.notes.iter().any(|n| n.contains("steady rate")),
            "{:?}",
            script.notes
        );
        let result = run_on_core(&script.json, Compat::RabbitMq4).unwrap();
        assert!(result.contains("Hello World!"), "{result}");
    }

    #[test]
    fn compare_names_the_sections_that_differ() {
        let a = r#"{"errors": [], "queues": {"q": [1]}, "returns": []}"#;
        let b = r#"{"errors": [], "queues": {"q": [1, 2]}}"#;
        let d = compare(a, b);
        let sections: Vec<&str> = d.iter().map(|d| d.section.as_str()).collect();
        assert_eq!(sections, ["queues", "returns"]);
        assert_eq!(d[1].rabbitmq, "(absent)");
        assert!(compare(a, a).is_empty());
    }
}
