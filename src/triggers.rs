//! Cloud Code triggers on users and sessions (`--userTriggers`).
//!
//! Parse runs an app's `Parse.Cloud.beforeSave(Parse.User, ...)`, `beforeLogin`,
//! `afterLogout`... around the operations parse-compat answers itself. Those functions are
//! JavaScript in the app's Cloud Code and cannot run here, nor can parse-compat see which ones
//! an app registered. So the app names them, and every operation one of them would run around
//! goes to the `--upstream` Parse Server, whole, which runs it with its triggers on the database
//! both share. What no named trigger concerns stays here.
//!
//! The classes are implied: Parse allows only `afterLogout` on `_Session` and only `_User` for
//! the login triggers; for the others, the class here is `_User` (other classes are the
//! upstream's anyway).

use std::fmt;

/// A trigger Parse can run on `_User` (or, for `afterLogout`, `_Session`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    BeforeSave,
    AfterSave,
    BeforeDelete,
    AfterDelete,
    BeforeFind,
    AfterFind,
    BeforeLogin,
    AfterLogin,
    AfterLogout,
    BeforePasswordResetRequest,
}

impl Trigger {
    const ALL: [Trigger; 10] = [
        Trigger::BeforeSave,
        Trigger::AfterSave,
        Trigger::BeforeDelete,
        Trigger::AfterDelete,
        Trigger::BeforeFind,
        Trigger::AfterFind,
        Trigger::BeforeLogin,
        Trigger::AfterLogin,
        Trigger::AfterLogout,
        Trigger::BeforePasswordResetRequest,
    ];

    /// Parse's name: `Parse.Cloud.<name>(...)`.
    pub fn name(self) -> &'static str {
        match self {
            Trigger::BeforeSave => "beforeSave",
            Trigger::AfterSave => "afterSave",
            Trigger::BeforeDelete => "beforeDelete",
            Trigger::AfterDelete => "afterDelete",
            Trigger::BeforeFind => "beforeFind",
            Trigger::AfterFind => "afterFind",
            Trigger::BeforeLogin => "beforeLogin",
            Trigger::AfterLogin => "afterLogin",
            Trigger::AfterLogout => "afterLogout",
            Trigger::BeforePasswordResetRequest => "beforePasswordResetRequest",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// The kinds of operation on users and sessions, by which JavaScript in the upstream (a
/// trigger, a `validatorCallback`, a `verifyUserEmails` function...) or its LiveQuery runs
/// around them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// A `_User` is created or changed through Parse's write path: sign-up, update, a
    /// password set from a reset link, an e-mail verified (in the versions that write it
    /// there), a user created by an `authData` login.
    SaveUser,
    /// A write that sets a password: sign-up, an update with `password`, a reset.
    SetPassword,
    DeleteUser,
    /// A `_User` is read through Parse's query path: get, find, and `users/me`/`viewer`
    /// (which read it as an include of the session).
    FindUser,
    LogIn,
    LogOut,
    RequestPasswordReset,
    RequestVerificationEmail,
    VerifyPassword,
    /// A `_Session` is created, changed or deleted: sign-up, login, logout, a password change,
    /// the sessions routes.
    WriteSession,
}

impl Operation {
    fn bit(self) -> u16 {
        1 << (self as u16)
    }

    /// The GraphQL root fields (of every version's auth schema) that perform it. `users` is
    /// 3.7's namespace of every user operation.
    fn graphql_fields(self) -> &'static [&'static str] {
        match self {
            Operation::SaveUser => &["signUp", "logInWith", "confirmResetPassword", "users"],
            Operation::SetPassword => &["signUp", "confirmResetPassword", "users"],
            Operation::DeleteUser | Operation::VerifyPassword => &[],
            Operation::FindUser => &["viewer", "users"],
            Operation::LogIn => &["logIn", "logInWith", "users"],
            Operation::LogOut => &["logOut", "users"],
            Operation::RequestPasswordReset => &["resetPassword"],
            Operation::RequestVerificationEmail => &["sendVerificationEmail"],
            Operation::WriteSession => &[
                "signUp",
                "logIn",
                "logInWith",
                "logOut",
                "confirmResetPassword",
                "users",
            ],
        }
    }
}

/// A set of operations: those that go to the upstream Parse Server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Operations(u16);

impl Operations {
    pub fn with(mut self, ops: &[Operation]) -> Self {
        for op in ops {
            self.0 |= op.bit();
        }
        self
    }

    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    pub fn contains(self, op: Operation) -> bool {
        self.0 & op.bit() != 0
    }

    /// Whether any of `ops` is in the set.
    pub fn any(self, ops: &[Operation]) -> bool {
        ops.iter().any(|op| self.contains(*op))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The GraphQL root fields whose operations are in the set: a document selecting one goes
    /// upstream whole.
    pub fn graphql_fields(self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        for op in ALL_OPERATIONS {
            if self.contains(op) {
                for name in op.graphql_fields() {
                    if !fields.contains(name) {
                        fields.push(*name);
                    }
                }
            }
        }
        fields
    }
}

const ALL_OPERATIONS: [Operation; 10] = [
    Operation::SaveUser,
    Operation::SetPassword,
    Operation::DeleteUser,
    Operation::FindUser,
    Operation::LogIn,
    Operation::LogOut,
    Operation::RequestPasswordReset,
    Operation::RequestVerificationEmail,
    Operation::VerifyPassword,
    Operation::WriteSession,
];

/// The triggers an app's Cloud Code registers on users and sessions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UserTriggers {
    bits: u16,
}

impl UserTriggers {
    /// From Parse's trigger names, separated by commas or spaces (`beforeSave, afterLogout`).
    /// `beforeSave:_User` and `afterLogout:_Session` are read too.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut bits = 0;
        for item in list
            .split([',', ' '])
            .map(str::trim)
            .filter(|i| !i.is_empty())
        {
            let (name, class) = match item.split_once(':') {
                Some((name, class)) => (name, Some(class)),
                None => (item, None),
            };
            let Some(trigger) = Trigger::ALL.iter().find(|t| t.name() == name) else {
                return Err(format!(
                    "userTriggers: `{item}` is not a Parse trigger on users or sessions (one of {})",
                    Trigger::ALL.map(Trigger::name).join(", ")
                ));
            };
            let expected = if *trigger == Trigger::AfterLogout {
                "_Session"
            } else {
                "_User"
            };
            if let Some(class) = class
                && class != expected
            {
                return Err(format!(
                    "userTriggers: `{item}`: parse-compat answers {name} for {expected} only; triggers on other classes need no entry (the upstream answers for them)"
                ));
            }
            bits |= trigger.bit();
        }
        Ok(Self { bits })
    }

    pub fn is_empty(self) -> bool {
        self.bits == 0
    }

    /// The operations the registered triggers run around.
    pub fn operations(self) -> Operations {
        let has = |ts: &[Trigger]| ts.iter().any(|t| self.bits & t.bit() != 0);
        let mut ops = Operations::default();
        for (triggers, op) in [
            (
                &[Trigger::BeforeSave, Trigger::AfterSave][..],
                Operation::SaveUser,
            ),
            (
                &[Trigger::BeforeDelete, Trigger::AfterDelete],
                Operation::DeleteUser,
            ),
            (
                &[Trigger::BeforeFind, Trigger::AfterFind],
                Operation::FindUser,
            ),
            (
                &[Trigger::BeforeLogin, Trigger::AfterLogin],
                Operation::LogIn,
            ),
            (&[Trigger::AfterLogout], Operation::LogOut),
            (
                &[Trigger::BeforePasswordResetRequest],
                Operation::RequestPasswordReset,
            ),
        ] {
            if has(triggers) {
                ops = ops.with(&[op]);
            }
        }
        ops
    }
}

impl fmt::Display for UserTriggers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Trigger::ALL
            .iter()
            .filter(|t| self.bits & t.bit() != 0)
            .map(|t| t.name())
            .collect();
        f.write_str(&names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_parse_s_and_classes_are_checked() {
        let t = UserTriggers::parse("beforeSave, afterLogout:_Session beforeLogin:_User").unwrap();
        assert_eq!(t.to_string(), "beforeSave, beforeLogin, afterLogout");
        let ops = t.operations();
        assert!(ops.contains(Operation::SaveUser));
        assert!(ops.contains(Operation::LogIn));
        assert!(ops.contains(Operation::LogOut));
        assert!(!ops.contains(Operation::FindUser));
        assert!(!ops.contains(Operation::DeleteUser));
        assert!(UserTriggers::parse("").unwrap().is_empty());
        let err = UserTriggers::parse("beforeSaves").unwrap_err();
        assert!(
            err.contains("`beforeSaves` is not a Parse trigger"),
            "{err}"
        );
        let err = UserTriggers::parse("afterLogout:_User").unwrap_err();
        assert!(err.contains("for _Session only"), "{err}");
    }

    #[test]
    fn graphql_fields_follow_the_operations() {
        let fields = |list: &str| {
            UserTriggers::parse(list)
                .unwrap()
                .operations()
                .graphql_fields()
        };
        assert_eq!(fields("afterLogout"), ["logOut", "users"]);
        assert_eq!(
            fields("afterSave,beforeLogin"),
            [
                "signUp",
                "logInWith",
                "confirmResetPassword",
                "users",
                "logIn"
            ]
        );
        assert!(Operations::default().graphql_fields().is_empty());
        let sessions = Operations::default().with(&[Operation::WriteSession]);
        assert_eq!(
            sessions.graphql_fields(),
            [
                "signUp",
                "logIn",
                "logInWith",
                "logOut",
                "confirmResetPassword",
                "users"
            ]
        );
    }
}
