//! The Code panel and `generateCode(lang)`: the scenario as pika or amqplib programs in the
//! page (tests/generated_code.rs runs the same programs against RabbitMQ).

use std::time::Duration;

use amqp_playground_e2e::open_playground;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_code_panel_shows_runnable_programs_for_the_scenario() {
    let Some((_server, browser)) =
        open_playground("the_code_panel_shows_runnable_programs_for_the_scenario").await
    else {
        return;
    };
    let files = browser
        .eval(
            "window.amqpPlayground.loadPreset('rpc');
             return (await window.amqpPlayground.generateCode('pika')).files.map(f => f.name);",
        )
        .await;
    assert_eq!(files, serde_json::json!(["Client.py", "S.py"]));
    let node = browser
        .eval("return (await window.amqpPlayground.generateCode('amqplib')).files[1].text;")
        .await;
    let node = node.as_str().unwrap_or_default();
    assert!(
        node.contains("require('amqplib')") && node.contains("sendToQueue(msg.properties.replyTo"),
        "{node}"
    );
    let refused = browser
        .eval("try { await window.amqpPlayground.generateCode('cobol'); return 'no error'; } catch (e) { return e.message; }")
        .await;
    assert_eq!(
        refused,
        "no code generator for `cobol` (there are: pika, amqplib)"
    );

    browser.click("#show-code").await;
    browser
        .wait_until(
            "the panel with the client's program",
            Duration::from_secs(5),
            "const pre = document.querySelector('.code-text');
             return !!pre && pre.dataset.file === 'Client.py' && pre.innerText.includes('reply_to=callback_queue');",
        )
        .await;
    browser.click(".code-tab:nth-child(2)").await;
    browser
        .wait_until(
            "the server's program",
            Duration::from_secs(5),
            "return document.querySelector('.code-text').dataset.file === 'S.py';",
        )
        .await;
    browser
        .eval(
            "const s = document.getElementById('code-lang');
             s.value = 'amqplib'; s.dispatchEvent(new Event('change', { bubbles: true })); return null;",
        )
        .await;
    browser
        .wait_until(
            "the Node programs",
            Duration::from_secs(5),
            "return document.querySelector('.code-text').dataset.file === 'Client.js';",
        )
        .await;
    browser.screenshot("code-panel").await;
    browser.close().await;
}
