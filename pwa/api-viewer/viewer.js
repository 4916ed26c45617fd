/*
 * carebook's API viewer (/schema/swagger, only when CAREBOOK_API_VIEWER is on): swagger-ui
 * from the project's own copy (npm swagger-ui-dist, copied here at build time), started from
 * this file rather than an inline script, so the page runs under a CSP of script-src 'self'.
 * "Try it out" is off: the API answers only requests that follow docs/api/requests.md.
 */
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({
    url: "/schema/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    supportedSubmitMethods: [],
  });
});
