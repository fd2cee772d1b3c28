//! Reading scenario files: the playground's scenario format and client scripts, from any
//! parsed JSON document — the page's JavaScript values (`api::scenario_js`) or, natively,
//! `serde_json` values (`amqp-playground check`, tests). One reader, so a file means the same
//! everywhere and its errors name the same paths.
//!
//! The formats are described in `api::scenario_js` (the page's side, which also writes them)
//! and `www/scenario.schema.json`.

use crate::scene::{NodeKind, Point, Theme};
use crate::sim::replay::Input;
use crate::sim::scenario::{
    ArgValue, BindingSpec, ConsumerSpec, ExchangeSpec, MessageProps, ProducerSpec, QueueSpec,
    Scenario, Settle, Step, TxOp, View,
};
use crate::sim::tour::{Expect, TourStep};
use crate::sim::{Edit, PublishRequest};

/// A parsed JSON document, as the reader sees it.
pub trait Doc: Clone + Sized {
    /// Member `key` of an object, unless absent or `null`.
    fn field(&self, key: &str) -> Option<Self>;
    /// An object (not an array, not `null`).
    fn is_object(&self) -> bool;
    /// An array's elements.
    fn items(&self) -> Option<Vec<Self>>;
    /// An object's members, in the document's order.
    fn entries(&self) -> Vec<(String, Self)>;
    /// A string's text.
    fn string(&self) -> Option<String>;
    /// A boolean.
    fn boolean(&self) -> Option<bool>;
    /// A number.
    fn number(&self) -> Option<f64>;
    /// `null`.
    fn is_null(&self) -> bool;
}

impl Doc for serde_json::Value {
    fn field(&self, key: &str) -> Option<Self> {
        self.get(key).filter(|v| !v.is_null()).cloned()
    }
    fn is_object(&self) -> bool {
        self.is_object()
    }
    fn items(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }
    fn entries(&self) -> Vec<(String, Self)> {
        self.as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }
    fn string(&self) -> Option<String> {
        self.as_str().map(str::to_string)
    }
    fn boolean(&self) -> Option<bool> {
        self.as_bool()
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn is_null(&self) -> bool {
        self.is_null()
    }
}

/// Reads a scenario file's text natively.
pub fn scenario_from_json(text: &str) -> Result<Scenario, String> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("scenario: not valid JSON ({e})"))?;
    scenario_from_doc(&doc)
}

/// Reads a scenario (or a client script) from a parsed document.
pub fn scenario_from_doc<D: Doc>(value: &D) -> Result<Scenario, String> {
    let r = Reader {
        value,
        path: "scenario".to_string(),
    };
    r.object()?;
    if r.get("steps").is_some() {
        return script_from(&Reader {
            value,
            path: "script".to_string(),
        });
    }
    check_version(&r)?;
    Ok(Scenario {
        steps: Vec::new(),
        tour: r.list("tour", tour_step)?,
        view: view(&r)?,
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
                    Some(v) => props_from_doc(&v, &format!("{}.properties", p.path))?,
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

/// How far from the origin a hand-moved node may be put (the canvas is a few thousand units).
const MAX_COORDINATE: f64 = 100_000.0;

/// `view`: `{ "theme": "current-dark", "speed": 2, "positions": [{ "kind": "queue", "name":
/// "hello", "x": 320, "y": 140 }] }`, every member optional.
fn view<D: Doc>(r: &Reader<'_, D>) -> Result<View, String> {
    let Some(value) = r.get("view") else {
        return Ok(View::default());
    };
    let r = Reader {
        value: &value,
        path: format!("{}.view", r.path),
    };
    r.object()?;
    let theme = match r.opt_string("theme")? {
        None => None,
        Some(id) => Some(Theme::by_id(&id).ok_or_else(|| {
            format!(
                "{}.theme: expected one of classic, classic-dark, current, current-dark",
                r.path
            )
        })?),
    };
    let speed = match r.get("speed") {
        None => None,
        Some(v) => Some(
            v.number()
                .filter(|s| (0.25..=8.0).contains(s))
                .ok_or_else(|| format!("{}.speed: expected a number from 0.25 to 8", r.path))?,
        ),
    };
    let positions = r.list("positions", |p| {
        let kind = p.string("kind")?;
        let kind = NodeKind::by_id(&kind).ok_or_else(|| {
            format!(
                "{}.kind: expected one of producer, exchange, queue, consumer",
                p.path
            )
        })?;
        let coordinate = |key: &str| match p.get(key).and_then(|v| v.number()) {
            Some(n) if n.is_finite() && n.abs() <= MAX_COORDINATE => Ok(n),
            _ => Err(format!(
                "{}.{key}: expected a number from -{MAX_COORDINATE} to {MAX_COORDINATE}",
                p.path
            )),
        };
        Ok((
            kind,
            p.string("name")?,
            Point {
                x: coordinate("x")?,
                y: coordinate("y")?,
            },
        ))
    })?;
    Ok(View {
        theme,
        speed,
        positions,
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
fn script_from<D: Doc>(r: &Reader<'_, D>) -> Result<Scenario, String> {
    let exchanges = r.list("exchanges", script_exchange)?;
    let queues = r.list("queues", script_queue)?;
    let bindings = r.list("bindings", script_binding)?;
    // `qos` sets the prefetch of the consumers the script starts after it.
    let prefetch = std::cell::Cell::new(0u16);
    let steps: Vec<Step> = r
        .list("steps", |step| {
            if let Some(qos) = step.value.field("qos").filter(Doc::is_object) {
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
        view: View::default(),
    })
}

/// The scenario format this playground writes (`version` in the file). Files without one
/// come from before versions were written and read the same as version 1.
pub const FORMAT_VERSION: u64 = 1;

fn check_version<D: Doc>(r: &Reader<'_, D>) -> Result<(), String> {
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
fn tour_step<D: Doc>(r: &Reader<'_, D>) -> Result<TourStep, String> {
    let mut inputs = Vec::new();
    if let Some(table) = r.get("consume") {
        let path = format!("{}.consume", r.path);
        for (name, on) in entries(&table, &path)? {
            let on = on
                .boolean()
                .ok_or_else(|| format!("{path}.{name}: expected true (start) or false (stop)"))?;
            inputs.push(Input::SetConsuming(name, on));
        }
    }
    if let Some(publish) = r.get("publish") {
        let specs: Vec<D> = publish.items().unwrap_or_else(|| vec![publish]);
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
            let most = crate::sim::limits::MAX_BURST;
            let count = p
                .integer_or("count", 1, u64::from(most))
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| format!("{}.count: expected an integer 1..{most}", p.path))?;
            inputs.push(match count {
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

fn expect_from<D: Doc>(e: &Reader<'_, D>) -> Result<Expect, String> {
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
                .number()
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
fn entries<D: Doc>(value: &D, path: &str) -> Result<Vec<(String, D)>, String> {
    if !value.is_object() {
        return Err(format!("{path}: expected an object"));
    }
    Ok(value.entries())
}

fn script_exchange<D: Doc>(x: &Reader<'_, D>) -> Result<ExchangeSpec, String> {
    let kind = x.string("type")?;
    Ok(ExchangeSpec {
        durable: x.bool_or("durable", false)?,
        auto_delete: x.bool_or("auto_delete", false)?,
        internal: x.bool_or("internal", false)?,
        arguments: x.arguments("arguments")?,
        ..ExchangeSpec::typed(&x.string("name")?, &kind)
    })
}

fn script_queue<D: Doc>(q: &Reader<'_, D>) -> Result<QueueSpec, String> {
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

fn script_binding<D: Doc>(b: &Reader<'_, D>) -> Result<BindingSpec, String> {
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
fn script_step<D: Doc>(r: &Reader<'_, D>) -> Result<Step, String> {
    let mut keys = r.value.entries();
    if keys.len() != 1 {
        return Err(format!(
            "{}: a step is an object with one key (one of {SCRIPT_STEPS})",
            r.path
        ));
    }
    let (kind, body) = keys.remove(0);
    let a = Reader {
        value: &body,
        path: format!("{}.{kind}", r.path),
    };
    if kind == "sleep_ms" {
        return body
            .number()
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
fn settle_mode<D: Doc>(
    a: &Reader<'_, D>,
    key: &str,
    mode: &str,
    requeue: bool,
) -> Result<Settle, String> {
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
fn script_props<D: Doc>(p: &Reader<'_, D>) -> Result<MessageProps, String> {
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
fn props_from<D: Doc>(p: &Reader<'_, D>) -> Result<MessageProps, String> {
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
pub fn props_from_doc<D: Doc>(value: &D, path: &str) -> Result<MessageProps, String> {
    props_from(&Reader {
        value,
        path: path.to_string(),
    })
}

/// A cursor into a document that knows its path, for error messages.
struct Reader<'a, D> {
    value: &'a D,
    path: String,
}

impl<D: Doc> Reader<'_, D> {
    fn object(&self) -> Result<(), String> {
        if self.value.is_object() {
            Ok(())
        } else {
            Err(format!("{}: expected an object", self.path))
        }
    }

    fn get(&self, key: &str) -> Option<D> {
        self.value.field(key)
    }

    fn string(&self, key: &str) -> Result<String, String> {
        self.opt_string(key)?
            .ok_or_else(|| format!("{}.{key}: missing (expected a string)", self.path))
    }

    fn opt_string(&self, key: &str) -> Result<Option<String>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .string()
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
                .boolean()
                .ok_or_else(|| format!("{}.{key}: expected true or false", self.path)),
        }
    }

    fn integer_or(&self, key: &str, default: u64, max: u64) -> Result<u64, String> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v
                .number()
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
        if !v.is_object() {
            return Err(format!("{path}: expected an object of arguments"));
        }
        v.entries()
            .into_iter()
            .map(|(name, value)| {
                if let Some(s) = value.string() {
                    Ok((name, ArgValue::Str(s)))
                } else if let Some(b) = value.boolean() {
                    Ok((name, ArgValue::Bool(b)))
                } else if value.is_null() {
                    Ok((name, ArgValue::Void))
                } else if let Some(n) = value
                    .number()
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
        item: impl Fn(&Reader<'_, D>) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let Some(v) = self.get(key) else {
            return Ok(Vec::new());
        };
        let Some(items) = v.items() else {
            return Err(format!("{}.{key}: expected an array", self.path));
        };
        // A plain loop: `collect::<Result<Vec<_>, _>>()` cost a few KB of the page's wasm per
        // kind of list.
        let mut out = Vec::with_capacity(items.len());
        for (i, element) in items.iter().enumerate() {
            let r = Reader {
                value: element,
                path: format!("{}.{key}[{i}]", self.path),
            };
            r.object()?;
            out.push(item(&r)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_file_reads_natively_with_its_walkthrough() {
        let s = scenario_from_json(
            r#"{ "version": 1, "name": "audit",
                 "exchanges": [{ "name": "events", "type": "topic" }],
                 "queues": [{ "name": "audit", "arguments": { "x-max-length": 10, "x-overflow": "drop-head" } }],
                 "bindings": [{ "exchange": "events", "queue": "audit", "key": "audit.#" }],
                 "producers": [{ "name": "P", "exchange": "events", "routingKey": "audit.login" }],
                 "consumers": [{ "name": "C", "queue": "audit" }],
                 "tour": [{ "caption": "one", "publish": [{ "routingKey": "audit.x" }, { "count": 2 }],
                            "consume": { "C": false }, "runMs": 100,
                            "expect": { "queues": { "audit": { "ready": 3 } }, "received": { "C": 0 } } }] }"#,
        )
        .unwrap();
        assert_eq!(s.name, "audit");
        assert_eq!(s.queues[0].arguments.len(), 2);
        let step = &s.tour[0];
        assert_eq!(step.inputs.len(), 3, "consume, then two publishes");
        assert!(matches!(step.inputs[0], Input::SetConsuming(ref c, false) if c == "C"));
        assert!(matches!(step.inputs[2], Input::Burst(_, 2)));
        assert_eq!(step.run_ms, Some(100));
        let expect = step.expect.as_ref().unwrap();
        assert_eq!(expect.queues, vec![("audit".to_string(), Some(3), None)]);
        assert_eq!(expect.received, vec![("C".to_string(), 0)]);
    }

    #[test]
    fn a_file_carries_how_it_was_shown() {
        let s = scenario_from_json(
            r#"{ "queues": [{ "name": "hello" }],
                 "view": { "theme": "current-dark", "speed": 0.5,
                           "positions": [{ "kind": "queue", "name": "hello", "x": 320.5, "y": -40 }] } }"#,
        )
        .unwrap();
        assert_eq!(s.view.theme, Some(Theme::CurrentDark));
        assert_eq!(s.view.speed, Some(0.5));
        assert_eq!(
            s.view.positions,
            [(
                NodeKind::Queue,
                "hello".to_string(),
                Point { x: 320.5, y: -40.0 }
            )]
        );
        let plain = scenario_from_json(r#"{ "queues": [{ "name": "hello" }] }"#).unwrap();
        assert!(plain.view.is_empty(), "no view, nothing chosen");
    }

    #[test]
    fn bad_files_name_the_json_path() {
        for (text, want) in [
            ("[]", "scenario: expected an object"),
            (
                r#"{"queues": [{"name": 7}]}"#,
                "scenario.queues[0].name: expected a string",
            ),
            (
                r#"{"version": 2}"#,
                "scenario.version: 2 is a scenario format from a newer playground",
            ),
            (
                r#"{"tour": [{"caption": "x", "publish": {"count": 0}}]}"#,
                "scenario.tour[0].publish.count",
            ),
            (
                r#"{"tour": [{"caption": "x", "expect": {"received": {"C": -1}}}]}"#,
                "scenario.tour[0].expect.received.C: expected a count",
            ),
            (
                r#"{"queues": [{"name": "q", "arguments": {"x": 1.5}}]}"#,
                "scenario.queues[0].arguments.x: expected an integer",
            ),
            ("{", "scenario: not valid JSON"),
            (
                r#"{"view": {"theme": "neon"}}"#,
                "scenario.view.theme: expected one of classic, classic-dark, current, current-dark",
            ),
            (
                r#"{"view": {"speed": 100}}"#,
                "scenario.view.speed: expected a number from 0.25 to 8",
            ),
            (
                r#"{"view": {"positions": [{"kind": "node", "name": "q", "x": 1, "y": 2}]}}"#,
                "scenario.view.positions[0].kind: expected one of producer, exchange, queue, consumer",
            ),
            (
                r#"{"view": {"positions": [{"kind": "queue", "name": "q", "x": 1e9, "y": 2}]}}"#,
                "scenario.view.positions[0].x: expected a number from -100000 to 100000",
            ),
            (
                r#"{"view": {"positions": [{"kind": "queue", "x": 1, "y": 2}]}}"#,
                "scenario.view.positions[0].name: missing",
            ),
            (r#"{"view": []}"#, "scenario.view: expected an object"),
        ] {
            let err = scenario_from_json(text).unwrap_err();
            assert!(err.contains(want), "{text}: {err}");
        }
    }
}
