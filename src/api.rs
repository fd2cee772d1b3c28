//! `window.amqpPlayground`: the scripting and embedding API that docs pages and tests use.
//!
//! ```text
//! amqpPlayground.publish({ producer?, exchange?, routingKey?, body?, mandatory?, count?,
//!                          properties?: { deliveryMode?, priority?, expiration?, replyTo?,
//!                                         correlationId?, messageId?, headers? } })
//!                                                      // throws on bad input; count > 1 = a burst
//! amqpPlayground.setRate(perSecond, producer?)        // a steady stream; 0 stops it
//! amqpPlayground.snapshot()   // { now, queues: { hello: { ready, unacked } },
//!                             //   consumers: { C: { received, acked, consuming, refused,
//!                             //                     replied, lastBody } },
//!                             //   producers: { P: { published, confirmed, nacked, replies,
//!                             //                     waiting } },
//!                             //   inFlight, unroutable, returned, dropped, restarts,
//!                             //   lostInRestart, playing }
//! amqpPlayground.advance(ms)  amqpPlayground.step()  amqpPlayground.play()  amqpPlayground.pause()
//! amqpPlayground.undo()  amqpPlayground.redo()  amqpPlayground.setSpeed(0.25..8)
//! amqpPlayground.setConsuming(name, on)  amqpPlayground.listPresets()  amqpPlayground.loadPreset(id)
//! amqpPlayground.loadScenario(jsonOrObject)  // a scenario file, or a client script (an object
//!                                            // with `steps`), run on the virtual clock; throws
//!                                            // with the bad field's path or the broker's text,
//!                                            // and then the current scenario stays
//! amqpPlayground.exportScenario()            // the current scenario, as loadScenario reads it
//! amqpPlayground.history(messageId)          // what happened to one message, with the reasons
//! amqpPlayground.explain(exchange, routingKey, headers?)  // [{ matched, why }] per binding
//! amqpPlayground.restart()    // restart the broker: durable queues keep persistent messages,
//!                             // then every client reconnects and declares what it uses
//! await amqpPlayground.verify()  // opened from `bridge --upstream`: the same scenario on the
//!                                // real RabbitMQ, { same, differences, playground, rabbitmq }
//! amqpPlayground.crashForTests()  // test-only: a panic, as a bug would cause one (the page
//!                                 // then says it stopped and freezes the autosave)
//! amqpPlayground.wasmMemory()     // the page's wasm memory in bytes (e2e long_run.rs)
//! snapshot().remotes          // real clients through the bridge: [{ name, peer, client,
//!                             //   channels, published, received }]; snapshot().bridge: status
//! ```
//!
//! # Layout
//! - [`scenario_js`]: scenarios as JS objects / JSON text.
//! - [`verify_js`]: `verify()`, the scenario on the bridge's upstream RabbitMQ.
//! - [`embed_js`]: `shareLink()`, the walkthrough (`tour()`, `tourGo(i)`, `tourNext()`,
//!   `tourBack()`) and the events an embedding page receives.
//!
//! Every call dispatches an [`Action`] to the one reducer, which runs synchronously, so a
//! `snapshot()` right after `advance()` already sees its effect.

pub mod embed_js;
pub mod scenario_js;
pub mod verify_js;

pub use embed_js::embed_events;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::sim::{limits, presets, PublishRequest};
use crate::state::{Action, PlaygroundContext};

/// Installs the API on `window`, replacing any previous one (each mount owns it).
pub fn install(state: PlaygroundContext) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let api = Object::new();

    let s = state.clone();
    set_fn(
        &api,
        "publish",
        Closure::<dyn Fn(JsValue) -> Result<(), JsValue>>::new(move |spec: JsValue| {
            let request = publish_request(&spec).map_err(|e| js_error(&e))?;
            let count = if spec.is_object() {
                Reflect::get(&spec, &"count".into()).unwrap_or(JsValue::UNDEFINED)
            } else {
                JsValue::UNDEFINED
            };
            let count = if count.is_undefined() {
                1
            } else {
                count
                    .as_f64()
                    .filter(|n| {
                        n.fract() == 0.0 && (1.0..=f64::from(limits::MAX_BURST)).contains(n)
                    })
                    .ok_or_else(|| {
                        js_error(&format!(
                            "publish(spec): `count` must be an integer 1..{}",
                            limits::MAX_BURST
                        ))
                    })? as u32
            };
            s.dispatch(if count == 1 {
                Action::Publish(request)
            } else {
                Action::Burst(request, count)
            });
            match &s.error {
                Some(e) => Err(js_error(e)),
                None => Ok(()),
            }
        })
        .into_js_value(),
    );

    let s = state.clone();
    set_fn(
        &api,
        "snapshot",
        Closure::<dyn Fn() -> JsValue>::new(move || snapshot(&s)).into_js_value(),
    );

    let s = state.clone();
    set_fn(
        &api,
        "advance",
        Closure::<dyn Fn(JsValue) -> Result<(), JsValue>>::new(move |ms: JsValue| {
            let ms = ms
                .as_f64()
                .filter(|ms| ms.is_finite() && *ms >= 0.0)
                .ok_or_else(|| js_error("advance(ms): ms must be a number ≥ 0"))?;
            s.dispatch(Action::Advance(ms as u64));
            Ok(())
        })
        .into_js_value(),
    );

    let s = state.clone();
    set_fn(
        &api,
        "setSpeed",
        Closure::<dyn Fn(JsValue) -> Result<(), JsValue>>::new(move |x: JsValue| {
            let x = x
                .as_f64()
                .filter(|x| (0.25..=8.0).contains(x))
                .ok_or_else(|| js_error("setSpeed(x): x must be a number from 0.25 to 8"))?;
            s.dispatch(Action::SetSpeed(x));
            Ok(())
        })
        .into_js_value(),
    );

    let s = state.clone();
    set_fn(
        &api,
        "setRate",
        Closure::<dyn Fn(JsValue, JsValue) -> Result<(), JsValue>>::new(
            move |rate: JsValue, producer: JsValue| {
                let rate = rate
                    .as_f64()
                    .filter(|r| r.is_finite() && (0.0..=limits::MAX_RATE).contains(r))
                    .ok_or_else(|| {
                        js_error(&format!(
                            "setRate(perSecond, producer?): perSecond must be 0..{}",
                            limits::MAX_RATE
                        ))
                    })?;
                s.dispatch(Action::SetRate(producer.as_string(), rate));
                s.error.as_deref().map_or(Ok(()), |e| Err(js_error(e)))
            },
        )
        .into_js_value(),
    );

    let s = state.clone();
    set_fn(
        &api,
        "restart",
        Closure::<dyn Fn() -> Result<(), JsValue>>::new(move || {
            s.dispatch(Action::Restart);
            match &s.error {
                Some(e) => Err(js_error(e)),
                None => Ok(()),
            }
        })
        .into_js_value(),
    );

    for (name, action) in [
        ("play", Action::Play),
        ("pause", Action::Pause),
        ("step", Action::Step),
        ("undo", Action::Undo),
        ("redo", Action::Redo),
    ] {
        let s = state.clone();
        set_fn(
            &api,
            name,
            Closure::<dyn Fn()>::new(move || s.dispatch(action.clone())).into_js_value(),
        );
    }

    let s = state.clone();
    set_fn(
        &api,
        "setConsuming",
        Closure::<dyn Fn(JsValue, JsValue) -> Result<(), JsValue>>::new(
            move |name: JsValue, on: JsValue| {
                let consumer = name
                    .as_string()
                    .ok_or_else(|| js_error("setConsuming(name, on): name must be a string"))?;
                let on = on
                    .as_bool()
                    .ok_or_else(|| js_error("setConsuming(name, on): on must be a boolean"))?;
                s.dispatch(Action::SetConsuming { consumer, on });
                s.error.as_deref().map_or(Ok(()), |e| Err(js_error(e)))
            },
        )
        .into_js_value(),
    );

    set_fn(
        &api,
        "listPresets",
        Closure::<dyn Fn() -> JsValue>::new(|| {
            presets::NAMES
                .iter()
                .map(|n| JsValue::from_str(n))
                .collect::<Array>()
                .into()
        })
        .into_js_value(),
    );

    let s = state.clone();
    set_fn(
        &api,
        "loadScenario",
        Closure::<dyn Fn(JsValue) -> Result<(), JsValue>>::new(move |input: JsValue| {
            let scenario = scenario_js::scenario_from_js(&input).map_err(|e| js_error(&e))?;
            s.dispatch(Action::LoadScenario(scenario));
            s.error.as_deref().map_or(Ok(()), |e| Err(js_error(e)))
        })
        .into_js_value(),
    );

    let s = state.clone();
    set_fn(
        &api,
        "exportScenario",
        Closure::<dyn Fn() -> JsValue>::new(move || {
            scenario_js::scenario_to_js(&s.shared_scenario())
        })
        .into_js_value(),
    );

    let s = state.clone();
    set_fn(
        &api,
        "history",
        Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(move |id: JsValue| {
            let id = id
                .as_f64()
                .filter(|n| n.fract() == 0.0 && *n >= 1.0)
                .ok_or_else(|| js_error("history(id): id must be a message number ≥ 1"))?;
            let lines = s.engine.borrow().history(id as u64);
            Ok(lines
                .iter()
                .map(|l| JsValue::from_str(l))
                .collect::<Array>()
                .into())
        })
        .into_js_value(),
    );

    let s = state.clone();
    set_fn(
        &api,
        "explain",
        Closure::<dyn Fn(JsValue, JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
            move |exchange: JsValue, key: JsValue, headers: JsValue| {
                let exchange = exchange.as_string().ok_or_else(|| {
                    js_error("explain(exchange, routingKey, headers?): exchange must be a string")
                })?;
                let key = key.as_string().unwrap_or_default();
                let headers = if headers.is_undefined() || headers.is_null() {
                    Vec::new()
                } else {
                    let wrapped = Object::new();
                    let _ = Reflect::set(&wrapped, &"headers".into(), &headers);
                    scenario_js::props_from_js(&wrapped.into(), "explain(…, headers)")
                        .map_err(|e| js_error(&e))?
                        .headers
                };
                let verdicts = s.engine.borrow().explain_message(&exchange, &key, &headers);
                Ok(verdicts
                    .into_iter()
                    .map(|(matched, why)| {
                        let o = Object::new();
                        let _ = Reflect::set(&o, &"matched".into(), &matched.into());
                        let _ = Reflect::set(&o, &"why".into(), &why.into());
                        JsValue::from(o)
                    })
                    .collect::<Array>()
                    .into())
            },
        )
        .into_js_value(),
    );

    let s = state.clone();
    set_fn(
        &api,
        "loadPreset",
        Closure::<dyn Fn(JsValue) -> Result<(), JsValue>>::new(move |name: JsValue| {
            let name = name
                .as_string()
                .ok_or_else(|| js_error("loadPreset(name): name must be a string"))?;
            s.dispatch(Action::LoadPreset(name));
            s.error.as_deref().map_or(Ok(()), |e| Err(js_error(e)))
        })
        .into_js_value(),
    );

    // Test-only: the panic a bug would cause, for the page's crash notice (e2e crash.rs).
    set_fn(
        &api,
        "crashForTests",
        Closure::<dyn Fn()>::new(|| panic!("crashForTests()")).into_js_value(),
    );

    // The engine's memory, for the long-run report (e2e long_run.rs): wasm memory only grows,
    // so a flat run is one where it stops growing.
    set_fn(
        &api,
        "wasmMemory",
        Closure::<dyn Fn() -> JsValue>::new(|| {
            let buffer = Reflect::get(&wasm_bindgen::memory(), &"buffer".into());
            buffer
                .and_then(|b| Reflect::get(&b, &"byteLength".into()))
                .unwrap_or_default()
        })
        .into_js_value(),
    );

    embed_js::install(&api, &state);
    verify_js::install(&api, state);
    let _ = Reflect::set(&window, &"amqpPlayground".into(), &api);
}

fn set_fn(target: &Object, name: &str, f: JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(name), &f);
}

fn js_error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

/// Reads `{ producer, exchange, routingKey, body }`; absent fields use the producer's own.
fn publish_request(spec: &JsValue) -> Result<PublishRequest, String> {
    if spec.is_undefined() || spec.is_null() {
        return Ok(PublishRequest::default());
    }
    if !spec.is_object() {
        return Err("publish(spec): spec must be an object like { routingKey: 'hello' }".into());
    }
    let field = |name: &str| -> Result<Option<String>, String> {
        let v = Reflect::get(spec, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
        if v.is_undefined() || v.is_null() {
            Ok(None)
        } else {
            v.as_string()
                .map(Some)
                .ok_or_else(|| format!("publish(spec): `{name}` must be a string"))
        }
    };
    let mandatory =
        Reflect::get(spec, &JsValue::from_str("mandatory")).unwrap_or(JsValue::UNDEFINED);
    let mandatory = if mandatory.is_undefined() || mandatory.is_null() {
        false
    } else {
        mandatory
            .as_bool()
            .ok_or("publish(spec): `mandatory` must be true or false")?
    };
    Ok(PublishRequest {
        producer: field("producer")?,
        exchange: field("exchange")?,
        routing_key: field("routingKey")?,
        body: field("body")?,
        mandatory,
        properties: {
            let v =
                Reflect::get(spec, &JsValue::from_str("properties")).unwrap_or(JsValue::UNDEFINED);
            if v.is_undefined() || v.is_null() {
                None
            } else {
                Some(scenario_js::props_from_js(&v, "publish(spec).properties")?)
            }
        },
    })
}

fn snapshot(state: &PlaygroundContext) -> JsValue {
    let snap = state.engine.borrow().snapshot();
    let obj = Object::new();
    let set = |o: &Object, k: &str, v: JsValue| {
        let _ = Reflect::set(o, &JsValue::from_str(k), &v);
    };
    set(&obj, "now", JsValue::from_f64(snap.now as f64));
    let queues = Object::new();
    for (name, c) in &snap.queues {
        let q = Object::new();
        set(&q, "ready", JsValue::from_f64(c.ready as f64));
        set(&q, "unacked", JsValue::from_f64(c.unacked as f64));
        set(&queues, name, q.into());
    }
    set(&obj, "queues", queues.into());
    let consumers = Object::new();
    for c in &snap.consumers {
        let o = Object::new();
        set(&o, "received", JsValue::from_f64(c.received as f64));
        set(&o, "acked", JsValue::from_f64(c.acked as f64));
        set(&o, "consuming", JsValue::from_bool(c.consuming));
        set(&o, "refused", JsValue::from_f64(c.refused as f64));
        set(&o, "replied", JsValue::from_f64(c.replied as f64));
        if let Some(body) = &c.last_body {
            set(&o, "lastBody", JsValue::from_str(body));
        }
        set(&consumers, &c.name, o.into());
    }
    set(&obj, "consumers", consumers.into());
    let producers = Object::new();
    for p in &snap.publishers {
        let o = Object::new();
        for (key, n) in [
            ("published", p.published),
            ("confirmed", p.confirmed),
            ("nacked", p.nacked),
            ("replies", p.replies),
            ("waiting", p.waiting),
        ] {
            set(&o, key, JsValue::from_f64(n as f64));
        }
        set(&producers, &p.name, o.into());
    }
    set(&obj, "producers", producers.into());
    set(&obj, "inFlight", JsValue::from_f64(snap.in_flight as f64));
    for (key, n) in [
        ("unroutable", snap.unroutable),
        ("returned", snap.returned),
        ("dropped", snap.dropped),
        ("restarts", snap.restarts),
        ("lostInRestart", snap.lost_in_restart),
    ] {
        set(&obj, key, JsValue::from_f64(n as f64));
    }
    set(&obj, "playing", JsValue::from_bool(state.playing));
    let remotes = Array::new();
    for r in state.engine.borrow().remotes() {
        let o = Object::new();
        set(&o, "name", JsValue::from_str(&r.name));
        set(&o, "peer", JsValue::from_str(&r.peer));
        if let Some(client) = &r.client {
            set(&o, "client", JsValue::from_str(client));
        }
        set(&o, "channels", JsValue::from_f64(r.channels as f64));
        set(&o, "published", JsValue::from_f64(r.published as f64));
        set(&o, "received", JsValue::from_f64(r.received as f64));
        remotes.push(&o);
    }
    set(&obj, "remotes", remotes.into());
    if let Some(status) = &state.bridge_status {
        set(
            &obj,
            "bridge",
            JsValue::from_str(&crate::bridge::describe(status)),
        );
    }
    obj.into()
}
