//! Dead-lettering (semantics §11): republishing a dead copy to its queue's dead-letter exchange
//! with `x-death` history, and the cycle check.
//!
//! A copy dies inside a queue operation (expiry, overflow, reject) while the broker holds that
//! queue; routing it may reach any queue, even the same one. So deaths are queued as
//! [`PendingDeath`]s and [`Broker::settle`] routes them once the operation is done, oldest
//! first, which keeps the order RabbitMQ keeps (100 rejects arrive in order, §11.2).

use std::sync::Arc;

use crate::broker::Broker;
use crate::event::Event;
use crate::message::{Death, DeathReason, Message, Origin, Properties};
use crate::queue::QueueArgs;
use crate::{ExchangeName, FieldTable, FieldValue, Millis, QueueName, VhostName};

/// A dead copy waiting to be routed to its dead-letter exchange.
#[derive(Clone, Debug)]
pub(crate) struct PendingDeath {
    pub vhost: VhostName,
    pub queue: QueueName,
    pub message: Arc<Message>,
    pub reason: DeathReason,
    pub exchange: ExchangeName,
    pub keys: Vec<String>,
    /// The keys come from `x-dead-letter-routing-key` (not the original keys).
    pub keyed: bool,
    pub time: Millis,
}

/// Routing keys of a dead-lettered copy: `x-dead-letter-routing-key`, else every original key
/// including CC and BCC (semantics §11.2).
pub(crate) fn dead_letter_keys(args: &QueueArgs, message: &Message) -> Vec<String> {
    match &args.dead_letter_routing_key {
        Some(key) => vec![key.clone()],
        None => message.origin.keys.clone(),
    }
}

fn longstr(s: &str) -> FieldValue {
    FieldValue::string(s)
}

/// Reads a client-supplied `x-death` (3.x profile only: 3.13+ starts afresh).
fn parse_x_death(headers: Option<&FieldTable>) -> Vec<Death> {
    let Some(FieldValue::Array(entries)) = headers.and_then(|h| h.get("x-death")) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|e| {
            let FieldValue::Table(t) = e else { return None };
            let text = |k: &str| t.get(k).and_then(|v| v.as_str()).map(str::to_string);
            let reason = match text("reason")?.as_str() {
                "rejected" => DeathReason::Rejected,
                "expired" => DeathReason::Expired,
                "maxlen" => DeathReason::Maxlen,
                _ => return None,
            };
            Some(Death {
                queue: text("queue")?,
                reason,
                count: t.get("count").and_then(|v| v.as_integer()).unwrap_or(1) as u64,
                time: match t.get("time") {
                    Some(FieldValue::Timestamp(s)) => *s,
                    _ => 0,
                },
                exchange: text("exchange").unwrap_or_default(),
                routing_keys: match t.get("routing-keys") {
                    Some(FieldValue::Array(keys)) => keys
                        .iter()
                        .filter_map(|k| k.as_str().map(str::to_string))
                        .collect(),
                    _ => Vec::new(),
                },
                original_expiration: text("original-expiration"),
            })
        })
        .collect()
}

/// One `x-death` entry as RabbitMQ writes it, keys sorted.
fn death_table(d: &Death) -> FieldValue {
    let mut t = FieldTable::new();
    t.insert("count", FieldValue::I64(d.count as i64));
    t.insert("exchange", longstr(&d.exchange));
    if let Some(exp) = &d.original_expiration {
        t.insert("original-expiration", longstr(exp));
    }
    t.insert("queue", longstr(&d.queue));
    t.insert("reason", longstr(d.reason.as_str()));
    t.insert(
        "routing-keys",
        FieldValue::Array(d.routing_keys.iter().map(|k| longstr(k)).collect()),
    );
    t.insert("time", FieldValue::Timestamp(d.time));
    FieldValue::Table(t)
}

/// Whether sending the copy to `target` would close a dead-letter cycle (semantics §11.4):
/// the target is in the history and no death since its latest one there was a rejection.
fn is_cycle(deaths: &[Death], target: &QueueName) -> bool {
    for d in deaths {
        if d.reason == DeathReason::Rejected {
            return false;
        }
        if d.queue == target.as_str() {
            return true;
        }
    }
    false
}

impl Broker {
    /// Routes every pending dead copy (and those its routing kills in turn).
    pub(crate) fn settle(&mut self) {
        while let Some(death) = self.pending_deaths.pop_front() {
            self.dead_letter(death);
        }
    }

    fn dead_letter(&mut self, d: PendingDeath) {
        let old = &d.message;
        let mut deaths = if old.origin.deaths.is_empty() && self.compat.continues_client_x_death() {
            parse_x_death(old.properties.headers.as_ref())
        } else {
            old.origin.deaths.clone()
        };
        let visible_keys: Vec<String> = old.origin.keys[..old.origin.visible].to_vec();
        let first_death = deaths.is_empty();
        match deaths
            .iter()
            .position(|x| x.queue == d.queue.as_str() && x.reason == d.reason)
        {
            Some(i) => {
                let mut entry = deaths.remove(i);
                entry.count += 1;
                deaths.insert(0, entry);
            }
            None => deaths.insert(
                0,
                Death {
                    queue: d.queue.as_str().to_string(),
                    reason: d.reason,
                    count: 1,
                    time: d.time.0 / 1000,
                    exchange: old.origin.exchange.as_str().to_string(),
                    routing_keys: visible_keys,
                    original_expiration: old.properties.expiration.clone(),
                },
            ),
        }
        let mut properties: Properties = (*old.properties).clone();
        properties.expiration = None;
        let mut headers = properties.headers.take().unwrap_or_default();
        if self.compat.strips_cc_on_dead_letter_with_key() && d.keyed {
            headers.remove("CC");
        }
        headers.insert(
            "x-death",
            FieldValue::Array(deaths.iter().map(death_table).collect()),
        );
        if first_death || headers.get("x-first-death-reason").is_none() {
            headers.insert(
                "x-first-death-exchange",
                longstr(old.origin.exchange.as_str()),
            );
            headers.insert("x-first-death-queue", longstr(d.queue.as_str()));
            headers.insert("x-first-death-reason", longstr(d.reason.as_str()));
        }
        if self.compat.writes_x_last_death() {
            headers.insert(
                "x-last-death-exchange",
                longstr(old.origin.exchange.as_str()),
            );
            headers.insert("x-last-death-queue", longstr(d.queue.as_str()));
            headers.insert("x-last-death-reason", longstr(d.reason.as_str()));
        }
        // RabbitMQ re-sorts the headers by key when it rewrites them (semantics §11.3).
        properties.headers = Some(headers.sorted());
        // Without a dead-letter key the original keys route, BCC ones still hidden.
        let visible = if d.keyed {
            d.keys.len()
        } else {
            old.origin.visible
        };
        let message = Arc::new(Message {
            id: old.id,
            origin: Arc::new(Origin {
                exchange: d.exchange.clone(),
                keys: d.keys.clone(),
                visible,
                deaths,
            }),
            properties: Arc::new(properties),
            body: old.body.clone(),
        });
        if !self.vhosts.contains_key(&d.vhost) {
            return;
        }
        // A missing dead-letter exchange drops the copy (semantics §11.1).
        if !d.exchange.as_str().is_empty()
            && !self.vhosts[&d.vhost].exchanges.contains_key(&d.exchange)
        {
            if self.record_message_events {
                self.emit(Event::Unroutable {
                    message: message.id,
                    exchange: d.exchange.clone(),
                    routing_key: message.origin.routing_key().to_string(),
                    exchanges: Vec::new(),
                    edges: Vec::new(),
                });
            }
            return;
        }
        let deaths_for_cycle = message.origin.deaths.clone();
        let skip_cycles = d.reason != DeathReason::Rejected;
        self.route_dead_lettered(&d.vhost, &message, |queue| {
            skip_cycles && is_cycle(&deaths_for_cycle, queue)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn death(queue: &str, reason: DeathReason) -> Death {
        Death {
            queue: queue.into(),
            reason,
            count: 1,
            time: 0,
            exchange: String::new(),
            routing_keys: Vec::new(),
            original_expiration: None,
        }
    }

    #[test]
    fn cycles_are_broken_unless_a_rejection_is_in_them() {
        use DeathReason::*;
        let q = QueueName::from("q");
        let rows: Vec<(Vec<Death>, bool)> = vec![
            (vec![death("q", Expired)], true),
            (vec![death("q", Rejected)], false),
            (vec![death("dlq", Expired), death("q", Expired)], true),
            (vec![death("dlq", Rejected), death("q", Expired)], false),
            (vec![death("dlq", Expired)], false),
        ];
        for (deaths, want) in rows {
            assert_eq!(is_cycle(&deaths, &q), want, "{deaths:?}");
        }
    }
}
