// Ask before an action that cannot be undone: any form, or submit button, with
// data-confirm="…" shows the message in a dialog first. "{name}" in the message is
// replaced by what the form's field of that name holds (a select: its chosen option).
// On "确定" the form's hidden "confirmed" field is set, so that the server does not ask
// again; without this script the server asks on a page of its own.
(function () {
  var dialog = document.getElementById("confirm-dialog");

  function filled(text, form) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      var field = form.elements[name];
      if (!field) return whole;
      if (field.tagName === "SELECT") {
        var chosen = field.options[field.selectedIndex];
        return chosen && chosen.value ? chosen.text : "—";
      }
      return (field.value || "").trim() || "—";
    });
  }

  // A required field left empty: the server names it beside the field, nothing is asked.
  function missing(form) {
    return Array.prototype.some.call(form.elements, function (el) {
      if (!el.required || el.disabled) return false;
      if (el.type === "radio") return !form.elements[el.name].value;
      if (el.type === "checkbox") return !el.checked;
      return !(el.value || "").trim();
    });
  }

  function ask(text, then) {
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(text)) then();
      return;
    }
    dialog.querySelector(".confirm-message").textContent = text;
    dialog.returnValue = "";
    dialog.addEventListener("close", function () {
      if (dialog.returnValue === "ok") then();
    }, {once: true});
    dialog.showModal();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var source = submitter && submitter.dataset.confirm ? submitter : form;
    if (!source.dataset.confirm || form.dataset.confirming === "done" || missing(form)) return;
    event.preventDefault();
    ask(filled(source.dataset.confirm, form), function () {
      if (form.elements.confirmed) form.elements.confirmed.value = "1";
      // The button may have been redrawn meanwhile (the hotline's duplicates panel is):
      // send its name and value with the form all the same.
      var carried = null;
      if (submitter && submitter.name && !submitter.isConnected) {
        carried = document.createElement("input");
        carried.type = "hidden";
        carried.name = submitter.name;
        carried.value = submitter.value;
        form.appendChild(carried);
      }
      form.dataset.confirming = "done";
      if (!form.requestSubmit) form.submit();
      else if (submitter && submitter.isConnected) form.requestSubmit(submitter);
      else form.requestSubmit();
      // Asked once per submission, also when the page comes back with "back".
      delete form.dataset.confirming;
      if (carried) carried.remove();
    });
  }, true);
})();
