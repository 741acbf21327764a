//! Listing and searching (RFC 7644 §3.4.2–§3.4.3, RFC 9865): filter, sort, index or cursor
//! pagination and projection, from a query string or a `SearchRequest` body.

use super::cursor::{CursorState, Direction};
use super::resources::{kind_of, render_page, render_record};
use super::{Api, Request, Response};
use crate::error::{Result, ScimError, ScimType};
use crate::filter::eval::{Compiled, compile};
use crate::filter::sort::{SortKey, SortSpec};
use crate::filter::{Limits, parse_with};
use crate::model::{Projection, Record};
use crate::schema::ResourceType;
use crate::schema::registry::{LIST_RESPONSE_URN, SEARCH_REQUEST_URN};
use crate::store::{ListQuery, Position, Window};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// The parameters of a list or search, wherever they came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListParams {
    pub filter: Option<String>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    pub start_index: Option<i64>,
    pub count: Option<i64>,
    pub cursor: Option<String>,
    pub attributes: Option<String>,
    pub excluded: Option<String>,
}

impl ListParams {
    /// From `GET /{endpoint}?filter=...&sortBy=...&startIndex=...&count=...&cursor=...`.
    pub fn from_query(req: &Request) -> Result<ListParams> {
        let s = |n: &str| req.param(n).map(str::to_owned);
        Ok(ListParams {
            filter: s("filter"),
            sort_by: s("sortBy"),
            sort_order: s("sortOrder"),
            start_index: req.int_param("startIndex")?,
            count: req.int_param("count")?,
            cursor: s("cursor"),
            attributes: s("attributes"),
            excluded: s("excludedAttributes"),
        })
    }

    /// From a `SearchRequest` body (RFC 7644 §3.4.3).
    pub fn from_search(body: &Value) -> Result<ListParams> {
        let Value::Object(m) = body else {
            return Err(ScimError::invalid_syntax("a SearchRequest must be a JSON object"));
        };
        let get = |n: &str| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v);
        if let Some(schemas) = get("schemas") {
            let ok = schemas.as_array().is_some_and(|a| a.iter().any(|u| u.as_str() == Some(SEARCH_REQUEST_URN)));
            if !ok {
                return Err(ScimError::invalid_syntax(format!("'schemas' must contain '{SEARCH_REQUEST_URN}'")));
            }
        }
        let string = |n: &str| -> Result<Option<String>> {
            match get(n) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(ScimError::invalid_syntax(format!("'{n}' must be a string"))),
            }
        };
        let list = |n: &str| -> Result<Option<String>> {
            match get(n) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Array(a)) => {
                    let names: Option<Vec<&str>> = a.iter().map(Value::as_str).collect();
                    names
                        .map(|n| Some(n.join(",")))
                        .ok_or_else(|| ScimError::invalid_syntax(format!("'{n}' must be an array of strings")))
                }
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(ScimError::invalid_syntax(format!("'{n}' must be an array of strings"))),
            }
        };
        let int = |n: &str| -> Result<Option<i64>> {
            match get(n) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => {
                    v.as_i64().map(Some).ok_or_else(|| ScimError::invalid_value(format!("'{n}' must be an integer")))
                }
            }
        };
        Ok(ListParams {
            filter: string("filter")?,
            sort_by: string("sortBy")?,
            sort_order: string("sortOrder")?,
            start_index: int("startIndex")?,
            count: int("count")?,
            cursor: string("cursor")?,
            attributes: list("attributes")?,
            excluded: list("excludedAttributes")?,
        })
    }
}

/// A compiled query for one resource type.
struct Plan {
    filter: Option<Compiled>,
    sort: Option<SortSpec>,
    proj: Projection,
    /// Identifies the query for cursors.
    fingerprint: String,
}

fn plan(api: &Api, rt: &ResourceType, p: &ListParams) -> Result<Plan> {
    plan_with(api, rt, p, compile)
}

/// A plan with the given filter compiler (the root query treats unknown attributes as absent).
fn plan_with(
    api: &Api,
    rt: &ResourceType,
    p: &ListParams,
    compile: fn(&ResourceType, &crate::filter::Filter, bool) -> Result<crate::filter::eval::Compiled>,
) -> Result<Plan> {
    let limits = Limits { lenient: !api.config.strict, ..Limits::default() };
    let mut filter = match p.filter.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        Some(text) => Some(compile(rt, &parse_with(text, limits)?, limits.lenient)?),
        None => None,
    };
    // `members.value eq "x"` (groups of x) and `groups.value eq "x"` (members of x) are
    // answered from the member relation, which is indexed both ways.
    if let Some(f) = filter.as_mut() {
        let mut bound = std::collections::HashMap::new();
        for id in f.related_ids() {
            let ids: std::collections::HashSet<String> = if rt.is_group() {
                api.store.groups_of(&id).unwrap_or_default().into_iter().map(|g| g.id).collect()
            } else {
                api.store.members(&id).unwrap_or_default().into_iter().map(|m| m.value).collect()
            };
            bound.insert(id, ids);
        }
        f.bind_related(&|id| bound.get(id).cloned().unwrap_or_default());
    }
    let sort = match p.sort_by.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(by) => Some(SortSpec::parse(rt, by, p.sort_order.as_deref())?),
        None => None,
    };
    let proj = Projection::parse(rt, p.attributes.as_deref(), p.excluded.as_deref())?;
    let mut h = Sha256::new();
    for part in
        [rt.id.as_str(), p.filter.as_deref().unwrap_or(""), sort.as_ref().map(|s| s.name.as_str()).unwrap_or("")]
    {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.update([sort.as_ref().is_some_and(|s| s.descending) as u8]);
    let digest: [u8; 32] = h.finalize().into();
    let fingerprint = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    Ok(Plan { filter, sort, proj, fingerprint })
}

/// Lists one resource type: index pagination by default, cursor pagination when `cursor` is
/// given (empty for the first page).
pub fn list(api: &Api, req: &Request, rt: &ResourceType, p: &ListParams) -> Result<Response> {
    let plan = plan(api, rt, p)?;
    let max = api.config.max_results;
    let mut body = Map::new();
    body.insert("schemas".into(), json!([LIST_RESPONSE_URN]));
    let (page, start_index) = match &p.cursor {
        None => {
            let start = p.start_index.unwrap_or(1).max(1) as usize;
            let count = p.count.map(|c| c.max(0) as usize).unwrap_or(api.config.default_count).min(max);
            let q = ListQuery {
                filter: plan.filter.as_ref(),
                sort: plan.sort.as_ref(),
                window: Window::Offset { offset: start - 1, count },
            };
            (api.store.list(kind_of(rt), &q)?, Some(start))
        }
        Some(cursor) => {
            let count = p.count.map(|c| c.max(0) as usize).unwrap_or(api.config.default_count);
            if count > max {
                return Err(ScimError::bad_request(ScimType::InvalidCount, format!("count must be at most {max}")));
            }
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            let window = if cursor.trim().is_empty() {
                Window::After { pos: None, count }
            } else {
                let state = api.cursors.decode(cursor.trim(), &plan.fingerprint, now)?;
                if state.count != count {
                    return Err(ScimError::bad_request(
                        ScimType::InvalidCount,
                        "count must not change during a paged query",
                    ));
                }
                match state.dir {
                    Direction::After => Window::After { pos: Some(state.pos), count },
                    Direction::Before => Window::Before { pos: state.pos, count },
                }
            };
            let q = ListQuery { filter: plan.filter.as_ref(), sort: plan.sort.as_ref(), window };
            let page = api.store.list(kind_of(rt), &q)?;
            if count > 0 {
                let cursor_at = |r: &Record, dir| {
                    api.cursors.encode(&CursorState {
                        pos: Position {
                            key: plan.sort.as_ref().map(|s| s.key(r)).unwrap_or(SortKey::Missing),
                            id: r.id.clone(),
                        },
                        dir,
                        query: plan.fingerprint.clone(),
                        count,
                        issued: now,
                    })
                };
                if let (true, Some(last)) = (page.more_after, page.records.last()) {
                    body.insert("nextCursor".into(), Value::from(cursor_at(last, Direction::After)));
                }
                if let (true, Some(first)) = (page.more_before, page.records.first()) {
                    body.insert("previousCursor".into(), Value::from(cursor_at(first, Direction::Before)));
                }
            }
            (page, None)
        }
    };
    let resources: Vec<Value> = render_page(api, rt, &page.records, &req.base_url, &plan.proj)?;
    body.insert("totalResults".into(), Value::from(page.total));
    if let Some(s) = start_index {
        body.insert("startIndex".into(), Value::from(s));
    }
    body.insert("itemsPerPage".into(), Value::from(resources.len()));
    body.insert("Resources".into(), Value::Array(resources));
    Ok(Response::json(200, Value::Object(body)))
}

/// `POST /.search`: searches every resource type; a filter need only make sense for some of
/// them (types it names unknown attributes of are left out). Index pagination only.
pub fn search_all(api: &Api, req: &Request, p: &ListParams) -> Result<Response> {
    if p.cursor.is_some() {
        return Err(ScimError::bad_request(
            ScimType::InvalidCursor,
            "cursors are supported on /Users/.search and /Groups/.search",
        ));
    }
    let mut plans = Vec::new();
    let mut first_error = None;
    for rt in &api.registry().resource_types {
        match plan_with(api, rt, p, crate::filter::eval::compile_for_root) {
            Ok(plan) => plans.push((rt, plan)),
            Err(e) if e.scim_type == Some(ScimType::InvalidFilter) => {
                first_error.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    if plans.is_empty() {
        return Err(first_error.unwrap_or_else(|| ScimError::invalid_filter("the filter fits no resource type")));
    }
    let start = p.start_index.unwrap_or(1).max(1) as usize;
    let count = p.count.map(|c| c.max(0) as usize).unwrap_or(api.config.default_count).min(api.config.max_results);
    let (mut skip, mut total, mut resources) = (start - 1, 0, Vec::new());
    for (rt, plan) in &plans {
        let q = ListQuery {
            filter: plan.filter.as_ref(),
            sort: plan.sort.as_ref(),
            window: Window::Offset { offset: skip, count: count - resources.len() },
        };
        let page = api.store.list(kind_of(rt), &q)?;
        skip = skip.saturating_sub(page.total);
        total += page.total;
        for r in &page.records {
            resources.push(render_record(api, rt, r, &req.base_url, &plan.proj)?);
        }
    }
    Ok(Response::json(
        200,
        json!({
            "schemas": [LIST_RESPONSE_URN],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": resources.len(),
            "Resources": resources,
        }),
    ))
}
