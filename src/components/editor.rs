//! The palette (add exchanges, queues, consumers, producers) and the inspector of the
//! selected node (its counts, its bindings, bind, unbind, delete). Every change is a broker
//! command; a refusal shows the broker's own text in the status panel.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::diagram::kind_word;
use crate::scene::NodeKind;
use crate::sim::scenario::ArgValue;
use crate::sim::Edit;
use crate::state::{use_playground, Action, PlaygroundContext};

const EXCHANGE_TYPES: [&str; 4] = ["direct", "fanout", "topic", "headers"];
/// The default exchange's value in exchange pickers.
const DEFAULT_EXCHANGE: &str = "";

fn text_input(handle: &UseStateHandle<String>) -> Callback<InputEvent> {
    let handle = handle.clone();
    Callback::from(move |e: InputEvent| {
        let input: HtmlInputElement = e.target_unchecked_into();
        handle.set(input.value());
    })
}

fn select_input(handle: &UseStateHandle<String>) -> Callback<Event> {
    let handle = handle.clone();
    Callback::from(move |e: Event| {
        let select: HtmlSelectElement = e.target_unchecked_into();
        handle.set(select.value());
    })
}

fn exchange_options(exchanges: &[String], current: &str, with_default: bool) -> Html {
    html! {
        <>
            if with_default {
                <option value={DEFAULT_EXCHANGE} selected={current.is_empty()}>{ "(default exchange)" }</option>
            }
            { for exchanges.iter().map(|x| html! {
                <option value={x.clone()} selected={x == current}>{ x }</option>
            }) }
        </>
    }
}

fn edit(state: &PlaygroundContext, make: impl Fn() -> Edit + 'static) -> Callback<SubmitEvent> {
    let state = state.clone();
    Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        state.dispatch(Action::Edit(make()));
    })
}

/// Forms that add nodes to the topology.
#[component]
pub fn Palette() -> Html {
    let state = use_playground();
    let (exchanges, queues, next_exchange, next_queue) = {
        let engine = state.engine.borrow();
        let s = engine.scenario();
        (
            s.exchanges
                .iter()
                .map(|x| x.name.clone())
                .collect::<Vec<_>>(),
            s.queues.iter().map(|q| q.name.clone()).collect::<Vec<_>>(),
            engine.next_name(NodeKind::Exchange).0,
            engine.next_name(NodeKind::Queue).0,
        )
    };

    let x_name = use_state(String::new);
    let x_kind = use_state(|| "direct".to_string());
    let add_exchange = {
        let (x_name, x_kind, fallback) = (x_name.clone(), x_kind.clone(), next_exchange.clone());
        edit(&state, move || Edit::AddExchange {
            name: or(&x_name, &fallback),
            kind: (*x_kind).clone(),
        })
    };

    let q_name = use_state(String::new);
    let q_exchange = use_state(|| DEFAULT_EXCHANGE.to_string());
    let q_key = use_state(String::new);
    let q_consumer = use_state(|| true);
    let q_ttl = use_state(String::new);
    let q_max = use_state(String::new);
    let q_dlx = use_state(String::new);
    let add_queue = {
        let (q_name, q_exchange, q_key, q_consumer) = (
            q_name.clone(),
            q_exchange.clone(),
            q_key.clone(),
            q_consumer.clone(),
        );
        let (q_ttl, q_max, q_dlx) = (q_ttl.clone(), q_max.clone(), q_dlx.clone());
        let fallback = next_queue.clone();
        edit(&state, move || Edit::AddQueue {
            name: or(&q_name, &fallback),
            bind: (!q_exchange.is_empty()).then(|| ((*q_exchange).clone(), (*q_key).clone())),
            with_consumer: *q_consumer,
            arguments: queue_arguments(&q_ttl, &q_max, &q_dlx),
        })
    };
    let toggle_consumer = {
        let q_consumer = q_consumer.clone();
        Callback::from(move |_: Event| q_consumer.set(!*q_consumer))
    };

    let p_exchange = use_state(|| DEFAULT_EXCHANGE.to_string());
    let p_key = use_state(String::new);
    let add_producer = {
        let (p_exchange, p_key) = (p_exchange.clone(), p_key.clone());
        edit(&state, move || Edit::AddProducer {
            exchange: (*p_exchange).clone(),
            routing_key: (*p_key).clone(),
        })
    };

    let c_queue = use_state(String::new);
    let add_consumer = {
        let c_queue = c_queue.clone();
        let first = queues.first().cloned().unwrap_or_default();
        edit(&state, move || Edit::AddConsumer {
            queue: or(&c_queue, &first),
        })
    };

    html! {
        <details class="palette" open=true>
            <summary>{ "Add to the topology" }</summary>
            <form id="add-exchange" onsubmit={add_exchange}>
                <input aria-label="exchange name" placeholder={next_exchange} size="10"
                    value={(*x_name).clone()} oninput={text_input(&x_name)} />
                <select aria-label="exchange type" onchange={select_input(&x_kind)}>
                    { for EXCHANGE_TYPES.iter().map(|t| html! {
                        <option value={*t} selected={*x_kind == *t}>{ *t }</option>
                    }) }
                </select>
                <button type="submit">{ "Add exchange" }</button>
            </form>
            <form id="add-queue" onsubmit={add_queue}>
                <input aria-label="queue name" placeholder={next_queue} size="10"
                    value={(*q_name).clone()} oninput={text_input(&q_name)} />
                <label>{ " bound to " }
                    <select aria-label="bind the queue to" onchange={select_input(&q_exchange)}>
                        { exchange_options(&exchanges, &q_exchange, true) }
                    </select>
                </label>
                <input aria-label="binding key" placeholder="binding key" size="10"
                    value={(*q_key).clone()} oninput={text_input(&q_key)} />
                <label><input type="checkbox" checked={*q_consumer} onchange={toggle_consumer} />{ " with a consumer" }</label>
                <input aria-label="message TTL in ms" placeholder="TTL ms" size="7"
                    value={(*q_ttl).clone()} oninput={text_input(&q_ttl)} />
                <input aria-label="max length" placeholder="max length" size="8"
                    value={(*q_max).clone()} oninput={text_input(&q_max)} />
                <label>{ " dead letters to " }
                    <select aria-label="dead-letter exchange" onchange={select_input(&q_dlx)}>
                        <option value="" selected={q_dlx.is_empty()}>{ "(none)" }</option>
                        { exchange_options(&exchanges, &q_dlx, false) }
                    </select>
                </label>
                <button type="submit">{ "Add queue" }</button>
            </form>
            <form id="add-producer" onsubmit={add_producer}>
                <label>{ "Producer to " }
                    <select aria-label="producer publishes to" onchange={select_input(&p_exchange)}>
                        { exchange_options(&exchanges, &p_exchange, true) }
                    </select>
                </label>
                <input aria-label="routing key" placeholder="routing key" size="10"
                    value={(*p_key).clone()} oninput={text_input(&p_key)} />
                <button type="submit">{ "Add producer" }</button>
            </form>
            <form id="add-consumer" onsubmit={add_consumer}>
                <label>{ "Consumer on " }
                    <select aria-label="consumer reads from" onchange={select_input(&c_queue)}>
                        { for queues.iter().enumerate().map(|(i, q)| html! {
                            <option value={q.clone()} selected={*c_queue == *q || (c_queue.is_empty() && i == 0)}>{ q }</option>
                        }) }
                    </select>
                </label>
                <button type="submit" disabled={queues.is_empty()}>{ "Add consumer" }</button>
            </form>
        </details>
    }
}

/// `x-message-ttl`, `x-max-length` and `x-dead-letter-exchange` from the form. A number that
/// is not a whole number goes to the broker as text, so the refusal is RabbitMQ's own.
fn queue_arguments(ttl: &str, max_length: &str, dlx: &str) -> Vec<(String, ArgValue)> {
    let mut args = Vec::new();
    for (name, typed) in [("x-message-ttl", ttl), ("x-max-length", max_length)] {
        let typed = typed.trim();
        if !typed.is_empty() {
            let value = typed
                .parse::<i64>()
                .map_or_else(|_| ArgValue::Str(typed.to_string()), ArgValue::Int);
            args.push((name.to_string(), value));
        }
    }
    if !dlx.is_empty() {
        args.push((
            "x-dead-letter-exchange".to_string(),
            ArgValue::Str(dlx.to_string()),
        ));
    }
    args
}

/// The typed value, or the suggested name when the field was left empty.
fn or(typed: &str, fallback: &str) -> String {
    if typed.trim().is_empty() {
        fallback.to_string()
    } else {
        typed.trim().to_string()
    }
}

/// The history of the message picked on the diagram: every step, with the reasons.
#[component]
pub fn MessageHistory() -> Html {
    let state = use_playground();
    let Some(id) = state.message else {
        return Html::default();
    };
    let lines = state.engine.borrow().history(id);
    let close = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::SelectMessage(None)))
    };
    html! {
        <section class="message-history" aria-label={format!("History of message #{id}")}>
            <h2>{ format!("Message #{id}") }</h2>
            <ol>{ for lines.iter().map(|l| html! { <li>{ l }</li> }) }</ol>
            <button id="close-history" onclick={close}>{ "Close" }</button>
        </section>
    }
}

/// Details and actions for the selected node.
#[component]
pub fn Inspector() -> Html {
    let state = use_playground();
    let b_exchange = use_state(String::new);
    let b_key = use_state(String::new);
    let test_key = use_state(String::new);
    let Some((kind, name)) = state.selected.clone() else {
        return html! {
            <p class="inspector hint">{ "Select a node (click, or Tab then Enter) to inspect, bind or delete it." }</p>
        };
    };
    let engine = state.engine.borrow();
    let scenario = engine.scenario();
    let snap = engine.snapshot();
    let exchanges: Vec<String> = scenario.exchanges.iter().map(|x| x.name.clone()).collect();

    let facts: Vec<String> = match kind {
        NodeKind::Queue => snap
            .queues
            .iter()
            .find(|(q, _)| *q == name)
            .map(|(_, c)| {
                let mut facts = vec![format!("{} ready, {} unacked", c.ready, c.unacked)];
                let spec = scenario.queues.iter().find(|q| q.name == name);
                for (k, v) in spec.map(|q| q.arguments.as_slice()).unwrap_or_default() {
                    facts.push(format!("{k} = {}", v.text()));
                }
                facts
            })
            .unwrap_or_default(),
        NodeKind::Consumer => snap
            .consumers
            .iter()
            .find(|c| c.name == name)
            .map(|c| {
                let queue = scenario
                    .consumers
                    .iter()
                    .find(|s| s.name == name)
                    .map(|s| s.queue.clone())
                    .unwrap_or_default();
                vec![
                    format!("consumes from {queue}"),
                    format!("{} received, {} acknowledged", c.received, c.acked),
                ]
            })
            .unwrap_or_default(),
        NodeKind::Producer => scenario
            .producers
            .iter()
            .find(|p| p.name == name)
            .map(|p| {
                let to = if p.exchange.is_empty() {
                    "(default exchange)"
                } else {
                    &p.exchange
                };
                vec![format!("publishes to {to} with key `{}`", p.routing_key)]
            })
            .unwrap_or_default(),
        NodeKind::Exchange => scenario
            .exchanges
            .iter()
            .find(|x| x.name == name)
            .map(|x| vec![format!("type {}", x.kind)])
            .unwrap_or_default(),
    };

    // Bindings this node takes part in, each with an unbind button.
    let bindings = scenario
        .bindings
        .iter()
        .enumerate()
        .filter(|(_, b)| match kind {
            NodeKind::Exchange => b.exchange == name,
            NodeKind::Queue => !b.to_exchange && b.destination == name,
            _ => false,
        })
        .map(|(i, b)| {
            let unbind = {
                let state = state.clone();
                Callback::from(move |_: MouseEvent| state.dispatch(Action::Edit(Edit::Unbind(i))))
            };
            html! {
                <li>
                    { format!("{} → {} with key `{}` ", b.exchange, b.destination, b.key) }
                    <button class="unbind" onclick={unbind}>{ "Unbind" }</button>
                </li>
            }
        })
        .collect::<Html>();

    let bind_form = (kind == NodeKind::Queue && !exchanges.is_empty()).then(|| {
        let bind = {
            let (b_exchange, b_key, queue) = (b_exchange.clone(), b_key.clone(), name.clone());
            let first = exchanges.first().cloned().unwrap_or_default();
            edit(&state, move || Edit::Bind {
                exchange: or(&b_exchange, &first),
                queue: queue.clone(),
                key: (*b_key).clone(),
            })
        };
        html! {
            <form id="bind-queue" onsubmit={bind}>
                <label>{ "Bind to " }
                    <select aria-label="exchange to bind to" onchange={select_input(&b_exchange)}>
                        { exchange_options(&exchanges, &b_exchange, false) }
                    </select>
                </label>
                <input aria-label="binding key" placeholder="binding key" size="10"
                    value={(*b_key).clone()} oninput={text_input(&b_key)} />
                <button type="submit">{ "Bind" }</button>
            </form>
        }
    });

    // The topic tester: type a routing key, see each binding's verdict and the reason.
    let tester = (kind == NodeKind::Exchange).then(|| {
        let verdicts = engine.explain(&name, &test_key);
        html! {
            <div class="tester">
                <label>{ "Test a routing key " }
                    <input id="test-key" aria-label="routing key to test" size="16" spellcheck="false"
                        value={(*test_key).clone()} oninput={text_input(&test_key)} />
                </label>
                <ul class="verdicts" aria-live="polite">
                    { for verdicts.into_iter().map(|(matched, why)| html! {
                        <li class={if matched { "match" } else { "no-match" }}>
                            { if matched { "✔ " } else { "✘ " } }{ why }
                        </li>
                    }) }
                </ul>
            </div>
        }
    });

    let delete = {
        let state = state.clone();
        let name = name.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::Edit(Edit::Remove {
                kind,
                name: name.clone(),
            }))
        })
    };
    html! {
        <section class="inspector" aria-label="Inspector">
            <h2>{ format!("{} {}", kind_word(kind), name) }</h2>
            <ul class="facts">{ for facts.into_iter().map(|f| html! { <li>{ f }</li> }) }</ul>
            <ul class="bindings">{ bindings }</ul>
            { for bind_form }
            { for tester }
            <button id="delete-node" class="danger" onclick={delete}>{ format!("Delete {name}") }</button>
        </section>
    }
}
