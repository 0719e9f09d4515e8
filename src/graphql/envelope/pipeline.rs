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
use crate::version::{Behavior, GraphqlJs, GraphqlJsRelease, HttpStack};

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

    pub fn analyse(&self, source: &str) -> Arc<Analysis> {
        if let Some(hit) = self.entries.lock().get(source) {
            return Arc::clone(hit);
        }
        let analysis = Arc::new(Analysis {
            parsed: document::parse_nested(source, self.release, document::DEEP_NESTING),
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
    /// `variables` was a string, number or boolean: graphql-js 16's `execute` refuses that
    /// before anything else it does (yoga passes the value through).
    pub variables_not_object: bool,
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
    /// A valid subscription operation: Parse's schema has no subscription root, so
    /// graphql-js's execution refuses it (message per graphql-js, at the operation).
    NoSubscriptionRoot {
        message: &'static str,
        location: (usize, usize),
    },
    /// graphql-js 16 `execute`'s assertion on non-object variables (yoga: a 500).
    VariablesNotObject,
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
            cache: DocumentCache::new(behavior.graphql_js_release),
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
            _ if !self.apollo_refuses_introspection()
                || messages::introspection_fields(doc).is_empty() =>
            {
                Vec::new()
            }
            _ => self.rewrite(source, doc, &[], exec),
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
                if let Ok(op) = selected
                    && req.is_get
                    && op.kind != OperationKind::Query
                {
                    return Outcome::GetNotQuery(op.kind);
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
            let errors = self.validation(source, &analysis, doc, exec);
            if !errors.is_empty() {
                return Outcome::Invalid(errors.as_ref().clone());
            }
            return Outcome::VariablesNotObject;
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use juniper::{EmptySubscription, GraphQLInputObject, RootNode, graphql_object};

    use super::*;

    static LOG_OUTS: AtomicUsize = AtomicUsize::new(0);

    struct Query;
    #[graphql_object]
    impl Query {
        fn health() -> bool {
            true
        }
        fn count(limit: i32) -> i32 {
            limit
        }
    }

    #[derive(GraphQLInputObject)]
    struct LogInInput {
        username: String,
        password: String,
        client_mutation_id: Option<String>,
    }

    struct LogOutPayload;
    #[graphql_object]
    impl LogOutPayload {
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
        fn log_in(input: LogInInput) -> Option<String> {
            Some(input.username + &input.password)
        }
        fn log_out(input: LogInInput) -> LogOutPayload {
            let _ = input;
            LOG_OUTS.fetch_add(1, Ordering::SeqCst);
            LogOutPayload
        }
    }

    type Root = RootNode<Query, Mutation, EmptySubscription>;

    fn root() -> Root {
        RootNode::new(Query, Mutation, EmptySubscription::new())
    }

    fn run(version: &str, req: OperationRequest) -> (Outcome, usize) {
        let pipeline = Pipeline::new(Behavior::parse(version).unwrap());
        let root = root();
        let calls = AtomicUsize::new(0);
        let exec = |doc: &str, op: Option<&str>, vars: &Variables| {
            calls.fetch_add(1, Ordering::SeqCst);
            juniper::execute_sync(doc, op, &root, vars, &())
        };
        let outcome = pipeline.run(&req, &exec);
        (outcome, calls.load(Ordering::SeqCst))
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
        let (outcome, _) = run("4.5.2", post("mutation { logOut { objectId } }"));
        assert_eq!(
            messages(&outcome),
            vec![
                (
                    "Cannot query field \"objectId\" on type \"LogOutPayload\".".into(),
                    vec![(1, 21)]
                ),
                (
                    "Field \"logOut\" argument \"input\" of type \"LogInInput!\" is required, but it was not provided."
                        .into(),
                    vec![(1, 12)]
                ),
            ]
        );
    }

    // b.logIn.missingPassword: graphql-js 14 does not quote, 15 does, 8.x/9.x redact.
    #[test]
    fn missing_input_field_per_graphql_js_major() {
        let q = "mutation { logIn(input: { username: \"alice\" }) }";
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

    #[test]
    fn unknown_argument_wording_changes_in_graphql_js_15() {
        // Recorded (scenario B, o.unknownArgument): graphql-js 14 (3.x) says "of type", 15
        // (4.x) and 16 name "Type.field".
        let q = "{ count(limit: 1, lmit: 2) }";
        let (v14, _) = run("3.10.0", post(q));
        assert_eq!(
            messages(&v14)[0].0,
            "Unknown argument \"lmit\" on field \"count\" of type \"Query\". Did you mean \"limit\"?"
        );
        let (v15, _) = run("4.5.2", post(q));
        assert_eq!(
            messages(&v15)[0].0,
            "Unknown argument \"lmit\" on field \"Query.count\". Did you mean \"limit\"?"
        );
        let (v16, _) = run("5.6.0", post(q));
        assert_eq!(
            messages(&v16)[0].0,
            "Unknown argument \"lmit\" on field \"Query.count\". Did you mean \"limit\"?"
        );
    }

    // h.get.mutation: answered after validation, and the mutation never runs.
    #[test]
    fn a_get_mutation_is_refused_without_running() {
        let before = LOG_OUTS.load(Ordering::SeqCst);
        let q = "mutation { logOut(input: { username: \"a\", password: \"b\" }) { ok } }";
        for version in ["4.4.0", "5.6.0", "7.5.4", "9.10.0"] {
            let req = OperationRequest {
                is_get: true,
                ..post(q)
            };
            let (outcome, _) = run(version, req);
            assert!(
                matches!(outcome, Outcome::GetNotQuery(OperationKind::Mutation)),
                "{version}"
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
            vec![(messages::APOLLO_NO_INTROSPECTION.into(), vec![(1, 3)])]
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
    fn a_cached_invalid_document_is_not_validated_again() {
        let pipeline = Pipeline::new(Behavior::parse("4.4.0").unwrap());
        let root = root();
        let calls = AtomicUsize::new(0);
        let exec = |doc: &str, op: Option<&str>, vars: &Variables| {
            calls.fetch_add(1, Ordering::SeqCst);
            juniper::execute_sync(doc, op, &root, vars, &())
        };
        let req = post("{ health nope }");
        let first = pipeline.run(&req, &exec);
        let after_first = calls.load(Ordering::SeqCst);
        let second = pipeline.run(&req, &exec);
        assert_eq!(calls.load(Ordering::SeqCst), after_first);
        assert_eq!(messages(&first), messages(&second));
    }

    #[test]
    fn variables_are_refused_in_graphql_js_words() {
        let req = OperationRequest {
            variables: serde_json::from_value(serde_json::json!({ "i": { "username": "a" } })).ok(),
            ..post("mutation M($i: LogInInput!) { logIn(input: $i) }")
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
        assert_eq!(calls, 1, "validated once, never executed");
        assert!(matches!(
            run("4.4.0", post(q)).0,
            Outcome::NoOperation(OperationError::Ambiguous)
        ));
    }
}
