// Warn beside the dispatch unit choice when nobody in the chosen unit can sign now; the box
// "dispatch anyway", when the server has asked for it, goes with the warning.
(function () {
  var select = document.querySelector("#action-dispatch select[name=unit_code]");
  var warning = document.getElementById("no-signer-warning");
  if (!select || !warning) return;
  var box = select.form.querySelector("input[name=confirm_no_signer]");
  var field = box && box.closest(".field");
  select.addEventListener("change", function () {
    var option = select.options[select.selectedIndex];
    var flagged = !!(option && option.dataset.flagged);
    warning.hidden = !flagged;
    if (field) {
      field.hidden = !flagged;
      if (!flagged) box.checked = false;
    }
  });
})();
