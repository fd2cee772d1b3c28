// <amqp-playground>: the AMQP Playground inside a documentation page.
//
//   <script type="module" src="https://PLAYGROUND/embed.js"></script>
//   <amqp-playground preset="topics" mode="play" autoplay step height="auto">
//     <a href="https://PLAYGROUND/?preset=topics">Open the topics tutorial in AMQP Playground</a>
//   </amqp-playground>
//
// Attributes: preset | scenario ("#s=1.…" from a share link, or scenario JSON) | an inline
// <script type="application/json"> child; mode (view | play | edit), autoplay, step, speed,
// theme, controls, height ("auto" or pixels), loading ("lazy": when scrolled near, the
// default; "eager"; "click": a button loads it). The child link is what readers without
// scripts see.
//
// element.call(method, ...args) → Promise: window.amqpPlayground's calls across origins.
// element.iframe: the frame. Events: "ready", "height", "step", "delivered", "returned",
// "error" (CustomEvent, data in `detail`). The frame trusts this page's origin only.
const NS = "amqp-playground";
const V = 1;
const BASE = new URL(".", import.meta.url);
const FORWARDED = ["preset", "mode", "speed", "theme", "controls"];
const FLAGS = ["autoplay", "step"];

class AmqpPlaygroundElement extends HTMLElement {
  #iframe = null;
  #pending = new Map();
  #next = 0;
  #ready = null;
  #resolveReady = null;
  #onMessage = (e) => this.#message(e);

  constructor() {
    super();
    this.#ready = new Promise((resolve) => (this.#resolveReady = resolve));
  }

  get iframe() {
    return this.#iframe;
  }

  connectedCallback() {
    if (this.#iframe || this.shadowRoot) return;
    const root = this.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent =
      ":host{display:block}iframe{display:block;width:100%;border:0;min-height:120px}" +
      "button{font:inherit;padding:.6em 1.2em;cursor:pointer}";
    root.append(style);
    const loading = this.getAttribute("loading") || "lazy";
    if (loading === "click") {
      const button = document.createElement("button");
      button.textContent = "▶ Load the AMQP Playground";
      button.addEventListener("click", () => {
        button.remove();
        this.#create();
      });
      root.append(button);
    } else if (loading === "lazy" && "IntersectionObserver" in window) {
      const seen = new IntersectionObserver(
        (entries) => {
          if (entries.some((x) => x.isIntersecting)) {
            seen.disconnect();
            this.#create();
          }
        },
        { rootMargin: "200px" },
      );
      seen.observe(this);
    } else {
      this.#create();
    }
  }

  disconnectedCallback() {
    window.removeEventListener("message", this.#onMessage);
  }

  // The scenario given inline (attribute or JSON child), loaded once the frame is ready.
  #inlineScenario() {
    const attr = this.getAttribute("scenario");
    if (attr && attr.trim().startsWith("{")) return attr;
    const child = this.querySelector('script[type="application/json"]');
    return child ? child.textContent : null;
  }

  #create() {
    const url = new URL(BASE);
    url.searchParams.set("embed", "1");
    for (const name of FORWARDED) {
      if (this.hasAttribute(name)) url.searchParams.set(name, this.getAttribute(name));
    }
    for (const name of FLAGS) {
      if (this.hasAttribute(name)) url.searchParams.set(name, "1");
    }
    url.searchParams.set("origin", location.origin);
    const scenario = this.getAttribute("scenario") || "";
    const fragment = scenario.trim().replace(/^.*#/, "");
    if (fragment.startsWith("s=")) url.hash = fragment;
    const iframe = document.createElement("iframe");
    iframe.title = this.getAttribute("title") || "AMQP Playground";
    iframe.loading = "eager";
    const height = this.getAttribute("height") || "auto";
    iframe.style.height = height === "auto" ? "480px" : `${parseInt(height, 10) || 480}px`;
    window.addEventListener("message", this.#onMessage);
    iframe.src = url.href;
    this.#iframe = iframe;
    this.shadowRoot.append(iframe);
    const inline = this.#inlineScenario();
    if (inline) {
      this.#ready.then(async () => {
        try {
          await this.call("loadScenario", inline);
          if (this.hasAttribute("step")) await this.call("tourGo", 0);
          if (this.hasAttribute("autoplay")) await this.call("play");
        } catch (e) {
          this.dispatchEvent(new CustomEvent("error", { detail: { message: String(e.message || e) } }));
        }
      });
    }
  }

  #message(e) {
    if (!this.#iframe || e.source !== this.#iframe.contentWindow) return;
    const d = e.data;
    if (!d || d.ns !== NS) return;
    if (d.id !== undefined && this.#pending.has(d.id)) {
      const { resolve, reject, timer } = this.#pending.get(d.id);
      this.#pending.delete(d.id);
      clearTimeout(timer);
      if ("error" in d) reject(new Error(d.error));
      else resolve(d.result);
      return;
    }
    if (!d.event) return;
    if (d.event === "ready") this.#resolveReady(d.data);
    if (d.event === "height" && (this.getAttribute("height") || "auto") === "auto") {
      this.#iframe.style.height = `${d.data.height}px`;
    }
    this.dispatchEvent(new CustomEvent(d.event, { detail: d.data }));
  }

  // window.amqpPlayground[method](...args) inside the frame; resolves with its result.
  call(method, ...args) {
    if (!this.#iframe) this.#create();
    return this.#ready.then(
      () =>
        new Promise((resolve, reject) => {
          const id = `${++this.#next}`;
          const timer = setTimeout(() => {
            this.#pending.delete(id);
            reject(new Error(`${method}: no answer from the playground in 10 s`));
          }, 10000);
          this.#pending.set(id, { resolve, reject, timer });
          this.#iframe.contentWindow.postMessage({ ns: NS, v: V, id, call: method, args }, BASE.origin);
        }),
    );
  }
}

if (!customElements.get("amqp-playground")) {
  customElements.define("amqp-playground", AmqpPlaygroundElement);
}
