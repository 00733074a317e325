//! An in-memory time-series database.

pub mod labels;

/// The bit pattern Prometheus uses for a stale marker: a NaN distinct from ordinary NaNs.
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// A stale marker value.
#[inline]
pub fn stale_marker() -> f64 {
    f64::from_bits(STALE_NAN_BITS)
}

/// Whether `v` is a stale marker (compares bits: an ordinary NaN is not one).
#[inline]
pub fn is_stale_marker(v: f64) -> bool {
    v.to_bits() == STALE_NAN_BITS
}
