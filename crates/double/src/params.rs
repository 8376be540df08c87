//! A request's parameters once the transport is peeled off ([`Input`]: JSON, form, query and
//! multipart all become one JSON object plus uploaded files) and the Bot API error answer
//! ([`ApiFailure`]). Accessors are lenient the way the Bot API is (numbers may come as
//! strings, objects as JSON text) and never panic: a bad value is a 400.

use std::collections::HashMap;

use axum::body::Bytes;
use serde_json::{Map, Value};

use super::record::{ReplyField, ReplyTo};

/// An error answer: `{"ok":false,"error_code":…,"description":…,"parameters":…}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiFailure {
    pub code: u16,
    pub description: String,
    pub retry_after: Option<u64>,
}

impl ApiFailure {
    pub(crate) fn new(code: u16, description: impl Into<String>) -> Self {
        ApiFailure {
            code,
            description: description.into(),
            retry_after: None,
        }
    }

    pub(crate) fn bad_request(description: impl Into<String>) -> Self {
        ApiFailure::new(400, description)
    }

    pub(crate) fn not_found() -> Self {
        ApiFailure::new(404, "Not Found")
    }

    pub(crate) fn retry_after(seconds: u64) -> Self {
        ApiFailure {
            code: 429,
            description: format!("Too Many Requests: retry after {seconds}"),
            retry_after: Some(seconds),
        }
    }

    /// The response body.
    pub(crate) fn to_json(&self) -> Vec<u8> {
        let mut body = Map::new();
        body.insert("ok".into(), Value::Bool(false));
        body.insert("error_code".into(), Value::from(self.code));
        body.insert("description".into(), Value::from(self.description.as_str()));
        if let Some(seconds) = self.retry_after {
            let mut parameters = Map::new();
            parameters.insert("retry_after".into(), Value::from(seconds));
            body.insert("parameters".into(), Value::Object(parameters));
        }
        serde_json::to_vec(&Value::Object(body)).unwrap_or_default()
    }
}

/// An uploaded multipart file part.
#[derive(Clone, Debug)]
pub(crate) struct FilePart {
    pub file_name: Option<String>,
    pub mime_type: Option<String>,
    pub bytes: Bytes,
}

/// A file parameter once resolved: uploaded bytes, or a `file_id`/URL reference.
#[derive(Clone, Debug)]
pub(crate) enum FileArg {
    Upload(FilePart),
    Reference(String),
}

/// One request's parameters.
#[derive(Debug, Default)]
pub(crate) struct Input {
    pub params: Map<String, Value>,
    pub files: HashMap<String, FilePart>,
}

impl Input {
    /// A parameter as an integer (JSON number or decimal string).
    pub(crate) fn i64(&self, key: &str) -> Result<Option<i64>, ApiFailure> {
        match self.params.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                        .map(|f| f as i64)
                })
                .map(Some)
                .ok_or_else(|| invalid(key)),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| invalid(key)),
            Some(_) => Err(invalid(key)),
        }
    }

    /// A parameter as text (strings as they are, numbers and booleans written out).
    pub(crate) fn text(&self, key: &str) -> Result<Option<String>, ApiFailure> {
        match self.params.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => Ok(Some(v.to_string())),
            Some(_) => Err(invalid(key)),
        }
    }

    /// A parameter as a boolean (`true`/`false`, also as strings; absent is `false`).
    pub(crate) fn flag(&self, key: &str) -> Result<bool, ApiFailure> {
        match self.params.get(key) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) => match s.trim() {
                "true" | "True" | "1" => Ok(true),
                "false" | "False" | "0" | "" => Ok(false),
                _ => Err(invalid(key)),
            },
            Some(Value::Number(n)) => Ok(n.as_f64().is_some_and(|f| f != 0.0)),
            Some(_) => Err(invalid(key)),
        }
    }

    /// A parameter that is a JSON object or array (itself, or as JSON text as in multipart).
    pub(crate) fn json(&self, key: &str) -> Result<Option<Value>, ApiFailure> {
        match self.params.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v @ (Value::Object(_) | Value::Array(_))) => Ok(Some(v.clone())),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                Ok(v @ (Value::Object(_) | Value::Array(_))) => Ok(Some(v)),
                _ => Err(ApiFailure::bad_request(format!(
                    "Bad Request: can't parse {key} JSON object"
                ))),
            },
            Some(_) => Err(ApiFailure::bad_request(format!(
                "Bad Request: can't parse {key} JSON object"
            ))),
        }
    }

    /// The `chat_id`, required. A `@username` is not known to the double.
    pub(crate) fn chat_id(&self) -> Result<i64, ApiFailure> {
        self.chat_id_of("chat_id")
    }

    /// A chat id parameter, required.
    pub(crate) fn chat_id_of(&self, key: &str) -> Result<i64, ApiFailure> {
        match self.params.get(key) {
            None | Some(Value::Null) => Err(ApiFailure::bad_request(format!(
                "Bad Request: {key} is empty"
            ))),
            Some(Value::String(s)) if s.trim().is_empty() => Err(ApiFailure::bad_request(format!(
                "Bad Request: {key} is empty"
            ))),
            Some(Value::String(s)) if s.trim_start().starts_with('@') => {
                Err(ApiFailure::bad_request("Bad Request: chat not found"))
            }
            _ => match self.i64(key) {
                Ok(Some(id)) => Ok(id),
                _ => Err(ApiFailure::bad_request("Bad Request: chat not found")),
            },
        }
    }

    /// The `chat_id` for the call record, if it reads as a number.
    pub(crate) fn chat_id_for_record(&self) -> Option<i64> {
        self.i64("chat_id").ok().flatten()
    }

    /// A required `message_id`-like parameter.
    pub(crate) fn required_i64(&self, key: &str, missing: &str) -> Result<i64, ApiFailure> {
        self.i64(key)?
            .ok_or_else(|| ApiFailure::bad_request(missing))
    }

    /// The reply target: `reply_parameters.message_id`, else `reply_to_message_id`; and
    /// whether sending without the replied message is allowed.
    pub(crate) fn reply_to(&self) -> Result<(Option<ReplyTo>, bool), ApiFailure> {
        let mut allow_missing = self.flag("allow_sending_without_reply")?;
        if let Some(parameters) = self.json("reply_parameters")? {
            let message_id = parameters.get("message_id").and_then(number);
            let Some(message_id) = message_id else {
                return Err(ApiFailure::bad_request(
                    "Bad Request: message to be replied not found",
                ));
            };
            if parameters
                .get("allow_sending_without_reply")
                .and_then(Value::as_bool)
                == Some(true)
            {
                allow_missing = true;
            }
            return Ok((
                Some(ReplyTo {
                    message_id,
                    via: ReplyField::ReplyParameters,
                }),
                allow_missing,
            ));
        }
        let reply = self.i64("reply_to_message_id")?.map(|message_id| ReplyTo {
            message_id,
            via: ReplyField::ReplyToMessageId,
        });
        Ok((reply, allow_missing))
    }

    /// A file parameter (`document`, `photo`): an uploaded part named like the parameter, a
    /// part named by an `attach://NAME` value, or a `file_id`/URL string.
    pub(crate) fn file(&self, key: &str) -> Option<FileArg> {
        if let Some(part) = self.files.get(key) {
            return Some(FileArg::Upload(part.clone()));
        }
        match self.params.get(key) {
            Some(Value::String(s)) => match s.strip_prefix("attach://") {
                Some(name) => self.files.get(name).cloned().map(FileArg::Upload),
                None if s.is_empty() => None,
                None => Some(FileArg::Reference(s.clone())),
            },
            _ => None,
        }
    }

    /// The parameters as recorded: uploaded parts appear as `{file_name, mime_type, size}`
    /// under the parameter that names them (or under their own part name).
    pub(crate) fn into_record(self) -> Value {
        let Input { mut params, files } = self;
        let mut claimed: Vec<&str> = Vec::new();
        for value in params.values_mut() {
            let part = value
                .as_str()
                .and_then(|s| s.strip_prefix("attach://"))
                .and_then(|name| files.get_key_value(name));
            if let Some((name, part)) = part {
                claimed.push(name.as_str());
                *value = file_meta(part);
            }
        }
        for (name, part) in &files {
            if !claimed.contains(&name.as_str()) {
                params.insert(name.clone(), file_meta(part));
            }
        }
        Value::Object(params)
    }
}

fn file_meta(part: &FilePart) -> Value {
    let mut meta = Map::new();
    meta.insert(
        "file_name".into(),
        part.file_name.clone().map_or(Value::Null, Value::String),
    );
    meta.insert(
        "mime_type".into(),
        part.mime_type.clone().map_or(Value::Null, Value::String),
    );
    meta.insert("size".into(), Value::from(part.bytes.len()));
    Value::Object(meta)
}

fn number(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn invalid(key: &str) -> ApiFailure {
    ApiFailure::bad_request(format!("Bad Request: invalid {key} specified"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(v: Value) -> Input {
        match v {
            Value::Object(params) => Input {
                params,
                files: HashMap::new(),
            },
            _ => Input::default(),
        }
    }

    #[test]
    fn numbers_may_come_as_strings_and_bad_ones_are_400s() {
        let i = input(json!({"a": "42", "b": 7, "c": [1], "d": "x", "e": 1.5}));
        assert_eq!(i.i64("a"), Ok(Some(42)));
        assert_eq!(i.i64("b"), Ok(Some(7)));
        assert_eq!(i.i64("z"), Ok(None));
        for key in ["c", "d", "e"] {
            assert_eq!(i.i64(key).map_err(|f| f.code), Err(400), "{key}");
        }
    }

    #[test]
    fn chat_ids_by_username_are_unknown() {
        assert_eq!(
            input(json!({"chat_id": "@chan"}))
                .chat_id()
                .map_err(|f| f.description),
            Err("Bad Request: chat not found".to_owned())
        );
        assert_eq!(
            input(json!({})).chat_id().map_err(|f| f.description),
            Err("Bad Request: chat_id is empty".to_owned())
        );
        assert_eq!(input(json!({"chat_id": "-100"})).chat_id(), Ok(-100));
    }

    #[test]
    fn reply_targets_come_from_either_field() {
        let (reply, _) = input(json!({"reply_parameters": "{\"message_id\":5}"}))
            .reply_to()
            .unwrap_or_default();
        assert_eq!(
            reply,
            Some(ReplyTo {
                message_id: 5,
                via: ReplyField::ReplyParameters
            })
        );
        let (reply, _) = input(json!({"reply_to_message_id": 6}))
            .reply_to()
            .unwrap_or_default();
        assert_eq!(
            reply,
            Some(ReplyTo {
                message_id: 6,
                via: ReplyField::ReplyToMessageId
            })
        );
    }

    #[test]
    fn errors_carry_retry_after_only_when_rate_limited() {
        let body: Value =
            serde_json::from_slice(&ApiFailure::retry_after(3).to_json()).unwrap_or_default();
        assert_eq!(body["parameters"]["retry_after"], 3);
        let body: Value =
            serde_json::from_slice(&ApiFailure::not_found().to_json()).unwrap_or_default();
        assert_eq!(
            body,
            json!({"ok": false, "error_code": 404, "description": "Not Found"})
        );
    }
}
