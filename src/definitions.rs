//! RabbitMQ definitions (`rabbitmqctl export_definitions`, the management UI's "Export
//! definitions"), both ways: the scenario's topology out as a file RabbitMQ imports, and a
//! broker's file in as a scenario laid out like any other.
//!
//! ```text
//! { "vhosts": [{ "name": "/" }], "users": [], "permissions": [], "topic_permissions": [],
//!   "parameters": [], "global_parameters": [], "policies": [],
//!   "queues":    [{ "name", "vhost", "durable", "auto_delete", "arguments" }],
//!   "exchanges": [{ "name", "vhost", "type", "durable", "auto_delete", "internal", "arguments" }],
//!   "bindings":  [{ "source", "vhost", "destination", "destination_type", "routing_key",
//!                   "arguments" }] }
//! ```
//!
//! Definitions describe topology only. Out of a scenario they leave producers, consumers and
//! messages, server-named queues (their names exist only while they do) and exclusive
//! queues (they belong to one connection) — each export says which, by name. Scenarios have
//! one vhost and no users, so none are written. Into a scenario come vhost `/`'s exchanges
//! (not the built-in `amq.*` ones), queues and bindings; other vhosts, users, permissions,
//! policies and parameters are listed as skipped, as are argument values the playground's
//! arguments cannot hold (floats, lists, tables).

use serde_json::{json, Map, Value};

use crate::sim::scenario::{json_table, ArgValue, BindingSpec, ExchangeSpec, QueueSpec};
use crate::sim::Scenario;

/// What an export or import left out, one line each.
pub type Notes = Vec<String>;

/// The scenario's topology as RabbitMQ definitions, and what has no counterpart there.
pub fn export(s: &Scenario) -> (Value, Notes) {
    let mut notes = Notes::new();
    let exported = |q: &QueueSpec| !q.server_named && !q.exclusive;
    for q in &s.queues {
        if q.server_named {
            notes.push(format!(
                "queue `{}`: server-named (its name exists only while it does)",
                q.name
            ));
        } else if q.exclusive {
            notes.push(format!(
                "queue `{}`: exclusive (it belongs to one connection)",
                q.name
            ));
        }
    }
    let queues: Vec<Value> = s
        .queues
        .iter()
        .filter(|q| exported(q))
        .map(|q| {
            json!({ "name": q.name, "vhost": "/", "durable": q.durable,
                    "auto_delete": q.auto_delete, "arguments": json_table(&q.arguments) })
        })
        .collect();
    let exchanges: Vec<Value> = s
        .exchanges
        .iter()
        .map(|x| {
            json!({ "name": x.name, "vhost": "/", "type": x.kind, "durable": x.durable,
                    "auto_delete": x.auto_delete, "internal": x.internal,
                    "arguments": json_table(&x.arguments) })
        })
        .collect();
    let mut bindings = Vec::new();
    for b in &s.bindings {
        let to_queue = (!b.to_exchange).then(|| s.queues.iter().find(|q| q.name == b.destination));
        if let Some(q) = to_queue {
            if !q.is_some_and(exported) {
                notes.push(format!(
                    "binding `{}` → `{}` (`{}`): its queue is not exported",
                    b.exchange, b.destination, b.key
                ));
                continue;
            }
        }
        bindings.push(json!({
            "source": b.exchange, "vhost": "/", "destination": b.destination,
            "destination_type": if b.to_exchange { "exchange" } else { "queue" },
            "routing_key": b.key, "arguments": json_table(&b.arguments)
        }));
    }
    for p in &s.producers {
        notes.push(format!(
            "producer `{}`: clients are not definitions",
            p.name
        ));
    }
    for c in &s.consumers {
        notes.push(format!(
            "consumer `{}`: clients are not definitions",
            c.name
        ));
    }
    notes.push("messages: definitions hold no messages".into());
    let definitions = json!({
        "vhosts": [{ "name": "/" }],
        "users": [], "permissions": [], "topic_permissions": [],
        "parameters": [], "global_parameters": [], "policies": [],
        "queues": queues, "exchanges": exchanges, "bindings": bindings,
    });
    (definitions, notes)
}

/// A definitions file (`rabbitmqctl export_definitions` or the management UI) as a
/// scenario, and what was skipped; errors name the JSON path.
pub fn import(text: &str) -> Result<(Scenario, Notes), String> {
    let root: Value =
        serde_json::from_str(text).map_err(|e| format!("definitions: not valid JSON ({e})"))?;
    let root = root
        .as_object()
        .ok_or("definitions: expected an object (what `rabbitmqctl export_definitions` writes)")?;
    if !["queues", "exchanges", "bindings"]
        .iter()
        .any(|k| root.contains_key(*k))
    {
        return Err("definitions: no `queues`, `exchanges` or `bindings` (is this a RabbitMQ definitions file?)".into());
    }
    let mut notes = Notes::new();
    for key in [
        "users",
        "permissions",
        "topic_permissions",
        "policies",
        "parameters",
        "global_parameters",
        "operator_policies",
    ] {
        if let Some(n) = root
            .get(key)
            .and_then(Value::as_array)
            .map(Vec::len)
            .filter(|n| *n > 0)
        {
            notes.push(format!(
                "{key}: {n} skipped (the playground models topology only)"
            ));
        }
    }
    let mut scenario = Scenario {
        name: "definitions".into(),
        ..Scenario::default()
    };
    for (i, x) in list(root, "exchanges")?.iter().enumerate() {
        let path = format!("definitions.exchanges[{i}]");
        let Some(x) = in_default_vhost(x, &path, &mut notes)? else {
            continue;
        };
        let name = string(x, "name", &path)?;
        if name.is_empty() || name.starts_with("amq.") {
            continue; // built in: every broker has them
        }
        let kind = string(x, "type", &path)?;
        scenario.exchanges.push(ExchangeSpec {
            durable: flag(x, "durable", &path)?,
            auto_delete: flag(x, "auto_delete", &path)?,
            internal: flag(x, "internal", &path)?,
            arguments: args(x, &path, &mut notes)?,
            ..ExchangeSpec::typed(&name, &kind)
        });
    }
    for (i, q) in list(root, "queues")?.iter().enumerate() {
        let path = format!("definitions.queues[{i}]");
        let Some(q) = in_default_vhost(q, &path, &mut notes)? else {
            continue;
        };
        let name = string(q, "name", &path)?;
        let mut spec = QueueSpec {
            durable: flag(q, "durable", &path)?,
            auto_delete: flag(q, "auto_delete", &path)?,
            arguments: args(q, &path, &mut notes)?,
            ..QueueSpec::named(&name)
        };
        // 3.x files name the type beside the arguments too.
        if let Some(kind) = q.get("type").and_then(Value::as_str) {
            if kind != "classic" && spec.string_argument("x-queue-type").is_none() {
                spec.arguments
                    .insert(0, ("x-queue-type".into(), ArgValue::Str(kind.into())));
            }
        }
        scenario.queues.push(spec);
    }
    for (i, b) in list(root, "bindings")?.iter().enumerate() {
        let path = format!("definitions.bindings[{i}]");
        let Some(b) = in_default_vhost(b, &path, &mut notes)? else {
            continue;
        };
        let source = string(b, "source", &path)?;
        let destination = string(b, "destination", &path)?;
        let to_exchange = match string(b, "destination_type", &path)?.as_str() {
            "queue" => false,
            "exchange" => true,
            other => {
                return Err(format!(
                    "{path}.destination_type: expected \"queue\" or \"exchange\", not `{other}`"
                ))
            }
        };
        if source.is_empty() {
            continue; // the default exchange's implicit bindings
        }
        let known = if to_exchange {
            scenario.exchanges.iter().any(|x| x.name == destination)
        } else {
            scenario.queues.iter().any(|q| q.name == destination)
        };
        if !known || !scenario.exchanges.iter().any(|x| x.name == source) {
            notes.push(format!("{path}: `{source}` → `{destination}` skipped (an end is not in the file, or built in)"));
            continue;
        }
        let key = string(b, "routing_key", &path)?;
        let arguments = args(b, &path, &mut notes)?;
        let fanout = scenario
            .exchanges
            .iter()
            .any(|x| x.name == source && x.kind == "fanout");
        scenario.bindings.push(BindingSpec {
            exchange: source,
            destination,
            to_exchange,
            key,
            show_key: !fanout,
            arguments,
        });
    }
    Ok((scenario, notes))
}

fn list<'a>(root: &'a Map<String, Value>, key: &str) -> Result<&'a [Value], String> {
    match root.get(key) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(format!("definitions.{key}: expected an array")),
    }
}

fn in_default_vhost<'a>(
    item: &'a Value,
    path: &str,
    notes: &mut Notes,
) -> Result<Option<&'a Map<String, Value>>, String> {
    let item = item
        .as_object()
        .ok_or(format!("{path}: expected an object"))?;
    match item.get("vhost").and_then(Value::as_str) {
        None | Some("/") => Ok(Some(item)),
        Some(other) => {
            notes.push(format!(
                "{path}: in vhost `{other}` (the playground has `/` only)"
            ));
            Ok(None)
        }
    }
}

fn string(item: &Map<String, Value>, key: &str, path: &str) -> Result<String, String> {
    item.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or(format!("{path}.{key}: missing (expected a string)"))
}

fn flag(item: &Map<String, Value>, key: &str, path: &str) -> Result<bool, String> {
    match item.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(format!("{path}.{key}: expected true or false")),
    }
}

fn args(
    item: &Map<String, Value>,
    path: &str,
    notes: &mut Notes,
) -> Result<Vec<(String, ArgValue)>, String> {
    let Some(table) = item.get("arguments").filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let table = table
        .as_object()
        .ok_or(format!("{path}.arguments: expected an object"))?;
    let mut out = Vec::new();
    for (k, v) in table {
        let value = match v {
            Value::String(s) => ArgValue::Str(s.clone()),
            Value::Bool(b) => ArgValue::Bool(*b),
            Value::Null => ArgValue::Void,
            Value::Number(n) if n.as_i64().is_some() => {
                ArgValue::Int(n.as_i64().unwrap_or_default())
            }
            other => {
                notes.push(format!("{path}.arguments.{k}: `{other}` skipped (not an integer, string, boolean or null)"));
                continue;
            }
        };
        out.push((k.clone(), value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{presets, Playground};

    #[test]
    fn every_preset_exports_and_imports_back_to_the_same_topology() {
        for name in presets::NAMES {
            let s = presets::by_name(name).unwrap();
            let (defs, notes) = export(&s);
            assert!(notes.iter().any(|n| n.starts_with("messages")), "{name}");
            let (back, _) = import(&defs.to_string()).unwrap();
            let kept: Vec<&QueueSpec> = s
                .queues
                .iter()
                .filter(|q| !q.server_named && !q.exclusive)
                .collect();
            assert_eq!(back.queues.len(), kept.len(), "{name}");
            // Argument tables are unordered (RabbitMQ sorts them too).
            let sorted = |args: &[(String, ArgValue)]| {
                let mut args = args.to_vec();
                args.sort_by(|a, b| a.0.cmp(&b.0));
                args
            };
            for (a, b) in kept.iter().zip(&back.queues) {
                assert_eq!(
                    (&a.name, a.durable, a.auto_delete, sorted(&a.arguments)),
                    (&b.name, b.durable, b.auto_delete, sorted(&b.arguments)),
                    "{name}"
                );
            }
            for (a, b) in s.exchanges.iter().zip(&back.exchanges) {
                assert_eq!(
                    (&a.name, &a.kind, a.durable, sorted(&a.arguments)),
                    (&b.name, &b.kind, b.durable, sorted(&b.arguments)),
                    "{name}"
                );
            }
            // And it runs: the broker takes every declare.
            Playground::new(back).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn what_has_no_counterpart_is_named() {
        let (_, notes) = export(&presets::publish_subscribe());
        assert!(
            notes.contains(
                &"queue `Q1`: server-named (its name exists only while it does)".to_string()
            ),
            "{notes:?}"
        );
        assert!(
            notes.iter().any(|n| n.starts_with("binding `logs` → `Q1`")),
            "{notes:?}"
        );
        assert!(
            notes.contains(&"producer `P`: clients are not definitions".to_string()),
            "{notes:?}"
        );
    }

    #[test]
    fn bad_files_name_the_path_and_other_vhosts_are_skipped() {
        for (text, want) in [
            ("[]", "definitions: expected an object"),
            ("{\"users\": []}", "no `queues`, `exchanges` or `bindings`"),
            ("{\"queues\": {}}", "definitions.queues: expected an array"),
            ("{\"queues\": [{\"vhost\": \"/\"}]}", "definitions.queues[0].name: missing"),
            ("{\"queues\": [{\"name\": \"q\", \"durable\": \"yes\"}]}", "definitions.queues[0].durable: expected true or false"),
            ("{\"bindings\": [{\"source\": \"x\", \"destination\": \"q\", \"destination_type\": \"topic\", \"routing_key\": \"\"}]}", "expected \"queue\" or \"exchange\", not `topic`"),
            ("{", "not valid JSON"),
        ] {
            let err = import(text).unwrap_err();
            assert!(err.contains(want), "{text}: {err}");
        }
        let (s, notes) = import(
            r#"{"users": [{"name": "guest"}], "queues": [{"name": "a", "vhost": "/", "arguments": {"x-max-length": 5, "f": 1.5}},
                {"name": "b", "vhost": "other"}],
               "exchanges": [{"name": "amq.direct", "vhost": "/", "type": "direct"}]}"#,
        )
        .unwrap();
        assert_eq!(s.queues.len(), 1);
        assert_eq!(
            s.queues[0].arguments,
            vec![("x-max-length".to_string(), ArgValue::Int(5))]
        );
        assert!(
            s.exchanges.is_empty(),
            "built-in exchanges are not imported"
        );
        assert!(
            notes.iter().any(|n| n.contains("in vhost `other`")),
            "{notes:?}"
        );
        assert!(notes.iter().any(|n| n.contains("arguments.f")), "{notes:?}");
        assert!(
            notes.iter().any(|n| n.starts_with("users: 1 skipped")),
            "{notes:?}"
        );
    }
}
