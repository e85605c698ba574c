//! The conversation itself: history, posting, typing and read receipts, files, and the signals
//! that fan each change out to the open windows.

use super::*;

impl Chats {
    pub async fn thread(&self, caller: &Caller, chat_id: i64) -> Result<ChatThread, AppError> {
        let (chat, side) = self.access(caller, chat_id).await?;
        let messages = self
            .store
            .messages_after(chat_id, 0, side.is_staff(), PAGE_LIMIT)
            .await?;
        Ok(ChatThread {
            chat: chat.view,
            messages,
        })
    }

    /// Messages after `after`, in order (internal notes for staff only).
    pub async fn messages_after(
        &self,
        caller: &Caller,
        chat_id: i64,
        after: i64,
    ) -> Result<Vec<ChatMessage>, AppError> {
        let (_, side) = self.access(caller, chat_id).await?;
        self.messages_for(&side, chat_id, after).await
    }

    pub async fn messages_for(
        &self,
        side: &Side,
        chat_id: i64,
        after: i64,
    ) -> Result<Vec<ChatMessage>, AppError> {
        Ok(self
            .store
            .messages_after(chat_id, after.max(0), side.is_staff(), PAGE_LIMIT)
            .await?)
    }

    pub async fn chat_view(&self, chat_id: i64) -> Result<ChatView, AppError> {
        Ok(self.stored_chat(chat_id).await?.view)
    }

    /// Stores a message, then broadcasts it. Resending the same `client_id` returns the
    /// stored message without a copy (and without broadcasting it again).
    pub async fn post(
        &self,
        caller: &Caller,
        chat_id: i64,
        text: &MessageText,
        client_id: Option<&str>,
        internal: bool,
    ) -> Result<(ChatMessage, bool), AppError> {
        let (chat, side) = self.access(caller, chat_id).await?;
        self.post_as(&chat, &side, text, client_id, internal, None)
            .await
    }

    pub async fn post_as(
        &self,
        chat: &StoredChat,
        side: &Side,
        text: &MessageText,
        client_id: Option<&str>,
        internal: bool,
        file: Option<i64>,
    ) -> Result<(ChatMessage, bool), AppError> {
        let body = text.as_str();
        let client_id = client_id.filter(|c| !c.is_empty());
        if client_id.is_some_and(|c| !valid_client_id(c)) {
            return Err(AppError::field(ErrorCode::InvalidInput, "client_id"));
        }
        if internal && !side.is_staff() {
            return Err(ErrorCode::Forbidden.into());
        }
        if chat.view.status == ChatStatus::Closed {
            return Err(ErrorCode::ChatClosed.into());
        }
        if let Side::Staff(p) = side {
            let assigned =
                chat.view.status == ChatStatus::Active && chat.view.agent_id == Some(p.user.id);
            if !internal && !assigned && p.role() != Role::Admin {
                return Err(ErrorCode::ChatNotYours.into());
            }
        }
        // A reply on WhatsApp / Messenger / Instagram leaves through the Graph API, which only
        // takes it within 24 hours of the customer's last message.
        let outbound = side.is_staff() && !internal && chat.view.channel.is_meta();
        if outbound {
            if file.is_some() {
                return Err(AppError::field(ErrorCode::ChannelFileUnsupported, "file"));
            }
            let now = self.clock.now();
            if chat
                .view
                .window_closes_at
                .is_none_or(|closes| now >= closes)
            {
                return Err(ErrorCode::ChannelWindowClosed.into());
            }
        }
        let author_id = match side {
            Side::Customer { user_id, .. } => *user_id,
            Side::Staff(p) => Some(p.user.id),
        };
        let (message, new) = self
            .store
            .add_message(NewChatMessage {
                chat_id: chat.view.id,
                author_id,
                author_name: side.name(),
                role: side.role(),
                body,
                internal,
                client_id,
                attachment_id: file,
                now: self.clock.now(),
                outbound,
            })
            .await?;
        if new {
            self.broadcast(chat.view.id, &message, side).await;
        }
        Ok((message, new))
    }

    pub(super) async fn broadcast(&self, chat_id: i64, message: &ChatMessage, side: &Side) {
        let mut signals = vec![Signal::Message {
            chat_id,
            id: message.id,
            internal: message.internal,
            message: Some(Arc::new(message.clone())),
        }];
        if !side.is_staff() {
            signals.push(Signal::Console {
                chat_id,
                new_chat: false,
                activity: true,
            });
        }
        self.fanout.publish_all(signals).await;
    }

    pub(super) async fn system_message(&self, chat_id: i64, body: &str) -> Result<(), AppError> {
        let (message, _) = self
            .store
            .add_message(NewChatMessage {
                chat_id,
                author_id: None,
                author_name: "Any2cloud",
                role: ChatRole::System,
                body,
                internal: false,
                client_id: None,
                attachment_id: None,
                now: self.clock.now(),
                outbound: false,
            })
            .await?;
        self.fanout
            .publish(Signal::Message {
                chat_id,
                id: message.id,
                internal: false,
                message: Some(Arc::new(message)),
            })
            .await;
        Ok(())
    }

    /// Typing indicators are not stored: they only matter to whoever is connected now.
    pub async fn typing(&self, side: &Side, chat_id: i64, typing: bool) {
        self.fanout
            .publish(Signal::Typing {
                chat_id,
                role: side.role(),
                name: side.name().to_owned(),
                typing,
            })
            .await;
    }

    /// The caller's side has read up to `id`.
    pub async fn read(&self, side: &Side, chat: &StoredChat, id: i64) -> Result<(), AppError> {
        let id = id.max(0);
        self.store.mark_read(chat.view.id, side.role(), id).await?;
        self.fanout
            .publish(Signal::Read {
                chat_id: chat.view.id,
                role: side.role(),
                id,
            })
            .await;
        Ok(())
    }

    /// Stores a file (same limits as ticket attachments) and posts it as a message.
    pub async fn attach(
        &self,
        caller: &Caller,
        chat_id: i64,
        filename: &str,
        bytes: &[u8],
        client_id: Option<&str>,
    ) -> Result<ChatMessage, AppError> {
        let (chat, side) = self.access(caller, chat_id).await?;
        if chat.view.status == ChatStatus::Closed {
            return Err(ErrorCode::ChatClosed.into());
        }
        if chat.view.channel.is_meta() && side.is_staff() {
            return Err(AppError::field(ErrorCode::ChannelFileUnsupported, "file"));
        }
        let (filename, content_type) =
            check_upload(bytes, filename).map_err(|code| AppError::field(code, "file"))?;
        let key = format!("chats/{chat_id}/{}", uuid::Uuid::new_v4().simple());
        self.blobs.put(&key, bytes).await.map_err(internal)?;
        let file_id = self
            .store
            .add_file(NewChatFile {
                chat_id,
                filename: &filename,
                content_type,
                size: bytes.len() as i64,
                storage_key: &key,
                now: self.clock.now(),
            })
            .await?;
        let text = MessageText::parse(&filename)?;
        self.post_as(&chat, &side, &text, client_id, false, Some(file_id))
            .await
            .map(|(m, _)| m)
    }

    pub async fn file(
        &self,
        caller: &Caller,
        chat_id: i64,
        file_id: i64,
    ) -> Result<(ChatFile, Vec<u8>), AppError> {
        self.access(caller, chat_id).await?;
        let (file, owner, key) = self.store.file(file_id).await?.ok_or(ErrorCode::NotFound)?;
        if owner != chat_id {
            return Err(ErrorCode::NotFound.into());
        }
        let bytes = self.blobs.get(&key).await.map_err(internal)?;
        Ok((file, bytes))
    }

    pub(super) async fn changed(&self, chat_id: i64) {
        self.fanout.publish(Signal::Status { chat_id }).await;
        self.fanout
            .publish(Signal::Console {
                chat_id,
                new_chat: false,
                activity: false,
            })
            .await;
    }
}
