//! The root component: lays out the product shell.

use yew::prelude::*;

use crate::shell::{CanvasArea, Header, InspectorArea, MetricsArea, PaletteArea};

/// The whole page: header on top, palette left, canvas centre, inspector right, metrics below.
#[component]
pub fn App() -> Html {
    html! {
        <div class="app" data-testid="app">
            <Header />
            <div class="workspace">
                <PaletteArea />
                <CanvasArea />
                <InspectorArea />
            </div>
            <MetricsArea />
        </div>
    }
}
