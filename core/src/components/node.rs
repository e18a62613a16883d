//! The dispatch enum: one variant per component type, and each [`Component`] verb matched over it in exactly
//! one place, generated from the one table below (static dispatch, no trait objects on the hot path).
//!
//! Adding a kind adds one line to the table: `Variant(Type) for Kind | OtherKind;` — the kinds whose nodes
//! run as `Type` (a CDN edge runs as a cache, a name server as a server).

use super::cache::Cache;
use super::client::Client;
use super::database::Database;
use super::dns::Resolver;
use super::forward_proxy::ForwardProxy;
use super::gateway::Gateway;
use super::interface::{Build, Component, Ctx, Finding, Incoming, Levels, Plan};
use super::kv::KvStore;
use super::load_balancer::LoadBalancer;
use super::messaging::Broker;
use super::projection::Projection;
use super::rate_limiter::RateLimiter;
use super::saga::Saga;
use super::server::Server;
use super::waf::Waf;
use super::{Kind, NodeDetail, Params};
use crate::request::Outcome;
use crate::time::SimTime;

macro_rules! node_kinds {
    ($( $variant:ident($ty:ty) for $($kind:ident)|+; )*) => {
        /// A node's runtime state: one variant per component type, each boxed so the engine's node vector
        /// stays small whatever a kind holds.
        pub(crate) enum NodeRt {
            $(
                #[allow(missing_docs)]
                $variant(Box<$ty>),
            )*
        }

        impl NodeRt {
            /// Builds a node of `kind` from the validated model.
            pub fn build(kind: Kind, b: &Build<'_>) -> Result<NodeRt, String> {
                match kind {
                    $( $(Kind::$kind)|+ => Ok(NodeRt::$variant(Box::new(<$ty as Component>::build(b)?))), )*
                }
            }

            /// Checks a node of `kind` against its connections (validation).
            pub fn check(kind: Kind, b: &Build<'_>) -> Vec<Finding> {
                match kind {
                    $( $(Kind::$kind)|+ => <$ty as Component>::check(b), )*
                }
            }

            /// The regions a node of `kind` spans (empty: one piece in its own region).
            pub fn regions(kind: Kind, params: &Params, region: &str) -> Vec<String> {
                match kind {
                    $( $(Kind::$kind)|+ => <$ty as Component>::regions(params, region), )*
                }
            }
        }

        node_kinds!(@verbs [$($variant)*]
            start(ctx: &mut Ctx<'_>) -> ();
            partition(ctx: &mut Ctx<'_>, parts: &[u64], nodes: &[u64]) -> ();
            on_request(ctx: &mut Ctx<'_>, req: u32, inc: &Incoming) -> bool;
            on_response(ctx: &mut Ctx<'_>, req: u32, slot: u32, outcome: Outcome, version: u64) -> ();
            on_timer(ctx: &mut Ctx<'_>, slot: u32, token: u32) -> ();
            abandon(ctx: &mut Ctx<'_>, req: u32, slot: u32) -> ();
            kill(ctx: &mut Ctx<'_>) -> ();
            revive(ctx: &mut Ctx<'_>) -> ();
            slow(factor: f64) -> ();
            stale_hit(now: SimTime) -> ();
            probe(up: &dyn Fn(u32) -> bool) -> ();
            cancel(ctx: &mut Ctx<'_>, req: u32) -> bool;
            retune(params: &Params) -> bool;
            open_worker_ns(now: SimTime) -> Option<u128>;
        );
        node_kinds!(@views [$($variant)*]
            workers() -> u32;
            levels() -> Option<Levels>;
            queued_bytes() -> usize;
            holds_work() -> bool;
            backlog() -> u64;
            stores_data() -> bool;
            probe_interval() -> Option<SimTime>;
            detail(now: SimTime, window_ns: u64, targets: &[&str]) -> Option<NodeDetail>;
            plan() -> Option<Plan>;
            job_in(slot: u32) -> Option<u32>;
        );
    };
    // Each verb calls the trait's method (not a same-named inherent one), on the boxed component.
    (@verbs $variants:tt $( $verb:ident($($arg:ident: $t:ty),*) -> $ret:ty; )*) => {
        impl NodeRt {
            $( node_kinds!(@mut $variants $verb($($arg: $t),*) -> $ret, n, (&mut **n, $($arg),*)); )*
        }
    };
    (@views $variants:tt $( $verb:ident($($arg:ident: $t:ty),*) -> $ret:ty; )*) => {
        impl NodeRt {
            $( node_kinds!(@ref $variants $verb($($arg: $t),*) -> $ret, n, (&**n, $($arg),*)); )*
        }
    };
    (@mut [$($variant:ident)*] $verb:ident($($arg:ident: $t:ty),*) -> $ret:ty, $n:ident, $call:tt) => {
        #[inline]
        pub fn $verb(&mut self, $($arg: $t),*) -> $ret {
            match self { $( NodeRt::$variant($n) => Component::$verb $call, )* }
        }
    };
    (@ref [$($variant:ident)*] $verb:ident($($arg:ident: $t:ty),*) -> $ret:ty, $n:ident, $call:tt) => {
        #[inline]
        pub fn $verb(&self, $($arg: $t),*) -> $ret {
            match self { $( NodeRt::$variant($n) => Component::$verb $call, )* }
        }
    };
}

node_kinds! {
    Client(Client) for Client;
    Server(Server) for Server | DnsServer;
    Lb(LoadBalancer) for LoadBalancer;
    Cache(Cache) for Cache | CdnEdge;
    Resolver(Resolver) for DnsResolver;
    Msg(Broker) for Queue | Topic | Stream;
    Database(Database) for Database;
    Gateway(Gateway) for ApiGateway;
    Waf(Waf) for Waf;
    Limiter(RateLimiter) for RateLimiter;
    Kv(KvStore) for KvStore;
    Proxy(ForwardProxy) for ForwardProxy;
    Saga(Saga) for Saga;
    Projection(Projection) for Projection;
}

impl NodeRt {
    /// The client's state, when this node is a client (the traffic sources the engine drives itself).
    pub fn as_client(&mut self) -> Option<&mut Client> {
        match self {
            NodeRt::Client(c) => Some(c),
            _ => None,
        }
    }

    /// The same, to read.
    pub fn as_client_ref(&self) -> Option<&Client> {
        match self {
            NodeRt::Client(c) => Some(c),
            _ => None,
        }
    }
}
