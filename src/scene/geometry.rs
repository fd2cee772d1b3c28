//! Plane geometry for the diagram, in SVG user units (one unit = one point of the tutorial
//! diagrams, so the numbers below are the ones measured from them).

/// A point (or a vector) in user units; y grows downwards as in SVG.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Horizontal position.
    pub x: f64,
    /// Vertical position, downwards.
    pub y: f64,
}

impl Point {
    /// A point.
    pub const fn new(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    /// Straight-line distance to `other`.
    pub fn distance(self, other: Point) -> f64 {
        (other.x - self.x).hypot(other.y - self.y)
    }

    /// The point `t` of the way from `self` to `other` (`t` in 0..=1).
    pub fn lerp(self, other: Point, t: f64) -> Point {
        Point::new(
            self.x + (other.x - self.x) * t,
            self.y + (other.y - self.y) * t,
        )
    }
}

/// The outline of a node, centred on its position.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shape {
    /// An ellipse with radii `rx`, `ry` (producers, exchanges, consumers).
    Ellipse {
        /// Horizontal radius.
        rx: f64,
        /// Vertical radius.
        ry: f64,
    },
    /// An axis-aligned box `w` × `h` (the five-cell queue record).
    Rect {
        /// Width.
        w: f64,
        /// Height.
        h: f64,
    },
}

impl Shape {
    /// The tutorial ellipse: 54 × 36 pt.
    pub const ELLIPSE: Shape = Shape::Ellipse { rx: 27.0, ry: 18.0 };
    /// The tutorial queue record: 97.5 × 36 pt (five cells of 19.5 pt).
    pub const QUEUE: Shape = Shape::Rect { w: 97.5, h: 36.0 };

    /// Width of the shape.
    pub fn width(self) -> f64 {
        match self {
            Shape::Ellipse { rx, .. } => 2.0 * rx,
            Shape::Rect { w, .. } => w,
        }
    }

    /// Height of the shape.
    pub fn height(self) -> f64 {
        match self {
            Shape::Ellipse { ry, .. } => 2.0 * ry,
            Shape::Rect { h, .. } => h,
        }
    }

    /// Where the ray from `center` towards `toward` leaves the outline. Edges start and end
    /// there, so arrowheads touch the shape like Graphviz draws them.
    pub fn boundary_toward(self, center: Point, toward: Point) -> Point {
        let dx = toward.x - center.x;
        let dy = toward.y - center.y;
        if dx == 0.0 && dy == 0.0 {
            return center;
        }
        let scale = match self {
            // Solve (t·dx/rx)² + (t·dy/ry)² = 1 for t.
            Shape::Ellipse { rx, ry } => 1.0 / ((dx / rx).powi(2) + (dy / ry).powi(2)).sqrt(),
            // The ray leaves through whichever side it reaches first.
            Shape::Rect { w, h } => {
                let tx = if dx == 0.0 {
                    f64::INFINITY
                } else {
                    (w / 2.0) / dx.abs()
                };
                let ty = if dy == 0.0 {
                    f64::INFINITY
                } else {
                    (h / 2.0) / dy.abs()
                };
                tx.min(ty)
            }
        };
        Point::new(center.x + dx * scale, center.y + dy * scale)
    }
}

/// A cubic Bézier curve; straight edges are the degenerate case with controls on the line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Curve {
    /// Start.
    pub from: Point,
    /// First control point.
    pub c1: Point,
    /// Second control point.
    pub c2: Point,
    /// End (where the arrowhead's tip is).
    pub to: Point,
}

impl Curve {
    /// A left-to-right edge between two points: straight when they are level, otherwise a
    /// gentle S whose tangents are horizontal at both ends, like Graphviz's splines in
    /// `rankdir=LR`.
    pub fn edge(from: Point, to: Point) -> Curve {
        if (from.y - to.y).abs() < 0.5 {
            return Curve {
                from,
                c1: from.lerp(to, 1.0 / 3.0),
                c2: from.lerp(to, 2.0 / 3.0),
                to,
            };
        }
        let bend = (to.x - from.x) / 2.0;
        Curve {
            from,
            c1: Point::new(from.x + bend, from.y),
            c2: Point::new(to.x - bend, to.y),
            to,
        }
    }

    /// The point at parameter `t` (0..=1).
    pub fn point(&self, t: f64) -> Point {
        let u = 1.0 - t;
        let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
        Point::new(
            a * self.from.x + b * self.c1.x + c * self.c2.x + d * self.to.x,
            a * self.from.y + b * self.c1.y + c * self.c2.y + d * self.to.y,
        )
    }

    /// The SVG path data (`M … C …`).
    pub fn svg_path(&self) -> String {
        format!(
            "M{:.2},{:.2} C{:.2},{:.2} {:.2},{:.2} {:.2},{:.2}",
            self.from.x,
            self.from.y,
            self.c1.x,
            self.c1.y,
            self.c2.x,
            self.c2.y,
            self.to.x,
            self.to.y
        )
    }

    /// The curve flattened to `segments` straight pieces, for walking it at constant speed.
    pub fn polyline(&self, segments: usize) -> Polyline {
        let n = segments.max(1);
        Polyline::new((0..=n).map(|i| self.point(i as f64 / n as f64)).collect())
    }
}

/// A path made of straight pieces, walked by arc length so tokens move at an even pace.
#[derive(Clone, Debug, PartialEq)]
pub struct Polyline {
    points: Vec<Point>,
    /// Cumulative length at each point (`lengths[0] == 0`).
    lengths: Vec<f64>,
}

impl Polyline {
    /// A polyline through `points` (at least one).
    pub fn new(points: Vec<Point>) -> Polyline {
        let mut lengths = Vec::with_capacity(points.len());
        let mut total = 0.0;
        for (i, p) in points.iter().enumerate() {
            if i > 0 {
                total += points[i - 1].distance(*p);
            }
            lengths.push(total);
        }
        Polyline { points, lengths }
    }

    /// Joins `other` onto the end of `self`.
    pub fn then(mut self, other: &Polyline) -> Polyline {
        let mut points = std::mem::take(&mut self.points);
        points.extend_from_slice(&other.points);
        Polyline::new(points)
    }

    /// The same path walked the other way.
    pub fn reversed(&self) -> Polyline {
        Polyline::new(self.points.iter().rev().copied().collect())
    }

    /// Total length.
    pub fn length(&self) -> f64 {
        self.lengths.last().copied().unwrap_or(0.0)
    }

    /// The point `fraction` (clamped to 0..=1) of the way along the path.
    pub fn at(&self, fraction: f64) -> Point {
        let Some(first) = self.points.first() else {
            return Point::new(0.0, 0.0);
        };
        let target = fraction.clamp(0.0, 1.0) * self.length();
        // The first point whose cumulative length reaches the target ends our segment.
        let i = self.lengths.partition_point(|&l| l < target);
        if i == 0 {
            return *first;
        }
        if i >= self.points.len() {
            return *self.points.last().unwrap_or(first);
        }
        let (l0, l1) = (self.lengths[i - 1], self.lengths[i]);
        let t = if l1 > l0 {
            (target - l0) / (l1 - l0)
        } else {
            0.0
        };
        self.points[i - 1].lerp(self.points[i], t)
    }
}

/// The filled triangular arrowhead drawn at the end of an edge: 10 pt long, 7 pt wide.
pub fn arrowhead(tip: Point, from_direction: Point) -> [Point; 3] {
    const LEN: f64 = 10.0;
    const HALF_WIDTH: f64 = 3.5;
    let d = from_direction.distance(tip);
    let (ux, uy) = if d == 0.0 {
        (1.0, 0.0)
    } else {
        (
            (tip.x - from_direction.x) / d,
            (tip.y - from_direction.y) / d,
        )
    };
    let base = Point::new(tip.x - ux * LEN, tip.y - uy * LEN);
    [
        tip,
        Point::new(base.x - uy * HALF_WIDTH, base.y + ux * HALF_WIDTH),
        Point::new(base.x + uy * HALF_WIDTH, base.y - ux * HALF_WIDTH),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Point, b: Point) -> bool {
        a.distance(b) < 1e-6
    }

    #[test]
    fn ellipse_boundary_is_on_the_ellipse_in_every_direction() {
        let c = Point::new(10.0, 20.0);
        assert!(close(
            Shape::ELLIPSE.boundary_toward(c, Point::new(100.0, 20.0)),
            Point::new(37.0, 20.0)
        ));
        assert!(close(
            Shape::ELLIPSE.boundary_toward(c, Point::new(10.0, -50.0)),
            Point::new(10.0, 2.0)
        ));
        let p = Shape::ELLIPSE.boundary_toward(c, Point::new(40.0, 45.0));
        let on = ((p.x - c.x) / 27.0).powi(2) + ((p.y - c.y) / 18.0).powi(2);
        assert!((on - 1.0).abs() < 1e-9, "{on}");
    }

    #[test]
    fn rect_boundary_leaves_through_the_nearest_side() {
        let c = Point::new(0.0, 0.0);
        assert!(close(
            Shape::QUEUE.boundary_toward(c, Point::new(-200.0, 0.0)),
            Point::new(-48.75, 0.0)
        ));
        // Steep ray: leaves through the top.
        assert!(close(
            Shape::QUEUE.boundary_toward(c, Point::new(10.0, -100.0)),
            Point::new(1.8, -18.0)
        ));
        assert_eq!(Shape::QUEUE.boundary_toward(c, c), c);
    }

    #[test]
    fn level_edges_are_straight_and_others_leave_horizontally() {
        let straight = Curve::edge(Point::new(0.0, 5.0), Point::new(90.0, 5.0));
        assert!(close(straight.point(0.5), Point::new(45.0, 5.0)));
        let bent = Curve::edge(Point::new(0.0, 0.0), Point::new(100.0, 50.0));
        assert_eq!(bent.c1.y, 0.0);
        assert_eq!(bent.c2.y, 50.0);
        assert!(close(bent.point(0.5), Point::new(50.0, 25.0)));
        assert_eq!(
            bent.svg_path(),
            "M0.00,0.00 C50.00,0.00 50.00,50.00 100.00,50.00"
        );
    }

    #[test]
    fn polyline_is_walked_by_length_not_by_vertex() {
        let p = Polyline::new(vec![
            Point::new(0.0, 0.0),
            Point::new(30.0, 0.0),
            Point::new(30.0, 10.0),
        ]);
        assert_eq!(p.length(), 40.0);
        assert!(close(p.at(0.5), Point::new(20.0, 0.0)));
        assert!(close(p.at(0.875), Point::new(30.0, 5.0)));
        assert!(close(p.at(-1.0), Point::new(0.0, 0.0)));
        assert!(close(p.at(2.0), Point::new(30.0, 10.0)));
        let joined = p.then(&Polyline::new(vec![Point::new(40.0, 10.0)]));
        assert_eq!(joined.length(), 50.0);
    }

    #[test]
    fn arrowhead_is_ten_long_and_seven_wide() {
        let [tip, a, b] = arrowhead(Point::new(100.0, 0.0), Point::new(0.0, 0.0));
        assert_eq!(tip, Point::new(100.0, 0.0));
        assert!(close(a, Point::new(90.0, 3.5)));
        assert!(close(b, Point::new(90.0, -3.5)));
    }
}
