// People list: "select everyone on this page" for the bulk form. The list works without it.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function rowBoxes(form) {
    return form ? Array.prototype.slice.call(form.querySelectorAll('input[name="people"]')) : [];
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    var form = box.closest && box.closest(".bulk-form");
    if (!form) return;
    var rows = rowBoxes(form);
    var all = form.querySelector("[data-select-all]");
    if (box === all) {
      rows.forEach(function (row) { row.checked = all.checked; });
    }
    var ticked = rows.filter(function (row) { return row.checked; }).length;
    if (all) {
      all.checked = ticked > 0 && ticked === rows.length;
      all.indeterminate = ticked > 0 && ticked < rows.length;
    }
    var count = form.querySelector(".bulk-count");
    if (count) count.textContent = ticked + " selected";
  });
})();
