// Look up the caller's earlier cases as soon as the phone number is typed.
(function () {
  var phone = document.getElementById("phone");
  var panel = document.getElementById("earlier-panel");
  if (!phone || !panel) return;
  var last = "";
  var timer = null;
  function lookup() {
    var value = phone.value.trim();
    if (value === last || value.length < 5) return;
    last = value;
    fetch(panel.dataset.url + "?phone=" + encodeURIComponent(value), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { if (html) panel.innerHTML = html; });
  }
  phone.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 300);
  });
  phone.addEventListener("blur", lookup);
})();
