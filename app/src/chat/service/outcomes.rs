//! How a conversation ends: closing, turning it into a ticket, messages left after hours,
//! address confirmations for anonymous visitors, ratings and emailed transcripts.

use super::*;

impl Chats {
    /// Ends the conversation (either side may).
    pub async fn close(&self, caller: &Caller, chat_id: i64) -> Result<ChatView, AppError> {
        let (chat, side) = self.access(caller, chat_id).await?;
        if let Side::Staff(p) = &side {
            if chat.view.agent_id.is_some()
                && chat.view.agent_id != Some(p.user.id)
                && p.role() != Role::Admin
            {
                return Err(ErrorCode::ChatNotYours.into());
            }
        }
        if self.store.close(chat_id, self.clock.now()).await? {
            self.system_message(
                chat_id,
                &format!("{} finalizó la conversación.", side.name()),
            )
            .await?;
            self.changed(chat_id).await;
            self.route_waiting().await?;
        }
        self.chat_view(chat_id).await
    }

    /// Creates a ticket with the transcript (public messages) for the chat's customer.
    pub async fn convert_to_ticket(
        &self,
        principal: &Principal,
        chat_id: i64,
    ) -> Result<i64, AppError> {
        Self::staff(principal)?;
        let chat = self.stored_chat(chat_id).await?;
        if let Some(existing) = chat.view.ticket_id {
            return Ok(existing);
        }
        let (org_id, user_id, unverified) = match (chat.org_id, chat.customer_id) {
            (Some(org), Some(user)) => (org, user, false),
            _ if chat.view.channel == crate::domain::channel::Channel::Web => {
                let (org, user) = self.unverified_requester().await?;
                (org, user, true)
            }
            // A WhatsApp / Messenger / Instagram contact: the platform vouches for the
            // number or id, never for an email; their own contact organisation.
            _ => {
                let (org, user) = self
                    .contact(&chat.view.visitor_name, &chat.view.visitor_email)
                    .await?;
                (org, user, false)
            }
        };
        let messages = self
            .store
            .messages_after(chat_id, 0, false, PAGE_LIMIT)
            .await?;
        let first = messages
            .iter()
            .find(|m| m.role == ChatRole::Customer)
            .map(|m| m.body.as_str())
            .unwrap_or("Conversación de chat");
        let subject = format!("Chat #{chat_id}: {}", excerpt(first, 120));
        let body = format!(
            "Conversación de chat con {} <{}>\n\n{}",
            chat.view.visitor_name,
            chat.view.visitor_email,
            transcript(&messages)
        );
        let ticket = self
            .tickets
            .open_for(org_id, user_id, &subject, &body, TicketSource::Chat)
            .await?;
        if unverified {
            self.await_confirmation(
                &chat.view.visitor_name,
                &chat.view.visitor_email,
                Pending::Ticket(ticket.id),
            )
            .await?;
        }
        if self.store.link_ticket(chat_id, ticket.id).await? {
            self.system_message(chat_id, &format!("Se creó el ticket {}.", ticket.number))
                .await?;
            self.changed(chat_id).await;
            Ok(ticket.id)
        } else {
            // Another agent converted it at the same moment: keep theirs.
            Ok(self
                .chat_view(chat_id)
                .await?
                .ticket_id
                .unwrap_or(ticket.id))
        }
    }

    /// The portal user for a visitor's email: an existing customer, or a new contact in an
    /// organisation of their own (so nobody else's tickets become visible to them).
    pub(super) async fn contact(&self, name: &str, email: &str) -> Result<(i64, i64), AppError> {
        if let Some(user) = self.accounts.find_user_by_email(email).await? {
            return match (user.role, user.org_id) {
                (Role::Customer, Some(org)) => Ok((org, user.id)),
                _ => Err(AppError::field(ErrorCode::EmailTaken, "email")),
            };
        }
        let now = self.clock.now();
        let org = crate::accounts::service::contact_org(
            self.accounts.as_ref(),
            &format!("Contacto web: {email}"),
            now,
        )
        .await?;
        let user = self
            .accounts
            .create_user(NewUser {
                email,
                name,
                role: Role::Customer,
                org_id: Some(org),
                password_hash: None,
                now,
            })
            .await?;
        tracing::info!(user.id = user, org.id = org, "web contact created");
        Ok((org, user))
    }

    /// Outside hours or with nobody online: the message becomes a ticket.
    pub async fn leave_message(
        &self,
        caller: &Caller,
        name: &str,
        email: &str,
        text: MessageText,
    ) -> Result<crate::tickets::TicketSummary, AppError> {
        let text = text.as_str();
        let (org_id, user_id, who) = match caller {
            Caller::User(p) if p.role() == Role::Customer => (
                p.org_id().ok_or(ErrorCode::Forbidden)?,
                p.user.id,
                format!("{} <{}>", p.user.name, p.user.email),
            ),
            Caller::User(_) => return Err(ErrorCode::Forbidden.into()),
            _ => {
                let name = PersonName::parse(name)
                    .ok_or_else(|| AppError::field(ErrorCode::NameRequired, "name"))?;
                let email = Email::parse(email)
                    .ok_or_else(|| AppError::field(ErrorCode::EmailInvalid, "email"))?;
                let subject = format!("Mensaje del chat: {}", excerpt(text, 120));
                let who = format!(
                    "{} <{}> (correo sin confirmar)",
                    name.as_str(),
                    email.as_str()
                );
                let body = format!("Mensaje dejado en el chat por {who}:\n\n{text}");
                // Whatever the address (a customer's, staff's, nobody's): a ticket only staff
                // see, and a confirmation link to that address. Nothing is attached to an
                // account until the address confirms, and the answer is the same.
                let (org, user) = self.unverified_requester().await?;
                let ticket = self
                    .tickets
                    .open_for(org, user, &subject, &body, TicketSource::Chat)
                    .await?;
                self.await_confirmation(name.as_str(), email.as_str(), Pending::Ticket(ticket.id))
                    .await?;
                return Ok(ticket);
            }
        };
        let subject = format!("Mensaje del chat: {}", excerpt(text, 120));
        let body = format!("Mensaje dejado en el chat por {who}:\n\n{text}");
        self.tickets
            .open_for(org_id, user_id, &subject, &body, TicketSource::Chat)
            .await
    }

    /// The organisation and requester of tickets whose address is not confirmed yet.
    pub(super) async fn unverified_requester(&self) -> Result<(i64, i64), AppError> {
        let now = self.clock.now();
        let org =
            crate::accounts::service::contact_org(self.accounts.as_ref(), UNVERIFIED_ORG, now)
                .await?;
        if let Some(user) = self
            .accounts
            .find_user_by_email(UNVERIFIED_REQUESTER)
            .await?
        {
            return Ok((org, user.id));
        }
        let created = self
            .accounts
            .create_user(NewUser {
                email: UNVERIFIED_REQUESTER,
                name: "Contacto sin verificar",
                role: Role::Customer,
                org_id: Some(org),
                password_hash: None,
                now,
            })
            .await;
        match created {
            Ok(id) => Ok((org, id)),
            // Created at the same moment by another request.
            Err(crate::kernel::StoreError::Conflict(_)) => {
                let user = self
                    .accounts
                    .find_user_by_email(UNVERIFIED_REQUESTER)
                    .await?
                    .ok_or(ErrorCode::NotFound)?;
                Ok((org, user.id))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Mails `email` a link that confirms it (at most a few per address an hour: the ticket or
    /// transcript still waits, and staff can link it); remembers what waits for it.
    pub(super) async fn await_confirmation(
        &self,
        name: &str,
        email: &str,
        pending: Pending,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        let token = new_token();
        let recent = self
            .accounts
            .contact_confirmations_since(email, now - chrono::Duration::hours(1))
            .await?;
        let id = self
            .accounts
            .create_contact_confirmation(
                email,
                name,
                &self.key.hash(&token),
                now,
                now + chrono::Duration::days(CONFIRMATION_DAYS),
            )
            .await?;
        match pending {
            Pending::Ticket(ticket) => self.accounts.set_ticket_contact(ticket, id).await?,
            Pending::Transcript(chat) => self.accounts.set_transcript_contact(chat, id).await?,
        }
        if recent >= MAX_CONFIRMATIONS_PER_ADDRESS_HOUR {
            tracing::warn!("address confirmation not mailed: too many for this address");
            return Ok(());
        }
        // Fixed text only: nothing the visitor typed goes out from the support address.
        let link = format!("{}/confirmar-correo?token={token}", self.public_url);
        let body = format!(
            "Hola:\n\nAlguien escribió esta dirección en el chat de soporte de Any2cloud. Si fue usted, \
             confírmela con este enlace (vence en {CONFIRMATION_DAYS} días) para que su solicitud quede \
             ligada a su correo:\n\n{link}\n\nSi no fue usted, ignore este mensaje.\n\n\
             --\nSomeone typed this address in Any2cloud's support chat. If it was you, confirm it \
             with the link above; otherwise ignore this message.\n"
        );
        self.outbox
            .enqueue(NewMail {
                to: email,
                subject: "Confirme su correo · Any2cloud",
                body: &body,
                now,
            })
            .await?;
        Ok(())
    }

    /// Confirms an address from its emailed link: its waiting tickets go to the customer with
    /// that address (or a new contact of its own when there is none) and waiting transcripts
    /// are mailed. A staff address keeps its tickets where staff see them.
    pub async fn confirm_address(&self, token: &str) -> Result<(), AppError> {
        let now = self.clock.now();
        let (_, email, name) = self
            .accounts
            .confirm_contact(&self.key.hash(token.trim()), now)
            .await?
            .ok_or(ErrorCode::TokenInvalid)?;
        let owner = match self.accounts.find_user_by_email(&email).await? {
            Some(u) if u.role == Role::Customer => u.org_id.map(|org| (org, u.id)),
            Some(_) => None,
            None => Some(self.contact(&name, &email).await?),
        };
        if let Some((org, user)) = owner {
            let moved = self
                .accounts
                .assign_contact_tickets(&email, org, user)
                .await?;
            tracing::info!(user.id = user, moved, "address confirmed: tickets linked");
        }
        for chat_id in self.accounts.take_transcripts_awaiting(&email).await? {
            self.mail_transcript(chat_id, &email, now).await?;
        }
        Ok(())
    }

    /// 1–5 with an optional comment, once, after the chat ended.
    pub async fn rate(
        &self,
        caller: &Caller,
        chat_id: i64,
        rating: i64,
        comment: &str,
    ) -> Result<(), AppError> {
        let (_, side) = self.access(caller, chat_id).await?;
        if side.is_staff() {
            return Err(ErrorCode::Forbidden.into());
        }
        if !(1..=5).contains(&rating) {
            return Err(AppError::field(ErrorCode::RatingInvalid, "rating"));
        }
        let comment: String = comment.trim().chars().take(2_000).collect();
        if !self.store.rate(chat_id, rating, &comment).await? {
            return Err(ErrorCode::AlreadyRated.into());
        }
        self.changed(chat_id).await;
        Ok(())
    }

    /// Emails the public transcript, once: to a signed-in customer's own address, or to an
    /// anonymous visitor's address once it has confirmed (a confirmation link goes first, and
    /// the transcript follows it), so the portal never mails a stranger's text to anyone.
    pub async fn send_transcript(
        &self,
        caller: &Caller,
        chat_id: i64,
    ) -> Result<TranscriptOutcome, AppError> {
        let (chat, side) = self.access(caller, chat_id).await?;
        let own_address = match &side {
            Side::Staff(_) => return Err(ErrorCode::Forbidden.into()),
            Side::Customer {
                user_id: Some(_), ..
            } => true,
            Side::Customer { user_id: None, .. } => {
                self.accounts
                    .contact_confirmed(&chat.view.visitor_email)
                    .await?
            }
        };
        let now = self.clock.now();
        if !self.store.claim_transcript(chat_id, now).await? {
            return Err(ErrorCode::TranscriptSent.into());
        }
        if !own_address {
            self.await_confirmation(
                &chat.view.visitor_name,
                &chat.view.visitor_email,
                Pending::Transcript(chat_id),
            )
            .await?;
            self.changed(chat_id).await;
            return Ok(TranscriptOutcome::ConfirmAddress);
        }
        self.mail_transcript(chat_id, &chat.view.visitor_email, now)
            .await?;
        self.changed(chat_id).await;
        Ok(TranscriptOutcome::Sent)
    }

    pub(super) async fn mail_transcript(
        &self,
        chat_id: i64,
        to: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let chat = self.stored_chat(chat_id).await?;
        let messages = self
            .store
            .messages_after(chat_id, 0, false, PAGE_LIMIT)
            .await?;
        let body = format!(
            "Hola {},\n\nEsta es la transcripción de su conversación con Any2cloud \
             (hora de Costa Rica).\n\n{}\n\n— Any2cloud · soporte@any2cloud.com\n",
            chat.view.visitor_name,
            transcript(&messages)
        );
        self.outbox
            .enqueue(NewMail {
                to,
                subject: &format!("Transcripción de su chat #{chat_id} con Any2cloud"),
                body: &body,
                now,
            })
            .await?;
        Ok(())
    }
}
