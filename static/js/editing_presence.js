// The article's change form tells the server it is still open, every third of
// the time a presence record lasts, so that editors opening the same article
// are told; leaving the page (but not submitting it) ends the record at once.
// Without script the record is made on loading the form and expires by itself.
(function () {
  "use strict";

  var box = document.querySelector(".editing-presence");
  var form = document.getElementById("article_form");
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!box || !form || !token) {
    return;
  }
  var url = box.dataset.url;
  var every = Math.max(10, Number(box.dataset.seconds) / 3) * 1000;
  var submitting = false;

  function body(left) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", token.value);
    if (left) {
      data.append("left", "1");
    }
    return data;
  }

  window.setInterval(function () {
    fetch(url, { method: "POST", body: body(false), credentials: "same-origin" })
      .catch(function () {});  // offline for a moment: the next one will do
  }, every);
  form.addEventListener("submit", function () {
    submitting = true;
  });
  window.addEventListener("pagehide", function () {
    if (!submitting && navigator.sendBeacon) {
      navigator.sendBeacon(url, body(true));
    }
  });
})();
