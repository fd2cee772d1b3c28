//! [`BridgeLink`] where there is none: natively (no page address, so no token, and no
//! WebSocket; the app's state and its tests use the link without a `cfg` of their own), and in
//! the plain page built without the `bridge` feature, which reads the token only to say that
//! this build cannot take real clients.

use std::fmt;
use std::rc::Rc;

use super::{BridgeHost, BridgeStatus};

#[cfg(not(target_arch = "wasm32"))]
const WHY: &str = "the bridge link runs only in the browser";
#[cfg(target_arch = "wasm32")]
const WHY: &str = "this page was built without the bridge feature; open the address \
    `amqp-playground bridge` prints (it serves a build with it)";

/// The page's link to `amqp-playground bridge` (native stand-in: never open).
#[derive(Clone)]
pub struct BridgeLink {
    id: Rc<()>,
}

impl BridgeLink {
    /// Natively always `None`: there is no page address outside the browser.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn token_from_location() -> Option<String> {
        None
    }

    /// The plain page reads the token, to refuse it with the reason.
    #[cfg(target_arch = "wasm32")]
    pub fn token_from_location() -> Option<String> {
        let search = web_sys::window()?.location().search().ok()?;
        super::token_from_query(&search)
    }

    /// Reports [`BridgeStatus::Refused`] at once.
    pub fn open(_token: String, host: Rc<dyn BridgeHost>) -> BridgeLink {
        host.status(BridgeStatus::Refused { why: WHY.into() });
        BridgeLink { id: Rc::new(()) }
    }

    /// Does nothing: no client is ever connected.
    pub fn send(&self, _conn: u64, _bytes: &[u8]) {}

    /// Does nothing: no client is ever connected.
    pub fn granted(&self, _conn: u64, _frames: u32) {}

    /// Does nothing: no client is ever connected.
    pub fn finish(&self, _conn: u64) {}

    /// Always an error: the link is never open.
    pub fn verify(&self, _id: u64, _script: String) -> Result<(), String> {
        Err(WHY.into())
    }

    /// Always false.
    pub fn is_open(&self) -> bool {
        false
    }

    /// Always [`BridgeStatus::Refused`].
    pub fn status(&self) -> BridgeStatus {
        BridgeStatus::Refused { why: WHY.into() }
    }
}

impl PartialEq for BridgeLink {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.id, &other.id)
    }
}

impl fmt::Debug for BridgeLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BridgeLink").finish_non_exhaustive()
    }
}
