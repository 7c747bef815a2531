"""The access matrix as one self-contained HTML page: inline CSS and JavaScript, the data as
embedded JSON, nothing fetched from a network.

The page sorts (click a header), filters (table text, role, actions) and shows a cell's rule
on click (origin, file and line, the compiled permission, the rule as written). Its state
lives in the URL fragment, so a link can point at a view or a cell:
`matrix.html#q=project&role=viewer&actions=select,update&sort=viewer/select&dir=desc&open=public.projects/viewer/select`
(each part of `open` and `sort` URL-encoded).
"""

from __future__ import annotations

import html
import json

from hasura_perm.review.access_matrix import Matrix
from hasura_perm.review.surface_matrix import surface_html

LEGEND = (
    "A number: the columns the role may use. \u25be: rows are filtered (select, update, delete: "
    "by the filter; insert: by the check). \u2713: delete of any row. \u2715: denied by an "
    "explicit deny. \u00b7: no permission. Green: every row; yellow: filtered rows."
)


def render_html(matrix: Matrix, title: str = "Access matrix") -> str:
    data = json.dumps(matrix.to_json(), ensure_ascii=False, sort_keys=False)
    # Inside <script>, "</" would end the element; \u003c keeps the JSON equal.
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    legend = html.escape(LEGEND)
    return (
        _PAGE.replace("@TITLE@", html.escape(title))
        .replace("@LEGEND@", legend)
        .replace("@CSS@", _CSS)
        .replace("@JS@", _JS)
        .replace("@DATA@", data)
        .replace("@SURFACE@", surface_html(matrix.surface, matrix.roles))
    )


_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@TITLE@</title>
<style>@CSS@</style>
</head>
<body>
<header>
  <h1>@TITLE@</h1>
  <p id="counts"></p>
  <p class="legend">@LEGEND@ Click a cell for its rule; click a header to sort.</p>
</header>
<form id="controls" onsubmit="return false">
  <label>Tables <input id="q" type="search" placeholder="filter tables" autocomplete="off"></label>
  <label>Role <select id="role"><option value="">all roles</option></select></label>
  <fieldset id="actions"><legend>Actions</legend></fieldset>
  <span id="shown"></span>
</form>
<main>
  <div id="grid"><table id="matrix"><thead></thead><tbody></tbody></table></div>
  <aside id="detail" aria-live="polite"><p class="hint">Click a cell to see its rule.</p></aside>
</main>
@SURFACE@
<script type="application/json" id="matrix-data">@DATA@</script>
<script>@JS@</script>
</body>
</html>
"""

_CSS = """
:root { --all: #d9f2d9; --filtered: #fff1c2; --none: #f3f3f3; --denied: #f7d4d4;
  --line: #ccc; --ink: #222; --muted: #666; --focus: #1f6feb; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
  margin: 0; padding: 12px 16px; }
h1 { font-size: 20px; margin: 0 0 4px; }
header p { margin: 2px 0; }
.legend, #shown, .hint { color: var(--muted); }
#controls { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 10px 0; }
#controls fieldset { border: 1px solid var(--line); padding: 2px 8px; margin: 0; }
#controls legend { font-size: 12px; color: var(--muted); }
main { display: flex; gap: 16px; align-items: flex-start; }
#grid { overflow: auto; max-height: calc(100vh - 150px); flex: 1 1 auto; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: 3px 6px; white-space: nowrap; }
thead th { position: sticky; background: #fafafa; z-index: 1; }
thead tr:first-child th { top: 0; }
thead tr:nth-child(2) th { top: 27px; }
th.sortable { cursor: pointer; user-select: none; }
th.sortable[aria-sort="ascending"]::after { content: " \\25B2"; }
th.sortable[aria-sort="descending"]::after { content: " \\25BC"; }
tbody th { text-align: left; font-weight: normal; font-family: ui-monospace, monospace; }
td.cell { text-align: center; cursor: pointer; min-width: 44px; font-variant-numeric: tabular-nums; }
td.all { background: var(--all); }
td.filtered { background: var(--filtered); }
td.none { background: var(--none); color: #aaa; }
td.denied { background: var(--denied); color: #933; }
td.cell:focus, td.selected { outline: 2px solid var(--focus); outline-offset: -2px; }
td.first { border-left: 2px solid #999; }
[hidden] { display: none !important; }
#detail { flex: 0 0 380px; max-width: 45vw; border: 1px solid var(--line); padding: 10px 12px;
  position: sticky; top: 0; max-height: calc(100vh - 40px); overflow: auto; background: #fff; }
#detail h2 { font-size: 16px; margin: 0 0 6px; word-break: break-all; }
#detail h3 { font-size: 13px; margin: 12px 0 4px; }
#detail dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 0; }
#detail dt { color: var(--muted); }
#detail dd { margin: 0; word-break: break-word; }
#detail pre { background: #f6f8fa; padding: 8px; overflow: auto; margin: 0; font-size: 12px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
@media print { #controls, #detail { display: none; } #grid { max-height: none; } }
"""

_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("matrix-data").textContent);
  var SHORT = {select: "S", insert: "I", update: "U", "delete": "D"};
  var byKey = {};
  data.cells.forEach(function (c) { byKey[key(c.table, c.role, c.action)] = c; });
  var state = {q: "", role: "", actions: data.actions.slice(), sort: "table", dir: "asc", open: ""};
  var table = document.getElementById("matrix");
  var tbody = table.tBodies[0];

  function key(t, r, a) {
    return [t, r, a].map(encodeURIComponent).join("/");
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function kind(c) {
    if (!c.allowed) return c.denied_at ? "denied" : "none";
    return c.row_filtered ? "filtered" : "all";
  }
  function label(c) {
    var k = kind(c);
    if (k === "none") return "\u00b7";
    if (k === "denied") return "\u2715";
    var rows = k === "filtered" ? "\u25be" : "";
    if (c.columns === null || c.columns === undefined) return rows || "\u2713";
    return String(c.columns) + (rows ? " " + rows : "");
  }
  function describe(c) {
    var k = kind(c);
    var what = c.role + " " + c.action + " on " + c.table + ": ";
    if (k === "none") return what + "no permission";
    if (k === "denied") return what + "denied at " + c.denied_at;
    var parts = [k === "filtered" ? "rows filtered" : "all rows"];
    if (c.columns !== null && c.columns !== undefined) parts.unshift(c.columns + " of " + c.table_columns + " columns");
    if (c.update_checked) parts.push("result checked");
    return what + parts.join(", ");
  }
  function rank(c) {
    return {none: 0, denied: 0, filtered: 1, all: 2}[kind(c)] * 100000 + (c.columns || 0);
  }

  function buildHeader() {
    var head = table.tHead;
    var top = el("tr"), second = el("tr");
    var th = el("th", {rowspan: "2", "class": "sortable", "data-sort": "table", scope: "col"}, "table");
    top.appendChild(th);
    data.roles.forEach(function (role) {
      top.appendChild(el("th", {colspan: String(data.actions.length), "data-role": role, scope: "colgroup"}, role));
      data.actions.forEach(function (action, i) {
        second.appendChild(el("th", {
          "class": "sortable" + (i === 0 ? " first" : ""), "data-sort": role + "/" + action,
          "data-role": role, "data-action": action, scope: "col", title: role + " " + action
        }, SHORT[action] || action));
      });
    });
    head.appendChild(top);
    head.appendChild(second);
    head.addEventListener("click", function (event) {
      var target = event.target.closest("th.sortable");
      if (!target) return;
      var sort = target.getAttribute("data-sort");
      state.dir = state.sort === sort && state.dir === "asc" ? "desc" : "asc";
      if (state.sort !== sort && sort !== "table") state.dir = "desc";
      state.sort = sort;
      apply(true);
    });
  }

  function buildBody() {
    data.tables.forEach(function (t) {
      var row = el("tr", {"data-table": t});
      row.appendChild(el("th", {scope: "row"}, t));
      data.roles.forEach(function (role) {
        data.actions.forEach(function (action, i) {
          var c = byKey[key(t, role, action)];
          var td = el("td", {
            "class": "cell " + kind(c) + (i === 0 ? " first" : ""), tabindex: "0",
            "data-key": key(t, role, action), "data-role": role, "data-action": action,
            title: describe(c)
          }, label(c));
          row.appendChild(td);
        });
      });
      tbody.appendChild(row);
    });
    tbody.addEventListener("click", function (event) {
      var td = event.target.closest("td.cell");
      if (td) { state.open = td.getAttribute("data-key"); apply(true); }
    });
    tbody.addEventListener("keydown", function (event) {
      if ((event.key === "Enter" || event.key === " ") && event.target.matches("td.cell")) {
        event.preventDefault();
        event.target.click();
      }
    });
  }

  function buildControls() {
    var select = document.getElementById("role");
    data.roles.forEach(function (role) { select.appendChild(el("option", {value: role}, role)); });
    var box = document.getElementById("actions");
    data.actions.forEach(function (action) {
      var lab = el("label");
      var input = el("input", {type: "checkbox", value: action});
      input.checked = true;
      lab.appendChild(input);
      lab.appendChild(document.createTextNode(" " + action + " "));
      box.appendChild(lab);
    });
    document.getElementById("q").addEventListener("input", function (e) { state.q = e.target.value; apply(true); });
    select.addEventListener("change", function (e) { state.role = e.target.value; apply(true); });
    box.addEventListener("change", function () {
      state.actions = Array.prototype.filter.call(box.querySelectorAll("input"), function (i) { return i.checked; })
        .map(function (i) { return i.value; });
      apply(true);
    });
  }

  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    state.q = params.get("q") || "";
    state.role = params.get("role") || "";
    var acts = params.get("actions");
    state.actions = acts ? acts.split(",").filter(function (a) { return data.actions.indexOf(a) >= 0; }) : data.actions.slice();
    state.sort = params.get("sort") || "table";
    state.dir = params.get("dir") === "desc" ? "desc" : "asc";
    state.open = "";
    return params.get("open") || "";
  }
  // A link to a cell opens it the way a person does: by clicking it.
  function clickCell(wanted) {
    if (!wanted) return;
    var td = tbody.querySelector('td[data-key="' + CSS.escape(wanted) + '"]');
    if (!td) return;
    td.scrollIntoView({block: "nearest", inline: "nearest"});
    td.click();
  }
  function writeHash() {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    if (state.role) params.set("role", state.role);
    if (state.actions.length !== data.actions.length) params.set("actions", state.actions.join(","));
    if (state.sort !== "table" || state.dir !== "asc") { params.set("sort", state.sort); params.set("dir", state.dir); }
    if (state.open) params.set("open", state.open);
    try { history.replaceState(null, "", "#" + params.toString()); } catch (e) { /* file:// in some browsers */ }
  }

  function apply(remember) {
    document.getElementById("q").value = state.q;
    document.getElementById("role").value = state.role;
    Array.prototype.forEach.call(document.querySelectorAll("#actions input"), function (i) {
      i.checked = state.actions.indexOf(i.value) >= 0;
    });
    var q = state.q.toLowerCase();
    var rows = Array.prototype.slice.call(tbody.rows);
    var shown = 0;
    rows.forEach(function (row) {
      var visible = row.getAttribute("data-table").toLowerCase().indexOf(q) >= 0;
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    Array.prototype.forEach.call(table.querySelectorAll("[data-role]"), function (node) {
      var role = node.getAttribute("data-role"), action = node.getAttribute("data-action");
      var hideRole = state.role && role !== state.role;
      var hideAction = action && state.actions.indexOf(action) < 0;
      node.hidden = Boolean(hideRole || hideAction);
      if (!action && node.tagName === "TH") {
        node.colSpan = Math.max(1, data.actions.filter(function (a) { return state.actions.indexOf(a) >= 0; }).length);
        if (state.actions.length === 0) node.hidden = true;
      }
    });
    sortRows(rows);
    document.getElementById("shown").textContent = "showing " + shown + " of " + data.tables.length + " tables";
    Array.prototype.forEach.call(table.querySelectorAll("th.sortable"), function (th) {
      var active = th.getAttribute("data-sort") === state.sort;
      if (active) th.setAttribute("aria-sort", state.dir === "asc" ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
    showDetail();
    if (remember) writeHash();
  }

  function sortRows(rows) {
    var sign = state.dir === "desc" ? -1 : 1;
    var parts = state.sort.split("/");
    rows.sort(function (a, b) {
      var ta = a.getAttribute("data-table"), tb = b.getAttribute("data-table");
      if (state.sort !== "table" && parts.length === 2) {
        var ca = byKey[key(ta, parts[0], parts[1])], cb = byKey[key(tb, parts[0], parts[1])];
        if (ca && cb && rank(ca) !== rank(cb)) return sign * (rank(ca) - rank(cb));
        return ta < tb ? -1 : ta > tb ? 1 : 0;
      }
      return sign * (ta < tb ? -1 : ta > tb ? 1 : 0);
    });
    rows.forEach(function (row) { tbody.appendChild(row); });
  }

  function showDetail() {
    var panel = document.getElementById("detail");
    Array.prototype.forEach.call(tbody.querySelectorAll("td.selected"), function (td) { td.classList.remove("selected"); });
    var c = byKey[state.open];
    panel.textContent = "";
    if (!c) { panel.appendChild(el("p", {"class": "hint"}, "Click a cell to see its rule.")); return; }
    var td = tbody.querySelector('td[data-key="' + CSS.escape(state.open) + '"]');
    if (td) td.classList.add("selected");
    panel.appendChild(el("h2", {id: "detail-title"}, c.table + " \u00b7 " + c.action + " \u00b7 " + c.role));
    var dl = el("dl", {id: "detail-facts"});
    function fact(name, value) {
      if (value === null || value === undefined || value === "") return;
      dl.appendChild(el("dt", null, name));
      dl.appendChild(el("dd", {"data-fact": name}, value));
    }
    if (!c.allowed) {
      fact("access", c.denied_at ? "denied" : "no permission");
      fact("denied at", c.denied_at);
      panel.appendChild(dl);
      return;
    }
    fact("access", kind(c) === "filtered" ? "rows filtered" : "all rows");
    if (c.columns !== null && c.columns !== undefined) fact("columns", c.columns + " of " + c.table_columns);
    fact("origin", c.origin);
    fact("location", c.location);
    fact("comment", c.comment);
    if (c.conditions && c.conditions.length) fact("conditions", c.conditions.join(", "));
    panel.appendChild(dl);
    panel.appendChild(el("h3", null, "Compiled permission (Hasura)"));
    panel.appendChild(el("pre", {id: "detail-permission"}, JSON.stringify(c.permission, null, 2)));
    if (c.rule !== null && c.rule !== undefined) {
      panel.appendChild(el("h3", null, "Rule as written"));
      panel.appendChild(el("pre", {id: "detail-rule"}, JSON.stringify(c.rule, null, 2)));
    }
  }

  document.getElementById("counts").textContent =
    data.tables.length + " tables \u00d7 " + data.roles.length + " roles \u00d7 " + data.actions.length + " actions";
  buildHeader();
  buildBody();
  buildControls();
  var wanted = readHash();
  apply(false);
  clickCell(wanted);
  window.addEventListener("hashchange", function () {
    var again = readHash();
    apply(false);
    clickCell(again);
  });
})();
"""
