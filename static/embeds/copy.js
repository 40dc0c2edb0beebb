// The embed page's "Copy the code" buttons: shown only where this script runs; each copies
// its snippet's textarea and says so in its status line.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".embed-copy-status");
    if (!field) return;
    button.parentNode.hidden = false;
    button.addEventListener("click", function () {
      field.focus();
      field.select();
      var say = function (key) { status.textContent = button.getAttribute(key); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { say("data-done"); },
          function () { say("data-failed"); }
        );
        return;
      }
      try {
        say(document.execCommand("copy") ? "data-done" : "data-failed");
      } catch (error) {
        say("data-failed");
      }
    });
  });
})();
