// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  function guessTimezone() {
    document.querySelectorAll("select[data-guess-timezone]").forEach(function (select) {
      if (select.dataset.touched) return;
      var zone;
      try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
      if (zone && select.querySelector('option[value="' + zone + '"]')) select.value = zone;
    });
  }

  function focusSearchOnSlash(event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    var search = document.querySelector("[data-search]");
    if (search) { event.preventDefault(); search.focus(); search.select(); }
  }

  function confirmDestructive(event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var signup = document.querySelector("select[data-guess-timezone]");
    if (signup && !signup.closest("form").querySelector(".field-invalid")) guessTimezone();
  });
  document.addEventListener("keydown", focusSearchOnSlash);
  document.addEventListener("submit", confirmDestructive, true);
})();

// A follow-up's reason starts as what was heard, until the user edits it.
(function () {
  "use strict";
  document.addEventListener("input", function (event) {
    var source = event.target;
    if (!source.name) return;
    var form = source.closest("form");
    if (!form) return;
    var mirror = form.querySelector('[data-mirror-from="' + source.name + '"]');
    if (mirror && !mirror.dataset.edited) mirror.value = source.value;
    if (source.dataset.mirrorFrom) source.dataset.edited = "true";
  });
})();
