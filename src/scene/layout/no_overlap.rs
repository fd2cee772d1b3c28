//! Every preset, laid out in every drawing style, keeps its edge labels clear of the nodes
//! (shapes, captions, client counters), of each other and of the arrowheads. The boxes are
//! measured here on their own terms (0.55 em per character of 14 pt text, the captions and
//! counters where `diagram.rs` draws them), not with the layout's own estimate.

use crate::scene::graph::NodeKind;
use crate::scene::layout::CAPTION_RISE;
use crate::scene::{Graph, Layout, Point, Style};
use crate::sim::{presets, Playground};

/// An axis-aligned box: left, top, right, bottom.
#[derive(Clone, Copy, Debug)]
struct Box2(f64, f64, f64, f64);

impl Box2 {
    fn overlaps(self, o: Box2) -> bool {
        self.0 < o.2 && o.0 < self.2 && self.1 < o.3 && o.1 < self.3
    }
    fn holds(self, p: Point) -> bool {
        p.x > self.0 && p.x < self.2 && p.y > self.1 && p.y < self.3
    }
}

/// 14 pt text centred on `x` with its baseline at `y`.
fn text_box(text: &str, x: f64, baseline: f64, size: f64) -> Box2 {
    let half = text.chars().count() as f64 * 0.55 * size / 2.0;
    Box2(
        x - half,
        baseline - 0.8 * size,
        x + half,
        baseline + 0.2 * size,
    )
}

/// What a node occupies: its shape, the caption above it, the counter under a client.
fn node_boxes(graph: &Graph, layout: &Layout, style: Style) -> Vec<(String, Box2)> {
    let mut out = Vec::new();
    for (i, node) in graph.nodes.iter().enumerate() {
        let (c, s) = (layout.centers[i], layout.shapes[i]);
        let (hw, hh) = (s.width() / 2.0, s.height() / 2.0);
        out.push((
            node.name.clone(),
            Box2(c.x - hw, c.y - hh, c.x + hw, c.y + hh),
        ));
        let caption_above = !(style == Style::Current && node.kind == NodeKind::Queue);
        if let (Some(caption), true) = (&node.caption, caption_above) {
            let b = text_box(caption, c.x, c.y - hh - CAPTION_RISE, 14.0);
            out.push((format!("caption {caption}"), b));
        }
        if matches!(node.kind, NodeKind::Producer | NodeKind::Consumer) {
            // `0 received` in 8 pt under the ellipse.
            let b = text_box("0 received", c.x, c.y + hh + 11.0, 8.0);
            out.push((format!("counter of {}", node.name), b));
        }
    }
    out
}

#[test]
fn labels_clear_nodes_other_labels_and_arrowheads_in_every_preset_and_style() {
    let mut problems = Vec::new();
    for name in presets::NAMES {
        for style in [Style::Classic, Style::Current] {
            let mut pg = Playground::new(presets::by_name(name).unwrap()).unwrap();
            pg.set_style(style);
            let (graph, layout) = (pg.graph(), pg.layout());
            let nodes = node_boxes(graph, layout, style);
            let labels: Vec<(String, Box2)> = graph
                .edges
                .iter()
                .zip(&layout.edges)
                .filter_map(|(e, g)| {
                    // What is drawn: the label, or its shortened form.
                    let text = g.label.as_ref()?;
                    let full = e.label.as_deref().unwrap_or_default();
                    assert!(text == full || text.ends_with('…'), "{text} for {full}");
                    Some((
                        text.clone(),
                        text_box(text, g.label_at.x, g.label_at.y, 14.0),
                    ))
                })
                .collect();
            for (i, (text, b)) in labels.iter().enumerate() {
                for (what, n) in &nodes {
                    if b.overlaps(*n) {
                        problems.push(format!("{name}/{style:?}: label {text:?} on {what}"));
                    }
                }
                for (other, o) in &labels[i + 1..] {
                    if b.overlaps(*o) {
                        problems.push(format!("{name}/{style:?}: label {text:?} on {other:?}"));
                    }
                }
                for (e, g) in graph.edges.iter().zip(&layout.edges) {
                    if g.arrow.iter().any(|p| b.holds(*p)) {
                        let to = &graph.nodes[e.to.0].name;
                        problems.push(format!(
                            "{name}/{style:?}: label {text:?} hides the arrow into {to}"
                        ));
                    }
                }
            }
            // Every label is on the canvas.
            for (text, b) in &labels {
                if b.0 < 0.0 || b.1 < 0.0 || b.2 > layout.width || b.3 > layout.height {
                    problems.push(format!("{name}/{style:?}: label {text:?} off the canvas"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
