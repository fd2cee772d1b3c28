//! A long run in the page (issue 12): hello world's producer at 100 messages a second for one
//! virtual hour, the clock moved a virtual minute at a time (`advance`) with a drawn frame
//! after each. Prints the page's wasm memory (`wasmMemory()`) and JS heap
//! (`performance.memory`, exact with `--enable-precise-memory-info`) every ten minutes, and
//! the event log's length. Asserts that the hour ran, that the log stays bounded and that the
//! wasm memory stops growing once the engine's per-message memory is at its cap (it never
//! shrinks, so flat means no growth); the JS heap is reported, not asserted (its garbage
//! collector runs when it likes).

use amqp_playground_e2e::open_playground;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_hour_at_100_messages_a_second_keeps_the_page_memory_flat() {
    let Some((_server, browser)) =
        open_playground("an_hour_at_100_messages_a_second_keeps_the_page_memory_flat").await
    else {
        return;
    };
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
    let rows = rows.as_array().unwrap_or_else(|| panic!("{rows}"));
    let mib = |v: &serde_json::Value| v.as_f64().unwrap() / (1024.0 * 1024.0);
    println!("| virtual time | wasm memory | JS heap | log lines drawn | published |");
    println!("|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} min | {:.1} MiB | {:.1} MiB | {} | {} |",
            r["minute"],
            mib(&r["wasm"]),
            mib(&r["js"]),
            r["log"],
            r["published"]
        );
    }
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
    browser.close().await;
}
