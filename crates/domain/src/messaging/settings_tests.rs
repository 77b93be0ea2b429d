use super::*;
use serde_json::json;

fn configured() -> MessagingSettings {
    serde_json::from_value(json!({
        "whatsapp_provider": "helena",
        "sms_provider": "twilio",
        "twilio": {
            "account_sid": "AC123",
            "auth_token": "twilio-secret",
            "sms_from": "+5511999990000",
        },
        "helena": {
            "api_token": "pn_helena-secret",
            "webhook_secret": "hook-secret",
            "from": "+5511988880000",
        },
        "quiet_hours": {"start": "21:00"},
        "templates": {
            "appointment_reminder": {"pt-BR": "Oi {{ patient_first_name }}! {{ date }} {{ time }}. 1/2/3"},
        },
        "whatsapp_templates": {
            "appointment_reminder": {
                "pt-BR": {"id": "HX123", "variables": ["patient_first_name", "date", "time"]},
            },
        },
    }))
    .unwrap()
}

#[test]
fn empty_document_is_all_sandbox_with_default_quiet_hours() {
    let s: MessagingSettings = serde_json::from_str("{}").unwrap();
    assert_eq!(s, MessagingSettings::default());
    assert_eq!(s.provider_for(Channel::Whatsapp), ProviderKind::Sandbox);
    assert_eq!(s.quiet_hours, QuietHours::default());
    assert!(s.validate().is_ok());
    assert!(serde_json::from_str::<MessagingSettings>(r#"{"bogus": 1}"#).is_err());
    assert!(serde_json::from_str::<MessagingSettings>(r#"{"twilio": {"account_sid": "AC1"}}"#).is_err());
    for p in ProviderKind::ALL {
        assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
    }
}

#[test]
fn a_full_configuration_parses_validates_and_fills_defaults() {
    let s = configured();
    assert!(s.validate().is_ok(), "{:?}", s.validate());
    let twilio = s.twilio.as_ref().unwrap();
    assert_eq!(twilio.base_url, "https://api.twilio.com");
    assert_eq!(s.helena.as_ref().unwrap().base_url, "https://api.helena.run");
    assert_eq!(s.quiet_hours.start, jiff::civil::Time::constant(21, 0, 0, 0));
    assert!(s.template_override(TemplateKey::AppointmentReminder, Locale::PtBr).is_some());
    assert!(s.template_override(TemplateKey::AppointmentReminder, Locale::En).is_none());
    assert_eq!(s.approved_template(TemplateKey::AppointmentReminder, Locale::PtBr).unwrap().id, "HX123");
}

#[test]
fn secrets_are_masked_in_debug_and_api_and_kept_when_echoed() {
    let s = configured();
    let debug = format!("{s:?}");
    for secret in ["twilio-secret", "pn_helena-secret", "hook-secret"] {
        assert!(!debug.contains(secret), "{debug}");
    }
    let shown = s.masked();
    let json = serde_json::to_string(&shown).unwrap();
    for secret in ["twilio-secret", "pn_helena-secret", "hook-secret"] {
        assert!(!json.contains(secret), "{json}");
    }
    assert_eq!(shown.twilio.as_ref().unwrap().auth_token, MASK);
    let mut echoed = shown.clone();
    echoed.keep_secrets_from(&s);
    assert_eq!(echoed, s);
    // A new value replaces the old one; a mask with nothing to keep stays and fails.
    let mut changed = shown.clone();
    changed.helena.as_mut().unwrap().api_token = "pn_new".into();
    changed.keep_secrets_from(&s);
    assert_eq!(changed.helena.as_ref().unwrap().api_token, "pn_new");
    let mut fresh = shown;
    fresh.keep_secrets_from(&MessagingSettings::default());
    assert_eq!(fresh.validate(), Err(MessagingSettingsError::SecretNotSet("helena.api_token")));
}

#[test]
fn validation_catches_what_a_send_would_discover_too_late() {
    let err = |f: &dyn Fn(&mut MessagingSettings)| {
        let mut s = configured();
        f(&mut s);
        s.validate().unwrap_err()
    };
    assert_eq!(
        err(&|s| s.twilio = None),
        MessagingSettingsError::MissingProviderSettings {
            channel: Channel::Sms,
            provider: ProviderKind::Twilio
        }
    );
    assert_eq!(
        err(&|s| s.sms_provider = ProviderKind::Helena),
        MessagingSettingsError::UnsupportedChannel { channel: Channel::Sms, provider: ProviderKind::Helena }
    );
    assert_eq!(
        err(&|s| s.twilio.as_mut().unwrap().sms_from = None),
        MessagingSettingsError::MissingSender { channel: Channel::Sms }
    );
    assert_eq!(
        err(&|s| s.helena.as_mut().unwrap().base_url = "api.helena.run".into()),
        MessagingSettingsError::InvalidBaseUrl(ProviderKind::Helena)
    );
    assert_eq!(
        err(&|s| {
            s.templates.insert("reminder".into(), BTreeMap::new());
        }),
        MessagingSettingsError::UnknownTemplateKey("reminder".into())
    );
    assert_eq!(
        err(&|s| {
            s.templates.get_mut("appointment_reminder").unwrap().insert("pt_BR".into(), "x".into());
        }),
        MessagingSettingsError::UnknownLocale("pt_BR".into())
    );
    let typo = err(&|s| {
        s.templates
            .get_mut("appointment_reminder")
            .unwrap()
            .insert("en".into(), "Hi {{ first_name }}".into());
    });
    assert!(matches!(
        typo,
        MessagingSettingsError::Template { locale: "en", error: TemplateError::UndefinedVariable(_), .. }
    ));
    assert_eq!(
        err(&|s| s.quiet_hours.days_off = jiff::civil::Weekday::Monday.cycle_forward().take(7).collect()),
        MessagingSettingsError::QuietHours(QuietHoursError::NoAllowedDay)
    );
    let empty_id = err(&|s| {
        s.whatsapp_templates.get_mut("appointment_reminder").unwrap().get_mut("pt-BR").unwrap().id =
            " ".into();
    });
    assert!(matches!(empty_id, MessagingSettingsError::EmptyTemplateId { .. }));
}

#[test]
fn approved_template_parameters_are_numbered_and_single_line() {
    let t = ApprovedTemplate {
        id: "HX1".into(),
        variables: vec!["patient_first_name".into(), "slots".into(), "count".into()],
    };
    let vars = json!({"patient_first_name": "Maria\nJosé", "slots": ["ter 09:30", "qua 14:00"], "count": 2});
    let params = t.parameters(&vars).unwrap();
    assert_eq!(params["1"], "Maria José");
    assert_eq!(params["2"], "ter 09:30; qua 14:00");
    assert_eq!(params["3"], "2");
    assert_eq!(
        serde_json::to_string(&params).unwrap(),
        r#"{"1":"Maria José","2":"ter 09:30; qua 14:00","3":"2"}"#
    );
    let missing = t.parameters(&json!({"patient_first_name": "Maria", "slots": null})).unwrap_err();
    assert!(matches!(missing, TemplateError::UndefinedVariable(ref m) if m.contains("slots (parameter 2)")));
}
