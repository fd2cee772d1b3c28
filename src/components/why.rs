//! "Why not?": with a message picked on the diagram, select a queue to read why the message
//! did or did not reach it. The answer is assembled from the message's own history, where
//! each exchange it passed wrote its reasoning binding by binding (the core's `explain`),
//! so it is what the broker decided, not a re-computation.

use yew::prelude::*;

use crate::scene::NodeKind;
use crate::state::use_playground;

/// The verdict for one message and one queue.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// Whether a copy was enqueued there.
    pub reached: bool,
    /// The reasons, in words, most telling first.
    pub reasons: Vec<String>,
}

/// Why message `id` did (not) reach the queue the broker calls `queue`, from the message's
/// history lines; `bound_from` lists the `(exchange, key)` bindings the queue has.
pub fn why_not(
    id: u64,
    history: &[String],
    queue: &str,
    bound_from: &[(String, String)],
) -> Verdict {
    // The reasoning lines read "why (message #N at `X`): … queue 'Q' …".
    let strip = |line: &str| match line.split_once("): ") {
        Some((_, reason)) if line.contains("why (") => reason.trim().to_string(),
        _ => line.trim().to_string(),
    };
    let quoted = format!("'{queue}'");
    let ticked = format!("`{queue}`");
    if history.is_empty() {
        return Verdict {
            reached: false,
            reasons: vec![format!(
                "The event log no longer remembers message #{id} (it keeps the latest events)."
            )],
        };
    }
    let reached = history
        .iter()
        .any(|l| l.contains(&format!("enqueued in {ticked}")));
    let about_queue: Vec<String> = history
        .iter()
        .filter(|l| l.contains("why (") && l.contains(&quoted))
        .map(|l| strip(l))
        .collect();
    let mut reasons = Vec::new();
    if reached {
        reasons.push(format!("Message #{id} reached {ticked}."));
        reasons.extend(
            about_queue
                .into_iter()
                .filter(|r| r.contains(" matches ") || !r.contains("does not match")),
        );
        // What happened to it there.
        reasons.extend(
            history
                .iter()
                .filter(|l| !l.contains("why (") && l.contains(&ticked))
                .map(|l| strip(l)),
        );
        return Verdict { reached, reasons };
    }
    reasons.push(format!("Message #{id} did not reach {ticked}."));
    let published = history.iter().find(|l| l.contains("published to"));
    let default_exchange = published.is_some_and(|l| l.contains("published to `(default)`"));
    if default_exchange {
        let key = published
            .and_then(|l| l.rsplit_once("with key `"))
            .map(|(_, k)| k.trim_end_matches('`').to_string())
            .unwrap_or_default();
        reasons.push(format!(
            "It was published to the default exchange, which sends a message only to the queue \
             named by its routing key (`{key}`)."
        ));
    } else if about_queue.is_empty() {
        let visited: Vec<String> = history
            .iter()
            .filter_map(|l| {
                let at = l.split_once("at `")?.1;
                Some(format!("`{}`", at.split_once('`')?.0))
            })
            .fold(Vec::new(), |mut v, x| {
                if !v.contains(&x) {
                    v.push(x);
                }
                v
            });
        let visited = if visited.is_empty() {
            published
                .and_then(|l| l.split_once("published to `"))
                .and_then(|(_, rest)| rest.split_once('`'))
                .map(|(x, _)| vec![format!("`{x}`")])
                .unwrap_or_default()
        } else {
            visited
        };
        reasons.push(format!(
            "No binding from {} leads to {ticked}.",
            if visited.is_empty() {
                "the exchanges it passed".to_string()
            } else {
                visited.join(" or ")
            }
        ));
        if bound_from.is_empty() {
            reasons.push(format!("{ticked} has no bindings at all."));
        } else {
            let list: Vec<String> = bound_from
                .iter()
                .map(|(x, k)| format!("`{x}` (key `{k}`)"))
                .collect();
            reasons.push(format!("{ticked} is bound from {}.", list.join(", ")));
        }
    } else {
        reasons.extend(about_queue);
    }
    // Anything else the log says about the queue and this message (a copy lost on the way).
    reasons.extend(
        history
            .iter()
            .filter(|l| !l.contains("why (") && l.contains(&ticked))
            .map(|l| strip(l)),
    );
    Verdict { reached, reasons }
}

/// The answer for the picked message and the selected queue (nothing otherwise).
#[component]
pub fn WhyNot() -> Html {
    let state = use_playground();
    let (Some(id), Some((NodeKind::Queue, handle))) = (state.message, state.selected.clone())
    else {
        return Html::default();
    };
    let verdict = {
        let engine = state.engine.borrow();
        let queue = engine
            .broker_queue_name(&handle)
            .unwrap_or_else(|| handle.clone());
        let bound_from: Vec<(String, String)> = engine
            .scenario()
            .bindings
            .iter()
            .filter(|b| !b.to_exchange && b.destination == handle)
            .map(|b| (b.exchange.clone(), b.key.clone()))
            .collect();
        why_not(id, &engine.history(id), &queue, &bound_from)
    };
    html! {
        <section class={classes!("why-not", if verdict.reached { "reached" } else { "missed" })}
            aria-live="polite" aria-label={format!("Why message #{id} did or did not reach {handle}")}>
            <h2>{ if verdict.reached { format!("Why did #{id} reach {handle}?") } else { format!("Why not {handle}?") } }</h2>
            <ul>{ for verdict.reasons.iter().map(|r| html! { <li>{ r }</li> }) }</ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{presets, Playground, PublishRequest};

    fn run(preset: &str, key: &str) -> Playground {
        let mut pg = Playground::new(presets::by_name(preset).unwrap()).unwrap();
        pg.publish(PublishRequest {
            routing_key: Some(key.into()),
            ..PublishRequest::default()
        })
        .unwrap();
        pg.advance(3_000);
        pg
    }

    fn bound(pg: &Playground, queue: &str) -> Vec<(String, String)> {
        pg.scenario()
            .bindings
            .iter()
            .filter(|b| b.destination == queue)
            .map(|b| (b.exchange.clone(), b.key.clone()))
            .collect()
    }

    #[test]
    fn a_topic_miss_is_explained_word_by_word() {
        let pg = run("topics", "quick.orange.fox");
        let v = why_not(1, &pg.history(1), "Q2", &bound(&pg, "Q2"));
        assert!(!v.reached);
        assert_eq!(v.reasons[0], "Message #1 did not reach `Q2`.");
        assert!(
            v.reasons[1].starts_with("Binding key '*.*.rabbit' does not match")
                && v.reasons[1].contains("'fox'"),
            "{v:?}"
        );
        assert!(
            v.reasons[2].starts_with("Binding key 'lazy.#' does not match"),
            "{v:?}"
        );
        let hit = why_not(1, &pg.history(1), "Q1", &bound(&pg, "Q1"));
        assert!(hit.reached);
        assert!(
            hit.reasons[1].starts_with("Binding key '*.orange.*' matches"),
            "{hit:?}"
        );
        assert!(
            hit.reasons
                .iter()
                .any(|r| r.contains("delivered from `Q1`")),
            "{hit:?}"
        );
    }

    #[test]
    fn a_queue_without_a_path_says_so_and_lists_its_bindings() {
        let mut pg = run("topics", "quick.orange.fox");
        pg.apply(crate::sim::Edit::AddExchange {
            name: "other".into(),
            kind: "direct".into(),
        })
        .unwrap();
        pg.apply(crate::sim::Edit::AddQueue {
            name: "side".into(),
            bind: Some(("other".into(), "k".into())),
            with_consumer: false,
            arguments: Vec::new(),
        })
        .unwrap();
        let v = why_not(1, &pg.history(1), "side", &bound(&pg, "side"));
        assert_eq!(
            v.reasons[1..],
            [
                "No binding from `topic_logs` leads to `side`.".to_string(),
                "`side` is bound from `other` (key `k`).".to_string()
            ]
        );
    }

    #[test]
    fn the_default_exchange_only_reaches_the_queue_named_by_the_key() {
        let pg = run("hello-world", "hello");
        let v = why_not(1, &pg.history(1), "elsewhere", &[]);
        assert!(v.reasons[1].contains("default exchange") && v.reasons[1].contains("`hello`"));
        let forgotten = why_not(99, &pg.history(99), "hello", &[]);
        assert!(forgotten.reasons[0].contains("no longer remembers"));
    }
}
