//! Parse Server versions: parsing what the user pins, and the one table that says what each
//! version does.
//!
//! Every behaviour that changed between Parse releases is resolved here, once, into closed
//! enums and plain flags. Code elsewhere matches those exhaustively (no `_ =>` arms), so adding
//! a Parse version is a compile-error checklist rather than a grep.

use std::fmt;
use std::str::FromStr;

/// How much a change of one fact of the version table matters to a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Criticality {
    /// Something a client relies on stops working or answers differently in kind.
    Breaking,
    /// An answer's wording, status or shape changes; clients that match on it notice.
    Dangerous,
    /// Only something new: no existing client notices.
    Safe,
}

/// How a fact's change is judged (the mark before each field of the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactKind {
    Breaking,
    Dangerous,
    /// Something the version has or not: gaining it is safe, losing it breaking.
    Added,
    /// A table of its own, reported field by field.
    Nested,
    /// Not reported (the version itself).
    Unreported,
}

/// One fact of the version table: a field, what it means, and its value in one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// The field's name (`email.router` for a nested table's).
    pub key: String,
    /// The field's documentation, as written on it (on one line).
    pub description: String,
    pub value: String,
    pub kind: FactKind,
}

impl Fact {
    /// How much going from `self` (the older side of a diff) to `to` matters.
    pub fn change_criticality(&self, to: &Fact) -> Option<Criticality> {
        if self.value == to.value {
            return None;
        }
        match self.kind {
            FactKind::Breaking => Some(Criticality::Breaking),
            FactKind::Dangerous => Some(Criticality::Dangerous),
            FactKind::Added if to.value == "yes" => Some(Criticality::Safe),
            FactKind::Added => Some(Criticality::Breaking),
            FactKind::Nested | FactKind::Unreported => None,
        }
    }
}

/// A value of the table as a fact shows it; a nested table adds its own facts.
trait FactValue {
    fn push_facts(
        &self,
        key: String,
        description: &'static str,
        kind: FactKind,
        out: &mut Vec<Fact>,
    );
}

macro_rules! leaf_facts {
    ($($ty:ty => |$v:ident| $show:expr),* $(,)?) => {
        $(impl FactValue for $ty {
            fn push_facts(&self, key: String, description: &'static str, kind: FactKind, out: &mut Vec<Fact>) {
                let $v = self;
                let description = description.split_whitespace().collect::<Vec<_>>().join(" ");
                out.push(Fact { key, description, value: $show, kind });
            }
        })*
    };
}

leaf_facts! {
    bool => |v| if *v { "yes".to_owned() } else { "no".to_owned() },
    ParseVersion => |v| v.to_string(),
    ApiGeneration => |v| v.name().to_owned(),
    HttpStack => |v| v.name().to_owned(),
    GraphqlJsRelease => |v| format!("graphql-js {}.{}.{}", v.major, v.minor, v.patch),
    UploadLiteral => |v| format!("{v:?}"),
    MultipartReader => |v| v.name().to_owned(),
    Redaction => |v| match v {
        Redaction::None => "nothing".to_owned(),
        Redaction::Suggestions => "suggestions".to_owned(),
        Redaction::SuggestionsAndTypes => "suggestions and type names".to_owned(),
        Redaction::SuggestionsTypesAndEnums => "suggestions, type and enum names".to_owned(),
    },
    GraphqlIntrospection => |v| match v {
        GraphqlIntrospection::Open => "anyone".to_owned(),
        GraphqlIntrospection::ApolloRule => "nobody (Apollo's NoIntrospection rule)".to_owned(),
        GraphqlIntrospection::MasterOnly => "the master key only".to_owned(),
    },
    LandingPage => |v| match v {
        LandingPage::None => "none".to_owned(),
        LandingPage::YogaGraphiql => "graphql-yoga's GraphiQL".to_owned(),
        LandingPage::ApolloProduction(release) => format!("Apollo Server's ({release})"),
    },
    GraphqlSelectedKeys => |v| match v {
        GraphqlSelectedKeys::Always => "as columns, unknown ones refused by the database".to_owned(),
        GraphqlSelectedKeys::UnlessUnknown(k) => format!(
            "as columns unless one is unknown{}{}{}",
            if k.objects { ", object subfields known" } else { "" },
            if k.relations { ", relations passed to the database" } else { "" },
            if k.auth_data_reads_all { ", none with authData" } else { "" },
        ),
        GraphqlSelectedKeys::Filtered => "all columns when one is unknown, no relation".to_owned(),
    },
    RelayBase64 => |v| match v {
        RelayBase64::NodeBuffer => "Node's Buffer (lenient)".to_owned(),
        RelayBase64::Strict => "graphql-relay's own (strict)".to_owned(),
    },
    GraphqlJs => |v| match v {
        GraphqlJs::V14 => "graphql-js 14".to_owned(),
        GraphqlJs::V15 => "graphql-js 15".to_owned(),
        GraphqlJs::V16 => "graphql-js 16".to_owned(),
    },
    MissingSessionMessage => |v| v.text().to_owned(),
    UnknownAuthProvider => |v| format!("{v:?}"),
    AppsRouter => |v| match v {
        AppsRouter::PublicApi => "PublicAPIRouter".to_owned(),
        AppsRouter::Pages => "PagesRouter".to_owned(),
    },
}

/// A struct of the version table, written once: each field's documentation, its mark (how a
/// change of it is judged) and its type; `facts()` lists them all, so `parse-compat diff`
/// reports exactly what the server runs on.
macro_rules! facts_table {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                [$kind:ident]
                pub $field:ident : $ty:ty,
            )*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $(
                $(#[doc = $doc])*
                pub $field: $ty,
            )*
        }

        impl $name {
            /// Every fact of this table, in its order, with this version's values.
            pub fn facts(&self) -> Vec<Fact> {
                let mut out = Vec::new();
                self.push_facts(String::new(), "", FactKind::Nested, &mut out);
                out
            }
        }

        impl FactValue for $name {
            fn push_facts(&self, prefix: String, _: &'static str, _: FactKind, out: &mut Vec<Fact>) {
                $(
                    let key = if prefix.is_empty() {
                        stringify!($field).to_owned()
                    } else {
                        format!("{prefix}.{}", stringify!($field))
                    };
                    self.$field.push_facts(
                        key,
                        concat!($($doc, "\n"),*),
                        FactKind::$kind,
                        out,
                    );
                )*
            }
        }
    };
}

/// The lowest and highest versions we answer for, as shown to users.
pub const SUPPORTED_RANGE: &str = "3.7.0 through 9.x";

/// A Parse Server version as the user wrote it (`4.4.0`, `4.4`, `9.10.0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ParseVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

/// Why a version string was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VersionError {
    #[error("`{0}` is not a version: expected x.y.z or x.y (for example 4.4.0)")]
    Malformed(String),
    #[error("Parse Server {0} is not supported: supported versions are {SUPPORTED_RANGE}")]
    Unsupported(String),
}

impl ParseVersion {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    pub const fn at_least(self, major: u32, minor: u32) -> bool {
        self.major > major || (self.major == major && self.minor >= minor)
    }
}

impl fmt::Display for ParseVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl FromStr for ParseVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let malformed = || VersionError::Malformed(s.to_owned());
        let trimmed = s.trim().trim_start_matches('v');
        let mut parts = trimmed.split('.');
        let mut next = |required: bool| -> Result<u32, VersionError> {
            match parts.next() {
                Some(p)
                    if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.len() <= 6 =>
                {
                    p.parse().map_err(|_| malformed())
                }
                None if !required => Ok(0),
                _ => Err(malformed()),
            }
        };
        let major = next(true)?;
        let minor = next(true)?;
        let patch = next(false)?;
        if parts.next().is_some() {
            return Err(malformed());
        }
        let v = ParseVersion::new(major, minor, patch);
        let supported = match major {
            3 => minor >= 7,
            4..=9 => true,
            _ => false,
        };
        if supported {
            Ok(v)
        } else {
            Err(VersionError::Unsupported(s.trim().to_owned()))
        }
    }
}

/// The shape of the GraphQL auth API: one juniper schema per generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiGeneration {
    /// 3.7: `users { signUp logIn logOut me }`, `logOut: Boolean!`.
    V3_7,
    /// 3.8: flat `signUp`/`logIn`/`logOut`/`viewer` returning `Viewer` with `objectId`.
    V3_8,
    /// 3.9: as 3.8, with `id` (the plain objectId).
    V3_9,
    /// 3.10: relay mutations, `signUp(input: {userFields})`, ACL `userId` plain.
    V3_10,
    /// 4.0 – 4.4: `fields`, `logInWith`, relay ACL ids, `LogOutPayload { viewer }`.
    V4_0,
    /// 4.5 – 4.x: `LogOutPayload { ok clientMutationId }`.
    V4_5,
    /// 5.x: as 4.5, with `confirmResetPassword`.
    V5,
    /// 6.x – 7.x: `LogInInput.authData`, `challenge`, `User.authDataResponse`, private users.
    V6,
    /// 8.x – 9.x: cloud config fields, redacted messages, "Permission denied".
    V8,
}

impl ApiGeneration {
    pub const ALL: [ApiGeneration; 9] = [
        Self::V3_7,
        Self::V3_8,
        Self::V3_9,
        Self::V3_10,
        Self::V4_0,
        Self::V4_5,
        Self::V5,
        Self::V6,
        Self::V8,
    ];

    /// The name used for `schemas/<name>.graphql` and in `parse-compat versions`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::V3_7 => "3.7",
            Self::V3_8 => "3.8",
            Self::V3_9 => "3.9",
            Self::V3_10 => "3.10",
            Self::V4_0 => "4.0-4.4",
            Self::V4_5 => "4.5-4.x",
            Self::V5 => "5.x",
            Self::V6 => "6.x-7.x",
            Self::V8 => "8.x-9.x",
        }
    }
}

/// The HTTP server stack in front of Parse's GraphQL schema: it decides the envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpStack {
    /// apollo-server-express 2 (3.x – 5.2).
    Apollo2,
    /// graphql-yoga 2 (5.3 – 6.x).
    Yoga,
    /// @apollo/server 4 on Express 4 (7.x).
    Apollo4,
    /// @apollo/server's express4 integration on Express 5 (8.x): no `req.body` for GET or
    /// non-JSON bodies.
    Apollo4OnExpress5,
    /// @apollo/server 5 with the Express 5 integration (9.x).
    Apollo5,
}

impl HttpStack {
    pub const fn name(self) -> &'static str {
        match self {
            Self::Apollo2 => "apollo-server-express 2",
            Self::Yoga => "graphql-yoga 2",
            Self::Apollo4 => "@apollo/server 4 (Express 4)",
            Self::Apollo4OnExpress5 => "@apollo/server 4 express4 integration on Express 5",
            Self::Apollo5 => "@apollo/server 5 (Express 5)",
        }
    }
}

/// The graphql-js major version, which decides validation and syntax error wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GraphqlJs {
    V14,
    V15,
    V16,
}

impl GraphqlJs {
    /// The major, as `parse-compat versions` prints it.
    pub const fn major(self) -> &'static str {
        match self {
            Self::V14 => "14",
            Self::V15 => "15",
            Self::V16 => "16",
        }
    }
}

/// Parse 8.x/9.x's `SchemaSuggestionsControlPlugin`: what a caller who may not introspect sees
/// (`crate::graphql::envelope::redact` applies it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redaction {
    /// Nothing is stripped (master key, or versions before the plugin).
    None,
    /// "Did you mean" hints and the required-input-field identifiers only.
    Suggestions,
    /// 9.x (9.10.0): as [`Self::Suggestions`], plus schema type names the caller did not write
    /// in the operation.
    SuggestionsAndTypes,
    /// 8.x (8.6.94, released after 9.10.0 with a newer plugin): as 9.x, but the type names
    /// every Parse schema has are kept (Parse's reserved type names and `ReadPreference`), and
    /// three more templates name types: an argument's parent type, and an enum's.
    SuggestionsTypesAndEnums,
}

/// Who may introspect the GraphQL schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphqlIntrospection {
    /// Anyone (up to 6.x).
    Open,
    /// Nobody, the master key included: Apollo Server's `NoIntrospection` validation rule,
    /// which Parse 7.x/8.x leave on under `NODE_ENV=production`.
    ApolloRule,
    /// The master key only: Parse 9's `IntrospectionControlPlugin` answers 403 "Introspection
    /// is not allowed" to a document with `__schema` anywhere in its text or a `__type` field
    /// with arguments.
    MasterOnly,
}

/// How Parse's GraphQL object queries (`user(id:)`, `node(id:)`, the finds) hand the selection
/// to the database as the `keys` to read: graphql-list-fields' paths through
/// `extractKeysAndInclude`, whose first names PostgreSQL reads as columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphqlSelectedKeys {
    /// 3.9 – 3.10: every selected name reaches the database, those of other types' fragments
    /// and of relations included, so PostgreSQL refuses one that is no column (`error: column
    /// "users" does not exist`).
    Always,
    /// 4.x: `needToGetAllKeys` reads every column instead when a key is not one it knows as
    /// the class's own; which keys it knows changed from release to release, and those it
    /// passes still reach PostgreSQL as they are.
    UnlessUnknown(KnownKeys),
    /// 5.0+: as 4.x, and the PostgreSQL adapter drops keys that are no column (relations),
    /// so the database never sees an unknown one.
    Filtered,
}

/// How graphql-relay's `unbase64` reads a global id or a cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayBase64 {
    /// graphql-relay 0.6 – 0.7 (Parse 3.10 – 5.2): Node's `Buffer.from(text, 'base64')`,
    /// which skips characters outside the alphabet (reading `-`/`_` as `+`/`/`) and stops at
    /// the first `=`.
    NodeBuffer,
    /// graphql-relay 0.8+ (Parse 5.3+): its own decoder, for which a character outside the
    /// alphabet or a short group makes the whole text empty.
    Strict,
}

/// Which keys 4.x's `needToGetAllKeys` takes as the class's own, besides a field without a
/// subfield and a pointer's field of the class it points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownKeys {
    /// A subfield of an `Object` or `Array` field (4.4+).
    pub objects: bool,
    /// Any key under a relation (4.5 and 4.10+): the relation's name then reaches
    /// PostgreSQL, which has no such column.
    pub relations: bool,
    /// A selection naming `authData` passes no keys at all (4.4+, not 4.6).
    pub auth_data_reads_all: bool,
}

/// How the `Upload` scalar of a Parse version takes a literal in a document (its
/// `parseLiteral`, called by graphql-js's `ValuesOfCorrectType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadLiteral {
    /// graphql-upload 8 (3.x – 4.1): a plain `Error("‘Upload’ scalar literal unsupported.")`,
    /// which graphql-js appends to its own message.
    PlainError,
    /// graphql-upload 11+ (4.2 – 5.2, 7.x+): a `GraphQLError("Upload literal unsupported.")`,
    /// reported as it is.
    GraphqlError,
    /// Parse's own `Upload` scalar (5.3 – 6.x) has no `parseLiteral`: every literal passes.
    Untyped,
}

/// What reads a `multipart/form-data` GraphQL request (the graphql-multipart-request spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MultipartReader {
    /// graphql-upload 8 on busboy 0.3 (3.7 – 3.9): a field over 1 MB is cut short.
    GraphqlUpload8,
    /// graphql-upload 9 – 11 on busboy 0.3 (3.10 – 5.2): a field over 1 MB is a 413.
    GraphqlUpload9,
    /// graphql-yoga 2's `FormData` (busboy 1) and `JSON.parse` (5.3 – 6.x).
    Yoga,
    /// graphql-upload 15 on busboy 1 (7.x+): a cut form is an error.
    GraphqlUpload15,
}

impl MultipartReader {
    pub const fn name(self) -> &'static str {
        match self {
            Self::GraphqlUpload8 => "graphql-upload 8",
            Self::GraphqlUpload9 => "graphql-upload 9-11",
            Self::Yoga => "graphql-yoga 2",
            Self::GraphqlUpload15 => "graphql-upload 15",
        }
    }
}

/// The page a `GET /graphql` that prefers HTML gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LandingPage {
    /// None: the operation runs (Apollo Server 2 has its playground off in Parse; Express 5
    /// under Apollo 4's express4 integration fails every GET first).
    None,
    /// graphql-yoga's GraphiQL page (5.3 – 6.x), for any `Accept` that names `text/html`.
    YogaGraphiql,
    /// Apollo Server's production landing page, which names the `@apollo/server` release.
    ApolloProduction(&'static str),
}

/// The graphql-js release a Parse version pins in its `package.json`: minors add introspection
/// fields and directives (`specifiedByUrl` 15.1, `@oneOf` 16.9, ...), some patches change the
/// lexer (14.5.5 refuses `1.2.3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GraphqlJsRelease {
    pub major: u8,
    pub minor: u8,
    pub patch: u8,
}

impl GraphqlJsRelease {
    pub const fn at_least(self, major: u8, minor: u8) -> bool {
        self.major > major || (self.major == major && self.minor >= minor)
    }

    pub const fn at_least_patch(self, major: u8, minor: u8, patch: u8) -> bool {
        self.major > major
            || (self.major == major
                && (self.minor > minor || (self.minor == minor && self.patch >= patch)))
    }

    /// The `graphql` dependency of each parse-server release (read from npm's registry for
    /// every release from 3.7.0 to 9.10.0); later versions keep the last one.
    fn of(v: ParseVersion) -> Self {
        let r = |major, minor, patch| Self {
            major,
            minor,
            patch,
        };
        let at = |a, b, c| v >= ParseVersion::new(a, b, c);
        match () {
            _ if at(9, 7, 0) => r(16, 13, 2),
            _ if at(8, 2, 1) => r(16, 11, 0),
            _ if at(8, 0, 1) => r(16, 10, 0),
            _ if at(8, 0, 0) => r(16, 9, 0),
            _ if at(7, 5, 3) => r(16, 11, 0),
            _ if at(7, 5, 2) => r(16, 10, 0),
            _ if at(7, 4, 0) => r(16, 9, 0),
            _ if at(6, 5, 0) => r(16, 8, 1),
            _ if at(6, 0, 0) => r(16, 6, 0),
            _ if at(5, 5, 6) => r(16, 8, 1),
            _ if at(5, 4, 0) => r(16, 6, 0),
            _ if at(5, 3, 0) => r(16, 5, 0),
            _ if at(5, 1, 0) => r(15, 7, 1),
            _ if at(5, 0, 0) => r(15, 6, 0),
            _ if at(4, 10, 6) => r(15, 5, 1),
            _ if at(4, 5, 2) => r(15, 4, 0),
            _ if at(4, 5, 1) => r(15, 5, 1),
            _ if at(4, 5, 0) => r(15, 4, 0),
            _ if at(4, 4, 0) => r(15, 3, 0),
            _ if at(4, 3, 0) => r(15, 1, 0),
            _ if at(4, 2, 0) => r(15, 0, 0),
            _ if at(4, 0, 0) => r(14, 6, 0),
            _ if at(3, 10, 0) => r(14, 5, 8),
            _ if at(3, 9, 0) => r(14, 5, 4),
            _ if at(3, 8, 0) => r(14, 5, 3),
            _ => r(14, 4, 2),
        }
    }

    pub const fn js(self) -> GraphqlJs {
        match self.major {
            0..=14 => GraphqlJs::V14,
            15 => GraphqlJs::V15,
            _ => GraphqlJs::V16,
        }
    }
}

/// The message Parse gives when a route needs a session and none was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingSessionMessage {
    /// "Invalid session token" (up to 7.x).
    InvalidSessionToken,
    /// "Permission denied" (from 8.0).
    PermissionDenied,
}

impl MissingSessionMessage {
    pub const fn text(self) -> &'static str {
        match self {
            Self::InvalidSessionToken => "Invalid session token",
            Self::PermissionDenied => "Permission denied",
        }
    }
}

/// What `_User` creation answers for `authData` naming a provider Parse has no adapter for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownAuthProvider {
    /// Up to 5.x: destructuring the missing adapter throws a `TypeError`: code 1
    /// "Internal server error".
    InternalError,
    /// 6.x: the same `TypeError`, reported with its message and code 141.
    ValidatorTypeError,
    /// 7.0+: 252 "This authentication method is unsupported.".
    Unsupported,
}

facts_table! {
/// Everything that depends on the pinned Parse version, resolved once at startup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Behavior {
    /// The Parse Server version.
    [Unreported]
    pub version: ParseVersion,
    /// The shape of the GraphQL auth API (see the schema changes).
    [Breaking]
    pub generation: ApiGeneration,
    /// The HTTP server stack in front of GraphQL, which decides the envelope of its answers.
    [Dangerous]
    pub stack: HttpStack,
    /// The graphql-js major, which words syntax and validation errors.
    [Dangerous]
    pub graphql_js: GraphqlJs,
    /// The graphql-js release Parse pins, whose introspection types and directives documents
    /// are validated against.
    [Unreported]
    pub graphql_js_release: GraphqlJsRelease,
    /// How the `Upload` scalar refuses a literal in a document.
    [Unreported]
    pub upload_literal: UploadLiteral,
    /// What reads a `multipart/form-data` GraphQL request, and its refusals.
    [Dangerous]
    pub multipart: MultipartReader,
    /// The page a GraphQL `GET` preferring HTML gets (7.x/9.x: the recorded `@apollo/server`).
    [Dangerous]
    pub landing_page: LandingPage,
    /// What GraphQL error messages hide from a caller without the master key (8.x/9.x).
    [Dangerous]
    pub graphql_redaction: Redaction,
    /// Who may introspect the GraphQL schema.
    [Breaking]
    pub graphql_introspection: GraphqlIntrospection,
    /// How GraphQL object queries pass their selection to the database as keys.
    [Dangerous]
    pub graphql_selected_keys: GraphqlSelectedKeys,
    /// GraphQL `where` operators are `_eq`, `_lt`, `_or`... and gets take `objectId:`
    /// (3.7 – 3.8); from 3.9 they are `equalTo`, `lessThan`, `OR`... and `id:`.
    [Breaking]
    pub graphql_underscored_operators: bool,
    /// GraphQL objects follow Relay (3.10+): `id` is a global id (an objectId is still
    /// accepted), finds answer connections, `ACL` is a typed object. Before, `id` is the
    /// objectId, finds answer `{ results, count }` and `ACL` is Parse's JSON.
    [Breaking]
    pub graphql_relay_objects: bool,
    /// Parse's query validation moves every condition beside an `$or` into each of its
    /// clauses (MongoDB's SERVER-13732 workaround, run for PostgreSQL too until 4.0 removed
    /// it): PostgreSQL then meets the `$or` clauses' own conditions first, and an empty clause
    /// gains the others.
    [Breaking]
    pub or_siblings_moved_into_clauses: bool,
    /// A `null` anywhere in a GraphQL `where` fails the find with an internal error (3.8+:
    /// the query transformer reads a property of every value); 3.7's transformer passes it
    /// over, so the REST find reads it as Parse's REST API does.
    [Breaking]
    pub graphql_null_in_where_fails: bool,
    /// How graphql-relay decodes a global id or a cursor.
    [Dangerous]
    pub graphql_relay_base64: RelayBase64,
    /// `X-Parse-Request-Id` is in Parse's CORS allow-headers list (4.3.0+).
    [Added]
    pub cors_request_id_header: bool,
    /// Username and email uniqueness ignores case (4.0.0+).
    [Dangerous]
    pub case_insensitive_identity: bool,
    /// `enforcePrivateUsers` defaults to true: a user's ACL has no public read (6.0+).
    [Breaking]
    pub private_users: bool,
    /// `allowClientClassCreation` defaults to false: without the master key, a query of a
    /// class that does not exist is refused, 119 "This user is not allowed to access
    /// non-existent class: X" (7.0+).
    [Breaking]
    pub client_class_creation_refused: bool,
    /// `GET /users/me` carries `"__type":"Object","className":"_User"` (up to 7.x).
    [Dangerous]
    pub users_me_has_class_fields: bool,
    /// Sessions carry `"restricted":false` (up to 4.x).
    [Dangerous]
    pub session_has_restricted: bool,
    /// `GET /sessions/me` bypasses the session middleware and answers
    /// "Session token not found." itself (7.0+).
    [Dangerous]
    pub sessions_me_own_lookup: bool,
    /// Message for a route that needs a session when none was sent.
    [Dangerous]
    pub missing_session: MissingSessionMessage,
    /// GraphQL `ACL.users[].userId` is the relay global id, not the plain objectId (4.2+).
    [Breaking]
    pub graphql_acl_relay_user_id: bool,
    /// GraphQL resolvers read the current user through the caller's `auth.user` (4.3+): master
    /// key + session on `viewer` (and 4.3–4.4 logOut without a user) crash with code 1.
    [Dangerous]
    pub graphql_user_from_caller_auth: bool,
    /// The GraphQL `confirmResetPassword` mutation exists (5.0+).
    [Added]
    pub graphql_confirm_reset_password: bool,
    /// `POST /loginAs` (a session for any user, master key only) exists (5.0+).
    [Added]
    pub login_as_route: bool,
    /// `POST /verifyPassword` exists beside `GET` (7.0+).
    [Added]
    pub verify_password_post: bool,
    /// `POST /challenge` exists (6.0+).
    [Added]
    pub challenge_route: bool,
    /// Permission errors a client gets (206 "Insufficient auth.", "Cannot modify user X.")
    /// say only "Permission denied" (8.0+, Parse's sanitized error responses).
    [Dangerous]
    pub sanitized_permission_errors: bool,
    /// body-parser 1.19 (up to 5.2): a body refused by `strict` is reported with a single
    /// masked character (`"#" is not valid JSON`); 1.20+ masks the whole body and puts it back.
    [Dangerous]
    pub strict_json_single_mask: bool,
    /// Every `authData` provider must carry an `id` (or be null), else 252 (up to 6.x; from
    /// 7.0 a provider without `id` is simply not looked up).
    [Dangerous]
    pub auth_data_id_required: bool,
    /// `authData: {}` counts as authData: no username or password needed, a new user with a
    /// random username is created (up to 7.x; from 8.0 it is "bad or missing username").
    [Breaking]
    pub empty_auth_data_creates_user: bool,
    /// `PUT /sessions/<id>` writes only the caller's own sessions (5.0+; before, any session,
    /// for any signed-in user).
    [Breaking]
    pub session_update_own_only: bool,
    /// Only the master key may constrain a `_User` query on a protected field such as `email`
    /// (a security fix of 5.2.5, backported to 4.10.14; before, anyone may, and the email is
    /// still not shown).
    [Breaking]
    pub email_query_protected: bool,
    /// The protected-field check of a `_User` query reads every key at every depth (`$or`,
    /// `$and`, `$nor`), whatever its value (GHSA-72hp-qff8-4pvv: 8.6.19 and 9.6.0, read in
    /// the npm packages of 8.6.0–8.6.20 and 9.0.0–9.8.0); before, only top-level keys with a
    /// truthy value. Recorded: 5.6.0 and 7.5.4 without, 8.6.94 and 9.10.0 with.
    [Breaking]
    pub protected_fields_checked_in_subqueries: bool,
    /// A non-master `_User` query sorted on a protected field (`email`) is refused, "This
    /// user is not allowed to sort by email on class _User" (8.6.32 and 9.6.0, read in the
    /// npm packages of 8.6.19–8.6.94 and 9.5.1–9.6.0); before, the sort reads the hidden
    /// value. Recorded: 9.10.0.
    [Breaking]
    pub protected_fields_checked_in_sorts: bool,
    /// The GraphQL schema shows the columns Parse's PostgreSQL adapter adds to the cached
    /// class schemas it reads (`_rperm`, `_wperm`, `_hashed_password`, `_password_history`):
    /// the single schema cache of 5.0 hands its objects to the adapter (`store::class_reads`;
    /// 3.x/4.x cache copies). Asked of real 4.4.0, 5.6.0, 6.0.0, 6.5.11, 7.0.0, 7.5.4,
    /// 8.6.94 and 9.10.0.
    [Dangerous]
    pub graphql_schema_shows_read_columns: bool,
    /// `GET /users/me` reads the user again as the caller, loading its roles (8.6.61+,
    /// 9.6.0+: read in the npm packages of 8.6.60/8.6.61 and 9.5.1/9.6.0).
    [Dangerous]
    pub users_me_reads_as_caller: bool,
    /// A query whose `where` names a column the class does not have matches nothing (the
    /// PostgreSQL adapter swallows the missing-column error, 9.7.0: read in the npm packages
    /// of 9.6.1 and 9.7.0); before, the page's query fails (500) and so does a count alone
    /// (500 "Internal server error."). Asked of real Parse 3.8.0, 5.6.0, 8.6.94, 9.10.0.
    [Dangerous]
    pub missing_column_matches_nothing: bool,
    /// A count with the master key and no `where` reads PostgreSQL's estimate
    /// (`pg_class.reltuples`); from 5.0 the estimate of a table never analysed (-1 since
    /// PostgreSQL 14) is answered as 0, before as -1 (Parse's Postgres 14 support, 5.0.0).
    /// Recorded: 3.7.2–4.5.2 answer -1, 5.6.0–9.10.0 answer 0.
    [Dangerous]
    pub unanalysed_count_estimate_is_zero: bool,
    /// A user's own email shows in a `_User` query with a `where` (3.8+, whose
    /// `filterSensitiveData` spares the caller's own object; 3.7 hides it).
    [Dangerous]
    pub own_email_in_where_queries: bool,
    /// Login and `verifyPassword` inside `/batch` work (4.4+; before, reading the missing
    /// `req.query` throws a TypeError).
    [Added]
    pub batch_login_guards_query: bool,
    /// `PUT /sessions/<id>` refusing `user`, `installationId` or `sessionToken` says
    /// "Invalid key name: X" (9.0+; before, a 105 with no message at all).
    [Dangerous]
    pub session_key_refusal_named: bool,
    /// A sign-up made with the master key gets no session (9.0+).
    [Breaking]
    pub master_signup_without_session: bool,
    /// A duplicate objectId set by an update is Parse's 137 (8.0+; before, PostgreSQL's error
    /// went uncaught).
    [Dangerous]
    pub duplicate_value_error: bool,
    /// A `where` that is not JSON is 107 "where parameter is not valid JSON" (9.0+; before,
    /// `JSON.parse` threw: uncaught).
    [Dangerous]
    pub where_json_checked: bool,
    /// A sign-up with `authData: null` is 252 "This authentication method is unsupported."
    /// (4.4+; 3.x takes it as no authData).
    [Breaking]
    pub auth_data_null_refused: bool,
    /// A master-key query skips the key-name check, so `{"$x":1}` reaches PostgreSQL and
    /// fails uncaught (5.x–7.x; before and after, 105 "Invalid key name").
    [Dangerous]
    pub master_query_skips_key_check: bool,
    /// A query that fails in PostgreSQL on a missing column answers no results instead of an
    /// error (9.0+).
    [Dangerous]
    pub query_errors_swallowed: bool,
    /// A class's default permissions in `/schemas` begin with `"ACL": {"*": {"read": true,
    /// "write": true}}` (8.0+).
    [Dangerous]
    pub schema_clp_has_acl: bool,
    /// The session a password change issues has no `createdWith` (9.0+; before,
    /// `{"action": "signup", "authProvider": "password"}`).
    [Dangerous]
    pub password_change_session_bare: bool,
    /// `className` and `length` are not field names (4.5+).
    [Breaking]
    pub reserved_field_names: bool,
    /// A client's `emailVerified` is refused before the schema is checked (6.3+; before, after
    /// it, in `transformUser`).
    [Dangerous]
    pub restricted_fields_first: bool,
    /// The answer for an `authData` provider without adapter.
    [Dangerous]
    pub unknown_auth_provider: UnknownAuthProvider,
    /// Apollo Server 2 reports a variable whose value does not coerce ("got invalid value")
    /// as `BAD_USER_INPUT` (apollo-server-core 2.14+, what 3.9 – 5.2 install; 3.7 and 3.8 pin
    /// older cores that say `INTERNAL_SERVER_ERROR` for every variable error).
    [Dangerous]
    pub apollo2_bad_user_input: bool,
    /// Apollo Server 2 parses a `variables` string even when it is empty, so `""` is 400
    /// "Variables are invalid JSON." (the cores of 3.7 and 3.8; later cores pass `""` on to
    /// graphql-js, which refuses it as not an object).
    [Dangerous]
    pub apollo2_empty_variables_parsed: bool,
    /// Parse's e-mail flows (verification, password reset, the pages under `/apps`).
    [Nested]
    pub email: EmailBehavior,
}
}

/// Which router answers the links and forms under `<mount>/apps/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppsRouter {
    /// `PublicAPIRouter`: links redirect (302) to static pages (3.x – 8.x).
    PublicApi,
    /// `PagesRouter`: links answer the rendered page (200), forms redirect with 303 (9.0+).
    Pages,
}

facts_table! {
/// What Parse's e-mail flows do in one version (fixtures/user-email/FINDINGS.md and
/// BOUNDARIES.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmailBehavior {
    /// The router of the pages and forms under `/apps`.
    [Breaking]
    pub router: AppsRouter,
    /// Links carry `&username=` and the user is found by username and token (up to 7.x);
    /// from 8.0 the token alone names the user.
    [Breaking]
    pub links_name_username: bool,
    /// `/verificationEmailRequest` answers `{}` for an unknown or already verified address
    /// (`emailVerifySuccessOnInvalidEmail`: 8.6.34+ and 9.6+).
    [Dangerous]
    pub verify_request_hides_outcome: bool,
    /// The resend form goes to its success page for them too (8.6.51+ and 9.6+).
    [Dangerous]
    pub resend_form_hides_outcome: bool,
    /// The 9.x page files exist (9.0 – 9.2 shipped none: every page is 404 `Not found.`).
    [Added]
    pub pages_shipped: bool,
    /// A GraphQL signUp that gets no session (preventLoginWithUnverifiedEmail) fails with
    /// "Permission denied" (8.5+) rather than "Invalid session token".
    [Dangerous]
    pub signup_session_error_sanitized: bool,
    /// `emailVerifyTokenReuseIfValid` and `passwordPolicy.resetTokenReuseIfValid` exist.
    [Added]
    pub token_reuse_options: bool,
    /// `emailVerifyTokenReuseIfValid` has no effect (6.x: the lookup cannot see the token).
    [Dangerous]
    pub verify_token_reuse_broken: bool,
    /// `accountLockout.unlockOnPasswordReset` exists.
    [Added]
    pub unlock_on_password_reset: bool,
    /// A master-key read of a user (get or query) shows its internal columns: tokens and
    /// their expiries, failed logins, lockout, password history (up to 5.x).
    [Dangerous]
    pub master_sees_internal_fields: bool,
    /// The link sent after a PUT changes the email says `username=undefined` (6.3 – 6.5).
    [Dangerous]
    pub email_change_link_username_undefined: bool,
    /// The static pages say `charset=UTF-8` (up to 7.x; `utf-8` from 8.0).
    [Dangerous]
    pub pages_charset_upper: bool,
    /// Start-up refusals in 8.5's words ("The option publicServerURL is required.").
    [Dangerous]
    pub option_messages_v8: bool,
    /// `emailVerifyTokenReuseIfValid` without `emailVerifyTokenValidityDuration` is refused.
    [Dangerous]
    pub reuse_requires_duration: bool,
    /// `passwordPolicy.resetPasswordSuccessOnInvalidEmail` exists (6.1+): `false` makes a
    /// reset request for an unknown address fail with 101.
    [Added]
    pub reset_success_option: bool,
    /// `preventSignupWithUnverifiedEmail` exists (6.3+).
    [Added]
    pub prevent_signup_option: bool,
}
}

impl EmailBehavior {
    fn of(v: ParseVersion) -> Self {
        let since = |major, minor, patch| v >= ParseVersion::new(major, minor, patch);
        // From 8.5 the 8.x and 9.x lines took fixes separately (BOUNDARIES.md).
        let in_8_since = |patch| v.major == 8 && since(8, 6, patch);
        Self {
            router: if v.at_least(9, 0) {
                AppsRouter::Pages
            } else {
                AppsRouter::PublicApi
            },
            pages_shipped: !(v.major == 9 && v.minor < 3),
            links_name_username: !v.at_least(8, 0),
            verify_request_hides_outcome: in_8_since(34) || v.at_least(9, 6),
            resend_form_hides_outcome: in_8_since(51) || v.at_least(9, 6),
            token_reuse_options: v.at_least(4, 5),
            verify_token_reuse_broken: v.major == 6,
            unlock_on_password_reset: v.at_least(5, 0),
            master_sees_internal_fields: !v.at_least(6, 0),
            email_change_link_username_undefined: v.major == 6 && v.minor >= 3,
            pages_charset_upper: !v.at_least(8, 0),
            option_messages_v8: v.at_least(8, 5),
            reuse_requires_duration: v.at_least(4, 5),
            signup_session_error_sanitized: v.at_least(8, 5),
            reset_success_option: v.at_least(6, 1),
            prevent_signup_option: v.at_least(6, 3),
        }
    }
}

impl Behavior {
    /// What `parse-compat versions` notes of a version beside its generation and stack.
    pub fn notes(&self) -> Vec<&'static str> {
        let mut notes = Vec::new();
        if self.private_users {
            notes.push("private users");
        }
        if self.session_has_restricted {
            notes.push("sessions.restricted");
        }
        if self.sessions_me_own_lookup {
            notes.push("'Session token not found.'");
        }
        match self.missing_session {
            MissingSessionMessage::PermissionDenied => notes.push("'Permission denied'"),
            MissingSessionMessage::InvalidSessionToken => {}
        }
        notes
    }

    /// The message of a permission error as this version shows it to a client.
    pub fn permission_message(&self, message: String) -> String {
        if self.sanitized_permission_errors {
            "Permission denied".to_owned()
        } else {
            message
        }
    }

    /// THE table: what a Parse version does.
    pub fn of(version: ParseVersion) -> Self {
        let v = version;
        let generation = match (v.major, v.minor) {
            (3, 7) => ApiGeneration::V3_7,
            (3, 8) => ApiGeneration::V3_8,
            (3, 9) => ApiGeneration::V3_9,
            (3, _) => ApiGeneration::V3_10,
            (4, 0..=4) => ApiGeneration::V4_0,
            (4, _) => ApiGeneration::V4_5,
            (5, _) => ApiGeneration::V5,
            (6 | 7, _) => ApiGeneration::V6,
            (_, _) => ApiGeneration::V8,
        };
        let stack = match v.major {
            0..=4 => HttpStack::Apollo2,
            5 if v.minor <= 2 => HttpStack::Apollo2,
            5 | 6 => HttpStack::Yoga,
            7 => HttpStack::Apollo4,
            8 => HttpStack::Apollo4OnExpress5,
            _ => HttpStack::Apollo5,
        };
        let graphql_js_release = GraphqlJsRelease::of(v);
        let graphql_js = graphql_js_release.js();
        Behavior {
            version,
            generation,
            stack,
            graphql_js,
            graphql_js_release,
            upload_literal: if !v.at_least(4, 2) {
                UploadLiteral::PlainError
            } else if v.at_least(5, 3) && !v.at_least(7, 0) {
                UploadLiteral::Untyped
            } else {
                UploadLiteral::GraphqlError
            },
            multipart: match stack {
                HttpStack::Apollo2 if !v.at_least(3, 10) => MultipartReader::GraphqlUpload8,
                HttpStack::Apollo2 => MultipartReader::GraphqlUpload9,
                HttpStack::Yoga => MultipartReader::Yoga,
                HttpStack::Apollo4 | HttpStack::Apollo4OnExpress5 | HttpStack::Apollo5 => {
                    MultipartReader::GraphqlUpload15
                }
            },
            landing_page: match stack {
                HttpStack::Apollo2 | HttpStack::Apollo4OnExpress5 => LandingPage::None,
                HttpStack::Yoga => LandingPage::YogaGraphiql,
                HttpStack::Apollo4 => LandingPage::ApolloProduction("@apollo/server@4.12.1"),
                HttpStack::Apollo5 => LandingPage::ApolloProduction("@apollo/server@5.5.0"),
            },
            graphql_redaction: match v.major {
                0..=7 => Redaction::None,
                8 => Redaction::SuggestionsTypesAndEnums,
                _ => Redaction::SuggestionsAndTypes,
            },
            graphql_introspection: match v.major {
                0..=6 => GraphqlIntrospection::Open,
                7 | 8 => GraphqlIntrospection::ApolloRule,
                _ => GraphqlIntrospection::MasterOnly,
            },
            // Read from objectsQueries.js, parseGraphQLUtils.js and the PostgreSQL adapter at
            // each tag (4.6.0 was cut from a branch without 4.5's changes).
            graphql_selected_keys: {
                let known = |objects, relations, auth_data_reads_all| {
                    GraphqlSelectedKeys::UnlessUnknown(KnownKeys {
                        objects,
                        relations,
                        auth_data_reads_all,
                    })
                };
                match (v.major, v.minor) {
                    (0..=3, _) => GraphqlSelectedKeys::Always,
                    (4, 0..=3) => known(false, false, false),
                    (4, 4) => known(true, false, true),
                    (4, 5) => known(true, true, true),
                    (4, 6) => known(true, false, false),
                    (4, 7..=9) => known(true, false, true),
                    (4, _) => known(true, true, true),
                    _ => GraphqlSelectedKeys::Filtered,
                }
            },
            graphql_underscored_operators: !v.at_least(3, 9),
            graphql_relay_objects: v.at_least(3, 10),
            graphql_null_in_where_fails: v.at_least(3, 8),
            or_siblings_moved_into_clauses: !v.at_least(4, 0),
            graphql_relay_base64: if v.at_least(5, 3) {
                RelayBase64::Strict
            } else {
                RelayBase64::NodeBuffer
            },
            cors_request_id_header: v.at_least(4, 3),
            case_insensitive_identity: v.at_least(4, 0),
            private_users: v.at_least(6, 0),
            client_class_creation_refused: v.at_least(7, 0),
            users_me_has_class_fields: !v.at_least(8, 0),
            session_has_restricted: !v.at_least(5, 0),
            sessions_me_own_lookup: v.at_least(7, 0),
            missing_session: if v.at_least(8, 0) {
                MissingSessionMessage::PermissionDenied
            } else {
                MissingSessionMessage::InvalidSessionToken
            },
            graphql_acl_relay_user_id: v.at_least(4, 2),
            graphql_user_from_caller_auth: v.at_least(4, 3),
            graphql_confirm_reset_password: v.at_least(5, 0),
            login_as_route: v.at_least(5, 0),
            verify_password_post: v.at_least(7, 0),
            challenge_route: v.at_least(6, 0),
            sanitized_permission_errors: v.at_least(8, 0),
            strict_json_single_mask: !v.at_least(5, 3),
            auth_data_id_required: !v.at_least(7, 0),
            empty_auth_data_creates_user: !v.at_least(8, 0),
            apollo2_bad_user_input: v.at_least(3, 9),
            apollo2_empty_variables_parsed: !v.at_least(3, 9),
            reserved_field_names: v.at_least(4, 5),
            password_change_session_bare: v.at_least(9, 0),
            schema_clp_has_acl: v.at_least(8, 0),
            query_errors_swallowed: v.at_least(9, 0),
            auth_data_null_refused: v.at_least(4, 4),
            master_query_skips_key_check: v.at_least(5, 0) && !v.at_least(8, 0),
            session_key_refusal_named: v.at_least(9, 0),
            master_signup_without_session: v.at_least(9, 0),
            duplicate_value_error: v.at_least(8, 0),
            where_json_checked: v.at_least(9, 0),
            batch_login_guards_query: v.at_least(4, 4),
            email_query_protected: v >= ParseVersion::new(5, 2, 5)
                || (v.major == 4 && v >= ParseVersion::new(4, 10, 14)),
            protected_fields_checked_in_subqueries: (v.major == 8
                && v >= ParseVersion::new(8, 6, 19))
                || v >= ParseVersion::new(9, 6, 0),
            protected_fields_checked_in_sorts: (v.major == 8 && v >= ParseVersion::new(8, 6, 32))
                || v >= ParseVersion::new(9, 6, 0),
            graphql_schema_shows_read_columns: v.at_least(5, 0),
            users_me_reads_as_caller: (v.major == 8 && v >= ParseVersion::new(8, 6, 61))
                || v >= ParseVersion::new(9, 6, 0),
            missing_column_matches_nothing: v >= ParseVersion::new(9, 7, 0),
            unanalysed_count_estimate_is_zero: v.at_least(5, 0),
            own_email_in_where_queries: v.at_least(3, 8),
            session_update_own_only: v.at_least(5, 0),
            restricted_fields_first: v.at_least(6, 3),
            unknown_auth_provider: if v.at_least(7, 0) {
                UnknownAuthProvider::Unsupported
            } else if v.at_least(6, 0) {
                UnknownAuthProvider::ValidatorTypeError
            } else {
                UnknownAuthProvider::InternalError
            },
            email: EmailBehavior::of(v),
        }
    }

    /// Parse and resolve a version string in one step.
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        s.parse().map(Self::of)
    }
}

/// Rows for `parse-compat versions`: a range of versions and what they resolve to.
pub fn table() -> Vec<(&'static str, Behavior)> {
    [
        ("3.7.x", "3.7.2"),
        ("3.8.x", "3.8.0"),
        ("3.9.x", "3.9.0"),
        ("3.10.x", "3.10.0"),
        ("4.0 - 4.2", "4.2.0"),
        ("4.3 - 4.4", "4.4.0"),
        ("4.5 - 4.x", "4.5.2"),
        ("5.0 - 5.2", "5.2.0"),
        ("5.3 - 5.x", "5.6.0"),
        ("6.x", "6.5.11"),
        ("7.x", "7.5.4"),
        ("8.x", "8.6.94"),
        ("9.x", "9.10.0"),
    ]
    .into_iter()
    .map(|(range, example)| {
        let behavior = Behavior::parse(example).expect("table versions are supported");
        (range, behavior)
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_full_and_short_forms() {
        assert_eq!(
            "4.4.0".parse::<ParseVersion>(),
            Ok(ParseVersion::new(4, 4, 0))
        );
        assert_eq!(
            "4.4".parse::<ParseVersion>(),
            Ok(ParseVersion::new(4, 4, 0))
        );
        assert_eq!(
            "9.10.0".parse::<ParseVersion>(),
            Ok(ParseVersion::new(9, 10, 0))
        );
    }

    #[test]
    fn refuses_outside_the_range() {
        for v in ["3.6.0", "2.8.4", "10.0.0", "0.1"] {
            assert!(matches!(
                v.parse::<ParseVersion>(),
                Err(VersionError::Unsupported(_))
            ));
        }
        for v in ["", "4", "4.x", "4.4.0.1", "a.b.c", "4..0", "-4.4.0"] {
            assert!(
                matches!(v.parse::<ParseVersion>(), Err(VersionError::Malformed(_))),
                "{v}"
            );
        }
    }

    #[test]
    fn recorded_versions_resolve_as_findings_say() {
        let b = |s| Behavior::parse(s).unwrap();
        assert_eq!(b("3.7.2").generation, ApiGeneration::V3_7);
        assert_eq!(b("4.4.0").generation, ApiGeneration::V4_0);
        assert_eq!(b("4.5.2").generation, ApiGeneration::V4_5);
        // confirmResetPassword makes 5.x a generation of its own, with its own schema file.
        assert_eq!(b("5.0.0").generation, ApiGeneration::V5);
        assert_eq!(b("7.5.4").graphql_redaction, Redaction::None);
        assert_eq!(
            b("8.6.94").graphql_redaction,
            Redaction::SuggestionsTypesAndEnums
        );
        assert_eq!(
            b("9.10.0").graphql_redaction,
            Redaction::SuggestionsAndTypes
        );
        assert_eq!(
            b("6.5.11").graphql_introspection,
            GraphqlIntrospection::Open
        );
        assert_eq!(
            b("7.5.4").graphql_introspection,
            GraphqlIntrospection::ApolloRule
        );
        assert_eq!(
            b("9.10.0").graphql_introspection,
            GraphqlIntrospection::MasterOnly
        );
        assert_eq!(b("5.6.0").generation.name(), "5.x");
        assert_eq!(b("5.6.0").stack, HttpStack::Yoga);
        assert_eq!(b("5.2.0").stack, HttpStack::Apollo2);
        assert_eq!(b("8.6.94").stack, HttpStack::Apollo4OnExpress5);
        assert!(!b("4.2.0").cors_request_id_header);
        assert!(b("4.4.0").cors_request_id_header);
        assert!(b("4.5.2").session_has_restricted);
        assert!(!b("5.6.0").session_has_restricted);
        assert!(!b("6.5.11").client_class_creation_refused);
        assert!(b("7.5.4").client_class_creation_refused);
        assert_eq!(
            b("3.10.0").graphql_selected_keys,
            GraphqlSelectedKeys::Always
        );
        assert_eq!(
            b("4.5.2").graphql_selected_keys,
            GraphqlSelectedKeys::UnlessUnknown(KnownKeys {
                objects: true,
                relations: true,
                auth_data_reads_all: true
            })
        );
        assert_eq!(
            b("5.6.0").graphql_selected_keys,
            GraphqlSelectedKeys::Filtered
        );
        assert!(b("7.5.4").users_me_has_class_fields);
        assert!(!b("8.6.94").users_me_has_class_fields);
        assert_eq!(
            b("8.6.94").missing_session,
            MissingSessionMessage::PermissionDenied
        );
        assert!(b("6.5.11").private_users && !b("5.6.0").private_users);
        assert!(b("7.5.4").sessions_me_own_lookup && !b("6.5.11").sessions_me_own_lookup);
    }
}

#[cfg(test)]
mod fact_tests {
    use super::*;

    #[test]
    fn every_field_of_the_table_is_a_fact() {
        let facts = Behavior::parse("9.10.0").unwrap().facts();
        let keys: Vec<&str> = facts.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys.first(), Some(&"version"));
        assert!(keys.contains(&"private_users"));
        assert!(keys.contains(&"email.router"));
        assert!(
            facts.iter().all(|f| !f.description.is_empty()),
            "{facts:#?}"
        );
        let private = facts.iter().find(|f| f.key == "private_users").unwrap();
        assert_eq!(private.value, "yes");
        assert!(
            private
                .description
                .starts_with("`enforcePrivateUsers` defaults to true")
        );
    }

    #[test]
    fn gaining_a_route_is_safe_and_losing_it_breaks() {
        let old = Behavior::parse("4.4.0").unwrap().facts();
        let new = Behavior::parse("5.6.0").unwrap().facts();
        let pick = |facts: &[Fact], key: &str| facts.iter().find(|f| f.key == key).unwrap().clone();
        let (a, b) = (pick(&old, "login_as_route"), pick(&new, "login_as_route"));
        assert_eq!(a.change_criticality(&b), Some(Criticality::Safe));
        assert_eq!(b.change_criticality(&a), Some(Criticality::Breaking));
        let (a, b) = (pick(&old, "version"), pick(&new, "version"));
        assert_eq!(a.change_criticality(&b), None);
    }
}
