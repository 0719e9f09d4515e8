//! Parse 3.7: everything under a `users` namespace (`query { users { me } }`,
//! `mutation { users { signUp logIn logOut } }`), the user type is `Me`, the ACL a raw
//! object, and logOut a plain `Boolean!` that is true even without a session.

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

    /// Queries about users.
    fn users() -> Option<UsersQuery> {
        Some(UsersQuery)
    }
}

/// Root mutations.
pub struct Mutation;

#[graphql_object(context = Context)]
impl Mutation {
    /// Mutations about users.
    fn users() -> Option<UsersMutation> {
        Some(UsersMutation)
    }
}

/// The `users` query namespace.
pub struct UsersQuery;

#[graphql_object(context = Context)]
impl UsersQuery {
    /// The user of the request's session.
    fn me<S: ScalarValue>(
        ctx: &Context,
        executor: &Executor<'_, '_, Context, S>,
    ) -> Result<Me, ApiError> {
        ops::require_token_and_selected_fields(ctx, executor)?;
        ops::current_user(ctx).map(Me)
    }
}

/// The `users` mutation namespace.
pub struct UsersMutation;

#[graphql_object(context = Context)]
impl UsersMutation {
    /// Create a user and log them in.
    fn sign_up(ctx: &Context, fields: Option<UserSignUpFields>) -> Result<SignUpResult, ApiError> {
        let fields = fields.map(Into::into).unwrap_or_default();
        let signed_in = ops::create_user(ctx, fields)?;
        Ok(SignUpResult {
            object_id: ID::new(signed_in.user.object_id.as_str()),
            created_at: Date::from_millis(signed_in.user.created_at),
            session_token: signed_in.token,
        })
    }

    /// Log in with a username and password.
    fn log_in(ctx: &Context, username: String, password: String) -> Result<Me, ApiError> {
        ops::log_in(ctx, &username, &password).map(Me)
    }

    /// End the request's session (true even when there is none).
    fn log_out(ctx: &Context) -> Result<bool, ApiError> {
        // 3.7 never reported a concurrent logout: its handler ignores what the delete found.
        ops::revoke_session(ctx)?;
        Ok(true)
    }
}

/// Fields every Parse object has.
#[graphql_interface(for = Me, context = Context)]
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

/// The current user, with the session token.
pub struct Me(pub SignedIn);

#[graphql_object(context = Context, impl = ClassValue)]
impl Me {
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
    /// Never given out.
    fn password(&self) -> Option<&str> {
        None
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

/// The answer of signUp (described in the schema by its `impl` below).
pub struct SignUpResult {
    pub object_id: ID,
    pub created_at: Date,
    /// Empty when the sign-up made no session (preventLoginWithUnverifiedEmail).
    pub session_token: String,
}

/// What signUp answers: the new user's id, creation date and first session token.
#[graphql_object(context = Context)]
impl SignUpResult {
    /// The Parse objectId.
    fn object_id(&self) -> &ID {
        &self.object_id
    }
    /// When the user was created.
    fn created_at(&self) -> &Date {
        &self.created_at
    }
    /// The first session's token.
    fn session_token(&self) -> Result<&str, ApiError> {
        if self.session_token.is_empty() {
            // graphql-js's answer to the null Parse resolves it to.
            return Err(ApiError::parse(
                crate::error::ErrorCode::InternalServerError,
                "Cannot return null for non-nullable field SignUpResult.sessionToken.",
            )
            .uncaught(super::error::Thrown::UncaughtValue));
        }
        Ok(&self.session_token)
    }
}

/// The fields of a new user.
#[derive(GraphQLInputObject)]
#[graphql(name = "_UserSignUpFields")]
pub struct UserSignUpFields {
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

impl From<UserSignUpFields> for UserFields {
    fn from(f: UserSignUpFields) -> Self {
        UserFields {
            username: Some(f.username),
            password: Some(f.password),
            email: f.email,
            email_verified: f.email_verified,
            auth_data: f.auth_data.map(Object::into_map),
        }
    }
}
