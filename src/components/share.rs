//! Share and files: copy a link that holds the scenario, download it as JSON or as RabbitMQ
//! definitions, open either (picked or dropped on the diagram).

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::code::CodePanel;
use super::picture::PictureButtons;
use crate::api::{embed_js, scenario_js};
use crate::state::{use_playground, Action, PlaygroundContext};

/// The bar under the toolbar: Copy link, Download JSON, Open file.
#[component]
pub fn ShareBar() -> Html {
    let state = use_playground();
    let link = use_state(|| None::<String>);
    let copy = {
        let (state, link) = (state.clone(), link.clone());
        Callback::from(move |_: MouseEvent| {
            let (state, link) = (state.clone(), link.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let url = embed_js::share_link(&state).await;
                copy_text(&url);
                link.set(Some(url));
            });
        })
    };
    let download = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let (name, json) = {
                let s = state.shared_scenario();
                let json = js_sys::JSON::stringify_with_replacer_and_space(
                    &scenario_js::scenario_to_js(&s),
                    &JsValue::NULL,
                    &JsValue::from_f64(2.0),
                )
                .map(String::from)
                .unwrap_or_default();
                (s.name.clone(), json)
            };
            save_file(&format!("{name}.scenario.json"), &json, "application/json");
        })
    };
    let definitions = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let state = state.clone();
            let scenario = state.engine.borrow().scenario().clone();
            wasm_bindgen_futures::spawn_local(async move {
                match crate::tools::export_definitions(&scenario).await {
                    Ok((text, notes)) => {
                        save_file("definitions.json", &text, "application/json");
                        state.dispatch(Action::Notify(format!(
                            "definitions.json has the topology; not in it: {}",
                            notes.join("; ")
                        )));
                    }
                    Err(e) => state.dispatch(Action::Notify(format!("Export definitions: {e}"))),
                }
            });
        })
    };
    let open = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                open_file(&state, file);
            }
            input.set_value("");
        })
    };
    let select_all = Callback::from(|e: FocusEvent| {
        e.target_unchecked_into::<HtmlInputElement>().select();
    });
    html! {
        <div class="share-bar" aria-label="Share and files">
            <button id="copy-link" onclick={copy}
                title="A link that opens this scenario in any browser (it is all in the link)">{ "Copy link" }</button>
            <button id="download-json" onclick={download}>{ "Download JSON" }</button>
            <button id="export-definitions" onclick={definitions}
                title="The topology as RabbitMQ definitions (rabbitmqctl import_definitions)">{ "Export definitions" }</button>
            <PictureButtons />
            <CodePanel />
            <label class="open-file" title="A scenario file (.json), or drop one on the diagram">
                { "Open file… " }
                <input id="open-file" type="file" accept=".json,application/json" onchange={open} />
            </label>
            if let Some(url) = (*link).clone() {
                <input id="share-link" class="share-link" type="text" readonly=true value={url}
                    aria-label="Share link (copied)" onfocus={select_all} />
            }
        </div>
    }
}

/// Reads a picked or dropped file and loads it; a bad file is reported (naming the JSON path
/// and the problem) and the current scenario stays.
pub fn open_file(state: &PlaygroundContext, file: web_sys::File) {
    let name = file.name();
    let state = state.clone();
    let text: Promise = match Reflect::get(&file, &"text".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call0(&file).ok())
    {
        Some(p) => p.unchecked_into(),
        None => return,
    };
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(text) = wasm_bindgen_futures::JsFuture::from(text).await else {
            state.dispatch(Action::Notify(format!(
                "{name}: the file could not be read"
            )));
            return;
        };
        // A RabbitMQ definitions file (its entities name their vhost), or a scenario.
        let text = text.as_string().unwrap_or_default();
        if text.contains("\"vhost\"") || text.contains("\"rabbit_version\"") {
            match embed_js::import_definitions(&state, &JsValue::from_str(&text)).await {
                Ok(notes) if notes.is_empty() => {}
                Ok(notes) => state.dispatch(Action::Notify(format!(
                    "{name}: imported; skipped {}",
                    notes.join("; ")
                ))),
                Err(e) => state.dispatch(Action::Notify(format!("{name} was not opened: {e}"))),
            }
            return;
        }
        match scenario_js::scenario_from_js(&JsValue::from_str(&text)) {
            Ok(scenario) => state.dispatch(Action::LoadScenario(scenario)),
            Err(e) => state.dispatch(Action::Notify(format!("{name} was not opened: {e}"))),
        }
    });
}

/// Puts text on the clipboard (where the browser allows it; the link stays shown either way).
pub fn copy_text(text: &str) {
    let clipboard = web_sys::window()
        .and_then(|w| Reflect::get(&w.navigator(), &"clipboard".into()).ok())
        .filter(|c| !c.is_undefined());
    if let Some(clipboard) = clipboard {
        if let Some(write) = Reflect::get(&clipboard, &"writeText".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
        {
            if let Ok(p) = write.call1(&clipboard, &text.into()) {
                // A refusal (no permission, not focused) only means the reader copies by hand.
                let p: Promise = p.unchecked_into();
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                });
            }
        }
    }
}

/// Offers what `url` holds (a `data:` or `blob:` URL) as a download named `name`.
pub fn save_url(name: &str, url: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(a) = document.create_element("a") {
        let _ = a.set_attribute("href", url);
        let _ = a.set_attribute("download", name);
        if let Some(a) = a.dyn_ref::<web_sys::HtmlElement>() {
            a.click();
        }
    }
}

/// Offers `text` as a download named `name`.
pub fn save_file(name: &str, text: &str, mime: &str) {
    let parts = Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    save_url(name, &url);
    let _ = web_sys::Url::revoke_object_url(&url);
}
