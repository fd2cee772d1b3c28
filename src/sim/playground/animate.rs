//! The event→animation translation: every token on screen starts here, from a broker event
//! or from a client's message on its way. Clients of every kind draw through the same three
//! calls (`animate_hop`, `animate_delivery`, `animate_return`) from the node they are drawn
//! as, so a new kind of client looks like the others without code of its own.

use amqp_playground_core::SortedMap;

use amqp_playground_core::{
    Destination, DropReason, Event, ExchangeName, MessageId, QueueName, RouteEdge, VhostName,
};

use super::{Playground, FATE_MS, HOP_MS, THROUGH_MS};
use crate::anim::{Leg, Tween};
use crate::scene::{NodeId, NodeKind};
use crate::sim::scenario::field_table;

impl Playground {
    /// The tokens a broker event starts that belong to no client: routing hops, dead-letter
    /// hops and fates at exchanges and queues.
    pub(super) fn animate_event(&mut self, event: &Event) {
        match event {
            Event::DeadLettered {
                message,
                queue,
                dead_letter_exchange,
                ..
            } => {
                self.fate_at_queue(queue, "dead-lettered");
                let q = self.queue_node_by_broker_name(queue.as_str());
                let x = self
                    .graph
                    .find(NodeKind::Exchange, dead_letter_exchange.as_str());
                if let (Some(q), Some(x)) = (q, x) {
                    if let Some(e) = self.graph.edge_between(q, x) {
                        self.animate(vec![Leg::Edge(e)], 0, HOP_MS);
                        self.dead_letter_hop = Some(*message);
                    }
                }
            }
            Event::Routed {
                message,
                exchange,
                edges,
                ..
            } => self.animate_route(*message, exchange, edges),
            Event::Unroutable {
                message, exchange, ..
            } => {
                // It ends where routing gave up: at the exchange, or at P when the default
                // exchange (not drawn) found no queue of that name.
                let at = self
                    .graph
                    .find(NodeKind::Exchange, exchange.as_str())
                    .or_else(|| {
                        let publisher = self.messages.get(message)?.publisher.as_deref()?;
                        self.graph.find(NodeKind::Producer, publisher)
                    });
                // A message still on its way to the exchange on screen (a real client's publish,
                // a dead letter) gives up there one hop later; and the late hop is used up.
                let late = if self.dead_letter_hop == Some(*message) {
                    self.dead_letter_hop = None;
                    HOP_MS
                } else {
                    0
                };
                if let Some(node) = at {
                    self.animate_fate(vec![Leg::Stay(node)], late, FATE_MS, Some("unroutable"));
                }
            }
            Event::Dropped {
                reason: DropReason::Restart,
                ..
            } => {}
            Event::Dropped { queue, .. } => self.fate_at_queue(queue, "dropped"),
            Event::Expired { queue, .. } => self.fate_at_queue(queue, "expired"),
            _ => {}
        }
    }

    /// A client's message leaving it: one hop along the drawn edge (a publish towards its
    /// exchange or queue, an RPC answer towards the callback queue).
    pub(in crate::sim) fn animate_hop(&mut self, from: Option<NodeId>, to: Option<NodeId>) {
        if let (Some(from), Some(to)) = (from, to) {
            if let Some(edge) = self.graph.edge_between(from, to) {
                self.animate(vec![Leg::Edge(edge)], 0, HOP_MS);
            }
        }
    }

    /// A delivery from `queue` to the client drawn as `to`; returns how long until it reaches
    /// the client. A copy routed through exchanges is still travelling to its queue on
    /// screen: its delivery leaves the queue once it has arrived there.
    pub(in crate::sim) fn animate_delivery(
        &mut self,
        queue: &QueueName,
        message: MessageId,
        to: Option<NodeId>,
    ) -> u64 {
        let delay = self
            .arrives_in_queue
            .remove(&(message, queue.clone()))
            .unwrap_or(0);
        let q = self.queue_node_by_broker_name(queue.as_str());
        if let (Some(q), Some(to)) = (q, to) {
            if let Some(edge) = self.graph.edge_between(q, to) {
                self.animate(
                    vec![Leg::Across(q), Leg::Edge(edge)],
                    delay,
                    THROUGH_MS + HOP_MS,
                );
            }
        }
        delay + THROUGH_MS + HOP_MS
    }

    /// A mandatory message back at the client drawn as `to`: along its edge from the
    /// exchange, or shown at the client when it published to the default exchange (not drawn).
    pub(in crate::sim) fn animate_return(&mut self, to: Option<NodeId>, exchange: &ExchangeName) {
        let x = self.graph.find(NodeKind::Exchange, exchange.as_str());
        let legs = match (to, x) {
            (Some(p), Some(x)) => self.graph.edge_between(p, x).map(|e| vec![Leg::Back(e)]),
            (Some(p), None) => Some(vec![Leg::Stay(p)]),
            _ => None,
        };
        if let Some(legs) = legs {
            self.animate_fate(legs, 0, HOP_MS, Some("returned"));
        }
    }

    fn animate(&mut self, legs: Vec<Leg>, delay: u64, duration: u64) {
        self.animate_fate(legs, delay, duration, None);
    }

    fn animate_fate(
        &mut self,
        legs: Vec<Leg>,
        delay: u64,
        duration: u64,
        fate: Option<&'static str>,
    ) {
        let token = self.timeline.next_token();
        self.timeline.push(Tween {
            token,
            legs,
            start: (self.now.0 + delay) as f64,
            duration: duration as f64,
            fate,
            message: self.current_message.map(|m| m.0),
            delivery_count: self.current_delivery_count,
        });
    }

    /// Animates a routing decision the broker made at once as hops along the drawn edges,
    /// one `HOP_MS` per exchange passed, choosing among parallel bindings the one that matched
    /// (the core's own `explain`), and logs why each binding matched or not.
    fn animate_route(&mut self, message: MessageId, root: &ExchangeName, edges: &[RouteEdge]) {
        let vhost = VhostName::from("/");
        let key = self
            .messages
            .get(&message)
            .map(|m| m.routing_key.to_string())
            .unwrap_or_default();
        // Drawn hops from the exchange the message was published to; the default exchange is
        // not drawn (P points straight at the queue), so its edges take no screen time.
        let mut hops: SortedMap<ExchangeName, u64> = SortedMap::new();
        // A dead-lettered copy first travels from its queue to the dead-letter exchange.
        hops.insert(
            root.clone(),
            u64::from(self.dead_letter_hop.take().is_some()),
        );
        let mut explained: Vec<ExchangeName> = Vec::new();
        for edge in edges {
            let at = hops.get(&edge.source).copied().unwrap_or(0);
            let drawn = !edge.source.as_str().is_empty();
            let after = at + u64::from(drawn);
            let to = match &edge.destination {
                Destination::Queue(q) => {
                    self.arrives_in_queue
                        .insert((message, q.clone()), after * HOP_MS);
                    self.queue_node_by_broker_name(q.as_str())
                }
                Destination::Exchange(x) => {
                    hops.insert(x.clone(), after);
                    self.graph.find(NodeKind::Exchange, x.as_str())
                }
            };
            if !drawn {
                continue;
            }
            let table = self.broker.routing_table(&vhost, &edge.source);
            let headers = self
                .messages
                .get(&message)
                .and_then(|m| m.headers.as_deref());
            let explanations = table
                .map(|t| t.explain(&[key.as_str()], headers, self.broker.compat()))
                .unwrap_or_default();
            if !explained.contains(&edge.source) {
                explained.push(edge.source.clone());
                for e in &explanations {
                    self.note(format!(
                        "  why (message #{} at `{}`): {}",
                        message.0,
                        edge.source,
                        e.sentence()
                    ));
                }
            }
            // The drawn label of the binding that matched (its key, or a headers binding's
            // arguments), to pick it among parallel edges.
            let matched_key = explanations
                .iter()
                .find(|e| e.matched && e.destination == edge.destination)
                .and_then(|e| {
                    self.scenario.bindings.iter().find_map(|b| {
                        (b.exchange == edge.source.as_str()
                            && b.key == e.routing_key
                            && field_table(&b.arguments) == e.arguments)
                            .then(|| b.label())
                            .flatten()
                    })
                });
            let from = self.graph.find(NodeKind::Exchange, edge.source.as_str());
            if let (Some(from), Some(to)) = (from, to) {
                let parallel = self
                    .graph
                    .edges
                    .iter()
                    .position(|e| {
                        e.from == from && e.to == to && e.label.is_some() && e.label == matched_key
                    })
                    .or_else(|| self.graph.edge_between(from, to));
                if let Some(e) = parallel {
                    self.animate(vec![Leg::Edge(e)], at * HOP_MS, HOP_MS);
                }
            }
        }
    }

    fn fate_at_queue(&mut self, queue: &QueueName, fate: &'static str) {
        if let Some(node) = self.queue_node_by_broker_name(queue.as_str()) {
            self.animate_fate(vec![Leg::Stay(node)], 0, FATE_MS, Some(fate));
        }
    }
}
