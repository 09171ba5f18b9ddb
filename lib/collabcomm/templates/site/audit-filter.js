// Filters of the audit page (collabcomm.pipeline.pages.audit_page): rows by status, tables by
// exhibit. The page is complete without this script (every row shown); with it, a row is shown
// when its status is ticked and its exhibit is selected. The choice can also be given in the
// address: audit.html?status=inconsistent&exhibit=4 (status: match, differs, inconsistent,
// not_checkable; exhibit: the number of an exhibit, or text).
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector(".audit-filter");
  var tables = Array.prototype.slice.call(document.querySelectorAll("table.audit-table"));
  if (!box || tables.length === 0) return;

  var rows = [], exhibits = [], statuses = [];
  tables.forEach(function (table) {
    var section = table.closest("section");
    var heading = section ? section.querySelector("h2") : null;
    var title = heading ? heading.textContent.replace(/#\s*$/, "").trim() : "";
    var key = title.indexOf("Exhibit ") === 0 ? title.split(/[ :]/)[1] : "text";
    exhibits.push({key: key, title: title, section: section});
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    var col = heads.indexOf("status");
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (tr) {
      var status = tr.cells[col].textContent.trim();
      if (statuses.indexOf(status) < 0) statuses.push(status);
      rows.push({tr: tr, status: status, exhibit: key});
    });
  });

  var order = ["match", "differs", "inconsistent", "not checkable"];
  statuses.sort(function (a, b) {
    var i = order.indexOf(a), j = order.indexOf(b);
    return (i < 0 ? order.length : i) - (j < 0 ? order.length : j);
  });
  var params = new URLSearchParams(window.location.search);
  var wanted = params.getAll("status").map(function (s) { return s.replace("_", " "); });
  var form = document.createElement("form");
  form.className = "audit-filter-form";
  form.setAttribute("aria-label", "Filter the audit rows");
  var fieldset = document.createElement("fieldset");
  var legend = document.createElement("legend");
  legend.textContent = "Status";
  fieldset.appendChild(legend);
  statuses.forEach(function (status) {
    var label = document.createElement("label");
    var input = document.createElement("input");
    input.type = "checkbox";
    input.name = "status";
    input.value = status;
    input.checked = wanted.length === 0 || wanted.indexOf(status) >= 0;
    var n = rows.filter(function (r) { return r.status === status; }).length;
    label.appendChild(input);
    label.appendChild(document.createTextNode(" " + status + " (" + n + ")"));
    fieldset.appendChild(label);
  });
  form.appendChild(fieldset);
  var selectLabel = document.createElement("label");
  selectLabel.textContent = "Exhibit ";
  var select = document.createElement("select");
  select.name = "exhibit";
  [{key: "", title: "every exhibit"}].concat(exhibits).forEach(function (e) {
    var option = document.createElement("option");
    option.value = e.key;
    option.textContent = e.title;
    select.appendChild(option);
  });
  select.value = params.get("exhibit") || "";
  selectLabel.appendChild(select);
  form.appendChild(selectLabel);
  var count = document.createElement("p");
  count.className = "audit-count";
  count.setAttribute("aria-live", "polite");
  form.appendChild(count);
  box.replaceChildren(form);

  function apply() {
    var ticked = Array.prototype.filter.call(form.elements.status, function (i) {
      return i.checked;
    }).map(function (i) { return i.value; });
    var exhibit = select.value, shown = 0;
    rows.forEach(function (r) {
      var show = ticked.indexOf(r.status) >= 0 && (!exhibit || r.exhibit === exhibit);
      r.tr.hidden = !show;
      if (show) shown += 1;
    });
    exhibits.forEach(function (e) {
      if (e.section) e.section.hidden = !rows.some(function (r) {
        return r.exhibit === e.key && !r.tr.hidden;
      });
    });
    count.textContent = "Showing " + shown + " of " + rows.length + " rows.";
  }
  form.addEventListener("change", apply);
  apply();
});
