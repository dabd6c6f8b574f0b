// Alpine components. The page loads Alpine's CSP build, which runs no string as code: every x-data names a component
// registered here, and its directives read properties or call methods of it. Values from the server arrive as data-
// attributes, never inside an expression. Loaded before Alpine, which announces "alpine:init" when it starts.
document.addEventListener("alpine:init", function () {
  "use strict";
  var Alpine = window.Alpine;

  // One node of the org tree (templates/orgs/_tree_nodes.html): htmx fetches the children on the first click.
  Alpine.data("treeNode", function () {
    return {
      open: false,
      toggle: function () { this.open = !this.open; },
      get arrow() { return this.open ? "▾" : "▸"; }
    };
  });

  // The employer picker of the H5 join and transfer forms: a search result button carries data-employer-id and
  // data-employer-label; after a refused post the form carries the chosen employer (and whether it was typed by hand).
  Alpine.data("employerPicker", function () {
    return {
      employerId: "",
      employerLabel: "",
      notListed: false,
      init: function () {
        var data = this.$el.dataset;
        this.employerId = data.employerId || "";
        this.employerLabel = data.employerLabel || "";
        this.notListed = data.notListed === "true";
      },
      choose: function (event) {
        this.employerId = event.currentTarget.dataset.employerId;
        this.employerLabel = event.currentTarget.dataset.employerLabel;
      },
      clear: function () { this.employerId = ""; this.employerLabel = ""; },
      typeByHand: function () { this.notListed = true; },
      get searching() { return !this.employerId && !this.notListed; }
    };
  });
});
