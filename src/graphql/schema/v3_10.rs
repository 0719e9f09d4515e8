//! Parse 3.10: the first relay API. Mutations take `input` and answer with payloads; signUp's
//! fields are called `userFields`; ACL `userId` is still the plain objectId.

use juniper::{GraphQLInputObject, graphql_object};

use super::ApiError;
use super::ops;
pub use super::relay::creation_order::Query;
use super::relay::creation_order::{LogInPayload, SignUpPayload, Viewer};
use super::relay::{
    CreateUserFieldsInput, LogInInput, LogOutInput, ResetPasswordInput, ResetPasswordPayload,
    SendVerificationEmailInput, SendVerificationEmailPayload,
};
use crate::graphql::context::Context;

/// Root mutations.
pub struct Mutation;

#[graphql_object(context = Context)]
impl Mutation {
    /// Create a user and log them in.
    fn sign_up(ctx: &Context, input: SignUpInput) -> Result<Option<SignUpPayload>, ApiError> {
        let fields = input.user_fields.map(Into::into).unwrap_or_default();
        let viewer = Viewer(ops::create_user(ctx, fields)?);
        Ok(Some(SignUpPayload {
            viewer,
            client_mutation_id: input.client_mutation_id,
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

    /// End the request's session and return who it belonged to.
    fn log_out(ctx: &Context, input: LogOutInput) -> Result<Option<LogOutPayload>, ApiError> {
        let viewer = Viewer(ops::log_out_returning_viewer(ctx)?);
        Ok(Some(LogOutPayload {
            viewer,
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

pub use super::v4_0::LogOutPayload;

/// The input of signUp.
#[derive(GraphQLInputObject)]
pub struct SignUpInput {
    /// The new user's fields.
    pub user_fields: Option<CreateUserFieldsInput>,
    pub client_mutation_id: Option<String>,
}
