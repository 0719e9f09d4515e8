//! The typed ACL of the relay generations (3.10+), in and out, and relay global ids.

use base64::Engine as _;
use juniper::{GraphQLInputObject, GraphQLObject, ID};
use serde_json::{Map, Value};

use crate::version::Behavior;

/// graphql-relay's `toGlobalId`: base64 of `<class>:<objectId>`, the class being Parse's.
pub fn global_id(class_name: &str, object_id: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{class_name}:{object_id}"))
}

/// A `_User` objectId as a relay id.
pub fn user_global_id(object_id: &str) -> ID {
    ID::new(global_id("_User", object_id))
}

/// Who may read and write an object.
#[derive(Debug, Clone, GraphQLObject)]
#[graphql(name = "ACL")]
pub struct Acl {
    /// Rules for single users.
    pub users: Option<Vec<UserAcl>>,
    /// Rules for roles.
    pub roles: Option<Vec<RoleAcl>>,
    /// The rule for everyone.
    pub public: Option<PublicAcl>,
}

/// One user's access.
#[derive(Debug, Clone, GraphQLObject)]
#[graphql(name = "UserACL")]
pub struct UserAcl {
    /// The user (a relay id from 4.2, the objectId before).
    pub user_id: ID,
    /// May read.
    pub read: bool,
    /// May write.
    pub write: bool,
}

/// One role's access.
#[derive(Debug, Clone, GraphQLObject)]
#[graphql(name = "RoleACL")]
pub struct RoleAcl {
    /// The role's name.
    pub role_name: ID,
    /// May read.
    pub read: bool,
    /// May write.
    pub write: bool,
}

/// Everyone's access.
#[derive(Debug, Clone, GraphQLObject)]
#[graphql(name = "PublicACL")]
pub struct PublicAcl {
    /// May read.
    pub read: Option<bool>,
    /// May write.
    pub write: Option<bool>,
}

impl Acl {
    /// Parse's ACL output transform: `*` → public, `role:x` → roles, the rest → users; empty
    /// lists are null.
    pub fn from_parse(acl: &Map<String, Value>, behavior: &Behavior) -> Self {
        let flag = |rule: &Value, key: &str| rule.get(key).and_then(Value::as_bool) == Some(true);
        let mut users = Vec::new();
        let mut roles = Vec::new();
        let mut public = None;
        for (key, rule) in acl {
            if key == "*" {
                public = Some(PublicAcl {
                    read: Some(flag(rule, "read")),
                    write: Some(flag(rule, "write")),
                });
            } else if let Some(role) = key.strip_prefix("role:") {
                roles.push(RoleAcl {
                    role_name: ID::new(role),
                    read: flag(rule, "read"),
                    write: flag(rule, "write"),
                });
            } else {
                users.push(UserAcl {
                    user_id: if behavior.graphql_acl_relay_user_id {
                        user_global_id(key)
                    } else {
                        ID::new(key.as_str())
                    },
                    read: flag(rule, "read"),
                    write: flag(rule, "write"),
                });
            }
        }
        Self {
            users: (!users.is_empty()).then_some(users),
            roles: (!roles.is_empty()).then_some(roles),
            public,
        }
    }
}

impl Acl {
    /// The same ACL as JSON, for the executors that run outside juniper.
    pub fn to_json(&self) -> Value {
        let rule = |who: &str, name: String, read: bool, write: bool| {
            let mut r = serde_json::json!({ "read": read, "write": write });
            r[who] = Value::String(name);
            r
        };
        let users = self.users.as_ref().map(|users| {
            let rules = users
                .iter()
                .map(|u| rule("userId", u.user_id.to_string(), u.read, u.write));
            rules.collect::<Vec<_>>()
        });
        let roles = self.roles.as_ref().map(|roles| {
            let rules = roles
                .iter()
                .map(|r| rule("roleName", r.role_name.to_string(), r.read, r.write));
            rules.collect::<Vec<_>>()
        });
        let public = self
            .public
            .as_ref()
            .map(|p| serde_json::json!({ "read": p.read, "write": p.write }));
        serde_json::json!({ "users": users, "roles": roles, "public": public })
    }
}

/// Access rules to set on a new object.
#[derive(Debug, Clone, GraphQLInputObject)]
#[graphql(name = "ACLInput")]
pub struct AclInput {
    /// Rules for single users.
    pub users: Option<Vec<UserAclInput>>,
    /// Rules for roles.
    pub roles: Option<Vec<RoleAclInput>>,
    /// The rule for everyone.
    pub public: Option<PublicAclInput>,
}

/// One user's access to set.
#[derive(Debug, Clone, GraphQLInputObject)]
#[graphql(name = "UserACLInput")]
pub struct UserAclInput {
    /// The user (relay id or objectId).
    pub user_id: ID,
    /// May read.
    pub read: bool,
    /// May write.
    pub write: bool,
}

/// One role's access to set.
#[derive(Debug, Clone, GraphQLInputObject)]
#[graphql(name = "RoleACLInput")]
pub struct RoleAclInput {
    /// The role's name.
    pub role_name: String,
    /// May read.
    pub read: bool,
    /// May write.
    pub write: bool,
}

/// Everyone's access to set.
#[derive(Debug, Clone, GraphQLInputObject)]
#[graphql(name = "PublicACLInput")]
pub struct PublicAclInput {
    /// May read.
    pub read: bool,
    /// May write.
    pub write: bool,
}
