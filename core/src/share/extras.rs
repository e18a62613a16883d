//! The column of per-edge objects that share formats v2, v3 and v4 append to a v1 payload: each version
//! names which edge fields it carries ([`EdgeExtras`]); the column's layout and its checks are one.
//!
//! ```text
//! payload  = v1 payload of the diagram, the carried fields left out
//!            · count k · k×(varint edge index · object extras)                   (nothing may follow)
//! extras   = the edge's carried fields that are set, as a v1 object; indices strictly increasing
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::ShareError;
use super::v1;
use super::wire::{Reader, garbled};
use crate::topology::{Edge, Topology};

/// The edge fields one share version carries beside the v1 layout.
pub(crate) trait EdgeExtras: Serialize + DeserializeOwned + Default + PartialEq {
    /// One entry in the user's words, for messages ("a call policy").
    const ONE: &'static str;
    /// Several entries ("call policies").
    const MANY: &'static str;
    /// Moves the carried fields out of `e` (left as v1 writes it).
    fn take(e: &mut Edge) -> Self;
    /// Puts the carried fields back on `e`.
    fn put(self, e: &mut Edge);
}

/// `t` in the v1 layout without the fields `X` carries, then those fields' column.
pub(crate) fn encode<X: EdgeExtras>(t: &Topology) -> Vec<u8> {
    let mut plain = t.clone();
    let mut extras = Vec::new();
    for (i, e) in plain.edges.iter_mut().enumerate() {
        let x = X::take(e);
        if x != X::default() {
            extras.push((i, x));
        }
    }
    let mut w = v1::write(&plain);
    w.len(extras.len());
    for (i, x) in extras {
        w.len(i);
        match serde_json::to_value(&x).expect("an edge's extras serialise") {
            Value::Object(map) => v1::write_object(&mut w, &map),
            _ => unreachable!("an edge's extras serialise to an object"),
        }
    }
    w.into_bytes()
}

/// The topology in a payload [`encode`] wrote for `X`.
pub(crate) fn decode<X: EdgeExtras>(bytes: &[u8], budget: usize) -> Result<Topology, ShareError> {
    let mut r = Reader::new(bytes, budget);
    let mut t = v1::read(&mut r)?;
    // Each entry takes at least an index and an entry count.
    let k = r.count(2, X::MANY)?;
    let mut last = None;
    for _ in 0..k {
        let i = r.varint()?;
        let Some(e) = usize::try_from(i).ok().and_then(|i| t.edges.get_mut(i)) else {
            return Err(garbled(format!(
                "{} names edge #{i}, which the link does not have",
                X::ONE
            )));
        };
        if last.is_some_and(|l| l >= i) {
            return Err(garbled(format!("{} are out of order", X::MANY)));
        }
        last = Some(i);
        let map = v1::read_object(&mut r, 0)?;
        let x: X = serde_json::from_value(Value::Object(map))
            .map_err(|err| garbled(format!("{} does not decode ({err})", X::ONE)))?;
        if x == X::default() {
            return Err(garbled(format!("{} is empty", X::ONE)));
        }
        x.put(e);
    }
    r.finish()?;
    Ok(t)
}
