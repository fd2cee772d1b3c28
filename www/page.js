// The page's helpers that need browser APIs wasm-bindgen does not wrap conveniently, as one
// classic script (Trunk minifies it): share links' raw DEFLATE through the browser's
// Compression/DecompressionStream (src/share.rs), the diagram as SVG or PNG
// (src/components/picture.rs), and the notice when a bug stops the wasm. A classic script
// rather than wasm-bindgen `inline_js` modules, so that the page's wasm-bindgen loader can be
// a classic script too
// (`--target no-modules`), which Trunk's minifier reads: 2 KB less of the gzipped download.
(function () {
  "use strict";

  async function deflate(text) {
    const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("deflate-raw"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  // The inflated bytes; null when they do not unpack; -1 past `limit` bytes.
  async function inflate(bytes, limit) {
    const reader = new Blob([bytes]).stream()
      .pipeThrough(new DecompressionStream("deflate-raw")).getReader();
    const parts = [];
    let total = 0;
    for (;;) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch (_) {
        return null;
      }
      if (chunk.done) break;
      total += chunk.value.length;
      if (total > limit) {
        reader.cancel();
        return -1;
      }
      parts.push(chunk.value);
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  function svgText() {
    const svg = document.querySelector("svg.diagram");
    if (!svg) throw new Error("no diagram on the page");
    const copy = svg.cloneNode(true);
    copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    const box = svg.getBoundingClientRect();
    copy.setAttribute("width", Math.ceil(box.width));
    copy.setAttribute("height", Math.ceil(box.height));
    // The diagram's own rules (fonts, token and label styles), from the page's sheets.
    const rules = [];
    for (const sheet of document.styleSheets) {
      let list;
      try {
        list = sheet.cssRules;
      } catch (_) {
        continue;
      }
      for (const r of list) {
        if (r.cssText.includes("svg.diagram") || r.cssText.startsWith("svg")) rules.push(r.cssText);
      }
    }
    const main = document.querySelector("main.playground") || document.body;
    const style = getComputedStyle(main);
    const css = document.createElementNS("http://www.w3.org/2000/svg", "style");
    css.textContent =
      `svg.diagram { font-family: ${style.fontFamily}; color: ${style.color}; }\n` + rules.join("\n");
    copy.insertBefore(css, copy.firstChild);
    const bg = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    bg.setAttribute("width", "100%");
    bg.setAttribute("height", "100%");
    const fill = style.backgroundColor;
    bg.setAttribute("fill", fill && fill !== "rgba(0, 0, 0, 0)" ? fill : "#ffffff");
    copy.insertBefore(bg, css.nextSibling);
    return { text: new XMLSerializer().serializeToString(copy), width: box.width, height: box.height };
  }

  // The diagram as standalone SVG text.
  function diagramSvg() {
    return svgText().text;
  }

  // The diagram as a PNG `data:` URL, at twice its size.
  async function diagramPng() {
    const { text, width, height } = svgText();
    const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
    try {
      const img = new Image();
      await new Promise((ok, fail) => {
        img.onload = ok;
        img.onerror = () => fail(new Error("the diagram could not be drawn"));
        img.src = url;
      });
      const canvas = document.createElement("canvas");
      canvas.width = Math.ceil(width * 2);
      canvas.height = Math.ceil(height * 2);
      const g = canvas.getContext("2d");
      g.scale(2, 2);
      g.drawImage(img, 0, 0, width, height);
      return canvas.toDataURL("image/png");
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  // A bug that stops the wasm (a Rust panic aborts it: a RuntimeError reaches the page) leaves
  // a page that no longer answers. Say so and offer a reload; from then on the autosave is
  // frozen, so a broken state never replaces the learner's last good playground
  // (crates/e2e/tests/crash.rs).
  function crashed(e) {
    const err = e.error || e.reason;
    if (!(err instanceof WebAssembly.RuntimeError) || document.getElementById("crash")) return;
    const save = Storage.prototype.setItem;
    Storage.prototype.setItem = function (k, v) {
      if (!String(k).startsWith("amqp-playground.")) save.call(this, k, v);
    };
    const box = document.createElement("div");
    box.id = "crash";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-label", "The playground stopped");
    box.innerHTML = "<p>The playground stopped because of a bug (<code></code>). " +
      "Your autosaved playground is kept as it was before.</p><button>Reload</button>";
    box.querySelector("code").textContent = err.message;
    const reload = box.querySelector("button");
    reload.onclick = () => location.reload();
    document.body.prepend(box);
    reload.focus();
  }
  addEventListener("error", crashed);
  addEventListener("unhandledrejection", crashed);

  window.amqpPlaygroundPage = { deflate, inflate, diagramSvg, diagramPng };
})();
