//! Client scripts (being written).
