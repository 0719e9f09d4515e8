//! Parse 5.x: 4.5's API with class fields in alphabetical order (`User`,
//! `CreateUserFieldsInput`) and the `confirmResetPassword` mutation.

use juniper::{GraphQLInputObject, graphql_object};

use super::ApiError;
use super::acl::AclInput;
use super::ops::{self, UserFields};
pub use super::relay::alphabetical::Query;
use super::relay::alphabetical::{LogInPayload, LogInWithPayload, SignUpPayload, Viewer};
use super::relay::{
    ConfirmResetPasswordInput, ConfirmResetPasswordPayload, LogInInput, LogInWithInput,
    LogOutInput, ResetPasswordInput, ResetPasswordPayload, SendVerificationEmailInput,
    SendVerificationEmailPayload,
};
use super::scalars::Object;
pub use super::v4_5::LogOutPayload;
use crate::graphql::context::Context;

/// Root mutations.
pub struct Mutation;

#[graphql_object(context = Context)]
impl Mutation {
    /// Create a user and log them in.
    fn sign_up(ctx: &Context, input: SignUpInput) -> Result<Option<SignUpPayload>, ApiError> {
        let fields = input.fields.map(Into::into).unwrap_or_default();
        let viewer = Viewer(ops::create_user(ctx, fields)?);
        Ok(Some(SignUpPayload {
            viewer,
            client_mutation_id: input.client_mutation_id,
        }))
    }

    /// Log in (or sign up) with a third-party provider's data.
    fn log_in_with(
        ctx: &Context,
        input: LogInWithInput,
    ) -> Result<Option<LogInWithPayload>, ApiError> {
        let client_mutation_id = input.client_mutation_id.clone();
        let viewer = Viewer(ops::create_user(ctx, input.user_fields())?);
        Ok(Some(LogInWithPayload {
            viewer,
            client_mutation_id,
        }))
    }

    /// Log in with a username and password.
    fn log_in(ctx: &Context, input: LogInInput) -> Result<Option<LogInPayload>, ApiError> {
        let viewer = Viewer(ops::log_in(ctx, &input.username, &input.password)?);
        Ok(Some(LogInPayload {
            viewer,
            client_mutation_id: input.client_mutation_id,
        }))
    }

    /// End the request's session.
    fn log_out(ctx: &Context, input: LogOutInput) -> Result<Option<LogOutPayload>, ApiError> {
        ops::log_out(ctx)?;
        Ok(Some(LogOutPayload {
            ok: true,
            client_mutation_id: input.client_mutation_id,
        }))
    }

    /// Send a password reset email.
    fn reset_password(
        ctx: &Context,
        input: ResetPasswordInput,
    ) -> Result<Option<ResetPasswordPayload>, ApiError> {
        ops::reset_password(ctx, input)
    }

    /// Set a new password with the token of a reset email.
    fn confirm_reset_password(
        ctx: &Context,
        input: ConfirmResetPasswordInput,
    ) -> Result<Option<ConfirmResetPasswordPayload>, ApiError> {
        ops::confirm_reset_password(ctx, input)
    }

    /// Send the email verification email again.
    fn send_verification_email(
        ctx: &Context,
        input: SendVerificationEmailInput,
    ) -> Result<Option<SendVerificationEmailPayload>, ApiError> {
        ops::send_verification_email(ctx, input)
    }
}

/// The fields of a new user.
#[derive(GraphQLInputObject)]
pub struct CreateUserFieldsInput {
    /// Who may read and write the user.
    #[graphql(name = "ACL")]
    pub acl: Option<AclInput>,
    /// Third-party login data.
    pub auth_data: Option<Object>,
    /// The email address.
    pub email: Option<String>,
    /// Whether the email address was verified (master key only).
    pub email_verified: Option<bool>,
    /// The password.
    pub password: String,
    /// The login name.
    pub username: String,
}

impl From<CreateUserFieldsInput> for UserFields {
    fn from(f: CreateUserFieldsInput) -> Self {
        UserFields {
            username: Some(f.username),
            password: Some(f.password),
            email: f.email,
            email_verified: f.email_verified,
            auth_data: f.auth_data.map(Object::into_map),
        }
    }
}

/// The input of signUp.
#[derive(GraphQLInputObject)]
pub struct SignUpInput {
    /// The new user's fields.
    pub fields: Option<CreateUserFieldsInput>,
    pub client_mutation_id: Option<String>,
}
