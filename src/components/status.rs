//! The walkthrough (the tutorial's guided steps), and below the diagram the clock, counts, errors, narration and event log.

use yew::prelude::*;

use super::ui::{send, text_input};
use crate::sim::presets;
use crate::state::{use_playground, Action, PlaygroundContext};

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

/// `text` in lower case, by the browser: Rust's `to_lowercase` would bring its Unicode
/// tables into the page download. (Same mapping: both follow Unicode's default case
/// conversion.)
fn lowercase(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

/// The message a log line is about (`message #12 …`), if any.
pub fn message_in(line: &str) -> Option<(usize, usize, u64)> {
    let start = line.find("message #")? + "message ".len();
    let digits = line[start + 1..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(line.len(), |n| start + 1 + n);
    let id = line[start + 1..digits].parse().ok()?;
    Some((start, digits, id))
}

/// One event-log line; its `#N` is a button that picks message N (for its history and
/// "Why not?").
fn log_line(line: &str, state: &PlaygroundContext) -> Html {
    let Some((start, end, id)) = message_in(line) else {
        return html! { <li>{ line }</li> };
    };
    let pick = send(state, Action::SelectMessage(Some(id)));
    html! {
        <li>
            { &line[..start] }
            <button class="message-link" data-message={id.to_string()} onclick={pick}
                title={format!("Show message #{id}: its history, and why it did or did not reach a queue you select")}>
                { &line[start..end] }
            </button>
            { &line[end..] }
        </li>
    }
}

/// The scenario's walkthrough: the captions as a list, or, once started (`?step`, or Walk
/// through), one caption at a time with Back and Next.
#[component]
pub fn Guide() -> Html {
    let state = use_playground();
    let (name, captions) = {
        let engine = state.engine.borrow();
        let s = engine.scenario();
        let captions: Vec<String> = if s.tour.is_empty() {
            // Saved before walkthroughs were kept with the scenario: the preset's own text.
            presets::guide(&s.name)
                .iter()
                .map(|c| c.to_string())
                .collect()
        } else {
            s.tour.iter().map(|t| t.caption.clone()).collect()
        };
        (s.name.clone(), captions)
    };
    if captions.is_empty() {
        return Html::default();
    }
    let walkable = !state.engine.borrow().scenario().tour.is_empty();
    let Some(at) = state.tour_at.filter(|at| *at < captions.len()) else {
        let start = send(&state, Action::Tour(0));
        return html! {
            // Keyed by tutorial: a new one starts at its first step, not where the last was scrolled.
            <section key={name.clone()} class="guide" aria-label="Guided steps">
                <ol>{ for captions.iter().map(|s| html! { <li>{ with_code(s) }</li> }) }</ol>
                if walkable {
                    <button class="tour-start" onclick={start}
                        title="Go caption by caption: each step does what it says">{ "Walk through" }</button>
                }
            </section>
        };
    };
    let back = send(&state, Action::Tour(at.saturating_sub(1)));
    let next = send(&state, Action::Tour(at + 1));
    let last = at + 1 == captions.len();
    html! {
        <section key={name} class="guide tour" aria-label="Walkthrough" data-step={at.to_string()}>
            <p class="tour-caption" aria-live="polite">
                <span class="tour-count">{ format!("Step {} of {} ", at + 1, captions.len()) }</span>
                { with_code(&captions[at]) }
            </p>
            <span class="tour-nav">
                <button id="tour-back" onclick={back} disabled={at == 0}>{ "‹ Back" }</button>
                <button id="tour-next" class="primary" onclick={next} disabled={last}>{ "Next ›" }</button>
            </span>
        </section>
    }
}

/// Below the diagram: what the broker reports, in text (also read by screen readers).
#[component]
pub fn Status() -> Html {
    let filter = use_state(String::new);
    let on_filter = text_input(&filter);
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
    let remotes = engine.remotes().into_iter().map(|r| {
        html! {
            <li class="remote" data-remote={r.name.clone()}>
                { format!("real client {} from {}{}: {} published, {} received", r.name, r.peer,
                    r.client.as_ref().map(|c| format!(" ({c})")).unwrap_or_default(), r.published, r.received) }
            </li>
        }
    });
    let real_time = engine.has_remotes();
    let lines: Vec<&str> = engine.log().collect();
    let filter = (*filter).clone();
    let wanted = lowercase(&filter);
    let recent = lines
        .iter()
        .rev()
        .filter(|l| filter.is_empty() || lowercase(l).contains(&wanted))
        .take(if filter.is_empty() { 12 } else { 200 })
        .map(|l| log_line(l, &state));
    html! {
        <section class="status">
            if let Some(error) = &state.error {
                <p class="error" role="alert">{ error }</p>
            }
            if let Some(bridge) = &state.bridge_status {
                <p class="bridge-status" role="status">{ crate::bridge::describe(bridge) }</p>
            }
            <p class="clock">
                { format!("virtual time {} ms", snap.now) }
                if real_time {
                    { " · real time while a real client is connected (pause, speed and the timeline wait until it leaves)" }
                }
            </p>
            // What just happened, in words, for screen readers (and anyone watching the log).
            <p class="narration" aria-live="polite">{ engine.narration() }</p>
            <p class="fates">
                { format!("unroutable {} · returned {} · dropped {}", snap.unroutable, snap.returned, snap.dropped) }
            </p>
            <ul class="counts" aria-live="polite">{ for queues }{ for consumers }{ for remotes }</ul>
            <details class="log" open=true>
                <summary>{ "Broker events (newest first)" }</summary>
                <input id="log-filter" aria-label="filter the event log" placeholder="filter: a queue, #3, expired…"
                    size="28" value={filter.clone()} oninput={on_filter} />
                // It scrolls: focusable, so a keyboard can scroll it too.
                <ol tabindex="0" aria-label="event log">{ for recent }</ol>
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::message_in;

    #[test]
    fn log_lines_name_their_message() {
        let line = "  800 ms  message #12 routed to Q1";
        let (start, end, id) = message_in(line).unwrap();
        assert_eq!((&line[start..end], id), ("#12", 12));
        assert_eq!(message_in("queue `hello` declared"), None);
        assert_eq!(message_in("message #x"), None);
        assert_eq!(message_in("message #7").map(|m| m.2), Some(7));
    }
}
