//! Changing a running simulation's parameters in place, for the page's edits during a run: a client's rate,
//! a server's speed, service time, error probability and queue capacity take effect at the current clock
//! without a restart. Anything else (a worker count, which the utilisation integrals are divided by; a new
//! node or edge; a policy) needs a rebuild from time zero, which the page asks before doing.
//!
//! A change applies between events, at the clock: a client's pending arrival, drawn at the old rate, is
//! dropped (its epoch is bumped) and the next one is drawn at the new rate from now, exact for Poisson
//! arrivals (memoryless); a server's requests already in service keep the time they drew, the next ones draw
//! from the new distribution and speed; a smaller queue turns away new arrivals until it is under the limit.

use super::Sim;
use crate::components::{Kind, parse_params};
use crate::topology::Node;

/// The parameters of `kind` a running simulation takes without a restart (its vocabulary's `live` terms).
pub fn live_params(kind: Kind) -> Vec<&'static str> {
    kind.vocab().live().collect()
}

/// The parameter names whose values differ between `old` and `new` (absent counts as a value).
pub fn changed_params(old: &Node, new: &Node) -> Vec<String> {
    let mut keys: Vec<&String> = old.params.keys().chain(new.params.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| old.params.get(*k) != new.params.get(*k))
        .cloned()
        .collect()
}

/// Why a change cannot be applied to a running simulation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotLive(pub String);

impl Sim {
    /// Applies node `new`'s parameters now, when it differs from `old` (the same node as the simulation was
    /// built or last retuned with) only in its kind's [`live_params`]; otherwise changes nothing and says why.
    pub fn retune(&mut self, old: &Node, new: &Node) -> Result<(), NotLive> {
        if old.id != new.id || old.kind != new.kind {
            return Err(NotLive("a different node".into()));
        }
        let kind = Kind::from_name(&new.kind).ok_or_else(|| NotLive("an unknown kind".into()))?;
        let live = live_params(kind);
        if let Some(k) = changed_params(old, new)
            .into_iter()
            .find(|k| !live.contains(&k.as_str()))
        {
            return Err(NotLive(format!(
                "`{k}` of a {} changes only from the start",
                kind.info().title.to_lowercase()
            )));
        }
        let params = parse_params(kind, &new.params)
            .map_err(|_| NotLive("the new value does not decode".into()))?;
        let i = self
            .node_index(&new.id)
            .ok_or_else(|| NotLive("the node is not in the run".into()))?
            .0;
        if !self.nodes[i as usize].retune(&params) {
            return Err(NotLive("this kind changes only from the start".into()));
        }
        // A client whose rate changed draws its next arrival from now (its pending one is dropped).
        self.arm_client(i);
        Ok(())
    }
}
