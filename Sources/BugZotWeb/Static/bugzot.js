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

// Live updates: the bug page and bug lists hear changes as they commit, over the WAMP router at
// /ws (signed in by the session cookie; anonymous visitors hear what they may see). Whatever
// arrives is shown with textContent or taken from the server's own rendering of the page, never
// inserted as HTML built here. Without this script the pages are the same, only not live.
function liveEvents(topics, onEvent, onReconnect) {
  let delay = 1000;
  let opened = false;
  const connect = () => {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(scheme + "//" + location.host + "/ws", ["wamp.2.json"]);
    let request = 0;
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify([1, "bugzot", { roles: { subscriber: {} }, authmethods: ["cookie", "anonymous"] }]));
    });
    socket.addEventListener("message", (message) => {
      const frame = JSON.parse(message.data);
      switch (frame[0]) {
        case 2: // WELCOME
          delay = 1000;
          if (opened && onReconnect) onReconnect();
          opened = true;
          for (const [topic, match] of topics) socket.send(JSON.stringify([32, ++request, match ? { match } : {}, topic]));
          break;
        case 33: // SUBSCRIBED: once every topic is, the page is live (tests wait for this)
          if (frame[1] === request) document.documentElement.dataset.live = "subscribed";
          break;
        case 36: // EVENT
          if (Array.isArray(frame[4]) && frame[4][0]) onEvent(frame[4][0]);
          break;
        case 6: // GOODBYE
          socket.send(JSON.stringify([6, {}, "wamp.close.goodbye_and_out"]));
          break;
      }
    });
    socket.addEventListener("close", () => {
      delete document.documentElement.dataset.live;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 60000);
    });
  };
  connect();
}

// The server's rendering of this page as it is now.
async function currentPage() {
  const response = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (!response.ok) return null;
  return new DOMParser().parseFromString(await response.text(), "text/html");
}

// One line saying who did what, from an event's payload.
function describeNews(news) {
  const who = news.who || "Someone";
  switch (news.kind) {
    case "created": return who + " filed bug " + news.bug_id + ".";
    case "commented": return who + " added a comment" + (news.comment && news.comment.count !== undefined ? " (comment " + news.comment.count + ")" : "") + ".";
    case "attachment": return who + " attached " + ((news.attachment && news.attachment.file_name) || "a file") + ".";
    case "changed": {
      const parts = Object.entries(news.changes || {}).map(([field, change]) =>
        field + ": " + (change.removed || "—") + " → " + (change.added || "—"));
      return who + " changed " + (parts.join("; ") || "the bug") + ".";
    }
    default: return who + " changed the bug.";
  }
}

// Whether the person has changed anything in the form since the page loaded.
function hasUnsavedEdits(form) {
  return Array.from(form.elements).some((element) => {
    if (element.type === "hidden" || element.type === "submit") return false;
    if (element.type === "checkbox" || element.type === "radio") return element.checked !== element.defaultChecked;
    if (element.tagName === "SELECT") return Array.from(element.options).some((option) => option.selected !== option.defaultSelected);
    if (element.type === "file") return element.files && element.files.length > 0;
    return element.value !== element.defaultValue;
  });
}

const liveBug = document.querySelector("[data-live-bug]");
if (liveBug && window.WebSocket) {
  const bugID = liveBug.dataset.liveBug;
  const form = document.getElementById("bug-form");
  const log = liveBug.querySelector("ul");
  const collision = document.getElementById("live-collision");
  const refresh = async () => {
    const page = await currentPage();
    if (!page) return;
    // New comments, as the server renders them; the person's own edits are left alone.
    const list = document.querySelector("ol.comments");
    for (const comment of page.querySelectorAll("ol.comments > li")) {
      if (list && !document.getElementById(comment.id)) {
        comment.classList.add("live-new");
        list.append(document.adoptNode(comment));
      }
    }
    const meta = page.querySelector("p.meta");
    if (meta) document.querySelector("p.meta").replaceWith(document.adoptNode(meta));
  };
  liveEvents([["bugzot.bug.." + bugID, "wildcard"]], (news) => {
    if (String(news.bug_id) !== bugID) return;
    const line = document.createElement("li");
    line.textContent = describeNews(news);
    log.append(line);
    liveBug.hidden = false;
    if (form && news.kind !== "created" && hasUnsavedEdits(form)) {
      collision.querySelector("span").textContent = describeNews(news);
      collision.hidden = false;
    }
    refresh();
  }, refresh);
}

const liveList = document.querySelector("table[data-live-list]");
if (liveList && window.WebSocket) {
  const offer = document.getElementById("live-matches");
  let pending = null;
  const refresh = async () => {
    pending = null;
    const page = await currentPage();
    if (!page) return;
    const shown = new Map(Array.from(liveList.querySelectorAll("tr[data-bug-id]")).map((row) => [row.dataset.bugId, row]));
    let added = 0;
    for (const row of page.querySelectorAll("table[data-live-list] tr[data-bug-id]")) {
      const mine = shown.get(row.dataset.bugId);
      if (!mine) { added += 1; continue; }
      if (mine.innerHTML !== row.innerHTML) {
        row.classList.add("live-changed");
        mine.replaceWith(document.adoptNode(row));
      }
    }
    if (added > 0) {
      offer.querySelector("span").textContent = added === 1 ? "1 new bug matches these filters." : added + " new bugs match these filters.";
      offer.hidden = false;
    }
  };
  liveEvents([["bugzot.bug.", "prefix"]], (news) => {
    const row = liveList.querySelector('tr[data-bug-id="' + Number(news.bug_id) + '"]');
    if (row) {
      row.classList.add("live-changed");
      row.title = describeNews(news);
    }
    // Several changes in a burst cost one reload of the list.
    if (!pending) pending = setTimeout(refresh, 500);
  }, refresh);
}
