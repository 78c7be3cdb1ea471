// Related links in the article's change form: "Move up" and "Move down" beside
// each link's number swap it with its neighbour, numbers and rows both, so the
// order shown is the order saved. The numbers stay editable without script.
(function () {
  "use strict";

  function rows(body) {
    return Array.prototype.filter.call(body.children, function (row) {
      return row.classList.contains("form-row") && !row.classList.contains("empty-form");
    });
  }

  function position(row) {
    return row.querySelector("input[name$='-position']");
  }

  function swap(row, other) {
    var mine = position(row), theirs = position(other);
    var value = mine.value;
    mine.value = theirs.value;
    theirs.value = value;
    if (row.nextElementSibling === other) {
      row.parentNode.insertBefore(other, row);
    } else {
      row.parentNode.insertBefore(row, other);
    }
  }

  function button(label, title, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "related-order__move";
    element.textContent = label;
    element.title = title;
    element.setAttribute("aria-label", title);
    element.addEventListener("click", onClick);
    return element;
  }

  function addButtons(row) {
    var input = position(row);
    if (!input || row.querySelector(".related-order__move")) {
      return;
    }
    var up = button("↑", "Move up", function () {
      var all = rows(row.parentNode), at = all.indexOf(row);
      if (at > 0) { swap(all[at - 1], row); up.focus(); }
    });
    var down = button("↓", "Move down", function () {
      var all = rows(row.parentNode), at = all.indexOf(row);
      if (at < all.length - 1) { swap(row, all[at + 1]); down.focus(); }
    });
    input.insertAdjacentElement("afterend", down);
    input.insertAdjacentElement("afterend", up);
  }

  function nextFreeNumber(body) {
    var taken = rows(body).map(function (row) { return Number(position(row).value); });
    for (var number = 1; number <= 5; number++) {
      if (taken.indexOf(number) === -1) { return number; }
    }
    return "";
  }

  function start() {
    var group = document.getElementById("related_links-group");
    if (!group) {
      return;
    }
    group.querySelectorAll("tr.form-row").forEach(addButtons);
    document.addEventListener("formset:added", function (event) {
      if (event.detail && event.detail.formsetName !== "related_links") {
        return;
      }
      var row = event.target;
      var input = position(row);
      if (input && !input.value) {
        input.value = nextFreeNumber(row.parentNode);
      }
      addButtons(row);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
