//! Conversations, messages and consent decisions.

use crate::{DbTime, parse};
use frontdesk_domain::messaging::{Conversation, Message, MessageText};
use frontdesk_store::{StoreError, StoreResult};
use sqlx::types::Json;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub struct ConversationRow {
    id: Uuid,
    tenant_id: Uuid,
    patient_id: Uuid,
    channel: String,
    status: String,
    assignee: Option<String>,
    needs_staff: bool,
    urgent: bool,
    last_message_at: Option<DbTime>,
    last_inbound_at: Option<DbTime>,
    waiting_for_staff_since: Option<DbTime>,
    sentiment: Option<String>,
    turned_negative_at: Option<DbTime>,
    created_at: DbTime,
    pub version: i64,
}

impl TryFrom<ConversationRow> for Conversation {
    type Error = StoreError;
    fn try_from(r: ConversationRow) -> StoreResult<Self> {
        Ok(Conversation {
            id: r.id.into(),
            tenant_id: r.tenant_id.into(),
            patient_id: r.patient_id.into(),
            channel: parse(&r.channel, "channel")?,
            status: parse(&r.status, "conversation status")?,
            assignee: r.assignee,
            needs_staff: r.needs_staff,
            urgent: r.urgent,
            last_message_at: r.last_message_at.map(|t| t.0),
            last_inbound_at: r.last_inbound_at.map(|t| t.0),
            waiting_for_staff_since: r.waiting_for_staff_since.map(|t| t.0),
            sentiment: r.sentiment.as_deref().map(|s| parse(s, "sentiment")).transpose()?,
            turned_negative_at: r.turned_negative_at.map(|t| t.0),
            created_at: r.created_at.0,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct MessageRow {
    id: Uuid,
    tenant_id: Uuid,
    conversation_id: Uuid,
    patient_id: Uuid,
    direction: String,
    channel: String,
    body: Option<String>,
    media: Json<Vec<frontdesk_domain::messaging::Media>>,
    transcript: Option<String>,
    template: Option<String>,
    provider: String,
    provider_message_id: Option<String>,
    status: String,
    error_code: Option<String>,
    error_message: Option<String>,
    created_at: DbTime,
    updated_at: DbTime,
}

impl TryFrom<MessageRow> for Message {
    type Error = StoreError;
    fn try_from(r: MessageRow) -> StoreResult<Self> {
        Ok(Message {
            id: r.id.into(),
            tenant_id: r.tenant_id.into(),
            conversation_id: r.conversation_id.into(),
            patient_id: r.patient_id.into(),
            direction: parse(&r.direction, "direction")?,
            channel: parse(&r.channel, "channel")?,
            body: r.body.map(MessageText::new),
            media: r.media.0,
            transcript: r.transcript.map(MessageText::new),
            template: r.template,
            provider: r.provider,
            provider_message_id: r.provider_message_id,
            status: parse(&r.status, "message status")?,
            error_code: r.error_code,
            error_message: r.error_message,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

pub const CONVERSATION: &str = "SELECT id, tenant_id, patient_id, channel, status, assignee, needs_staff, urgent, \
    last_message_at, last_inbound_at, waiting_for_staff_since, sentiment, turned_negative_at, created_at, version \
    FROM conversations c ";

pub const MESSAGE: &str = "SELECT id, tenant_id, conversation_id, patient_id, direction, channel, body, media, \
    transcript, template, provider, provider_message_id, status, error_code, error_message, created_at, updated_at \
    FROM messages ";

/// Implements `MessagingStore` for a backend.
#[macro_export]
macro_rules! messaging_store {
    ($store:ty) => {
        const _: () = {
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, jiff, sqlx, uuid};
            use $crate::messaging::{CONVERSATION, ConversationRow, MESSAGE, MessageRow};
            use $crate::{DbTime, SqlBackend as _, db_err, exec, fetch, found, parse};
            use frontdesk_domain::messaging::{Consent, Conversation, Message, MessageStatus, MessageText, search_key};
            use frontdesk_domain::jobs::NewJob;
            use frontdesk_domain::page::{Page, PageRequest};
            use frontdesk_domain::{ConversationId, MessageId, PatientId, TenantId};
            use frontdesk_store::*;
            use jiff::Timestamp;
            use sqlx::types::Json;
            use uuid::Uuid;

            impl $store {
                /// Saves a conversation's mutable fields if it is at `expected` (any version when
                /// `None`); returns the new version.
                async fn save_conversation_checked(&self, c: &Conversation, expected: Option<i64>) -> StoreResult<i64> {
                    let version: Option<i64> = sqlx::query_scalar(
                        "UPDATE conversations SET status = $1, assignee = $2, needs_staff = $3, last_message_at = $4,
                            last_inbound_at = $5, urgent = $9, waiting_for_staff_since = $10, sentiment = $11,
                            turned_negative_at = $12, version = version + 1
                         WHERE tenant_id = $6 AND id = $7 AND ($8 IS NULL OR version = $8) RETURNING version",
                    )
                    .bind(c.status.as_str())
                    .bind(&c.assignee)
                    .bind(c.needs_staff)
                    .bind(c.last_message_at.map(DbTime))
                    .bind(c.last_inbound_at.map(DbTime))
                    .bind(c.tenant_id.0)
                    .bind(c.id.0)
                    .bind(expected)
                    .bind(c.urgent)
                    .bind(c.waiting_for_staff_since.map(DbTime))
                    .bind(c.sentiment.map(|s| s.as_str()))
                    .bind(c.turned_negative_at.map(DbTime))
                    .fetch_optional(self.writer())
                    .await
                    .map_err(db_err)?;
                    match version {
                        Some(v) => Ok(v),
                        None => Err(self.stale_unless_missing("conversations", c.tenant_id, c.id.0, expected).await),
                    }
                }
            }

            #[async_trait::async_trait]
            impl MessagingStore for $store {
                async fn conversation_for(&self, c: &Conversation) -> StoreResult<Conversation> {
                    exec!(
                        self.writer(),
                        "INSERT INTO conversations (id, tenant_id, patient_id, channel, status, assignee, needs_staff,
                            last_message_at, last_inbound_at, created_at, urgent, waiting_for_staff_since)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (tenant_id, patient_id, channel) DO NOTHING",
                        c.id.0,
                        c.tenant_id.0,
                        c.patient_id.0,
                        c.channel.as_str(),
                        c.status.as_str(),
                        &c.assignee,
                        c.needs_staff,
                        c.last_message_at.map(DbTime),
                        c.last_inbound_at.map(DbTime),
                        DbTime(c.created_at),
                        c.urgent,
                        c.waiting_for_staff_since.map(DbTime),
                    )?;
                    let sql = sqlx::AssertSqlSafe(format!("{CONVERSATION} WHERE tenant_id = $1 AND patient_id = $2 AND channel = $3"));
                    // From the writer: the row may have been inserted just now.
                    let row: ConversationRow =
                        fetch!(fetch_one(self.writer()), sql, c.tenant_id.0, c.patient_id.0, c.channel.as_str())?;
                    row.try_into()
                }

                async fn save_conversation(&self, c: &Conversation) -> StoreResult<()> {
                    self.save_conversation_checked(c, None).await.map(drop)
                }

                async fn save_conversation_if(&self, c: &Conversation, expected_version: i64) -> StoreResult<i64> {
                    self.save_conversation_checked(c, Some(expected_version)).await
                }

                async fn get_conversation_versioned(
                    &self,
                    tenant: TenantId,
                    id: ConversationId,
                ) -> StoreResult<Option<Versioned<Conversation>>> {
                    let sql = sqlx::AssertSqlSafe(format!("{CONVERSATION} WHERE tenant_id = $1 AND id = $2"));
                    let row: Option<ConversationRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, id.0)?;
                    row.map(|r| Ok(Versioned { version: r.version, value: Conversation::try_from(r)? })).transpose()
                }

                async fn get_conversation(&self, tenant: TenantId, id: ConversationId) -> StoreResult<Option<Conversation>> {
                    Ok(self.get_conversation_versioned(tenant, id).await?.map(|v| v.value))
                }

                async fn list_conversations(
                    &self,
                    tenant: TenantId,
                    f: &ConversationFilter,
                    page: PageRequest,
                ) -> StoreResult<Page<Conversation>> {
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{CONVERSATION} WHERE tenant_id = $1 AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR channel = $3)
                           AND ($4 IS NULL OR patient_id = $4) AND ($5 IS NULL OR assignee = $5)
                           AND ($6 IS NULL OR EXISTS (SELECT 1 FROM messages m WHERE m.tenant_id = $1 AND m.conversation_id = c.id
                                                      AND {}))
                           AND ($7 IS NULL OR (COALESCE(last_message_at, created_at), id) <
                                (SELECT COALESCE(last_message_at, created_at), id FROM conversations WHERE tenant_id = $1 AND id = $7))
                         ORDER BY COALESCE(last_message_at, created_at) DESC, id DESC LIMIT $8",
                        format!("{}(m.search_text, $6) > 0", <$store as $crate::SqlBackend>::FIND),
                    ));
                    let rows: Vec<ConversationRow> = fetch!(
                        fetch_all(self.reader()),
                        sql,
                        tenant.0,
                        f.status.map(|s| s.as_str()),
                        f.channel.map(|c| c.as_str()),
                        f.patient_id.map(|p| p.0),
                        &f.assignee,
                        f.text.as_deref().map(search_key),
                        page.before,
                        page.fetch_limit(),
                    )?;
                    let items = rows.into_iter().map(Conversation::try_from).collect::<StoreResult<Vec<_>>>()?;
                    Ok(Page::from_rows(items, page, |c| c.id.0))
                }

                async fn insert_message_with_jobs(&self, m: &Message, jobs: &[NewJob], now: Timestamp) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    exec!(
                        &mut *tx,
                        "INSERT INTO messages (id, tenant_id, conversation_id, patient_id, direction, channel, body, media,
                            transcript, template, provider, provider_message_id, status, error_code, error_message, created_at,
                            updated_at, search_text)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
                        m.id.0,
                        m.tenant_id.0,
                        m.conversation_id.0,
                        m.patient_id.0,
                        m.direction.as_str(),
                        m.channel.as_str(),
                        m.body.as_ref().map(|b| b.as_str()),
                        Json(&m.media),
                        m.transcript.as_ref().map(|t| t.as_str()),
                        &m.template,
                        &m.provider,
                        &m.provider_message_id,
                        m.status.as_str(),
                        &m.error_code,
                        &m.error_message,
                        DbTime(m.created_at),
                        DbTime(m.updated_at),
                        m.search_text(),
                    )?;
                    Self::insert_jobs(&mut tx, jobs, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    if !jobs.is_empty() {
                        self.jobs_committed();
                    }
                    Ok(())
                }

                async fn save_message_status(&self, m: &Message, was: MessageStatus) -> StoreResult<bool> {
                    let changed = exec!(
                        self.writer(),
                        "UPDATE messages SET provider_message_id = $1, status = $2, error_code = $3, error_message = $4,
                            updated_at = $5
                         WHERE tenant_id = $6 AND id = $7 AND status = $8",
                        &m.provider_message_id,
                        m.status.as_str(),
                        &m.error_code,
                        &m.error_message,
                        DbTime(m.updated_at),
                        m.tenant_id.0,
                        m.id.0,
                        was.as_str(),
                    )?;
                    Ok(changed == 1)
                }

                async fn set_message_transcript(&self, tenant: TenantId, id: MessageId, transcript: &MessageText) -> StoreResult<()> {
                    // The search text covers the body too, which a message keeps from its insert.
                    let sql = sqlx::AssertSqlSafe(format!("{MESSAGE} WHERE tenant_id = $1 AND id = $2"));
                    let row: Option<MessageRow> = fetch!(fetch_optional(self.writer()), sql, tenant.0, id.0)?;
                    let mut message = Message::try_from(row.ok_or(StoreError::NotFound)?)?;
                    message.transcript = Some(transcript.clone());
                    let sql = "UPDATE messages SET transcript = $1, search_text = $2 WHERE tenant_id = $3 AND id = $4";
                    found(exec!(self.writer(), sql, transcript.as_str(), message.search_text(), tenant.0, id.0)?)
                }

                async fn get_message(&self, tenant: TenantId, id: MessageId) -> StoreResult<Option<Message>> {
                    let sql = sqlx::AssertSqlSafe(format!("{MESSAGE} WHERE tenant_id = $1 AND id = $2"));
                    let row: Option<MessageRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, id.0)?;
                    row.map(Message::try_from).transpose()
                }

                async fn message_by_provider_id(&self, tenant: TenantId, provider: &str, pid: &str) -> StoreResult<Option<Message>> {
                    let sql = sqlx::AssertSqlSafe(format!("{MESSAGE} WHERE tenant_id = $1 AND provider = $2 AND provider_message_id = $3"));
                    let row: Option<MessageRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, provider, pid)?;
                    row.map(Message::try_from).transpose()
                }

                async fn list_messages(&self, tenant: TenantId, conversation: ConversationId) -> StoreResult<Vec<Message>> {
                    let sql = sqlx::AssertSqlSafe(format!("{MESSAGE} WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY created_at, id"));
                    let rows: Vec<MessageRow> = fetch!(fetch_all(self.reader()), sql, tenant.0, conversation.0)?;
                    rows.into_iter().map(Message::try_from).collect()
                }

                async fn list_messages_between(
                    &self,
                    tenant: TenantId,
                    from: Timestamp,
                    to: Timestamp,
                    page: PageRequest,
                ) -> StoreResult<Page<Message>> {
                    // Ids are time-ordered (UUIDv7), so id order is creation order.
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{MESSAGE} WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 \
                         AND ($4 IS NULL OR id < $4) ORDER BY id DESC LIMIT $5"
                    ));
                    let rows: Vec<MessageRow> = fetch!(
                        fetch_all(self.reader()), sql, tenant.0, DbTime(from), DbTime(to), page.before, page.fetch_limit()
                    )?;
                    let items = rows.into_iter().map(Message::try_from).collect::<StoreResult<Vec<_>>>()?;
                    Ok(Page::from_rows(items, page, |m| m.id.0))
                }

                async fn recent_inbound(&self, tenant: TenantId, conversation: ConversationId, since: Timestamp, limit: u32) -> StoreResult<Vec<Message>> {
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{MESSAGE} WHERE tenant_id = $1 AND conversation_id = $2 AND direction = 'inbound' \
                         AND created_at >= $3 ORDER BY created_at DESC, id DESC LIMIT $4"
                    ));
                    let rows: Vec<MessageRow> = fetch!(
                        fetch_all(self.reader()), sql, tenant.0, conversation.0, DbTime(since), i64::from(limit)
                    )?;
                    rows.into_iter().map(Message::try_from).collect()
                }

                async fn conversations_turned_negative(
                    &self,
                    tenant: TenantId,
                    from: Timestamp,
                    to: Timestamp,
                    limit: u32,
                ) -> StoreResult<Vec<Conversation>> {
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{CONVERSATION} WHERE tenant_id = $1 AND turned_negative_at >= $2 AND turned_negative_at < $3
                         ORDER BY turned_negative_at DESC, id DESC LIMIT $4"
                    ));
                    let rows: Vec<ConversationRow> =
                        fetch!(fetch_all(self.reader()), sql, tenant.0, DbTime(from), DbTime(to), i64::from(limit))?;
                    rows.into_iter().map(Conversation::try_from).collect()
                }

                async fn failed_messages(&self, tenant: TenantId, since: Timestamp, limit: u32) -> StoreResult<Vec<Message>> {
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{MESSAGE} WHERE tenant_id = $1 AND status = 'failed' AND created_at >= $2 ORDER BY created_at DESC, id DESC LIMIT $3"
                    ));
                    let rows: Vec<MessageRow> =
                        fetch!(fetch_all(self.reader()), sql, tenant.0, DbTime(since), i64::from(limit))?;
                    rows.into_iter().map(Message::try_from).collect()
                }

                async fn record_consent_with_jobs(
                    &self,
                    tenant: TenantId,
                    patient: PatientId,
                    c: &Consent,
                    jobs: &[NewJob],
                    now: Timestamp,
                ) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    exec!(
                        &mut *tx,
                        "INSERT INTO consents (id, tenant_id, patient_id, channel, state, source, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        Uuid::now_v7(),
                        tenant.0,
                        patient.0,
                        c.channel.as_str(),
                        c.state.as_str(),
                        &c.source,
                        DbTime(c.at),
                    )?;
                    Self::insert_jobs(&mut tx, jobs, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    if !jobs.is_empty() {
                        self.jobs_committed();
                    }
                    Ok(())
                }

                async fn consents(&self, tenant: TenantId, patient: PatientId) -> StoreResult<Vec<Consent>> {
                    let sql = "SELECT channel, state, source, at FROM consents WHERE tenant_id = $1 AND patient_id = $2 ORDER BY id";
                    let rows: Vec<(String, String, String, DbTime)> = fetch!(fetch_all(self.reader()), sql, tenant.0, patient.0)?;
                    let consent = |(channel, state, source, at): (String, String, String, DbTime)| {
                        Ok(Consent { channel: parse(&channel, "channel")?, state: parse(&state, "consent")?, source, at: at.0 })
                    };
                    rows.into_iter().map(consent).collect()
                }

                async fn mark_read(
                    &self,
                    tenant: TenantId,
                    user: frontdesk_domain::UserId,
                    conversation: ConversationId,
                    at: jiff::Timestamp,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO conversation_reads (tenant_id, user_id, conversation_id, read_at)
                         SELECT $1, $2, id, $4 FROM conversations WHERE tenant_id = $1 AND id = $3
                         ON CONFLICT (tenant_id, user_id, conversation_id)
                         DO UPDATE SET read_at = excluded.read_at WHERE conversation_reads.read_at < excluded.read_at",
                    )
                    .bind(tenant.0)
                    .bind(user.0)
                    .bind(conversation.0)
                    .bind(DbTime(at))
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(())
                }

                async fn unread_counts(
                    &self,
                    tenant: TenantId,
                    user: frontdesk_domain::UserId,
                ) -> StoreResult<Vec<(ConversationId, u64)>> {
                    let sql = "SELECT m.conversation_id, COUNT(*) FROM messages m
                        LEFT JOIN conversation_reads r ON r.tenant_id = m.tenant_id
                            AND r.conversation_id = m.conversation_id AND r.user_id = $2
                        WHERE m.tenant_id = $1 AND m.direction = 'inbound'
                            AND (r.read_at IS NULL OR m.created_at > r.read_at)
                        GROUP BY m.conversation_id";
                    let rows: Vec<(uuid::Uuid, i64)> = fetch!(fetch_all(self.reader()), sql, tenant.0, user.0)?;
                    Ok(rows.into_iter().map(|(id, n)| (ConversationId(id), n.max(0) as u64)).collect())
                }
            }
        };
    };
}
