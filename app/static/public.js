// The public pages: copy and print the receipt, and say that a name is needed only
// when the complaint is not anonymous. Static, because the CSP forbids inline scripts.
(function () {
  "use strict";

  function copied(button, ok) {
    var status = document.getElementById("copy-status");
    if (status) {
      status.textContent = ok ? button.dataset.done : button.dataset.failed;
    }
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copy);
      field.focus();
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { copied(button, true); },
          function () { copied(button, document.execCommand("copy")); }
        );
      } else {
        copied(button, document.execCommand("copy"));
      }
    });
  });

  var print = document.getElementById("print-receipt");
  if (print) {
    print.addEventListener("click", function () { window.print(); });
  }

  var anonymous = document.getElementById("anonymous");
  var name = document.getElementById("name");
  if (anonymous && name) {
    var update = function () {
      name.required = !anonymous.checked;
      name.closest(".field").classList.toggle("required", !anonymous.checked);
    };
    anonymous.addEventListener("change", update);
    update();
  }
})();
