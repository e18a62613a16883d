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

/// A set of names (node ids, edge names) kept as a sorted `Vec`: what `BTreeSet<String>` offers the editor, in
/// the same order, without the B-tree's code for one more element type (its removal alone is several KB of
/// Wasm). Lookups are binary searches; an insertion or removal moves the names after it (selections are small).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Names(Vec<String>);

impl Names {
    /// No names.
    pub const fn new() -> Names {
        Names(Vec::new())
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|n| n.as_str().cmp(name))
    }

    /// Adds `name`; whether it was not there.
    pub fn insert(&mut self, name: String) -> bool {
        match self.find(&name) {
            Ok(_) => false,
            Err(i) => {
                self.0.insert(i, name);
                true
            }
        }
    }

    /// Removes `name`; whether it was there.
    pub fn remove(&mut self, name: &str) -> bool {
        match self.find(name) {
            Ok(i) => {
                self.0.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// Whether `name` is in.
    pub fn contains(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// The names in order.
    pub fn iter(&self) -> std::slice::Iter<'_, String> {
        self.0.iter()
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first name in order.
    pub fn first(&self) -> Option<&String> {
        self.0.first()
    }

    /// Keeps the names `keep` accepts.
    pub fn retain(&mut self, keep: impl FnMut(&String) -> bool) {
        self.0.retain(keep);
    }

    /// Removes every name.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

impl Extend<String> for Names {
    fn extend<I: IntoIterator<Item = String>>(&mut self, names: I) {
        for n in names {
            self.insert(n);
        }
    }
}

impl FromIterator<String> for Names {
    fn from_iter<I: IntoIterator<Item = String>>(names: I) -> Names {
        let mut s = Names::new();
        s.extend(names);
        s
    }
}

impl<'a> IntoIterator for &'a Names {
    type Item = &'a String;
    type IntoIter = std::slice::Iter<'a, String>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl std::fmt::Debug for Names {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(&self.0).finish()
    }
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

    #[test]
    fn names_do_what_a_b_tree_set_does() {
        // The same operations on both, from the LCG's sequence: insert, remove, lookups, order.
        let mut names = Names::new();
        let mut want = BTreeSet::new();
        for (i, (k, at)) in data(500, 3).into_iter().enumerate() {
            let name = format!("n{}", (k as usize * 37 + at) % 61);
            if i % 3 == 2 {
                assert_eq!(names.remove(&name), want.remove(&name), "{name}");
            } else {
                assert_eq!(names.insert(name.clone()), want.insert(name), "step {i}");
            }
            assert_eq!(names.len(), want.len());
            assert_eq!(names.first(), want.first());
        }
        assert!(names.iter().eq(want.iter()));
        for k in 0..70 {
            let name = format!("n{k}");
            assert_eq!(names.contains(&name), want.contains(&name), "{name}");
        }
        names.retain(|n| n.len() == 2);
        want.retain(|n| n.len() == 2);
        assert!(names.iter().eq(want.iter()));
        assert_eq!(format!("{names:?}"), format!("{want:?}"));
        let built: Names = ["b", "a", "b"].iter().map(|s| s.to_string()).collect();
        assert_eq!(built.iter().collect::<Vec<_>>(), ["a", "b"]);
    }
}
