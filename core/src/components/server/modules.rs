//! A monolith's modules: a server's `modules` list names the parts of one deployable (catalog, cart,
//! search) whose code runs in the same process. A request's worker runs the server's own work and then every
//! module's in turn, in process: no link, no serialisation, one failure domain, and every instance carries
//! every module, so the server scales as one unit. The same application split into services is one server per
//! module, each called over an edge (a link's latency both ways, and each service's `serialisation_ms`).
//!
//! Written like a zone file, one module per line or separated by `;`: `NAME TIME [MEMORY]`, where TIME is
//! `4ms` (constant) or `~4ms` (exponential with that mean) and MEMORY is `2GiB` (what the module needs in
//! every instance; the cost table sizes an instance for the sum). Each module's time is drawn per request, in
//! list order, after the server's own; a server without modules draws exactly what it did before.

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::dist::Dist;
use crate::limits::{MODULE_GIB, MODULE_MS, out_of_range};
use crate::rng::SimRng;
use crate::time::SimTime;

/// One module of a monolith.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    /// its name
    pub name: String,
    /// CPU per request at speed 1
    pub time: Dist,
    /// memory it needs in every instance [GiB]
    pub memory_gib: f64,
}

/// Parses a `modules` list (see the module doc): `catalog 4ms 2GiB; search ~24ms 8GiB`.
pub fn parse_modules(text: &str) -> Result<Vec<Module>, String> {
    let mut out = Vec::new();
    for (i, line) in text.split([';', '\n']).enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        let n = i + 1;
        if words.len() < 2 || words.len() > 3 {
            return Err(format!(
                "module {n} (`{}`) must read `name time [memory]`, e.g. `search 24ms 8GiB`",
                line.trim()
            ));
        }
        let (exp, t) = match words[1].strip_prefix('~') {
            Some(rest) => (true, rest),
            None => (false, words[1]),
        };
        let ms = t
            .strip_suffix("ms")
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                format!(
                    "module {n}: time `{}` must read like `4ms` or `~4ms`",
                    words[1]
                )
            })?;
        if let Some(m) = out_of_range("time", ms, &MODULE_MS) {
            return Err(format!("module {n}: {m}"));
        }
        let memory_gib = match words.get(2) {
            Some(w) => {
                let g = w
                    .strip_suffix("GiB")
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| format!("module {n}: memory `{w}` must read like `2GiB`"))?;
                if let Some(m) = out_of_range("memory", g, &MODULE_GIB) {
                    return Err(format!("module {n}: {m}"));
                }
                g
            }
            None => 0.0,
        };
        out.push(Module {
            name: words[0].to_string(),
            time: if exp {
                Dist::Exponential { mean_ms: ms }
            } else {
                Dist::Constant { ms }
            },
            memory_gib,
        });
    }
    Ok(out)
}

/// The memory an instance needs for `text`'s modules [GiB] (0 when it names none or does not parse).
pub fn memory_gib(text: &str) -> f64 {
    parse_modules(text).map_or(0.0, |m| m.iter().map(|m| m.memory_gib).sum())
}

/// One module's figures in the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModuleFigure {
    /// its name
    pub name: String,
    /// worker time it took over the measurement window [s]
    pub cpu_s: f64,
    /// its share of the server's worker time (own work, serialisation and every module)
    pub share: f64,
}

/// A monolith's block: each module's share of the worker time, and the memory every instance carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModulesReport {
    /// per module, in list order
    pub modules: Vec<ModuleFigure>,
    /// the memory every instance needs for them [GiB]
    pub memory_gib: f64,
}

impl ModulesReport {
    pub(crate) fn digest(&self, h: &mut Digest) {
        for m in &self.modules {
            h.str(&m.name);
            h.f64s(&[m.cpu_s, m.share]);
        }
        h.f64(self.memory_gib);
    }

    /// Its part of the node's guard line in the runner's table.
    pub fn table_part(&self) -> String {
        let parts: Vec<String> = self
            .modules
            .iter()
            .map(|m| format!("{} {:.1}%", m.name, m.share * 100.0))
            .collect();
        format!(
            "modules: {} ({:.0} GiB an instance)",
            parts.join(", "),
            self.memory_gib
        )
    }
}

/// A monolith's block of the report: `modules`, and its `fleet` and `service` blocks when it has them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModulesDetail {
    /// each module's share of the worker time, the memory an instance carries
    pub modules: ModulesReport,
    /// an autoscaled monolith's instances
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fleet: Option<super::fleet::FleetReport>,
    /// shedding, bulkhead, side-effect and idempotency counts
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<super::ServiceReport>,
}

/// The modules a server runs in process, and the worker time each took.
pub(crate) struct Modules {
    list: Vec<Module>,
    /// per module, worker time drawn in the window [ns]
    cpu: Vec<u128>,
    /// every service drawn in the window [ns] (own work, serialisation and modules)
    total: u128,
}

impl Modules {
    /// The modules of `text`, if it names any (validation has parsed it).
    pub fn new(text: &str) -> Option<Modules> {
        let list = parse_modules(text).ok().filter(|l| !l.is_empty())?;
        Some(Modules {
            cpu: vec![0; list.len()],
            list,
            total: 0,
        })
    }

    /// Every module's time for one request at service-time multiplier `factor`, drawn in list order.
    pub fn work(&mut self, rng: &mut SimRng, factor: f64, counting: bool) -> SimTime {
        let mut d = SimTime::ZERO;
        for (i, m) in self.list.iter().enumerate() {
            let t = m.time.sample(rng, factor);
            if counting {
                self.cpu[i] += u128::from(t.0);
            }
            d = d.add(t);
        }
        d
    }

    /// A whole service of `d` was drawn (counted in the window).
    pub fn served(&mut self, d: SimTime, counting: bool) {
        if counting {
            self.total += u128::from(d.0);
        }
    }

    /// The report block.
    pub fn report(&self) -> ModulesReport {
        ModulesReport {
            modules: self
                .list
                .iter()
                .zip(&self.cpu)
                .map(|(m, &ns)| ModuleFigure {
                    name: m.name.clone(),
                    cpu_s: ns as f64 / 1e9,
                    share: if self.total > 0 {
                        ns as f64 / self.total as f64
                    } else {
                        0.0
                    },
                })
                .collect(),
            memory_gib: self.list.iter().map(|m| m.memory_gib).sum(),
        }
    }
}

impl super::Server {
    /// A service of `d` (own work) plus the serialisation CPU and the modules' work, all in this worker.
    pub(super) fn in_process(
        &mut self,
        ctx: &mut crate::components::Ctx<'_>,
        d: SimTime,
    ) -> SimTime {
        let d = if self.serial_ms > 0.0 {
            d.add(SimTime::from_ms(self.serial_ms * self.factor))
        } else {
            d
        };
        match self.modules.as_deref_mut() {
            Some(m) => {
                let d = d.add(m.work(ctx.rng, self.factor, self.counting));
                m.served(d, self.counting);
                d
            }
            None => d,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_parse_like_a_zone_file_and_errors_say_which() {
        let m = parse_modules("catalog 4ms 2GiB; search ~24ms 8GiB\ncart 0.5ms").expect("parses");
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].time, Dist::Constant { ms: 4.0 });
        assert_eq!(m[1].time, Dist::Exponential { mean_ms: 24.0 });
        assert_eq!((m[1].memory_gib, m[2].memory_gib), (8.0, 0.0));
        assert_eq!(memory_gib("catalog 4ms 2GiB; search ~24ms 8GiB"), 10.0);
        assert!(
            parse_modules("search")
                .expect_err("no time")
                .contains("module 1")
        );
        assert!(
            parse_modules("a 1ms; b 4s")
                .expect_err("unit")
                .contains("module 2")
        );
        assert!(
            parse_modules("a 1ms 9TiB")
                .expect_err("memory")
                .contains("memory")
        );
        assert!(parse_modules("").expect("empty").is_empty());
    }
}
