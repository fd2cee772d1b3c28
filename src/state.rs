//! `PlaygroundState`: the page's one writer. Components and the scripting API dispatch
//! [`Action`]s; the reducer maps them to the engine (and through it to broker commands).

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::scene::{NodeKind, Theme};
use crate::sim::{presets, Edit, Playground, PublishRequest, Scenario};

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
    /// Undo and redo stacks (shared, like the engine, so frames do not copy them).
    pub history: Rc<RefCell<History>>,
    /// The look.
    pub theme: Theme,
    /// Diagram zoom (1 = fit).
    pub zoom: f64,
    /// The message whose history is shown.
    pub message: Option<u64>,
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
        let engine = Playground::new(presets::hello_world())
            .expect("the hello-world preset is valid on a fresh broker");
        PlaygroundState {
            engine: Rc::new(RefCell::new(engine)),
            playing: true,
            speed: 1.0,
            carry: 0.0,
            error: None,
            selected: None,
            history: Rc::default(),
            theme: Theme::Classic,
            zoom: 1.0,
            message: None,
            version: 0,
        }
    }

    /// Whether animation frames are needed.
    pub fn animating(&self) -> bool {
        self.playing && self.engine.borrow().busy()
    }
}

impl Reducible for PlaygroundState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut engine = self.engine.clone();
        let (mut playing, mut speed, mut carry) = (self.playing, self.speed, self.carry);
        let mut error = self.error.clone();
        let mut selected = self.selected.clone();
        let mut theme = self.theme;
        let mut zoom = self.zoom;
        let mut message = self.message;
        // Frames run all the time; only a user's own next action clears the error they saw.
        let is_frame = matches!(action, Action::Frame(_));
        let before = matches!(
            action,
            Action::Edit(_) | Action::LoadPreset(_) | Action::LoadScenario(_)
        )
        .then(|| engine.borrow().scenario().clone());
        let result = match action {
            Action::Publish(request) => engine.borrow_mut().publish(request),
            Action::Burst(request, count) => engine.borrow_mut().publish_burst(request, count),
            Action::SetRate(producer, per_second) => {
                let mut e = engine.borrow_mut();
                match producer.or_else(|| e.scenario().producers.first().map(|p| p.name.clone())) {
                    Some(p) => e.set_rate(&p, per_second),
                    None => Ok(()),
                }
            }
            Action::SetConsuming { consumer, on } => {
                engine.borrow_mut().set_consuming(&consumer, on)
            }
            Action::Advance(ms) => {
                engine.borrow_mut().advance(ms);
                Ok(())
            }
            Action::Frame(real_ms) => {
                if playing {
                    // A hidden tab can hand us a huge frame; cap it so tokens do not teleport.
                    let virtual_ms = real_ms.clamp(0.0, 100.0) * speed + carry;
                    let whole = virtual_ms.floor();
                    carry = virtual_ms - whole;
                    engine.borrow_mut().advance(whole as u64);
                }
                Ok(())
            }
            Action::Play => {
                playing = true;
                Ok(())
            }
            Action::Pause => {
                playing = false;
                Ok(())
            }
            Action::Step => {
                engine.borrow_mut().step();
                Ok(())
            }
            Action::SetSpeed(s) => {
                speed = s.clamp(0.25, 8.0);
                Ok(())
            }
            Action::LoadPreset(name) => match presets::by_name(&name) {
                Some(scenario) => Playground::new(scenario).map(|pg| {
                    engine = Rc::new(RefCell::new(pg));
                    selected = None;
                }),
                None => Err(crate::sim::PlaygroundError::UnknownPreset(name)),
            },
            Action::LoadScenario(scenario) => Playground::new(scenario).map(|pg| {
                engine = Rc::new(RefCell::new(pg));
                selected = None;
            }),
            Action::Notify(text) => {
                error = Some(text);
                return Rc::new(PlaygroundState {
                    engine,
                    playing,
                    speed,
                    carry,
                    error,
                    selected,
                    history: self.history.clone(),
                    theme,
                    zoom,
                    message,
                    version: self.version.wrapping_add(1),
                });
            }
            Action::Undo | Action::Redo => {
                let undo = matches!(action, Action::Undo);
                let mut history = self.history.borrow_mut();
                let target = if undo {
                    history.undo.pop()
                } else {
                    history.redo.pop()
                };
                match target {
                    None => Ok(()),
                    Some(scenario) => match Playground::new(scenario.clone()) {
                        Ok(pg) => {
                            let current = engine.borrow().scenario().clone();
                            if undo {
                                history.redo.push(current);
                            } else {
                                history.undo.push(current);
                            }
                            engine = Rc::new(RefCell::new(pg));
                            selected = None;
                            Ok(())
                        }
                        Err(e) => {
                            // Keep the entry: nothing changed.
                            if undo {
                                history.undo.push(scenario);
                            } else {
                                history.redo.push(scenario);
                            }
                            Err(e)
                        }
                    },
                }
            }
            Action::Edit(edit) => {
                let result = engine.borrow_mut().apply(edit);
                // Forget a selection whose node is gone.
                if let Some((kind, name)) = &selected {
                    if engine.borrow().graph().find(*kind, name).is_none() {
                        selected = None;
                    }
                }
                result
            }
            Action::Select(node) => {
                selected = node;
                Ok(())
            }
            Action::SetTheme(t) => {
                theme = t;
                Ok(())
            }
            Action::SetZoom(z) => {
                zoom = z.clamp(0.5, 4.0);
                Ok(())
            }
            Action::MoveNode(kind, name, to) => engine.borrow_mut().move_node(kind, &name, to),
            Action::SelectMessage(m) => {
                message = m;
                Ok(())
            }
        };
        if let (Ok(()), Some(before)) = (&result, before) {
            // A change that left the topology as it was (a no-op) is not worth an undo step.
            if &before != engine.borrow().scenario() {
                let mut history = self.history.borrow_mut();
                history.undo.push(before);
                history.redo.clear();
            }
        }
        // A new engine (preset, scenario, undo) is laid out for the current look too.
        engine.borrow_mut().set_style(theme.style());
        match result {
            Ok(()) if !is_frame => error = None,
            Ok(()) => {}
            Err(e) => error = Some(e.to_string()),
        }
        Rc::new(PlaygroundState {
            engine,
            playing,
            speed,
            carry,
            error,
            selected,
            history: self.history.clone(),
            theme,
            zoom,
            message,
            version: self.version.wrapping_add(1),
        })
    }
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
}
