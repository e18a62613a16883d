//! Denormalisation: the trade of joins for copies. Normalised, a read joins `join_tables` tables, one index
//! lookup each, and an update writes its one row. Denormalised, the columns a read would join are copied into
//! the row it reads, so a read looks up one table, and an update writes every copy (`copies_per_update`: the
//! row and the rows holding a copy of it), each a full write.
//!
//! ```text
//!   normalised:   read = fixed + join_tables × lookup     update = 1 × write
//!   denormalised: read = fixed + 1 × lookup               update = copies_per_update × write
//! ```

use super::DatabaseParams;

/// Tables a read looks up: `join_tables`, or 1 when denormalised.
pub(crate) fn read_tables(p: &DatabaseParams) -> u32 {
    if p.denormalised {
        1
    } else {
        p.join_tables.max(1)
    }
}

/// Rows an update writes: 1, or `copies_per_update` when denormalised.
pub fn writes_per_update(p: &DatabaseParams) -> u32 {
    if p.denormalised {
        p.copies_per_update.max(1)
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::super::cost::{Preset, Table};
    use super::*;

    #[test]
    fn denormalising_trades_joins_for_copies() {
        let normal = DatabaseParams {
            join_tables: 3,
            copies_per_update: 3,
            ..DatabaseParams::default()
        };
        assert_eq!((read_tables(&normal), writes_per_update(&normal)), (3, 1));
        let denormal = DatabaseParams {
            denormalised: true,
            ..normal.clone()
        };
        assert_eq!(
            (read_tables(&denormal), writes_per_update(&denormal)),
            (1, 3)
        );
        // SQL at 10 000 rows: a lookup is 0.05 × log2(10 001) ms; a read 0.5 + 3 lookups against 0.5 + 1.
        let c = Preset::Sql.costs().expect("sql has costs");
        let t = |tables| Table {
            indexed: true,
            indexes: 0,
            join_tables: tables,
            scan_bytes: 0,
        };
        let lookup = 0.05 * libm::log2(10_001.0);
        assert!((c.read(&t(read_tables(&normal)), 10_000) - (0.5 + 3.0 * lookup)).abs() < 1e-12);
        assert!((c.read(&t(read_tables(&denormal)), 10_000) - (0.5 + lookup)).abs() < 1e-12);
    }
}
