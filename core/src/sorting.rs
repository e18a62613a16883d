//! Stable sorting and sorted maps through one shared copy of the standard library's sort, for code that is not
//! hot: every `slice::sort_by` (and every `collect` into a `BTreeMap`, which sorts) compiles its own copy of
//! the sort for its element type and comparator, about 4 KB of Wasm each. [`sort_by`] sorts the indices
//! `0..n` instead (one copy, a `usize` slice and a `dyn` comparator) and then moves the elements into that
//! order, so each element type costs only the small loop of [`permute`]; [`map`] and [`set`] insert in turn. Results are exactly those of
//! `slice::sort_by` / `sort_by_key`: both are stable, so equal elements keep their order.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Sorts `v` stably by `cmp`, as `v.sort_by(cmp)` does.
pub fn sort_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let order = stable_order(v.len(), &|a, b| cmp(&v[a], &v[b]));
    permute(v, order);
}

/// Sorts `v` stably by the key `key` gives, as `v.sort_by_key(key)` does.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// The map of `items`, as `items.into_iter().collect::<BTreeMap<_, _>>()` gives it (the last of equal keys
/// wins), built by inserting in turn instead of sorting first.
pub fn map<K: Ord, V>(items: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut m = BTreeMap::new();
    for (k, v) in items {
        // `insert` keeps the first key of equal ones, `collect` the last: the same for keys equal only when
        // identical (every key type used here).
        m.insert(k, v);
    }
    m
}

/// The set of `items`, as `items.into_iter().collect::<BTreeSet<_>>()` gives it, built by inserting in turn.
pub fn set<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut s = BTreeSet::new();
    for x in items {
        s.insert(x);
    }
    s
}

/// The indices `0..n` in the stable order of `cmp` (the one instantiation of the standard library's sort).
fn stable_order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Rearranges `v` so that position `i` holds what was at `order[i]` (`order` a permutation of `0..v.len()`),
/// in place, one cycle of the permutation at a time.
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    for start in 0..v.len() {
        let mut at = start;
        // Walk the cycle through `start`; a position already done has `order[at] == at`.
        while order[at] != start {
            let from = order[at];
            v.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed pseudo-random sequence (an LCG), with many repeated keys so that stability is exercised.
    fn data(n: usize, seed: u64) -> Vec<(u32, usize)> {
        let mut x = seed;
        (0..n)
            .map(|i| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (((x >> 33) % 7) as u32, i)
            })
            .collect()
    }

    #[test]
    fn sorts_exactly_as_the_standard_library_stable_sort() {
        for n in [0, 1, 2, 3, 10, 33, 200, 1000] {
            for seed in 0..5 {
                let mut want = data(n, seed);
                let mut got = want.clone();
                want.sort_by_key(|a| a.0);
                sort_by(&mut got, |a, b| a.0.cmp(&b.0));
                // The second field is the original position: equal keys must keep their order.
                assert_eq!(got, want, "n = {n}, seed = {seed}");
                let mut by_key = data(n, seed);
                sort_by_key(&mut by_key, |p| std::cmp::Reverse(p.0));
                let mut want = data(n, seed);
                want.sort_by_key(|p| std::cmp::Reverse(p.0));
                assert_eq!(by_key, want, "n = {n}, seed = {seed}");
            }
        }
    }

    #[test]
    fn moves_owned_values_without_losing_or_copying_one() {
        let mut v: Vec<String> = ["d", "b", "a", "c", "b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        sort_by(&mut v, |a, b| a.cmp(b));
        assert_eq!(v, ["a", "b", "b", "c", "d"]);
    }

    #[test]
    fn a_map_is_what_collect_gives() {
        let items = || data(300, 9).into_iter();
        assert_eq!(map(items()), items().collect::<BTreeMap<_, _>>());
        let keys = || data(300, 4).into_iter().map(|(k, _)| k);
        assert_eq!(set(keys()), keys().collect::<BTreeSet<_>>());
    }
}
