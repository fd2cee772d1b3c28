//! The compact bar: the preset picker, publish (with the consumer switches), undo/redo,
//! playback, and a View menu with the rarer look and zoom.

use yew::prelude::*;

use super::ui::{input_value, on_pick, option, options, send};

use crate::scene::Theme;
use crate::sim::{presets, PublishRequest};
use crate::state::{use_playground, Action, PlaygroundContext};

/// A select's choices: value, text, and the number the value stands for (looked up, not
/// parsed: float parsing would add its own code to the page download).
type Choices<const N: usize> = [(&'static str, &'static str, f64); N];

/// Messages a second the producer publishes by itself (not to be confused with stream queues).
const RATES: Choices<5> = [
    ("0", "no steady rate", 0.0),
    ("1", "1/s", 1.0),
    ("2", "2/s", 2.0),
    ("5", "5/s", 5.0),
    ("10", "10/s", 10.0),
];
/// Diagram zoom factors.
const ZOOMS: Choices<4> = [
    ("1", "fit", 1.0),
    ("1.5", "150%", 1.5),
    ("2", "200%", 2.0),
    ("3", "300%", 3.0),
];
/// Clock speeds.
const SPEEDS: Choices<6> = [
    ("0.25", "0.25×", 0.25),
    ("0.5", "0.5×", 0.5),
    ("1", "1×", 1.0),
    ("2", "2×", 2.0),
    ("4", "4×", 4.0),
    ("8", "8×", 8.0),
];

/// The number a picked value stands for.
fn pick(choices: &[(&str, &str, f64)], value: &str) -> Option<f64> {
    choices.iter().find(|c| c.0 == value).map(|c| c.2)
}

/// The controls above the diagram.
#[component]
pub fn Toolbar() -> Html {
    let state = use_playground();
    let (has_producer, consumers, scenario, default_key) = {
        let engine = state.engine.borrow();
        let s = engine.scenario();
        let key = s
            .producers
            .first()
            .map(|p| p.routing_key.clone())
            .unwrap_or_default();
        (
            !s.producers.is_empty(),
            engine.consumer_views(),
            s.name.clone(),
            key,
        )
    };
    // The key being typed, with the scenario it was typed in: a new scenario starts from its
    // producer's own key. Derived at render rather than reset by an effect, because Yew may run
    // effects after the next input event (seen on a busy machine): a reset effect then
    // overwrote a key typed right after a preset loaded.
    let typed = use_state(|| (scenario.clone(), default_key.clone()));
    let key = TypedKey {
        typed: typed.clone(),
        scenario: scenario.clone(),
        default: default_key,
    };
    let routing_key = key.current();
    let on_key = {
        let (typed, scenario) = (typed.clone(), scenario.clone());
        Callback::from(move |e: InputEvent| typed.set((scenario.clone(), input_value(e))))
    };

    let mandatory = use_state(|| false);
    let toggle_mandatory = {
        let mandatory = mandatory.clone();
        Callback::from(move |_: Event| mandatory.set(!*mandatory))
    };
    let publish = publish_button(&state, &key, &mandatory, 1);
    let burst = publish_button(&state, &key, &mandatory, 10);
    let rate_now = {
        let engine = state.engine.borrow();
        engine
            .scenario()
            .producers
            .first()
            .map_or(0.0, |p| engine.rate(&p.name))
    };
    let rate = on_pick(&state, |v| {
        pick(&RATES, &v).map(|r| Action::SetRate(None, r))
    });
    let play_pause = send(
        &state,
        if state.playing {
            Action::Pause
        } else {
            Action::Play
        },
    );
    let (can_undo, can_redo) = {
        let h = state.history.borrow();
        (h.can_undo(), h.can_redo())
    };
    let undo = send(&state, Action::Undo);
    let redo = send(&state, Action::Redo);
    let step = send(&state, Action::Step);
    let speed = on_pick(&state, |v| pick(&SPEEDS, &v).map(Action::SetSpeed));
    let theme = on_pick(&state, |v| Theme::by_id(&v).map(Action::SetTheme));
    let zoom = on_pick(&state, |v| pick(&ZOOMS, &v).map(Action::SetZoom));
    let preset = on_pick(&state, |v| Some(Action::LoadPreset(v)));
    let consumer_switches = consumers.into_iter().map(|c| {
        let toggle = send(
            &state,
            Action::SetConsuming {
                consumer: c.name.clone(),
                on: !c.consuming,
            },
        );
        let text = if c.consuming { "Stop " } else { "Start " };
        html! {
            <button class="consumer-switch" data-consumer={c.name.clone()} onclick={toggle}
                aria-pressed={if c.consuming { "true" } else { "false" }}>
                { text }{ c.name }
            </button>
        }
    });
    let picked = |options: &[(&str, &str, f64)], current: f64| -> Html {
        options
            .iter()
            .map(|(v, label, n)| option(v, label, *n == current))
            .collect()
    };

    html! {
        <div class="toolbar" role="toolbar" aria-label="Playground controls">
            <label class="preset">
                { "Tutorial " }
                <select id="preset" onchange={preset}>
                    // A scenario of one's own (a file, the API, edits saved under a new name).
                    if !presets::NAMES.contains(&scenario.as_str()) {
                        <option value="" selected=true disabled=true>{ format!("{scenario} (own)") }</option>
                    }
                    { options(&mut presets::NAMES.iter().copied(), &scenario) }
                </select>
            </label>
            <span class="publish-group">
            <label class="routing-key">
                { "Routing key " }
                <input id="routing-key" type="text" size="18" spellcheck="false"
                    value={routing_key.clone()} oninput={on_key} />
            </label>
            <label title="Return the message to P when no queue takes it (basic.return)">
                <input id="mandatory" type="checkbox" checked={*mandatory} onchange={toggle_mandatory} />
                { " mandatory" }
            </label>
            <button id="publish" class="primary" onclick={publish} disabled={!has_producer}>
                { "Publish" }
            </button>
            <button id="burst" onclick={burst} disabled={!has_producer} title="Publish ten messages">{ "×10" }</button>
            <label title="Publish steadily on the virtual clock">
                <select id="rate" aria-label="messages per second" onchange={rate} disabled={!has_producer}>
                    { picked(&RATES, rate_now) }
                </select>
            </label>
            { for consumer_switches }
            </span>
            <span class="history">
                <button id="undo" onclick={undo} disabled={!can_undo} title="Undo (Ctrl+Z)">{ "Undo" }</button>
                <button id="redo" onclick={redo} disabled={!can_redo} title="Redo (Ctrl+Shift+Z)">{ "Redo" }</button>
            </span>
            // The rarer controls, in a menu: the bar stays one short row on a phone.
            <details class="view-menu">
                <summary>{ "View" }</summary>
                <div class="menu">
                    <label class="theme">
                        { "Look " }
                        <select id="theme" onchange={theme}>
                            { options(&mut Theme::ALL.iter().map(|t| t.id()), state.theme.id()) }
                        </select>
                    </label>
                    <label class="zoom">
                        { "Zoom " }
                        <select id="zoom" onchange={zoom}>
                            { picked(&ZOOMS, state.zoom) }
                        </select>
                    </label>
                </div>
            </details>
            <span class="playback">
                <button id="play" onclick={play_pause}>{ if state.playing { "Pause" } else { "Play" } }</button>
                <button id="step" onclick={step}>{ "Step" }</button>
                <label>
                    { "Speed " }
                    <select id="speed" onchange={speed}>
                        { picked(&SPEEDS, state.speed) }
                    </select>
                </label>
            </span>
        </div>
    }
}

/// The routing key field: what was typed for this scenario, else its producer's own key.
#[derive(Clone)]
struct TypedKey {
    typed: UseStateHandle<(String, String)>,
    scenario: String,
    default: String,
}

impl TypedKey {
    /// The key now (read from the state handle, so a click right after typing sees it).
    fn current(&self) -> String {
        if self.typed.0 == self.scenario {
            self.typed.1.clone()
        } else {
            self.default.clone()
        }
    }
}

/// Publish (`count` 1) or a burst of `count` messages with the typed key.
#[inline(never)]
fn publish_button(
    state: &PlaygroundContext,
    key: &TypedKey,
    mandatory: &UseStateHandle<bool>,
    count: u32,
) -> Callback<MouseEvent> {
    let (state, key, mandatory) = (state.clone(), key.clone(), mandatory.clone());
    Callback::from(move |_: MouseEvent| {
        let request = PublishRequest {
            routing_key: Some(key.current()),
            mandatory: *mandatory,
            ..PublishRequest::default()
        };
        state.dispatch(if count == 1 {
            Action::Publish(request)
        } else {
            Action::Burst(request, count)
        })
    })
}
