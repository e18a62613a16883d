//! Byte-level primitives of the share format: LEB128 varints, zig-zag signed integers, interned text,
//! decimal-or-raw floats, and a bounds-checked [`Reader`] that never panics, never reads past its input and
//! never allocates more than the input (and a fixed memory budget) can justify.
//!
//! The writer and the reader keep the same text table, built in the same order, so a repeated short string
//! costs one back-reference instead of its bytes. The format these primitives spell is in
//! `docs/share-format.md`; changing how any of them reads bytes changes every released link, so they are frozen
//! with v1.

use std::collections::BTreeMap;

use super::ShareError;

/// Strings up to this many bytes enter the text table [bytes]. Longer ones are written out every time: they
/// are rare (long labels), and the cap bounds what one back-reference can expand to.
pub(crate) const MAX_INTERNED_LEN: usize = 32;

/// The `scale` nibble that marks a float stored as its 8 raw bytes instead of a decimal.
const RAW_FLOAT: u64 = 15;

/// The largest decimal scale (digits after the point) a float is stored with; beyond it, raw bytes are
/// smaller anyway.
const MAX_SCALE: i32 = 14;

/// Builds a payload.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    buf: Vec<u8>,
    /// interned strings and their table index, in order of first appearance
    table: BTreeMap<String, u64>,
}

impl Writer {
    /// The bytes written so far.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    pub(crate) fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    /// LEB128: seven bits a byte, low bits first, high bit set on every byte but the last.
    pub(crate) fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    /// A count or index; `usize` never goes into the format as such (it differs between wasm32 and x86-64).
    pub(crate) fn len(&mut self, n: usize) {
        self.varint(n as u64);
    }

    /// Text: `len << 1` then the UTF-8 bytes, or `index << 1 | 1` for a string already in the table.
    pub(crate) fn text(&mut self, s: &str) {
        if let Some(&index) = self.table.get(s) {
            self.varint((index << 1) | 1);
            return;
        }
        self.varint((s.len() as u64) << 1);
        self.buf.extend_from_slice(s.as_bytes());
        if s.len() <= MAX_INTERNED_LEN {
            let index = self.table.len() as u64;
            self.table.insert(s.to_string(), index);
        }
    }

    /// A name that often ends in a counter (`server-12`, `App 3`, `e40`): the part before a trailing canonical
    /// decimal number as text (so the prefix is interned), then 0 when there is no number, or
    /// `zigzag(number − expected) + 1` where `expected` is one more than the previous number with the same
    /// prefix in the same column. Ids and labels the editor hands out per kind (`server1`, `lb1`, `server2`,
    /// `Server 2`) thus become the same two bytes over and over, which deflate reduces to almost nothing.
    pub(crate) fn name(&mut self, s: &str, column: &mut Counter) {
        match split_counter(s) {
            Some((prefix, n)) => {
                self.text(prefix);
                self.varint(zigzag(n - column.expected(prefix)) + 1);
                column.record(prefix, n);
            }
            None => {
                self.text(s);
                self.varint(0);
            }
        }
    }

    /// A float: its shortest decimal `m · 10^-scale` packed as `zigzag(m) << 4 | scale` when that reproduces
    /// the exact bits (true of every value a person types), otherwise the marker 15 and the 8 raw bytes (NaN,
    /// infinities, −0, and long fractions).
    pub(crate) fn f64(&mut self, x: f64) {
        match decimal(x) {
            Some((m, scale)) => self.varint((zigzag(m) << 4) | u64::from(scale)),
            None => {
                self.varint(RAW_FLOAT);
                self.buf.extend_from_slice(&x.to_bits().to_le_bytes());
            }
        }
    }
}

/// Reads a payload. Every method either advances within bounds or returns a [`ShareError`]; none panics.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    table: Vec<String>,
    /// memory the decoded diagram may still take [bytes]; see [`super::MAX_DECODED_MEMORY`]
    budget: usize,
}

/// A payload that makes no sense after it decompressed correctly: hand-made or produced by a buggy writer.
pub(crate) fn garbled(what: impl Into<String>) -> ShareError {
    ShareError::Garbled(what.into())
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], budget: usize) -> Reader<'a> {
        Reader {
            bytes,
            pos: 0,
            table: Vec::new(),
            budget,
        }
    }

    /// Bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// Succeeds only when every byte was read: anything after the diagram is garbage, not ignored.
    pub(crate) fn finish(&self) -> Result<(), ShareError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(garbled(format!("{n} unexpected bytes follow the diagram"))),
        }
    }

    /// Accounts for `bytes` of memory the decoded diagram is about to take.
    pub(crate) fn charge(&mut self, bytes: usize) -> Result<(), ShareError> {
        match self.budget.checked_sub(bytes) {
            Some(left) => {
                self.budget = left;
                Ok(())
            }
            None => Err(ShareError::TooLarge),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ShareError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| garbled("the diagram data ends early"))?;
        let out = self
            .bytes
            .get(self.pos..end)
            .ok_or_else(|| garbled("the diagram data ends early"))?;
        self.pos = end;
        Ok(out)
    }

    pub(crate) fn byte(&mut self) -> Result<u8, ShareError> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or_else(|| garbled("the diagram data ends early"))?;
        self.pos += 1;
        Ok(b)
    }

    /// LEB128 of at most 10 bytes whose value fits 64 bits.
    pub(crate) fn varint(&mut self) -> Result<u64, ShareError> {
        let mut v = 0u64;
        for i in 0..10 {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            // The tenth byte may only contribute the 64th bit.
            if i == 9 && bits > 1 {
                return Err(garbled("a number is too large"));
            }
            v |= bits << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(garbled("a number is too large"))
    }

    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, ShareError> {
        u32::try_from(self.varint()?).map_err(|_| garbled(format!("{what} is out of range")))
    }

    /// A count of items that each take at least `min_bytes` of the payload; a count the remaining bytes cannot
    /// hold is rejected before anything is allocated for it.
    pub(crate) fn count(&mut self, min_bytes: usize, what: &str) -> Result<usize, ShareError> {
        let n = self.varint()?;
        let most = self.remaining() / min_bytes.max(1);
        match usize::try_from(n) {
            Ok(n) if n <= most => Ok(n),
            _ => Err(garbled(format!("the number of {what} is impossible"))),
        }
    }

    pub(crate) fn text(&mut self) -> Result<String, ShareError> {
        let h = self.varint()?;
        if h & 1 == 1 {
            let index =
                usize::try_from(h >> 1).map_err(|_| garbled("a text reference is out of range"))?;
            let s = self
                .table
                .get(index)
                .cloned()
                .ok_or_else(|| garbled("a text reference is out of range"))?;
            self.charge(s.len())?;
            return Ok(s);
        }
        let len = usize::try_from(h >> 1).map_err(|_| garbled("a text is too long"))?;
        let bytes = self.take(len)?;
        self.charge(len)?;
        let s = std::str::from_utf8(bytes)
            .map_err(|_| garbled("a text is not valid UTF-8"))?
            .to_string();
        if s.len() <= MAX_INTERNED_LEN {
            self.table.push(s.clone());
        }
        Ok(s)
    }

    pub(crate) fn name(&mut self, column: &mut Counter) -> Result<String, ShareError> {
        let prefix = self.text()?;
        match self.varint()? {
            0 => Ok(prefix),
            h => {
                let n = column
                    .expected(&prefix)
                    .checked_add(unzigzag(h - 1))
                    .filter(|n| (0..MAX_COUNTER).contains(n))
                    .ok_or_else(|| garbled("a name's number is out of range"))?;
                // The column remembers each prefix once; account for that copy too.
                self.charge(prefix.len())?;
                column.record(&prefix, n);
                let number = n.to_string();
                self.charge(number.len())?;
                Ok(prefix + &number)
            }
        }
    }

    pub(crate) fn f64(&mut self) -> Result<f64, ShareError> {
        let h = self.varint()?;
        let scale = h & 0xf;
        if scale == RAW_FLOAT {
            if h >> 4 != 0 {
                return Err(garbled("a number is malformed"));
            }
            let raw: [u8; 8] = self
                .take(8)?
                .try_into()
                .map_err(|_| garbled("the diagram data ends early"))?;
            return Ok(f64::from_bits(u64::from_le_bytes(raw)));
        }
        // `scale` is below 15 here, so the conversion cannot fail.
        let scale = u32::try_from(scale).map_err(|_| garbled("a number is malformed"))?;
        from_decimal(unzigzag(h >> 4), scale).ok_or_else(|| garbled("a number is malformed"))
    }
}

pub(crate) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

pub(crate) fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// `m · 10^-scale` correctly rounded to the nearest f64: Rust's float parser is exact and platform-independent,
/// so the same digits give the same bits on every machine.
fn from_decimal(m: i64, scale: u32) -> Option<f64> {
    format!("{m}e-{scale}").parse::<f64>().ok()
}

/// The shortest decimal `(m, scale)` with `m · 10^-scale == x` bit for bit and `zigzag(m) << 4` fitting 64
/// bits, if there is one.
pub(crate) fn decimal(x: f64) -> Option<(i64, u8)> {
    if !x.is_finite() || (x == 0.0 && x.is_sign_negative()) {
        return None;
    }
    // `{:e}` prints the shortest digits that read back as `x`, e.g. `-1.5e-2` or `4.8e2`.
    let printed = format!("{x:e}");
    let (mantissa, exponent) = printed.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut m: i64 = format!("{whole}{fraction}").parse().ok()?;
    let mut scale = i32::try_from(fraction.len()).ok()? - exponent;
    if scale < 0 {
        m = m.checked_mul(10i64.checked_pow(u32::try_from(-scale).ok()?)?)?;
        scale = 0;
    }
    if scale > MAX_SCALE {
        return None;
    }
    if negative {
        m = -m;
    }
    // Room for the 4-bit scale after zig-zag.
    if zigzag(m) >> 60 != 0 {
        return None;
    }
    let scale = u8::try_from(scale).ok()?;
    let back = from_decimal(m, u32::from(scale))?;
    (back.to_bits() == x.to_bits()).then_some((m, scale))
}

/// Numbers at the end of names are stored as counters only below this (2^53); larger ones are rare enough to
/// be written as text, and the bound keeps every delta within i64.
const MAX_COUNTER: i64 = 1 << 53;

/// The last counter seen for each prefix in a column of names (node ids, labels, edge ids, …); see
/// [`Writer::name`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Counter {
    last: BTreeMap<String, i64>,
}

impl Counter {
    /// One more than the last number seen after `prefix`, or 1 for a prefix not seen yet.
    fn expected(&self, prefix: &str) -> i64 {
        self.last.get(prefix).map_or(1, |n| n + 1)
    }

    fn record(&mut self, prefix: &str, n: i64) {
        match self.last.get_mut(prefix) {
            Some(last) => *last = n,
            None => {
                self.last.insert(prefix.to_string(), n);
            }
        }
    }
}

/// `s` as `(prefix, n)` when it ends in a canonical decimal number: no leading zero (so the number prints back
/// as the same digits) and below [`MAX_COUNTER`].
fn split_counter(s: &str) -> Option<(&str, i64)> {
    let digits_start = s.len() - s.bytes().rev().take_while(u8::is_ascii_digit).count();
    let digits = s.get(digits_start..)?;
    if digits.is_empty() || digits.len() > 16 || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    (n < MAX_COUNTER).then_some((s.get(..digits_start)?, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip_f64(x: f64) -> (f64, usize) {
        let mut w = Writer::default();
        w.f64(x);
        let bytes = w.into_bytes();
        let mut r = Reader::new(&bytes, usize::MAX);
        let back = r.f64().expect("a written float reads back");
        assert!(r.finish().is_ok());
        (back, bytes.len())
    }

    #[test]
    fn floats_keep_their_exact_bits() {
        for x in [
            0.0,
            -0.0,
            0.5,
            0.9,
            -1.5e-2,
            480.0,
            2000.0,
            1e9,
            1e300,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            0.1 + 0.2,
            std::f64::consts::PI,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -123456.789,
        ] {
            let (back, _) = roundtrip_f64(x);
            assert_eq!(back.to_bits(), x.to_bits(), "{x:e}");
        }
    }

    #[test]
    fn typed_floats_are_short() {
        assert_eq!(roundtrip_f64(0.5).1, 2);
        assert_eq!(roundtrip_f64(15.0).1, 2);
        assert_eq!(roundtrip_f64(0.02).1, 1);
        assert_eq!(roundtrip_f64(f64::NAN).1, 9);
    }

    #[test]
    fn names_split_off_a_trailing_counter() {
        assert_eq!(split_counter("server-12"), Some(("server-", 12)));
        assert_eq!(split_counter("7"), Some(("", 7)));
        assert_eq!(split_counter("app01"), None);
        assert_eq!(split_counter("db"), None);
        assert_eq!(split_counter("x9007199254740992"), None);
        assert_eq!(
            split_counter("x9007199254740991"),
            Some(("x", 9_007_199_254_740_991))
        );
        let names = [
            "server-12",
            "server-13",
            "app01",
            "",
            "0",
            "a0",
            "e-0",
            "ünïcode9",
            "18446744073709551615",
            "e7",
            "x9007199254740991",
            "e1",
        ];
        let mut w = Writer::default();
        let mut column = Counter::default();
        for s in names {
            w.name(s, &mut column);
        }
        let bytes = w.into_bytes();
        let mut r = Reader::new(&bytes, usize::MAX);
        let mut column = Counter::default();
        for s in names {
            assert_eq!(r.name(&mut column).expect("a written name reads back"), s);
        }
        assert!(r.finish().is_ok());
    }

    #[test]
    fn counters_run_per_prefix_so_interleaved_editor_ids_repeat_the_same_bytes() {
        let mut w = Writer::default();
        let mut column = Counter::default();
        for id in ["server1", "lb1", "server2", "lb2", "server3", "lb3"] {
            w.name(id, &mut column);
        }
        let bytes = w.into_bytes();
        // After the two literals, every name is "reference, counter as expected" = the same pair of bytes
        // per prefix.
        assert_eq!(
            &bytes[bytes.len() - 8..],
            &[0x01, 0x01, 0x03, 0x01, 0x01, 0x01, 0x03, 0x01]
        );
    }

    #[test]
    fn repeated_text_becomes_a_one_byte_reference() {
        let mut w = Writer::default();
        w.text("load_balancer");
        let first = w.buf.len();
        w.text("load_balancer");
        assert_eq!(w.buf.len() - first, 1);
        let bytes = w.into_bytes();
        let mut r = Reader::new(&bytes, usize::MAX);
        assert_eq!(r.text().expect("literal"), "load_balancer");
        assert_eq!(r.text().expect("reference"), "load_balancer");
    }

    #[test]
    fn varint_overflow_is_an_error_not_a_wrap() {
        let mut r = Reader::new(&[0xff; 11], usize::MAX);
        assert!(r.varint().is_err());
        let mut r = Reader::new(
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],
            usize::MAX,
        );
        assert!(r.varint().is_err());
        let mut r = Reader::new(
            &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
            usize::MAX,
        );
        assert_eq!(r.varint().expect("u64::MAX fits"), u64::MAX);
    }

    #[test]
    fn counts_larger_than_the_rest_of_the_input_are_rejected() {
        let mut w = Writer::default();
        w.varint(1 << 40);
        w.byte(0);
        let bytes = w.into_bytes();
        let mut r = Reader::new(&bytes, usize::MAX);
        assert!(r.count(1, "nodes").is_err());
    }

    #[test]
    fn references_past_the_table_and_bad_utf8_are_errors() {
        let mut r = Reader::new(&[0x03], usize::MAX);
        assert!(r.text().is_err());
        let mut r = Reader::new(&[0x04, 0xff, 0xfe], usize::MAX);
        assert!(r.text().is_err());
        let mut r = Reader::new(&[0x10, b'a'], usize::MAX);
        assert!(r.text().is_err());
    }

    #[test]
    fn the_memory_budget_stops_expansion() {
        // A 4-byte string, then five references to it: 24 bytes of text against a 10-byte budget.
        let bytes = [0x08, b'a', b'b', b'c', b'd', 0x01, 0x01, 0x01, 0x01, 0x01];
        let mut r = Reader::new(&bytes, 10);
        assert!(r.text().is_ok());
        assert!(r.text().is_ok());
        assert_eq!(r.text(), Err(ShareError::TooLarge));
    }
}
