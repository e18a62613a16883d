//! The one interface between the engine and a component: the [`Component`] verbs (a request arrives, a
//! response comes back, a timer fires, the node is killed, revived or slowed, a request it holds is abandoned,
//! its levels for the canvas, its report block), the [`Ctx`] a verb gets and the [`Action`]s it pushes.
//!
//! A component never touches the engine: it reads the time, draws from the run's generator and pushes
//! actions, which the engine carries out in order after the verb returns. A kind that ignores a verb does not
//! override it and inherits the default below.

use crate::components::NodeDetail;
use crate::components::Params;
use crate::dist::Dist;
use crate::request::{Op, Outcome};
use crate::rng::SimRng;
use crate::time::SimTime;

/// Marks a path entry that holds no worker slot.
pub(crate) const NO_SLOT: u32 = u32::MAX;

/// What a component asks the engine to do.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Action {
    /// Send request `req` over the node's `port`-th outgoing edge; `slot` comes back with the response.
    Forward { req: u32, port: u32, slot: u32 },
    /// Send `req` over `port` again, like `Forward`, after its previous call from this node has answered (a
    /// GraphQL resolver's next call): the calls that answered are not counted as hops towards the hop limit,
    /// which stops loops, not a node's calls one after another.
    Recall { req: u32, port: u32, slot: u32 },
    /// Send `req` on like `Forward`, as the node's own: from here on nodes see the node's one exit address
    /// as its client (a forward proxy).
    Egress { req: u32, port: u32, slot: u32 },
    /// Send `req`'s response back to its caller, passing on `outcome` (the node did not cause it).
    Respond { req: u32, outcome: Outcome },
    /// Send `req`'s response back with an outcome this node caused (its error or its rejection).
    Fail { req: u32, outcome: Outcome },
    /// The service in worker `slot` (started with `token`) ends at `at`; for other kinds, any timer: the
    /// engine calls [`Component::on_timer`] with `slot` and `token` at `at`.
    ServiceDone { at: SimTime, slot: u32, token: u32 },
    /// A cache answers `req` from an entry holding `version` (the engine checks it for staleness and tells
    /// the node through [`Component::stale_hit`]).
    Hit { req: u32, version: u64 },
    /// Start a request of the node's own (a cache's flush or refresh) for `key` over `port`; its response
    /// comes back to the node with `slot`.
    Spawn {
        key: u64,
        op: Op,
        port: u32,
        slot: u32,
    },
    /// Start a request of the node's own like `Spawn`, as one more attempt of the node's own logical request
    /// `of` (a number the node gives it): every attempt of `of` carries the same idempotency key, so a
    /// server's dedupe store sees a redelivery as a repeat (a webhook provider's retries). The keys are the
    /// engine's, in a space of the node's own that no client request shares.
    SpawnAttempt {
        key: u64,
        op: Op,
        port: u32,
        slot: u32,
        of: u64,
    },
    /// A request the node started itself is answered and done: free it.
    Absorb { req: u32 },
    /// A resolver answers a lookup with `value` (a packed TTL and GeoDNS flag, see `dns::pack`).
    Answer { req: u32, value: u64 },
    /// Send copies of `req` over every port at once, as the node's [`Plan`] says; the plan's end comes back
    /// as one response to `req` with `slot` (through [`Component::on_response`]).
    Scatter { req: u32, slot: u32 },
    /// Ask for `bytes` of `req`'s body (a file after its headers): they cross each link of the request's path
    /// in turn from where it started, and [`Component::on_body`] gets `tag` when they are here
    /// (`sim/body.rs`).
    Pull { req: u32, bytes: u32, tag: u32 },
    /// Answer `req` with a redirect to this node (a pre-signed URL): the answer goes back headers only and the
    /// request's client sends it again straight here, over its own edge (an error when it has none).
    Redirect { req: u32 },
    /// Answer `req` successfully with a body of `bytes` (a download), which the servers it passes back
    /// through keep and a cache's later copy of its key carries.
    Reply { req: u32, bytes: u32 },
    /// Send a message of `bytes` carrying `value` back over the hop `req` arrived by, without answering `req`
    /// (a server-sent event over a held connection); the caller gets it through [`Component::on_push`] with
    /// the slot it sent `req` with, one link latency later (`sim/push.rs`).
    Push { req: u32, value: u64, bytes: u32 },
}

/// How a node's calls sent with [`Action::Scatter`] go out and end: `copies` calls over each port at once,
/// ended when `need` of them have succeeded (or, with `partial`, at that long after they left, with what
/// arrived by then). Without `partial` a plan fails as soon as too many calls have failed to reach `need`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Plan {
    /// the plan's name in the report (`parallel`, `first_k`)
    pub name: &'static str,
    /// calls over each port [≥ 1]
    pub copies: u32,
    /// successful answers that end the plan [1..ports × copies]
    pub need: u32,
    /// answer with what arrived this long after the calls left (successful when one call was)
    pub partial: Option<SimTime>,
}

/// What a component verb may use: the time, the random generator, and where to put its actions.
pub(crate) struct Ctx<'a> {
    /// now
    pub now: SimTime,
    /// the run's random generator
    pub rng: &'a mut SimRng,
    /// actions, executed by the engine in order after the verb returns
    pub out: &'a mut Vec<Action>,
    /// whether `now` is inside the measurement window (counts are taken only then)
    pub counting: bool,
}

/// What a node may know about a request it receives (copied from the request by the engine).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Incoming {
    /// the key it reads or writes
    pub key: u64,
    pub op: Op,
    /// the originating client's node index
    pub client: u32,
    /// the client address it came from
    pub addr: u32,
    /// the client's API key index (0..api_keys)
    pub api_key: u32,
    /// index of the client's request path in the engine's path table (`route_paths` below)
    pub route: u32,
    /// an attack payload (SQL injection, XSS) a signature rule recognises
    pub malicious: bool,
    /// started by a node, not a client (a cache flush, a queue delivery, a session lookup)
    pub internal: bool,
    /// when its caller stops waiting
    pub deadline: SimTime,
    /// its logical request (the idempotency key: retries of one request share it)
    pub idem: u64,
    /// the node that sent it here (the previous hop), by engine index
    pub caller: u32,
}

/// What building a node from the validated model may know: its parameters, its ports (outgoing edges in
/// topology order) and what they lead to, and the run's settings.
pub(crate) struct Build<'a> {
    /// the node's typed parameters
    pub params: &'a Params,
    /// the node's region (`""` when none)
    pub region: &'a str,
    /// per port: the target node's id, kind, region and parameters, and the edge's weight
    pub ports: &'a [Port<'a>],
    /// every client's request path, interned: a request carries its index, a gateway routes by it
    pub paths: &'a [String],
    /// the measurement window `[start, end)`: warm-up end and traffic end
    pub window: (SimTime, SimTime),
    /// every node's region, by engine index (a request's caller is named by its index)
    pub regions: &'a [String],
    /// the default one-way latency of a link from one region to another (what an edge between nodes there
    /// takes): for a kind whose parts sit in several regions
    pub link: &'a dyn Fn(&str, &str) -> Dist,
    /// spacing of the run's time series (zero: none)
    pub series: SimTime,
}

/// One outgoing edge of a node being built, and what it leads to.
pub(crate) struct Port<'a> {
    /// the target's id
    pub id: &'a str,
    /// the target's kind
    pub kind: crate::components::Kind,
    /// the target's region
    pub region: &'a str,
    /// the target's parameters
    pub params: &'a Params,
    /// the edge's weight [≥ 1]
    pub weight: u32,
}

/// What a kind's check found: an error (it cannot run) or a warning (it runs, probably not as meant).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Finding {
    /// a warning rather than an error
    pub warning: bool,
    /// the parameter it is about, if one is
    pub field: Option<&'static str>,
    /// the words after the node's name: ` has no …`, or `: route …`
    pub text: String,
}

/// A node's levels for the canvas and the time averages: workers taken and requests queued.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Levels {
    /// workers taken (serving or waiting on calls)
    pub busy: u32,
    /// requests waiting
    pub queue: u32,
}

/// The verbs every component offers the engine. Defaults are what a kind that has no use for a verb does.
pub(crate) trait Component {
    /// Builds the node from the validated model. An `Err` is a message about its parameters against its
    /// connections (validation reports the same through [`Component::check`]).
    fn build(b: &Build<'_>) -> Result<Self, String>
    where
        Self: Sized;

    /// Checks the node's parameters against its connections, before anything is built (the validator's
    /// view of a half-built diagram).
    fn check(_b: &Build<'_>) -> Vec<Finding>
    where
        Self: Sized,
    {
        Vec::new()
    }

    /// The regions the node's parts sit in, when it spans several (a replicated store's replicas), from its
    /// parameters and its own `region`; empty (the default) for a node that is one piece in its own region.
    /// An edge into a spanning node takes the latency to its part nearest the caller, and a partition splits
    /// it along its parts (see [`Component::partition`]).
    fn regions(_params: &Params, _region: &str) -> Vec<String>
    where
        Self: Sized,
    {
        Vec::new()
    }

    /// Time zero, after every node is built: warm a cache, arm timers.
    fn start(&mut self, _ctx: &mut Ctx<'_>) {}

    /// The network's partitions changed. `parts[j]` is the side of the node's part `j` (its
    /// [`Component::regions`], or one part for a node in one piece) and `nodes[i]` the side of node `i` of the
    /// diagram: two places can exchange messages when their sides are equal (all sides are 0 once every
    /// partition has healed).
    fn partition(&mut self, _ctx: &mut Ctx<'_>, _parts: &[u64], _nodes: &[u64]) {}

    /// Request `req` arrives. Returns whether it had to wait in a queue (counted as `waited`). A kind that
    /// takes no requests fails them.
    fn on_request(&mut self, ctx: &mut Ctx<'_>, req: u32, _inc: &Incoming) -> bool {
        ctx.out.push(Action::Fail {
            req,
            outcome: Outcome::Error,
        });
        false
    }

    /// The response to a request this node sent over a port (with the `slot` it sent it with) is back,
    /// with `outcome` and the `version` of the data it read. A kind that calls nothing never gets one; the
    /// default passes the outcome on to its own caller.
    fn on_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: u32,
        _slot: u32,
        outcome: Outcome,
        _version: u64,
    ) {
        ctx.out.push(Action::Respond { req, outcome });
    }

    /// A piece of a request's body this node asked for with [`Action::Pull`] (under `tag`) is here, or (`ok`
    /// false) a cut link refused it.
    fn on_body(&mut self, _ctx: &mut Ctx<'_>, _req: u32, _tag: u32, _ok: bool) {}
    /// A message a node holding this node's request sent with [`Action::Push`] arrives; `slot` is the one the
    /// request was sent with. A kind that never holds a connection open gets none.
    fn on_push(&mut self, _ctx: &mut Ctx<'_>, _slot: u32, _value: u64) {}

    /// A timer this node set with [`Action::ServiceDone`] fires.
    fn on_timer(&mut self, _ctx: &mut Ctx<'_>, _slot: u32, _token: u32) {}

    /// Request `req`, which this node sent on with `slot`, will never come back (its client gave up and a
    /// link lost it): release what the node holds for it.
    fn abandon(&mut self, _ctx: &mut Ctx<'_>, _req: u32, _slot: u32) {}

    /// The node dies: it fails or drops what it holds as its kind does.
    fn kill(&mut self, _ctx: &mut Ctx<'_>) {}

    /// The node comes back.
    fn revive(&mut self, _ctx: &mut Ctx<'_>) {}

    /// Service times are multiplied by `factor` from now on (a slow-down fault; 1 ends it).
    fn slow(&mut self, _factor: f64) {}

    /// Takes the parameters its vocabulary marks `live` from `params` at the clock (a page edit during a
    /// run); `false` when the kind takes none.
    fn retune(&mut self, _params: &Params) -> bool {
        false
    }

    /// The worker time its serving workers offered since the last call [ns × workers], for a kind whose
    /// workers change during a run (an autoscaled fleet: only ready instances count); `None` when it is always
    /// `workers()` (the series then takes interval × `workers()`).
    fn open_worker_ns(&mut self, _now: SimTime) -> Option<u128> {
        None
    }

    /// Workers (0 for kinds without).
    fn workers(&self) -> u32 {
        0
    }

    /// Workers taken and requests queued now; `None` for kinds whose levels are not tracked.
    fn levels(&self) -> Option<Levels> {
        None
    }

    /// Bytes held by queued requests (a server's queued job, another kind's `u32` index per request).
    fn queued_bytes(&self) -> usize {
        0
    }

    /// Whether the node may hold work that keeps the run going after the traffic (a broker's messages).
    fn holds_work(&self) -> bool {
        false
    }

    /// That work now: messages not yet consumed (0 for kinds that hold none).
    fn backlog(&self) -> u64 {
        0
    }

    /// A hit this node answered was stale (older than the data's last committed write).
    fn stale_hit(&mut self, _now: SimTime) {}

    /// Whether this node holds the data: its successful answers carry the key's committed version.
    fn stores_data(&self) -> bool {
        false
    }

    /// How often the node probes its ports' health (a load balancer's health checks), if it does.
    fn probe_interval(&self) -> Option<SimTime> {
        None
    }

    /// One health probe of every port: `up(port)` says whether the port's target answers.
    fn probe(&mut self, _up: &dyn Fn(u32) -> bool) {}

    /// How the node's [`Action::Scatter`] calls go out and end, if it makes any (read once, at build).
    fn plan(&self) -> Option<Plan> {
        None
    }

    /// The request worker `slot` is serving now, if the kind has workers and one is (what a request's
    /// waterfall reads to split queueing from service).
    fn job_in(&self, _slot: u32) -> Option<u32> {
        None
    }

    /// A copy of a call that lost to another copy (a tied hedge): remove request `req` if it still waits in
    /// this node's queue, answering it at once; returns whether it did.
    fn cancel(&mut self, _ctx: &mut Ctx<'_>, _req: u32) -> bool {
        false
    }

    /// The node's block of the report, at `now` over a window of `window_ns`, with its ports' target ids.
    fn detail(&self, _now: SimTime, _window_ns: u64, _targets: &[&str]) -> Option<NodeDetail> {
        None
    }
}

/// The message when a node's parameters are not its type's (validation makes this impossible).
pub(crate) fn mismatch(what: &str, got: &Params) -> String {
    format!("a {what} cannot be built from {got:?}")
}
