//! The fanout exchange: every binding matches; binding keys, routing keys and arguments are
//! all ignored (semantics §4.4, `rabbit_exchange_type_fanout`). It needs no index: routing
//! walks the table's bindings in declaration order.

use crate::compat::Compat;
use crate::field::FieldTable;

/// Any key and any arguments make a valid fanout binding.
pub(crate) fn validate(
    _routing_key: &str,
    _arguments: &FieldTable,
    _compat: Compat,
) -> Result<(), String> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::exchange::tests::q;
    use crate::exchange::{ExchangeKind, MatchDetail, RoutingTable};
    use crate::field::FieldValue;
    use crate::{Compat, FieldTable};

    /// §4.4: every binding matches whatever its key or arguments and whatever the message.
    #[test]
    fn truth_table_everything_matches() {
        let mut match_x = FieldTable::new();
        match_x.insert("x-match", FieldValue::string("any"));
        match_x.insert("k", FieldValue::I32(1));
        let bindings: &[(&str, &FieldTable)] = &[
            ("", &FieldTable::new()),
            ("a.b", &FieldTable::new()),
            ("#", &match_x),
            ("zzz", &match_x),
        ];
        let messages: &[&[&str]] = &[&[], &[""], &["a.b"], &["other", "cc"]];
        for keys in messages {
            let mut t = RoutingTable::new(ExchangeKind::Fanout);
            for (i, (key, args)) in bindings.iter().enumerate() {
                assert!(t.add(q(&format!("q{i}")), key, args));
            }
            let mut out = Vec::new();
            t.route(keys, None, Compat::RabbitMq4, &mut out);
            assert_eq!(out, [q("q0"), q("q1"), q("q2"), q("q3")], "keys {keys:?}");
            for e in t.explain(keys, None, Compat::RabbitMq4) {
                assert!(e.matched);
                assert_eq!(e.detail, MatchDetail::Fanout);
            }
        }
    }

    #[test]
    fn the_same_queue_bound_twice_receives_twice_before_deduplication() {
        let mut t = RoutingTable::new(ExchangeKind::Fanout);
        assert!(t.add(q("q"), "a", &FieldTable::new()));
        assert!(t.add(q("q"), "b", &FieldTable::new()));
        assert!(!t.add(q("q"), "a", &FieldTable::new()));
        let mut out = Vec::new();
        t.route(&["ignored"], None, Compat::RabbitMq4, &mut out);
        assert_eq!(out, [q("q"), q("q")]);
    }

    #[test]
    fn sentence_says_keys_are_ignored() {
        let mut t = RoutingTable::new(ExchangeKind::Fanout);
        t.add(q("logs"), "whatever", &FieldTable::new());
        assert_eq!(
            t.explain(&["info"], None, Compat::RabbitMq4)[0].sentence(),
            "A fanout exchange copies every message to every binding; keys and arguments are \
             ignored. The message goes to queue 'logs'."
        );
    }
}
