//! One GraphQL operation, from document text to an [`Outcome`], in the pinned stack's order.
//!
//! juniper parses, validates and executes in one call. To answer a GET mutation or a refused
//! introspection *after* validation but *before* execution (as every Parse stack does), the
//! document is validated alone by asking juniper for an operation name no document can
//! contain: `ValidatedOperation::new` then stops after validation. Documents are read once and
//! their validation verdict is kept in a bounded cache, so a repeated document is neither
//! re-read nor re-validated here (juniper still parses it once more when it executes: its
//! validated form borrows the document text and cannot outlive the call).

use std::num::NonZeroUsize;
use std::sync::{Arc, OnceLock};

use juniper::{DefaultScalarValue, ExecutionError, GraphQLError, Variables};
use parking_lot::Mutex;
use serde_json::Value as Json;

use super::document::{self, Document, OperationError, OperationKind, SyntaxError};
use super::messages::{self, GqlError, RawError, Redaction, Rewriter};
use super::schema_info::SchemaInfo;
use crate::version::{Behavior, GraphqlJs, HttpStack};

/// What juniper answers for one call.
pub type ExecResult =
    Result<(juniper::Value, Vec<ExecutionError<DefaultScalarValue>>), GraphQLError>;

/// An operation name no GraphQL document can declare (names are `[_A-Za-z][_0-9A-Za-z]*`).
const VALIDATE_ONLY: &str = "validate only";

/// Documents kept with their analysis.
const CACHE_SIZE: usize = 512;
/// Longer documents are analysed every time rather than kept (bounds the cache's memory).
const CACHE_MAX_DOCUMENT: usize = 16 * 1024;

/// A document read once: its syntax tree or syntax error, and its validation verdict.
#[derive(Debug)]
pub struct Analysis {
    pub parsed: Result<Document, SyntaxError>,
    /// Rewritten validation errors, once known (`Some(vec![])` = valid).
    validation: Mutex<Option<Arc<Vec<GqlError>>>>,
}

/// The bounded document cache.
pub struct DocumentCache {
    js: GraphqlJs,
    entries: Mutex<lru::LruCache<String, Arc<Analysis>>>,
}

impl DocumentCache {
    pub fn new(js: GraphqlJs) -> Self {
        let size = NonZeroUsize::new(CACHE_SIZE).unwrap_or(NonZeroUsize::MIN);
        Self {
            js,
            entries: Mutex::new(lru::LruCache::new(size)),
        }
    }

    pub fn analyse(&self, source: &str) -> Arc<Analysis> {
        if let Some(hit) = self.entries.lock().get(source) {
            return Arc::clone(hit);
        }
        let analysis = Arc::new(Analysis {
            parsed: document::parse(source, self.js),
            validation: Mutex::new(None),
        });
        if source.len() > CACHE_MAX_DOCUMENT {
            return analysis;
        }
        self.entries
            .lock()
            .put(source.to_owned(), Arc::clone(&analysis));
        analysis
    }
}

/// One GraphQL request's parameters, already taken out of the HTTP request.
#[derive(Debug, Clone, Default)]
pub struct OperationRequest {
    pub query: Option<String>,
    pub operation_name: Option<String>,
    pub variables: Option<serde_json::Map<String, Json>>,
    pub is_get: bool,
    pub is_master: bool,
}

/// Where the pipeline stopped.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// juniper ran the operation: `data` and resolver errors, both as JSON.
    Executed {
        data: Json,
        errors: Vec<Json>,
    },
    MissingQuery,
    Syntax(SyntaxError),
    Invalid(Vec<GqlError>),
    /// The variables did not fit the operation's variable definitions.
    Variables(Vec<GqlError>),
    NoOperation(OperationError),
    GetNotQuery(OperationKind),
    /// Parse 9.x's `IntrospectionControlPlugin` (403).
    IntrospectionForbidden,
}

/// Everything version-dependent the pipeline needs.
pub struct Pipeline {
    pub behavior: Behavior,
    pub cache: DocumentCache,
    /// Read from the schema on first need (suggestions, literal checks).
    info: OnceLock<Arc<SchemaInfo>>,
    pub query_type: String,
    pub mutation_type: String,
}

fn raw_errors(errs: &[juniper::RuleError]) -> Vec<RawError> {
    errs.iter()
        .map(|e| RawError {
            message: e.message().to_owned(),
            positions: e
                .locations()
                .iter()
                .map(|p| (p.line(), p.column()))
                .collect(),
        })
        .collect()
}

/// juniper's variable checks (run when it executes) versus document rules.
fn is_variable_error(message: &str) -> bool {
    message.starts_with("Variable \"$")
        && (message.contains("got invalid value")
            || message.contains("was not provided")
            || message.contains("has invalid input type"))
}

fn to_json<T: serde::Serialize>(v: &T) -> Json {
    serde_json::to_value(v).unwrap_or(Json::Null)
}

impl Pipeline {
    pub fn new(behavior: Behavior) -> Self {
        Self {
            behavior,
            cache: DocumentCache::new(behavior.graphql_js),
            info: OnceLock::new(),
            query_type: "Query".into(),
            mutation_type: "Mutation".into(),
        }
    }

    /// Redaction applying to this caller (Parse 8.x/9.x, unless master).
    pub fn redaction(&self, is_master: bool) -> Redaction {
        if is_master {
            return Redaction::None;
        }
        match self.behavior.stack {
            HttpStack::Apollo2 | HttpStack::Yoga | HttpStack::Apollo4 => Redaction::None,
            HttpStack::Apollo4OnExpress5 => Redaction::Suggestions,
            HttpStack::Apollo5 => Redaction::SuggestionsAndTypes,
        }
    }

    /// 7.x/8.x under NODE_ENV=production: Apollo's `NoIntrospection` rule, even for master.
    fn apollo_refuses_introspection(&self) -> bool {
        match self.behavior.stack {
            HttpStack::Apollo4 | HttpStack::Apollo4OnExpress5 => true,
            HttpStack::Apollo2 | HttpStack::Yoga | HttpStack::Apollo5 => false,
        }
    }

    fn schema_info(
        &self,
        exec: &dyn Fn(&str, Option<&str>, &Variables) -> ExecResult,
    ) -> Arc<SchemaInfo> {
        let info = self.info.get_or_init(|| {
            Arc::new(
                match exec(
                    super::schema_info::INTROSPECTION_QUERY,
                    None,
                    &Variables::new(),
                ) {
                    Ok((data, _)) => SchemaInfo::from_introspection(&to_json(&data)),
                    Err(err) => {
                        tracing::warn!(error = %err, "schema introspection for messages failed");
                        SchemaInfo::default()
                    }
                },
            )
        });
        Arc::clone(info)
    }

    fn rewrite(
        &self,
        source: &str,
        doc: &Document,
        errs: &[juniper::RuleError],
        exec: &dyn Fn(&str, Option<&str>, &Variables) -> ExecResult,
    ) -> Vec<GqlError> {
        let info = self.schema_info(exec);
        let rw = Rewriter {
            js: self.behavior.graphql_js,
            source,
            doc,
            info: &info,
            query_type: &self.query_type,
            mutation_type: &self.mutation_type,
        };
        rw.rewrite(&raw_errors(errs), self.apollo_refuses_introspection())
    }

    /// The document's validation errors (empty = valid), validating without executing.
    fn validation(
        &self,
        source: &str,
        analysis: &Analysis,
        doc: &Document,
        exec: &dyn Fn(&str, Option<&str>, &Variables) -> ExecResult,
    ) -> Arc<Vec<GqlError>> {
        if let Some(known) = analysis.validation.lock().clone() {
            return known;
        }
        let errors = match exec(source, Some(VALIDATE_ONLY), &Variables::new()) {
            Err(GraphQLError::ValidationError(errs)) => self.rewrite(source, doc, &errs, exec),
            _ => {
                let info = self.schema_info(exec);
                let rw = Rewriter {
                    js: self.behavior.graphql_js,
                    source,
                    doc,
                    info: &info,
                    query_type: &self.query_type,
                    mutation_type: &self.mutation_type,
                };
                rw.rewrite(&[], self.apollo_refuses_introspection())
            }
        };
        let errors = Arc::new(errors);
        *analysis.validation.lock() = Some(Arc::clone(&errors));
        errors
    }

    /// 9.x `IntrospectionControlPlugin`: `__schema` anywhere in the text, or a `__type` field
    /// with arguments.
    fn plugin_refuses_introspection(&self, req: &OperationRequest, doc: &Document) -> bool {
        if req.is_master || self.behavior.stack != HttpStack::Apollo5 {
            return false;
        }
        let text = req.query.as_deref().unwrap_or("");
        if text.contains("__schema") {
            return true;
        }
        text.contains("__type")
            && doc
                .fields()
                .iter()
                .any(|f| f.name == "__type" && !f.arguments.is_empty())
    }

    /// Run one operation as the pinned stack does, up to the point where it answers.
    pub fn run(
        &self,
        req: &OperationRequest,
        exec: &dyn Fn(&str, Option<&str>, &Variables) -> ExecResult,
    ) -> Outcome {
        let stack = self.behavior.stack;
        let source = match (&req.query, stack) {
            (None, _) => return Outcome::MissingQuery,
            (
                Some(q),
                HttpStack::Apollo2
                | HttpStack::Apollo4
                | HttpStack::Apollo4OnExpress5
                | HttpStack::Apollo5,
            ) if q.is_empty() => {
                return Outcome::MissingQuery;
            }
            (Some(q), _) => q.as_str(),
        };
        let analysis = self.cache.analyse(source);
        let doc = match &analysis.parsed {
            Ok(doc) => doc,
            Err(e) => return Outcome::Syntax(e.clone()),
        };
        let selected = doc.select_operation(req.operation_name.as_deref());
        let needs_gate = self.apollo_refuses_introspection()
            && !messages::introspection_fields(doc).is_empty()
            || req.is_get
                && selected
                    .as_ref()
                    .is_ok_and(|o| o.kind != OperationKind::Query)
            || selected.is_err()
            || self.plugin_refuses_introspection(req, doc);
        if needs_gate || analysis.validation.lock().is_some() {
            let errors = self.validation(source, &analysis, doc, exec);
            if !errors.is_empty() {
                return Outcome::Invalid(errors.as_ref().clone());
            }
        }
        match stack {
            HttpStack::Yoga => {
                let op = match selected {
                    Ok(op) => op,
                    Err(e) => return Outcome::NoOperation(e),
                };
                if req.is_get && op.kind == OperationKind::Mutation {
                    return Outcome::GetNotQuery(op.kind);
                }
            }
            HttpStack::Apollo2 => {
                if let Ok(op) = selected {
                    if req.is_get && op.kind != OperationKind::Query {
                        return Outcome::GetNotQuery(op.kind);
                    }
                }
                if let Err(e) = selected {
                    return Outcome::NoOperation(e);
                }
            }
            HttpStack::Apollo4 | HttpStack::Apollo4OnExpress5 | HttpStack::Apollo5 => {
                if let Ok(op) = selected {
                    if req.is_get && op.kind != OperationKind::Query {
                        return Outcome::GetNotQuery(op.kind);
                    }
                }
                if self.plugin_refuses_introspection(req, doc) {
                    return Outcome::IntrospectionForbidden;
                }
                if let Err(e) = selected {
                    return Outcome::NoOperation(e);
                }
            }
        }
        let variables = variables_of(req.variables.as_ref());
        match exec(source, req.operation_name.as_deref(), &variables) {
            Ok((data, errors)) => {
                analysis
                    .validation
                    .lock()
                    .get_or_insert_with(|| Arc::new(Vec::new()));
                Outcome::Executed {
                    data: to_json(&data),
                    errors: errors.iter().map(to_json).collect(),
                }
            }
            Err(GraphQLError::ValidationError(errs)) => {
                let (vars, doc_errs): (Vec<_>, Vec<_>) = errs
                    .into_iter()
                    .partition(|e| is_variable_error(e.message()));
                if !doc_errs.is_empty() {
                    let errors = self.rewrite(source, doc, &doc_errs, exec);
                    *analysis.validation.lock() = Some(Arc::new(errors.clone()));
                    return Outcome::Invalid(errors);
                }
                *analysis.validation.lock() = Some(Arc::new(Vec::new()));
                let ours = match selected {
                    Ok(op) => {
                        let info = self.schema_info(exec);
                        super::variables::coerce(
                            self.behavior.graphql_js,
                            &info,
                            op,
                            req.variables.as_ref(),
                        )
                    }
                    Err(_) => Vec::new(),
                };
                if !ours.is_empty() {
                    return Outcome::Variables(ours);
                }
                Outcome::Variables(
                    vars.iter()
                        .map(|e| GqlError {
                            message: variable_message(e.message()),
                            locations: e
                                .locations()
                                .iter()
                                .map(|p| (p.line() + 1, p.column() + 1))
                                .collect(),
                        })
                        .collect(),
                )
            }
            Err(GraphQLError::ParseError(e)) => {
                // graphql-js read this document; juniper could not (it reads literals against
                // the schema's scalars). What graphql-js would say is a literal error.
                let info = self.schema_info(exec);
                let rw = Rewriter {
                    js: self.behavior.graphql_js,
                    source,
                    doc,
                    info: &info,
                    query_type: &self.query_type,
                    mutation_type: &self.mutation_type,
                };
                let literal = rw.literal_errors();
                if !literal.is_empty() {
                    return Outcome::Invalid(literal);
                }
                Outcome::Syntax(SyntaxError {
                    message: e.item.to_string(),
                    pos: document::Pos {
                        offset: e.span.start.index(),
                        line: e.span.start.line() + 1,
                        column: e.span.start.column() + 1,
                        char_column: e.span.start.column() + 1,
                    },
                })
            }
            Err(GraphQLError::MultipleOperationsProvided) => {
                Outcome::NoOperation(OperationError::Ambiguous)
            }
            Err(GraphQLError::UnknownOperationName) => Outcome::NoOperation(
                OperationError::Unknown(req.operation_name.clone().unwrap_or_default()),
            ),
            Err(GraphQLError::NoOperationProvided) => Outcome::NoOperation(OperationError::None),
            Err(
                other @ (GraphQLError::IsSubscription
                | GraphQLError::NotSubscription
                | GraphQLError::NotSupported(_)),
            ) => Outcome::Invalid(vec![GqlError {
                message: format!("{other}."),
                locations: Vec::new(),
            }]),
        }
    }
}

/// juniper's variable messages, in graphql-js's punctuation where they already agree.
fn variable_message(m: &str) -> String {
    if m.ends_with('.') {
        m.to_owned()
    } else {
        format!("{m}.")
    }
}

/// Request variables as juniper input values.
fn variables_of(vars: Option<&serde_json::Map<String, Json>>) -> Variables {
    let mut out = Variables::new();
    if let Some(map) = vars {
        for (k, v) in map {
            if let Ok(input) = serde_json::from_value::<juniper::InputValue>(v.clone()) {
                out.insert(k.clone(), input);
            }
        }
    }
    out
}
