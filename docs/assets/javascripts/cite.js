/* "How to cite this page": the retrieval date is the reader's today, in APA's form, and the
   BibTeX beside it gives the same day as its urldate. */
(function () {
  "use strict";
  var today = new Date();
  var iso = today.getFullYear() + "-" + String(today.getMonth() + 1).padStart(2, "0") + "-" +
    String(today.getDate()).padStart(2, "0");
  var apa = today.toLocaleDateString("en-US", { month: "long", day: "numeric", year: "numeric" });
  document.querySelectorAll("time.ambidex-retrieved").forEach(function (time) {
    var built = time.getAttribute("datetime");
    time.setAttribute("datetime", iso);
    time.textContent = apa;
    document.querySelectorAll("code").forEach(function (code) {
      if (code.textContent.indexOf("urldate") < 0) return;
      var walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        var text = walker.currentNode;
        if (text.nodeValue.indexOf(built) >= 0) text.nodeValue = text.nodeValue.split(built).join(iso);
      }
    });
  });
})();
