//! The page's tools worker: code generation and RabbitMQ definitions, in a wasm of their own
//! that the page loads the first time one is asked for (`src/tools.rs`), so the page's first
//! download carries neither them nor the JSON library they use.
//!
//! ```text
//! page → worker  { id, call: "generateCode", scenario: "<scenario JSON>", lang: "pika" }
//!                { id, call: "exportDefinitions", scenario: "<scenario JSON>" }
//!                { id, call: "importDefinitions", text: "<definitions JSON>" }
//! worker → page  { ready: true }  once it listens (the page holds requests until then)
//!                { id, result }  or  { id, error: "what was wrong" }
//!   generateCode      → { files: [{ name, text }] }
//!   exportDefinitions → { definitions: "<JSON>", notes: [...] }
//!   importDefinitions → { scenario: "<scenario JSON>", notes: [...] }
//! ```

#[cfg(target_arch = "wasm32")]
fn main() {
    use js_sys::{Array, Function, Object, Reflect};
    use wasm_bindgen::prelude::*;

    use amqp_playground_web::api::scenario_js::{scenario_from_js, scenario_to_js};
    use amqp_playground_web::{code, definitions};

    fn field(data: &JsValue, key: &str) -> Result<String, String> {
        Reflect::get(data, &key.into())
            .ok()
            .and_then(|v| v.as_string())
            .ok_or_else(|| format!("tools: `{key}` missing"))
    }
    fn notes(list: &[String]) -> Array {
        list.iter().map(|n| JsValue::from_str(n)).collect()
    }
    fn answer(data: &JsValue) -> Result<JsValue, String> {
        let out = Object::new();
        match field(data, "call")?.as_str() {
            "generateCode" => {
                let scenario = scenario_from_js(&field(data, "scenario")?.into())?;
                let lang = code::Lang::parse(&field(data, "lang")?)?;
                let files: Array = code::generate(&scenario, lang)
                    .into_iter()
                    .map(|f| {
                        let o = Object::new();
                        let _ = Reflect::set(&o, &"name".into(), &f.name.into());
                        let _ = Reflect::set(&o, &"text".into(), &f.text.into());
                        JsValue::from(o)
                    })
                    .collect();
                let _ = Reflect::set(&out, &"files".into(), &files);
            }
            "exportDefinitions" => {
                let scenario = scenario_from_js(&field(data, "scenario")?.into())?;
                let (defs, n) = definitions::export(&scenario);
                let text = serde_json::to_string_pretty(&defs).unwrap_or_default();
                let _ = Reflect::set(&out, &"definitions".into(), &text.into());
                let _ = Reflect::set(&out, &"notes".into(), &notes(&n));
            }
            "importDefinitions" => {
                let (scenario, n) = definitions::import(&field(data, "text")?)?;
                let text = js_sys::JSON::stringify(&scenario_to_js(&scenario))
                    .map(String::from)
                    .unwrap_or_default();
                let _ = Reflect::set(&out, &"scenario".into(), &text.into());
                let _ = Reflect::set(&out, &"notes".into(), &notes(&n));
            }
            other => return Err(format!("tools: no call `{other}`")),
        }
        Ok(out.into())
    }

    let global = js_sys::global();
    let post: Function = Reflect::get(&global, &"postMessage".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .expect("a worker has postMessage");
    let scope = global.clone();
    let announce = post.clone();
    let on_message = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
        let data = Reflect::get(&event, &"data".into()).unwrap_or(JsValue::NULL);
        let reply = Object::new();
        let id = Reflect::get(&data, &"id".into()).unwrap_or(JsValue::NULL);
        let _ = Reflect::set(&reply, &"id".into(), &id);
        match answer(&data) {
            Ok(result) => Reflect::set(&reply, &"result".into(), &result),
            Err(e) => Reflect::set(&reply, &"error".into(), &e.into()),
        }
        .ok();
        let _ = post.call1(&scope, &reply);
    });
    let _ = Reflect::set(&global, &"onmessage".into(), on_message.as_ref());
    on_message.forget();
    // Messages that came while the wasm was loading found no handler: the page holds its
    // requests until this.
    let ready = Object::new();
    let _ = Reflect::set(&ready, &"ready".into(), &true.into());
    let _ = announce.call1(&global, &ready);
}

/// Natively there is no worker: the tests call `code` and `definitions` directly.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
