//! One message token's trip: which legs it travels and when, on the virtual clock.

use crate::scene::geometry::{Point, Polyline};
use crate::scene::{Layout, NodeId};

/// Identifies one token on screen (one copy of one message on one trip).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TokenId(pub u64);

/// A piece of a token's path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leg {
    /// Along an edge of the graph (index into [`crate::scene::Graph::edges`]).
    Edge(usize),
    /// Straight through a node from its left side to its right side: a message passing the
    /// cells of a queue on its way to a consumer.
    Across(NodeId),
    /// Resting at a node's centre (a message that ends there: unroutable, dropped).
    Stay(NodeId),
    /// Along an edge backwards (a returned message going back to its publisher).
    Back(usize),
}

/// A token moving from `start` for `duration` virtual milliseconds along `legs`.
#[derive(Clone, Debug, PartialEq)]
pub struct Tween {
    /// Which token.
    pub token: TokenId,
    /// The path, in travel order.
    pub legs: Vec<Leg>,
    /// Virtual time the trip starts, in ms.
    pub start: f64,
    /// How long it takes, in virtual ms.
    pub duration: f64,
    /// A fate to show beside the token (`unroutable`); `None` for a message on its way.
    pub fate: Option<&'static str>,
    /// The broker's id of the message it carries, once the broker has seen it (a publish on
    /// its way to the broker has none yet).
    pub message: Option<u64>,
    /// A quorum queue's `x-delivery-count` on the delivery this token carries (drawn beside
    /// it: how often the message came back).
    pub delivery_count: Option<u32>,
}

impl Tween {
    /// Virtual time the trip ends.
    pub fn end(&self) -> f64 {
        self.start + self.duration
    }

    /// How far along the path the token is at virtual time `t`: eased, 0 before the start,
    /// 1 at and after the end.
    pub fn progress(&self, t: f64) -> f64 {
        if self.duration <= 0.0 {
            return if t >= self.start { 1.0 } else { 0.0 };
        }
        ease_in_out((t - self.start) / self.duration)
    }

    /// The path drawn in `layout`, as one polyline.
    pub fn path(&self, layout: &Layout) -> Polyline {
        let mut path = Polyline::new(Vec::new());
        for leg in &self.legs {
            match *leg {
                Leg::Edge(e) => {
                    if let Some(g) = layout.edges.get(e) {
                        path = path.then(&g.path);
                    }
                }
                Leg::Across(node) => {
                    if let Some((a, b)) = across(layout, node) {
                        path = path.then(&Polyline::new(vec![a, b]));
                    }
                }
                Leg::Stay(node) => {
                    if let Some(c) = layout.centers.get(node.0) {
                        path = path.then(&Polyline::new(vec![*c]));
                    }
                }
                Leg::Back(e) => {
                    if let Some(g) = layout.edges.get(e) {
                        path = path.then(&g.path.reversed());
                    }
                }
            }
        }
        path
    }

    /// The point `fraction` of the way along the path, without building it: the per-frame
    /// version of `path(layout).at(fraction)` (hundreds of tokens, sixty times a second).
    pub fn point_at(&self, layout: &Layout, fraction: f64) -> Point {
        let length = |leg: &Leg| leg_length(layout, leg);
        let total: f64 = self.legs.iter().map(length).sum();
        let mut rest = fraction.clamp(0.0, 1.0) * total;
        let mut last = None;
        for leg in &self.legs {
            let l = length(leg);
            let point = |f: f64| match *leg {
                Leg::Edge(e) => layout.edges.get(e).map(|g| g.path.at(f)),
                Leg::Across(node) => across(layout, node).map(|(a, b)| a.lerp(b, f)),
                Leg::Stay(node) => layout.centers.get(node.0).copied(),
                Leg::Back(e) => layout.edges.get(e).map(|g| g.path.at(1.0 - f)),
            };
            if rest <= l && l > 0.0 {
                if let Some(p) = point(rest / l) {
                    return p;
                }
            }
            rest -= l;
            last = point(1.0).or(last);
        }
        last.unwrap_or(Point::new(0.0, 0.0))
    }

    /// Like [`Self::point_at`], in steps: the token waits where its current leg starts and
    /// jumps when the leg is done (what `prefers-reduced-motion` shows instead of travel).
    pub fn stepped_at(&self, layout: &Layout, fraction: f64) -> Point {
        let length = |leg: &Leg| leg_length(layout, leg);
        let total: f64 = self.legs.iter().map(length).sum();
        let at = fraction.clamp(0.0, 1.0) * total;
        let mut start = 0.0;
        for leg in &self.legs {
            let l = length(leg);
            if at < start + l {
                break;
            }
            start += l;
        }
        if total > 0.0 {
            self.point_at(layout, start / total)
        } else {
            self.point_at(layout, fraction)
        }
    }

    /// Where the token is at virtual time `t` in `layout`.
    pub fn position(&self, layout: &Layout, t: f64) -> Point {
        self.point_at(layout, self.progress(t))
    }
}

/// A queue's left and right ends at mid-height.
fn across(layout: &Layout, node: NodeId) -> Option<(Point, Point)> {
    let (c, s) = (layout.centers.get(node.0)?, layout.shapes.get(node.0)?);
    let half = s.width() / 2.0;
    Some((Point::new(c.x - half, c.y), Point::new(c.x + half, c.y)))
}

/// Smooth start and stop (cubic), so tokens leave and arrive gently; `x` is clamped to 0..=1.
pub fn ease_in_out(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    if x < 0.5 {
        4.0 * x * x * x
    } else {
        1.0 - (-2.0 * x + 2.0).powi(3) / 2.0
    }
}

/// How long a leg is in `layout` (a stay has no length).
fn leg_length(layout: &Layout, leg: &Leg) -> f64 {
    match *leg {
        Leg::Edge(e) | Leg::Back(e) => layout.edges.get(e).map_or(0.0, |g| g.path.length()),
        Leg::Across(node) => across(layout, node).map_or(0.0, |(a, b)| a.distance(b)),
        Leg::Stay(_) => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::{layout, Graph, Node};

    #[test]
    fn easing_starts_and_ends_at_rest_and_is_symmetric() {
        assert_eq!(ease_in_out(-1.0), 0.0);
        assert_eq!(ease_in_out(0.0), 0.0);
        assert_eq!(ease_in_out(0.5), 0.5);
        assert_eq!(ease_in_out(1.0), 1.0);
        assert_eq!(ease_in_out(7.0), 1.0);
        assert!((ease_in_out(0.25) + ease_in_out(0.75) - 1.0).abs() < 1e-12);
        assert!(ease_in_out(0.1) < 0.1, "slow start");
    }

    #[test]
    fn a_delivery_passes_through_the_queue_then_along_the_edge() {
        let mut g = Graph::default();
        let p = g.add(Node::producer("P", None));
        let q = g.add(Node::queue("hello", Some("hello")));
        let c = g.add(Node::consumer("C", None));
        g.connect(p, q, None);
        g.connect(q, c, None);
        let l = layout(&g);
        let tween = Tween {
            token: TokenId(1),
            legs: vec![Leg::Across(q), Leg::Edge(1)],
            start: 100.0,
            duration: 1000.0,
            fate: None,
            message: None,
            delivery_count: None,
        };
        let qc = l.centers[q.0];
        assert_eq!(tween.position(&l, 0.0), Point::new(qc.x - 48.75, qc.y));
        let end = tween.position(&l, 5000.0);
        assert!((end.x - (l.centers[c.0].x - 27.0)).abs() < 1e-9);
        // Half way in time is half way along the path (easing is symmetric).
        let mid = tween.position(&l, 600.0);
        let path = tween.path(&l);
        assert!(mid.distance(path.at(0.5)) < 1e-9);
        // The allocation-free walk agrees with the built path everywhere.
        for i in 0..=20 {
            let f = f64::from(i) / 20.0;
            assert!(tween.point_at(&l, f).distance(path.at(f)) < 1e-9, "{f}");
        }
        assert_eq!(tween.end(), 1100.0);
    }

    #[test]
    fn legs_that_do_not_exist_in_the_layout_are_skipped() {
        let l = layout(&Graph::default());
        let tween = Tween {
            token: TokenId(1),
            legs: vec![Leg::Edge(9), Leg::Across(NodeId(4)), Leg::Stay(NodeId(7))],
            start: 0.0,
            duration: 10.0,
            fate: None,
            message: None,
            delivery_count: None,
        };
        assert_eq!(tween.position(&l, 5.0), Point::new(0.0, 0.0));
    }

    #[test]
    fn stepped_positions_wait_at_the_start_of_each_leg() {
        let mut g = Graph::default();
        let p = g.add(crate::scene::graph::Node::producer("P", None));
        let x = g.add(crate::scene::graph::Node::exchange("X", None));
        let q = g.add(crate::scene::graph::Node::queue("q", None));
        g.connect(p, x, None);
        g.connect(x, q, None);
        let l = layout(&g);
        let tween = Tween {
            token: TokenId(1),
            legs: vec![Leg::Edge(0), Leg::Edge(1)],
            start: 0.0,
            duration: 10.0,
            fate: None,
            message: None,
            delivery_count: None,
        };
        let first = l.edges[0].path.length();
        let total = first + l.edges[1].path.length();
        let start = tween.point_at(&l, 0.0);
        // Anywhere along the first leg: still where it starts.
        for f in [0.0, 0.3 * first / total, 0.99 * first / total] {
            assert!(tween.stepped_at(&l, f).distance(start) < 1e-9, "{f}");
        }
        // Past it: at the start of the second leg, until the end.
        let second = tween.point_at(&l, first / total);
        assert!(tween.stepped_at(&l, (first + 1.0) / total).distance(second) < 1e-9);
        assert!(tween.stepped_at(&l, 1.0).distance(tween.point_at(&l, 1.0)) < 1e-9);
        assert!(start.distance(second) > 1.0, "the two places differ");
    }
}
