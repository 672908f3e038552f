// The example storefront's own script: mount paydesk and show what it reports.
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
  window.Paydesk.mount(container, { url: container.getAttribute('data-url'), onEvent: record });
})();
