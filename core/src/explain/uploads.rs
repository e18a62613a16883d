//! Uploads and the application server: named when an object store took uploads through another node (the
//! app server streamed the files, a worker held for each whole transfer), and when it handed out pre-signed
//! URLs (the app only signed; the bytes it did not carry).

use super::{Finding, Level, percent};
use crate::components::Kind;
use crate::report::Report;
use crate::topology::Topology;

/// One finding per object store that took uploads through an app, or handed out pre-signed URLs.
pub(super) fn upload_findings(topology: &Topology, report: &Report) -> Vec<Finding> {
    let mut out = Vec::new();
    for (id, n) in &report.nodes {
        let Some(o) = n.detail.as_ref().and_then(|d| d.object_store()) else {
            continue;
        };
        let apps: Vec<&str> = topology
            .edges
            .iter()
            .filter(|e| e.to == *id)
            .map(|e| e.from.as_str())
            .filter(|a| report.nodes.get(*a).is_some_and(|r| r.kind == Kind::Server))
            .collect();
        if o.app_uploads > 0 {
            let held: Vec<String> = apps
                .iter()
                .map(|a| {
                    let r = &report.nodes[*a];
                    format!(
                        "{a} holds a worker {:.0} ms an upload, busy {}",
                        r.mean_time_ms,
                        percent(r.utilization)
                    )
                })
                .collect();
            out.push(Finding {
                level: Level::Info,
                node: Some(id.clone()),
                text: format!(
                    "{id}: {} uploads ({:.1} MB) passed through the app server{}: pre-signed URLs (`upload: \
                     presigned`) would let clients send the files straight to the bucket",
                    o.app_uploads,
                    (o.bytes_in - o.app_bytes_avoided / 2) as f64 / 1e6,
                    if held.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", held.join("; "))
                    }
                ),
            });
        }
        if o.presigned_urls > 0 {
            out.push(Finding {
                level: Level::Info,
                node: Some(id.clone()),
                text: format!(
                    "{id}: the app only signed {} uploads (pre-signed URLs); the clients sent the files straight \
                     to the bucket, {:.1} MB the app did not carry in and out, at least {:.0} s of its workers' \
                     time avoided",
                    o.presigned_urls,
                    o.app_bytes_avoided as f64 / 1e6,
                    o.app_busy_ms_avoided / 1e3
                ),
            });
        }
    }
    out
}
