//! Getting JSON objects past juniper into Parse's `Object` scalar.
//!
//! Parse's `Object` scalar (e.g. `authData`) takes object literals and object variables, which
//! juniper refuses for any scalar (it validates scalars as leaves). Before execution we walk the
//! document with the schema's types and swap every value in an `Object` position for a short
//! placeholder *enum* name (`_0`, `_1`, …), which juniper hands to the scalar's parser; the
//! values themselves wait in a thread-local table for the duration of the execution.
//!
//! A literal is replaced in place and the rest of its span is blanked with spaces (newlines
//! kept), so every position juniper reports afterwards is the one in the client's document.

use std::cell::RefCell;
use std::sync::LazyLock;

use juniper::{
    DefaultScalarValue, Definition, EmptyMutation, EmptySubscription, InputValue, RootNode,
    SchemaType, Selection, Spanning, Type, Variables, graphql_object, meta::MetaType,
};
use serde_json::Value as Json;

use super::scalars::input_to_json;

thread_local! {
    /// The values behind the placeholders of the execution running on this thread; `None`
    /// marks a value Parse would refuse (a list or an enum where an object belongs).
    static TABLE: RefCell<Vec<Option<Json>>> = const { RefCell::new(Vec::new()) };
}

/// juniper's parser reads literals by the schema's argument types, and refuses an object where
/// a scalar belongs; this schema knows no fields, so every literal is read by its shape.
static UNTYPED: LazyLock<RootNode<Untyped, EmptyMutation<()>, EmptySubscription<()>>> =
    LazyLock::new(|| RootNode::new(Untyped, EmptyMutation::new(), EmptySubscription::new()));

/// The query type of [`UNTYPED`].
struct Untyped;

/// The fields are never executed: they put every built-in scalar into [`UNTYPED`], because
/// juniper's parser reads a number literal only through the schema's `Int` / `Float` types
/// (without them `{ a: 1 }` inside an `Object` value is a syntax error).
#[graphql_object]
impl Untyped {
    fn boolean() -> bool {
        false
    }

    fn int() -> i32 {
        0
    }

    fn float() -> f64 {
        0.0
    }

    fn string() -> String {
        String::new()
    }

    fn id() -> juniper::ID {
        juniper::ID::new("")
    }
}

/// The name of the scalar whose values are rewritten.
const OBJECT: &str = "Object";

/// A document and its variables, with every `Object` value swapped for a placeholder.
pub struct Prepared {
    pub document: String,
    pub variables: Variables<DefaultScalarValue>,
    table: Vec<Option<Json>>,
}

impl Prepared {
    /// Whether preparing changed nothing: no `Object` literal in `original`.
    pub fn is_identity(&self, original: &str) -> bool {
        self.table.is_empty() && self.document == original
    }

    /// Run `f` (the juniper execution) with the placeholders resolvable on this thread.
    pub fn run<R>(self, f: impl FnOnce(&str, &Variables<DefaultScalarValue>) -> R) -> R {
        struct Reset;
        impl Drop for Reset {
            fn drop(&mut self) {
                TABLE.with(|t| t.borrow_mut().clear());
            }
        }
        TABLE.with(|t| *t.borrow_mut() = self.table);
        let _reset = Reset;
        f(&self.document, &self.variables)
    }
}

/// The value behind a placeholder, if `name` is one of this execution's.
pub fn take(name: &str) -> Option<Json> {
    let index: usize = name.strip_prefix('_')?.parse().ok()?;
    if name != placeholder(index) {
        return None;
    }
    TABLE.with(|t| t.borrow().get(index).cloned().flatten())
}

fn placeholder(index: usize) -> String {
    format!("_{index}")
}

/// Swap `Object` values for placeholders. A document juniper cannot parse is returned as it
/// is, for juniper to report.
pub fn prepare(
    schema: &SchemaType<DefaultScalarValue>,
    document: &str,
    variables: &Variables<DefaultScalarValue>,
) -> Prepared {
    let mut walk = Walk {
        schema,
        literals: Vec::new(),
        table: Vec::new(),
        variables: variables.clone(),
    };
    if let Ok(parsed) = juniper::parser::parse_document_source(document, &UNTYPED.schema) {
        for definition in &parsed {
            walk.definition(definition, variables);
        }
    }
    let Walk {
        literals,
        table,
        variables,
        ..
    } = walk;
    Prepared {
        document: splice(document, literals),
        variables,
        table,
    }
}

/// A literal to replace: its span in characters and its placeholder.
struct Literal {
    start: usize,
    end: usize,
    name: String,
}

struct Walk<'s> {
    schema: &'s SchemaType<DefaultScalarValue>,
    literals: Vec<Literal>,
    table: Vec<Option<Json>>,
    variables: Variables<DefaultScalarValue>,
}

impl Walk<'_> {
    fn definition(
        &mut self,
        definition: &Definition<'_, DefaultScalarValue>,
        given: &Variables<DefaultScalarValue>,
    ) {
        match definition {
            Definition::Operation(op) => {
                let root = match op.item.operation_type {
                    juniper::OperationType::Query => Some(self.schema.concrete_query_type()),
                    juniper::OperationType::Mutation => self.schema.concrete_mutation_type(),
                    juniper::OperationType::Subscription => None,
                };
                if let Some(defs) = &op.item.variables_definition {
                    for (name, def) in defs.item.iter() {
                        let ty = &def.var_type.item;
                        let (named, lists) = shape(ty);
                        if let Some(default) = &def.default_value {
                            self.literal(named, lists, default);
                        }
                        if let Some(value) = given.get(name.item) {
                            let rewritten = self.variable(named, lists, value);
                            self.variables.insert(name.item.to_owned(), rewritten);
                        }
                    }
                }
                if let Some(root) = root {
                    self.selections(root, &op.item.selection_set);
                }
            }
            Definition::Fragment(fragment) => {
                if let Some(ty) = self
                    .schema
                    .concrete_type_by_name(fragment.item.type_condition.item)
                {
                    self.selections(ty, &fragment.item.selection_set);
                }
            }
        }
    }

    fn selections(
        &mut self,
        parent: &MetaType<DefaultScalarValue>,
        selections: &[Selection<'_, DefaultScalarValue>],
    ) {
        for selection in selections {
            match selection {
                Selection::Field(field) => {
                    let Some(meta) = parent.field_by_name(field.item.name.item) else {
                        continue;
                    };
                    if let (Some(args), Some(metas)) = (&field.item.arguments, &meta.arguments) {
                        for (name, value) in &args.item.items {
                            if let Some(arg) = metas.iter().find(|a| a.name == name.item) {
                                let (named, lists) = shape(&arg.arg_type);
                                self.literal(named, lists, value);
                            }
                        }
                    }
                    if let Some(inner) = &field.item.selection_set {
                        let name = meta.field_type.innermost_name().to_owned();
                        if let Some(ty) = self.schema.concrete_type_by_name(&name) {
                            self.selections(ty, inner);
                        }
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let ty = match &fragment.item.type_condition {
                        Some(cond) => self.schema.concrete_type_by_name(cond.item),
                        None => Some(parent),
                    };
                    if let Some(ty) = ty {
                        self.selections(ty, &fragment.item.selection_set);
                    }
                }
                // Fragment definitions are walked on their own.
                Selection::FragmentSpread(_) => {}
            }
        }
    }

    /// A literal in a position of named type `named` under `lists` list levels.
    fn literal(
        &mut self,
        named: &str,
        lists: usize,
        value: &Spanning<InputValue<DefaultScalarValue>>,
    ) {
        match &value.item {
            InputValue::Null | InputValue::Variable(_) | InputValue::Scalar(_) => {}
            InputValue::List(items) if lists > 0 => {
                for item in items {
                    self.literal(named, lists - 1, item);
                }
            }
            InputValue::Object(fields) if named != OBJECT => {
                let Some(MetaType::InputObject(meta)) = self.schema.concrete_type_by_name(named)
                else {
                    return;
                };
                for (key, field) in fields {
                    if let Some(arg) = meta.input_fields.iter().find(|a| a.name == key.item) {
                        let (inner, inner_lists) = shape(&arg.arg_type);
                        self.literal(inner, inner_lists, field);
                    }
                }
            }
            InputValue::List(_) | InputValue::Object(_) | InputValue::Enum(_) => {
                if named != OBJECT {
                    return;
                }
                let json = self.object_json(&value.item);
                let name = placeholder(self.table.len());
                let (start, end) = (value.span.start.index(), value.span.end.index());
                if end.saturating_sub(start) < name.len() {
                    return;
                }
                self.table.push(json);
                self.literals.push(Literal { start, end, name });
            }
        }
    }

    /// A variable's value for a position of named type `named`, with `Object` values swapped.
    fn variable(
        &mut self,
        named: &str,
        lists: usize,
        value: &InputValue<DefaultScalarValue>,
    ) -> InputValue<DefaultScalarValue> {
        match value {
            InputValue::List(items) if lists > 0 => InputValue::List(
                items
                    .iter()
                    .map(|i| Spanning {
                        item: self.variable(named, lists - 1, &i.item),
                        span: i.span,
                    })
                    .collect(),
            ),
            InputValue::Object(fields) if named != OBJECT => {
                let Some(MetaType::InputObject(meta)) = self.schema.concrete_type_by_name(named)
                else {
                    return value.clone();
                };
                InputValue::Object(
                    fields
                        .iter()
                        .map(|(key, field)| {
                            let item = match meta.input_fields.iter().find(|a| a.name == key.item) {
                                Some(arg) => {
                                    let (inner, inner_lists) = shape(&arg.arg_type);
                                    self.variable(inner, inner_lists, &field.item)
                                }
                                None => field.item.clone(),
                            };
                            (
                                key.clone(),
                                Spanning {
                                    item,
                                    span: field.span,
                                },
                            )
                        })
                        .collect(),
                )
            }
            InputValue::List(_) | InputValue::Object(_) | InputValue::Enum(_)
                if named == OBJECT =>
            {
                let json = self.object_json(value);
                let name = placeholder(self.table.len());
                self.table.push(json);
                InputValue::Enum(name)
            }
            other => other.clone(),
        }
    }

    /// What Parse's `Object` scalar makes of a value: objects only, variables inside resolved.
    fn object_json(&self, value: &InputValue<DefaultScalarValue>) -> Option<Json> {
        match value {
            InputValue::Object(_) => Some(self.resolve(value)),
            _ => None,
        }
    }

    fn resolve(&self, value: &InputValue<DefaultScalarValue>) -> Json {
        match value {
            InputValue::Variable(name) => self
                .variables
                .get(name)
                .map_or(Json::Null, |v| self.resolve(v)),
            InputValue::List(items) => {
                Json::Array(items.iter().map(|i| self.resolve(&i.item)).collect())
            }
            InputValue::Object(fields) => Json::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.item.clone(), self.resolve(&v.item)))
                    .collect(),
            ),
            other => input_to_json(other),
        }
    }
}

/// A type's innermost name and how many list levels wrap it.
fn shape<N: AsRef<str>>(ty: &Type<N>) -> (&str, usize) {
    (ty.innermost_name(), ty.to_string().matches('[').count())
}

/// Write each placeholder over its literal, blanking the rest of the span but its line breaks.
fn splice(document: &str, mut literals: Vec<Literal>) -> String {
    if literals.is_empty() {
        return document.to_owned();
    }
    literals.sort_by_key(|l| l.start);
    let mut out = String::with_capacity(document.len());
    let mut next = literals.iter().peekable();
    let mut current: Option<(&Literal, std::str::Chars<'_>)> = None;
    for (index, c) in document.chars().enumerate() {
        if current.as_ref().is_some_and(|(l, _)| index >= l.end) {
            current = None;
        }
        if current.is_none() && next.peek().is_some_and(|l| l.start == index) {
            let literal = next.next().expect("peeked");
            current = Some((literal, literal.name.chars()));
        }
        match &mut current {
            Some((_, name)) => match name.next() {
                Some(p) => out.push(p),
                None if c == '\n' || c == '\r' => out.push(c),
                None => out.push(' '),
            },
            None => out.push(c),
        }
    }
    out
}
