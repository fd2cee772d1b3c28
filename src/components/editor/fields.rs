//! The inspector's form fields: one table of getters and setters per node kind, rendered by
//! one loop (which keeps the page download small), with refused numbers shown beside them.

use amqp_playground_core::SortedMap;
use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::super::ui::{input_value, option, select_value};
use super::args::ArgsEditor;
use crate::sim::scenario::ArgValue;

/// One editable setting of a node, as a getter and a setter on its spec. The forms are
/// tables of these rendered by one loop, which keeps the page download small.
pub(super) enum Field<T> {
    /// A text input.
    Text(
        &'static str,
        &'static str,
        fn(&T) -> String,
        fn(&mut T, String),
    ),
    /// A number input whose setter refuses what the spec cannot hold, with the reason (shown
    /// beside the field; the spec keeps its last good value and Apply waits).
    Number(
        &'static str,
        &'static str,
        fn(&T) -> String,
        fn(&mut T, &str) -> Result<(), String>,
    ),
    /// A checkbox.
    Check(&'static str, &'static str, fn(&T) -> bool, fn(&mut T, bool)),
    /// A select: its options (value, text) and the current value.
    Pick(
        &'static str,
        &'static str,
        Vec<(String, String)>,
        fn(&T) -> String,
        fn(&mut T, String),
    ),
    /// Typed arguments (or headers).
    Args(
        &'static str,
        &'static [&'static str],
        fn(&T) -> Vec<(String, ArgValue)>,
        fn(&mut T, Vec<(String, ArgValue)>),
    ),
}

/// A field with its current value, no longer tied to the spec type: the markup below
/// exists once for all four kinds of node.
pub(super) struct Shown {
    id: &'static str,
    label: &'static str,
    input: Input,
    set: Callback<Value>,
}

pub(super) enum Input {
    Text(String),
    Check(bool),
    Pick(Vec<(String, String)>, String),
    Args(&'static [&'static str], Vec<(String, ArgValue)>),
}

pub(super) enum Value {
    Text(String),
    Check(bool),
    Args(Vec<(String, ArgValue)>),
}

/// Where a field's new value goes in the spec.
pub(super) enum Setter<T> {
    Text(fn(&mut T, String)),
    Number(fn(&mut T, &str) -> Result<(), String>),
    Check(fn(&mut T, bool)),
    Args(fn(&mut T, Vec<(String, ArgValue)>)),
}

/// Field id → why its typed value was refused.
pub(super) type Problems = SortedMap<&'static str, String>;

/// Reads every field's value from the draft, and makes one setter (field index, value) for
/// them all; the markup is built by the non-generic [`render_shown`]. A refused number is
/// kept out of the draft and its reason put in `problems` until it is fixed.
pub(super) fn render_fields<T: Clone + 'static>(
    draft: &UseStateHandle<T>,
    problems: &UseStateHandle<Problems>,
    fields: Vec<Field<T>>,
) -> Html {
    let mut shown = Vec::with_capacity(fields.len());
    let mut setters = Vec::with_capacity(fields.len());
    for field in fields {
        let (id, label, input, setter) = match field {
            Field::Text(id, label, get, set) => {
                (id, label, Input::Text(get(draft)), Setter::Text(set))
            }
            Field::Number(id, label, get, set) => {
                (id, label, Input::Text(get(draft)), Setter::Number(set))
            }
            Field::Check(id, label, get, set) => {
                (id, label, Input::Check(get(draft)), Setter::Check(set))
            }
            Field::Pick(id, label, options, get, set) => (
                id,
                label,
                Input::Pick(options, get(draft)),
                Setter::Text(set),
            ),
            Field::Args(id, suggestions, get, set) => (
                id,
                "",
                Input::Args(suggestions, get(draft)),
                Setter::Args(set),
            ),
        };
        shown.push((id, label, input));
        setters.push(setter);
    }
    let ids: Vec<&'static str> = shown.iter().map(|(id, _, _)| *id).collect();
    let (d, p) = (draft.clone(), problems.clone());
    let set: Rc<dyn Fn(usize, Value)> = Rc::new(move |i, value| {
        let mut next = (*d).clone();
        match (&setters[i], value) {
            (Setter::Text(f), Value::Text(t)) => f(&mut next, t),
            (Setter::Number(f), Value::Text(t)) => {
                let mut now = (*p).clone();
                match f(&mut next, &t) {
                    Ok(()) => now.remove(ids[i]),
                    Err(why) => {
                        now.insert(ids[i], why);
                        p.set(now);
                        return;
                    }
                };
                p.set(now);
            }
            (Setter::Check(f), Value::Check(on)) => f(&mut next, on),
            (Setter::Args(f), Value::Args(a)) => f(&mut next, a),
            _ => return,
        }
        d.set(next);
    });
    render_shown(shown, set, problems)
}

#[inline(never)]
fn render_shown(
    shown: Vec<(&'static str, &'static str, Input)>,
    set: Rc<dyn Fn(usize, Value)>,
    problems: &Problems,
) -> Html {
    shown
        .into_iter()
        .enumerate()
        .map(|(i, (id, label, input))| {
            let set = set.clone();
            let problem = problems.get(id).cloned().unwrap_or_default();
            render_field(
                Shown {
                    id,
                    label,
                    input,
                    set: Callback::from(move |v| set(i, v)),
                },
                problem,
            )
        })
        .collect()
}

fn render_field(f: Shown, problem: String) -> Html {
    let Shown {
        id,
        label,
        input,
        set,
    } = f;
    match input {
        Input::Text(value) => {
            let oninput = set.reform(|e: InputEvent| Value::Text(input_value(e)));
            // The reason slot is always there (hidden when empty), so Yew keeps the input.
            let hidden = problem.is_empty();
            let invalid = if hidden { "false" } else { "true" };
            html! {
                <label>{ label }{ " " }<input {id} size="10" {value} {oninput} aria-invalid={invalid} />
                    <span class="refusal" role="alert" {hidden}>{ problem }</span>
                </label>
            }
        }
        Input::Check(checked) => {
            let onchange = set.reform(|e: Event| {
                Value::Check(e.target_unchecked_into::<HtmlInputElement>().checked())
            });
            html! { <label><input type="checkbox" {id} {checked} {onchange} />{ " " }{ label }</label> }
        }
        Input::Pick(options, current) => {
            let onchange = set.reform(|e: Event| Value::Text(select_value(e)));
            html! {
                <label>{ label }{ " " }
                    <select {id} {onchange}>
                        { for options.iter().map(|(value, text)| option(value, text, *value == current)) }
                    </select>
                </label>
            }
        }
        Input::Args(suggestions, args) => {
            let onchange = set.reform(Value::Args);
            html! { <ArgsEditor {id} {args} {suggestions} {onchange} /> }
        }
    }
}

/// A whole number from 0 to `max` typed into the field `label`; empty is `None`. Anything
/// else is refused with the reason, instead of being dropped (`300` is no priority).
pub(super) fn whole(text: &str, label: &str, max: u64) -> Result<Option<u64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<u64>() {
        Ok(n) if n <= max && text.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(n)),
        _ => Err(format!(
            "{label}: {text:?} is not a whole number from 0 to {max}"
        )),
    }
}

pub(super) fn opt_text(text: String) -> Option<String> {
    (!text.trim().is_empty()).then_some(text)
}

pub(super) fn show<N: ToString>(v: &Option<N>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}
