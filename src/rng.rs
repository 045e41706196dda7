//! A small deterministic random generator (SplitMix64): the same seed gives the same bytes on
//! every machine and with every crate version, which `affil generate` promises and the
//! matcher's estimate (its random pairs) relies on.

/// SplitMix64's increment of the state per draw (the golden ratio in 64 bits).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64 state.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for one stream, e.g. one chunk of a dataset. The stream number goes
    /// through the output mix, so neighbouring streams do not run as shifted copies.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let s = Rng(stream).next_u64();
        let mut r = Rng(Rng(seed ^ s).next_u64());
        r.next_u64();
        r
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GAMMA);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Moves on as `draws` calls of [`Rng::next_u64`] would, at once (the state advances by a
    /// constant per draw): a parallel loop starts its part of one stream where it begins.
    pub fn skip(&mut self, draws: u64) {
        self.0 = self.0.wrapping_add(GAMMA.wrapping_mul(draws));
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// A uniformly chosen element.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn from a cumulative weight table (last element = total).
    pub fn weighted(&mut self, cumulative: &[u64]) -> usize {
        let total = *cumulative.last().unwrap_or(&1);
        let x = self.next_u64() % total.max(1);
        cumulative.partition_point(|&c| c <= x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(7, 1).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::new(7, 1).next_u64(), Rng::new(7, 2).next_u64());
        // Streams must not be shifted copies of each other (an early version's were).
        let mut all: Vec<u64> = Vec::new();
        for s in 0..200 {
            let mut r = Rng::new(11, s);
            for _ in 0..500 {
                all.push(r.next_u64());
            }
        }
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 200 * 500);
    }

    #[test]
    fn skipping_lands_where_drawing_would() {
        let mut drawn = Rng::new(5, 3);
        let mut skipped = drawn.clone();
        for _ in 0..1_000 {
            drawn.next_u64();
        }
        skipped.skip(1_000);
        assert_eq!(drawn.next_u64(), skipped.next_u64());
        let mut none = Rng::new(5, 3);
        none.skip(0);
        assert_eq!(none.next_u64(), Rng::new(5, 3).next_u64());
    }

    #[test]
    fn helpers_stay_in_range() {
        let mut r = Rng::new(1, 1);
        for _ in 0..1000 {
            assert!(r.below(7) < 7);
            let x = r.range(-3, 3);
            assert!((-3..=3).contains(&x));
            assert!(r.weighted(&[1, 3, 6]) < 3);
        }
    }
}
