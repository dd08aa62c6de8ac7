/* portal-blocks website links (Block_LienKet_Website), drop-down display.
 *
 * Each .pb-lienket__form is rendered hidden (a <noscript> list stands in for it): this shows
 * it and, when the reader presses Go with a website chosen, opens that website. It opens on
 * Go only, not when the choice changes: arrowing through the options must not leave the page
 * (WCAG 3.2.2). Only http(s) addresses are followed, as the server only accepts those. Load it
 * once per page; forms added later are wired by calling window.portalBlocksLienKet(form).
 */
(function () {
  "use strict";

  var WEB_ADDRESS = /^https?:\/\//i;

  function setup(form) {
    if (form.getAttribute("data-pb-ready")) return;
    form.setAttribute("data-pb-ready", "true");
    var select = form.querySelector("select");
    if (!select) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var address = select.value;
      if (address && WEB_ADDRESS.test(address)) window.location.assign(address);
    });
    form.hidden = false;
  }

  function setupAll() {
    var forms = document.querySelectorAll(".pb-lienket__form");
    for (var i = 0; i < forms.length; i++) setup(forms[i]);
  }

  window.portalBlocksLienKet = setup;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupAll);
  } else {
    setupAll();
  }
})();
