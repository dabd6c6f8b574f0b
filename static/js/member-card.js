// The member card on this phone: the latest QR kept in localStorage, and when the card is shown offline (the service
// worker served its kept copy, or a refresh failed) a 离线 badge with the time of the last update instead of a
// validity that has passed.
(function () {
  var KEY = "gonghui-member-card-qr";
  var card = document.getElementById("member-card");
  if (!card) return;
  var qr = document.getElementById("card-qr");
  var badge = document.getElementById("offline-badge");
  var note = document.getElementById("offline-note");

  function updatedAt(root) {
    var stamp = root.querySelector("[data-updated-at]");
    return stamp ? Date.parse(stamp.getAttribute("data-updated-at")) : 0;
  }
  function keep() {
    try { localStorage.setItem(KEY, JSON.stringify({ at: updatedAt(qr), html: qr.innerHTML })); } catch (e) { /* private mode */ }
  }
  function kept() {
    try { return JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  function setOffline(offline) {
    card.classList.toggle("offline", offline);
    badge.hidden = !offline;
    note.hidden = !offline;
  }

  if (card.getAttribute("data-served") === "offline") {
    var copy = kept();  // a refresh after the page was kept may have left a newer QR here
    if (copy && copy.at > updatedAt(qr)) qr.innerHTML = copy.html;
    setOffline(true);
  } else {
    keep();
  }
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== qr) return;
    keep();
    setOffline(false);
  });
  document.body.addEventListener("htmx:sendError", function () { setOffline(true); });
  window.addEventListener("offline", function () { setOffline(true); });
  window.addEventListener("online", function () { if (window.htmx) window.htmx.trigger(qr, "refresh"); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(card.getAttribute("data-sw"), { scope: card.getAttribute("data-sw-scope") }).catch(function () {});
  }
})();
