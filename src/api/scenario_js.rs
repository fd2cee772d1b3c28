//! Scenarios as plain JavaScript objects (and JSON text): what `loadScenario`, `exportScenario`
//! and autosave read and write. Read with `js_sys`, so the page carries no JSON library.
//!
//! ```text
//! { name, exchanges: [{ name, type, caption?, durable?, autoDelete?, internal?,
//!                       arguments?: { "alternate-exchange": "ae" } }],
//!   queues:    [{ name, caption?, serverNamed?, durable?, exclusive?, autoDelete?,
//!                 arguments?: { "x-message-ttl": 3000, "x-dead-letter-exchange": "dlx", … } }],
//!   bindings:  [{ exchange, queue | toExchange, key?, showKey?,
//!                 arguments?: { "x-match": "all", format: "pdf" } }],
//!   producers: [{ name, exchange?, routingKey?, body?, mandatory?, confirm?, callback?,
//!                 glyph?, caption?,
//!                 properties?: { deliveryMode?, priority?, expiration?, replyTo?,
//!                                correlationId?, messageId?, headers?: { … } } }],
//!   consumers: [{ name, queue, subscript?, autoAck?, prefetch?, processingMs?,
//!                 settle?: "ack" | "nack-requeue" | "nack" | "reject" | "reject-requeue",
//!                 failEvery?, failWith?, rpcServer?, glyph?, caption? }],
//!   tour?:     [{ caption, inputs?, runMs?, expect? }],
//!   view?:     { theme?: "classic" | "classic-dark" | "current" | "current-dark",
//!                speed?: 0.25..8,
//!                positions?: [{ kind: "producer" | "exchange" | "queue" | "consumer",
//!                               name, x, y }] } }
//! ```
//!
//! `view` is how the scenario was shown (share links and downloaded files carry it): a look
//! or speed the learner chose, and the centres of the nodes they moved by hand.
//!
//! Argument and header values are strings, integers, booleans or `null` (AMQP void).
//! Errors name the path of the bad field (`scenario.queues[1].name: expected a string`).
//!
//! An object with `steps` is a client script (`scenario-script.md`) instead: its
//! declarations become the topology (laid out automatically), its publishes come from one
//! producer `P`, `consume` steps add consumers named by their tags (each its own client, so
//! their `channel` is not used; `qos` sets the prefetch of those started after it), and the
//! steps run in order on the virtual clock. The script's client is `P`'s connection: its `main` channel
//! is the one `P` publishes on, and any other `channel` a step names is a further channel of
//! that connection, opened on first use. `get` with `ack: "hold"` keeps the delivery unacked
//! on its channel (it shows in the queue's unacked count); `settle` settles every delivery
//! the channel holds, one call each in tag order or one call on the last tag with `multiple`
//! (or exactly `tag`); `recover` (requeue) and `close_channel` send them back to their queues,
//! redelivered; `tx` runs `select`, `commit`, `rollback` or `confirm_select` on the channel,
//! after the publishes before it have reached the broker. A step the broker refuses is
//! logged and the script goes on with a fresh channel, as `amqp-playground run` does.
//! Refused at load, naming the step and field: unknown steps, fields of the wrong type,
//! `close_connection`, consumers with `ack: "hold"` (the playground's consumers settle on
//! their own), channels of a second connection (`"conn:chan"`), and publishes on a channel
//! other than `main`.
//! `exportScenario` writes the topology and clients as they stand, without the script's steps
//! (they have run; what they declared and started is part of the topology now).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::sim::replay::Input;
use crate::sim::scenario::read::{self, Doc};
use crate::sim::scenario::{ArgValue, MessageProps, Scenario, View};
use crate::sim::tour::TourStep;

pub use crate::sim::scenario::read::FORMAT_VERSION;

/// The page's documents are JavaScript values.
impl Doc for JsValue {
    fn field(&self, key: &str) -> Option<Self> {
        let v = Reflect::get(self, &key.into()).ok()?;
        (!v.is_undefined() && !v.is_null()).then_some(v)
    }
    fn is_object(&self) -> bool {
        JsValue::is_object(self) && !Array::is_array(self)
    }
    fn items(&self) -> Option<Vec<Self>> {
        Array::is_array(self).then(|| Array::from(self).iter().collect())
    }
    fn entries(&self) -> Vec<(String, Self)> {
        Object::entries(&Object::from(self.clone()))
            .iter()
            .map(|entry| {
                let pair = Array::from(&entry);
                (pair.get(0).as_string().unwrap_or_default(), pair.get(1))
            })
            .collect()
    }
    fn string(&self) -> Option<String> {
        self.as_string()
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn is_null(&self) -> bool {
        JsValue::is_null(self)
    }
}

/// Parses JSON text, or passes an object through.
pub fn parse_input(input: &JsValue, what: &str) -> Result<JsValue, String> {
    match input.as_string() {
        Some(text) => js_sys::JSON::parse(&text).map_err(|e| {
            let why = Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_default();
            format!("{what}: not valid JSON ({why})")
        }),
        None => Ok(input.clone()),
    }
}

/// Reads a scenario from JSON text or from an object.
pub fn scenario_from_js(input: &JsValue) -> Result<Scenario, String> {
    read::scenario_from_doc(&parse_input(input, "scenario")?)
}

/// Reads `{ deliveryMode, priority, … }` at `path`.
pub fn props_from_js(value: &JsValue, path: &str) -> Result<MessageProps, String> {
    read::props_from_doc(value, path)
}

fn tour_to_js(step: &TourStep) -> JsValue {
    let o = Object::new();
    put(&o, "caption", step.caption.as_str().into());
    let consume = Object::new();
    let publish = Array::new();
    for input in &step.inputs {
        match input {
            Input::SetConsuming(name, on) => put(&consume, name, (*on).into()),
            Input::Publish(request) | Input::Burst(request, _) => {
                let p = Object::new();
                opt(&p, "producer", &request.producer);
                opt(&p, "exchange", &request.exchange);
                opt(&p, "routingKey", &request.routing_key);
                opt(&p, "body", &request.body);
                flag(&p, "mandatory", request.mandatory);
                if let Some(props) = &request.properties {
                    put(&p, "properties", props_to_js(props));
                }
                if let Input::Burst(_, n) = input {
                    put(&p, "count", f64::from(*n).into());
                }
                publish.push(&p);
            }
            Input::Restart => put(&o, "restart", true.into()),
            // Not offered in walkthrough files: rates and edits are the reader's to make.
            Input::SetRate(..) | Input::Edit(_) => {}
        }
    }
    if Object::keys(&consume).length() > 0 {
        put(&o, "consume", consume.into());
    }
    match publish.length() {
        0 => {}
        1 => put(&o, "publish", publish.get(0)),
        _ => put(&o, "publish", publish.into()),
    }
    if let Some(ms) = step.run_ms {
        put(&o, "runMs", (ms as f64).into());
    }
    if let Some(e) = &step.expect {
        let x = Object::new();
        if !e.queues.is_empty() {
            let queues = Object::new();
            for (name, ready, unacked) in &e.queues {
                let q = Object::new();
                for (key, n) in [("ready", ready), ("unacked", unacked)] {
                    if let Some(n) = n {
                        put(&q, key, (*n as f64).into());
                    }
                }
                put(&queues, name, q.into());
            }
            put(&x, "queues", queues.into());
        }
        if !e.received.is_empty() {
            let received = Object::new();
            for (name, n) in &e.received {
                put(&received, name, (*n as f64).into());
            }
            put(&x, "received", received.into());
        }
        for (key, n) in [("returned", e.returned), ("unroutable", e.unroutable)] {
            if let Some(n) = n {
                put(&x, key, (n as f64).into());
            }
        }
        put(&o, "expect", x.into());
    }
    o.into()
}

/// Writes a scenario as an object `scenario_from_js` reads back unchanged.
pub fn scenario_to_js(s: &Scenario) -> JsValue {
    let obj = Object::new();
    put(&obj, "version", (FORMAT_VERSION as f64).into());
    put(&obj, "name", s.name.as_str().into());
    let list = |items: Vec<Object>| -> JsValue { items.into_iter().collect::<Array>().into() };
    let exchanges = s.exchanges.iter().map(|x| {
        let o = Object::new();
        put(&o, "name", x.name.as_str().into());
        put(&o, "type", x.kind.as_str().into());
        opt(&o, "caption", &x.caption);
        flag(&o, "durable", x.durable);
        flag(&o, "autoDelete", x.auto_delete);
        flag(&o, "internal", x.internal);
        args(&o, "arguments", &x.arguments);
        o
    });
    put(&obj, "exchanges", list(exchanges.collect()));
    let queues = s.queues.iter().map(|q| {
        let o = Object::new();
        put(&o, "name", q.name.as_str().into());
        opt(&o, "caption", &q.caption);
        put(&o, "serverNamed", q.server_named.into());
        flag(&o, "durable", q.durable);
        flag(&o, "exclusive", q.exclusive);
        flag(&o, "autoDelete", q.auto_delete);
        args(&o, "arguments", &q.arguments);
        o
    });
    put(&obj, "queues", list(queues.collect()));
    let bindings = s.bindings.iter().map(|b| {
        let o = Object::new();
        put(&o, "exchange", b.exchange.as_str().into());
        let to = if b.to_exchange { "toExchange" } else { "queue" };
        put(&o, to, b.destination.as_str().into());
        put(&o, "key", b.key.as_str().into());
        put(&o, "showKey", b.show_key.into());
        args(&o, "arguments", &b.arguments);
        o
    });
    put(&obj, "bindings", list(bindings.collect()));
    let producers = s.producers.iter().map(|p| {
        let o = Object::new();
        put(&o, "name", p.name.as_str().into());
        put(&o, "exchange", p.exchange.as_str().into());
        put(&o, "routingKey", p.routing_key.as_str().into());
        put(&o, "body", p.body.as_str().into());
        flag(&o, "mandatory", p.mandatory);
        flag(&o, "confirm", p.confirm);
        opt(&o, "callback", &p.callback);
        opt(&o, "glyph", &p.glyph);
        opt(&o, "caption", &p.caption);
        if p.properties != MessageProps::default() {
            put(&o, "properties", props_to_js(&p.properties));
        }
        o
    });
    put(&obj, "producers", list(producers.collect()));
    let consumers = s.consumers.iter().map(|c| {
        let o = Object::new();
        put(&o, "name", c.name.as_str().into());
        put(&o, "queue", c.queue.as_str().into());
        opt(&o, "subscript", &c.subscript);
        put(&o, "autoAck", c.auto_ack.into());
        put(&o, "prefetch", f64::from(c.prefetch).into());
        put(&o, "processingMs", (c.processing_ms as f64).into());
        put(&o, "settle", c.settle.as_str().into());
        if c.fail_every > 0 {
            put(&o, "failEvery", f64::from(c.fail_every).into());
            put(&o, "failWith", c.fail_with.as_str().into());
        }
        flag(&o, "rpcServer", c.rpc_server);
        opt(&o, "glyph", &c.glyph);
        opt(&o, "caption", &c.caption);
        args(&o, "arguments", &c.arguments);
        o
    });
    put(&obj, "consumers", list(consumers.collect()));
    if !s.tour.is_empty() {
        let tour: Array = s.tour.iter().map(tour_to_js).collect();
        put(&obj, "tour", tour.into());
    }
    if !s.view.is_empty() {
        put(&obj, "view", view_to_js(&s.view));
    }
    obj.into()
}

fn view_to_js(v: &View) -> JsValue {
    let o = Object::new();
    if let Some(theme) = v.theme {
        put(&o, "theme", theme.id().into());
    }
    if let Some(speed) = v.speed {
        put(&o, "speed", speed.into());
    }
    if !v.positions.is_empty() {
        let positions: Array = v
            .positions
            .iter()
            .map(|(kind, name, at)| {
                let p = Object::new();
                put(&p, "kind", kind.id().into());
                put(&p, "name", name.as_str().into());
                put(&p, "x", at.x.into());
                put(&p, "y", at.y.into());
                p
            })
            .collect();
        put(&o, "positions", positions.into());
    }
    o.into()
}

fn props_to_js(p: &MessageProps) -> JsValue {
    let o = Object::new();
    let num = |key: &str, v: Option<u8>| {
        if let Some(v) = v {
            put(&o, key, f64::from(v).into());
        }
    };
    num("deliveryMode", p.delivery_mode);
    num("priority", p.priority);
    opt(&o, "expiration", &p.expiration);
    opt(&o, "replyTo", &p.reply_to);
    opt(&o, "correlationId", &p.correlation_id);
    opt(&o, "messageId", &p.message_id);
    args(&o, "headers", &p.headers);
    o.into()
}

fn put(o: &Object, key: &str, value: JsValue) {
    let _ = Reflect::set(o, &key.into(), &value);
}

fn opt(o: &Object, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        put(o, key, v.as_str().into());
    }
}

fn flag(o: &Object, key: &str, on: bool) {
    if on {
        put(o, key, true.into());
    }
}

fn args(o: &Object, key: &str, list: &[(String, ArgValue)]) {
    if list.is_empty() {
        return;
    }
    let table = Object::new();
    for (k, v) in list {
        let v = match v {
            ArgValue::Int(n) => JsValue::from_f64(*n as f64),
            ArgValue::Str(s) => JsValue::from_str(s),
            ArgValue::Bool(b) => JsValue::from_bool(*b),
            ArgValue::Void => JsValue::NULL,
        };
        put(&table, k, v);
    }
    put(o, key, table.into());
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::sim::scenario::{Settle, Step, TxOp};
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    fn script(steps: &str) -> Result<Scenario, String> {
        let text = format!(r#"{{"queues": [{{"name": "jobs"}}], "steps": [{steps}]}}"#);
        scenario_from_js(&JsValue::from_str(&text))
    }

    #[wasm_bindgen_test]
    fn held_delivery_steps_are_read_with_their_channels() {
        let s = script(
            r#"{"get": {"queue": "jobs", "ack": "hold", "channel": "side"}},
               {"settle": {"mode": "nack", "requeue": true, "multiple": true, "channel": "side"}},
               {"settle": {"mode": "reject", "tag": 3}},
               {"recover": {}},
               {"close_channel": {"channel": "side"}},
               {"tx": {"op": "rollback"}}"#,
        )
        .unwrap();
        assert_eq!(
            s.steps,
            vec![
                Step::Get {
                    queue: "jobs".into(),
                    settle: None,
                    drain: false,
                    hold: true,
                    channel: "side".into(),
                },
                Step::Settle {
                    channel: "side".into(),
                    settle: Settle::NackRequeue,
                    multiple: true,
                    tag: None,
                },
                Step::Settle {
                    channel: "main".into(),
                    settle: Settle::Reject,
                    multiple: false,
                    tag: Some(3),
                },
                Step::Recover {
                    channel: "main".into(),
                    requeue: true,
                },
                Step::CloseChannel("side".into()),
                Step::Tx {
                    channel: "main".into(),
                    op: TxOp::Rollback,
                },
            ]
        );
    }

    #[wasm_bindgen_test]
    fn a_loaded_script_holds_then_nacks_a_delivery_back_into_its_queue() {
        let s = script(
            r#"{"publish": {"routing_key": "jobs", "body": "a"}},
               {"sleep_ms": 2000},
               {"get": {"queue": "jobs", "ack": "hold"}},
               {"sleep_ms": 1000},
               {"settle": {"mode": "nack", "requeue": true}}"#,
        )
        .unwrap();
        let mut pg = crate::sim::Playground::new(s).unwrap();
        let jobs = |pg: &crate::sim::Playground| pg.snapshot().queues[0].1;
        pg.advance(2_500);
        assert_eq!((jobs(&pg).ready, jobs(&pg).unacked), (0, 1), "held");
        pg.advance(1_000);
        assert_eq!((jobs(&pg).ready, jobs(&pg).unacked), (1, 0), "requeued");
        assert!(pg
            .log()
            .any(|l| l.contains("refused by its consumer, requeued")));
    }

    #[wasm_bindgen_test]
    fn bad_steps_are_refused_naming_the_step_and_field() {
        for (step, expected) in [
            (
                r#"{"settle": {"mode": "maybe"}}"#,
                "script.steps[0].settle.mode: expected ack, nack, reject; got \"maybe\"",
            ),
            (
                r#"{"settle": {}}"#,
                "script.steps[0].settle.mode: missing",
            ),
            (
                r#"{"get": {"queue": "jobs", "ack": "keep"}}"#,
                "script.steps[0].get.ack: expected ack, nack, reject, none or hold",
            ),
            (
                r#"{"tx": {"op": "begin"}}"#,
                "script.steps[0].tx.op: expected",
            ),
            (
                r#"{"close_channel": {"channel": "other:side"}}"#,
                "script.steps[0].close_channel.channel: \"other:side\" is not a channel name",
            ),
            (
                r#"{"publish": {"routing_key": "jobs", "channel": "side"}}"#,
                "script.steps[0].publish.channel: the playground publishes on channel \"main\" only",
            ),
            (
                r#"{"close_connection": {}}"#,
                "script.steps[0]: `close_connection` is not a step the playground runs",
            ),
            (
                r#"{"consume": {"queue": "jobs", "tag": "c", "ack": "hold"}}"#,
                "script.steps[0].consume.ack: \"hold\" is not shown in the playground",
            ),
        ] {
            let error = script(step).unwrap_err();
            assert!(error.starts_with(expected), "{step}: {error}");
        }
    }
}
