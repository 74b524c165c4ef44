// The document page while its paper renders in a job: poll the status, move the
// progress bar, and reload the page (which then shows the files) once it is finished.
(function () {
  var box = document.getElementById("document");
  var bar = document.getElementById("document-progress");
  if (!box || !bar || !window.fetch) return;
  var url = box.getAttribute("data-status-url");
  var delay = 1000;

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (state) {
        bar.value = state.progress;
        bar.textContent = state.progress + "%";
        if (state.status === "done" || state.status === "failed") {
          window.location.reload();
          return;
        }
        setTimeout(poll, delay);
      })
      .catch(function () {
        // A network hiccup: try again, less often.
        delay = Math.min(delay * 2, 15000);
        setTimeout(poll, delay);
      });
  }

  setTimeout(poll, delay);
})();
