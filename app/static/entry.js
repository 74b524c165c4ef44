// Forms an operator fills in from a call or a letter (data-enter-moves): Enter ends a line,
// not the form. It moves on to the next field, so a number typed and confirmed with Enter
// registers nothing half-typed; the submit button (or Enter on it) submits, and text areas
// keep Enter for new lines. After a refused submit the first field with a message has the
// cursor.
(function () {
  Array.prototype.forEach.call(document.querySelectorAll("form[data-enter-moves]"), function (form) {
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key !== "Enter" || event.isComposing || target.tagName !== "INPUT") return;
      if (target.type === "submit" || target.type === "button" || target.classList.contains("unit-filter")) return;
      event.preventDefault();
      var fields = Array.prototype.filter.call(form.elements, function (el) {
        return !el.disabled && el.type !== "hidden" && el.tabIndex >= 0 && el.offsetParent !== null;
      });
      var next = fields[fields.indexOf(target) + 1];
      if (next) next.focus();
    });
    var firstError = form.querySelector(".has-error input, .has-error select, .has-error textarea");
    if (firstError) firstError.focus();
  });
})();
