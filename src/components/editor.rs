//! The palette (add exchanges, queues, consumers, producers) and the inspector of the
//! selected node: its counts, its bindings (bind a queue or an exchange, with a key and typed
//! arguments for headers bindings; unbind), every declare option and argument, producer
//! properties and confirms, consumer behaviour and RPC roles, rename and delete. Every change
//! is a broker command; a refusal shows the broker's own text inline and changes nothing.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::diagram::kind_word;
use crate::scene::NodeKind;
use crate::sim::playground::DIRECT_REPLY_TO;
use crate::sim::scenario::{ArgValue, BindingSpec, Settle};
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
    let b_args = use_state(Vec::<(String, ArgValue)>::new);
    let test_key = use_state(String::new);
    let test_headers = use_state(Vec::<(String, ArgValue)>::new);
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
                    format!(
                        "{} received, {} acknowledged, {} refused, {} replies sent",
                        c.received, c.acked, c.refused, c.replied
                    ),
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
                let mut facts = vec![format!("publishes to {to} with key `{}`", p.routing_key)];
                if let Some(v) = snap.publishers.iter().find(|v| v.name == name) {
                    if p.confirm {
                        facts.push(format!("{} confirmed, {} nacked", v.confirmed, v.nacked));
                    }
                    if p.callback.is_some() {
                        facts.push(format!("{} replies, {} waiting", v.replies, v.waiting));
                    }
                }
                facts
            })
            .unwrap_or_default(),
        NodeKind::Exchange => scenario
            .exchanges
            .iter()
            .find(|x| x.name == name)
            .map(|x| {
                let mut facts = vec![format!("type {}", x.kind)];
                for (k, v) in &x.arguments {
                    facts.push(format!("{k} = {}", v.text()));
                }
                facts
            })
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
                    { format!("{} → {} {} ", b.exchange, b.destination,
                        b.label().map_or_else(|| format!("with key `{}`", b.key), |l| format!("[{l}]"))) }
                    <button class="unbind" onclick={unbind}>{ "Unbind" }</button>
                </li>
            }
        })
        .collect::<Html>();

    // Bind this queue to an exchange, or this exchange on to another exchange, with a key
    // and arguments (a headers binding's `x-match` and values).
    let others: Vec<String> = exchanges.iter().filter(|x| **x != name).cloned().collect();
    let bind_form = (matches!(kind, NodeKind::Queue | NodeKind::Exchange) && !others.is_empty())
        .then(|| {
            let bind = {
                let (b_exchange, b_key, b_args) = (b_exchange.clone(), b_key.clone(), b_args.clone());
                let (this, first) = (name.clone(), others.first().cloned().unwrap_or_default());
                edit(&state, move || {
                    let other = or(&b_exchange, &first);
                    let (exchange, destination) = match kind {
                        NodeKind::Queue => (other, this.clone()),
                        _ => (this.clone(), other),
                    };
                    Edit::AddBinding(BindingSpec {
                        exchange,
                        destination,
                        to_exchange: kind == NodeKind::Exchange,
                        key: (*b_key).clone(),
                        show_key: true,
                        arguments: (*b_args).clone(),
                    })
                })
            };
            let label = if kind == NodeKind::Queue { "Bind to " } else { "Route on to exchange " };
            html! {
                <form id="bind-queue" onsubmit={bind}>
                    <label>{ label }
                        <select aria-label="exchange to bind to" onchange={select_input(&b_exchange)}>
                            { exchange_options(&others, &b_exchange, false) }
                        </select>
                    </label>
                    <input aria-label="binding key" placeholder="binding key" size="10"
                        value={(*b_key).clone()} oninput={text_input(&b_key)} />
                    <ArgsEditor id="binding-arguments" args={(*b_args).clone()} suggestions={&BINDING_ARGUMENTS[..]}
                        onchange={{ let b_args = b_args.clone(); Callback::from(move |a| b_args.set(a)) }} />
                    <button type="submit">{ "Bind" }</button>
                </form>
            }
        });

    // The topic tester: type a routing key, see each binding's verdict and the reason.
    let headers_exchange = scenario
        .exchanges
        .iter()
        .any(|x| x.name == name && x.kind == "headers");
    let tester = (kind == NodeKind::Exchange).then(|| {
        let verdicts = engine.explain_message(&name, &test_key, &test_headers);
        let headers_editor = headers_exchange.then(|| html! {
            <>
                <p class="args-title">{ "with headers" }</p>
                <ArgsEditor id="test-headers" args={(*test_headers).clone()} suggestions={&[][..]}
                    onchange={{ let h = test_headers.clone(); Callback::from(move |a| h.set(a)) }} />
            </>
        });
        html! {
            <div class="tester">
                <label>{ "Test a routing key " }
                    <input id="test-key" aria-label="routing key to test" size="16" spellcheck="false"
                        value={(*test_key).clone()} oninput={text_input(&test_key)} />
                </label>
                { for headers_editor }
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
            <NodeOptions key={format!("{kind:?}/{name}")} {kind} name={name.clone()} />
            <button id="delete-node" class="danger" onclick={delete}>{ format!("Delete {name}") }</button>
        </section>
    }
}

/// Known queue arguments, offered as suggestions in the arguments editor.
const QUEUE_ARGUMENTS: [&str; 9] = [
    "x-message-ttl",
    "x-expires",
    "x-max-length",
    "x-max-length-bytes",
    "x-overflow",
    "x-dead-letter-exchange",
    "x-dead-letter-routing-key",
    "x-max-priority",
    "x-single-active-consumer",
];
/// Known exchange arguments.
const EXCHANGE_ARGUMENTS: [&str; 1] = ["alternate-exchange"];
/// Headers-binding arguments.
const BINDING_ARGUMENTS: [&str; 1] = ["x-match"];
const VALUE_TYPES: [&str; 4] = ["string", "integer", "bool", "void"];

fn type_of(v: &ArgValue) -> &'static str {
    match v {
        ArgValue::Str(_) => "string",
        ArgValue::Int(_) => "integer",
        ArgValue::Bool(_) => "bool",
        ArgValue::Void => "void",
    }
}

/// A row as typed into a typed value. Text that is no integer goes to the broker as a string,
/// so the refusal (`expected integer, got longstr`) is RabbitMQ's own.
fn typed_value(kind: &str, text: &str) -> ArgValue {
    let text = text.trim();
    match kind {
        "integer" => text
            .parse::<i64>()
            .map_or_else(|_| ArgValue::Str(text.to_string()), ArgValue::Int),
        "bool" => ArgValue::Bool(text == "true"),
        "void" => ArgValue::Void,
        _ => ArgValue::Str(text.to_string()),
    }
}

/// Properties of the arguments editor.
#[derive(Properties, PartialEq)]
pub struct ArgsProps {
    /// Accessible name and id prefix (`queue-arguments`).
    pub id: AttrValue,
    /// The arguments as they are.
    pub args: Vec<(String, ArgValue)>,
    /// Suggested names.
    pub suggestions: &'static [&'static str],
    /// Called with the whole new list after every change.
    pub onchange: Callback<Vec<(String, ArgValue)>>,
}

/// Typed key/value rows (string, integer, bool, void), as declare and binding arguments and
/// message headers take them.
#[component]
pub fn ArgsEditor(props: &ArgsProps) -> Html {
    let rows = use_state(|| {
        props
            .args
            .iter()
            .map(|(k, v)| (k.clone(), type_of(v).to_string(), v.text()))
            .collect::<Vec<(String, String, String)>>()
    });
    let emit = {
        let onchange = props.onchange.clone();
        let rows = rows.clone();
        move |next: Vec<(String, String, String)>| {
            onchange.emit(
                next.iter()
                    .filter(|(k, _, _)| !k.trim().is_empty())
                    .map(|(k, t, v)| (k.trim().to_string(), typed_value(t, v)))
                    .collect(),
            );
            rows.set(next);
        }
    };
    let list = format!("{}-names", props.id);
    let row = |i: usize, (key, kind, text): &(String, String, String)| {
        let change = |field: usize| {
            let (rows, emit) = (rows.clone(), emit.clone());
            move |value: String| {
                let mut next = (*rows).clone();
                match field {
                    0 => next[i].0 = value,
                    1 => next[i].1 = value,
                    _ => next[i].2 = value,
                }
                emit(next);
            }
        };
        let (on_key, on_kind, on_text) = (change(0), change(1), change(2));
        let remove = {
            let (rows, emit) = (rows.clone(), emit.clone());
            Callback::from(move |_: MouseEvent| {
                let mut next = (*rows).clone();
                next.remove(i);
                emit(next);
            })
        };
        html! {
            <li>
                <input aria-label="argument name" size="14" list={list.clone()} value={key.clone()}
                    oninput={Callback::from(move |e: InputEvent| on_key(e.target_unchecked_into::<HtmlInputElement>().value()))} />
                <select aria-label="argument type"
                    onchange={Callback::from(move |e: Event| on_kind(e.target_unchecked_into::<HtmlSelectElement>().value()))}>
                    { for VALUE_TYPES.iter().map(|t| html! { <option value={*t} selected={kind == t}>{ *t }</option> }) }
                </select>
                if kind != "void" {
                    <input aria-label="argument value" size="10" value={text.clone()}
                        oninput={Callback::from(move |e: InputEvent| on_text(e.target_unchecked_into::<HtmlInputElement>().value()))} />
                }
                <button type="button" aria-label="remove argument" onclick={remove}>{ "✕" }</button>
            </li>
        }
    };
    let add = {
        let (rows, emit) = (rows.clone(), emit.clone());
        Callback::from(move |_: MouseEvent| {
            let mut next = (*rows).clone();
            next.push((String::new(), "string".into(), String::new()));
            emit(next);
        })
    };
    html! {
        <div class="args" id={props.id.clone()}>
            <datalist id={list.clone()}>
                { for props.suggestions.iter().map(|s| html! { <option value={*s} /> }) }
            </datalist>
            <ul>{ for rows.iter().enumerate().map(|(i, r)| row(i, r)) }</ul>
            <button type="button" class="add-arg" onclick={add}>{ "+ argument" }</button>
        </div>
    }
}

/// A callback that changes one field of a draft from a text input.
fn on_text<T: Clone + 'static>(
    draft: &UseStateHandle<T>,
    set: fn(&mut T, String),
) -> Callback<InputEvent> {
    let draft = draft.clone();
    Callback::from(move |e: InputEvent| {
        let mut next = (*draft).clone();
        set(
            &mut next,
            e.target_unchecked_into::<HtmlInputElement>().value(),
        );
        draft.set(next);
    })
}

/// Likewise from a select.
fn on_pick<T: Clone + 'static>(
    draft: &UseStateHandle<T>,
    set: fn(&mut T, String),
) -> Callback<Event> {
    let draft = draft.clone();
    Callback::from(move |e: Event| {
        let mut next = (*draft).clone();
        set(
            &mut next,
            e.target_unchecked_into::<HtmlSelectElement>().value(),
        );
        draft.set(next);
    })
}

/// Likewise from a checkbox.
fn on_check<T: Clone + 'static>(
    draft: &UseStateHandle<T>,
    set: fn(&mut T, bool),
) -> Callback<Event> {
    let draft = draft.clone();
    Callback::from(move |e: Event| {
        let mut next = (*draft).clone();
        set(
            &mut next,
            e.target_unchecked_into::<HtmlInputElement>().checked(),
        );
        draft.set(next);
    })
}

fn on_args<T: Clone + 'static>(
    draft: &UseStateHandle<T>,
    set: fn(&mut T, Vec<(String, ArgValue)>),
) -> Callback<Vec<(String, ArgValue)>> {
    let draft = draft.clone();
    Callback::from(move |args| {
        let mut next = (*draft).clone();
        set(&mut next, args);
        draft.set(next);
    })
}

fn checkbox(id: &str, label: &str, on: bool, onchange: Callback<Event>) -> Html {
    html! {
        <label><input type="checkbox" id={id.to_string()} checked={on} {onchange} />{ format!(" {label} ") }</label>
    }
}

fn num<N: std::str::FromStr + Default>(text: &str) -> N {
    text.trim().parse().unwrap_or_default()
}

fn opt_text(text: String) -> Option<String> {
    (!text.trim().is_empty()).then_some(text)
}

/// Properties of the options form.
#[derive(Properties, PartialEq)]
pub struct OptionsProps {
    /// The node's kind.
    pub kind: NodeKind,
    /// Its name.
    pub name: AttrValue,
}

/// Every declare option and argument of the selected node, its client behaviour, and
/// rename. "Apply" sends the change to the broker; a refusal shows its text and changes
/// nothing. Keyed by node, so a new selection starts from that node's own settings.
#[component]
pub fn NodeOptions(props: &OptionsProps) -> Html {
    let state = use_playground();
    let (scenario, queues, exchanges) = {
        let engine = state.engine.borrow();
        let s = engine.scenario().clone();
        let queues: Vec<String> = s.queues.iter().map(|q| q.name.clone()).collect();
        let exchanges: Vec<String> = s.exchanges.iter().map(|x| x.name.clone()).collect();
        (s, queues, exchanges)
    };
    let name = props.name.to_string();
    let queue = use_state(|| scenario.queues.iter().find(|q| q.name == name).cloned());
    let exchange = use_state(|| scenario.exchanges.iter().find(|x| x.name == name).cloned());
    let producer = use_state(|| scenario.producers.iter().find(|p| p.name == name).cloned());
    let consumer = use_state(|| scenario.consumers.iter().find(|c| c.name == name).cloned());
    let new_name = use_state(|| name.clone());

    let apply = {
        let (state, kind) = (state.clone(), props.kind);
        let (queue, exchange, producer, consumer) = (
            queue.clone(),
            exchange.clone(),
            producer.clone(),
            consumer.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let edit = match kind {
                NodeKind::Queue => (*queue).clone().map(Edit::UpdateQueue),
                NodeKind::Exchange => (*exchange).clone().map(Edit::UpdateExchange),
                NodeKind::Producer => (*producer).clone().map(Edit::UpdateProducer),
                NodeKind::Consumer => (*consumer).clone().map(Edit::UpdateConsumer),
            };
            if let Some(edit) = edit {
                state.dispatch(Action::Edit(edit));
            }
        })
    };
    let rename = {
        let (state, kind, name, new_name) =
            (state.clone(), props.kind, name.clone(), new_name.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            state.dispatch(Action::Edit(Edit::Rename {
                kind,
                name: name.clone(),
                to: (*new_name).trim().to_string(),
            }));
        })
    };

    let fields = match props.kind {
        NodeKind::Queue => queue.as_ref().map(|q| {
            let q = q.clone();
            let queue = queue.clone();
            html! {
                <fieldset><legend>{ "Declare options" }</legend>
                    { checkbox("q-durable", "durable", q.durable, on_check(&queue, |d, v| if let Some(d) = d { d.durable = v })) }
                    { checkbox("q-exclusive", "exclusive", q.exclusive, on_check(&queue, |d, v| if let Some(d) = d { d.exclusive = v })) }
                    { checkbox("q-auto-delete", "auto-delete", q.auto_delete, on_check(&queue, |d, v| if let Some(d) = d { d.auto_delete = v })) }
                    <ArgsEditor id="queue-arguments" args={q.arguments.clone()} suggestions={&QUEUE_ARGUMENTS[..]}
                        onchange={on_args(&queue, |d, v| if let Some(d) = d { d.arguments = v })} />
                </fieldset>
            }
        }),
        NodeKind::Exchange => exchange.as_ref().map(|x| {
            let x = x.clone();
            let exchange = exchange.clone();
            html! {
                <fieldset><legend>{ "Declare options" }</legend>
                    { checkbox("x-durable", "durable", x.durable, on_check(&exchange, |d, v| if let Some(d) = d { d.durable = v })) }
                    { checkbox("x-auto-delete", "auto-delete", x.auto_delete, on_check(&exchange, |d, v| if let Some(d) = d { d.auto_delete = v })) }
                    { checkbox("x-internal", "internal", x.internal, on_check(&exchange, |d, v| if let Some(d) = d { d.internal = v })) }
                    <ArgsEditor id="exchange-arguments" args={x.arguments.clone()} suggestions={&EXCHANGE_ARGUMENTS[..]}
                        onchange={on_args(&exchange, |d, v| if let Some(d) = d { d.arguments = v })} />
                </fieldset>
            }
        }),
        NodeKind::Producer => producer.as_ref().map(|p| {
            let p = p.clone();
            let d = producer.clone();
            let props = &p.properties;
            html! {
                <fieldset><legend>{ "Publishing" }</legend>
                    <label>{ "to " }
                        <select id="p-exchange" aria-label="exchange" onchange={on_pick(&d, |d, v| if let Some(d) = d { d.exchange = v })}>
                            { exchange_options(&exchanges, &p.exchange, true) }
                        </select>
                    </label>
                    <input id="p-key" aria-label="routing key" placeholder="routing key" size="12" value={p.routing_key.clone()}
                        oninput={on_text(&d, |d, v| if let Some(d) = d { d.routing_key = v })} />
                    <input id="p-body" aria-label="body" placeholder="body" size="14" value={p.body.clone()}
                        oninput={on_text(&d, |d, v| if let Some(d) = d { d.body = v })} />
                    { checkbox("p-mandatory", "mandatory", p.mandatory, on_check(&d, |d, v| if let Some(d) = d { d.mandatory = v })) }
                    { checkbox("p-confirm", "publisher confirms", p.confirm, on_check(&d, |d, v| if let Some(d) = d { d.confirm = v })) }
                    <label>{ "delivery_mode " }
                        <select id="p-delivery-mode" onchange={on_pick(&d, |d, v| if let Some(d) = d { d.properties.delivery_mode = v.parse().ok() })}>
                            <option value="" selected={props.delivery_mode.is_none()}>{ "(none)" }</option>
                            <option value="1" selected={props.delivery_mode == Some(1)}>{ "1 transient" }</option>
                            <option value="2" selected={props.delivery_mode == Some(2)}>{ "2 persistent" }</option>
                        </select>
                    </label>
                    <label>{ "priority " }
                        <input id="p-priority" type="number" min="0" max="255" size="4"
                            value={props.priority.map(|p| p.to_string()).unwrap_or_default()}
                            oninput={on_text(&d, |d, v| if let Some(d) = d { d.properties.priority = v.trim().parse().ok() })} />
                    </label>
                    <input id="p-expiration" aria-label="expiration (ms)" placeholder="expiration ms" size="10"
                        value={props.expiration.clone().unwrap_or_default()}
                        oninput={on_text(&d, |d, v| if let Some(d) = d { d.properties.expiration = opt_text(v) })} />
                    <input id="p-reply-to" aria-label="reply_to" placeholder="reply_to" size="10"
                        value={props.reply_to.clone().unwrap_or_default()}
                        oninput={on_text(&d, |d, v| if let Some(d) = d { d.properties.reply_to = opt_text(v) })} />
                    <input id="p-correlation-id" aria-label="correlation_id" placeholder="correlation_id" size="10"
                        value={props.correlation_id.clone().unwrap_or_default()}
                        oninput={on_text(&d, |d, v| if let Some(d) = d { d.properties.correlation_id = opt_text(v) })} />
                    <input id="p-message-id" aria-label="message_id" placeholder="message_id" size="10"
                        value={props.message_id.clone().unwrap_or_default()}
                        oninput={on_text(&d, |d, v| if let Some(d) = d { d.properties.message_id = opt_text(v) })} />
                    <label>{ "RPC client, replies from " }
                        <select id="p-callback" onchange={on_pick(&d, |d, v| if let Some(d) = d { d.callback = opt_text(v) })}>
                            <option value="" selected={p.callback.is_none()}>{ "(not an RPC client)" }</option>
                            { for queues.iter().map(|q| html! {
                                <option value={q.clone()} selected={p.callback.as_ref() == Some(q)}>{ q }</option>
                            }) }
                            <option value={DIRECT_REPLY_TO} selected={p.callback.as_deref() == Some(DIRECT_REPLY_TO)}>{ DIRECT_REPLY_TO }</option>
                        </select>
                    </label>
                    <p class="args-title">{ "headers" }</p>
                    <ArgsEditor id="producer-headers" args={props.headers.clone()} suggestions={&[][..]}
                        onchange={on_args(&d, |d, v| if let Some(d) = d { d.properties.headers = v })} />
                </fieldset>
            }
        }),
        NodeKind::Consumer => consumer.as_ref().map(|c| {
            let c = c.clone();
            let d = consumer.clone();
            let settle_options = |current: Settle| html! {
                { for Settle::ALL.iter().map(|s| html! {
                    <option value={s.as_str()} selected={*s == current}>{ s.as_str() }</option>
                }) }
            };
            html! {
                <fieldset><legend>{ "Consuming" }</legend>
                    { checkbox("c-auto-ack", "auto-ack", c.auto_ack, on_check(&d, |d, v| if let Some(d) = d { d.auto_ack = v })) }
                    <label>{ "prefetch " }
                        <input id="c-prefetch" type="number" min="0" max="65535" size="5" value={c.prefetch.to_string()}
                            oninput={on_text(&d, |d, v| if let Some(d) = d { d.prefetch = num(&v) })} />
                    </label>
                    <label>{ "works (ms) " }
                        <input id="c-processing" type="number" min="0" size="6" value={c.processing_ms.to_string()}
                            oninput={on_text(&d, |d, v| if let Some(d) = d { d.processing_ms = num(&v) })} />
                    </label>
                    <label>{ "then " }
                        <select id="c-settle" onchange={on_pick(&d, |d, v| if let Some(d) = d { d.settle = Settle::parse(&v).unwrap_or_default() })}>
                            { settle_options(c.settle) }
                        </select>
                    </label>
                    <label>{ "fails every " }
                        <input id="c-fail-every" type="number" min="0" size="4" value={c.fail_every.to_string()}
                            oninput={on_text(&d, |d, v| if let Some(d) = d { d.fail_every = num(&v) })} />
                    </label>
                    <label>{ "th message with " }
                        <select id="c-fail-with" onchange={on_pick(&d, |d, v| if let Some(d) = d { d.fail_with = Settle::parse(&v).unwrap_or_default() })}>
                            { settle_options(c.fail_with) }
                        </select>
                    </label>
                    { checkbox("c-rpc-server", "RPC server (replies to reply_to with the correlation_id)", c.rpc_server,
                        on_check(&d, |d, v| if let Some(d) = d { d.rpc_server = v })) }
                </fieldset>
            }
        }),
    };
    let refusal = state.error.clone();
    html! {
        <div class="node-options">
            <form id="node-options" onsubmit={apply}>
                { for fields }
                <button type="submit" id="apply-options">{ "Apply" }</button>
            </form>
            <form id="rename-node" onsubmit={rename}>
                <input aria-label="new name" size="12" value={(*new_name).clone()} oninput={text_input(&new_name)} />
                <button type="submit">{ "Rename" }</button>
            </form>
            if let Some(text) = refusal {
                <p class="refusal" role="alert">{ text }</p>
            }
        </div>
    }
}
