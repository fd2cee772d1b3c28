//! A docs page's iframe: `?preset=…&embed` opens one tutorial with only the diagram and its
//! controls, never touches the learner's autosave, and a bad address is reported, not fatal.
//! Also prints how long the first render took on localhost (reported, not asserted).

use std::time::Duration;

use amqp_playground_e2e::open_playground;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_embed_address_opens_one_tutorial_and_leaves_autosave_alone() {
    let Some((server, browser)) =
        open_playground("an_embed_address_opens_one_tutorial_and_leaves_autosave_alone").await
    else {
        return;
    };
    let c = &browser.client;

    // The learner's own playground, autosaved.
    browser
        .eval(
            "window.amqpPlayground.loadPreset('routing');
             window.amqpPlayground.loadScenario(Object.assign(
                 window.amqpPlayground.exportScenario(), { name: 'mine' }));
             return null;",
        )
        .await;
    browser
        .wait_until(
            "the autosave",
            Duration::from_secs(5),
            "return (localStorage.getItem('amqp-playground.scenario.v1') || '').includes('mine');",
        )
        .await;
    let saved = browser
        .eval("return localStorage.getItem('amqp-playground.scenario.v1');")
        .await;

    c.goto(&format!("{}?preset=topics&embed&play", server.url()))
        .await
        .expect("open the embed address");
    browser
        .wait_until(
            "the topics diagram",
            Duration::from_secs(20),
            "return !!window.amqpPlayground &&
                 !!document.querySelector('g.exchange[data-name=topic_logs]');",
        )
        .await;
    // Reported, not asserted: paint timing entries are queued a little after the frame that
    // painted, so give the entry a moment to appear.
    let mut first_render = serde_json::Value::Null;
    for _ in 0..50 {
        first_render = browser
            .eval(
                "const nav = performance.getEntriesByType('navigation')[0];
                 const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                 return { fcp: fcp ? fcp.startTime : null, load: nav ? nav.loadEventEnd : null };",
            )
            .await;
        if first_render["fcp"].is_number() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "FIRST RENDER (embed, localhost): first contentful paint {} ms, load event {} ms",
        first_render["fcp"], first_render["load"]
    );

    let page = browser
        .eval(
            "const shown = sel => { const el = document.querySelector(sel);
                                    return !!el && el.offsetParent !== null; };
             return { editor: shown('.editor'), header: shown('main > header'),
                      diagram: shown('svg.diagram'), toolbar: shown('.toolbar'),
                      timeline: shown('.timeline'),
                      playing: window.amqpPlayground.snapshot().playing,
                      queues: Object.keys(window.amqpPlayground.snapshot().queues).length };",
        )
        .await;
    assert_eq!(
        page,
        serde_json::json!({
            "editor": false, "header": false, "diagram": true, "toolbar": true,
            "timeline": true, "playing": true, "queues": 2
        }),
        "an embed shows the diagram and its controls only, and plays"
    );
    browser
        .eval(
            "window.amqpPlayground.publish({ routingKey: 'quick.orange.rabbit' });
             window.amqpPlayground.advance(5000); return null;",
        )
        .await;
    browser.screenshot("embed-topics").await;
    let after = browser
        .eval("return localStorage.getItem('amqp-playground.scenario.v1');")
        .await;
    assert_eq!(
        after, saved,
        "an embed never overwrites the learner's autosave"
    );

    // A bad address: the page still works and says what was wrong.
    c.goto(&format!("{}?preset=nope&zoom=2", server.url()))
        .await
        .expect("open a bad address");
    browser
        .wait_until(
            "the message about the address",
            Duration::from_secs(20),
            "return !!window.amqpPlayground &&
                 document.body.innerText.includes('unknown preset `nope`') &&
                 document.body.innerText.includes('unknown parameter `zoom`');",
        )
        .await;
    let name = browser
        .eval("return window.amqpPlayground.exportScenario().name;")
        .await;
    assert_eq!(
        name, "mine",
        "without a usable preset the autosave comes back"
    );
    browser.close().await;
}
