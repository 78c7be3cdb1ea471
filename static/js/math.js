// Typesets the answer's math with KaTeX (static/vendor/katex, loaded before this
// file, both with `defer`). The server writes each formula as plain TeX in
// <span class="math math-inline"> or <div class="math math-display">, so without
// JavaScript, or where KaTeX cannot parse a formula, the reader sees the TeX.
(function () {
  "use strict";
  if (typeof katex === "undefined") {
    return;
  }
  var options = {
    // A formula KaTeX cannot parse throws, and keeps its TeX (below). Not
    // throwOnError: false, whose red error text carries a style attribute,
    // which the site's Content-Security-Policy refuses.
    throwOnError: true,
    trust: false, // no \href, \includegraphics or \htmlClass from an answer
    strict: "ignore", // no console warnings for Unicode in math (H₂O, →)
    maxSize: 20, // em: no formula blows up the layout
    maxExpand: 1000 // macro expansions: no formula hangs the page
  };
  function typeset(root) {
    root.querySelectorAll(".math").forEach(function (element) {
      var display = element.classList.contains("math-display");
      var tex = element.textContent;
      options.displayMode = display;
      try {
        katex.render(tex, element, options);
      } catch (error) {
        // TeX that KaTeX cannot parse (or any other failure): plain TeX reads
        // better than an error. KaTeX leaves the element untouched then.
        element.textContent = tex;
        return;
      }
      if (display && element.scrollWidth > element.clientWidth) {
        // A formula wider than the column scrolls; let keyboards reach it.
        element.tabIndex = 0;
      }
    });
  }

  // The admin's live preview typesets what it fetches with the same function.
  window.QuickTakesMath = { typeset: typeset };
  typeset(document);
})();
