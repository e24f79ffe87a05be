// Live filtering of the evidence table.
(function () {
  "use strict";
  const sel = ["topic", "jurisdiction", "reliability"].map((k) => [k, document.getElementById("filter-" + k)]);
  const rows = Array.from(document.querySelectorAll("#evidence-table tbody tr"));
  const count = document.getElementById("evidence-count");
  function apply() {
    let shown = 0;
    for (const tr of rows) {
      const ok = sel.every(([k, el]) => !el.value || tr.dataset[k] === el.value);
      tr.hidden = !ok;
      if (ok) shown += 1;
    }
    count.textContent = shown + " of " + rows.length + " figures shown";
  }
  for (const [, el] of sel) el.addEventListener("input", apply);
  apply();
})();
