//! Hostile values typed into the inspector, bounded (a property test with a fixed seed): every
//! field of every node of every preset gets text, numbers, picks, checks and argument rows of
//! any sort, through the same setters the form uses, then Apply (the `Edit::Update…` the
//! form dispatches) or Rename. A refused number names its field and leaves the draft as it
//! was; a refused Apply or Rename leaves the scenario and its run as they were; what is
//! accepted runs on for half a virtual minute. Never a panic.

use std::cell::Cell;
use std::rc::Rc;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use yew::Reducible;

use super::args::typed_value;
use super::fields::Field;
use super::{consumer_fields, exchange_fields, producer_fields, queue_fields};
use crate::scene::NodeKind;
use crate::sim::scenario::ArgValue;
use crate::sim::{presets, Edit, Scenario};
use crate::state::{Action, PlaygroundState};

/// One thing a learner does to a field.
#[derive(Clone, Debug)]
enum Typed {
    /// Text into a text or number input.
    Text(String),
    /// A checkbox set.
    Check(bool),
    /// An option of a select (or a value that is none of them, as a doctored form sends).
    Pick(Index, Option<String>),
    /// Argument rows: name, value kind, value text.
    Args(Vec<(String, String, String)>),
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("65536".to_string()),
        Just("99999999999999999999999".to_string()),
        Just("1e3".to_string()),
        Just(" 12 ".to_string()),
        Just("NaN".to_string()),
        Just("amq.gen-x".to_string()),
        Just("#.*".to_string()),
        Just("é🐇\u{0}".to_string()),
        Just("q".repeat(300)),
        "[ -~]{0,12}",
    ]
}

fn typed() -> impl Strategy<Value = Typed> {
    let arg_name = prop_oneof![
        Just("x-message-ttl".to_string()),
        Just("x-max-length".to_string()),
        Just("x-queue-type".to_string()),
        Just("x-dead-letter-exchange".to_string()),
        Just("x-overflow".to_string()),
        Just("x-max-priority".to_string()),
        Just("x-delivery-limit".to_string()),
        Just("x-match".to_string()),
        Just("alternate-exchange".to_string()),
        Just(String::new()),
        "[a-z-]{1,10}",
    ];
    let kind = prop_oneof![
        Just("string".to_string()),
        Just("integer".to_string()),
        Just("bool".to_string()),
        Just("void".to_string()),
    ];
    prop_oneof![
        4 => text().prop_map(Typed::Text),
        1 => any::<bool>().prop_map(Typed::Check),
        2 => (any::<Index>(), proptest::option::weighted(0.2, text()))
            .prop_map(|(i, v)| Typed::Pick(i, v)),
        2 => proptest::collection::vec((arg_name, kind, text()), 0..4).prop_map(Typed::Args),
    ]
}

/// Puts `typed` into field `at` of `spec` as the form does. A refused number must name the
/// field and leave the spec as it was.
fn fill<T: Clone + PartialEq + std::fmt::Debug>(
    fields: Vec<Field<T>>,
    spec: &mut T,
    at: &Index,
    typed: &Typed,
) {
    if fields.is_empty() {
        return;
    }
    let i = at.index(fields.len());
    let field = fields.into_iter().nth(i).expect("an index in range");
    match (field, typed) {
        (Field::Text(_, _, _, set), Typed::Text(t)) => set(spec, t.clone()),
        (Field::Number(id, label, _, set), Typed::Text(t)) => {
            let draft = spec.clone();
            if let Err(why) = set(spec, t) {
                // The label, less a trailing "n =" ("fails every n-th message, n =").
                let named = label.split(',').next().unwrap_or(label);
                assert!(why.starts_with(named), "{id}: {why}");
                assert_eq!(*spec, draft, "{id}: a refused number keeps the draft");
            }
        }
        (Field::Check(_, _, _, set), Typed::Check(on)) => set(spec, *on),
        (Field::Pick(_, _, options, _, set), Typed::Pick(pick, other)) => {
            let value = match other {
                Some(v) => v.clone(),
                None if options.is_empty() => String::new(),
                None => options[pick.index(options.len())].0.clone(),
            };
            set(spec, value);
        }
        (Field::Args(_, _, _, set), Typed::Args(rows)) => set(
            spec,
            rows.iter()
                .map(|(name, kind, text)| (name.clone(), typed_value(kind, text)))
                .collect::<Vec<(String, ArgValue)>>(),
        ),
        // A value of another kind than the field takes cannot come from the form.
        _ => {}
    }
}

/// The edit Apply sends for node `at` of `kind` after the changes, with the node's name.
fn apply_edit(
    scenario: &Scenario,
    kind: NodeKind,
    at: &Index,
    changes: &[(Index, Typed)],
) -> Option<(String, Edit)> {
    let exchanges: Vec<String> = scenario.exchanges.iter().map(|e| e.name.clone()).collect();
    let queues: Vec<String> = scenario.queues.iter().map(|q| q.name.clone()).collect();
    macro_rules! update {
        ($list:expr, $fields:expr, $edit:path) => {{
            if $list.is_empty() {
                return None;
            }
            let mut spec = $list[at.index($list.len())].clone();
            for (field, typed) in changes {
                fill($fields, &mut spec, field, typed);
            }
            Some((spec.name.clone(), $edit(spec)))
        }};
    }
    match kind {
        NodeKind::Queue => update!(scenario.queues, queue_fields(), Edit::UpdateQueue),
        NodeKind::Exchange => update!(scenario.exchanges, exchange_fields(), Edit::UpdateExchange),
        NodeKind::Producer => update!(
            scenario.producers,
            producer_fields(&exchanges, &queues),
            Edit::UpdateProducer
        ),
        NodeKind::Consumer => update!(scenario.consumers, consumer_fields(), Edit::UpdateConsumer),
    }
}

/// The page's reducer on `action`: a refusal changes nothing (scenario, clock).
fn dispatch(state: &Rc<PlaygroundState>, action: Action) -> (Rc<PlaygroundState>, bool) {
    let kept = state.engine.borrow().scenario().clone();
    let now = state.now();
    let after = state.clone().reduce(action);
    match &after.error {
        Some(why) => {
            assert!(!why.trim().is_empty());
            assert_eq!(*after.engine.borrow().scenario(), kept, "refused: {why}");
            assert_eq!(after.now(), now, "refused: {why}");
            (after, false)
        }
        None => (after, true),
    }
}

#[test]
fn any_value_in_any_inspector_field_is_refused_with_its_reason_or_applied_and_run() {
    let states: Vec<Rc<PlaygroundState>> = presets::NAMES
        .iter()
        .map(|name| {
            let s = Rc::new(PlaygroundState::hello_world());
            let s = s.reduce(Action::LoadPreset((*name).into()));
            s.reduce(Action::Advance(1_500))
        })
        .collect();
    let (ran, applied, renamed) = (Cell::new(0u32), Cell::new(0u32), Cell::new(0u32));
    let strategy = (
        any::<Index>(),
        any::<Index>(),
        any::<Index>(),
        proptest::collection::vec((any::<Index>(), typed()), 1..5),
        proptest::option::weighted(0.2, text()),
    );
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: 2_000,
            failure_persistence: None,
            max_shrink_iters: 500,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let result = runner.run(&strategy, |(preset, kind, node, changes, rename)| {
        ran.set(ran.get() + 1);
        let state = &states[preset.index(states.len())];
        let kind = NodeKind::ALL[kind.index(NodeKind::ALL.len())];
        let scenario = state.engine.borrow().scenario().clone();
        let Some((name, edit)) = apply_edit(&scenario, kind, &node, &changes) else {
            return Ok(());
        };
        let (state, ok) = dispatch(state, Action::Edit(edit));
        applied.set(applied.get() + u32::from(ok));
        let state = match rename {
            Some(to) => {
                let (state, ok) = dispatch(&state, Action::Edit(Edit::Rename { kind, name, to }));
                renamed.set(renamed.get() + u32::from(ok));
                state
            }
            None => state,
        };
        let state = state.reduce(Action::Advance(30_000));
        let _ = state.engine.borrow().snapshot();
        Ok(())
    });
    if let Err(e) = result {
        panic!("inspector values: {e}");
    }
    eprintln!(
        "hostile inspector values: {} inputs, no panic ({} applied, {} renamed, the rest refused)",
        ran.get(),
        applied.get(),
        renamed.get()
    );
}
