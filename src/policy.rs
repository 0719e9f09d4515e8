//! Parse's account options: `accountLockout`, `passwordPolicy`, `revokeSessionOnPasswordReset`
//! and `enforcePrivateUsers`, read by their Parse names and checked as Parse checks them at
//! start, and the password rules they impose.

use crate::js::number as js_number;
use serde_json::Value;

use crate::error::{ErrorCode, ParseError};

/// `accountLockout`: after `threshold` failed logins in a row, logins fail for `duration`
/// minutes, whatever the password.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountLockout {
    pub duration_minutes: f64,
    pub threshold: u32,
    /// A password reset unlocks the account (`unlockOnPasswordReset`).
    pub unlock_on_password_reset: bool,
}

impl AccountLockout {
    pub fn duration_millis(&self) -> i64 {
        #[expect(clippy::cast_possible_truncation, reason = "below 100000 minutes")]
        let ms = (self.duration_minutes * 60_000.0).round() as i64;
        ms
    }

    /// Parse's refusal while an account is locked.
    pub fn locked_error(&self) -> ParseError {
        ParseError::new(
            ErrorCode::ObjectNotFound,
            format!(
                "Your account is locked due to multiple failed login attempts. Please try again after {} minute(s)",
                js_number(self.duration_minutes)
            ),
        )
    }
}

/// `passwordPolicy`.
#[derive(Debug, Clone)]
pub struct PasswordPolicy {
    /// `validatorPattern`, a JavaScript regular expression (lookarounds included).
    pub pattern: Option<fancy_regex::Regex>,
    /// `validationError`, instead of Parse's default message.
    pub validation_error: Option<String>,
    pub do_not_allow_username: bool,
    /// `maxPasswordAge`, in days: a login after that refuses until the password is reset.
    pub max_password_age_days: Option<f64>,
    /// `maxPasswordHistory`: a new password may not be any of the last N.
    pub max_password_history: Option<u32>,
    /// `resetTokenValidityDuration`, in seconds: how long a reset link works.
    pub reset_token_validity_secs: Option<f64>,
    /// `resetTokenReuseIfValid`: a new reset request sends the valid link again (5.0+).
    pub reset_token_reuse_if_valid: bool,
    /// `validatorCallback: "upstream"`: the app's JavaScript `validatorCallback` is configured
    /// in the `--upstream` Parse Server, so every write that sets a password goes there.
    pub validator_upstream: bool,
}

impl PasswordPolicy {
    pub fn max_age_millis(&self) -> Option<i64> {
        #[expect(clippy::cast_possible_truncation, reason = "days of a policy fit")]
        self.max_password_age_days
            .map(|d| (d * 86_400_000.0).round() as i64)
    }

    /// Parse's `_validatePasswordRequirements`: the pattern, then the username.
    pub fn check(&self, password: &str, username: Option<&str>) -> Result<(), ParseError> {
        if let Some(pattern) = &self.pattern
            && !pattern.is_match(password).unwrap_or(false)
        {
            return Err(ParseError::new(
                ErrorCode::ValidationError,
                self.validation_error.clone().unwrap_or_else(|| {
                    "Password does not meet the Password Policy requirements.".into()
                }),
            ));
        }
        if self.do_not_allow_username
            && let Some(username) = username
            && password.contains(username)
        {
            return Err(ParseError::new(
                ErrorCode::ValidationError,
                "Password cannot contain your username.",
            ));
        }
        Ok(())
    }

    /// Parse's refusal of a password found in the history.
    pub fn repeated_error(&self) -> ParseError {
        ParseError::new(
            ErrorCode::ValidationError,
            format!(
                "New password should not be the same as last {} passwords.",
                self.max_password_history.unwrap_or(0)
            ),
        )
    }

    /// Parse's refusal of a login with an expired password.
    pub fn expired_error() -> ParseError {
        ParseError::new(
            ErrorCode::ObjectNotFound,
            "Your password has expired. Please reset your password.",
        )
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Read `accountLockout` as Parse's `validateAccountLockoutPolicy` does; `Err` is the message
/// Parse refuses to start with.
pub fn account_lockout(v: &Value) -> Result<Option<AccountLockout>, String> {
    let Value::Object(m) = v else {
        return Ok(None);
    };
    let duration = m.get("duration").and_then(number);
    let Some(duration) = duration.filter(|d| *d > 0.0 && *d < 100_000.0) else {
        return Err(
            "Account lockout duration should be greater than 0 and less than 100000".into(),
        );
    };
    let threshold = m.get("threshold").and_then(number);
    let Some(threshold) = threshold.filter(|t| t.fract() == 0.0 && *t >= 1.0 && *t < 1000.0) else {
        return Err(
            "Account lockout threshold should be an integer greater than 0 and less than 1000"
                .into(),
        );
    };
    let unlock = match m.get("unlockOnPasswordReset") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(
                "Parse Server option accountLockout.unlockOnPasswordReset must be a boolean."
                    .into(),
            );
        }
    };
    #[expect(clippy::cast_possible_truncation, reason = "checked: 1..=999")]
    #[expect(clippy::cast_sign_loss, reason = "checked: positive")]
    Ok(Some(AccountLockout {
        duration_minutes: duration,
        threshold: threshold as u32,
        unlock_on_password_reset: unlock,
    }))
}

/// Read `passwordPolicy` as Parse's `validatePasswordPolicy` does.
pub fn password_policy(v: &Value) -> Result<Option<PasswordPolicy>, String> {
    let Value::Object(m) = v else {
        return Ok(None);
    };
    let pattern = match m.get("validatorPattern") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) => Some(fancy_regex::Regex::new(&js_pattern(p)).map_err(|_| {
            "passwordPolicy.validatorPattern must be a regex string or RegExp object.".to_owned()
        })?),
        Some(_) => {
            return Err(
                "passwordPolicy.validatorPattern must be a regex string or RegExp object.".into(),
            );
        }
    };
    let max_age = match m.get("maxPasswordAge") {
        None | Some(Value::Null) => None,
        Some(v) => match number(v) {
            Some(n) if n >= 0.0 => Some(n),
            _ => return Err("passwordPolicy.maxPasswordAge must be a positive number".into()),
        },
    };
    let history = match m.get("maxPasswordHistory") {
        None | Some(Value::Null) => None,
        Some(v) => match number(v) {
            #[expect(clippy::cast_possible_truncation, reason = "checked: 0..=20")]
            #[expect(clippy::cast_sign_loss, reason = "checked: not negative")]
            Some(n) if n.fract() == 0.0 && (0.0..=20.0).contains(&n) => {
                Some(n as u32).filter(|n| *n > 0)
            }
            _ => {
                return Err(
                    "passwordPolicy.maxPasswordHistory must be an integer ranging 0 - 20".into(),
                );
            }
        },
    };
    let do_not_allow_username = match m.get("doNotAllowUsername") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("passwordPolicy.doNotAllowUsername must be a boolean value.".into()),
    };
    let validation_error = match m.get("validationError") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("passwordPolicy.validationError must be a string.".into()),
    };
    let reset_validity = match m.get("resetTokenValidityDuration") {
        None | Some(Value::Null) => None,
        Some(v) => match number(v) {
            Some(n) if n > 0.0 => Some(n),
            _ => {
                return Err(
                    "passwordPolicy.resetTokenValidityDuration must be a positive number".into(),
                );
            }
        },
    };
    let reset_reuse = match m.get("resetTokenReuseIfValid") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("resetTokenReuseIfValid must be a boolean value".into()),
    };
    if reset_reuse && reset_validity.is_none() {
        return Err(
            "You cannot use resetTokenReuseIfValid without resetTokenValidityDuration".into(),
        );
    }
    let validator_upstream = match m.get("validatorCallback") {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) if s == "upstream" => true,
        Some(_) => {
            tracing::warn!(
                "passwordPolicy.validatorCallback is a JavaScript function; parse-compat cannot run it and ignores it (give \"upstream\" to have the --upstream Parse Server, where it is configured, set passwords)"
            );
            false
        }
    };
    Ok(Some(PasswordPolicy {
        pattern,
        validation_error,
        do_not_allow_username,
        max_password_age_days: max_age.filter(|d| *d > 0.0),
        max_password_history: history,
        reset_token_validity_secs: reset_validity,
        reset_token_reuse_if_valid: reset_reuse,
        validator_upstream,
    }))
}

/// `passwordPolicy.resetPasswordSuccessOnInvalidEmail` (6.1+), as Parse checks and reads it:
/// a truthy value that is no boolean is refused at start; `?? true` makes it default on, and
/// any falsy value turns it off.
pub fn reset_success_on_invalid_email(policy: &Value) -> Result<bool, String> {
    match policy.get("resetPasswordSuccessOnInvalidEmail") {
        None | Some(Value::Null) => Ok(true),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) if crate::object::truthy(Some(v)) => {
            Err("resetPasswordSuccessOnInvalidEmail must be a boolean value".into())
        }
        Some(_) => Ok(false),
    }
}

/// A pattern written as JavaScript's `/.../flags` literal or as a plain string.
fn js_pattern(p: &str) -> String {
    if let Some(rest) = p.strip_prefix('/')
        && let Some(end) = rest.rfind('/')
    {
        let (body, flags) = (&rest[..end], &rest[end + 1..]);
        let inline: String = flags
            .chars()
            .filter(|c| matches!(c, 'i' | 'm' | 's'))
            .collect();
        return if inline.is_empty() {
            body.to_owned()
        } else {
            format!("(?{inline}){body}")
        };
    }
    p.to_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn options_are_checked_as_parse_checks_them() {
        assert!(account_lockout(&json!({"duration": 0, "threshold": 3})).is_err());
        assert!(account_lockout(&json!({"duration": 5, "threshold": 1000})).is_err());
        let lockout = account_lockout(&json!({"duration": 0.5, "threshold": 3}))
            .unwrap()
            .unwrap();
        assert_eq!(lockout.duration_millis(), 30_000);
        assert_eq!(
            lockout.locked_error().message,
            "Your account is locked due to multiple failed login attempts. Please try again after 0.5 minute(s)"
        );
        assert!(password_policy(&json!({"maxPasswordHistory": 21})).is_err());
        assert!(password_policy(&json!({"doNotAllowUsername": "yes"})).is_err());
        for (value, reads) in [
            (json!(null), Ok(true)),
            (json!(false), Ok(false)),
            (json!(0), Ok(false)),
            (json!(true), Ok(true)),
            (json!(1), Err(())),
            (json!("string"), Err(())),
            (json!([]), Err(())),
        ] {
            let policy = json!({ "resetPasswordSuccessOnInvalidEmail": value });
            assert_eq!(
                reset_success_on_invalid_email(&policy).map_err(|_| ()),
                reads,
                "{value}"
            );
        }
    }

    #[test]
    fn passwords_follow_the_policy() {
        let policy = password_policy(&json!({
            "validatorPattern": "^(?=.*[a-z])(?=.*[0-9]).{6,}$",
            "doNotAllowUsername": true
        }))
        .unwrap()
        .unwrap();
        assert!(policy.check("abc123", Some("zed")).is_ok());
        assert_eq!(
            policy.check("abcdef", None).unwrap_err().message,
            "Password does not meet the Password Policy requirements."
        );
        assert_eq!(
            policy.check("zed12345", Some("zed")).unwrap_err().message,
            "Password cannot contain your username."
        );
        let literal =
            password_policy(&json!({"validatorPattern": "/^A/i", "validationError": "no"}))
                .unwrap()
                .unwrap();
        assert!(literal.check("abc", None).is_ok());
        assert_eq!(literal.check("xbc", None).unwrap_err().message, "no");
    }
}
