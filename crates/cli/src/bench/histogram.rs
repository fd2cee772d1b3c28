//! A fixed-size latency histogram: recording is an index computation and one increment, so a
//! consumer can record every message without allocating.
//!
//! Buckets are log-linear, like HdrHistogram with 6 significant bits: values below 64 get a
//! bucket each; above, every power of two `[2^e, 2^(e+1))` is split into 64 equal buckets, so a
//! bucket is at most 1/64 (1.6 %) of its values wide. A `u64` of nanoseconds needs 3,776
//! buckets (30 KB), allocated once per consumer.
//!
//! ```text
//!   value            bucket index
//!   0..=63           value
//!   2^e ..< 2^(e+1)  64 + (e-6)*64 + (value >> (e-6)) - 64        (e = 6..=63)
//! ```
//!
//! Rejected alternative: keeping every sample and sorting at the end (exact, but one push per
//! message, and gigabytes for a long run at 200k msg/s).

/// Sub-buckets per power of two, as a bit count.
const SUB_BITS: u32 = 6;
const SUB: u64 = 1 << SUB_BITS;
const BUCKETS: usize = (SUB + (64 - SUB_BITS as u64) * SUB) as usize;

/// Counts of `u64` samples (nanoseconds here) in log-linear buckets.
#[derive(Clone)]
pub(crate) struct Histogram {
    counts: Box<[u64]>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self {
            counts: vec![0; BUCKETS].into_boxed_slice(),
            total: 0,
            max: 0,
        }
    }
}

fn index(v: u64) -> usize {
    if v < SUB {
        return v as usize;
    }
    let e = 63 - v.leading_zeros();
    let shift = e - SUB_BITS;
    (SUB + u64::from(shift) * SUB + (v >> shift) - SUB) as usize
}

/// The largest value that lands in bucket `i` (what a percentile reports, as HdrHistogram's
/// `highest_equivalent`: a percentile is never understated).
fn highest(i: usize) -> u64 {
    let i = i as u64;
    if i < SUB {
        return i;
    }
    let shift = (i - SUB) / SUB;
    let mantissa = SUB + (i - SUB) % SUB;
    let low = mantissa << shift;
    low + ((1u64 << shift) - 1)
}

impl Histogram {
    pub(crate) fn record(&mut self, v: u64) {
        self.counts[index(v)] += 1;
        self.total += 1;
        self.max = self.max.max(v);
    }

    pub(crate) fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a += b;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    pub(crate) fn len(&self) -> u64 {
        self.total
    }

    pub(crate) fn max(&self) -> u64 {
        self.max
    }

    /// The value at quantile `q` (0..=1): the smallest bucket holding the `ceil(q·n)`-th
    /// sample, reported as that bucket's highest value but never above the exact maximum.
    /// `None` when empty.
    pub(crate) fn quantile(&self, q: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(highest(i).min(self.max));
            }
        }
        Some(self.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_lands_in_a_bucket_that_contains_it() {
        let mut v = 0u64;
        while v < u64::MAX / 3 {
            let i = index(v);
            assert!(i < BUCKETS, "{v}");
            assert!(highest(i) >= v, "{v}: bucket {i} ends at {}", highest(i));
            if i > 0 {
                assert!(highest(i - 1) < v, "{v}: also fits bucket {}", i - 1);
            }
            v = v * 3 / 2 + 1;
        }
        assert_eq!(index(u64::MAX), BUCKETS - 1);
        assert_eq!(highest(BUCKETS - 1), u64::MAX);
    }

    #[test]
    fn buckets_are_at_most_one_sixty_fourth_wide() {
        for (v, lo, hi) in [
            (63, 63, 63),
            (64, 64, 64),
            (127, 127, 127),
            (128, 128, 129),
            (1000, 1000, 1007),
        ] {
            let i = index(v);
            assert_eq!((highest(i - 1) + 1, highest(i)), (lo, hi), "{v}");
        }
    }

    #[test]
    fn quantiles_of_one_to_a_thousand() {
        let mut h = Histogram::default();
        for v in 1..=1000 {
            h.record(v);
        }
        assert_eq!(h.len(), 1000);
        assert_eq!(h.quantile(0.5), Some(503)); // 500 lands in 500..=503
        assert_eq!(h.quantile(0.99), Some(991)); // 990 lands in 984..=991
        assert_eq!(h.quantile(1.0), Some(1000));
        assert_eq!(h.max(), 1000);
        assert_eq!(Histogram::default().quantile(0.5), None);
    }

    #[test]
    fn merge_adds_counts() {
        let (mut a, mut b) = (Histogram::default(), Histogram::default());
        a.record(10);
        b.record(20);
        b.record(30);
        a.merge(&b);
        assert_eq!((a.len(), a.max(), a.quantile(0.5)), (3, 30, Some(20)));
    }
}
