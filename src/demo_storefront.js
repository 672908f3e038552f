// The example storefront's own script: mount paydesk (with Paydesk.mount, or the <paydesk-checkout>
// element) and show what it reports.
(function () {
  'use strict';
  var container = document.getElementById('checkout');
  var log = document.querySelector('[data-testid="storefront-events"]');
  function record(name, detail) {
    var item = document.createElement('li');
    item.setAttribute('data-event', name);
    item.textContent = name + ' ' + JSON.stringify(detail);
    log.appendChild(item);
    if (name === 'resize') container.setAttribute('data-frame-height', String(detail.height));
  }
  if (!window.Paydesk) {
    record('error', { message: 'embed.js did not load' });
    return;
  }
  var remove = document.querySelector('[data-testid="storefront-remove"]');
  var cancel = document.querySelector('[data-testid="storefront-cancel"]');
  if (container.tagName === 'PAYDESK-CHECKOUT') {
    // The custom element: events bubble from it; removing it tears the checkout down.
    ['ready', 'approved', 'declined', 'expired', 'refunded', 'cancelled', 'resize', 'navigate'].forEach(function (name) {
      container.addEventListener('paydesk:' + name, function (event) { record(name, event.detail); });
    });
    cancel.addEventListener('click', function () {
      container.cancel().then(function (recorded) {
        record('cancel-answered', { recorded: recorded });
        container.remove();
        record('destroyed', {});
      });
    });
    remove.addEventListener('click', function () {
      container.remove();
      record('destroyed', {});
    });
    return;
  }
  var handle = window.Paydesk.mount(container, {
    url: container.getAttribute('data-url'),
    onEvent: record,
    theme: {
      mode: container.getAttribute('data-theme'),
      background: container.getAttribute('data-background'),
      accent: container.getAttribute('data-accent'),
    },
  });
  // The customer gave up: paydesk records it, then the storefront takes the checkout away.
  cancel.addEventListener('click', function () {
    handle.cancel().then(function (recorded) {
      record('cancel-answered', { recorded: recorded });
      handle.destroy();
      record('destroyed', {});
    });
  });
  remove.addEventListener('click', function () {
    handle.destroy();
    handle.destroy(); // idempotent
    record('destroyed', {});
  });
})();
