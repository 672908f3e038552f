// Keeps a device refund's status current without a reload, and says each change to screen readers
// (the status is an aria-live region). Without scripts, the page refreshes itself instead.
(function () {
  'use strict';
  var region = document.querySelector('[data-device-refund]');
  if (!region) return;
  var url = region.getAttribute('data-status-url');
  var status = document.querySelector('[data-testid="device-refund-status"]');
  var cancel = document.querySelector('[data-testid="device-refund-cancel-form"]');
  var details = document.querySelector('[data-testid="device-refund-details"]');
  var reverse = document.querySelector('[data-testid="device-refund-reverse-form"]');
  var current = region.getAttribute('data-status');

  function show(body) {
    current = body.status;
    region.setAttribute('data-status', current);
    status.textContent = body.label;
    if (details) details.textContent = body.details || '';
    if (cancel) cancel.hidden = !body.canCancel;
    if (reverse) reverse.hidden = !body.canReverse;
  }

  function later(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  async function follow() {
    for (;;) {
      try {
        var response = await fetch(url + '?wait=25&seen=' + encodeURIComponent(current), {
          credentials: 'same-origin',
          headers: { Accept: 'application/json' },
        });
        if (!response.ok) { await later(3000); continue; }
        var body = await response.json();
        if (body.status !== current) show(body);
        if (body.final) return;
      } catch (e) {
        await later(2000);
      }
    }
  }
  follow();
})();
