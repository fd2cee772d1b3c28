//! The send timestamp every message carries: nanoseconds since one `Instant` shared by all
//! producers and consumers of the run (they live in one process, so no clock sync is needed).
//!
//! ```text
//!   body: | send time, u64 little-endian ns since Clock::start | zero padding to --size |
//!           0                                                   8
//! ```

use std::time::Instant;

/// The run's shared monotonic clock.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    start: Instant,
}

/// Bytes at the start of each body that hold the send time.
pub(crate) const STAMP_LEN: usize = 8;

impl Clock {
    pub(crate) fn start() -> Self {
        Self {
            start: Instant::now(),
        }
    }

    pub(crate) fn ns_at(&self, t: Instant) -> u64 {
        t.saturating_duration_since(self.start).as_nanos() as u64
    }

    pub(crate) fn now_ns(&self) -> u64 {
        self.ns_at(Instant::now())
    }
}

/// Writes the send time into the first bytes of `body` (at least [`STAMP_LEN`] long).
pub(crate) fn stamp(body: &mut [u8], ns: u64) {
    body[..STAMP_LEN].copy_from_slice(&ns.to_le_bytes());
}

/// The send time of a body, `None` if it is too short to be one of ours.
pub(crate) fn read_stamp(body: &[u8]) -> Option<u64> {
    let bytes: [u8; STAMP_LEN] = body.get(..STAMP_LEN)?.try_into().ok()?;
    Some(u64::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_round_trips_and_short_bodies_are_not_stamped() {
        let mut body = [0u8; 16];
        stamp(&mut body, 0x0102_0304_0506_0708);
        assert_eq!(body[0], 0x08);
        assert_eq!(read_stamp(&body), Some(0x0102_0304_0506_0708));
        assert_eq!(read_stamp(&body[..7]), None);
    }
}
