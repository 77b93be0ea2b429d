//! Message templates: rendering with minijinja, of the built-in texts
//! (`template_defaults`) and of tenant-edited sources; the keys are in `template_key`.
//!
//! Tenant sources are untrusted input typed into a settings page, so rendering is
//! bounded (source size, minijinja fuel, output length) and every failure is a typed
//! error: a broken template must fail the one send, never the process.

use super::template_defaults;
pub use super::template_key::TemplateKey;
use crate::tenant::Locale;
use minijinja::{Environment, ErrorKind, Template, UndefinedBehavior};
use serde_json::Value;
use thiserror::Error;

/// Largest tenant template source accepted.
pub const MAX_SOURCE_BYTES: usize = 8 * 1024;

/// Longest rendered message: Twilio's `Body` limit, the strictest of the channels.
pub const MAX_RENDERED_CHARS: usize = 1600;

/// minijinja instructions one render may execute; a booking offer with ten slots uses a
/// few hundred, a runaway loop in a tenant template stops here.
const FUEL: u64 = 50_000;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TemplateError {
    #[error("template is {bytes} bytes; at most {max} are allowed")]
    SourceTooLong { bytes: usize, max: usize },
    #[error("template syntax: {0}")]
    Syntax(String),
    #[error("template uses a variable that was not given: {0}")]
    UndefinedVariable(String),
    #[error("template does too much work (a loop that runs too long?)")]
    TooMuchWork,
    #[error("template could not be rendered: {0}")]
    Render(String),
    #[error("rendered message is empty")]
    Empty,
    #[error("rendered message is {chars} characters; at most {max} can be sent")]
    TooLong { chars: usize, max: usize },
}

/// The built-in source of a template in a locale.
pub fn default_source(key: TemplateKey, locale: Locale) -> &'static str {
    template_defaults::source(key, locale)
}

/// Renders `key` in `locale`, using the tenant's `override_source` when given, with
/// `variables` (a JSON object). Top-level `null` values count as absent, so an optional
/// field serialized as `null` works with `is defined`, while a required one is reported
/// as undefined instead of printing "none". The result is trimmed.
pub fn render(
    key: TemplateKey,
    locale: Locale,
    override_source: Option<&str>,
    variables: &Value,
) -> Result<String, TemplateError> {
    let source = override_source.unwrap_or_else(|| default_source(key, locale));
    check_size(source)?;
    let context = without_nulls(variables);
    let env = environment();
    let template = env.template_from_named_str(key.as_str(), source).map_err(TemplateError::from)?;
    let rendered = template.render(&context).map_err(|err| match TemplateError::from(err) {
        TemplateError::UndefinedVariable(message) => {
            TemplateError::UndefinedVariable(name_missing(&env, &template, &context, message))
        }
        other => other,
    })?;
    let text = rendered.trim();
    if text.is_empty() {
        return Err(TemplateError::Empty);
    }
    let chars = text.chars().count();
    if chars > MAX_RENDERED_CHARS {
        return Err(TemplateError::TooLong { chars, max: MAX_RENDERED_CHARS });
    }
    Ok(text.to_owned())
}

/// Checks that a tenant source parses, without rendering it.
pub fn validate_source(source: &str) -> Result<(), TemplateError> {
    check_size(source)?;
    environment().template_from_str(source).map(|_| ()).map_err(TemplateError::from)
}

fn check_size(source: &str) -> Result<(), TemplateError> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(TemplateError::SourceTooLong { bytes: source.len(), max: MAX_SOURCE_BYTES });
    }
    Ok(())
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // Strict: a misspelt variable is an error, not a blank in a patient's message.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env
}

/// minijinja reports only "undefined value" and a line; the tenant editing a template
/// needs the name. Static analysis cannot tell which branch ran, so this lists every
/// variable the template reads that was not given (optional ones guarded by
/// `is defined` included).
fn name_missing(
    env: &Environment<'_>,
    template: &Template<'_, '_>,
    context: &Value,
    message: String,
) -> String {
    let globals: Vec<&str> = env.globals().map(|(name, _)| name).collect();
    let mut missing: Vec<String> = template
        .undeclared_variables(false)
        .into_iter()
        .filter(|name| context.get(name).is_none() && !globals.contains(&name.as_str()))
        .collect();
    if missing.is_empty() {
        return message;
    }
    missing.sort();
    format!("{message}; not given: {}", missing.join(", "))
}

fn without_nulls(variables: &Value) -> Value {
    match variables {
        Value::Object(map) => Value::Object(
            map.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect(),
        ),
        other => other.clone(),
    }
}

impl From<minijinja::Error> for TemplateError {
    fn from(err: minijinja::Error) -> Self {
        // The message names the problem and the line. Text values never appear in it;
        // numbers can ("unable to calculate 1 // 0").
        let message = err.to_string();
        match err.kind() {
            ErrorKind::SyntaxError
            | ErrorKind::UnknownFilter
            | ErrorKind::UnknownTest
            | ErrorKind::UnknownFunction => Self::Syntax(message),
            ErrorKind::UndefinedError => Self::UndefinedVariable(message),
            ErrorKind::OutOfFuel => Self::TooMuchWork,
            _ => Self::Render(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_default_renders_in_both_locales() {
        for key in TemplateKey::ALL {
            for locale in [Locale::PtBr, Locale::En] {
                let text = render(*key, locale, None, &key.sample_variables(locale))
                    .unwrap_or_else(|e| panic!("{key} {locale:?}: {e}"));
                assert!(!text.contains("{{") && !text.contains("{%"), "{text}");
                assert!(!text.contains("none") && !text.contains("undefined"), "{text}");
                // Only the required variables: optional ones are really optional.
                let required: serde_json::Map<String, Value> = key
                    .required_variables()
                    .iter()
                    .map(|name| ((*name).to_owned(), key.sample_variables(locale)[*name].clone()))
                    .collect();
                render(*key, locale, None, &Value::Object(required))
                    .unwrap_or_else(|e| panic!("{key} {locale:?} with required only: {e}"));
            }
        }
    }

    #[test]
    fn reminder_texts_read_as_written() {
        let vars = json!({
            "patient_first_name": "Maria", "date": "terça, 14/10", "time": "09:30",
            "practitioner": "Dra. Ana", "location": null,
        });
        assert_eq!(
            render(TemplateKey::AppointmentReminder, Locale::PtBr, None, &vars).unwrap(),
            "Olá, Maria! Lembrete da sua consulta com Dra. Ana em terça, 14/10 às 09:30.\n\n\
             Responda:\n1 para confirmar\n2 para remarcar\n3 para cancelar"
        );
        let en = render(
            TemplateKey::AppointmentReminder,
            Locale::En,
            None,
            &TemplateKey::AppointmentReminder.sample_variables(Locale::En),
        )
        .unwrap();
        assert!(
            en.contains("at Clínica Sorriso - Pinheiros.")
                && en.contains("1 to confirm\n2 to reschedule\n3 to cancel"),
            "{en}"
        );
    }

    #[test]
    fn booking_offer_numbers_the_slots() {
        let vars = json!({"patient_first_name": "John", "slots": ["Tue 9:30 AM", "Wed 2:00 PM"]});
        assert_eq!(
            render(TemplateKey::BookingOffer, Locale::En, None, &vars).unwrap(),
            "John, these are the next available times:\n1. Tue 9:30 AM\n2. Wed 2:00 PM\n\n\
             Reply with the number of the time you prefer."
        );
    }

    #[test]
    fn a_tenant_override_wins() {
        let source = "Oi {{ patient_first_name }}, te esperamos {{ date }} às {{ time }}! 1 confirma, 2 remarca, 3 cancela.";
        let vars = TemplateKey::AppointmentReminder.sample_variables(Locale::PtBr);
        let text = render(TemplateKey::AppointmentReminder, Locale::PtBr, Some(source), &vars).unwrap();
        assert_eq!(text, "Oi Maria, te esperamos terça, 14/10 às 09:30! 1 confirma, 2 remarca, 3 cancela.");
    }

    #[test]
    fn text_is_not_html_escaped() {
        let vars = json!({"patient_first_name": "Ana & <Bia>", "slots": []});
        let text = render(TemplateKey::AskToType, Locale::En, None, &vars).unwrap();
        assert!(text.starts_with("Hi Ana & <Bia>!"), "{text}");
    }

    #[test]
    fn failures_are_typed() {
        let vars = json!({"patient_first_name": "Maria"});
        let render_src = |src: &str| render(TemplateKey::AskToType, Locale::En, Some(src), &vars);
        assert!(matches!(render_src("Hi {{ name"), Err(TemplateError::Syntax(_))));
        assert!(matches!(render_src("{% for %}"), Err(TemplateError::Syntax(_))));
        assert!(matches!(render_src("{{ x | no_such_filter }}"), Err(TemplateError::Syntax(_))));
        let Err(TemplateError::UndefinedVariable(message)) =
            render_src("Hi {{ patient_name }} {{ range(2) }}")
        else {
            panic!("expected an undefined variable")
        };
        assert!(message.ends_with("not given: patient_name"), "{message}");
        assert!(matches!(
            render_src("{{ patient_first_name.x.y }}"),
            Err(TemplateError::UndefinedVariable(_))
        ));
        assert!(matches!(
            render_src("{% for i in range(100000) %}{% endfor %}"),
            Err(TemplateError::TooMuchWork)
        ));
        assert!(matches!(render_src("{{ 1 // 0 }}"), Err(TemplateError::Render(_))));
        assert_eq!(render_src("  {# nothing #}  "), Err(TemplateError::Empty));
        assert!(matches!(render_src("{{ 'x' * 2000 }}"), Err(TemplateError::TooLong { chars: 2000, .. })));
        let huge = "a".repeat(MAX_SOURCE_BYTES + 1);
        assert!(matches!(render_src(&huge), Err(TemplateError::SourceTooLong { .. })));
        let deep = format!("{{{{ {}1{} }}}}", "(".repeat(4000), ")".repeat(4000));
        assert!(render_src(&deep).is_err());
        // Required variables missing from the defaults are errors too, not blanks.
        assert!(matches!(
            render(TemplateKey::AppointmentReminder, Locale::PtBr, None, &json!({})),
            Err(TemplateError::UndefinedVariable(_))
        ));
        assert!(matches!(
            render(
                TemplateKey::AppointmentReminder,
                Locale::PtBr,
                None,
                &json!({"patient_first_name": null})
            ),
            Err(TemplateError::UndefinedVariable(_))
        ));
    }

    #[test]
    fn validation_parses_without_rendering() {
        assert!(validate_source("Hi {{ anything }}").is_ok());
        assert!(matches!(validate_source("{% if %}"), Err(TemplateError::Syntax(_))));
        for key in TemplateKey::ALL {
            assert_eq!(serde_json::to_value(key).unwrap(), key.as_str());
            for locale in [Locale::PtBr, Locale::En] {
                assert!(validate_source(default_source(*key, locale)).is_ok());
            }
        }
    }
}
