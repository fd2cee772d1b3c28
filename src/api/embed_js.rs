//! What a docs page needs from the embedded playground: share links, the walkthrough, code,
//! definitions and pictures, and the events `www/embed-host.js` forwards to the embedding
//! page over `postMessage`. Code and definitions come from the tools worker (`crate::tools`),
//! so those calls are async.
//!
//! ```text
//! await amqpPlayground.shareLink()  // "https://…/#s=1.<deflate+base64url>": this scenario
//!                                   // (a Promise: the browser's CompressionStream packs it)
//! await amqpPlayground.generateCode(lang)  // { files: [{ name, text }] }: "pika" or
//!                                         // "amqplib", one program per producer and consumer
//! amqpPlayground.exportSvg()             // the diagram as drawn: standalone SVG text
//! await amqpPlayground.exportPng()       // … as a PNG data: URL, twice the size
//! await amqpPlayground.exportDefinitions()  // RabbitMQ definitions.json (what
//!                                        // `rabbitmqctl import_definitions` reads), with
//!                                        // `amqp_playground_not_exported`: what has none
//! await amqpPlayground.importDefinitions(json)  // a broker's definitions as the scenario;
//!                                        // { skipped: [...] }, throws naming the JSON path
//! amqpPlayground.tour()             // { at, count, caption, captions }: the walkthrough
//! amqpPlayground.tourGo(i)          // show step i (0-based); tourNext() / tourBack()
//! ```
//!
//! Events (to `window.__amqpPlaygroundEmit(name, data)`, which the embed host defines):
//! `step` { at, count, caption } when the walkthrough moves; `delivered` { consumer,
//! received } when a consumer's received count grows; `returned` { returned } when a
//! message comes back to its publisher; `error` { message } when the page shows an error.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::{js_error, set_fn};
use crate::state::{Action, PlaygroundContext};

/// Adds the share and walkthrough calls to the API object.
pub fn install(api: &Object, state: &PlaygroundContext) {
    let s = state.clone();
    set_fn(
        api,
        "shareLink",
        Closure::<dyn Fn() -> js_sys::Promise>::new(move || {
            let s = s.clone();
            wasm_bindgen_futures::future_to_promise(async move {
                Ok(JsValue::from_str(&share_link(&s).await))
            })
        })
        .into_js_value(),
    );
    let s = state.clone();
    set_fn(
        api,
        "generateCode",
        Closure::<dyn Fn(JsValue) -> js_sys::Promise>::new(move |lang: JsValue| {
            let scenario = s.engine.borrow().scenario().clone();
            wasm_bindgen_futures::future_to_promise(async move {
                let lang = lang.as_string().ok_or_else(|| {
                    js_error("generateCode(lang): lang must be \"pika\" or \"amqplib\"")
                })?;
                crate::tools::generate_code(&scenario, &lang)
                    .await
                    .map_err(|e| js_error(&e))
            })
        })
        .into_js_value(),
    );
    set_fn(
        api,
        "exportSvg",
        Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(|| {
            crate::components::picture::diagram_svg().map(JsValue::from)
        })
        .into_js_value(),
    );
    set_fn(
        api,
        "exportPng",
        Closure::<dyn Fn() -> js_sys::Promise>::new(|| {
            wasm_bindgen_futures::future_to_promise(crate::components::picture::diagram_png())
        })
        .into_js_value(),
    );
    let s = state.clone();
    set_fn(
        api,
        "exportDefinitions",
        Closure::<dyn Fn() -> js_sys::Promise>::new(move || {
            let scenario = s.engine.borrow().scenario().clone();
            wasm_bindgen_futures::future_to_promise(async move {
                let (text, notes) = crate::tools::export_definitions(&scenario)
                    .await
                    .map_err(|e| js_error(&e))?;
                let value = js_sys::JSON::parse(&text)?;
                let notes: Array = notes.iter().map(|n| JsValue::from_str(n)).collect();
                let _ = Reflect::set(&value, &"amqp_playground_not_exported".into(), &notes);
                Ok(value)
            })
        })
        .into_js_value(),
    );
    let s = state.clone();
    set_fn(
        api,
        "importDefinitions",
        Closure::<dyn Fn(JsValue) -> js_sys::Promise>::new(move |input: JsValue| {
            let s = s.clone();
            wasm_bindgen_futures::future_to_promise(async move {
                let notes = import_definitions(&s, &input)
                    .await
                    .map_err(|e| js_error(&e))?;
                let out = Object::new();
                let notes: Array = notes.iter().map(|n| JsValue::from_str(n)).collect();
                let _ = Reflect::set(&out, &"skipped".into(), &notes);
                Ok(out.into())
            })
        })
        .into_js_value(),
    );
    let s = state.clone();
    set_fn(
        api,
        "tour",
        Closure::<dyn Fn() -> JsValue>::new(move || tour_info(&s)).into_js_value(),
    );
    let s = state.clone();
    set_fn(
        api,
        "tourGo",
        Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(move |i: JsValue| {
            let i = i
                .as_f64()
                .filter(|n| n.fract() == 0.0 && *n >= 0.0)
                .ok_or_else(|| js_error("tourGo(i): i must be a step number from 0"))?;
            tour_go(&s, i as usize)
        })
        .into_js_value(),
    );
    for (name, delta) in [("tourNext", 1i64), ("tourBack", -1)] {
        let s = state.clone();
        set_fn(
            api,
            name,
            Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(move || {
                let at = s.tour_at.map_or(-1, |a| a as i64);
                tour_go(&s, (at + delta).max(0) as usize)
            })
            .into_js_value(),
        );
    }
}

/// Loads a definitions file (JSON text or an object) as the scenario; what was skipped.
pub async fn import_definitions(
    s: &PlaygroundContext,
    input: &JsValue,
) -> Result<Vec<String>, String> {
    let text = match input.as_string() {
        Some(text) => text,
        None => js_sys::JSON::stringify(input)
            .map(String::from)
            .map_err(|_| "importDefinitions(json): expected JSON text or an object".to_string())?,
    };
    let (scenario, notes) = crate::tools::import_definitions(&text).await?;
    s.dispatch(Action::LoadScenario(scenario));
    match s.error.clone() {
        Some(e) => Err(e),
        None => Ok(notes),
    }
}

fn tour_go(s: &PlaygroundContext, i: usize) -> Result<JsValue, JsValue> {
    s.dispatch(Action::Tour(i));
    match s.error.as_deref() {
        Some(e) => Err(js_error(e)),
        None => Ok(tour_info(s)),
    }
}

fn tour_info(s: &PlaygroundContext) -> JsValue {
    let engine = s.engine.borrow();
    let tour = &engine.scenario().tour;
    let o = Object::new();
    let at = s.tour_at.map_or(JsValue::NULL, |a| (a as f64).into());
    let _ = Reflect::set(&o, &"at".into(), &at);
    let _ = Reflect::set(&o, &"count".into(), &(tour.len() as f64).into());
    let caption = s
        .tour_at
        .and_then(|a| tour.get(a))
        .map_or(JsValue::NULL, |t| t.caption.as_str().into());
    let _ = Reflect::set(&o, &"caption".into(), &caption);
    let captions: Array = tour.iter().map(|t| JsValue::from_str(&t.caption)).collect();
    let _ = Reflect::set(&o, &"captions".into(), &captions);
    o.into()
}

/// This page's address (without its query, so the link opens the full playground) with the
/// scenario in the fragment.
#[cfg(target_arch = "wasm32")]
pub async fn share_link(s: &PlaygroundContext) -> String {
    use super::scenario_js;
    use crate::share;
    let json = js_sys::JSON::stringify(&scenario_js::scenario_to_js(&s.shared_scenario()))
        .map(String::from)
        .unwrap_or_default();
    let location = web_sys::window().map(|w| w.location());
    let base = location
        .map(|l| {
            let origin = l.origin().unwrap_or_default();
            let path = l.pathname().unwrap_or_default();
            // The embed page shares the full playground beside it.
            let path = path.strip_suffix("embed.html").unwrap_or(&path).to_string();
            format!("{origin}{path}")
        })
        .unwrap_or_default();
    format!("{base}#{}", share::browser::encode(&json).await)
}

#[cfg(not(target_arch = "wasm32"))]
pub async fn share_link(_: &PlaygroundContext) -> String {
    String::new()
}

/// What the last render's events were measured from.
#[derive(Default)]
struct Seen {
    tour_at: Option<usize>,
    received: Vec<(String, u64)>,
    returned: u64,
    error: Option<String>,
}

thread_local! {
    static SEEN: RefCell<Seen> = RefCell::new(Seen::default());
}

/// An effect for every render: tells the embed host what changed since the last one. Costs
/// nothing unless the page is embedded (the host defines the hook only inside an iframe).
pub fn embed_events(state: PlaygroundContext) -> impl FnOnce() {
    move || {
        let Some(emit) = web_sys::window()
            .and_then(|w| Reflect::get(&w, &"__amqpPlaygroundEmit".into()).ok())
            .and_then(|f| f.dyn_into::<Function>().ok())
        else {
            return;
        };
        let send = |name: &str, pairs: &[(&str, JsValue)]| {
            let data = Object::new();
            for (k, v) in pairs {
                let _ = Reflect::set(&data, &(*k).into(), v);
            }
            let _ = emit.call2(&JsValue::NULL, &name.into(), &data);
        };
        SEEN.with(|seen| {
            let mut seen = seen.borrow_mut();
            if state.tour_at != seen.tour_at {
                seen.tour_at = state.tour_at;
                if let Some(at) = state.tour_at {
                    let engine = state.engine.borrow();
                    let tour = &engine.scenario().tour;
                    let caption = tour.get(at).map(|t| t.caption.clone()).unwrap_or_default();
                    send(
                        "step",
                        &[
                            ("at", (at as f64).into()),
                            ("count", (tour.len() as f64).into()),
                            ("caption", caption.into()),
                        ],
                    );
                }
            }
            if state.error != seen.error {
                seen.error = state.error.clone();
                if let Some(message) = &state.error {
                    send("error", &[("message", message.as_str().into())]);
                }
            }
            let snap = state.engine.borrow().snapshot();
            for c in &snap.consumers {
                let before = seen
                    .received
                    .iter()
                    .find(|(n, _)| n == &c.name)
                    .map_or(0, |(_, r)| *r);
                if c.received > before {
                    send(
                        "delivered",
                        &[
                            ("consumer", c.name.as_str().into()),
                            ("received", (c.received as f64).into()),
                        ],
                    );
                }
            }
            seen.received = snap
                .consumers
                .iter()
                .map(|c| (c.name.clone(), c.received))
                .collect();
            if snap.returned > seen.returned {
                send("returned", &[("returned", (snap.returned as f64).into())]);
            }
            seen.returned = snap.returned;
        });
    }
}
