//! The relay auth types (3.10+): inputs and payloads every relay generation shares, and the
//! `User` family (`User`, `Viewer`, the `Node`/`ParseObject` interfaces, payloads carrying a
//! viewer, `Query`) stamped out per field order by [`user_family!`].

use juniper::{GraphQLInputObject, GraphQLObject};

use super::acl::AclInput;
use super::ops::UserFields;
use super::scalars::Object;
use crate::graphql::context::Context;

/// The input of logIn.
#[derive(GraphQLInputObject)]
pub struct LogInInput {
    /// The user's login name.
    pub username: String,
    /// The user's password.
    pub password: String,
    pub client_mutation_id: Option<String>,
}

/// The input of logOut.
#[derive(GraphQLInputObject)]
pub struct LogOutInput {
    pub client_mutation_id: Option<String>,
}

/// The input of resetPassword.
#[derive(GraphQLInputObject)]
pub struct ResetPasswordInput {
    /// Where to send the reset link.
    pub email: String,
    pub client_mutation_id: Option<String>,
}

/// The result of resetPassword.
#[derive(GraphQLObject)]
#[graphql(context = Context)]
pub struct ResetPasswordPayload {
    /// Always true.
    pub ok: bool,
    pub client_mutation_id: Option<String>,
}

/// The input of sendVerificationEmail.
#[derive(GraphQLInputObject)]
pub struct SendVerificationEmailInput {
    /// Where to send the verification link.
    pub email: String,
    pub client_mutation_id: Option<String>,
}

/// The result of sendVerificationEmail.
#[derive(GraphQLObject)]
#[graphql(context = Context)]
pub struct SendVerificationEmailPayload {
    /// Always true.
    pub ok: bool,
    pub client_mutation_id: Option<String>,
}

/// The fields of a new user.
#[derive(GraphQLInputObject)]
pub struct CreateUserFieldsInput {
    /// Who may read and write the user.
    #[graphql(name = "ACL")]
    pub acl: Option<AclInput>,
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

impl From<CreateUserFieldsInput> for UserFields {
    fn from(f: CreateUserFieldsInput) -> Self {
        UserFields {
            username: Some(f.username),
            password: Some(f.password),
            email: f.email,
            email_verified: f.email_verified,
            auth_data: f.auth_data.map(|o| o.into_map()),
        }
    }
}

/// The input of signUp (4.0+).
#[derive(GraphQLInputObject)]
pub struct SignUpInput {
    /// The new user's fields.
    pub fields: Option<CreateUserFieldsInput>,
    pub client_mutation_id: Option<String>,
}

/// The user fields logInWith may set on a new user.
#[derive(GraphQLInputObject)]
pub struct UserLoginWithInput {
    /// Who may read and write the user.
    #[graphql(name = "ACL")]
    pub acl: Option<AclInput>,
    /// The email address.
    pub email: Option<String>,
    /// Whether the email address was verified (master key only).
    pub email_verified: Option<bool>,
}

/// The input of logInWith.
#[derive(GraphQLInputObject)]
pub struct LogInWithInput {
    /// The provider's login data, e.g. `{anonymous: {id: "..."}}`.
    pub auth_data: Object,
    /// Fields for a user created on the way.
    pub fields: Option<UserLoginWithInput>,
    pub client_mutation_id: Option<String>,
}

impl LogInWithInput {
    pub fn user_fields(self) -> UserFields {
        let fields = self.fields.unwrap_or(UserLoginWithInput {
            acl: None,
            email: None,
            email_verified: None,
        });
        UserFields {
            username: None,
            password: None,
            email: fields.email,
            email_verified: fields.email_verified,
            auth_data: Some(self.auth_data.into_map()),
        }
    }
}

/// The `User`-centred relay types, stamped out once per field order: Parse lists the class
/// fields of `User` in creation order up to 4.x and alphabetically from 5.0, and adds
/// `authDataResponse` in 6.0. Everything that names `User` (the interfaces, `Viewer`, the
/// payloads carrying a viewer, `Query`) comes with it.
macro_rules! user_family {
    ($($user_fields:tt)*) => {
        /// An object with a relay global id.
        #[expect(
            dead_code,
            reason = "an interface declaration: juniper reads it, no Rust code calls it"
        )]
        // Named `RelayNode` in Rust: juniper orders an object's interfaces by Rust type
        // name, and Parse lists `ParseObject & Node`.
        #[graphql_interface(for = User, context = Context, name = "Node")]
        pub trait RelayNode {
            /// The relay global id.
            fn id(&self) -> ID;
        }

        /// Fields every Parse object has.
        #[expect(
            dead_code,
            reason = "an interface declaration: juniper reads it, no Rust code calls it"
        )]
        #[graphql_interface(for = User, context = Context, name = "ParseObject")]
        pub trait ParseObject {
            /// The Parse objectId.
            fn object_id(&self) -> ID;
            /// When the object was created.
            fn created_at(&self) -> Date;
            /// When the object was last changed.
            fn updated_at(&self) -> Date;
            /// Who may read and write the object.
            #[graphql(name = "ACL")]
            fn acl(&self) -> Acl;
        }

        /// A `_User` object.
        pub struct User(pub ops::UserRef);

        #[graphql_object(context = Context, impl = [ParseObjectValue, RelayNodeValue])]
        impl User {
            /// The relay global id.
            fn id(&self) -> ID {
                user_global_id(&self.0.object_id)
            }
            /// The Parse objectId.
            fn object_id(&self) -> ID {
                ID::new(self.0.object_id.as_str())
            }
            /// When the user was created.
            fn created_at(&self) -> Date {
                Date::from_millis(self.0.created_at)
            }
            /// When the user was last changed.
            fn updated_at(&self) -> Date {
                Date::from_millis(self.0.updated_at)
            }
            /// Who may read and write the user.
            #[graphql(name = "ACL")]
            fn acl(&self, ctx: &Context) -> Acl {
                Acl::from_parse(&self.0.acl, &ctx.behavior)
            }
            $($user_fields)*
        }

        /// The current user and the session token of the request.
        pub struct Viewer(pub SignedIn);

        #[graphql_object(context = Context)]
        impl Viewer {
            /// The session token.
            fn session_token(&self) -> &str {
                &self.0.token
            }
            /// The user the session belongs to.
            fn user(&self) -> User {
                User(self.0.user.clone())
            }
        }

        /// The result of signUp.
        #[derive(GraphQLObject)]
        #[graphql(context = Context)]
        pub struct SignUpPayload {
            /// The new user and their first session.
            pub viewer: Viewer,
            pub client_mutation_id: Option<String>,
        }

        /// The result of logIn.
        #[derive(GraphQLObject)]
        #[graphql(context = Context)]
        pub struct LogInPayload {
            /// The user and their new session.
            pub viewer: Viewer,
            pub client_mutation_id: Option<String>,
        }

        /// The result of logInWith.
        #[derive(GraphQLObject)]
        #[graphql(context = Context)]
        pub struct LogInWithPayload {
            /// The user (found or created) and their new session.
            pub viewer: Viewer,
            pub client_mutation_id: Option<String>,
        }

        /// Root queries of every relay generation.
        pub struct Query;

        #[graphql_object(context = Context)]
        impl Query {
            /// Whether the server is up.
            fn health() -> bool {
                true
            }

            /// The user of the request's session.
            fn viewer(ctx: &Context) -> Result<Viewer, ApiError> {
                ops::current_user(ctx).map(Viewer)
            }
        }
    };
}

pub(crate) use user_family;

/// The user family of 3.10 – 4.x: class fields in creation order.
pub mod creation_order {
    use juniper::{GraphQLObject, ID, graphql_interface, graphql_object};

    use super::super::ApiError;
    use super::super::acl::{Acl, user_global_id};
    use super::super::ops::{self, SignedIn};
    use super::super::scalars::{Date, Object};
    use crate::graphql::context::Context;

    super::user_family! {
        /// The login name.
        fn username(&self) -> Option<&str> {
            Some(self.0.username.as_str())
        }
        /// The email address.
        fn email(&self) -> Option<&str> {
            self.0.email.as_deref()
        }
        /// Whether the email address was verified.
        fn email_verified(&self) -> Option<bool> {
            self.0.email_verified
        }
        /// Third-party login data.
        fn auth_data(&self) -> Option<Object> {
            self.0.auth_data.clone().map(Object::new)
        }
    }
}

/// The user family of 5.x: class fields in alphabetical order.
pub mod alphabetical {
    use juniper::{GraphQLObject, ID, graphql_interface, graphql_object};

    use super::super::ApiError;
    use super::super::acl::{Acl, user_global_id};
    use super::super::ops::{self, SignedIn};
    use super::super::scalars::{Date, Object};
    use crate::graphql::context::Context;

    super::user_family! {
        /// Third-party login data.
        fn auth_data(&self) -> Option<Object> {
            self.0.auth_data.clone().map(Object::new)
        }
        /// The email address.
        fn email(&self) -> Option<&str> {
            self.0.email.as_deref()
        }
        /// Whether the email address was verified.
        fn email_verified(&self) -> Option<bool> {
            self.0.email_verified
        }
        /// The login name.
        fn username(&self) -> Option<&str> {
            Some(self.0.username.as_str())
        }
    }
}

/// The user family of 6.x+: alphabetical, led by `authDataResponse`.
pub mod with_auth_data_response {
    use juniper::{GraphQLObject, ID, graphql_interface, graphql_object};

    use super::super::ApiError;
    use super::super::acl::{Acl, user_global_id};
    use super::super::ops::{self, SignedIn};
    use super::super::scalars::{Date, Object};
    use crate::graphql::context::Context;

    super::user_family! {
        /// What an auth adapter answered on signUp/logIn; no built-in provider answers.
        fn auth_data_response(&self) -> Option<Object> {
            None
        }
        /// Third-party login data.
        fn auth_data(&self) -> Option<Object> {
            self.0.auth_data.clone().map(Object::new)
        }
        /// The email address.
        fn email(&self) -> Option<&str> {
            self.0.email.as_deref()
        }
        /// Whether the email address was verified.
        fn email_verified(&self) -> Option<bool> {
            self.0.email_verified
        }
        /// The login name.
        fn username(&self) -> Option<&str> {
            Some(self.0.username.as_str())
        }
    }
}

/// The input of confirmResetPassword (5.0+).
#[derive(GraphQLInputObject)]
pub struct ConfirmResetPasswordInput {
    /// The user whose password is reset.
    pub username: String,
    /// The new password.
    pub password: String,
    /// The token from the reset email.
    pub token: String,
    pub client_mutation_id: Option<String>,
}

/// The result of confirmResetPassword.
#[derive(GraphQLObject)]
#[graphql(context = Context)]
pub struct ConfirmResetPasswordPayload {
    /// Always true.
    pub ok: bool,
    pub client_mutation_id: Option<String>,
}
