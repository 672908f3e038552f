//! paydesk's commands besides serving: API tokens, staff accounts, the standalone sandbox and the
//! reconciliation report. Each family lives in its own file; this one reads the command line.

mod args;
mod reconcile;
mod secrets;
mod staff;
mod tokens;

use std::process::ExitCode;

const USAGE: &str = "usage:
  paydesk --version                      (the version and the commit it was built from)
  paydesk sandbox                        (the sandbox gateway alone, for a paydesk in live mode)
  paydesk reconcile [--since 7d|24h|2026-11-01|<RFC 3339>] [--json]
                                         (exit 1 when paydesk and the gateway disagree)
  paydesk token create --name <name> --scopes <payments,refunds,read>
  paydesk token list
  paydesk token revoke <tok_id>
  paydesk staff add --email <email> --role <viewer|operator|refunder|admin>
                                         (password: PAYDESK_STAFF_PASSWORD, else read from stdin)
  paydesk staff set-role --email <email> --role <viewer|operator|refunder|admin>
  paydesk staff reset-password --email <email> [--enable]
                                         (ends their sessions; --enable re-enables a disabled one)
  paydesk staff list
  paydesk staff disable --email <email>
  paydesk staff totp <enable|disable> --email <email>
                                         (a one-time code at sign-in; enable prints the key once)
  paydesk secrets rotate <link-signing-key|merchant-webhook-secret>
                                         (the database's link-signing key: links signed with the
                                          previous one keep opening until they expire)

Scopes: payments (checkouts, capture, void), refunds (refunds, refund links), read (GET only).
Every scope can read.
Roles: viewer (sees everything but payout URLs), operator (+ capture, void, exports, stopping
payouts), refunder (+ refunds, payout links, device refunds, approving others' payouts), admin
(+ staff roles). The database is DATABASE_URL (default: sqlite://data/paydesk.db with
PAYDESK_GATEWAY_API_KEY set, sqlite://data/sandbox/paydesk.db without).";

/// Runs a CLI command if `args` (without the program name) name one; `None` means "serve".
pub async fn run(args: &[String]) -> Option<ExitCode> {
    let command: Vec<&str> = args.iter().map(String::as_str).collect();
    match command.as_slice() {
        [] => None,
        ["token", rest @ ..] => Some(match tokens::run(rest).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("paydesk: {message}\n\n{USAGE}");
                ExitCode::from(2)
            }
        }),
        ["staff", rest @ ..] => Some(match staff::run(rest).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("paydesk: {message}\n\n{USAGE}");
                ExitCode::from(2)
            }
        }),
        ["secrets", rest @ ..] => Some(match secrets::run(rest).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("paydesk: {message}\n\n{USAGE}");
                ExitCode::from(2)
            }
        }),
        ["sandbox"] => Some(match crate::settings::SandboxSettings::from_env() {
            Ok(settings) => match crate::telemetry::init() {
                Ok(()) => crate::sandbox::standalone::run(settings).await,
                Err(error) => {
                    eprintln!("paydesk sandbox: invalid configuration: {error}");
                    ExitCode::from(2)
                }
            },
            Err(error) => {
                eprintln!("paydesk sandbox: invalid configuration: {error}");
                ExitCode::from(2)
            }
        }),
        ["reconcile", options @ ..] => Some(reconcile::run(options).await),
        ["--version" | "-V" | "version"] => {
            println!("{}", crate::version::describe());
            Some(ExitCode::SUCCESS)
        }
        ["help" | "--help" | "-h"] => {
            println!("paydesk: serves checkout and refund pages (no arguments).\n\n{USAGE}");
            Some(ExitCode::SUCCESS)
        }
        _ => {
            eprintln!("paydesk: unknown command {:?}\n\n{USAGE}", args.join(" "));
            Some(ExitCode::from(2))
        }
    }
}
