//! Query cost from the data. A table grows by one row per committed write; an indexed lookup walks a
//! B-tree, about `log2(rows)` levels, a scan reads every row; a join does one lookup per table; each index
//! is one more structure a write must update. The SQL and NoSQL presets set the constants.
//!
//! With a row width (`row_bytes`), a scan reads pages instead of rows: a page of [`PAGE_BYTES`] holds
//! ⌊8192 ÷ width⌋ rows, so a scan of `rows` reads ⌈rows ÷ that⌉ pages. Vertical partitioning moves the
//! columns reads need (`hot_bytes` of them) into a table of their own, so a scan reads narrow rows: more
//! rows a page, fewer pages.

use serde::{Deserialize, Serialize};

/// The database engine's cost preset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// no data model: every query takes `service_time` (the database as a server preset, as before)
    Plain,
    /// a relational store: B-tree indexes, durable writes (a log flush per commit), joins in the engine
    Sql,
    /// a key-value / document store: cheap lookups by key, lighter writes
    Nosql,
}

/// The constants of a preset [ms].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Costs {
    /// fixed cost of any read (parse, plan, network stack)
    pub read_ms: f64,
    /// per B-tree level of an indexed lookup
    pub level_ms: f64,
    /// per row of a scan
    pub row_ms: f64,
    /// fixed cost of a write (the commit)
    pub write_ms: f64,
    /// per index a write updates
    pub index_ms: f64,
    /// per page a scan reads, when rows have a width
    pub page_ms: f64,
}

/// Bytes of a page.
pub const PAGE_BYTES: u64 = 8192;

/// Pages a scan of `rows` rows of `width` bytes reads: ⌈rows ÷ ⌊8192 ÷ width⌋⌉ (a row wider than a page
/// takes ⌈width ÷ 8192⌉ pages).
pub fn pages(rows: u64, width: u64) -> u64 {
    let width = width.max(1);
    if width > PAGE_BYTES {
        return rows.saturating_mul(width.div_ceil(PAGE_BYTES));
    }
    rows.div_ceil(PAGE_BYTES / width)
}

impl Preset {
    /// The preset's constants, or `None` for [`Preset::Plain`].
    pub fn costs(self) -> Option<Costs> {
        match self {
            Preset::Plain => None,
            Preset::Sql => Some(Costs {
                read_ms: 0.5,
                level_ms: 0.05,
                row_ms: 0.0005,
                write_ms: 1.5,
                index_ms: 0.3,
                page_ms: 0.01,
            }),
            Preset::Nosql => Some(Costs {
                read_ms: 0.3,
                level_ms: 0.02,
                row_ms: 0.001,
                write_ms: 0.4,
                index_ms: 0.2,
                page_ms: 0.01,
            }),
        }
    }
}

/// The shape of the table and its queries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Table {
    /// reads use an index on the key (else they scan)
    pub indexed: bool,
    /// secondary indexes every write also updates
    pub indexes: u32,
    /// tables a read joins (1 = a denormalised read of one row)
    pub join_tables: u32,
    /// bytes of the row a scan reads (0: rows have no width, a scan costs per row)
    pub scan_bytes: u64,
}

impl Costs {
    /// Mean cost of one read of a table of `rows` rows [ms]: per joined table, one lookup (indexed) or one
    /// scan.
    pub fn read(&self, t: &Table, rows: u64) -> f64 {
        let per_table = if t.indexed {
            self.level_ms * libm::log2(rows.max(1) as f64 + 1.0)
        } else if t.scan_bytes > 0 {
            self.page_ms * pages(rows, t.scan_bytes) as f64
        } else {
            self.row_ms * rows as f64
        };
        self.read_ms + f64::from(t.join_tables.max(1)) * per_table
    }

    /// Mean cost of one write [ms]: the commit plus every index it updates (the key index when `indexed`).
    pub fn write(&self, t: &Table) -> f64 {
        self.write_ms + self.index_ms * f64::from(t.indexes + u32::from(t.indexed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Table = Table {
        indexed: true,
        indexes: 0,
        join_tables: 1,
        scan_bytes: 0,
    };

    #[test]
    fn an_index_lookup_grows_with_log_rows_and_a_scan_with_rows() {
        let c = Preset::Sql.costs().expect("sql has costs");
        let small = c.read(&T, 1_000) - c.read_ms;
        let big = c.read(&T, 1_000_000) - c.read_ms;
        assert!((big / small - 2.0).abs() < 0.01, "{small} {big}");
        let scan = Table {
            indexed: false,
            ..T
        };
        assert!(
            (c.read(&scan, 1_000_000) - c.read(&scan, 1_000) - 0.0005 * 999_000.0).abs() < 1e-9
        );
    }

    #[test]
    fn joins_and_indexes_cost_more() {
        let c = Preset::Nosql.costs().expect("nosql has costs");
        let join = Table {
            join_tables: 3,
            ..T
        };
        assert!(c.read(&join, 10_000) > c.read(&T, 10_000));
        let more = Table { indexes: 2, ..T };
        assert!((c.write(&more) - c.write(&T) - 0.4).abs() < 1e-12);
        assert!(Preset::Sql.costs().unwrap().write(&T) > c.write(&T));
    }

    #[test]
    fn a_scan_reads_pages_and_narrow_rows_fill_more_of_a_page() {
        // 1 KB rows: 8 a page, 10 000 rows in 1250 pages; 100-byte hot columns: 81 a page, 124 pages.
        assert_eq!(pages(10_000, 1024), 1250);
        assert_eq!(pages(10_000, 100), 124);
        assert_eq!(pages(10_001, 1024), 1251);
        assert_eq!(pages(3, 20_000), 9);
        let c = Preset::Sql.costs().expect("sql has costs");
        let wide = Table {
            indexed: false,
            scan_bytes: 1024,
            ..T
        };
        assert!((c.read(&wide, 10_000) - (0.5 + 0.01 * 1250.0)).abs() < 1e-9);
    }
}
