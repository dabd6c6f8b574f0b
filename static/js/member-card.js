// Keep the last card on this phone so it still shows (with its expiry) when the network drops.
(function () {
  var KEY = "gonghui-member-card";
  var card = document.getElementById("member-card");
  if (!card) return;
  function save() { try { localStorage.setItem(KEY, card.innerHTML); } catch (e) { /* private mode */ } }
  save();
  document.body.addEventListener("htmx:afterSwap", save);
  document.body.addEventListener("htmx:sendError", function () {
    document.getElementById("offline-note").hidden = false;
  });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/h5/member/card/sw.js", { scope: "/h5/member/card/" }).catch(function () {});
  }
})();
