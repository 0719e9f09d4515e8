//! Parsed and validated operations, kept per schema: a client sends the same few documents
//! over and over, and juniper's parse and validation cost more than executing them.
//!
//! A cached operation owns its schema handle and its document text, and borrows from them
//! (juniper's `ValidatedOperation` keeps references into both); `self_cell` ties the two
//! together. Only documents that parse and validate are kept, each with its operation name,
//! in a bounded LRU map. Variables are still checked on every execution.

use std::hash::{Hash, Hasher};
use std::num::NonZeroUsize;
use std::sync::Arc;

use juniper::{
    DefaultScalarValue, EmptySubscription, GraphQLError, GraphQLType, ValidatedOperation, Variables,
};
use lru::LruCache;
use parking_lot::Mutex;

use super::{ExecutionOutcome, Root, v3_7, v3_8, v3_9, v3_10, v4_0, v4_5, v5, v6, v8};
use crate::graphql::context::Context;

/// A root type of our schemas.
pub trait Resolver: GraphQLType<DefaultScalarValue, Context = Context, TypeInfo = ()> {}
impl<T: GraphQLType<DefaultScalarValue, Context = Context, TypeInfo = ()>> Resolver for T {}

/// Operations kept per schema.
const CAPACITY: usize = 256;
/// Longer documents are validated every time rather than kept (bounds the memory).
const MAX_CACHED_DOCUMENT: usize = 16 * 1024;

/// What a cached operation owns.
pub struct Source<Q: Resolver, M: Resolver> {
    root: Arc<Root<Q, M>>,
    document: String,
    operation_name: Option<String>,
}

/// A parsed and validated operation of one generation's schema.
pub trait Operation: Sized + Send + Sync + 'static {
    type Query: Resolver;
    type Mutation: Resolver;

    /// Parse and validate `source.document` against `source.root`.
    fn validate(source: Source<Self::Query, Self::Mutation>) -> Result<Self, GraphQLError>;

    /// Run it with one request's variables and context.
    fn execute(&self, variables: &Variables, ctx: &Context) -> ExecutionOutcome;

    fn source(&self) -> &Source<Self::Query, Self::Mutation>;
}

macro_rules! generation_operation {
    ($name:ident, $dependent:ident, $module:ident) => {
        type $dependent<'a> =
            ValidatedOperation<'a, $module::Query, $module::Mutation, EmptySubscription<Context>>;

        self_cell::self_cell!(
            /// A validated operation of this generation with the text it was parsed from.
            pub struct $name {
                owner: Source<$module::Query, $module::Mutation>,
                #[not_covariant]
                dependent: $dependent,
            }
        );

        impl Operation for $name {
            type Query = $module::Query;
            type Mutation = $module::Mutation;

            fn validate(source: Source<Self::Query, Self::Mutation>) -> Result<Self, GraphQLError> {
                $name::try_new(source, |s| {
                    ValidatedOperation::new(&s.document, s.operation_name.as_deref(), &s.root)
                })
            }

            fn execute(&self, variables: &Variables, ctx: &Context) -> ExecutionOutcome {
                self.with_dependent(|_, op| op.execute_sync(variables, ctx))
            }

            fn source(&self) -> &Source<Self::Query, Self::Mutation> {
                self.borrow_owner()
            }
        }
    };
}

generation_operation!(Op3_7, Dep3_7, v3_7);
generation_operation!(Op3_8, Dep3_8, v3_8);
generation_operation!(Op3_9, Dep3_9, v3_9);
generation_operation!(Op3_10, Dep3_10, v3_10);
generation_operation!(Op4_0, Dep4_0, v4_0);
generation_operation!(Op4_5, Dep4_5, v4_5);
generation_operation!(Op5, Dep5, v5);
generation_operation!(Op6, Dep6, v6);
generation_operation!(Op8, Dep8, v8);

/// One generation's schema and its operation cache.
pub struct Generation<O: Operation> {
    pub root: Arc<Root<O::Query, O::Mutation>>,
    /// Each operation with whether its document needs no `Object` preparation at all (no
    /// variables and no `Object` literals), so a repeat can skip that step too.
    cache: Mutex<LruCache<u64, (Arc<O>, bool)>>,
}

fn key(document: &str, operation_name: Option<&str>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    document.hash(&mut h);
    operation_name.hash(&mut h);
    h.finish()
}

impl<O: Operation> Generation<O> {
    pub fn new(root: Arc<Root<O::Query, O::Mutation>>) -> Self {
        Self {
            root,
            cache: Mutex::new(LruCache::new(
                NonZeroUsize::new(CAPACITY).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    /// The cached operation of a document that needs no preparation, if there is one.
    pub fn unprepared(&self, document: &str, operation_name: Option<&str>) -> Option<Arc<O>> {
        self.lookup(document, operation_name)
            .and_then(|(op, as_is)| as_is.then_some(op))
    }

    /// The cached operation for exactly this text and name, with its `as_is` flag. The hash
    /// only finds the slot; the text decides.
    fn lookup(&self, document: &str, operation_name: Option<&str>) -> Option<(Arc<O>, bool)> {
        let mut cache = self.cache.lock();
        let (op, as_is) = cache.get(&key(document, operation_name))?;
        let s = op.source();
        (s.document == document && s.operation_name.as_deref() == operation_name)
            .then(|| (Arc::clone(op), *as_is))
    }

    /// The validated operation for this (prepared) document and name, from the cache when it
    /// is there. `as_is`: the document needed no preparation.
    pub fn operation(
        &self,
        document: &str,
        operation_name: Option<&str>,
        as_is: bool,
    ) -> Result<Arc<O>, GraphQLError> {
        if let Some((hit, _)) = self.lookup(document, operation_name) {
            return Ok(hit);
        }
        let op = Arc::new(O::validate(Source {
            root: Arc::clone(&self.root),
            document: document.to_owned(),
            operation_name: operation_name.map(str::to_owned),
        })?);
        if document.len() <= MAX_CACHED_DOCUMENT {
            let k = key(document, operation_name);
            self.cache.lock().put(k, (Arc::clone(&op), as_is));
        }
        Ok(op)
    }

    /// How many operations are kept (for tests).
    pub fn cached(&self) -> usize {
        self.cache.lock().len()
    }
}
