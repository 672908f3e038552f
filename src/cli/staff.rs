//! `paydesk staff add|set-role|reset-password|list|disable`: console users, their roles, and
//! argon2id password hashes. Each change is written together with its audit entry.

use paydesk_core::permissions::Role;
use paydesk_core::store::{iso8601, now_ms, PasswordReset};

use super::args::open_store;
use crate::admin::auth::{audit_record, new_user};
use crate::config::Config;

#[derive(Debug, clap::Subcommand)]
pub enum StaffCommand {
    /// Add a staff member (password: PAYDESK_STAFF_PASSWORD, else read from standard input).
    Add {
        #[arg(long)]
        email: String,
        /// viewer (sees everything but payout URLs), operator (+ capture, void, exports, stopping
        /// payouts), refunder (+ refunds, payout links, device refunds, approving others'
        /// payouts) or admin (+ staff roles).
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Change a staff member's role (from their next request).
    SetRole {
        #[arg(long)]
        email: String,
        /// viewer, operator, refunder or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Set a new password and end their sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
        /// Re-enable a disabled account with the new password.
        #[arg(long)]
        enable: bool,
    },
    /// List staff members, their roles and states.
    List,
    /// Disable a staff member and end their sessions.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Require (enable: prints the key once) or stop requiring a one-time code at sign-in.
    Totp {
        #[arg(value_parser = ["enable", "disable"])]
        action: String,
        #[arg(long)]
        email: String,
    },
}

/// The password from `PAYDESK_STAFF_PASSWORD`, or read from standard input.
fn password_for(email: &str) -> Result<String, String> {
    match std::env::var("PAYDESK_STAFF_PASSWORD") {
        Ok(password) => Ok(password),
        Err(_) => {
            eprintln!("Password for {email} (at least 12 characters), then Enter:");
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            Ok(line.trim_end_matches(['\r', '\n']).to_string())
        }
    }
}

/// The role `--role` names (required: who may move money is never a default).
fn parse_role(name: &str) -> Result<Role, String> {
    const ROLES: &str = "viewer, operator (capture, void), refunder (refunds and payout links) or admin (staff roles)";
    Role::parse(name).ok_or(format!("unknown role {name:?}: use {ROLES}"))
}

pub async fn run(command: StaffCommand, config: &Config) -> Result<(), String> {
    match command {
        StaffCommand::Add { email, role } => {
            let user = new_user(&email, &password_for(&email)?, role)?;
            let store = open_store(config).await?;
            let audit = audit_record(
                "cli",
                "staff.add",
                Some(&user.email),
                serde_json::json!({ "role": user.role.as_str() }),
            );
            if !store
                .add_staff_user(&user, &audit)
                .await
                .map_err(|e| e.to_string())?
            {
                return Err(format!(
                    "{} already has an account: change its password with `paydesk staff reset-password --email {}`",
                    user.email, user.email
                ));
            }
            println!(
                "Staff member {} ({}) can sign in at /admin (password stored as an argon2id hash).",
                user.email,
                user.role.as_str()
            );
            Ok(())
        }
        StaffCommand::SetRole { email, role } => {
            let email = email.trim().to_ascii_lowercase();
            let store = open_store(config).await?;
            let audit = audit_record(
                "cli",
                "staff.role_set",
                Some(&email),
                serde_json::json!({ "role": role.as_str() }),
            );
            if store
                .set_staff_role(&email, &role, &audit)
                .await
                .map_err(|e| e.to_string())?
            {
                println!(
                    "{email} is now {}; it applies to their next request.",
                    role.as_str()
                );
                Ok(())
            } else {
                Err(format!(
                    "no staff member has the email {email}: add one with `paydesk staff add`"
                ))
            }
        }
        StaffCommand::Totp { action, email } => {
            let email = email.trim().to_ascii_lowercase();
            set_totp(config, &email, action == "enable").await
        }
        StaffCommand::ResetPassword { email, enable } => {
            let email = email.trim().to_ascii_lowercase();
            // Checked (and hashed) as a new account's password would be (the role is not changed).
            let hash = new_user(&email, &password_for(&email)?, Role::Viewer)?.password_hash;
            let store = open_store(config).await?;
            let audit = audit_record(
                "cli",
                "staff.password_reset",
                Some(&email),
                serde_json::json!({ "enabled": enable }),
            );
            match store
                .reset_staff_password(&email, &hash, enable, &audit, now_ms())
                .await
                .map_err(|e| e.to_string())?
            {
                PasswordReset::Reset { sessions_ended } => {
                    println!("New password set for {email}; {sessions_ended} session(s) ended.");
                    Ok(())
                }
                PasswordReset::Disabled => Err(format!(
                    "{email} is disabled: add --enable to re-enable it with the new password"
                )),
                PasswordReset::NoSuchUser => Err(format!(
                    "no staff member has the email {email}: add one with `paydesk staff add`"
                )),
            }
        }
        StaffCommand::List => {
            let store = open_store(config).await?;
            for user in store.staff_users().await.map_err(|e| e.to_string())? {
                let state = user
                    .disabled_at
                    .map(|at| format!("disabled {}", iso8601(at)))
                    .unwrap_or_else(|| "active".into());
                println!(
                    "{}  {}  {}  created {}  {}",
                    user.id,
                    user.email,
                    user.role.as_str(),
                    iso8601(user.created_at),
                    state
                );
            }
            Ok(())
        }
        StaffCommand::Disable { email } => {
            let email = email.trim().to_ascii_lowercase();
            let store = open_store(config).await?;
            let audit = audit_record("cli", "staff.disable", Some(&email), serde_json::json!({}));
            if store
                .disable_staff_user(&email, &audit, now_ms())
                .await
                .map_err(|e| e.to_string())?
            {
                println!("Disabled {email}; their sessions are ended.");
                Ok(())
            } else {
                Err(format!("no active staff member has the email {email}"))
            }
        }
    }
}

/// Sets up (a new secret, printed once) or removes the account's second factor.
async fn set_totp(config: &Config, email: &str, enable: bool) -> Result<(), String> {
    let store = open_store(config).await?;
    let secret = enable.then(crate::admin::totp::new_secret);
    let action = if enable {
        "staff.totp_enabled"
    } else {
        "staff.totp_disabled"
    };
    let audit = audit_record("cli", action, Some(email), serde_json::json!({}));
    if !store
        .set_staff_totp(email, secret.as_deref(), &audit)
        .await
        .map_err(|e| e.to_string())?
    {
        return Err(format!(
            "no staff member has the email {email}: add one with `paydesk staff add`"
        ));
    }
    match secret {
        Some(secret) => println!(
            "{email} now signs in with a one-time code too. Add this to their authenticator app \
             (shown once):\n\n  {}\n\n  (or type the key {secret})",
            crate::admin::totp::enrollment_url(email, &secret)
        ),
        None => println!("{email} signs in with their password alone again."),
    }
    Ok(())
}
