//! Options a page address can carry, for docs pages that embed the playground in an
//! `<iframe>` and for links to one tutorial:
//!
//! ```text
//! index.html?preset=topics          opens the topics tutorial instead of the autosaved playground
//! index.html?preset=topics&embed    … showing only the toolbar, the guide, the diagram and the
//!                                   timeline; an embed never autosaves, so it cannot overwrite
//!                                   the learner's own playground
//! index.html?preset=rpc&embed&play  … and starts the clock
//! …&autoplay                        … and goes through the walkthrough by itself
//! …&mode=view|play|edit             what the reader may do (default for an embed: play)
//! …&step                            the walkthrough, caption by caption, with Next and Back
//! …&speed=2&theme=current-dark      clock speed (0.25–8) and look
//! …&controls=publish,playback       only these control groups (publish, playback,
//!                                   timeline, theme, status; empty: none)
//! …&origin=https://docs.example     a page that may drive the embed by postMessage
//!                                   (repeatable; see `www/embed-host.js`)
//! index.html#s=1.…                  a shared scenario (see `crate::share`)
//! /?bridge=TOKEN                    served by `amqp-playground bridge`: real AMQP clients run on
//!                                   this page's broker (the bridge prints this address; see
//!                                   `crate::bridge`)
//! ```
//!
//! A flag may also be written `embed=1` / `embed=true` (or `=0` / `=false` to turn it off).
//! A bad address never stops the page: what is understood is applied, and each problem is
//! reported in one message naming the parameter.

use crate::scene::Theme;
use crate::sim::presets;

/// How much of the playground an embed lets its reader touch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Watch only: no publish or playback controls (captions' Next/Back still work).
    View,
    /// Publish, play, pause, step; the topology cannot be changed. An embed's default.
    #[default]
    Play,
    /// Everything, the editor too.
    Edit,
}

/// The controls an embed can show (`controls=publish,playback,timeline,…`).
pub const CONTROLS: [&str; 5] = ["publish", "playback", "timeline", "theme", "status"];

/// What the page address asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageOptions {
    /// Tutorial preset to open (a name from [`presets::NAMES`]).
    pub preset: Option<String>,
    /// Show only the diagram and its controls; never autosave.
    pub embed: bool,
    /// Start the clock at once (`play` or `autoplay`).
    pub play: bool,
    /// Go through the walkthrough by itself, each step once it has settled and been read
    /// (`autoplay`; without a walkthrough the same as `play`).
    pub autoplay: bool,
    /// What the reader may do (`mode=view|play|edit`).
    pub mode: Mode,
    /// The caption-by-caption walkthrough with Next and Back (`step`).
    pub step: bool,
    /// Clock speed (`speed=0.25..8`).
    pub speed: Option<f64>,
    /// The look (`theme=classic|classic-dark|current|current-dark`).
    pub theme: Option<Theme>,
    /// Which controls to show (`controls=publish,playback`); `None`: those of the mode.
    pub controls: Option<Vec<String>>,
    /// Origins whose pages may drive this embed over `postMessage` (`origin=https://docs.x`,
    /// repeatable; the page's own origin always may).
    pub origins: Vec<String>,
}

impl PageOptions {
    /// Reads a query string (`location.search`, with or without its `?`). Returns the options
    /// understood and, when something was not, a message saying what and why.
    pub fn parse(query: &str) -> (PageOptions, Option<String>) {
        let mut options = PageOptions::default();
        let mut problems = Vec::new();
        let query = query.strip_prefix('?').unwrap_or(query);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = match pair.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (pair, None),
            };
            // Every value but a flag's must be present and decode.
            let text = || -> Result<String, String> {
                match value.filter(|v| !v.is_empty()).map(decode) {
                    None => Err(format!("`{key}` in the address needs a value")),
                    Some(None) => Err(format!(
                        "`{key}` in the address is not valid percent-encoded text"
                    )),
                    Some(Some(v)) => Ok(v),
                }
            };
            match key {
                "preset" => match text() {
                    Err(_) if value.is_none_or(str::is_empty) => {
                        problems.push("`preset` in the address needs a name".to_string())
                    }
                    Err(e) => problems.push(e),
                    Ok(name) if presets::by_name(&name).is_some() => {
                        options.preset = Some(name);
                    }
                    Ok(name) => problems.push(format!(
                        "unknown preset `{name}` in the address (known: {})",
                        presets::NAMES.join(", ")
                    )),
                },
                "embed" | "play" | "autoplay" | "step" => match flag(value) {
                    Some(on) => match key {
                        "embed" => options.embed = on,
                        "step" => options.step = on,
                        "autoplay" => {
                            options.autoplay = on;
                            options.play |= on;
                        }
                        _ => options.play = on,
                    },
                    None => problems.push(format!(
                        "`{key}` in the address must be 1, 0, true or false, not `{}`",
                        value.unwrap_or_default()
                    )),
                },
                "mode" => match text().as_deref() {
                    Ok("view") => options.mode = Mode::View,
                    Ok("play") => options.mode = Mode::Play,
                    Ok("edit") => options.mode = Mode::Edit,
                    Ok(other) => problems.push(format!(
                        "`mode` in the address must be view, play or edit, not `{other}`"
                    )),
                    Err(e) => problems.push(e.clone()),
                },
                "speed" => match text() {
                    Ok(v) => match decimal(&v) {
                        Some(s) if (0.25..=8.0).contains(&s) => options.speed = Some(s),
                        _ => problems.push(format!(
                            "`speed` in the address must be a number from 0.25 to 8, not `{v}`"
                        )),
                    },
                    Err(e) => problems.push(e),
                },
                "theme" => match text() {
                    Ok(v) => match Theme::by_id(&v) {
                        Some(t) => options.theme = Some(t),
                        None => problems.push(format!(
                            "`theme` in the address must be classic, classic-dark, current or \
                             current-dark, not `{v}`"
                        )),
                    },
                    Err(e) => problems.push(e),
                },
                "controls" => {
                    // `controls=` (empty) shows none.
                    let list = value.map(decode).unwrap_or(Some(String::new()));
                    match list {
                        None => problems.push(
                            "`controls` in the address is not valid percent-encoded text".into(),
                        ),
                        Some(list) => {
                            let mut wanted = Vec::new();
                            for c in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                                if CONTROLS.contains(&c) {
                                    wanted.push(c.to_string());
                                } else {
                                    problems.push(format!(
                                        "unknown control `{c}` in the address (known: {})",
                                        CONTROLS.join(", ")
                                    ));
                                }
                            }
                            options.controls = Some(wanted);
                        }
                    }
                }
                "origin" => match text() {
                    Ok(o) if is_origin(&o) => options.origins.push(o),
                    Ok(o) => problems.push(format!(
                        "`origin` in the address must be an origin like https://docs.example.com \
                         (scheme, host and port only), not `{o}`"
                    )),
                    Err(e) => problems.push(e),
                },
                // The bridge's per-run token: `bridge::BridgeLink::token_from_location` reads it.
                "bridge" => {}
                other => problems.push(format!(
                    "unknown parameter `{}` in the address (known: preset, embed, mode, play, \
                     autoplay, step, speed, theme, controls, origin, bridge)",
                    decode(other).unwrap_or_else(|| other.to_string())
                )),
            }
        }
        let message = (!problems.is_empty()).then(|| problems.join("; "));
        (options, message)
    }

    /// Whether control group `name` shows: as listed in `controls=`, or else what the mode
    /// offers (an embed in view mode shows no controls, the full page all of them).
    pub fn shows(&self, name: &str) -> bool {
        match &self.controls {
            Some(list) => list.iter().any(|c| c == name),
            None => !self.embed || self.mode != Mode::View || name == "status",
        }
    }
}

/// A plain decimal (`2`, `0.25`): Rust's float parser would bring its tables into the page
/// download (see BENCHMARKS.md), and a speed needs no exponent.
fn decimal(text: &str) -> Option<f64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || whole.len() + fraction.len() > 9
    {
        return None;
    }
    let n: u32 = format!("{whole}{fraction}").parse().ok()?;
    Some(f64::from(n) / f64::from(10u32.pow(fraction.len() as u32)))
}

/// `scheme://host[:port]` and nothing more (what `MessageEvent.origin` compares with).
fn is_origin(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', ' '])
}

/// `embed`, `embed=1`, `embed=true` are on; `=0`, `=false` off; anything else is refused.
fn flag(value: Option<&str>) -> Option<bool> {
    match value {
        None | Some("" | "1" | "true") => Some(true),
        Some("0" | "false") => Some(false),
        Some(_) => None,
    }
}

/// Percent-decoding of one query component (`+` is a space); `None` when the escapes do not
/// make UTF-8.
pub(crate) fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> (PageOptions, Option<String>) {
        PageOptions::parse(q)
    }

    #[test]
    fn an_empty_address_asks_for_nothing() {
        assert_eq!(parse(""), (PageOptions::default(), None));
        assert_eq!(parse("?"), (PageOptions::default(), None));
    }

    #[test]
    fn preset_embed_and_play_are_read() {
        let (o, problem) = parse("?preset=topics&embed&play=1");
        assert_eq!(problem, None);
        assert_eq!(
            o,
            PageOptions {
                preset: Some("topics".into()),
                embed: true,
                play: true,
                ..PageOptions::default()
            }
        );
        let (o, _) = parse("preset=rpc&embed=false&play=true");
        assert_eq!(
            (o.preset.as_deref(), o.embed, o.play),
            (Some("rpc"), false, true)
        );
        assert_eq!(
            parse("preset=hello%2Dworld").0.preset.as_deref(),
            Some("hello-world")
        );
    }

    #[test]
    fn embed_options_are_read() {
        let (o, problem) = parse(
            "embed&mode=view&autoplay&step&speed=2&theme=current-dark&controls=publish,timeline\
             &origin=https%3A%2F%2Fdocs.example.com&origin=http://127.0.0.1:8000",
        );
        assert_eq!(problem, None);
        assert_eq!(o.mode, Mode::View);
        assert!(o.play && o.autoplay && o.step && o.embed);
        assert_eq!(o.speed, Some(2.0));
        assert_eq!(o.theme, Some(Theme::CurrentDark));
        assert!(o.shows("publish") && o.shows("timeline") && !o.shows("playback"));
        assert_eq!(
            o.origins,
            vec![
                "https://docs.example.com".to_string(),
                "http://127.0.0.1:8000".into()
            ]
        );
        assert_eq!(parse("speed=0.25").0.speed, Some(0.25));
        assert_eq!(parse("speed=.5").0.speed, Some(0.5));
        assert_eq!(parse("speed=8").0.speed, Some(8.0));
        assert_eq!(parse("speed=1e0").0.speed, None);
        let (o, _) = parse("embed&controls=");
        assert!(!o.shows("publish") && !o.shows("status"));
        let (o, _) = parse("embed&mode=view");
        assert!(!o.shows("publish") && o.shows("status"));
        assert!(PageOptions::default().shows("publish"));
    }

    #[test]
    fn bad_embed_options_are_named() {
        for (query, want) in [
            (
                "mode=watch",
                "`mode` in the address must be view, play or edit, not `watch`",
            ),
            (
                "speed=100",
                "`speed` in the address must be a number from 0.25 to 8, not `100`",
            ),
            ("speed=", "`speed` in the address needs a value"),
            ("theme=pink", "not `pink`"),
            ("controls=publish,knobs", "unknown control `knobs`"),
            (
                "origin=https://docs.example.com/page",
                "scheme, host and port only",
            ),
            ("origin=javascript:alert(1)", "must be an origin"),
        ] {
            let problem = parse(query).1.unwrap_or_default();
            assert!(problem.contains(want), "{query}: {problem}");
        }
    }

    #[test]
    fn problems_are_named_and_the_rest_still_applies() {
        let (o, problem) = parse("?preset=nope&embed&zoom=2");
        assert_eq!(o.preset, None);
        assert!(o.embed, "a bad parameter does not cancel a good one");
        let problem = problem.expect("a message");
        assert!(problem.contains("unknown preset `nope`"), "{problem}");
        assert!(problem.contains("hello-world, work-queues"), "{problem}");
        assert!(problem.contains("unknown parameter `zoom`"), "{problem}");
        assert!(problem.contains("known: preset, embed, mode"), "{problem}");

        let (_, problem) = parse("embed=yes");
        assert_eq!(
            problem.as_deref(),
            Some("`embed` in the address must be 1, 0, true or false, not `yes`")
        );
        let (_, problem) = parse("preset=");
        assert_eq!(
            problem.as_deref(),
            Some("`preset` in the address needs a name")
        );
        let (o, problem) = parse("preset=%FF%FE&play");
        assert!(o.play && o.preset.is_none());
        assert_eq!(
            problem.as_deref(),
            Some("`preset` in the address is not valid percent-encoded text")
        );
        let (_, problem) = parse("preset=%4");
        assert!(problem.is_some(), "a cut escape is refused, not a panic");
    }
}
