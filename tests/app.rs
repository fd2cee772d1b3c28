//! Component tests: the real App mounted in headless Chromium (`wasm-pack test --headless
//! --chrome`), driven by clicks and by `window.amqpPlayground`.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

thread_local! {
    /// The app mounted last (tests run one at a time in one page).
    static APPS: std::cell::RefCell<Vec<yew::AppHandle<amqp_playground_web::App>>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Mounts a fresh App (with no autosaved scenario) into its own div and lets it render.
async fn mount() -> Element {
    amqp_playground_web::storage::clear();
    mount_keeping_storage().await
}

/// Mounts an App that restores whatever is autosaved.
async fn mount_keeping_storage() -> Element {
    let window = web_sys::window().unwrap();
    let document = window.document().unwrap();
    // One app at a time, as in a tab: the earlier test's app is destroyed (a reload, for the
    // tests that mount twice), so it can neither autosave over this one's storage nor leave
    // its API on `window`. The API is taken away too: seeing it again means this app's
    // effects ran.
    APPS.with(|apps| {
        for app in apps.borrow_mut().drain(..) {
            app.destroy();
        }
    });
    Reflect::delete_property(&window, &"amqpPlayground".into()).unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    let app = amqp_playground_web::mount(root.clone());
    APPS.with(|apps| apps.borrow_mut().push(app));
    // Rendering can take a while on a busy machine: wait for this app's diagram and API (a
    // test driving an earlier app's API by mistake would fail in confusing ways).
    for _ in 0..1_000 {
        settle().await;
        let drawn = root.query_selector("svg.diagram").unwrap().is_some();
        let api = Reflect::get(&window, &"amqpPlayground".into()).unwrap();
        if drawn && !api.is_undefined() {
            settle().await;
            return root;
        }
    }
    panic!("the app did not render and install its API within 20 s");
}

/// Settles until `ready` holds (at most 2 s: a busy machine renders late), then returns.
async fn settle_until(ready: impl Fn() -> bool) {
    for _ in 0..100 {
        if ready() {
            return;
        }
        settle().await;
    }
}

/// Yields to the browser so Yew's scheduled renders run.
async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(20)).await;
}

fn api(method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let window = web_sys::window().unwrap();
    let api = Reflect::get(&window, &"amqpPlayground".into()).unwrap();
    let f: Function = Reflect::get(&api, &method.into())
        .unwrap()
        .dyn_into()
        .unwrap();
    let args = args.iter().collect::<js_sys::Array>();
    f.apply(&api, &args)
}

fn snapshot_number(path: &[&str]) -> f64 {
    let mut v = api("snapshot", &[]).unwrap();
    for key in path {
        v = Reflect::get(&v, &(*key).into()).unwrap();
    }
    v.as_f64()
        .unwrap_or_else(|| panic!("snapshot.{} is not a number", path.join(".")))
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches `{selector}`"))
}

fn click(root: &Element, selector: &str) {
    match find(root, selector).dyn_into::<HtmlElement>() {
        Ok(html) => html.click(),
        // SVG elements have no click(): send the event a pointer would.
        Err(svg) => {
            let init = web_sys::MouseEventInit::new();
            init.set_bubbles(true);
            let event =
                web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
            svg.dispatch_event(&event).unwrap();
        }
    }
}

#[wasm_bindgen_test]
async fn hello_world_draws_p_the_hello_queue_and_c() {
    let root = mount().await;
    let producer = find(&root, "g.node.producer[data-name='P']");
    let queue = find(&root, "g.node.queue[data-name='hello']");
    let consumer = find(&root, "g.node.consumer[data-name='C']");
    assert_eq!(
        find(&producer, "ellipse").get_attribute("fill").as_deref(),
        Some("#00ffff")
    );
    assert_eq!(
        find(&consumer, "ellipse").get_attribute("fill").as_deref(),
        Some("#33ccff")
    );
    let body = find(&queue, "rect");
    assert_eq!(body.get_attribute("fill").as_deref(), Some("#ff0000"));
    assert_eq!(body.get_attribute("width").as_deref(), Some("97.5"));
    assert_eq!(
        queue.query_selector_all("line").unwrap().length(),
        4,
        "five cells"
    );
    assert_eq!(
        find(&queue, "text.caption").text_content().as_deref(),
        Some("hello")
    );
    assert_eq!(
        root.query_selector_all("g.edge").unwrap().length(),
        2,
        "P → hello and hello → C"
    );
}

#[wasm_bindgen_test]
async fn publish_button_sends_hello_world_to_the_consumer() {
    let root = mount().await;
    api("pause", &[]).unwrap();
    click(&root, "#publish");
    settle().await;
    assert_eq!(snapshot_number(&["producers", "P", "published"]), 1.0);
    assert_eq!(
        root.query_selector_all("circle.token").unwrap().length(),
        1,
        "a token leaves P"
    );
    assert_eq!(snapshot_number(&["consumers", "C", "received"]), 0.0);

    api("advance", &[JsValue::from_f64(5_000.0)]).unwrap();
    settle().await;
    assert_eq!(snapshot_number(&["consumers", "C", "received"]), 1.0);
    assert_eq!(snapshot_number(&["queues", "hello", "ready"]), 0.0);
    assert_eq!(snapshot_number(&["inFlight"]), 0.0);
    assert_eq!(
        find(&root, "g.consumer[data-name='C'] text.counter")
            .text_content()
            .as_deref(),
        Some("1 received")
    );
    assert_eq!(root.query_selector_all("circle.token").unwrap().length(), 0);
}

#[wasm_bindgen_test]
async fn a_stopped_consumer_leaves_messages_in_the_queue_cells() {
    let root = mount().await;
    api("pause", &[]).unwrap();
    click(&root, "button.consumer-switch[data-consumer='C']");
    for _ in 0..3 {
        click(&root, "#publish");
    }
    api("advance", &[JsValue::from_f64(2_000.0)]).unwrap();
    settle().await;
    let queue = find(&root, "g.queue[data-name='hello']");
    assert_eq!(queue.get_attribute("data-ready").as_deref(), Some("3"));
    assert_eq!(
        queue
            .query_selector_all("rect.cell-message")
            .unwrap()
            .length(),
        3
    );
    assert_eq!(snapshot_number(&["queues", "hello", "ready"]), 3.0);

    click(&root, "button.consumer-switch[data-consumer='C']");
    api("advance", &[JsValue::from_f64(2_000.0)]).unwrap();
    settle().await;
    assert_eq!(snapshot_number(&["consumers", "C", "received"]), 3.0);
    assert_eq!(
        find(&root, "g.queue[data-name='hello']")
            .query_selector_all("rect.cell-message")
            .unwrap()
            .length(),
        0
    );
}

#[wasm_bindgen_test]
async fn the_api_refuses_bad_input_with_a_clear_error() {
    let _root = mount().await;
    let spec = js_sys::Object::new();
    Reflect::set(&spec, &"routingKey".into(), &JsValue::from_f64(7.0)).unwrap();
    let err = api("publish", &[spec.into()]).unwrap_err();
    let message = Reflect::get(&err, &"message".into()).unwrap().as_string();
    assert_eq!(
        message.as_deref(),
        Some("publish(spec): `routingKey` must be a string")
    );
    let err = api("loadPreset", &["no-such-tutorial".into()]).unwrap_err();
    let message = Reflect::get(&err, &"message".into()).unwrap().as_string();
    assert_eq!(
        message.as_deref(),
        Some(
            "no preset named `no-such-tutorial`; the presets are: hello-world, work-queues, \
             fair-dispatch, publish-subscribe, routing, topics, rpc, publisher-confirms, headers, \
             dead-lettering, poison-message, replay-stream, alternate-exchange, priority, \
             durability"
        )
    );
    assert_eq!(snapshot_number(&["producers", "P", "published"]), 0.0);
}

fn set_value(root: &Element, selector: &str, value: &str) {
    let input: web_sys::HtmlInputElement = find(root, selector).dyn_into().unwrap();
    input.set_value(value);
    let event = web_sys::InputEvent::new("input").unwrap();
    input.dispatch_event(&event).unwrap();
}

fn choose(root: &Element, selector: &str, value: &str) {
    let select: web_sys::HtmlSelectElement = find(root, selector).dyn_into().unwrap();
    select.set_value(value);
    let event = web_sys::Event::new("change").unwrap();
    select.dispatch_event(&event).unwrap();
}

fn submit(root: &Element, form: &str) {
    click(root, &format!("{form} button[type='submit']"));
}

#[wasm_bindgen_test]
async fn the_palette_adds_a_bound_queue_that_receives_a_new_key() {
    let root = mount().await;
    api("pause", &[]).unwrap();
    api("loadPreset", &["routing".into()]).unwrap();
    settle().await;
    set_value(&root, "#add-queue input[aria-label='queue name']", "audit");
    choose(&root, "#add-queue select", "direct_logs");
    settle().await;
    set_value(
        &root,
        "#add-queue input[aria-label='binding key']",
        "purple",
    );
    settle().await;
    submit(&root, "#add-queue");
    settle().await;
    let queue = find(&root, "g.queue[data-name='audit']");
    assert_eq!(
        find(&queue, "text.caption").text_content().as_deref(),
        Some("audit")
    );
    find(&root, "g.consumer[data-name='C3']");
    let labels: Vec<String> = (0..root.query_selector_all("text.edge-label").unwrap().length())
        .filter_map(|i| root.query_selector_all("text.edge-label").unwrap().get(i))
        .filter_map(|n| n.text_content())
        .collect();
    assert!(labels.contains(&"purple".to_string()), "{labels:?}");

    set_value(&root, "#routing-key", "purple");
    settle().await;
    click(&root, "#publish");
    api("advance", &[JsValue::from_f64(10_000.0)]).unwrap();
    settle().await;
    assert_eq!(snapshot_number(&["consumers", "C3", "received"]), 1.0);
    assert_eq!(snapshot_number(&["unroutable"]), 0.0);
}

#[wasm_bindgen_test]
async fn a_refused_edit_shows_the_brokers_text() {
    let root = mount().await;
    set_value(
        &root,
        "#add-queue input[aria-label='queue name']",
        "amq.reserved",
    );
    settle().await;
    submit(&root, "#add-queue");
    settle().await;
    let error = find(&root, ".status .error").text_content().unwrap();
    assert!(error.contains("ACCESS_REFUSED"), "{error}");
    assert!(root
        .query_selector("g.queue[data-name='amq.reserved']")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn the_keyboard_selects_and_deletes_a_node() {
    let root = mount().await;
    let consumer = find(&root, "g.pick[aria-label='consumer C']");
    let press = |key: &str| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_bubbles(true);
        let event =
            web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        consumer.dispatch_event(&event).unwrap();
    };
    press("Enter");
    settle().await;
    assert_eq!(
        find(&root, ".inspector h2").text_content().as_deref(),
        Some("consumer C")
    );
    assert!(find(&root, ".inspector")
        .text_content()
        .unwrap()
        .contains("consumes from hello"));
    press("Delete");
    settle().await;
    assert!(root.query_selector("g.consumer").unwrap().is_none());
    assert_eq!(root.query_selector_all("g.edge").unwrap().length(), 1);

    // Clicking the queue and its Delete button removes it too.
    click(&root, "g.pick[aria-label='queue hello']");
    settle().await;
    click(&root, "#delete-node");
    settle().await;
    assert!(root.query_selector("g.queue").unwrap().is_none());
}

const SCENARIO: &str = r##"{
  "name": "two-queues",
  "exchanges": [{ "name": "jobs", "type": "topic", "caption": "type=topic" }],
  "queues": [{ "name": "urgent" }, { "name": "all" }],
  "bindings": [
    { "exchange": "jobs", "queue": "urgent", "key": "*.urgent" },
    { "exchange": "jobs", "queue": "all", "key": "#" }
  ],
  "producers": [{ "name": "P", "exchange": "jobs", "routingKey": "print.urgent" }],
  "consumers": [
    { "name": "C1", "subscript": "1", "queue": "urgent" },
    { "name": "C2", "subscript": "2", "queue": "all", "autoAck": false, "prefetch": 1, "processingMs": 100 }
  ]
}"##;

fn error_message(err: JsValue) -> String {
    Reflect::get(&err, &"message".into())
        .unwrap()
        .as_string()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn load_scenario_lays_out_and_runs_a_json_topology() {
    let root = mount().await;
    api("pause", &[]).unwrap();
    api("loadScenario", &[SCENARIO.into()]).unwrap();
    settle().await;
    find(&root, "g.exchange[data-name='jobs']");
    find(&root, "g.queue[data-name='urgent']");
    find(&root, "g.consumer[data-name='C2']");
    api("publish", &[]).unwrap();
    api("advance", &[JsValue::from_f64(10_000.0)]).unwrap();
    assert_eq!(snapshot_number(&["consumers", "C1", "received"]), 1.0);
    assert_eq!(snapshot_number(&["consumers", "C2", "received"]), 1.0);
    assert_eq!(snapshot_number(&["consumers", "C2", "acked"]), 1.0);

    // What exportScenario gives, loadScenario takes back unchanged.
    let exported = api("exportScenario", &[]).unwrap();
    let text = String::from(js_sys::JSON::stringify(&exported).unwrap());
    api("loadScenario", &[exported]).unwrap();
    let again =
        String::from(js_sys::JSON::stringify(&api("exportScenario", &[]).unwrap()).unwrap());
    assert_eq!(text, again);
}

#[wasm_bindgen_test]
async fn a_bad_scenario_is_refused_and_the_current_one_stays() {
    let root = mount().await;
    let cases = [
        ("{not json", "scenario: not valid JSON"),
        (
            r#"{"queues": [{"name": "a"}, {"caption": "b"}]}"#,
            "scenario.queues[1].name: missing (expected a string)",
        ),
        (
            r#"{"consumers": [{"name": "C", "queue": "q", "prefetch": -1}]}"#,
            "scenario.consumers[0].prefetch: expected an integer 0..65535",
        ),
        (
            r#"{"exchanges": [{"name": "x", "type": "sideways"}]}"#,
            "unknown exchange type 'sideways'",
        ),
        (r#"{"queues": [{"name": "amq.nope"}]}"#, "ACCESS_REFUSED"),
    ];
    for (input, expected) in cases {
        let message = error_message(api("loadScenario", &[input.into()]).unwrap_err());
        assert!(message.contains(expected), "{input}: {message}");
    }
    settle().await;
    find(&root, "g.queue[data-name='hello']");
    assert_eq!(snapshot_number(&["queues", "hello", "ready"]), 0.0);
}

#[wasm_bindgen_test]
async fn the_scenario_survives_a_reload_and_corrupt_storage_starts_fresh() {
    let first = mount().await;
    set_value(&first, "#add-queue input[aria-label='queue name']", "kept");
    settle().await;
    submit(&first, "#add-queue");
    settle().await;
    find(&first, "g.queue[data-name='kept']");
    // The autosave is an effect, which Yew may run a frame later: "reload" once it ran.
    let saved = || {
        web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item(amqp_playground_web::storage::KEY).ok().flatten())
            .is_some_and(|v| v.contains("kept"))
    };
    settle_until(saved).await;
    assert!(saved(), "the scenario with `kept` was saved");

    let second = mount_keeping_storage().await;
    settle().await;
    find(&second, "g.queue[data-name='kept']");
    find(&second, "g.consumer[data-name='C1']");

    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .set_item(amqp_playground_web::storage::KEY, "{\"queues\": 7}")
        .unwrap();
    let third = mount_keeping_storage().await;
    settle().await;
    let error = find(&third, ".status .error").text_content().unwrap();
    assert!(
        error.contains("could not be read (scenario.queues: expected an array); starting fresh"),
        "{error}"
    );
    find(&third, "g.queue[data-name='hello']");
}

#[wasm_bindgen_test]
async fn undo_and_redo_from_buttons_and_ctrl_z() {
    let root = mount().await;
    set_value(&root, "#add-queue input[aria-label='queue name']", "extra");
    settle().await;
    submit(&root, "#add-queue");
    settle().await;
    find(&root, "g.queue[data-name='extra']");
    click(&root, "#undo");
    settle().await;
    assert!(root
        .query_selector("g.queue[data-name='extra']")
        .unwrap()
        .is_none());
    click(&root, "#redo");
    settle().await;
    find(&root, "g.queue[data-name='extra']");

    let init = web_sys::KeyboardEventInit::new();
    init.set_key("z");
    init.set_ctrl_key(true);
    init.set_bubbles(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    find(&root, "#publish").dispatch_event(&event).unwrap();
    settle().await;
    assert!(root
        .query_selector("g.queue[data-name='extra']")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn the_topic_tester_explains_why_each_binding_matches() {
    let root = mount().await;
    api("loadPreset", &["topics".into()]).unwrap();
    settle().await;
    click(&root, "g.pick[aria-label='exchange topic_logs']");
    settle().await;
    set_value(&root, "#test-key", "quick.orange.fox");
    settle().await;
    let verdicts: Vec<(String, String)> = {
        let items = root.query_selector_all(".verdicts li").unwrap();
        (0..items.length())
            .filter_map(|i| items.get(i))
            .map(|n| {
                let el: Element = n.dyn_into().unwrap();
                (el.class_name(), el.text_content().unwrap_or_default())
            })
            .collect()
    };
    let classes: Vec<&str> = verdicts.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(classes, ["match", "no-match", "no-match"], "{verdicts:?}");
    assert!(verdicts[0].1.contains("*.orange.*"), "{verdicts:?}");
}

#[wasm_bindgen_test]
async fn a_mandatory_message_nobody_takes_comes_back_labelled() {
    let root = mount().await;
    api("pause", &[]).unwrap();
    api("loadPreset", &["routing".into()]).unwrap();
    settle().await;
    click(&root, "#mandatory");
    set_value(&root, "#routing-key", "purple");
    settle().await;
    click(&root, "#publish");
    api("advance", &[JsValue::from_f64(1_000.0)]).unwrap();
    settle().await;
    let fates: Vec<String> = {
        let items = root.query_selector_all("g.token.fate").unwrap();
        (0..items.length())
            .filter_map(|i| items.get(i))
            .filter_map(|n| n.dyn_into::<Element>().ok())
            .filter_map(|el| el.get_attribute("data-fate"))
            .collect()
    };
    assert_eq!(fates, ["unroutable", "returned"]);
    assert_eq!(snapshot_number(&["returned"]), 1.0);
    assert_eq!(snapshot_number(&["unroutable"]), 1.0);
    assert!(find(&root, ".status .fates")
        .text_content()
        .unwrap()
        .contains("returned 1"));
}

#[wasm_bindgen_test]
async fn the_current_dark_look_redraws_in_its_palette() {
    let root = mount().await;
    choose(&root, "#theme", "current-dark");
    settle().await;
    let queue = find(&root, "g.queue[data-name='hello']");
    assert_eq!(
        find(&queue, "rect").get_attribute("fill").as_deref(),
        Some("#926c15")
    );
    assert_eq!(
        find(&queue, "text.caption").text_content().as_deref(),
        Some("hello"),
        "the name is inside the queue"
    );
    assert_eq!(
        find(&root, "g.producer circle, g.producer ellipse")
            .get_attribute("fill")
            .as_deref(),
        Some("#003d5b")
    );
    assert!(find(&root, "main.playground").class_name().contains("dark"));
    choose(&root, "#theme", "classic");
    settle().await;
    assert_eq!(
        find(&root, "g.queue[data-name='hello'] rect")
            .get_attribute("fill")
            .as_deref(),
        Some("#ff0000")
    );
}

#[wasm_bindgen_test]
async fn bursts_and_streams_from_the_toolbar() {
    let root = mount().await;
    api("pause", &[]).unwrap();
    click(&root, "#burst");
    api("advance", &[JsValue::from_f64(10_000.0)]).unwrap();
    assert_eq!(snapshot_number(&["producers", "P", "published"]), 10.0);
    assert_eq!(snapshot_number(&["consumers", "C", "received"]), 10.0);
    choose(&root, "#rate", "2");
    api("advance", &[JsValue::from_f64(1_000.0)]).unwrap();
    // At once, +500 ms and +1000 ms.
    assert_eq!(snapshot_number(&["producers", "P", "published"]), 13.0);
    api("setRate", &[JsValue::from_f64(0.0)]).unwrap();
    api("advance", &[JsValue::from_f64(5_000.0)]).unwrap();
    assert_eq!(snapshot_number(&["producers", "P", "published"]), 13.0);
    let spec = js_sys::Object::new();
    Reflect::set(&spec, &"count".into(), &JsValue::from_f64(0.5)).unwrap();
    let message = error_message(api("publish", &[spec.into()]).unwrap_err());
    assert_eq!(
        message,
        "publish(spec): `count` must be an integer 1..10000"
    );
}

#[wasm_bindgen_test]
async fn queue_arguments_from_the_palette_reach_the_broker() {
    let root = mount().await;
    set_value(&root, "#add-queue input[aria-label='queue name']", "brief");
    set_value(
        &root,
        "#add-queue input[aria-label='message TTL in ms']",
        "soon",
    );
    settle().await;
    submit(&root, "#add-queue");
    settle().await;
    let error = find(&root, ".status .error").text_content().unwrap();
    assert!(
        error.contains("PRECONDITION_FAILED") && error.contains("x-message-ttl"),
        "{error}"
    );
    assert!(root
        .query_selector("g.queue[data-name='brief']")
        .unwrap()
        .is_none());

    set_value(
        &root,
        "#add-queue input[aria-label='message TTL in ms']",
        "500",
    );
    settle().await;
    submit(&root, "#add-queue");
    settle().await;
    find(&root, "g.queue[data-name='brief']");
    click(&root, "button.consumer-switch[data-consumer='C1']");
    api("pause", &[]).unwrap();
    let spec = js_sys::Object::new();
    Reflect::set(&spec, &"routingKey".into(), &"brief".into()).unwrap();
    api("publish", &[spec.into()]).unwrap();
    api("advance", &[JsValue::from_f64(5_000.0)]).unwrap();
    assert_eq!(
        snapshot_number(&["queues", "brief", "ready"]),
        0.0,
        "expired"
    );
    assert_eq!(snapshot_number(&["consumers", "C1", "received"]), 0.0);
}

#[wasm_bindgen_test]
async fn zooming_in_lets_the_diagram_overflow_to_pan() {
    let root = mount().await;
    let width = |root: &Element| -> f64 {
        find(root, "svg.diagram")
            .get_attribute("width")
            .unwrap()
            .parse()
            .unwrap()
    };
    let fit = width(&root);
    choose(&root, "#zoom", "2");
    settle().await;
    assert_eq!(width(&root), 2.0 * fit);
    assert_eq!(
        find(&root, "svg.diagram").get_attribute("style").as_deref(),
        Some("max-width: none")
    );
}

#[wasm_bindgen_test]
async fn clicking_a_token_shows_the_messages_history_with_reasons() {
    let root = mount().await;
    api("pause", &[]).unwrap();
    api("loadPreset", &["topics".into()]).unwrap();
    settle().await;
    api("publish", &[]).unwrap();
    api("advance", &[JsValue::from_f64(1_200.0)]).unwrap();
    settle().await;
    click(&root, "circle.token[data-message='1']");
    settle().await;
    let history = find(&root, ".message-history").text_content().unwrap();
    assert!(history.starts_with("Message #1"), "{history}");
    assert!(
        history.contains("why (message #1 at `topic_logs`)"),
        "{history}"
    );
    let lines = api("history", &[JsValue::from_f64(1.0)]).unwrap();
    assert!(js_sys::Array::from(&lines).length() >= 4);
    click(&root, "#close-history");
    settle().await;
    assert!(root.query_selector(".message-history").unwrap().is_none());
}

#[wasm_bindgen_test]
async fn max_length_drops_the_oldest_and_the_log_filters() {
    let root = mount().await;
    api("pause", &[]).unwrap();
    set_value(&root, "#add-queue input[aria-label='queue name']", "small");
    set_value(&root, "#add-queue input[aria-label='max length']", "2");
    settle().await;
    click(&root, "#add-queue input[type='checkbox']");
    settle().await;
    submit(&root, "#add-queue");
    settle().await;
    let spec = js_sys::Object::new();
    Reflect::set(&spec, &"routingKey".into(), &"small".into()).unwrap();
    Reflect::set(&spec, &"count".into(), &JsValue::from_f64(3.0)).unwrap();
    api("publish", &[spec.into()]).unwrap();
    api("advance", &[JsValue::from_f64(5_000.0)]).unwrap();
    assert_eq!(snapshot_number(&["queues", "small", "ready"]), 2.0);
    assert_eq!(snapshot_number(&["dropped"]), 1.0);
    settle().await;
    set_value(&root, "#log-filter", "dropped");
    settle().await;
    let items = root.query_selector_all(".log li").unwrap();
    assert_eq!(items.length(), 1);
    assert!(items
        .get(0)
        .unwrap()
        .text_content()
        .unwrap()
        .contains("dropped from `small`"));
}

fn pointer(target: &Element, kind: &str, x: i32, y: i32) {
    let init = web_sys::PointerEventInit::new();
    init.set_client_x(x);
    init.set_client_y(y);
    init.set_bubbles(true);
    init.set_pointer_id(1);
    let event = web_sys::PointerEvent::new_with_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn dragging_a_node_moves_it_and_its_edges_without_selecting_it() {
    let root = mount().await;
    let cx = |root: &Element| -> f64 {
        find(root, "g.consumer[data-name='C'] ellipse")
            .get_attribute("cx")
            .unwrap()
            .parse()
            .unwrap()
    };
    let before = cx(&root);
    let edge_before = find(&root, "g.edge:nth-of-type(2) path").get_attribute("d");
    let c = find(&root, "g.pick[aria-label='consumer C']");
    pointer(&c, "pointerdown", 100, 100);
    pointer(&c, "pointermove", 140, 160);
    pointer(&c, "pointerup", 140, 160);
    click(&root, "g.pick[aria-label='consumer C']");
    settle().await;
    assert!(
        cx(&root) > before + 5.0,
        "moved right: {} → {}",
        before,
        cx(&root)
    );
    assert_ne!(
        find(&root, "g.edge:nth-of-type(2) path").get_attribute("d"),
        edge_before
    );
    assert!(
        root.query_selector(".inspector h2").unwrap().is_none(),
        "a drag is not a click"
    );
    // The moved node still works: a message reaches it.
    api("pause", &[]).unwrap();
    api("publish", &[]).unwrap();
    api("advance", &[JsValue::from_f64(5_000.0)]).unwrap();
    assert_eq!(snapshot_number(&["consumers", "C", "received"]), 1.0);
}

/// The centre of an element on screen (scroll its diagram into view first, so
/// `elementFromPoint` finds it there).
fn centre(el: &Element) -> (i32, i32) {
    let r = el.get_bounding_client_rect();
    (
        (r.left() + r.width() / 2.0) as i32,
        (r.top() + r.height() / 2.0) as i32,
    )
}

fn press(target: &Element, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

/// `focus()` on any element (web-sys types it only on HTML elements).
fn focus(el: &Element) {
    let f: Function = Reflect::get(el, &"focus".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    f.call0(el).unwrap();
}

fn edge_labels(root: &Element) -> Vec<String> {
    let list = root.query_selector_all("text.edge-label").unwrap();
    (0..list.length())
        .filter_map(|i| list.get(i).and_then(|n| n.text_content()))
        .collect()
}

/// Picks tutorial 4 from this app's own menu and pauses it with its own button.
async fn routing(root: &Element) {
    choose(root, "#preset", "routing");
    for _ in 0..100 {
        settle().await;
        if root
            .query_selector("g.exchange[data-name='direct_logs']")
            .unwrap()
            .is_some()
        {
            break;
        }
    }
    assert!(root
        .query_selector("g.exchange[data-name='direct_logs']")
        .unwrap()
        .is_some());
    if find(root, "#play").text_content().as_deref() == Some("Pause") {
        click(root, "#play");
        settle().await;
    }
}

#[wasm_bindgen_test]
async fn dragging_from_the_link_handle_to_a_queue_binds_it_with_the_typed_key() {
    let root = mount().await;
    routing(&root).await;
    assert!(
        root.query_selector(".link-handle").unwrap().is_none(),
        "no handle until selected"
    );
    click(&root, "g.pick[aria-label='exchange direct_logs']");
    settle().await;
    find(&root, "svg.diagram").scroll_into_view();
    let handle = find(&root, ".link-handle");
    let target = find(&root, "g.pick[aria-label='queue Q1']");
    let (tx, ty) = centre(&target);
    let (hx, hy) = centre(&handle);
    pointer(&handle, "pointerdown", hx, hy);
    pointer(&handle, "pointermove", (hx + tx) / 2, (hy + ty) / 2);
    settle().await;
    assert!(
        root.query_selector("line.rubber-band[visibility=visible]")
            .unwrap()
            .is_some(),
        "a rubber band follows the pointer"
    );
    pointer(&handle, "pointermove", tx, ty);
    pointer(&handle, "pointerup", tx, ty);
    settle().await;
    assert!(root
        .query_selector("line.rubber-band[visibility=visible]")
        .unwrap()
        .is_none());
    let prompt = root
        .query_selector("#link-prompt")
        .unwrap()
        .and_then(|p| p.text_content())
        .unwrap_or_else(|| {
            format!(
                "no prompt; bar: {:?}; error: {:?}; handle {hx},{hy} → Q1 {tx},{ty}",
                root.query_selector(".link-bar")
                    .unwrap()
                    .and_then(|b| b.text_content()),
                root.query_selector(".status .error")
                    .unwrap()
                    .and_then(|b| b.text_content())
            )
        });
    assert!(prompt.contains("Q1"), "{prompt}");
    set_value(&root, "#link-key", "purple");
    submit(&root, "#link-prompt");
    settle().await;
    assert!(root.query_selector("#link-prompt").unwrap().is_none());
    assert_eq!(edge_labels(&root), ["orange", "black", "green", "purple"]);

    let spec = js_sys::Object::new();
    Reflect::set(&spec, &"routingKey".into(), &"purple".into()).unwrap();
    api("publish", &[spec.into()]).unwrap();
    api("advance", &[JsValue::from_f64(5_000.0)]).unwrap();
    assert_eq!(snapshot_number(&["consumers", "C1", "received"]), 1.0);
    assert_eq!(snapshot_number(&["unroutable"]), 0.0);

    click(&root, "#undo");
    settle().await;
    assert_eq!(edge_labels(&root), ["orange", "black", "green"]);
}

#[wasm_bindgen_test]
async fn click_then_click_links_and_escape_cancels() {
    let root = mount().await;
    routing(&root).await;
    click(&root, "g.pick[aria-label='exchange direct_logs']");
    settle().await;
    // Pressing the handle without moving starts click-then-click (a tap on a touch screen).
    let handle = find(&root, ".link-handle");
    let (hx, hy) = centre(&handle);
    pointer(&handle, "pointerdown", hx, hy);
    pointer(&handle, "pointerup", hx, hy);
    settle().await;
    assert!(find(&root, ".link-bar")
        .text_content()
        .unwrap()
        .contains("Binding from exchange"));
    assert_eq!(
        root.query_selector_all("g.pick.link-target")
            .unwrap()
            .length(),
        2,
        "Q1 and Q2"
    );
    click(&root, "g.pick[aria-label='queue Q2']");
    settle().await;
    let bar = find(&root, ".link-bar").text_content().unwrap();
    assert!(bar.contains("Bind direct_logs → queue Q2"), "{bar}");
    press(&find(&root, "#link-key"), "Escape");
    settle().await;
    assert!(
        root.query_selector("#link-prompt").unwrap().is_none(),
        "{:?}",
        find(&root, ".link-bar").text_content()
    );
    assert_eq!(edge_labels(&root), ["orange", "black", "green"]);

    // Again with the Bind… button (the exchange is still selected), and a key: a third
    // parallel edge into Q2.
    click(&root, "#start-link");
    settle().await;
    click(&root, "g.pick[aria-label='queue Q2']");
    settle().await;
    set_value(&root, "#link-key", "blue");
    submit(&root, "#link-prompt");
    settle().await;
    assert_eq!(edge_labels(&root), ["orange", "black", "green", "blue"]);
}

#[wasm_bindgen_test]
async fn the_keyboard_draws_a_binding_b_arrows_enter_key_enter() {
    let root = mount().await;
    routing(&root).await;
    let exchange = find(&root, "g.pick[aria-label='exchange direct_logs']");
    let document = web_sys::window().unwrap().document().unwrap();
    focus(&exchange);
    assert_eq!(
        document
            .active_element()
            .and_then(|e| e.get_attribute("aria-label")),
        Some("exchange direct_logs".to_string()),
        "SVG nodes take the focus"
    );
    press(&exchange, "b");
    // Focus moves once the page has redrawn (an effect, which Yew may run a frame later).
    settle_until(|| {
        document
            .active_element()
            .and_then(|e| e.get_attribute("aria-label"))
            .is_some_and(|l| l.starts_with("queue"))
    })
    .await;
    assert!(
        find(&root, ".link-bar")
            .text_content()
            .unwrap()
            .contains("Binding from exchange direct_logs"),
        "B starts a binding"
    );
    let focused = || {
        document
            .active_element()
            .and_then(|e| e.get_attribute("aria-label"))
            .unwrap_or_default()
    };
    assert_eq!(
        focused(),
        "queue Q1",
        "B jumps to the first target (focus on {:?})",
        document.active_element().map(|e| e.outer_html())
    );
    press(&document.active_element().unwrap(), "ArrowDown");
    assert_eq!(focused(), "queue Q2");
    press(&document.active_element().unwrap(), "ArrowUp");
    press(&document.active_element().unwrap(), "ArrowUp");
    assert_eq!(focused(), "queue Q2", "the targets wrap around");
    press(&document.active_element().unwrap(), "Enter");
    settle_until(|| {
        document
            .active_element()
            .is_some_and(|e| e.id() == "link-key")
    })
    .await;
    assert_eq!(
        document.active_element().unwrap().id(),
        "link-key",
        "the key field takes the focus"
    );
    set_value(&root, "#link-key", "white");
    submit(&root, "#link-prompt");
    settle().await;
    assert_eq!(edge_labels(&root), ["orange", "black", "green", "white"]);
}

#[wasm_bindgen_test]
async fn an_edge_is_selected_and_deleted_with_its_button_or_the_delete_key() {
    let root = mount().await;
    routing(&root).await;
    // The hit area of the `green` edge (the third binding).
    let hit = |label: &str| {
        let edges = root.query_selector_all("g.edge.binding").unwrap();
        (0..edges.length())
            .filter_map(|i| edges.get(i).and_then(|n| n.dyn_into::<Element>().ok()))
            .find(|g| g.text_content().as_deref() == Some(label))
            .and_then(|g| g.query_selector(".edge-hit").unwrap())
            .unwrap_or_else(|| panic!("no binding edge labelled {label}"))
    };
    let green = hit("green");
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    green
        .dispatch_event(
            &web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap(),
        )
        .unwrap();
    settle().await;
    assert!(find(&root, ".link-bar")
        .text_content()
        .unwrap()
        .contains("key green"));
    click(&root, "#delete-selected");
    settle().await;
    assert_eq!(edge_labels(&root), ["orange", "black"]);
    press(&hit("black"), "Delete");
    settle().await;
    assert_eq!(edge_labels(&root), ["orange"]);
    click(&root, "#undo");
    settle().await;
    assert_eq!(edge_labels(&root), ["orange", "black"]);
}

#[wasm_bindgen_test]
async fn the_timeline_scrubs_back_and_forward_again() {
    let root = mount().await;
    api("pause", &[]).unwrap();
    api("publish", &[]).unwrap();
    api("advance", &[JsValue::from_f64(3_000.0)]).unwrap();
    api("publish", &[]).unwrap();
    api("advance", &[JsValue::from_f64(3_000.0)]).unwrap();
    settle().await;
    assert_eq!(snapshot_number(&["consumers", "C", "received"]), 2.0);
    let end = snapshot_number(&["now"]);
    set_value(&root, "#timeline", "2500");
    settle().await;
    assert_eq!(snapshot_number(&["now"]), 2_500.0);
    assert_eq!(snapshot_number(&["producers", "P", "published"]), 1.0);
    assert_eq!(snapshot_number(&["consumers", "C", "received"]), 1.0);
    let shown = find(&root, ".timeline .time").text_content().unwrap();
    assert!(shown.starts_with("2.5 s"), "{shown}");
    set_value(&root, "#timeline", &end.to_string());
    settle().await;
    assert_eq!(snapshot_number(&["now"]), end);
    assert_eq!(snapshot_number(&["consumers", "C", "received"]), 2.0);
}

#[wasm_bindgen_test]
async fn why_not_explains_a_queue_the_picked_message_missed() {
    let root = mount().await;
    api("loadPreset", &["topics".into()]).unwrap();
    api("pause", &[]).unwrap();
    let spec = js_sys::Object::new();
    Reflect::set(&spec, &"routingKey".into(), &"quick.orange.fox".into()).unwrap();
    api("publish", &[spec.into()]).unwrap();
    // Past the exchange the token carries the broker's message id.
    api("advance", &[JsValue::from_f64(1_000.0)]).unwrap();
    settle().await;
    click(&root, "circle.token[data-message]");
    settle().await;
    api("advance", &[JsValue::from_f64(3_000.0)]).unwrap();
    click(&root, "g.pick[aria-label='queue Q2']");
    settle().await;
    let why = find(&root, ".why-not").text_content().unwrap();
    assert!(why.contains("Why not Q2?"), "{why}");
    assert!(why.contains("'*.*.rabbit' does not match"), "{why}");
    assert!(why.contains("'lazy.#' does not match"), "{why}");
    click(&root, "g.pick[aria-label='queue Q1']");
    settle().await;
    let why = find(&root, ".why-not").text_content().unwrap();
    assert!(why.contains("reached `Q1`"), "{why}");
}

#[wasm_bindgen_test]
async fn selecting_with_enter_keeps_the_keyboard_focus_on_the_node() {
    let root = mount().await;
    routing(&root).await;
    let document = web_sys::window().unwrap().document().unwrap();
    let focused = || {
        document
            .active_element()
            .and_then(|e| e.get_attribute("aria-label"))
    };
    let exchange = find(&root, "g.pick[aria-label='exchange direct_logs']");
    focus(&exchange);
    // Selecting an exchange also adds its link handle: the nodes must stay the same elements.
    press(&exchange, "Enter");
    settle().await;
    assert_eq!(focused().as_deref(), Some("exchange direct_logs"));
    press(&exchange, "Enter");
    settle().await;
    assert_eq!(focused().as_deref(), Some("exchange direct_logs"));
    let queue = find(&root, "g.pick[aria-label='queue Q1']");
    focus(&queue);
    press(&queue, "Enter");
    settle().await;
    assert_eq!(focused().as_deref(), Some("queue Q1"));
}

#[wasm_bindgen_test]
async fn the_restart_button_keeps_durable_queues_and_persistent_messages() {
    let root = mount().await;
    api("loadPreset", &["durability".into()]).unwrap();
    api("pause", &[]).unwrap();
    settle().await;
    let switches = root.query_selector_all(".consumer-switch").unwrap();
    for i in 0..switches.length() {
        let button: HtmlElement = switches.get(i).unwrap().dyn_into().unwrap();
        button.click();
        settle().await;
    }
    for producer in ["P1", "P2"] {
        let spec = js_sys::Object::new();
        Reflect::set(&spec, &"producer".into(), &producer.into()).unwrap();
        api("publish", &[spec.into()]).unwrap();
    }
    api("advance", &[JsValue::from_f64(3_000.0)]).unwrap();
    assert_eq!(snapshot_number(&["queues", "task_queue", "ready"]), 1.0);
    assert_eq!(snapshot_number(&["queues", "hello", "ready"]), 1.0);
    click(&root, "#restart");
    api("advance", &[JsValue::from_f64(3_000.0)]).unwrap();
    settle().await;
    assert_eq!(snapshot_number(&["restarts"]), 1.0);
    assert_eq!(snapshot_number(&["queues", "task_queue", "ready"]), 1.0);
    assert_eq!(snapshot_number(&["queues", "hello", "ready"]), 0.0);
    // Back on the timeline, before the restart, both messages wait again.
    set_value(&root, "#timeline", "2000");
    settle().await;
    assert_eq!(snapshot_number(&["restarts"]), 0.0);
    assert_eq!(snapshot_number(&["queues", "hello", "ready"]), 1.0);
}

#[wasm_bindgen_test]
async fn shift_dragging_an_exchange_onto_a_queue_binds_instead_of_moving() {
    let root = mount().await;
    routing(&root).await;
    find(&root, "svg.diagram").scroll_into_view();
    let exchange = find(&root, "g.pick[aria-label='exchange direct_logs']");
    let cx = || find(&root, "g.exchange ellipse").get_attribute("cx");
    let before = cx();
    let (ex, ey) = centre(&exchange);
    let (qx, qy) = centre(&find(&root, "g.pick[aria-label='queue Q2']"));
    let shifted = |kind: &str, x: i32, y: i32| {
        let init = web_sys::PointerEventInit::new();
        init.set_client_x(x);
        init.set_client_y(y);
        init.set_bubbles(true);
        init.set_pointer_id(1);
        init.set_shift_key(true);
        let event = web_sys::PointerEvent::new_with_event_init_dict(kind, &init).unwrap();
        exchange.dispatch_event(&event).unwrap();
    };
    shifted("pointerdown", ex, ey);
    shifted("pointermove", (ex + qx) / 2, (ey + qy) / 2);
    settle().await;
    assert!(root
        .query_selector("line.rubber-band[visibility=visible]")
        .unwrap()
        .is_some());
    shifted("pointermove", qx, qy);
    shifted("pointerup", qx, qy);
    click(&root, "g.pick[aria-label='exchange direct_logs']");
    settle().await;
    let prompt = find(&root, "#link-prompt").text_content().unwrap();
    assert!(prompt.contains("Q2"), "{prompt}");
    assert_eq!(cx(), before, "the exchange stayed where it was");
    set_value(&root, "#link-key", "amber");
    submit(&root, "#link-prompt");
    settle().await;
    assert_eq!(edge_labels(&root), ["orange", "black", "green", "amber"]);
}

#[wasm_bindgen_test]
async fn a_message_is_picked_from_the_event_log_after_it_arrived() {
    let root = mount().await;
    choose(&root, "#preset", "topics");
    settle().await;
    if find(&root, "#play").text_content().as_deref() == Some("Pause") {
        click(&root, "#play");
    }
    set_value(&root, "#routing-key", "lazy.brown.fox");
    click(&root, "#publish");
    api("advance", &[JsValue::from_f64(5_000.0)]).unwrap();
    settle().await;
    click(&root, ".log button.message-link[data-message='1']");
    settle().await;
    assert!(find(&root, ".message-history")
        .text_content()
        .unwrap()
        .contains("Message #1"));
    click(&root, "g.pick[aria-label='queue Q1']");
    settle().await;
    let why = find(&root, ".why-not").text_content().unwrap();
    assert!(why.contains("Why not Q1?"), "{why}");
    assert!(why.contains("'*.orange.*' does not match"), "{why}");
}
