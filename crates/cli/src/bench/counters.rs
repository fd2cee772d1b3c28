//! Live counters, one slot per client: each slot is written by its own task only, and read
//! by the control loop for snapshots (warm-up end, stop, drain).

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

/// One counter alone on its cache line, so clients on different cores do not slow each other
/// down by writing neighbouring counters (false sharing).
#[derive(Default)]
#[repr(align(64))]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Relaxed);
    }

    pub(crate) fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
}

/// What one producer has done so far.
#[derive(Default)]
pub(crate) struct ProducerCounters {
    /// Handed to the socket (`basic.publish` written).
    pub published: Counter,
    /// Confirmed with `basic.ack` by the broker (confirm mode).
    pub confirmed: Counter,
    /// Refused with `basic.nack` by the broker (confirm mode).
    pub nacked: Counter,
}

/// What one consumer has done so far.
#[derive(Default)]
pub(crate) struct ConsumerCounters {
    pub consumed: Counter,
}

/// All figures at one instant, summed over the clients.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Snapshot {
    pub at_ns: u64,
    pub published: u64,
    pub confirmed: u64,
    pub nacked: u64,
    pub consumed: u64,
}

impl Snapshot {
    pub(crate) fn take(
        at_ns: u64,
        producers: &[Arc<ProducerCounters>],
        consumers: &[Arc<ConsumerCounters>],
    ) -> Self {
        let sum = |f: fn(&ProducerCounters) -> &Counter| producers.iter().map(|p| f(p).get()).sum();
        Self {
            at_ns,
            published: sum(|p| &p.published),
            confirmed: sum(|p| &p.confirmed),
            nacked: sum(|p| &p.nacked),
            consumed: consumers.iter().map(|c| c.consumed.get()).sum(),
        }
    }
}
