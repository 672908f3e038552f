//! `paydesk staff add|list|disable`: console users, with argon2id password hashes.

use app::server::store::{iso8601, now_ms};

use super::args::{open_store, option};

pub async fn run(args: &[&str]) -> Result<(), String> {
    match args {
        ["add", options @ ..] => {
            let email = option(options, "--email").ok_or("--email is required")?;
            let password = match std::env::var("PAYDESK_STAFF_PASSWORD") {
                Ok(password) => password,
                Err(_) => {
                    eprintln!("Password for {email} (at least 12 characters), then Enter:");
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .map_err(|e| e.to_string())?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let user = crate::admin::auth::new_user(email, &password)?;
            let store = open_store().await?;
            store
                .upsert_staff_user(&user)
                .await
                .map_err(|e| e.to_string())?;
            crate::admin::auth::audit(
                &store,
                "cli",
                "staff.add",
                Some(&user.email),
                serde_json::json!({}),
            )
            .await
            .map_err(|e| e.to_string())?;
            println!(
                "Staff member {} can sign in at /admin (password stored as an argon2id hash).",
                user.email
            );
            Ok(())
        }
        ["list"] => {
            let store = open_store().await?;
            for user in store.staff_users().await.map_err(|e| e.to_string())? {
                let state = user
                    .disabled_at
                    .map(|at| format!("disabled {}", iso8601(at)))
                    .unwrap_or_else(|| "active".into());
                println!(
                    "{}  {}  created {}  {}",
                    user.id,
                    user.email,
                    iso8601(user.created_at),
                    state
                );
            }
            Ok(())
        }
        ["disable", options @ ..] => {
            let email = option(options, "--email")
                .ok_or("--email is required")?
                .to_ascii_lowercase();
            let store = open_store().await?;
            if store
                .disable_staff_user(&email, now_ms())
                .await
                .map_err(|e| e.to_string())?
            {
                crate::admin::auth::audit(
                    &store,
                    "cli",
                    "staff.disable",
                    Some(&email),
                    serde_json::json!({}),
                )
                .await
                .map_err(|e| e.to_string())?;
                println!("Disabled {email}; their sessions are ended.");
                Ok(())
            } else {
                Err(format!("no active staff member has the email {email}"))
            }
        }
        _ => Err("unknown staff command".into()),
    }
}
