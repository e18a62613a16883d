//! The fixed regions of the page (header, palette, canvas, inspector, metrics) and their empty states.

use yew::prelude::*;

/// Top bar: product name and version.
#[component]
pub fn Header() -> Html {
    html! {
        <header class="topbar" data-region="header">
            <div class="brand">
                <svg class="brand-mark" viewBox="0 0 24 24" aria-hidden="true">
                    <circle cx="5" cy="12" r="3" />
                    <circle cx="19" cy="6" r="3" />
                    <circle cx="19" cy="18" r="3" />
                    <path d="M8 11 L16 7 M8 13 L16 17" />
                </svg>
                <h1 class="brand-name">{ playground_core::PRODUCT_NAME }</h1>
                <span class="brand-version">{ format!("v{}", playground_core::VERSION) }</span>
            </div>
        </header>
    }
}

/// Left column: the component palette.
#[component]
pub fn PaletteArea() -> Html {
    html! {
        <aside class="panel palette" data-region="palette" aria-label="Component palette">
            <h2 class="panel-title">{ "Components" }</h2>
            <p class="empty-hint">{ "Clients, DNS, load balancers, servers, caches, databases and queues will be listed here." }</p>
        </aside>
    }
}

/// Centre: the diagram canvas, an SVG with a dotted grid.
#[component]
pub fn CanvasArea() -> Html {
    html! {
        <main class="canvas-area" data-region="canvas">
            <svg class="canvas" data-layer="diagram" role="img" aria-label="Diagram canvas">
                <defs>
                    <pattern id="grid-dots" width="20" height="20" patternUnits="userSpaceOnUse">
                        <circle cx="1" cy="1" r="1" class="grid-dot" />
                    </pattern>
                </defs>
                <rect class="canvas-bg" width="100%" height="100%" fill="url(#grid-dots)" />
            </svg>
            <div class="canvas-empty">
                <p class="canvas-empty-title">{ "An empty diagram" }</p>
                <p class="canvas-empty-text">{ "Components placed here become a system you can run." }</p>
            </div>
        </main>
    }
}

/// Right column: parameters of the selected node or edge.
#[component]
pub fn InspectorArea() -> Html {
    html! {
        <aside class="panel inspector" data-region="inspector" aria-label="Inspector">
            <h2 class="panel-title">{ "Inspector" }</h2>
            <p class="empty-hint">{ "Nothing selected." }</p>
        </aside>
    }
}

/// Bottom panel: end-to-end figures and charts of a run.
#[component]
pub fn MetricsArea() -> Html {
    html! {
        <section class="metrics" data-region="metrics" aria-label="Metrics">
            <h2 class="panel-title">{ "Metrics" }</h2>
            <p class="empty-hint">{ "Latency percentiles, throughput and errors appear here during a run." }</p>
        </section>
    }
}
