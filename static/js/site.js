// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // On phones the search filters start folded so the results come first, unless a filter needs fixing.
  if (window.matchMedia("(max-width: 860px)").matches) {
    document.querySelectorAll("details[data-collapse-on-mobile]").forEach(function (details) {
      if (!details.querySelector(".field-invalid")) details.open = false;
    });
  }
})();
