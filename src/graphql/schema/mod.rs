//! The juniper schema of every Parse GraphQL API generation, built once at startup.
//!
//! One module per shape of the API (`v3_7` … `v6`; 8.x/9.x share 6.x's auth surface and differ
//! only at run time, through [`Behavior`]). Field and type order follows Parse's own SDL.

use std::sync::Arc;

use juniper::{
    DefaultScalarValue, EmptySubscription, ExecutionError, GraphQLError, RootNode, Value, Variables,
};

use crate::graphql::context::Context;
use crate::version::{ApiGeneration, Behavior};

pub(crate) mod acl;
mod cache;
mod error;
pub use error::{Thrown, UNCAUGHT_MARKER};
mod object_literals;
mod ops;
mod relay;
pub mod scalars;
pub mod v3_10;
pub mod v3_7;
pub mod v3_8;
pub mod v3_9;
pub mod v4_0;
pub mod v4_5;
pub mod v5;
pub mod v6;
pub mod v8;

pub use cache::Generation;
use cache::{Op3_7, Op3_8, Op3_9, Op3_10, Op4_0, Op4_5, Op5, Op6, Op8, Operation};
pub use error::ApiError;

type Root<Q, M> = RootNode<Q, M, EmptySubscription<Context>>;

/// The schema of one API generation, with its cache of validated operations.
pub enum Schema {
    V3_7(Generation<Op3_7>),
    V3_8(Generation<Op3_8>),
    V3_9(Generation<Op3_9>),
    V3_10(Generation<Op3_10>),
    V4_0(Generation<Op4_0>),
    V4_5(Generation<Op4_5>),
    /// 5.x: 4.5 plus confirmResetPassword and alphabetical class fields.
    V5(Generation<Op5>),
    V6(Generation<Op6>),
    V8(Generation<Op8>),
}

/// What juniper's execution hands back: data and field errors, or a request-level error.
pub type ExecutionOutcome = Result<
    (
        Value<DefaultScalarValue>,
        Vec<ExecutionError<DefaultScalarValue>>,
    ),
    GraphQLError,
>;

/// juniper reads the documents graphql-js read (`document::DEEP_NESTING` levels, on the
/// executor threads' stacks); its default of 64 refused valid deeper ones as outside the API.
fn root<O: Operation>(query: O::Query, mutation: O::Mutation) -> Generation<O> {
    Generation::new(Arc::new(
        RootNode::new(query, mutation, EmptySubscription::new())
            .limit_depth(crate::graphql::envelope::document::DEEP_NESTING),
    ))
}

impl Schema {
    /// Build the schema of a generation (its first version's shape).
    pub fn build(generation: ApiGeneration) -> Schema {
        match generation {
            ApiGeneration::V3_7 => Schema::V3_7(root(v3_7::Query, v3_7::Mutation)),
            ApiGeneration::V3_8 => Schema::V3_8(root(v3_8::Query, v3_8::Mutation)),
            ApiGeneration::V3_9 => Schema::V3_9(root(v3_9::Query, v3_9::Mutation)),
            ApiGeneration::V3_10 => Schema::V3_10(root(v3_10::Query, v3_10::Mutation)),
            ApiGeneration::V4_0 => Schema::V4_0(root(v4_0::Query, v4_0::Mutation)),
            ApiGeneration::V4_5 => Schema::V4_5(root(v4_5::Query, v4_5::Mutation)),
            ApiGeneration::V5 => Schema::V5(root(v5::Query, v5::Mutation)),
            ApiGeneration::V6 => Schema::V6(root(v6::Query, v6::Mutation)),
            ApiGeneration::V8 => Schema::V8(root(v8::Query, v8::Mutation)),
        }
    }

    /// The schema a pinned version serves.
    pub fn for_behavior(behavior: &Behavior) -> Schema {
        Self::build(behavior.generation)
    }

    /// The schema's name, as in `schemas/<name>.graphql`.
    pub fn name(&self) -> &'static str {
        match self {
            Schema::V3_7(_) => "3.7",
            Schema::V3_8(_) => "3.8",
            Schema::V3_9(_) => "3.9",
            Schema::V3_10(_) => "3.10",
            Schema::V4_0(_) => "4.0-4.4",
            Schema::V4_5(_) => "4.5-4.x",
            Schema::V5(_) => "5.x",
            Schema::V6(_) => "6.x-7.x",
            Schema::V8(_) => "8.x-9.x",
        }
    }

    /// juniper's SDL of this schema.
    pub fn sdl(&self) -> String {
        match self {
            Schema::V3_7(s) => s.root.as_sdl(),
            Schema::V3_8(s) => s.root.as_sdl(),
            Schema::V3_9(s) => s.root.as_sdl(),
            Schema::V3_10(s) => s.root.as_sdl(),
            Schema::V4_0(s) => s.root.as_sdl(),
            Schema::V4_5(s) => s.root.as_sdl(),
            Schema::V5(s) => s.root.as_sdl(),
            Schema::V6(s) => s.root.as_sdl(),
            Schema::V8(s) => s.root.as_sdl(),
        }
    }

    /// Execute a request with juniper's sync executor. Call from a blocking thread: store
    /// calls block on `ctx.runtime`.
    pub fn execute_sync(
        &self,
        document: &str,
        operation_name: Option<&str>,
        variables: &Variables,
        ctx: &Context,
    ) -> ExecutionOutcome {
        match self {
            Schema::V3_7(s) => run(s, document, operation_name, variables, ctx),
            Schema::V3_8(s) => run(s, document, operation_name, variables, ctx),
            Schema::V3_9(s) => run(s, document, operation_name, variables, ctx),
            Schema::V3_10(s) => run(s, document, operation_name, variables, ctx),
            Schema::V4_0(s) => run(s, document, operation_name, variables, ctx),
            Schema::V4_5(s) => run(s, document, operation_name, variables, ctx),
            Schema::V5(s) => run(s, document, operation_name, variables, ctx),
            Schema::V6(s) => run(s, document, operation_name, variables, ctx),
            Schema::V8(s) => run(s, document, operation_name, variables, ctx),
        }
    }
}

fn run<O: Operation>(
    generation: &Generation<O>,
    document: &str,
    operation_name: Option<&str>,
    variables: &Variables,
    ctx: &Context,
) -> ExecutionOutcome {
    // A document without variables whose preparation changed nothing once never will.
    let no_variables = !document.contains('$');
    if no_variables && let Some(op) = generation.unprepared(document, operation_name) {
        return op.execute(variables, ctx);
    }
    let prepared = object_literals::prepare(&generation.root.schema, document, variables);
    let as_is = no_variables && prepared.is_identity(document);
    prepared.run(|document, variables| {
        generation
            .operation(document, operation_name, as_is)?
            .execute(variables, ctx)
    })
}

/// The SDL `parse-compat schema` prints for a version.
pub fn print_schema(behavior: &Behavior) -> String {
    Schema::for_behavior(behavior).sdl()
}

impl Schema {
    /// How many validated operations this schema keeps (see `cache.rs`).
    pub fn cached_operations(&self) -> usize {
        match self {
            Schema::V3_7(g) => g.cached(),
            Schema::V3_8(g) => g.cached(),
            Schema::V3_9(g) => g.cached(),
            Schema::V3_10(g) => g.cached(),
            Schema::V4_0(g) => g.cached(),
            Schema::V4_5(g) => g.cached(),
            Schema::V5(g) => g.cached(),
            Schema::V6(g) => g.cached(),
            Schema::V8(g) => g.cached(),
        }
    }
}
