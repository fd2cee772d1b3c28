//! `PlaygroundState`: the page's one writer. Components and the scripting API dispatch
//! [`Action`]s; the reducer maps them to the engine (and through it to broker commands).

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

mod remote;
mod tour;

pub use remote::{attach_bridge, next_verify_id, RemoteAction, Verification};

use crate::bridge::{BridgeLink, BridgeStatus};
use crate::scene::{Graph, NodeKind, Theme};
use crate::sim::replay::{Input, Recording};
use crate::sim::scenario::View;
use crate::sim::{presets, Edit, Playground, PlaygroundError, PublishRequest, Scenario};

/// Everything that can change the playground.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Send a message from a producer.
    Publish(PublishRequest),
    /// Send `count` messages, a little apart.
    Burst(PublishRequest, u32),
    /// Make a producer (default: the first) publish steadily, in messages a second (0 stops).
    SetRate(Option<String>, f64),
    /// Start or stop a consumer.
    SetConsuming {
        /// Consumer name.
        consumer: String,
        /// Consume (true) or cancel (false).
        on: bool,
    },
    /// Let virtual time pass by this many ms at once (scripting, tests).
    Advance(u64),
    /// One animation frame of `real_ms` while playing: the clock moves by `real_ms × speed`.
    Frame(f64),
    /// Run the clock.
    Play,
    /// Stop the clock.
    Pause,
    /// Jump to the next arrival or timer.
    Step,
    /// Clock speed, 0.25–8.
    SetSpeed(f64),
    /// Replace the scenario with a preset.
    LoadPreset(String),
    /// Replace the scenario with one from a file, the API or autosave; on refusal the current
    /// one stays.
    LoadScenario(Scenario),
    /// Show a message to the user (e.g. why a saved playground could not be restored).
    Notify(String),
    /// Change the topology.
    Edit(Edit),
    /// Select a node for the inspector (or clear the selection).
    Select(Option<(NodeKind, String)>),
    /// Switch the look.
    SetTheme(Theme),
    /// Zoom the diagram: 1 fits the page; more than 1 lets it overflow and scroll (pan).
    SetZoom(f64),
    /// Move a node by hand to a new centre (diagram units).
    MoveNode(NodeKind, String, crate::scene::Point),
    /// Show one message's history (its broker id), or none.
    SelectMessage(Option<u64>),
    /// Go back to the topology before the last change.
    Undo,
    /// Redo the last undone change.
    Redo,
    /// Start drawing a binding from this exchange (drag, the link handle, or the `B` key).
    StartLink(String),
    /// Pick the node the binding being drawn goes to; the key prompt opens.
    LinkTo(NodeKind, String),
    /// Create the binding being drawn, with this key.
    FinishLink(String),
    /// Stop drawing a binding.
    CancelLink,
    /// Select a diagram edge (its index in the graph), or none.
    SelectEdge(Option<usize>),
    /// Delete the selected binding, or else the selected node.
    DeleteSelected,
    /// Rebuild the playground as it was at this virtual time (the timeline scrubber); pauses.
    Seek(u64),
    /// Restart the broker: only durable exchanges, queues and persistent messages survive.
    Restart,
    /// Something from the bridge: real clients and their frames (see `state/remote.rs`).
    Remote(RemoteAction),
    /// Go to walkthrough step `i` (0-based): Next, Back, or a jump (see `state/tour.rs`).
    Tour(usize),
}

/// A binding being drawn by hand: from an exchange, to a target once picked.
#[derive(Clone, Debug, PartialEq)]
pub struct Linking {
    /// The source exchange.
    pub from: String,
    /// The node picked as destination; the key prompt shows while it is set.
    pub to: Option<(NodeKind, String)>,
}

/// Which scenario binding a graph edge draws: edges leaving an exchange are the bindings
/// whose two ends are on the diagram, in scenario order.
pub fn binding_of_edge(scenario: &Scenario, graph: &Graph, edge: usize) -> Option<usize> {
    let e = graph.edges.get(edge)?;
    if graph.nodes.get(e.from.0)?.kind != NodeKind::Exchange {
        return None;
    }
    let nth = graph.edges[..edge]
        .iter()
        .filter(|x| graph.nodes.get(x.from.0).map(|n| n.kind) == Some(NodeKind::Exchange))
        .count();
    scenario
        .bindings
        .iter()
        .enumerate()
        .filter(|(_, b)| {
            graph.find(NodeKind::Exchange, &b.exchange).is_some()
                && graph
                    .find(
                        if b.to_exchange {
                            NodeKind::Exchange
                        } else {
                            NodeKind::Queue
                        },
                        &b.destination,
                    )
                    .is_some()
        })
        .nth(nth)
        .map(|(i, _)| i)
}

/// Topologies before (undo) and after (redo) the current one. Undo and redo rebuild the broker
/// from the scenario: the topology comes back, messages in flight do not.
#[derive(Default)]
pub struct History {
    undo: Vec<Scenario>,
    redo: Vec<Scenario>,
}

impl History {
    /// Whether there is something to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether there is something to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

/// The shared state: the engine (behind a `RefCell`, because the broker is large and not worth
/// cloning per action) plus the playback controls and a version that makes each change a new
/// value for Yew.
#[derive(Clone)]
pub struct PlaygroundState {
    /// The engine.
    pub engine: Rc<RefCell<Playground>>,
    /// Whether the clock runs.
    pub playing: bool,
    /// Clock speed.
    pub speed: f64,
    /// Sub-millisecond remainder of frames, so slow speeds still advance.
    carry: f64,
    /// The last refused action, shown to the user.
    pub error: Option<String>,
    /// The node the inspector shows.
    pub selected: Option<(NodeKind, String)>,
    /// The selected edge (index in the graph).
    pub selected_edge: Option<usize>,
    /// The binding being drawn by hand.
    pub linking: Option<Linking>,
    /// Undo and redo stacks (shared, like the engine, so frames do not copy them).
    pub history: Rc<RefCell<History>>,
    /// The user's inputs on the virtual clock since the scenario was loaded: the timeline.
    pub recording: Rc<RefCell<Recording>>,
    /// The look.
    pub theme: Theme,
    /// Diagram zoom (1 = fit).
    pub zoom: f64,
    /// The message whose history is shown.
    pub message: Option<u64>,
    /// How many actions other than animation frames have been reduced. The panels around the
    /// diagram and the autosave compare it with what they last saw: a frame reduced between an
    /// action and the next render must not hide the action from them (a count, not a "last
    /// was a frame" flag, for that reason).
    pub actions: u64,
    /// The link to `amqp-playground bridge`, when the page was opened from one.
    pub bridge: Option<BridgeLink>,
    /// What the link last reported.
    pub bridge_status: Option<BridgeStatus>,
    /// The last Verify run.
    pub verification: Option<Verification>,
    /// The walkthrough step shown (`None`: not started).
    pub tour_at: Option<usize>,
    version: u64,
}

impl PartialEq for PlaygroundState {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.engine, &other.engine) && self.version == other.version
    }
}

impl PlaygroundState {
    /// The Hello World tutorial, playing.
    pub fn hello_world() -> PlaygroundState {
        let scenario = presets::hello_world();
        let engine = Playground::new(scenario.clone())
            .expect("the hello-world preset is valid on a fresh broker");
        PlaygroundState {
            engine: Rc::new(RefCell::new(engine)),
            playing: true,
            speed: 1.0,
            carry: 0.0,
            error: None,
            selected: None,
            selected_edge: None,
            linking: None,
            history: Rc::default(),
            recording: Rc::new(RefCell::new(Recording::new(scenario))),
            theme: Theme::Classic,
            zoom: 1.0,
            message: None,
            actions: 0,
            bridge: None,
            bridge_status: None,
            verification: None,
            tour_at: None,
            version: 0,
        }
    }

    /// The scenario as a share link or a downloaded file carries it: the engine's, with how it
    /// is shown (`view`): the look and speed where the learner changed them, and the nodes
    /// they moved by hand.
    pub fn shared_scenario(&self) -> Scenario {
        let engine = self.engine.borrow();
        let mut scenario = engine.scenario().clone();
        scenario.view = View {
            theme: (self.theme != Theme::Classic).then_some(self.theme),
            speed: (self.speed != 1.0).then_some(self.speed),
            positions: engine.moved_nodes(),
        };
        scenario
    }

    /// Whether animation frames are needed.
    pub fn animating(&self) -> bool {
        let engine = self.engine.borrow();
        // Real clients keep the clock running at real time.
        (self.playing && engine.busy()) || engine.has_remotes()
    }

    /// Virtual time now, ms.
    pub fn now(&self) -> u64 {
        self.engine.borrow().now().0
    }

    /// A fresh engine replaces the current one: new scenario, new timeline, no selection.
    fn replace_engine(&mut self, pg: Playground) {
        // The timeline replays from this scenario: with the nodes a link or file placed.
        let mut start = pg.scenario().clone();
        start.view.positions = pg.moved_nodes();
        self.recording = Rc::new(RefCell::new(Recording::new(start)));
        self.engine = Rc::new(RefCell::new(pg));
        self.selected = None;
        self.selected_edge = None;
        self.linking = None;
        self.message = None;
        self.tour_at = None;
    }

    /// Applies a user input to the engine and records it on the timeline when accepted.
    fn input(&mut self, input: Input) -> Result<(), PlaygroundError> {
        let result = input.apply(&mut self.engine.borrow_mut());
        if result.is_ok() {
            let now = self.now();
            self.recording.borrow_mut().record(now, input);
        }
        result
    }

    /// Moves the clock by `ms` (or one step); recorded inputs on the way happen again, so
    /// playing on after scrubbing back replays what the user did.
    fn run_clock(&mut self, step: Option<u64>) {
        let before = self.now();
        match step {
            Some(ms) => self.engine.borrow_mut().advance(ms),
            None => {
                self.engine.borrow_mut().step();
            }
        }
        let after = self.now();
        // A replay would rebuild the broker without the real clients' sessions.
        let live = self.engine.borrow().has_remotes();
        let rebuilt = {
            let recording = self.recording.borrow();
            (!live && recording.has_inputs_between(before, after)).then(|| recording.replay(after))
        };
        if let Some(Ok(pg)) = rebuilt {
            self.engine = Rc::new(RefCell::new(pg));
        }
        let mut recording = self.recording.borrow_mut();
        recording.reached(after);
        // A copy now and then, so that scrubbing back never replays far.
        recording.offer(&self.engine.borrow());
    }

    /// Binding from the exchange being linked to `to` with `key`: a queue, or another
    /// exchange (an exchange-to-exchange binding; `Edit::Bind` makes one when the name is an
    /// exchange's).
    fn link_edit(from: &str, to: &(NodeKind, String), key: String) -> Result<Edit, String> {
        match to.0 {
            NodeKind::Queue | NodeKind::Exchange => Ok(Edit::Bind {
                exchange: from.to_string(),
                queue: to.1.clone(),
                key,
            }),
            _ => Err(format!(
                "a binding goes from an exchange to a queue or an exchange; `{}` is a {}",
                to.1,
                crate::components::diagram::kind_word(to.0)
            )),
        }
    }
}

impl Reducible for PlaygroundState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.version = self.version.wrapping_add(1);
        // Frames run all the time; only a user's own next action clears the error they saw.
        let is_frame = matches!(action, Action::Frame(_));
        if !is_frame {
            next.actions += 1;
        }
        let before = matches!(
            action,
            Action::Edit(_)
                | Action::LoadPreset(_)
                | Action::LoadScenario(_)
                | Action::FinishLink(_)
                | Action::DeleteSelected
                | Action::Restart
        )
        .then(|| next.engine.borrow().scenario().clone());
        let gate = match &action {
            Action::Pause | Action::Step => Some("pausing and stepping"),
            Action::SetSpeed(_) => Some("changing the speed"),
            Action::Seek(_) => Some("the timeline"),
            Action::LoadPreset(_) | Action::LoadScenario(_) => Some("loading another scenario"),
            Action::Tour(_) => Some("the walkthrough"),
            Action::Undo | Action::Redo => Some("undo and redo"),
            Action::Restart => Some("restarting the broker"),
            _ => None,
        };
        // Quiet actions (frames, the bridge's traffic) do not clear the error the user sees.
        let quiet = is_frame || matches!(action, Action::Remote(_));
        let refused = gate.and_then(|what| remote::busy_reason(&next, what));
        let result: Result<(), String> = match action {
            _ if refused.is_some() => Err(refused.unwrap_or_default()),
            Action::Remote(remote) => next.remote(remote),
            Action::Tour(i) => next.tour_go(i),
            Action::Publish(request) => next.input(Input::Publish(request)).map_err(err),
            Action::Burst(request, count) => next.input(Input::Burst(request, count)).map_err(err),
            Action::SetRate(producer, per_second) => {
                let producer = producer.or_else(|| {
                    let e = next.engine.borrow();
                    e.scenario().producers.first().map(|p| p.name.clone())
                });
                match producer {
                    Some(p) => next.input(Input::SetRate(p, per_second)).map_err(err),
                    None => Ok(()),
                }
            }
            Action::SetConsuming { consumer, on } => {
                next.input(Input::SetConsuming(consumer, on)).map_err(err)
            }
            Action::Advance(ms) => {
                next.run_clock(Some(ms));
                Ok(())
            }
            Action::Frame(real_ms) => {
                let real_time = next.engine.borrow().has_remotes();
                if next.playing || real_time {
                    // A hidden tab can hand us a huge frame; cap it so tokens do not teleport.
                    let speed = if real_time { 1.0 } else { next.speed };
                    let virtual_ms = real_ms.clamp(0.0, 100.0) * speed + next.carry;
                    let whole = virtual_ms.floor();
                    next.carry = virtual_ms - whole;
                    next.run_clock(Some(whole as u64));
                }
                Ok(())
            }
            Action::Play => {
                next.playing = true;
                Ok(())
            }
            Action::Pause => {
                next.playing = false;
                Ok(())
            }
            Action::Step => {
                next.run_clock(None);
                Ok(())
            }
            Action::SetSpeed(s) => {
                next.speed = s.clamp(0.25, 8.0);
                Ok(())
            }
            Action::LoadPreset(name) => match presets::by_name(&name) {
                Some(scenario) => Playground::new(scenario)
                    .map(|pg| next.replace_engine(pg))
                    .map_err(err),
                None => Err(err(PlaygroundError::UnknownPreset(name))),
            },
            Action::LoadScenario(scenario) => {
                let view = scenario.view.clone();
                Playground::new(scenario)
                    .map(|pg| {
                        next.replace_engine(pg);
                        next.theme = view.theme.unwrap_or(next.theme);
                        next.speed = view.speed.unwrap_or(next.speed);
                    })
                    .map_err(err)
            }
            Action::Notify(text) => {
                next.error = Some(text);
                return Rc::new(next);
            }
            Action::Undo | Action::Redo => {
                let undo = matches!(action, Action::Undo);
                let history = self.history.clone();
                let mut history = history.borrow_mut();
                let target = if undo {
                    history.undo.pop()
                } else {
                    history.redo.pop()
                };
                match target {
                    None => Ok(()),
                    Some(scenario) => match Playground::new(scenario.clone()) {
                        Ok(pg) => {
                            let current = next.engine.borrow().scenario().clone();
                            if undo {
                                history.redo.push(current);
                            } else {
                                history.undo.push(current);
                            }
                            next.replace_engine(pg);
                            Ok(())
                        }
                        Err(e) => {
                            // Keep the entry: nothing changed.
                            if undo {
                                history.undo.push(scenario);
                            } else {
                                history.redo.push(scenario);
                            }
                            Err(err(e))
                        }
                    },
                }
            }
            Action::Edit(edit) => next.edit(edit),
            Action::Select(node) => {
                next.selected = node;
                next.selected_edge = None;
                Ok(())
            }
            Action::SetTheme(t) => {
                next.theme = t;
                Ok(())
            }
            Action::SetZoom(z) => {
                next.zoom = z.clamp(0.5, 4.0);
                Ok(())
            }
            Action::MoveNode(kind, name, to) => {
                let moved = next.engine.borrow_mut().move_node(kind, &name, to);
                if moved.is_ok() {
                    next.recording.borrow_mut().moved(kind, &name, to);
                }
                moved.map_err(err)
            }
            Action::SelectMessage(m) => {
                next.message = m;
                Ok(())
            }
            Action::StartLink(from) => {
                let known = next
                    .engine
                    .borrow()
                    .graph()
                    .find(NodeKind::Exchange, &from)
                    .is_some();
                if known {
                    next.selected = Some((NodeKind::Exchange, from.clone()));
                    next.selected_edge = None;
                    next.linking = Some(Linking { from, to: None });
                    Ok(())
                } else {
                    Err(format!(
                        "a binding starts at an exchange; there is no exchange `{from}`"
                    ))
                }
            }
            Action::LinkTo(kind, name) => match next.linking.clone() {
                None => Ok(()),
                Some(link) => {
                    let to = (kind, name);
                    match Self::link_edit(&link.from, &to, String::new()) {
                        Ok(_) => {
                            next.linking = Some(Linking {
                                from: link.from,
                                to: Some(to),
                            });
                            Ok(())
                        }
                        Err(e) => Err(e),
                    }
                }
            },
            Action::FinishLink(key) => match next.linking.clone() {
                Some(Linking { from, to: Some(to) }) => {
                    Self::link_edit(&from, &to, key).and_then(|edit| {
                        let done = next.edit(edit);
                        if done.is_ok() {
                            next.linking = None;
                        }
                        done
                    })
                }
                _ => Ok(()),
            },
            Action::CancelLink => {
                next.linking = None;
                Ok(())
            }
            Action::SelectEdge(edge) => {
                next.selected_edge = edge;
                if edge.is_some() {
                    next.selected = None;
                }
                Ok(())
            }
            Action::DeleteSelected => {
                let binding = next.selected_edge.and_then(|e| {
                    let engine = next.engine.borrow();
                    binding_of_edge(engine.scenario(), engine.graph(), e)
                });
                match (binding, next.selected.clone()) {
                    (Some(i), _) => next.edit(Edit::Unbind(i)),
                    (None, Some((kind, name))) => next.edit(Edit::Remove { kind, name }),
                    (None, None) => Ok(()),
                }
            }
            Action::Restart => next.input(Input::Restart).map_err(err),
            Action::Seek(t) => {
                let t = t.min(next.recording.borrow().horizon());
                next.playing = false;
                if t == next.now() {
                    Ok(())
                } else if t > next.now() && !next.engine.borrow().has_remotes() {
                    // Forward: the playground goes on from where it is (the same moments, as
                    // the run is deterministic), instead of a replay from the start.
                    let recording = next.recording.borrow();
                    recording.run_on(&mut next.engine.borrow_mut(), t);
                    next.carry = 0.0;
                    Ok(())
                } else {
                    let rebuilt = next.recording.borrow().replay(t);
                    rebuilt
                        .map(|pg| {
                            next.engine = Rc::new(RefCell::new(pg));
                            next.carry = 0.0;
                        })
                        .map_err(err)
                }
            }
        };
        if let (Ok(()), Some(before)) = (&result, before) {
            // A change that left the topology as it was (a no-op) is not worth an undo step.
            if &before != next.engine.borrow().scenario() {
                let mut history = self.history.borrow_mut();
                history.undo.push(before);
                history.redo.clear();
            }
        }
        // A new engine (preset, scenario, undo, seek) is laid out for the current look too.
        next.engine.borrow_mut().set_style(next.theme.style());
        next.flush_remotes();
        match result {
            Ok(()) if !quiet => next.error = None,
            Ok(()) => {}
            Err(e) => next.error = Some(e),
        }
        // What the engine decided on its own meanwhile (producers paused at a limit).
        if let Some(notice) = next.engine.borrow_mut().take_notice() {
            next.error = Some(notice);
        }
        Rc::new(next)
    }
}

impl PlaygroundState {
    /// A topology change, recorded on the timeline; forgets selections whose node or edge
    /// is gone.
    fn edit(&mut self, edit: Edit) -> Result<(), String> {
        let renamed = match &edit {
            Edit::Rename { kind, name, to } => Some(((*kind, name.clone()), (*kind, to.clone()))),
            _ => None,
        };
        let result = self.input(Input::Edit(edit)).map_err(err);
        // A renamed node stays selected under its new name.
        if let (Ok(()), Some((old, new))) = (&result, renamed) {
            if self.selected.as_ref() == Some(&old) {
                self.selected = Some(new);
            }
        }
        if let Some((kind, name)) = &self.selected {
            if self.engine.borrow().graph().find(*kind, name).is_none() {
                self.selected = None;
            }
        }
        if result.is_ok() {
            self.selected_edge = None;
        }
        result
    }
}

fn err(e: PlaygroundError) -> String {
    e.to_string()
}

/// The context handle components share.
pub type PlaygroundContext = UseReducerHandle<PlaygroundState>;

/// The playground from the nearest provider.
#[hook]
pub fn use_playground() -> PlaygroundContext {
    use_context::<PlaygroundContext>().expect("use_playground() needs the App's ContextProvider")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reduce(state: Rc<PlaygroundState>, action: Action) -> Rc<PlaygroundState> {
        state.reduce(action)
    }

    fn queues(state: &PlaygroundState) -> Vec<String> {
        let engine = state.engine.borrow();
        engine
            .scenario()
            .queues
            .iter()
            .map(|q| q.name.clone())
            .collect()
    }

    #[test]
    fn undo_and_redo_walk_the_topology_history() {
        let s = Rc::new(PlaygroundState::hello_world());
        let add = Action::Edit(Edit::AddQueue {
            name: "extra".into(),
            bind: None,
            with_consumer: false,
            arguments: Vec::new(),
        });
        let s = reduce(s, add);
        assert_eq!(queues(&s), ["hello", "extra"]);
        let s = reduce(s, Action::LoadPreset("topics".into()));
        assert_eq!(queues(&s), ["Q1", "Q2"]);
        let s = reduce(s, Action::Undo);
        assert_eq!(queues(&s), ["hello", "extra"]);
        let s = reduce(s, Action::Undo);
        assert_eq!(queues(&s), ["hello"]);
        assert!(!s.history.borrow().can_undo());
        let s = reduce(s, Action::Undo);
        assert_eq!(queues(&s), ["hello"], "nothing left to undo");
        let s = reduce(s, Action::Redo);
        assert_eq!(queues(&s), ["hello", "extra"]);
        // A new change forgets what could be redone.
        let s = reduce(
            s,
            Action::Edit(Edit::Remove {
                kind: NodeKind::Queue,
                name: "extra".into(),
            }),
        );
        assert!(!s.history.borrow().can_redo());
        // A refused change adds no step and shows the broker's text.
        let steps = s.history.borrow().undo.len();
        let s = reduce(
            s,
            Action::Edit(Edit::AddQueue {
                name: "amq.no".into(),
                bind: None,
                with_consumer: false,
                arguments: Vec::new(),
            }),
        );
        assert_eq!(s.history.borrow().undo.len(), steps);
        assert!(s.error.as_deref().unwrap_or("").contains("ACCESS_REFUSED"));
    }

    fn bindings(state: &PlaygroundState) -> Vec<(String, String, String)> {
        let engine = state.engine.borrow();
        engine
            .scenario()
            .bindings
            .iter()
            .map(|b| (b.exchange.clone(), b.destination.clone(), b.key.clone()))
            .collect()
    }

    #[test]
    fn drawing_a_link_binds_with_the_typed_key_and_undo_takes_it_back() {
        let s = reduce(
            Rc::new(PlaygroundState::hello_world()),
            Action::LoadPreset("routing".into()),
        );
        let before = bindings(&s);
        let s = reduce(s, Action::StartLink("direct_logs".into()));
        assert_eq!(
            s.linking,
            Some(Linking {
                from: "direct_logs".into(),
                to: None
            })
        );
        // A consumer is no binding target: refused with a reason, still linking.
        let s = reduce(s, Action::LinkTo(NodeKind::Consumer, "C1".into()));
        assert!(s
            .error
            .as_deref()
            .unwrap_or("")
            .contains("from an exchange to a queue"));
        assert!(s.linking.is_some());
        let q1 = s.engine.borrow().scenario().queues[0].name.clone();
        let s = reduce(s, Action::LinkTo(NodeKind::Queue, q1.clone()));
        assert_eq!(s.error, None);
        let s = reduce(s, Action::FinishLink("purple".into()));
        assert_eq!(s.linking, None);
        let after = bindings(&s);
        assert_eq!(after.len(), before.len() + 1);
        assert_eq!(
            after.last().unwrap(),
            &("direct_logs".into(), q1.clone(), "purple".into())
        );
        // A second key between the same pair is a second, parallel, labelled edge.
        let s = reduce(s, Action::StartLink("direct_logs".into()));
        let s = reduce(s, Action::LinkTo(NodeKind::Queue, q1.clone()));
        let s = reduce(s, Action::FinishLink("teal".into()));
        let labels: Vec<String> = {
            let engine = s.engine.borrow();
            let g = engine.graph();
            let q = g.find(NodeKind::Queue, &q1).unwrap();
            g.edges
                .iter()
                .filter(|e| e.to == q)
                .filter_map(|e| e.label.clone())
                .collect()
        };
        assert_eq!(labels, ["orange", "purple", "teal"]);
        let s = reduce(s, Action::Undo);
        let s = reduce(s, Action::Undo);
        assert_eq!(bindings(&s), before);
    }

    #[test]
    fn a_refused_key_keeps_the_prompt_open_and_cancel_closes_it() {
        let s = reduce(
            Rc::new(PlaygroundState::hello_world()),
            Action::LoadPreset("routing".into()),
        );
        let s = reduce(s, Action::StartLink("nope".into()));
        assert!(s.linking.is_none());
        assert!(s
            .error
            .as_deref()
            .unwrap_or("")
            .contains("no exchange `nope`"));
        let s = reduce(s, Action::StartLink("direct_logs".into()));
        let s = reduce(s, Action::LinkTo(NodeKind::Queue, "ghost".into()));
        let s = reduce(s, Action::FinishLink("k".into()));
        assert!(s.error.is_some(), "binding to a missing queue is refused");
        assert!(s.linking.as_ref().is_some_and(|l| l.to.is_some()));
        let s = reduce(s, Action::CancelLink);
        assert_eq!(s.linking, None);
    }

    #[test]
    fn a_selected_edge_is_deleted_as_its_binding() {
        let s = reduce(
            Rc::new(PlaygroundState::hello_world()),
            Action::LoadPreset("routing".into()),
        );
        let (edge, binding) = {
            let engine = s.engine.borrow();
            let g = engine.graph();
            let edge = g
                .edges
                .iter()
                .position(|e| e.label.as_deref() == Some("green"))
                .unwrap();
            (edge, binding_of_edge(engine.scenario(), g, edge).unwrap())
        };
        assert_eq!(bindings(&s)[binding].2, "green");
        let s = reduce(s, Action::SelectEdge(Some(edge)));
        let s = reduce(s, Action::DeleteSelected);
        assert!(!bindings(&s).iter().any(|b| b.2 == "green"));
        assert_eq!(s.selected_edge, None);
        // With a node selected, Delete removes the node.
        let s = reduce(s, Action::Select(Some((NodeKind::Consumer, "C1".into()))));
        let s = reduce(s, Action::DeleteSelected);
        assert!(s
            .engine
            .borrow()
            .graph()
            .find(NodeKind::Consumer, "C1")
            .is_none());
        assert_eq!(s.selected, None);
    }

    #[test]
    fn the_timeline_scrubs_back_and_plays_the_recorded_inputs_again() {
        let s = Rc::new(PlaygroundState::hello_world());
        let s = reduce(s, Action::Pause);
        let s = reduce(s, Action::Advance(200));
        let s = reduce(s, Action::Publish(PublishRequest::default()));
        let s = reduce(s, Action::Advance(3_000));
        let s = reduce(s, Action::Publish(PublishRequest::default()));
        let s = reduce(s, Action::Advance(3_000));
        let end = s.engine.borrow().snapshot();
        assert_eq!(end.consumers[0].received, 2);
        assert_eq!(s.recording.borrow().horizon(), 6_200);

        let s = reduce(s, Action::Seek(1_000));
        assert_eq!(s.now(), 1_000);
        assert_eq!(s.engine.borrow().snapshot().producers[0].1, 1);
        // Forward again, by scrubbing…
        let s = reduce(s, Action::Seek(6_200));
        assert_eq!(s.engine.borrow().snapshot(), end);
        // …or by letting the clock run: the second publish happens again on its own.
        let s = reduce(s, Action::Seek(1_000));
        let s = reduce(s, Action::Play);
        let mut s = s;
        for _ in 0..400 {
            s = reduce(s, Action::Frame(16.0));
            if s.now() >= 6_200 {
                break;
            }
        }
        let s = reduce(s, Action::Pause);
        let s = reduce(s, Action::Seek(6_200));
        assert_eq!(s.engine.borrow().snapshot().consumers[0].received, 2);
        // Never past the horizon.
        let s = reduce(s, Action::Seek(99_999));
        assert_eq!(s.now(), s.recording.borrow().horizon());
        // A new input after scrubbing back cuts the old future.
        let s = reduce(s, Action::Seek(1_000));
        let s = reduce(s, Action::Burst(PublishRequest::default(), 3));
        assert!(s
            .recording
            .borrow()
            .inputs()
            .iter()
            .all(|(t, _)| *t <= 1_000));
    }

    #[test]
    fn linking_an_exchange_to_another_makes_an_exchange_to_exchange_binding() {
        let s = reduce(
            Rc::new(PlaygroundState::hello_world()),
            Action::LoadPreset("routing".into()),
        );
        let s = reduce(
            s,
            Action::Edit(Edit::AddExchange {
                name: "audit".into(),
                kind: "fanout".into(),
            }),
        );
        let s = reduce(s, Action::StartLink("direct_logs".into()));
        let s = reduce(s, Action::LinkTo(NodeKind::Exchange, "audit".into()));
        let s = reduce(s, Action::FinishLink("black".into()));
        assert_eq!(s.error, None);
        let engine = s.engine.borrow();
        let b = engine.scenario().bindings.last().unwrap();
        assert!(b.to_exchange, "{b:?}");
        assert_eq!(
            (b.exchange.as_str(), b.destination.as_str()),
            ("direct_logs", "audit")
        );
        let g = engine.graph();
        let (x, audit) = (
            g.find(NodeKind::Exchange, "direct_logs").unwrap(),
            g.find(NodeKind::Exchange, "audit").unwrap(),
        );
        assert!(g.edges.iter().any(|e| e.from == x && e.to == audit));
    }

    #[test]
    fn a_broker_restart_is_on_the_timeline_too() {
        let s = reduce(
            Rc::new(PlaygroundState::hello_world()),
            Action::LoadPreset("durability".into()),
        );
        let s = reduce(s, Action::Pause);
        let s = reduce(s, Action::Advance(100));
        let s = reduce(s, Action::Restart);
        let s = reduce(s, Action::Advance(1_000));
        assert_eq!(s.engine.borrow().snapshot().restarts, 1);
        let s = reduce(s, Action::Seek(50));
        assert_eq!(s.engine.borrow().snapshot().restarts, 0);
        let s = reduce(s, Action::Seek(1_100));
        assert_eq!(s.engine.borrow().snapshot().restarts, 1);
    }
}
