//! When the page grants a connection's credit, and when it holds it back.
//!
//! The bridge sends a client's frames only against credit ([`amqp_playground_relay::Credit`]);
//! the page grants one frame's credit for every frame it handed to its session. Two refinements
//! keep the browser's memory bounded and the socket quiet:
//!
//! - **Held back while the page's own output is queued.** A WebSocket's `bufferedAmount` is
//!   what the page sent that the browser has not written yet. Above [`HIGH_WATER`] the client
//!   is not reading what the page sends (deliveries pile up), so the page stops taking its
//!   input too: the credit owed waits until the queue drains, and the bridge stops reading the
//!   client's TCP socket, so the back-pressure reaches the client.
//! - **Granted in batches of [`BATCH`]** rather than one text message per frame. This never
//!   stalls the bridge: its window is `INITIAL_CREDIT − in flight − owed`, and the page owes
//!   fewer than `BATCH` < `INITIAL_CREDIT` frames whenever it is not holding back, so the
//!   window cannot close on a batch that has not filled.

use amqp_playground_relay::INITIAL_CREDIT;

/// A connection socket's `bufferedAmount` (octets) above which the page withholds credit.
pub const HIGH_WATER: u32 = 4 * 1024 * 1024;

/// The fewest frames granted in one credit message.
pub const BATCH: u32 = INITIAL_CREDIT / 4;

/// The credit the page owes the bridge for one connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CreditGate {
    owed: u32,
}

impl CreditGate {
    /// The session took `frames` more frames; `buffered` is the socket's `bufferedAmount`.
    /// Returns the credit to send now, if any.
    pub fn grant(&mut self, frames: u32, buffered: u32) -> Option<u32> {
        self.owed = self.owed.saturating_add(frames);
        self.release(buffered)
    }

    /// The credit to send now that the socket has `buffered` octets queued, if any: all that is
    /// owed once it makes a batch and the queue is at or below [`HIGH_WATER`].
    pub fn release(&mut self, buffered: u32) -> Option<u32> {
        if self.owed < BATCH || buffered > HIGH_WATER {
            return None;
        }
        Some(std::mem::take(&mut self.owed))
    }

    /// Whether a batch is owed but was held back: someone must call [`CreditGate::release`]
    /// again later, even if no frame comes or goes in the meantime (the client may be waiting
    /// for exactly this credit).
    pub fn held_back(&self) -> bool {
        self.owed >= BATCH
    }

    /// Frames owed and not yet granted.
    pub fn owed(&self) -> u32 {
        self.owed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_goes_out_in_batches_while_the_queue_is_short() {
        let mut gate = CreditGate::default();
        for _ in 1..BATCH {
            assert_eq!(gate.grant(1, 0), None);
        }
        assert!(!gate.held_back());
        assert_eq!(gate.grant(1, HIGH_WATER), Some(BATCH)); // at the mark is still fine
        assert_eq!(gate.owed(), 0);
        assert_eq!(gate.grant(40, 0), Some(40));
    }

    #[test]
    fn credit_is_held_back_while_the_queue_is_long_and_released_when_it_drains() {
        let mut gate = CreditGate::default();
        assert_eq!(gate.grant(BATCH, HIGH_WATER + 1), None);
        assert_eq!(gate.grant(5, HIGH_WATER + 1), None);
        assert!(gate.held_back());
        assert_eq!(gate.release(HIGH_WATER + 1), None);
        assert_eq!(gate.release(1024), Some(BATCH + 5));
        assert!(!gate.held_back());
        assert_eq!(gate.release(0), None);
    }

    #[test]
    fn what_is_owed_saturates_instead_of_overflowing() {
        // A page grants one frame per frame taken, so it never owes more than the bridge's
        // window; a confused caller still cannot wrap the count around to a small grant.
        let mut gate = CreditGate::default();
        assert_eq!(gate.grant(u32::MAX, HIGH_WATER + 1), None);
        assert_eq!(gate.grant(1, HIGH_WATER + 1), None);
        assert_eq!(gate.release(0), Some(u32::MAX));
    }
}
