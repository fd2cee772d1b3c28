//! One producer: publishes stamped messages on its own connection, pipelined.
//!
//! lapin's `basic_publish` future resolves once the frames are written to the socket (and its
//! `PublisherConfirm` once the broker confirms). Awaiting each publish in turn would allow one
//! message per round trip to lapin's I/O thread, so the producer keeps a window of publishes in
//! flight in a `FuturesUnordered` and tops it up as they complete:
//!
//! ```text
//!   no confirms:    in flight = not yet written      ≤ PIPELINE
//!   --confirm W:    in flight = written or not, but unconfirmed ≤ W   (PerfTest's -c W)
//! ```
//!
//! Each in-flight publish owns one of `window` body buffers and hands it back when done, so
//! after start-up the producer allocates no bodies of its own (lapin still copies the body into
//! its frame, and the routing key into a `ShortString`, per message: its API takes them by value).

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{FuturesUnordered, StreamExt};
use lapin::options::BasicPublishOptions;
use lapin::types::ShortString;
use lapin::{BasicProperties, Channel, Confirmation};

use super::clock::{stamp, Clock};
use super::counters::ProducerCounters;

/// Unconfirmed-or-unwritten publishes per producer without confirms: deep enough to keep
/// lapin's writer busy, shallow enough that queueing inside the client stays small.
const PIPELINE: usize = 256;
/// A paced producer re-checks the stop flag at least this often.
const MAX_NAP: Duration = Duration::from_millis(50);

/// Everything a producer task needs.
pub(crate) struct Producer {
    pub channel: Channel,
    pub routing_key: ShortString,
    pub size: usize,
    /// `Some(w)`: the channel is in confirm mode, at most `w` unconfirmed.
    pub confirm_window: Option<u32>,
    /// Messages this producer publishes before it stops on its own.
    pub quota: Option<u64>,
    /// Pace: message `n` is due `n × interval` after the producer starts.
    pub pacing: Option<Pacing>,
    pub clock: Clock,
    pub counters: Arc<ProducerCounters>,
    pub stop: Arc<AtomicBool>,
}

/// A fixed rate, kept as an exact fraction so that long runs do not drift.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pacing {
    /// Messages per second for this producer = `per_s_num / per_s_den`.
    pub per_s_num: u64,
    pub per_s_den: u64,
}

impl Pacing {
    fn due(&self, start: Instant, n: u64) -> Instant {
        let ns =
            u128::from(n) * 1_000_000_000 * u128::from(self.per_s_den) / u128::from(self.per_s_num);
        start + Duration::from_nanos(ns.min(u128::from(u64::MAX)) as u64)
    }
}

impl Producer {
    /// Publishes until the quota is met or `stop` is set, then waits for what is in flight.
    pub(crate) async fn run(self) -> Result<(), String> {
        let window = self.confirm_window.map_or(PIPELINE, |w| w as usize);
        // Never more buffers than messages: a `--count 10` run needs 10 at most.
        let buffers = self.quota.map_or(window, |q| window.min(q.max(1) as usize));
        let mut free: Vec<Vec<u8>> = (0..buffers).map(|_| vec![0u8; self.size]).collect();
        let channel = &self.channel;
        let counters = &*self.counters;
        let mut in_flight = FuturesUnordered::new();
        let start = Instant::now();
        let mut sent: u64 = 0;
        let mut done = false;
        // Without confirms the window is only a pipeline, so refill it in batches: one wake-up of
        // lapin's writer thread per half window instead of a ping-pong per message. A confirm
        // window is topped up one by one, as PerfTest does (`-c` is a hard bound kept full).
        let refill_at = if self.confirm_window.is_some() {
            buffers - 1
        } else {
            buffers / 2
        };
        loop {
            let mut nap_until = None;
            let refill = in_flight.len() <= refill_at;
            while !done && refill {
                if self.quota.is_some_and(|q| sent >= q) || self.stop.load(Relaxed) {
                    done = true;
                    break;
                }
                let Some(mut body) = free.pop() else { break };
                let now = Instant::now();
                if let Some(due) = self.pacing.map(|p| p.due(start, sent)) {
                    if due > now {
                        free.push(body);
                        nap_until = Some(due.min(now + MAX_NAP));
                        break;
                    }
                }
                stamp(&mut body, self.clock.ns_at(now));
                in_flight.push(publish(channel, self.routing_key.clone(), body, counters));
                sent += 1;
            }
            if in_flight.is_empty() {
                match nap_until {
                    Some(t) => {
                        tokio::time::sleep_until(t.into()).await;
                        continue;
                    }
                    None => break, // done, and nothing left in flight
                }
            }
            let finished = match nap_until {
                Some(t) => tokio::select! {
                    r = in_flight.next() => r,
                    () = tokio::time::sleep_until(t.into()) => None,
                },
                None => in_flight.next().await,
            };
            if let Some((body, outcome)) = finished {
                free.push(body);
                match outcome {
                    Ok(Confirmation::Ack(_)) => counters.confirmed.add(1),
                    Ok(Confirmation::Nack(_)) => counters.nacked.add(1),
                    Ok(Confirmation::NotRequested) => {}
                    Err(e) => return Err(format!("publish failed: {e}")),
                }
            }
        }
        Ok(())
    }
}

/// One message: written (counted as published), then confirmed if the channel confirms.
/// Returns the body buffer for reuse.
async fn publish(
    channel: &Channel,
    routing_key: ShortString,
    body: Vec<u8>,
    counters: &ProducerCounters,
) -> (Vec<u8>, lapin::Result<Confirmation>) {
    let written = channel
        .basic_publish(
            ShortString::default(),
            routing_key,
            BasicPublishOptions::default(),
            &body,
            BasicProperties::default(),
        )
        .await;
    let outcome = match written {
        Ok(confirm) => {
            counters.published.add(1);
            confirm.await
        }
        Err(e) => Err(e),
    };
    (body, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacing_is_exact_over_long_runs() {
        let start = Instant::now();
        // 10,000 msg/s shared by 3 producers: 3,333.3 msg/s each.
        let p = Pacing {
            per_s_num: 10_000,
            per_s_den: 3,
        };
        assert_eq!(p.due(start, 0), start);
        assert_eq!(p.due(start, 10_000), start + Duration::from_secs(3));
        assert_eq!(p.due(start, 1), start + Duration::from_nanos(300_000));
    }
}
