//! A whole tutorial with the keyboard alone: Tab (and Shift+Tab) to reach every control, the
//! keys a control takes to use it. Choose the routing tutorial, type a routing key, publish,
//! step the clock until the message lands, open the message's history from the event log, and
//! select the queue that did not get it to read why not.

use std::time::Duration;

use amqp_playground_e2e::{open_playground, Browser};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;

/// Presses `keys`, one after the other, as the keyboard does: to whatever has the focus.
async fn press(browser: &Browser, keys: &str) {
    let mut actions = KeyActions::new("keyboard".into());
    for key in keys.chars() {
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    browser.client.perform_actions(actions).await.expect("keys");
}

/// Tabs (forward) until the focused element matches `selector`; the page must let the
/// keyboard reach it within 400 presses.
async fn tab_to(browser: &Browser, selector: &str) {
    let check = format!(
        "return !!document.activeElement && document.activeElement.matches({});",
        serde_json::json!(selector)
    );
    for _ in 0..400 {
        if browser.eval(&check).await == serde_json::Value::Bool(true) {
            return;
        }
        press(browser, &char::from(Key::Tab).to_string()).await;
    }
    panic!("Tab never reached {selector}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_tutorial_with_the_keyboard_alone() {
    let Some((_server, browser)) =
        open_playground("a_whole_tutorial_with_the_keyboard_alone").await
    else {
        return;
    };
    browser
        .eval("window.amqpPlayground.pause(); return null;")
        .await;
    // Choose the tutorial: typing a name picks it in the focused select.
    tab_to(&browser, "#preset").await;
    press(&browser, "routing").await;
    press(&browser, &char::from(Key::Enter).to_string()).await;
    browser
        .wait_until(
            "the routing tutorial",
            Duration::from_secs(5),
            "return !!document.querySelector('g.pick[data-name=direct_logs]');",
        )
        .await;
    browser
        .eval("window.amqpPlayground.pause(); return null;")
        .await;

    // A routing key, then Publish.
    tab_to(&browser, "#routing-key").await;
    press(&browser, "orange").await;
    tab_to(&browser, "#publish").await;
    press(&browser, &char::from(Key::Enter).to_string()).await;

    // Step the clock until the message is in Q1.
    tab_to(&browser, "#step").await;
    for _ in 0..10 {
        let landed = browser
            .eval("return window.amqpPlayground.snapshot().consumers.C1.received === 1;")
            .await;
        if landed == serde_json::Value::Bool(true) {
            break;
        }
        press(&browser, " ").await;
    }
    browser
        .wait_until(
            "C1 got it",
            Duration::from_secs(5),
            "return window.amqpPlayground.snapshot().consumers.C1.received === 1;",
        )
        .await;

    // Its history, from the event log's `#1`.
    tab_to(&browser, "button.message-link[data-message='1']").await;
    press(&browser, &char::from(Key::Enter).to_string()).await;
    browser
        .wait_until(
            "the message's history",
            Duration::from_secs(5),
            "const h = document.querySelector('section.message-history');
             return !!h && h.textContent.includes('routed to Q1');",
        )
        .await;

    // Why did Q2 not get it? Select Q2 (Enter on the focused node).
    tab_to(&browser, "g.pick[data-kind=queue][data-name=Q2]").await;
    press(&browser, &char::from(Key::Enter).to_string()).await;
    browser
        .wait_until(
            "why not Q2",
            Duration::from_secs(5),
            "const w = document.querySelector('section.why-not');
             return !!w && w.textContent.includes('Why not Q2?')
                 && w.textContent.includes('black') && w.textContent.includes('orange');",
        )
        .await;
    browser.screenshot("keyboard-why-not").await;
    browser.close().await;
}
