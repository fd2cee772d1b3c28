//! The timeline: a scrubber over the virtual time reached so far, and the broker restart.
//! Scrubbing rebuilds the playground at that moment by replaying the recorded inputs
//! ([`crate::sim::replay`]); playing on from there replays them again as the clock passes.

use yew::prelude::*;

use super::ui::{input_value, send};

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
            // The range steps by 10 from 0, so its value is a whole number of ms (its
            // integer part is read without float parsing, which is big code).
            let value = input_value(e);
            if let Ok(t) = value.split('.').next().unwrap_or_default().parse::<u64>() {
                state.dispatch(Action::Seek(t));
            }
        })
    };
    let restart = send(&state, Action::Restart);
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
