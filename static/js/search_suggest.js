// Suggestions under a search box as the reader types: the first titles the
// search finds (or, when it finds none, the spelling to try), from the form's
// data-suggest URL (the search_suggestions view, JSON). Without JavaScript, or
// when that URL cannot be reached (a static copy of the site), the form still
// submits to the results page, which has the same results and "Did you mean".
//
// The box becomes an ARIA 1.2 combobox with a listbox popup: arrows move
// through the options, Enter opens the one chosen (or submits the form when
// none is), Escape closes the list; a status line says how many there are.
(function () {
  "use strict";
  var MIN_CHARS = 2;
  var DELAY_MS = 150;
  var count = 0;

  function setUp(form) {
    var input = form.querySelector("input[name=q]");
    if (!input || !window.fetch) {
      return;
    }
    count += 1;
    var id = (input.id || "search-q-" + count) + "-suggestions";
    var list = document.createElement("ul");
    list.id = id;
    list.className = "search-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    // Under the box: its own container holds the list (the form, or the
    // search page's field).
    input.parentNode.classList.add("has-suggestions");
    input.parentNode.appendChild(list);
    form.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    input.setAttribute("autocomplete", "off");

    var timer = null;
    var asked = "";
    var active = -1;
    var options = [];

    function close() {
      list.hidden = true;
      list.textContent = "";
      options = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function choose(index) {
      if (active >= 0) {
        options[active].element.setAttribute("aria-selected", "false");
      }
      active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      options[index].element.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[index].element.id);
      options[index].element.scrollIntoView({ block: "nearest" });
    }

    function option(text, href, label) {
      var element = document.createElement("li");
      element.id = id + "-" + options.length;
      element.setAttribute("role", "option");
      element.setAttribute("aria-selected", "false");
      if (label) {
        var note = document.createElement("span");
        note.className = "search-suggestions__note";
        note.textContent = label + " ";
        element.appendChild(note);
      }
      element.appendChild(document.createTextNode(text));
      // mousedown would move the focus off the box (and close the list first).
      element.addEventListener("mousedown", function (event) {
        event.preventDefault();
      });
      element.addEventListener("click", function () {
        window.location.assign(href);
      });
      options.push({ element: element, href: href });
      list.appendChild(element);
    }

    function show(answer) {
      close();
      if (answer.suggestion) {
        var search = form.getAttribute("action") || "/search/";
        option(answer.suggestion, search + "?q=" + encodeURIComponent(answer.suggestion), "Did you mean");
      }
      answer.results.forEach(function (result) {
        option(result.title, result.url);
      });
      var n = answer.results.length;
      status.textContent = n ? n + (n === 1 ? " suggestion" : " suggestions") : answer.suggestion ? "No match; a spelling is suggested" : "No suggestions";
      if (options.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function ask() {
      var query = input.value.trim();
      if (query.length < MIN_CHARS) {
        asked = query;
        close();
        status.textContent = "";
        return;
      }
      if (query === asked) {
        return;
      }
      asked = query;
      var url = form.getAttribute("data-suggest") + "?q=" + encodeURIComponent(query);
      window.fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (answer) {
          // Only the answer to what the box still says: replies may cross.
          if (answer && asked === query && input.value.trim() === query) {
            show(answer);
          }
        })
        .catch(function () {
          // No suggestions (offline, a static host): the form still works.
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!options.length) {
          return;
        }
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        var next = active + step;
        choose(next < -1 ? options.length - 1 : next >= options.length ? -1 : next);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.assign(options[active].href);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      asked = input.value.trim();
    });
  }

  document.querySelectorAll("form[data-suggest]").forEach(setUp);
})();
