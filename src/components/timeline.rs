//! The timeline: a scrubber over the virtual time reached so far, and the broker restart.
//! Scrubbing rebuilds the playground at that moment by replaying the recorded inputs
//! ([`crate::sim::replay`]); playing on from there replays them again as the clock passes.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::{use_playground, Action};

/// Scrubber and restart button.
#[component]
pub fn Timeline() -> Html {
    let state = use_playground();
    let now = state.now();
    let horizon = state.recording.borrow().horizon().max(now);
    let seek = {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(t) = input.value().parse::<f64>() {
                state.dispatch(Action::Seek(t.max(0.0) as u64));
            }
        })
    };
    let restart = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Restart))
    };
    html! {
        <div class="timeline">
            <label>
                { "Timeline " }
                <input id="timeline" type="range" min="0" max={horizon.to_string()} step="10"
                    value={now.to_string()} oninput={seek}
                    aria-valuetext={format!("{:.1} s of {:.1} s", now as f64 / 1000.0, horizon as f64 / 1000.0)} />
            </label>
            <span class="time">{ format!("{:.1} s / {:.1} s", now as f64 / 1000.0, horizon as f64 / 1000.0) }</span>
            <button id="restart" onclick={restart}
                title="Restart the broker: only durable exchanges and queues and persistent messages survive">
                { "Restart broker" }
            </button>
        </div>
    }
}
