//! A bug that stops the wasm does not leave a dead page that looks alive: the page says it
//! stopped, offers a reload, and the learner's autosave stays what it was before the bug (the
//! broken state never replaces it). The panic comes from the test-only `crashForTests()`.

use std::time::Duration;

use amqp_playground_e2e::open_playground;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_shows_a_notice_offers_a_reload_and_keeps_the_autosave() {
    let Some((_server, browser)) =
        open_playground("a_panic_shows_a_notice_offers_a_reload_and_keeps_the_autosave").await
    else {
        return;
    };
    let ready = "return !!window.amqpPlayground && !!document.querySelector('svg.diagram');";
    browser
        .eval(
            "localStorage.clear();
             window.amqpPlayground.loadPreset('topics');
             window.amqpPlayground.loadScenario(Object.assign(
                 window.amqpPlayground.exportScenario(), { name: 'before-the-bug' }));
             return null;",
        )
        .await;
    let saved = "return (localStorage.getItem('amqp-playground.scenario.v1') || '')
                     .includes('before-the-bug');";
    browser
        .wait_until("the autosave", Duration::from_secs(5), saved)
        .await;

    // The panic, from a timer as a bug in an event handler would be: nobody catches it.
    browser
        .eval("setTimeout(() => window.amqpPlayground.crashForTests(), 0); return null;")
        .await;
    browser
        .wait_until(
            "the notice, with the reload button focused",
            Duration::from_secs(5),
            "const box = document.getElementById('crash');
             return !!box && box.getAttribute('role') === 'alertdialog'
                 && box.textContent.includes('stopped because of a bug')
                 && box.querySelector('code').textContent.length > 0
                 && document.activeElement === box.querySelector('button');",
        )
        .await;
    browser.screenshot("crash-notice").await;

    // Whatever the broken page still does, the autosave is left alone.
    browser
        .eval(
            "try { window.amqpPlayground.loadPreset('hello-world'); } catch (_) {}
             try { window.amqpPlayground.advance(1000); } catch (_) {}
             localStorage.setItem('amqp-playground.scenario.v1', '{\"broken\": true}');
             return null;",
        )
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        browser.eval(saved).await,
        serde_json::Value::Bool(true),
        "the autosave is what it was before the bug"
    );
    // Other keys are not the playground's: they are written as usual.
    assert_eq!(
        browser
            .eval("localStorage.setItem('other', 'x'); return localStorage.getItem('other');")
            .await,
        serde_json::json!("x")
    );

    browser
        .eval("document.querySelector('#crash button').click(); return null;")
        .await;
    browser
        .wait_until("the app after the reload", Duration::from_secs(20), ready)
        .await;
    browser
        .wait_until(
            "the playground from before the bug",
            Duration::from_secs(5),
            "return window.amqpPlayground.exportScenario().name === 'before-the-bug'
                 && !document.getElementById('crash');",
        )
        .await;
    browser.close().await;
}
