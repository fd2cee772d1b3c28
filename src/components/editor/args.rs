//! The typed arguments editor (declare and binding arguments, message headers) and the
//! argument names it suggests.

use yew::prelude::*;

use super::super::ui::{input_value, options, select_value};
use crate::sim::scenario::ArgValue;

/// Known queue arguments, offered as suggestions in the arguments editor.
pub(super) const QUEUE_ARGUMENTS: [&str; 15] = [
    "x-queue-type",
    "x-message-ttl",
    "x-expires",
    "x-max-length",
    "x-max-length-bytes",
    "x-overflow",
    "x-dead-letter-exchange",
    "x-dead-letter-routing-key",
    "x-max-priority",
    "x-single-active-consumer",
    "x-delivery-limit",
    "x-dead-letter-strategy",
    "x-max-age",
    "x-stream-max-segment-size-bytes",
    "x-max-length-bytes",
];
/// basic.consume arguments.
pub(super) const CONSUMER_ARGUMENTS: [&str; 2] = ["x-stream-offset", "x-priority"];
/// Known exchange arguments.
pub(super) const EXCHANGE_ARGUMENTS: [&str; 1] = ["alternate-exchange"];
/// Headers-binding arguments.
pub(super) const BINDING_ARGUMENTS: [&str; 1] = ["x-match"];
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
pub(super) fn typed_value(kind: &str, text: &str) -> ArgValue {
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
                    oninput={Callback::from(move |e: InputEvent| on_key(input_value(e)))} />
                <select aria-label="argument type"
                    onchange={Callback::from(move |e: Event| on_kind(select_value(e)))}>
                    { options(&mut VALUE_TYPES.iter().copied(), kind) }
                </select>
                if kind != "void" {
                    <input aria-label="argument value" size="10" value={text.clone()}
                        oninput={Callback::from(move |e: InputEvent| on_text(input_value(e)))} />
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
