// Sandbox hosted form: tells the parent page its height and, at the end, its result — always to an
// explicit target origin, never "*" — then follows the return URL when there is one.
(function () {
  "use strict";
  function post(message, target) {
    if (!target || window.parent === window) return;
    window.parent.postMessage(message, target);
  }
  var form = document.getElementById("hpf-form");
  if (form) {
    var formTarget = form.getAttribute("data-target-origin");
    var sendHeight = function () {
      post({ type: "resize", height: Math.ceil(document.documentElement.scrollHeight) }, formTarget);
    };
    sendHeight();
    if (window.ResizeObserver) new ResizeObserver(sendHeight).observe(document.body);
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = true;
        button.textContent = "Processing…";
      }
    });
  }
  var result = document.getElementById("hpf-result");
  if (result) {
    var message = result.getAttribute("data-message");
    var target = result.getAttribute("data-target-origin");
    var returnUrl = result.getAttribute("data-return-url");
    if (message) post(JSON.parse(message), target);
    if (returnUrl) window.location.replace(returnUrl);
  }
})();
