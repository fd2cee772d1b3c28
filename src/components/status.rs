//! The tutorial's guided steps, and below the diagram the clock, counts, errors, narration and event log.

use yew::prelude::*;

use crate::sim::presets;
use crate::state::use_playground;

/// Text with `backticked` parts shown as code.
fn with_code(text: &str) -> Html {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                html! { <code>{ part }</code> }
            } else {
                html! { { part } }
            }
        })
        .collect()
}

/// The current tutorial's guided steps.
#[component]
pub fn Guide() -> Html {
    let state = use_playground();
    let name = state.engine.borrow().scenario().name.clone();
    let steps = presets::guide(&name);
    if steps.is_empty() {
        return Html::default();
    }
    html! {
        <section class="guide" aria-label="Guided steps">
            <ol>{ for steps.iter().map(|s| html! { <li>{ with_code(s) }</li> }) }</ol>
        </section>
    }
}

/// Below the diagram: what the broker reports, in text (also read by screen readers).
#[component]
pub fn Status() -> Html {
    let filter = use_state(String::new);
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            filter.set(input.value());
        })
    };
    let state = use_playground();
    let engine = state.engine.borrow();
    let snap = engine.snapshot();
    let queues = snap.queues.iter().map(|(name, c)| {
        html! {
            <li data-queue={name.clone()}>
                { format!("queue {name}: {} ready, {} unacked", c.ready, c.unacked) }
            </li>
        }
    });
    let consumers = snap.consumers.iter().map(|c| {
        html! {
            <li data-consumer={c.name.clone()}>
                { format!("consumer {}: {} received{}", c.name, c.received, if c.consuming { "" } else { " (stopped)" }) }
            </li>
        }
    });
    let lines: Vec<&str> = engine.log().collect();
    let filter = (*filter).clone();
    let recent = lines
        .iter()
        .rev()
        .filter(|l| filter.is_empty() || l.to_lowercase().contains(&filter.to_lowercase()))
        .take(if filter.is_empty() { 12 } else { 200 })
        .map(|l| html! { <li>{ *l }</li> });
    html! {
        <section class="status">
            if let Some(error) = &state.error {
                <p class="error" role="alert">{ error }</p>
            }
            <p class="clock">{ format!("virtual time {} ms", snap.now) }</p>
            // What just happened, in words, for screen readers (and anyone watching the log).
            <p class="narration" aria-live="polite">{ lines.last().map(|l| l.trim()).unwrap_or_default() }</p>
            <p class="fates">
                { format!("unroutable {} · returned {} · dropped {}", snap.unroutable, snap.returned, snap.dropped) }
            </p>
            <ul class="counts" aria-live="polite">{ for queues }{ for consumers }</ul>
            <details class="log" open=true>
                <summary>{ "Broker events (newest first)" }</summary>
                <input id="log-filter" aria-label="filter the event log" placeholder="filter: a queue, #3, expired…"
                    size="28" value={filter.clone()} oninput={on_filter} />
                <ol>{ for recent }</ol>
            </details>
        </section>
    }
}
