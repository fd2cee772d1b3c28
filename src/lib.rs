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
//! - [`sim`]: scenarios, tutorial presets and the engine around the broker core.
//! - [`state`]: the `PlaygroundState` reducer, its actions and `use_playground()`.
//! - [`hooks`]: the `use_animation_frame` hook.
//! - [`api`]: the scripting API on `window.amqpPlayground`.
//! - `storage` (wasm only): autosave of the scenario to `localStorage`.
//! - [`components`]: the diagram, toolbar, editor (palette, inspector) and status panel.
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
pub mod components;
pub mod hooks;
pub mod scene;
pub mod sim;
pub mod state;
#[cfg(target_arch = "wasm32")]
pub mod storage;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use components::{
    Diagram, Guide, Inspector, LinkBar, MessageHistory, Palette, Status, Timeline, Toolbar, WhyNot,
};
use hooks::use_animation_frame;
use state::{Action, PlaygroundContext, PlaygroundState};

/// The whole page.
#[component]
pub fn App() -> Html {
    let state = use_reducer(PlaygroundState::hello_world);
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            api::install(state.clone());
            restore_saved(&state);
        });
    }
    {
        let scenario = state.engine.borrow().scenario().clone();
        use_effect_with(scenario, save);
    }
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
    let dark = state.theme.dark();
    html! {
        <ContextProvider<PlaygroundContext> context={state}>
            <main class={classes!("playground", dark.then_some("dark"))} onkeydown={shortcuts}>
                <header>
                    <h1>{ "AMQP Playground" }</h1>
                    <p class="tagline">{ "A RabbitMQ broker running in your browser. Publish a message and watch it travel." }</p>
                </header>
                <Toolbar />
                <Guide />
                <div class="canvas"><Diagram /></div>
                <LinkBar />
                <Timeline />
                <div class="editor">
                    <div>
                        <MessageHistory />
                        <WhyNot />
                        <Inspector />
                    </div>
                    <Palette />
                </div>
                <Status />
            </main>
        </ContextProvider<PlaygroundContext>>
    }
}

/// Brings back the autosaved scenario, or says why it could not and starts fresh.
#[cfg(target_arch = "wasm32")]
fn restore_saved(state: &PlaygroundContext) {
    match storage::restore() {
        Ok(None) => {}
        Ok(Some(scenario)) => {
            state.dispatch(Action::LoadScenario(scenario));
            if let Some(e) = state.error.clone() {
                storage::clear();
                state.dispatch(Action::Notify(format!(
                    "The saved playground could not be restored ({e}); starting fresh."
                )));
            }
        }
        Err(e) => {
            storage::clear();
            state.dispatch(Action::Notify(format!(
                "The saved playground could not be read ({e}); starting fresh."
            )));
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn restore_saved(_: &PlaygroundContext) {}

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
