//! Password changes and resets by emailed link.

use super::*;

impl Accounts {
    pub async fn change_password(
        &self,
        principal: &Principal,
        current: &str,
        new: &str,
    ) -> Result<(), AppError> {
        let user = self
            .store
            .get_user(principal.user.id)
            .await?
            .ok_or(ErrorCode::NotFound)?;
        let hash = user.password_hash.ok_or(ErrorCode::PasswordWrong)?;
        if !verify_password(hash, current.to_owned()).await? {
            return Err(AppError::field(ErrorCode::PasswordWrong, "current"));
        }
        let password = parse_password(new, "new")?;
        let now = self.clock.now();
        self.store
            .set_password(user.id, &hash_password(&password).await?, now)
            .await?;
        self.store
            .revoke_other_sessions(user.id, Some(principal.session_id), now)
            .await?;
        self.store.spend_tokens(user.id, now).await?;
        self.sessions_ended(user.id, None, Some(principal.session_id))
            .await;
        Ok(())
    }

    /// Emails a single-use reset link. Answers the same, in the same time, whether or not the
    /// account exists: the lookup and the mail happen after the answer, in the background.
    pub async fn request_password_reset(&self, raw_email: &str) -> Result<(), AppError> {
        let email = parse_email(raw_email)?;
        let accounts = self.clone();
        let work = tokio::spawn(async move {
            if let Err(e) = accounts.mail_reset_link(email).await {
                tracing::error!(error = %e, "password reset mail not queued");
            }
        });
        // Tests (and a process about to stop) may wait for the work: it is tracked.
        self.reset_work
            .lock()
            .map(|mut w| {
                w.retain(|h| !h.is_finished());
                w.push(work);
            })
            .ok();
        Ok(())
    }

    /// Waits until every reset request made so far has done its work.
    pub async fn settle_reset_requests(&self) {
        let pending: Vec<_> = self
            .reset_work
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default();
        for handle in pending {
            let _ = handle.await;
        }
    }

    pub(super) async fn mail_reset_link(&self, email: Email) -> Result<(), AppError> {
        let _one_at_a_time = self.reset_lock.lock().await;
        let Some(user) = self.store.find_user_by_email(email.as_str()).await? else {
            tracing::info!("password reset requested for an unknown email");
            return Ok(());
        };
        let now = self.clock.now();
        // At most a few links per account and window: more would only flood the inbox. This
        // cannot lock the owner out: a link sent in the window is still valid (one hour).
        let recent = self
            .store
            .tokens_created_since(
                user.id,
                TokenPurpose::PasswordReset,
                now - Duration::minutes(RESET_WINDOW_MINUTES),
            )
            .await?;
        if recent >= MAX_RESETS_PER_WINDOW {
            tracing::warn!(
                user = user.id,
                "password reset mail suppressed: too many requests"
            );
            return Ok(());
        }
        let token = new_token();
        self.store
            .create_token(
                user.id,
                TokenPurpose::PasswordReset,
                &self.key.hash(&token),
                now,
                now + Duration::minutes(RESET_TOKEN_MINUTES),
            )
            .await?;
        let link = format!(
            "{}/restablecer-contrasena?token={token}",
            self.settings.public_url
        );
        let body = format!(
            "Hola {name}:\n\nRecibimos una solicitud para restablecer la contraseña de su cuenta en Any2cloud Portal.\n\
             Use este enlace dentro de la próxima hora (sirve una sola vez):\n\n{link}\n\n\
             Si usted no lo solicitó, ignore este mensaje: su contraseña no cambia.\n\n\
             --\nHello {name}: use the link above within one hour to reset your password. If you did not ask for it, ignore this message.\n",
            name = user.name
        );
        self.send_mail(
            &user.email,
            "Restablecer contraseña · Any2cloud Portal",
            &body,
        )
        .await
    }

    /// Sets a new password from an emailed reset or invite link; signs out every session.
    pub async fn reset_password(&self, token: &str, new_password: &str) -> Result<(), AppError> {
        let password = parse_password(new_password, "password")?;
        let now = self.clock.now();
        let hash = self.key.hash(token);
        let mut user_id = None;
        for purpose in [TokenPurpose::PasswordReset, TokenPurpose::Invite] {
            if let Some(id) = self.store.consume_token(purpose, &hash, now).await? {
                user_id = Some(id);
                break;
            }
        }
        let user_id = user_id.ok_or(ErrorCode::TokenInvalid)?;
        self.store
            .set_password(user_id, &hash_password(&password).await?, now)
            .await?;
        self.store.revoke_other_sessions(user_id, None, now).await?;
        self.store.spend_tokens(user_id, now).await?;
        self.sessions_ended(user_id, None, None).await;
        tracing::info!(user.id = user_id, "password set from emailed link");
        Ok(())
    }
}
