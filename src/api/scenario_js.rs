//! Scenarios as plain JavaScript objects (and JSON text): what `loadScenario`, `exportScenario`
//! and autosave read and write. Read with `js_sys`, so the page carries no JSON library.
//!
//! ```text
//! { name, exchanges: [{ name, type, caption? }],
//!   queues:    [{ name, caption?, serverNamed?, arguments?: { "x-message-ttl": 3000, … } }],
//!   bindings:  [{ exchange, queue, key?, showKey? }],
//!   producers: [{ name, exchange?, routingKey?, body? }],
//!   consumers: [{ name, queue, subscript?, autoAck?, prefetch?, processingMs? }] }
//! ```
//!
//! Errors name the path of the bad field (`scenario.queues[1].name: expected a string`).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::sim::scenario::{
    ArgValue, BindingSpec, ConsumerSpec, ExchangeSpec, ProducerSpec, QueueSpec, Scenario,
};

/// Reads a scenario from JSON text or from an object.
pub fn scenario_from_js(input: &JsValue) -> Result<Scenario, String> {
    let value = match input.as_string() {
        Some(text) => js_sys::JSON::parse(&text).map_err(|e| {
            let why = Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_default();
            format!("scenario: not valid JSON ({why})")
        })?,
        None => input.clone(),
    };
    let r = Reader {
        value: &value,
        path: "scenario".to_string(),
    };
    r.object()?;
    Ok(Scenario {
        name: r.string_or("name", "custom")?,
        exchanges: r.list("exchanges", |x| {
            Ok(ExchangeSpec {
                name: x.string("name")?,
                kind: x.string("type")?,
                caption: x.opt_string("caption")?,
            })
        })?,
        queues: r.list("queues", |q| {
            Ok(QueueSpec {
                name: q.string("name")?,
                caption: q.opt_string("caption")?,
                server_named: q.bool_or("serverNamed", false)?,
                arguments: q.arguments("arguments")?,
            })
        })?,
        bindings: r.list("bindings", |b| {
            Ok(BindingSpec {
                exchange: b.string("exchange")?,
                queue: b.string("queue")?,
                key: b.string_or("key", "")?,
                show_key: b.bool_or("showKey", true)?,
            })
        })?,
        producers: r.list("producers", |p| {
            Ok(ProducerSpec {
                name: p.string("name")?,
                exchange: p.string_or("exchange", "")?,
                routing_key: p.string_or("routingKey", "")?,
                body: p.string_or("body", "Hello World!")?,
            })
        })?,
        consumers: r.list("consumers", |c| {
            let prefetch = c.number_or("prefetch", 0.0)?;
            if !(0.0..=65535.0).contains(&prefetch) || prefetch.fract() != 0.0 {
                return Err(format!("{}.prefetch: expected an integer 0..65535", c.path));
            }
            let processing = c.number_or("processingMs", 0.0)?;
            if processing < 0.0 || !processing.is_finite() {
                return Err(format!("{}.processingMs: expected a number ≥ 0", c.path));
            }
            Ok(ConsumerSpec {
                name: c.string("name")?,
                queue: c.string("queue")?,
                subscript: c.opt_string("subscript")?,
                auto_ack: c.bool_or("autoAck", true)?,
                prefetch: prefetch as u16,
                processing_ms: processing as u64,
            })
        })?,
    })
}

/// Writes a scenario as an object `scenario_from_js` reads back unchanged.
pub fn scenario_to_js(s: &Scenario) -> JsValue {
    let obj = Object::new();
    put(&obj, "name", s.name.as_str().into());
    let list = |items: Vec<Object>| -> JsValue { items.into_iter().collect::<Array>().into() };
    put(
        &obj,
        "exchanges",
        list(
            s.exchanges
                .iter()
                .map(|x| {
                    let o = Object::new();
                    put(&o, "name", x.name.as_str().into());
                    put(&o, "type", x.kind.as_str().into());
                    opt(&o, "caption", &x.caption);
                    o
                })
                .collect(),
        ),
    );
    put(
        &obj,
        "queues",
        list(
            s.queues
                .iter()
                .map(|q| {
                    let o = Object::new();
                    put(&o, "name", q.name.as_str().into());
                    opt(&o, "caption", &q.caption);
                    put(&o, "serverNamed", q.server_named.into());
                    if !q.arguments.is_empty() {
                        let args = Object::new();
                        for (k, v) in &q.arguments {
                            let v = match v {
                                ArgValue::Int(n) => JsValue::from_f64(*n as f64),
                                ArgValue::Str(s) => JsValue::from_str(s),
                            };
                            put(&args, k, v);
                        }
                        put(&o, "arguments", args.into());
                    }
                    o
                })
                .collect(),
        ),
    );
    put(
        &obj,
        "bindings",
        list(
            s.bindings
                .iter()
                .map(|b| {
                    let o = Object::new();
                    put(&o, "exchange", b.exchange.as_str().into());
                    put(&o, "queue", b.queue.as_str().into());
                    put(&o, "key", b.key.as_str().into());
                    put(&o, "showKey", b.show_key.into());
                    o
                })
                .collect(),
        ),
    );
    put(
        &obj,
        "producers",
        list(
            s.producers
                .iter()
                .map(|p| {
                    let o = Object::new();
                    put(&o, "name", p.name.as_str().into());
                    put(&o, "exchange", p.exchange.as_str().into());
                    put(&o, "routingKey", p.routing_key.as_str().into());
                    put(&o, "body", p.body.as_str().into());
                    o
                })
                .collect(),
        ),
    );
    put(
        &obj,
        "consumers",
        list(
            s.consumers
                .iter()
                .map(|c| {
                    let o = Object::new();
                    put(&o, "name", c.name.as_str().into());
                    put(&o, "queue", c.queue.as_str().into());
                    opt(&o, "subscript", &c.subscript);
                    put(&o, "autoAck", c.auto_ack.into());
                    put(&o, "prefetch", f64::from(c.prefetch).into());
                    put(&o, "processingMs", (c.processing_ms as f64).into());
                    o
                })
                .collect(),
        ),
    );
    obj.into()
}

fn put(o: &Object, key: &str, value: JsValue) {
    let _ = Reflect::set(o, &key.into(), &value);
}

fn opt(o: &Object, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        put(o, key, v.as_str().into());
    }
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

    fn bool_or(&self, key: &str, default: bool) -> Result<bool, String> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v
                .as_bool()
                .ok_or_else(|| format!("{}.{key}: expected true or false", self.path)),
        }
    }

    fn number_or(&self, key: &str, default: f64) -> Result<f64, String> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v
                .as_f64()
                .ok_or_else(|| format!("{}.{key}: expected a number", self.path)),
        }
    }

    /// `{ "x-message-ttl": 3000, "x-dead-letter-exchange": "dlx" }`: integers and strings.
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
                } else if let Some(n) = value.as_f64().filter(|n| n.fract() == 0.0) {
                    Ok((name, ArgValue::Int(n as i64)))
                } else {
                    Err(format!("{path}.{name}: expected an integer or a string"))
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
