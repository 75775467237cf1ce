// BugZot's only script: conveniences on top of pages that work without it.
"use strict";

// Reply: quote the comment into the comment box instead of reloading the page. A reply to a
// private comment is private (as the server makes it without this script).
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.reply[data-quote]");
  const box = document.getElementById("comment");
  if (!link || !box) return;
  event.preventDefault();
  box.value = (box.value ? box.value + "\n" : "") + link.dataset.quote;
  const privacy = box.form.elements.namedItem("comment_private");
  if (privacy && link.hasAttribute("data-private")) privacy.checked = true;
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
});

// Attach: drag and drop onto the file field, and a progress bar while the file uploads. The
// Attach button sends the whole bug form (the comment being typed goes with the file); the
// server answers with a redirect to the page to show next, which keeps anything not yet saved.
const attachButton = document.getElementById("attach-button");
if (attachButton) {
  const form = attachButton.form;
  const zone = form.querySelector("[data-dropzone]");
  const input = zone.querySelector("input[type=file]");
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
    if (event.submitter !== attachButton || !window.FormData || !input.files.length) return;
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", attachButton.formAction);
    bar.hidden = false;
    request.upload.addEventListener("progress", (progress) => {
      if (progress.lengthComputable) bar.value = Math.round((progress.loaded / progress.total) * 100);
    });
    request.addEventListener("load", () => {
      if (request.status === 200 && request.responseURL) {
        status.textContent = "Done. Reloading…";
        window.location.assign(request.responseURL + "#attachments");
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

// Status: the resolution matters only when the chosen status is a closed one, and "Duplicate of"
// only with the duplicate resolution.
const statusField = document.getElementById("field-status");
const resolutionField = document.querySelector(".field-resolution");
const duplicateField = document.querySelector(".field-dupe_of");
if (statusField && statusField.tagName === "SELECT" && statusField.dataset.closed !== undefined) {
  const closed = new Set(statusField.dataset.closed.split(" "));
  const resolution = resolutionField && resolutionField.querySelector("select");
  const duplicateInput = duplicateField && duplicateField.querySelector("input");
  const update = () => {
    const isClosed = closed.has(statusField.value);
    if (resolutionField) resolutionField.hidden = !isClosed;
    if (duplicateField) {
      const isDuplicate = resolution && resolution.value === resolution.dataset.duplicate;
      duplicateField.hidden = !(isClosed && (isDuplicate || (duplicateInput && duplicateInput.value)));
    }
  };
  statusField.addEventListener("change", update);
  if (resolution) resolution.addEventListener("change", update);
  update();
}
