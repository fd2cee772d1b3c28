//! The topology drawn like the tutorial diagrams, with message tokens on top. Nodes are
//! selected by click, tap or Enter, moved by dragging, and linked: the selected exchange shows
//! a "+" handle to drag onto a queue or an exchange (or click, then click the target; or `B`,
//! arrows, Enter), Shift/Alt-drag from an exchange does the same, and on a touch screen
//! tapping an exchange then a target links them. Binding edges can be
//! selected and deleted. Each message's end (unroutable, returned, expired, dropped,
//! dead-lettered) has its own labelled effect.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::Element;
use yew::prelude::*;

use crate::anim::{Leg, Tween};
use crate::scene::layout::CAPTION_RISE;
use crate::scene::{Graph, Layout, Node, NodeKind, Point, Shape, Style, Theme};
use crate::sim::{QueueCounts, StreamView};
use crate::state::{use_playground, Action, Linking, PlaygroundState};

mod queue;

use queue::render_queue;

const CLASSIC_FONT: &str = "Times New Roman, Times, serif";
const CURRENT_FONT: &str = "trebuchet ms, verdana, arial, sans-serif";

fn font(theme: Theme) -> &'static str {
    match theme.style() {
        Style::Classic => CLASSIC_FONT,
        Style::Current => CURRENT_FONT,
    }
}
/// Room under the diagram for the small counters under P and C.
const COUNTER_ROOM: f64 = 14.0;
/// Screen pixels per diagram point.
const ZOOM: f64 = 2.0;

/// What a node shows besides its shape: a queue's counts, a client's counter.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    /// Ready/unacked (queues).
    pub counts: QueueCounts,
    /// `1 sent`, `2 received` (producers, consumers).
    pub counter: Option<String>,
    /// A stream's log (queues that are streams).
    pub stream: Option<StreamView>,
}

/// The diagram of the current scenario: the topology (redrawn only when it or a count
/// changes) under the tokens (redrawn every frame).
#[component]
pub fn Diagram() -> Html {
    let state = use_playground();
    let engine = state.engine.borrow();
    let (graph, layout) = (engine.graph_rc(), engine.layout_rc());
    let snapshot = engine.snapshot();
    let theme = state.theme;
    let pal = theme.palette();
    let (w, h) = (layout.width, layout.height + COUNTER_ROOM);
    let marks: Vec<Mark> = graph
        .nodes
        .iter()
        .map(|node| match node.kind {
            NodeKind::Queue => Mark {
                counts: snapshot
                    .queues
                    .iter()
                    .find(|(q, _)| *q == node.name)
                    .map(|(_, c)| *c)
                    .unwrap_or_default(),
                counter: None,
                stream: engine.stream_view(&node.name),
            },
            NodeKind::Producer => Mark {
                counts: QueueCounts::default(),
                counter: snapshot
                    .producers
                    .iter()
                    .find(|(n, _)| *n == node.name)
                    .map(|(_, sent)| format!("{sent} sent")),
                stream: None,
            },
            NodeKind::Consumer => Mark {
                counts: QueueCounts::default(),
                counter: snapshot
                    .consumers
                    .iter()
                    .find(|c| c.name == node.name)
                    .map(|c| {
                        let manual = engine
                            .scenario()
                            .consumers
                            .iter()
                            .any(|s| s.name == c.name && !s.auto_ack);
                        // Delivered, neither acked nor refused yet: still being worked on.
                        let busy = c.received.saturating_sub(c.acked + c.refused);
                        let mut text = format!("{} received", c.received);
                        if manual && busy > 0 {
                            text.push_str(&format!(", {busy} unacked"));
                        }
                        if !c.consuming {
                            text.push_str(", stopped");
                        }
                        text
                    }),
                stream: None,
            },
            NodeKind::Exchange => Mark {
                counts: QueueCounts::default(),
                counter: None,
                stream: None,
            },
        })
        .collect();

    // With `prefers-reduced-motion` tokens move in steps, node to node, instead of travelling.
    let reduced = reduced_motion();
    let tokens = engine.tokens().into_iter().map(|sample| {
        let p = if reduced {
            sample.tween.stepped_at(&layout, sample.progress)
        } else {
            sample.tween.point_at(&layout, sample.progress)
        };
        let key = sample.tween.token.0.to_string();
        match sample.tween.fate {
            // A message that ends here fades out under a label saying why; each fate has its
            // own look so they can be told apart at a glance (and by the label's words).
            Some(fate) => {
                let t = sample.progress.clamp(0.0, 1.0);
                let look = fate_look(fate);
                // Dropped messages fall; expired ones shrink away; the others stay put.
                // At a queue the label goes under it (its caption is above); at the exchange
                // an unroutable one goes above and a returned one below, as both start there.
                let label_y = match fate {
                    "unroutable" => (p.y - 14.0).max(9.0),
                    "returned" => p.y + 20.0,
                    _ => p.y + 30.0,
                };
                let (y, r) = match fate {
                    "dropped" => (p.y + 18.0 * t, 5.0),
                    "expired" => (p.y, 5.0 * (1.0 - 0.8 * t)),
                    _ => (p.y, 5.0),
                };
                html! {
                    <g key={key} class="token fate" data-fate={fate}
                        opacity={format!("{:.2}", fade(sample.tween, sample.progress))}>
                        if fate == "unroutable" {
                            // A cross where no binding took it.
                            <path d={format!("M{} {}l8 8M{} {}l-8 8", fmt(p.x - 4.0), fmt(y - 4.0), fmt(p.x + 4.0), fmt(y - 4.0))}
                                stroke={look.stroke} stroke-width="2.5" stroke-linecap="round" />
                        } else {
                            <circle cx={fmt(p.x)} cy={fmt(y)} r={fmt(r)} fill={look.fill}
                                stroke={look.stroke} stroke-width="1.5" stroke-dasharray={look.dash} />
                        }
                        <text x={fmt(p.x)} y={fmt(label_y)} text-anchor="middle" font-size="9"
                            font-family={font(theme)} fill={look.stroke} stroke={pal.halo} stroke-width="3"
                            paint-order="stroke">{ look.label }</text>
                    </g>
                }
            }
            // One click handler on the group serves every token (see `pick_token`): no
            // per-token closure or formatted title to build on every frame.
            None => {
                let count = sample.tween.delivery_count;
                // A static text for the usual token: nothing formatted per token per frame.
                let title = match count {
                    None => html! { "a message: click for its history" },
                    Some(n) => html! { format!("a message delivered before {n}×: click for its history") },
                };
                let circle = html! {
                    <circle key={key.clone()} class="token" cx={fmt(p.x)} cy={fmt(p.y)} r="5"
                        data-message={sample.tween.message.map(|m| m.to_string())}
                        fill={pal.token} stroke={pal.stroke} stroke-width="1">
                        <title>{ title }</title>
                    </circle>
                };
                match count {
                    None => circle,
                    // A quorum queue's redelivery: its count rides beside the token.
                    Some(n) => html! {
                        <g key={key} class="token-counted" data-delivery-count={n.to_string()}>
                            { circle }
                            <text class="delivery-count" x={fmt(p.x + 7.0)} y={fmt(p.y - 5.0)} font-size="8"
                                font-family={font(theme)} fill={pal.text} stroke={pal.halo} stroke-width="2"
                                paint-order="stroke">{ format!("×{n}") }</text>
                        </g>
                    },
                }
            }
        }
    });
    let pick_token = {
        let state = state.clone();
        Callback::from(move |e: MouseEvent| {
            let id = e
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|el| el.closest("circle.token").ok().flatten())
                .and_then(|el| el.get_attribute("data-message"))
                .and_then(|m| m.parse::<u64>().ok());
            if let Some(id) = id {
                e.stop_propagation();
                state.dispatch(Action::SelectMessage(Some(id)));
            }
        })
    };

    html! {
        <svg class="diagram" xmlns="http://www.w3.org/2000/svg"
            viewBox={format!("0 0 {} {}", fmt(w), fmt(h))}
            width={fmt(w * ZOOM * state.zoom)} height={fmt(h * ZOOM * state.zoom)}
            // Zoomed past the page width the canvas scrolls: that is the pan.
            style={(state.zoom > 1.0).then_some("max-width: none")}
            role="group" aria-label={aria_label(&graph.nodes)}>
            <Topology graph={graph.clone()} layout={layout.clone()} marks={marks}
                selected={state.selected.clone()} selected_edge={state.selected_edge}
                linking={state.linking.clone()} dispatch={state.dispatcher()} theme={theme} />
            <g class="tokens" onclick={pick_token}>{ for tokens }</g>
        </svg>
    }
}

/// Whether the learner asks their system for less motion (`prefers-reduced-motion: reduce`),
/// as of now: the query is made once, its live answer read every frame.
fn reduced_motion() -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        thread_local! {
            static QUERY: Option<web_sys::MediaQueryList> = web_sys::window()
                .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten());
        }
        QUERY.with(|q| q.as_ref().is_some_and(|m| m.matches()))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        false
    }
}

/// How a message's fate is drawn.
struct FateLook {
    fill: &'static str,
    stroke: &'static str,
    dash: &'static str,
    label: &'static str,
}

fn fate_look(fate: &'static str) -> FateLook {
    let (fill, stroke, dash, label) = match fate {
        "unroutable" => ("none", "#b00020", "", "✕ unroutable"),
        "returned" => ("#ff9800", "#e65100", "", "↩ returned"),
        "expired" => ("#ffffff", "#757575", "2 1", "◔ expired"),
        "dropped" => ("#9e9e9e", "#4e342e", "", "↓ dropped"),
        "dead-lettered" => ("#8e24aa", "#4a148c", "", "☠ dead-lettered"),
        other => ("#9e9e9e", "#000000", "2 1", other),
    };
    FateLook {
        fill,
        stroke,
        dash,
        label,
    }
}

/// A message that ends where it is fades out; one on its way back (returned) stays solid.
fn fade(tween: &Tween, progress: f64) -> f64 {
    if tween.legs.iter().all(|l| matches!(l, Leg::Stay(_))) {
        1.0 - progress
    } else {
        1.0
    }
}

/// A node being dragged: where the pointer and the node started.
struct Drag {
    key: (NodeKind, String),
    from: (f64, f64),
    center: Point,
    units_per_px: f64,
    moved: bool,
}

/// Props of [`Topology`]: all cheap to compare, so frames that only move tokens skip it.
#[derive(Properties, PartialEq)]
pub struct TopologyProps {
    /// Nodes and edges.
    pub graph: Rc<Graph>,
    /// Where they go.
    pub layout: Rc<Layout>,
    /// Per node: counts and counters.
    pub marks: Vec<Mark>,
    /// The selected node.
    pub selected: Option<(NodeKind, String)>,
    /// The selected edge.
    pub selected_edge: Option<usize>,
    /// The binding being drawn, if any.
    pub linking: Option<Linking>,
    /// Where selections and deletions go.
    pub dispatch: UseReducerDispatcher<PlaygroundState>,
    /// The look.
    pub theme: Theme,
}

/// A binding being dragged out of an exchange's link handle.
struct LinkDrag {
    from: String,
    start: (f64, f64),
    /// Where the rubber band starts (diagram units).
    origin: Point,
    moved: bool,
}

/// The pointer moved during a link gesture: stretch the rubber band (after a few pixels).
fn link_stretch(
    link_drag: &RefCell<Option<LinkDrag>>,
    rubber: &UseStateHandle<Option<(Point, Point)>>,
    e: &PointerEvent,
    width: f64,
) -> bool {
    let mut d = link_drag.borrow_mut();
    let Some(d) = d.as_mut() else {
        return false;
    };
    let dx = f64::from(e.client_x()) - d.start.0;
    let dy = f64::from(e.client_y()) - d.start.1;
    if d.moved || dx.hypot(dy) >= 4.0 {
        d.moved = true;
        rubber.set(diagram_point(e, width).map(|p| (d.origin, p)));
    }
    true
}

/// The pointer went up at the end of a link gesture: a drag ends on its target (or on
/// nothing, which cancels); a press without moving starts click-then-click. Returns whether
/// a gesture was under way.
fn link_release(
    link_drag: &RefCell<Option<LinkDrag>>,
    rubber: &UseStateHandle<Option<(Point, Point)>>,
    dispatch: &UseReducerDispatcher<PlaygroundState>,
    e: &PointerEvent,
) -> bool {
    let Some(d) = link_drag.borrow_mut().take() else {
        return false;
    };
    rubber.set(None);
    dispatch.dispatch(Action::StartLink(d.from.clone()));
    if d.moved {
        match node_at(e.client_x(), e.client_y()) {
            Some((kind, name)) if !(kind == NodeKind::Exchange && name == d.from) => {
                dispatch.dispatch(Action::LinkTo(kind, name));
            }
            // Dropped on nothing: no binding.
            _ => dispatch.dispatch(Action::CancelLink),
        }
    }
    true
}

/// Diagram coordinates of a pointer event, from the SVG's rendered box.
fn diagram_point(e: &PointerEvent, width: f64) -> Option<Point> {
    let svg = e
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())?
        .closest("svg")
        .ok()
        .flatten()?;
    let rect = svg.get_bounding_client_rect();
    if rect.width() <= 0.0 {
        return None;
    }
    let scale = width / rect.width();
    Some(Point::new(
        (f64::from(e.client_x()) - rect.left()) * scale,
        (f64::from(e.client_y()) - rect.top()) * scale,
    ))
}

/// The node under a screen point: its kind and name, from the `g.pick` element there.
fn node_at(x: i32, y: i32) -> Option<(NodeKind, String)> {
    let document = web_sys::window()?.document()?;
    let pick = document
        .element_from_point(x as f32, y as f32)?
        .closest("g.pick")
        .ok()
        .flatten()?;
    let kind = NodeKind::by_id(&pick.get_attribute("data-kind")?)?;
    Some((kind, pick.get_attribute("data-name")?))
}

/// Moves keyboard focus to the next (or previous) node a binding from `source` can go to:
/// the queues and the other exchanges, in drawing order.
fn focus_next_target(from: &Element, source: &str, forward: bool) {
    let Some(svg) = from.closest("svg").ok().flatten() else {
        return;
    };
    let Ok(list) = svg.query_selector_all("g.pick[data-kind=exchange], g.pick[data-kind=queue]")
    else {
        return;
    };
    let all: Vec<Element> = (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect();
    let is_source = |el: &Element| {
        el.get_attribute("data-kind").as_deref() == Some("exchange")
            && el.get_attribute("data-name").as_deref() == Some(source)
    };
    let targets: Vec<&Element> = all.iter().filter(|t| !is_source(t)).collect();
    if targets.is_empty() {
        return;
    }
    let n = targets.len();
    let next = match targets.iter().position(|t| *t == from) {
        Some(i) if forward => (i + 1) % n,
        Some(i) => (i + n - 1) % n,
        None => {
            // From the source: the first target after it in drawing order (or before it,
            // going back), wrapping around.
            let at = all.iter().position(|t| t == from).unwrap_or(0);
            let after = targets
                .iter()
                .position(|t| all.iter().position(|a| a == *t).unwrap_or(0) > at);
            match (after, forward) {
                (Some(i), true) => i,
                (Some(i), false) => (i + n - 1) % n,
                (None, true) => 0,
                (None, false) => n - 1,
            }
        }
    };
    // `focus()` exists on SVG elements too; web-sys only types it on HTML ones.
    let el = targets[next];
    if let Ok(focus) =
        js_sys::Reflect::get(el, &"focus".into()).and_then(|f| f.dyn_into::<js_sys::Function>())
    {
        let _ = focus.call0(el);
    }
}

/// Edges and nodes, plus the handle and the rubber band for drawing a binding.
#[component]
pub fn Topology(props: &TopologyProps) -> Html {
    // The node being dragged, if any (kept across renders, never a reason to re-render).
    let drag: Rc<RefCell<Option<Drag>>> = use_mut_ref(|| None);
    // Whether the last press on a node was a finger (tapping an exchange then starts a link).
    let touch: Rc<RefCell<bool>> = use_mut_ref(|| false);
    let link_drag: Rc<RefCell<Option<LinkDrag>>> = use_mut_ref(|| None);
    // Where the binding being dragged ends now (diagram units).
    let rubber = use_state(|| None::<(Point, Point)>);
    // A binding started from the keyboard: focus its first target once the page has redrawn
    // (the targets are marked by that redraw).
    let focus_first_target: Rc<RefCell<Option<String>>> = use_mut_ref(|| None);
    {
        let pending = focus_first_target.clone();
        use_effect(move || {
            if let Some(source) = pending.borrow_mut().take() {
                let el = web_sys::window().and_then(|w| w.document()).and_then(|d| {
                    d.query_selector("svg.diagram g.pick.link-source")
                        .ok()
                        .flatten()
                });
                if let Some(el) = el {
                    focus_next_target(&el, &source, true);
                }
            }
        });
    }
    let (graph, layout, theme) = (&props.graph, &props.layout, props.theme);
    let pal = theme.palette();
    let edge_width = if theme.style() == Style::Current {
        "2"
    } else {
        "1"
    };
    let linking_from = props.linking.as_ref().map(|l| l.from.as_str());
    let picking = props.linking.as_ref().is_some_and(|l| l.to.is_none());
    let edges = graph.edges.iter().zip(&layout.edges).enumerate().map(|(i, (edge, g))| {
        let [tip, a, b] = g.arrow;
        let selected = props.selected_edge == Some(i);
        let stroke = if selected { "#ff6600" } else { pal.edge };
        let binding = graph.nodes.get(edge.from.0).is_some_and(|n| n.kind == NodeKind::Exchange);
        let select = {
            let dispatch = props.dispatch.clone();
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                dispatch.dispatch(Action::SelectEdge((!selected).then_some(i)));
            })
        };
        let keys = {
            let dispatch = props.dispatch.clone();
            Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
                "Enter" | " " => {
                    e.prevent_default();
                    dispatch.dispatch(Action::SelectEdge((!selected).then_some(i)));
                }
                "Delete" | "Backspace" => {
                    e.prevent_default();
                    dispatch.dispatch(Action::SelectEdge(Some(i)));
                    dispatch.dispatch(Action::DeleteSelected);
                }
                "Escape" => dispatch.dispatch(Action::SelectEdge(None)),
                _ => {}
            })
        };
        let name = |id: crate::scene::NodeId| graph.nodes.get(id.0).map_or("", |n| n.name.as_str());
        html! {
            <g class={classes!("edge", binding.then_some("binding"), selected.then_some("selected"))}
                data-edge={i.to_string()}>
                <path d={g.curve.svg_path()} fill="none" stroke={stroke}
                    stroke-width={if selected { "2.5" } else { edge_width }} />
                <polygon points={format!("{:.2},{:.2} {:.2},{:.2} {:.2},{:.2}", tip.x, tip.y, a.x, a.y, b.x, b.y)}
                    fill={stroke} stroke={stroke} stroke-width="1" />
                if binding {
                    // A wide invisible stroke makes the thin edge easy to click or tap.
                    <path class="edge-hit" d={g.curve.svg_path()} fill="none" stroke="transparent"
                        stroke-width="10" tabindex="0" role="button" aria-pressed={if selected { "true" } else { "false" }}
                        aria-label={format!("binding {} to {}{}", name(edge.from), name(edge.to),
                            edge.label.as_ref().map(|l| format!(" with key {l}")).unwrap_or_default())}
                        onclick={select} onkeydown={keys} />
                }
                if let Some(label) = &g.label {
                    // A halo keeps labels readable where parallel edges cross under them.
                    <text class="edge-label" x={fmt(g.label_at.x)} y={fmt(g.label_at.y)}
                        text-anchor="middle" font-size="14" font-family={font(theme)} fill={pal.text}
                        stroke={pal.halo} stroke-width="3" stroke-linejoin="round"
                        paint-order="stroke">{ label }</text>
                }
            </g>
        }
    });

    let nodes = graph.nodes.iter().enumerate().map(|(i, node)| {
        let (c, shape) = (layout.centers[i], layout.shapes[i]);
        let mark = props.marks.get(i).cloned().unwrap_or(Mark {
            counts: QueueCounts::default(),
            counter: None,
            stream: None,
        });
        let inner = match node.kind {
            NodeKind::Queue => render_queue(node, c, shape, mark.counts, mark.stream.as_ref(), theme),
            _ => render_ellipse(node, c, shape, mark.counter, theme),
        };
        let key = (node.kind, node.name.clone());
        let selected = props.selected.as_ref() == Some(&key);
        let is_source = linking_from == Some(node.name.as_str()) && node.kind == NodeKind::Exchange;
        let target = picking
            && !is_source
            && matches!(node.kind, NodeKind::Queue | NodeKind::Exchange);
        let select = {
            let dispatch = props.dispatch.clone();
            let key = key.clone();
            let drag = drag.clone();
            let touch = touch.clone();
            Callback::from(move |_: MouseEvent| {
                // The click that ends a drag is not a selection.
                if drag.borrow_mut().take().is_some_and(|d| d.moved) {
                    return;
                }
                if is_source {
                    dispatch.dispatch(Action::CancelLink);
                } else if picking {
                    dispatch.dispatch(Action::LinkTo(key.0, key.1.clone()));
                } else if key.0 == NodeKind::Exchange && *touch.borrow() {
                    // On a touch screen: tap the exchange, then tap the target.
                    dispatch.dispatch(Action::StartLink(key.1.clone()));
                } else {
                    dispatch.dispatch(Action::Select((!selected).then(|| key.clone())))
                }
            })
        };
        let grab = {
            let drag = drag.clone();
            let link_drag = link_drag.clone();
            let touch = touch.clone();
            let key = key.clone();
            let width = layout.width;
            Callback::from(move |e: PointerEvent| {
                *touch.borrow_mut() = e.pointer_type() == "touch";
                // Shift- or Alt-drag from an exchange draws a binding instead of moving it.
                if key.0 == NodeKind::Exchange && (e.shift_key() || e.alt_key()) {
                    if let Some(el) = e
                        .target()
                        .and_then(|t| t.dyn_into::<Element>().ok())
                        .and_then(|t| t.closest("g.pick").ok().flatten())
                    {
                        let _ = el.set_pointer_capture(e.pointer_id());
                    }
                    *link_drag.borrow_mut() = Some(LinkDrag {
                        from: key.1.clone(),
                        start: (f64::from(e.client_x()), f64::from(e.client_y())),
                        origin: c,
                        moved: false,
                    });
                    return;
                }
                // Yew delegates events, so look up from the element under the pointer.
                let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                    return;
                };
                // Diagram units per screen pixel, from the SVG's rendered width.
                let rendered = target
                    .closest("svg")
                    .ok()
                    .flatten()
                    .map_or(0.0, |svg| svg.get_bounding_client_rect().width());
                if rendered <= 0.0 {
                    return;
                }
                if let Ok(Some(node)) = target.closest("g.pick") {
                    let _ = node.set_pointer_capture(e.pointer_id());
                }
                *drag.borrow_mut() = Some(Drag {
                    key: key.clone(),
                    from: (f64::from(e.client_x()), f64::from(e.client_y())),
                    center: c,
                    units_per_px: width / rendered,
                    moved: false,
                });
            })
        };
        let pull = {
            let drag = drag.clone();
            let link_drag = link_drag.clone();
            let rubber = rubber.clone();
            let width = layout.width;
            let dispatch = props.dispatch.clone();
            Callback::from(move |e: PointerEvent| {
                if link_stretch(&link_drag, &rubber, &e, width) {
                    return;
                }
                let mut d = drag.borrow_mut();
                let Some(d) = d.as_mut() else {
                    return;
                };
                let dx = f64::from(e.client_x()) - d.from.0;
                let dy = f64::from(e.client_y()) - d.from.1;
                // A few pixels of jitter is still a click.
                if !d.moved && dx.hypot(dy) < 4.0 {
                    return;
                }
                d.moved = true;
                dispatch.dispatch(Action::MoveNode(
                    d.key.0,
                    d.key.1.clone(),
                    Point::new(
                        d.center.x + dx * d.units_per_px,
                        d.center.y + dy * d.units_per_px,
                    ),
                ));
            })
        };
        let drop_node = {
            let drag = drag.clone();
            let link_drag = link_drag.clone();
            let rubber = rubber.clone();
            let dispatch = props.dispatch.clone();
            let key = key.clone();
            Callback::from(move |e: PointerEvent| {
                if link_release(&link_drag, &rubber, &dispatch, &e) {
                    // Swallow the click that follows, as after a move.
                    *drag.borrow_mut() = Some(Drag {
                        key: key.clone(),
                        from: (0.0, 0.0),
                        center: c,
                        units_per_px: 0.0,
                        moved: true,
                    });
                    return;
                }
                // Keep a finished drag until its click arrives (and is ignored).
                let moved = drag.borrow().as_ref().is_some_and(|d| d.moved);
                if !moved {
                    drag.borrow_mut().take();
                }
            })
        };
        let keys = {
            let dispatch = props.dispatch.clone();
            let key = key.clone();
            let source = linking_from.map(str::to_string);
            let focus_first_target = focus_first_target.clone();
            Callback::from(move |e: KeyboardEvent| {
                let here = e.target().and_then(|t| t.dyn_into::<Element>().ok());
                match e.key().as_str() {
                    "Enter" | " " => {
                        e.prevent_default();
                        if is_source {
                            dispatch.dispatch(Action::CancelLink);
                        } else if picking {
                            dispatch.dispatch(Action::LinkTo(key.0, key.1.clone()));
                        } else {
                            dispatch.dispatch(Action::Select((!selected).then(|| key.clone())));
                        }
                    }
                    // B starts a binding from the focused exchange; arrows then walk the
                    // possible targets.
                    "b" | "B" if key.0 == NodeKind::Exchange && !e.ctrl_key() && !e.meta_key() => {
                        e.prevent_default();
                        *focus_first_target.borrow_mut() = Some(key.1.clone());
                        dispatch.dispatch(Action::StartLink(key.1.clone()));
                    }
                    "ArrowRight" | "ArrowDown" | "ArrowLeft" | "ArrowUp" if picking || is_source => {
                        e.prevent_default();
                        if let (Some(here), Some(source)) = (&here, &source) {
                            let forward = matches!(e.key().as_str(), "ArrowRight" | "ArrowDown");
                            focus_next_target(here, source, forward);
                        }
                    }
                    "Delete" | "Backspace" if selected => {
                        e.prevent_default();
                        dispatch.dispatch(Action::DeleteSelected);
                    }
                    "Escape" => {
                        dispatch.dispatch(Action::CancelLink);
                        dispatch.dispatch(Action::Select(None));
                    }
                    _ => {}
                }
            })
        };
        html! {
            <g key={format!("{}/{}", kind_word(node.kind), node.name)}>
            <g pointer-events="none">{ inner }</g>
            <g class={classes!("pick", selected.then_some("selected"), target.then_some("link-target"),
                    is_source.then_some("link-source"))}
                tabindex="0" role="button" aria-pressed={if selected { "true" } else { "false" }}
                data-kind={kind_word(node.kind)} data-name={node.name.clone()}
                aria-label={format!("{} {}", kind_word(node.kind), node.name)}
                onclick={select} onkeydown={keys}
                onpointerdown={grab} onpointermove={pull} onpointerup={drop_node}>
                // Always drawn, shown or hidden, so the node's children keep their places. It
                // is also what is pressed (pointer-events="all": hidden, it still takes the
                // pointer), on top of the drawing: the button has no text of its own, so its
                // name ("queue Q1") never disagrees with the words drawn under it (axe's
                // label-content-name-mismatch). On a possible target of the binding being
                // drawn (`link-target`), the style sheet shows it green.
                <rect class="selection hit" x={fmt(c.x - shape.width() / 2.0 - 4.0)}
                    y={fmt(c.y - shape.height() / 2.0 - 4.0)}
                    width={fmt(shape.width() + 8.0)} height={fmt(shape.height() + 8.0)}
                    pointer-events="all"
                    rx="4" fill="none" stroke="#ff6600" stroke-width="1.5" stroke-dasharray="4 2"
                    visibility={if selected || is_source { "visible" } else { "hidden" }} />
            </g>
            </g>
        }
    });

    // The link handle: on the selected exchange (or the one a binding is drawn from), a small
    // "+" at its right edge. Drag it onto a queue or an exchange; or click/tap it, then the
    // target.
    let handle = graph
        .nodes
        .iter()
        .enumerate()
        .find(|(_, n)| {
            n.kind == NodeKind::Exchange
                && (props.selected.as_ref() == Some(&(n.kind, n.name.clone()))
                    || linking_from == Some(n.name.as_str()))
        })
        .map(|(i, n)| {
            let (c, shape) = (layout.centers[i], layout.shapes[i]);
            let at = Point::new(c.x + shape.width() / 2.0 + 7.0, c.y);
            let width = layout.width;
            let down = {
                let link_drag = link_drag.clone();
                let from = n.name.clone();
                Callback::from(move |e: PointerEvent| {
                    e.stop_propagation();
                    e.prevent_default();
                    if let Some(el) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) {
                        let _ = el.set_pointer_capture(e.pointer_id());
                    }
                    *link_drag.borrow_mut() = Some(LinkDrag {
                        from: from.clone(),
                        start: (f64::from(e.client_x()), f64::from(e.client_y())),
                        origin: at,
                        moved: false,
                    });
                })
            };
            let stretch = {
                let link_drag = link_drag.clone();
                let rubber = rubber.clone();
                Callback::from(move |e: PointerEvent| {
                    link_stretch(&link_drag, &rubber, &e, width);
                })
            };
            let up = {
                let link_drag = link_drag.clone();
                let rubber = rubber.clone();
                let dispatch = props.dispatch.clone();
                Callback::from(move |e: PointerEvent| {
                    e.stop_propagation();
                    link_release(&link_drag, &rubber, &dispatch, &e);
                })
            };
            let cancel = {
                let link_drag = link_drag.clone();
                let rubber = rubber.clone();
                Callback::from(move |_: PointerEvent| {
                    link_drag.borrow_mut().take();
                    rubber.set(None);
                })
            };
            html! {
                <>
                    <g class="link-handle" data-from={n.name.clone()}
                        onpointerdown={down} onpointermove={stretch} onpointerup={up}
                        onpointercancel={cancel} onclick={Callback::from(|e: MouseEvent| e.stop_propagation())}>
                        <title>{ format!("Drag to a queue or an exchange to bind {} (or click, then click the target)", n.name) }</title>
                        <circle cx={fmt(at.x)} cy={fmt(at.y)} r="7" fill="#ffffff" stroke="#ff6600" stroke-width="1.5" />
                        <path d={format!("M{} {}h8M{} {}v8", fmt(at.x - 4.0), fmt(at.y), fmt(at.x), fmt(at.y - 4.0))}
                            stroke="#ff6600" stroke-width="1.5" pointer-events="none" />
                    </g>
                </>
            }
        });

    let band = rubber.unwrap_or((Point::new(0.0, 0.0), Point::new(0.0, 0.0)));
    html! {
        <>
            <g class="edges">{ for edges }</g>
            <g class="nodes">{ for nodes }</g>
            // Always there, even empty: a child appearing at the end of this list made Yew
            // re-purpose the groups before it (and drop the keyboard focus).
            <g class="link-layer">
                { for handle }
                // Always there, hidden when idle, so the handle before it keeps its element.
                <line class="rubber-band" x1={fmt(band.0.x)} y1={fmt(band.0.y)}
                    x2={fmt(band.1.x)} y2={fmt(band.1.y)} visibility={if rubber.is_some() { "visible" } else { "hidden" }}
                    stroke="#ff6600" stroke-width="1.5" stroke-dasharray="4 3" pointer-events="none" />
            </g>
        </>
    }
}

fn render_ellipse(
    node: &Node,
    c: Point,
    shape: Shape,
    counter: Option<String>,
    theme: Theme,
) -> Html {
    let Shape::Ellipse { rx, ry } = shape else {
        return Html::default();
    };
    let pal = theme.palette();
    let (kind, fill) = match node.kind {
        NodeKind::Producer => ("producer", pal.producer),
        NodeKind::Exchange => ("exchange", pal.exchange),
        _ => ("consumer", pal.consumer),
    };
    let outline = match (theme.style(), node.kind) {
        // The current look's exchange is a hexagon in the ellipse's box.
        (Style::Current, NodeKind::Exchange) => html! {
            <polygon points={format!(
                "{},{} {},{} {},{} {},{} {},{} {},{}",
                fmt(c.x - rx), fmt(c.y), fmt(c.x - rx / 2.0), fmt(c.y - ry),
                fmt(c.x + rx / 2.0), fmt(c.y - ry), fmt(c.x + rx), fmt(c.y),
                fmt(c.x + rx / 2.0), fmt(c.y + ry), fmt(c.x - rx / 2.0), fmt(c.y + ry))}
                fill={fill} stroke={pal.stroke} stroke-width="1" />
        },
        _ => html! {
            <ellipse cx={fmt(c.x)} cy={fmt(c.y)} rx={fmt(rx)} ry={fmt(ry)}
                fill={fill} stroke={pal.stroke} stroke-width="1" />
        },
    };
    html! {
        <g class={classes!("node", kind)} data-kind={kind} data-name={node.name.clone()}>
            { outline }
            <text x={fmt(c.x)} y={fmt(c.y + 5.0)} text-anchor="middle" font-size="14"
                font-family={font(theme)} fill={pal.glyph}>
                { &node.glyph }
                if let Some(sub) = &node.subscript {
                    <tspan font-size="7">{ sub }</tspan>
                }
            </text>
            { caption(node, c, ry, theme) }
            if let Some(counter) = counter {
                <text class="counter" x={fmt(c.x)} y={fmt(c.y + ry + 11.0)} text-anchor="middle"
                    font-size="8" font-family={font(theme)} fill={pal.text}>{ counter }</text>
            }
            // A real program relayed by the bridge: a small badge on the shape's corner.
            if let Some(about) = &node.real {
                <g class="real-badge">
                    <title>{ about }</title>
                    <rect x={fmt(c.x + rx - 14.0)} y={fmt(c.y - ry - 6.0)} width="22" height="11" rx="3"
                        fill={pal.stroke} />
                    <text x={fmt(c.x + rx - 3.0)} y={fmt(c.y - ry + 2.5)} text-anchor="middle"
                        font-size="7" font-family={font(theme)} fill={fill}>{ "real" }</text>
                </g>
            }
        </g>
    }
}

fn caption(node: &Node, c: Point, half_height: f64, theme: Theme) -> Html {
    match &node.caption {
        Some(text) => html! {
            <text class="caption" x={fmt(c.x)} y={fmt(c.y - half_height - CAPTION_RISE)}
                text-anchor="middle" font-size="14" font-family={font(theme)}
                fill={theme.palette().text}>{ text }</text>
        },
        None => Html::default(),
    }
}

fn aria_label(nodes: &[Node]) -> String {
    let names: Vec<String> = nodes
        .iter()
        .map(|n| format!("{} {}", kind_word(n.kind), n.name))
        .collect();
    format!("Diagram: {}", names.join(", "))
}

/// The kind in words, as the inspector and screen readers say it.
pub fn kind_word(kind: NodeKind) -> &'static str {
    kind.id()
}

fn fmt(v: f64) -> String {
    // Two decimals are plenty at our zoom and keep the DOM diff small.
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
