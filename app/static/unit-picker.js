// Filter a unit <select> as the user types a name, a code or pinyin initials.
(function () {
  document.querySelectorAll("input.unit-filter").forEach(function (input) {
    var select = document.getElementById(input.dataset.for);
    if (!select) return;
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var text = (option.dataset.search || option.text).toLowerCase();
        var match = !option.value || words.every(function (w) { return text.indexOf(w) !== -1; });
        option.hidden = !match;
        if (match && option.value && !first) first = option;
      });
      if (first && words.length) select.value = first.value;
      select.dispatchEvent(new Event("change"));
    });
    input.addEventListener("keydown", function (event) {
      // Enter keeps the first match and moves on instead of submitting the form.
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
  });
})();
