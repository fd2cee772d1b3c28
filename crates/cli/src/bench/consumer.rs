//! One consumer: reads its lapin `Consumer` stream, records each message's latency, and in
//! manual-ack mode acknowledges it.
//!
//! Acks are pipelined like publishes: `basic_ack` resolves once the frame is written, so the
//! consumer keeps its acks in a `FuturesUnordered` polled beside the stream instead of awaiting
//! each one before reading the next delivery. With `--multi-ack-every N` only every Nth delivery
//! is acked, with `multiple = true` (AMQP 0-9-1 §1.8.3.13: it covers every earlier tag too).

use std::sync::Arc;

use futures_util::stream::{FuturesUnordered, StreamExt};
use lapin::options::BasicAckOptions;
use lapin::{Channel, Consumer};
use tokio::sync::watch;

use super::args::AckMode;
use super::clock::{read_stamp, Clock};
use super::counters::ConsumerCounters;
use super::histogram::Histogram;

/// Everything a consumer task needs.
pub(crate) struct ConsumerTask {
    pub channel: Channel,
    pub consumer: Consumer,
    pub ack: AckMode,
    /// Messages sent before this (ns on the clock) are warm-up: counted, not timed.
    pub warmup_ns: u64,
    pub clock: Clock,
    pub counters: Arc<ConsumerCounters>,
    /// Becomes `true` when the run is over (everything drained, or the drain timed out).
    pub stop: watch::Receiver<bool>,
}

impl ConsumerTask {
    /// Consumes until told to stop or the broker cancels the consumer; returns the latencies
    /// (ns) of the measured messages.
    pub(crate) async fn run(mut self) -> Result<Histogram, String> {
        let mut latencies = Histogram::default();
        let channel = &self.channel;
        let mut acks = FuturesUnordered::new();
        let multi_every = match self.ack {
            AckMode::Manual {
                multi_ack_every, ..
            } => multi_ack_every,
            AckMode::Auto => None,
        };
        // Manual multi-ack: deliveries received since the last ack, and the newest tag.
        let mut unacked = 0u32;
        let mut last_tag = 0u64;
        if !*self.stop.borrow() {
            loop {
                tokio::select! {
                    biased;
                    _ = self.stop.changed() => break,
                    Some(acked) = acks.next(), if !acks.is_empty() => {
                        let acked: lapin::Result<()> = acked;
                        acked.map_err(|e| format!("basic.ack failed: {e}"))?;
                    }
                    delivery = self.consumer.next() => {
                        let delivery = match delivery {
                            Some(Ok(d)) => d,
                            Some(Err(e)) => return Err(format!("consumer failed: {e}")),
                            None => break, // cancelled by the broker (queue deleted)
                        };
                        let now = self.clock.now_ns();
                        if let Some(sent) = read_stamp(&delivery.data) {
                            if sent >= self.warmup_ns {
                                latencies.record(now.saturating_sub(sent));
                            }
                        }
                        self.counters.consumed.add(1);
                        let tag = delivery.delivery_tag;
                        match (self.ack, multi_every) {
                            (AckMode::Auto, _) => {}
                            (AckMode::Manual { .. }, None) => {
                                acks.push(channel.basic_ack(tag, BasicAckOptions { multiple: false }));
                            }
                            (AckMode::Manual { .. }, Some(every)) => {
                                unacked += 1;
                                last_tag = tag;
                                if unacked >= every {
                                    unacked = 0;
                                    acks.push(channel.basic_ack(tag, BasicAckOptions { multiple: true }));
                                }
                            }
                        }
                    }
                }
            }
        }
        // The tail of a multi-ack batch, then every ack still being written.
        if unacked > 0 && channel.status().connected() {
            acks.push(channel.basic_ack(last_tag, BasicAckOptions { multiple: true }));
        }
        while let Some(acked) = acks.next().await {
            // The channel may already be gone (queue deleted, broker closing): nothing to ack.
            if let Err(e) = acked {
                if channel.status().connected() {
                    return Err(format!("basic.ack failed: {e}"));
                }
            }
        }
        Ok(latencies)
    }
}
