//! Files attached to a ticket's messages: uploading and downloading them.

use super::*;

impl Tickets {
    /// Attaches a file to a ticket the caller can see. Size and type are checked before any
    /// byte is stored; the type comes from the content, not the name.
    pub async fn attach(
        &self,
        principal: &Principal,
        ticket_id: i64,
        filename: &str,
        bytes: &[u8],
    ) -> Result<Attachment, AppError> {
        self.visible_ticket(principal, ticket_id).await?;
        let (filename, content_type) =
            check_upload(bytes, filename).map_err(|code| AppError::field(code, "file"))?;
        let key = format!("tickets/{ticket_id}/{}", uuid::Uuid::new_v4().simple());
        self.blobs
            .put(&key, bytes)
            .await
            .map_err(crate::kernel::internal)?;
        let id = self
            .store
            .add_attachment(NewAttachment {
                ticket_id,
                filename: &filename,
                content_type,
                size: bytes.len() as i64,
                storage_key: &key,
                uploaded_by: principal.user.id,
                now: self.clock.now(),
            })
            .await?;
        tracing::info!(
            ticket.id = ticket_id,
            attachment.id = id,
            size = bytes.len(),
            "file attached"
        );
        self.store
            .get_attachment(id)
            .await?
            .map(|(a, _)| a)
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    /// An attachment's metadata and bytes, if the caller can see its ticket.
    pub async fn attachment(
        &self,
        principal: &Principal,
        id: i64,
    ) -> Result<(Attachment, Vec<u8>), AppError> {
        let (attachment, key) = self
            .store
            .get_attachment(id)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        self.visible_ticket(principal, attachment.ticket_id).await?;
        let bytes = self
            .blobs
            .get(&key)
            .await
            .map_err(crate::kernel::internal)?;
        Ok((attachment, bytes))
    }
}
