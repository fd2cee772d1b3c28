//! The Code panel: the scenario as runnable programs (pika or amqplib), one per producer and
//! consumer, to copy or download.

use yew::prelude::*;

use super::share::{copy_text, save_file};
use super::ui::select_value;
use crate::code::{File, Lang};
use crate::state::use_playground;

/// "Code": a language, the programs as tabs, Copy and Download.
#[component]
pub fn CodePanel() -> Html {
    let state = use_playground();
    let open = use_state(|| false);
    let lang = use_state(|| Lang::Pika);
    let tab = use_state(|| 0usize);
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    // The programs come from the tools worker: asked for when the panel opens, the language
    // changes, or the scenario does.
    let files = use_state(|| None::<Result<Vec<File>, String>>);
    let scenario = state.engine.borrow().scenario().clone();
    {
        let files = files.clone();
        use_effect_with((*open, *lang, scenario), move |(open, lang, scenario)| {
            if *open {
                let (lang, scenario) = (*lang, scenario.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let name = if lang == Lang::Pika {
                        "pika"
                    } else {
                        "amqplib"
                    };
                    files.set(Some(crate::tools::generate_files(&scenario, name).await));
                });
            }
        });
    }
    if !*open {
        return html! {
            <button id="show-code" class="code-toggle" onclick={toggle}
                title="The scenario as programs for a real RabbitMQ">{ "Code" }</button>
        };
    }
    let files = match (*files).clone() {
        Some(Ok(files)) => files,
        Some(Err(e)) => {
            return html! { <section class="code-panel"><p class="error">{ format!("Code: {e}") }</p></section> }
        }
        None => {
            return html! { <section class="code-panel"><p>{ "Writing the programs…" }</p></section> }
        }
    };
    let current = files.get(*tab).or(files.first()).cloned();
    let pick_lang = {
        let (lang, tab) = (lang.clone(), tab.clone());
        Callback::from(move |e: Event| {
            if let Ok(l) = Lang::parse(&select_value(e)) {
                lang.set(l);
                tab.set(0);
            }
        })
    };
    let (name, text) = current.map(|f| (f.name, f.text)).unwrap_or_default();
    let tabs = files.iter().enumerate().map(|(i, f)| {
        let pick = {
            let tab = tab.clone();
            Callback::from(move |_: MouseEvent| tab.set(i))
        };
        let selected = f.name == name;
        html! {
            <button role="tab" class="code-tab" aria-selected={selected.to_string()} onclick={pick}>{ f.name.clone() }</button>
        }
    });
    let tabs: Html = tabs.collect();
    let copy = {
        let text = text.clone();
        Callback::from(move |_: MouseEvent| copy_text(&text))
    };
    let download = {
        let (name, text) = (name.clone(), text.clone());
        let mime = if name.ends_with(".py") {
            "text/x-python"
        } else {
            "text/javascript"
        };
        Callback::from(move |_: MouseEvent| save_file(&name, &text, mime))
    };
    let how = match *lang {
        Lang::Pika => "pip install pika, then run each consumer, then each producer, with python3 (AMQP_HOST / AMQP_PORT pick the broker).",
        Lang::Amqplib => "npm install amqplib, then run each consumer, then each producer, with node (AMQP_HOST / AMQP_PORT pick the broker).",
    };
    html! {
        <section class="code-panel" aria-label="Code">
            <div class="code-head">
                <button id="hide-code" class="code-toggle" onclick={toggle}>{ "Hide code" }</button>
                <label>{ "Language " }
                    <select id="code-lang" onchange={pick_lang}>
                        <option value="pika" selected={*lang == Lang::Pika}>{ "Python (pika)" }</option>
                        <option value="amqplib" selected={*lang == Lang::Amqplib}>{ "Node (amqplib)" }</option>
                    </select>
                </label>
                <span role="tablist">{ tabs }</span>
                <button id="copy-code" onclick={copy}>{ "Copy" }</button>
                <button id="download-code" onclick={download}>{ "Download" }</button>
            </div>
            <p class="code-how">{ how }</p>
            <pre class="code-text" data-file={name}><code>{ text }</code></pre>
        </section>
    }
}
