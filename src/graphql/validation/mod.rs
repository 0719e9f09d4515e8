//! graphql-js's `validate`, as the graphql-js release a Parse version pins runs it, over our own
//! reading of the document ([`crate::graphql::envelope::document`]) and the version's whole
//! schema ([`schema::SchemaModel`]).
//!
//! graphql-js visits the document once and runs every rule of `specifiedRules` in parallel:
//! at each node, each rule (in the list's order) reacts on entering or on leaving it. The
//! order of the errors is the order of those events, so the walk here is the same walk, with
//! the same `TypeInfo` bookkeeping, and each rule is one entry of [`rules::RULES`] with its
//! wording per graphql-js major.

pub mod overlap;
pub mod rules;
pub mod schema;
pub mod suggest;

use std::collections::HashMap;

use crate::graphql::envelope::document::{
    Argument, Directive, Document, Field, Fragment, Operation, OperationKind, Pos, SdlPart,
    Selection, TypeSystemDefinition, Value, ValueKind, VariableDefinition,
};
use crate::graphql::envelope::schema_info::TypeRef;
use crate::version::{Behavior, GraphqlJs, GraphqlJsRelease, UploadLiteral};
use schema::{DirectiveDef, FieldRef, InputValue, SchemaModel, TypeDef};

/// A validation (or variable) error as graphql-js words and places it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GqlError {
    pub message: String,
    pub locations: Vec<(usize, usize)>,
}

/// graphql-js 16 stops after this many errors (`validate`'s `maxErrors`).
const MAX_ERRORS: usize = 100;

/// Rules added after graphql-js's own by the HTTP stack.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extra {
    /// Apollo Server's `NoIntrospection` (7.x/8.x under NODE_ENV=production).
    pub no_introspection: bool,
}

/// How validation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The errors, in graphql-js's order (none = valid).
    Errors(Vec<GqlError>),
    /// graphql-js itself crashed: 15.x's `OverlappingFieldsCanBeMerged` recurses without end on
    /// a fragment that spreads itself ("Maximum call stack size exceeded").
    StackOverflow,
}

/// What the pinned version brings to validation besides its schema.
#[derive(Debug, Clone, Copy)]
pub struct Flavor {
    pub release: GraphqlJsRelease,
    pub upload: UploadLiteral,
}

impl Flavor {
    pub const fn of(behavior: &Behavior) -> Self {
        Self {
            release: behavior.graphql_js_release,
            upload: behavior.upload_literal,
        }
    }
}

/// Validate a document as the pinned version's graphql-js does against `schema`.
pub fn validate(schema: &SchemaModel, doc: &Document, flavor: Flavor, extra: Extra) -> Verdict {
    let mut cx = Context::new(schema, doc, flavor);
    let mut rules = rules::instantiate(flavor.release.js(), extra);
    let mut walker = Walker {
        cx: &mut cx,
        rules: &mut rules,
        skipping: Vec::new(),
        depth: 0,
        aborted: false,
        collect: None,
    };
    walker.skipping = vec![None; walker.rules.len()];
    walker.document(doc);
    if cx.overflow {
        return Verdict::StackOverflow;
    }
    Verdict::Errors(cx.errors)
}

/// A node of the document, as graphql-js's visitor hands it to a rule.
#[derive(Clone, Copy)]
pub enum Node<'d> {
    Document(&'d Document),
    Operation(&'d Operation),
    VariableDefinition(&'d VariableDefinition),
    NamedType {
        name: &'d str,
        pos: Pos,
        /// Inside a type system definition.
        sdl: bool,
    },
    /// The directives of a type system node (for the rules that look at a node's directives).
    SdlDirectives(&'d [Directive]),
    SelectionSet {
        selections: &'d [Selection],
        pos: Pos,
    },
    Field(&'d Field),
    Argument(&'d Argument),
    Spread(&'d Selection),
    Inline(&'d Selection),
    Fragment(&'d Fragment),
    Directive(&'d Directive),
    Value(&'d Value),
    ObjectField {
        name: &'d str,
        pos: Pos,
        value: &'d Value,
    },
}

/// What a rule asks of the walk after entering a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Do not visit this node's children for this rule (graphql-js: `return false`).
    Skip,
}

/// A validation rule: graphql-js's visitor object for it.
pub trait Rule<'d> {
    fn enter(&mut self, _cx: &mut Context<'d>, _node: Node<'d>) -> Flow {
        Flow::Continue
    }
    fn leave(&mut self, _cx: &mut Context<'d>, _node: Node<'d>) {}
}

/// The type of a position, as graphql-js's `TypeInfo` tracks it.
#[derive(Debug, Clone)]
pub struct Typed {
    pub ty: TypeRef,
}

/// `ValidationContext` + `TypeInfo`.
pub struct Context<'d> {
    pub schema: &'d SchemaModel,
    pub doc: &'d Document,
    pub js: GraphqlJs,
    pub release: GraphqlJsRelease,
    pub flavor: Flavor,
    pub errors: Vec<GqlError>,
    pub overflow: bool,
    fragments: HashMap<&'d str, &'d Fragment>,
    /// Types and directives the document's own type system definitions define.
    pub defined_types: std::collections::HashSet<&'d str>,
    pub defined_directives: HashMap<&'d str, &'d [String]>,
    type_stack: Vec<Option<TypeRef>>,
    parent_type_stack: Vec<Option<&'d TypeDef>>,
    input_type_stack: Vec<Option<TypeRef>>,
    field_def_stack: Vec<Option<FieldRef<'d>>>,
    default_value_stack: Vec<bool>,
    directive: Option<&'d DirectiveDef>,
    argument: Option<&'d InputValue>,
    /// Where the directive being visited stands (graphql-js `getDirectiveLocationForASTPath`).
    pub directive_location: Option<&'static str>,
}

/// A variable used somewhere, with the type expected there.
#[derive(Debug, Clone)]
pub struct Usage<'d> {
    pub name: &'d str,
    pub pos: Pos,
    pub ty: Option<TypeRef>,
    pub has_location_default: bool,
}

impl<'d> Context<'d> {
    fn new(schema: &'d SchemaModel, doc: &'d Document, flavor: Flavor) -> Self {
        let release = flavor.release;
        let mut fragments = HashMap::new();
        // graphql-js keeps the last definition of a name.
        for f in &doc.fragments {
            fragments.insert(f.name.as_str(), f);
        }
        let mut defined_types = std::collections::HashSet::new();
        let mut defined_directives = HashMap::new();
        for d in &doc.type_system {
            if d.defines_type
                && let Some(n) = &d.name
            {
                defined_types.insert(n.as_str());
            }
            if let Some((n, locations)) = &d.directive {
                defined_directives.insert(n.as_str(), locations.as_slice());
            }
        }
        Self {
            schema,
            doc,
            defined_types,
            defined_directives,
            js: release.js(),
            release,
            flavor,
            errors: Vec::new(),
            overflow: false,
            fragments,
            type_stack: Vec::new(),
            parent_type_stack: Vec::new(),
            input_type_stack: Vec::new(),
            field_def_stack: Vec::new(),
            default_value_stack: Vec::new(),
            directive: None,
            argument: None,
            directive_location: None,
        }
    }

    pub fn report(&mut self, message: String, positions: &[Pos]) {
        self.errors.push(GqlError {
            message,
            locations: positions.iter().map(|p| (p.line, p.column)).collect(),
        });
    }

    pub fn fragment(&self, name: &str) -> Option<&'d Fragment> {
        self.fragments.get(name).copied()
    }

    pub fn get_type(&self) -> Option<&TypeRef> {
        self.type_stack.last().and_then(Option::as_ref)
    }

    pub fn parent_type(&self) -> Option<&'d TypeDef> {
        self.parent_type_stack.last().copied().flatten()
    }

    pub fn input_type(&self) -> Option<&TypeRef> {
        self.input_type_stack.last().and_then(Option::as_ref)
    }

    pub fn parent_input_type(&self) -> Option<&TypeRef> {
        let n = self.input_type_stack.len();
        if n < 2 {
            return None;
        }
        self.input_type_stack[n - 2].as_ref()
    }

    pub fn field_def(&self) -> Option<FieldRef<'d>> {
        self.field_def_stack.last().copied().flatten()
    }

    pub fn directive(&self) -> Option<&'d DirectiveDef> {
        self.directive
    }

    pub fn argument(&self) -> Option<&'d InputValue> {
        self.argument
    }

    /// graphql-js `typeFromAST`: the reference, when its named type exists.
    pub fn type_from_ast(&self, t: &TypeRef) -> Option<TypeRef> {
        self.schema.get(t.named()).map(|_| t.clone())
    }

    pub fn named(&self, t: &TypeRef) -> Option<&'d TypeDef> {
        self.schema.get(t.named())
    }

    fn is_output(&self, t: &TypeRef) -> bool {
        self.named(t).is_some_and(TypeDef::is_output)
    }

    fn is_input(&self, t: &TypeRef) -> bool {
        self.named(t).is_some_and(TypeDef::is_input)
    }

    /// The fragment spreads directly inside a selection set (graphql-js `getFragmentSpreads`:
    /// a stack, so nested sets come last and in reverse).
    pub fn fragment_spreads(&self, set: &'d [Selection]) -> Vec<(&'d str, Pos)> {
        let mut spreads = Vec::new();
        let mut stack: Vec<&'d [Selection]> = vec![set];
        while let Some(set) = stack.pop() {
            for s in set {
                match s {
                    Selection::Spread { name, start, .. } => spreads.push((name.as_str(), *start)),
                    Selection::Field(f) => {
                        if let Some(inner) = &f.selection {
                            stack.push(inner);
                        }
                    }
                    Selection::Inline { selection, .. } => stack.push(selection),
                }
            }
        }
        spreads
    }

    /// graphql-js `getRecursivelyReferencedFragments`.
    pub fn referenced_fragments(&self, set: &'d [Selection]) -> Vec<&'d Fragment> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut stack: Vec<&'d [Selection]> = vec![set];
        while let Some(node) = stack.pop() {
            for (name, _) in self.fragment_spreads(node) {
                if seen.insert(name)
                    && let Some(f) = self.fragment(name)
                {
                    out.push(f);
                    stack.push(&f.selection);
                }
            }
        }
        out
    }

    /// graphql-js `getRecursiveVariableUsages`.
    pub fn recursive_variable_usages(&self, op: &'d Operation) -> Vec<Usage<'d>> {
        let mut usages = variable_usages(self, UsageRoot::Operation(op));
        for f in self.referenced_fragments(&op.selection) {
            usages.extend(variable_usages(self, UsageRoot::Fragment(f)));
        }
        usages
    }
}

/// Where a usage walk starts.
enum UsageRoot<'d> {
    Operation(&'d Operation),
    Fragment(&'d Fragment),
}

/// graphql-js `getVariableUsages`: every variable of a definition (not of its variable
/// definitions), with the input type `TypeInfo` gives its position.
fn variable_usages<'d>(cx: &Context<'d>, root: UsageRoot<'d>) -> Vec<Usage<'d>> {
    let mut sub = Context::new(cx.schema, cx.doc, cx.flavor);
    let mut out = Vec::new();
    let mut none: Vec<Box<dyn Rule<'d> + 'd>> = Vec::new();
    let mut w = Walker {
        cx: &mut sub,
        rules: &mut none,
        skipping: Vec::new(),
        depth: 0,
        aborted: false,
        collect: Some(&mut out),
    };
    match root {
        UsageRoot::Operation(op) => w.operation(op, false),
        UsageRoot::Fragment(f) => w.fragment_def(f),
    }
    out
}

/// The visit: graphql-js's `visit(document, visitWithTypeInfo(typeInfo, visitInParallel(rules)))`.
struct Walker<'w, 'd> {
    cx: &'w mut Context<'d>,
    rules: &'w mut Vec<Box<dyn Rule<'d> + 'd>>,
    /// Per rule: the depth of the node whose children it skips.
    skipping: Vec<Option<usize>>,
    depth: usize,
    aborted: bool,
    collect: Option<&'w mut Vec<Usage<'d>>>,
}

impl<'w, 'd> Walker<'w, 'd> {
    fn enter(&mut self, node: Node<'d>) {
        self.depth += 1;
        if self.aborted {
            return;
        }
        for i in 0..self.rules.len() {
            if self.skipping[i].is_some() {
                continue;
            }
            if self.rules[i].enter(self.cx, node) == Flow::Skip {
                self.skipping[i] = Some(self.depth);
            }
            if self.check_abort() {
                return;
            }
        }
    }

    fn leave(&mut self, node: Node<'d>) {
        if !self.aborted {
            for i in 0..self.rules.len() {
                match self.skipping[i] {
                    None => {
                        self.rules[i].leave(self.cx, node);
                        if self.check_abort() {
                            break;
                        }
                    }
                    Some(d) if d == self.depth => self.skipping[i] = None,
                    Some(_) => {}
                }
            }
        }
        self.depth -= 1;
    }

    /// graphql-js 16's `maxErrors`: the 101st error aborts validation.
    fn check_abort(&mut self) -> bool {
        if self.cx.js == GraphqlJs::V16 && self.cx.errors.len() >= MAX_ERRORS && !self.aborted {
            self.cx.errors.truncate(MAX_ERRORS);
            self.cx.errors.push(GqlError {
                message: "Too many validation errors, error limit reached. Validation aborted."
                    .into(),
                locations: Vec::new(),
            });
            self.aborted = true;
        }
        self.aborted
    }

    fn document(&mut self, doc: &'d Document) {
        self.enter(Node::Document(doc));
        enum Def<'d> {
            Op(&'d Operation),
            Frag(&'d Fragment),
            Sdl(&'d TypeSystemDefinition),
        }
        let mut defs: Vec<(usize, Def<'d>)> = doc
            .operations
            .iter()
            .map(|o| (o.start.offset, Def::Op(o)))
            .chain(doc.fragments.iter().map(|f| (f.start.offset, Def::Frag(f))))
            .chain(
                doc.type_system
                    .iter()
                    .map(|d| (d.start.offset, Def::Sdl(d))),
            )
            .collect();
        defs.sort_by_key(|(o, _)| *o);
        for (_, def) in defs {
            match def {
                Def::Op(op) => self.operation(op, true),
                Def::Frag(f) => self.fragment_def(f),
                Def::Sdl(d) => self.type_system(d),
            }
        }
        self.leave(Node::Document(doc));
    }

    fn operation(&mut self, op: &'d Operation, with_definitions: bool) {
        let root = self
            .cx
            .schema
            .root(op.kind)
            .and_then(|r| self.cx.schema.get(r))
            .filter(|t| t.kind == schema::Kind::Object)
            .map(|t| TypeRef::Named(t.name.clone()));
        self.cx.type_stack.push(root);
        self.enter(Node::Operation(op));
        // getVariableUsages skips variable definitions (`VariableDefinition: () => false`).
        if with_definitions || self.collect.is_none() {
            for v in &op.variables {
                self.variable_definition(v);
            }
        }
        self.directives(&op.directives, op.kind.location());
        self.selection_set(&op.selection, op.selection_pos);
        self.leave(Node::Operation(op));
        self.cx.type_stack.pop();
    }

    fn variable_definition(&mut self, v: &'d VariableDefinition) {
        let input = self.cx.type_from_ast(&v.ty).filter(|t| self.cx.is_input(t));
        self.cx.input_type_stack.push(input);
        self.enter(Node::VariableDefinition(v));
        self.named_type(v.ty.named(), v.named_pos);
        if let Some(d) = &v.default {
            self.value(d);
        }
        self.directives(&v.directives, "VARIABLE_DEFINITION");
        self.leave(Node::VariableDefinition(v));
        self.cx.input_type_stack.pop();
    }

    fn named_type(&mut self, name: &'d str, pos: Pos) {
        let node = Node::NamedType {
            name,
            pos,
            sdl: false,
        };
        self.enter(node);
        self.leave(node);
    }

    /// A type system definition: its named types, directives and default values.
    fn type_system(&mut self, def: &'d TypeSystemDefinition) {
        for part in &def.parts {
            match part {
                SdlPart::NamedType { name, pos } => {
                    let node = Node::NamedType {
                        name,
                        pos: *pos,
                        sdl: true,
                    };
                    self.enter(node);
                    self.leave(node);
                }
                SdlPart::Directives { list, location } => {
                    self.enter(Node::SdlDirectives(list));
                    self.directives(list, location);
                    self.leave(Node::SdlDirectives(list));
                }
                SdlPart::Value(v) => self.value(v),
            }
        }
    }

    fn fragment_def(&mut self, f: &'d Fragment) {
        let ty = self
            .cx
            .type_from_ast(&TypeRef::Named(f.type_condition.clone()))
            .filter(|t| self.cx.is_output(t));
        self.cx.type_stack.push(ty);
        self.enter(Node::Fragment(f));
        self.named_type(&f.type_condition, f.type_condition_pos);
        self.directives(&f.directives, "FRAGMENT_DEFINITION");
        self.selection_set(&f.selection, f.selection_pos);
        self.leave(Node::Fragment(f));
        self.cx.type_stack.pop();
    }

    fn selection_set(&mut self, selections: &'d [Selection], pos: Pos) {
        let parent = self
            .cx
            .get_type()
            .and_then(|t| self.cx.named(t))
            .filter(|t| t.is_composite());
        self.cx.parent_type_stack.push(parent);
        self.enter(Node::SelectionSet { selections, pos });
        for s in selections {
            match s {
                Selection::Field(f) => self.field(f),
                Selection::Spread { directives, .. } => {
                    self.enter(Node::Spread(s));
                    self.directives(directives, "FRAGMENT_SPREAD");
                    self.leave(Node::Spread(s));
                }
                Selection::Inline {
                    type_condition,
                    type_condition_pos,
                    directives,
                    selection_pos,
                    selection,
                    ..
                } => {
                    let ty = match type_condition {
                        Some(t) => self.cx.type_from_ast(&TypeRef::Named(t.clone())),
                        None => self
                            .cx
                            .get_type()
                            .map(|t| TypeRef::Named(t.named().to_owned())),
                    }
                    .filter(|t| self.cx.is_output(t));
                    self.cx.type_stack.push(ty);
                    self.enter(Node::Inline(s));
                    if let Some(t) = type_condition {
                        self.named_type(t, *type_condition_pos);
                    }
                    self.directives(directives, "INLINE_FRAGMENT");
                    self.selection_set(selection, *selection_pos);
                    self.leave(Node::Inline(s));
                    self.cx.type_stack.pop();
                }
            }
        }
        self.leave(Node::SelectionSet { selections, pos });
        self.cx.parent_type_stack.pop();
    }

    fn field(&mut self, f: &'d Field) {
        let def = self
            .cx
            .parent_type()
            .and_then(|p| self.cx.schema.field_def(p, &f.name));
        let ty = def.map(|d| d.ty()).filter(|t| self.cx.is_output(t));
        self.cx.field_def_stack.push(def);
        self.cx.type_stack.push(ty);
        self.enter(Node::Field(f));
        for a in &f.arguments {
            self.argument(a);
        }
        self.directives(&f.directives, "FIELD");
        if let Some(sel) = &f.selection {
            self.selection_set(sel, f.selection_pos);
        }
        self.leave(Node::Field(f));
        self.cx.field_def_stack.pop();
        self.cx.type_stack.pop();
    }

    fn directives(&mut self, directives: &'d [Directive], location: &'static str) {
        for d in directives {
            self.cx.directive = self.cx.schema.directive(&d.name);
            self.cx.directive_location = Some(location);
            self.enter(Node::Directive(d));
            for a in &d.arguments {
                self.argument(a);
            }
            self.leave(Node::Directive(d));
            self.cx.directive = None;
            self.cx.directive_location = None;
        }
    }

    fn argument(&mut self, a: &'d Argument) {
        let args: &'d [InputValue] = match (self.cx.directive, self.cx.field_def()) {
            (Some(d), _) => &d.args,
            (None, Some(f)) => f.args(),
            (None, None) => &[],
        };
        let def = args.iter().find(|d| d.name == a.name);
        self.cx.argument = def;
        self.cx
            .default_value_stack
            .push(def.is_some_and(|d| d.has_default()));
        let ty = def.map(|d| d.ty.clone()).filter(|t| self.cx.is_input(t));
        self.cx.input_type_stack.push(ty);
        self.enter(Node::Argument(a));
        self.value(&a.value);
        self.leave(Node::Argument(a));
        self.cx.argument = None;
        self.cx.default_value_stack.pop();
        self.cx.input_type_stack.pop();
    }

    fn value(&mut self, v: &'d Value) {
        if let ValueKind::Variable(name) = &v.kind
            && let Some(out) = self.collect.as_mut()
        {
            out.push(Usage {
                name,
                pos: v.pos,
                ty: self.cx.input_type().cloned(),
                has_location_default: self.cx.default_value_stack.last().copied().unwrap_or(false),
            });
        }
        // TypeInfo enters a list before the rules do: the items' type is pushed first.
        let is_list = matches!(v.kind, ValueKind::List(_));
        if is_list {
            let list = self.cx.input_type().map(|t| match t {
                TypeRef::NonNull(inner) => inner.as_ref().clone(),
                other => other.clone(),
            });
            let item = list
                .map(|t| match t {
                    TypeRef::List(inner) => *inner,
                    other => other,
                })
                .filter(|t| self.cx.is_input(t));
            self.cx.default_value_stack.push(false);
            self.cx.input_type_stack.push(item);
        }
        self.enter(Node::Value(v));
        match &v.kind {
            ValueKind::List(items) => {
                for i in items {
                    self.value(i);
                }
            }
            ValueKind::Object(fields) => {
                for (name, pos, value) in fields {
                    let object = self
                        .cx
                        .input_type()
                        .and_then(|t| self.cx.named(t))
                        .filter(|t| t.kind == schema::Kind::InputObject);
                    let def = object.and_then(|o| o.input_field(name));
                    self.cx
                        .default_value_stack
                        .push(def.is_some_and(|d| d.has_default()));
                    let ty = def.map(|d| d.ty.clone()).filter(|t| self.cx.is_input(t));
                    self.cx.input_type_stack.push(ty);
                    let node = Node::ObjectField {
                        name,
                        pos: *pos,
                        value,
                    };
                    self.enter(node);
                    self.value(value);
                    self.leave(node);
                    self.cx.default_value_stack.pop();
                    self.cx.input_type_stack.pop();
                }
            }
            _ => {}
        }
        self.leave(Node::Value(v));
        if is_list {
            self.cx.default_value_stack.pop();
            self.cx.input_type_stack.pop();
        }
    }
}

impl OperationKind {
    /// The directive location of an operation of this kind.
    pub const fn location(self) -> &'static str {
        match self {
            Self::Query => "QUERY",
            Self::Mutation => "MUTATION",
            Self::Subscription => "SUBSCRIPTION",
        }
    }
}

/// graphql-js `inspect` of a type reference.
pub fn type_str(t: &TypeRef) -> String {
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::envelope::document;
    use crate::version::Behavior;

    fn errors(version: &str, doc: &str) -> Vec<(String, Vec<(usize, usize)>)> {
        let b = Behavior::parse(version).unwrap();
        let schema = SchemaModel::for_behavior(&b);
        let doc = document::parse(doc, b.graphql_js).unwrap();
        match validate(&schema, &doc, Flavor::of(&b), Extra::default()) {
            Verdict::Errors(e) => e.into_iter().map(|e| (e.message, e.locations)).collect(),
            Verdict::StackOverflow => vec![("overflow".into(), vec![])],
        }
    }

    // Recorded from real Parse (fixtures/graphql-validate): the same defects, per graphql-js.
    #[test]
    fn wording_per_graphql_js_major() {
        assert_eq!(
            errors("9.10.0", "{ nope }"),
            vec![(
                "Cannot query field \"nope\" on type \"Query\". Did you mean \"node\" or \"role\"?"
                    .into(),
                vec![(1, 3)]
            )]
        );
        assert_eq!(
            errors("3.7.2", "type Foo { a: Int }")[0].0,
            "The Foo definition is not executable."
        );
        assert_eq!(
            errors("4.4.0", "type Foo { a: Int }")[0].0,
            "The \"Foo\" definition is not executable."
        );
        let q = "query($a: Int, $a: Int) { health }";
        assert_eq!(
            errors("3.10.0", q)[0],
            (
                "There can be only one variable named \"a\".".into(),
                vec![(1, 8), (1, 17)]
            )
        );
        assert_eq!(
            errors("9.10.0", q)[0],
            (
                "There can be only one variable named \"$a\".".into(),
                vec![(1, 8), (1, 17)]
            )
        );
    }

    #[test]
    fn parse_scalars_refuse_literals_in_parse_words() {
        let q = "{ users(where: {createdAt: {equalTo: 7}}) { count } }";
        assert_eq!(
            errors("9.10.0", q),
            vec![(
                "Expected value of type \"Date\", found 7; IntValue is not a valid Date".into(),
                vec![(1, 38)]
            )]
        );
    }

    #[test]
    fn a_fragment_that_spreads_itself_overflows_graphql_js_15() {
        let q = "{ ...A } fragment A on Query { health ...A }";
        let b = Behavior::parse("4.4.0").unwrap();
        let schema = SchemaModel::for_behavior(&b);
        let doc = document::parse(q, b.graphql_js).unwrap();
        assert_eq!(
            validate(&schema, &doc, Flavor::of(&b), Extra::default()),
            Verdict::StackOverflow
        );
        assert_eq!(
            errors("9.10.0", q),
            vec![(
                "Cannot spread fragment \"A\" within itself.".into(),
                vec![(1, 39)]
            )]
        );
    }
}
