//! Signing in and out: password checks with back-off, sessions and their timeouts, and ending
//! sessions (which closes their live connections).

use super::*;

impl Accounts {
    /// Tells every instance's open sockets that these sessions ended.
    pub(super) async fn sessions_ended(
        &self,
        user_id: i64,
        only: Option<i64>,
        except: Option<i64>,
    ) {
        if let Some(fanout) = &self.fanout {
            fanout
                .publish(Signal::SessionsEnded(SessionsEnded {
                    user_id,
                    only,
                    except,
                }))
                .await;
        }
    }

    /// Whether the caller's session is still live (not revoked, not past its absolute
    /// timeout): sockets ask before acting on a frame.
    pub async fn session_live(&self, principal: &Principal) -> Result<bool, AppError> {
        if principal.session_id == 0 {
            return Ok(true);
        }
        Ok(self
            .store
            .session_live(principal.session_id, self.clock.now())
            .await?)
    }

    /// Signs in with email and password; creates a web session or an API token.
    pub async fn login(&self, req: LoginRequest<'_>) -> Result<IssuedSession, AppError> {
        let now = self.clock.now();
        // Unparseable emails are simply wrong credentials: no hint about which part failed.
        let email = Email::parse(req.email)
            .map(|e| e.to_string())
            .unwrap_or_default();
        let since = now - Duration::minutes(ATTEMPT_WINDOW_MINUTES);
        let (by_email, by_ip) = self.store.failed_attempts(&email, req.ip, since).await?;
        if by_email >= MAX_FAILED_PER_EMAIL {
            tracing::warn!(email = %email, ip = ?req.ip, "sign-in rate limited");
            return Err(ErrorCode::RateLimited.into());
        }
        let by_account = self.store.failed_for_account(&email, since).await?;
        if by_ip >= MAX_FAILED_PER_IP || by_account >= MAX_FAILED_PER_ACCOUNT {
            tracing::warn!(email = %email, ip = ?req.ip, by_ip, by_account, "sign-in slowed down");
            tokio::time::sleep(SIGN_IN_BACKOFF).await;
        }
        let user = self.store.find_user_by_email(&email).await?;
        let hash = user
            .as_ref()
            .and_then(|u| u.password_hash.clone())
            .unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let matches = verify_password(hash, req.password.to_owned()).await?;
        let user = match user {
            Some(u) if matches && u.password_hash.is_some() => u,
            _ => {
                self.store
                    .record_login_attempt(&email, req.ip, false, now)
                    .await?;
                return Err(ErrorCode::InvalidCredentials.into());
            }
        };
        self.store
            .record_login_attempt(&email, req.ip, true, now)
            .await?;
        let token = new_token();
        let expires_at = now + self.settings.absolute_timeout;
        self.store
            .create_session(NewSession {
                user_id: user.id,
                token_hash: &self.key.hash(&token),
                kind: req.kind,
                user_agent: req.user_agent,
                ip: req.ip,
                now,
                expires_at,
            })
            .await?;
        tracing::info!(user.id = user.id, kind = req.kind.as_str(), "signed in");
        Ok(IssuedSession {
            token,
            expires_at,
            user: current_user(&user),
        })
    }

    /// Resolves a session cookie (`SessionKind::Web`) or bearer token (`SessionKind::Api`);
    /// enforces idle and absolute timeouts. A token used the other way (an API token as a
    /// cookie, which would skip the idle timeout, or a cookie as a bearer token) is refused.
    pub async fn authenticate(
        &self,
        token: &str,
        kind: SessionKind,
    ) -> Result<Principal, AppError> {
        if token.is_empty() || token.len() > 128 {
            return Err(ErrorCode::Unauthenticated.into());
        }
        let now = self.clock.now();
        let Some((session, user)) = self.store.session_by_token(&self.key.hash(token)).await?
        else {
            return Err(ErrorCode::Unauthenticated.into());
        };
        if session.kind != kind {
            tracing::warn!(
                session.id = session.id,
                "session used as the wrong kind of credential"
            );
            return Err(ErrorCode::Unauthenticated.into());
        }
        let idle_limit = match session.kind {
            SessionKind::Web => self.settings.idle_timeout,
            // API tokens are used by integrations that may run daily; they only expire absolutely.
            SessionKind::Api => self.settings.absolute_timeout,
        };
        if now >= session.expires_at || now - session.last_seen_at >= idle_limit {
            self.store
                .revoke_session(user.id, session.id, now)
                .await
                .ok();
            return Err(ErrorCode::Unauthenticated.into());
        }
        let mut last_seen = session.last_seen_at;
        if (now - last_seen).num_seconds() >= TOUCH_EVERY_SECONDS {
            self.store.touch_session(session.id, now).await?;
            last_seen = now;
        }
        Ok(Principal {
            user: current_user(&user),
            session_id: session.id,
            valid_until: session.expires_at.min(last_seen + idle_limit),
        })
    }

    pub async fn logout(&self, principal: &Principal) -> Result<(), AppError> {
        self.store
            .revoke_session(principal.user.id, principal.session_id, self.clock.now())
            .await
            .or_else(|e| match e {
                StoreError::NotFound => Ok(()),
                other => Err(other),
            })?;
        self.sessions_ended(principal.user.id, Some(principal.session_id), None)
            .await;
        Ok(())
    }

    pub async fn sessions(&self, principal: &Principal) -> Result<Vec<SessionView>, AppError> {
        let mut sessions = self
            .store
            .list_sessions(principal.user.id, self.clock.now())
            .await?;
        for s in &mut sessions {
            s.current = s.id == principal.session_id;
            s.client = s
                .user_agent
                .as_deref()
                .and_then(crate::accounts::ClientApp::from_user_agent);
        }
        Ok(sessions)
    }

    pub async fn revoke_session(
        &self,
        principal: &Principal,
        session_id: i64,
    ) -> Result<(), AppError> {
        self.store
            .revoke_session(principal.user.id, session_id, self.clock.now())
            .await?;
        self.sessions_ended(principal.user.id, Some(session_id), None)
            .await;
        Ok(())
    }

    /// "Sign out everywhere": every other session and API token of this user stops working.
    pub async fn sign_out_others(&self, principal: &Principal) -> Result<u64, AppError> {
        let n = self
            .store
            .revoke_other_sessions(
                principal.user.id,
                Some(principal.session_id),
                self.clock.now(),
            )
            .await?;
        self.sessions_ended(principal.user.id, None, Some(principal.session_id))
            .await;
        Ok(n)
    }
}
