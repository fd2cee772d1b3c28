//! The page's end of the tools worker (`src/bin/tools.rs`): code generation and RabbitMQ
//! definitions run in a wasm of their own, fetched the first time one is asked for, so the
//! page's first download carries neither them nor their JSON library. Every call is async.

use crate::sim::Scenario;

/// One generated file.
pub use crate::code::File;

#[cfg(target_arch = "wasm32")]
mod worker {
    use amqp_playground_core::SortedMap;
    use std::cell::RefCell;

    use js_sys::{Function, Object, Promise, Reflect};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    /// The worker's loader, at the site root (Trunk names worker files after the binary).
    const LOADER: &str = "./amqp-playground-tools_loader.js";

    struct Tools {
        worker: web_sys::Worker,
        /// The worker said it listens; until then requests wait in `held`.
        ready: bool,
        held: Vec<Object>,
        pending: SortedMap<u32, (Function, Function)>,
        next: u32,
        _on_message: Closure<dyn Fn(web_sys::MessageEvent)>,
    }

    thread_local! {
        static TOOLS: RefCell<Option<Tools>> = const { RefCell::new(None) };
    }

    fn start() -> Result<Tools, String> {
        let worker = web_sys::Worker::new(LOADER)
            .map_err(|_| "the tools worker could not be started".to_string())?;
        let on_message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(|e: web_sys::MessageEvent| {
                let data = e.data();
                if Reflect::get(&data, &"ready".into())
                    .ok()
                    .and_then(|r| r.as_bool())
                    == Some(true)
                {
                    TOOLS.with(|t| {
                        if let Some(t) = t.borrow_mut().as_mut() {
                            t.ready = true;
                            for request in t.held.drain(..) {
                                let _ = t.worker.post_message(&request);
                            }
                        }
                    });
                    return;
                }
                let id = Reflect::get(&data, &"id".into())
                    .ok()
                    .and_then(|v| v.as_f64())
                    .unwrap_or(-1.0) as u32;
                let done =
                    TOOLS.with(|t| t.borrow_mut().as_mut().and_then(|t| t.pending.remove(&id)));
                if let Some((resolve, reject)) = done {
                    let error = Reflect::get(&data, &"error".into()).unwrap_or(JsValue::UNDEFINED);
                    if error.is_undefined() {
                        let result = Reflect::get(&data, &"result".into()).unwrap_or(JsValue::NULL);
                        let _ = resolve.call1(&JsValue::NULL, &result);
                    } else {
                        let _ = reject.call1(&JsValue::NULL, &error);
                    }
                }
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Ok(Tools {
            worker,
            ready: false,
            held: Vec::new(),
            pending: SortedMap::new(),
            next: 0,
            _on_message: on_message,
        })
    }

    /// Sends `request` (its `call` and arguments) and waits for the worker's result.
    pub async fn call(request: Object) -> Result<JsValue, String> {
        let mut sent = Err(String::new());
        let promise = Promise::new(&mut |resolve, reject| {
            sent = TOOLS.with(|t| {
                let mut t = t.borrow_mut();
                if t.is_none() {
                    *t = Some(start()?);
                }
                let tools = t.as_mut().expect("just started");
                tools.next += 1;
                let id = tools.next;
                let _ = Reflect::set(&request, &"id".into(), &id.into());
                tools.pending.insert(id, (resolve, reject));
                if !tools.ready {
                    tools.held.push(request.clone());
                    return Ok(());
                }
                tools
                    .worker
                    .post_message(&request)
                    .map_err(|_| "the tools worker refused the request".to_string())
            });
        });
        sent?;
        wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .map_err(|e| {
                e.as_string()
                    .unwrap_or_else(|| "the tools worker failed".into())
            })
    }
}

#[cfg(target_arch = "wasm32")]
fn request(call: &str, fields: &[(&str, &str)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&o, &"call".into(), &call.into());
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&o, &(*k).into(), &(*v).into());
    }
    o
}

#[cfg(target_arch = "wasm32")]
fn scenario_json(s: &Scenario) -> String {
    js_sys::JSON::stringify(&crate::api::scenario_js::scenario_to_js(s))
        .map(String::from)
        .unwrap_or_default()
}

#[cfg(target_arch = "wasm32")]
fn strings(v: &wasm_bindgen::JsValue, key: &str) -> Vec<String> {
    js_sys::Reflect::get(v, &key.into())
        .ok()
        .map(|a| {
            js_sys::Array::from(&a)
                .iter()
                .filter_map(|x| x.as_string())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(target_arch = "wasm32")]
fn text(v: &wasm_bindgen::JsValue, key: &str) -> String {
    js_sys::Reflect::get(v, &key.into())
        .ok()
        .and_then(|x| x.as_string())
        .unwrap_or_default()
}

/// The scenario's programs in `lang` (`"pika"`, `"amqplib"`), as `{ files: [...] }`.
#[cfg(target_arch = "wasm32")]
pub async fn generate_code(s: &Scenario, lang: &str) -> Result<wasm_bindgen::JsValue, String> {
    worker::call(request(
        "generateCode",
        &[("scenario", &scenario_json(s)), ("lang", lang)],
    ))
    .await
}

/// The scenario's programs in `lang`, as files.
#[cfg(target_arch = "wasm32")]
pub async fn generate_files(s: &Scenario, lang: &str) -> Result<Vec<File>, String> {
    let out = generate_code(s, lang).await?;
    let files = js_sys::Reflect::get(&out, &"files".into()).unwrap_or_default();
    Ok(js_sys::Array::from(&files)
        .iter()
        .map(|f| File {
            name: text(&f, "name"),
            text: text(&f, "text"),
        })
        .collect())
}

/// The scenario's topology as definitions.json text, and what has no counterpart there.
#[cfg(target_arch = "wasm32")]
pub async fn export_definitions(s: &Scenario) -> Result<(String, Vec<String>), String> {
    let out = worker::call(request(
        "exportDefinitions",
        &[("scenario", &scenario_json(s))],
    ))
    .await?;
    Ok((text(&out, "definitions"), strings(&out, "notes")))
}

/// A definitions file as a scenario, and what was skipped.
#[cfg(target_arch = "wasm32")]
pub async fn import_definitions(definitions: &str) -> Result<(Scenario, Vec<String>), String> {
    let out = worker::call(request("importDefinitions", &[("text", definitions)])).await?;
    let scenario = crate::api::scenario_js::scenario_from_js(&text(&out, "scenario").into())?;
    Ok((scenario, strings(&out, "notes")))
}

/// Natively the tools are plain calls (the tests use `code` and `definitions` directly).
#[cfg(not(target_arch = "wasm32"))]
pub async fn generate_files(s: &Scenario, lang: &str) -> Result<Vec<File>, String> {
    Ok(crate::code::generate(s, crate::code::Lang::parse(lang)?))
}

/// Natively: no worker and no JS values (the page's API exists only in the browser).
#[cfg(not(target_arch = "wasm32"))]
pub async fn generate_code(_: &Scenario, _: &str) -> Result<wasm_bindgen::JsValue, String> {
    Err("generateCode runs in the page".into())
}

/// Natively the definitions are plain calls.
#[cfg(not(target_arch = "wasm32"))]
pub async fn export_definitions(s: &Scenario) -> Result<(String, Vec<String>), String> {
    let (defs, notes) = crate::definitions::export(s);
    Ok((defs.to_string(), notes))
}

/// Natively the definitions are plain calls.
#[cfg(not(target_arch = "wasm32"))]
pub async fn import_definitions(definitions: &str) -> Result<(Scenario, Vec<String>), String> {
    crate::definitions::import(definitions)
}
