//! graphql-js's `OverlappingFieldsCanBeMergedRule`, in its three generations:
//! - 14.x: fragments compared with a field map once per selection set (`comparedFragments`);
//! - 15.x (and 16.0–16.4): no guard, so a fragment that spreads itself recurses until the
//!   stack overflows (Parse 4.x answered "Maximum call stack size exceeded");
//! - 16.5–16.9: fragment pairs guard the recursion; 16.10+: (field map, fragment) pairs.
//!
//! 15+ quote names and types in the reasons; 16.5+ compare arguments with sorted objects.

use std::collections::{HashMap, HashSet};

use super::schema::{Kind, TypeDef};
use super::{Context, Flow, Node, Rule};
use crate::graphql::envelope::document::{Field, Pos, Selection, Value, ValueKind};
use crate::graphql::envelope::schema_info::TypeRef;
use crate::version::GraphqlJs;

/// Past this depth the 15.x recursion is the stack overflow Node.js would hit.
const OVERFLOW_DEPTH: usize = 2_000;

type SetKey = (usize, usize);

fn key(set: &[Selection]) -> SetKey {
    (set.as_ptr() as usize, set.len())
}

/// (parent type, field node, field definition type) per response name, in first-seen order.
#[derive(Clone)]
struct FieldEntry<'d> {
    parent: Option<&'d TypeDef>,
    node: &'d Field,
    ty: Option<TypeRef>,
}

type FieldMap<'d> = Vec<(&'d str, Vec<FieldEntry<'d>>)>;

struct Collected<'d> {
    fields: FieldMap<'d>,
    fragments: Vec<&'d str>,
}

enum Reason {
    Message(String),
    Sub(Vec<(String, Reason)>),
}

struct Conflict<'d> {
    name: String,
    reason: Reason,
    fields1: Vec<&'d Field>,
    fields2: Vec<&'d Field>,
}

fn reason_message(r: &Reason) -> String {
    match r {
        Reason::Message(m) => m.clone(),
        Reason::Sub(list) => list
            .iter()
            .map(|(n, r)| format!("subfields \"{n}\" conflict because {}", reason_message(r)))
            .collect::<Vec<_>>()
            .join(" and "),
    }
}

#[derive(Default)]
pub struct OverlappingFieldsCanBeMerged<'d> {
    cache: HashMap<SetKey, std::rc::Rc<Collected<'d>>>,
    /// Unordered fragment pairs, with whether they were compared as mutually exclusive.
    fragment_pairs: HashMap<(String, String), bool>,
    /// 16.10+: (field map, fragment) pairs.
    field_fragment_pairs: HashMap<(SetKey, String), bool>,
    depth: usize,
}

impl<'d> Rule<'d> for OverlappingFieldsCanBeMerged<'d> {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        if let Node::SelectionSet { selections, .. } = node {
            if cx.overflow {
                return Flow::Continue;
            }
            let parent = cx.parent_type();
            let conflicts = self.within(cx, parent, selections);
            if cx.overflow {
                return Flow::Continue;
            }
            for c in conflicts {
                let positions: Vec<Pos> = c
                    .fields1
                    .iter()
                    .chain(c.fields2.iter())
                    .map(|f| f.start)
                    .collect();
                cx.report(
                    format!(
                        "Fields \"{}\" conflict because {}. Use different aliases on the fields to fetch both if this was intentional.",
                        c.name,
                        reason_message(&c.reason)
                    ),
                    &positions,
                );
            }
        }
        Flow::Continue
    }
}

fn pair(a: &str, b: &str) -> (String, String) {
    if a < b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

/// graphql-js's pair sets: present when added as mutually exclusive, or as asked.
fn has(stored: Option<&bool>, exclusive: bool) -> bool {
    match stored {
        None => false,
        Some(r) => exclusive || *r == exclusive,
    }
}

impl<'d> OverlappingFieldsCanBeMerged<'d> {
    fn collected(
        &mut self,
        cx: &Context<'d>,
        parent: Option<&'d TypeDef>,
        set: &'d [Selection],
    ) -> std::rc::Rc<Collected<'d>> {
        if let Some(hit) = self.cache.get(&key(set)) {
            return hit.clone();
        }
        let mut fields: FieldMap<'d> = Vec::new();
        let mut fragments: Vec<&'d str> = Vec::new();
        collect(cx, parent, set, &mut fields, &mut fragments);
        let c = std::rc::Rc::new(Collected { fields, fragments });
        self.cache.insert(key(set), c.clone());
        c
    }

    fn fragment_collected(
        &mut self,
        cx: &Context<'d>,
        name: &str,
    ) -> Option<(SetKey, std::rc::Rc<Collected<'d>>)> {
        let f = cx.fragment(name)?;
        let parent = cx.schema.get(&f.type_condition);
        Some((key(&f.selection), self.collected(cx, parent, &f.selection)))
    }

    fn within(
        &mut self,
        cx: &mut Context<'d>,
        parent: Option<&'d TypeDef>,
        set: &'d [Selection],
    ) -> Vec<Conflict<'d>> {
        let mut conflicts = Vec::new();
        let map = self.collected(cx, parent, set);
        let map_key = key(set);
        // Within one collection: every pair of fields with the same response name.
        for (name, fields) in &map.fields {
            for i in 0..fields.len() {
                for j in i + 1..fields.len() {
                    if let Some(c) = self.find_conflict(cx, false, name, &fields[i], &fields[j]) {
                        conflicts.push(c);
                    }
                }
            }
        }
        let mut compared = HashSet::new();
        for i in 0..map.fragments.len() {
            self.fields_and_fragment(
                cx,
                &mut conflicts,
                &mut compared,
                false,
                map_key,
                &map,
                map.fragments[i],
            );
            for j in i + 1..map.fragments.len() {
                self.between_fragments(
                    cx,
                    &mut conflicts,
                    false,
                    map.fragments[i],
                    map.fragments[j],
                );
            }
        }
        conflicts
    }

    #[allow(
        clippy::too_many_arguments,
        reason = "graphql-js's own parameter list, kept so the port reads against it"
    )]
    fn fields_and_fragment(
        &mut self,
        cx: &mut Context<'d>,
        conflicts: &mut Vec<Conflict<'d>>,
        compared: &mut HashSet<String>,
        exclusive: bool,
        map_key: SetKey,
        map: &Collected<'d>,
        fragment: &str,
    ) {
        if cx.overflow {
            return;
        }
        let late16 = cx.release.at_least(16, 10);
        match cx.js {
            GraphqlJs::V14 if !compared.insert(fragment.to_owned()) => return,
            GraphqlJs::V14 => {}
            _ if late16 => {
                let k = (map_key, fragment.to_owned());
                if has(self.field_fragment_pairs.get(&k), exclusive) {
                    return;
                }
                self.field_fragment_pairs.insert(k, exclusive);
            }
            _ => {}
        }
        self.depth += 1;
        if self.depth > OVERFLOW_DEPTH {
            cx.overflow = true;
            self.depth -= 1;
            return;
        }
        if let Some((frag_key, frag_map)) = self.fragment_collected(cx, fragment)
            && frag_key != map_key
        {
            self.between(cx, conflicts, exclusive, map, &frag_map);
            let guarded = cx.js == GraphqlJs::V16 && cx.release.at_least(16, 5) && !late16;
            for referenced in &frag_map.fragments {
                if guarded {
                    let k = pair(referenced, fragment);
                    if has(self.fragment_pairs.get(&k), exclusive) {
                        continue;
                    }
                    self.fragment_pairs.insert(k, exclusive);
                }
                self.fields_and_fragment(
                    cx, conflicts, compared, exclusive, map_key, map, referenced,
                );
            }
        }
        self.depth -= 1;
    }

    fn between_fragments(
        &mut self,
        cx: &mut Context<'d>,
        conflicts: &mut Vec<Conflict<'d>>,
        exclusive: bool,
        a: &str,
        b: &str,
    ) {
        if a == b || cx.overflow {
            return;
        }
        let k = pair(a, b);
        if has(self.fragment_pairs.get(&k), exclusive) {
            return;
        }
        self.fragment_pairs.insert(k, exclusive);
        let (Some((_, m1)), Some((_, m2))) = (
            self.fragment_collected(cx, a),
            self.fragment_collected(cx, b),
        ) else {
            return;
        };
        self.between(cx, conflicts, exclusive, &m1, &m2);
        for r2 in &m2.fragments {
            self.between_fragments(cx, conflicts, exclusive, a, r2);
        }
        for r1 in &m1.fragments {
            self.between_fragments(cx, conflicts, exclusive, r1, b);
        }
    }

    fn between(
        &mut self,
        cx: &mut Context<'d>,
        conflicts: &mut Vec<Conflict<'d>>,
        exclusive: bool,
        m1: &Collected<'d>,
        m2: &Collected<'d>,
    ) {
        for (name, fields1) in &m1.fields {
            let Some((_, fields2)) = m2.fields.iter().find(|(n, _)| n == name) else {
                continue;
            };
            for f1 in fields1 {
                for f2 in fields2 {
                    if let Some(c) = self.find_conflict(cx, exclusive, name, f1, f2) {
                        conflicts.push(c);
                    }
                }
            }
        }
    }

    #[allow(
        clippy::too_many_arguments,
        reason = "graphql-js's own parameter list, kept so the port reads against it"
    )]
    fn sub_selections(
        &mut self,
        cx: &mut Context<'d>,
        exclusive: bool,
        p1: Option<&'d TypeDef>,
        s1: &'d [Selection],
        p2: Option<&'d TypeDef>,
        s2: &'d [Selection],
    ) -> Vec<Conflict<'d>> {
        let mut conflicts = Vec::new();
        let m1 = self.collected(cx, p1, s1);
        let m2 = self.collected(cx, p2, s2);
        self.between(cx, &mut conflicts, exclusive, &m1, &m2);
        let mut compared = HashSet::new();
        for f2 in &m2.fragments {
            self.fields_and_fragment(
                cx,
                &mut conflicts,
                &mut compared,
                exclusive,
                key(s1),
                &m1,
                f2,
            );
        }
        let mut compared = HashSet::new();
        for f1 in &m1.fragments {
            self.fields_and_fragment(
                cx,
                &mut conflicts,
                &mut compared,
                exclusive,
                key(s2),
                &m2,
                f1,
            );
        }
        for f1 in &m1.fragments {
            for f2 in &m2.fragments {
                self.between_fragments(cx, &mut conflicts, exclusive, f1, f2);
            }
        }
        conflicts
    }

    fn find_conflict(
        &mut self,
        cx: &mut Context<'d>,
        parent_exclusive: bool,
        name: &str,
        a: &FieldEntry<'d>,
        b: &FieldEntry<'d>,
    ) -> Option<Conflict<'d>> {
        let is_object = |t: Option<&TypeDef>| t.is_some_and(|t| t.kind == Kind::Object);
        let exclusive = parent_exclusive
            || (a.parent.map(|t| &t.name) != b.parent.map(|t| &t.name)
                && is_object(a.parent)
                && is_object(b.parent));
        let v14 = cx.js == GraphqlJs::V14;
        let conflict = |reason: String| Conflict {
            name: name.to_owned(),
            reason: Reason::Message(reason),
            fields1: vec![a.node],
            fields2: vec![b.node],
        };
        if !exclusive {
            if a.node.name != b.node.name {
                let reason = if v14 {
                    format!("{} and {} are different fields", a.node.name, b.node.name)
                } else {
                    format!(
                        "\"{}\" and \"{}\" are different fields",
                        a.node.name, b.node.name
                    )
                };
                return Some(conflict(reason));
            }
            if !same_arguments(cx, a.node, b.node) {
                return Some(conflict("they have differing arguments".into()));
            }
        }
        if let (Some(t1), Some(t2)) = (&a.ty, &b.ty)
            && types_conflict(cx, t1, t2)
        {
            let reason = if v14 {
                format!("they return conflicting types {t1} and {t2}")
            } else {
                format!("they return conflicting types \"{t1}\" and \"{t2}\"")
            };
            return Some(conflict(reason));
        }
        if let (Some(s1), Some(s2)) = (&a.node.selection, &b.node.selection) {
            let p1 = a.ty.as_ref().and_then(|t| cx.schema.get(t.named()));
            let p2 = b.ty.as_ref().and_then(|t| cx.schema.get(t.named()));
            let subs = self.sub_selections(cx, exclusive, p1, s1, p2, s2);
            if !subs.is_empty() {
                let mut fields1 = vec![a.node];
                let mut fields2 = vec![b.node];
                let mut reasons = Vec::new();
                for c in subs {
                    fields1.extend(c.fields1);
                    fields2.extend(c.fields2);
                    reasons.push((c.name, c.reason));
                }
                return Some(Conflict {
                    name: name.to_owned(),
                    reason: Reason::Sub(reasons),
                    fields1,
                    fields2,
                });
            }
        }
        None
    }
}

/// `_collectFieldsAndFragmentNames`.
fn collect<'d>(
    cx: &Context<'d>,
    parent: Option<&'d TypeDef>,
    set: &'d [Selection],
    fields: &mut FieldMap<'d>,
    fragments: &mut Vec<&'d str>,
) {
    for s in set {
        match s {
            Selection::Field(f) => {
                let ty = parent
                    .filter(|p| matches!(p.kind, Kind::Object | Kind::Interface))
                    .and_then(|p| p.field(&f.name))
                    .map(|d| d.ty.clone());
                let entry = FieldEntry {
                    parent,
                    node: f,
                    ty,
                };
                let name = f.response_name();
                match fields.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, list)) => list.push(entry),
                    None => fields.push((name, vec![entry])),
                }
            }
            Selection::Spread { name, .. } => {
                if !fragments.contains(&name.as_str()) {
                    fragments.push(name);
                }
            }
            Selection::Inline {
                type_condition,
                selection,
                ..
            } => {
                let t = match type_condition {
                    Some(t) => cx.schema.get(t),
                    None => parent,
                };
                collect(cx, t, selection, fields, fragments);
            }
        }
    }
}

/// graphql-js `doTypesConflict`.
fn types_conflict(cx: &Context<'_>, a: &TypeRef, b: &TypeRef) -> bool {
    match (a, b) {
        (TypeRef::List(x), TypeRef::List(y)) | (TypeRef::NonNull(x), TypeRef::NonNull(y)) => {
            types_conflict(cx, x, y)
        }
        (TypeRef::List(_), _) | (_, TypeRef::List(_)) => true,
        (TypeRef::NonNull(_), _) | (_, TypeRef::NonNull(_)) => true,
        (TypeRef::Named(x), TypeRef::Named(y)) => {
            let leaf = |n: &str| cx.schema.get(n).is_some_and(TypeDef::is_leaf);
            (leaf(x) || leaf(y)) && x != y
        }
    }
}

/// `print` of a value, with object fields sorted by name from graphql-js 16.5 (`sortValueNode`).
fn stringify(v: &Value, sort: bool, js: GraphqlJs) -> String {
    match &v.kind {
        ValueKind::List(items) => {
            let inner: Vec<String> = items.iter().map(|i| stringify(i, sort, js)).collect();
            format!("[{}]", inner.join(", "))
        }
        ValueKind::Object(fields) => {
            let mut parts: Vec<(&str, String)> = fields
                .iter()
                .map(|(k, _, v)| (k.as_str(), stringify(v, sort, js)))
                .collect();
            if sort {
                parts.sort_by(|a, b| super::suggest::natural_cmp(a.0, b.0));
            }
            let inner: Vec<String> = parts.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            format!("{{{}}}", inner.join(", "))
        }
        _ => v.print_as(js),
    }
}

fn same_arguments(cx: &Context<'_>, a: &Field, b: &Field) -> bool {
    if a.arguments.len() != b.arguments.len() {
        return false;
    }
    let sort = cx.release.at_least(16, 5);
    a.arguments.iter().all(|x| {
        b.arguments
            .iter()
            .find(|y| y.name == x.name)
            .is_some_and(|y| stringify(&x.value, sort, cx.js) == stringify(&y.value, sort, cx.js))
    })
}
