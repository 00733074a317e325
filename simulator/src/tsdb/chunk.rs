//! Compressed sample storage: a chunk holds up to [`MAX_SAMPLES`] samples of one series
//! within one aligned [`CHUNK_RANGE`], as two bit streams.
//!
//! **Timestamps** are delta-of-delta encoded (as in Gorilla and Prometheus) and the encoded
//! column is *shared*: every series of a scraped target has the same scrape timestamps, so
//! the database keeps one copy of each distinct column ([`TimestampPool`]) and a chunk holds a
//! reference to it. Chunks are cut on aligned time boundaries (and every [`MAX_SAMPLES`]) so
//! that series of one target produce identical columns.
//!
//! **Values** use one of three codes per sample, chosen for the data scenarios produce:
//!
//! * `0`: the same bits as the previous value (constant gauges, zero buckets);
//! * `10` + delta-of-delta: both values are integers below 2^53 (counters of events, bucket
//!   counts, byte gauges): the change in the increment, in a few bits;
//! * `11` + XOR: anything else, Gorilla's XOR with the previous value's bits, reusing the
//!   previous window of meaningful bits when it fits.
//!
//! Every code is bit-exact: NaN payloads (the stale marker among them), infinities and `-0`
//! come back with the bits they went in with.
//!
//! **Resume marks.** A value stream decodes only from its start, and an instant query wants
//! the one sample at or before `t`, often near a chunk's end: decoding hundreds of values to
//! read one was most of the cost of instant queries over many series. So every
//! [`MARK_EVERY`] samples the encoder writes down the decoder's state (bit position, previous
//! value, integer delta, XOR window), and [`decoder_at`] starts from the last mark at or
//! before the sample wanted. The marks follow the stream in the same allocation, a few per
//! chunk, about 8 bytes each for a counter and 13 for a float.

/// Chunks cover aligned windows of this many milliseconds.
pub const CHUNK_RANGE: i64 = 3_600_000;
/// A chunk holds at most this many samples.
pub const MAX_SAMPLES: usize = 480;
/// Samples between two resume marks of a value stream (see the module doc). 64 keeps a lookup
/// within about 64 decoded values for about 0.2 bytes per sample at a 15 s interval; one mark
/// per 120 samples would halve that cost and double the decoding.
pub const MARK_EVERY: usize = 64;

/// Appends bits, most significant first.
#[derive(Debug, Clone, Default)]
pub struct BitWriter {
    bytes: Vec<u8>,
    /// Bits used in the last byte (0 = the last byte is full or there is none).
    used: u8,
}

impl BitWriter {
    /// Writes the low `n` bits of `v` (`n` ≤ 64).
    #[inline]
    pub fn write(&mut self, v: u64, n: u8) {
        let mut n = n;
        while n > 0 {
            if self.used == 0 {
                self.bytes.push(0);
            }
            let free = 8 - self.used;
            let take = free.min(n);
            let shift = n - take;
            let bits = ((v >> shift) & ((1u64 << take) - 1)) as u8;
            if let Some(last) = self.bytes.last_mut() {
                *last |= bits << (free - take);
            }
            self.used = (self.used + take) % 8;
            n -= take;
        }
    }

    /// Writes one bit.
    #[inline]
    pub fn bit(&mut self, b: bool) {
        self.write(u64::from(b), 1);
    }

    /// The bytes written (the last one padded with zeros).
    pub fn into_bytes(self) -> Box<[u8]> {
        self.bytes.into_boxed_slice()
    }

    /// Bytes used so far.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Bits written so far.
    fn bit_len(&self) -> usize {
        self.bytes.len() * 8
            - if self.used == 0 {
                0
            } else {
                8 - self.used as usize
            }
    }
}

/// Reads bits written by [`BitWriter`]. Reading past the end yields zeros, so a corrupt
/// stream decodes to wrong values rather than panicking (streams are only ever written here).
#[derive(Debug, Clone)]
pub struct BitReader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> BitReader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> BitReader<'a> {
        BitReader { bytes, pos: 0 }
    }

    /// A reader at bit `pos` of `bytes`.
    fn at(bytes: &'a [u8], pos: usize) -> BitReader<'a> {
        BitReader { bytes, pos }
    }

    /// The 64 bits starting at byte `byte`, big-endian, zeros past the end.
    ///
    /// This and the other small readers below are always inlined: the browser build
    /// optimises for size and would otherwise call each one per value decoded.
    #[inline(always)]
    fn word(&self, byte: usize) -> u64 {
        match self.bytes.get(byte..).and_then(<[u8]>::first_chunk::<8>) {
            Some(a) => u64::from_be_bytes(*a),
            None => {
                let mut a = [0u8; 8];
                let tail = self.bytes.get(byte..).unwrap_or(&[]);
                a[..tail.len()].copy_from_slice(tail);
                u64::from_be_bytes(a)
            }
        }
    }

    /// The next `n` bits (`n` ≤ 56) without consuming them. Reading a whole word at a time
    /// rather than a byte at a time is what makes decoding fast: a value is one load, one
    /// shift and one mask.
    #[inline(always)]
    fn peek(&self, n: u8) -> u64 {
        if n == 0 {
            return 0;
        }
        let word = self.word(self.pos / 8);
        // `pos % 8` ≤ 7 and `n` ≤ 56, so the bits lie inside the word.
        (word << (self.pos % 8)) >> (64 - u32::from(n))
    }

    /// The bits from the current position on, first bit highest; at least the top 57 are
    /// the stream's (zeros past its end), the rest are zero.
    #[inline(always)]
    fn peek_word(&self) -> u64 {
        self.word(self.pos / 8) << (self.pos % 8)
    }

    /// Moves past `n` bits.
    #[inline(always)]
    fn skip(&mut self, n: u32) {
        self.pos += n as usize;
    }

    /// Reads `n` bits (`n` ≤ 64). Past the end of the bytes, bits read as zero.
    #[inline(always)]
    pub fn read(&mut self, n: u8) -> u64 {
        if n > 56 {
            let high = self.read(n - 32);
            return (high << 32) | self.read(32);
        }
        let v = self.peek(n);
        self.pos += n as usize;
        v
    }

    /// Reads one bit.
    #[inline(always)]
    pub fn bit(&mut self) -> bool {
        let byte = self.bytes.get(self.pos / 8).copied().unwrap_or(0);
        let bit = (byte >> (7 - self.pos % 8)) & 1;
        self.pos += 1;
        bit == 1
    }
}

/// Delta-of-delta buckets: (prefix bits, prefix length, payload bits).
const DOD_BUCKETS: [(u64, u8, u8); 4] = [
    (0b10, 2, 7),
    (0b110, 3, 12),
    (0b1110, 4, 20),
    (0b11110, 5, 32),
];

fn write_dod(w: &mut BitWriter, dod: i64) {
    if dod == 0 {
        w.bit(false);
        return;
    }
    for (prefix, plen, bits) in DOD_BUCKETS {
        let lim = 1i64 << (bits - 1);
        if (-lim..lim).contains(&dod) {
            w.write(prefix, plen);
            w.write(dod as u64 & ((1u64 << bits) - 1), bits);
            return;
        }
    }
    w.write(0b11111, 5);
    w.write(dod as u64, 64);
}

#[inline(always)]
fn read_dod(r: &mut BitReader<'_>) -> i64 {
    let (dod, used) = dod_in_word(r.peek_word());
    r.skip(used);
    match dod {
        Some(dod) => dod,
        None => r.read(64) as i64,
    }
}

/// Decodes the delta-of-delta code at the top of `word` (bits as [`BitReader::peek_word`]
/// returns them, at least 39 of them the stream's): the value and the bits it took, or `None`
/// and the 5 bits of the escape prefix, after which the value follows in 64 bits.
///
/// Why from one word: the prefix and the payload of every code but the escape fit in 37
/// bits, so one load and a few shifts decode it, where reading the prefix bit by bit and
/// then the payload took three loads with their bounds checks. Counters (histogram buckets
/// above all) and timestamp columns are made of these codes.
#[inline(always)]
fn dod_in_word(word: u64) -> (Option<i64>, u32) {
    let ones = word.leading_ones().min(5);
    match ones {
        0 => (Some(0), 1),
        5 => (None, 5),
        _ => {
            let bits = u32::from(DOD_BUCKETS[(ones - 1) as usize].2);
            // The prefix is `ones` ones and a zero; the payload follows, sign-extended from
            // `bits` by an arithmetic shift.
            let payload = word << (ones + 1);
            (Some((payload as i64) >> (64 - bits)), ones + 1 + bits)
        }
    }
}

/// Encodes a timestamp column: the first timestamp, then delta-of-deltas.
pub fn encode_timestamps(ts: &[i64]) -> Box<[u8]> {
    let mut w = BitWriter::default();
    let mut prev = 0i64;
    let mut delta = 0i64;
    for (i, &t) in ts.iter().enumerate() {
        match i {
            0 => w.write(t as u64, 64),
            _ => {
                let d = t.wrapping_sub(prev);
                write_dod(&mut w, d.wrapping_sub(delta));
                delta = d;
            }
        }
        prev = t;
    }
    w.into_bytes()
}

/// Decodes `n` timestamps.
pub fn decode_timestamps(bytes: &[u8], n: usize, out: &mut Vec<i64>) {
    let mut r = BitReader::new(bytes);
    let mut prev = 0i64;
    let mut delta = 0i64;
    for i in 0..n {
        let t = if i == 0 {
            r.read(64) as i64
        } else {
            delta = delta.wrapping_add(read_dod(&mut r));
            prev.wrapping_add(delta)
        };
        out.push(t);
        prev = t;
    }
}

/// The integer a float holds exactly, if it is one below 2^53 in magnitude (and not -0).
#[inline(always)]
fn exact_int(v: f64) -> Option<i64> {
    // The comparison is false for NaN and infinities; the round trip through i64 rejects
    // fractions and -0 without calling `trunc`, which is not inlined.
    if v.abs() < 9_007_199_254_740_992.0 {
        let i = v as i64;
        if (i as f64).to_bits() == v.to_bits() {
            return Some(i);
        }
    }
    None
}

/// Appends `v` as LEB128 (seven bits per byte, low first).
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a LEB128 number at `*at`, moving past it; `None` when the bytes end first or it is
/// longer than ten bytes.
fn get_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..70).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        v |= u64::from(b & 0x7f).checked_shl(shift).unwrap_or(0);
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The decoder's state before one sample of a stream: where [`decoder_at`] resumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mark {
    /// Bit position in the stream.
    pos: u64,
    prev: u64,
    delta: i64,
    leading: u8,
    trailing: u8,
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(z: u64) -> i64 {
    ((z >> 1) as i64) ^ -((z & 1) as i64)
}

impl Mark {
    /// Written as LEB128 numbers: the position times two, plus one when the previous value
    /// is an integer below 2^53; that integer (zigzag), or else the value's 8 bytes
    /// (little-endian); the XOR window as `leading + 32 * trailing`; the delta (zigzag).
    /// Counters, the most common series, take about 8 bytes a mark, floats about 13.
    fn write(&self, out: &mut Vec<u8>) {
        let int = exact_int(f64::from_bits(self.prev));
        put_varint(out, (self.pos << 1) | u64::from(int.is_some()));
        match int {
            Some(i) => put_varint(out, zigzag(i)),
            None => out.extend_from_slice(&self.prev.to_le_bytes()),
        }
        put_varint(
            out,
            u64::from(self.leading) | (u64::from(self.trailing) << 5),
        );
        put_varint(out, zigzag(self.delta));
    }

    /// The next mark, or `None` when the bytes end first or hold a window no stream has.
    fn read(bytes: &[u8], at: &mut usize) -> Option<Mark> {
        let head = get_varint(bytes, at)?;
        let prev = if head & 1 == 1 {
            (unzigzag(get_varint(bytes, at)?) as f64).to_bits()
        } else {
            let raw = bytes.get(*at..at.checked_add(8)?)?;
            let mut a = [0u8; 8];
            a.copy_from_slice(raw);
            *at += 8;
            u64::from_le_bytes(a)
        };
        let window = get_varint(bytes, at)?;
        let (leading, trailing) = (window & 31, window >> 5);
        // The decoder adds the two as bytes and shifts by `trailing`.
        if trailing > 63 || leading + trailing > 64 {
            return None;
        }
        Some(Mark {
            pos: head >> 1,
            prev,
            delta: unzigzag(get_varint(bytes, at)?),
            leading: leading as u8,
            trailing: trailing as u8,
        })
    }
}

/// Encodes values incrementally.
#[derive(Debug, Clone, Default)]
pub struct ValueEncoder {
    w: BitWriter,
    n: usize,
    prev: u64,
    delta: i64,
    leading: u8,
    trailing: u8,
    /// The resume marks so far, encoded (see the module doc).
    marks: Vec<u8>,
}

impl ValueEncoder {
    /// Appends one value.
    pub fn push(&mut self, v: f64) {
        if self.n > 0 && self.n.is_multiple_of(MARK_EVERY) {
            // The decoder's state before this value. Its XOR window starts at zero where
            // the encoder's says "none yet" (0xff); no code reads the window before one is
            // written, so both mean the same.
            let (leading, trailing) = if self.leading == 0xff {
                (0, 0)
            } else {
                (self.leading, self.trailing)
            };
            Mark {
                pos: self.w.bit_len() as u64,
                prev: self.prev,
                delta: self.delta,
                leading,
                trailing,
            }
            .write(&mut self.marks);
        }
        let bits = v.to_bits();
        if self.n == 0 {
            self.w.write(bits, 64);
            self.leading = 0xff;
        } else if bits == self.prev {
            self.w.bit(false);
            if exact_int(v).is_some() {
                self.delta = 0;
            }
        } else if let (Some(a), Some(b)) = (exact_int(f64::from_bits(self.prev)), exact_int(v)) {
            self.w.write(0b10, 2);
            let d = b - a;
            write_dod(&mut self.w, d.wrapping_sub(self.delta));
            self.delta = d;
        } else {
            self.w.write(0b11, 2);
            let x = bits ^ self.prev;
            let lead = (x.leading_zeros() as u8).min(31);
            let trail = x.trailing_zeros() as u8;
            if self.leading != 0xff && lead >= self.leading && trail >= self.trailing {
                self.w.bit(false);
                let len = 64 - self.leading - self.trailing;
                self.w.write(x >> self.trailing, len);
            } else {
                self.w.bit(true);
                let len = 64 - lead - trail;
                self.w.write(u64::from(lead), 5);
                // Lengths 1..=64 stored as 0..=63.
                self.w.write(u64::from(len - 1), 6);
                self.w.write(x >> trail, len);
                self.leading = lead;
                self.trailing = trail;
            }
            self.delta = 0;
        }
        self.prev = bits;
        self.n += 1;
    }

    /// Values pushed so far.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether nothing has been pushed.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Bytes of the stream so far.
    pub fn bytes_len(&self) -> usize {
        self.w.len()
    }

    /// Bytes of the resume marks so far.
    pub fn marks_len(&self) -> usize {
        self.marks.len()
    }

    /// The stream so far (decodable up to the values pushed).
    pub fn bytes(&self) -> &[u8] {
        &self.w.bytes
    }

    /// The encoded stream followed by its resume marks, and the stream's length in bytes:
    /// what [`decoder_at`] reads.
    pub fn finish(self) -> (Box<[u8]>, usize) {
        let mut bytes = self.w.bytes;
        let stream_len = bytes.len();
        bytes.extend_from_slice(&self.marks);
        (bytes.into_boxed_slice(), stream_len)
    }
}

/// A decoder for the values of `encoded` (what [`ValueEncoder::finish`] returned, the stream
/// being its first `stream_len` bytes) that starts as close before value `want` as the resume
/// marks allow, and the index of the value it returns first. Marks that cannot be read are
/// ignored (a stream written here always has readable ones), so the worst case is decoding
/// from the start.
pub fn decoder_at(encoded: &[u8], stream_len: usize, want: usize) -> (ValueDecoder<'_>, usize) {
    let stream = encoded.get(..stream_len).unwrap_or(encoded);
    let marks = encoded.get(stream_len..).unwrap_or(&[]);
    let mut best: Option<(Mark, usize)> = None;
    let mut at = 0;
    let mut index = MARK_EVERY;
    while index <= want {
        let Some(m) = Mark::read(marks, &mut at) else {
            break;
        };
        best = Some((m, index));
        index += MARK_EVERY;
    }
    match best {
        Some((m, index)) if m.pos <= stream.len() as u64 * 8 => (
            ValueDecoder {
                r: BitReader::at(stream, m.pos as usize),
                n: index,
                prev: m.prev,
                prev_int: exact_int(f64::from_bits(m.prev)),
                delta: m.delta,
                leading: m.leading,
                trailing: m.trailing,
            },
            index,
        ),
        _ => (ValueDecoder::new(stream), 0),
    }
}

/// Decodes values one at a time.
#[derive(Debug, Clone)]
pub struct ValueDecoder<'a> {
    r: BitReader<'a>,
    n: usize,
    prev: u64,
    /// `exact_int(prev)`, kept so that the integer and repeat codes, which ask for it at
    /// every value, need no float round trip.
    prev_int: Option<i64>,
    delta: i64,
    leading: u8,
    trailing: u8,
}

impl<'a> ValueDecoder<'a> {
    /// A decoder at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> ValueDecoder<'a> {
        ValueDecoder {
            r: BitReader::new(bytes),
            n: 0,
            prev: 0,
            prev_int: exact_int(0.0),
            delta: 0,
            leading: 0,
            trailing: 0,
        }
    }

    /// Appends the next `count` values to `out` (the caller knows how many there are).
    ///
    /// Why a batch: decoding a chunk is one loop over its values, and working on a copy of
    /// the decoder lets the compiler keep its state in registers for the whole loop instead
    /// of loading and storing it around every value.
    ///
    /// A run of repeats (one zero bit each; a histogram's quiet buckets are mostly that) is
    /// counted from one load with `leading_zeros` and appended at once.
    pub fn decode_into(&mut self, count: usize, out: &mut Vec<f64>) {
        let mut d = self.clone();
        out.reserve(count);
        let mut left = count;
        while left > 0 {
            let word = d.r.peek_word();
            if d.n > 0 && word >> 63 == 0 {
                // Only the top 57 bits of the word are sure to be the stream's, and past the
                // values asked for the zeros may be padding.
                let k = (word.leading_zeros() as usize).min(57).min(left);
                d.r.skip(k as u32);
                if d.prev_int.is_some() {
                    d.delta = 0;
                }
                d.n += k;
                left -= k;
                out.extend(std::iter::repeat_n(f64::from_bits(d.prev), k));
            } else {
                out.push(d.next_value());
                left -= 1;
            }
        }
        *self = d;
    }

    /// The next value (the caller knows how many there are).
    #[inline(always)]
    pub fn next_value(&mut self) -> f64 {
        // A repeat (1 bit) or an integer code (2 bits and at most 37 of delta-of-delta) is
        // decoded from this one load; see `dod_in_word`.
        let word = self.r.peek_word();
        let bits = if self.n == 0 {
            let bits = self.r.read(64);
            self.prev_int = exact_int(f64::from_bits(bits));
            bits
        } else if word >> 63 == 0 {
            self.r.skip(1);
            if self.prev_int.is_some() {
                self.delta = 0;
            }
            self.prev
        } else if (word >> 62) & 1 == 0 {
            let a = self.prev_int.unwrap_or(0);
            let (dod, used) = dod_in_word(word << 2);
            self.r.skip(2 + used);
            let dod = match dod {
                Some(dod) => dod,
                None => self.r.read(64) as i64,
            };
            self.delta = self.delta.wrapping_add(dod);
            let int = a.wrapping_add(self.delta);
            let v = int as f64;
            // Below 2^53 the float holds `int` exactly, as the encoder always writes it;
            // only a corrupt stream goes past, and then the float decides as before.
            self.prev_int = if int.unsigned_abs() < 1 << 53 {
                Some(int)
            } else {
                exact_int(v)
            };
            v.to_bits()
        } else {
            self.r.skip(2);
            if self.r.bit() {
                self.leading = self.r.read(5) as u8;
                let len = self.r.read(6) as u8 + 1;
                self.trailing = 64u8.saturating_sub(self.leading + len);
            }
            let len = 64u8.saturating_sub(self.leading + self.trailing);
            let x = if len == 0 {
                0
            } else {
                self.r.read(len) << self.trailing
            };
            self.delta = 0;
            let bits = self.prev ^ x;
            self.prev_int = exact_int(f64::from_bits(bits));
            bits
        };
        self.prev = bits;
        self.n += 1;
        f64::from_bits(bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(values: &[f64]) -> usize {
        let mut e = ValueEncoder::default();
        for &v in values {
            e.push(v);
        }
        let stream = e.bytes().to_vec();
        let (bytes, stream_len) = e.finish();
        assert_eq!(&bytes[..stream_len], &stream[..]);
        let mut d = ValueDecoder::new(&bytes[..stream_len]);
        for (i, &v) in values.iter().enumerate() {
            let got = d.next_value();
            assert_eq!(
                got.to_bits(),
                v.to_bits(),
                "value {i}: {v:?} came back as {got:?}"
            );
        }
        // Decoding in two batches gives the same values.
        let mut d = ValueDecoder::new(&bytes[..stream_len]);
        let mut batch = Vec::new();
        d.decode_into(values.len() / 3, &mut batch);
        d.decode_into(values.len() - values.len() / 3, &mut batch);
        let bits = |vs: &[f64]| vs.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&batch), bits(values));
        // Resuming at every value gives the same values from there on.
        for want in 0..values.len() {
            let (mut d, from) = decoder_at(&bytes, stream_len, want);
            assert!(from <= want && want - from < MARK_EVERY, "{want}: {from}");
            for (i, &v) in values.iter().enumerate().skip(from) {
                let got = d.next_value();
                assert_eq!(got.to_bits(), v.to_bits(), "from {from}, value {i}");
            }
        }
        stream_len
    }

    #[test]
    fn bits_round_trip() {
        let mut w = BitWriter::default();
        w.write(0b101, 3);
        w.write(u64::MAX, 64);
        w.write(0, 1);
        w.write(0x1234, 13);
        let b = w.into_bytes();
        let mut r = BitReader::new(&b);
        assert_eq!(r.read(3), 0b101);
        assert_eq!(r.read(64), u64::MAX);
        assert_eq!(r.read(1), 0);
        assert_eq!(r.read(13), 0x1234 & 0x1fff);
    }

    #[test]
    fn special_values_are_bit_exact() {
        let stale = f64::from_bits(0x7ff0_0000_0000_0002);
        round_trip(&[
            1.0,
            f64::NAN,
            stale,
            -0.0,
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            stale,
            5.0,
            5.0,
            f64::from_bits(0x7ff8_0000_0000_0001),
            f64::MIN_POSITIVE,
            f64::MAX,
            -f64::MAX,
            9_007_199_254_740_992.0,
            9_007_199_254_740_991.0,
            -9_007_199_254_740_991.0,
            1e300,
            0.1,
            0.1 + 0.2,
        ]);
    }

    #[test]
    fn counters_compress_well() {
        // A counter growing by about 500 per sample: about a byte and a half per sample.
        let values: Vec<f64> = (0..480)
            .map(|i| (i * 500 + (i * 7919) % 97) as f64)
            .collect();
        let len = round_trip(&values);
        assert!(len < 480 * 2, "{len} bytes");
        // A constant: one bit per sample.
        assert!(round_trip(&[42.0; 480]) <= 8 + 60);
    }

    #[test]
    fn random_floats_round_trip() {
        let mut x = 0x1234_5678_9abc_def0u64;
        let values: Vec<f64> = (0..2000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                match x % 4 {
                    0 => f64::from_bits(x),
                    1 => (x % 1000) as f64,
                    2 => (x % 1000) as f64 / 7.0,
                    _ => -((x % 5) as f64),
                }
            })
            .collect();
        round_trip(&values);
    }

    #[test]
    fn broken_marks_fall_back_to_the_start() {
        let values: Vec<f64> = (0..300).map(|i| (i * 37 % 11) as f64 * 0.5).collect();
        let mut e = ValueEncoder::default();
        for &v in &values {
            e.push(v);
        }
        let (bytes, stream_len) = e.finish();
        assert!(bytes.len() > stream_len, "marks were written");
        // Marks cut short: the readable ones are used, then decoding starts at the last.
        for cut in stream_len..bytes.len() {
            let (mut d, from) = decoder_at(&bytes[..cut], stream_len, 299);
            for (i, &v) in values.iter().enumerate().skip(from) {
                assert_eq!(
                    d.next_value().to_bits(),
                    v.to_bits(),
                    "cut {cut}, value {i}"
                );
            }
        }
        // Marks pointing past the stream (here cut to one byte) are not used.
        let mut short = vec![bytes[0]];
        short.extend_from_slice(&bytes[stream_len..]);
        let (_, from) = decoder_at(&short, 1, 299);
        assert_eq!(from, 0);
    }

    #[test]
    fn every_delta_of_delta_bucket_edge_round_trips() {
        // Deltas of deltas on both sides of each bucket's edges, and of the escape's, as
        // integer values (with repeats between, which reset the delta) and as timestamps.
        let mut dods = vec![0i64];
        for (_, _, bits) in DOD_BUCKETS {
            let lim = 1i64 << (bits - 1);
            dods.extend([lim - 1, lim, -lim, -lim - 1, 1 - lim]);
        }
        dods.extend([1 << 40, -(1 << 40), 1, -1]);
        let mut values = vec![1_000_000_000_000.0];
        let (mut v, mut delta) = (1_000_000_000_000i64, 0i64);
        for (i, &dod) in dods.iter().enumerate() {
            delta += dod;
            v += delta;
            values.push(v as f64);
            if i % 3 == 2 {
                values.push(v as f64);
                delta = 0;
            }
        }
        round_trip(&values);
        let mut ts = vec![0i64];
        let (mut t, mut delta) = (0i64, 0i64);
        for &dod in &dods {
            delta += dod;
            t += delta;
            ts.push(t);
        }
        let mut out = Vec::new();
        decode_timestamps(&encode_timestamps(&ts), ts.len(), &mut out);
        assert_eq!(out, ts);
    }

    #[test]
    fn timestamps_round_trip() {
        let ts: Vec<i64> = (0..500)
            .map(|i| 1_767_268_800_000 + i * 15_000 + (i * 31) % 4)
            .collect();
        let enc = encode_timestamps(&ts);
        let mut out = Vec::new();
        decode_timestamps(&enc, ts.len(), &mut out);
        assert_eq!(out, ts);
        let odd = [i64::MIN, 0, i64::MAX, -5, 7];
        let enc = encode_timestamps(&odd);
        out.clear();
        decode_timestamps(&enc, odd.len(), &mut out);
        assert_eq!(out, odd);
    }
}
