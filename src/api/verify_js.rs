//! `amqpPlayground.verify()`: the scenario on the bridge's upstream RabbitMQ, side by side.
//!
//! ```text
//! await amqpPlayground.verify()
//!   // { same, profile, upstreamVersion, differences: [{ section, playground, rabbitmq }],
//!   //   playground, rabbitmq,        // both canonical results, as objects
//!   //   notes: [...], script }       // what the script leaves out; the script itself
//!   // rejects with the reason when there is no bridge, no upstream, or RabbitMQ failed
//! ```

use std::time::Duration;

use js_sys::{Array, Object, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;

use crate::state::{next_verify_id, Action, PlaygroundContext, RemoteAction, Verification};

/// How long `verify()` waits for RabbitMQ before it gives up.
const VERIFY_TIMEOUT: Duration = Duration::from_secs(60);

/// Adds `verify` to the API object.
pub fn install(api: &Object, state: PlaygroundContext) {
    let f = Closure::<dyn Fn() -> Promise>::new(move || {
        let state = state.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let id = next_verify_id();
            state.dispatch(Action::Remote(RemoteAction::Verify(id)));
            let step = Duration::from_millis(50);
            let mut waited = Duration::ZERO;
            loop {
                if let Some(v) = state.verification.as_ref().filter(|v| v.id == id) {
                    if v.done() {
                        return outcome(v);
                    }
                } else if let Some(e) = state.error.as_ref().filter(|e| e.starts_with("Verify")) {
                    return Err(js_sys::Error::new(e).into());
                }
                if waited >= VERIFY_TIMEOUT {
                    return Err(
                        js_sys::Error::new("Verify: RabbitMQ did not answer within 60 s").into(),
                    );
                }
                yew::platform::time::sleep(step).await;
                waited += step;
            }
        })
    });
    let _ = Reflect::set(api, &"verify".into(), &f.into_js_value());
}

fn outcome(v: &Verification) -> Result<JsValue, JsValue> {
    let rabbitmq = match &v.rabbitmq {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(js_sys::Error::new(&format!("Verify on RabbitMQ: {e}")).into()),
        None => unreachable!("done() was checked"),
    };
    let playground = v.playground.as_ref().map_err(|e| {
        JsValue::from(js_sys::Error::new(&format!(
            "Verify, the playground's side: {e}"
        )))
    })?;
    let o = Object::new();
    let set = |k: &str, val: JsValue| {
        let _ = Reflect::set(&o, &k.into(), &val);
    };
    set("same", v.same().into());
    set("profile", v.profile.into());
    set(
        "upstreamVersion",
        v.upstream_version
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from_str),
    );
    set(
        "playground",
        JSON::parse(playground).unwrap_or(JsValue::NULL),
    );
    set("rabbitmq", JSON::parse(rabbitmq).unwrap_or(JsValue::NULL));
    let differences = Array::new();
    for d in &v.differences {
        let x = Object::new();
        let _ = Reflect::set(&x, &"section".into(), &d.section.as_str().into());
        let _ = Reflect::set(&x, &"playground".into(), &d.playground.as_str().into());
        let _ = Reflect::set(&x, &"rabbitmq".into(), &d.rabbitmq.as_str().into());
        differences.push(&x);
    }
    set("differences", differences.into());
    set(
        "notes",
        v.notes
            .iter()
            .map(|n| JsValue::from_str(n))
            .collect::<Array>()
            .into(),
    );
    set("script", v.script.as_str().into());
    Ok(o.into())
}
