// The embedded playground's end of the postMessage API: `window.amqpPlayground` for the page
// that frames it, across origins. (embed.js is the other end, in the docs page.)
//
//   request  { ns: "amqp-playground", v: 1, id, call: "snapshot", args: [] }
//   reply    { ns: "amqp-playground", v: 1, id, result }  or  { …, id, error: "text" }
//   events   { ns: "amqp-playground", v: 1, event: "ready" | "height" | "step" | "delivered"
//              | "returned" | "error", data }
//
// Only pages whose origin the embed was told to trust (`?origin=…`, repeatable; the
// playground's own origin always) can call it, and events are posted only to those origins.
// Inert when the page is not framed.
(function () {
  "use strict";
  const NS = "amqp-playground";
  const V = 1;
  if (window.parent === window) return;
  const params = new URLSearchParams(location.search);
  const trusted = new Set([location.origin]);
  for (const o of params.getAll("origin")) {
    try {
      const u = new URL(o);
      if (u.origin === o) trusted.add(o);
    } catch (_) {
      /* the page reports a bad origin= itself */
    }
  }

  function post(message) {
    for (const origin of trusted) window.parent.postMessage(message, origin);
  }
  // Results cross as plain data (no functions, no class instances).
  function plain(value) {
    return value === undefined ? null : JSON.parse(JSON.stringify(value));
  }

  let ready = false;
  const waiting = [];
  function serve(event) {
    const d = event.data;
    const api = window.amqpPlayground;
    const reply = (body) =>
      event.source.postMessage(Object.assign({ ns: NS, v: V, id: d.id }, body), event.origin);
    if (d.v !== V) return reply({ error: `protocol version ${d.v} is not spoken here (this embed speaks ${V})` });
    const fn = typeof d.call === "string" && d.call[0] !== "_" ? api[d.call] : undefined;
    if (typeof fn !== "function") {
      const known = Object.keys(api).filter((k) => k[0] !== "_").join(", ");
      return reply({ error: `unknown call ${JSON.stringify(d.call)} (known: ${known})` });
    }
    let result;
    try {
      result = fn.apply(api, Array.isArray(d.args) ? d.args : []);
    } catch (e) {
      return reply({ error: String((e && e.message) || e) });
    }
    Promise.resolve(result).then(
      (r) => reply({ result: plain(r) }),
      (e) => reply({ error: String((e && e.message) || e) }),
    );
  }

  window.addEventListener("message", (event) => {
    const d = event.data;
    if (!d || d.ns !== NS || d.call === undefined || !event.source) return;
    if (!trusted.has(event.origin)) return; // not told to trust it: silently ignored
    if (ready) serve(event);
    else waiting.push(event);
  });

  window.__amqpPlaygroundEmit = (event, data) => post({ ns: NS, v: V, event, data: plain(data) });

  // Auto-height: the content's height, whenever it changes.
  let lastHeight = 0;
  function height() {
    const main = document.querySelector("main") || document.body;
    const h = Math.ceil(main.getBoundingClientRect().height + 16);
    if (h !== lastHeight) {
      lastHeight = h;
      window.__amqpPlaygroundEmit("height", { height: h });
    }
  }

  const poll = setInterval(() => {
    if (!window.amqpPlayground || !document.querySelector("main")) return;
    clearInterval(poll);
    ready = true;
    const api = window.amqpPlayground;
    window.__amqpPlaygroundEmit("ready", {
      calls: Object.keys(api).filter((k) => k[0] !== "_"),
      scenario: api.exportScenario().name,
    });
    new ResizeObserver(height).observe(document.querySelector("main"));
    height();
    for (const e of waiting.splice(0)) serve(e);
  }, 20);
})();
