//! The page's limits, in one place: how much a learner, a script, a file or a link can ask of
//! one tab. Past a limit the request is refused (or publishing pauses) with a message that
//! names the limit; nothing is dropped silently, and the tab stays responsive.
//!
//! | limit | value | past it |
//! |---|---:|---|
//! | messages in one burst (`publish({count})`, a step's `count`) | [`MAX_BURST`] | refused |
//! | a producer's steady rate (`setRate`) | [`MAX_RATE`]/s | refused (the clock's resolution is 1 ms) |
//! | clock speed | 0.25–8× | refused (the API), clamped (the reducer) |
//! | nodes: exchanges, queues, producers, consumers | [`MAX_NODES`] | the declare is refused |
//! | bindings | [`MAX_BINDINGS`] | the bind is refused |
//! | messages the broker holds (ready + unacked, every queue) | [`MAX_HELD`] | producers pause, with a notice |
//! | a share link's scenario, unpacked | 1 MiB (`share::MAX_JSON_BYTES`) | refused |
//! | messages whose routing key and headers are remembered | [`TRACKED_MESSAGES`] newest | older ones forgotten |
//! | event log | 200 lines (`LOG_LINES`) | the oldest dropped |
//!
//! The last but one is where RabbitMQ would raise its memory alarm and block publishing
//! connections (`connection.blocked`) until consumers catch up; the page has no memory to
//! measure, so it counts messages instead and pauses its own producers. A deviation, listed
//! here: real clients through the bridge are not paused (the bridge's credit holds them back).
//! The native `serve` has no such limit, as RabbitMQ has none besides memory.

use super::playground::PlaygroundError;
use crate::scene::NodeKind;

/// Most messages one burst publishes.
pub const MAX_BURST: u32 = 10_000;
/// Fastest steady rate of one producer, messages a second of virtual time.
pub const MAX_RATE: f64 = 1_000.0;
/// Most exchanges, queues, producers and consumers in one scenario together.
pub const MAX_NODES: usize = 500;
/// Most bindings in one scenario.
pub const MAX_BINDINGS: usize = 2_000;
/// Most messages the broker holds before the playground's producers pause.
pub const MAX_HELD: usize = 100_000;
/// How many of the newest messages the playground remembers routing keys, headers and
/// publishers of (for explaining a later dead-lettering); older ones are forgotten in
/// batches, so a long run's memory stays flat.
pub const TRACKED_MESSAGES: usize = MAX_HELD;

/// Refuses one more node past [`MAX_NODES`].
pub fn room_for_node(kind: NodeKind, nodes: usize) -> Result<(), PlaygroundError> {
    if nodes < MAX_NODES {
        return Ok(());
    }
    Err(PlaygroundError::Limit(format!(
        "no room for another {}: a playground holds at most {MAX_NODES} exchanges, queues, \
         producers and consumers",
        kind.id()
    )))
}

/// Refuses one more binding past [`MAX_BINDINGS`].
pub fn room_for_binding(bindings: usize) -> Result<(), PlaygroundError> {
    if bindings < MAX_BINDINGS {
        return Ok(());
    }
    Err(PlaygroundError::Limit(format!(
        "no room for another binding: a playground holds at most {MAX_BINDINGS}"
    )))
}

/// The notice when producers pause at [`MAX_HELD`].
pub fn held_notice() -> String {
    format!(
        "publishing paused: the broker holds {MAX_HELD} messages, the playground's limit \
         (RabbitMQ would block publishers when low on memory); consume or purge, then publish again"
    )
}
