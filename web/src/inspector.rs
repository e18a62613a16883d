//! Right column: the selected node's or edge's label and parameters, each with the control the core's
//! schema gives it, and the diagram's problems (core validation), each selecting what it concerns.

use playground_core::editor::schema::{self, Control, EditValue, Field, FieldValue};
use playground_core::editor::{Action, FieldError, Target, display, edge_sections};
use playground_core::{Kind, Severity, Subject};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::icons::{category_class, icon};
use crate::live::FaultPanel;
use crate::state::Handle;

/// Props of [`TextField`].
#[derive(Properties, PartialEq)]
struct TextFieldProps {
    id: AttrValue,
    /// the stored value; written into the field only when it changes
    value: AttrValue,
    #[prop_or_default]
    placeholder: AttrValue,
    #[prop_or_default]
    inputmode: Option<AttrValue>,
    #[prop_or_default]
    param: Option<AttrValue>,
    #[prop_or_default]
    field: Option<AttrValue>,
    #[prop_or_default]
    invalid: bool,
    onchange: Callback<Event>,
}

/// A text `<input>` that shows the stored value but is not re-written on every render: while a run is on,
/// the page re-renders every few hundred milliseconds, and a controlled input would throw away what the
/// person is typing. The DOM value is set only when the stored value itself changes.
#[component]
fn TextField(props: &TextFieldProps) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with(props.value.clone(), move |value| {
            if let Some(input) = node.cast::<web_sys::HtmlInputElement>() {
                input.set_value(value);
            }
        });
    }
    html! {
        <input ref={node} id={props.id.clone()} type="text" inputmode={props.inputmode.clone()}
            data-param={props.param.clone()} data-field={props.field.clone()}
            placeholder={props.placeholder.clone()}
            aria-invalid={if props.invalid { "true" } else { "false" }}
            onchange={props.onchange.clone()} />
    }
}

/// Props of [`TextLines`].
#[derive(Properties, PartialEq)]
struct TextLinesProps {
    id: AttrValue,
    value: AttrValue,
    #[prop_or_default]
    placeholder: AttrValue,
    param: AttrValue,
    #[prop_or_default]
    invalid: bool,
    onchange: Callback<Event>,
}

/// A `<textarea>` for text of several lines (a gateway's routing table), written into only when the stored
/// value changes, like [`TextField`]; it commits on leaving it.
#[component]
fn TextLines(props: &TextLinesProps) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with(props.value.clone(), move |value| {
            if let Some(area) = node.cast::<web_sys::HtmlTextAreaElement>() {
                area.set_value(value);
            }
        });
    }
    html! {
        <textarea ref={node} id={props.id.clone()} rows="3" spellcheck="false" data-param={props.param.clone()}
            placeholder={props.placeholder.clone()}
            aria-invalid={if props.invalid { "true" } else { "false" }}
            onchange={props.onchange.clone()} />
    }
}

/// The value of the `<input>`, `<textarea>` or `<select>` an event came from.
fn event_value(e: &Event) -> Option<String> {
    let target = e.target()?;
    if let Some(i) = target.dyn_ref::<web_sys::HtmlInputElement>() {
        return Some(i.value());
    }
    if let Some(t) = target.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        return Some(t.value());
    }
    target
        .dyn_ref::<web_sys::HtmlSelectElement>()
        .map(web_sys::HtmlSelectElement::value)
}

fn event_checked(e: &Event) -> Option<bool> {
    e.target()?
        .dyn_ref::<web_sys::HtmlInputElement>()
        .map(web_sys::HtmlInputElement::checked)
}

fn error_for<'a>(err: &'a Option<FieldError>, target: &Target, path: &str) -> Option<&'a str> {
    err.as_ref()
        .filter(|e| e.target == *target && e.path == path)
        .map(|e| e.message.as_str())
}

fn field_row(state: &Handle, target: &Target, f: &Field) -> Html {
    let path = f.path.clone();
    let error = error_for(&state.ed.field_error, target, &f.path);
    let id = format!("f-{}", f.path.replace('.', "-"));
    let dispatch_text = {
        let state = state.clone();
        let target = target.clone();
        let path = path.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = event_value(&e) {
                state.dispatch(Action::SetParam {
                    target: target.clone(),
                    path: path.clone(),
                    value: EditValue::Text(v),
                });
            }
        })
    };
    if f.control == Control::Group {
        return html! { <h4 class="field-group">{ &f.label }</h4> };
    }
    if let (Control::Optional, FieldValue::Bool(on)) = (&f.control, &f.value) {
        return optional_row(state, target, f, *on, error);
    }
    let control = match (&f.control, &f.value) {
        (Control::Toggle, FieldValue::Bool(b)) => {
            let state = state.clone();
            let target = target.clone();
            let path = path.clone();
            let change = Callback::from(move |e: Event| {
                if let Some(v) = event_checked(&e) {
                    state.dispatch(Action::SetParam {
                        target: target.clone(),
                        path: path.clone(),
                        value: EditValue::Bool(v),
                    });
                }
            });
            html! {
                <label class="toggle">
                    <input id={id.clone()} type="checkbox" role="switch" data-param={f.path.clone()} checked={*b} onchange={change} />
                    <span class="toggle-track" aria-hidden="true"></span>
                </label>
            }
        }
        (Control::Choice { choices, labels }, FieldValue::Text(v)) => html! {
            <select id={id.clone()} data-param={f.path.clone()} onchange={dispatch_text}>
                { for choices.iter().zip(labels).map(|(c, l)| html! {
                    <option value={c.clone()} selected={c == v}>{ l.clone() }</option>
                }) }
            </select>
        },
        (
            Control::Number {
                unit,
                integer,
                empty_means,
            },
            FieldValue::Text(v),
        ) => html! {
            <span class="number">
                <TextField id={id.clone()} inputmode={if *integer { "numeric" } else { "decimal" }}
                    param={f.path.clone()} value={v.clone()} placeholder={empty_means.unwrap_or("")}
                    invalid={error.is_some()} onchange={dispatch_text} />
                if !unit.is_empty() { <span class="unit">{ *unit }</span> }
            </span>
        },
        (
            Control::Text {
                placeholder,
                multiline: true,
            },
            FieldValue::Text(v),
        ) => html! {
            <TextLines id={id.clone()} param={f.path.clone()} value={v.clone()} placeholder={*placeholder}
                invalid={error.is_some()} onchange={dispatch_text} />
        },
        (Control::Text { placeholder, .. }, FieldValue::Text(v)) => html! {
            <TextField id={id.clone()} param={f.path.clone()} value={v.clone()} placeholder={*placeholder}
                invalid={error.is_some()} onchange={dispatch_text} />
        },
        _ => html! {},
    };
    let wide = matches!(f.control, Control::Text { .. });
    html! {
        <div class={classes!("field", format!("depth-{}", f.depth.min(3)), wide.then_some("wide"), error.is_some().then_some("invalid"))}>
            <label class="field-label" for={id}>{ &f.label }</label>
            { control }
            if let Some(msg) = error {
                <p class="field-error" role="alert">{ msg }</p>
            }
        </div>
    }
}

/// An optional object's row: its name and an Add button while absent, a heading with Remove while present
/// (its fields follow on their own rows).
fn optional_row(state: &Handle, target: &Target, f: &Field, on: bool, error: Option<&str>) -> Html {
    let click = {
        let state = state.clone();
        let target = target.clone();
        let path = f.path.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::SetParam {
                target: target.clone(),
                path: path.clone(),
                value: EditValue::Bool(!on),
            });
        })
    };
    let (word, action, title) = if on {
        (
            "Remove",
            "remove",
            format!("Remove the {}", f.label.to_lowercase()),
        )
    } else {
        (
            "Add",
            "add",
            format!("Add a {} with its defaults", f.label.to_lowercase()),
        )
    };
    html! {
        <div class={classes!("field", "optional", format!("depth-{}", f.depth.min(3)), on.then_some("on"), error.is_some().then_some("invalid"))}
            data-optional={f.path.clone()} data-present={if on { "true" } else { "false" }}>
            <span class="field-label optional-label">
                { &f.label }
                if !on { <span class="optional-none">{ " · none" }</span> }
            </span>
            <button type="button" class={classes!("btn", "small", if on { "optional-remove" } else { "optional-add" })}
                data-param={f.path.clone()} data-action={action} title={title} onclick={click}>
                if !on { <span aria-hidden="true">{ "+ " }</span> }
                { word }
            </button>
            if let Some(msg) = error {
                <p class="field-error" role="alert">{ msg }</p>
            }
        </div>
    }
}

fn node_panel(state: &Handle, id: &str) -> Html {
    let Some(n) = state.ed.doc.node(id) else {
        return html! {};
    };
    let target = Target::Node(id.to_string());
    let kind = Kind::from_name(&n.kind);
    let info = kind.map(|k| k.info());
    let rename = {
        let state = state.clone();
        let node = id.to_string();
        Callback::from(move |e: Event| {
            if let Some(label) = event_value(&e) {
                state.dispatch(Action::SetLabel {
                    node: node.clone(),
                    label,
                });
            }
        })
    };
    let label_error = error_for(&state.ed.field_error, &target, "label");
    let fields = kind
        .map(|k| schema::fields(k.vocab(), &k.default_params(), &n.params))
        .unwrap_or_default();
    html! {
        <div class="inspect" key={format!("node:{id}")}>
            <div class={classes!("inspect-head", category_class(info.map(|i| i.category)))}>
                <span class="inspect-icon">{ icon(&n.kind, info.map(|i| i.category)) }</span>
                <div>
                    <p class="inspect-kind">{ info.map(|i| i.title).unwrap_or("Unknown kind") }</p>
                    <p class="inspect-id">{ format!("id {}", n.id) }</p>
                </div>
            </div>
            if let Some(i) = info { <p class="inspect-hint">{ i.hint }</p> }
            <crate::lab::NodeCost id={id.to_string()} />
            <div class={classes!("field", label_error.is_some().then_some("invalid"))}>
                <label class="field-label" for="f-label">{ "Label" }</label>
                <TextField id="f-label" field="label" value={n.label.clone()} placeholder={n.id.clone()}
                    invalid={label_error.is_some()} onchange={rename} />
                if let Some(msg) = label_error { <p class="field-error" role="alert">{ msg }</p> }
            </div>
            if kind.is_none() {
                <p class="empty-hint">{ format!("This build has no component kind `{}`; its parameters cannot be edited.", n.kind) }</p>
            }
            <h3 class="inspect-section">{ "Parameters" }</h3>
            { for fields.iter().map(|f| field_row(state, &target, f)) }
        </div>
    }
}

fn edge_panel(state: &Handle, name: &str) -> Html {
    let doc = &state.ed.doc;
    let Some(e) = doc.edges.iter().find(|e| e.name() == name) else {
        return html! {};
    };
    let target = Target::Edge(name.to_string());
    let label = |id: &str| {
        doc.node(id)
            .map(|n| display(n).to_string())
            .unwrap_or_else(|| id.to_string())
    };
    let sections = edge_sections(e);
    html! {
        <div class="inspect" key={format!("edge:{name}")}>
            <div class="inspect-head">
                <div>
                    <p class="inspect-kind">{ "Connection" }</p>
                    <p class="inspect-id">{ format!("{} → {}", label(&e.from), label(&e.to)) }</p>
                </div>
            </div>
            <p class="inspect-hint">{ "Requests travel along the arrow; responses come back the same way. Empty link fields use the diagram's defaults; a call policy (a timeout per attempt, retries with backoff and jitter, a circuit breaker) applies to the caller's calls over this connection." }</p>
            { for sections.iter().map(|(title, fields)| html! {
                <section class="inspect-part" data-section={title.to_lowercase().replace(' ', "-")}>
                    <h3 class="inspect-section">{ *title }</h3>
                    { for fields.iter().map(|f| field_row(state, &target, f)) }
                </section>
            }) }
        </div>
    }
}

fn problems(state: &Handle) -> Html {
    let diags = &state.ed.diagnostics;
    if diags.is_empty() {
        return html! {
            <section class="problems" aria-label="Problems">
                <h2 class="panel-title">{ "Problems" }</h2>
                <p class="empty-hint ok">{ "None: this diagram can run." }</p>
            </section>
        };
    }
    html! {
        <section class="problems" aria-label="Problems">
            <h2 class="panel-title">{ format!("Problems ({})", diags.len()) }</h2>
            <ul class="problem-list">
            { for diags.iter().map(|d| {
                let target = match &d.subject {
                    Subject::Node(id) => Some(Target::Node(id.clone())),
                    Subject::Edge(id) => Some(Target::Edge(id.clone())),
                    _ => None,
                };
                let click = {
                    let state = state.clone();
                    let target = target.clone();
                    Callback::from(move |_: MouseEvent| {
                        if let Some(t) = target.clone() {
                            state.dispatch(Action::SelectOnly(t));
                        }
                    })
                };
                let sev = if d.severity == Severity::Error { "error" } else { "warning" };
                html! {
                    <li>
                        <button type="button" class={classes!("problem", sev)} onclick={click} disabled={target.is_none()}
                            data-subject={match &d.subject { Subject::Node(id) | Subject::Edge(id) => id.clone(), _ => String::new() }}>
                            <span class="problem-dot" aria-label={sev}></span>
                            <span>{ &d.message }</span>
                        </button>
                    </li>
                }
            }) }
            </ul>
        </section>
    }
}

/// Right column: parameters of the selected node or edge, then the diagram's problems.
#[component]
pub fn InspectorArea() -> Html {
    let layout = use_context::<crate::layout::LayoutHandle>();
    let session = use_context::<crate::session::SessionHandle>();
    let Some(state) = use_context::<Handle>() else {
        return html! {};
    };
    let sel = &state.ed.selection;
    let body = match sel.single() {
        Some(Target::Node(id)) => node_panel(&state, &id),
        Some(Target::Edge(name)) => edge_panel(&state, &name),
        None if sel.is_empty() => html! {
            <p class="empty-hint">{ "Nothing selected. Click a component or a connection to edit it." }</p>
        },
        None => html! {
            <p class="empty-hint">{ format!("{} components and {} connections selected. Delete removes them; Ctrl+D duplicates.", sel.nodes.len(), sel.edges.len()) }</p>
        },
    };
    html! {
        <aside class="panel inspector" id="sheet-inspector" data-region="inspector" aria-label="Inspector">
            { crate::panels::sheet_head(layout.as_ref(), "Inspector") }
            { crate::share_ui::scenario_notes(session.as_ref()) }
            { crate::challenge::challenge_panel(session.as_ref(), layout.as_ref(), false) }
            <h2 class="panel-title">{ "Inspector" }</h2>
            // Its own component: the run's summaries re-render the fault buttons, not the whole form.
            <FaultPanel />
            { body }
            { problems(&state) }
        </aside>
    }
}
