/*! paydesk embed.js — mounts a paydesk checkout or refund link in an iframe on your storefront.
 *
 *   <div id="pay"></div>
 *   <script src="https://pay.example.com/embed.js"></script>
 *   <script>
 *     const frame = Paydesk.mount('#pay', {
 *       url: checkoutUrl,                      // from POST /api/v1/checkouts (or a refund link's url)
 *       theme: { mode: 'dark', background: '#10151c', accent: '#7c5cff' },  // optional: match your page
 *       onApproved: (e) => { ... },            // also: onReady, onDeclined, onExpired, onRefunded,
 *     });                                      //   onCancelled, onResize, onNavigate
 *     document.querySelector('#pay').addEventListener('paydesk:approved', (e) => { ... });
 *     frame.cancel().then((recorded) => ...);  // the customer left: paydesk records it for you
 *     frame.destroy();                         // removes the frame and its listener (idempotent)
 *   </script>
 *
 *   Or, in any framework: <paydesk-checkout src="{checkoutUrl}" theme="dark" background="#10151c"
 *   accent="#7c5cff"></paydesk-checkout> (mounted while it is in the document; listen for
 *   paydesk:<event> on the element; element.cancel() as above).
 *
 * The theme is a wish: paydesk keeps every text readable (WCAG AA), so an accent may be adjusted and a
 * background that text would not read on is not used.
 *
 * "Return to <merchant>" and "Back to cart" in the page ask this script to navigate your page to the
 * link's returnUrl / cancelUrl: a cancelable paydesk:navigate event ({url, reason}) fires first
 * (call preventDefault(), or return false from onNavigate, to route it yourself).
 *
 * Messages are accepted only from the frame's exact origin and window, and posted only to that
 * origin. Events are hints for the page: confirm a payment from your backend
 * (GET /api/v1/checkouts/{id} or paydesk's webhooks). Your storefront's origin must be registered in
 * PAYDESK_FRAME_ANCESTORS.
 *
 * Only a paydesk payment or refund page (/pay/… or /refund/…) on the origin this script was loaded
 * from is mounted: a url pointing anywhere else (a tampered cart, an injected parameter) throws, so
 * no other site's frame ever receives the storefront's messages or is trusted with its events.
 */
(function () {
  'use strict';
  var MIN_HEIGHT = 200;
  var MAX_HEIGHT = 3000;
  var EVENTS = ['ready', 'approved', 'declined', 'expired', 'refunded', 'cancelled'];
  var PROTOCOL_VERSION = 1;
  // How long cancel() waits for the page's answer before it resolves false.
  var CANCEL_TIMEOUT_MS = 10000;

  function capitalized(name) {
    return name.charAt(0).toUpperCase() + name.slice(1);
  }

  // The paydesk this script came from: the only origin whose pages it mounts. (A copy bundled into
  // the storefront has no script URL; it then mounts paydesk pages on whatever origin it is given.)
  var HOME = (function () {
    var script = document.currentScript;
    try { return script && script.src ? new URL(script.src).origin : null; } catch (e) { return null; }
  })();
  var PAGE_PATH = /^\/(pay|refund)\/[^/]+$/;

  var MODES = ['light', 'dark', 'auto'];
  var HEX_COLOUR = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i;

  // The storefront's theme, as the page's URL carries it (values that do not read are left out).
  function themed(url, theme) {
    if (!theme || typeof theme !== 'object') return url;
    if (MODES.indexOf(theme.mode) >= 0) url.searchParams.set('theme', theme.mode);
    ['background', 'accent'].forEach(function (name) {
      var value = theme[name];
      if (typeof value === 'string' && HEX_COLOUR.test(value)) {
        url.searchParams.set(name, value.charAt(0) === '#' ? value : '#' + value);
      }
    });
    return url;
  }

  function mount(target, options) {
    var container = typeof target === 'string' ? document.querySelector(target) : target;
    if (!container) throw new Error('Paydesk.mount: no element matches ' + target);
    if (!options || !options.url) throw new Error('Paydesk.mount: options.url is required');
    var url = new URL(options.url, document.baseURI);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('Paydesk.mount: url must be http(s)');
    if ((HOME && url.origin !== HOME) || !PAGE_PATH.test(url.pathname)) {
      throw new Error('Paydesk.mount: url must be a paydesk payment or refund page' + (HOME ? ' on ' + HOME : ''));
    }
    url = themed(url, options.theme);
    var origin = url.origin;

    var iframe = document.createElement('iframe');
    iframe.src = url.href;
    iframe.title = options.title || 'Secure checkout';
    iframe.allow = 'payment';
    iframe.setAttribute('data-paydesk-frame', '');
    iframe.style.cssText = 'display:block;width:100%;border:0;height:' + (options.initialHeight || 720) + 'px';

    // Some browsers block the form inside nested frames: always offer the same page in a new tab.
    var fallback = document.createElement('p');
    fallback.className = 'paydesk-fallback';
    var link = document.createElement('a');
    link.href = url.href;
    link.target = '_blank';
    link.rel = 'noopener';
    link.setAttribute('data-paydesk-fallback', '');
    link.textContent = options.fallbackText || 'Trouble with the form? Open it in a new tab';
    fallback.appendChild(link);

    container.appendChild(iframe);
    container.appendChild(fallback);

    // Fires paydesk:<name> on the container and the matching callbacks; false when a listener
    // called preventDefault() or the callback returned false.
    function emit(name, detail) {
      var allowed = container.dispatchEvent(
        new CustomEvent('paydesk:' + name, { detail: detail, bubbles: true, cancelable: name === 'navigate' }));
      var callback = options['on' + capitalized(name)];
      if (typeof callback === 'function' && callback(detail) === false) allowed = false;
      if (typeof options.onEvent === 'function') options.onEvent(name, detail);
      return allowed;
    }

    function post(message) {
      if (iframe.contentWindow) iframe.contentWindow.postMessage(message, origin);
    }

    // The page learns this script is here (it navigates for the page) from a hello, sent in answer
    // to the page's first message after each load: the page listens by then.
    var greeted = false;
    iframe.addEventListener('load', function () { greeted = false; });

    var navigating = false;
    function navigate(data) {
      if (navigating || typeof data.url !== 'string') return;
      var target;
      try { target = new URL(data.url); } catch (e) { return; }
      if (target.protocol !== 'https:' && target.protocol !== 'http:') return;
      var reason = data.reason === 'return' || data.reason === 'cancel' ? data.reason : 'return';
      if (!emit('navigate', { url: target.href, reason: reason })) return;
      navigating = true;
      window.location.assign(target.href);
    }

    var pendingCancels = [];
    function settleCancels(recorded) {
      var waiting = pendingCancels;
      pendingCancels = [];
      waiting.forEach(function (pending) { clearTimeout(pending.timer); pending.resolve(recorded); });
    }

    function onMessage(event) {
      if (event.origin !== origin || event.source !== iframe.contentWindow) return;
      var data = event.data;
      if (typeof data === 'string') {
        try { data = JSON.parse(data); } catch (e) { return; }
      }
      if (!data || typeof data !== 'object') return;
      if (!greeted && typeof data.type === 'string' && data.type.indexOf('paydesk.') === 0) {
        greeted = true;
        post({ type: 'paydesk.hello', version: PROTOCOL_VERSION });
      }
      if (data.type === 'paydesk.resize' && typeof data.height === 'number' && isFinite(data.height)) {
        var height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.round(data.height)));
        iframe.style.height = height + 'px';
        emit('resize', { height: height });
      } else if (data.type === 'paydesk.event' && EVENTS.indexOf(data.event) >= 0) {
        var detail = { linkId: typeof data.linkId === 'string' ? data.linkId : '' };
        if (data.event === 'cancelled') {
          detail.recorded = data.recorded === true;
          settleCancels(detail.recorded);
        }
        emit(data.event, detail);
      } else if (data.type === 'paydesk.navigate') {
        navigate(data);
      }
    }

    window.addEventListener('message', onMessage);
    var destroyed = false;
    // Tells paydesk the customer left (it records that for you; a payment the customer already
    // sent is still settled and reported). Resolves true once recorded, false if the payment had
    // already ended, the frame is gone or the page did not answer in time.
    function cancel() {
      return new Promise(function (resolve) {
        if (destroyed) { resolve(false); return; }
        var pending = { resolve: resolve };
        pending.timer = setTimeout(function () {
          pendingCancels = pendingCancels.filter(function (p) { return p !== pending; });
          resolve(false);
        }, CANCEL_TIMEOUT_MS);
        pendingCancels.push(pending);
        post({ type: 'paydesk.cancel' });
      });
    }
    // Removes the frame, its fallback link and the message listener; calling it again does nothing.
    function destroy() {
      if (destroyed) return;
      destroyed = true;
      window.removeEventListener('message', onMessage);
      iframe.remove();
      fallback.remove();
      settleCancels(false);
    }
    return { iframe: iframe, cancel: cancel, destroy: destroy, unmount: destroy };
  }

  window.Paydesk = { mount: mount, version: '1' };

  // <paydesk-checkout src="…"></paydesk-checkout>: mounts on insertion, destroys on removal, mounts
  // again when src changes; paydesk:<event> DOM events bubble from the element itself.
  if (window.customElements && !window.customElements.get('paydesk-checkout')) {
    window.customElements.define('paydesk-checkout', class extends HTMLElement {
      static get observedAttributes() { return ['src', 'theme', 'background', 'accent']; }
      connectedCallback() {
        if (!this.style.display) this.style.display = 'block';
        this.mountFrame();
      }
      disconnectedCallback() { this.destroyFrame(); }
      cancel() { return this.handle ? this.handle.cancel() : Promise.resolve(false); }
      attributeChangedCallback(name, previous, value) {
        if (previous === value || !this.handle) return;
        this.destroyFrame();
        this.mountFrame();
      }
      mountFrame() {
        var src = this.getAttribute('src');
        if (this.handle || !this.isConnected || !src) return;
        this.handle = mount(this, {
          url: src,
          title: this.getAttribute('frame-title') || undefined,
          theme: {
            mode: this.getAttribute('theme'),
            background: this.getAttribute('background'),
            accent: this.getAttribute('accent'),
          },
        });
      }
      destroyFrame() {
        if (!this.handle) return;
        this.handle.destroy();
        this.handle = null;
      }
    });
  }
})();
