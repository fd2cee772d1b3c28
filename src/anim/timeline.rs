//! The tokens in flight, sampled at any virtual time with [`Timeline::at`].

use super::tween::{TokenId, Tween};

/// All tweens that have not finished yet, in the order they were scheduled.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timeline {
    tweens: Vec<Tween>,
    next_token: u64,
}

/// One token to draw at a given time.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample<'a> {
    /// The tween it follows.
    pub tween: &'a Tween,
    /// Eased progress along its path (0..=1).
    pub progress: f64,
}

impl Timeline {
    /// A fresh token id, unique within this timeline.
    pub fn next_token(&mut self) -> TokenId {
        self.next_token += 1;
        TokenId(self.next_token)
    }

    /// Schedules a tween.
    pub fn push(&mut self, tween: Tween) {
        self.tweens.push(tween);
    }

    /// The tokens visible at virtual time `t`: started and not yet arrived.
    pub fn at(&self, t: f64) -> Vec<Sample<'_>> {
        self.tweens
            .iter()
            .filter(|tw| tw.start <= t && t < tw.end())
            .map(|tween| Sample {
                tween,
                progress: tween.progress(t),
            })
            .collect()
    }

    /// Forgets tweens that ended at or before `t`.
    pub fn prune(&mut self, t: f64) {
        self.tweens.retain(|tw| tw.end() > t);
    }

    /// Whether anything is still moving at or after `t`.
    pub fn busy(&self, t: f64) -> bool {
        self.tweens.iter().any(|tw| tw.end() > t)
    }

    /// Forgets every tween (the drawing they ran along changed).
    pub fn clear(&mut self) {
        self.tweens.clear();
    }

    /// Number of tweens not yet pruned.
    pub fn len(&self) -> usize {
        self.tweens.len()
    }

    /// Whether no tweens are left.
    pub fn is_empty(&self) -> bool {
        self.tweens.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tween::Leg;
    use super::*;

    fn tween(tl: &mut Timeline, start: f64) -> TokenId {
        let token = tl.next_token();
        tl.push(Tween {
            token,
            legs: vec![Leg::Edge(0)],
            start,
            duration: 100.0,
            fate: None,
            message: None,
            delivery_count: None,
        });
        token
    }

    #[test]
    fn samples_only_the_tokens_in_flight() {
        let mut tl = Timeline::default();
        let a = tween(&mut tl, 0.0);
        let b = tween(&mut tl, 50.0);
        assert_ne!(a, b);
        let tokens = |t| {
            tl.at(t)
                .iter()
                .map(|s| (s.tween.token, s.progress))
                .collect::<Vec<_>>()
        };
        assert_eq!(tokens(-1.0), vec![]);
        assert_eq!(tokens(0.0), vec![(a, 0.0)]);
        assert_eq!(tokens(100.0), vec![(b, 0.5)]);
        assert_eq!(tokens(150.0), vec![]);
        assert!(tl.busy(149.0));
        assert!(!tl.busy(150.0));
    }

    #[test]
    fn prune_drops_finished_trips() {
        let mut tl = Timeline::default();
        tween(&mut tl, 0.0);
        tween(&mut tl, 50.0);
        tl.prune(100.0);
        assert_eq!(tl.len(), 1);
        tl.prune(150.0);
        assert!(tl.is_empty());
    }
}
