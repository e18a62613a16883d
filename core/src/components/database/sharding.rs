//! Sharding: which shard holds a key. By hash (`mix(key) mod N`), by range (equal slices of the key space,
//! so a Zipf client's hot low keys all land in shard 0), or on a consistent-hash ring with virtual nodes
//! (adding a shard moves only the keys the new shard's points take, about 1/(N+1) of them).

use serde::{Deserialize, Serialize};

use crate::components::load_balancer::{hash_bytes, mix64};

/// How keys are spread over shards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sharding {
    /// `hash(key) mod shards`: even for distinct keys, but resharding moves almost every key
    Hash,
    /// shard `key × shards ÷ key_space`: neighbouring keys together, hot ranges make hot shards
    Range,
    /// a consistent-hash ring with `virtual_nodes` points per shard
    Consistent,
}

/// A consistent-hash ring: `virtual_nodes` points per shard, a key belongs to the first point at or after its
/// hash (wrapping). Point positions depend only on the shard's number, so a ring of N + 1 shards holds every
/// point of the ring of N.
#[derive(Clone, Debug)]
pub struct Ring {
    points: Vec<(u64, u32)>,
}

impl Ring {
    /// A ring of `shards` shards with `virtual_nodes` points each (both at least 1).
    pub fn new(shards: u32, virtual_nodes: u32) -> Ring {
        let mut points = Vec::with_capacity(shards as usize * virtual_nodes as usize);
        for s in 0..shards.max(1) {
            for v in 0..virtual_nodes.max(1) {
                points.push((hash_bytes(format!("shard-{s}#{v}").as_bytes()), s));
            }
        }
        crate::sorting::sort_by(&mut points, Ord::cmp);
        Ring { points }
    }

    /// The shard that holds `key`.
    pub fn shard_of(&self, key: u64) -> u32 {
        let h = mix64(key);
        let i = self.points.partition_point(|&(p, _)| p < h);
        self.points[i % self.points.len()].1
    }
}

/// Routes a key to its shard.
#[derive(Clone, Debug)]
pub enum Router {
    /// one shard
    Single,
    /// `mix(key) mod n`
    Hash(u32),
    /// `key × n ÷ key_space`, the last shard taking keys beyond the space
    Range {
        /// shards
        n: u32,
        /// keys `0..key_space` are split into equal slices
        key_space: u64,
    },
    /// a consistent-hash ring
    Consistent(Ring),
}

impl Router {
    /// The router for `shards` shards.
    pub fn new(shards: u32, sharding: Sharding, virtual_nodes: u32, key_space: u64) -> Router {
        match (shards, sharding) {
            (0 | 1, _) => Router::Single,
            (n, Sharding::Hash) => Router::Hash(n),
            (n, Sharding::Range) => Router::Range {
                n,
                key_space: key_space.max(1),
            },
            (n, Sharding::Consistent) => Router::Consistent(Ring::new(n, virtual_nodes)),
        }
    }

    /// The shard of `key`.
    pub fn shard_of(&self, key: u64) -> u32 {
        match self {
            Router::Single => 0,
            Router::Hash(n) => (mix64(key) % u64::from(*n)) as u32,
            Router::Range { n, key_space } => {
                let s = u128::from(key) * u128::from(*n) / u128::from(*key_space);
                s.min(u128::from(*n - 1)) as u32
            }
            Router::Consistent(r) => r.shard_of(key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_puts_neighbours_together_and_clamps() {
        let r = Router::new(4, Sharding::Range, 1, 100);
        assert_eq!(
            [0, 24, 25, 99, 1000].map(|k| r.shard_of(k)),
            [0, 0, 1, 3, 3]
        );
    }

    #[test]
    fn a_bigger_ring_only_moves_keys_to_the_new_shard() {
        let (a, b) = (Ring::new(5, 50), Ring::new(6, 50));
        for k in 0..10_000 {
            let (x, y) = (a.shard_of(k), b.shard_of(k));
            assert!(x == y || y == 5, "key {k} moved from {x} to {y}");
        }
    }
}
