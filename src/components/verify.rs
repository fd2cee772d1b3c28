//! "Verify on RabbitMQ": the scenario run on the bridge's upstream broker too, both outcomes
//! side by side, every section that differs highlighted.

use yew::prelude::*;

use crate::bridge::BridgeStatus;
use crate::state::{next_verify_id, use_playground, Action, RemoteAction, Verification};

/// The Verify control and its result; shown when the page was opened from a bridge with an
/// upstream.
#[component]
pub fn VerifyPanel() -> Html {
    // The plain page has no bridge, so never an upstream: its download leaves Verify out.
    if cfg!(not(feature = "bridge")) {
        return html! {};
    }
    let state = use_playground();
    let Some(BridgeStatus::Connected {
        upstream: Some(upstream),
        upstream_version,
        ..
    }) = &state.bridge_status
    else {
        return html! {};
    };
    let verify = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::Remote(RemoteAction::Verify(next_verify_id())))
        })
    };
    let running = state.verification.as_ref().is_some_and(|v| !v.done());
    let rabbit = match upstream_version {
        Some(v) => format!("RabbitMQ {v}"),
        None => "RabbitMQ".to_string(),
    };
    html! {
        <section class="verify" aria-live="polite">
            <button id="verify" onclick={verify} disabled={running}
                title={format!("Run this scenario on {upstream} too and compare")}>
                { format!("Verify on {rabbit}") }
            </button>
            if let Some(v) = &state.verification {
                { result(v, &rabbit) }
            }
        </section>
    }
}

fn result(v: &Verification, rabbit: &str) -> Html {
    let Some(theirs) = &v.rabbitmq else {
        return html! { <p class="verify-running">{ format!("Running on {rabbit}…") }</p> };
    };
    let summary = match (&v.playground, theirs) {
        (Err(e), _) => {
            html! { <p class="error">{ format!("The playground's side failed: {e}") }</p> }
        }
        (_, Err(e)) => html! { <p class="error">{ format!("{rabbit} could not run it: {e}") }</p> },
        _ if v.same() => html! {
            <p class="verify-same">
                { format!("Same outcome on {rabbit}: queues, deliveries, returns and errors match \
                           (the playground ran as {} to match).", v.profile) }
            </p>
        },
        _ => html! {
            <p class="verify-differs">
                { format!("{} section{} differ{} from {rabbit}. The playground ran as {} to match it: a \
                           difference is behaviour the playground does not reproduce (please report it).",
                          v.differences.len(), if v.differences.len() == 1 { "" } else { "s" },
                          if v.differences.len() == 1 { "s" } else { "" }, v.profile) }
            </p>
        },
    };
    let differences = v.differences.iter().map(|d| {
        html! {
            <div class="difference" data-section={d.section.clone()}>
                <h4>{ &d.section }</h4>
                <div class="side-by-side">
                    <figure><figcaption>{ "playground" }</figcaption><pre>{ &d.playground }</pre></figure>
                    <figure><figcaption>{ rabbit.to_string() }</figcaption><pre>{ &d.rabbitmq }</pre></figure>
                </div>
            </div>
        }
    });
    let notes = v.notes.iter().map(|n| html! { <li>{ n }</li> });
    html! {
        <>
            { summary }
            { for differences }
            if !v.notes.is_empty() {
                <details class="verify-notes"><summary>{ "Not verified" }</summary><ul>{ for notes }</ul></details>
            }
            if let (Ok(ours), Some(Ok(theirs))) = (&v.playground, &v.rabbitmq) {
                <details class="verify-results">
                    <summary>{ "Both results" }</summary>
                    <div class="side-by-side">
                        <figure><figcaption>{ "playground" }</figcaption><pre>{ ours }</pre></figure>
                        <figure><figcaption>{ rabbit.to_string() }</figcaption><pre>{ theirs }</pre></figure>
                    </div>
                </details>
            }
        </>
    }
}
