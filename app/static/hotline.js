// While the operator types: the caller's earlier cases, and possible duplicates.
(function () {
  var form = document.getElementById("hotline-form");
  if (!form) return;
  var earlier = document.getElementById("earlier-panel");
  var dupes = document.getElementById("duplicates-panel");
  var field = function (name) { return form.elements[name] ? form.elements[name].value.trim() : ""; };
  var lastEarlier = null, lastDupes = null, timer = null;

  function load(panel, params, last) {
    var query = new URLSearchParams(params).toString();
    if (query === last) return last;
    fetch(panel.dataset.url + "?" + query, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { if (html) panel.innerHTML = html; });
    return query;
  }

  function refresh() {
    var phone = field("phone");
    if (phone.length >= 5) lastEarlier = load(earlier, {phone: phone}, lastEarlier);
    lastDupes = load(dupes, {
      phone: phone,
      unit_code: field("respondent_unit_code"),
      category_code: field("category_code"),
      title: field("title"),
      content: field("content").slice(0, 2000)
    }, lastDupes);
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  form.addEventListener("change", refresh);
  // Whatever was typed before this script ran (a fast operator, or autofill).
  if (field("phone") || field("title")) refresh();
})();
