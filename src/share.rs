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
//!
//! Known limit of link version 1: raw DEFLATE carries no checksum, so a character changed in
//! transit can unpack to other JSON; that is then read and checked like any scenario file
//! (refused with its JSON path, or loaded). A cut link never opens as the whole scenario
//! (`tests/hostile_input.rs` tries 3,000 damaged links).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The link version this playground writes; it reads this one and every older one.
pub const VERSION: u32 = 1;

/// The largest scenario JSON a link may inflate to (a link is a few KB; this stops a
/// hostile "zip bomb" link from taking the tab's memory).
pub const MAX_JSON_BYTES: usize = 1 << 20;

/// The fragment for raw-DEFLATE-compressed scenario JSON: `s=1.<payload>` (without the `#`).
///
/// The page compresses with the browser's own `CompressionStream("deflate-raw")` (see
/// [`browser`]), so the download carries no DEFLATE code; the tests use `miniz_oxide`, and
/// both write RFC 1951 raw DEFLATE.
pub fn frame(packed: &[u8]) -> String {
    format!("s={VERSION}.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// Whether an address fragment (with or without `#`) is a share link at all.
pub fn is_share_fragment(fragment: &str) -> bool {
    fragment.trim_start_matches('#').starts_with("s=")
}

/// The compressed scenario in a share fragment (with or without `#`), or what is wrong with
/// the link. Inflating it is the caller's ([`inflated`] says what a failure means).
pub fn unframe(fragment: &str) -> Result<Vec<u8>, String> {
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
    if payload.is_empty() {
        return Err("the share link is cut short (it holds nothing after `#s=1.`)".into());
    }
    URL_SAFE_NO_PAD.decode(payload).map_err(|_| {
        "the share link is damaged or cut short (its length is not a whole number of bytes)"
            .to_string()
    })
}

/// What inflating the payload gave: the scenario JSON text, or what a failure means to the
/// reader (`Err(None)`: it did not unpack; `Err(Some(n))`: it is larger than `n` bytes).
pub fn inflated(result: Result<Vec<u8>, Option<usize>>) -> Result<String, String> {
    let json = result.map_err(|e| match e {
        Some(limit) => format!(
            "the share link's scenario is larger than {} KB once unpacked",
            limit / 1024
        ),
        None => "the share link is cut short or damaged (it does not unpack); copy the whole \
                 link again"
            .to_string(),
    })?;
    String::from_utf8(json)
        .map_err(|_| "the share link is damaged (its scenario is not UTF-8 text)".to_string())
}

/// The browser's `CompressionStream` / `DecompressionStream` with raw DEFLATE.
#[cfg(target_arch = "wasm32")]
pub mod browser {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(js_namespace = amqpPlaygroundPage)]
    extern "C" {
        #[wasm_bindgen(js_name = deflate)]
        async fn deflate_js(text: &str) -> JsValue;
        #[wasm_bindgen(js_name = inflate)]
        async fn inflate_js(bytes: &[u8], limit: f64) -> JsValue;
    }

    /// `s=1.<payload>` for this scenario JSON.
    pub async fn encode(json: &str) -> String {
        let packed = js_sys::Uint8Array::new(&deflate_js(json).await).to_vec();
        super::frame(&packed)
    }

    /// The scenario JSON in a share fragment, or what is wrong with the link.
    pub async fn decode(fragment: &str) -> Result<String, String> {
        let packed = super::unframe(fragment)?;
        let out = inflate_js(&packed, super::MAX_JSON_BYTES as f64).await;
        super::inflated(if out.is_null() {
            Err(None)
        } else if out.as_f64().is_some() {
            Err(Some(super::MAX_JSON_BYTES))
        } else {
            Ok(js_sys::Uint8Array::new(&out).to_vec())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{"version":1,"name":"custom","queues":[{"name":"hello"}]}"#;

    /// What the page does with the browser's streams, with miniz_oxide's raw DEFLATE.
    fn encode(json: &str) -> String {
        frame(&miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9))
    }

    fn decode(fragment: &str) -> Result<String, String> {
        let packed = unframe(fragment)?;
        inflated(
            miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_JSON_BYTES).map_err(
                |e| {
                    (e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput)
                        .then_some(MAX_JSON_BYTES)
                },
            ),
        )
    }

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
            ("s=1.".into(), "holds nothing"),
            ("s=x.abc".into(), "`x` is not a version number"),
            (
                "s=2.abc".into(),
                "made by a newer playground (link version 2",
            ),
            ("s=0.abc".into(), "made by a newer playground"),
            ("s=1.ab%20c".into(), "`%` at character 3"),
            ("s=1.abcde".into(), "not a whole number of bytes"),
            // Cut short: every truncation fails, none yields text.
            (good[..good.len() - 3].to_string(), "cut short"),
            ("s=1.AAAA".into(), "does not unpack"),
            (
                frame(&miniz_oxide::deflate::compress_to_vec(&[0xff, 0xfe], 9)),
                "not UTF-8",
            ),
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
