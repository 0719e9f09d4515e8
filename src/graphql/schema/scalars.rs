//! Parse's custom scalars: `Date` (an ISO-8601 string) and `Object` (any JSON object).

use juniper::{
    ArcStr, Executor, FieldError, FromInputValue, GraphQLScalar, GraphQLValue, InputValue,
    ScalarValue, Selection, Spanning, ToInputValue, Value,
};
use serde_json::Map;

use super::object_literals;
use crate::store::iso_millis;

/// A date, given out as Parse's ISO-8601 UTC string with milliseconds.
#[derive(Debug, Clone, PartialEq, GraphQLScalar)]
#[graphql(
    name = "Date",
    to_output_with = Self::as_str,
    from_input_with = Self::from_input,
    parse_token(String)
)]
pub struct Date(String);

impl Date {
    pub fn from_millis(millis: i64) -> Self {
        Self(iso_millis(millis))
    }

    fn as_str(&self) -> &str {
        &self.0
    }

    fn from_input(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// Parse's `Object` scalar: a JSON object, in and out.
///
/// juniper refuses object literals (and object variables) for scalars, so requests reach us
/// with every value in an `Object` position swapped for a placeholder name
/// ([`object_literals`]); this type reads the value back from there.
#[derive(Debug, Clone, PartialEq, GraphQLScalar)]
#[graphql(name = "Object", transparent, parse_token(String))]
pub struct Object(pub Json);

impl Object {
    pub fn new(map: Map<String, serde_json::Value>) -> Self {
        Self(Json(serde_json::Value::Object(map)))
    }

    pub fn into_map(self) -> Option<Map<String, serde_json::Value>> {
        match self.0.0 {
            serde_json::Value::Object(map) => Some(map),
            _ => None,
        }
    }
}

/// A JSON value as juniper output and input, the inside of [`Object`].
#[derive(Debug, Clone, PartialEq)]
pub struct Json(pub serde_json::Value);

impl<S: ScalarValue> GraphQLValue<S> for Json {
    type Context = ();
    type TypeInfo = ();

    fn type_name(&self, _info: &()) -> Option<ArcStr> {
        Some(juniper::arcstr::literal!("Object"))
    }

    fn resolve(
        &self,
        _info: &(),
        _selection: Option<&[Selection<S>]>,
        _executor: &Executor<(), S>,
    ) -> juniper::ExecutionResult<S> {
        Ok(json_to_value(&self.0))
    }
}

impl<S: ScalarValue> ToInputValue<S> for Json {
    fn to_input_value(&self) -> InputValue<S> {
        json_to_input(&self.0)
    }
}

impl<S: ScalarValue> FromInputValue<S> for Json {
    type Error = FieldError<S>;

    fn from_input_value(v: &InputValue<S>) -> Result<Self, Self::Error> {
        match v {
            InputValue::Enum(name) => match object_literals::take(name) {
                Some(value) => Ok(Self(value)),
                None => Err(FieldError::from(format!("{name} is not a valid Object"))),
            },
            InputValue::Object(_) => Ok(Self(input_to_json(v))),
            other => Err(FieldError::from(format!("{other} is not a valid Object"))),
        }
    }
}

/// JSON into juniper's output value (numbers that fit stay integers, as in JavaScript).
pub fn json_to_value<S: ScalarValue>(v: &serde_json::Value) -> Value<S> {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Scalar(S::from(*b)),
        serde_json::Value::Number(n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) => Value::Scalar(S::from(i)),
            None => Value::Scalar(S::from(n.as_f64().unwrap_or(0.0))),
        },
        serde_json::Value::String(s) => Value::Scalar(S::from(s.clone())),
        serde_json::Value::Array(items) => Value::List(items.iter().map(json_to_value).collect()),
        serde_json::Value::Object(map) => {
            let mut out = juniper::Object::with_capacity(map.len());
            for (k, v) in map {
                out.add_field(k.as_str(), json_to_value(v));
            }
            Value::Object(out)
        }
    }
}

fn json_to_input<S: ScalarValue>(v: &serde_json::Value) -> InputValue<S> {
    match v {
        serde_json::Value::Object(map) => InputValue::Object(
            map.iter()
                .map(|(k, v)| {
                    (
                        Spanning::unlocated(k.clone()),
                        Spanning::unlocated(json_to_input(v)),
                    )
                })
                .collect(),
        ),
        serde_json::Value::Array(items) => {
            InputValue::list(items.iter().map(json_to_input).collect())
        }
        serde_json::Value::Null => InputValue::Null,
        serde_json::Value::Bool(b) => InputValue::scalar(*b),
        serde_json::Value::Number(n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) => InputValue::scalar(i),
            None => InputValue::scalar(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) => InputValue::scalar(s.clone()),
    }
}

/// A GraphQL input value (literal or variable) as the JSON Parse would receive.
pub fn input_to_json<S: ScalarValue>(v: &InputValue<S>) -> serde_json::Value {
    match v {
        InputValue::Null | InputValue::Variable(_) => serde_json::Value::Null,
        InputValue::Scalar(s) => {
            if let Some(b) = s.try_to_bool() {
                serde_json::Value::Bool(b)
            } else if let Some(i) = s.try_to_int() {
                serde_json::Value::from(i)
            } else if let Some(f) = s.try_to_float() {
                serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, Into::into)
            } else {
                serde_json::Value::String(s.to_string())
            }
        }
        InputValue::Enum(name) => serde_json::Value::String(name.clone()),
        InputValue::List(items) => {
            serde_json::Value::Array(items.iter().map(|i| input_to_json(&i.item)).collect())
        }
        InputValue::Object(fields) => serde_json::Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.item.clone(), input_to_json(&v.item)))
                .collect(),
        ),
    }
}
