//! Row locks of a database's write transactions: an exclusive lock per row (key), a FIFO queue of the
//! transactions waiting for it, and deadlock detection on the waits-for graph.
//!
//! ```text
//!   T asks for row r ──> r free: T holds it
//!                   └──> r held by H: follow H → the holder of the row H waits for → …
//!                          reaches T: a deadlock (T is refused, nothing changes; the caller aborts T)
//!                          ends:      T queues behind r's waiters
//!   T commits or aborts ──> each row it held passes to the first transaction waiting for it
//! ```
//!
//! Every lock is exclusive, so a waiter only waits for a row's holder, and a transaction waits for at most
//! one row. A cycle can only close when a running transaction asks for a row (a grant hands a row to a
//! transaction that then waits for nothing), so checking each request finds every deadlock the moment it
//! forms, and the graph never holds a cycle (`tests/it/locks.rs` checks it by property).

use std::collections::{BTreeMap, VecDeque};

/// What asking for a row gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// the row was free (or already held by the asker): it holds it now
    Granted,
    /// the row is held: the asker waits in its queue
    Waits,
    /// waiting would close a cycle of transactions waiting for each other: refused, nothing changed
    Deadlock,
}

#[derive(Clone, Debug)]
struct Row {
    holder: u32,
    queue: VecDeque<u32>,
}

/// The lock table: rows held and waited for, by transaction id `0..transactions`.
#[derive(Clone, Debug, Default)]
pub struct LockTable {
    rows: BTreeMap<u64, Row>,
    /// the row each transaction waits for
    waiting: Vec<Option<u64>>,
    /// the rows each transaction holds, in the order it took them
    held: Vec<Vec<u64>>,
}

impl LockTable {
    /// A table for transaction ids `0..transactions`.
    pub fn new(transactions: u32) -> LockTable {
        LockTable {
            rows: BTreeMap::new(),
            waiting: vec![None; transactions as usize],
            held: vec![Vec::new(); transactions as usize],
        }
    }

    /// Transaction `tx` asks for `row`.
    pub fn ask(&mut self, tx: u32, row: u64) -> Ask {
        let Some(r) = self.rows.get_mut(&row) else {
            self.rows.insert(
                row,
                Row {
                    holder: tx,
                    queue: VecDeque::new(),
                },
            );
            self.held[tx as usize].push(row);
            return Ask::Granted;
        };
        if r.holder == tx {
            return Ask::Granted;
        }
        let holder = r.holder;
        if self.leads_to(holder, tx) {
            return Ask::Deadlock;
        }
        if let Some(r) = self.rows.get_mut(&row) {
            r.queue.push_back(tx);
        }
        self.waiting[tx as usize] = Some(row);
        Ask::Waits
    }

    /// Whether following "waits for the holder of" from `from` reaches `to`.
    fn leads_to(&self, from: u32, to: u32) -> bool {
        let mut t = from;
        // A chain visits each transaction at most once (the graph has no cycle), so this bound never cuts
        // a real chain short.
        for _ in 0..=self.waiting.len() {
            if t == to {
                return true;
            }
            let Some(row) = self.waiting[t as usize] else {
                return false;
            };
            match self.rows.get(&row) {
                Some(r) => t = r.holder,
                None => return false,
            }
        }
        false
    }

    /// The transaction `tx` waits for (the holder of the row it asked for), if it waits.
    pub fn waits_for(&self, tx: u32) -> Option<u32> {
        let row = self.waiting[tx as usize]?;
        self.rows.get(&row).map(|r| r.holder)
    }

    /// The row `tx` waits for, if any.
    pub fn waiting_row(&self, tx: u32) -> Option<u64> {
        self.waiting[tx as usize]
    }

    /// The rows `tx` holds.
    pub fn held(&self, tx: u32) -> &[u64] {
        &self.held[tx as usize]
    }

    /// `tx` ends (commits, aborts or is killed): it leaves the queue it waits in and gives up every row it
    /// holds. Returns the rows handed on, as `(new holder, row)`, in the order `tx` took them.
    pub fn release(&mut self, tx: u32) -> Vec<(u32, u64)> {
        if let Some(row) = self.waiting[tx as usize].take()
            && let Some(r) = self.rows.get_mut(&row)
        {
            r.queue.retain(|&t| t != tx);
        }
        let mut granted = Vec::new();
        for row in std::mem::take(&mut self.held[tx as usize]) {
            let Some(r) = self.rows.get_mut(&row) else {
                continue;
            };
            match r.queue.pop_front() {
                Some(next) => {
                    r.holder = next;
                    self.waiting[next as usize] = None;
                    self.held[next as usize].push(row);
                    granted.push((next, row));
                }
                None => {
                    self.rows.remove(&row);
                }
            }
        }
        granted
    }

    /// Whether any transactions wait for each other in a cycle (never, if every request went through
    /// [`LockTable::ask`]).
    pub fn has_cycle(&self) -> bool {
        (0..self.waiting.len() as u32).any(|t| {
            self.waits_for(t)
                .is_some_and(|h| h != t && self.leads_to_bounded(h, t))
        })
    }

    /// [`LockTable::leads_to`] for a graph that may hold a cycle not through `to`.
    fn leads_to_bounded(&self, from: u32, to: u32) -> bool {
        let mut t = from;
        for _ in 0..=self.waiting.len() {
            if t == to {
                return true;
            }
            match self.waits_for(t) {
                Some(h) => t = h,
                None => return false,
            }
        }
        false
    }

    /// Rows locked now.
    pub fn locked_rows(&self) -> usize {
        self.rows.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opposite_orders_deadlock_and_the_second_asker_is_refused() {
        let mut t = LockTable::new(2);
        assert_eq!(t.ask(0, 10), Ask::Granted);
        assert_eq!(t.ask(1, 20), Ask::Granted);
        assert_eq!(t.ask(0, 20), Ask::Waits);
        assert_eq!(t.ask(1, 10), Ask::Deadlock);
        assert!(!t.has_cycle());
        // The victim aborts: its row passes to the other transaction, which now holds both.
        assert_eq!(t.release(1), vec![(0, 20)]);
        assert_eq!(t.held(0), &[10, 20]);
        assert_eq!(t.release(0), Vec::new());
        assert_eq!(t.locked_rows(), 0);
    }

    #[test]
    fn waiters_get_a_row_first_come_first_served() {
        let mut t = LockTable::new(3);
        t.ask(0, 1);
        assert_eq!((t.ask(1, 1), t.ask(2, 1)), (Ask::Waits, Ask::Waits));
        assert_eq!(t.waits_for(2), Some(0));
        assert_eq!(t.release(0), vec![(1, 1)]);
        assert_eq!(t.waits_for(2), Some(1));
        assert_eq!(t.release(1), vec![(2, 1)]);
    }
}
