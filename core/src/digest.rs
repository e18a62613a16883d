//! The report digest's hasher: FNV-1a, 64 bits, fed with the bit patterns of numbers and the bytes of names.
//! Each report block feeds its own fields (next to the block's type), in a fixed order.

use crate::outcomes::Requests;

/// FNV-1a, 64 bits.
pub(crate) struct Digest(pub u64);

impl Digest {
    /// A digest with FNV-1a's offset basis.
    pub fn new() -> Digest {
        Digest(0xcbf2_9ce4_8422_2325)
    }
    pub fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    pub fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    pub fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }
    pub fn u64s(&mut self, vs: &[u64]) {
        for &v in vs {
            self.u64(v);
        }
    }
    pub fn f64s(&mut self, vs: &[f64]) {
        for &v in vs {
            self.f64(v);
        }
    }
    pub fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
    /// End-to-end counts: the resilience counts enter only when a mechanism produced one, so older diagrams
    /// keep their pinned digests.
    pub fn requests(&mut self, r: &Requests) {
        self.u64s(&[
            r.sent,
            r.completed(),
            r.failed(),
            r.timed_out(),
            r.rejected(),
            r.in_flight,
            r.hop_limited,
            r.lost,
        ]);
        if r.resilience_counts().iter().any(|&v| v > 0) {
            self.u64s(&r.resilience_counts());
        }
    }
}
