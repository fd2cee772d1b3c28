//! The presets' walkthroughs: each guided step's caption ([`super::guide`]) with what the
//! step does when a reader arrives at it and what should hold once it has run. The tests run
//! every one headlessly (`check_tour`), so a caption never promises what does not happen.

use crate::sim::replay::Input;
use crate::sim::tour::{Expect, TourStep};
use crate::sim::PublishRequest;

/// The walkthrough of preset `name` (empty for an unknown name).
pub fn tour(name: &str) -> Vec<TourStep> {
    let captions = super::guide(name);
    let say = |i: usize| TourStep::say(captions[i]);
    let steps = match name {
        "hello-world" => vec![
            say(0)
                .publish(None, 1)
                .expect(received(&[("C", 1)]).queue("hello", 0, 0)),
            say(1)
                .consuming("C", false)
                .publish(None, 2)
                .expect(Expect::default().queue("hello", 2, 0)),
            say(2)
                .consuming("C", true)
                .expect(received(&[("C", 3)]).queue("hello", 0, 0)),
        ],
        "work-queues" => vec![
            say(0)
                .publish(None, 4)
                .expect(received(&[("C1", 2), ("C2", 2)])),
            say(1)
                .consuming("C2", false)
                .publish(None, 1)
                .expect(received(&[("C1", 3), ("C2", 2)])),
        ],
        "fair-dispatch" => vec![
            say(0),
            // Checked: all six done, the quick worker doing most of them.
            say(1)
                .publish(None, 6)
                .expect(received(&[("C1", 2), ("C2", 4)]).queue("hello", 0, 0)),
            say(2),
        ],
        "publish-subscribe" => vec![
            say(0)
                .publish(None, 1)
                .expect(received(&[("C1", 1), ("C2", 1)])),
            say(1),
        ],
        "routing" => vec![
            say(0)
                .publish(Some("orange"), 1)
                .expect(received(&[("C1", 1), ("C2", 0)])),
            say(1)
                .publish(Some("black"), 1)
                .publish(Some("green"), 1)
                .expect(received(&[("C1", 1), ("C2", 2)])),
            say(2)
                .publish(Some("purple"), 1)
                .expect(received(&[("C1", 1), ("C2", 2)]).unroutable(1)),
        ],
        "topics" => vec![
            say(0)
                .publish(Some("quick.orange.rabbit"), 1)
                .expect(received(&[("C1", 1), ("C2", 1)])),
            say(1)
                .publish(Some("lazy.orange.elephant"), 1)
                .publish(Some("quick.orange.fox"), 1)
                .publish(Some("lazy.brown.fox"), 1)
                .publish(Some("quick.brown.fox"), 1)
                .expect(received(&[("C1", 3), ("C2", 3)]).unroutable(1)),
            say(2),
        ],
        "rpc" => vec![
            say(0).publish(None, 1).expect(received(&[("S", 1)])),
            say(1),
            say(2),
        ],
        "publisher-confirms" => vec![
            say(0).publish(None, 1).expect(received(&[("C", 1)])),
            say(1)
                .consuming("C", false)
                .publish(None, 8)
                .expect(Expect::default().queue("orders", 5, 0)),
            say(2)
                .consuming("C", true)
                .expect(received(&[("C", 6)]).queue("orders", 0, 0)),
        ],
        "headers" => vec![
            say(0),
            say(1),
            say(2)
                .publish(None, 1)
                .expect(received(&[("C1", 1), ("C2", 1)])),
        ],
        "dead-lettering" => vec![
            say(0),
            // The second task fails and waits out its 3 s in `wait`.
            say(1)
                .publish(None, 2)
                .run_ms(4_500)
                .expect(received(&[("C", 2)]).queue("wait", 1, 0)),
            say(2).expect(
                received(&[("C", 3)])
                    .queue("wait", 0, 0)
                    .queue("work", 0, 0),
            ),
        ],
        "poison-message" => vec![
            say(0),
            say(1).publish(None, 1),
            say(2).expect(
                received(&[("C", 4)])
                    .queue("tasks", 0, 0)
                    .queue("parked", 1, 0),
            ),
        ],
        "replay-stream" => vec![
            say(0),
            say(1)
                .publish(None, 3)
                .expect(received(&[("C1", 3), ("C2", 3), ("C3", 1)])),
            say(2),
            say(3),
        ],
        "alternate-exchange" => vec![
            say(0),
            say(1)
                .publish(Some("new"), 1)
                .publish(Some("refund"), 1)
                .expect(received(&[("C1", 1), ("C2", 1)]).returned(0)),
            say(2),
        ],
        "priority" => vec![
            say(0),
            say(1)
                .consuming("C", false)
                .publish(None, 3)
                .expect(Expect::default().queue("jobs", 3, 0)),
            say(2)
                .consuming("C", true)
                .expect(received(&[("C", 3)]).queue("jobs", 0, 0)),
        ],
        "durability" => vec![
            say(0),
            say(1)
                .consuming("C1", false)
                .consuming("C2", false)
                .publish_from("P1")
                .publish_from("P2")
                .expect(
                    Expect::default()
                        .queue("task_queue", 1, 0)
                        .queue("hello", 1, 0),
                ),
            TourStep {
                inputs: vec![
                    Input::Restart,
                    Input::SetConsuming("C1".into(), true),
                    Input::SetConsuming("C2".into(), true),
                ],
                ..say(2)
            }
            .expect(
                received(&[("C1", 1), ("C2", 0)])
                    .queue("task_queue", 0, 0)
                    .queue("hello", 0, 0),
            ),
        ],
        _ => captions.iter().map(|c| TourStep::say(c)).collect(),
    };
    debug_assert_eq!(steps.len(), captions.len(), "{name}: one step per caption");
    steps
}

fn received(counts: &[(&str, u64)]) -> Expect {
    Expect {
        received: counts.iter().map(|(c, n)| (c.to_string(), *n)).collect(),
        ..Expect::default()
    }
}

impl Expect {
    fn queue(mut self, name: &str, ready: u64, unacked: u64) -> Expect {
        self.queues.push((name.into(), Some(ready), Some(unacked)));
        self
    }

    fn unroutable(mut self, n: u64) -> Expect {
        self.unroutable = Some(n);
        self
    }

    fn returned(mut self, n: u64) -> Expect {
        self.returned = Some(n);
        self
    }
}

impl TourStep {
    fn expect(mut self, expect: Expect) -> TourStep {
        self.expect = Some(expect);
        self
    }

    fn run_ms(mut self, ms: u64) -> TourStep {
        self.run_ms = Some(ms);
        self
    }

    fn publish_from(mut self, producer: &str) -> TourStep {
        self.inputs.push(Input::Publish(PublishRequest {
            producer: Some(producer.into()),
            ..PublishRequest::default()
        }));
        self
    }
}

#[cfg(test)]
mod tests {
    use crate::sim::{presets, Playground};

    /// Every preset's walkthrough, run headlessly as `amqp-playground check` runs one: each
    /// caption's step does what it says.
    #[test]
    fn every_preset_walkthrough_meets_its_expectations() {
        let mut checked = 0;
        for name in presets::NAMES {
            let scenario = presets::by_name(name).unwrap();
            assert_eq!(scenario.tour.len(), presets::guide(name).len(), "{name}");
            let mut pg = Playground::new(scenario).unwrap();
            for (caption, result) in pg.check_tour() {
                if let Err(unmet) = result {
                    panic!("{name}: `{caption}`: {}", unmet.join("; "));
                }
                checked += 1;
            }
        }
        assert!(checked >= 40, "{checked} steps");
    }

    #[test]
    fn going_back_rebuilds_what_a_reader_coming_forward_saw() {
        let scenario = presets::by_name("routing").unwrap();
        let mut forward = Playground::new(scenario.clone()).unwrap();
        forward.begin_tour_step(0).unwrap();
        forward.finish_tour_step(0);
        forward.begin_tour_step(1).unwrap();
        let mut back = Playground::new(scenario).unwrap();
        back.replay_tour_to(1).unwrap();
        assert_eq!(back.snapshot(), forward.snapshot());
    }

    #[test]
    fn an_unmet_expectation_names_the_count() {
        let mut scenario = presets::by_name("hello-world").unwrap();
        scenario.tour[0].expect = Some(super::received(&[("C", 2)]).queue("nope", 0, 0));
        let mut pg = Playground::new(scenario).unwrap();
        let results = pg.check_tour();
        let unmet = results[0].1.clone().unwrap_err();
        assert_eq!(
            unmet,
            vec![
                "queue `nope`: not in the scenario".to_string(),
                "consumer `C`: received 1, expected 2".to_string()
            ]
        );
    }
}
