// The paydesk sandbox's imitation of Fiserv Commerce Hub Checkout Hosted Fields (checkout.js, SDK 3.x
// shape): window.fiserv.components.paymentFields({data, hooks}) renders one iframe per field on the
// simulator's origin and resolves to a form with submit/reset/focus/destroy; errors are the
// documented names (GeneralError/ValidationError/HttpError with BROWSER_NOT_SUPPORTED, BAD_FORM_CONFIG,
// FORM_RENDER_TIMEOUT, BAD_SUBMIT_CONFIG, BAD_FORM_DATA, NO_FIELDS_ENABLED). Card data stays inside
// the field frames and goes from them straight to the simulator.
(() => {
  "use strict";
  const script = document.currentScript;
  const ORIGIN = new URL(script.src).origin;
  const SUPPORTED = ["cardNumber", "nameOnCard", "expiration", "securityCode"];
  const SUBMIT_KEYS = ["apiKey", "accessToken", "publicKey", "keyId", "merchantId", "terminalId"];
  let forms = 0;

  class CheckoutError extends Error {
    constructor(name, message, extra) {
      super(message);
      this.name = name;
      Object.assign(this, extra || {});
    }
    toString() {
      const detail = this.errors ? " " + JSON.stringify(this.errors) : "";
      return this.name + ": " + this.message + detail;
    }
  }

  function paymentFields(config) {
    return new Promise((resolve, reject) => {
      if (!window.fetch || !window.postMessage || !window.URLSearchParams) {
        reject(new CheckoutError("GeneralError", "BROWSER_NOT_SUPPORTED"));
        return;
      }
      const data = (config && config.data) || {};
      const hooks = (config && config.hooks) || {};
      const fields = data.fields || {};
      const names = Object.keys(fields);
      const problems = [];
      if (data.environment !== "CERT" && data.environment !== "PROD") {
        problems.push("data.environment must be CERT or PROD");
      }
      if (data.paymentMethod && data.paymentMethod !== "CREDIT_CARD") {
        problems.push("data.paymentMethod: this sandbox simulates CREDIT_CARD only");
      }
      for (const name of names) {
        if (!SUPPORTED.includes(name)) {
          problems.push("data.fields." + name + " is not a supported field");
        } else if (!fields[name] || !document.getElementById(fields[name].parentElementId)) {
          problems.push("data.fields." + name + ".parentElementId does not name an element of the page");
        }
      }
      if (names.length && !names.includes("cardNumber")) {
        problems.push("data.fields.cardNumber is needed for a card payment");
      }
      if (problems.length) {
        reject(new CheckoutError("ValidationError", "BAD_FORM_CONFIG", { errors: problems }));
        return;
      }
      if (!names.length) {
        reject(new CheckoutError("GeneralError", "NO_FIELDS_ENABLED"));
        return;
      }
      const formId = "f" + Date.now().toString(36) + (forms++);
      const ancestors = [].concat(data.additionalFrameAncestor || []).join(" ");
      const frames = {};
      const formState = { cardBrand: null, fields: {} };
      let wasValid = false;
      let ready = 0;
      let destroyed = false;
      let pending = null;

      const isValid = () => names.every((name) => formState.fields[name].isValid);
      const post = (name, message) => {
        const frame = frames[name];
        if (frame && frame.contentWindow) {
          frame.contentWindow.postMessage(Object.assign({ form: formId }, message), ORIGIN);
        }
      };
      const call = (hook, ...args) => {
        if (typeof hooks[hook] === "function") {
          try { hooks[hook](...args); } catch (e) { console.error(e); }
        }
      };

      const form = {
        submit(submitConfig) {
          const missing = SUBMIT_KEYS.filter((key) => !submitConfig || !submitConfig[key]);
          if (destroyed) return Promise.reject(new CheckoutError("GeneralError", "FORM_DESTROYED"));
          if (missing.length) {
            return Promise.reject(new CheckoutError("ValidationError", "BAD_SUBMIT_CONFIG", {
              errors: missing.map((key) => key + " is required"),
            }));
          }
          const invalid = names.filter((name) => !formState.fields[name].isValid);
          if (invalid.length) {
            return Promise.reject(new CheckoutError("ValidationError", "BAD_FORM_DATA", { errors: invalid }));
          }
          if (pending) return Promise.reject(new CheckoutError("GeneralError", "SUBMIT_IN_PROGRESS"));
          return new Promise((done, fail) => {
            pending = { done, fail };
            const sent = {};
            for (const key of SUBMIT_KEYS.concat(["createToken"])) sent[key] = submitConfig[key];
            post("cardNumber", { type: "submit", config: sent });
          });
        },
        reset(field) {
          for (const name of field ? [field] : names) post(name, { type: "reset" });
        },
        focus(field) {
          post(field || names[0], { type: "focus" });
        },
        mask() {},
        behavior() {},
        destroy() {
          destroyed = true;
          window.removeEventListener("message", onMessage);
          for (const name of names) frames[name].remove();
        },
        toString() {
          return JSON.stringify({ fields: names, state: formState });
        },
      };

      function onMessage(event) {
        if (event.origin !== ORIGIN) return;
        const name = names.find((n) => frames[n].contentWindow === event.source);
        const message = event.data;
        if (!name || !message || message.form !== formId) return;
        const fieldState = formState.fields[name];
        switch (message.type) {
          case "ready":
            ready += 1;
            if (ready === names.length) {
              clearTimeout(timer);
              resolve(form);
            }
            break;
          case "state": {
            const changed = fieldState.isValid !== message.isValid;
            Object.assign(fieldState, {
              isValid: !!message.isValid,
              isPotentiallyValid: !!message.isPotentiallyValid,
              shouldShowError: !message.isPotentiallyValid,
              hasData: !!message.hasData,
            });
            if (name === "cardNumber" && (message.cardBrand || null) !== formState.cardBrand) {
              formState.cardBrand = message.cardBrand || null;
              call("onCardBrandChange", formState.cardBrand, formState, form);
            }
            if (changed) call("onFieldValidityChange", Object.assign({ field: name }, fieldState), formState, form);
            const valid = isValid();
            if (valid && !wasValid) call("onFormValid", formState, form);
            if (!valid && wasValid) call("onFormNoLongerValid", formState, form);
            wasValid = valid;
            break;
          }
          case "focus":
            call("onFocus", name, formState, form);
            break;
          case "blur":
            call("onLostFocus", name, formState, form);
            break;
          case "submitted":
            if (pending) {
              const { done, fail } = pending;
              pending = null;
              if (message.ok) done(message.body);
              else fail(new CheckoutError("HttpError", message.statusCode + " " + message.statusText, {
                response: { statusCode: message.statusCode, statusText: message.statusText, body: message.body },
              }));
            }
            break;
          default:
        }
      }

      window.addEventListener("message", onMessage);
      const timer = setTimeout(() => {
        if (ready < names.length) reject(new CheckoutError("GeneralError", "FORM_RENDER_TIMEOUT"));
      }, 10000);
      for (const name of names) {
        const options = fields[name];
        formState.fields[name] = { isValid: false, isPotentiallyValid: true, shouldShowError: false, hasData: false };
        const query = new URLSearchParams({
          parent: location.origin,
          form: formId,
          placeholder: options.placeholder || "",
          ancestors,
        });
        const iframe = document.createElement("iframe");
        iframe.src = ORIGIN + "/fields/" + name + "?" + query.toString();
        // Fiserv documents no label or title option (only parentElementId, placeholder and
        // formatting): like the real SDK, the frame gets no name from the merchant's config.
        iframe.className = "fiserv-hosted-field";
        iframe.setAttribute("data-fiserv-field", name);
        document.getElementById(options.parentElementId).appendChild(iframe);
        frames[name] = iframe;
      }
    });
  }

  window.fiserv = window.fiserv || {};
  window.fiserv.components = Object.assign(window.fiserv.components || {}, { paymentFields });
  window.fiserv.commercehub = Object.assign(window.fiserv.commercehub || {}, { createPaymentForm: paymentFields });
})();
