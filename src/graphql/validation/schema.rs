//! A pinned version's whole GraphQL schema as graphql-js holds it: every type of the real SDL
//! Parse printed on a fresh database (`fixtures/schema/`), graphql-js's introspection types
//! and directives of the release Parse pins (`assets/graphql-js/`), and the built-in scalars
//! the schema references. Documents are judged against this, not against the part of it
//! parse-compat executes.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use graphql_parser::schema::{self as sdl, Definition, TypeDefinition};

use crate::graphql::envelope::schema_info::TypeRef;
use crate::version::{Behavior, GraphqlJsRelease, ParseVersion};

/// The real SDL of each recorded version, in version order.
pub const RECORDED_SDL: [(&str, &str); 12] = [
    (
        "3.7.2",
        include_str!("../../../fixtures/schema/3.7.2.graphql"),
    ),
    (
        "3.8.0",
        include_str!("../../../fixtures/schema/3.8.0.graphql"),
    ),
    (
        "3.9.0",
        include_str!("../../../fixtures/schema/3.9.0.graphql"),
    ),
    (
        "3.10.0",
        include_str!("../../../fixtures/schema/3.10.0.graphql"),
    ),
    (
        "4.2.0",
        include_str!("../../../fixtures/schema/4.2.0.graphql"),
    ),
    (
        "4.4.0",
        include_str!("../../../fixtures/schema/4.4.0.graphql"),
    ),
    (
        "4.5.2",
        include_str!("../../../fixtures/schema/4.5.2.graphql"),
    ),
    (
        "5.6.0",
        include_str!("../../../fixtures/schema/5.6.0.graphql"),
    ),
    (
        "6.5.11",
        include_str!("../../../fixtures/schema/6.5.11.graphql"),
    ),
    (
        "7.5.4",
        include_str!("../../../fixtures/schema/7.5.4.graphql"),
    ),
    (
        "8.6.94",
        include_str!("../../../fixtures/schema/8.6.94.graphql"),
    ),
    (
        "9.10.0",
        include_str!("../../../fixtures/schema/9.10.0.graphql"),
    ),
];

/// The type map order of each recorded version's real schema (`Object.keys(schema.getTypeMap())`,
/// recorded by `scripts/graphql-validate/record.cjs`): graphql-js 14 keeps "Did you mean"
/// ties in this order, and 3.x's SDL is printed sorted.
const TYPE_ORDER: [(&str, &str); 12] = [
    (
        "3.7.2",
        include_str!("../../../fixtures/graphql-validate/3.7.2.types"),
    ),
    (
        "3.8.0",
        include_str!("../../../fixtures/graphql-validate/3.8.0.types"),
    ),
    (
        "3.9.0",
        include_str!("../../../fixtures/graphql-validate/3.9.0.types"),
    ),
    (
        "3.10.0",
        include_str!("../../../fixtures/graphql-validate/3.10.0.types"),
    ),
    (
        "4.2.0",
        include_str!("../../../fixtures/graphql-validate/4.2.0.types"),
    ),
    (
        "4.4.0",
        include_str!("../../../fixtures/graphql-validate/4.4.0.types"),
    ),
    (
        "4.5.2",
        include_str!("../../../fixtures/graphql-validate/4.5.2.types"),
    ),
    (
        "5.6.0",
        include_str!("../../../fixtures/graphql-validate/5.6.0.types"),
    ),
    (
        "6.5.11",
        include_str!("../../../fixtures/graphql-validate/6.5.11.types"),
    ),
    (
        "7.5.4",
        include_str!("../../../fixtures/graphql-validate/7.5.4.types"),
    ),
    (
        "8.6.94",
        include_str!("../../../fixtures/graphql-validate/8.6.94.types"),
    ),
    (
        "9.10.0",
        include_str!("../../../fixtures/graphql-validate/9.10.0.types"),
    ),
];

/// `printIntrospectionSchema` of each graphql-js release Parse pinned (introspection types and
/// specified directives).
const INTROSPECTION: [((u8, u8), &str); 8] = [
    (
        (14, 4),
        include_str!("../../../assets/graphql-js/14.4.2.graphql"),
    ),
    (
        (14, 5),
        include_str!("../../../assets/graphql-js/14.5.8.graphql"),
    ),
    (
        (15, 0),
        include_str!("../../../assets/graphql-js/15.0.0.graphql"),
    ),
    (
        (15, 3),
        include_str!("../../../assets/graphql-js/15.3.0.graphql"),
    ),
    (
        (15, 4),
        include_str!("../../../assets/graphql-js/15.4.0.graphql"),
    ),
    (
        (16, 8),
        include_str!("../../../assets/graphql-js/16.8.1.graphql"),
    ),
    (
        (16, 11),
        include_str!("../../../assets/graphql-js/16.11.0.graphql"),
    ),
    (
        (16, 13),
        include_str!("../../../assets/graphql-js/16.13.2.graphql"),
    ),
];

/// The recorded SDL that stands for a version: a recorded version of the same API generation,
/// the latest one not after it (else the first of that generation).
pub fn sdl_for(behavior: &Behavior) -> (&'static str, &'static str) {
    let same: Vec<(&str, &str)> = RECORDED_SDL
        .iter()
        .copied()
        .filter(|(v, _)| Behavior::parse(v).is_ok_and(|b| b.generation == behavior.generation))
        .collect();
    let parsed = |v: &str| v.parse::<ParseVersion>().ok();
    same.iter()
        .rev()
        .find(|(v, _)| parsed(v).is_some_and(|r| r <= behavior.version))
        .or_else(|| same.first())
        .copied()
        .unwrap_or(RECORDED_SDL[RECORDED_SDL.len() - 1])
}

/// The introspection SDL of the closest graphql-js release not after `release`.
fn introspection_for(release: GraphqlJsRelease) -> &'static str {
    INTROSPECTION
        .iter()
        .rev()
        .find(|((major, minor), _)| {
            *major == release.major && *minor <= release.minor || *major < release.major
        })
        .map_or(INTROSPECTION[0].1, |(_, text)| text)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Scalar,
    Object,
    Interface,
    Union,
    Enum,
    InputObject,
}

#[derive(Debug, Clone)]
pub struct InputValue {
    pub name: String,
    pub ty: TypeRef,
    pub has_default: bool,
}

#[derive(Debug, Clone)]
pub struct FieldDef {
    pub name: String,
    pub args: Vec<InputValue>,
    pub ty: TypeRef,
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    pub kind: Kind,
    /// Object and interface fields, in definition order.
    pub fields: Vec<FieldDef>,
    /// Input object fields, in definition order.
    pub input_fields: Vec<InputValue>,
    /// Objects: the interfaces they implement. Unions: their members.
    pub interfaces: Vec<String>,
    pub members: Vec<String>,
    pub enum_values: Vec<String>,
}

impl TypeDef {
    fn new(name: &str, kind: Kind) -> Self {
        Self {
            name: name.to_owned(),
            kind,
            fields: Vec::new(),
            input_fields: Vec::new(),
            interfaces: Vec::new(),
            members: Vec::new(),
            enum_values: Vec::new(),
        }
    }

    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn input_field(&self, name: &str) -> Option<&InputValue> {
        self.input_fields.iter().find(|f| f.name == name)
    }

    pub const fn is_composite(&self) -> bool {
        matches!(self.kind, Kind::Object | Kind::Interface | Kind::Union)
    }

    pub const fn is_abstract(&self) -> bool {
        matches!(self.kind, Kind::Interface | Kind::Union)
    }

    pub const fn is_leaf(&self) -> bool {
        matches!(self.kind, Kind::Scalar | Kind::Enum)
    }

    pub const fn is_input(&self) -> bool {
        matches!(self.kind, Kind::Scalar | Kind::Enum | Kind::InputObject)
    }

    pub const fn is_output(&self) -> bool {
        !matches!(self.kind, Kind::InputObject)
    }
}

#[derive(Debug, Clone)]
pub struct DirectiveDef {
    pub name: String,
    pub args: Vec<InputValue>,
    pub locations: Vec<String>,
    pub repeatable: bool,
}

/// One version's schema.
#[derive(Debug, Default)]
pub struct SchemaModel {
    /// Every type, in graphql-js's type-map order as far as the SDL keeps it.
    pub types: Vec<TypeDef>,
    index: HashMap<String, usize>,
    pub directives: Vec<DirectiveDef>,
    pub query: String,
    pub mutation: Option<String>,
    pub subscription: Option<String>,
    /// Interface (or union) name → the object types that implement it, in type-map order.
    possible: HashMap<String, Vec<String>>,
}

fn type_ref(t: &sdl::Type<'_, String>) -> TypeRef {
    match t {
        sdl::Type::NamedType(n) => TypeRef::Named(n.clone()),
        sdl::Type::ListType(inner) => TypeRef::List(Box::new(type_ref(inner))),
        sdl::Type::NonNullType(inner) => TypeRef::NonNull(Box::new(type_ref(inner))),
    }
}

fn input_values(values: &[sdl::InputValue<'_, String>]) -> Vec<InputValue> {
    values
        .iter()
        .map(|v| InputValue {
            name: v.name.clone(),
            ty: type_ref(&v.value_type),
            has_default: v.default_value.is_some(),
        })
        .collect()
}

const BUILT_IN_SCALARS: [&str; 5] = ["String", "Boolean", "Int", "Float", "ID"];

impl SchemaModel {
    /// The schema of a pinned version (built once per version and shared).
    pub fn for_behavior(behavior: &Behavior) -> Arc<SchemaModel> {
        type Models = HashMap<(String, GraphqlJsRelease), Arc<SchemaModel>>;
        static CACHE: OnceLock<parking_lot::Mutex<Models>> = OnceLock::new();
        let (recorded, text) = sdl_for(behavior);
        let key = (recorded.to_owned(), behavior.graphql_js_release);
        let cache = CACHE.get_or_init(Default::default);
        if let Some(hit) = cache.lock().get(&key) {
            return Arc::clone(hit);
        }
        let order = TYPE_ORDER
            .iter()
            .find(|(v, _)| *v == recorded)
            .map(|(_, o)| *o);
        let model = Arc::new(
            Self::build(text, introspection_for(behavior.graphql_js_release), order)
                .unwrap_or_else(|e| {
                    tracing::error!(error = %e, "the recorded schema did not parse");
                    SchemaModel::default()
                }),
        );
        cache.lock().insert(key, Arc::clone(&model));
        model
    }

    /// Build from a schema's SDL and graphql-js's introspection SDL, with the types in
    /// `type_order` (one name per line) when given.
    pub fn build(
        schema_sdl: &str,
        introspection_sdl: &str,
        type_order: Option<&str>,
    ) -> Result<SchemaModel, String> {
        let mut model = SchemaModel {
            query: "Query".into(),
            ..SchemaModel::default()
        };
        let schema = sdl::parse_schema::<String>(schema_sdl).map_err(|e| e.to_string())?;
        let intro = sdl::parse_schema::<String>(introspection_sdl).map_err(|e| e.to_string())?;
        let mut roots_given = false;
        // The introspection SDL's own `schema { query: Q }` is not Parse's.
        let intro_defs = intro
            .definitions
            .iter()
            .filter(|d| !matches!(d, Definition::SchemaDefinition(_)));
        for def in schema.definitions.iter().chain(intro_defs) {
            match def {
                Definition::SchemaDefinition(s) if !roots_given => {
                    roots_given = true;
                    if let Some(q) = &s.query {
                        model.query = q.clone();
                    }
                    model.mutation = s.mutation.clone();
                    model.subscription = s.subscription.clone();
                }
                Definition::SchemaDefinition(_) => {}
                Definition::TypeDefinition(t) => model.add_type(t),
                Definition::DirectiveDefinition(d) => model.directives.push(DirectiveDef {
                    name: d.name.clone(),
                    args: input_values(&d.arguments),
                    locations: d.locations.iter().map(|l| l.as_str().to_owned()).collect(),
                    repeatable: d.repeatable,
                }),
                Definition::TypeExtension(_) => {}
            }
        }
        if !roots_given {
            if model.index.contains_key("Mutation") {
                model.mutation = Some("Mutation".into());
            }
            if model.index.contains_key("Subscription") {
                model.subscription = Some("Subscription".into());
            }
        }
        // The built-in scalars graphql-js holds: String and Boolean always (introspection uses
        // them), the others when something references them.
        let mut referenced = std::collections::HashSet::new();
        for t in &model.types {
            for f in &t.fields {
                referenced.insert(f.ty.named().to_owned());
                for a in &f.args {
                    referenced.insert(a.ty.named().to_owned());
                }
            }
            for f in &t.input_fields {
                referenced.insert(f.ty.named().to_owned());
            }
        }
        for d in &model.directives {
            for a in &d.args {
                referenced.insert(a.ty.named().to_owned());
            }
        }
        for name in BUILT_IN_SCALARS {
            if !model.index.contains_key(name)
                && (referenced.contains(name) || name == "String" || name == "Boolean")
            {
                model.add(TypeDef::new(name, Kind::Scalar));
            }
        }
        if let Some(order) = type_order {
            let rank: HashMap<&str, usize> = order
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .enumerate()
                .map(|(i, n)| (n, i))
                .collect();
            // A stable sort: types the order does not name keep their place after the others.
            model
                .types
                .sort_by_key(|t| rank.get(t.name.as_str()).copied().unwrap_or(usize::MAX));
            model.index = model
                .types
                .iter()
                .enumerate()
                .map(|(i, t)| (t.name.clone(), i))
                .collect();
        }
        for t in &model.types {
            match t.kind {
                Kind::Object => {
                    for i in &t.interfaces {
                        model
                            .possible
                            .entry(i.clone())
                            .or_default()
                            .push(t.name.clone());
                    }
                }
                Kind::Union => {
                    model.possible.insert(t.name.clone(), t.members.clone());
                }
                _ => {}
            }
        }
        Ok(model)
    }

    fn add(&mut self, t: TypeDef) {
        self.index.insert(t.name.clone(), self.types.len());
        self.types.push(t);
    }

    fn add_type(&mut self, t: &TypeDefinition<'_, String>) {
        let def = match t {
            TypeDefinition::Scalar(s) => TypeDef::new(&s.name, Kind::Scalar),
            TypeDefinition::Object(o) => {
                let mut d = TypeDef::new(&o.name, Kind::Object);
                d.interfaces = o.implements_interfaces.clone();
                d.fields = o
                    .fields
                    .iter()
                    .map(|f| FieldDef {
                        name: f.name.clone(),
                        args: input_values(&f.arguments),
                        ty: type_ref(&f.field_type),
                    })
                    .collect();
                d
            }
            TypeDefinition::Interface(o) => {
                let mut d = TypeDef::new(&o.name, Kind::Interface);
                d.interfaces = o.implements_interfaces.clone();
                d.fields = o
                    .fields
                    .iter()
                    .map(|f| FieldDef {
                        name: f.name.clone(),
                        args: input_values(&f.arguments),
                        ty: type_ref(&f.field_type),
                    })
                    .collect();
                d
            }
            TypeDefinition::Union(u) => {
                let mut d = TypeDef::new(&u.name, Kind::Union);
                d.members = u.types.clone();
                d
            }
            TypeDefinition::Enum(e) => {
                let mut d = TypeDef::new(&e.name, Kind::Enum);
                d.enum_values = e.values.iter().map(|v| v.name.clone()).collect();
                d
            }
            TypeDefinition::InputObject(i) => {
                let mut d = TypeDef::new(&i.name, Kind::InputObject);
                d.input_fields = input_values(&i.fields);
                d
            }
        };
        if !self.index.contains_key(&def.name) {
            self.add(def);
        }
    }

    pub fn get(&self, name: &str) -> Option<&TypeDef> {
        self.index.get(name).map(|&i| &self.types[i])
    }

    pub fn directive(&self, name: &str) -> Option<&DirectiveDef> {
        self.directives.iter().find(|d| d.name == name)
    }

    /// The named type of a reference, when the schema has it.
    pub fn named(&self, t: &TypeRef) -> Option<&TypeDef> {
        self.get(t.named())
    }

    /// The object types an abstract type can be (graphql-js `getPossibleTypes`).
    pub fn possible_types(&self, abstract_name: &str) -> &[String] {
        self.possible
            .get(abstract_name)
            .map_or(&[], |v| v.as_slice())
    }

    /// graphql-js `isSubType(abstractType, maybeSubType)`.
    pub fn is_sub_type(&self, abstract_name: &str, maybe_sub: &str) -> bool {
        if self
            .possible_types(abstract_name)
            .iter()
            .any(|p| p == maybe_sub)
        {
            return true;
        }
        // Interfaces implementing the interface (graphql-js 15+).
        self.get(maybe_sub).is_some_and(|t| {
            t.kind == Kind::Interface && t.interfaces.iter().any(|i| i == abstract_name)
        })
    }

    /// The root type of an operation kind.
    pub fn root(&self, kind: crate::graphql::envelope::document::OperationKind) -> Option<&str> {
        use crate::graphql::envelope::document::OperationKind as K;
        match kind {
            K::Query => Some(self.query.as_str()),
            K::Mutation => self.mutation.as_deref(),
            K::Subscription => self.subscription.as_deref(),
        }
    }

    /// graphql-js `getFieldDef`: the meta fields first, then the type's own.
    pub fn field_def<'a>(&'a self, parent: &'a TypeDef, name: &str) -> Option<FieldRef<'a>> {
        if name == "__typename" && parent.is_composite() {
            return Some(FieldRef::Typename);
        }
        if parent.name == self.query {
            if name == "__schema" {
                return Some(FieldRef::Schema);
            }
            if name == "__type" {
                return Some(FieldRef::Type);
            }
        }
        match parent.kind {
            Kind::Object | Kind::Interface => parent.field(name).map(FieldRef::Def),
            _ => None,
        }
    }
}

/// A field definition, or one of graphql-js's meta fields.
#[derive(Debug, Clone, Copy)]
pub enum FieldRef<'a> {
    Def(&'a FieldDef),
    Typename,
    Schema,
    Type,
}

/// `__type(name: String!)`'s argument.
static TYPE_ARGS: OnceLock<Vec<InputValue>> = OnceLock::new();

impl<'a> FieldRef<'a> {
    pub fn name(&self) -> &'a str {
        match self {
            Self::Def(d) => &d.name,
            Self::Typename => "__typename",
            Self::Schema => "__schema",
            Self::Type => "__type",
        }
    }

    pub fn ty(&self) -> TypeRef {
        match self {
            Self::Def(d) => d.ty.clone(),
            Self::Typename => TypeRef::NonNull(Box::new(TypeRef::Named("String".into()))),
            Self::Schema => TypeRef::NonNull(Box::new(TypeRef::Named("__Schema".into()))),
            Self::Type => TypeRef::Named("__Type".into()),
        }
    }

    pub fn args(&self) -> &'a [InputValue] {
        match self {
            Self::Def(d) => &d.args,
            Self::Type => TYPE_ARGS.get_or_init(|| {
                vec![InputValue {
                    name: "name".into(),
                    ty: TypeRef::NonNull(Box::new(TypeRef::Named("String".into()))),
                    has_default: false,
                }]
            }),
            Self::Typename | Self::Schema => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(v: &str) -> Arc<SchemaModel> {
        SchemaModel::for_behavior(&Behavior::parse(v).unwrap())
    }

    #[test]
    fn every_recorded_schema_builds_with_its_graphql_js() {
        for (v, _) in RECORDED_SDL {
            let m = model(v);
            assert!(m.get("Query").is_some(), "{v}");
            assert!(m.get("__Schema").is_some(), "{v}");
            assert!(m.directive("include").is_some(), "{v}");
            assert!(
                m.get("String").is_some() && m.get("Boolean").is_some(),
                "{v}"
            );
        }
        // @oneOf arrived in graphql-js 16.9 (Parse 7.4.0).
        assert!(model("6.5.11").directive("oneOf").is_none());
        assert!(model("9.10.0").directive("oneOf").is_some());
        // The default classes are there, not just the auth API.
        assert!(model("9.10.0").get("Role").is_some());
        assert!(model("3.7.2").get("_RoleClass").is_some());
    }

    #[test]
    fn built_in_scalars_exist_only_when_referenced() {
        let m = model("9.10.0");
        assert!(m.get("Int").is_some());
        assert!(m.get("ID").is_some());
    }

    #[test]
    fn possible_types_follow_the_type_map() {
        let m = model("9.10.0");
        let node = m.possible_types("Node");
        assert!(node.iter().any(|t| t == "User"), "{node:?}");
        assert!(m.is_sub_type("Node", "Role"));
    }
}
