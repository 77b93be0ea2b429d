//! Inbound-message and status webhooks as Twilio posts them: parsing and signatures.

use crate::support::{ACCOUNT_SID, AUTH_TOKEN};
use frontdesk_providers::twilio::{
    Channel, MessageStatus, SignatureError, compute_signature, parse_form, parse_inbound, parse_status,
    verify_signature,
};

const URL: &str = "https://frontdesk.example/webhooks/twilio/t1/messages";

fn whatsapp_image() -> String {
    format!(
        "SmsMessageSid=MM5ef8732a3c49700934481addd5ce1659&NumMedia=1&ProfileName=Maria+Souza\
         &MessageType=image&SmsSid=MM5ef8732a3c49700934481addd5ce1659&WaId=5511999998888&SmsStatus=received\
         &Body=Segue+o+pedido+do+exame+%F0%9F%98%8A&To=whatsapp%3A%2B14155238886&NumSegments=1&ReferralNumMedia=0\
         &MessageSid=MM5ef8732a3c49700934481addd5ce1659&AccountSid={ACCOUNT_SID}\
         &From=whatsapp%3A%2B5511999998888\
         &MediaUrl0=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2F{ACCOUNT_SID}%2FMessages%2FMM5ef8732a3c49700934481addd5ce1659%2FMedia%2FME0123\
         &MediaContentType0=image%2Fjpeg&ApiVersion=2010-04-01"
    )
}

fn whatsapp_button() -> String {
    format!(
        "SmsMessageSid=SM11&NumMedia=0&ProfileName=Jo%C3%A3o&MessageType=button&SmsSid=SM11&WaId=5511988887777\
         &SmsStatus=received&Body=Confirmar&ButtonText=Confirmar&ButtonPayload=confirm_123\
         &To=whatsapp%3A%2B14155238886&NumSegments=1&MessageSid=SM11&AccountSid={ACCOUNT_SID}\
         &From=whatsapp%3A%2B5511988887777&ApiVersion=2010-04-01&OriginalRepliedMessageSid=SM10"
    )
}

fn sms_stop() -> String {
    format!(
        "ToCountry=US&ToState=CA&SmsMessageSid=SM22&NumMedia=0&ToCity=SAN+FRANCISCO&FromZip=&SmsSid=SM22\
         &FromState=SP&SmsStatus=received&FromCity=&Body=PARAR&FromCountry=BR&To=%2B14155238886\
         &MessagingServiceSid=MG0123456789abcdef0123456789abcdef&ToZip=94105&NumSegments=1&MessageSid=SM22\
         &AccountSid={ACCOUNT_SID}&From=%2B5511999998888&ApiVersion=2010-04-01&OptOutType=STOP"
    )
}

#[test]
fn whatsapp_with_media_profile_and_wa_id() {
    let message = parse_inbound(&parse_form(whatsapp_image().as_bytes())).expect("parses");

    assert_eq!(message.message_sid, "MM5ef8732a3c49700934481addd5ce1659");
    assert_eq!(message.account_sid, ACCOUNT_SID);
    assert_eq!(message.channel, Channel::Whatsapp);
    assert_eq!(message.from, "whatsapp:+5511999998888");
    assert_eq!(message.to, "whatsapp:+14155238886");
    assert_eq!(message.body, "Segue o pedido do exame 😊");
    assert_eq!(message.num_media, 1);
    assert_eq!(message.media.len(), 1);
    assert!(message.media[0].url.ends_with("/Media/ME0123"), "{}", message.media[0].url);
    assert_eq!(message.media[0].content_type, "image/jpeg");
    assert_eq!(message.profile_name.as_deref(), Some("Maria Souza"));
    assert_eq!(message.wa_id.as_deref(), Some("5511999998888"));
    assert_eq!(message.message_type.as_deref(), Some("image"));
    assert_eq!(message.button_payload, None);
}

#[test]
fn whatsapp_quick_reply_button() {
    let message = parse_inbound(&parse_form(whatsapp_button().as_bytes())).expect("parses");

    assert_eq!(message.channel, Channel::Whatsapp);
    assert_eq!(message.button_payload.as_deref(), Some("confirm_123"));
    assert_eq!(message.button_text.as_deref(), Some("Confirmar"));
    assert_eq!(message.profile_name.as_deref(), Some("João"));
    assert!(message.media.is_empty());
}

#[test]
fn sms_with_geo_fields_and_opt_out() {
    let message = parse_inbound(&parse_form(sms_stop().as_bytes())).expect("parses");

    assert_eq!(message.channel, Channel::Sms);
    assert_eq!(message.from, "+5511999998888");
    assert_eq!(message.body, "PARAR");
    assert_eq!(message.messaging_service_sid.as_deref(), Some("MG0123456789abcdef0123456789abcdef"));
    assert_eq!(message.opt_out_type.as_deref(), Some("STOP"));
    assert_eq!(message.profile_name, None);
    assert_eq!(message.wa_id, None);
}

#[test]
fn debug_of_an_inbound_message_shows_no_personal_data() {
    let message = parse_inbound(&parse_form(whatsapp_image().as_bytes())).expect("parses");
    let shown = format!("{message:?}");
    for personal in ["99999", "Maria", "Segue", "ME0123"] {
        assert!(!shown.contains(personal), "{personal} in {shown}");
    }
    assert!(shown.contains("MM5ef8732a3c49700934481addd5ce1659"), "{shown}");
}

#[test]
fn status_callbacks() {
    let delivered = format!(
        "SmsSid=SM33&SmsStatus=delivered&MessageStatus=delivered&To=whatsapp%3A%2B5511999998888\
         &ChannelToAddress=%2B5511999998888&MessageSid=SM33&AccountSid={ACCOUNT_SID}\
         &From=whatsapp%3A%2B14155238886&ApiVersion=2010-04-01&ChannelPrefix=whatsapp&StructuredMessage=false"
    );
    let update = parse_status(&parse_form(delivered.as_bytes())).expect("parses");
    assert_eq!(update.message_sid, "SM33");
    assert_eq!(update.account_sid.as_deref(), Some(ACCOUNT_SID));
    assert_eq!(update.status, MessageStatus::Delivered);
    assert_eq!(update.error_code, None);

    let read = "MessageSid=SM33&MessageStatus=read&SmsStatus=read&AccountSid=AC1";
    assert_eq!(parse_status(&parse_form(read.as_bytes())).expect("parses").status, MessageStatus::Read);

    let failed = format!(
        "SmsSid=SM34&SmsStatus=undelivered&MessageStatus=undelivered&ErrorCode=63016\
         &ErrorMessage=Failed+to+send+freeform+message+because+you+are+outside+the+allowed+window\
         &To=whatsapp%3A%2B5511999998888&MessageSid=SM34&AccountSid={ACCOUNT_SID}&From=whatsapp%3A%2B14155238886"
    );
    let update = parse_status(&parse_form(failed.as_bytes())).expect("parses");
    assert_eq!(update.status, MessageStatus::Undelivered);
    assert_eq!(update.error_code, Some(63016));
    assert!(update.error_message.as_deref().is_some_and(|m| m.contains("outside the allowed window")));
}

#[test]
fn signature_accepts_the_right_token_and_refuses_a_forgery() {
    let body = whatsapp_image();
    let params = parse_form(body.as_bytes());
    let signature = compute_signature(AUTH_TOKEN, URL, &params);

    assert_eq!(verify_signature(AUTH_TOKEN, URL, body.as_bytes(), Some(&signature)), Ok(()));

    // Signed with someone else's token.
    let forged = compute_signature("not-the-tenant-token", URL, &params);
    assert_eq!(
        verify_signature(AUTH_TOKEN, URL, body.as_bytes(), Some(&forged)),
        Err(SignatureError::Mismatch)
    );
    // The right signature on a changed body or for another tenant's URL.
    let tampered = body.replace("Body=Segue", "Body=Cancelar");
    assert_eq!(
        verify_signature(AUTH_TOKEN, URL, tampered.as_bytes(), Some(&signature)),
        Err(SignatureError::Mismatch)
    );
    let other_tenant = URL.replace("/t1/", "/t2/");
    assert_eq!(
        verify_signature(AUTH_TOKEN, &other_tenant, body.as_bytes(), Some(&signature)),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(verify_signature(AUTH_TOKEN, URL, body.as_bytes(), None), Err(SignatureError::Missing));
}

#[test]
fn signature_made_with_the_default_port_is_accepted() {
    let body = sms_stop();
    let params = parse_form(body.as_bytes());
    let with_port = "https://frontdesk.example:443/webhooks/twilio/t1/messages";
    let signature = compute_signature(AUTH_TOKEN, with_port, &params);
    assert_eq!(verify_signature(AUTH_TOKEN, URL, body.as_bytes(), Some(&signature)), Ok(()));
}

#[test]
fn repeated_form_fields_are_all_signed() {
    let body = "MessageSid=SM1&Tag=b&Tag=a&Tag=b";
    let signature = compute_signature(AUTH_TOKEN, URL, [("MessageSid", "SM1"), ("Tag", "a"), ("Tag", "b")]);
    assert_eq!(verify_signature(AUTH_TOKEN, URL, body.as_bytes(), Some(&signature)), Ok(()));
    let dropped = "MessageSid=SM1&Tag=b";
    assert_eq!(
        verify_signature(AUTH_TOKEN, URL, dropped.as_bytes(), Some(&signature)),
        Err(SignatureError::Mismatch)
    );
}
