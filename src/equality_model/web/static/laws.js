// Live filtering of the laws table (the form also works without JavaScript).
(function () {
  "use strict";
  const q = document.getElementById("filter-q");
  const type = document.getElementById("filter-type");
  const kind = document.getElementById("filter-kind");
  const count = document.getElementById("law-count");
  const rows = Array.from(document.querySelectorAll("#laws-table tbody tr"));
  function apply() {
    const needle = q.value.trim().toLowerCase();
    let shown = 0;
    for (const tr of rows) {
      const ok = (!needle || tr.dataset.text.includes(needle)) &&
        (!type.value || tr.dataset.type === type.value) &&
        (!kind.value || tr.dataset.kind === kind.value);
      tr.hidden = !ok;
      if (ok) shown += 1;
    }
    count.textContent = shown + " of " + rows.length + " shown";
  }
  for (const el of [q, type, kind]) el.addEventListener("input", apply);
  apply();
})();
