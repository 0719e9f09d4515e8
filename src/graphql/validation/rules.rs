//! graphql-js's `specifiedRules`, one entry per rule, in graphql-js's order, each with its
//! wording per graphql-js major (read from graphql-js at the tags Parse pinned: 14.4/14.5,
//! 15.0–15.4, 16.8–16.13).

use std::collections::{HashMap, HashSet};

use super::schema::{Kind, TypeDef};
use super::suggest::{did_you_mean, suggestion_list};
use super::{Context, Extra, Flow, Node, Rule, type_str};
use crate::graphql::envelope::document::{
    Fragment, OperationKind, Pos, Selection, Value, ValueKind,
};
use crate::graphql::envelope::schema_info::TypeRef;
use crate::version::{GraphqlJs, UploadLiteral};

/// Apollo Server's `NoIntrospection` message (introspection off under NODE_ENV=production).
pub const APOLLO_NO_INTROSPECTION: &str = "GraphQL introspection is not allowed by Apollo Server, but the query contained __schema or __type. To enable introspection, pass introspection: true to ApolloServer in production";

type Boxed<'d> = Box<dyn Rule<'d> + 'd>;

/// The rules in graphql-js's `specifiedRules` order, then the stack's own.
pub fn instantiate<'d>(js: GraphqlJs, extra: Extra) -> Vec<Boxed<'d>> {
    let mut rules: Vec<Boxed<'d>> = vec![
        Box::new(ExecutableDefinitions),
        Box::new(UniqueOperationNames::default()),
        Box::new(LoneAnonymousOperation::default()),
        Box::new(SingleFieldSubscriptions),
        Box::new(KnownTypeNames),
        Box::new(FragmentsOnCompositeTypes),
        Box::new(VariablesAreInputTypes),
        Box::new(ScalarLeafs),
        Box::new(FieldsOnCorrectType),
        Box::new(UniqueFragmentNames::default()),
        Box::new(KnownFragmentNames),
        Box::new(NoUnusedFragments::default()),
        Box::new(PossibleFragmentSpreads),
        Box::new(NoFragmentCycles::default()),
        Box::new(UniqueVariableNames::default()),
        Box::new(NoUndefinedVariables::default()),
        Box::new(NoUnusedVariables::default()),
        Box::new(KnownDirectives),
        Box::new(UniqueDirectivesPerLocation),
        Box::new(KnownArgumentNames),
        Box::new(UniqueArgumentNames::default()),
        Box::new(ValuesOfCorrectType),
        Box::new(ProvidedRequiredArguments),
        Box::new(VariablesInAllowedPosition::default()),
        Box::new(super::overlap::OverlappingFieldsCanBeMerged::default()),
        Box::new(UniqueInputFieldNames::default()),
    ];
    let _ = js;
    if extra.no_introspection {
        rules.push(Box::new(NoIntrospection));
    }
    rules
}

fn quoted_list(items: &[String]) -> Vec<String> {
    items.to_vec()
}

fn selection_start(s: &Selection) -> Pos {
    match s {
        Selection::Field(f) => f.start,
        Selection::Spread { start, .. } | Selection::Inline { start, .. } => *start,
    }
}

// ---------------------------------------------------------------------------------------------

struct ExecutableDefinitions;

impl<'d> Rule<'d> for ExecutableDefinitions {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        let Node::Document(doc) = node else {
            return Flow::Continue;
        };
        for def in &doc.type_system {
            let name = match (&def.name, cx.js) {
                (None, _) => "schema".to_owned(),
                (Some(n), GraphqlJs::V14) => n.clone(),
                (Some(n), _) => format!("\"{n}\""),
            };
            cx.report(
                format!("The {name} definition is not executable."),
                &[def.start],
            );
        }
        Flow::Skip
    }
}

#[derive(Default)]
struct UniqueOperationNames<'d> {
    known: HashMap<&'d str, Pos>,
}

impl<'d> Rule<'d> for UniqueOperationNames<'d> {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        match node {
            Node::Operation(op) => {
                if let (Some(name), Some(pos)) = (&op.name, op.name_pos) {
                    match self.known.get(name.as_str()) {
                        Some(first) => cx.report(
                            format!("There can be only one operation named \"{name}\"."),
                            &[*first, pos],
                        ),
                        None => {
                            self.known.insert(name, pos);
                        }
                    }
                }
                Flow::Skip
            }
            Node::Fragment(_) => Flow::Skip,
            _ => Flow::Continue,
        }
    }
}

#[derive(Default)]
struct LoneAnonymousOperation {
    operations: usize,
}

impl<'d> Rule<'d> for LoneAnonymousOperation {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        match node {
            Node::Document(doc) => self.operations = doc.operations.len(),
            Node::Operation(op) if op.name.is_none() && self.operations > 1 => cx.report(
                "This anonymous operation must be the only defined operation.".into(),
                &[op.start],
            ),
            _ => {}
        }
        Flow::Continue
    }
}

struct SingleFieldSubscriptions;

impl<'d> Rule<'d> for SingleFieldSubscriptions {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        let Node::Operation(op) = node else {
            return Flow::Continue;
        };
        if op.kind != OperationKind::Subscription {
            return Flow::Continue;
        }
        // graphql-js 16 collects the root fields against the subscription type, and does
        // nothing when the schema has none (Parse's has none).
        if cx.js == GraphqlJs::V16 && cx.schema.subscription.is_none() {
            return Flow::Continue;
        }
        if op.selection.len() != 1 {
            let message = match &op.name {
                Some(n) => format!("Subscription \"{n}\" must select only one top level field."),
                None => "Anonymous Subscription must select only one top level field.".into(),
            };
            let rest: Vec<Pos> = op.selection[1..].iter().map(selection_start).collect();
            cx.report(message, &rest);
        }
        Flow::Continue
    }
}

struct KnownTypeNames;

/// graphql-js's specified scalars and introspection types (`standardTypeNames`).
const STANDARD_TYPE_NAMES: [&str; 13] = [
    "String",
    "Int",
    "Float",
    "Boolean",
    "ID",
    "__Schema",
    "__Directive",
    "__DirectiveLocation",
    "__Type",
    "__Field",
    "__InputValue",
    "__EnumValue",
    "__TypeKind",
];

impl<'d> Rule<'d> for KnownTypeNames {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        let Node::NamedType { name, pos, sdl } = node else {
            return Flow::Continue;
        };
        if cx.schema.get(name).is_some() || cx.defined_types.contains(name) {
            return Flow::Continue;
        }
        if sdl && STANDARD_TYPE_NAMES[..5].contains(&name) {
            return Flow::Continue;
        }
        let mut names: Vec<&str> = Vec::new();
        if sdl {
            names.extend(STANDARD_TYPE_NAMES);
        }
        names.extend(cx.schema.types.iter().map(|t| t.name.as_str()));
        let mut defined: Vec<&str> = cx
            .doc
            .type_system
            .iter()
            .filter(|d| d.defines_type)
            .filter_map(|d| d.name.as_deref())
            .collect();
        defined.dedup();
        names.extend(defined);
        let suggestions = suggestion_list(cx.js, name, &names);
        cx.report(
            format!(
                "Unknown type \"{name}\".{}",
                did_you_mean(None, &suggestions, true)
            ),
            &[pos],
        );
        Flow::Continue
    }
}

struct FragmentsOnCompositeTypes;

impl<'d> Rule<'d> for FragmentsOnCompositeTypes {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        match node {
            Node::Inline(Selection::Inline {
                type_condition: Some(t),
                type_condition_pos,
                ..
            }) if cx.schema.get(t).is_some_and(|d| !d.is_composite()) => {
                cx.report(
                    format!("Fragment cannot condition on non composite type \"{t}\"."),
                    &[*type_condition_pos],
                );
            }
            Node::Fragment(f)
                if cx
                    .schema
                    .get(&f.type_condition)
                    .is_some_and(|d| !d.is_composite()) =>
            {
                cx.report(
                    format!(
                        "Fragment \"{}\" cannot condition on non composite type \"{}\".",
                        f.name, f.type_condition
                    ),
                    &[f.type_condition_pos],
                );
            }
            _ => {}
        }
        Flow::Continue
    }
}

struct VariablesAreInputTypes;

impl<'d> Rule<'d> for VariablesAreInputTypes {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        if let Node::VariableDefinition(v) = node
            && cx.named(&v.ty).is_some_and(|t| !t.is_input())
        {
            cx.report(
                format!(
                    "Variable \"${}\" cannot be non-input type \"{}\".",
                    v.name, v.ty
                ),
                &[v.ty_pos],
            );
        }
        Flow::Continue
    }
}

struct ScalarLeafs;

impl<'d> Rule<'d> for ScalarLeafs {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        let Node::Field(f) = node else {
            return Flow::Continue;
        };
        let Some(ty) = cx.get_type().cloned() else {
            return Flow::Continue;
        };
        let leaf = cx.named(&ty).is_some_and(TypeDef::is_leaf);
        match (&f.selection, leaf) {
            (Some(_), true) => cx.report(
                format!(
                    "Field \"{}\" must not have a selection since type \"{ty}\" has no subfields.",
                    f.name
                ),
                &[f.selection_pos],
            ),
            (None, false) => cx.report(
                format!(
                    "Field \"{0}\" of type \"{ty}\" must have a selection of subfields. Did you mean \"{0} {{ ... }}\"?",
                    f.name
                ),
                &[f.start],
            ),
            _ => {}
        }
        Flow::Continue
    }
}

struct FieldsOnCorrectType;

impl FieldsOnCorrectType {
    /// graphql-js `getSuggestedTypeNames`: the possible types (and their interfaces) that have
    /// the field, most used first.
    fn suggested_types(cx: &Context<'_>, parent: &TypeDef, field: &str) -> Vec<String> {
        if !parent.is_abstract() {
            return Vec::new();
        }
        let schema = cx.schema;
        let has = |name: &str| schema.get(name).is_some_and(|t| t.field(field).is_some());
        match cx.js {
            GraphqlJs::V14 => {
                let mut objects = Vec::new();
                let mut usage: Vec<(String, usize)> = Vec::new();
                for p in schema.possible_types(&parent.name) {
                    if !has(p) {
                        continue;
                    }
                    objects.push(p.clone());
                    for i in schema
                        .get(p)
                        .map(|t| t.interfaces.as_slice())
                        .unwrap_or(&[])
                    {
                        if !has(i) {
                            continue;
                        }
                        match usage.iter_mut().find(|(n, _)| n == i) {
                            Some((_, c)) => *c += 1,
                            None => usage.push((i.clone(), 1)),
                        }
                    }
                }
                usage.sort_by_key(|u| std::cmp::Reverse(u.1));
                usage.into_iter().map(|(n, _)| n).chain(objects).collect()
            }
            GraphqlJs::V15 | GraphqlJs::V16 => {
                let mut types: Vec<String> = Vec::new();
                let mut usage: HashMap<String, usize> = HashMap::new();
                for p in schema.possible_types(&parent.name) {
                    if !has(p) {
                        continue;
                    }
                    if !types.contains(p) {
                        types.push(p.clone());
                    }
                    usage.insert(p.clone(), 1);
                    for i in schema
                        .get(p)
                        .map(|t| t.interfaces.as_slice())
                        .unwrap_or(&[])
                    {
                        if !has(i) {
                            continue;
                        }
                        if !types.contains(i) {
                            types.push(i.clone());
                        }
                        *usage.entry(i.clone()).or_insert(0) += 1;
                    }
                }
                let js = cx.js;
                types.sort_by(|a, b| {
                    let diff = usage[b].cmp(&usage[a]);
                    if diff.is_ne() {
                        return diff;
                    }
                    let is_iface =
                        |n: &str| schema.get(n).is_some_and(|t| t.kind == Kind::Interface);
                    if is_iface(a) && schema.is_sub_type(a, b) {
                        return std::cmp::Ordering::Less;
                    }
                    if is_iface(b) && schema.is_sub_type(b, a) {
                        return std::cmp::Ordering::Greater;
                    }
                    match js {
                        GraphqlJs::V16 => super::suggest::natural_cmp(a, b),
                        _ => super::suggest::locale_cmp(a, b),
                    }
                });
                types
            }
        }
    }
}

impl<'d> Rule<'d> for FieldsOnCorrectType {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        let Node::Field(f) = node else {
            return Flow::Continue;
        };
        let Some(parent) = cx.parent_type() else {
            return Flow::Continue;
        };
        if cx.field_def().is_some() {
            return Flow::Continue;
        }
        let types = Self::suggested_types(cx, parent, &f.name);
        let mut hint = did_you_mean(Some("to use an inline fragment on"), &types, true);
        if hint.is_empty() {
            let fields: Vec<&str> = match parent.kind {
                Kind::Object | Kind::Interface => {
                    parent.fields.iter().map(|d| d.name.as_str()).collect()
                }
                _ => Vec::new(),
            };
            hint = did_you_mean(None, &suggestion_list(cx.js, &f.name, &fields), true);
        }
        cx.report(
            format!(
                "Cannot query field \"{}\" on type \"{}\".{hint}",
                f.name, parent.name
            ),
            &[f.start],
        );
        Flow::Continue
    }
}

#[derive(Default)]
struct UniqueFragmentNames<'d> {
    known: HashMap<&'d str, Pos>,
}

impl<'d> Rule<'d> for UniqueFragmentNames<'d> {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        match node {
            Node::Operation(_) => Flow::Skip,
            Node::Fragment(f) => {
                match self.known.get(f.name.as_str()) {
                    Some(first) => cx.report(
                        format!("There can be only one fragment named \"{}\".", f.name),
                        &[*first, f.name_pos],
                    ),
                    None => {
                        self.known.insert(&f.name, f.name_pos);
                    }
                }
                Flow::Skip
            }
            _ => Flow::Continue,
        }
    }
}

struct KnownFragmentNames;

impl<'d> Rule<'d> for KnownFragmentNames {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        if let Node::Spread(Selection::Spread { name, name_pos, .. }) = node
            && cx.fragment(name).is_none()
        {
            cx.report(format!("Unknown fragment \"{name}\"."), &[*name_pos]);
        }
        Flow::Continue
    }
}

#[derive(Default)]
struct NoUnusedFragments<'d> {
    operations: Vec<&'d [Selection]>,
    fragments: Vec<&'d Fragment>,
}

impl<'d> Rule<'d> for NoUnusedFragments<'d> {
    fn enter(&mut self, _cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        match node {
            Node::Operation(op) => {
                self.operations.push(&op.selection);
                Flow::Skip
            }
            Node::Fragment(f) => {
                self.fragments.push(f);
                Flow::Skip
            }
            _ => Flow::Continue,
        }
    }

    fn leave(&mut self, cx: &mut Context<'d>, node: Node<'d>) {
        if !matches!(node, Node::Document(_)) {
            return;
        }
        let mut used = HashSet::new();
        for op in &self.operations {
            for f in cx.referenced_fragments(op) {
                used.insert(f.name.as_str());
            }
        }
        for f in &self.fragments {
            if !used.contains(f.name.as_str()) {
                cx.report(
                    format!("Fragment \"{}\" is never used.", f.name),
                    &[f.start],
                );
            }
        }
    }
}

/// graphql-js `doTypesOverlap`.
fn do_types_overlap(cx: &Context<'_>, a: &TypeDef, b: &TypeDef) -> bool {
    if a.name == b.name {
        return true;
    }
    let schema = cx.schema;
    if a.is_abstract() {
        if b.is_abstract() {
            return schema
                .possible_types(&a.name)
                .iter()
                .any(|t| schema.is_sub_type(&b.name, t));
        }
        return schema.is_sub_type(&a.name, &b.name);
    }
    if b.is_abstract() {
        return schema.is_sub_type(&b.name, &a.name);
    }
    false
}

struct PossibleFragmentSpreads;

impl<'d> Rule<'d> for PossibleFragmentSpreads {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        match node {
            Node::Inline(Selection::Inline { start, .. }) => {
                let frag = cx
                    .get_type()
                    .and_then(|t| cx.named(t))
                    .filter(|t| t.is_composite());
                let parent = cx.parent_type();
                if let (Some(frag), Some(parent)) = (frag, parent)
                    && !do_types_overlap(cx, frag, parent)
                {
                    cx.report(
                        format!(
                            "Fragment cannot be spread here as objects of type \"{}\" can never be of type \"{}\".",
                            parent.name, frag.name
                        ),
                        &[*start],
                    );
                }
            }
            Node::Spread(Selection::Spread { name, start, .. }) => {
                let frag = cx
                    .fragment(name)
                    .and_then(|f| cx.schema.get(&f.type_condition))
                    .filter(|t| t.is_composite());
                let parent = cx.parent_type();
                if let (Some(frag), Some(parent)) = (frag, parent)
                    && !do_types_overlap(cx, frag, parent)
                {
                    cx.report(
                        format!(
                            "Fragment \"{name}\" cannot be spread here as objects of type \"{}\" can never be of type \"{}\".",
                            parent.name, frag.name
                        ),
                        &[*start],
                    );
                }
            }
            _ => {}
        }
        Flow::Continue
    }
}

#[derive(Default)]
struct NoFragmentCycles<'d> {
    visited: HashSet<&'d str>,
    path: Vec<(&'d str, Pos)>,
    index_by_name: HashMap<&'d str, usize>,
}

impl<'d> NoFragmentCycles<'d> {
    fn detect(&mut self, cx: &mut Context<'d>, fragment: &'d Fragment) {
        if !self.visited.insert(&fragment.name) {
            return;
        }
        let spreads = cx.fragment_spreads(&fragment.selection);
        if spreads.is_empty() {
            return;
        }
        self.index_by_name.insert(&fragment.name, self.path.len());
        for (name, pos) in spreads {
            let cycle_index = self.index_by_name.get(name).copied();
            self.path.push((name, pos));
            match cycle_index {
                None => {
                    if let Some(f) = cx.fragment(name) {
                        self.detect(cx, f);
                    }
                }
                Some(i) => {
                    let cycle = &self.path[i..];
                    let via: Vec<String> = cycle[..cycle.len() - 1]
                        .iter()
                        .map(|(n, _)| match cx.js {
                            GraphqlJs::V14 => (*n).to_owned(),
                            GraphqlJs::V15 | GraphqlJs::V16 => format!("\"{n}\""),
                        })
                        .collect();
                    let via = if via.is_empty() {
                        String::new()
                    } else {
                        format!(" via {}", via.join(", "))
                    };
                    let positions: Vec<Pos> = cycle.iter().map(|(_, p)| *p).collect();
                    cx.report(
                        format!("Cannot spread fragment \"{name}\" within itself{via}."),
                        &positions,
                    );
                }
            }
            self.path.pop();
        }
        self.index_by_name.remove(fragment.name.as_str());
    }
}

impl<'d> Rule<'d> for NoFragmentCycles<'d> {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        match node {
            Node::Operation(_) => Flow::Skip,
            Node::Fragment(f) => {
                self.detect(cx, f);
                Flow::Skip
            }
            _ => Flow::Continue,
        }
    }
}

#[derive(Default)]
struct UniqueVariableNames<'d> {
    known: HashMap<&'d str, Pos>,
}

impl<'d> Rule<'d> for UniqueVariableNames<'d> {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        match (cx.js, node) {
            (GraphqlJs::V16, Node::Operation(op)) => {
                let mut groups: Vec<(&str, Vec<Pos>)> = Vec::new();
                for v in &op.variables {
                    match groups.iter_mut().find(|(n, _)| *n == v.name) {
                        Some((_, list)) => list.push(v.name_pos),
                        None => groups.push((&v.name, vec![v.name_pos])),
                    }
                }
                for (name, positions) in groups {
                    if positions.len() > 1 {
                        cx.report(
                            format!("There can be only one variable named \"${name}\"."),
                            &positions,
                        );
                    }
                }
            }
            (_, Node::Operation(_)) => self.known.clear(),
            (GraphqlJs::V14 | GraphqlJs::V15, Node::VariableDefinition(v)) => {
                match self.known.get(v.name.as_str()) {
                    Some(first) => {
                        let shown = match cx.js {
                            GraphqlJs::V14 => v.name.clone(),
                            _ => format!("${}", v.name),
                        };
                        cx.report(
                            format!("There can be only one variable named \"{shown}\"."),
                            &[*first, v.name_pos],
                        );
                    }
                    None => {
                        self.known.insert(&v.name, v.name_pos);
                    }
                }
            }
            _ => {}
        }
        Flow::Continue
    }
}

#[derive(Default)]
struct NoUndefinedVariables<'d> {
    defined: HashSet<&'d str>,
}

impl<'d> Rule<'d> for NoUndefinedVariables<'d> {
    fn enter(&mut self, _cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        match node {
            Node::Operation(_) => self.defined.clear(),
            Node::VariableDefinition(v) => {
                self.defined.insert(&v.name);
            }
            _ => {}
        }
        Flow::Continue
    }

    fn leave(&mut self, cx: &mut Context<'d>, node: Node<'d>) {
        let Node::Operation(op) = node else { return };
        for usage in cx.recursive_variable_usages(op) {
            if !self.defined.contains(usage.name) {
                let message = match &op.name {
                    Some(n) => format!(
                        "Variable \"${}\" is not defined by operation \"{n}\".",
                        usage.name
                    ),
                    None => format!("Variable \"${}\" is not defined.", usage.name),
                };
                cx.report(message, &[usage.pos, op.start]);
            }
        }
    }
}

#[derive(Default)]
struct NoUnusedVariables<'d> {
    defined: Vec<(&'d str, Pos)>,
}

impl<'d> Rule<'d> for NoUnusedVariables<'d> {
    fn enter(&mut self, _cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        match node {
            Node::Operation(_) => self.defined.clear(),
            Node::VariableDefinition(v) => self.defined.push((&v.name, v.start)),
            _ => {}
        }
        Flow::Continue
    }

    fn leave(&mut self, cx: &mut Context<'d>, node: Node<'d>) {
        let Node::Operation(op) = node else { return };
        let used: HashSet<&str> = cx
            .recursive_variable_usages(op)
            .iter()
            .map(|u| u.name)
            .collect();
        for (name, pos) in std::mem::take(&mut self.defined) {
            if !used.contains(name) {
                let message = match &op.name {
                    Some(n) => {
                        format!("Variable \"${name}\" is never used in operation \"{n}\".")
                    }
                    None => format!("Variable \"${name}\" is never used."),
                };
                cx.report(message, &[pos]);
            }
        }
    }
}

/// `@name` as a release prints a directive name in its messages (14: bare).
fn at(js: GraphqlJs, name: &str) -> String {
    match js {
        GraphqlJs::V14 => name.to_owned(),
        GraphqlJs::V15 | GraphqlJs::V16 => format!("@{name}"),
    }
}

struct KnownDirectives;

impl<'d> Rule<'d> for KnownDirectives {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        let Node::Directive(d) = node else {
            return Flow::Continue;
        };
        let shown = at(cx.js, &d.name);
        let locations: Option<&[String]> = cx
            .defined_directives
            .get(d.name.as_str())
            .copied()
            .or_else(|| {
                cx.schema
                    .directive(&d.name)
                    .map(|def| def.locations.as_slice())
            });
        match locations {
            None => cx.report(format!("Unknown directive \"{shown}\"."), &[d.pos]),
            Some(locations) => {
                if let Some(location) = cx.directive_location
                    && !locations.iter().any(|l| l == location)
                {
                    cx.report(
                        format!("Directive \"{shown}\" may not be used on {location}."),
                        &[d.pos],
                    );
                }
            }
        }
        Flow::Continue
    }
}

struct UniqueDirectivesPerLocation;

impl<'d> Rule<'d> for UniqueDirectivesPerLocation {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        let directives = match node {
            Node::Operation(op) => &op.directives,
            Node::Field(f) => &f.directives,
            Node::Fragment(f) => &f.directives,
            Node::VariableDefinition(v) => &v.directives,
            Node::Spread(Selection::Spread { directives, .. })
            | Node::Inline(Selection::Inline { directives, .. }) => directives,
            Node::SdlDirectives(list) => list,
            _ => return Flow::Continue,
        };
        let mut seen: HashMap<&str, Pos> = HashMap::new();
        for d in directives {
            let unique = cx
                .schema
                .directive(&d.name)
                .is_some_and(|def| !def.repeatable);
            if !unique {
                continue;
            }
            match seen.get(d.name.as_str()) {
                Some(first) => cx.report(
                    format!(
                        "The directive \"{}\" can only be used once at this location.",
                        at(cx.js, &d.name)
                    ),
                    &[*first, d.pos],
                ),
                None => {
                    seen.insert(&d.name, d.pos);
                }
            }
        }
        Flow::Continue
    }
}

struct KnownArgumentNames;

impl<'d> Rule<'d> for KnownArgumentNames {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        match node {
            Node::Directive(d) => {
                if let Some(def) = cx.schema.directive(&d.name) {
                    let known: Vec<&str> = def.args.iter().map(|a| a.name.as_str()).collect();
                    for arg in &d.arguments {
                        if !known.contains(&arg.name.as_str()) {
                            let s = suggestion_list(cx.js, &arg.name, &known);
                            cx.report(
                                format!(
                                    "Unknown argument \"{}\" on directive \"@{}\".{}",
                                    arg.name,
                                    d.name,
                                    did_you_mean(None, &s, true)
                                ),
                                &[arg.start],
                            );
                        }
                    }
                }
                Flow::Skip
            }
            Node::Argument(arg) => {
                if cx.argument().is_none()
                    && let (Some(field), Some(parent)) = (cx.field_def(), cx.parent_type())
                {
                    let known: Vec<&str> = field.args().iter().map(|a| a.name.as_str()).collect();
                    let s = suggestion_list(cx.js, &arg.name, &known);
                    let on = match cx.js {
                        GraphqlJs::V14 => {
                            format!("\"{}\" of type \"{}\"", field.name(), parent.name)
                        }
                        GraphqlJs::V15 | GraphqlJs::V16 => {
                            format!("\"{}.{}\"", parent.name, field.name())
                        }
                    };
                    cx.report(
                        format!(
                            "Unknown argument \"{}\" on field {on}.{}",
                            arg.name,
                            did_you_mean(None, &s, true)
                        ),
                        &[arg.start],
                    );
                }
                Flow::Continue
            }
            _ => Flow::Continue,
        }
    }
}

#[derive(Default)]
struct UniqueArgumentNames<'d> {
    known: HashMap<&'d str, Pos>,
}

impl<'d> UniqueArgumentNames<'d> {
    fn groups(cx: &mut Context<'d>, args: &'d [crate::graphql::envelope::document::Argument]) {
        let mut groups: Vec<(&str, Vec<Pos>)> = Vec::new();
        for a in args {
            match groups.iter_mut().find(|(n, _)| *n == a.name) {
                Some((_, list)) => list.push(a.start),
                None => groups.push((&a.name, vec![a.start])),
            }
        }
        for (name, positions) in groups {
            if positions.len() > 1 {
                cx.report(
                    format!("There can be only one argument named \"{name}\"."),
                    &positions,
                );
            }
        }
    }
}

impl<'d> Rule<'d> for UniqueArgumentNames<'d> {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        match (cx.js, node) {
            (GraphqlJs::V16, Node::Field(f)) => Self::groups(cx, &f.arguments),
            (GraphqlJs::V16, Node::Directive(d)) => Self::groups(cx, &d.arguments),
            (_, Node::Field(_) | Node::Directive(_)) => self.known.clear(),
            (GraphqlJs::V14 | GraphqlJs::V15, Node::Argument(a)) => {
                match self.known.get(a.name.as_str()) {
                    Some(first) => cx.report(
                        format!("There can be only one argument named \"{}\".", a.name),
                        &[*first, a.start],
                    ),
                    None => {
                        self.known.insert(&a.name, a.start);
                    }
                }
                return Flow::Skip;
            }
            _ => {}
        }
        Flow::Continue
    }
}

/// How a leaf type's `parseLiteral` takes a literal.
enum Parsed {
    Ok,
    /// Returned `undefined`.
    Invalid,
    /// Threw a GraphQLError (reported as it is, 15+).
    GraphqlError(String),
    /// Threw another error, whose message graphql-js appends to its own.
    PlainError(String),
}

/// What `new Date(text)` makes of a string in V8: ISO dates, and the legacy parser's
/// leniency approximated (numbers alone, punctuation around digits).
fn js_date_is_valid(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() {
        return false;
    }
    let iso = |t: &str| -> bool {
        let (date, time) = match t.split_once('T') {
            Some((d, rest)) => (d, Some(rest)),
            None => (t, None),
        };
        let parts: Vec<&str> = date.split('-').collect();
        let numeric = |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
        if parts.is_empty() || parts.len() > 3 || !parts.iter().all(numeric) || parts[0].len() != 4
        {
            return false;
        }
        let month = parts.get(1).map_or(Some(1), |m| m.parse::<u32>().ok());
        let day = parts.get(2).map_or(Some(1), |d| d.parse::<u32>().ok());
        if !matches!(month, Some(1..=12)) || !matches!(day, Some(1..=31)) {
            return false;
        }
        time.is_none_or(|time| {
            // HH:mm[:ss[.sss]] then Z, ±HH:mm or nothing.
            let (clock, zone) = match time.find(['Z', '+', '-']) {
                Some(i) => (&time[..i], &time[i..]),
                None => (time, ""),
            };
            let zone_ok = zone.is_empty()
                || zone == "Z"
                || (zone.len() == 6
                    && zone[1..3].chars().all(|c| c.is_ascii_digit())
                    && &zone[3..4] == ":"
                    && zone[4..].chars().all(|c| c.is_ascii_digit()));
            let (hms, fraction) = match clock.split_once('.') {
                Some((h, f)) => (h, Some(f)),
                None => (clock, None),
            };
            let parts: Vec<&str> = hms.split(':').collect();
            let two = |p: &str| p.len() == 2 && p.chars().all(|c| c.is_ascii_digit());
            let fields_ok = (parts.len() == 2 || parts.len() == 3) && parts.iter().all(|p| two(p));
            let fraction_ok = fraction
                .is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()))
                && (fraction.is_none() || parts.len() == 3);
            let value = |i: usize| {
                parts
                    .get(i)
                    .and_then(|p| p.parse::<u32>().ok())
                    .unwrap_or(0)
            };
            zone_ok
                && fields_ok
                && fraction_ok
                && value(0) <= 24
                && value(1) <= 59
                && value(2) <= 59
        })
    };
    if iso(t) {
        return true;
    }
    if t.chars().any(|c| c.is_alphabetic()) {
        return false;
    }
    if let Ok(n) = t.parse::<i64>() {
        // A number alone is a month (1–12), a year (0, 32+) or a negative year.
        return !(13..=31).contains(&n);
    }
    t.chars().any(|c| c.is_ascii_digit())
}

/// A field of an object literal, by name.
fn field_of<'v>(fields: &'v [(String, Pos, Value)], name: &str) -> Option<&'v Value> {
    fields.iter().find(|(k, _, _)| k == name).map(|(_, _, v)| v)
}

/// JavaScript's `node.value` of a literal, when it is a string (strings, enums and numbers
/// keep their text there).
fn js_string_value(v: &Value) -> Option<&str> {
    match &v.kind {
        ValueKind::String(s) | ValueKind::Enum(s) | ValueKind::Int(s) | ValueKind::Float(s) => {
            Some(s)
        }
        _ => None,
    }
}

/// Parse's own scalars (`defaultGraphQLTypes.js`, the same from 3.7 to 9.x): their
/// `parseLiteral` throws `TypeValidationError` ("<value> is not a valid <Type>").
fn parse_scalar_literal(cx: &Context<'_>, name: &str, v: &Value) -> Option<Parsed> {
    let not_valid = |what: &str| Parsed::PlainError(format!("{what} is not a valid {name}"));
    let kind = v.kind_name();
    let parsed = match (name, &v.kind) {
        ("Any", _) => Parsed::Ok,
        ("Object", ValueKind::Object(_)) => Parsed::Ok,
        ("Object", _) => not_valid(kind),
        ("Date", ValueKind::String(s)) => {
            if js_date_is_valid(s) {
                Parsed::Ok
            } else {
                not_valid(s)
            }
        }
        ("Date", ValueKind::Object(fields)) => {
            let ty = field_of(fields, "__type").and_then(js_string_value);
            match (ty, field_of(fields, "iso")) {
                (Some("Date"), Some(iso)) => match &iso.kind {
                    ValueKind::String(s) if js_date_is_valid(s) => Parsed::Ok,
                    ValueKind::String(s) => not_valid(s),
                    _ => not_valid(iso.kind_name()),
                },
                _ => not_valid(kind),
            }
        }
        ("Date", _) => not_valid(kind),
        ("Bytes", ValueKind::String(_)) => Parsed::Ok,
        ("Bytes", ValueKind::Object(fields)) => {
            let ty = field_of(fields, "__type").and_then(js_string_value);
            let base64 = field_of(fields, "base64").and_then(js_string_value);
            if ty == Some("Bytes") && base64.is_some() {
                Parsed::Ok
            } else {
                not_valid(kind)
            }
        }
        ("Bytes", _) => not_valid(kind),
        ("File", ValueKind::String(_)) => Parsed::Ok,
        ("File", ValueKind::Object(fields)) => {
            let ty = field_of(fields, "__type");
            let file_name = field_of(fields, "name");
            match (ty, file_name) {
                (Some(ty), Some(file_name)) => {
                    let url_ok = field_of(fields, "url")
                        .is_none_or(|u| !matches!(u.kind, ValueKind::Boolean(_)));
                    if js_string_value(ty) == Some("File")
                        && js_string_value(file_name).is_some()
                        && url_ok
                    {
                        Parsed::Ok
                    } else {
                        not_valid("[object Object]")
                    }
                }
                _ => not_valid(kind),
            }
        }
        ("File", _) => not_valid(kind),
        ("Upload", _) => match cx.flavor.upload {
            UploadLiteral::Untyped => Parsed::Ok,
            UploadLiteral::PlainError => {
                Parsed::PlainError("‘Upload’ scalar literal unsupported.".into())
            }
            UploadLiteral::GraphqlError => {
                Parsed::GraphqlError("Upload literal unsupported.".into())
            }
        },
        _ => return None,
    };
    Some(parsed)
}

/// graphql-js's built-in scalars and enums, per major.
fn parse_literal(cx: &Context<'_>, t: &TypeDef, v: &Value) -> Parsed {
    let printed = v.print_as(cx.js);
    let v14 = cx.js == GraphqlJs::V14;
    let fail = |msg: String| {
        if v14 {
            Parsed::Invalid
        } else {
            Parsed::GraphqlError(msg)
        }
    };
    if t.kind == Kind::Enum {
        let values: Vec<&str> = t.enum_values.iter().map(String::as_str).collect();
        let hint = || {
            did_you_mean(
                Some("the enum value"),
                &suggestion_list(cx.js, &printed, &values),
                true,
            )
        };
        return match &v.kind {
            ValueKind::Enum(e) if values.contains(&e.as_str()) => Parsed::Ok,
            ValueKind::Enum(_) => fail(format!(
                "Value \"{printed}\" does not exist in \"{}\" enum.{}",
                t.name,
                hint()
            )),
            _ => fail(format!(
                "Enum \"{}\" cannot represent non-enum value: {printed}.{}",
                t.name,
                hint()
            )),
        };
    }
    match (t.name.as_str(), &v.kind) {
        ("Int", ValueKind::Int(n)) => {
            if n.parse::<i32>().is_ok() {
                Parsed::Ok
            } else {
                fail(format!(
                    "Int cannot represent non 32-bit signed integer value: {n}"
                ))
            }
        }
        ("Int", _) => fail(format!("Int cannot represent non-integer value: {printed}")),
        ("Float", ValueKind::Int(_) | ValueKind::Float(_)) => Parsed::Ok,
        ("Float", _) => fail(format!(
            "Float cannot represent non numeric value: {printed}"
        )),
        ("String", ValueKind::String(_)) => Parsed::Ok,
        ("String", _) => fail(format!(
            "String cannot represent a non string value: {printed}"
        )),
        ("Boolean", ValueKind::Boolean(_)) => Parsed::Ok,
        ("Boolean", _) => fail(format!(
            "Boolean cannot represent a non boolean value: {printed}"
        )),
        ("ID", ValueKind::String(_) | ValueKind::Int(_)) => Parsed::Ok,
        ("ID", _) => fail(format!(
            "ID cannot represent a non-string and non-integer value: {printed}"
        )),
        (other, _) => parse_scalar_literal(cx, other, v).unwrap_or(Parsed::Ok),
    }
}

struct ValuesOfCorrectType;

impl ValuesOfCorrectType {
    /// graphql-js `isValidValueNode` (15+) / `isValidScalar` (14).
    fn check_leaf<'d>(cx: &mut Context<'d>, v: &'d Value) {
        let Some(location) = cx.input_type().cloned() else {
            return;
        };
        let Some(named) = cx.named(&location) else {
            return;
        };
        let printed = v.print_as(cx.js);
        if cx.js == GraphqlJs::V14 {
            if named.kind != Kind::Scalar {
                let mut message = format!("Expected type {location}, found {printed}");
                if named.kind == Kind::Enum {
                    let values: Vec<&str> = named.enum_values.iter().map(String::as_str).collect();
                    let s = suggestion_list(cx.js, &printed, &values);
                    message.push('.');
                    message.push_str(&did_you_mean(
                        Some("the enum value"),
                        &quoted_list(&s),
                        false,
                    ));
                } else {
                    message.push('.');
                }
                cx.report(message, &[v.pos]);
                return;
            }
            match parse_literal(cx, named, v) {
                Parsed::Ok => {}
                Parsed::Invalid => {
                    cx.report(
                        format!("Expected type {location}, found {printed}."),
                        &[v.pos],
                    );
                }
                Parsed::GraphqlError(m) | Parsed::PlainError(m) => cx.report(
                    format!("Expected type {location}, found {printed}; {m}"),
                    &[v.pos],
                ),
            }
            return;
        }
        if !named.is_leaf() {
            cx.report(
                format!("Expected value of type \"{location}\", found {printed}."),
                &[v.pos],
            );
            return;
        }
        match parse_literal(cx, named, v) {
            Parsed::Ok => {}
            Parsed::Invalid => cx.report(
                format!("Expected value of type \"{location}\", found {printed}."),
                &[v.pos],
            ),
            Parsed::GraphqlError(m) => cx.report(m, &[v.pos]),
            Parsed::PlainError(m) => cx.report(
                format!("Expected value of type \"{location}\", found {printed}; {m}"),
                &[v.pos],
            ),
        }
    }
}

impl<'d> Rule<'d> for ValuesOfCorrectType {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        match node {
            Node::Value(v) => match &v.kind {
                ValueKind::Variable(_) => Flow::Continue,
                ValueKind::List(_) => {
                    let is_list = cx.parent_input_type().is_some_and(|t| match t {
                        TypeRef::NonNull(inner) => matches!(inner.as_ref(), TypeRef::List(_)),
                        TypeRef::List(_) => true,
                        TypeRef::Named(_) => false,
                    });
                    if is_list {
                        Flow::Continue
                    } else {
                        Self::check_leaf(cx, v);
                        Flow::Skip
                    }
                }
                ValueKind::Object(fields) => {
                    let Some(t) = cx
                        .input_type()
                        .and_then(|t| cx.named(t))
                        .filter(|t| t.kind == Kind::InputObject)
                    else {
                        Self::check_leaf(cx, v);
                        return Flow::Skip;
                    };
                    for def in &t.input_fields {
                        let given = fields.iter().any(|(k, _, _)| *k == def.name);
                        if !given && def.ty.is_non_null() && !def.has_default() {
                            let message = match cx.js {
                                GraphqlJs::V14 => format!(
                                    "Field {}.{} of required type {} was not provided.",
                                    t.name, def.name, def.ty
                                ),
                                _ => format!(
                                    "Field \"{}.{}\" of required type \"{}\" was not provided.",
                                    t.name,
                                    def.name,
                                    type_str(&def.ty)
                                ),
                            };
                            cx.report(message, &[v.pos]);
                        }
                    }
                    Flow::Continue
                }
                ValueKind::Null => {
                    if let Some(t) = cx.input_type().cloned()
                        && t.is_non_null()
                    {
                        let message = match cx.js {
                            GraphqlJs::V14 => format!("Expected type {t}, found null."),
                            _ => format!("Expected value of type \"{t}\", found null."),
                        };
                        cx.report(message, &[v.pos]);
                    }
                    Flow::Continue
                }
                ValueKind::Enum(e) if cx.js == GraphqlJs::V14 => {
                    let named = cx.input_type().and_then(|t| cx.named(t));
                    match named {
                        Some(t) if t.kind == Kind::Enum => {
                            if !t.enum_values.contains(e) {
                                let values: Vec<&str> =
                                    t.enum_values.iter().map(String::as_str).collect();
                                let s = suggestion_list(cx.js, e, &values);
                                cx.report(
                                    format!(
                                        "Expected type {}, found {e}.{}",
                                        t.name,
                                        did_you_mean(Some("the enum value"), &s, false)
                                    ),
                                    &[v.pos],
                                );
                            }
                        }
                        _ => Self::check_leaf(cx, v),
                    }
                    Flow::Continue
                }
                _ => {
                    Self::check_leaf(cx, v);
                    Flow::Continue
                }
            },
            Node::ObjectField { name, pos, .. } => {
                let parent = cx
                    .parent_input_type()
                    .and_then(|t| cx.named(t))
                    .filter(|t| t.kind == Kind::InputObject);
                if cx.input_type().is_none()
                    && let Some(parent) = parent
                {
                    let names: Vec<&str> = parent
                        .input_fields
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect();
                    let s = suggestion_list(cx.js, name, &names);
                    let message = match cx.js {
                        GraphqlJs::V14 => format!(
                            "Field \"{name}\" is not defined by type {}.{}",
                            parent.name,
                            did_you_mean(None, &s, false)
                        ),
                        _ => format!(
                            "Field \"{name}\" is not defined by type \"{}\".{}",
                            parent.name,
                            did_you_mean(None, &s, true)
                        ),
                    };
                    cx.report(message, &[pos]);
                }
                Flow::Continue
            }
            _ => Flow::Continue,
        }
    }
}

struct ProvidedRequiredArguments;

impl<'d> Rule<'d> for ProvidedRequiredArguments {
    fn leave(&mut self, cx: &mut Context<'d>, node: Node<'d>) {
        match node {
            Node::Field(f) => {
                let Some(def) = cx.field_def() else { return };
                for arg in def.args() {
                    let given = f.arguments.iter().any(|a| a.name == arg.name);
                    if !given && arg.ty.is_non_null() && !arg.has_default() {
                        cx.report(
                            format!(
                                "Field \"{}\" argument \"{}\" of type \"{}\" is required, but it was not provided.",
                                def.name(),
                                arg.name,
                                arg.ty
                            ),
                            &[f.start],
                        );
                    }
                }
            }
            Node::Directive(d) => {
                let Some(def) = cx.schema.directive(&d.name) else {
                    return;
                };
                for arg in &def.args {
                    let given = d.arguments.iter().any(|a| a.name == arg.name);
                    if !given && arg.ty.is_non_null() && !arg.has_default() {
                        cx.report(
                            format!(
                                "Directive \"@{}\" argument \"{}\" of type \"{}\" is required, but it was not provided.",
                                d.name, arg.name, arg.ty
                            ),
                            &[d.pos],
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

#[derive(Default)]
struct VariablesInAllowedPosition<'d> {
    definitions: HashMap<&'d str, &'d crate::graphql::envelope::document::VariableDefinition>,
}

/// graphql-js `isTypeSubTypeOf`.
fn is_type_sub_type_of(cx: &Context<'_>, sub: &TypeRef, sup: &TypeRef) -> bool {
    if sub == sup {
        return true;
    }
    match (sub, sup) {
        (TypeRef::NonNull(s), TypeRef::NonNull(p)) => is_type_sub_type_of(cx, s, p),
        (_, TypeRef::NonNull(_)) => false,
        (TypeRef::NonNull(s), _) => is_type_sub_type_of(cx, s, sup),
        (TypeRef::List(s), TypeRef::List(p)) => is_type_sub_type_of(cx, s, p),
        (_, TypeRef::List(_)) | (TypeRef::List(_), _) => false,
        (TypeRef::Named(s), TypeRef::Named(p)) => {
            cx.schema.get(p).is_some_and(TypeDef::is_abstract)
                && cx
                    .schema
                    .get(s)
                    .is_some_and(|t| matches!(t.kind, Kind::Interface | Kind::Object))
                && cx.schema.is_sub_type(p, s)
        }
    }
}

impl<'d> Rule<'d> for VariablesInAllowedPosition<'d> {
    fn enter(&mut self, _cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        match node {
            Node::Operation(_) => self.definitions.clear(),
            Node::VariableDefinition(v) => {
                self.definitions.insert(&v.name, v);
            }
            _ => {}
        }
        Flow::Continue
    }

    fn leave(&mut self, cx: &mut Context<'d>, node: Node<'d>) {
        let Node::Operation(op) = node else { return };
        for usage in cx.recursive_variable_usages(op) {
            let (Some(def), Some(location)) = (self.definitions.get(usage.name), &usage.ty) else {
                continue;
            };
            let Some(var_type) = cx.type_from_ast(&def.ty) else {
                continue;
            };
            let allowed = match location {
                TypeRef::NonNull(inner) if !var_type.is_non_null() => {
                    let var_default = def
                        .default
                        .as_ref()
                        .is_some_and(|d| !matches!(d.kind, ValueKind::Null));
                    (var_default || usage.has_location_default)
                        && is_type_sub_type_of(cx, &var_type, inner)
                }
                _ => is_type_sub_type_of(cx, &var_type, location),
            };
            if !allowed {
                cx.report(
                    format!(
                        "Variable \"${}\" of type \"{var_type}\" used in position expecting type \"{location}\".",
                        usage.name
                    ),
                    &[def.start, usage.pos],
                );
            }
        }
    }
}

#[derive(Default)]
struct UniqueInputFieldNames<'d> {
    stack: Vec<HashMap<&'d str, Pos>>,
    known: HashMap<&'d str, Pos>,
}

impl<'d> Rule<'d> for UniqueInputFieldNames<'d> {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        match node {
            Node::Value(Value {
                kind: ValueKind::Object(_),
                ..
            }) => {
                self.stack.push(std::mem::take(&mut self.known));
            }
            Node::ObjectField { name, pos, .. } => match self.known.get(name) {
                Some(first) => cx.report(
                    format!("There can be only one input field named \"{name}\"."),
                    &[*first, pos],
                ),
                None => {
                    self.known.insert(name, pos);
                }
            },
            _ => {}
        }
        Flow::Continue
    }

    fn leave(&mut self, _cx: &mut Context<'d>, node: Node<'d>) {
        if let Node::Value(Value {
            kind: ValueKind::Object(_),
            ..
        }) = node
        {
            self.known = self.stack.pop().unwrap_or_default();
        }
    }
}

struct NoIntrospection;

impl<'d> Rule<'d> for NoIntrospection {
    fn enter(&mut self, cx: &mut Context<'d>, node: Node<'d>) -> Flow {
        if let Node::Field(f) = node
            && (f.name == "__schema" || f.name == "__type")
        {
            cx.report(APOLLO_NO_INTROSPECTION.into(), &[f.start]);
        }
        Flow::Continue
    }
}
