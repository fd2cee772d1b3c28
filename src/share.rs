//! Share links: a whole scenario in the address's fragment, so a link opens the same
//! playground in any browser with nothing stored on a server.
//!
//! ```text
//! https://…/#s=1.<payload>
//!            │ │ └ base64url (no padding) of the raw-DEFLATE-compressed scenario JSON
//!            │ └ link version: how the payload is packed (1: raw DEFLATE of UTF-8 JSON)
//!            └ "s" for scenario
//! ```
//!
//! The link version says how to unpack; the scenario JSON inside carries its own `version`
//! (see `api::scenario_js`), so an old link whose scenario format has since changed is
//! migrated when it is read. Fragments never reach a server, so a link stays private to the
//! two browsers that share it.
//!
//! Decoding is strict and says what is wrong: a link that is not ours, a version from a newer
//! playground, characters outside base64url, a payload cut short (copying a long link often
//! truncates it), or one that inflates to more than [`MAX_JSON_BYTES`]. Nothing is loaded
//! when it fails.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The link version this playground writes; it reads this one and every older one.
pub const VERSION: u32 = 1;

/// The largest scenario JSON a link may inflate to (a link is a few KB; this stops a
/// hostile "zip bomb" link from taking the tab's memory).
pub const MAX_JSON_BYTES: usize = 1 << 20;

/// The fragment for this scenario JSON text: `s=1.<payload>` (without the `#`).
pub fn encode(json: &str) -> String {
    // Level 9: links are made rarely and read by people, so smaller wins over faster.
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
    format!("s={VERSION}.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// Whether an address fragment (with or without `#`) is a share link at all.
pub fn is_share_fragment(fragment: &str) -> bool {
    fragment.trim_start_matches('#').starts_with("s=")
}

/// The scenario JSON text in a share fragment (with or without `#`), or what is wrong.
pub fn decode(fragment: &str) -> Result<String, String> {
    let fragment = fragment.trim_start_matches('#');
    let rest = fragment
        .strip_prefix("s=")
        .ok_or("this link holds no scenario (it has no `#s=` part)")?;
    let (version, payload) = rest
        .split_once('.')
        .ok_or("the share link is damaged: `#s=` must be followed by a version and a dot")?;
    let version: u32 = version
        .parse()
        .map_err(|_| format!("the share link is damaged: `{version}` is not a version number"))?;
    if version == 0 || version > VERSION {
        return Err(format!(
            "the share link was made by a newer playground (link version {version}; this one \
             reads up to {VERSION}): open it with the current version"
        ));
    }
    if let Some(bad) = payload
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "the share link is damaged: `{}` at character {} is not part of a link",
            bad.1,
            bad.0 + 1
        ));
    }
    let packed = URL_SAFE_NO_PAD.decode(payload).map_err(|_| {
        "the share link is damaged or cut short (its length is not a whole number of bytes)"
            .to_string()
    })?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_JSON_BYTES)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => format!(
                "the share link's scenario is larger than {} KB once unpacked",
                MAX_JSON_BYTES / 1024
            ),
            _ => "the share link is cut short or damaged (it does not unpack); copy the whole \
                  link again"
                .to_string(),
        })?;
    String::from_utf8(json)
        .map_err(|_| "the share link is damaged (its scenario is not UTF-8 text)".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{"version":1,"name":"custom","queues":[{"name":"hello"}]}"#;

    #[test]
    fn a_link_round_trips_and_is_url_safe() {
        let fragment = encode(JSON);
        assert!(fragment.starts_with("s=1."));
        assert!(fragment[4..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(decode(&fragment).unwrap(), JSON);
        assert_eq!(decode(&format!("#{fragment}")).unwrap(), JSON);
        assert!(is_share_fragment(&format!("#{fragment}")));
        assert!(!is_share_fragment("#top"));
    }

    #[test]
    fn bad_links_say_what_is_wrong() {
        let good = encode(JSON);
        let cases: Vec<(String, &str)> = vec![
            ("#top".into(), "has no `#s=` part"),
            ("s=1".into(), "a version and a dot"),
            ("s=x.abc".into(), "`x` is not a version number"),
            (
                "s=2.abc".into(),
                "made by a newer playground (link version 2",
            ),
            ("s=0.abc".into(), "made by a newer playground"),
            ("s=1.ab%20c".into(), "`%` at character 3"),
            // Cut short: every truncation fails, none yields text.
            (good[..good.len() - 3].to_string(), "cut short"),
            ("s=1.AAAA".into(), "does not unpack"),
        ];
        for (link, want) in cases {
            let err = decode(&link).unwrap_err();
            assert!(err.contains(want), "{link}: {err}");
        }
    }

    #[test]
    fn no_truncation_of_a_link_loads_anything() {
        let good = encode(JSON);
        for end in 4..good.len() {
            assert!(decode(&good[..end]).is_err(), "truncated at {end} decoded");
        }
    }

    #[test]
    fn a_zip_bomb_is_refused() {
        let huge = "a".repeat(MAX_JSON_BYTES + 1);
        let err = decode(&encode(&huge)).unwrap_err();
        assert!(err.contains("larger than 1024 KB"), "{err}");
    }
}
