//! Parse 6.x – 7.x (and 8.x – 9.x, whose auth surface is the same): `LogInInput.authData`,
//! the `challenge` mutation, `User.authDataResponse`, and `CreateUserFieldsInput` whose
//! `username`/`password` are optional (a user may sign up with `authData` alone). Users are
//! private from 6.0 (no public read in their ACL).

use juniper::{GraphQLInputObject, GraphQLObject, graphql_object};

use super::ApiError;
use super::acl::AclInput;
use super::ops::{self, UserFields};
pub use super::relay::with_auth_data_response::Query;
use super::relay::with_auth_data_response::{
    LogInPayload, LogInWithPayload, SignUpPayload, Viewer,
};
use super::relay::{
    ConfirmResetPasswordInput, ConfirmResetPasswordPayload, LogInWithInput, LogOutInput,
    ResetPasswordInput, ResetPasswordPayload, SendVerificationEmailInput,
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

    /// Log in with a username and password (and the user's additional providers).
    fn log_in(ctx: &Context, input: LogInInput) -> Result<Option<LogInPayload>, ApiError> {
        let auth_data = input.auth_data.and_then(Object::into_map);
        let viewer = Viewer(ops::log_in_with_auth_data(
            ctx,
            &input.username,
            &input.password,
            auth_data,
        )?);
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

    /// Start an auth adapter's challenge (e.g. to send a one-time code).
    fn challenge(
        ctx: &Context,
        input: ChallengeInput,
    ) -> Result<Option<ChallengePayload>, ApiError> {
        let answer = ops::challenge(
            ctx,
            input.username.as_deref(),
            input.password.as_deref(),
            input.auth_data.and_then(Object::into_map),
            input.challenge_data.and_then(Object::into_map),
        )?;
        Ok(Some(ChallengePayload {
            challenge_data: Some(Object::new(answer)),
            client_mutation_id: input.client_mutation_id,
        }))
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
    /// The password (not needed with `authData`).
    pub password: Option<String>,
    /// The login name (not needed with `authData`).
    pub username: Option<String>,
}

impl From<CreateUserFieldsInput> for UserFields {
    fn from(f: CreateUserFieldsInput) -> Self {
        UserFields {
            username: f.username,
            password: f.password,
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

/// The input of logIn.
#[derive(GraphQLInputObject)]
pub struct LogInInput {
    /// The user's login name.
    pub username: String,
    /// The user's password.
    pub password: String,
    /// Data for the user's additional auth providers.
    pub auth_data: Option<Object>,
    pub client_mutation_id: Option<String>,
}

/// The input of challenge.
#[derive(GraphQLInputObject)]
pub struct ChallengeInput {
    /// Identify the user by login name (with `password`).
    pub username: Option<String>,
    /// The user's password.
    pub password: Option<String>,
    /// Identify the user by a provider's data instead.
    pub auth_data: Option<Object>,
    /// What to send each provider's challenge.
    pub challenge_data: Option<Object>,
    pub client_mutation_id: Option<String>,
}

/// The result of challenge.
#[derive(GraphQLObject)]
#[graphql(context = Context)]
pub struct ChallengePayload {
    /// Each provider's answer.
    pub challenge_data: Option<Object>,
    pub client_mutation_id: Option<String>,
}
