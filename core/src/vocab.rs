//! The inspector's vocabulary: how each parameter of a params struct is named and edited — its label, unit,
//! whether it takes whole numbers, what an empty box means, its choices, whether it is free text, and the
//! vocabulary of the object it holds — declared beside the struct as a [`Vocab`], the list of its [`Term`]s
//! in display order. A term's choices come from its serde enum ([`Choices`]), so a menu offers exactly what
//! core decodes; and since each struct has its own list, the same name can mean different things in two
//! kinds (a client's `keys.count` is "Distinct keys", a breaker's window `count` a choice "Calls").

use serde::Serialize;
use serde_json::Value;

/// The terms of one params struct (or nested object), in display order.
#[derive(Debug)]
pub struct Vocab {
    /// its terms; fields without one follow alphabetically, named after themselves
    pub terms: &'static [Term],
}

/// A vocabulary with no terms (an object whose fields name themselves).
pub static NO_TERMS: Vocab = Vocab { terms: &[] };

impl Vocab {
    /// The term for the field `name`, if the struct names it.
    pub fn term(&self, name: &str) -> Option<&'static Term> {
        self.terms.iter().find(|t| t.name == name)
    }

    /// The names of the terms a running simulation takes live.
    pub fn live(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.terms.iter().filter(|t| t.live).map(|t| t.name)
    }

    /// Where `name` comes in display order (unlisted fields after every listed one).
    pub fn position(&self, name: &str) -> usize {
        self.terms
            .iter()
            .position(|t| t.name == name)
            .unwrap_or(self.terms.len())
    }
}

/// The values of a choice with their labels, in menu order.
pub type ChoiceList = fn() -> Vec<(String, String)>;

/// How one parameter is named and edited.
#[derive(Clone, Copy, Debug)]
pub struct Term {
    /// the field's name in the format
    pub name: &'static str,
    /// its label; empty: the name, humanized
    pub label: &'static str,
    /// the unit shown after a number (`ms`, `req/s`, `0–1`, …); empty: from the name's suffix
    pub unit: &'static str,
    /// whole numbers only, even where the default is `null`
    pub integer: bool,
    /// what an empty box (`null`) means, for a number that may be left empty
    pub empty: Option<&'static str>,
    /// the values of a string parameter with their labels, in menu order
    pub choices: Option<ChoiceList>,
    /// free text: the example shown in the empty box, and whether it holds lines
    pub text: Option<(&'static str, bool)>,
    /// the fields of the object it holds
    pub nested: Option<&'static Vocab>,
    /// the variants of the tagged object (`{"type": …}`) it holds
    pub family: Option<&'static Family>,
    /// an optional object (`null` when absent): what a person gets on adding it
    pub optional: Option<fn() -> Value>,
    /// a running simulation takes a new value at its clock (the kind's `Component::retune`), without a restart
    pub live: bool,
}

impl Term {
    /// A term with a label and nothing else special.
    pub const fn new(name: &'static str, label: &'static str) -> Term {
        Term {
            name,
            label,
            unit: "",
            integer: false,
            empty: None,
            choices: None,
            text: None,
            nested: None,
            family: None,
            optional: None,
            live: false,
        }
    }

    /// Takes effect in a running simulation, at its clock.
    pub const fn live(mut self) -> Term {
        self.live = true;
        self
    }

    /// With a unit.
    pub const fn unit(mut self, unit: &'static str) -> Term {
        self.unit = unit;
        self
    }

    /// Whole numbers only.
    pub const fn integer(mut self) -> Term {
        self.integer = true;
        self
    }

    /// May be left empty, meaning `what`.
    pub const fn empty(mut self, what: &'static str) -> Term {
        self.empty = Some(what);
        self
    }

    /// One of these values.
    pub const fn choices(mut self, f: ChoiceList) -> Term {
        self.choices = Some(f);
        self
    }

    /// Free text.
    pub const fn text(mut self, placeholder: &'static str, multiline: bool) -> Term {
        self.text = Some((placeholder, multiline));
        self
    }

    /// An object with these fields.
    pub const fn nested(mut self, v: &'static Vocab) -> Term {
        self.nested = Some(v);
        self
    }

    /// A tagged object of this family.
    pub const fn family(mut self, f: &'static Family) -> Term {
        self.family = Some(f);
        self
    }

    /// An optional object whose defaults `f` gives, with these fields.
    pub const fn optional(mut self, f: fn() -> Value, fields: &'static Vocab) -> Term {
        self.optional = Some(f);
        self.nested = Some(fields);
        self
    }
}

/// A family of tagged objects (`{"type": …}`: a distribution, an arrival process, a key space, a backoff).
#[derive(Debug)]
pub struct Family {
    /// the variants' `type` values with their labels, in menu order
    pub variants: &'static [(&'static str, &'static str)],
    /// the fields of every variant
    pub fields: &'static Vocab,
    /// a fresh object of a variant, carrying over what makes sense from the old one
    pub template: fn(&str, Option<&Value>) -> Value,
}

impl Family {
    /// Whether `tag` is one of its variants.
    pub fn has(&self, tag: &str) -> bool {
        self.variants.iter().any(|(v, _)| *v == tag)
    }
}

/// A serde enum offered as a choice: every value, in menu order, and how each is shown.
pub trait Choices: Serialize + Copy + 'static {
    /// every value, in menu order
    const ALL: &'static [Self];

    /// how the value is shown, when humanizing its name is not enough
    fn label(self) -> Option<&'static str> {
        None
    }
}

/// The choices of enum `T`: each value's name in the format, with its label.
pub fn choices<T: Choices>() -> Vec<(String, String)> {
    T::ALL
        .iter()
        .filter_map(|v| {
            let name = serde_json::to_value(v).ok()?.as_str()?.to_string();
            let label = v.label().map_or_else(|| humanize(&name), str::to_string);
            Some((name, label))
        })
        .collect()
}

/// `round_robin` → `Round robin`.
pub fn humanize(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Colour {
        DeepRed,
        Rgb,
    }

    impl Choices for Colour {
        const ALL: &'static [Colour] = &[Colour::DeepRed, Colour::Rgb];
        fn label(self) -> Option<&'static str> {
            matches!(self, Colour::Rgb).then_some("RGB")
        }
    }

    #[test]
    fn choices_come_from_the_serde_names_with_their_labels() {
        assert_eq!(
            choices::<Colour>(),
            [
                ("deep_red".to_string(), "Deep red".to_string()),
                ("rgb".to_string(), "RGB".to_string())
            ]
        );
    }

    #[test]
    fn terms_are_found_by_name_and_ordered_by_position() {
        static V: Vocab = Vocab {
            terms: &[Term::new("b", "Bee"), Term::new("a", "").unit("ms")],
        };
        assert_eq!(V.term("a").map(|t| t.unit), Some("ms"));
        assert!(V.term("c").is_none());
        assert!(V.position("b") < V.position("a"));
        assert_eq!(V.position("c"), 2);
    }
}
