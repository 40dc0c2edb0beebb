/* Pages through the flagged searches of a city or agency page without reloading it.

   The "Older flagged searches" and "Newest" links are ordinary links to the whole page and
   keep working without JavaScript. With it, a click asks the same address with
   ?fragment=<section> (only the rows, their pager and the section's statutes), swaps every
   element of the answer into the element of the same id, records the address in the history
   so a copied or reloaded address shows the same rows, and moves focus to the new table. */
(function () {
  "use strict";

  var PARAM = "fragment";

  function fragmentUrl(href, name) {
    var url = new URL(href, window.location.href);
    url.hash = "";
    url.searchParams.set(PARAM, name);
    return url.toString();
  }

  function swap(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var swapped = [];
    // A copy: each swapped element leaves the template, which would shift a live list.
    Array.prototype.slice.call(template.content.children).forEach(function (fresh) {
      var current = fresh.id && document.getElementById(fresh.id);
      if (current) {
        current.replaceWith(fresh);
        swapped.push(fresh);
      }
    });
    return swapped;
  }

  function load(container, href, push) {
    // push: a reader's click (record the address, move focus); otherwise Back or Forward.
    var name = container.getAttribute("data-fragment");
    var status = document.getElementById(container.getAttribute("data-status"));
    container.setAttribute("aria-busy", "true");
    return fetch(fragmentUrl(href, name), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        swap(html);
        if (push) {
          window.history.pushState({ flagged: name }, "", href);
        }
        if (!push) {
          return;
        }
        var fresh = document.getElementById(container.id);
        var region = fresh && fresh.querySelector(".table-wrap");
        if (region) {
          region.focus({ preventScroll: true });
          // The link sits below the old rows: bring the top of the new ones into view.
          if (region.getBoundingClientRect().top < 0) {
            region.scrollIntoView({ block: "start" });
          }
        }
        if (status) {
          status.textContent = status.getAttribute("data-loaded");
        }
      })
      .catch(function () {
        if (status) {
          status.textContent = status.getAttribute("data-failed");
        }
        window.location.href = href;
      });
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0) {
      return;
    }
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    var link = event.target.closest(".flagged-rows .pagination a[href]");
    if (!link) {
      return;
    }
    event.preventDefault();
    var container = link.closest(".flagged-rows");
    if (!window.history.state) {
      // The first entry learns which section it shows, so Back can restore its rows too.
      window.history.replaceState({ flagged: container.getAttribute("data-fragment") }, "");
    }
    load(container, link.href, true);
  });

  window.addEventListener("popstate", function (event) {
    if (!event.state || !event.state.flagged) {
      return;
    }
    // Each section's rows follow their own parameter of the restored address.
    document.querySelectorAll(".flagged-rows[data-fragment]").forEach(function (container) {
      load(container, window.location.href, false);
    });
  });
})();
