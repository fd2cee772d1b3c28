//! Files in and out of the page: a scenario file opened with the file picker (a bad one says
//! which JSON path is wrong and loads nothing), and RabbitMQ definitions exported and
//! imported (tests/definitions_roundtrip.rs takes them through the real broker).

use std::time::Duration;

use amqp_playground_e2e::open_playground;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_files_and_definitions_go_in_and_out() {
    let Some((_server, browser)) =
        open_playground("scenario_files_and_definitions_go_in_and_out").await
    else {
        return;
    };
    // Definitions out: the publish/subscribe preset's topology, with what has no counterpart named.
    let defs = browser
        .eval(
            "window.amqpPlayground.loadPreset('publish-subscribe');
             return await window.amqpPlayground.exportDefinitions();",
        )
        .await;
    let names: Vec<&str> = defs["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["logs"], "{defs}");
    assert_eq!(
        defs["bindings"].as_array().map(Vec::len),
        Some(0),
        "server-named queues' bindings stay out: {defs}"
    );
    assert!(
        defs["amqp_playground_not_exported"]
            .to_string()
            .contains("server-named"),
        "{defs}"
    );

    // Definitions in, as `rabbitmqctl export_definitions` writes them.
    let imported = browser
        .eval(
            r#"const r = await window.amqpPlayground.importDefinitions({
                 rabbit_version: "3.10.8", users: [{ name: "guest" }], vhosts: [{ name: "/" }],
                 queues: [{ name: "orders", vhost: "/", durable: true, auto_delete: false, arguments: { "x-queue-type": "quorum" }, type: "quorum" }],
                 exchanges: [{ name: "shop", vhost: "/", type: "topic", durable: true, auto_delete: false, internal: false, arguments: {} }],
                 bindings: [{ source: "shop", vhost: "/", destination: "orders", destination_type: "queue", routing_key: "order.#", arguments: {} }] });
               const s = window.amqpPlayground.exportScenario();
               return { skipped: r.skipped, queues: s.queues.map(q => q.name), bindings: s.bindings.map(b => b.key),
                        drawn: !!document.querySelector('g.queue[data-name=orders]') };"#,
        )
        .await;
    assert_eq!(
        imported["queues"],
        serde_json::json!(["orders"]),
        "{imported}"
    );
    assert_eq!(
        imported["bindings"],
        serde_json::json!(["order.#"]),
        "{imported}"
    );
    assert!(
        imported["skipped"].to_string().contains("users: 1 skipped"),
        "{imported}"
    );
    let refused = browser
        .eval("try { await window.amqpPlayground.importDefinitions('{\"queues\": [{\"durable\": true}]}'); return 'no error'; } catch (e) { return e.message; }")
        .await;
    assert!(
        refused
            .as_str()
            .unwrap_or_default()
            .contains("definitions.queues[0].name: missing"),
        "{refused}"
    );

    // A scenario file with a bad field, through the file picker: named, nothing loaded.
    let dir = std::env::temp_dir().join(format!("amqp-playground-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.scenario.json");
    std::fs::write(
        &bad,
        r#"{"version": 1, "name": "bad", "queues": [{"name": 7}]}"#,
    )
    .unwrap();
    let good = dir.join("good.scenario.json");
    std::fs::write(
        &good,
        r#"{"version": 1, "name": "from-a-file", "queues": [{"name": "q1"}]}"#,
    )
    .unwrap();
    let picker = browser
        .client
        .find(Locator::Css("#open-file"))
        .await
        .expect("the file picker");
    picker
        .send_keys(bad.to_str().unwrap())
        .await
        .expect("pick the bad file");
    browser
        .wait_until(
            "the message naming the bad field",
            Duration::from_secs(5),
            "return document.body.innerText.includes('bad.scenario.json was not opened: scenario.queues[0].name: expected a string');",
        )
        .await;
    assert_eq!(
        browser
            .eval("return window.amqpPlayground.exportScenario().name;")
            .await,
        "definitions",
        "the current scenario stays"
    );
    let picker = browser
        .client
        .find(Locator::Css("#open-file"))
        .await
        .unwrap();
    picker
        .send_keys(good.to_str().unwrap())
        .await
        .expect("pick the good file");
    browser
        .wait_until(
            "the file's scenario",
            Duration::from_secs(5),
            "return window.amqpPlayground.exportScenario().name === 'from-a-file';",
        )
        .await;
    let future = dir.join("future.scenario.json");
    std::fs::write(&future, r#"{"version": 2, "name": "later"}"#).unwrap();
    let picker = browser
        .client
        .find(Locator::Css("#open-file"))
        .await
        .unwrap();
    picker.send_keys(future.to_str().unwrap()).await.unwrap();
    browser
        .wait_until(
            "the newer-version message",
            Duration::from_secs(5),
            "return document.body.innerText.includes('scenario.version: 2 is a scenario format from a newer playground');",
        )
        .await;
    let _ = std::fs::remove_dir_all(&dir);

    // The diagram as a picture, in the current look.
    let picture = browser
        .eval(
            "const api = window.amqpPlayground;
             api.loadPreset('topics');
             document.getElementById('theme').value = 'classic-dark';
             document.getElementById('theme').dispatchEvent(new Event('change', { bubbles: true }));
             await new Promise(r => setTimeout(r, 200));
             const svg = api.exportSvg();
             const png = await api.exportPng();
             const img = new Image();
             await new Promise(r => { img.onload = r; img.src = png; });
             const drawn = document.querySelector('svg.diagram').getBoundingClientRect();
             return { svg: svg.slice(0, 4000), png: png.slice(0, 22), width: img.width,
                      expected: Math.ceil(drawn.width * 2), nodes: (svg.match(/data-name=/g) || []).length };",
        )
        .await;
    let svg = picture["svg"].as_str().unwrap_or_default();
    assert!(
        svg.starts_with("<svg") && svg.contains("xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert!(
        svg.contains("<style>"),
        "the diagram's styles travel with it: {svg}"
    );
    let background = svg
        .split("<rect width=\"100%\" height=\"100%\" fill=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default();
    assert!(
        !background.is_empty() && background != "#ffffff" && background != "rgb(255, 255, 255)",
        "the dark look's background ({background:?}): {svg}"
    );
    assert!(picture["nodes"].as_u64().unwrap_or(0) >= 5, "{picture}");
    assert_eq!(picture["png"], "data:image/png;base64,", "{picture}");
    assert_eq!(
        picture["width"], picture["expected"],
        "twice the drawn size: {picture}"
    );
    browser.close().await;
}
