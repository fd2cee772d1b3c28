//! The timeline's memory: what the user did and when, so any earlier moment can be rebuilt.
//!
//! The engine is deterministic: the same scenario and the same inputs at the same virtual
//! times give the same broker events, the same tokens and the same counts. So a
//! [`Recording`] keeps the scenario it started from and the user's inputs stamped with the
//! virtual time they happened at, and [`Recording::replay`] re-creates the playground at any
//! time `t` by running the engine up to `t` from the latest checkpoint before it: a copy of
//! the playground the page offered while it ran ([`Recording::offer`]), or the start. So
//! scrubbing back costs about the same an hour into a run as a minute in
//! (`benches/long_run.rs`; how they are spaced: [`checkpoints`]). Scrubbing forward goes on
//! from where the playground is ([`Recording::run_on`]), as far as the latest moment ever
//! reached (the horizon).
//!
//! Inputs after a moment the user scrubbed back to stay in the recording and happen again
//! when the clock passes them, until the user does something new there: a new input cuts
//! the recording at its time (like typing over a tape) and becomes the new future.
//!
//! Where nodes were dragged is not history: the latest position of each moved node is
//! re-applied to every replay.

use amqp_playground_core::SortedMap;

use super::{Edit, Playground, PlaygroundError, PublishRequest, Scenario};
use crate::scene::{NodeKind, Point};

/// One thing the user did that changes what the broker sees.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// A publish.
    Publish(PublishRequest),
    /// A burst of publishes.
    Burst(PublishRequest, u32),
    /// A producer's steady rate (messages a second, 0 stops).
    SetRate(String, f64),
    /// A consumer started or stopped.
    SetConsuming(String, bool),
    /// A topology change.
    Edit(Edit),
    /// The broker restarted (only durable things survive).
    Restart,
}

impl Input {
    /// Applies the input to `pg` now.
    pub fn apply(&self, pg: &mut Playground) -> Result<(), PlaygroundError> {
        match self {
            Input::Publish(request) => pg.publish(request.clone()),
            Input::Burst(request, count) => pg.publish_burst(request.clone(), *count),
            Input::SetRate(producer, per_second) => pg.set_rate(producer, *per_second),
            Input::SetConsuming(consumer, on) => pg.set_consuming(consumer, *on),
            Input::Edit(edit) => pg.apply(edit.clone()),
            Input::Restart => pg.restart(),
        }
    }
}

pub mod checkpoints;

use checkpoints::Checkpoints;

/// The scenario a run started from and the inputs since, in the order they happened.
#[derive(Default)]
pub struct Recording {
    start: Scenario,
    inputs: Vec<(u64, Input)>,
    horizon: u64,
    moved: SortedMap<(NodeKind, String), Point>,
    /// Copies of the playground along the run.
    checkpoints: Checkpoints,
}

impl Recording {
    /// A recording starting from `start` at virtual time 0.
    pub fn new(start: Scenario) -> Recording {
        Recording {
            start,
            ..Recording::default()
        }
    }

    /// Notes an input the engine accepted at virtual time `at`; anything recorded after `at`
    /// is forgotten, because this input starts a new future.
    pub fn record(&mut self, at: u64, input: Input) {
        self.inputs.retain(|(t, _)| *t <= at);
        self.checkpoints.cut(at);
        self.inputs.push((at, input));
        self.reached(at);
    }

    /// Notes that the clock got to `now`.
    pub fn reached(&mut self, now: u64) {
        self.horizon = self.horizon.max(now);
    }

    /// Notes a node dragged to `to` (kept for every replay).
    pub fn moved(&mut self, kind: NodeKind, name: &str, to: Point) {
        self.moved.insert((kind, name.to_string()), to);
    }

    /// Offers the playground the page is running (on this recording's timeline): it is
    /// copied when the last checkpoint is far enough behind.
    pub fn offer(&mut self, pg: &Playground) {
        self.checkpoints.offer(pg);
    }

    /// The virtual times of the checkpoints kept.
    pub fn checkpoint_times(&self) -> Vec<u64> {
        self.checkpoints.times()
    }

    /// The scenario the recording starts from.
    pub fn start(&self) -> &Scenario {
        &self.start
    }

    /// The latest virtual time ever reached: how far forward the timeline goes.
    pub fn horizon(&self) -> u64 {
        self.horizon
    }

    /// The recorded inputs with their times.
    pub fn inputs(&self) -> &[(u64, Input)] {
        &self.inputs
    }

    /// Whether an input was recorded in `(after, until]`: the clock moving over that span
    /// must replay it.
    pub fn has_inputs_between(&self, after: u64, until: u64) -> bool {
        self.inputs.iter().any(|(t, _)| *t > after && *t <= until)
    }

    /// A fresh playground at virtual time `t`: the latest checkpoint at or before `t` (or the
    /// start scenario) with every later input up to `t` applied at its own time. Inputs the
    /// engine refuses now were refused then too (they are recorded only when accepted, and
    /// the run is deterministic), so errors are ignored.
    pub fn replay(&self, t: u64) -> Result<Playground, PlaygroundError> {
        let mut pg = match self.checkpoints.before(t) {
            Some(mut pg) => {
                self.run_on(&mut pg, t);
                pg
            }
            None => {
                // From the start, inputs at time 0 included.
                let mut pg = Playground::new(self.start.clone())?;
                self.apply_until(&mut pg, self.inputs.iter(), t);
                pg
            }
        };
        for ((kind, name), to) in &self.moved {
            // A node that does not exist at `t` has nowhere to go.
            let _ = pg.move_node(*kind, name, *to);
        }
        Ok(pg)
    }

    /// Takes `pg`, which is where this recording was at its own time, on to `t` (later):
    /// the recorded inputs after its time happen at theirs. Scrubbing forward costs the
    /// stretch between, not a replay from the start.
    pub fn run_on(&self, pg: &mut Playground, t: u64) {
        let from = pg.now().0;
        // What happened at `from` itself is in `pg` already.
        let due = self.inputs.iter().filter(|(at, _)| *at > from);
        self.apply_until(pg, due, t);
    }

    /// Runs `pg` to `t`, applying `inputs` (in time order) at their times on the way.
    fn apply_until<'a>(
        &self,
        pg: &mut Playground,
        inputs: impl Iterator<Item = &'a (u64, Input)>,
        t: u64,
    ) {
        for (at, input) in inputs.take_while(|(at, _)| *at <= t) {
            pg.advance(at.saturating_sub(pg.now().0));
            let _ = input.apply(pg);
        }
        pg.advance(t.saturating_sub(pg.now().0));
    }
}

#[cfg(test)]
mod tests {
    #[cfg(feature = "checkpoints")]
    use super::checkpoints::{CHECKPOINT_EVERY, MAX_CHECKPOINTS};
    use super::*;
    use crate::sim::presets;

    /// Runs the work-queues preset live in small frames, recording as the page does.
    fn live_run() -> (Playground, Recording) {
        let start = presets::by_name("work-queues").expect("preset");
        let mut pg = Playground::new(start.clone()).unwrap();
        let mut rec = Recording::new(start);
        let script = [
            (100, Input::Publish(PublishRequest::default())),
            (450, Input::Burst(PublishRequest::default(), 4)),
            (900, Input::SetConsuming("C1".into(), false)),
            (
                1_300,
                Input::Edit(Edit::AddQueue {
                    name: "late".into(),
                    bind: None,
                    with_consumer: true,
                    arguments: Vec::new(),
                }),
            ),
        ];
        let mut next = script.iter().peekable();
        while pg.now().0 < 4_000 {
            // Frames of 16 or 17 ms, like a 60 Hz display.
            pg.advance(16 + pg.now().0 % 2);
            while let Some((at, input)) = next.next_if(|(at, _)| *at <= pg.now().0) {
                let _ = at;
                input.apply(&mut pg).unwrap();
                rec.record(pg.now().0, input.clone());
            }
            rec.reached(pg.now().0);
        }
        (pg, rec)
    }

    #[test]
    fn a_replay_reproduces_the_live_run_exactly() {
        let (live, rec) = live_run();
        let again = rec.replay(live.now().0).unwrap();
        assert_eq!(again.snapshot(), live.snapshot());
        assert_eq!(
            again.log().collect::<Vec<_>>(),
            live.log().collect::<Vec<_>>()
        );
        assert_eq!(again.scenario(), live.scenario());
    }

    #[test]
    fn scrubbing_back_then_forward_returns_to_the_same_state() {
        let (live, rec) = live_run();
        let early = rec.replay(500).unwrap();
        assert_eq!(early.now().0, 500);
        assert_eq!(
            early.snapshot().producers[0].1,
            2,
            "the first publish and one of the burst"
        );
        assert!(
            !early.scenario().queues.iter().any(|q| q.name == "late"),
            "the queue added at 1.3 s does not exist yet"
        );
        let back = rec.replay(rec.horizon()).unwrap();
        assert_eq!(back.snapshot(), live.snapshot());
    }

    #[test]
    fn scrubbing_forward_from_an_earlier_moment_reaches_the_same_state_as_a_replay() {
        let (live, rec) = live_run();
        for from in [0, 120, 450, 1_300, 2_000] {
            let mut pg = rec.replay(from).unwrap();
            rec.run_on(&mut pg, rec.horizon());
            assert_eq!(pg.snapshot(), live.snapshot(), "from {from}");
            assert_eq!(
                pg.log().collect::<Vec<_>>(),
                live.log().collect::<Vec<_>>(),
                "from {from}"
            );
            assert_eq!(pg.scenario(), live.scenario(), "from {from}");
        }
    }

    #[test]
    fn a_new_input_cuts_the_future() {
        let (_, mut rec) = live_run();
        assert_eq!(rec.inputs().len(), 4);
        rec.record(600, Input::Publish(PublishRequest::default()));
        let times: Vec<u64> = rec.inputs().iter().map(|(t, _)| *t).collect();
        assert!(times.iter().all(|&t| t <= 600), "{times:?}");
        assert!(rec.has_inputs_between(500, 600));
        assert!(!rec.has_inputs_between(600, 10_000));
        assert_eq!(
            rec.horizon(),
            4_000,
            "the horizon is how far the clock ever got"
        );
    }

    #[test]
    fn moved_nodes_stay_where_they_were_put_in_every_replay() {
        let (_, mut rec) = live_run();
        let to = Point::new(40.0, 300.0);
        rec.moved(NodeKind::Producer, "P", to);
        rec.moved(NodeKind::Queue, "late", Point::new(10.0, 10.0));
        let pg = rec.replay(200).unwrap();
        let i = pg.graph().find(NodeKind::Producer, "P").unwrap().0;
        assert_eq!(pg.layout().centers[i], to);
    }

    #[test]
    fn every_preset_replays_exactly_after_publishes_and_a_restart() {
        for name in presets::NAMES {
            let start = presets::by_name(name).expect("preset");
            let mut pg = Playground::new(start.clone()).unwrap();
            let mut rec = Recording::new(start);
            let script = [
                (50, Input::Publish(PublishRequest::default())),
                (300, Input::Burst(PublishRequest::default(), 3)),
                (1_700, Input::Restart),
                (2_100, Input::Publish(PublishRequest::default())),
            ];
            let mut next = script.iter().peekable();
            while pg.now().0 < 6_000 {
                pg.advance(16 + pg.now().0 % 3);
                while let Some((_, input)) = next.next_if(|(at, _)| *at <= pg.now().0) {
                    // Some presets refuse some inputs (no producer…): only accepted ones count.
                    if input.apply(&mut pg).is_ok() {
                        rec.record(pg.now().0, input.clone());
                    }
                }
                rec.reached(pg.now().0);
            }
            let again = rec.replay(pg.now().0).unwrap();
            assert_eq!(again.snapshot(), pg.snapshot(), "{name}");
            assert_eq!(
                again.log().collect::<Vec<_>>(),
                pg.log().collect::<Vec<_>>(),
                "{name}"
            );
        }
    }

    #[cfg(feature = "checkpoints")]
    /// Twenty virtual minutes of work queues at 5 msg/s, in frames of 250 ms, the page
    /// offering each frame for a checkpoint: the recording, and the playground at its end.
    fn long_run() -> (Playground, Recording) {
        let start = presets::by_name("work-queues").expect("preset");
        let mut pg = Playground::new(start.clone()).unwrap();
        let mut rec = Recording::new(start);
        let minute = 60_000;
        let script = [
            (250, Input::SetRate("P".into(), 5.0)),
            (minute, Input::Burst(PublishRequest::default(), 20)),
            (7 * minute, Input::SetConsuming("C1".into(), false)),
            (9 * minute, Input::SetConsuming("C1".into(), true)),
            (12 * minute + 500, Input::Restart),
        ];
        let mut next = script.iter().peekable();
        while pg.now().0 < 20 * minute {
            pg.advance(250);
            while let Some((_, input)) = next.next_if(|(at, _)| *at <= pg.now().0) {
                input.apply(&mut pg).unwrap();
                rec.record(pg.now().0, input.clone());
            }
            rec.reached(pg.now().0);
            rec.offer(&pg);
        }
        (pg, rec)
    }

    #[cfg(feature = "checkpoints")]
    /// The same recording without its checkpoints: every replay from the start.
    fn from_the_start(rec: &Recording) -> Recording {
        Recording {
            start: rec.start.clone(),
            inputs: rec.inputs.clone(),
            horizon: rec.horizon,
            moved: rec.moved.clone(),
            ..Recording::default()
        }
    }

    #[cfg(feature = "checkpoints")]
    #[test]
    fn checkpoints_cover_the_run_at_a_spacing_that_doubles_when_they_are_full() {
        let (_, rec) = long_run();
        let times = rec.checkpoint_times();
        assert!(times.len() <= MAX_CHECKPOINTS, "{}", times.len());
        // 20 minutes at 30 s fill the 32 once: thinned to every minute, then on.
        assert!(times.len() > MAX_CHECKPOINTS / 2, "{times:?}");
        assert!(
            times.windows(2).all(|w| w[1] - w[0] >= CHECKPOINT_EVERY),
            "{times:?}"
        );
        assert_eq!(rec.checkpoints.spacing(), 2 * CHECKPOINT_EVERY);
        let last = *times.last().unwrap();
        assert!(rec.horizon() - last <= 2 * CHECKPOINT_EVERY, "{times:?}");
    }

    #[cfg(feature = "checkpoints")]
    #[test]
    fn a_replay_from_a_checkpoint_is_the_replay_from_the_start() {
        let (live, rec) = long_run();
        let plain = from_the_start(&rec);
        let minute = 60_000;
        for t in [
            0,
            45_000,
            minute,
            5 * minute + 10,
            12 * minute + 500,
            13 * minute,
            rec.horizon(),
        ] {
            let quick = rec.replay(t).unwrap();
            let slow = plain.replay(t).unwrap();
            assert_eq!(quick.now(), slow.now(), "at {t}");
            assert_eq!(quick.snapshot(), slow.snapshot(), "at {t}");
            assert_eq!(
                quick.log().collect::<Vec<_>>(),
                slow.log().collect::<Vec<_>>(),
                "at {t}"
            );
            assert_eq!(quick.scenario(), slow.scenario(), "at {t}");
            assert_eq!(quick.tokens(), slow.tokens(), "at {t}");
        }
        assert_eq!(
            rec.replay(rec.horizon()).unwrap().snapshot(),
            live.snapshot()
        );
    }

    #[cfg(feature = "checkpoints")]
    #[test]
    fn a_new_input_drops_the_checkpoints_at_or_after_it() {
        let (_, mut rec) = live_run_cut();
        let plain = from_the_start(&rec);
        assert!(rec.checkpoint_times().iter().all(|&t| t < 600_000));
        let t = rec.horizon();
        assert_eq!(
            rec.replay(t).unwrap().snapshot(),
            plain.replay(t).unwrap().snapshot()
        );
        // Playing on from the cut takes checkpoints again past it.
        let mut pg = rec.replay(600_000).unwrap();
        while pg.now().0 < 700_000 {
            pg.advance(250);
            rec.reached(pg.now().0);
            rec.offer(&pg);
        }
        assert!(rec.checkpoint_times().iter().any(|&t| t > 600_000));
    }

    #[cfg(feature = "checkpoints")]
    /// The long run with a publish recorded at 10 minutes (after scrubbing back there).
    fn live_run_cut() -> (Playground, Recording) {
        let (pg, mut rec) = long_run();
        rec.record(600_000, Input::Publish(PublishRequest::default()));
        (pg, rec)
    }

    #[cfg(feature = "checkpoints")]
    #[test]
    fn every_preset_replays_from_its_checkpoints_as_from_the_start() {
        for name in presets::NAMES {
            let start = presets::by_name(name).expect("preset");
            let mut pg = Playground::new(start.clone()).unwrap();
            let mut rec = Recording::new(start);
            // Messages held across checkpoints (a consumer stopped, bursts), a restart, and
            // whatever the preset does by itself (TTLs dead-lettering later, retries).
            let consumer = pg.scenario().consumers.first().map(|c| c.name.clone());
            let mut script = vec![
                (1_000, Input::Publish(PublishRequest::default())),
                (20_000, Input::Burst(PublishRequest::default(), 5)),
                (95_000, Input::Restart),
                (100_000, Input::Publish(PublishRequest::default())),
            ];
            if let Some(c) = consumer {
                script.push((25_000, Input::SetConsuming(c.clone(), false)));
                script.push((31_000, Input::Burst(PublishRequest::default(), 4)));
                script.push((65_000, Input::SetConsuming(c, true)));
            }
            script.sort_by_key(|(at, _)| *at);
            let mut next = script.iter().peekable();
            while pg.now().0 < 150_000 {
                pg.advance(250);
                while let Some((_, input)) = next.next_if(|(at, _)| *at <= pg.now().0) {
                    if input.apply(&mut pg).is_ok() {
                        rec.record(pg.now().0, input.clone());
                    }
                }
                rec.reached(pg.now().0);
                rec.offer(&pg);
            }
            assert!(rec.checkpoint_times().len() >= 4, "{name}");
            let plain = from_the_start(&rec);
            for t in [35_000, 64_000, 97_000, rec.horizon()] {
                let (quick, slow) = (rec.replay(t).unwrap(), plain.replay(t).unwrap());
                assert_eq!(quick.snapshot(), slow.snapshot(), "{name} at {t}");
                assert_eq!(
                    quick.log().collect::<Vec<_>>(),
                    slow.log().collect::<Vec<_>>(),
                    "{name} at {t}"
                );
                assert_eq!(quick.tokens(), slow.tokens(), "{name} at {t}");
            }
            assert_eq!(
                rec.replay(rec.horizon()).unwrap().snapshot(),
                pg.snapshot(),
                "{name}"
            );
        }
    }

    #[cfg(feature = "checkpoints")]
    #[test]
    fn a_checkpoint_keeps_only_the_facts_of_messages_still_held() {
        let (live, rec) = long_run();
        let copy = rec.checkpoints.last().unwrap();
        // A consumer keeps up at 5/s: a handful held, hundreds of facts in the live run.
        assert!(live.messages.len() > 1_000, "{}", live.messages.len());
        assert!(copy.messages.len() < 100, "{}", copy.messages.len());
    }
}
