//! One contract for every store: the memory store and the SQLite store must behave the same.

use rstest::rstest;
use scimcheck::error::ScimType;
use scimcheck::filter::eval::compile;
use scimcheck::filter::parse;
use scimcheck::filter::sort::SortSpec;
use scimcheck::model::{Kind, UniqueKey};
use scimcheck::schema::Registry;
use scimcheck::store::{Database, ListQuery, MemberChange, MemoryStore, NewResource, Position, Store, Update, Window};
use serde_json::{Map, Value, json};
use std::sync::Arc;

fn store(which: &str) -> Arc<dyn Store> {
    match which {
        "memory" => Arc::new(MemoryStore::new()),
        "sqlite" => Arc::new(Database::open_in_memory().unwrap().store("t1")),
        _ => unreachable!(),
    }
}

fn attrs(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn user(s: &dyn Store, name: &str) -> String {
    let key = UniqueKey { attr: "userName".into(), key: name.to_lowercase() };
    let res = NewResource {
        attrs: attrs(json!({"userName": name, "emails": [{"value": format!("{name}@x.org")}]})),
        unique: vec![key],
        members: vec![],
        actor: "t".into(),
    };
    s.create(Kind::User, res).unwrap().id
}

fn all(count: usize) -> Window {
    Window::Offset { offset: 0, count }
}

#[rstest]
fn create_get_update_delete(#[values("memory", "sqlite")] which: &str) {
    let s = store(which);
    let id = user(&*s, "alice");
    let r = s.get(Kind::User, &id).unwrap().unwrap();
    assert_eq!(r.attrs["userName"], "alice");
    assert!(s.get(Kind::Group, &id).unwrap().is_none(), "kinds are separate");
    let updated = s
        .update(Kind::User, &id, Some(&r.etag()), &mut |cur, _| {
            let mut a = cur.attrs.clone();
            a.insert("title".into(), json!("boss"));
            Ok(Update {
                attrs: a,
                unique: vec![UniqueKey { attr: "userName".into(), key: "alice".into() }],
                members: None,
                put: false,
                actor: "t".into(),
            })
        })
        .unwrap();
    assert!(updated.version > r.version);
    assert_eq!(updated.created, r.created);
    let stale = s.update(Kind::User, &id, Some(&r.etag()), &mut |cur, _| {
        Ok(Update { attrs: cur.attrs.clone(), unique: vec![], members: None, put: false, actor: "t".into() })
    });
    assert_eq!(stale.unwrap_err().status, 412);
    assert_eq!(s.delete(Kind::User, &id, Some("W/\"0\""), "t").unwrap_err().status, 412);
    s.delete(Kind::User, &id, None, "t").unwrap();
    assert!(s.get(Kind::User, &id).unwrap().is_none());
    assert_eq!(s.delete(Kind::User, &id, None, "t").unwrap_err().status, 404);
}

/// Every write records its change (the RFC 9967 outbox) in the same step; a failed or no-op
/// write records none; a forgotten change is gone.
#[rstest]
fn writes_record_their_changes(#[values("memory", "sqlite")] which: &str) {
    let s = store(which);
    let id = user(&*s, "carol");
    let patch = |put: bool, title: &'static str| {
        move |cur: &scimcheck::model::Record, _: scimcheck::store::MembersOf<'_>| {
            let mut a = cur.attrs.clone();
            a.insert("title".into(), json!(title));
            Ok(Update {
                attrs: a,
                unique: vec![UniqueKey { attr: "userName".into(), key: "carol".into() }],
                members: None,
                put,
                actor: "okta".into(),
            })
        }
    };
    s.update(Kind::User, &id, None, &mut patch(false, "x")).unwrap();
    s.update(Kind::User, &id, None, &mut patch(false, "x")).unwrap(); // no change: no event
    assert!(s.update(Kind::User, &id, Some("W/\"0\""), &mut patch(true, "y")).is_err(), "a failed write");
    s.update(Kind::User, &id, None, &mut patch(true, "y")).unwrap();
    s.delete(Kind::User, &id, None, "t").unwrap();
    let changes = s.changes(0, 10).unwrap();
    let ops: Vec<&str> = changes.iter().map(|c| c.op.as_str()).collect();
    assert_eq!(ops, ["create", "patch", "put", "delete"]);
    assert_eq!(changes[0].attributes, ["emails", "userName"]);
    assert_eq!(changes[1].attributes, ["title"]);
    assert!(changes[3].attributes.is_empty() && changes.iter().all(|c| c.id == id && c.kind == "User"));
    assert!(changes.windows(2).all(|w| w[0].seq < w[1].seq));
    s.forget_changes(&[changes[0].seq, changes[1].seq]).unwrap();
    let left: Vec<String> = s.changes(0, 10).unwrap().into_iter().map(|c| c.op).collect();
    assert_eq!(left, ["put", "delete"]);
    // The audit log has the same writes, each with its actor, and is not forgotten with them.
    let (log, _) = s.audit_after(0, 10).unwrap();
    let seen: Vec<(&str, &str)> = log.iter().map(|e| (e.action.as_str(), e.actor.as_str())).collect();
    assert_eq!(seen, [("create", "t"), ("patch", "okta"), ("replace", "okta"), ("delete", "t")]);
    assert_eq!(log[1].before, Some(json!({"userName": "carol", "active": true})));
}

#[rstest]
fn uniqueness_and_atomic_failures(#[values("memory", "sqlite")] which: &str) {
    let s = store(which);
    let a = user(&*s, "alice");
    let b = user(&*s, "bob");
    let dup = s.create(
        Kind::User,
        NewResource {
            attrs: attrs(json!({"userName": "ALICE"})),
            unique: vec![UniqueKey { attr: "userName".into(), key: "alice".into() }],
            members: vec![],
            actor: "t".into(),
        },
    );
    assert_eq!(dup.unwrap_err().scim_type, Some(ScimType::Uniqueness));
    let before = s.get(Kind::User, &b).unwrap().unwrap();
    let clash = s.update(Kind::User, &b, None, &mut |_, _| {
        Ok(Update {
            attrs: attrs(json!({"userName": "alice"})),
            unique: vec![UniqueKey { attr: "userName".into(), key: "alice".into() }],
            members: None,
            put: false,
            actor: "t".into(),
        })
    });
    assert_eq!(clash.unwrap_err().status, 409);
    assert_eq!(s.get(Kind::User, &b).unwrap().unwrap(), before, "a failed update changes nothing");
    // The freed name can be reused after delete.
    s.delete(Kind::User, &a, None, "t").unwrap();
    user(&*s, "alice");
}

#[rstest]
fn membership_relation_both_ways(#[values("memory", "sqlite")] which: &str) {
    let s = store(which);
    let (u1, u2, u3) = (user(&*s, "u1"), user(&*s, "u2"), user(&*s, "u3"));
    let g = s
        .create(
            Kind::Group,
            NewResource {
                attrs: attrs(json!({"displayName": "G"})),
                unique: vec![],
                members: vec![(u1.clone(), Some("one".into()))],
                actor: "t".into(),
            },
        )
        .unwrap();
    let bad = s.create(
        Kind::Group,
        NewResource {
            attrs: attrs(json!({"displayName": "H"})),
            unique: vec![],
            members: vec![("nope".into(), None)],
            actor: "t".into(),
        },
    );
    assert_eq!(bad.unwrap_err().scim_type, Some(ScimType::InvalidValue));
    let delta = |add: Vec<&String>, remove: Vec<&String>| {
        let (add, remove): (Vec<(String, Option<String>)>, Vec<String>) =
            (add.into_iter().map(|a| (a.clone(), None)).collect(), remove.into_iter().cloned().collect());
        move |cur: &scimcheck::model::Record, _: scimcheck::store::MembersOf<'_>| {
            Ok(Update {
                attrs: cur.attrs.clone(),
                unique: vec![],
                members: Some(MemberChange::Delta { add: add.clone(), remove: remove.clone() }),
                put: false,
                actor: "t".into(),
            })
        }
    };
    s.update(Kind::Group, &g.id, None, &mut delta(vec![&u2, &u3], vec![&u1])).unwrap();
    let ids: Vec<String> = s.members(&g.id).unwrap().into_iter().map(|m| m.value).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&u2) && ids.contains(&u3));
    assert_eq!(s.groups_of(&u2).unwrap()[0].display.as_deref(), Some("G"));
    assert!(s.groups_of(&u1).unwrap().is_empty());
    let many = s.groups_of_many(&[u2.as_str(), u1.as_str()]).unwrap();
    assert_eq!(many[&u2].iter().map(|g| g.id.as_str()).collect::<Vec<_>>(), vec![g.id.as_str()]);
    assert!(many[&u1].is_empty());
    s.update(Kind::Group, &g.id, None, &mut |cur, members| {
        assert_eq!(members().len(), 2, "the closure sees the current members");
        Ok(Update {
            attrs: cur.attrs.clone(),
            unique: vec![],
            members: Some(MemberChange::Replace(vec![(u1.clone(), None)])),
            put: false,
            actor: "t".into(),
        })
    })
    .unwrap();
    assert_eq!(s.members(&g.id).unwrap().len(), 1);
    assert_eq!(s.groups_of(&u1).unwrap().len(), 1, "a replaced membership is read back");
    assert!(s.groups_of(&u2).unwrap().is_empty());
    // A renamed group shows its new name in its members' groups.
    s.update(Kind::Group, &g.id, None, &mut |cur, _| {
        let mut a = cur.attrs.clone();
        a.insert("displayName".into(), json!("Renamed"));
        Ok(Update { attrs: a, unique: vec![], members: None, put: false, actor: "t".into() })
    })
    .unwrap();
    assert_eq!(s.groups_of(&u1).unwrap()[0].display.as_deref(), Some("Renamed"));
    s.delete(Kind::User, &u1, None, "t").unwrap();
    assert!(s.groups_of(&u1).unwrap().is_empty(), "a deleted user is in no group");
    assert!(s.members(&g.id).unwrap().is_empty(), "deleting a user removes it from groups");
    s.update(Kind::Group, &g.id, None, &mut delta(vec![&u2], vec![])).unwrap();
    s.delete(Kind::Group, &g.id, None, "t").unwrap();
    assert!(s.groups_of(&u2).unwrap().is_empty(), "a deleted group is no one's group");
}

#[rstest]
fn listing_filters_sorts_and_pages(#[values("memory", "sqlite")] which: &str) {
    let s = store(which);
    for n in ["carol", "alice", "bob", "dave", "erin"] {
        user(&*s, n);
    }
    let reg = Registry::embedded();
    let rt = reg.resource_type("User").unwrap();
    let page = s
        .list(Kind::User, &ListQuery { filter: None, sort: None, window: Window::Offset { offset: 1, count: 2 } })
        .unwrap();
    assert_eq!((page.total, page.records.len(), page.more_before, page.more_after), (5, 2, true, true));
    let f = compile(rt, &parse(r#"userName eq "BOB""#).unwrap(), true).unwrap();
    let page = s.list(Kind::User, &ListQuery { filter: Some(&f), sort: None, window: all(10) }).unwrap();
    assert_eq!(page.records.iter().map(|r| r.attrs["userName"].as_str().unwrap()).collect::<Vec<_>>(), vec!["bob"]);
    let f = compile(rt, &parse(r#"emails.value eq "dave@x.org""#).unwrap(), true).unwrap();
    assert_eq!(s.list(Kind::User, &ListQuery { filter: Some(&f), sort: None, window: all(10) }).unwrap().total, 1);
    let f = compile(rt, &parse(r#"userName co "a""#).unwrap(), true).unwrap();
    let sort = SortSpec::parse(rt, "userName", Some("descending")).unwrap();
    let page = s.list(Kind::User, &ListQuery { filter: Some(&f), sort: Some(&sort), window: all(10) }).unwrap();
    let names: Vec<&str> = page.records.iter().map(|r| r.attrs["userName"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["dave", "carol", "alice"]);
    // Keyset windows.
    let sort = SortSpec::parse(rt, "userName", None).unwrap();
    let first = s
        .list(Kind::User, &ListQuery { filter: None, sort: Some(&sort), window: Window::After { pos: None, count: 2 } })
        .unwrap();
    let last = first.records.last().unwrap();
    let pos = Position { key: sort.key(last), id: last.id.clone() };
    let next = s
        .list(
            Kind::User,
            &ListQuery { filter: None, sort: Some(&sort), window: Window::After { pos: Some(pos.clone()), count: 2 } },
        )
        .unwrap();
    assert_eq!(
        next.records.iter().map(|r| r.attrs["userName"].as_str().unwrap()).collect::<Vec<_>>(),
        vec!["carol", "dave"]
    );
    let back = s
        .list(Kind::User, &ListQuery { filter: None, sort: Some(&sort), window: Window::Before { pos, count: 5 } })
        .unwrap();
    assert_eq!(back.records.len(), 1, "only alice comes before bob");
}

#[test]
fn sqlite_keeps_everything_across_reopen() {
    let dir = std::env::temp_dir().join(format!("scimcheck-reopen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("db.sqlite");
    let (id, version) = {
        let db = Database::open(&path).unwrap();
        let s = db.store("t1");
        let id = user(&s, "persisted");
        let older = user(&s, "older");
        let version = s.get(Kind::User, &id).unwrap().unwrap().version;
        db.save_tenant("t1", &json!({"x": 1})).unwrap();
        let done = scimcheck::store::Change::completion("txn1", "/Users/x", json!({"status": "201"}));
        db.store("t1").record_changes(vec![done]).unwrap();
        let event = scimcheck::audit::Event::new("admin", "settings.update", "Settings", "t1", None, None);
        assert_eq!(db.store("t1").audit(event).unwrap(), 3, "after the creates' own events");
        assert!(s.get(Kind::User, &older).unwrap().unwrap().version > version);
        s.delete(Kind::User, &older, None, "t").unwrap();
        (id, version)
    };
    let db = Database::open(&path).unwrap();
    let next = user(&db.store("t1"), "after");
    let next = db.store("t1").get(Kind::User, &next).unwrap().unwrap().version;
    assert!(next > version, "versions go on after a restart ({next} after {version})");
    assert_eq!(db.store("t1").get(Kind::User, &id).unwrap().unwrap().attrs["userName"], "persisted");
    assert!(db.store("t2").get(Kind::User, &id).unwrap().is_none(), "tenants are separate");
    assert_eq!(db.tenants().unwrap(), vec![("t1".to_owned(), json!({"x": 1}))]);
    let outbox = db.store("t1").changes(0, 10).unwrap();
    let ops: Vec<&str> = outbox.iter().map(|c| c.op.as_str()).collect();
    assert_eq!(
        ops,
        ["create", "create", "asyncresp", "delete", "create"],
        "the completion of an asynchronous request is kept like a write's change"
    );
    assert_eq!(outbox[2].completion.as_ref().unwrap()["txn"], "txn1");
    let (events, more) = db.store("t1").audit_after(0, 2).unwrap();
    let seen: Vec<(u64, &str, &str)> =
        events.iter().map(|e| (e.seq, e.action.as_str(), e.resource_id.as_str())).collect();
    assert_eq!((seen[0], more), ((1, "create", id.as_str()), true));
    let (events, _) = db.store("t1").audit_after(2, 1).unwrap();
    assert_eq!((events[0].seq, events[0].action.as_str()), (3, "settings.update"));
    assert_eq!(db.store("t2").audit_after(0, 10).unwrap().0, vec![], "each tenant has its own log");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Unfiltered pages in id order, by index and by position both ways, through creates and
/// deletes (the SQLite store reads them by keyset from its in-memory ranks).
#[rstest]
fn unfiltered_pages_follow_id_order_through_writes(#[values("memory", "sqlite")] which: &str) {
    let s = store(which);
    let page = |w: Window| s.list(Kind::User, &ListQuery { filter: None, sort: None, window: w }).unwrap();
    let ids_of = |p: &scimcheck::store::Page| p.records.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    let _ = page(Window::Offset { offset: 0, count: 10 }); // before any write: nothing, and the ranks load
    let mut all: Vec<String> = (0..60).map(|i| user(&*s, &format!("p{i}"))).collect();
    for gone in [all[0].clone(), all[31].clone(), all[59].clone()] {
        s.delete(Kind::User, &gone, None, "t").unwrap();
        all.retain(|x| *x != gone);
    }
    all.extend((60..65).map(|i| user(&*s, &format!("p{i}"))));
    all.sort();
    for offset in [0, 1, 25, 55, 61, 62, 100] {
        let p = page(Window::Offset { offset, count: 10 });
        let want: Vec<String> = all.iter().skip(offset).take(10).cloned().collect();
        assert_eq!(ids_of(&p), want, "offset {offset}");
        assert_eq!((p.total, p.more_before, p.more_after), (62, offset > 0, offset + 10 < 62), "offset {offset}");
    }
    let at = |i: usize| Position { key: scimcheck::filter::sort::SortKey::Missing, id: all[i].clone() };
    let after = page(Window::After { pos: Some(at(19)), count: 10 });
    assert_eq!(ids_of(&after), all[20..30].to_vec());
    assert_eq!((after.more_before, after.more_after), (true, true));
    let first = page(Window::After { pos: None, count: 10 });
    assert_eq!((ids_of(&first), first.more_before), (all[..10].to_vec(), false));
    let before = page(Window::Before { pos: at(15), count: 10 });
    assert_eq!(ids_of(&before), all[5..15].to_vec());
    assert_eq!((before.more_before, before.more_after), (true, true));
    let start = page(Window::Before { pos: at(3), count: 10 });
    assert_eq!((ids_of(&start), start.more_before), (all[..3].to_vec(), false));
    let last = page(Window::After { pos: Some(at(55)), count: 10 });
    assert_eq!((ids_of(&last), last.more_after), (all[56..].to_vec(), false));
}

/// The IdPs' equality lookups (`userName`, `externalId`) follow creates, renames and deletes,
/// once a lookup has been asked (the SQLite store then answers them from memory), and find
/// every holder of a shared value in id order.
#[rstest]
fn equality_lookups_follow_writes(#[values("memory", "sqlite")] which: &str) {
    let s = store(which);
    let reg = Registry::embedded();
    let rt = reg.resource_type("User").unwrap();
    let find = |filter: &str| -> Vec<String> {
        let f = compile(rt, &parse(filter).unwrap(), true).unwrap();
        let page = s.list(Kind::User, &ListQuery { filter: Some(&f), sort: None, window: all(10) }).unwrap();
        page.records.into_iter().map(|r| r.id.clone()).collect()
    };
    let alice = user(&*s, "alice");
    assert_eq!(find(r#"userName eq "ALICE""#), vec![alice.clone()], "userName is caseExact false");
    let mut shared = vec![];
    for name in ["bob", "carol"] {
        let id = user(&*s, name);
        s.update(Kind::User, &id, None, &mut |cur, _| {
            let mut a = cur.attrs.clone();
            a.insert("externalId".into(), json!("X-7"));
            Ok(Update { attrs: a, unique: vec![], members: None, put: false, actor: "t".into() })
        })
        .unwrap();
        shared.push(id);
    }
    shared.sort();
    assert_eq!(find(r#"externalId eq "X-7""#), shared, "a shared externalId finds both, in id order");
    assert_eq!(find(r#"externalId eq "x-7""#), Vec::<String>::new(), "externalId is caseExact");
    s.update(Kind::User, &alice, None, &mut |cur, _| {
        let mut a = cur.attrs.clone();
        a.insert("userName".into(), json!("alice2"));
        a.insert("emails".into(), json!([{"value": "alice2@x.org"}]));
        Ok(Update {
            attrs: a,
            unique: vec![UniqueKey { attr: "userName".into(), key: "alice2".into() }],
            members: None,
            put: false,
            actor: "t".into(),
        })
    })
    .unwrap();
    assert_eq!(find(r#"userName eq "alice""#), Vec::<String>::new(), "the old name is gone");
    assert_eq!(find(r#"userName eq "Alice2""#), vec![alice.clone()]);
    assert_eq!(find(r#"emails.value eq "alice2@x.org""#), vec![alice.clone()], "emails are looked up in SQL");
    assert_eq!(find(r#"emails.value eq "alice@x.org""#), Vec::<String>::new());
    let dave = user(&*s, "dave");
    assert_eq!(find(r#"userName eq "dave""#), vec![dave.clone()], "a create after the first lookup is found");
    // An update that keeps its keys keeps its claim on them; a renamed user frees the old name.
    s.update(Kind::User, &dave, None, &mut |cur, _| {
        let mut a = cur.attrs.clone();
        a.insert("active".into(), json!(false));
        Ok(Update {
            attrs: a,
            unique: vec![UniqueKey { attr: "userName".into(), key: "dave".into() }],
            members: None,
            put: false,
            actor: "t".into(),
        })
    })
    .unwrap();
    let claim = |name: &str| NewResource {
        attrs: attrs(json!({"userName": name})),
        unique: vec![UniqueKey { attr: "userName".into(), key: name.into() }],
        members: vec![],
        actor: "t".into(),
    };
    assert_eq!(s.create(Kind::User, claim("dave")).unwrap_err().status, 409);
    assert_eq!(s.create(Kind::User, claim("alice2")).unwrap_err().status, 409);
    s.create(Kind::User, claim("alice")).unwrap();
    s.delete(Kind::User, &shared[0], None, "t").unwrap();
    assert_eq!(find(r#"externalId eq "X-7""#), [shared[1].clone()], "a delete leaves the other holder");
}
