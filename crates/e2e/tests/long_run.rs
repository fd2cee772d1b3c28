//! A long run in the page (issue 12): hello world's producer at 100 messages a second for one
//! virtual hour, the clock moved a virtual minute at a time (`advance`) with a drawn frame
//! after each. Prints the page's wasm memory (`wasmMemory()`) and JS heap
//! (`performance.memory`, exact with `--enable-precise-memory-info`) every ten minutes, and
//! the event log's length. Asserts that the hour ran, that the log stays bounded and that the
//! wasm memory stops growing once the engine's per-message memory is at its cap (it never
//! shrinks, so flat means no growth); the JS heap is reported, not asserted (its garbage
//! collector runs when it likes). Then scrubs the timeline back to 1, 10, 30 and 59.5 minutes
//! and prints what each costs: in the plain page (a replay from the start) and in the bridge's
//! page, which has the timeline's checkpoints (`sim::replay::checkpoints`).

use amqp_playground_e2e::{open_bridge_page, open_playground, Browser};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hour_at_100_messages_a_second_keeps_the_page_memory_flat() {
    let Some((_server, browser)) =
        open_playground("an_hour_at_100_messages_a_second_keeps_the_page_memory_flat").await
    else {
        return;
    };
    let rows = an_hour(&browser).await;
    let last = &rows[rows.len() - 1];
    assert!(
        rows.iter().all(|r| r["log"].as_u64().unwrap() <= 200),
        "the event log stays bounded"
    );
    let published = last["published"].as_u64().unwrap();
    assert!(
        (359_000..=361_000).contains(&published),
        "an hour at 100/s publishes 360,000: {published}"
    );
    let at = |minute: usize| rows[minute / 10]["wasm"].as_f64().unwrap();
    assert!(
        at(60) <= at(40) * 1.1,
        "the wasm memory grew in the last 20 minutes: {} → {} bytes",
        at(40),
        at(60)
    );
    // The plain page has no checkpoints (the `checkpoints` feature is off for its download
    // budget): scrubbing back replays from the start.
    scrub_back(&browser, "plain page, replay from the start").await;
    browser.close().await;
}

/// Scrubs the timeline (the slider, as a learner does) back to 1, 10, 30 and 59.5 minutes of
/// the hour, printing what each costs until the page's state is there (the reducer's replay;
/// the redraw comes after), and asserting the clock went there.
async fn scrub_back(browser: &Browser, page: &str) {
    println!("| scrub back to ({page}) | cost |");
    println!("|---:|---:|");
    for target in [60_000, 600_000, 1_800_000, 3_570_000] {
        let seek = browser
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const slider = document.querySelector('#timeline');
                 const start = performance.now();
                 slider.value = String(arguments[0]);
                 slider.dispatchEvent(new Event('input', { bubbles: true }));
                 queueMicrotask(() => done({ ms: performance.now() - start,
                                             now: window.amqpPlayground.snapshot().now }));",
                vec![serde_json::json!(target)],
            )
            .await
            .expect("scrub the timeline");
        println!(
            "| {:.1} min | {:.0} ms |",
            target as f64 / 60_000.0,
            seek["ms"].as_f64().unwrap_or(f64::NAN)
        );
        assert_eq!(seek["now"], target, "the scrubber moved the clock: {seek}");
        // Back to the end, forward (cheap: it goes on from where the playground is).
        browser
            .eval(
                "const slider = document.querySelector('#timeline');
                 slider.value = slider.max;
                 slider.dispatchEvent(new Event('input', { bubbles: true }));
                 return null;",
            )
            .await;
    }
}

/// Runs the hour (100 msg/s, a minute per `advance`, a drawn frame after each) and prints the
/// table; returns its rows (every ten minutes).
async fn an_hour(browser: &Browser) -> Vec<serde_json::Value> {
    let rows = browser
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const api = window.amqpPlayground;
             api.loadPreset('hello-world');
             api.setRate(100);
             const frame = () => new Promise(ok => requestAnimationFrame(() => ok()));
             const row = minute => ({ minute, wasm: api.wasmMemory(),
                 js: performance.memory.usedJSHeapSize,
                 log: document.querySelectorAll('details.log ol li').length,
                 published: Object.values(api.snapshot().producers).reduce((n, p) => n + p.published, 0) });
             (async () => {
                 await frame();
                 const rows = [row(0)];
                 for (let minute = 1; minute <= 60; minute++) {
                     api.advance(60000);
                     await frame();
                     if (minute % 10 === 0) rows.push(row(minute));
                 }
                 done(rows);
             })().catch(e => done(String(e)));",
            vec![],
        )
        .await
        .expect("the hour runs");
    let rows = rows.as_array().cloned().unwrap_or_else(|| panic!("{rows}"));
    let mib = |v: &serde_json::Value| v.as_f64().unwrap() / (1024.0 * 1024.0);
    println!("| virtual time | wasm memory | JS heap | log lines drawn | published |");
    println!("|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} min | {:.1} MiB | {:.1} MiB | {} | {} |",
            r["minute"],
            mib(&r["wasm"]),
            mib(&r["js"]),
            r["log"],
            r["published"]
        );
    }
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hour_in_the_bridges_page_scrubs_back_from_its_checkpoints() {
    // The bridge's page, served as files (no bridge: its relay stays unconnected).
    let Some((_server, browser)) =
        open_bridge_page("an_hour_in_the_bridges_page_scrubs_back_from_its_checkpoints").await
    else {
        return;
    };
    let rows = an_hour(&browser).await;
    let published = rows[rows.len() - 1]["published"].as_u64().unwrap();
    assert!((359_000..=361_000).contains(&published), "{published}");
    scrub_back(&browser, "bridge's page, from a checkpoint").await;
    browser.close().await;
}
