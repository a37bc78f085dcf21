// Show only the facts that fit the chosen kind (home or car). Without this script every
// fieldset stays visible and the server ignores the other kind's fields.
(function () {
  "use strict";
  var form = document.querySelector("[data-listing-form]");
  if (!form) return;
  var kind = form.querySelector("select[name=kind]");
  if (!kind) return;
  function sync() {
    form.querySelectorAll("fieldset[data-kind]").forEach(function (fieldset) {
      fieldset.hidden = kind.value !== "" && fieldset.dataset.kind !== kind.value;
    });
  }
  kind.addEventListener("change", sync);
  sync();
})();
