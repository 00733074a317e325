//! Counter-based randomness: every random number is a hash of (seed, stream, index).
//!
//! Nothing here keeps state between calls, so a value never depends on which values were
//! drawn before it. That is what makes a sample a pure function of scenario, seed and time:
//! generating a window in one piece or in two draws exactly the same numbers. Only integer
//! operations and exactly rounded float operations (+, −, ×, ÷, sqrt) are used, which give the
//! same bits natively and in wasm32.

/// The SplitMix64 finaliser: a bijective mix of 64 bits with good avalanche.
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hashes two words into one.
#[inline]
pub fn hash2(a: u64, b: u64) -> u64 {
    mix(mix(a.wrapping_add(0x9e37_79b9_7f4a_7c15)) ^ b)
}

/// Hashes three words into one.
#[inline]
pub fn hash3(a: u64, b: u64, c: u64) -> u64 {
    mix(hash2(a, b) ^ c.wrapping_mul(0xd6e8_feb8_6659_fd93))
}

/// FNV-1a over bytes, then mixed: a stable key for a name or a label set. Stable across
/// builds and platforms, unlike `std`'s randomly seeded hasher.
pub fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
}

/// A uniform float in [0, 1) from 53 bits of a hash.
#[inline]
pub fn unit(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// An approximately standard normal number from one hash: the Irwin–Hall sum of four
/// 16-bit uniforms, rescaled to variance 1. It is bounded (|z| ≤ 3.47), which keeps every
/// simulated value within a known band; the tails do not matter for teaching data.
#[inline]
pub fn normal(h: u64) -> f64 {
    let s = (h & 0xffff) + ((h >> 16) & 0xffff) + ((h >> 32) & 0xffff) + (h >> 48);
    // Each part is uniform on [0, 65535]: mean 4 * 32767.5, variance 4 * (65536^2 - 1) / 12.
    (s as f64 - 131_070.0) * (1.732_050_807_568_877_2 / 65_536.0)
}

/// A named source of random numbers: one stream per (seed, series, purpose).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stream {
    key: u64,
}

impl Stream {
    /// The stream for `seed`, a series or target `key` and a `salt` naming the purpose.
    pub fn new(seed: u64, key: u64, salt: u64) -> Stream {
        Stream {
            key: hash3(seed, key, salt),
        }
    }

    /// A derived stream, for a sub-purpose.
    pub fn child(self, salt: u64) -> Stream {
        Stream {
            key: hash2(self.key, salt),
        }
    }

    /// 64 random bits for index `i`.
    #[inline]
    pub fn bits(self, i: i64) -> u64 {
        hash2(self.key, i as u64)
    }

    /// A uniform float in [0, 1) for index `i`.
    #[inline]
    pub fn unit(self, i: i64) -> f64 {
        unit(self.bits(i))
    }

    /// A uniform float in [-1, 1) for index `i`.
    #[inline]
    pub fn signed(self, i: i64) -> f64 {
        2.0 * self.unit(i) - 1.0
    }

    /// An approximately standard normal number (bounded, see [`normal`]) for index `i`.
    #[inline]
    pub fn normal(self, i: i64) -> f64 {
        normal(self.bits(i))
    }

    /// Value noise: a piecewise-linear curve through uniform values in [-1, 1] placed every
    /// `knot` units of `x` (for example milliseconds). Continuous, with slope at most
    /// `2 / knot`.
    #[inline]
    pub fn smooth(self, x: i64, knot: i64) -> f64 {
        let k = x.div_euclid(knot);
        let r = x.rem_euclid(knot);
        let a = self.signed(k);
        let b = self.signed(k + 1);
        a + (b - a) * (r as f64 / knot as f64)
    }
}

/// Independent yes/no draws with probability `p` at indices `0, 1, 2, ...`, with the
/// number of yeses before any index available in O(log n): a binary tree over 2^24 indices
/// whose root count is drawn once and split between the halves at each level
/// (hypergeometrically: given `c` yeses among `2s` slots, the left `s` hold about `c/2`).
/// `count(n)` and `get(i)` descend the same tree, so they always agree.
#[derive(Debug, Clone, Copy)]
pub struct Bernoulli {
    stream: Stream,
    root: i64,
}

const BERNOULLI_LEVELS: u32 = 24;

impl Bernoulli {
    /// Draws with probability `p` (clamped to [0, 1]) from `stream`.
    pub fn new(stream: Stream, p: f64) -> Bernoulli {
        let p = if p.is_finite() {
            p.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let n = (1i64 << BERNOULLI_LEVELS) as f64;
        let sd = (n * p * (1.0 - p)).sqrt();
        let root = (n * p + sd * stream.normal(-1)).round().clamp(0.0, n) as i64;
        Bernoulli { stream, root }
    }

    /// Splits `c` yeses in the node `[lo, lo + 2·half)` at `level`: how many are in the left
    /// half.
    fn left(&self, level: u32, lo: i64, half: i64, c: i64) -> i64 {
        let min = (c - half).max(0);
        let max = c.min(half);
        if min >= max {
            return min;
        }
        let node = self.stream.child(u64::from(level));
        if c <= 16 {
            // Place the yeses one by one: exact.
            let mut left = 0;
            for j in 0..c {
                let slots = 2 * half - j;
                if node.child(j as u64).unit(lo) * (slots as f64) < (half - left) as f64 {
                    left += 1;
                }
            }
            return left.clamp(min, max);
        }
        let n = 2.0 * half as f64;
        let cf = c as f64;
        let var = cf * (n - cf) / (4.0 * (n - 1.0).max(1.0));
        let x = (cf / 2.0 + var.sqrt() * node.normal(lo)).round() as i64;
        x.clamp(min, max)
    }

    /// Descends to index `n`: (yeses before `n`, whether `n` itself is a yes).
    fn descend(&self, n: i64) -> (i64, bool) {
        let top = 1i64 << BERNOULLI_LEVELS;
        if n >= top {
            return (self.root, false);
        }
        if n < 0 {
            return (0, false);
        }
        let (mut lo, mut size, mut c, mut acc) = (0i64, top, self.root, 0i64);
        let mut level = 0;
        while size > 1 {
            let half = size / 2;
            let left = self.left(level, lo, half, c);
            if n >= lo + half {
                acc += left;
                c -= left;
                lo += half;
            } else {
                c = left;
            }
            size = half;
            level += 1;
        }
        (acc, c > 0)
    }

    /// How many of indices `0..n` are yes.
    pub fn count(&self, n: i64) -> i64 {
        self.descend(n).0
    }

    /// Whether index `i` is yes.
    pub fn get(&self, i: i64) -> bool {
        self.descend(i).1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_in_range_and_vary() {
        let s = Stream::new(1, 2, 3);
        let xs: Vec<f64> = (0..1000).map(|i| s.unit(i)).collect();
        assert!(xs.iter().all(|&x| (0.0..1.0).contains(&x)));
        let mean = xs.iter().sum::<f64>() / 1000.0;
        assert!((mean - 0.5).abs() < 0.05, "mean {mean}");
        assert_ne!(Stream::new(1, 2, 3).bits(7), Stream::new(2, 2, 3).bits(7));
    }

    #[test]
    fn normal_has_unit_variance_and_is_bounded() {
        let s = Stream::new(9, 9, 9);
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|i| s.normal(i)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.05, "mean {mean}");
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
        assert!(xs.iter().all(|x| x.abs() < 3.47));
    }

    #[test]
    fn smooth_noise_is_continuous_at_knots() {
        let s = Stream::new(5, 6, 7);
        for k in -3..3 {
            let at = k * 1000;
            assert!((s.smooth(at, 1000) - s.signed(k)).abs() < 1e-12);
            assert!((s.smooth(at - 1, 1000) - s.smooth(at, 1000)).abs() < 0.003);
        }
    }

    #[test]
    fn bernoulli_counts_agree_with_draws() {
        let b = Bernoulli::new(Stream::new(3, 4, 5), 0.2);
        let mut count = 0;
        for i in 0..3000 {
            assert_eq!(b.count(i), count, "count before {i}");
            if b.get(i) {
                count += 1;
            }
        }
        let share = count as f64 / 3000.0;
        assert!((share - 0.2).abs() < 0.03, "share {share}");
        assert_eq!(b.count(-5), 0);
    }

    #[test]
    fn string_hash_is_stable() {
        // A fixed value: series keys must not change between builds or platforms.
        assert_eq!(hash_str("up"), hash_str("up"));
        assert_ne!(hash_str("up"), hash_str("down"));
        assert_eq!(mix(0), 0);
    }
}
