//! Autosave: the scenario (the topology and its clients) is kept in `localStorage`, so a
//! reload loses nothing. Messages in flight and counts are not kept: a reload restarts the
//! broker with the same topology, like restarting the tutorial's programs.

use wasm_bindgen::JsValue;

use crate::api::scenario_js::{scenario_from_js, scenario_to_js};
use crate::sim::Scenario;

/// The storage key; the version in it changes when the saved format does.
pub const KEY: &str = "amqp-playground.scenario.v1";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Saves the scenario (silently does nothing where storage is unavailable, e.g. private mode).
pub fn save(scenario: &Scenario) {
    let Some(storage) = storage() else {
        return;
    };
    if let Ok(text) = js_sys::JSON::stringify(&scenario_to_js(scenario)) {
        let _ = storage.set_item(KEY, &String::from(text));
    }
}

/// The saved scenario: `Ok(None)` when there is none, `Err` with the reason when what is saved
/// cannot be read (the caller starts fresh and says so).
pub fn restore() -> Result<Option<Scenario>, String> {
    let Some(text) = storage().and_then(|s| s.get_item(KEY).ok().flatten()) else {
        return Ok(None);
    };
    scenario_from_js(&JsValue::from_str(&text)).map(Some)
}

/// Forgets the saved scenario.
pub fn clear() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(KEY);
    }
}
