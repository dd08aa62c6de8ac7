/* portal-blocks toolbar: text size and print, with no framework.
 *
 * Each .pb-toolbar carries its bounds (data-font-size, -min, -max, -step, in percent) and the
 * GraphQL URL. The text-size buttons set the size of every .pb-viewdata block in relative units,
 * clamped to the bounds, disable themselves at a bound, and save the choice with the
 * setDisplayPreferences mutation (the server keeps it under the anonymous pb_viewer cookie and
 * renders the next page with it). Load it once per page; toolbars added later are wired by
 * calling window.portalBlocksToolbar(element).
 */
(function () {
  "use strict";

  var MUTATION =
    "mutation SetTextSize($textSize: Int!) {" +
    " setDisplayPreferences(textSize: $textSize) { preferences { textSize } errors { code } } }";

  function number(element, name, fallback) {
    var value = parseInt(element.getAttribute(name), 10);
    return isNaN(value) ? fallback : value;
  }

  function setup(toolbar) {
    if (toolbar.getAttribute("data-pb-ready")) return;
    toolbar.setAttribute("data-pb-ready", "true");
    var min = number(toolbar, "data-font-size-min", 80);
    var max = number(toolbar, "data-font-size-max", 160);
    var step = number(toolbar, "data-font-size-step", 10);
    var current = number(toolbar, "data-font-size", 100);
    var increase = toolbar.querySelector('[data-action="increase_text_size"]');
    var decrease = toolbar.querySelector('[data-action="decrease_text_size"]');
    var status = toolbar.querySelector('[role="status"]');
    var saving = Promise.resolve();

    function announce() {
      // A polite live region: screen readers hear the new size after each press.
      if (status) status.textContent = status.getAttribute("data-status-label") + ": " + current + "%";
    }

    function apply(size) {
      current = Math.max(min, Math.min(max, size));
      toolbar.setAttribute("data-font-size", String(current));
      var bodies = document.querySelectorAll(".pb-viewdata");
      for (var i = 0; i < bodies.length; i++) bodies[i].style.fontSize = current + "%";
      if (increase) increase.disabled = current >= max;
      if (decrease) decrease.disabled = current <= min;
    }

    function save(size) {
      var url = toolbar.getAttribute("data-graphql-url");
      if (!url || !window.fetch) return;
      // Chained, so the server sees the choices in the order they were made.
      saving = saving.then(function () {
        return fetch(url, {
          method: "POST",
          credentials: "include",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ query: MUTATION, variables: { textSize: size } })
        }).then(function () {
          toolbar.setAttribute("data-pb-saved", String(size));
        }, function () { /* the size still applies to this page */ });
      });
    }

    toolbar.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest("[data-action]") : null;
      if (!target || !toolbar.contains(target)) return;
      var action = target.getAttribute("data-action");
      if (action !== "increase_text_size" && action !== "decrease_text_size") return;
      event.preventDefault();
      var before = current;
      apply(current + (action === "increase_text_size" ? step : -step));
      announce();
      if (current !== before) save(current);
    });

    apply(current);
  }

  function setupAll() {
    var toolbars = document.querySelectorAll(".pb-toolbar");
    for (var i = 0; i < toolbars.length; i++) setup(toolbars[i]);
    var printButtons = document.querySelectorAll('[data-action="print-now"]');
    for (var j = 0; j < printButtons.length; j++) {
      printButtons[j].addEventListener("click", function () { window.print(); });
    }
  }

  window.portalBlocksToolbar = setup;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupAll);
  } else {
    setupAll();
  }
})();
