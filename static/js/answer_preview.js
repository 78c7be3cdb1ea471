// The admin's live preview of an answer: as the editor types, the answer is
// rendered by the server with the public page's own code (render_answer, math
// included) and shown beside the field, typeset by KaTeX. The HTML comes back
// sanitized by the server, as on the public page.
(function () {
  "use strict";
  var DELAY_MS = 400;

  function start() {
    var field = document.getElementById("id_answer");
    var form = field && field.form;
    var url = field && field.getAttribute("data-preview-url");
    if (!form || !url) {
      return;
    }
    var panel = document.createElement("div");
    panel.className = "answer-preview";
    panel.setAttribute("aria-live", "polite");
    panel.setAttribute("aria-label", "Preview of the answer");
    var heading = document.createElement("p");
    heading.className = "answer-preview__heading";
    heading.textContent = "Preview";
    var body = document.createElement("div");
    body.className = "answer-preview__body";
    panel.appendChild(heading);
    panel.appendChild(body);
    field.parentNode.insertBefore(panel, field.nextSibling);

    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var timer = null;
    var asked = 0;

    function refresh() {
      var mine = ++asked;
      var data = new URLSearchParams();
      data.append("answer", field.value);
      fetch(url, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": token },
        credentials: "same-origin"
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          if (mine !== asked) {
            return; // an older answer arrived after a newer one
          }
          body.innerHTML = html;
          if (window.QuickTakesMath) {
            window.QuickTakesMath.typeset(body);
          }
          panel.classList.remove("answer-preview--stale");
        })
        .catch(function () {
          panel.classList.add("answer-preview--stale");
        });
    }

    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, DELAY_MS);
    });
    refresh();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
