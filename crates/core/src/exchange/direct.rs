//! The direct exchange: a binding matches when its key equals a routing key, byte for byte
//! (semantics §4.3, `rabbit_exchange_type_direct`). No wildcards: `*` and `#` are plain bytes
//! here. Many bindings may share a key; all of them match (tutorial 4).

use super::{BindingId, WordMap};
use crate::compat::Compat;
use crate::field::FieldTable;

/// Any key and any arguments make a valid direct binding.
pub(crate) fn validate(
    _routing_key: &str,
    _arguments: &FieldTable,
    _compat: Compat,
) -> Result<(), String> {
    Ok(())
}

/// Binding ids by binding key, each list in declaration order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Index {
    by_key: WordMap<Vec<BindingId>>,
}

impl Index {
    pub(crate) fn insert(&mut self, id: BindingId, key: &str) {
        // Ids grow with declaration order, so pushing keeps each list sorted.
        self.by_key.entry(key.into()).or_default().push(id);
    }

    pub(crate) fn remove(&mut self, id: BindingId, key: &str) {
        if let Some(ids) = self.by_key.get_mut(key) {
            ids.retain(|&x| x != id);
            if ids.is_empty() {
                self.by_key.remove(key);
            }
        }
    }

    /// The bindings whose key is exactly `key`, in declaration order.
    pub(crate) fn lookup(&self, key: &str) -> &[BindingId] {
        self.by_key.get(key).map_or(&[], Vec::as_slice)
    }
}

/// Whether a direct binding's key equals each routing key of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DirectExplanation {
    /// Each routing key of the message (routing key, then CC, then BCC) and whether it equals
    /// the binding key.
    pub keys: Vec<(String, bool)>,
}

impl DirectExplanation {
    /// True when some routing key equals the binding key.
    pub fn matched(&self) -> bool {
        self.keys.iter().any(|(_, equal)| *equal)
    }

    pub(crate) fn sentence(&self, binding_key: &str) -> String {
        if let Some((key, _)) = self.keys.iter().find(|(_, equal)| *equal) {
            return format!("Binding key '{binding_key}' equals routing key '{key}'.");
        }
        match self.keys.as_slice() {
            [] => "The message has no routing key to compare.".to_string(),
            [(key, _)] => format!(
                "Binding key '{binding_key}' differs from routing key '{key}'{}.",
                near_miss(binding_key, key)
            ),
            keys => {
                let list: Vec<String> = keys.iter().map(|(k, _)| format!("'{k}'")).collect();
                format!(
                    "Binding key '{binding_key}' equals none of the routing keys {} \
                     (a direct exchange needs exact, case-sensitive equality).",
                    list.join(", ")
                )
            }
        }
    }
}

/// A hint for the two mistakes learners make: expecting wildcards or case-insensitivity.
fn near_miss(binding_key: &str, key: &str) -> &'static str {
    if binding_key.eq_ignore_ascii_case(key) {
        " (only in upper/lower case: direct exchanges compare bytes exactly)"
    } else if binding_key.contains(['*', '#']) {
        " ('*' and '#' are wildcards only in topic exchanges; here they are plain characters)"
    } else {
        " (a direct exchange needs exact equality)"
    }
}

pub(crate) fn explain(binding_key: &str, routing_keys: &[&str]) -> DirectExplanation {
    DirectExplanation {
        keys: routing_keys
            .iter()
            .map(|k| (k.to_string(), *k == binding_key))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use crate::exchange::tests::q;
    use crate::exchange::{ExchangeKind, RoutingTable};
    use crate::{Compat, FieldTable};

    /// §4.3: exact, case-sensitive byte equality; no wildcard interpretation.
    #[test]
    fn truth_table_exact_byte_equality() {
        let rows: &[(&str, &str, bool)] = &[
            ("info", "info", true),
            ("info", "Info", false),
            ("info", "info ", false),
            ("info", "inf", false),
            ("", "", true),
            ("", "a", false),
            ("a.b", "a.b", true),
            ("a.*", "a.b", false),
            ("a.*", "a.*", true),
            ("#", "anything", false),
            ("#", "#", true),
            ("café", "café", true),
            ("café", "cafe\u{301}", false),
        ];
        for &(binding, key, want) in rows {
            let mut t = RoutingTable::new(ExchangeKind::Direct);
            t.add(q("q"), binding, &FieldTable::new());
            let mut out = Vec::new();
            t.route(&[key], None, Compat::RabbitMq4, &mut out);
            assert_eq!(!out.is_empty(), want, "binding {binding:?} vs key {key:?}");
            let explained = &t.explain(&[key], None, Compat::RabbitMq4)[0];
            assert_eq!(explained.matched, want, "explain {binding:?} vs {key:?}");
        }
    }

    /// Tutorial 4: several queues on one key all receive; other keys do not disturb them.
    #[test]
    fn many_queues_per_key() {
        let mut t = RoutingTable::new(ExchangeKind::Direct);
        t.add(q("q1"), "error", &FieldTable::new());
        t.add(q("q2"), "info", &FieldTable::new());
        t.add(q("q2"), "error", &FieldTable::new());
        t.add(q("q2"), "warning", &FieldTable::new());
        let mut out = Vec::new();
        t.route(&["error"], None, Compat::RabbitMq4, &mut out);
        assert_eq!(out, [q("q1"), q("q2")]);
        out.clear();
        t.route(&["info"], None, Compat::RabbitMq4, &mut out);
        assert_eq!(out, [q("q2")]);
        out.clear();
        t.route(&["debug"], None, Compat::RabbitMq4, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn direct_bindings_never_fail_validation() {
        for key in ["", "#.#.#.#", "a.*"] {
            assert_eq!(
                RoutingTable::validate(
                    ExchangeKind::Direct,
                    key,
                    &FieldTable::new(),
                    Compat::RabbitMq4
                ),
                Ok(())
            );
        }
    }

    #[test]
    fn sentences_name_the_keys() {
        let mut t = RoutingTable::new(ExchangeKind::Direct);
        t.add(q("q"), "Error", &FieldTable::new());
        let e = &t.explain(&["error"], None, Compat::RabbitMq4)[0];
        assert_eq!(
            e.sentence(),
            "Binding key 'Error' differs from routing key 'error' (only in upper/lower case: \
             direct exchanges compare bytes exactly). So queue 'q' gets nothing through this binding."
        );
        let e = &t.explain(&["x", "Error"], None, Compat::RabbitMq4)[0];
        assert_eq!(
            e.sentence(),
            "Binding key 'Error' equals routing key 'Error'. The message goes to queue 'q'."
        );
    }
}
