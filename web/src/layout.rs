//! The page's arrangement around the canvas, by window width: *wide* (everything in view), *medium* (below
//! 1100 px: the header's run settings move into a menu) and *narrow* (below 900 px, phones and tablets held
//! upright: the canvas gets the screen, the palette, inspector, metrics and "why" panel become bottom sheets
//! opened from a tab bar, and most header controls move into the menu). The tier follows CSS media queries
//! through `matchMedia`, so the stylesheet and the views agree. Also which sheet or menu is open, the context
//! menu of a card (long press or right click) and the shortcut sheet.

use std::rc::Rc;

use gloo::events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Below this width the toolbar overflows into a menu (matches `style.css`).
pub const MEDIUM_QUERY: &str = "(max-width: 1099.98px)";
/// Below this width the canvas gets the screen (matches `style.css`).
pub const NARROW_QUERY: &str = "(max-width: 899.98px)";

/// The window's width tier.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tier {
    /// 1100 px and wider
    #[default]
    Wide,
    /// 900–1099 px
    Medium,
    /// under 900 px
    Narrow,
}

impl Tier {
    /// The tier the window is in now.
    pub fn current() -> Tier {
        let matches = |q: &str| {
            web_sys::window()
                .and_then(|w| w.match_media(q).ok().flatten())
                .is_some_and(|m| m.matches())
        };
        if matches(NARROW_QUERY) {
            Tier::Narrow
        } else if matches(MEDIUM_QUERY) {
            Tier::Medium
        } else {
            Tier::Wide
        }
    }

    /// The word styles and tests read (`data-tier`).
    pub fn word(self) -> &'static str {
        match self {
            Tier::Wide => "wide",
            Tier::Medium => "medium",
            Tier::Narrow => "narrow",
        }
    }
}

/// A header control, for deciding where it sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ctl {
    /// the diagram's name
    Name,
    /// New diagram
    New,
    /// Undo
    Undo,
    /// Redo
    Redo,
    /// Zoom to fit
    Fit,
    /// the scenario gallery
    Gallery,
    /// the File menu (export, import, pictures, GIF)
    File,
    /// Share link
    Share,
    /// Step one frame
    Step,
    /// Reset the run
    Reset,
    /// Traffic spike
    Spike,
    /// Speed, seed and duration
    Settings,
}

/// Whether `ctl` sits in the overflow menu (rather than the bar) at `tier`.
pub fn in_menu(tier: Tier, ctl: Ctl) -> bool {
    match tier {
        Tier::Wide => false,
        Tier::Medium => matches!(ctl, Ctl::Settings | Ctl::Spike),
        Tier::Narrow => !matches!(ctl, Ctl::Undo | Ctl::Gallery),
    }
}

/// A panel that is a bottom sheet on narrow screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sheet {
    /// the component palette
    Palette,
    /// the inspector
    Inspector,
    /// the metrics panel
    Metrics,
    /// the "why" findings
    Why,
}

impl Sheet {
    /// Every sheet, in tab-bar order.
    pub const ALL: [Sheet; 4] = [Sheet::Palette, Sheet::Inspector, Sheet::Metrics, Sheet::Why];

    /// Its tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Sheet::Palette => "Add",
            Sheet::Inspector => "Inspect",
            Sheet::Metrics => "Metrics",
            Sheet::Why => "Why",
        }
    }

    /// The word styles and tests read (`data-sheet`).
    pub fn word(self) -> &'static str {
        match self {
            Sheet::Palette => "palette",
            Sheet::Inspector => "inspector",
            Sheet::Metrics => "metrics",
            Sheet::Why => "why",
        }
    }
}

/// The context menu of a card: which card, and where on the page it opened [px].
#[derive(Clone, Debug, PartialEq)]
pub struct ContextMenu {
    /// node id
    pub node: String,
    /// page x
    pub x: f64,
    /// page y
    pub y: f64,
}

/// The layout state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// the width tier
    pub tier: Tier,
    /// the bottom sheet open (narrow screens)
    pub sheet: Option<Sheet>,
    /// the header's overflow menu is open
    pub menu: bool,
    /// a card's context menu is open
    pub context: Option<ContextMenu>,
    /// the keyboard shortcut sheet is open
    pub shortcuts: bool,
    /// the GIF recorder is open
    pub gif: bool,
}

/// A change of the layout.
#[derive(Clone, Debug)]
pub enum LayoutAction {
    /// The window crossed a width boundary.
    Tier(Tier),
    /// Open this sheet, or close the open one.
    Sheet(Option<Sheet>),
    /// Open this sheet, or close it if it is open.
    ToggleSheet(Sheet),
    /// Open or close the overflow menu.
    Menu(bool),
    /// Open or close a card's context menu.
    Context(Option<ContextMenu>),
    /// Open or close the shortcut sheet.
    Shortcuts(bool),
    /// Open or close the GIF recorder.
    Gif(bool),
    /// Close every menu, sheet and dialog (Escape).
    CloseAll,
}

impl Reducible for Layout {
    type Action = LayoutAction;

    fn reduce(self: Rc<Self>, action: LayoutAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            LayoutAction::Tier(t) => {
                next.tier = t;
                next.menu = false;
                if t != Tier::Narrow {
                    next.sheet = None;
                }
            }
            LayoutAction::Sheet(s) => {
                next.sheet = s;
                next.menu = false;
                next.context = None;
            }
            LayoutAction::ToggleSheet(s) => {
                next.sheet = if next.sheet == Some(s) { None } else { Some(s) };
                next.menu = false;
                next.context = None;
            }
            LayoutAction::Menu(open) => {
                next.menu = open;
                next.context = None;
            }
            LayoutAction::Context(c) => {
                next.context = c;
                next.menu = false;
            }
            LayoutAction::Shortcuts(open) => {
                next.shortcuts = open;
                next.menu = false;
            }
            LayoutAction::Gif(open) => {
                next.gif = open;
                next.menu = false;
                if open {
                    next.sheet = None;
                }
            }
            LayoutAction::CloseAll => {
                next.sheet = None;
                next.menu = false;
                next.context = None;
                next.shortcuts = false;
            }
        }
        if next == *self { self } else { Rc::new(next) }
    }
}

/// The shared layout handle.
pub type LayoutHandle = UseReducerHandle<Layout>;

/// The layout reducer, starting in the window's tier and following it as the window is resized or turned.
#[hook]
pub fn use_layout() -> LayoutHandle {
    let layout = use_reducer(|| Layout {
        tier: Tier::current(),
        ..Layout::default()
    });
    {
        let dispatcher = layout.dispatcher();
        use_effect_with((), move |_| {
            let listeners: Vec<EventListener> = [MEDIUM_QUERY, NARROW_QUERY]
                .into_iter()
                .filter_map(|q| web_sys::window()?.match_media(q).ok().flatten())
                .map(|list| {
                    let d = dispatcher.clone();
                    let target: web_sys::EventTarget = list.unchecked_into();
                    EventListener::new(&target, "change", move |_| {
                        d.dispatch(LayoutAction::Tier(Tier::current()))
                    })
                })
                .collect();
            move || drop(listeners)
        });
    }
    layout
}
