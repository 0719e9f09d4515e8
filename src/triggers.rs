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

/// The kinds of operation on users and sessions, by which triggers run around them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// A `_User` is created or changed through Parse's write path: sign-up, update, a
    /// password set from a reset link, an e-mail verified (in the versions that write it
    /// there), a user created by an `authData` login.
    SaveUser,
    DeleteUser,
    /// A `_User` is read through Parse's query path: get, find, and `users/me`/`viewer`
    /// (which read it as an include of the session).
    FindUser,
    LogIn,
    LogOut,
    RequestPasswordReset,
}

impl Operation {
    fn triggers(self) -> u16 {
        let bits = |ts: &[Trigger]| ts.iter().fold(0, |acc, t| acc | t.bit());
        match self {
            Operation::SaveUser => bits(&[Trigger::BeforeSave, Trigger::AfterSave]),
            Operation::DeleteUser => bits(&[Trigger::BeforeDelete, Trigger::AfterDelete]),
            Operation::FindUser => bits(&[Trigger::BeforeFind, Trigger::AfterFind]),
            Operation::LogIn => bits(&[Trigger::BeforeLogin, Trigger::AfterLogin]),
            Operation::LogOut => bits(&[Trigger::AfterLogout]),
            Operation::RequestPasswordReset => bits(&[Trigger::BeforePasswordResetRequest]),
        }
    }
}

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

    /// Whether a registered trigger runs around `op`, which must then go upstream.
    pub fn run_around(self, op: Operation) -> bool {
        self.bits & op.triggers() != 0
    }

    /// The GraphQL root fields (of every version's auth schema) whose operations a registered
    /// trigger runs around: a document selecting one goes upstream whole. `users` is 3.7's
    /// namespace of every user operation.
    pub fn graphql_fields(self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        let mut add = |op: Operation, names: &[&'static str]| {
            if self.run_around(op) {
                for name in names {
                    if !fields.contains(name) {
                        fields.push(*name);
                    }
                }
            }
        };
        add(
            Operation::SaveUser,
            &["signUp", "logInWith", "confirmResetPassword", "users"],
        );
        add(Operation::FindUser, &["viewer", "users"]);
        add(Operation::LogIn, &["logIn", "logInWith", "users"]);
        add(Operation::LogOut, &["logOut", "users"]);
        add(Operation::RequestPasswordReset, &["resetPassword"]);
        fields
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
        assert!(t.run_around(Operation::SaveUser));
        assert!(t.run_around(Operation::LogIn));
        assert!(t.run_around(Operation::LogOut));
        assert!(!t.run_around(Operation::FindUser));
        assert!(!t.run_around(Operation::DeleteUser));
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
        let t = UserTriggers::parse("afterLogout").unwrap();
        assert_eq!(t.graphql_fields(), ["logOut", "users"]);
        let t = UserTriggers::parse("afterSave,beforeLogin").unwrap();
        assert_eq!(
            t.graphql_fields(),
            [
                "signUp",
                "logInWith",
                "confirmResetPassword",
                "users",
                "logIn"
            ]
        );
        assert!(UserTriggers::default().graphql_fields().is_empty());
    }
}
