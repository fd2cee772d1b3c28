//! Diagram export: the SVG exactly as drawn (the page's own diagram styles and the theme's
//! background inlined, so it looks the same on its own), or a PNG rendered from it at twice
//! the size.

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::state::{use_playground, Action};

// `www/page.js` defines them.
#[wasm_bindgen(js_namespace = amqpPlaygroundPage)]
extern "C" {
    /// The diagram as standalone SVG text.
    #[wasm_bindgen(catch, js_name = diagramSvg)]
    pub fn diagram_svg() -> Result<String, JsValue>;
    /// The diagram as a PNG `data:` URL.
    #[wasm_bindgen(catch, js_name = diagramPng)]
    pub async fn diagram_png() -> Result<JsValue, JsValue>;
}

/// "SVG" and "PNG": the diagram as a file.
#[component]
pub fn PictureButtons() -> Html {
    let state = use_playground();
    let name = state.engine.borrow().scenario().name.clone();
    let svg = {
        let (state, name) = (state.clone(), name.clone());
        Callback::from(move |_: MouseEvent| match diagram_svg() {
            Ok(text) => super::share::save_file(&format!("{name}.svg"), &text, "image/svg+xml"),
            Err(e) => state.dispatch(Action::Notify(format!("SVG export failed: {e:?}"))),
        })
    };
    let png = Callback::from(move |_: MouseEvent| {
        let (state, name) = (state.clone(), name.clone());
        wasm_bindgen_futures::spawn_local(async move {
            match diagram_png()
                .await
                .map(|v| v.as_string().unwrap_or_default())
            {
                Ok(url) => super::share::save_url(&format!("{name}.png"), &url),
                Err(e) => state.dispatch(Action::Notify(format!("PNG export failed: {e:?}"))),
            }
        })
    });
    html! {
        <>
            <button id="export-svg" onclick={svg} title="The diagram as drawn, as SVG">{ "SVG" }</button>
            <button id="export-png" onclick={png} title="The diagram as drawn, as PNG (2×)">{ "PNG" }</button>
        </>
    }
}
