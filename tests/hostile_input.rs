//! Hostile input to everything the page reads from outside, bounded: scenario files and client
//! scripts (`loadScenario`, upload, drop, autosave: one reader), share links, the page address,
//! and RabbitMQ definitions files. Inputs are the real files of `tests/` and the presets'
//! definitions, mutated (values of the wrong type at every depth, keys dropped, arrays grown,
//! text cut short, bytes changed) plus unstructured text.
//!
//! For every input: no panic; a refusal says where (the reader's JSON path, the link's or the
//! address's part); and what the page would then do with it leaves the learner's playground
//! as it was. What is accepted is loaded and run for a virtual minute.
//!
//! Seeds and case counts are fixed, so CI always tries the same inputs; each property prints
//! how many it ran (`--nocapture`). The inspector's fields have their own property in
//! `src/components/editor/fuzz.rs`.
#![cfg(not(target_arch = "wasm32"))]

use std::cell::Cell;
use std::rc::Rc;

use amqp_playground_web::definitions;
use amqp_playground_web::page_options::PageOptions;
use amqp_playground_web::share;
use amqp_playground_web::sim::scenario::read::scenario_from_json;
use amqp_playground_web::sim::{presets, Scenario};
use amqp_playground_web::state::{Action, PlaygroundState};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;
use yew::Reducible;

/// Runs `test` on `cases` inputs (the same ones every run) and prints the count.
fn check<S: Strategy>(name: &str, cases: u32, strategy: S, test: impl Fn(S::Value))
where
    S::Value: std::fmt::Debug,
{
    let ran = Cell::new(0u32);
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            max_shrink_iters: 500,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let result = runner.run(&strategy, |input| {
        ran.set(ran.get() + 1);
        test(input);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    eprintln!("hostile {name}: {} inputs, no panic", ran.get());
}

/// Every scenario file and client script kept in `tests/`.
fn seeds() -> Vec<Value> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut docs = Vec::new();
    for dir in ["scripts", "scenarios"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap();
            docs.push(serde_json::from_str(&text).unwrap());
        }
    }
    assert!(docs.len() > 60, "the seeds are there: {}", docs.len());
    docs
}

/// A JSON value of any kind, with the awkward ones over-represented.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop_oneof![
            Just(0.0),
            Just(-1.0),
            Just(0.5),
            Just(255.0),
            Just(65_536.0),
            Just(4_294_967_296.0),
            Just(1e300),
            Just(-1e300),
            Just(9_007_199_254_740_993.0),
        ]
        .prop_map(|n| serde_json::json!(n)),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just(String::new()),
            Just("amq.direct".to_string()),
            Just("#".to_string()),
            Just("*.orange.*".to_string()),
            Just("\u{0}".to_string()),
            Just("é—🐇".to_string()),
            Just("x".repeat(300)),
            Just("fanout".to_string()),
            Just("quorum".to_string()),
            Just("reject-publish".to_string()),
            "[ -~]{0,12}",
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec(("[a-z_-]{1,8}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// One change to a document.
#[derive(Clone, Debug)]
enum Mutation {
    /// The value at a place becomes another (of any kind).
    Replace(Index, Value),
    /// A member or element goes away.
    Remove(Index),
    /// An array's element is repeated many times.
    Grow(Index, u16),
    /// The text is cut at a point.
    Truncate(Index),
    /// A character of the text is replaced.
    Splice(Index, char),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), any_json()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        2 => any::<Index>().prop_map(Mutation::Remove),
        1 => (any::<Index>(), 2u16..400).prop_map(|(i, n)| Mutation::Grow(i, n)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => (any::<Index>(), any::<char>()).prop_map(|(i, c)| Mutation::Splice(i, c)),
    ]
}

/// JSON pointers to every value in a document, depth first.
fn places(v: &Value, here: String, out: &mut Vec<String>) {
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                places(item, format!("{here}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                places(
                    item,
                    format!("{here}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        _ => {}
    }
    out.push(here);
}

/// The document's text after the mutations.
fn mutate(doc: &Value, mutations: &[Mutation]) -> String {
    let mut doc = doc.clone();
    let mut text = None::<String>;
    for m in mutations {
        if let Some(t) = text.as_mut() {
            // Once cut or spliced, the rest of the changes are to the text.
            apply_to_text(t, m);
            continue;
        }
        let mut all = Vec::new();
        places(&doc, String::new(), &mut all);
        let at = |i: &Index| all[i.index(all.len())].clone();
        match m {
            Mutation::Replace(i, v) => {
                let p = at(i);
                match doc.pointer_mut(&p) {
                    Some(slot) => *slot = v.clone(),
                    None => doc = v.clone(),
                }
            }
            Mutation::Remove(i) => {
                let p = at(i);
                if let Some((parent, last)) = p.rsplit_once('/') {
                    match doc.pointer_mut(parent) {
                        Some(Value::Object(map)) => {
                            map.remove(&last.replace("~1", "/").replace("~0", "~"));
                        }
                        Some(Value::Array(items)) => {
                            if let Ok(n) = last.parse::<usize>() {
                                if n < items.len() {
                                    items.remove(n);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            Mutation::Grow(i, n) => {
                let p = at(i);
                if let Some(Value::Array(items)) = doc.pointer_mut(&p) {
                    if let Some(first) = items.first().cloned() {
                        items.extend(std::iter::repeat_n(first, usize::from(*n)));
                    }
                }
            }
            Mutation::Truncate(_) | Mutation::Splice(..) => {
                let mut t = doc.to_string();
                apply_to_text(&mut t, m);
                text = Some(t);
            }
        }
    }
    text.unwrap_or_else(|| doc.to_string())
}

fn apply_to_text(text: &mut String, m: &Mutation) {
    let cut = |i: &Index, text: &str| {
        let mut at = i.index(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    match m {
        Mutation::Truncate(i) => {
            let at = cut(i, text);
            text.truncate(at);
        }
        Mutation::Splice(i, c) => {
            let at = cut(i, text);
            let end = text[at..]
                .chars()
                .next()
                .map_or(at, |old| at + old.len_utf8());
            text.replace_range(at..end, &c.to_string());
        }
        _ => {}
    }
}

/// The learner's playground before hostile input arrives: a tutorial, mid-run.
fn learners_playground() -> Rc<PlaygroundState> {
    let state = Rc::new(PlaygroundState::hello_world());
    let state = state.reduce(Action::LoadPreset("topics".into()));
    let state = state.reduce(Action::Burst(Default::default(), 3));
    state.reduce(Action::Advance(700))
}

/// How inputs ended: refused by the reader, refused by the broker, loaded and run.
#[derive(Default)]
struct Tally([Cell<u32>; 3]);

impl Tally {
    fn count(&self, i: usize) {
        self.0[i].set(self.0[i].get() + 1);
    }
    fn report(&self, name: &str) {
        let [a, b, c] = &self.0;
        eprintln!(
            "hostile {name}: {} refused saying where, {} refused by the broker, {} loaded and run",
            a.get(),
            b.get(),
            c.get()
        );
    }
}

/// What the page does with a scenario that read: load it, or refuse it keeping the old one;
/// an accepted one runs for a virtual minute.
fn load_into_page(scenario: Scenario, before: &Rc<PlaygroundState>, tally: &Tally) {
    let kept = before.shared_scenario();
    let now = before.now();
    let after = before.clone().reduce(Action::LoadScenario(scenario));
    if let Some(why) = after.error.clone() {
        assert!(!why.trim().is_empty(), "a refusal says why");
        assert_eq!(
            after.shared_scenario(),
            kept,
            "refused ({why}): the old one stays"
        );
        assert_eq!(
            after.now(),
            now,
            "refused ({why}): its run goes on untouched"
        );
        tally.count(1);
        return;
    }
    tally.count(2);
    let after = after.reduce(Action::Play);
    let after = after.reduce(Action::Advance(60_000));
    let _ = after.engine.borrow().snapshot();
}

/// A reader's refusal names where in the document it is.
fn names_a_place(why: &str, tally: &Tally) {
    tally.count(0);
    assert!(
        why.starts_with("scenario") || why.starts_with("script") || why.contains("scenario."),
        "a refusal names the JSON path: {why}"
    );
}

#[test]
fn scenario_files_and_scripts_with_wrong_parts_are_refused_with_their_path_or_load_and_run() {
    let seeds = seeds();
    let before = learners_playground();
    let tally = Tally::default();
    let strategy = (any::<Index>(), proptest::collection::vec(mutation(), 1..4));
    check("scenario files", 3_000, strategy, |(seed, mutations)| {
        let text = mutate(&seeds[seed.index(seeds.len())], &mutations);
        match scenario_from_json(&text) {
            Err(why) => names_a_place(&why, &tally),
            Ok(scenario) => load_into_page(scenario, &before, &tally),
        }
    });
    tally.report("scenario files");
}

#[test]
fn any_text_at_all_is_refused_with_a_reason_or_read() {
    let before = learners_playground();
    let tally = Tally::default();
    let text = prop_oneof![
        any::<String>(),
        any_json().prop_map(|v| v.to_string()),
        "[\\[\\]{}\",:0-9a-z ]{0,64}",
    ];
    check(
        "scenario text",
        2_000,
        text,
        |text| match scenario_from_json(&text) {
            Err(why) => names_a_place(&why, &tally),
            Ok(scenario) => load_into_page(scenario, &before, &tally),
        },
    );
    tally.report("scenario text");
}

#[test]
fn nesting_thousands_deep_is_refused_not_a_stack_overflow() {
    let tally = Tally::default();
    for depth in [100, 1_000, 100_000] {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let text = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            // Unknown members are ignored, so 100 deep under one still reads.
            match scenario_from_json(&text) {
                Err(why) if depth > 128 => assert!(why.contains("recursion limit"), "{why}"),
                Err(why) => names_a_place(&why, &tally),
                Ok(_) => assert!(depth <= 128 && open != "[", "depth {depth} {open}"),
            }
            let inner = format!("{}null{}", "[".repeat(depth), "]".repeat(depth));
            let text =
                format!("{{\"queues\":[{{\"name\":\"q\",\"arguments\":{{\"x\":{inner}}}}}]}}");
            let _ = scenario_from_json(&text);
        }
    }
}

/// A share link for this scenario file, packed as the page packs it.
fn link_for(json: &str) -> String {
    share::frame(&miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9))
}

/// What the page does with a link: unpack (with the page's size limit), read, load.
fn open_link(fragment: &str) -> Result<Scenario, String> {
    let packed = share::unframe(fragment)?;
    let json = share::inflated(
        miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, share::MAX_JSON_BYTES).map_err(
            |e| match e.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => Some(share::MAX_JSON_BYTES),
                _ => None,
            },
        ),
    )?;
    scenario_from_json(&json)
}

#[test]
fn share_links_cut_short_or_damaged_anywhere_load_nothing_and_say_so() {
    // The files the page can show (some client scripts use what it cannot draw).
    let seeds: Vec<Value> = seeds()
        .into_iter()
        .filter(|doc| scenario_from_json(&doc.to_string()).is_ok())
        .collect();
    assert!(seeds.len() > 30, "{} seeds", seeds.len());
    let before = learners_playground();
    let tally = Tally::default();
    let strategy = (
        any::<Index>(),
        any::<Index>(),
        any::<Index>(),
        any::<char>(),
        0u8..4,
    );
    check("share links", 3_000, strategy, |(seed, at, at2, c, how)| {
        let json = seeds[seed.index(seeds.len())].to_string();
        let link = link_for(&json);
        let at = 4 + at.index(link.len() - 4);
        let damaged = match how {
            // Cut short, as a mail program or a chat does with long links.
            0 => link[..at].to_string(),
            // One character changed.
            1 => format!("{}{c}{}", &link[..at], &link[at + 1..]),
            // Two pieces of the link swapped.
            2 => {
                let b = 4 + at2.index(link.len() - 4);
                let (lo, hi) = (at.min(b), at.max(b));
                format!(
                    "{}{}{}{}",
                    &link[..4],
                    &link[hi..],
                    &link[lo..hi],
                    &link[4..lo]
                )
            }
            // A version from the future, or none.
            _ => link.replacen("s=1.", ["s=2.", "s=.", "s=01x.", "s=1"][at % 4], 1),
        };
        match open_link(&damaged) {
            Err(why) if why.contains("link") => tally.count(0),
            // Raw DEFLATE carries no checksum: a changed character can unpack to other
            // JSON, which the reader then checks like any file (a known limit of link
            // version 1, written down in `share`).
            Err(why) => names_a_place(&why, &tally),
            Ok(scenario) => load_into_page(scenario, &before, &tally),
        }
        if how == 0 && at < link.len() {
            let whole = open_link(&link).expect("the whole link opens");
            if let Ok(cut) = open_link(&damaged) {
                assert_ne!(cut, whole, "a cut link never passes for the whole one");
            }
        }
    });
    tally.report("share links");
}

#[test]
fn a_link_that_unpacks_to_a_flood_is_refused_by_size() {
    let bomb = format!("{{\"name\":\"{}\"}}", "a".repeat(8 << 20));
    let why = open_link(&link_for(&bomb)).unwrap_err();
    assert!(why.contains("larger than 1024 KB"), "{why}");
}

/// The address's parts a page reads, with values of every sort.
fn address() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("preset"),
        Just("embed"),
        Just("mode"),
        Just("autoplay"),
        Just("play"),
        Just("step"),
        Just("speed"),
        Just("theme"),
        Just("controls"),
        Just("origin"),
        Just("bridge"),
        Just("zzz"),
        Just(""),
    ];
    let value = prop_oneof![
        Just(None),
        Just(Some(String::new())),
        Just(Some("topics".to_string())),
        Just(Some("1".to_string())),
        Just(Some("%".to_string())),
        Just(Some("%ZZ".to_string())),
        Just(Some("%C3%28".to_string())),
        Just(Some("8".to_string())),
        Just(Some("NaN".to_string())),
        Just(Some("-1e309".to_string())),
        Just(Some("publish,playback,nope".to_string())),
        Just(Some("https%3A%2F%2Fdocs.example".to_string())),
        "[ -~]{0,10}".prop_map(Some),
    ];
    proptest::collection::vec((key, value), 0..6).prop_map(|pairs| {
        let parts: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| match v {
                None => k.to_string(),
                Some(v) => format!("{k}={v}"),
            })
            .collect();
        format!("?{}", parts.join("&"))
    })
}

#[test]
fn page_addresses_with_bad_parts_say_which_part_and_keep_the_good_ones() {
    check("page addresses", 5_000, address(), |query| {
        let (options, problem) = PageOptions::parse(&query);
        if let Some(why) = &problem {
            assert!(why.contains('`'), "a problem quotes the part: {why}");
        }
        if let Some(speed) = options.speed {
            assert!((0.25..=8.0).contains(&speed), "{query}: speed {speed}");
        }
        if let Some(name) = &options.preset {
            assert!(presets::by_name(name).is_some(), "{query}: preset {name}");
        }
        // Every good part is kept whatever else is wrong: the first valid preset wins.
        let good = query
            .trim_start_matches('?')
            .split('&')
            .filter_map(|p| p.strip_prefix("preset="))
            .rfind(|n| presets::by_name(n).is_some());
        assert_eq!(options.preset.as_deref(), good, "{query}");
    });
}

#[test]
fn definitions_files_with_wrong_parts_are_refused_with_their_path_or_imported() {
    let seeds: Vec<Value> = presets::NAMES
        .iter()
        .map(|name| definitions::export(&presets::by_name(name).unwrap()).0)
        .collect();
    let before = learners_playground();
    let tally = Tally::default();
    let strategy = (any::<Index>(), proptest::collection::vec(mutation(), 1..4));
    check("definitions files", 2_000, strategy, |(seed, mutations)| {
        let text = mutate(&seeds[seed.index(seeds.len())], &mutations);
        match definitions::import(&text) {
            Err(why) => {
                tally.count(0);
                assert!(
                    why.starts_with("definitions"),
                    "a refusal names the JSON path: {why}"
                )
            }
            Ok((scenario, _notes)) => load_into_page(scenario, &before, &tally),
        }
    });
    tally.report("definitions files");
}
