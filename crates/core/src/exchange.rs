//! Exchanges and their routing rules (being written).
