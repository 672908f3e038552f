//! A new card for a refund, typed into Commerce Hub Checkout Hosted Fields: the SDK script from the
//! gateway's origin mounts one frame per field there; on submit the page fetches the session's
//! submit credentials, the SDK sends the card from its frames to Commerce Hub, and the server makes
//! the refund and says what happened. No card data ever reaches this page.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::wording::Wording;
use crate::server_fns::{refund_to_new_card, start_card_submission};
use paydesk_core::i18n::{Locale, Texts};
use paydesk_core::model::{CardFieldsForm, LinkRef, PaymentState};

/// The fields, in the order the customer fills them, with the element each frame goes into.
pub const FIELDS: [(&str, &str); 4] = [
    ("cardNumber", "ch-card-number"),
    ("nameOnCard", "ch-name-on-card"),
    ("expiration", "ch-expiration"),
    ("securityCode", "ch-security-code"),
];

/// The visible label of a field, in the page's language.
fn label(texts: &'static Texts, field: &str) -> &'static str {
    match field {
        "cardNumber" => texts.card_number,
        "nameOnCard" => texts.name_on_card,
        "expiration" => texts.expiration,
        _ => texts.security_code,
    }
}

#[component]
pub fn CardFields(
    form: CardFieldsForm,
    link: LinkRef,
    words: &'static Wording,
    texts: &'static Texts,
    locale: Locale,
    /// What the server says after the card was sent (or that the refund no longer waits for one).
    on_answer: Callback<PaymentState>,
) -> impl IntoView {
    let ready = RwSignal::new(false);
    let valid = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let mounted = mounted_slot();

    // Browser only: load the SDK and mount the fields once; destroy them with this view.
    Effect::new({
        let form = form.clone();
        move |_| {
            let form = form.clone();
            spawn_local(async move {
                match sdk::mount(&form, texts, valid).await {
                    Ok(fields) => {
                        mounted.set_value(Some(fields));
                        ready.set(true);
                    }
                    Err(error) => {
                        leptos::logging::warn!("Hosted Fields did not start: {error}");
                        problem.set(Some(texts.card_fields_unavailable.to_string()));
                    }
                }
            });
        }
    });
    on_cleanup(move || mounted.set_value(None));

    let submit = move |_| {
        if busy.get_untracked() || !valid.get_untracked() {
            return;
        }
        busy.set(true);
        problem.set(None);
        let link = link.clone();
        spawn_local(async move {
            let answer = send_card(&link, locale, texts, mounted).await;
            match answer {
                Ok(state) => on_answer.run(state),
                Err(message) => problem.set(Some(message)),
            }
            busy.set(false);
        });
    };

    view! {
        <div class="card-fields" data-testid="card-fields" data-ready=move || ready.get().to_string()>
            <h2>{texts.new_card_heading}</h2>
            <p>{texts.new_card_intro}</p>
            {FIELDS.map(|(field, element)| view! {
                <div class="card-field">
                    <span class="card-field-label" aria-hidden="true">{label(texts, field)}</span>
                    <div class="card-field-frame" id=element data-testid=format!("card-field-{field}")></div>
                </div>
            }).to_vec()}
            <p class="card-fields-status" role="status" aria-live="polite" data-testid="card-fields-status">
                {move || (!ready.get() && problem.get().is_none()).then_some(texts.card_fields_loading)}
                {move || busy.get().then_some(texts.sending_card)}
            </p>
            {move || problem.get().map(|message| view! {
                <p class="card-fields-problem" role="alert" data-testid="card-fields-problem">{message}</p>
            })}
            <button
                class="button"
                data-testid="card-fields-submit"
                disabled=move || !ready.get() || !valid.get() || busy.get()
                on:click=submit
            >
                {texts.send_refund_to_card}
            </button>
            <p class="secure-note">{words.secure_note}</p>
        </div>
    }
}

/// Where the mounted fields are kept. In the browser they are JavaScript objects, bound to the
/// page's one thread. The server never mounts them, and renders on whichever worker thread polls the
/// answer — including the one that disposes of the page's reactive owner while a compressed body is
/// still being sent — so there the slot is thread-safe: a thread-bound slot made on one worker and
/// cleaned up on another panics and drops the customer's page.
#[cfg(feature = "hydrate")]
type MountedSlot = StoredValue<Option<sdk::Mounted>, LocalStorage>;
#[cfg(not(feature = "hydrate"))]
type MountedSlot = StoredValue<Option<sdk::Mounted>>;

#[cfg(feature = "hydrate")]
fn mounted_slot() -> MountedSlot {
    StoredValue::new_local(None)
}
#[cfg(not(feature = "hydrate"))]
fn mounted_slot() -> MountedSlot {
    StoredValue::new(None)
}

/// Why a submit did not send the card.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Problem {
    /// The SDK refused the form's data (`BAD_FORM_DATA`): the customer corrects it.
    CardData,
    NotSent(String),
}

/// Credentials for this submit, the SDK's submit, then the server's refund. `Err`: a message for
/// the customer, the form stays.
async fn send_card(
    link: &LinkRef,
    locale: Locale,
    texts: &'static Texts,
    mounted: MountedSlot,
) -> Result<PaymentState, String> {
    let submission = match start_card_submission(link.id.clone(), link.sig.clone(), locale).await {
        Ok(Some(submission)) => submission,
        // The refund no longer waits for a card: the page asks what it shows.
        Ok(None) => return Ok(PaymentState::Processing),
        Err(error) => return Err(error.0.message),
    };
    let handle = mounted
        .with_value(|m| m.as_ref().map(sdk::Mounted::handle))
        .ok_or_else(|| texts.card_fields_unavailable.to_string())?;
    sdk::submit(&handle, &submission)
        .await
        .map_err(|problem| match problem {
            Problem::CardData => texts.check_card.to_string(),
            Problem::NotSent(detail) => {
                leptos::logging::warn!("Hosted Fields submit failed: {detail}");
                texts.card_not_sent.to_string()
            }
        })?;
    refund_to_new_card(
        link.id.clone(),
        link.sig.clone(),
        submission.submission_id,
        locale,
    )
    .await
    .map_err(|error| error.0.message)
}

/// Fiserv's SDK through `window.fiserv.components.paymentFields` (browser only).
#[cfg(feature = "hydrate")]
mod sdk {
    use js_sys::{Function, Object, Promise, Reflect};
    use leptos::prelude::{RwSignal, Set};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    use super::{label, Problem, FIELDS};
    use paydesk_core::i18n::Texts;
    use paydesk_core::model::{CardFieldsForm, CardSubmission};

    /// A mounted form; dropping it destroys its frames and hooks.
    pub struct Mounted {
        form: JsValue,
        _hooks: Vec<Closure<dyn FnMut()>>,
    }

    impl Mounted {
        pub fn handle(&self) -> JsValue {
            self.form.clone()
        }
    }

    impl Drop for Mounted {
        fn drop(&mut self) {
            if let Ok(destroy) = method(&self.form, "destroy") {
                let _ = destroy.call0(&self.form);
            }
        }
    }

    fn method(target: &JsValue, name: &str) -> Result<Function, String> {
        Reflect::get(target, &JsValue::from_str(name))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .ok_or_else(|| format!("{name} is not a function"))
    }

    fn payment_fields() -> Option<Function> {
        let window: JsValue = web_sys::window()?.into();
        let fiserv = Reflect::get(&window, &"fiserv".into()).ok()?;
        let components = Reflect::get(&fiserv, &"components".into()).ok()?;
        method(&components, "paymentFields").ok()
    }

    /// The SDK script, added once to the page (its origin is the only other one the CSP allows).
    async fn load_sdk(url: &str, integrity: Option<&str>) -> Result<Function, String> {
        if let Some(ready) = payment_fields() {
            return Ok(ready);
        }
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or("no document")?;
        let script: web_sys::HtmlScriptElement = document
            .create_element("script")
            .map_err(|_| "cannot create a script")?
            .unchecked_into();
        if let Some(integrity) = integrity {
            // Run only exactly this file (fetched with CORS, as integrity checks need).
            script.set_integrity(integrity);
            script.set_cross_origin(Some("anonymous"));
        }
        script.set_src(url);
        let loaded = Promise::new(&mut |resolve, reject| {
            script.set_onload(Some(&resolve));
            script.set_onerror(Some(&reject));
        });
        document
            .head()
            .ok_or("no head")?
            .append_child(&script)
            .map_err(|_| "cannot add the script")?;
        JsFuture::from(loaded)
            .await
            .map_err(|_| format!("{url} did not load"))?;
        payment_fields().ok_or_else(|| "the SDK has no paymentFields".into())
    }

    fn error_text(error: &JsValue) -> String {
        js_sys::Error::from(error.clone())
            .to_string()
            .as_string()
            .unwrap_or_else(|| format!("{error:?}"))
    }

    fn error_message(error: &JsValue) -> String {
        Reflect::get(error, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_default()
    }

    pub async fn mount(
        form: &CardFieldsForm,
        texts: &'static Texts,
        valid: RwSignal<bool>,
    ) -> Result<Mounted, String> {
        let payment_fields = load_sdk(&form.sdk_url, form.sdk_integrity.as_deref()).await?;
        let mut fields = serde_json::Map::new();
        for (field, element) in FIELDS {
            fields.insert(
                field.into(),
                // Fiserv documents `parentElementId` and `placeholder` (among formatting options),
                // no label: the field's name goes in as its placeholder, and onto its frame below.
                serde_json::json!({ "parentElementId": element, "placeholder": label(texts, field) }),
            );
        }
        let data = serde_json::json!({
            "data": {
                "environment": form.environment,
                "paymentMethod": "CREDIT_CARD",
                "additionalFrameAncestor": form.frame_ancestors,
                "fields": fields,
            }
        });
        let config = js_sys::JSON::parse(&data.to_string()).map_err(|e| error_text(&e))?;
        let hooks = Object::new();
        let on_valid = Closure::<dyn FnMut()>::new(move || valid.set(true));
        let on_invalid = Closure::<dyn FnMut()>::new(move || valid.set(false));
        let _ = Reflect::set(&hooks, &"onFormValid".into(), on_valid.as_ref());
        let _ = Reflect::set(&hooks, &"onFormNoLongerValid".into(), on_invalid.as_ref());
        let _ = Reflect::set(&config, &"hooks".into(), &hooks);
        let promise: Promise = payment_fields
            .call1(&JsValue::UNDEFINED, &config)
            .map_err(|e| error_text(&e))?
            .dyn_into()
            .map_err(|_| "paymentFields did not return a promise")?;
        let form = JsFuture::from(promise).await.map_err(|e| error_text(&e))?;
        name_frames(texts);
        Ok(Mounted {
            form,
            _hooks: vec![on_valid, on_invalid],
        })
    }

    /// Each field's frame is named after its field (the frame's `title`, what a screen reader
    /// announces on entering it): the frames are elements of our page, whatever the SDK sets.
    fn name_frames(texts: &'static Texts) {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        for (field, element) in FIELDS {
            let frame = document
                .get_element_by_id(element)
                .and_then(|parent| parent.query_selector("iframe").ok().flatten());
            if let Some(frame) = frame {
                let _ = frame.set_attribute("title", label(texts, field));
            }
        }
    }

    pub async fn submit(form: &JsValue, submission: &CardSubmission) -> Result<(), Problem> {
        let config = Object::new();
        for (key, value) in [
            ("apiKey", &submission.api_key),
            ("accessToken", &submission.access_token),
            ("publicKey", &submission.public_key),
            ("keyId", &submission.key_id),
            ("merchantId", &submission.merchant_id),
            ("terminalId", &submission.terminal_id),
        ] {
            let _ = Reflect::set(&config, &key.into(), &JsValue::from_str(value));
        }
        let _ = Reflect::set(&config, &"createToken".into(), &JsValue::FALSE);
        let submit = method(form, "submit").map_err(Problem::NotSent)?;
        let promise: Promise = submit
            .call1(form, &config)
            .map_err(|e| Problem::NotSent(error_text(&e)))?
            .dyn_into()
            .map_err(|_| Problem::NotSent("submit did not return a promise".into()))?;
        match JsFuture::from(promise).await {
            Ok(_) => Ok(()),
            Err(error) if error_message(&error) == "BAD_FORM_DATA" => Err(Problem::CardData),
            Err(error) => Err(Problem::NotSent(error_text(&error))),
        }
    }
}

/// On the server the fields are never mounted (the browser mounts them after hydration).
#[cfg(not(feature = "hydrate"))]
mod sdk {
    use leptos::prelude::RwSignal;

    use super::Problem;
    use paydesk_core::i18n::Texts;
    use paydesk_core::model::{CardFieldsForm, CardSubmission};

    pub struct Mounted;

    /// Stands for the SDK's form object, which exists only in the browser.
    pub struct Handle;

    impl Mounted {
        pub fn handle(&self) -> Handle {
            Handle
        }
    }

    pub async fn mount(
        _form: &CardFieldsForm,
        _texts: &'static Texts,
        _valid: RwSignal<bool>,
    ) -> Result<Mounted, String> {
        Err("Hosted Fields mount in the browser only".into())
    }

    pub async fn submit(_form: &Handle, _submission: &CardSubmission) -> Result<(), Problem> {
        Err(Problem::NotSent(
            "Hosted Fields submit in the browser only".into(),
        ))
    }
}
