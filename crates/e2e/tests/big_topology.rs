//! Loading big topologies in the page (issue 12): the topics tutorial with more bindings on its
//! one exchange, as a learner makes it (`loadScenario`), timed until the diagram is drawn (the
//! load, then two animation frames). Prints the curve; asserts what is drawn, never a time.
//! Before the fix, 150 more bindings froze the tab for 64 s.

use amqp_playground_e2e::open_playground;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_topics_tutorial_with_a_thousand_more_bindings_loads_and_draws() {
    let Some((_server, browser)) =
        open_playground("the_topics_tutorial_with_a_thousand_more_bindings_loads_and_draws").await
    else {
        return;
    };
    println!("| topics with more bindings | bindings | loadScenario + drawn (median of 3) |");
    println!("|---|---:|---:|");
    for extra in [0, 12, 24, 48, 150, 1_000] {
        let report = browser
            .client
            .execute_async(
                &format!(
                    "const done = arguments[arguments.length - 1];
                     const api = window.amqpPlayground;
                     api.loadPreset('topics');
                     const s = api.exportScenario();
                     for (let i = 0; i < {extra}; i++) {{
                         s.bindings.push({{ exchange: 'topic_logs', queue: i % 2 ? 'Q2' : 'Q1',
                                            key: 'extra.' + i + '.#' }});
                     }}
                     const times = [];
                     const once = () => new Promise(ok => {{
                         api.loadPreset('hello-world');
                         const start = performance.now();
                         api.loadScenario(s);
                         requestAnimationFrame(() => requestAnimationFrame(() => {{
                             times.push(performance.now() - start);
                             ok();
                         }}));
                     }});
                     (async () => {{
                         for (let i = 0; i < 3; i++) await once();
                         times.sort((a, b) => a - b);
                         done({{ ms: times[1], bindings: s.bindings.length,
                                 edges: document.querySelectorAll('svg.diagram g.edge').length }});
                     }})();"
                ),
                vec![],
            )
            .await
            .expect("the load runs");
        let bindings = report["bindings"].as_u64().unwrap();
        assert_eq!(bindings, 3 + extra);
        // Every binding is drawn: P→X, X→Q (one edge each binding), Q→C.
        assert!(
            report["edges"].as_u64().unwrap() >= bindings,
            "{report}: every binding has its edge"
        );
        println!(
            "| {extra} more | {bindings} | {:.0} ms |",
            report["ms"].as_f64().unwrap()
        );
    }
    browser.close().await;
}
