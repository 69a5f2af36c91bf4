/* Typo-tolerant site search. The theme's search runs in a worker; this wraps the worker so that
   every query word of five letters or more is sent as a fuzzy term (one edit, two from eight
   letters): "polycronicity" still finds Polychronicity. It must load before the theme's bundle. */
(function () {
  "use strict";
  var Native = window.Worker;
  if (!Native) return;

  function fuzzy(query) {
    return query.split(/(\s+)/).map(function (part) {
      if (part.length < 5 || !/^[\p{L}\p{N}]+$/u.test(part)) return part;
      return part + "~" + (part.length >= 8 ? 2 : 1);
    }).join("");
  }

  function Wrapped(url, options) {
    var worker = new Native(url, options);
    if (String(url).indexOf("search") !== -1) {
      var post = worker.postMessage.bind(worker);
      worker.postMessage = function (message, transfer) {
        if (message && message.type === 2 && typeof message.data === "string") {
          message = { type: message.type, data: fuzzy(message.data) };
        }
        return transfer === undefined ? post(message) : post(message, transfer);
      };
    }
    return worker;
  }
  Wrapped.prototype = Native.prototype;
  window.Worker = Wrapped;
})();
