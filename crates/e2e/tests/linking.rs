//! Drawing bindings and watching, in headless Chromium with real input (WebDriver actions:
//! the browser itself produces the pointer and key events): drag from an exchange's link
//! handle to a queue, tap the exchange then the queue at 360 px wide on a touch screen, the
//! keyboard path, deleting an edge, the timeline scrubbed back and forth, and "Why not?".

use std::time::Duration;

use amqp_playground_e2e::{open_playground, Browser};
use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MouseActions, PointerAction, TouchActions,
    MOUSE_BUTTON_LEFT,
};
use fantoccini::key::Key;
use fantoccini::Locator;

async fn load(browser: &Browser, preset: &str, marker: &str) {
    browser
        .eval(&format!(
            "localStorage.clear(); window.amqpPlayground.loadPreset('{preset}');
             window.amqpPlayground.pause(); return null;"
        ))
        .await;
    browser
        .wait_until(
            preset,
            Duration::from_secs(5),
            &format!("return !!document.querySelector(\"{marker}\");"),
        )
        .await;
}

async fn labels(browser: &Browser) -> Vec<String> {
    let v = browser
        .eval("return [...document.querySelectorAll('text.edge-label')].map(t => t.textContent);")
        .await;
    serde_json::from_value(v).unwrap_or_default()
}

/// Types `text` (and Enter, if asked) as real key presses into whatever has the focus.
async fn keys(browser: &Browser, text: &str) {
    let mut seq = KeyActions::new("keyboard".into());
    for c in text.chars() {
        seq = seq
            .then(KeyAction::Down { value: c })
            .then(KeyAction::Up { value: c });
    }
    browser
        .client
        .perform_actions(seq)
        .await
        .expect("key presses");
}

fn key(k: Key) -> char {
    char::from(k)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drag_from_the_link_handle_to_a_queue_binds_it_then_delete_and_undo() {
    let Some((_server, browser)) =
        open_playground("drag_from_the_link_handle_to_a_queue_binds_it_then_delete_and_undo").await
    else {
        return;
    };
    let c = &browser.client;
    load(&browser, "routing", "g.exchange[data-name=direct_logs]").await;
    browser
        .click("g.pick[aria-label='exchange direct_logs']")
        .await;
    browser
        .wait_until(
            "the link handle",
            Duration::from_secs(5),
            "return !!document.querySelector('.link-handle');",
        )
        .await;
    let handle = c
        .find(Locator::Css(".link-handle circle"))
        .await
        .expect("handle");
    let queue = c
        .find(Locator::Css("g.pick[aria-label='queue Q1']"))
        .await
        .expect("Q1");
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: handle,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(100)),
            x: 20.0,
            y: 10.0,
        })
        .then(PointerAction::MoveToElement {
            element: queue,
            duration: Some(Duration::from_millis(300)),
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(drag).await.expect("drag");
    browser
        .wait_until(
            "the key prompt for Q1",
            Duration::from_secs(5),
            "const f = document.querySelector('#link-prompt');
             return !!f && f.textContent.includes('Q1') &&
                 document.activeElement && document.activeElement.id === 'link-key';",
        )
        .await;
    browser.screenshot("linking-drag-prompt").await;
    keys(&browser, &format!("purple{}", key(Key::Enter))).await;
    browser
        .wait_until(
            "the purple edge",
            Duration::from_secs(5),
            "return [...document.querySelectorAll('text.edge-label')]
                 .some(t => t.textContent === 'purple');",
        )
        .await;
    assert_eq!(
        labels(&browser).await,
        ["orange", "black", "green", "purple"]
    );

    // Publish the new key with the toolbar: it reaches C1.
    let field = c.find(Locator::Css("#routing-key")).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys("purple").await.unwrap();
    browser.click("#publish").await;
    browser
        .eval("window.amqpPlayground.advance(5000); return null;")
        .await;
    browser
        .wait_until(
            "purple to reach C1",
            Duration::from_secs(5),
            "return window.amqpPlayground.snapshot().consumers.C1.received === 1;",
        )
        .await;
    browser.screenshot("linking-drag-bound").await;

    // Select the purple edge with the keyboard and delete it; undo brings it back.
    browser
        .eval(
            "const g = [...document.querySelectorAll('g.edge.binding')]
                 .find(g => g.textContent === 'purple');
             g.querySelector('.edge-hit').focus(); return null;",
        )
        .await;
    keys(&browser, &key(Key::Delete).to_string()).await;
    browser
        .wait_until(
            "the purple edge to go",
            Duration::from_secs(5),
            "return ![...document.querySelectorAll('text.edge-label')]
                 .some(t => t.textContent === 'purple');",
        )
        .await;
    browser.click("#undo").await;
    browser
        .wait_until(
            "undo to restore purple",
            Duration::from_secs(5),
            "return [...document.querySelectorAll('text.edge-label')]
                 .some(t => t.textContent === 'purple');",
        )
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tap_the_exchange_then_a_queue_at_360_px() {
    let Some((_server, browser)) = open_playground("tap_the_exchange_then_a_queue_at_360_px").await
    else {
        return;
    };
    let c = &browser.client;
    c.set_window_size(360, 800).await.expect("narrow window");
    load(&browser, "routing", "g.exchange[data-name=direct_logs]").await;
    let tap = |selector: &'static str| async move {
        let el = c
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("{selector}: {e}"));
        let seq = TouchActions::new("finger".into())
            .then(PointerAction::MoveToElement {
                element: el,
                duration: None,
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        c.perform_actions(seq).await.expect("tap");
    };
    // Tap the exchange, then the queue.
    tap("g.pick[aria-label='exchange direct_logs'] .hit").await;
    browser
        .wait_until(
            "link mode",
            Duration::from_secs(5),
            "return document.querySelectorAll('g.pick.link-target').length === 2;",
        )
        .await;
    tap("g.pick[aria-label='queue Q2'] .hit").await;
    browser
        .wait_until(
            "the key prompt",
            Duration::from_secs(5),
            "return !!document.querySelector('#link-prompt');",
        )
        .await;
    let field = c.find(Locator::Css("#link-key")).await.unwrap();
    field.send_keys("teal").await.unwrap();
    browser.click("#link-prompt button[type='submit']").await;
    browser
        .wait_until(
            "the teal edge",
            Duration::from_secs(5),
            "return [...document.querySelectorAll('text.edge-label')]
                 .some(t => t.textContent === 'teal');",
        )
        .await;
    let overflow = browser
        .eval("return document.documentElement.scrollWidth - window.innerWidth;")
        .await;
    assert!(
        overflow.as_f64().unwrap_or(99.0) <= 0.0,
        "no horizontal scroll: {overflow}"
    );
    browser.screenshot("linking-touch-360").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keyboard_path_b_arrows_enter_key_enter_and_escape() {
    let Some((_server, browser)) =
        open_playground("the_keyboard_path_b_arrows_enter_key_enter_and_escape").await
    else {
        return;
    };
    load(&browser, "routing", "g.exchange[data-name=direct_logs]").await;
    let focused =
        "return document.activeElement && (document.activeElement.getAttribute('aria-label')
                       || document.activeElement.id);";
    browser
        .eval(
            "document.querySelector(\"g.pick[aria-label='exchange direct_logs']\").focus();
             return null;",
        )
        .await;
    // Escape first: B, then Escape cancels without a binding.
    keys(&browser, &format!("b{}", key(Key::Escape))).await;
    browser
        .wait_until(
            "no link mode",
            Duration::from_secs(5),
            "return !document.querySelector('.link-bar[role=status]');",
        )
        .await;
    browser
        .eval(
            "document.querySelector(\"g.pick[aria-label='exchange direct_logs']\").focus();
             return null;",
        )
        .await;
    keys(&browser, "b").await;
    browser
        .wait_until(
            "focus on the first target",
            Duration::from_secs(5),
            "return document.activeElement.getAttribute('aria-label') === 'queue Q1';",
        )
        .await;
    keys(&browser, &key(Key::Down).to_string()).await;
    assert_eq!(browser.eval(focused).await, "queue Q2");
    keys(&browser, &key(Key::Enter).to_string()).await;
    browser
        .wait_until(
            "the key field focused",
            Duration::from_secs(5),
            "return document.activeElement.id === 'link-key';",
        )
        .await;
    keys(&browser, &format!("white{}", key(Key::Enter))).await;
    browser
        .wait_until(
            "the white edge into Q2",
            Duration::from_secs(5),
            "return [...document.querySelectorAll('text.edge-label')]
                 .some(t => t.textContent === 'white');",
        )
        .await;
    assert_eq!(
        labels(&browser).await,
        ["orange", "black", "green", "white"]
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_scrubs_back_and_forward_and_why_not_explains_a_miss() {
    let Some((_server, browser)) =
        open_playground("the_timeline_scrubs_back_and_forward_and_why_not_explains_a_miss").await
    else {
        return;
    };
    let c = &browser.client;
    load(&browser, "topics", "g.exchange[data-name=topic_logs]").await;
    browser
        .eval(
            "const api = window.amqpPlayground;
             api.advance(100);
             api.publish({ routingKey: 'quick.orange.fox' });
             api.advance(2000);
             api.publish({ routingKey: 'lazy.brown.fox' });
             api.advance(3000);
             return null;",
        )
        .await;
    let snap = browser
        .eval("return window.amqpPlayground.snapshot();")
        .await;
    assert_eq!(snap["consumers"]["C1"]["received"], 1, "{snap}");
    assert_eq!(snap["consumers"]["C2"]["received"], 1, "{snap}");
    let end = snap["now"].as_f64().unwrap();

    // Home and End on the focused slider: the start, then back to the end.
    browser
        .eval("document.querySelector('#timeline').focus(); return null;")
        .await;
    keys(&browser, &key(Key::Home).to_string()).await;
    browser
        .wait_until(
            "time 0",
            Duration::from_secs(5),
            "const s = window.amqpPlayground.snapshot();
             return s.now === 0 && s.producers.P.published === 0;",
        )
        .await;
    keys(&browser, &key(Key::End).to_string()).await;
    browser
        .wait_until(
            "the end again",
            Duration::from_secs(5),
            &format!(
                "const s = window.amqpPlayground.snapshot();
                 return s.now === {end} && s.consumers.C2.received === 1;"
            ),
        )
        .await;
    // A click a quarter of the way along: the first message is out, the second not yet.
    let slider = c.find(Locator::Css("#timeline")).await.unwrap();
    let width = browser
        .eval("return document.querySelector('#timeline').getBoundingClientRect().width;")
        .await
        .as_f64()
        .unwrap();
    let click = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: slider,
            duration: None,
            x: -width / 4.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(click).await.expect("click the slider");
    browser
        .wait_until(
            "a quarter of the way",
            Duration::from_secs(5),
            &format!(
                "const s = window.amqpPlayground.snapshot();
                 return s.now > {end} * 0.1 && s.now < {end} * 0.4 &&
                     s.producers.P.published === 1;"
            ),
        )
        .await;
    browser.screenshot("timeline-scrubbed-back").await;

    // Why not? Click a message's token, then the queue it will miss.
    keys(&browser, &key(Key::End).to_string()).await;
    browser
        .eval(
            "const api = window.amqpPlayground;
             api.publish({ routingKey: 'quick.orange.fox' });
             api.advance(1000); // past the exchange: the token carries the message id
             return null;",
        )
        .await;
    browser
        .wait_until(
            "a token in flight",
            Duration::from_secs(5),
            "return !!document.querySelector('circle.token[data-message]');",
        )
        .await;
    browser.click("circle.token[data-message]").await;
    browser
        .eval("window.amqpPlayground.advance(3000); return null;")
        .await;
    browser.click("g.pick[aria-label='queue Q2']").await;
    browser
        .wait_until(
            "the why-not answer",
            Duration::from_secs(5),
            "const w = document.querySelector('.why-not');
             return !!w && w.textContent.includes('Why not Q2?') &&
                 w.textContent.includes(\"'lazy.#' does not match\");",
        )
        .await;
    browser
        .eval("document.querySelector('.why-not').scrollIntoView(); return null;")
        .await;
    browser.screenshot("why-not").await;
    browser.close().await;
}
