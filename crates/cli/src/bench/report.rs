//! The figures of one run, as a human report or one JSON line.
//!
//! Rates are counts over the measured window: from the end of the warm-up to the moment the
//! producers were told to stop. A `--count` run has no warm-up and is measured whole: publish
//! rates up to the last producer's end, the consume rate up to the last message's arrival.
//! Totals cover the whole run, warm-up and drain included. Latency covers every message sent
//! after the warm-up, whenever it arrived.

use std::fmt;

use serde_json::json;

use super::counters::Snapshot;
use super::histogram::Histogram;

/// Everything `bench` prints.
pub(crate) struct Report {
    pub broker: String,
    pub queue: String,
    pub setup: Setup,
    pub warmup_s: f64,
    pub window: (Snapshot, Snapshot),
    /// The window of the consume rate: `window`, or up to the end of the drain (`--count`).
    pub consume_window: (Snapshot, Snapshot),
    pub totals: Snapshot,
    pub latency_ns: Histogram,
    pub drain_s: f64,
    /// Why the run failed; `None` when every published message was consumed.
    pub problem: Option<String>,
}

/// The run's parameters, echoed in the report.
pub(crate) struct Setup {
    pub producers: u32,
    pub consumers: u32,
    pub size: usize,
    pub confirm_window: Option<u32>,
    pub ack: &'static str,
    pub prefetch: Option<u16>,
    pub multi_ack_every: Option<u32>,
    pub rate: Option<u64>,
}

impl Report {
    fn measured_s(&self) -> f64 {
        self.window.1.at_ns.saturating_sub(self.window.0.at_ns) as f64 / 1e9
    }

    fn rate((from, to): &(Snapshot, Snapshot), f: fn(&Snapshot) -> u64) -> f64 {
        let s = to.at_ns.saturating_sub(from.at_ns) as f64 / 1e9;
        if s > 0.0 {
            f(to).saturating_sub(f(from)) as f64 / s
        } else {
            0.0
        }
    }

    fn published_rate(&self) -> f64 {
        Self::rate(&self.window, |s| s.published)
    }

    fn consumed_rate(&self) -> f64 {
        Self::rate(&self.consume_window, |s| s.consumed)
    }

    fn confirmed_rate(&self) -> Option<f64> {
        self.setup
            .confirm_window
            .map(|_| Self::rate(&self.window, |s| s.confirmed))
    }

    /// Latency in µs at quantile `q` (`q = 1` is the maximum), one decimal.
    fn latency_us(&self, q: f64) -> Option<f64> {
        let ns = if q >= 1.0 {
            (self.latency_ns.len() > 0).then(|| self.latency_ns.max())
        } else {
            self.latency_ns.quantile(q)
        }?;
        Some((ns as f64 / 100.0).round() / 10.0)
    }

    /// One line for scripts (`scripts/bench-vs-rabbitmq.sh` reads it).
    pub(crate) fn to_json(&self) -> String {
        let round = |x: f64| (x * 10.0).round() / 10.0;
        json!({
            "broker": self.broker,
            "queue": self.queue,
            "producers": self.setup.producers,
            "consumers": self.setup.consumers,
            "size": self.setup.size,
            "confirm": self.setup.confirm_window,
            "ack": self.setup.ack,
            "prefetch": self.setup.prefetch,
            "multi_ack_every": self.setup.multi_ack_every,
            "rate": self.setup.rate,
            "warmup_s": self.warmup_s,
            "measured_s": round(self.measured_s() * 1000.0) / 1000.0,
            "published_per_s": round(self.published_rate()),
            "consumed_per_s": round(self.consumed_rate()),
            "confirmed_per_s": self.confirmed_rate().map(round),
            "published": self.totals.published,
            "consumed": self.totals.consumed,
            "confirmed": self.setup.confirm_window.map(|_| self.totals.confirmed),
            "nacked": self.totals.nacked,
            "latency_samples": self.latency_ns.len(),
            "latency_p50_us": self.latency_us(0.50),
            "latency_p95_us": self.latency_us(0.95),
            "latency_p99_us": self.latency_us(0.99),
            "latency_max_us": self.latency_us(1.0),
            "drain_s": round(self.drain_s * 1000.0) / 1000.0,
            "ok": self.problem.is_none(),
            "problem": self.problem,
        })
        .to_string()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.setup;
        let confirms = s
            .confirm_window
            .map_or("no confirms".into(), |w| format!("confirms (window {w})"));
        let ack = match (s.prefetch, s.multi_ack_every) {
            (None, _) => format!("{} ack", s.ack),
            (Some(p), m) => format!(
                "{} ack, prefetch {}{}",
                s.ack,
                if p == 0 {
                    "unlimited".into()
                } else {
                    p.to_string()
                },
                m.map_or(String::new(), |n| format!(", multi-ack every {n}"))
            ),
        };
        let rate = s
            .rate
            .map_or("unlimited rate".into(), |r| format!("rate {r} msg/s"));
        writeln!(f, "bench {} queue {}", self.broker, self.queue)?;
        writeln!(
            f,
            "  {} producer(s), {} consumer(s), {} B, {confirms}, {ack}, {rate}",
            s.producers, s.consumers, s.size
        )?;
        writeln!(
            f,
            "  warm-up {:.1} s, measured {:.3} s",
            self.warmup_s,
            self.measured_s()
        )?;
        writeln!(f, "published   {:>12.0} msg/s", self.published_rate())?;
        writeln!(f, "consumed    {:>12.0} msg/s", self.consumed_rate())?;
        if let Some(r) = self.confirmed_rate() {
            writeln!(f, "confirmed   {r:>12.0} msg/s")?;
        }
        let us = |q| {
            self.latency_us(q)
                .map_or("-".to_string(), |v| format!("{v:.1}"))
        };
        writeln!(
            f,
            "latency µs  p50 {}  p95 {}  p99 {}  max {}  ({} samples)",
            us(0.50),
            us(0.95),
            us(0.99),
            us(1.0),
            self.latency_ns.len()
        )?;
        write!(
            f,
            "total       sent {}, received {}",
            self.totals.published, self.totals.consumed
        )?;
        if s.confirm_window.is_some() {
            write!(
                f,
                ", confirmed {}, nacked {}",
                self.totals.confirmed, self.totals.nacked
            )?;
        }
        writeln!(f, " (drained in {:.3} s)", self.drain_s)?;
        match &self.problem {
            None => writeln!(f, "ok          every published message was consumed"),
            Some(p) => writeln!(f, "FAILED      {p}"),
        }
    }
}
