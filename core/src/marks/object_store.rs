//! An object store's figures in the page (`data-metric` keys): uploads (direct and through the app,
//! multipart), downloads, objects, bytes in and out, time per MB and the application server's load avoided.

use super::{Figure, figure};
use crate::components::ObjectStoreReport;

/// Its figures, in the inspector's order.
pub(super) fn figures(o: &ObjectStoreReport) -> Vec<Figure> {
    vec![
        figure(
            "obj_uploads",
            "uploads (direct, through the app)",
            format!("{} ({}, {})", o.uploads, o.direct_uploads, o.app_uploads),
            "",
        ),
        figure(
            "obj_multipart",
            "multipart uploads (parts)",
            format!("{} ({})", o.multipart_uploads, o.parts),
            "",
        ),
        figure("obj_downloads", "downloads", o.downloads.to_string(), ""),
        figure("obj_objects", "objects stored", o.objects.to_string(), ""),
        figure("obj_bytes_in", "bytes in", o.bytes_in.to_string(), "B"),
        figure("obj_bytes_out", "bytes out", o.bytes_out.to_string(), "B"),
        figure(
            "obj_ms_per_mb",
            "upload time per MB",
            format!("{:.1}", o.ms_per_mb),
            "ms",
        ),
        figure(
            "obj_presigned",
            "pre-signed URLs handed out",
            o.presigned_urls.to_string(),
            "",
        ),
        figure(
            "obj_app_bytes_avoided",
            "app server bytes avoided",
            o.app_bytes_avoided.to_string(),
            "B",
        ),
        figure(
            "obj_app_busy_avoided",
            "app worker time avoided (at least)",
            format!("{:.0}", o.app_busy_ms_avoided),
            "ms",
        ),
    ]
}

/// The card's one figure: upload time per MB, once something was uploaded.
pub(super) fn card(o: &ObjectStoreReport) -> Option<(&'static str, String, String)> {
    (o.uploads > 0).then(|| {
        (
            "obj_ms_per_mb",
            format!("{:.0} ms/MB", o.ms_per_mb),
            format!(
                "{} uploads, {:.1} ms per MB of body ({} direct, {} through the app)",
                o.uploads, o.ms_per_mb, o.direct_uploads, o.app_uploads
            ),
        )
    })
}
