/* Starts GraphiQL (with the explorer plugin) in #graphiql: strawberry's inline start-up script,
 * moved to a file of our own so the page runs no inline script (its Content-Security-Policy
 * allows scripts from our origin only).
 *
 * Its settings are the element's data- attributes: data-endpoint, the GraphQL URL (under the
 * app's URL prefix; relative, so queries go to the origin the page came from), and
 * data-default-query, what the editor shows first. As on strawberry's page, the query and
 * variables are kept in the address (?q=...&variables=...) so a query can be shared as a link.
 * Loaded after React, ReactDOM, GraphiQL and GraphiQLPluginExplorer (all deferred, in order).
 */
(function () {
  "use strict";

  const element = document.getElementById("graphiql");
  const endpoint = new URL(
    element.getAttribute("data-endpoint") || window.location.pathname,
    window.location.href,
  ).toString();
  const defaultQuery = element.getAttribute("data-default-query") || "";

  const parameters = {};
  for (const entry of window.location.search.slice(1).split("&")) {
    const eq = entry.indexOf("=");
    if (eq >= 0) {
      parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(
        entry.slice(eq + 1),
      );
    }
  }

  function updateURL(data) {
    Object.assign(parameters, data);
    const search = Object.keys(parameters)
      .filter(function (key) {
        return Boolean(parameters[key]);
      })
      .map(function (key) {
        return encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]);
      })
      .join("&");
    history.replaceState(null, "", search ? "?" + search : window.location.pathname);
  }

  // No subscriptionUrl: the Flask view answers HTTP only (the schema has no subscriptions).
  const fetcher = GraphiQL.createFetcher({ url: endpoint });
  const explorerPlugin = GraphiQLPluginExplorer.explorerPlugin();

  function PortalGraphiQL() {
    const [query, setQuery] = React.useState(parameters.q || defaultQuery);
    const [variables, setVariables] = React.useState(parameters.variables);
    const [headers, setHeaders] = React.useState(parameters.headers);

    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      plugins: [explorerPlugin],
      query: query,
      variables: variables,
      headers: headers,
      onEditQuery: function (newQuery) {
        setQuery(newQuery);
        updateURL({ q: newQuery });
      },
      onEditVariables: function (newVariables) {
        setVariables(newVariables);
        updateURL({ variables: newVariables });
      },
      // Headers (a bearer token) stay out of the address, which is shared and logged.
      onEditHeaders: setHeaders,
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    });
  }

  ReactDOM.createRoot(element).render(React.createElement(PortalGraphiQL));
})();
