//! Range checks shared by every parameter type: each pushes `(field, message)` problems that validation
//! reports against the node or edge.

/// Checks that `v` is finite and at least `min`; pushes a problem naming `field` otherwise.
pub(crate) fn check_num(out: &mut Vec<(String, String)>, field: &str, v: f64, min: f64) {
    if !v.is_finite() {
        out.push((
            field.to_string(),
            format!("`{field}` must be a finite number"),
        ));
    } else if v < min {
        if min == 0.0 {
            out.push((
                field.to_string(),
                format!("`{field}` must not be negative (got {v})"),
            ));
        } else {
            out.push((
                field.to_string(),
                format!("`{field}` must be at least {min} (got {v})"),
            ));
        }
    }
}

/// Checks `v` against the documented range of `field` ([`crate::limits::PARAMS`], found by the field's last
/// dotted segment), unless `field` already has a problem (a negative or non-finite value has its own message).
pub(crate) fn check_range(out: &mut Vec<(String, String)>, field: &str, v: f64) {
    if out.iter().any(|(f, _)| f == field) {
        return;
    }
    if let Some(m) =
        crate::limits::param(field).and_then(|l| crate::limits::out_of_range(field, v, l))
    {
        out.push((field.to_string(), m));
    }
}

/// Checks a probability.
pub(crate) fn check_prob(out: &mut Vec<(String, String)>, field: &str, v: f64) {
    check_num(out, field, v, 0.0);
    if v.is_finite() && v > 1.0 {
        out.push((
            field.to_string(),
            format!("`{field}` is a probability and must be at most 1 (got {v})"),
        ));
    }
}

/// Problems of a distribution parameter, with the field prefixed.
pub(crate) fn check_dist(out: &mut Vec<(String, String)>, field: &str, d: &crate::dist::Dist) {
    for (f, m) in d.problems() {
        out.push((format!("{field}.{f}"), format!("`{field}`: {m}")));
    }
}
