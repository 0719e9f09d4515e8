//! Parse 3.8: flat `signUp`/`logIn`/`logOut` mutations and a `viewer` query, all answering
//! a non-null `Viewer` (the user's fields, `objectId`, and the session token), so any error
//! nulls the whole `data`. logOut reads the viewer first: without a session it fails (209).

use juniper::{Executor, GraphQLInputObject, ID, ScalarValue, graphql_interface, graphql_object};

use super::ApiError;
use super::ops::{self, SignedIn, UserFields};
use super::scalars::{Date, Object};
use crate::graphql::context::Context;

/// Root queries.
pub struct Query;

#[graphql_object(context = Context)]
impl Query {
    /// Whether the server is up.
    fn health() -> bool {
        true
    }

    /// The user of the request's session.
    fn viewer<S: ScalarValue>(
        ctx: &Context,
        executor: &Executor<'_, '_, Context, S>,
    ) -> Result<Viewer, ApiError> {
        ops::require_token_and_selected_fields(ctx, executor)?;
        ops::current_user(ctx).map(Viewer)
    }
}

/// Root mutations.
pub struct Mutation;

#[graphql_object(context = Context)]
impl Mutation {
    /// Create a user and log them in.
    fn sign_up<S: ScalarValue>(
        ctx: &Context,
        executor: &Executor<'_, '_, Context, S>,
        fields: Option<SignUpFieldsInput>,
    ) -> Result<Viewer, ApiError> {
        let fields = fields.map(Into::into).unwrap_or_default();
        let signed_in = ops::create_user(ctx, fields)?;
        // The user and its session exist by then; reading the viewer back is what fails.
        ops::require_selected_fields(executor)?;
        Ok(Viewer(signed_in))
    }

    /// Log in with a username and password.
    fn log_in(ctx: &Context, fields: Option<LogInFieldsInput>) -> Result<Viewer, ApiError> {
        // Parse reads `fields.username` unchecked: no fields is a TypeError.
        let fields = fields.ok_or_else(ApiError::internal)?;
        ops::log_in(ctx, &fields.username, &fields.password).map(Viewer)
    }

    /// End the request's session and return who it belonged to.
    fn log_out<S: ScalarValue>(
        ctx: &Context,
        executor: &Executor<'_, '_, Context, S>,
    ) -> Result<Viewer, ApiError> {
        ops::require_token_and_selected_fields(ctx, executor)?;
        ops::log_out_returning_viewer(ctx).map(Viewer)
    }
}

/// Fields every Parse object has.
#[graphql_interface(for = Viewer, context = Context)]
pub trait Class {
    /// The Parse objectId.
    fn object_id(&self) -> ID;
    /// When the object was created.
    fn created_at(&self) -> Date;
    /// When the object was last changed.
    fn updated_at(&self) -> Date;
    /// Who may read and write the object.
    #[graphql(name = "ACL")]
    fn acl(&self) -> Option<Object>;
}

/// The current user with the session token.
pub struct Viewer(pub SignedIn);

#[graphql_object(context = Context, impl = ClassValue)]
impl Viewer {
    /// The Parse objectId.
    fn object_id(&self) -> ID {
        ID::new(self.0.user.object_id.as_str())
    }
    /// When the user was created.
    fn created_at(&self) -> Date {
        Date::from_millis(self.0.user.created_at)
    }
    /// When the user was last changed.
    fn updated_at(&self) -> Date {
        Date::from_millis(self.0.user.updated_at)
    }
    /// Who may read and write the user, as Parse stores it.
    #[graphql(name = "ACL")]
    fn acl(&self) -> Option<Object> {
        Some(Object::new(self.0.user.acl.clone()))
    }
    /// The login name.
    fn username(&self) -> Option<&str> {
        Some(self.0.user.username.as_str())
    }
    /// The email address.
    fn email(&self) -> Option<&str> {
        self.0.user.email.as_deref()
    }
    /// Whether the email address was verified.
    fn email_verified(&self) -> Option<bool> {
        self.0.user.email_verified
    }
    /// Third-party login data.
    fn auth_data(&self) -> Option<Object> {
        self.0.user.auth_data.clone().map(Object::new)
    }
    /// The session token.
    fn session_token(&self) -> &str {
        &self.0.token
    }
}

/// The fields of a new user.
#[derive(GraphQLInputObject)]
pub struct SignUpFieldsInput {
    /// The login name.
    pub username: String,
    /// The password.
    pub password: String,
    /// The email address.
    pub email: Option<String>,
    /// Whether the email address was verified (master key only).
    pub email_verified: Option<bool>,
    /// Third-party login data.
    pub auth_data: Option<Object>,
}

impl From<SignUpFieldsInput> for UserFields {
    fn from(f: SignUpFieldsInput) -> Self {
        UserFields {
            username: Some(f.username),
            password: Some(f.password),
            email: f.email,
            email_verified: f.email_verified,
            auth_data: f.auth_data.map(Object::into_map),
        }
    }
}

/// A username and password.
#[derive(GraphQLInputObject)]
pub struct LogInFieldsInput {
    /// The login name.
    pub username: String,
    /// The password.
    pub password: String,
}
