/* The "Copy link" button of a pre-visit brief's share box: shown only where the script runs
   (the link stays in a read-only field anyone can select), no inline script. */
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.querySelector(button.dataset.copy);
    var status = button.closest(".share") && button.closest(".share").querySelector(".share-status");
    if (!field) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () { if (status) { status.textContent = button.dataset.copied; } };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () {
          field.select();
        });
      } else {
        field.select();
        try { document.execCommand("copy"); done(); } catch (e) { /* selected for the user */ }
      }
    });
  });
}());
