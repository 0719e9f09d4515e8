//! Parse 4.5 – 4.x: the relay API of 4.0 with `LogOutPayload { ok clientMutationId }`; logOut
//! no longer reads the viewer, so it succeeds without a session.

use juniper::{GraphQLObject, graphql_object};

use super::ApiError;
use super::ops;
pub use super::relay::creation_order::Query;
use super::relay::creation_order::{LogInPayload, LogInWithPayload, SignUpPayload, Viewer};
use super::relay::{
    LogInInput, LogInWithInput, LogOutInput, ResetPasswordInput, ResetPasswordPayload,
    SendVerificationEmailInput, SendVerificationEmailPayload, SignUpInput,
};
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

    /// Send the email verification email again.
    fn send_verification_email(
        ctx: &Context,
        input: SendVerificationEmailInput,
    ) -> Result<Option<SendVerificationEmailPayload>, ApiError> {
        ops::send_verification_email(ctx, input)
    }
}

/// The result of logOut.
#[derive(GraphQLObject)]
#[graphql(context = Context)]
pub struct LogOutPayload {
    /// Always true.
    pub ok: bool,
    pub client_mutation_id: Option<String>,
}
