//! A WebSocket together with the handlers it calls (wasm32 only), so that they live and die
//! together: the handlers are stored beside the socket (no `forget()`, nothing leaks per
//! socket), and dropping it unhooks them before they are freed, so the browser never calls a
//! handler that is gone. A handler may drop its own socket: wasm-bindgen frees a closure's
//! environment only after the call that dropped it returns.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

/// The close code (private range) for a connection socket the page drops without finishing
/// its session: anything but 1000 makes the bridge close the client with 320.
const CLOSE_DROPPED: u16 = 4000;

/// A WebSocket and the handlers it calls, dropped together.
pub(super) struct Socket {
    pub(super) ws: WebSocket,
    _onopen: Closure<dyn FnMut(Event)>,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onclose: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    pub(super) fn new(
        ws: WebSocket,
        onopen: impl FnMut(Event) + 'static,
        onmessage: impl FnMut(MessageEvent) + 'static,
        onclose: impl FnMut(CloseEvent) + 'static,
    ) -> Socket {
        let onopen = Closure::<dyn FnMut(Event)>::new(onopen);
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(onmessage);
        let onclose = Closure::<dyn FnMut(CloseEvent)>::new(onclose);
        ws.set_onopen(Some(onopen.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        ws.set_onclose(Some(onclose.as_ref().unchecked_ref()));
        Socket {
            ws,
            _onopen: onopen,
            _onmessage: onmessage,
            _onclose: onclose,
        }
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        // The browser must never call a handler that is gone.
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        if self.ws.ready_state() <= WebSocket::OPEN {
            let _ = self
                .ws
                .close_with_code_and_reason(CLOSE_DROPPED, "the page let go of the bridge");
        }
    }
}
