//! graphql-js's `collectFields` and argument values over our own document: which fields of a
//! selection set run under each response key for a runtime type (`@skip`/`@include`,
//! fragments and their type conditions, aliases), and what each argument's value is once
//! variables and their defaults are put in. Shared by every executor that runs outside
//! juniper (introspection, the class API).

use serde_json::{Map, Value as Json};

use crate::graphql::envelope::document::{
    Argument, Directive, Document, Field, Operation, Selection, ValueKind,
};
use crate::graphql::validation::schema::{SchemaModel, TypeDef};

/// One operation of a document, with its variables, seen by an executor.
#[derive(Clone, Copy)]
pub struct Collector<'s, 'd> {
    pub schema: &'s SchemaModel,
    pub doc: &'d Document,
    pub op: &'d Operation,
    pub variables: Option<&'d Map<String, Json>>,
}

impl<'d> Collector<'_, 'd> {
    /// graphql-js `collectFields`: the fields under each response key, in first-seen order.
    pub fn collect(
        &self,
        runtime_type: &str,
        selections: Vec<&'d Selection>,
    ) -> Vec<(String, Vec<&'d Field>)> {
        let mut groups: Vec<(String, Vec<&'d Field>)> = Vec::new();
        let mut visited: Vec<&str> = Vec::new();
        self.collect_into(runtime_type, &selections, &mut groups, &mut visited);
        groups
    }

    fn collect_into(
        &self,
        runtime_type: &str,
        selections: &[&'d Selection],
        groups: &mut Vec<(String, Vec<&'d Field>)>,
        visited: &mut Vec<&'d str>,
    ) {
        for selection in selections {
            match selection {
                Selection::Field(f) => {
                    if !self.included(&f.directives) {
                        continue;
                    }
                    let key = f.response_name();
                    match groups.iter_mut().find(|(k, _)| k == key) {
                        Some((_, fields)) => fields.push(f),
                        None => groups.push((key.to_owned(), vec![f])),
                    }
                }
                Selection::Inline {
                    type_condition,
                    directives,
                    selection,
                    ..
                } => {
                    if !self.included(directives)
                        || type_condition
                            .as_deref()
                            .is_some_and(|c| !self.applies(c, runtime_type))
                    {
                        continue;
                    }
                    let inner: Vec<&Selection> = selection.iter().collect();
                    self.collect_into(runtime_type, &inner, groups, visited);
                }
                Selection::Spread {
                    name, directives, ..
                } => {
                    if visited.contains(&name.as_str()) || !self.included(directives) {
                        continue;
                    }
                    visited.push(name);
                    let Some(fragment) = self.doc.fragments.iter().find(|f| &f.name == name) else {
                        continue;
                    };
                    if !self.applies(&fragment.type_condition, runtime_type) {
                        continue;
                    }
                    let inner: Vec<&Selection> = fragment.selection.iter().collect();
                    self.collect_into(runtime_type, &inner, groups, visited);
                }
            }
        }
    }

    /// graphql-js `doesFragmentConditionMatch`.
    pub fn applies(&self, condition: &str, runtime_type: &str) -> bool {
        condition == runtime_type
            || self.schema.get(condition).is_some_and(TypeDef::is_abstract)
                && self.schema.is_sub_type(condition, runtime_type)
    }

    /// `@skip(if:)` and `@include(if:)`.
    pub fn included(&self, directives: &[Directive]) -> bool {
        for d in directives {
            let condition = || {
                d.arguments
                    .iter()
                    .find(|a| a.name == "if")
                    .and_then(|a| self.value(a))
                    .and_then(|v| v.as_bool())
            };
            match d.name.as_str() {
                "skip" if condition() == Some(true) => return false,
                "include" if condition() != Some(true) => return false,
                _ => {}
            }
        }
        true
    }

    /// An argument's value: its literal, or the variable's value (or default).
    pub fn value(&self, arg: &Argument) -> Option<Json> {
        self.literal(&arg.value.kind)
    }

    pub fn literal(&self, kind: &ValueKind) -> Option<Json> {
        Some(match kind {
            ValueKind::Variable(name) => {
                if let Some(v) = self.variables.and_then(|m| m.get(name)) {
                    return Some(v.clone());
                }
                let def = self.op.variables.iter().find(|v| &v.name == name)?;
                return self.literal(&def.default.as_ref()?.kind);
            }
            ValueKind::Int(n) => n.parse::<i64>().map_or(Json::Null, Json::from),
            ValueKind::Float(n) => n
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or(Json::Null, Json::Number),
            ValueKind::String(s) | ValueKind::Enum(s) => Json::String(s.clone()),
            ValueKind::Boolean(b) => Json::Bool(*b),
            ValueKind::Null => Json::Null,
            ValueKind::List(items) => Json::Array(
                items
                    .iter()
                    .map(|v| self.literal(&v.kind).unwrap_or(Json::Null))
                    .collect(),
            ),
            ValueKind::Object(fields) => Json::Object(
                fields
                    .iter()
                    .filter_map(|(k, _, v)| Some((k.clone(), self.literal(&v.kind)?)))
                    .collect(),
            ),
        })
    }

    pub fn argument(&self, field: &Field, name: &str) -> Option<Json> {
        field
            .arguments
            .iter()
            .find(|a| a.name == name)
            .and_then(|a| self.value(a))
    }

    /// graphql-js `collectSubfields`: the selections of every field node under one response
    /// key, collected together for the runtime type of their value.
    pub fn collect_subfields(
        &self,
        runtime_type: &str,
        fields: &[&'d Field],
    ) -> Vec<(String, Vec<&'d Field>)> {
        let selections: Vec<&'d Selection> = fields
            .iter()
            .filter_map(|f| f.selection.as_ref())
            .flatten()
            .collect();
        self.collect(runtime_type, selections)
    }

    /// graphql-list-fields' `getFieldNames`: the dotted path of every leaf selected under
    /// these field nodes, through every fragment whatever its type condition, `@skip` and
    /// `@include` applied; in first-seen order, each once.
    pub fn leaf_paths(&self, fields: &[&'d Field]) -> Vec<String> {
        let mut out = Vec::new();
        for field in fields {
            if let Some(selection) = &field.selection {
                self.leaf_paths_into(selection, "", &mut out, 0);
            }
        }
        out
    }

    fn leaf_paths_into(
        &self,
        selections: &'d [Selection],
        prefix: &str,
        out: &mut Vec<String>,
        depth: usize,
    ) {
        // Fragment cycles are refused by validation; this bound only keeps a walk finite.
        if depth > 64 {
            return;
        }
        for selection in selections {
            match selection {
                Selection::Field(f) => {
                    if !self.included(&f.directives) {
                        continue;
                    }
                    let path = if prefix.is_empty() {
                        f.name.clone()
                    } else {
                        format!("{prefix}.{}", f.name)
                    };
                    match &f.selection {
                        Some(inner) => self.leaf_paths_into(inner, &path, out, depth + 1),
                        None => {
                            if !out.contains(&path) {
                                out.push(path);
                            }
                        }
                    }
                }
                Selection::Inline {
                    directives,
                    selection,
                    ..
                } => {
                    if self.included(directives) {
                        self.leaf_paths_into(selection, prefix, out, depth + 1);
                    }
                }
                Selection::Spread {
                    name, directives, ..
                } => {
                    if !self.included(directives) {
                        continue;
                    }
                    if let Some(fragment) = self.doc.fragments.iter().find(|f| &f.name == name) {
                        self.leaf_paths_into(&fragment.selection, prefix, out, depth + 1);
                    }
                }
            }
        }
    }
}
