//! How laying out and routing the diagram grows with the topology (issue 12): one exchange
//! with 10 / 100 / 1,000 bindings, each to a queue of its own or all to two queues (parallel
//! edges, as extra keys on the topics tutorial make), and fanouts of 10 / 100 / 500 nodes.
//! Prints a table (median of several runs); never asserts a time. Past
//! `LABEL_SEARCH_LIMIT` labelled edges the labels sit at their edges' middles.
//!
//! `cargo bench -p amqp-playground-web --bench layout`

use std::time::Instant;

use amqp_playground_web::scene::graph::{Graph, Node};
use amqp_playground_web::scene::{layout::layout_styled, Style};
use amqp_playground_web::sim::scenario::BindingSpec;
use amqp_playground_web::sim::{presets, Playground, Scenario};

/// P → X → `queues` queues, `bindings` labelled bindings dealt over them, each queue with
/// its consumer.
fn topology(bindings: usize, queues: usize) -> Graph {
    let mut g = Graph::default();
    let p = g.add(Node::producer("P", None));
    let x = g.add(Node::exchange("logs", Some("type=topic")));
    g.connect(p, x, None);
    let qs: Vec<_> = (0..queues)
        .map(|i| {
            let name = format!("q{i}");
            let q = g.add(Node::queue(&name, Some(&name)));
            let c = g.add(Node::consumer(&format!("C{i}"), None));
            g.connect(q, c, None);
            q
        })
        .collect();
    for b in 0..bindings {
        g.connect(x, qs[b % queues], Some(&format!("key.{b}.#")));
    }
    g
}

/// Median milliseconds of `f` over 5 runs.
fn median(mut f: impl FnMut()) -> f64 {
    let runs = 5;
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    ms[runs / 2]
}

/// Median milliseconds of laying `graph` out (both looks count: the page draws one).
fn time(graph: &Graph) -> f64 {
    median(|| {
        std::hint::black_box(layout_styled(graph, Style::Classic));
    })
}

/// The topics tutorial with `extra` more bindings on its exchange, dealt over its two queues:
/// what a learner loads with `loadScenario`.
fn topics_with(extra: usize) -> Scenario {
    let mut s = presets::by_name("topics").unwrap();
    for i in 0..extra {
        let queue = s.queues[i % 2].name.clone();
        s.bindings.push(BindingSpec::queue(
            "topic_logs",
            &queue,
            &format!("extra.{i}.#"),
        ));
    }
    s
}

fn main() {
    println!("| topology | nodes | edges | layout (median of 5) |");
    println!("|---|---:|---:|---:|");
    let row = |what: String, g: Graph| {
        let (n, e) = (g.nodes.len(), g.edges.len());
        println!("| {what} | {n} | {e} | {:.2} ms |", time(&g));
    };
    for b in [10, 100, 1_000] {
        row(format!("{b} bindings, a queue each"), topology(b, b));
    }
    // 100 is the most that still search for free places (LABEL_SEARCH_LIMIT).
    for b in [10, 100, 101, 1_000] {
        row(format!("{b} bindings to two queues"), topology(b, 2));
    }
    for n in [10, 100, 500] {
        // P, X and (n - 2) / 2 queue + consumer pairs, one unlabelled binding each.
        let pairs = (n - 2) / 2;
        let mut g = topology(0, pairs);
        let x = amqp_playground_web::scene::graph::NodeId(1);
        for i in 0..pairs {
            g.connect(
                x,
                amqp_playground_web::scene::graph::NodeId(2 + 2 * i),
                None,
            );
        }
        row(format!("fanout, {n} nodes"), g);
    }

    // The whole load, as `loadScenario` does it: declare everything on a fresh broker, lay
    // the diagram out, animate nothing yet.
    println!();
    println!("| loadScenario of the topics tutorial | bindings | load (median of 5) |");
    println!("|---|---:|---:|");
    for extra in [0, 24, 150, 1_000] {
        let s = topics_with(extra);
        let n = s.bindings.len();
        let ms = median(|| {
            std::hint::black_box(Playground::new(s.clone()).unwrap());
        });
        println!("| with {extra} more bindings | {n} | {ms:.2} ms |");
    }
}
