/* The complaint form: show only the questions of the chosen service. Without JavaScript every
   service's questions are shown, each group titled with its service; the server validates the
   chosen one's answers only. */
(function () {
  "use strict";
  var form = document.getElementById("complaint-form");
  if (!form) return;
  var service = form.querySelector("[name=service_type]");
  var groups = form.querySelectorAll(".service-questions");
  if (!service || !groups.length) return;

  function show() {
    for (var i = 0; i < groups.length; i++) {
      var group = groups[i];
      var chosen = group.getAttribute("data-service") === service.value;
      group.hidden = !chosen;
      // Answers to another service's questions are not sent.
      var inputs = group.querySelectorAll("input, select, textarea");
      for (var j = 0; j < inputs.length; j++) inputs[j].disabled = !chosen;
    }
  }

  service.addEventListener("change", show);
  show();
})();
