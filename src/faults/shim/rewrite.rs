//! The request side of the faults: helpers that edit a request's body, query parameters and
//! filter before the correct server sees it.

use super::*;

pub(super) fn body_of(req: &Request) -> Value {
    serde_json::from_slice(&req.body).unwrap_or(Value::Null)
}

pub(super) fn edit_body(req: &mut Request, f: impl FnOnce(&mut Value)) {
    let mut b = body_of(req);
    if b.is_object() {
        f(&mut b);
        req.body = serde_json::to_vec(&b).unwrap_or_default();
    }
}

pub(super) fn ops(req: &Request) -> Vec<Value> {
    body_of(req)["Operations"].as_array().cloned().unwrap_or_default()
}

pub(super) fn set_param(req: &mut Request, key: &str, value: &str) {
    remove_param(req, key);
    req.query.push((key.to_owned(), value.to_owned()));
}

pub(super) fn remove_param(req: &mut Request, key: &str) {
    req.query.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
}

pub(super) fn parsed_filter(req: &Request) -> Option<Filter> {
    crate::filter::parse(req.param("filter")?).ok()
}

/// Rewrites the `filter` query parameter (left alone when it does not parse).
pub(super) fn rewrite_filter(req: &mut Request, f: &dyn Fn(Filter) -> Filter) {
    if let Some(parsed) = parsed_filter(req) {
        set_param(req, "filter", &f(parsed).to_string());
    }
}

/// Applies `f` to every node, children first.
pub(super) fn map(f: Filter, g: &dyn Fn(Filter) -> Filter) -> Filter {
    let inner = match f {
        Filter::Not(a) => Filter::Not(Box::new(map(*a, g))),
        Filter::And(a, b) => Filter::And(Box::new(map(*a, g)), Box::new(map(*b, g))),
        Filter::Or(a, b) => Filter::Or(Box::new(map(*a, g)), Box::new(map(*b, g))),
        Filter::ValuePath(p, a) => Filter::ValuePath(p, Box::new(map(*a, g))),
        leaf => leaf,
    };
    g(inner)
}

pub(super) fn swap_op(f: Filter, from: CompareOp, to: CompareOp) -> Filter {
    map(f, &|n| match n {
        Filter::Compare(p, op, v) if op == from => Filter::Compare(p, to, v),
        n => n,
    })
}

pub(super) fn drop_not(f: Filter) -> Filter {
    map(f, &|n| match n {
        Filter::Not(a) => *a,
        n => n,
    })
}

pub(super) fn pr_always(f: Filter) -> Filter {
    map(f, &|n| match n {
        Filter::Present(p) => {
            Filter::Or(Box::new(Filter::Present(p.clone())), Box::new(Filter::Not(Box::new(Filter::Present(p)))))
        }
        n => n,
    })
}

/// `a or b and c` read as `(a or b) and c`: the operators applied in the order written.
pub(super) fn left_to_right(f: Filter) -> Filter {
    fn flatten(f: Filter, out: &mut Vec<(Option<bool>, Filter)>, op: Option<bool>) {
        match f {
            Filter::And(a, b) => {
                flatten(*a, out, op);
                flatten(*b, out, Some(true));
            }
            Filter::Or(a, b) => {
                flatten(*a, out, op);
                flatten(*b, out, Some(false));
            }
            leaf => out.push((op, leaf)),
        }
    }
    let mut parts = Vec::new();
    flatten(f, &mut parts, None);
    let mut it = parts.into_iter();
    let first = it.next().map(|(_, f)| f).expect("a filter has a term");
    it.fold(first, |acc, (op, term)| match op {
        Some(true) => Filter::And(Box::new(acc), Box::new(term)),
        _ => Filter::Or(Box::new(acc), Box::new(term)),
    })
}

/// `emails[type eq "work" and value co "x"]` → `emails.type eq "work" and emails.value co "x"`.
pub(super) fn split_value_paths(f: Filter) -> Filter {
    fn qualify(f: Filter, parent: &crate::filter::AttrPath) -> Filter {
        let q = |p: crate::filter::AttrPath| crate::filter::AttrPath {
            urn: parent.urn.clone(),
            attr: parent.attr.clone(),
            sub: Some(p.attr),
        };
        match f {
            Filter::Compare(p, op, v) => Filter::Compare(q(p), op, v),
            Filter::Present(p) => Filter::Present(q(p)),
            Filter::Not(a) => Filter::Not(Box::new(qualify(*a, parent))),
            Filter::And(a, b) => Filter::And(Box::new(qualify(*a, parent)), Box::new(qualify(*b, parent))),
            Filter::Or(a, b) => Filter::Or(Box::new(qualify(*a, parent)), Box::new(qualify(*b, parent))),
            other => other,
        }
    }
    map(f, &|n| match n {
        Filter::ValuePath(p, inner) => qualify(*inner, &p),
        n => n,
    })
}

/// Multi-valued values of `current` added to those of the PUT body (a merge, not a replace).
pub(super) fn merge_multi(b: &mut Value, current: Option<&Value>) {
    let Some(cur) = current.and_then(Value::as_object) else { return };
    for (k, v) in cur {
        if let (Some(old), Some(new)) = (v.as_array(), b.get_mut(k).and_then(Value::as_array_mut)) {
            for item in old {
                if !new.contains(item) {
                    new.push(item.clone());
                }
            }
        }
    }
}

/// Removes every value holding a `bulkId:` reference.
pub(super) fn drop_bulk_refs(v: &mut Value) {
    match v {
        Value::Array(a) => {
            a.retain(|x| !refers(x));
            a.iter_mut().for_each(drop_bulk_refs);
        }
        Value::Object(o) => {
            o.retain(|_, x| !refers(x));
            o.values_mut().for_each(drop_bulk_refs);
        }
        _ => {}
    }
}

pub(super) fn refers(v: &Value) -> bool {
    match v {
        Value::String(s) => s.starts_with("bulkId:"),
        Value::Object(o) => o.get("value").is_some_and(refers),
        _ => false,
    }
}
