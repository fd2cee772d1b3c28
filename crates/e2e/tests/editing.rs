//! Editing in headless Chromium with real typing and clicks: add a queue bound with a new key,
//! publish that key, see it arrive; select a node and delete it from the keyboard; undo.

use std::time::Duration;

use amqp_playground_e2e::open_playground;
use fantoccini::key::Key;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_a_queue_bind_a_new_key_publish_delete_and_undo() {
    let Some((_server, browser)) =
        open_playground("add_a_queue_bind_a_new_key_publish_delete_and_undo").await
    else {
        return;
    };
    let c = &browser.client;
    // Pick tutorial 4 from the menu, as a learner would.
    c.find(Locator::Css("#preset option[value='routing']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait_until(
            "the routing diagram",
            Duration::from_secs(5),
            "return !!document.querySelector('g.exchange[data-name=direct_logs]');",
        )
        .await;

    let typed = |selector: &'static str, text: &'static str| async move {
        let field = c.find(Locator::Css(selector)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    };
    typed("#add-queue input[aria-label='queue name']", "audit").await;
    c.find(Locator::Css(
        "#add-queue select option[value='direct_logs']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    typed("#add-queue input[aria-label='binding key']", "purple").await;
    browser.click("#add-queue button[type='submit']").await;
    browser
        .wait_until(
            "the new queue with its consumer",
            Duration::from_secs(5),
            "return !!document.querySelector('g.queue[data-name=audit]') &&
                 !!document.querySelector('g.consumer[data-name=C3]');",
        )
        .await;

    typed("#routing-key", "purple").await;
    browser.click("#publish").await;
    browser
        .wait_until(
            "the purple message to reach C3",
            Duration::from_secs(15),
            "return window.amqpPlayground.snapshot().consumers.C3.received === 1;",
        )
        .await;
    let snap = browser
        .eval("return window.amqpPlayground.snapshot();")
        .await;
    assert_eq!(snap["consumers"]["C1"]["received"], 0, "{snap}");
    assert_eq!(snap["consumers"]["C2"]["received"], 0, "{snap}");
    assert_eq!(snap["unroutable"], 0, "{snap}");
    browser.screenshot("editing-added-queue").await;

    // Keyboard: focus C3, select it with Enter, delete it with Delete.
    let consumer = c
        .find(Locator::Css("g.pick[aria-label='consumer C3']"))
        .await
        .unwrap();
    browser
        .eval("document.querySelector(\"g.pick[aria-label='consumer C3']\").focus(); return null;")
        .await;
    consumer
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    browser
        .wait_until(
            "the inspector to show C3",
            Duration::from_secs(5),
            "const h = document.querySelector('.inspector h2');
             return !!h && h.textContent === 'consumer C3';",
        )
        .await;
    consumer
        .send_keys(&char::from(Key::Delete).to_string())
        .await
        .unwrap();
    browser
        .wait_until(
            "C3 to be gone",
            Duration::from_secs(5),
            "return !document.querySelector('g.consumer[data-name=C3]') &&
                 !('C3' in window.amqpPlayground.snapshot().consumers);",
        )
        .await;

    // Undo brings C3 back (on a rebuilt broker: the topology, not the messages).
    browser.click("#undo").await;
    browser
        .wait_until(
            "undo to restore C3",
            Duration::from_secs(5),
            "return !!document.querySelector('g.consumer[data-name=C3]') &&
                 'C3' in window.amqpPlayground.snapshot().consumers;",
        )
        .await;
    browser.close().await;
}
