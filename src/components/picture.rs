//! Diagram export: the SVG exactly as drawn (the page's own diagram styles and the theme's
//! background inlined, so it looks the same on its own), or a PNG rendered from it at twice
//! the size.

use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::state::{use_playground, Action};

#[wasm_bindgen(inline_js = "
    function svgText() {
        const svg = document.querySelector('svg.diagram');
        if (!svg) throw new Error('no diagram on the page');
        const copy = svg.cloneNode(true);
        copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
        const box = svg.getBoundingClientRect();
        copy.setAttribute('width', Math.ceil(box.width));
        copy.setAttribute('height', Math.ceil(box.height));
        // The diagram's own rules (fonts, token and label styles), from the page's sheets.
        const rules = [];
        for (const sheet of document.styleSheets) {
            let list;
            try { list = sheet.cssRules; } catch (_) { continue; }
            for (const r of list) if (r.cssText.includes('svg.diagram') || r.cssText.startsWith('svg')) rules.push(r.cssText);
        }
        const main = document.querySelector('main.playground') || document.body;
        const style = getComputedStyle(main);
        const css = document.createElementNS('http://www.w3.org/2000/svg', 'style');
        css.textContent = `svg.diagram { font-family: ${style.fontFamily}; color: ${style.color}; }\\n` + rules.join('\\n');
        copy.insertBefore(css, copy.firstChild);
        const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
        bg.setAttribute('width', '100%'); bg.setAttribute('height', '100%');
        bg.setAttribute('fill', style.backgroundColor && style.backgroundColor !== 'rgba(0, 0, 0, 0)' ? style.backgroundColor : '#ffffff');
        copy.insertBefore(bg, css.nextSibling);
        return { text: new XMLSerializer().serializeToString(copy), width: box.width, height: box.height };
    }
    export function diagramSvg() { return svgText().text; }
    export async function diagramPng() {
        const { text, width, height } = svgText();
        const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
        try {
            const img = new Image();
            await new Promise((ok, fail) => { img.onload = ok; img.onerror = () => fail(new Error('the diagram could not be drawn')); img.src = url; });
            const canvas = document.createElement('canvas');
            canvas.width = Math.ceil(width * 2); canvas.height = Math.ceil(height * 2);
            const g = canvas.getContext('2d');
            g.scale(2, 2);
            g.drawImage(img, 0, 0, width, height);
            return canvas.toDataURL('image/png');
        } finally { URL.revokeObjectURL(url); }
    }")]
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
