// Warn beside the dispatch unit choice when nobody in the chosen unit can sign now.
(function () {
  var select = document.querySelector("#action-dispatch select[name=unit_code]");
  var warning = document.getElementById("no-signer-warning");
  if (!select || !warning) return;
  select.addEventListener("change", function () {
    var option = select.options[select.selectedIndex];
    warning.hidden = !(option && option.dataset.flagged);
  });
})();
