//! The timeline's checkpoints: copies of the playground along a run, so that a replay starts
//! from the latest one before its moment instead of from virtual time 0 (`sim::replay`).
//!
//! They are [`CHECKPOINT_EVERY`] virtual ms apart, at most [`MAX_CHECKPOINTS`] of them: when
//! they are full every other one goes and the spacing doubles, so they cover the whole run
//! however long it gets. Each holds every input recorded up to its time; a new input drops
//! those at or after its own. Without the `checkpoints` feature (the plain page, whose
//! download budget has no room for copying the broker yet) this is a type that keeps none.

use super::Playground;

/// Virtual ms between the first checkpoints.
pub const CHECKPOINT_EVERY: u64 = 30_000;
/// At most this many checkpoints are kept.
pub const MAX_CHECKPOINTS: usize = 32;

/// Copies of the playground at their virtual times, oldest first.
#[cfg(feature = "checkpoints")]
#[derive(Default)]
pub(super) struct Checkpoints {
    kept: Vec<(u64, Playground)>,
    /// Virtual ms between checkpoints now (0: [`CHECKPOINT_EVERY`]).
    spacing: u64,
}

#[cfg(feature = "checkpoints")]
impl Checkpoints {
    /// Copies `pg` when the last checkpoint is far enough behind.
    pub(super) fn offer(&mut self, pg: &Playground) {
        let now = pg.now().0;
        let spacing = self.spacing.max(CHECKPOINT_EVERY);
        let last = self.kept.last().map_or(0, |(t, _)| *t);
        if now < last + spacing {
            return;
        }
        let Some(copy) = pg.checkpoint() else {
            return;
        };
        if self.kept.len() == MAX_CHECKPOINTS {
            // Keep the 2nd, 4th, …: they are twice the spacing apart.
            let mut i = 0;
            self.kept.retain(|_| {
                i += 1;
                i % 2 == 0
            });
            self.spacing = spacing * 2;
        }
        self.kept.push((now, copy));
    }

    /// Drops the checkpoints at `at` or later: they do not hold an input recorded at `at`.
    pub(super) fn cut(&mut self, at: u64) {
        self.kept.retain(|(t, _)| *t < at);
    }

    /// A copy of the latest checkpoint at or before `t`.
    pub(super) fn before(&self, t: u64) -> Option<Playground> {
        let (_, pg) = self.kept.iter().rev().find(|(at, _)| *at <= t)?;
        pg.checkpoint()
    }

    /// The virtual times of the checkpoints kept.
    pub(super) fn times(&self) -> Vec<u64> {
        self.kept.iter().map(|(t, _)| *t).collect()
    }

    /// The spacing now.
    #[cfg(test)]
    pub(super) fn spacing(&self) -> u64 {
        self.spacing.max(CHECKPOINT_EVERY)
    }

    /// The latest checkpoint itself.
    #[cfg(test)]
    pub(super) fn last(&self) -> Option<&Playground> {
        self.kept.last().map(|(_, pg)| pg)
    }
}

/// No checkpoints (the `checkpoints` feature is off): every replay starts at time 0.
#[cfg(not(feature = "checkpoints"))]
#[derive(Default)]
pub(super) struct Checkpoints;

#[cfg(not(feature = "checkpoints"))]
impl Checkpoints {
    pub(super) fn offer(&mut self, _: &Playground) {}
    pub(super) fn cut(&mut self, _: u64) {}
    pub(super) fn before(&self, _: u64) -> Option<Playground> {
        None
    }
    pub(super) fn times(&self) -> Vec<u64> {
        Vec::new()
    }
}
