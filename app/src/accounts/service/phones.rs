//! WhatsApp numbers: proven by a code sent to them or confirmed by staff before they name a
//! customer.

use super::*;

impl Accounts {
    /// Where the caller's WhatsApp number stands.
    pub async fn phone_status(&self, principal: &Principal) -> Result<PhoneStatus, AppError> {
        let verified = self
            .store
            .get_user(principal.user.id)
            .await?
            .and_then(|u| u.phone);
        let pending = self.store.phone_verification(principal.user.id).await?;
        Ok(PhoneStatus {
            verified,
            code_sent: pending.as_ref().is_some_and(|p| p.code_hash.is_some()),
            pending: pending.map(|p| p.phone),
        })
    }

    /// Asks to link a WhatsApp number to the caller (blank removes it). A number names the
    /// person only once proven: a one-time code goes to it over WhatsApp when the channel is
    /// on; otherwise (or when WhatsApp refuses to deliver) staff confirm it. Until then no
    /// conversation from that number is linked to the caller.
    pub async fn set_phone(
        &self,
        principal: &Principal,
        raw: &str,
    ) -> Result<PhoneStatus, AppError> {
        let user_id = principal.user.id;
        let now = self.clock.now();
        if raw.trim().is_empty() {
            self.store.cancel_phone_verification(user_id).await?;
            self.store.set_phone(user_id, None, now).await?;
            return self.phone_status(principal).await;
        }
        let phone = crate::domain::channel::phone_digits(raw)
            .ok_or_else(|| AppError::field(ErrorCode::PhoneInvalid, "phone"))?;
        let current = self.phone_status(principal).await?;
        if current.verified.as_deref() == Some(phone.as_str()) {
            self.store.cancel_phone_verification(user_id).await?;
            return self.phone_status(principal).await;
        }
        if let Some(p) = self.store.phone_verification(user_id).await? {
            if p.code_hash.is_some() && now - p.created_at < Duration::seconds(PHONE_RESEND_SECONDS)
            {
                return Err(AppError::field(ErrorCode::RateLimited, "phone"));
            }
        }
        let sent = match &self.code_sender {
            Some(sender) => {
                let code = phone_code();
                match sender.send_code(&phone, &code).await {
                    Ok(()) => Some(self.phone_code_hash(user_id, &phone, &code)),
                    Err(e) => {
                        tracing::warn!(user.id = user_id, error = %e, "verification code not delivered; staff will confirm");
                        None
                    }
                }
            }
            None => None,
        };
        let expires = sent
            .as_ref()
            .map(|_| now + Duration::minutes(PHONE_CODE_MINUTES));
        self.store
            .start_phone_verification(user_id, &phone, sent.as_deref(), expires, now)
            .await?;
        tracing::info!(
            user.id = user_id,
            code_sent = sent.is_some(),
            "phone verification started"
        );
        self.phone_status(principal).await
    }

    pub(super) fn phone_code_hash(&self, user_id: i64, phone: &str, code: &str) -> String {
        self.key.hash(&format!("phone:{user_id}:{phone}:{code}"))
    }

    /// Checks the code sent to the pending number; five wrong tries or ten minutes end it.
    pub async fn confirm_phone(
        &self,
        principal: &Principal,
        raw_code: &str,
    ) -> Result<PhoneStatus, AppError> {
        let user_id = principal.user.id;
        let now = self.clock.now();
        let pending = self
            .store
            .phone_verification(user_id)
            .await?
            .filter(|p| p.code_hash.is_some())
            .ok_or_else(|| AppError::field(ErrorCode::PhoneNotPending, "code"))?;
        let spent = pending.attempts >= PHONE_CODE_ATTEMPTS
            || pending.expires_at.is_none_or(|at| now >= at);
        if spent {
            return Err(AppError::field(ErrorCode::CodeInvalid, "code"));
        }
        let code: String = raw_code.chars().filter(char::is_ascii_digit).collect();
        let expected = pending.code_hash.unwrap_or_default();
        let given = self.phone_code_hash(user_id, &pending.phone, &code);
        // Keyed hashes are compared: their timing tells nothing about the code.
        if code.len() != 6 || given != expected {
            self.store.phone_attempt_failed(user_id).await?;
            tracing::warn!(user.id = user_id, "wrong phone verification code");
            return Err(AppError::field(ErrorCode::CodeInvalid, "code"));
        }
        self.store
            .verify_phone(user_id, &pending.phone, now)
            .await?;
        tracing::info!(user.id = user_id, "phone verified by code");
        self.phone_status(principal).await
    }

    /// Numbers waiting for verification (staff).
    pub async fn pending_phones(
        &self,
        principal: &Principal,
    ) -> Result<Vec<PendingPhone>, AppError> {
        principal.require(&[Role::Admin, Role::Agent])?;
        Ok(self.store.pending_phones().await?)
    }

    /// Staff vouch that the pending number is the person's (e.g. after calling them).
    pub async fn confirm_phone_by_staff(
        &self,
        principal: &Principal,
        user_id: i64,
    ) -> Result<(), AppError> {
        principal.require(&[Role::Admin, Role::Agent])?;
        let pending = self
            .store
            .phone_verification(user_id)
            .await?
            .ok_or(ErrorCode::PhoneNotPending)?;
        self.store
            .verify_phone(user_id, &pending.phone, self.clock.now())
            .await?;
        tracing::info!(
            user.id = user_id,
            staff.id = principal.user.id,
            "phone confirmed by staff"
        );
        Ok(())
    }

    /// Staff turn a pending number down.
    pub async fn reject_phone(&self, principal: &Principal, user_id: i64) -> Result<(), AppError> {
        principal.require(&[Role::Admin, Role::Agent])?;
        self.store.cancel_phone_verification(user_id).await?;
        tracing::info!(
            user.id = user_id,
            staff.id = principal.user.id,
            "pending phone rejected"
        );
        Ok(())
    }
}
