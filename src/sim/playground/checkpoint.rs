//! A copy of the playground as it is, for the timeline's checkpoints (`sim::replay`).

use amqp_playground_core::MessageId;

use super::Playground;
use crate::sim::shared_map::ForgetWhile;

impl Playground {
    /// A copy of the playground now, to start a later replay from instead of from virtual
    /// time 0; `None` while real clients are connected (their sessions live outside the
    /// engine, and the page never replays then). The copy is what a replay to this moment
    /// would give: the broker, the clients, what is on its way and what the engine remembers
    /// of each message; real clients' past steps for Verify are not in it, as they are not in
    /// a replay, and of what the engine remembers of each message only what a later moment
    /// can still read (`facts_still_needed`). Every field is named, so a new one must decide
    /// how it is copied.
    pub fn checkpoint(&self) -> Option<Playground> {
        if !self.remotes.is_empty() {
            return None;
        }
        Some(Playground {
            broker: self.broker.clone(),
            now: self.now,
            scenario: self.scenario.clone(),
            graph: self.graph.clone(),
            layout: self.layout.clone(),
            timeline: self.timeline.clone(),
            transit: self.transit.clone(),
            seq: self.seq,
            queue_names: self.queue_names.clone(),
            producers: self.producers.clone(),
            consumers: self.consumers.clone(),
            unroutable: self.unroutable,
            returned: self.returned,
            dropped: self.dropped,
            restarts: self.restarts,
            lost_in_restart: self.lost_in_restart,
            restarting: self.restarting,
            deleting: self.deleting,
            vanished: self.vanished.clone(),
            log: self.log.clone(),
            next_connection_channel: self.next_connection_channel,
            messages: self.facts_still_needed(),
            publishing_headers: self.publishing_headers.clone(),
            arrives_in_queue: self.arrives_in_queue.clone(),
            admin: self.admin,
            style: self.style,
            moved: self.moved.clone(),
            current_message: self.current_message,
            current_delivery_count: self.current_delivery_count,
            dead_letter_hop: self.dead_letter_hop,
            script: self.script.clone(),
            remotes: Vec::new(),
            remote_steps: Vec::new(),
            adopting: self.adopting,
            layout_deferred: self.layout_deferred,
            notice: self.notice.clone(),
        })
    }

    /// The per-message facts a later moment can read: those of the messages the broker still
    /// holds (a dead-lettering routes them again), and the newest (a new message shares its
    /// strings). The facts of a message are read only when it is routed, which only a held
    /// message can be again; so a copy without the others runs on exactly like the
    /// original, and a long run's copies hold a few chunks each instead of every message of
    /// the hour. The chunks kept are shared with the original, not copied.
    fn facts_still_needed(&self) -> super::FactsMap<MessageId, super::MessageFacts> {
        let newest = self.messages.iter().next_back().map(|(id, _)| *id);
        let held = self.broker.oldest_message_held();
        let keep_from = match (held, newest) {
            (Some(h), Some(n)) => h.min(n),
            (None, Some(n)) => n,
            (_, None) => return self.messages.clone(),
        };
        let mut facts = self.messages.clone();
        ForgetWhile::forget_while(&mut facts, |id| *id < keep_from);
        facts
    }
}
