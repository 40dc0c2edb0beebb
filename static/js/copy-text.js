/* Copy buttons: <button data-copy-target="ID" data-copy-status="ID" data-copied="…"
   data-copy-failed="…"> copies the value of the field (a textarea, an input) or the text of the
   element with that id, and says so in the status element (a live region). The buttons stay
   hidden without JavaScript or a way to copy: the text can still be selected or downloaded. */
(function () {
  "use strict";
  function textOf(target) {
    return "value" in target ? target.value : target.textContent;
  }
  function fallback(target) {
    // Where the Clipboard API is missing (an insecure origin): select a field and copy it.
    if (!("select" in target)) return false;
    target.focus();
    target.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }
  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    var canCopy = navigator.clipboard && window.isSecureContext;
    if (!target || !(canCopy || "select" in target)) return;
    button.hidden = false;
    function say(done) {
      var text = button.getAttribute(done ? "data-copied" : "data-copy-failed");
      if (status && text) status.textContent = text;
    }
    button.addEventListener("click", function () {
      if (canCopy) {
        navigator.clipboard.writeText(textOf(target)).then(
          function () { say(true); },
          function () { say(fallback(target)); }
        );
      } else {
        say(fallback(target));
      }
    });
  });
})();
