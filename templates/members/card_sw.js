{% load static %}// Offline display of the member card: network first; when the network fails, the last card page this phone loaded,
// marked as served offline (data-served="offline") so the page says so. Kept: the page, its newest QR image and the
// static files it loads (styles, scripts), which the page requests through this worker once it controls the page.
// The htmx refreshes of the QR (HX-Request) are never kept: they must not take the page's place in the cache.
const CACHE = "gonghui-member-card-v2";
const PAGE = "/h5/member/card/";
const QR = "/h5/member/card/qr.svg";
const STATIC = "{% static '' %}";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(
  caches.keys()
    .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
    .then(() => self.clients.claim())
));

async function keepNewest(request, response) {
  const cache = await caches.open(CACHE);
  if (new URL(request.url).pathname === QR) {  // one QR image is enough: the one the kept page or copy shows
    for (const old of await cache.keys()) {
      if (new URL(old.url).pathname === QR && old.url !== request.url) await cache.delete(old);
    }
  }
  await cache.put(request, response);
}

async function offlinePage() {
  const cached = await caches.match(PAGE, { ignoreSearch: true, ignoreVary: true });  // the one page kept
  if (!cached) return Response.error();
  const html = (await cached.text()).replace('data-served="network"', 'data-served="offline"');
  return new Response(html, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || request.headers.get("HX-Request")) return;  // htmx: network only, failures shown by the page
  const url = new URL(request.url);
  const path = url.pathname;
  const isPage = request.mode === "navigate" && path === PAGE;
  const isStatic = url.origin === self.location.origin && path.startsWith(STATIC);
  if (!isPage && path !== QR && !isStatic) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok && !response.redirected) event.waitUntil(keepNewest(request, response.clone()));
        return response;
      })
      .catch(() => (isPage ? offlinePage() : caches.match(request, { ignoreVary: true }).then((hit) => hit || Response.error())))
  );
});
