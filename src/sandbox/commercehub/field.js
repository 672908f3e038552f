// One Hosted Fields input inside its frame on the simulated Commerce Hub's origin. It reports its
// state to the page that embeds it (exact origin only), and the card number's frame gathers the
// sibling frames' values (same origin) and sends the card to the simulator itself.
(() => {
  "use strict";
  const params = new URLSearchParams(location.search);
  const parentOrigin = params.get("parent");
  const form = params.get("form");
  const field = document.body.dataset.field;
  const input = document.querySelector("input");

  const digits = (text) => text.replace(/\D/g, "");
  const luhn = (number) => {
    let sum = 0;
    for (let i = 0; i < number.length; i++) {
      let d = Number(number[number.length - 1 - i]);
      if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
      sum += d;
    }
    return sum % 10 === 0;
  };
  const brand = (number) => {
    if (/^4/.test(number)) return "visa";
    if (/^(5[1-5]|2[2-7])/.test(number)) return "mastercard";
    if (/^3[47]/.test(number)) return "american-express";
    if (/^(6011|65)/.test(number)) return "discover";
    return null;
  };
  const expiry = (text) => {
    const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(text);
    if (!match) return null;
    const month = Number(match[1]);
    const year = match[2].length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
    if (month < 1 || month > 12) return null;
    const now = new Date();
    if (year < now.getFullYear() || (year === now.getFullYear() && month < now.getMonth() + 1)) return null;
    return { month: String(month).padStart(2, "0"), year: String(year) };
  };

  function state() {
    const value = input.value;
    const hasData = value.trim().length > 0;
    let isValid = false;
    let cardBrand = null;
    if (field === "cardNumber") {
      const number = digits(value);
      cardBrand = brand(number);
      isValid = number.length >= 12 && number.length <= 19 && luhn(number);
    } else if (field === "expiration") {
      isValid = expiry(value) !== null;
    } else if (field === "securityCode") {
      isValid = /^\d{3,4}$/.test(value.trim());
    } else {
      isValid = hasData;
    }
    const focused = document.activeElement === input;
    return { isValid, hasData, cardBrand, isPotentiallyValid: isValid || !hasData || focused };
  }

  function send(message) {
    window.parent.postMessage(Object.assign({ form, field }, message), parentOrigin);
  }

  function report() {
    const s = state();
    input.setAttribute("aria-invalid", String(!s.isPotentiallyValid));
    send(Object.assign({ type: "state" }, s));
  }

  // What sibling frames of the same form read from this one.
  window.hostedField = { form, name: field, value: () => input.value };

  function collect() {
    const values = {};
    const frames = window.parent.frames;
    for (let i = 0; i < frames.length; i++) {
      try {
        const sibling = frames[i].hostedField;
        if (sibling && sibling.form === form) values[sibling.name] = sibling.value();
      } catch (e) { /* another origin's frame */ }
    }
    return values;
  }

  async function submit(config) {
    const values = collect();
    const when = expiry(values.expiration || "") || { month: "", year: "" };
    const body = {
      apiKey: config.apiKey,
      accessToken: config.accessToken,
      merchantId: config.merchantId,
      terminalId: config.terminalId,
      keyId: config.keyId,
      card: {
        cardData: digits(values.cardNumber || ""),
        nameOnCard: values.nameOnCard || null,
        expirationMonth: when.month,
        expirationYear: when.year,
        securityCode: values.securityCode || null,
      },
    };
    try {
      const response = await fetch("/fields/submit", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      let answer = null;
      try { answer = await response.json(); } catch (e) { answer = null; }
      send({ type: "submitted", ok: response.ok, statusCode: response.status, statusText: response.statusText, body: answer });
    } catch (e) {
      send({ type: "submitted", ok: false, statusCode: 0, statusText: "Network Error", body: null });
    }
  }

  input.addEventListener("input", () => {
    if (field === "cardNumber") {
      const number = digits(input.value).slice(0, 19);
      const grouped = number.replace(/(\d{4})(?=\d)/g, "$1 ");
      if (grouped !== input.value) input.value = grouped;
    }
    report();
  });
  input.addEventListener("focus", () => send({ type: "focus" }));
  input.addEventListener("blur", () => { report(); send({ type: "blur" }); });
  window.addEventListener("message", (event) => {
    if (event.origin !== parentOrigin || event.source !== window.parent) return;
    const message = event.data;
    if (!message || message.form !== form) return;
    if (message.type === "focus") input.focus();
    if (message.type === "reset") { input.value = ""; report(); }
    if (message.type === "submit" && field === "cardNumber") submit(message.config || {});
  });
  send({ type: "ready" });
})();
