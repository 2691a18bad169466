/* The header's menu on narrow screens: the "Menu" button shows or hides the links
   (templates/base.html). Without this script the button stays hidden and every link shows. */
(function () {
  "use strict";

  function init() {
    var button = document.querySelector(".nav-toggle");
    var nav = document.getElementById(button ? button.getAttribute("aria-controls") : "");
    if (!button || !nav) { return; }
    document.documentElement.classList.add("js-nav");
    button.hidden = false;

    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("is-open", open);
    }

    setOpen(false);
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
