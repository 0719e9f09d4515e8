//! The schemas' contracts: each one's SDL equals its golden file (`schemas/<name>.graphql`,
//! regenerate with `UPDATE_SCHEMAS=1`), and the auth part of each recorded Parse version's
//! real SDL (`fixtures/schema/<v>.graphql`) equals ours, type for type, descriptions aside.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;

use graphql_parser::schema::{
    Definition, Document, Field, InputValue, TypeDefinition, parse_schema,
};
use parse_compat::graphql::schema::Schema;
use parse_compat::version::Behavior;

/// One version per schema we build.
const SCHEMA_VERSIONS: [&str; 9] = [
    "3.7.0", "3.8.0", "3.9.0", "3.10.0", "4.0.0", "4.5.0", "5.0.0", "6.0.0", "8.0.0",
];

/// The versions recorded from real Parse servers.
const RECORDED: [&str; 12] = [
    "3.7.2", "3.8.0", "3.9.0", "3.10.0", "4.2.0", "4.4.0", "4.5.2", "5.6.0", "6.5.11", "7.5.4",
    "8.6.94", "9.10.0",
];

/// The root fields of the auth API. `users` only counts as 3.7's namespace.
const AUTH_ROOT_FIELDS: [&str; 11] = [
    "health",
    "viewer",
    "users",
    "signUp",
    "logIn",
    "logInWith",
    "logOut",
    "resetPassword",
    "confirmResetPassword",
    "sendVerificationEmail",
    "challenge",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema_of(version: &str) -> Schema {
    Schema::for_behavior(&Behavior::parse(version).expect("supported version"))
}

#[test]
fn every_schema_matches_its_golden_sdl() {
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for version in SCHEMA_VERSIONS {
        let schema = schema_of(version);
        let path = root()
            .join("schemas")
            .join(format!("{}.graphql", schema.name()));
        let sdl = schema.sdl();
        if update {
            std::fs::write(&path, &sdl).expect("write golden schema");
            continue;
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_default();
        if golden != sdl {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "schemas differ from their golden files (run with UPDATE_SCHEMAS=1 and review): {stale:?}"
    );
}

#[test]
fn the_auth_part_of_every_recorded_version_matches_the_real_sdl() {
    let mut failures = Vec::new();
    for version in RECORDED {
        let real_text = std::fs::read_to_string(
            root()
                .join("fixtures/schema")
                .join(format!("{version}.graphql")),
        )
        .expect("recorded SDL");
        let real = auth_part(&parse_schema::<String>(&real_text).expect("real SDL parses"));
        let ours_text = schema_of(version).sdl();
        let ours = auth_part(&parse_schema::<String>(&ours_text).expect("our SDL parses"));
        let diff = compare(&real, &ours);
        if !diff.is_empty() {
            failures.push(format!("{version}:\n  {}", diff.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "auth SDL differs:\n{}",
        failures.join("\n")
    );
}

/// The auth part of a schema: each reachable type printed without descriptions, by name.
type AuthPart = BTreeMap<String, String>;

fn auth_part(doc: &Document<'_, String>) -> AuthPart {
    let mut types = BTreeMap::new();
    let (mut query, mut mutation) = ("Query".to_owned(), "Mutation".to_owned());
    for def in &doc.definitions {
        match def {
            Definition::TypeDefinition(t) => {
                types.insert(type_name(t).to_owned(), t);
            }
            Definition::SchemaDefinition(s) => {
                if let Some(q) = &s.query {
                    query.clone_from(q);
                }
                if let Some(m) = &s.mutation {
                    mutation.clone_from(m);
                }
            }
            Definition::TypeExtension(_) | Definition::DirectiveDefinition(_) => {}
        }
    }
    let mut out = AuthPart::new();
    let mut queue = VecDeque::new();
    for (label, root) in [("query", &query), ("mutation", &mutation)] {
        let Some(TypeDefinition::Object(obj)) = types.get(root.as_str()) else {
            continue;
        };
        let fields: Vec<&Field<'_, String>> = obj
            .fields
            .iter()
            .filter(|f| AUTH_ROOT_FIELDS.contains(&f.name.as_str()))
            .filter(|f| f.name != "users" || named(&f.field_type).starts_with("Users"))
            .collect();
        out.insert(
            format!("<{label} root>"),
            fields
                .iter()
                .map(|f| field_line(f))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        for f in fields {
            queue.push_back(named(&f.field_type).to_owned());
            queue.extend(f.arguments.iter().map(|a| named(&a.value_type).to_owned()));
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(name) = queue.pop_front() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some(t) = types.get(name.as_str()) else {
            continue; // a built-in scalar
        };
        let (text, refs) = print_type(t);
        out.insert(name, text);
        queue.extend(refs);
    }
    out
}

fn type_name<'a>(t: &'a TypeDefinition<'_, String>) -> &'a str {
    match t {
        TypeDefinition::Scalar(s) => &s.name,
        TypeDefinition::Object(o) => &o.name,
        TypeDefinition::Interface(i) => &i.name,
        TypeDefinition::Union(u) => &u.name,
        TypeDefinition::Enum(e) => &e.name,
        TypeDefinition::InputObject(i) => &i.name,
    }
}

fn named<'a>(t: &'a graphql_parser::schema::Type<'_, String>) -> &'a str {
    use graphql_parser::schema::Type;
    match t {
        Type::NamedType(n) => n,
        Type::ListType(inner) | Type::NonNullType(inner) => named(inner),
    }
}

fn input_line(v: &InputValue<'_, String>) -> String {
    match &v.default_value {
        Some(d) => format!("{}: {} = {d}", v.name, v.value_type),
        None => format!("{}: {}", v.name, v.value_type),
    }
}

fn field_line(f: &Field<'_, String>) -> String {
    if f.arguments.is_empty() {
        format!("{}: {}", f.name, f.field_type)
    } else {
        let args: Vec<String> = f.arguments.iter().map(input_line).collect();
        format!("{}({}): {}", f.name, args.join(", "), f.field_type)
    }
}

/// A type without descriptions, and the types it names. Interfaces are printed but not
/// followed to their other implementations.
fn print_type(t: &TypeDefinition<'_, String>) -> (String, Vec<String>) {
    let mut refs = Vec::new();
    let fields = |fields: &[Field<'_, String>], refs: &mut Vec<String>| -> Vec<String> {
        fields
            .iter()
            .map(|f| {
                refs.push(named(&f.field_type).to_owned());
                refs.extend(f.arguments.iter().map(|a| named(&a.value_type).to_owned()));
                field_line(f)
            })
            .collect()
    };
    let text = match t {
        TypeDefinition::Scalar(s) => format!("scalar {}", s.name),
        TypeDefinition::Object(o) => {
            refs.extend(o.implements_interfaces.iter().cloned());
            format!(
                "type {} implements [{}] {{ {} }}",
                o.name,
                o.implements_interfaces.join(" & "),
                fields(&o.fields, &mut refs).join("; ")
            )
        }
        TypeDefinition::Interface(i) => format!(
            "interface {} {{ {} }}",
            i.name,
            fields(&i.fields, &mut refs).join("; ")
        ),
        TypeDefinition::Union(u) => {
            refs.extend(u.types.iter().cloned());
            format!("union {} = {}", u.name, u.types.join(" | "))
        }
        TypeDefinition::Enum(e) => format!(
            "enum {} {{ {} }}",
            e.name,
            e.values
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        ),
        TypeDefinition::InputObject(i) => {
            refs.extend(i.fields.iter().map(|f| named(&f.value_type).to_owned()));
            format!(
                "input {} {{ {} }}",
                i.name,
                i.fields
                    .iter()
                    .map(input_line)
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        }
    };
    (text, refs)
}

fn compare(real: &AuthPart, ours: &AuthPart) -> Vec<String> {
    let mut diff = Vec::new();
    for (name, text) in real {
        match ours.get(name) {
            None => diff.push(format!("missing {name}: {text}")),
            Some(o) if o != text => diff.push(format!("{name}\n    real: {text}\n    ours: {o}")),
            Some(_) => {}
        }
    }
    for (name, text) in ours {
        if !real.contains_key(name) {
            diff.push(format!("extra {name}: {text}"));
        }
    }
    diff
}
