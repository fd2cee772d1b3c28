//! Options a page address can carry, for docs pages that embed the playground in an
//! `<iframe>` and for links to one tutorial:
//!
//! ```text
//! index.html?preset=topics          opens the topics tutorial instead of the autosaved playground
//! index.html?preset=topics&embed    … showing only the toolbar, the guide, the diagram and the
//!                                   timeline; an embed never autosaves, so it cannot overwrite
//!                                   the learner's own playground
//! index.html?preset=rpc&embed&play  … and starts the clock
//! /?bridge=TOKEN                    served by `amqp-playground bridge`: real AMQP clients run on
//!                                   this page's broker (the bridge prints this address; see
//!                                   `crate::bridge`)
//! ```
//!
//! A flag may also be written `embed=1` / `embed=true` (or `=0` / `=false` to turn it off).
//! A bad address never stops the page: what is understood is applied, and each problem is
//! reported in one message naming the parameter.

use crate::sim::presets;

/// What the page address asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageOptions {
    /// Tutorial preset to open (a name from [`presets::NAMES`]).
    pub preset: Option<String>,
    /// Show only the diagram and its controls; never autosave.
    pub embed: bool,
    /// Start the clock at once.
    pub play: bool,
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
            match key {
                "preset" => match value.filter(|v| !v.is_empty()).map(decode) {
                    None => problems.push("`preset` in the address needs a name".to_string()),
                    Some(None) => problems
                        .push("`preset` in the address is not valid percent-encoded text".into()),
                    Some(Some(name)) if presets::by_name(&name).is_some() => {
                        options.preset = Some(name);
                    }
                    Some(Some(name)) => problems.push(format!(
                        "unknown preset `{name}` in the address (known: {})",
                        presets::NAMES.join(", ")
                    )),
                },
                "embed" | "play" => match flag(value) {
                    Some(on) if key == "embed" => options.embed = on,
                    Some(on) => options.play = on,
                    None => problems.push(format!(
                        "`{key}` in the address must be 1, 0, true or false, not `{}`",
                        value.unwrap_or_default()
                    )),
                },
                // The bridge's per-run token: `bridge::BridgeLink::token_from_location` reads it.
                "bridge" => {}
                other => problems.push(format!(
                    "unknown parameter `{}` in the address (known: preset, embed, play, bridge)",
                    decode(other).unwrap_or_else(|| other.to_string())
                )),
            }
        }
        let message = (!problems.is_empty()).then(|| problems.join("; "));
        (options, message)
    }
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
                play: true
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
    fn problems_are_named_and_the_rest_still_applies() {
        let (o, problem) = parse("?preset=nope&embed&zoom=2");
        assert_eq!(o.preset, None);
        assert!(o.embed, "a bad parameter does not cancel a good one");
        let problem = problem.expect("a message");
        assert!(problem.contains("unknown preset `nope`"), "{problem}");
        assert!(problem.contains("hello-world, work-queues"), "{problem}");
        assert!(problem.contains("unknown parameter `zoom`"), "{problem}");

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
