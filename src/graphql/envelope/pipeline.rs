//! One GraphQL operation, from document text to an [`Outcome`], in the pinned stack's order.
//!
//! A document is read and validated here, as the pinned graphql-js release reads and
//! validates it against the version's whole schema ([`crate::graphql::validation`]); both
//! verdicts are kept in a bounded cache, so a repeated document is neither re-read nor
//! re-validated. juniper then executes valid operations of the auth API (it parses the text
//! once more: its validated form borrows the text and cannot outlive the call).

use std::num::NonZeroUsize;
use std::sync::{Arc, OnceLock};

use juniper::{DefaultScalarValue, ExecutionError, GraphQLError, Variables};
use parking_lot::Mutex;
use serde_json::Value as Json;

use super::document::{self, Document, OperationError, OperationKind, SyntaxError};
use super::persisted;
use super::redact::Redaction;
use super::schema_info::SchemaInfo;
use crate::graphql::validation::schema::SchemaModel;
use crate::graphql::validation::{self, Extra, Flavor, GqlError, Verdict};
use crate::graphql::{classes, introspection};
use crate::store::class_reads::VARIANTS;
use crate::version::{Behavior, GraphqlIntrospection, GraphqlJs, GraphqlJsRelease, HttpStack};

/// What juniper answers for one call.
pub type ExecResult =
    Result<(juniper::Value, Vec<ExecutionError<DefaultScalarValue>>), GraphQLError>;

/// What the pipeline needs of the schema: one document run with one caller's context (see
/// `crate::graphql::Caller`). A closure of the same shape is one too (the tests use them).
pub trait Execute {
    fn execute(
        &self,
        document: &str,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> ExecResult;

    /// The class API's resolvers for this caller (`crate::graphql::classes`); none for an
    /// executor of the auth API alone.
    fn class_api(&self) -> Option<&dyn classes::Resolve> {
        None
    }
}

impl<F: Fn(&str, Option<&str>, &Variables) -> ExecResult> Execute for F {
    fn execute(
        &self,
        document: &str,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> ExecResult {
        self(document, operation_name, variables)
    }
}

/// Documents kept with their analysis.
const CACHE_SIZE: usize = 512;
/// Longer documents are analysed every time rather than kept (bounds the cache's memory).
const CACHE_MAX_DOCUMENT: usize = 16 * 1024;

/// A document read once: its syntax tree or syntax error, and its validation verdict.
#[derive(Debug)]
pub struct Analysis {
    pub parsed: Result<Document, SyntaxError>,
    /// Its verdict against each schema Parse may show ([`OperationRequest::schema_variant`]).
    validation: [OnceLock<Verdict>; VARIANTS],
    /// Whether its operations nest shallowly enough for an async worker's stack
    /// (`document::MAX_DEPTH`), fragments expanded: deeper ones run on an executor thread.
    shallow: bool,
}

/// The bounded document cache.
pub struct DocumentCache {
    release: GraphqlJsRelease,
    entries: Mutex<lru::LruCache<String, Arc<Analysis>>>,
}

impl DocumentCache {
    pub fn new(release: GraphqlJsRelease) -> Self {
        let size = NonZeroUsize::new(CACHE_SIZE).unwrap_or(NonZeroUsize::MIN);
        Self {
            release,
            entries: Mutex::new(lru::LruCache::new(size)),
        }
    }

    /// The analysis of `source` if it is cached (without reading it).
    pub fn cached(&self, source: &str) -> Option<Arc<Analysis>> {
        self.entries.lock().peek(source).map(Arc::clone)
    }

    pub fn analyse(&self, source: &str) -> Arc<Analysis> {
        if let Some(hit) = self.entries.lock().get(source) {
            return Arc::clone(hit);
        }
        let parsed = document::parse_nested(source, self.release, document::DEEP_NESTING);
        let shallow = parsed
            .as_ref()
            .is_ok_and(|d| d.nests_within(document::MAX_DEPTH));
        let analysis = Arc::new(Analysis {
            parsed,
            validation: Default::default(),
            shallow,
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
    /// `variables` was a string, number or boolean: graphql-js 16's `execute` refuses that
    /// before anything else it does (yoga passes the value through).
    pub variables_not_object: bool,
    /// `extensions.persistedQuery`, when present and truthy.
    pub persisted_query: Option<Json>,
    /// Which classes the schema Parse loaded for this request shows with the columns its
    /// database layer read (`store::class_reads`; 0: the clean schema).
    pub schema_variant: u8,
    /// The query as graphql-js reads it, when the JSON body wrote lone surrogates into it
    /// (`\ud800`): `query` holds U+FFFD for each, this their marks
    /// (`json_body::parse_marking`), for the lexer to name them as graphql-js does.
    pub lone_surrogates: Option<String>,
}

/// Give each request whose query shows U+FFFD the query as graphql-js reads it when the JSON
/// body wrote lone surrogates there (`\ud800`, which JavaScript strings keep and Rust's
/// cannot): `marked_body` parses the body again with them marked
/// (`json_body::parse_marking`), only when some query could hold one. Item `i` of a batch is
/// request `i`; a query that is not the body's (a GET's) is left alone.
pub fn keep_lone_surrogates(
    requests: &mut [OperationRequest],
    marked_body: impl FnOnce() -> Option<Json>,
) {
    let replaced =
        |r: &OperationRequest| r.query.as_deref().is_some_and(|q| q.contains('\u{fffd}'));
    if !requests.iter().any(replaced) {
        return;
    }
    let Some(marked) = marked_body() else {
        return;
    };
    let query = |item: &Json| item.get("query").and_then(Json::as_str).map(str::to_owned);
    let queries: Vec<Option<String>> = match &marked {
        Json::Array(items) => items.iter().map(query).collect(),
        other => vec![query(other)],
    };
    if queries.len() != requests.len() {
        return;
    }
    for (req, marked) in requests.iter_mut().zip(queries) {
        let (Some(query), Some(marked)) = (&req.query, marked) else {
            continue;
        };
        let mut read = marked.clone();
        crate::http::json_body::unmark_text(&mut read);
        if read == *query && read != marked {
            req.lone_surrogates = Some(marked);
        }
    }
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
    /// graphql-js 15's validation recursed until Node.js's stack overflowed (a fragment that
    /// spreads itself): a `RangeError`, not a GraphQL error.
    ValidationCrashed,
    /// The variables did not fit the operation's variable definitions.
    Variables(Vec<GqlError>),
    NoOperation(OperationError),
    GetNotQuery(OperationKind),
    /// Parse 9.x's `IntrospectionControlPlugin` (403).
    IntrospectionForbidden,
    /// A valid subscription operation: Parse's schema has no subscription root, so
    /// graphql-js's execution refuses it (message per graphql-js, at the operation).
    NoSubscriptionRoot {
        message: &'static str,
        location: (usize, usize),
    },
    /// graphql-js 16 `execute`'s assertion on non-object variables (yoga: a 500).
    VariablesNotObject,
    /// The persisted-query extension ended the request before its document was read.
    Persisted(persisted::Refusal),
    /// The stack's own JavaScript threw a `TypeError` with this message, which it reports as a
    /// GraphQL error.
    StackTypeError(&'static str),
    /// An executed operation's response body as the stack writes it (200), answered again
    /// from the session's memo ([`super::memo`]).
    Answered(bytes::Bytes),
}

impl Outcome {
    /// Whether the request got past reading, validating and resolving its operation (where
    /// Apollo Server 4/5 keeps a persisted query it was sent).
    const fn resolved(&self) -> bool {
        matches!(
            self,
            Self::Executed { .. }
                | Self::Answered(_)
                | Self::Variables(_)
                | Self::NoSubscriptionRoot { .. }
                | Self::VariablesNotObject
        )
    }
}

/// Everything version-dependent the pipeline needs.
pub struct Pipeline {
    pub behavior: Behavior,
    pub cache: DocumentCache,
    /// The version's whole schema, which documents are validated against.
    schema: Arc<SchemaModel>,
    /// Read from juniper's schema on first need (which types it can execute).
    info: OnceLock<Arc<SchemaInfo>>,
    /// The whole schema's input types, which variables are coerced against.
    inputs: SchemaInfo,
    /// The schemas Parse shows once its database layer read some classes, by
    /// [`OperationRequest::schema_variant`] (built when first met).
    showing: [OnceLock<(Arc<SchemaModel>, SchemaInfo)>; VARIANTS],
    /// Apollo Server 4/5's persisted queries.
    persisted: persisted::Store,
}

/// Variables nested deeper than this run on an executor thread (coercing them recurses).
const INLINE_VARIABLE_DEPTH: usize = 16;

/// Whether `value` nests at most `depth` arrays or objects deep (without recursing).
fn shallow(value: &Json, depth: usize) -> bool {
    let mut open = vec![(value, 0)];
    while let Some((v, level)) = open.pop() {
        match v {
            Json::Array(a) if !a.is_empty() => {
                if level == depth {
                    return false;
                }
                open.extend(a.iter().map(|c| (c, level + 1)));
            }
            Json::Object(m) if !m.is_empty() => {
                if level == depth {
                    return false;
                }
                open.extend(m.values().map(|c| (c, level + 1)));
            }
            _ => {}
        }
    }
    true
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

/// The first name in a juniper message's quotes (`Unknown field "roles" on type "Query"`).
fn first_quoted(message: &str) -> &str {
    message.split('"').nth(1).unwrap_or_default()
}

/// A valid operation that selects outside the auth API parse-compat executes: without
/// `--upstream` there is no Parse Server to answer it (COMPATIBILITY.md).
fn unsupported(field: &str, location: (usize, usize)) -> Outcome {
    let what = if field.is_empty() {
        "This operation".to_owned()
    } else {
        format!("\"{field}\"")
    };
    Outcome::Invalid(vec![GqlError {
        message: format!(
            "{what} is outside the auth API parse-compat serves; start parse-compat with --upstream to pass such operations to Parse Server."
        ),
        locations: vec![location],
    }])
}

/// What error messages hide from this caller (nothing from the master key).
pub fn redaction_for(behavior: &Behavior, is_master: bool) -> Redaction {
    if is_master {
        Redaction::None
    } else {
        behavior.graphql_redaction
    }
}

/// Apollo's `NoIntrospection` rule runs with the other validation rules (7.x/8.x).
pub fn apollo_refuses_introspection(behavior: &Behavior) -> bool {
    match behavior.graphql_introspection {
        GraphqlIntrospection::ApolloRule => true,
        GraphqlIntrospection::Open | GraphqlIntrospection::MasterOnly => false,
    }
}

/// 9.x `IntrospectionControlPlugin` (403 "Introspection is not allowed" unless master):
/// `__schema` anywhere in the text, or a `__type` field with arguments.
pub fn plugin_refuses_introspection(
    behavior: &Behavior,
    is_master: bool,
    text: &str,
    doc: &Document,
) -> bool {
    let applies = match behavior.graphql_introspection {
        GraphqlIntrospection::MasterOnly => !is_master,
        GraphqlIntrospection::Open | GraphqlIntrospection::ApolloRule => false,
    };
    if !applies {
        return false;
    }
    if text.contains("__schema") {
        return true;
    }
    text.contains("__type")
        && doc
            .fields()
            .iter()
            .any(|f| f.name == "__type" && !f.arguments.is_empty())
}

impl Pipeline {
    pub fn new(behavior: Behavior) -> Self {
        let schema = SchemaModel::for_behavior(&behavior);
        Self {
            behavior,
            cache: DocumentCache::new(behavior.graphql_js_release),
            inputs: SchemaInfo::from_model(&schema),
            schema,
            showing: Default::default(),
            info: OnceLock::new(),
            persisted: persisted::Store::default(),
        }
    }

    /// Redaction applying to this caller (Parse 8.x/9.x, unless master).
    pub fn redaction(&self, is_master: bool) -> Redaction {
        redaction_for(&self.behavior, is_master)
    }

    fn apollo_refuses_introspection(&self) -> bool {
        apollo_refuses_introspection(&self.behavior)
    }

    fn schema_info(&self, exec: &dyn Execute) -> Arc<SchemaInfo> {
        let info = self.info.get_or_init(|| {
            Arc::new(
                match exec.execute(
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

    /// The schema (and its input types) Parse shows for `variant`.
    fn model(&self, variant: u8) -> (&Arc<SchemaModel>, &SchemaInfo) {
        let index = usize::from(variant);
        if index == 0 || index >= VARIANTS {
            return (&self.schema, &self.inputs);
        }
        let (schema, inputs) = self.showing[index].get_or_init(|| {
            let schema = SchemaModel::for_behavior_showing(&self.behavior, variant);
            let inputs = SchemaInfo::from_model(&schema);
            (schema, inputs)
        });
        (schema, inputs)
    }

    /// The document's validation verdict against the schema of `variant` (computed once per
    /// cached document).
    fn validation<'a>(&self, analysis: &'a Analysis, doc: &Document, variant: u8) -> &'a Verdict {
        let index = usize::from(variant).min(VARIANTS - 1);
        analysis.validation[index].get_or_init(|| {
            validation::validate(
                self.model(variant).0,
                doc,
                Flavor::of(&self.behavior),
                Extra {
                    no_introspection: self.apollo_refuses_introspection(),
                },
            )
        })
    }

    fn plugin_refuses_introspection(&self, req: &OperationRequest, doc: &Document) -> bool {
        plugin_refuses_introspection(
            &self.behavior,
            req.is_master,
            req.query.as_deref().unwrap_or(""),
            doc,
        )
    }

    /// The cached analyses of `requests` if every one may run on the async worker that read
    /// it ([`crate::graphql::inline`]): a query of a document already read and found valid, so
    /// nothing recurses as deep as a document may nest (the executor threads have the large
    /// stacks), nesting no deeper than juniper's default limit, with shallow variables. Run
    /// each with [`Pipeline::run_analysed`].
    pub fn inline_analyses(&self, requests: &[OperationRequest]) -> Option<Vec<Arc<Analysis>>> {
        requests.iter().map(|r| self.inline_analysis(r)).collect()
    }

    fn inline_analysis(&self, req: &OperationRequest) -> Option<Arc<Analysis>> {
        if req.persisted_query.is_some() || req.lone_surrogates.is_some() {
            return None;
        }
        let analysis = self
            .cache
            .cached(req.query.as_deref().filter(|q| !q.is_empty())?)?;
        let doc = analysis.parsed.as_ref().ok()?;
        // Valid against the clean schema is valid against any (they only add fields).
        let valid =
            matches!(analysis.validation[0].get(), Some(Verdict::Errors(e)) if e.is_empty());
        let query = matches!(
            doc.select_operation(req.operation_name.as_deref()),
            Ok(op) if op.kind == OperationKind::Query
        );
        let shallow_variables = req
            .variables
            .as_ref()
            .is_none_or(|v| v.values().all(|v| shallow(v, INLINE_VARIABLE_DEPTH)));
        (analysis.shallow && valid && query && shallow_variables).then_some(analysis)
    }

    /// Run one operation as the pinned stack does, up to the point where it answers.
    pub fn run(&self, req: &OperationRequest, exec: &dyn Execute) -> Outcome {
        let stack = self.behavior.stack;
        // The persisted-query extension is read before anything else.
        let mut register = None;
        let from_store;
        let req = match (&req.persisted_query, stack) {
            (None, _) | (Some(_), HttpStack::Yoga) => req,
            (Some(_), HttpStack::Apollo2) => {
                return Outcome::Persisted(persisted::Refusal::NotSupported);
            }
            (Some(pq), HttpStack::Apollo4 | HttpStack::Apollo4OnExpress5 | HttpStack::Apollo5) => {
                match self.persisted.lookup(pq, req.query.as_deref()) {
                    Err(refusal) => return Outcome::Persisted(refusal),
                    Ok(persisted::Lookup::Register(hash)) => {
                        register = Some(hash);
                        req
                    }
                    Ok(persisted::Lookup::Found(query)) => {
                        from_store = OperationRequest {
                            query: Some(query.to_string()),
                            // The stored query is not the body's.
                            lone_surrogates: None,
                            ..req.clone()
                        };
                        &from_store
                    }
                }
            }
        };
        let outcome = self.run_unpersisted(req, exec);
        if let (Some(hash), Some(query)) = (register, req.query.as_deref())
            && outcome.resolved()
        {
            self.persisted.register(hash, query);
        }
        outcome
    }

    fn run_unpersisted(&self, req: &OperationRequest, exec: &dyn Execute) -> Outcome {
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
        // Lone surrogates are read as graphql-js reads them; where they do not stop its lexer
        // (graphql-js 14/15's strings and comments) the document is the one with U+FFFD.
        if let Some(marked) = &req.lone_surrogates
            && let Err(e) =
                document::parse_marked(marked, self.cache.release, document::DEEP_NESTING)
        {
            return Outcome::Syntax(e);
        }
        self.run_analysed(req, &self.cache.analyse(source), exec)
    }

    /// [`Pipeline::run`] for a request whose document (its non-empty `query`) is analysed.
    pub fn run_analysed(
        &self,
        req: &OperationRequest,
        analysis: &Analysis,
        exec: &dyn Execute,
    ) -> Outcome {
        let stack = self.behavior.stack;
        let source = req.query.as_deref().unwrap_or_default();
        let doc = match &analysis.parsed {
            Ok(doc) => doc,
            Err(e) => return Outcome::Syntax(e.clone()),
        };
        let variant = req.schema_variant;
        match self.validation(analysis, doc, variant) {
            Verdict::Errors(errors) if !errors.is_empty() => {
                return Outcome::Invalid(errors.clone());
            }
            Verdict::StackOverflow => return Outcome::ValidationCrashed,
            Verdict::Errors(_) => {}
        }
        // What only the read columns make valid (a `_rperm` field, a `_wperm_ASC` order) is
        // not answered here.
        if variant != 0
            && let Verdict::Errors(errors) = self.validation(analysis, doc, 0)
            && let Some(first) = errors.first()
        {
            return unsupported("", first.locations.first().copied().unwrap_or((1, 1)));
        }
        let (schema, inputs) = self.model(variant);
        let selected = doc.select_operation(req.operation_name.as_deref());
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
                if let Ok(op) = selected
                    && req.is_get
                    && op.kind != OperationKind::Query
                {
                    return Outcome::GetNotQuery(op.kind);
                }
                // Its GET check reads `.operation` of graphql-js's `getOperationAST`, which is
                // undefined when no operation is chosen.
                if selected.is_err() && req.is_get {
                    return Outcome::StackTypeError(
                        "Cannot read properties of undefined (reading 'operation')",
                    );
                }
                if let Err(e) = selected {
                    return Outcome::NoOperation(e);
                }
            }
            HttpStack::Apollo4 | HttpStack::Apollo4OnExpress5 | HttpStack::Apollo5 => {
                if let Ok(op) = selected
                    && req.is_get
                    && op.kind != OperationKind::Query
                {
                    return Outcome::GetNotQuery(op.kind);
                }
                if self.plugin_refuses_introspection(req, doc) {
                    return Outcome::IntrospectionForbidden;
                }
                if let Err(e) = selected {
                    return Outcome::NoOperation(e);
                }
            }
        }
        if req.variables_not_object {
            // graphql-js validates first, then `execute` asserts on the variables.
            return Outcome::VariablesNotObject;
        }
        // graphql-js's `execute` coerces the variables before anything runs.
        if let Ok(op) = selected {
            let errors = super::variables::coerce(
                self.behavior.graphql_js_release,
                inputs,
                op,
                req.variables.as_ref(),
            );
            if !errors.is_empty() {
                return Outcome::Variables(errors);
            }
            if variant != 0
                && !super::variables::coerce(
                    self.behavior.graphql_js_release,
                    &self.inputs,
                    op,
                    req.variables.as_ref(),
                )
                .is_empty()
            {
                return unsupported("", (op.start.line, op.start.column));
            }
        }
        if let Ok(op) = selected
            && op.kind == OperationKind::Subscription
        {
            let message = match self.behavior.graphql_js {
                GraphqlJs::V14 | GraphqlJs::V15 => "Schema is not configured for subscriptions.",
                GraphqlJs::V16 => "Schema is not configured to execute subscription operation.",
            };
            return Outcome::NoSubscriptionRoot {
                message,
                location: (op.start.line, op.start.column),
            };
        }
        // `__schema` and `__type` describe the whole schema, which juniper does not hold:
        // answered here, around juniper's answer to the rest of the operation, if any.
        // Most documents never name them: those skip the root-field walk.
        let introspection = selected
            .as_ref()
            .ok()
            .filter(|_| introspection::may_introspect(source))
            .and_then(|op| {
                let answer = introspection::answer_root(
                    schema,
                    self.behavior.graphql_js,
                    doc,
                    op,
                    req.variables.as_ref(),
                );
                answer.introspects().then_some(answer)
            });
        let introspection = match introspection {
            Some(answer) if answer.is_whole() => {
                return Outcome::Executed {
                    data: answer.data(),
                    errors: Vec::new(),
                };
            }
            other => other,
        };
        // Root fields of Parse's class API run on its own executor, not juniper's.
        if let Ok(op) = selected
            && let Some(resolver) = exec.class_api()
            && classes::serves(&self.behavior, doc, op)
        {
            return match classes::execute(
                &self.schema,
                doc,
                op,
                req.variables.as_ref(),
                introspection,
                resolver,
            ) {
                Ok(executed) => Outcome::Executed {
                    data: executed.data,
                    errors: executed.errors,
                },
                Err(declined) => unsupported(&declined.field, declined.location),
            };
        }
        // juniper's executor panics on a variable type its schema lacks ("Type not found in
        // schema"): such an operation is outside the auth API it serves.
        if let Ok(op) = selected {
            let info = self.schema_info(exec);
            if let Some(v) = op
                .variables
                .iter()
                .find(|v| !info.types.contains_key(v.ty.named()))
            {
                return unsupported(v.ty.named(), (v.named_pos.line, v.named_pos.column));
            }
        }
        let variables = variables_of(req.variables.as_ref());
        match exec.execute(source, req.operation_name.as_deref(), &variables) {
            Ok((data, errors)) => {
                let data = to_json(&data);
                Outcome::Executed {
                    data: match introspection {
                        Some(answer) => answer.patch(data),
                        None => data,
                    },
                    errors: errors.iter().map(to_json).collect(),
                }
            }
            Err(GraphQLError::ValidationError(errs)) => {
                let (vars, doc_errs): (Vec<_>, Vec<_>) = errs
                    .into_iter()
                    .partition(|e| is_variable_error(e.message()));
                // graphql-js found the document valid: what juniper refuses is what its
                // schema (the auth API) lacks.
                if let Some(e) = doc_errs.first() {
                    let location = e
                        .locations()
                        .first()
                        .map_or((1, 1), |p| (p.line() + 1, p.column() + 1));
                    return unsupported(first_quoted(e.message()), location);
                }
                // graphql-js accepted these variables (checked above); juniper's own check
                // words what it still refuses.
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
                unsupported("", (e.span.start.line() + 1, e.span.start.column() + 1))
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use juniper::{EmptySubscription, GraphQLInputObject, RootNode, graphql_object};

    use super::*;

    static LOG_OUTS: AtomicUsize = AtomicUsize::new(0);

    // A stand-in executor with the shapes of Parse's auth fields; documents are validated
    // against each version's real schema before it runs.
    struct Query;
    #[graphql_object]
    impl Query {
        fn health() -> bool {
            true
        }
    }

    #[derive(GraphQLInputObject)]
    struct LogInInput {
        username: String,
        password: String,
        client_mutation_id: Option<String>,
    }

    #[derive(GraphQLInputObject)]
    struct LogOutInput {
        client_mutation_id: Option<String>,
    }

    struct Payload;
    #[graphql_object]
    impl Payload {
        fn ok() -> bool {
            true
        }
        fn client_mutation_id() -> Option<String> {
            None
        }
    }

    struct Mutation;
    #[graphql_object]
    impl Mutation {
        fn log_in(input: LogInInput) -> Payload {
            let _ = input;
            Payload
        }
        fn log_out(input: LogOutInput) -> Payload {
            let _ = input;
            LOG_OUTS.fetch_add(1, Ordering::SeqCst);
            Payload
        }
    }

    type Root = RootNode<Query, Mutation, EmptySubscription>;

    fn root() -> Root {
        RootNode::new(Query, Mutation, EmptySubscription::new())
    }

    fn run_on(pipeline: &Pipeline, req: OperationRequest) -> (Outcome, usize) {
        let root = root();
        let calls = AtomicUsize::new(0);
        let exec = |doc: &str, op: Option<&str>, vars: &Variables| {
            calls.fetch_add(1, Ordering::SeqCst);
            juniper::execute_sync(doc, op, &root, vars, &())
        };
        let outcome = pipeline.run(&req, &exec);
        (outcome, calls.load(Ordering::SeqCst))
    }

    fn run(version: &str, req: OperationRequest) -> (Outcome, usize) {
        run_on(&Pipeline::new(Behavior::parse(version).unwrap()), req)
    }

    fn post(query: &str) -> OperationRequest {
        OperationRequest {
            query: Some(query.into()),
            ..OperationRequest::default()
        }
    }

    fn messages(outcome: &Outcome) -> Vec<(String, Vec<(usize, usize)>)> {
        match outcome {
            Outcome::Invalid(errs) | Outcome::Variables(errs) => errs
                .iter()
                .map(|e| (e.message.clone(), e.locations.clone()))
                .collect(),
            other => panic!("not a list of errors: {other:?}"),
        }
    }

    // d.form.F2 on 3.10+: the unknown field (entered first) precedes the missing argument
    // (reported when graphql-js leaves the field), although it comes later in the text.
    #[test]
    fn errors_follow_graphql_js_visit_order() {
        let (outcome, calls) = run("4.5.2", post("mutation { logOut { objectId } }"));
        assert_eq!(
            messages(&outcome),
            vec![
                (
                    "Cannot query field \"objectId\" on type \"LogOutPayload\".".into(),
                    vec![(1, 21)]
                ),
                (
                    "Field \"logOut\" argument \"input\" of type \"LogOutInput!\" is required, but it was not provided."
                        .into(),
                    vec![(1, 12)]
                ),
            ]
        );
        assert_eq!(calls, 0, "an invalid document never reaches the executor");
    }

    // b.logIn.missingPassword: graphql-js 14 does not quote, 15 does.
    #[test]
    fn missing_input_field_per_graphql_js_major() {
        let q = "mutation { logIn(input: { username: \"alice\" }) { clientMutationId } }";
        let (v14, _) = run("3.10.0", post(q));
        assert_eq!(
            messages(&v14)[0].0,
            "Field LogInInput.password of required type String! was not provided."
        );
        let (v15, _) = run("4.2.0", post(q));
        assert_eq!(
            messages(&v15),
            vec![(
                "Field \"LogInInput.password\" of required type \"String!\" was not provided."
                    .into(),
                vec![(1, 25)]
            )]
        );
    }

    // o.unknownArgument: graphql-js 14 says "of type", 15 and 16 name "Type.field".
    #[test]
    fn unknown_argument_wording_changes_in_graphql_js_15() {
        let q = "{ health(x: 1) }";
        let (v14, _) = run("3.10.0", post(q));
        assert_eq!(
            messages(&v14)[0].0,
            "Unknown argument \"x\" on field \"health\" of type \"Query\"."
        );
        for version in ["4.5.2", "5.6.0"] {
            let (v, _) = run(version, post(q));
            assert_eq!(
                messages(&v)[0].0,
                "Unknown argument \"x\" on field \"Query.health\".",
                "{version}"
            );
        }
    }

    // h.get.mutation: answered after validation, and the mutation never runs.
    #[test]
    fn a_get_mutation_is_refused_without_running() {
        let before = LOG_OUTS.load(Ordering::SeqCst);
        let q = "mutation { logOut(input: { clientMutationId: \"a\" }) { clientMutationId } }";
        for version in ["4.5.2", "5.6.0", "7.5.4", "9.10.0"] {
            let req = OperationRequest {
                is_get: true,
                ..post(q)
            };
            let (outcome, _) = run(version, req);
            assert!(
                matches!(outcome, Outcome::GetNotQuery(OperationKind::Mutation)),
                "{version}: {outcome:?}"
            );
        }
        assert_eq!(LOG_OUTS.load(Ordering::SeqCst), before);
        // An invalid GET mutation gets its validation errors instead.
        let req = OperationRequest {
            is_get: true,
            ..post("mutation { logOut { nope } }")
        };
        assert!(matches!(run("4.4.0", req).0, Outcome::Invalid(_)));
    }

    // h.introspection.*: Apollo refuses in validation on 7.x/8.x even for master; 9.x's plugin
    // refuses non-master callers after validation.
    #[test]
    fn introspection_policy_per_version() {
        let q = "{ __schema { queryType { name } } }";
        let master = OperationRequest {
            is_master: true,
            ..post(q)
        };
        assert!(matches!(run("6.5.11", post(q)).0, Outcome::Executed { .. }));
        let (seven, _) = run("7.5.4", master.clone());
        assert_eq!(
            messages(&seven),
            vec![(
                crate::graphql::validation::rules::APOLLO_NO_INTROSPECTION.into(),
                vec![(1, 3)]
            )]
        );
        assert!(matches!(
            run("9.10.0", post(q)).0,
            Outcome::IntrospectionForbidden
        ));
        assert!(matches!(run("9.10.0", master).0, Outcome::Executed { .. }));
        // `__type` without arguments is not introspection for the 9.x plugin.
        assert!(matches!(
            run("9.10.0", post("{ __typename health }")).0,
            Outcome::Executed { .. }
        ));
    }

    #[test]
    fn a_document_is_validated_once() {
        let pipeline = Pipeline::new(Behavior::parse("4.4.0").unwrap());
        let req = post("{ health nope }");
        let (first, _) = run_on(&pipeline, req.clone());
        let analysis = pipeline.cache.analyse("{ health nope }");
        assert!(
            analysis.validation[0].get().is_some(),
            "the verdict is kept"
        );
        let (second, calls) = run_on(&pipeline, req);
        assert_eq!(calls, 0);
        assert_eq!(messages(&first), messages(&second));
    }

    #[test]
    fn variables_are_refused_in_graphql_js_words() {
        let req = OperationRequest {
            variables: serde_json::from_value(serde_json::json!({ "i": { "username": "a" } })).ok(),
            ..post("mutation M($i: LogInInput!) { logIn(input: $i) { clientMutationId } }")
        };
        let (outcome, _) = run("9.10.0", req);
        assert_eq!(
            messages(&outcome),
            vec![(
                "Variable \"$i\" got invalid value { username: \"a\" }; Field \"password\" of required type \"String!\" was not provided."
                    .into(),
                vec![(1, 12)]
            )]
        );
    }

    #[test]
    fn operation_resolution() {
        let q = "query A { health } query B { health }";
        let named = OperationRequest {
            operation_name: Some("C".into()),
            ..post(q)
        };
        let (outcome, calls) = run("7.5.4", named);
        assert!(
            matches!(outcome, Outcome::NoOperation(OperationError::Unknown(ref n)) if n == "C")
        );
        assert_eq!(calls, 0, "never executed");
        assert!(matches!(
            run("4.4.0", post(q)).0,
            Outcome::NoOperation(OperationError::Ambiguous)
        ));
    }

    // A valid operation outside the auth API: no Parse Server to answer it without --upstream.
    #[test]
    fn an_operation_outside_the_auth_api_says_it_needs_upstream() {
        let (outcome, _) = run("9.10.0", post("{ roles { count } }"));
        let m = messages(&outcome);
        assert!(m[0].0.contains("\"roles\""), "{m:?}");
        assert!(m[0].0.contains("--upstream"), "{m:?}");
        // A variable of a type juniper's schema lacks never reaches its executor (it panics).
        let (outcome, calls) = run(
            "9.10.0",
            post("query($p: ReadPreference) { users(options: {readPreference: $p}) { count } }"),
        );
        assert_eq!(calls, 1, "only the schema introspection ran");
        let m = messages(&outcome);
        assert!(m[0].0.contains("\"ReadPreference\""), "{m:?}");
    }

    // A fragment that spreads itself: graphql-js 15's validation overflowed Node.js's stack.
    #[test]
    fn a_fragment_cycle_crashes_graphql_js_15_only() {
        let q = "{ ...A } fragment A on Query { health ...A }";
        assert!(matches!(
            run("4.4.0", post(q)).0,
            Outcome::ValidationCrashed
        ));
        assert_eq!(
            messages(&run("9.10.0", post(q)).0)[0].0,
            "Cannot spread fragment \"A\" within itself."
        );
    }
}
