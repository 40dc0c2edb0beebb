/* GET filter forms marked data-clean-get submit only the fields that hold a value, so the
   address reads "?source_agency=x&flag=immigration" rather than a row of "field=&" pairs.

   Blank fields are disabled just before the browser builds the URL (disabled fields are not
   submitted) and enabled again when the page is shown from the back/forward cache. Without
   JavaScript the server redirects a URL with blank values to the same URL without them. */
(function () {
  "use strict";

  function blank(field) {
    return !field.name || field.disabled || field.type === "submit" || field.type === "button"
      ? false
      : field.value.trim() === "";
  }

  function restore(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-cleaned]"), function (field) {
      field.disabled = false;
      field.removeAttribute("data-cleaned");
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-clean-get]"), function (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (blank(field)) {
          field.disabled = true;
          field.setAttribute("data-cleaned", "");
        }
      });
    });
    window.addEventListener("pageshow", function () {
      restore(form);
    });
  });
})();
