// BugZot's only script: conveniences on top of pages that work without it.
"use strict";

// Reply: quote the comment into the comment box instead of reloading the page.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.reply[data-quote]");
  const box = document.getElementById("comment");
  if (!link || !box) return;
  event.preventDefault();
  box.value = (box.value ? box.value + "\n" : "") + link.dataset.quote;
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
});

// Attach: drag and drop onto the form, and a progress bar while the file uploads.
for (const form of document.querySelectorAll("form.upload")) {
  const zone = form.querySelector("[data-dropzone]");
  const input = form.querySelector("input[type=file]");
  const bar = form.querySelector("progress");
  const status = form.querySelector(".upload-status");
  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (event) => { event.preventDefault(); zone.classList.add("dragging"); });
  }
  for (const name of ["dragleave", "drop"]) {
    zone.addEventListener(name, () => zone.classList.remove("dragging"));
  }
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      status.textContent = "Ready to attach " + input.files[0].name + ".";
    }
  });
  form.addEventListener("submit", (event) => {
    if (!window.FormData || !input.files.length) return;
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    bar.hidden = false;
    request.upload.addEventListener("progress", (progress) => {
      if (progress.lengthComputable) bar.value = Math.round((progress.loaded / progress.total) * 100);
    });
    request.addEventListener("load", () => {
      if (request.status === 201) {
        status.textContent = "Attached. Reloading…";
        window.location.assign(window.location.pathname + "?done=attached#attachments");
      } else {
        // The server's error page says what went wrong; show it as it is.
        document.open();
        document.write(request.responseText);
        document.close();
      }
    });
    request.addEventListener("error", () => { status.textContent = "The upload failed. Check your connection and try again."; });
    status.textContent = "Uploading " + input.files[0].name + "…";
    request.send(new FormData(form));
  });
}

// Status: the resolution matters only when the chosen status is a closed one.
const statusField = document.getElementById("field-status");
const resolutionField = document.querySelector(".field-resolution");
if (statusField && resolutionField && statusField.tagName === "SELECT") {
  const closedWords = /RESOLVED|VERIFIED|CLOSED/;
  const update = () => { resolutionField.hidden = !closedWords.test(statusField.value) && !resolutionField.querySelector("select")?.value; };
  statusField.addEventListener("change", update);
  update();
}
