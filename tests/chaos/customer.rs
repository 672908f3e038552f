//! A customer's browser, over HTTP: the page asks paydesk for its data (the `link_page` server
//! function, as the hydrated page does on load and on "try again"), the card is posted to the
//! gateway's hosted form, and the result comes back as the gateway sends it — the page's
//! `confirm_link` call (what the form's postMessage triggers) and/or the navigation to paydesk's
//! return URL. Browsers give up, reload and close tabs; so does this one.

use std::time::{Duration, Instant};

use paydesk_core::model::{CheckoutPage, PaymentState};
use serde_json::Value;

/// A customer link: a checkout (`sig` empty) or a signed refund link.
#[derive(Clone, Debug)]
pub struct Link {
    pub kind: &'static str,
    pub id: String,
    pub sig: String,
}

impl Link {
    pub fn payment(id: &str) -> Link {
        Link {
            kind: "payment",
            id: id.to_string(),
            sig: String::new(),
        }
    }

    /// From a refund link's signed URL (`…/refund/{id}?sig=…`).
    pub fn refund(url: &str) -> Option<Link> {
        let rest = url.split("/refund/").nth(1)?;
        let (id, sig) = rest.split_once("?sig=")?;
        Some(Link {
            kind: "refund",
            id: id.to_string(),
            sig: sig.to_string(),
        })
    }
}

/// What the hosted form answered to a submitted card.
#[derive(Debug)]
pub struct Submitted {
    /// Where the form sends the browser next, if it does.
    pub return_url: Option<String>,
}

#[derive(Clone)]
pub struct Customer {
    http: reqwest::Client,
    base: String,
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `data-return-url` of the hosted form's result page.
fn return_url_in(html: &str) -> Option<String> {
    let start = html.find("data-return-url=\"")? + "data-return-url=\"".len();
    let end = html[start..].find('"')? + start;
    let url = unescape(&html[start..end]);
    (!url.is_empty()).then_some(url)
}

impl Customer {
    pub fn new(base: &str) -> Customer {
        Customer {
            // A new connection per request, so the balancer spreads a customer's requests over
            // the instances as it would spread many customers'.
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(20))
                .pool_max_idle_per_host(0)
                .build()
                .unwrap_or_default(),
            base: base.to_string(),
        }
    }

    async fn server_fn(&self, name: &str, form: &[(&str, &str)]) -> Result<String, String> {
        let response = self
            .http
            .post(format!("{}/rpc/{name}", self.base))
            .form(form)
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let status = response.status();
        let text = response.text().await.map_err(|e| e.to_string())?;
        if status.is_success() {
            Ok(text)
        } else {
            Err(format!("{name} answered {status}: {text}"))
        }
    }

    /// Loads the page's data once (`retry`: the "try again" button).
    async fn load(&self, link: &Link, retry: bool) -> Result<CheckoutPage, String> {
        let text = self
            .server_fn(
                "link_page",
                &[
                    ("kind", link.kind),
                    ("id", &link.id),
                    ("sig", &link.sig),
                    ("retry", if retry { "true" } else { "false" }),
                    ("lang", "en"),
                ],
            )
            .await?;
        serde_json::from_str(&text).map_err(|e| format!("link_page: {e}: {text}"))
    }

    /// Opens the page, reloading while paydesk is unreachable or the form cannot start yet (within
    /// `patience`). `None` if it never came.
    pub async fn open(&self, link: &Link, retry: bool, patience: Duration) -> Option<PaymentState> {
        let deadline = Instant::now() + patience;
        loop {
            match self.load(link, retry).await {
                Ok(page) => match page.state {
                    PaymentState::Unavailable { .. } if Instant::now() < deadline => {}
                    state => return Some(state),
                },
                Err(_) if Instant::now() < deadline => {}
                Err(_) => return None,
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Types `card` into the hosted form and posts it.
    pub async fn submit(&self, iframe_url: &str, card: &str) -> Submitted {
        let response = self
            .http
            .post(iframe_url)
            .form(&[
                ("cardNumber", card),
                ("expiry", "12/39"),
                ("cvv", "123"),
                ("postalCode", "12345"),
            ])
            .send()
            .await;
        match response {
            Ok(response) => {
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let html = response.text().await.unwrap_or_default();
                Submitted {
                    return_url: location.or_else(|| return_url_in(&html)),
                }
            }
            Err(_) => Submitted { return_url: None },
        }
    }

    /// The page's reaction to the form's postMessage: it asks paydesk to confirm.
    pub async fn confirm(&self, link: &Link) -> Result<(), String> {
        self.server_fn(
            "confirm_link",
            &[
                ("kind", link.kind),
                ("id", &link.id),
                ("sig", &link.sig),
                ("lang", "en"),
            ],
        )
        .await
        .map(|_| ())
    }

    /// A refund page with Hosted Fields, at submit: the SDK's credentials (`None`: the refund no
    /// longer waits for a card).
    pub async fn card_submission(&self, link: &Link) -> Result<Option<Value>, String> {
        let text = self
            .server_fn(
                "card_submission",
                &[("id", &link.id), ("sig", &link.sig), ("lang", "en")],
            )
            .await?;
        let value: Value =
            serde_json::from_str(&text).map_err(|e| format!("card_submission: {e}: {text}"))?;
        Ok((!value.is_null()).then_some(value))
    }

    /// After the fields sent the card: paydesk makes the refund to it and says what the page shows.
    pub async fn refund_to_new_card(
        &self,
        link: &Link,
        submission: &Value,
    ) -> Result<PaymentState, String> {
        let id = submission["submission_id"].as_str().unwrap_or_default();
        let text = self
            .server_fn(
                "refund_to_new_card",
                &[
                    ("id", &link.id),
                    ("sig", &link.sig),
                    ("submission", id),
                    ("lang", "en"),
                ],
            )
            .await?;
        serde_json::from_str(&text).map_err(|e| format!("refund_to_new_card: {e}: {text}"))
    }

    /// The browser follows the form's redirect to paydesk's return page.
    pub async fn come_back(&self, return_url: &str) {
        let _ = self.http.get(return_url).send().await;
    }
}
