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

mod acl;
mod error;
mod object_literals;
mod ops;
mod relay;
pub mod scalars;
pub mod v3_10;
pub mod v4_0;
pub mod v4_5;

pub use error::ApiError;

type Root<Q, M> = RootNode<Q, M, EmptySubscription<Context>>;

/// The schema of one API generation.
pub enum Schema {
    V3_10(Arc<Root<v3_10::Query, v3_10::Mutation>>),
    V4_0(Arc<Root<v4_0::Query, v4_0::Mutation>>),
    V4_5(Arc<Root<v4_5::Query, v4_5::Mutation>>),
}

/// What juniper's execution hands back: data and field errors, or a request-level error.
pub type ExecutionOutcome = Result<
    (
        Value<DefaultScalarValue>,
        Vec<ExecutionError<DefaultScalarValue>>,
    ),
    GraphQLError,
>;

fn root<Q, M>(query: Q, mutation: M) -> Arc<Root<Q, M>>
where
    Q: juniper::GraphQLType<DefaultScalarValue, Context = Context, TypeInfo = ()>,
    M: juniper::GraphQLType<DefaultScalarValue, Context = Context, TypeInfo = ()>,
{
    Arc::new(RootNode::new(query, mutation, EmptySubscription::new()))
}

impl Schema {
    /// Build the schema of a generation (its first version's shape).
    pub fn build(generation: ApiGeneration) -> Schema {
        match generation {
            ApiGeneration::V3_10 => Schema::V3_10(root(v3_10::Query, v3_10::Mutation)),
            ApiGeneration::V4_0 => Schema::V4_0(root(v4_0::Query, v4_0::Mutation)),
            ApiGeneration::V4_5 => Schema::V4_5(root(v4_5::Query, v4_5::Mutation)),
            _ => Schema::V4_5(root(v4_5::Query, v4_5::Mutation)),
        }
    }

    /// The schema a pinned version serves.
    pub fn for_behavior(behavior: &Behavior) -> Schema {
        Self::build(behavior.generation)
    }

    /// juniper's SDL of this schema.
    pub fn sdl(&self) -> String {
        match self {
            Schema::V3_10(s) => s.as_sdl(),
            Schema::V4_0(s) => s.as_sdl(),
            Schema::V4_5(s) => s.as_sdl(),
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
            Schema::V3_10(s) => run(s, document, operation_name, variables, ctx),
            Schema::V4_0(s) => run(s, document, operation_name, variables, ctx),
            Schema::V4_5(s) => run(s, document, operation_name, variables, ctx),
        }
    }
}

fn run<Q, M>(
    root: &Root<Q, M>,
    document: &str,
    operation_name: Option<&str>,
    variables: &Variables,
    ctx: &Context,
) -> ExecutionOutcome
where
    Q: juniper::GraphQLType<DefaultScalarValue, Context = Context, TypeInfo = ()>,
    M: juniper::GraphQLType<DefaultScalarValue, Context = Context, TypeInfo = ()>,
{
    let prepared = object_literals::prepare(&root.schema, document, variables);
    prepared.run(|document, variables| {
        juniper::execute_sync(document, operation_name, root, variables, ctx)
    })
}

/// The SDL `parse-compat schema` prints for a version.
pub fn print_schema(behavior: &Behavior) -> String {
    Schema::for_behavior(behavior).sdl()
}
