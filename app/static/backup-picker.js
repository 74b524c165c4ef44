// Offer as backup (AB岗) only the people of the unit chosen above: the server refuses anyone
// else. A select names its unit select in data-unit-select; each option names its unit.
(function () {
  document.querySelectorAll("select[data-unit-select]").forEach(function (select) {
    var unit = document.getElementById(select.dataset.unitSelect);
    if (!unit) return;
    function show(keepChoice) {
      Array.prototype.forEach.call(select.options, function (option) {
        // The choice on a page shown again after a refusal stays visible beside its message.
        var kept = keepChoice && option.selected;
        var away = Boolean(option.value) && option.dataset.unit !== unit.value && !kept;
        option.hidden = away;
        option.disabled = away; // some browsers show hidden options; none picks a disabled one
      });
      select.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      if (select.selectedIndex >= 0 && select.options[select.selectedIndex].hidden) {
        select.value = "";
      }
    }
    unit.addEventListener("change", function () { show(false); });
    show(true);
  });
})();
