/* /api/docs: Swagger UI from the vendored bundle. "Try it out" sends the session cookie and the page's CSRF token, as the
   工作台 does; no inline script, so the page runs under the site's Content-Security-Policy. */
(function () {
  "use strict";
  const settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  const csrfToken = document.body.dataset.csrfToken;
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis];
  settings.requestInterceptor = function (request) {
    request.headers["X-CSRFToken"] = csrfToken;
    return request;
  };
  window.ui = SwaggerUIBundle(settings);
})();
