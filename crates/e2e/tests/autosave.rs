//! Autosave in a real browser: a reload keeps the topology; corrupted storage gives a clear
//! message and a fresh start, never a blank page.

use std::time::Duration;

use amqp_playground_e2e::{build_site, Browser, StaticServer, Tools};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_keeps_the_topology_and_corrupt_storage_starts_fresh() {
    let Some(tools) =
        Tools::find_or_skip("a_reload_keeps_the_topology_and_corrupt_storage_starts_fresh")
    else {
        return;
    };
    let dist = build_site(&tools);
    let server = StaticServer::start(&dist);
    let browser = Browser::start(&tools).await;
    let c = &browser.client;
    let ready = "return !!window.amqpPlayground && !!document.querySelector('svg.diagram');";
    c.goto(&server.url()).await.expect("open the page");
    browser
        .wait_until("the app", Duration::from_secs(20), ready)
        .await;
    browser
        .eval(
            "window.amqpPlayground.loadPreset('topics');
             window.amqpPlayground.loadScenario(Object.assign(
                 window.amqpPlayground.exportScenario(),
                 { name: 'my-topics' }));
             return null;",
        )
        .await;
    browser
        .wait_until(
            "the topics diagram",
            Duration::from_secs(5),
            "return !!document.querySelector('g.exchange[data-name=topic_logs]');",
        )
        .await;

    c.refresh().await.expect("reload");
    browser
        .wait_until("the app again", Duration::from_secs(20), ready)
        .await;
    browser
        .wait_until(
            "the restored topology",
            Duration::from_secs(5),
            "return !!document.querySelector('g.exchange[data-name=topic_logs]') &&
                 document.querySelectorAll('text.edge-label').length === 3 &&
                 window.amqpPlayground.exportScenario().name === 'my-topics';",
        )
        .await;

    browser
        .eval(
            "localStorage.setItem('amqp-playground.scenario.v1', '{\"consumers\": [{\"name\": 1}]}');
             return null;",
        )
        .await;
    c.refresh().await.expect("reload");
    browser
        .wait_until("the app after corruption", Duration::from_secs(20), ready)
        .await;
    browser
        .wait_until(
            "a clear message and a fresh start",
            Duration::from_secs(5),
            "const e = document.querySelector('.status .error');
             return !!e && e.textContent.includes('scenario.consumers[0].name: expected a string')
                 && e.textContent.includes('starting fresh')
                 && !!document.querySelector('g.queue[data-name=hello]');",
        )
        .await;
    browser.screenshot("autosave-corrupt-storage").await;
    browser.close().await;
}
