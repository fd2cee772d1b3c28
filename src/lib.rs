//! AMQP Playground's page: the broker core running in the browser, drawn like the RabbitMQ
//! tutorial diagrams.
//!
//! The page owns no broker logic. [`sim::Playground`] drives the real core
//! (`amqp-playground-core`) on a virtual clock and simulates the clients around it; every
//! token on screen starts from a broker event or a command on its way to the broker. One
//! reducer ([`state::PlaygroundState`]) is the only writer; components and the scripting API
//! (`window.amqpPlayground`) dispatch [`state::Action`]s to it.
//!
//! # Layout
//! - [`scene`]: pure diagram model, automatic layout and geometry.
//! - [`anim`]: pure tweens and the timeline sampled with `at(t)`.
//! - [`sim`]: scenarios, tutorial presets, the engine around the broker core (narration,
//!   animation of its events, editing) and its clients, one file per kind (simulated ones, and
//!   real programs relayed by the bridge).
//! - [`state`]: the `PlaygroundState` reducer, its actions and `use_playground()`;
//!   `state/remote.rs`: real clients and Verify through the bridge.
//! - [`hooks`]: the `use_animation_frame` hook.
//! - [`page_options`]: `?preset=…&embed&mode=…&step…` (and the bridge's `?bridge=`) in the
//!   page address.
//! - [`api`]: the scripting API on `window.amqpPlayground` (and, through
//!   `www/embed-host.js`, over `postMessage` to a docs page embedding it).
//! - [`share`]: share links, the scenario packed into the address's fragment (the browser's
//!   DEFLATE streams through `www/page.js`, which also draws the SVG/PNG pictures).
//! - [`bridge`]: the page's end of `amqp-playground bridge` (control and connection
//!   WebSockets, credit); `state/remote.rs` turns what it reports into actions.
//! - `storage` (wasm only): autosave of the scenario to `localStorage`.
//! - [`code`]: the scenario as pika and amqplib programs (the Code panel, `generateCode`).
//! - [`definitions`]: RabbitMQ definitions.json out of and into a scenario.
//! - [`tools`]: the page's end of the tools worker (`src/bin/tools.rs`), which runs `code`
//!   and `definitions` in a wasm fetched on first use.
//! - [`components`]: the diagram (`diagram/queue.rs`: the queue looks and type badges),
//!   toolbar, editor (palette, inspector; `editor/args.rs`: typed arguments, `editor/fields.rs`:
//!   the form fields) and status panel.
//!
//! # Example
//!
//! The engine runs without a browser:
//!
//! ```
//! use amqp_playground_web::sim::{presets, Playground, PublishRequest};
//!
//! let mut pg = Playground::new(presets::hello_world()).unwrap();
//! pg.publish(PublishRequest::default()).unwrap();
//! pg.advance(5_000);
//! assert_eq!(pg.snapshot().consumers[0].received, 1);
//! ```

pub mod anim;
pub mod api;
pub mod bridge;
pub mod code;
pub mod components;
pub mod definitions;
pub mod hooks;
pub mod page_options;
pub mod scene;
pub mod share;
pub mod sim;
pub mod state;
#[cfg(target_arch = "wasm32")]
pub mod storage;
pub mod tools;

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use components::{
    Diagram, Guide, Inspector, LinkBar, MessageHistory, Palette, ShareBar, Status, Timeline,
    Toolbar, VerifyPanel, WhyNot,
};
use hooks::use_animation_frame;
use page_options::PageOptions;
use state::{Action, PlaygroundContext, PlaygroundState};

/// The whole page.
#[component]
pub fn App() -> Html {
    let state = use_reducer(PlaygroundState::hello_world);
    let options = use_memo((), |_| page_options());
    let embed = options.0.embed;
    // A scenario opened from a share link is not autosaved until the learner changes it: a
    // link never silently replaces their own playground.
    let from_link = use_mut_ref(|| None::<sim::Scenario>);
    {
        let state = state.clone();
        let (options, problem) = (*options).clone();
        let from_link = from_link.clone();
        use_effect_with((), move |_| {
            api::install(state.clone());
            // Opened from `amqp-playground bridge` (`?bridge=TOKEN`): real clients come in.
            let bridged = state::attach_bridge(&state);
            if let Some(theme) = options.theme {
                state.dispatch(Action::SetTheme(theme));
            }
            if let Some(speed) = options.speed {
                state.dispatch(Action::SetSpeed(speed));
            }
            // After the scenario is in place: the walkthrough, what the address got wrong,
            // the clock.
            let finish = {
                let state = state.clone();
                let options = options.clone();
                move || {
                    if options.step {
                        state.dispatch(Action::Tour(0));
                    }
                    if let Some(problem) = problem {
                        state.dispatch(Action::Notify(problem));
                    }
                    if options.play {
                        state.dispatch(Action::Play);
                    }
                }
            };
            match (share_fragment(), options.preset.clone()) {
                // A share link unpacks asynchronously (the browser's DecompressionStream).
                (Some(fragment), _) => open_shared(state, fragment, &options, from_link, finish),
                (None, Some(preset)) => {
                    state.dispatch(Action::LoadPreset(preset));
                    finish();
                }
                // An embed shows its own scenario and leaves the learner's saved one alone.
                (None, None) if options.embed => finish(),
                // With nothing saved, the bridge's page waits for the tutorial's own programs:
                // `hello` and no simulated clients, so send.py and receive.py are the P and C
                // of the diagram.
                (None, None) => {
                    if !restore_saved(&state) && bridged {
                        state.dispatch(Action::LoadScenario(sim::presets::real_clients()))
                    }
                    finish();
                }
            }
        });
    }
    use_effect(api::embed_events(state.clone()));
    {
        // `autoplay` with a walkthrough: the next caption once this one has settled and had
        // a few seconds on screen.
        let state = state.clone();
        let autoplay = options.0.autoplay;
        let since = use_mut_ref(|| (None::<usize>, 0.0));
        use_effect_with(autoplay, move |on| {
            let timer = on.then(|| {
                gloo_timers::callback::Interval::new(500, move || {
                    let Some(at) = state.tour_at else {
                        // Not started (no `step`): start it.
                        if !state.engine.borrow().scenario().tour.is_empty() {
                            state.dispatch(Action::Tour(0));
                        }
                        return;
                    };
                    let now = clock_ms();
                    let mut since = since.borrow_mut();
                    if since.0 != Some(at) {
                        *since = (Some(at), now);
                    }
                    let count = state.engine.borrow().scenario().tour.len();
                    let settled = !state.engine.borrow().busy();
                    if at + 1 < count && settled && now - since.1 >= AUTOPLAY_READ_MS {
                        state.dispatch(Action::Tour(at + 1));
                    }
                })
            });
            move || drop(timer)
        });
    }
    {
        // Autosave when the scenario changed. Frames only move the clock, so when no other
        // action came since the last look the comparison (a deep one) is skipped, unless they
        // brought a new engine (a replay on the timeline).
        // The state the page starts with (hello-world, before the address, a link or the
        // autosave is read) is generation 0 and never saved: saving it would overwrite the
        // learner's playground whenever a link or an embed replaces it.
        let saved = use_mut_ref(|| SavedScenario {
            actions: state.actions,
            engine: Some(state.engine.clone()),
            scenario: Some(state.engine.borrow().scenario().clone()),
            generation: 0,
        });
        {
            let mut saved = saved.borrow_mut();
            let same_engine = saved
                .engine
                .as_ref()
                .is_some_and(|e| Rc::ptr_eq(e, &state.engine));
            if saved.actions != state.actions || !same_engine {
                saved.actions = state.actions;
                let scenario = state.engine.borrow().scenario().clone();
                if saved.scenario.as_ref() != Some(&scenario) {
                    saved.scenario = Some(scenario);
                    saved.generation += 1;
                }
                saved.engine = Some(state.engine.clone());
            }
        }
        let generation = saved.borrow().generation;
        let from_link = from_link.clone();
        use_effect_with(generation, move |generation| {
            if *generation == 0 {
                return;
            }
            let linked = from_link.borrow();
            if let Some(scenario) = saved
                .borrow()
                .scenario
                .as_ref()
                .filter(|s| !embed && linked.as_ref() != Some(*s))
            {
                save(scenario);
            }
        });
    }
    // The panels around the diagram (toolbar, editor, status) read a copy of the state that
    // follows every user action at once but animation frames only every PANEL_REFRESH_MS:
    // the diagram moves at the display's rate, the text around it need not. "At once" counts
    // actions, so a frame reduced right after an action (before this render) cannot hold the
    // action back: a toolbar that saw a new preset late would reset the key being typed.
    let panels = {
        let slow = use_mut_ref(|| (state.clone(), 0.0));
        let mut slow = slow.borrow_mut();
        let now = clock_ms();
        // The last frame (nothing moves any more) always gets through.
        if state.actions != slow.0.actions
            || !state.animating()
            || now - slow.1 >= PANEL_REFRESH_MS
            || now < slow.1
        {
            *slow = (state.clone(), now);
        }
        slow.0.clone()
    };
    let on_frame = {
        let state = state.clone();
        Callback::from(move |dt: f64| state.dispatch(Action::Frame(dt)))
    };
    use_animation_frame(state.animating(), on_frame);
    let shortcuts = {
        let state = state.clone();
        Callback::from(move |e: KeyboardEvent| {
            // Typing in a field keeps its own undo.
            let typing = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
                .is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
                });
            if typing || !(e.ctrl_key() || e.meta_key()) {
                return;
            }
            match (e.key().as_str(), e.shift_key()) {
                ("z" | "Z", false) => state.dispatch(Action::Undo),
                ("z" | "Z", true) | ("y" | "Y", _) => state.dispatch(Action::Redo),
                _ => return,
            }
            e.prevent_default();
        })
    };
    // A scenario file dropped on the diagram opens like a picked one.
    let on_drag_over = Callback::from(|e: DragEvent| e.prevent_default());
    let on_drop = {
        let state = state.clone();
        Callback::from(move |e: DragEvent| {
            let file = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0));
            if let Some(file) = file {
                e.prevent_default();
                components::share::open_file(&state, file);
            }
        })
    };
    let dark = state.theme.dark();
    let o = &options.0;
    let hidden = page_options::CONTROLS
        .iter()
        .filter(|c| !o.shows(c))
        .map(|c| format!("hide-{c}"))
        .collect::<Vec<_>>();
    let mode = match o.mode {
        page_options::Mode::View => "mode-view",
        page_options::Mode::Play => "mode-play",
        page_options::Mode::Edit => "mode-edit",
    };
    html! {
        <ContextProvider<PlaygroundContext> context={state}>
            <main class={classes!("playground", dark.then_some("dark"), embed.then_some("embed"), mode, hidden)}
                onkeydown={shortcuts}>
                <header>
                    <h1>{ "AMQP Playground" }</h1>
                    <p class="tagline">{ "A RabbitMQ broker running in your browser. Publish a message and watch it travel." }</p>
                </header>
                <ContextProvider<PlaygroundContext> context={panels.clone()}>
                    <Toolbar />
                    <ShareBar />
                    <Guide />
                </ContextProvider<PlaygroundContext>>
                <div class="canvas" ondragover={on_drag_over} ondrop={on_drop}><Diagram /></div>
                <LinkBar />
                <Timeline />
                <ContextProvider<PlaygroundContext> context={panels}>
                    <div class="editor">
                        <div>
                            <MessageHistory />
                            <WhyNot />
                            <Inspector />
                        </div>
                        <Palette />
                    </div>
                    <VerifyPanel />
                    <Status />
                </ContextProvider<PlaygroundContext>>
            </main>
        </ContextProvider<PlaygroundContext>>
    }
}

/// The options in the page's address, and what in it was not understood.
#[cfg(target_arch = "wasm32")]
fn page_options() -> (PageOptions, Option<String>) {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    PageOptions::parse(&search)
}

#[cfg(not(target_arch = "wasm32"))]
fn page_options() -> (PageOptions, Option<String>) {
    (PageOptions::default(), None)
}

/// The address's `#s=…` fragment (a share link), if there is one.
#[cfg(target_arch = "wasm32")]
fn share_fragment() -> Option<String> {
    let hash = web_sys::window()?.location().hash().ok()?;
    share::is_share_fragment(&hash).then_some(hash)
}

#[cfg(not(target_arch = "wasm32"))]
fn share_fragment() -> Option<String> {
    None
}

/// Opens a share link's scenario (not autosaved until the learner changes it); a bad link
/// loads nothing, says why, and the learner's own playground comes back.
#[cfg(target_arch = "wasm32")]
fn open_shared(
    state: PlaygroundContext,
    fragment: String,
    options: &PageOptions,
    from_link: Rc<std::cell::RefCell<Option<sim::Scenario>>>,
    finish: impl FnOnce() + 'static,
) {
    let embed = options.embed;
    // The address's own `theme=` / `speed=` (a docs author's choice) win over the link's.
    let (theme_given, speed_given) = (options.theme.is_some(), options.speed.is_some());
    wasm_bindgen_futures::spawn_local(async move {
        let scenario = share::browser::decode(&fragment).await.and_then(|json| {
            api::scenario_js::scenario_from_js(&wasm_bindgen::JsValue::from_str(&json))
        });
        match scenario {
            Ok(mut scenario) => {
                if theme_given {
                    scenario.view.theme = None;
                }
                if speed_given {
                    scenario.view.speed = None;
                }
                // Compared with the engine's scenario, which keeps no view.
                let unchanged = sim::Scenario {
                    view: Default::default(),
                    ..scenario.clone()
                };
                *from_link.borrow_mut() = Some(unchanged);
                state.dispatch(Action::LoadScenario(scenario));
            }
            Err(problem) => {
                if !embed {
                    restore_saved(&state);
                }
                state.dispatch(Action::Notify(format!(
                    "This link cannot be opened: {problem}"
                )));
            }
        }
        finish();
    });
}

#[cfg(not(target_arch = "wasm32"))]
fn open_shared(
    _: PlaygroundContext,
    _: String,
    _: &PageOptions,
    _: Rc<std::cell::RefCell<Option<sim::Scenario>>>,
    finish: impl FnOnce() + 'static,
) {
    finish();
}

/// How long (real ms) `autoplay` leaves a settled caption on screen before the next.
const AUTOPLAY_READ_MS: f64 = 4_000.0;

/// How often (real ms) the panels around the diagram follow the clock while it plays.
const PANEL_REFRESH_MS: f64 = 100.0;

/// The last autosaved scenario and the engine it was read from.
#[derive(Default)]
struct SavedScenario {
    actions: u64,
    engine: Option<Rc<std::cell::RefCell<sim::Playground>>>,
    scenario: Option<sim::Scenario>,
    generation: u64,
}

/// Real milliseconds, for pacing redraws only (never for the simulation).
#[cfg(target_arch = "wasm32")]
fn clock_ms() -> f64 {
    js_sys::Date::now()
}

#[cfg(not(target_arch = "wasm32"))]
fn clock_ms() -> f64 {
    0.0
}

/// Brings back the autosaved scenario (true), or says why it could not and starts fresh.
#[cfg(target_arch = "wasm32")]
fn restore_saved(state: &PlaygroundContext) -> bool {
    match storage::restore() {
        Ok(None) => false,
        Ok(Some(scenario)) => {
            state.dispatch(Action::LoadScenario(scenario));
            if let Some(e) = state.error.clone() {
                storage::clear();
                state.dispatch(Action::Notify(format!(
                    "The saved playground could not be restored ({e}); starting fresh."
                )));
                return false;
            }
            true
        }
        Err(e) => {
            storage::clear();
            state.dispatch(Action::Notify(format!(
                "The saved playground could not be read ({e}); starting fresh."
            )));
            false
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn restore_saved(_: &PlaygroundContext) -> bool {
    false
}

#[cfg(target_arch = "wasm32")]
fn save(scenario: &sim::Scenario) {
    storage::save(scenario);
}

#[cfg(not(target_arch = "wasm32"))]
fn save(_: &sim::Scenario) {}

/// Mounts the app into `root` (tests mount into their own element).
#[cfg(target_arch = "wasm32")]
pub fn mount(root: web_sys::Element) -> yew::AppHandle<App> {
    yew::Renderer::<App>::with_root(root).render()
}
