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
//!                 failEvery?, failWith?, rpcServer?, glyph?, caption? }] }
//! ```
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

use crate::scene::NodeKind;
use crate::sim::replay::Input;
use crate::sim::scenario::{
    ArgValue, BindingSpec, ConsumerSpec, ExchangeSpec, MessageProps, ProducerSpec, QueueSpec,
    Scenario, Settle, Step, TxOp,
};
use crate::sim::tour::{Expect, TourStep};
use crate::sim::{Edit, PublishRequest};

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
    let value = parse_input(input, "scenario")?;
    let r = Reader {
        value: &value,
        path: "scenario".to_string(),
    };
    r.object()?;
    if r.get("steps").is_some() {
        return script_from_js(&Reader {
            value: &value,
            path: "script".to_string(),
        });
    }
    check_version(&r)?;
    Ok(Scenario {
        steps: Vec::new(),
        tour: r.list("tour", tour_step)?,
        name: r.string_or("name", "custom")?,
        exchanges: r.list("exchanges", |x| {
            Ok(ExchangeSpec {
                name: x.string("name")?,
                kind: x.string("type")?,
                caption: x.opt_string("caption")?,
                durable: x.bool_or("durable", false)?,
                auto_delete: x.bool_or("autoDelete", false)?,
                internal: x.bool_or("internal", false)?,
                arguments: x.arguments("arguments")?,
            })
        })?,
        queues: r.list("queues", |q| {
            Ok(QueueSpec {
                name: q.string("name")?,
                caption: q.opt_string("caption")?,
                server_named: q.bool_or("serverNamed", false)?,
                durable: q.bool_or("durable", false)?,
                exclusive: q.bool_or("exclusive", false)?,
                auto_delete: q.bool_or("autoDelete", false)?,
                arguments: q.arguments("arguments")?,
            })
        })?,
        bindings: r.list("bindings", |b| {
            let (destination, to_exchange) =
                match (b.opt_string("queue")?, b.opt_string("toExchange")?) {
                    (Some(q), None) => (q, false),
                    (None, Some(x)) => (x, true),
                    _ => {
                        return Err(format!(
                            "{}: give exactly one of `queue` and `toExchange`",
                            b.path
                        ))
                    }
                };
            Ok(BindingSpec {
                exchange: b.string("exchange")?,
                destination,
                to_exchange,
                key: b.string_or("key", "")?,
                show_key: b.bool_or("showKey", true)?,
                arguments: b.arguments("arguments")?,
            })
        })?,
        producers: r.list("producers", |p| {
            Ok(ProducerSpec {
                name: p.string("name")?,
                exchange: p.string_or("exchange", "")?,
                routing_key: p.string_or("routingKey", "")?,
                body: p.string_or("body", "Hello World!")?,
                properties: match p.get("properties") {
                    Some(v) => props_from_js(&v, &format!("{}.properties", p.path))?,
                    None => MessageProps::default(),
                },
                mandatory: p.bool_or("mandatory", false)?,
                confirm: p.bool_or("confirm", false)?,
                callback: p.opt_string("callback")?,
                glyph: p.opt_string("glyph")?,
                caption: p.opt_string("caption")?,
            })
        })?,
        consumers: r.list("consumers", |c| {
            let settle = |key: &str| -> Result<Settle, String> {
                match c.opt_string(key)? {
                    None => Ok(Settle::Ack),
                    Some(s) => Settle::parse(&s).ok_or_else(|| {
                        let all: Vec<&str> = Settle::ALL.iter().map(|s| s.as_str()).collect();
                        format!("{}.{key}: expected one of {}", c.path, all.join(", "))
                    }),
                }
            };
            Ok(ConsumerSpec {
                name: c.string("name")?,
                queue: c.string("queue")?,
                subscript: c.opt_string("subscript")?,
                auto_ack: c.bool_or("autoAck", true)?,
                prefetch: c.integer_or("prefetch", 0, 65_535)? as u16,
                processing_ms: c.integer_or("processingMs", 0, 86_400_000)?,
                settle: settle("settle")?,
                fail_every: c.integer_or("failEvery", 0, 1_000_000)? as u32,
                fail_with: match c.opt_string("failWith")? {
                    None => Settle::Reject,
                    Some(_) => settle("failWith")?,
                },
                rpc_server: c.bool_or("rpcServer", false)?,
                glyph: c.opt_string("glyph")?,
                caption: c.opt_string("caption")?,
                arguments: c.arguments("arguments")?,
            })
        })?,
    })
}

/// The steps a client script may have in the playground (all but `close_connection`: the
/// script's client has one connection).
const SCRIPT_STEPS: &str = "publish, sleep_ms, qos, consume, cancel, get, drain, count, \
    settle, recover, close_channel, tx, purge, declare_exchange, declare_queue, bind, unbind, \
    delete_queue, delete_exchange";

/// A client script (`scenario-script.md`): its declarations become the topology (laid out
/// automatically), its publishes come from one producer `P`, its consumers are named by their
/// tags, and its steps run in order on the virtual clock.
fn script_from_js(r: &Reader<'_>) -> Result<Scenario, String> {
    let exchanges = r.list("exchanges", script_exchange)?;
    let queues = r.list("queues", script_queue)?;
    let bindings = r.list("bindings", script_binding)?;
    // `qos` sets the prefetch of the consumers the script starts after it.
    let prefetch = std::cell::Cell::new(0u16);
    let steps: Vec<Step> = r
        .list("steps", |step| {
            if let Some(qos) = Reflect::get(step.value, &"qos".into())
                .ok()
                .filter(|v| v.is_object())
            {
                let q = Reader {
                    value: &qos,
                    path: format!("{}.qos", step.path),
                };
                prefetch.set(q.integer_or("prefetch", 0, 65_535)? as u16);
                return Ok(None);
            }
            let mut parsed = script_step(step)?;
            if let Step::Consume(c) = &mut parsed {
                if c.prefetch == 0 {
                    c.prefetch = prefetch.get();
                }
            }
            Ok(Some(parsed))
        })?
        .into_iter()
        .flatten()
        .collect();
    // Publisher confirms are on unless the script says otherwise, as in `amqp-playground run`.
    let confirm = r.bool_or("confirm", true)?;
    // One producer for the script's client, drawn towards where it first publishes.
    let first = steps.iter().find_map(|s| match s {
        Step::Publish {
            exchange,
            routing_key,
            ..
        } => Some((exchange.clone(), routing_key.clone())),
        _ => None,
    });
    let producers = first
        .map(|(exchange, routing_key)| ProducerSpec {
            name: "P".into(),
            exchange,
            routing_key,
            body: "Hello World!".into(),
            confirm,
            ..ProducerSpec::default()
        })
        .into_iter()
        .collect();
    Ok(Scenario {
        name: r.string_or("description", "script")?,
        exchanges,
        queues,
        bindings,
        producers,
        consumers: Vec::new(),
        steps,
        tour: Vec::new(),
    })
}

/// The scenario format this playground writes (`version` in the file). Files without one
/// come from before versions were written and read the same as version 1.
pub const FORMAT_VERSION: u64 = 1;

fn check_version(r: &Reader<'_>) -> Result<(), String> {
    let version = r.integer_or("version", FORMAT_VERSION, u32::MAX.into())?;
    if version == 0 || version > FORMAT_VERSION {
        return Err(format!(
            "{}.version: {version} is a scenario format from a newer playground (this one \
             reads up to {FORMAT_VERSION})",
            r.path
        ));
    }
    Ok(())
}

/// A walkthrough step: `{ caption, consume?: { C: false }, publish?: spec | [spec],
/// restart?: true, runMs?, expect?: { queues?: { q: { ready?, unacked? } },
/// received?: { C: n }, returned?, unroutable? } }`. Arriving at it applies `consume`, then
/// `publish` (each spec as `publish()` takes it, with `count`), then `restart`.
fn tour_step(r: &Reader<'_>) -> Result<TourStep, String> {
    let mut inputs = Vec::new();
    if let Some(table) = r.get("consume") {
        let path = format!("{}.consume", r.path);
        for (name, on) in entries(&table, &path)? {
            let on = on
                .as_bool()
                .ok_or_else(|| format!("{path}.{name}: expected true (start) or false (stop)"))?;
            inputs.push(Input::SetConsuming(name, on));
        }
    }
    if let Some(publish) = r.get("publish") {
        let specs: Vec<JsValue> = if Array::is_array(&publish) {
            Array::from(&publish).iter().collect()
        } else {
            vec![publish]
        };
        let many = specs.len() > 1;
        for (i, spec) in specs.iter().enumerate() {
            let p = Reader {
                value: spec,
                path: if many {
                    format!("{}.publish[{i}]", r.path)
                } else {
                    format!("{}.publish", r.path)
                },
            };
            p.object()?;
            let properties = match p.get("properties") {
                None => None,
                Some(v) => Some(props_from(&Reader {
                    value: &v,
                    path: format!("{}.properties", p.path),
                })?),
            };
            let request = PublishRequest {
                producer: p.opt_string("producer")?,
                exchange: p.opt_string("exchange")?,
                routing_key: p.opt_string("routingKey")?,
                body: p.opt_string("body")?,
                mandatory: p.bool_or("mandatory", false)?,
                properties,
            };
            let count = p.integer_or("count", 1, 10_000)?;
            inputs.push(match count {
                0 => return Err(format!("{}.count: expected an integer 1..10000", p.path)),
                1 => Input::Publish(request),
                n => Input::Burst(request, n as u32),
            });
        }
    }
    if r.bool_or("restart", false)? {
        inputs.push(Input::Restart);
    }
    let run_ms = match r.get("runMs") {
        None => None,
        Some(_) => Some(r.integer_or("runMs", 0, 3_600_000)?),
    };
    let expect = match r.get("expect") {
        None => None,
        Some(v) => Some(expect_from(&Reader {
            value: &v,
            path: format!("{}.expect", r.path),
        })?),
    };
    Ok(TourStep {
        caption: r.string("caption")?,
        inputs,
        run_ms,
        expect,
    })
}

fn expect_from(e: &Reader<'_>) -> Result<Expect, String> {
    e.object()?;
    let mut expect = Expect::default();
    if let Some(queues) = e.get("queues") {
        let path = format!("{}.queues", e.path);
        for (name, counts) in entries(&queues, &path)? {
            let q = Reader {
                value: &counts,
                path: format!("{path}.{name}"),
            };
            q.object()?;
            let count = |key: &str| -> Result<Option<u64>, String> {
                match q.get(key) {
                    None => Ok(None),
                    Some(_) => q.integer_or(key, 0, u32::MAX.into()).map(Some),
                }
            };
            expect
                .queues
                .push((name, count("ready")?, count("unacked")?));
        }
    }
    if let Some(received) = e.get("received") {
        let path = format!("{}.received", e.path);
        for (name, n) in entries(&received, &path)? {
            let n = n
                .as_f64()
                .filter(|n| n.fract() == 0.0 && *n >= 0.0)
                .ok_or_else(|| format!("{path}.{name}: expected a count"))?;
            expect.received.push((name, n as u64));
        }
    }
    for key in ["returned", "unroutable"] {
        if e.get(key).is_some() {
            let n = Some(e.integer_or(key, 0, u32::MAX.into())?);
            match key {
                "returned" => expect.returned = n,
                _ => expect.unroutable = n,
            }
        }
    }
    Ok(expect)
}

/// An object's own entries, in order; `path` names it in the error.
fn entries(value: &JsValue, path: &str) -> Result<Vec<(String, JsValue)>, String> {
    if !value.is_object() || Array::is_array(value) {
        return Err(format!("{path}: expected an object"));
    }
    Ok(Object::entries(&Object::from(value.clone()))
        .iter()
        .map(|entry| {
            let pair = Array::from(&entry);
            (pair.get(0).as_string().unwrap_or_default(), pair.get(1))
        })
        .collect())
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

fn script_exchange(x: &Reader<'_>) -> Result<ExchangeSpec, String> {
    let kind = x.string("type")?;
    Ok(ExchangeSpec {
        durable: x.bool_or("durable", false)?,
        auto_delete: x.bool_or("auto_delete", false)?,
        internal: x.bool_or("internal", false)?,
        arguments: x.arguments("arguments")?,
        ..ExchangeSpec::typed(&x.string("name")?, &kind)
    })
}

fn script_queue(q: &Reader<'_>) -> Result<QueueSpec, String> {
    let name = q.string_or("name", "")?;
    let alias = q.opt_string("alias")?;
    let (handle, server_named) = match (name.is_empty(), alias) {
        (true, Some(alias)) => (alias, true),
        (true, None) => {
            return Err(format!(
                "{}: a server-named queue (`name: \"\"`) needs an `alias`",
                q.path
            ))
        }
        (false, _) => (name, false),
    };
    Ok(QueueSpec {
        caption: Some(if server_named {
            "amq.gen-...".into()
        } else {
            handle.clone()
        }),
        name: handle,
        server_named,
        durable: q.bool_or("durable", false)?,
        exclusive: q.bool_or("exclusive", false)?,
        auto_delete: q.bool_or("auto_delete", false)?,
        arguments: q.arguments("arguments")?,
    })
}

fn script_binding(b: &Reader<'_>) -> Result<BindingSpec, String> {
    let to_exchange = match b.string_or("destination_type", "queue")?.as_str() {
        "queue" => false,
        "exchange" => true,
        other => {
            return Err(format!(
                "{}.destination_type: expected \"queue\" or \"exchange\", got {other:?}",
                b.path
            ))
        }
    };
    Ok(BindingSpec {
        exchange: b.string("source")?,
        destination: b.string("destination")?,
        to_exchange,
        key: b.string_or("routing_key", "")?,
        show_key: true,
        arguments: b.arguments("arguments")?,
    })
}

/// One step: an object with exactly one key naming what it does.
fn script_step(r: &Reader<'_>) -> Result<Step, String> {
    let obj: Object = r.value.clone().into();
    let keys = Object::keys(&obj);
    if keys.length() != 1 {
        return Err(format!(
            "{}: a step is an object with one key (one of {SCRIPT_STEPS})",
            r.path
        ));
    }
    let kind = keys.get(0).as_string().unwrap_or_default();
    let body = Reflect::get(&obj, &kind.as_str().into()).unwrap_or(JsValue::UNDEFINED);
    let a = Reader {
        value: &body,
        path: format!("{}.{kind}", r.path),
    };
    if kind == "sleep_ms" {
        return body
            .as_f64()
            .filter(|n| n.fract() == 0.0 && (0.0..=86_400_000.0).contains(n))
            .map(|n| Step::Sleep(n as u64))
            .ok_or_else(|| format!("{}: expected a number of ms", a.path));
    }
    a.object()?;
    let step = match kind.as_str() {
        "publish" => {
            if a.channel()? != "main" {
                return Err(format!(
                    "{}.channel: the playground publishes on channel \"main\" only (P's channel)",
                    a.path
                ));
            }
            let mut properties = match a.get("properties") {
                Some(v) => script_props(&Reader {
                    value: &v,
                    path: format!("{}.properties", a.path),
                })?,
                None => MessageProps::default(),
            };
            properties.headers = a.arguments("headers")?;
            Step::Publish {
                exchange: a.string_or("exchange", "")?,
                routing_key: a.string_or("routing_key", "")?,
                body: a.string_or("body", "")?,
                properties,
                mandatory: a.bool_or("mandatory", false)?,
                repeat: a.integer_or("repeat", 1, 10_000)? as u32,
            }
        }
        "consume" => {
            let auto_ack = match a.string_or("ack", "ack")?.as_str() {
                "ack" => false,
                "none" => true,
                other => {
                    return Err(format!(
                    "{}.ack: {other:?} is not shown in the playground: its consumers settle on \
                     their own (use \"ack\" or \"none\"; `get` with \"hold\" keeps a delivery \
                     for `settle`)",
                    a.path
                ))
                }
            };
            Step::Consume(ConsumerSpec {
                prefetch: a.integer_or("prefetch", 0, 65_535)? as u16,
                auto_ack,
                ..ConsumerSpec::on(&a.string("tag")?, None, &a.string("queue")?)
            })
        }
        "cancel" => Step::Cancel(a.string("tag")?),
        "count" => Step::Count(a.string("queue")?),
        "drain" => Step::Get {
            queue: a.string("queue")?,
            settle: Some(Settle::Ack),
            drain: true,
            hold: false,
            channel: a.channel()?,
        },
        "get" => {
            let requeue = a.bool_or("requeue", false)?;
            let ack = a.string("ack")?;
            let settle = match ack.as_str() {
                "none" | "hold" => None,
                _ => Some(settle_mode(&a, "ack", &ack, requeue)?),
            };
            Step::Get {
                queue: a.string("queue")?,
                settle,
                drain: false,
                hold: ack == "hold",
                channel: a.channel()?,
            }
        }
        "settle" => {
            let mode = a.string("mode")?;
            let requeue = a.bool_or("requeue", false)?;
            Step::Settle {
                settle: settle_mode(&a, "mode", &mode, requeue)?,
                multiple: a.bool_or("multiple", false)?,
                tag: match a.get("tag") {
                    None => None,
                    Some(_) => Some(a.integer_or("tag", 0, 9_000_000_000_000_000)?),
                },
                channel: a.channel()?,
            }
        }
        "recover" => Step::Recover {
            requeue: a.bool_or("requeue", true)?,
            channel: a.channel()?,
        },
        "close_channel" => Step::CloseChannel(a.channel()?),
        "tx" => {
            let op = match a.string("op")?.as_str() {
                "select" => TxOp::Select,
                "commit" => TxOp::Commit,
                "rollback" => TxOp::Rollback,
                "confirm_select" => TxOp::ConfirmSelect,
                other => {
                    return Err(format!(
                        "{}.op: expected \"select\", \"commit\", \"rollback\" or \"confirm_select\", got {other:?}",
                        a.path
                    ))
                }
            };
            Step::Tx {
                op,
                channel: a.channel()?,
            }
        }
        "purge" => Step::Edit(Edit::Purge(a.string("queue")?)),
        "declare_exchange" => Step::Edit(Edit::DeclareExchange(script_exchange(&a)?)),
        "declare_queue" => Step::Edit(Edit::DeclareQueue(script_queue(&a)?)),
        "bind" => Step::Edit(Edit::AddBinding(script_binding(&a)?)),
        "unbind" => Step::Edit(Edit::RemoveBinding(script_binding(&a)?)),
        "delete_queue" => Step::Edit(Edit::Remove {
            kind: NodeKind::Queue,
            name: a.string("queue")?,
        }),
        "delete_exchange" => Step::Edit(Edit::Remove {
            kind: NodeKind::Exchange,
            name: a.string("exchange")?,
        }),
        other => {
            return Err(format!(
                "{}: `{other}` is not a step the playground runs (it runs {SCRIPT_STEPS}); \
                 run this script with `amqp-playground run` instead",
                r.path
            ))
        }
    };
    Ok(step)
}

/// A script's settle mode (`ack`, `nack`, `reject`) with its `requeue` flag, from field `key`.
fn settle_mode(a: &Reader<'_>, key: &str, mode: &str, requeue: bool) -> Result<Settle, String> {
    Ok(match mode {
        "ack" => Settle::Ack,
        "nack" if requeue => Settle::NackRequeue,
        "nack" => Settle::Nack,
        "reject" if requeue => Settle::RejectRequeue,
        "reject" => Settle::Reject,
        other => {
            let also = if key == "ack" { ", none or hold" } else { "" };
            return Err(format!(
                "{}.{key}: expected ack, nack, reject{also}; got {other:?}",
                a.path
            ));
        }
    })
}

/// A script's `properties` (snake_case, as AMQP names them).
fn script_props(p: &Reader<'_>) -> Result<MessageProps, String> {
    p.object()?;
    let small = |key: &str| -> Result<Option<u8>, String> {
        match p.get(key) {
            None => Ok(None),
            Some(_) => Ok(Some(p.integer_or(key, 0, 255)? as u8)),
        }
    };
    Ok(MessageProps {
        delivery_mode: small("delivery_mode")?,
        priority: small("priority")?,
        expiration: p.opt_string("expiration")?,
        reply_to: p.opt_string("reply_to")?,
        correlation_id: p.opt_string("correlation_id")?,
        message_id: p.opt_string("message_id")?,
        headers: Vec::new(),
    })
}

/// Reads message properties (`publish({ properties })` and producers) from an object.
fn props_from(p: &Reader<'_>) -> Result<MessageProps, String> {
    p.object()?;
    let small = |key: &str, max: u64| -> Result<Option<u8>, String> {
        match p.get(key) {
            None => Ok(None),
            Some(_) => Ok(Some(p.integer_or(key, 0, max)? as u8)),
        }
    };
    Ok(MessageProps {
        delivery_mode: small("deliveryMode", 255)?,
        priority: small("priority", 255)?,
        expiration: p.opt_string("expiration")?,
        reply_to: p.opt_string("replyTo")?,
        correlation_id: p.opt_string("correlationId")?,
        message_id: p.opt_string("messageId")?,
        headers: p.arguments("headers")?,
    })
}

/// Reads `{ deliveryMode, priority, … }` at `path`.
pub fn props_from_js(value: &JsValue, path: &str) -> Result<MessageProps, String> {
    props_from(&Reader {
        value,
        path: path.to_string(),
    })
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
    obj.into()
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

/// A cursor into a JS value that knows its path, for error messages.
struct Reader<'a> {
    value: &'a JsValue,
    path: String,
}

impl Reader<'_> {
    fn object(&self) -> Result<(), String> {
        if self.value.is_object() && !Array::is_array(self.value) {
            Ok(())
        } else {
            Err(format!("{}: expected an object", self.path))
        }
    }

    fn get(&self, key: &str) -> Option<JsValue> {
        let v = Reflect::get(self.value, &key.into()).ok()?;
        (!v.is_undefined() && !v.is_null()).then_some(v)
    }

    fn string(&self, key: &str) -> Result<String, String> {
        self.opt_string(key)?
            .ok_or_else(|| format!("{}.{key}: missing (expected a string)", self.path))
    }

    fn opt_string(&self, key: &str) -> Result<Option<String>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_string()
                .map(Some)
                .ok_or_else(|| format!("{}.{key}: expected a string", self.path)),
        }
    }

    fn string_or(&self, key: &str, default: &str) -> Result<String, String> {
        Ok(self.opt_string(key)?.unwrap_or_else(|| default.to_string()))
    }

    /// A script step's `channel` (default `main`): a channel of the script client's one
    /// connection.
    fn channel(&self) -> Result<String, String> {
        let name = self.string_or("channel", "main")?;
        if name.is_empty() || name.contains(':') {
            return Err(format!(
                "{}.channel: {name:?} is not a channel name the playground runs (a plain \
                 non-empty name; channels on a second connection, \"conn:chan\", are not shown)",
                self.path
            ));
        }
        Ok(name)
    }

    fn bool_or(&self, key: &str, default: bool) -> Result<bool, String> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v
                .as_bool()
                .ok_or_else(|| format!("{}.{key}: expected true or false", self.path)),
        }
    }

    fn integer_or(&self, key: &str, default: u64, max: u64) -> Result<u64, String> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v
                .as_f64()
                .filter(|n| n.fract() == 0.0 && (0.0..=max as f64).contains(n))
                .map(|n| n as u64)
                .ok_or_else(|| format!("{}.{key}: expected an integer 0..{max}", self.path)),
        }
    }

    /// `{ "x-message-ttl": 3000, "x-dead-letter-exchange": "dlx", "x-match": "all",
    /// "flag": true, "nothing": null }`: integers, strings, booleans and void.
    fn arguments(&self, key: &str) -> Result<Vec<(String, ArgValue)>, String> {
        let Some(v) = self.get(key) else {
            return Ok(Vec::new());
        };
        let path = format!("{}.{key}", self.path);
        if !v.is_object() || Array::is_array(&v) {
            return Err(format!("{path}: expected an object of arguments"));
        }
        let obj: Object = v.into();
        Object::entries(&obj)
            .iter()
            .map(|entry| {
                let pair = Array::from(&entry);
                let name = pair.get(0).as_string().unwrap_or_default();
                let value = pair.get(1);
                if let Some(s) = value.as_string() {
                    Ok((name, ArgValue::Str(s)))
                } else if let Some(b) = value.as_bool() {
                    Ok((name, ArgValue::Bool(b)))
                } else if value.is_null() {
                    Ok((name, ArgValue::Void))
                } else if let Some(n) = value
                    .as_f64()
                    .filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15)
                {
                    Ok((name, ArgValue::Int(n as i64)))
                } else {
                    Err(format!(
                        "{path}.{name}: expected an integer, a string, true/false or null"
                    ))
                }
            })
            .collect()
    }

    fn list<T>(
        &self,
        key: &str,
        item: impl Fn(&Reader<'_>) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let Some(v) = self.get(key) else {
            return Ok(Vec::new());
        };
        if !Array::is_array(&v) {
            return Err(format!("{}.{key}: expected an array", self.path));
        }
        Array::from(&v)
            .iter()
            .enumerate()
            .map(|(i, element)| {
                let r = Reader {
                    value: &element,
                    path: format!("{}.{key}[{i}]", self.path),
                };
                r.object()?;
                item(&r)
            })
            .collect()
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
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
