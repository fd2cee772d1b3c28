//! Server-chosen names: `amq.gen-` + 22 base64url characters for queues, `amq.ctag-` + 22 for
//! consumer tags (semantics §5.2), from a seeded generator instead of RabbitMQ's random GUIDs, so
//! every run of a script names things identically.

/// SplitMix64: tiny, well distributed, and enough for names (not for secrets).
#[derive(Clone, Debug)]
pub(crate) struct NameGenerator {
    state: u64,
}

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

impl NameGenerator {
    pub fn new(seed: u64) -> Self {
        NameGenerator { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// `prefix` + base64url(16 bytes) without padding, as `rabbit_guid:string/2` does.
    pub fn name(&mut self, prefix: &str) -> String {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_be_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_be_bytes());
        let mut out = String::with_capacity(prefix.len() + 22);
        out.push_str(prefix);
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
            let chars = chunk.len() + 1;
            for i in 0..chars {
                out.push(BASE64URL[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_have_rabbitmq_shape_and_repeat_per_seed() {
        let mut a = NameGenerator::new(7);
        let mut b = NameGenerator::new(7);
        for _ in 0..50 {
            let name = a.name("amq.gen-");
            assert_eq!(name, b.name("amq.gen-"));
            let suffix = name.strip_prefix("amq.gen-").unwrap();
            assert_eq!(suffix.len(), 22);
            assert!(suffix
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        }
        assert_ne!(
            NameGenerator::new(1).name("x"),
            NameGenerator::new(2).name("x")
        );
    }
}
