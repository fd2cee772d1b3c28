//! Walkthroughs: a scenario's captions, step by step, each with what it does and what should
//! hold afterwards.
//!
//! A docs page embeds a scenario with `step` and the reader goes caption by caption with
//! Next and Back; `amqp-playground check` (and the tests) run the same steps headlessly and
//! compare each step's `expect` with the playground's counts. One list serves both, so the
//! captions a reader sees are the ones CI checked.
//!
//! Step `i` is *shown* once its inputs have been applied: arriving at a step does what it
//! says (publishes, stops a consumer) and the clock plays the rest. Going back rebuilds the
//! playground from the scenario and replays steps `0..i` to their ends, then applies step
//! `i`'s inputs — the engine is deterministic, so the picture is the one a reader who came
//! forward saw.

use super::replay::Input;
use super::{Playground, PlaygroundError, PublishRequest};

/// One caption of a walkthrough.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TourStep {
    /// What the reader is told (inline `code` in backticks).
    pub caption: String,
    /// What arriving at the step does, in order.
    pub inputs: Vec<Input>,
    /// How long the step runs before the next one (virtual ms); `None`: until nothing moves
    /// any more (at most [`SETTLE_LIMIT_MS`]).
    pub run_ms: Option<u64>,
    /// What should hold once the step has run.
    pub expect: Option<Expect>,
}

/// Counts a step should end with; what is not named is not checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expect {
    /// Per queue (scenario name): ready and unacked copies.
    pub queues: Vec<(String, Option<u64>, Option<u64>)>,
    /// Per consumer: messages received so far.
    pub received: Vec<(String, u64)>,
    /// Messages returned to their publishers so far.
    pub returned: Option<u64>,
    /// Messages no queue took so far.
    pub unroutable: Option<u64>,
}

/// The longest a step without `run_ms` runs while waiting for things to settle: a steady
/// rate or a TTL retry loop never does.
pub const SETTLE_LIMIT_MS: u64 = 120_000;

impl TourStep {
    /// A caption that does nothing but explain.
    pub fn say(caption: &str) -> TourStep {
        TourStep {
            caption: caption.into(),
            ..TourStep::default()
        }
    }

    /// … and publishes `count` messages from the first producer with this routing key
    /// (`None`: the producer's own).
    pub fn publish(mut self, key: Option<&str>, count: u32) -> TourStep {
        let request = PublishRequest {
            routing_key: key.map(str::to_string),
            ..PublishRequest::default()
        };
        self.inputs.push(if count == 1 {
            Input::Publish(request)
        } else {
            Input::Burst(request, count)
        });
        self
    }

    /// … and starts or stops a consumer.
    pub fn consuming(mut self, consumer: &str, on: bool) -> TourStep {
        self.inputs.push(Input::SetConsuming(consumer.into(), on));
        self
    }
}

impl Playground {
    /// Applies step `i`'s inputs now (arriving at it); refused inputs are reported and the
    /// rest still applied, as a reader pressing the same buttons would see.
    pub fn begin_tour_step(&mut self, i: usize) -> Result<(), PlaygroundError> {
        let Some(step) = self.scenario().tour.get(i).cloned() else {
            return Ok(());
        };
        let mut first_error = None;
        for input in &step.inputs {
            if let Err(e) = input.apply(self) {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Runs step `i` to its end: its `run_ms`, or until nothing is moving.
    pub fn finish_tour_step(&mut self, i: usize) {
        match self.scenario().tour.get(i).and_then(|s| s.run_ms) {
            Some(ms) => self.advance(ms),
            None => {
                let start = self.now().0;
                while self.busy() && self.now().0 - start < SETTLE_LIMIT_MS {
                    self.advance(250);
                }
            }
        }
    }

    /// The playground as a reader sees it on arriving at step `i`: steps before it run to
    /// their ends, then `i`'s inputs applied.
    pub fn replay_tour_to(&mut self, i: usize) -> Result<(), PlaygroundError> {
        for step in 0..i {
            self.begin_tour_step(step)?;
            self.finish_tour_step(step);
        }
        self.begin_tour_step(i)
    }

    /// What differs from `expect` now, one line each (empty: all as expected).
    pub fn unmet(&self, expect: &Expect) -> Vec<String> {
        let snap = self.snapshot();
        let mut unmet = Vec::new();
        for (queue, ready, unacked) in &expect.queues {
            let Some((_, counts)) = snap.queues.iter().find(|(name, _)| name == queue) else {
                unmet.push(format!("queue `{queue}`: not in the scenario"));
                continue;
            };
            for (what, want, got) in [
                ("ready", ready, counts.ready),
                ("unacked", unacked, counts.unacked),
            ] {
                if let Some(want) = want.filter(|w| *w != got) {
                    unmet.push(format!("queue `{queue}`: {got} {what}, expected {want}"));
                }
            }
        }
        for (consumer, want) in &expect.received {
            match snap.consumers.iter().find(|c| &c.name == consumer) {
                None => unmet.push(format!("consumer `{consumer}`: not in the scenario")),
                Some(c) if c.received != *want => unmet.push(format!(
                    "consumer `{consumer}`: received {}, expected {want}",
                    c.received
                )),
                Some(_) => {}
            }
        }
        for (what, want, got) in [
            ("returned", expect.returned, snap.returned),
            ("unroutable", expect.unroutable, snap.unroutable),
        ] {
            if let Some(want) = want.filter(|w| *w != got) {
                unmet.push(format!("{got} {what}, expected {want}"));
            }
        }
        unmet
    }

    /// Runs the whole walkthrough headlessly and checks every step's `expect`: one entry per
    /// step, its caption and what was not as expected (`amqp-playground check`, tests).
    pub fn check_tour(&mut self) -> Vec<(String, Result<(), Vec<String>>)> {
        let steps = self.scenario().tour.clone();
        steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let mut unmet = Vec::new();
                if let Err(e) = self.begin_tour_step(i) {
                    unmet.push(format!("refused: {e}"));
                }
                self.finish_tour_step(i);
                if let Some(expect) = &step.expect {
                    unmet.extend(self.unmet(expect));
                }
                let result = if unmet.is_empty() { Ok(()) } else { Err(unmet) };
                (step.caption.clone(), result)
            })
            .collect()
    }
}
