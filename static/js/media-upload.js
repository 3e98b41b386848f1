// Asset upload: drag and drop (or choose) files; each is sent on its own with a progress bar,
// and the server's answer (an <li> fragment: uploaded, or refused with the reason) replaces it.
// Without JavaScript the form posts normally.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    var form = document.getElementById("upload-form");
    var zone = document.getElementById("dropzone");
    var results = document.getElementById("upload-results");
    if (!form || !zone || !results) { return; }
    var input = form.querySelector("input[type=file]");
    input.required = false;  // files may come from a drop instead

    function send(file) {
      var item = document.createElement("li");
      item.className = "upload-result is-busy";
      var label = document.createElement("span");
      label.textContent = file.name + " — " + form.dataset.uploading;
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", file.name);
      item.appendChild(label);
      item.appendChild(bar);
      results.prepend(item);

      var data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      data.append("kind", form.querySelector("[name=kind]").value);
      data.append("project", form.querySelector("[name=project]").value);
      data.append("file", file, file.name);

      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("HX-Request", "true");
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { bar.value = Math.round((event.loaded / event.total) * 100); }
      });
      request.addEventListener("load", function () {
        if (request.responseText && request.getResponseHeader("Content-Type").indexOf("text/html") === 0) {
          var template = document.createElement("template");
          template.innerHTML = request.responseText.trim();
          var answer = template.content.querySelector("li.upload-result");
          if (answer) { item.replaceWith(answer); return; }
        }
        failed();
      });
      request.addEventListener("error", failed);

      function failed() {
        item.className = "upload-result is-error";
        label.textContent = file.name + " — " + form.dataset.failed;
        label.setAttribute("role", "alert");
        bar.remove();
      }
      request.send(data);
    }

    function sendAll(files) {
      Array.prototype.forEach.call(files, send);
      input.value = "";
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (input.files.length) { sendAll(input.files); }
    });
    input.addEventListener("change", function () {
      if (input.files.length) { sendAll(input.files); }
    });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("is-over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.remove("is-over"); });
    });
    zone.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) { sendAll(event.dataTransfer.files); }
    });
  });
})();
