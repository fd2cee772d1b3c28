//! Small markup and callback helpers the components share. Each is one plain function (not
//! generic, not inlined), so its code exists once in the wasm instead of once per use, which keeps
//! the page download within its budget.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::state::{Action, PlaygroundContext};

/// `<option value selected>text</option>`.
#[inline(never)]
pub fn option(value: &str, text: &str, selected: bool) -> Html {
    html! { <option value={value.to_string()} {selected}>{ text.to_string() }</option> }
}

/// Options whose value is their text, with `current` selected.
#[inline(never)]
pub fn options(values: &mut dyn Iterator<Item = &str>, current: &str) -> Html {
    values.map(|v| option(v, v, v == current)).collect()
}

/// The value of the `<input>` an input event comes from.
#[inline(never)]
pub fn input_value(e: InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

/// The value of the `<select>` a change event comes from.
#[inline(never)]
pub fn select_value(e: Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

/// Keeps a text field's state in step with what is typed.
#[inline(never)]
pub fn text_input(handle: &UseStateHandle<String>) -> Callback<InputEvent> {
    let handle = handle.clone();
    Callback::from(move |e: InputEvent| handle.set(input_value(e)))
}

/// Keeps a select's state in step with what is picked.
#[inline(never)]
pub fn select_input(handle: &UseStateHandle<String>) -> Callback<Event> {
    let handle = handle.clone();
    Callback::from(move |e: Event| handle.set(select_value(e)))
}

/// Dispatches `action` on a click.
#[inline(never)]
pub fn send(state: &PlaygroundContext, action: Action) -> Callback<MouseEvent> {
    let state = state.clone();
    Callback::from(move |_: MouseEvent| state.dispatch(action.clone()))
}

/// Dispatches what `make` makes of a select's new value (nothing when it makes nothing).
#[inline(never)]
pub fn on_pick(state: &PlaygroundContext, make: fn(String) -> Option<Action>) -> Callback<Event> {
    let state = state.clone();
    Callback::from(move |e: Event| {
        if let Some(action) = make(select_value(e)) {
            state.dispatch(action);
        }
    })
}
