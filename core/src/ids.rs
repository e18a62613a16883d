//! Compact runtime identifiers. The topology names nodes and edges with strings; the engine uses `u32` indices
//! into its own vectors, assigned in topology order, so they are stable for a given diagram.

use serde::{Deserialize, Serialize};

/// Index of a node in the engine, in the order the topology lists its nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeIdx(pub u32);

/// Index of an edge in the engine, in the order the topology lists its edges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EdgeIdx(pub u32);

/// A request's id: unique within one run, assigned in creation order starting at 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RequestId(pub u64);

impl NodeIdx {
    /// As a vector index.
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}

impl EdgeIdx {
    /// As a vector index.
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}
