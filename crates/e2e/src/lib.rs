//! End-to-end test support (being written).
