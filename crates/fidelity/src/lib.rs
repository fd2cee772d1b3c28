//! Fidelity harness (being written).
