//! Automatic left-to-right layout in the tutorials' proportions.
//!
//! Columns come from the longest path from the producers (so P, X, queues and consumers line
//! up like `rankdir=LR` in Graphviz); rows come from a spanning tree in which every node sits
//! at the vertical middle of what it feeds, as the tutorial diagrams place P and X. We chose
//! this over a general layered layout (Sugiyama with crossing minimisation) because the
//! tutorial topologies are nearly trees and this reproduces their exact look in ~100 lines.
//!
//! Edges run outline to outline; back edges (right to left: the RPC reply, a dead-letter
//! loop) swing into their target from below or from the right so their arrowheads show. Each
//! label is placed by trying spots along its edge, from the middle out and on either side,
//! and taking the first that covers no shape, caption, client counter, arrowhead or earlier
//! label (text measured at 0.55 em per character), like Graphviz's label placement but
//! without moving nodes.

use super::geometry::{arrowhead, Curve, Point, Polyline, Shape};
use super::graph::{Graph, NodeKind};
use super::theme::Style;
use amqp_playground_core::SortedMap;
use grid::Grid;

/// The gap between neighbouring shapes in a row (tutorial: about 36 pt).
pub const GAP: f64 = 36.0;
/// Vertical pitch of siblings that carry a caption (tutorial: about 86 pt).
pub const CAPTIONED_PITCH: f64 = 86.0;
/// Vertical pitch of siblings without a caption (tutorial: about 54 pt).
pub const PLAIN_PITCH: f64 = 54.0;
/// Margin around the drawing.
pub const MARGIN: f64 = 4.0;
/// Rough advance of one 14 pt character, for sizing captions and labels without a DOM.
pub const CHAR_WIDTH: f64 = 7.0;
/// Where a caption's baseline sits above its shape's top.
pub const CAPTION_RISE: f64 = 6.0;
/// Vertical spread between parallel edges' midpoints.
const PARALLEL_SPREAD: f64 = 22.0;
/// Labelled edges up to which each label searches for a free place (34 candidates, checked
/// against what lies near); past it, labels sit at their edges' middles (issue 12: 1,000
/// bindings on one exchange in well under 100 ms instead of seconds).
pub const LABEL_SEARCH_LIMIT: usize = 100;

/// Where everything goes.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Centre of each node, indexed like [`Graph::nodes`].
    pub centers: Vec<Point>,
    /// Outline of each node.
    pub shapes: Vec<Shape>,
    /// Geometry of each edge, indexed like [`Graph::edges`].
    pub edges: Vec<EdgeGeometry>,
    /// Size of the drawing (the SVG viewBox is `0 0 width height`).
    pub width: f64,
    /// Height of the drawing.
    pub height: f64,
    /// The drawing style it was made for (labels keep clear of what that style draws).
    pub style: Style,
}

/// How one edge is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct EdgeGeometry {
    /// The line, from the source's outline to the target's.
    pub curve: Curve,
    /// The arrowhead at the target.
    pub arrow: [Point; 3],
    /// Where the label's baseline centre goes (above the middle of the edge).
    pub label_at: Point,
    /// The curve flattened once, for tokens to walk every frame without recomputing it.
    pub path: Polyline,
    /// The label as drawn: the edge's own, or shortened with `…` when no spot along the edge
    /// has room for all of it.
    pub label: Option<String>,
}

/// The shape a node of this kind is drawn with in `style` (the current look draws clients as
/// circles).
pub fn shape_of(kind: NodeKind, style: Style) -> Shape {
    match (kind, style) {
        (NodeKind::Queue, _) => Shape::QUEUE,
        (NodeKind::Producer | NodeKind::Consumer, Style::Current) => {
            Shape::Ellipse { rx: 20.0, ry: 20.0 }
        }
        _ => Shape::ELLIPSE,
    }
}

/// Lays out `graph` left to right in the classic look.
pub fn layout(graph: &Graph) -> Layout {
    layout_styled(graph, Style::Classic)
}

/// Lays out `graph` left to right in `style`. The current look writes queue names inside the
/// queue, so they take no room above it.
pub fn layout_styled(graph: &Graph, style: Style) -> Layout {
    let stripped;
    let original = graph;
    let graph = if style == Style::Current {
        let mut g = graph.clone();
        for node in &mut g.nodes {
            if node.kind == NodeKind::Queue {
                node.caption = None;
            }
        }
        stripped = g;
        &stripped
    } else {
        graph
    };
    let n = graph.nodes.len();
    let shapes: Vec<Shape> = graph
        .nodes
        .iter()
        .map(|n| shape_of(n.kind, style))
        .collect();
    let forward = forward_edges(graph);
    let rank = ranks(n, graph, &forward);

    // Columns: each as wide as its widest shape, gaps widened for edge labels. Captions may
    // overhang the gap (`type=topic` does in tutorial 5): they sit above the edges.
    let columns = rank.iter().copied().max().map_or(0, |r| r + 1);
    let mut col_width = vec![0.0_f64; columns];
    for i in 0..n {
        col_width[rank[i]] = col_width[rank[i]].max(shapes[i].width());
    }
    let mut gap_after = vec![GAP; columns];
    for (e, edge) in graph.edges.iter().enumerate() {
        if let Some(label) = &edge.label {
            if forward[e] {
                let r = rank[edge.from.0];
                gap_after[r] = gap_after[r].max(text_width(label) + 58.0);
            }
        }
    }
    let mut col_x = vec![0.0_f64; columns];
    for r in 1..columns {
        col_x[r] = col_x[r - 1] + col_width[r - 1] / 2.0 + gap_after[r - 1] + col_width[r] / 2.0;
    }

    // Rows: a spanning tree through each node's first forward in-edge.
    let mut parent = vec![None; n];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (e, edge) in graph.edges.iter().enumerate() {
        let (from, to) = (edge.from.0, edge.to.0);
        if forward[e] && parent[to].is_none() && from != to {
            parent[to] = Some(from);
            children[from].push(to);
        }
    }
    // Pitch by the caption the classic look draws, also in the current one: the room a
    // caption takes above a queue there keeps its binding labels clear of the edges around.
    let pitch: Vec<f64> = original
        .nodes
        .iter()
        .map(|n| {
            if n.caption.is_some() {
                CAPTIONED_PITCH
            } else {
                PLAIN_PITCH
            }
        })
        .collect();
    let mut extent = vec![0.0; n];
    for &i in order_leaves_first(&children, &parent).iter() {
        let kids: f64 = children[i].iter().map(|&c| extent[c]).sum();
        extent[i] = pitch[i].max(kids);
    }
    let mut y = vec![0.0; n];
    let mut top = 0.0;
    for root in (0..n).filter(|&i| parent[i].is_none()) {
        place(root, top, &children, &extent, &mut y);
        top += extent[root];
    }

    let mut centers: Vec<Point> = (0..n).map(|i| Point::new(col_x[rank[i]], y[i])).collect();
    let mut edges = edge_geometry(graph, &centers, &shapes, style, None);

    // Shift everything so the drawing starts at the margin.
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    let mut grow = |x0: f64, y0: f64, x1: f64, y1: f64| {
        min_x = min_x.min(x0);
        min_y = min_y.min(y0);
        max_x = max_x.max(x1);
        max_y = max_y.max(y1);
    };
    for (i, node) in graph.nodes.iter().enumerate() {
        let (c, s) = (centers[i], shapes[i]);
        let caption_w = node.caption.as_deref().map_or(0.0, text_width);
        let half_w = s.width().max(caption_w) / 2.0;
        let rise = if node.caption.is_some() {
            14.0 + CAPTION_RISE
        } else {
            0.0
        };
        grow(
            c.x - half_w,
            c.y - s.height() / 2.0 - rise,
            c.x + half_w,
            c.y + s.height() / 2.0,
        );
    }
    for g in &edges {
        for b in edge_extent(g) {
            grow(b.0, b.1, b.2, b.3);
        }
    }
    if n == 0 {
        return Layout {
            centers,
            shapes,
            edges,
            width: 2.0 * MARGIN,
            height: 2.0 * MARGIN,
            style,
        };
    }
    let (dx, dy) = (MARGIN - min_x, MARGIN - min_y);
    for c in &mut centers {
        *c = Point::new(c.x + dx, c.y + dy);
    }
    edges = edge_geometry(graph, &centers, &shapes, style, None);
    Layout {
        centers,
        shapes,
        edges,
        width: max_x - min_x + 2.0 * MARGIN,
        height: max_y - min_y + 2.0 * MARGIN,
        style,
    }
}

/// The layout with some nodes moved by hand to new centres: their edges follow, and the
/// drawing grows to hold them (it never shifts, so a node does not jump under the pointer).
pub fn with_moves(graph: &Graph, mut layout: Layout, moves: &[(usize, Point)]) -> Layout {
    for &(i, p) in moves {
        if let (Some(c), Some(s)) = (layout.centers.get_mut(i), layout.shapes.get(i)) {
            // Keep the whole shape (and a caption) on the canvas.
            *c = Point::new(
                p.x.max(s.width() / 2.0 + MARGIN),
                p.y.max(s.height() / 2.0 + 14.0 + CAPTION_RISE + MARGIN),
            );
        }
    }
    // Labels stay on the canvas, also once the playground pulls the drawing up to close a
    // gap over its top row (it keeps 20 above the highest shape).
    let top = layout
        .centers
        .iter()
        .zip(&layout.shapes)
        .map(|(c, s)| c.y - s.height() / 2.0 - 20.0 - MARGIN)
        .fold(f64::MAX, f64::min)
        .max(0.0);
    let (centers, shapes) = (&layout.centers, &layout.shapes);
    layout.edges = edge_geometry(graph, centers, shapes, layout.style, Some(top));
    for (c, s) in layout.centers.iter().zip(&layout.shapes) {
        layout.width = layout.width.max(c.x + s.width() / 2.0 + MARGIN);
        layout.height = layout.height.max(c.y + s.height() / 2.0 + MARGIN);
    }
    for g in &layout.edges {
        for b in edge_extent(g) {
            layout.width = layout.width.max(b.2 + MARGIN);
            layout.height = layout.height.max(b.3 + MARGIN);
        }
    }
    layout
}

/// What an edge covers: its line (a back edge may swing below the nodes) and its label.
fn edge_extent(g: &EdgeGeometry) -> Vec<Bounds> {
    let c = &g.curve;
    let mut out: Vec<Bounds> = (0..=16)
        .map(|i| c.point(f64::from(i) / 16.0))
        .map(|p| Bounds(p.x, p.y, p.x, p.y))
        .collect();
    if let Some(text) = &g.label {
        out.push(label_box(text, g.label_at));
    }
    out
}

/// Approximate width of a 14 pt label.
pub fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_WIDTH
}

/// Which edges go forward; the rest close a cycle (a dead-letter loop) and do not rank.
fn forward_edges(graph: &Graph) -> Vec<bool> {
    let n = graph.nodes.len();
    // 0 = unvisited, 1 = on the DFS stack, 2 = done.
    let mut state = vec![0u8; n];
    let mut forward = vec![true; graph.edges.len()];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (e, edge) in graph.edges.iter().enumerate() {
        out[edge.from.0].push(e);
    }
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        // Iterative DFS: (node, next out-edge index).
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&e) = out[node].get(*next) {
                *next += 1;
                let to = graph.edges[e].to.0;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 => forward[e] = false,
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
    forward
}

/// Longest path from a source along forward edges.
fn ranks(n: usize, graph: &Graph, forward: &[bool]) -> Vec<usize> {
    let mut rank = vec![0usize; n];
    // Forward edges form a DAG, so n rounds of relaxation reach the fixed point.
    for _ in 0..n {
        let mut changed = false;
        for (e, edge) in graph.edges.iter().enumerate() {
            if forward[e] && rank[edge.to.0] < rank[edge.from.0] + 1 {
                rank[edge.to.0] = rank[edge.from.0] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    rank
}

/// Nodes of the spanning forest, children before parents.
fn order_leaves_first(children: &[Vec<usize>], parent: &[Option<usize>]) -> Vec<usize> {
    let mut order = Vec::with_capacity(children.len());
    for root in (0..children.len()).filter(|&i| parent[i].is_none()) {
        let mut stack = vec![root];
        while let Some(i) = stack.pop() {
            order.push(i);
            stack.extend(children[i].iter().copied());
        }
    }
    order.reverse();
    order
}

/// Places a subtree in the band starting at `top`: children stacked, the node at their middle.
fn place(root: usize, top: f64, children: &[Vec<usize>], extent: &[f64], y: &mut [f64]) {
    let mut stack = vec![(root, top)];
    let mut visit = Vec::new();
    while let Some((i, band_top)) = stack.pop() {
        visit.push(i);
        let kids: f64 = children[i].iter().map(|&c| extent[c]).sum();
        let mut t = band_top + (extent[i] - kids) / 2.0;
        for &c in &children[i] {
            stack.push((c, t));
            t += extent[c];
        }
        y[i] = band_top + extent[i] / 2.0;
    }
    // A parent sits at the middle of its first and last child (not of its band) so that an
    // uneven subtree still gets a centred feeder.
    for &i in visit.iter().rev() {
        if let (Some(&first), Some(&last)) = (children[i].first(), children[i].last()) {
            y[i] = (y[first] + y[last]) / 2.0;
        }
    }
}

/// Where an edge meets a node. Queues are records read left to right: messages enter at the
/// left end and leave at the right end (as Graphviz draws record ports in `rankdir=LR`), never
/// through a corner; ellipses are met where the line towards the other node crosses them.
fn attach(shape: Shape, center: Point, toward: Point, offset: f64) -> Point {
    match shape {
        Shape::Rect { w, h } if (toward.x - center.x).abs() > w / 2.0 => {
            let side = if toward.x < center.x { -1.0 } else { 1.0 };
            let dy = (offset / 2.0).clamp(-(h / 2.0 - 4.0), h / 2.0 - 4.0);
            Point::new(center.x + side * w / 2.0, center.y + dy)
        }
        _ => shape.boundary_toward(center, toward),
    }
}

/// An axis-aligned box a label must stay out of: left, top, right, bottom.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Bounds(f64, f64, f64, f64);

impl Bounds {
    fn grown(self, by: f64) -> Bounds {
        Bounds(self.0 - by, self.1 - by, self.2 + by, self.3 + by)
    }

    fn overlaps(self, o: Bounds) -> bool {
        self.0 < o.2 && o.0 < self.2 && self.1 < o.3 && o.1 < self.3
    }

    fn holds(self, p: Point) -> bool {
        p.x > self.0 && p.x < self.2 && p.y > self.1 && p.y < self.3
    }
}

/// Width of a 14 pt edge label for collision checks: 0.55 em per character (generous for the
/// classic serif, about right for the current look's sans), plus its 3 pt halo.
fn label_width(text: &str) -> f64 {
    text.chars().count() as f64 * 0.55 * 14.0 + 3.0
}

/// The box of a 14 pt label whose baseline centre is `at` (0.8 em above the baseline, 0.2 em
/// below, and the halo around).
fn label_box(text: &str, at: Point) -> Bounds {
    let half = label_width(text) / 2.0;
    Bounds(
        at.x - half,
        at.y - 11.2 - 1.5,
        at.x + half,
        at.y + 2.8 + 1.5,
    )
}

/// What the nodes occupy: shapes, captions above them, and the counter under a client
/// (`3 received`, drawn by the diagram in 8 pt).
fn node_bounds(graph: &Graph, centers: &[Point], shapes: &[Shape], style: Style) -> Vec<Bounds> {
    let mut out = Vec::new();
    for ((node, &c), s) in graph.nodes.iter().zip(centers).zip(shapes) {
        let (hw, hh) = (s.width() / 2.0, s.height() / 2.0);
        out.push(Bounds(c.x - hw, c.y - hh, c.x + hw, c.y + hh).grown(2.0));
        // The current look writes a queue's name inside it.
        let above = !(style == Style::Current && node.kind == NodeKind::Queue);
        if let (Some(caption), true) = (&node.caption, above) {
            let half = label_width(caption) / 2.0;
            let base = c.y - hh - CAPTION_RISE;
            out.push(Bounds(c.x - half, base - 12.0, c.x + half, base + 3.0));
        }
        if matches!(node.kind, NodeKind::Producer | NodeKind::Consumer) {
            out.push(Bounds(
                c.x - 26.0,
                c.y + hh + 2.0,
                c.x + 26.0,
                c.y + hh + 14.0,
            ));
        }
    }
    out
}

/// A unit vector.
fn unit(x: f64, y: f64) -> Point {
    let d = x.hypot(y);
    if d == 0.0 {
        Point::new(1.0, 0.0)
    } else {
        Point::new(x / d, y / d)
    }
}

/// Where an edge leaves (or enters) an ellipse heading along `dir`, and the control point
/// `reach` further out that keeps the curve's tangent there.
fn port(shape: Shape, c: Point, dir: Point, reach: f64) -> (Point, Point) {
    let at = shape.boundary_toward(c, Point::new(c.x + dir.x, c.y + dir.y));
    (at, Point::new(at.x + dir.x * reach, at.y + dir.y * reach))
}

/// The line of one edge. Forward edges (left to right) run from outline to outline as
/// Graphviz draws `rankdir=LR`; a back edge (its target left of its source: the RPC reply, a
/// dead-letter loop) leaves its source on the side facing back and swings into its target
/// from below or from the right, so its arrowhead is not buried in the row it returns to.
fn route(graph: &Graph, e: usize, centers: &[Point], shapes: &[Shape], offset: f64) -> Curve {
    let (a, b) = (graph.edges[e].from.0, graph.edges[e].to.0);
    let (ca, cb, sa, sb) = (centers[a], centers[b], shapes[a], shapes[b]);
    let level = (ca.y - cb.y).abs() < 0.5;
    let back = cb.x < ca.x - 0.5;
    if back && level {
        // A straight line back along a row would run through what lies between: go under it.
        let between = centers
            .iter()
            .enumerate()
            .any(|(i, c)| i != a && i != b && (c.y - ca.y).abs() < 0.5 && c.x < ca.x && c.x > cb.x);
        if between {
            let down = 30.0 + sa.height().max(sb.height()) / 2.0 + offset.abs();
            let from = Point::new(ca.x, ca.y + sa.height() / 2.0);
            let to = Point::new(cb.x, cb.y + sb.height() / 2.0);
            return Curve {
                from,
                c1: Point::new(from.x, from.y + down),
                c2: Point::new(to.x, to.y + down),
                to,
            };
        }
    }
    if !back || level {
        let from = attach(sa, ca, Point::new(cb.x, cb.y + offset), offset);
        let to = attach(sb, cb, Point::new(ca.x, ca.y + offset), offset);
        let mut curve = Curve::edge(from, to);
        if offset != 0.0 {
            // Bulge parallel edges apart; 4/3 because a cubic's midpoint moves 3/4 of its
            // control points' displacement.
            let d = offset * 4.0 / 3.0;
            curve.c1 = Point::new(curve.c1.x, curve.c1.y + d);
            curve.c2 = Point::new(curve.c2.x, curve.c2.y + d);
        }
        return curve;
    }
    let up = cb.y < ca.y;
    let reach = (ca.distance(cb) * 0.4).max(30.0);
    let (from, c1) = match sa {
        // A queue is left through its left end (messages leave at the head; back means left).
        Shape::Rect { .. } => {
            let from = attach(sa, ca, cb, offset);
            let dir = if (from.x - (ca.x - sa.width() / 2.0)).abs() < 1e-9 {
                Point::new(-1.0, 0.0)
            } else {
                unit(0.0, if up { -1.0 } else { 1.0 })
            };
            // Not much further left than the target, so the line hooks into it, not around.
            let out = reach.min((from.x - cb.x).max(15.0));
            (
                from,
                Point::new(from.x + dir.x * out, from.y + dir.y * reach),
            )
        }
        Shape::Ellipse { .. } => port(sa, ca, unit(-1.0, if up { -0.7 } else { 0.7 }), reach),
    };
    let (to, c2) = match sb {
        // Into a queue through its right end when there is room to come from the right.
        Shape::Rect { w, .. } if from.x > cb.x + w / 2.0 => {
            let to = attach(sb, cb, Point::new(from.x, cb.y + offset), offset);
            (to, Point::new(to.x + reach, to.y))
        }
        Shape::Rect { .. } => port(sb, cb, unit(0.0, if up { 1.0 } else { -1.0 }), reach),
        // Into an ellipse from below (or above) on the side facing the source: straight up
        // when the source is under it, at about 35° when it is well to the right.
        Shape::Ellipse { rx, .. } => {
            let side = ((from.x - cb.x) / (2.0 * rx)).clamp(0.0, 1.0);
            port(sb, cb, unit(side, if up { 0.7 } else { -0.7 }), reach)
        }
    };
    Curve { from, c1, c2, to }
}

/// Where a label goes on `curve`: the candidates walk out from the middle of the edge, on
/// either side of it, each pushed off the line along its normal just far enough for the box
/// to clear the tangent. The first that covers no node, caption, arrowhead or other label
/// wins, preferring the middle, the preferred side, and not sitting on any edge.
#[allow(clippy::too_many_arguments)]
fn place_label(
    text: &str,
    curve: &Curve,
    below: bool,
    hard: &mut Near,
    lines: &[Vec<Point>],
    own: usize,
    canvas_top: Option<f64>,
    quick: bool,
) -> (f64, Point) {
    let w = label_width(text);
    let h = 14.0 + 3.0;
    let mut best = (f64::MAX, Point::new(0.0, 0.0));
    // Quick: the first candidate (the middle, on the preferred side), unchecked.
    let (steps, sides) = if quick { (1, 1) } else { (17, 2) };
    for step in 0..steps {
        // 0.5, 0.45, 0.55, 0.4, 0.6, … 0.1, 0.9
        let k = f64::from((step + 1) / 2);
        let t = 0.5 + if step % 2 == 1 { -0.05 } else { 0.05 } * k;
        let p = curve.point(t);
        let (p0, p1) = (curve.point(t - 0.01), curve.point(t + 0.01));
        let d = unit(p1.x - p0.x, p1.y - p0.y);
        for (side, flip) in [(0, below), (1, !below)].into_iter().take(sides) {
            // The normal pointing up, or down for the other side.
            let mut n = Point::new(d.y, -d.x);
            if n.y > 0.0 || (n.y == 0.0 && n.x > 0.0) {
                n = Point::new(-n.x, -n.y);
            }
            if flip {
                n = Point::new(-n.x, -n.y);
            }
            // Far enough along the normal for the box to clear the tangent, or less when the
            // curve bends away from it: the nearest push that keeps the box off its own line.
            let most = n.x.abs() * w / 2.0 + n.y.abs() * h / 2.0 + 2.0;
            let mut push = n.y.abs() * h / 2.0 + 2.0;
            let (at, b) = loop {
                let centre = Point::new(p.x + n.x * push, p.y + n.y * push);
                // Baseline from the box's centre (the box spans 12.7 above it to 4.3 below).
                let at = Point::new(centre.x, centre.y + 4.2);
                let b = label_box(text, at);
                if push >= most || !lines[own].iter().any(|&q| b.grown(1.0).holds(q)) {
                    break (at, b);
                }
                push = (push + 2.0).min(most);
            };
            if quick {
                return (0.0, at);
            }
            let near = hard.boxes.near(b);
            let blocked = near
                .into_iter()
                .filter(|&i| hard.hard[i].overlaps(b))
                .count()
                + usize::from(canvas_top.is_some_and(|top| b.1 < top));
            let mut cost = blocked as f64 * 1000.0 + (t - 0.5).abs() * 60.0 + side as f64 * 8.0;
            // Counted first, added once: the cost does not depend on the order lines come in.
            let (mut own_line, mut others) = (0.0, 0.0);
            for i in hard.lines.near(b) {
                if lines[i].iter().any(|&q| b.holds(q)) {
                    if i == own {
                        own_line = 60.0;
                    } else {
                        others += 50.0;
                    }
                }
            }
            cost += own_line + others;
            if cost < best.0 {
                best = (cost, at);
            }
        }
    }
    best
}

fn edge_geometry(
    graph: &Graph,
    centers: &[Point],
    shapes: &[Shape],
    style: Style,
    canvas_top: Option<f64>,
) -> Vec<EdgeGeometry> {
    let n = graph.edges.len();
    // Parallel edges (several bindings between one pair) and where this one is among them.
    let pair = |e: usize| (graph.edges[e].from.0, graph.edges[e].to.0);
    let mut per_pair: SortedMap<(usize, usize), usize> = SortedMap::new();
    for e in 0..n {
        *per_pair.get_or_default(pair(e)) += 1;
    }
    let mut seen: SortedMap<(usize, usize), usize> = SortedMap::new();
    let siblings: Vec<(usize, usize)> = (0..n)
        .map(|e| {
            let k = seen.get_or_default(pair(e));
            *k += 1;
            (*k - 1, per_pair.get(&pair(e)).copied().unwrap_or(1))
        })
        .collect();
    let curves: Vec<Curve> = (0..n)
        .map(|e| {
            let (k, count) = siblings[e];
            let offset = (k as f64 - (count as f64 - 1.0) / 2.0) * PARALLEL_SPREAD;
            route(graph, e, centers, shapes, offset)
        })
        .collect();
    let arrows: Vec<[Point; 3]> = curves.iter().map(|c| arrowhead(c.to, c.c2)).collect();
    let lines: Vec<Vec<Point>> = curves
        .iter()
        .map(|c| (0..=64).map(|i| c.point(f64::from(i) / 64.0)).collect())
        .collect();
    let mut hard = node_bounds(graph, centers, shapes, style);
    for [tip, a, b] in &arrows {
        let xs = [tip.x, a.x, b.x];
        let ys = [tip.y, a.y, b.y];
        let min = |v: [f64; 3]| v.iter().copied().fold(f64::MAX, f64::min);
        let max = |v: [f64; 3]| v.iter().copied().fold(f64::MIN, f64::max);
        hard.push(Bounds(min(xs), min(ys), max(xs), max(ys)).grown(2.0));
    }
    let mut near = Near::new(hard, &lines);
    // A huge topology gets simpler labels rather than a frozen tab: past LABEL_SEARCH_LIMIT
    // labelled edges each label sits at its edge's middle, unchecked (BENCHMARKS.md, layout).
    let labelled = graph.edges.iter().filter(|e| e.label.is_some()).count();
    let quick = labelled > LABEL_SEARCH_LIMIT;
    (0..n)
        .map(|e| {
            let curve = curves[e];
            let mid = curve.point(0.5);
            let (label_at, label) = match &graph.edges[e].label {
                Some(text) => {
                    // Labels go above their edge as in the tutorials, except the lower of
                    // parallel edges, whose label goes under it (`lazy.#` in tutorial 5).
                    let (k, count) = siblings[e];
                    let below = count > 1 && 2 * k + 1 > count;
                    let mut place = |t: &str| {
                        place_label(t, &curve, below, &mut near, &lines, e, canvas_top, quick)
                    };
                    let (mut cost, mut at) = place(text);
                    let mut shown = text.clone();
                    // Nowhere to put all of it (a cost of 1000 means it covers something):
                    // drop characters from the end until it fits.
                    let mut keep = text.chars().count();
                    while cost >= 1000.0 && keep > 3 {
                        keep -= (keep / 8).max(1);
                        let short: String = text.chars().take(keep).chain(['…']).collect();
                        let (c, a) = place(&short);
                        if c < cost {
                            (cost, at, shown) = (c, a, short);
                        }
                    }
                    near.add(label_box(&shown, at).grown(1.0));
                    (at, Some(shown))
                }
                None => (Point::new(mid.x, mid.y - 5.0), None),
            };
            EdgeGeometry {
                arrow: arrows[e],
                label_at,
                path: curve.polyline(24),
                label,
                curve,
            }
        })
        .collect()
}

/// What labels keep clear of, filed by place: the boxes (nodes, captions, arrowheads, placed
/// labels) and the sampled points of every edge's line.
struct Near {
    hard: Vec<Bounds>,
    boxes: Grid,
    lines: Grid,
}

impl Near {
    fn new(hard: Vec<Bounds>, lines: &[Vec<Point>]) -> Near {
        let extent = Grid::extent(&hard, lines);
        let mut boxes = Grid::new(extent);
        for (i, &b) in hard.iter().enumerate() {
            boxes.insert(i, b);
        }
        let mut by_line = Grid::new(extent);
        for (i, line) in lines.iter().enumerate() {
            for p in line {
                by_line.insert(i, Bounds(p.x, p.y, p.x, p.y));
            }
        }
        Near {
            hard,
            boxes,
            lines: by_line,
        }
    }

    fn add(&mut self, b: Bounds) {
        self.boxes.insert(self.hard.len(), b);
        self.hard.push(b);
    }
}

mod grid;

#[cfg(test)]
mod no_overlap;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::graph::{Node, NodeId};

    /// Past the search limit every label still shows whole, at its edge's middle.
    #[test]
    fn a_huge_topology_gets_simple_whole_labels() {
        let mut g = Graph::default();
        let x = g.add(Node::exchange("x", None));
        let q = g.add(Node::queue("q", None));
        for k in 0..=LABEL_SEARCH_LIMIT {
            g.connect(x, q, Some(&format!("a.rather.long.key.{k}")));
        }
        let l = layout(&g);
        for (e, geometry) in l.edges.iter().enumerate() {
            assert_eq!(
                geometry.label.as_deref(),
                g.edges[e].label.as_deref(),
                "edge {e}"
            );
            let mid = geometry.curve.point(0.5);
            let dx = (geometry.label_at.x - mid.x).abs();
            // (A few units along the normal, never along the edge as a search would move it.)
            assert!(dx < 3.0, "edge {e} labelled at its middle: {dx} off");
        }
    }

    fn hello_world() -> Graph {
        let mut g = Graph::default();
        let p = g.add(Node::producer("P", None));
        let q = g.add(Node::queue("hello", Some("hello")));
        let c = g.add(Node::consumer("C", None));
        g.connect(p, q, None);
        g.connect(q, c, None);
        g
    }

    #[test]
    fn hello_world_is_one_row_in_tutorial_proportions() {
        let l = layout(&hello_world());
        let [p, q, c] = [l.centers[0], l.centers[1], l.centers[2]];
        assert_eq!(p.y, q.y);
        assert_eq!(q.y, c.y);
        // 36 pt gaps between shapes: P's right edge to the queue's left edge.
        assert!(((q.x - 48.75) - (p.x + 27.0) - GAP).abs() < 1e-9);
        assert!(((c.x - 27.0) - (q.x + 48.75) - GAP).abs() < 1e-9);
        // The tutorial's canvas is about 286 × 102 pt; ours holds the same shapes and caption.
        assert!((l.width - 285.5).abs() < 1.0, "{}", l.width);
        assert!(l.height > 56.0 && l.height < 102.0, "{}", l.height);
        // Edges run straight from outline to outline.
        assert_eq!(l.edges[0].curve.from.x, p.x + 27.0);
        assert_eq!(l.edges[0].curve.to.x, q.x - 48.75);
        assert_eq!(l.edges[1].curve.to.x, c.x - 27.0);
    }

    #[test]
    fn work_queue_consumers_stack_54_apart_around_the_queue() {
        let mut g = Graph::default();
        let p = g.add(Node::producer("P", None));
        let q = g.add(Node::queue("task_queue", None));
        let c1 = g.add(Node::consumer("C1", Some("1")));
        let c2 = g.add(Node::consumer("C2", Some("2")));
        g.connect(p, q, None);
        g.connect(q, c1, None);
        g.connect(q, c2, None);
        let l = layout(&g);
        assert_eq!(l.centers[c2.0].y - l.centers[c1.0].y, PLAIN_PITCH);
        assert_eq!(
            l.centers[q.0].y,
            (l.centers[c1.0].y + l.centers[c2.0].y) / 2.0
        );
        assert_eq!(l.centers[p.0].y, l.centers[q.0].y);
        assert!(l.centers[c1.0].x > l.centers[q.0].x);
    }

    #[test]
    fn topics_widen_the_labelled_gap_and_keep_parallel_edges_apart() {
        let mut g = Graph::default();
        let p = g.add(Node::producer("P", None));
        let x = g.add(Node::exchange("topic_logs", Some("type=topic")));
        let q1 = g.add(Node::queue("Q1", Some("Q1")));
        let q2 = g.add(Node::queue("Q2", Some("Q2")));
        let c1 = g.add(Node::consumer("C1", Some("1")));
        let c2 = g.add(Node::consumer("C2", Some("2")));
        g.connect(p, x, None);
        g.connect(x, q1, Some("*.orange.*"));
        g.connect(x, q2, Some("*.*.rabbit"));
        g.connect(x, q2, Some("lazy.#"));
        g.connect(q1, c1, None);
        g.connect(q2, c2, None);
        let l = layout(&g);
        let gap = (l.centers[q1.0].x - 48.75) - (l.centers[x.0].x + 27.0);
        assert!((gap - 128.0).abs() < 1e-9, "{gap}");
        assert_eq!(l.centers[q2.0].y - l.centers[q1.0].y, CAPTIONED_PITCH);
        assert_eq!(
            l.centers[x.0].y,
            (l.centers[q1.0].y + l.centers[q2.0].y) / 2.0
        );
        // `lazy.#` is the lower of the two parallel edges.
        assert!(l.edges[3].label_at.y > l.edges[2].label_at.y);
        // Bindings enter the queues at their left ends, not at a corner.
        assert_eq!(
            l.edges[1].curve.to,
            Point::new(l.centers[q1.0].x - 48.75, l.centers[q1.0].y)
        );
        assert_eq!(l.edges[2].curve.to.x, l.centers[q2.0].x - 48.75);
        // The tutorial canvas is about 502 × 188 pt.
        assert!(l.width > 440.0 && l.width < 520.0, "{}", l.width);
        assert!(l.height >= 140.0 && l.height < 200.0, "{}", l.height);
    }

    #[test]
    fn a_dead_letter_cycle_does_not_break_ranking() {
        let mut g = Graph::default();
        let x = g.add(Node::exchange("work", None));
        let q = g.add(Node::queue("work", Some("work")));
        let dlx = g.add(Node::exchange("retry", None));
        let retry = g.add(Node::queue("retry", Some("retry")));
        g.connect(x, q, None);
        g.connect(q, dlx, None);
        g.connect(dlx, retry, None);
        g.connect(retry, x, None);
        let l = layout(&g);
        let xs: Vec<f64> = l.centers.iter().map(|c| c.x).collect();
        assert!(xs[0] < xs[1] && xs[1] < xs[2] && xs[2] < xs[3], "{xs:?}");
        assert!(l.width.is_finite() && l.height.is_finite());
        // The loop closes under the row, not back through `work` and `retry`: from under the
        // waiting queue up into the exchange's bottom, arrowhead pointing up, all on the canvas.
        let (back, row) = (&l.edges[3], l.centers[0].y);
        assert_eq!(back.curve.to, Point::new(l.centers[0].x, row + 18.0));
        assert!(back.curve.c1.y > row + 18.0 && back.curve.c2.y > row + 18.0);
        let [tip, a, b] = back.arrow;
        assert!(a.y > tip.y && b.y > tip.y, "{:?}", back.arrow);
        assert!(l.height >= back.curve.point(0.5).y + MARGIN);
        let _ = NodeId(0);
    }

    #[test]
    fn a_moved_node_takes_its_edges_along_and_stays_on_the_canvas() {
        let g = hello_world();
        let before = layout(&g);
        let moved = with_moves(&g, before.clone(), &[(2, Point::new(400.0, 150.0))]);
        assert_eq!(moved.centers[2], Point::new(400.0, 150.0));
        let tip = moved.edges[1].curve.to;
        let on = ((tip.x - 400.0) / 27.0).powi(2) + ((tip.y - 150.0) / 18.0).powi(2);
        assert!(
            (on - 1.0).abs() < 1e-9,
            "the edge ends on C's outline: {tip:?}"
        );
        assert_eq!(moved.edges[0], before.edges[0], "P → hello did not move");
        assert!(moved.width >= 400.0 + 27.0 && moved.height >= 150.0 + 18.0);
        let clamped = with_moves(&g, before, &[(0, Point::new(-50.0, -50.0))]);
        assert_eq!(
            clamped.centers[0],
            Point::new(27.0 + MARGIN, 18.0 + 14.0 + CAPTION_RISE + MARGIN)
        );
    }

    #[test]
    fn a_label_with_no_room_anywhere_along_its_edge_is_shortened_to_fit() {
        let mut g = Graph::default();
        let a = g.add(Node::producer("A", None));
        let b = g.add(Node::consumer("B", None));
        let up = g.add(Node::queue("up", None));
        let down = g.add(Node::queue("down", None));
        let long = "a.binding.key.far.too.long.for.the.room.between.these.nodes";
        g.connect(a, b, Some(long));
        // Two queues hem the middle of the edge in from above and below.
        let moves = [
            (a, Point::new(60.0, 100.0)),
            (b, Point::new(400.0, 100.0)),
            (up, Point::new(230.0, 70.0)),
            (down, Point::new(230.0, 130.0)),
        ]
        .map(|(id, p)| (id.0, p));
        let l = with_moves(&g, layout(&g), &moves);
        let shown = l.edges[0].label.clone().unwrap();
        assert!(shown.ends_with('…') && shown.len() < long.len(), "{shown}");
        assert!(long.starts_with(shown.trim_end_matches('…')));
        let label = label_box(&shown, l.edges[0].label_at);
        for (c, s) in l.centers.iter().zip(&l.shapes) {
            let (hw, hh) = (s.width() / 2.0, s.height() / 2.0);
            assert!(!label.overlaps(Bounds(c.x - hw, c.y - hh, c.x + hw, c.y + hh)));
        }
        // Laid out without the squeeze, it has room and is drawn whole.
        assert_eq!(layout(&g).edges[0].label.as_deref(), Some(long));
    }

    #[test]
    fn an_empty_graph_has_a_tiny_canvas() {
        let l = layout(&Graph::default());
        assert_eq!((l.width, l.height), (2.0 * MARGIN, 2.0 * MARGIN));
    }
}
