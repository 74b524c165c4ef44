// Offer only the staff of the unit chosen in the form: a multiple select names its unit
// select in data-unit-select, each option names its unit's code in data-unit. The server
// refuses another unit's people, so without this script all are offered, by unit.
(function () {
  document.querySelectorAll("select[multiple][data-unit-select]").forEach(function (select) {
    var unit = document.getElementById(select.dataset.unitSelect);
    if (!unit) return;
    var empty = document.createElement("p");
    empty.className = "hint";
    empty.id = select.id + "-none";
    empty.textContent = select.dataset.none || "";
    select.insertAdjacentElement("afterend", empty);
    function show(keepChoice) {
      var shown = 0;
      Array.prototype.forEach.call(select.options, function (option) {
        // A choice on a page shown again after a refusal stays visible beside its message.
        var away = option.dataset.unit !== unit.value && !(keepChoice && option.selected);
        option.hidden = away;
        option.disabled = away; // some browsers show hidden options; none picks a disabled one
        if (away) option.selected = false;
        if (!away) shown += 1;
      });
      select.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      select.hidden = shown === 0;
      empty.hidden = shown !== 0;
    }
    unit.addEventListener("change", function () { show(false); });
    show(true);
  });
})();
