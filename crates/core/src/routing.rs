//! Publishing: checks, routing keys (CC/BCC), the exchange work-list (exchange-to-exchange
//! bindings, alternate exchanges, cycle detection), mandatory returns and publisher confirms.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::broker::Broker;
use crate::command::BasicPublish;
use crate::delivery::Accepted;
use crate::error::{BrokerError, Resource};
use crate::event::{EdgeKind, Event, RouteEdge};
use crate::message::{Message, Origin, Properties};
use crate::queue::MAX_EXPIRY_MS;
use crate::vhost::Vhost;
use crate::{ChannelRef, Compat, Destination, ExchangeName, FieldTable, FieldValue, MessageId};
use crate::{QueueName, VhostName};

/// Where routing took a message.
#[derive(Debug, Default)]
pub(crate) struct Route {
    /// Queues, one entry per queue, in the order first reached.
    pub queues: Vec<QueueName>,
    /// Exchanges visited, in work-list order.
    pub exchanges: Vec<ExchangeName>,
    /// Edges travelled (only filled when events are recorded).
    pub edges: Vec<RouteEdge>,
}

/// RabbitMQ's routing work-list (`rabbit_exchange.erl:405-477`, semantics §4.2 and §2.6):
/// start at `exchange`; each exchange's bindings yield destinations; exchanges not yet visited
/// join the list (so cycles end), an exchange whose own bindings match nothing sends the
/// message on to its alternate exchange, and queues are collected once each however many
/// bindings or paths lead to them. **This is the one place queue destinations are
/// de-duplicated.** The default exchange routes each key to the queue of that name.
pub(crate) fn route(
    vhost: &Vhost,
    exchange: &ExchangeName,
    keys: &[&str],
    headers: Option<&FieldTable>,
    compat: Compat,
    with_edges: bool,
) -> Route {
    let mut route = Route::default();
    let mut seen_queues: BTreeSet<&QueueName> = BTreeSet::new();
    let mut add_queue = |route: &mut Route, q: &QueueName| {
        if let Some((name, _)) = vhost.queues.get_key_value(q) {
            if seen_queues.insert(name) {
                route.queues.push(name.clone());
            }
        }
    };
    route.exchanges.push(exchange.clone());
    if exchange.as_str().is_empty() {
        // The default exchange is not a real exchange: no bindings, no alternate exchange.
        for key in keys {
            if let Some((q, _)) = vhost.queues.get_key_value(*key) {
                if with_edges && !route.queues.contains(q) {
                    route.edges.push(RouteEdge {
                        source: exchange.clone(),
                        destination: Destination::Queue(q.clone()),
                        via: EdgeKind::Default,
                    });
                }
                add_queue(&mut route, q);
            }
        }
        return route;
    }
    let mut out: Vec<Destination> = Vec::new();
    let mut i = 0;
    while i < route.exchanges.len() {
        let source = route.exchanges[i].clone();
        i += 1;
        // A destination exchange deleted meanwhile is skipped.
        let Some(x) = vhost.exchanges.get(&source) else {
            continue;
        };
        out.clear();
        x.table.route(keys, headers, compat, &mut out);
        if out.is_empty() {
            if let Some(ae) = x.alternate() {
                if vhost.exchanges.contains_key(&ae) && !route.exchanges.contains(&ae) {
                    if with_edges {
                        route.edges.push(RouteEdge {
                            source: source.clone(),
                            destination: Destination::Exchange(ae.clone()),
                            via: EdgeKind::AlternateExchange,
                        });
                    }
                    route.exchanges.push(ae);
                }
            }
            continue;
        }
        // Each source is visited once, so an edge repeats only when two bindings of this
        // source lead to the same destination.
        let mut edge_seen: BTreeSet<&Destination> = BTreeSet::new();
        for destination in &out {
            if with_edges && edge_seen.insert(destination) {
                route.edges.push(RouteEdge {
                    source: source.clone(),
                    destination: destination.clone(),
                    via: EdgeKind::Binding,
                });
            }
            match destination {
                Destination::Queue(q) => add_queue(&mut route, q),
                Destination::Exchange(e) => {
                    if !route.exchanges.contains(e) {
                        route.exchanges.push(e.clone());
                    }
                }
            }
        }
    }
    route
}

/// Routing keys of a message: its routing key, then the `CC` and `BCC` header arrays' string
/// elements (semantics §4.1); other element types are ignored, a non-array header is an error.
pub(crate) fn routing_keys(
    routing_key: &str,
    headers: Option<&FieldTable>,
) -> Result<(Vec<String>, usize), BrokerError> {
    let mut keys = vec![routing_key.to_string()];
    let mut visible = 1;
    for name in ["CC", "BCC"] {
        match headers.and_then(|h| h.get(name)) {
            None => {}
            Some(FieldValue::Array(items)) => {
                keys.extend(items.iter().filter_map(|v| match v {
                    FieldValue::LongString(b) => Some(String::from_utf8_lossy(b).into_owned()),
                    _ => None,
                }));
            }
            Some(other) => {
                return Err(BrokerError::PreconditionFailed(format!(
                    "invalid message: {{unacceptable_type_in_header,\"{name}\",{}}}",
                    other.type_name()
                )))
            }
        }
        if name == "CC" {
            visible = keys.len();
        }
    }
    Ok((keys, visible))
}

/// Validates the `expiration` property as `rabbit_basic:parse_expiration/1` does
/// (semantics §6.2).
pub(crate) fn check_expiration(expiration: &str) -> Result<(), BrokerError> {
    let fail = |reason: String| {
        Err(BrokerError::PreconditionFailed(format!(
            "invalid expiration '{expiration}': {reason}"
        )))
    };
    let bytes = expiration.as_bytes();
    let sign_len = usize::from(matches!(bytes.first(), Some(b'-' | b'+')));
    let digits = bytes[sign_len..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 {
        return fail("no_integer".into());
    }
    let end = sign_len + digits;
    if end < bytes.len() {
        return fail(format!("{{leftover_string,\"{}\"}}", &expiration[end..]));
    }
    let value: i128 = expiration.parse().unwrap_or(i128::MAX);
    if value < 0 {
        return fail(format!("{{value_negative,{value}}}"));
    }
    if value > i128::from(MAX_EXPIRY_MS) {
        return fail(format!("{{value_too_large,{value}}}"));
    }
    Ok(())
}

/// Result of publishing (for confirms): whether a target queue refused its copy.
pub(crate) struct Published {
    pub refused: bool,
}

impl Broker {
    /// Checks everything a publish can fail on, before anything changes.
    pub(crate) fn check_publish(&self, c: &BasicPublish) -> Result<VhostName, BrokerError> {
        let vhost_name = self.vhost_of(c.channel)?;
        if c.immediate {
            return Err(BrokerError::NotImplemented("immediate=true".into()));
        }
        let vhost = &self.vhosts[&vhost_name];
        if !c.exchange.as_str().is_empty() {
            let Some(x) = vhost.exchanges.get(&c.exchange) else {
                return Err(BrokerError::NotFound(format!(
                    "no {}",
                    Resource("exchange", c.exchange.as_str(), vhost_name.as_str())
                )));
            };
            if x.internal {
                return Err(BrokerError::AccessRefused(format!(
                    "cannot publish to internal {}",
                    Resource("exchange", c.exchange.as_str(), vhost_name.as_str())
                )));
            }
        }
        self.check_permission(
            c.channel,
            crate::permissions::Access::Write,
            "exchange",
            c.exchange.as_str(),
        )?;
        if c.body.len() as u64 > self.config.max_message_size {
            return Err(BrokerError::PreconditionFailed(format!(
                "message size {} is larger than configured max size {}",
                c.body.len(),
                self.config.max_message_size
            )));
        }
        if let Some(user_id) = &c.properties.user_id {
            let user = &self.connections[&c.channel.connection].user;
            if user_id != user.as_str() {
                return Err(BrokerError::PreconditionFailed(format!(
                    "user_id property set to '{user_id}' but authenticated user was '{user}'"
                )));
            }
        }
        if c.properties.headers.is_some() {
            routing_keys(&c.routing_key, c.properties.headers.as_ref())?;
        }
        if let Some(expiration) = &c.properties.expiration {
            check_expiration(expiration)?;
        }
        self.check_reply_to(c)?;
        Ok(vhost_name)
    }

    /// Builds the shared message for a publish (BCC removed, origin shared when it repeats).
    pub(crate) fn make_message(&mut self, c: BasicPublish, id: MessageId) -> Arc<Message> {
        let BasicPublish {
            exchange,
            routing_key,
            properties,
            body,
            ..
        } = c;
        // The common case (no CC/BCC, same exchange and key as the previous publish) shares
        // the previous origin without building a key list.
        let plain = properties
            .headers
            .as_ref()
            .is_none_or(|h| h.get("CC").is_none() && h.get("BCC").is_none());
        if plain {
            if let Some(o) = &self.last_origin {
                if o.exchange == exchange && o.keys.len() == 1 && o.keys[0] == routing_key {
                    let origin = o.clone();
                    return self.finish_message(id, origin, properties, body);
                }
            }
        }
        let (keys, visible) = routing_keys(&routing_key, properties.headers.as_ref())
            .unwrap_or_else(|_| (vec![routing_key.clone()], 1));
        let origin = Arc::new(Origin {
            exchange,
            keys,
            visible,
            deaths: Vec::new(),
        });
        self.last_origin = Some(origin.clone());
        self.finish_message(id, origin, properties, body)
    }

    fn finish_message(
        &mut self,
        id: MessageId,
        origin: Arc<Origin>,
        mut properties: Properties,
        body: crate::Body,
    ) -> Arc<Message> {
        if let Some(headers) = &mut properties.headers {
            // BCC routes but is never seen by receivers (semantics §4.1).
            headers.remove("BCC");
        }
        let properties = if properties == Properties::default() {
            self.default_properties.clone()
        } else {
            Arc::new(properties)
        };
        Arc::new(Message {
            id,
            origin,
            properties,
            body,
        })
    }

    /// Routes `message` from its origin exchange and enqueues it: events `Routed`/`Unroutable`
    /// and per queue `Enqueued` …, plus `Returned` for an unroutable mandatory publish.
    pub(crate) fn route_and_enqueue(
        &mut self,
        vhost: &VhostName,
        message: &Arc<Message>,
        mandatory_from: Option<ChannelRef>,
    ) -> Published {
        self.route_filtered(vhost, message, mandatory_from, true, |_| false)
    }

    /// Routes a dead-lettered copy: no returns, no direct reply-to, and `skip` leaves out
    /// targets that would close a dead-letter cycle.
    pub(crate) fn route_dead_lettered(
        &mut self,
        vhost: &VhostName,
        message: &Arc<Message>,
        skip: impl Fn(&QueueName) -> bool,
    ) {
        self.route_filtered(vhost, message, None, false, skip);
    }

    fn route_filtered(
        &mut self,
        vhost: &VhostName,
        message: &Arc<Message>,
        mandatory_from: Option<ChannelRef>,
        reply_to: bool,
        skip: impl Fn(&QueueName) -> bool,
    ) -> Published {
        let keys: Vec<&str> = message.origin.keys.iter().map(String::as_str).collect();
        let headers = message.properties.headers.as_ref();
        let record = self.record_message_events;
        let route = route(
            &self.vhosts[vhost],
            &message.origin.exchange,
            &keys,
            headers,
            self.compat,
            record,
        );
        let mut route = route;
        route.queues.retain(|q| !skip(q));
        // Direct reply-to: the default exchange routes `amq.rabbitmq.reply-to.…` keys to the
        // requesting channel's reply consumer (semantics §13).
        let reply = if reply_to {
            self.reply_to_target(vhost, message)
        } else {
            None
        };
        let routed = !route.queues.is_empty()
            || (reply.is_some() && self.compat.reply_to_counts_as_routed());
        if record {
            if routed {
                self.emit(Event::Routed {
                    message: message.id,
                    exchange: message.origin.exchange.clone(),
                    queues: route.queues.clone(),
                    exchanges: std::mem::take(&mut route.exchanges),
                    edges: std::mem::take(&mut route.edges),
                });
            } else {
                self.emit(Event::Unroutable {
                    message: message.id,
                    exchange: message.origin.exchange.clone(),
                    routing_key: message.origin.routing_key().to_string(),
                    exchanges: std::mem::take(&mut route.exchanges),
                    edges: std::mem::take(&mut route.edges),
                });
            }
        }
        if !routed {
            if let Some(channel) = mandatory_from {
                self.emit(Event::Returned {
                    channel,
                    reply_code: 312,
                    reply_text: "NO_ROUTE".into(),
                    exchange: message.origin.exchange.clone(),
                    routing_key: message.origin.routing_key().to_string(),
                    message: message.id,
                    properties: message.properties.clone(),
                    body: message.body.clone(),
                });
            }
        }
        let mut refused = false;
        for queue in &route.queues {
            let accepted = self.with_queue(vhost, queue, |q, s| s.enqueue(q, message));
            refused |= accepted == Some(Accepted::Refused);
        }
        if let Some(target) = reply {
            self.deliver_reply(target, message);
        }
        Published { refused }
    }
}
