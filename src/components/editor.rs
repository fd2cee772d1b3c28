//! The palette (add exchanges, queues, consumers, producers) and the inspector of the
//! selected node: its counts, its bindings (bind a queue or an exchange, with a key and typed
//! arguments for headers bindings; unbind), every declare option and argument, producer
//! properties and confirms, consumer behaviour and RPC roles, rename and delete. Every change
//! is a broker command; a refusal shows the broker's own text inline and changes nothing.

use yew::prelude::*;

use super::diagram::kind_word;
use super::ui::{option, options, select_input, send, text_input};
use crate::scene::NodeKind;
use crate::sim::playground::DIRECT_REPLY_TO;
use crate::sim::scenario::{
    ArgValue, BindingSpec, ConsumerSpec, ExchangeSpec, ProducerSpec, QueueSpec, Settle,
};
use crate::sim::Edit;
use crate::state::{use_playground, Action, PlaygroundContext};

mod args;
mod fields;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod fuzz;

use args::{
    ArgsEditor, BINDING_ARGUMENTS, CONSUMER_ARGUMENTS, EXCHANGE_ARGUMENTS, QUEUE_ARGUMENTS,
};
use fields::{opt_text, render_fields, show, whole, Field, Problems};

const EXCHANGE_TYPES: [&str; 4] = ["direct", "fanout", "topic", "headers"];
/// Queue types the inspector offers (`x-queue-type`), with what each is for.
const QUEUE_TYPES: [(&str, &str); 3] = [
    ("classic", "classic"),
    ("quorum", "quorum (replicated, durable, delivery limit)"),
    ("stream", "stream (an append-only log, replayable)"),
];
/// The default exchange's value in exchange pickers.
const DEFAULT_EXCHANGE: &str = "";
/// The longest processing time the inspector takes, ms (a day, as `loadScenario` takes).
const MAX_PROCESSING_MS: u64 = 86_400_000;
/// The largest `fail_every` the inspector takes (as `loadScenario` takes).
const MAX_FAIL_EVERY: u64 = 1_000_000;

#[inline(never)]
fn exchange_options(exchanges: &[String], current: &str, with_default: bool) -> Html {
    let default =
        with_default.then(|| option(DEFAULT_EXCHANGE, "(default exchange)", current.is_empty()));
    default
        .into_iter()
        .chain(exchanges.iter().map(|x| option(x, x, x == current)))
        .collect()
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
                    { options(&mut EXCHANGE_TYPES.iter().copied(), &x_kind) }
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
                        { for queues.iter().enumerate().map(|(i, q)| option(q, q, *c_queue == *q || (c_queue.is_empty() && i == 0))) }
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
    let close = send(&state, Action::SelectMessage(None));
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
    // The binding being edited (its index), and a counter that resets the arguments editor.
    let editing = use_state(|| None::<usize>);
    let form_key = use_state(|| 0u32);
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
            let unbind = send(&state, Action::Edit(Edit::Unbind(i)));
            // The bind form below can edit what it can make: this queue's bindings, or this
            // exchange's bindings on to other exchanges.
            let editable = match kind {
                NodeKind::Queue => true,
                _ => b.to_exchange,
            };
            let start_edit = editable.then(|| {
                let (b_exchange, b_key, b_args) = (b_exchange.clone(), b_key.clone(), b_args.clone());
                let (editing, form_key) = (editing.clone(), form_key.clone());
                let b = b.clone();
                Callback::from(move |_: MouseEvent| {
                    let other = if kind == NodeKind::Queue { &b.exchange } else { &b.destination };
                    b_exchange.set(other.clone());
                    b_key.set(b.key.clone());
                    b_args.set(b.arguments.clone());
                    editing.set(Some(i));
                    form_key.set(*form_key + 1);
                })
            });
            html! {
                <li>
                    { format!("{} → {} {} ", b.exchange, b.destination,
                        b.label().map_or_else(|| format!("with key `{}`", b.key), |l| format!("[{l}]"))) }
                    if let Some(onclick) = start_edit {
                        <button class="edit-binding" {onclick}>{ "Edit" }</button>
                    }
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
                let editing = editing.clone();
                let (this, first) = (name.clone(), others.first().cloned().unwrap_or_default());
                edit(&state, move || {
                    let other = or(&b_exchange, &first);
                    let (exchange, destination) = match kind {
                        NodeKind::Queue => (other, this.clone()),
                        _ => (this.clone(), other),
                    };
                    let spec = BindingSpec {
                        exchange,
                        destination,
                        to_exchange: kind == NodeKind::Exchange,
                        key: (*b_key).clone(),
                        show_key: true,
                        arguments: (*b_args).clone(),
                    };
                    match *editing {
                        Some(index) => {
                            editing.set(None);
                            Edit::ReplaceBinding { index, spec }
                        }
                        None => Edit::AddBinding(spec),
                    }
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
                    <ArgsEditor key={*form_key} id="binding-arguments" args={(*b_args).clone()} suggestions={&BINDING_ARGUMENTS[..]}
                        onchange={{ let b_args = b_args.clone(); Callback::from(move |a| b_args.set(a)) }} />
                    <button type="submit" id="bind-submit">{ if editing.is_some() { "Save binding" } else { "Bind" } }</button>
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

    let delete = send(
        &state,
        Action::Edit(Edit::Remove {
            kind,
            name: name.clone(),
        }),
    );
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

fn settle_options() -> Vec<(String, String)> {
    Settle::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), s.as_str().to_string()))
        .collect()
}

fn queue_fields() -> Vec<Field<QueueSpec>> {
    let types = QUEUE_TYPES
        .iter()
        .map(|(value, text)| (value.to_string(), text.to_string()))
        .collect();
    vec![
        Field::Pick(
            "q-type",
            "type",
            types,
            |q| q.queue_type().to_string(),
            |q, v| q.set_queue_type(&v),
        ),
        Field::Check("q-durable", "durable", |q| q.durable, |q, v| q.durable = v),
        Field::Check(
            "q-exclusive",
            "exclusive",
            |q| q.exclusive,
            |q, v| q.exclusive = v,
        ),
        Field::Check(
            "q-auto-delete",
            "auto-delete",
            |q| q.auto_delete,
            |q, v| q.auto_delete = v,
        ),
        Field::Args(
            "queue-arguments",
            &QUEUE_ARGUMENTS,
            |q| q.arguments.clone(),
            |q, v| q.arguments = v,
        ),
    ]
}

fn exchange_fields() -> Vec<Field<ExchangeSpec>> {
    vec![
        Field::Check("x-durable", "durable", |x| x.durable, |x, v| x.durable = v),
        Field::Check(
            "x-auto-delete",
            "auto-delete",
            |x| x.auto_delete,
            |x, v| x.auto_delete = v,
        ),
        Field::Check(
            "x-internal",
            "internal",
            |x| x.internal,
            |x, v| x.internal = v,
        ),
        Field::Args(
            "exchange-arguments",
            &EXCHANGE_ARGUMENTS,
            |x| x.arguments.clone(),
            |x, v| x.arguments = v,
        ),
    ]
}

fn producer_fields(exchanges: &[String], queues: &[String]) -> Vec<Field<ProducerSpec>> {
    let to = std::iter::once((String::new(), "(default exchange)".to_string()))
        .chain(exchanges.iter().map(|x| (x.clone(), x.clone())))
        .collect();
    let callbacks = std::iter::once((String::new(), "(not an RPC client)".to_string()))
        .chain(queues.iter().map(|q| (q.clone(), q.clone())))
        .chain(std::iter::once((
            DIRECT_REPLY_TO.to_string(),
            DIRECT_REPLY_TO.to_string(),
        )))
        .collect();
    let modes = [("", "(none)"), ("1", "1 transient"), ("2", "2 persistent")]
        .iter()
        .map(|(v, t)| (v.to_string(), t.to_string()))
        .collect();
    vec![
        Field::Pick(
            "p-exchange",
            "to",
            to,
            |p| p.exchange.clone(),
            |p, v| p.exchange = v,
        ),
        Field::Text(
            "p-key",
            "routing key",
            |p| p.routing_key.clone(),
            |p, v| p.routing_key = v,
        ),
        Field::Text("p-body", "body", |p| p.body.clone(), |p, v| p.body = v),
        Field::Check(
            "p-mandatory",
            "mandatory",
            |p| p.mandatory,
            |p, v| p.mandatory = v,
        ),
        Field::Check(
            "p-confirm",
            "publisher confirms",
            |p| p.confirm,
            |p, v| p.confirm = v,
        ),
        Field::Pick(
            "p-delivery-mode",
            "delivery_mode",
            modes,
            |p| show(&p.properties.delivery_mode),
            |p, v| p.properties.delivery_mode = v.parse().ok(),
        ),
        Field::Number(
            "p-priority",
            "priority",
            |p| show(&p.properties.priority),
            |p, v| {
                p.properties.priority = whole(v, "priority", 255)?.map(|n| n as u8);
                Ok(())
            },
        ),
        Field::Text(
            "p-expiration",
            "expiration ms",
            |p| show(&p.properties.expiration),
            |p, v| p.properties.expiration = opt_text(v),
        ),
        Field::Text(
            "p-reply-to",
            "reply_to",
            |p| show(&p.properties.reply_to),
            |p, v| p.properties.reply_to = opt_text(v),
        ),
        Field::Text(
            "p-correlation-id",
            "correlation_id",
            |p| show(&p.properties.correlation_id),
            |p, v| p.properties.correlation_id = opt_text(v),
        ),
        Field::Text(
            "p-message-id",
            "message_id",
            |p| show(&p.properties.message_id),
            |p, v| p.properties.message_id = opt_text(v),
        ),
        Field::Pick(
            "p-callback",
            "RPC client, replies from",
            callbacks,
            |p| show(&p.callback),
            |p, v| p.callback = opt_text(v),
        ),
        Field::Args(
            "producer-headers",
            &[],
            |p| p.properties.headers.clone(),
            |p, v| p.properties.headers = v,
        ),
    ]
}

fn consumer_fields() -> Vec<Field<ConsumerSpec>> {
    vec![
        Field::Check(
            "c-auto-ack",
            "auto-ack",
            |c| c.auto_ack,
            |c, v| c.auto_ack = v,
        ),
        Field::Number(
            "c-prefetch",
            "prefetch",
            |c| c.prefetch.to_string(),
            |c, v| {
                c.prefetch = whole(v, "prefetch", u64::from(u16::MAX))?.unwrap_or(0) as u16;
                Ok(())
            },
        ),
        Field::Number(
            "c-processing",
            "works (ms)",
            |c| c.processing_ms.to_string(),
            |c, v| {
                c.processing_ms = whole(v, "works (ms)", MAX_PROCESSING_MS)?.unwrap_or(0);
                Ok(())
            },
        ),
        Field::Pick(
            "c-settle",
            "then",
            settle_options(),
            |c| c.settle.as_str().to_string(),
            |c, v| c.settle = Settle::parse(&v).unwrap_or_default(),
        ),
        Field::Number(
            "c-fail-every",
            "fails every n-th message, n =",
            |c| c.fail_every.to_string(),
            |c, v| {
                c.fail_every =
                    whole(v, "fails every n-th message", MAX_FAIL_EVERY)?.unwrap_or(0) as u32;
                Ok(())
            },
        ),
        Field::Pick(
            "c-fail-with",
            "failed ones get",
            settle_options(),
            |c| c.fail_with.as_str().to_string(),
            |c, v| c.fail_with = Settle::parse(&v).unwrap_or_default(),
        ),
        Field::Check(
            "c-rpc-server",
            "RPC server (replies to reply_to with the correlation_id)",
            |c| c.rpc_server,
            |c, v| c.rpc_server = v,
        ),
        Field::Args(
            "consumer-arguments",
            &CONSUMER_ARGUMENTS,
            |c| c.arguments.clone(),
            |c, v| c.arguments = v,
        ),
    ]
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
    let scenario = state.engine.borrow().scenario().clone();
    let queues: Vec<String> = scenario.queues.iter().map(|q| q.name.clone()).collect();
    let exchanges: Vec<String> = scenario.exchanges.iter().map(|x| x.name.clone()).collect();
    let name = props.name.to_string();
    let queue = use_state(|| {
        let found = scenario.queues.iter().find(|q| q.name == name);
        found.cloned().unwrap_or_default()
    });
    let exchange = use_state(|| {
        let found = scenario.exchanges.iter().find(|x| x.name == name);
        found.cloned().unwrap_or_default()
    });
    let producer = use_state(|| {
        let found = scenario.producers.iter().find(|p| p.name == name);
        found.cloned().unwrap_or_default()
    });
    let consumer = use_state(|| {
        let found = scenario.consumers.iter().find(|c| c.name == name);
        found.cloned().unwrap_or_default()
    });
    let new_name = use_state(|| name.clone());
    let problems = use_state(Problems::new);

    let apply = {
        let (state, kind) = (state.clone(), props.kind);
        let (queue, exchange, producer, consumer) = (
            queue.clone(),
            exchange.clone(),
            producer.clone(),
            consumer.clone(),
        );
        let problems = problems.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // A refused field is shown beside it; applying the last good value instead would
            // drop what was typed without a word.
            if !problems.is_empty() {
                return;
            }
            state.dispatch(Action::Edit(match kind {
                NodeKind::Queue => Edit::UpdateQueue((*queue).clone()),
                NodeKind::Exchange => Edit::UpdateExchange((*exchange).clone()),
                NodeKind::Producer => Edit::UpdateProducer((*producer).clone()),
                NodeKind::Consumer => Edit::UpdateConsumer((*consumer).clone()),
            }));
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
        NodeKind::Queue => render_fields(&queue, &problems, queue_fields()),
        NodeKind::Exchange => render_fields(&exchange, &problems, exchange_fields()),
        NodeKind::Producer => {
            render_fields(&producer, &problems, producer_fields(&exchanges, &queues))
        }
        NodeKind::Consumer => render_fields(&consumer, &problems, consumer_fields()),
    };
    let blocked = !problems.is_empty();
    html! {
        <div class="node-options">
            <form id="node-options" onsubmit={apply}>
                <fieldset><legend>{ "Options" }</legend>{ fields }</fieldset>
                <button type="submit" id="apply-options" disabled={blocked}>{ "Apply" }</button>
            </form>
            <form id="rename-node" onsubmit={rename}>
                <input aria-label="new name" size="12" value={(*new_name).clone()} oninput={text_input(&new_name)} />
                <button type="submit">{ "Rename" }</button>
            </form>
            if let Some(text) = state.error.clone() {
                <p class="refusal" role="alert">{ text }</p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_field_takes_whole_numbers_in_range_and_refuses_the_rest_with_why() {
        assert_eq!(whole("", "priority", 255), Ok(None));
        assert_eq!(whole(" 7 ", "priority", 255), Ok(Some(7)));
        assert_eq!(whole("255", "priority", 255), Ok(Some(255)));
        for bad in ["300", "-1", "1.5", "abc", "+3", "1e3"] {
            assert_eq!(
                whole(bad, "priority", 255),
                Err(format!(
                    "priority: {bad:?} is not a whole number from 0 to 255"
                )),
            );
        }
    }

    fn set_number<T>(
        fields: Vec<Field<T>>,
        id: &str,
        spec: &mut T,
        text: &str,
    ) -> Result<(), String> {
        for field in fields {
            if let Field::Number(field_id, _, _, set) = field {
                if field_id == id {
                    return set(spec, text);
                }
            }
        }
        panic!("no number field {id}");
    }

    #[test]
    fn the_inspector_refuses_a_priority_of_300_and_keeps_the_last_good_one() {
        let mut p = ProducerSpec::default();
        let fields = || producer_fields(&[], &[]);
        set_number(fields(), "p-priority", &mut p, "5").unwrap();
        assert_eq!(p.properties.priority, Some(5));
        let why = set_number(fields(), "p-priority", &mut p, "300").unwrap_err();
        assert_eq!(why, "priority: \"300\" is not a whole number from 0 to 255");
        assert_eq!(p.properties.priority, Some(5), "unchanged");
        set_number(fields(), "p-priority", &mut p, "").unwrap();
        assert_eq!(p.properties.priority, None, "empty clears it");
    }

    #[test]
    fn consumer_numbers_out_of_range_are_refused_not_zeroed() {
        let mut c = ConsumerSpec {
            prefetch: 3,
            processing_ms: 500,
            fail_every: 2,
            ..ConsumerSpec::default()
        };
        for (id, text) in [
            ("c-prefetch", "70000"),
            ("c-prefetch", "x"),
            ("c-processing", "-5"),
            ("c-processing", "86400001"),
            ("c-fail-every", "2.5"),
        ] {
            assert!(
                set_number(consumer_fields(), id, &mut c, text).is_err(),
                "{id} = {text}"
            );
        }
        assert_eq!((c.prefetch, c.processing_ms, c.fail_every), (3, 500, 2));
        set_number(consumer_fields(), "c-prefetch", &mut c, "65535").unwrap();
        set_number(consumer_fields(), "c-fail-every", &mut c, "").unwrap();
        assert_eq!((c.prefetch, c.fail_every), (65_535, 0));
    }
}
