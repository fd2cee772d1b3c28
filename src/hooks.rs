//! Browser-facing hooks.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_render::{request_animation_frame, AnimationFrame};
use yew::prelude::*;

/// Calls `on_frame` with the real milliseconds since the previous frame, once per display
/// frame, while `active` is true. The first frame reports 0, so pausing for a minute and
/// resuming does not jump the clock.
#[hook]
pub fn use_animation_frame(active: bool, on_frame: Callback<f64>) {
    // Always call the newest callback without restarting the loop when it changes.
    let latest = use_mut_ref(|| on_frame.clone());
    *latest.borrow_mut() = on_frame;
    use_effect_with(active, move |&active| {
        let alive = Rc::new(Cell::new(active));
        let slot: Rc<RefCell<Option<AnimationFrame>>> = Rc::new(RefCell::new(None));
        if active {
            schedule(slot.clone(), alive.clone(), latest, None);
        }
        move || {
            alive.set(false);
            // Dropping the pending frame cancels it.
            slot.borrow_mut().take();
        }
    });
}

fn schedule(
    slot: Rc<RefCell<Option<AnimationFrame>>>,
    alive: Rc<Cell<bool>>,
    callback: Rc<RefCell<Callback<f64>>>,
    last: Option<f64>,
) {
    let next_slot = slot.clone();
    let frame = request_animation_frame(move |timestamp| {
        if !alive.get() {
            return;
        }
        let dt = last.map_or(0.0, |l| (timestamp - l).max(0.0));
        // Clone out first: the callback may re-render and tear this loop down synchronously.
        let cb = callback.borrow().clone();
        cb.emit(dt);
        if alive.get() {
            schedule(next_slot, alive, callback, Some(timestamp));
        }
    });
    *slot.borrow_mut() = Some(frame);
}
