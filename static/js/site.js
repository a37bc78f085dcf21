// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // On phones the search filters start folded so the results come first, unless a filter needs fixing.
  if (window.matchMedia("(max-width: 860px)").matches) {
    document.querySelectorAll("details[data-collapse-on-mobile]").forEach(function (details) {
      if (!details.querySelector(".field-invalid")) details.open = false;
    });
  }

  // htmx leaves the page as it was when the server refuses an action (4xx, 5xx) or cannot be reached: say so
  // beside what was clicked, with the server's own reason when it sent one as text.
  function actionNote(element, text) {
    var note = element.nextElementSibling;
    if (!note || !note.classList.contains("action-error")) {
      note = document.createElement("p");
      note.className = "action-error";
      note.setAttribute("role", "alert");
      element.insertAdjacentElement("afterend", note);
    }
    note.textContent = text;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var note = event.detail.elt.nextElementSibling;
    if (note && note.classList.contains("action-error")) note.remove();
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var plain = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0;
    actionNote(event.detail.elt, plain && xhr.responseText ? xhr.responseText
      : "That did not work (error " + xhr.status + "). Reload the page and try again.");
  });
  document.addEventListener("htmx:sendError", function (event) {
    actionNote(event.detail.elt, "TrustAsset could not be reached. Check your connection and try again.");
  });
})();
