//! `prefers-reduced-motion: reduce` (emulated through DevTools) replaces travelling tokens
//! with discrete steps: a message waits where its leg starts and jumps when the leg is done,
//! while without the preference it glides.

use amqp_playground_e2e::{open_playground, Browser};

/// Where hello world's one message is drawn at `ms` virtual ms after it was published.
async fn token_at(browser: &Browser, ms: u64) -> (f64, f64) {
    let at = browser
        .eval(&format!(
            "const api = window.amqpPlayground;
             api.loadPreset('hello-world');
             api.pause();
             api.publish({{}});
             api.advance({ms});
             return null;"
        ))
        .await;
    assert!(at.is_null());
    // Let the render after the last action happen.
    browser
        .wait_until(
            "a token",
            std::time::Duration::from_secs(5),
            "return document.querySelectorAll('circle.token').length === 1;",
        )
        .await;
    let p = browser
        .eval(
            "const t = document.querySelector('circle.token');
             return [Number(t.getAttribute('cx')), Number(t.getAttribute('cy'))];",
        )
        .await;
    (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())
}

async fn prefer_reduced_motion(browser: &Browser, on: bool) {
    browser
        .cdp(
            "Emulation.setEmulatedMedia",
            serde_json::json!({ "features": [
                { "name": "prefers-reduced-motion", "value": if on { "reduce" } else { "" } }
            ] }),
        )
        .await;
    let matches = browser
        .eval("return matchMedia('(prefers-reduced-motion: reduce)').matches;")
        .await;
    assert_eq!(matches, serde_json::Value::Bool(on));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reduced_motion_moves_tokens_in_steps_instead_of_travel() {
    let Some((_server, browser)) =
        open_playground("reduced_motion_moves_tokens_in_steps_instead_of_travel").await
    else {
        return;
    };
    // The message's first leg (producer to queue) takes longer than 400 ms.
    prefer_reduced_motion(&browser, false).await;
    let (a, b) = (token_at(&browser, 100).await, token_at(&browser, 400).await);
    assert!((a.0 - b.0).abs() > 5.0, "it glides: {a:?} then {b:?}");

    prefer_reduced_motion(&browser, true).await;
    let (c, d) = (token_at(&browser, 100).await, token_at(&browser, 400).await);
    assert_eq!(c, d, "it waits at the start of its leg");
    assert!(
        (c.0 - a.0).abs() < 5.0,
        "where the gliding one started: {c:?} {a:?}"
    );
    browser.close().await;
}
