// People picker (connections/people_picker.py): htmx fetches suggestions as the user types;
// this lets them choose one with the mouse or the keyboard, moving it into the chosen list.
// Without this script the box is a plain text field whose comma-separated names the server
// matches on submit.
(function () {
  "use strict";

  function parts(picker) {
    var box = picker.querySelector('[role="combobox"]');
    return {
      box: box,
      results: document.getElementById(box.getAttribute("aria-controls")),
      status: document.getElementById(box.id + "_status"),
      chosen: document.getElementById(box.id + "_chosen"),
    };
  }

  function options(p) {
    return Array.prototype.slice.call(p.results.querySelectorAll('[role="option"]'));
  }

  function active(p) {
    var id = p.box.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function setActive(p, option) {
    options(p).forEach(function (o) { o.setAttribute("aria-selected", o === option ? "true" : "false"); });
    if (option) {
      p.box.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      p.box.removeAttribute("aria-activedescendant");
    }
  }

  function close(p) {
    setActive(p, null);
    p.results.textContent = "";
    p.box.setAttribute("aria-expanded", "false");
  }

  function chip(name, option) {
    var li = document.createElement("li");
    var label = document.createElement("label");
    var input = document.createElement("input");
    var text = document.createElement("span");
    label.className = "picker-chip";
    input.type = "checkbox";
    input.name = name;
    input.value = option.dataset.pk;
    input.checked = true;
    text.textContent = option.dataset.name;
    label.appendChild(input);
    label.appendChild(document.createTextNode(" "));
    label.appendChild(text);
    if (option.dataset.hint) {
      var hint = document.createElement("span");
      hint.className = "picker-hint";
      hint.textContent = option.dataset.hint;
      label.appendChild(document.createTextNode(" "));
      label.appendChild(hint);
    }
    li.appendChild(label);
    return li;
  }

  function pick(picker, option) {
    var p = parts(picker);
    var name = picker.dataset.pickerName;
    if (picker.hasAttribute("data-picker-single")) {
      picker.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
        box.checked = false;
      });
      p.chosen.textContent = "";
    }
    p.chosen.appendChild(chip(name, option));
    // Keep any names typed before the last comma (the no-JavaScript way of listing several).
    var earlier = p.box.value.split(",").slice(0, -1).join(",").trim();
    p.box.value = earlier ? earlier + ", " : "";
    close(p);
    p.status.textContent = "Added " + option.dataset.name + ".";
    p.box.focus();
  }

  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (box.getAttribute("role") !== "combobox") return;
    var picker = box.closest("[data-picker]");
    if (!picker) return;
    var p = parts(picker);
    var list = options(p);
    var current = active(p);
    var index = list.indexOf(current);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!list.length) return;
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      setActive(p, list[(index + step + list.length) % list.length]);
    } else if (event.key === "Enter" && list.length) {
      // Enter chooses the highlighted (or first) suggestion; with none open it submits.
      event.preventDefault();
      pick(picker, current || list[0]);
    } else if (event.key === "Escape" && list.length) {
      event.preventDefault();
      close(p);
    }
  });

  // mousedown, not click: the box keeps focus, so the list is not closed first.
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest('.picker [role="option"]');
    if (!option) return;
    event.preventDefault();
    pick(option.closest("[data-picker]"), option);
  });

  document.addEventListener("focusout", function (event) {
    var box = event.target;
    if (box.getAttribute && box.getAttribute("role") === "combobox" && box.closest("[data-picker]")) {
      close(parts(box.closest("[data-picker]")));
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var results = event.target;
    if (!results.classList || !results.classList.contains("picker-results")) return;
    var picker = results.closest("[data-picker]");
    var p = parts(picker);
    // A late answer after the user chose someone or left the box is not shown.
    if (document.activeElement !== p.box || !p.box.value.split(",").pop().trim()) {
      close(p);
      return;
    }
    setActive(p, null);
    p.box.setAttribute("aria-expanded", options(p).length ? "true" : "false");
  });
})();
