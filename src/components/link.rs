//! The bar under the diagram for direct manipulation: while a binding is drawn it says what
//! to do next, then asks for the binding key; otherwise it offers the selected node's or
//! edge's actions (bind from it, delete) as buttons, for touch and for anyone who does not
//! use the keyboard shortcuts. (Renaming is in the inspector.)

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::components::diagram::kind_word;
use crate::scene::NodeKind;
use crate::state::{use_playground, Action, Linking};

/// Link prompt and selection actions.
#[component]
pub fn LinkBar() -> Html {
    let state = use_playground();
    let key_field = use_node_ref();
    {
        // The key field takes the focus as soon as the target is picked (keyboard path).
        let key_field = key_field.clone();
        let asking = state.linking.as_ref().is_some_and(|l| l.to.is_some());
        use_effect_with(asking, move |&asking| {
            if asking {
                if let Some(input) = key_field.cast::<HtmlInputElement>() {
                    let _ = input.focus();
                }
            }
        });
    }
    let cancel = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::CancelLink))
    };
    match state.linking.clone() {
        Some(Linking { from, to: None }) => html! {
            <div class="link-bar" role="status">
                { "Binding from exchange " }<code>{ from }</code>
                { ": click or tap a queue or an exchange (or Tab/arrows to one and press Enter)." }
                <button id="cancel-link" onclick={cancel}>{ "Cancel" }</button>
            </div>
        },
        Some(Linking {
            from,
            to: Some((kind, name)),
        }) => {
            let submit = {
                let state = state.clone();
                let key_field = key_field.clone();
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    let key = key_field
                        .cast::<HtmlInputElement>()
                        .map(|i| i.value())
                        .unwrap_or_default();
                    state.dispatch(Action::FinishLink(key));
                })
            };
            let escape = {
                let state = state.clone();
                Callback::from(move |e: KeyboardEvent| {
                    if e.key() == "Escape" {
                        state.dispatch(Action::CancelLink);
                    }
                })
            };
            html! {
                <form id="link-prompt" class="link-bar" onsubmit={submit}>
                    <label>
                        { "Bind " }<code>{ from }</code>{ " → " }{ kind_word(kind) }{ " " }<code>{ name }</code>
                        { " with key " }
                        <input id="link-key" ref={key_field} type="text" size="14" spellcheck="false"
                            aria-label="binding key" onkeydown={escape} />
                    </label>
                    <button type="submit" class="primary">{ "Bind" }</button>
                    <button type="button" id="cancel-link" onclick={cancel}>{ "Cancel" }</button>
                </form>
            }
        }
        None => {
            let delete = {
                let state = state.clone();
                Callback::from(move |_: MouseEvent| state.dispatch(Action::DeleteSelected))
            };
            if let Some(edge) = state.selected_edge {
                let label = {
                    let engine = state.engine.borrow();
                    let g = engine.graph();
                    g.edges.get(edge).map(|e| {
                        let name = |i: usize| g.nodes.get(i).map_or("", |n| n.name.as_str());
                        format!(
                            "binding {} → {}{}",
                            name(e.from.0),
                            name(e.to.0),
                            e.label
                                .as_ref()
                                .map(|l| format!(" (key {l})"))
                                .unwrap_or_default()
                        )
                    })
                };
                let Some(label) = label else {
                    return Html::default();
                };
                return html! {
                    <div class="link-bar">
                        <span>{ label }</span>
                        <button id="delete-selected" class="danger" onclick={delete}>{ "Delete binding" }</button>
                    </div>
                };
            }
            let Some((kind, name)) = state.selected.clone() else {
                let has_exchange = !state.engine.borrow().scenario().exchanges.is_empty();
                return if has_exchange {
                    html! {
                        <p class="link-hint">
                            { "To bind, select an exchange and drag its " }<b>{ "+" }</b>
                            { " onto a queue or an exchange (or click it, then the target; on a touch screen tap the exchange, then the target; from the keyboard focus the exchange and press B)." }
                        </p>
                    }
                } else {
                    Html::default()
                };
            };
            let start = {
                let state = state.clone();
                let name = name.clone();
                Callback::from(move |_: MouseEvent| state.dispatch(Action::StartLink(name.clone())))
            };
            html! {
                <div class="link-bar">
                    <span>{ format!("{} {name}", kind_word(kind)) }</span>
                    if kind == NodeKind::Exchange {
                        <button id="start-link" onclick={start} title="Bind from this exchange (B)">{ "Bind…" }</button>
                    }
                    <button id="delete-selected" class="danger" onclick={delete}
                        title="Delete (Delete key)">{ "Delete" }</button>
                </div>
            }
        }
    }
}
