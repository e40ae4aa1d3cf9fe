/// app.js, served at /ui/static/app.js: the pages work without it; with it, date columns sort and the
/// models list filters as you type. Plain JavaScript, no eval, no inline handlers (the CSP allows
/// scripts from this origin only); kept in a Swift string so a copied binary carries it.
enum PageScript {
    static let javaScript = #"""
        "use strict";
        (function () {
          // The time of a row's cell in column `index`, from its <time datetime>; null when it has none.
          function timeOf(row, index) {
            var cell = row.cells[index];
            var time = cell ? cell.querySelector("time") : null;
            var value = time ? Date.parse(time.getAttribute("datetime")) : NaN;
            return isNaN(value) ? null : value;
          }

          // Sorts the rows of the header's table by its column's times, toggling ascending and descending;
          // rows without a time stay last.
          function sortBy(header) {
            var table = header.closest("table");
            var body = table ? table.tBodies[0] : null;
            if (!body) { return; }
            var index = header.cellIndex;
            var ascending = header.getAttribute("aria-sort") !== "ascending";
            var rows = Array.prototype.slice.call(body.rows);
            rows.sort(function (a, b) {
              var x = timeOf(a, index), y = timeOf(b, index);
              if (x === y) { return 0; }
              if (x === null) { return 1; }
              if (y === null) { return -1; }
              return ascending ? x - y : y - x;
            });
            rows.forEach(function (row) { body.appendChild(row); });
            table.querySelectorAll("th[data-sort]").forEach(function (other) {
              if (other !== header) { other.removeAttribute("aria-sort"); }
            });
            header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          }

          // Wraps a header's text in a button, so a keyboard reaches it and Enter or Space sorts.
          function makeSortable(header) {
            var button = document.createElement("button");
            button.type = "button";
            button.className = "sort";
            while (header.firstChild) { button.appendChild(header.firstChild); }
            header.appendChild(button);
            button.addEventListener("click", function () { sortBy(header); });
          }

          // Hides the models whose name does not contain what is typed (ignoring case).
          function filterModels(input, table) {
            var wanted = input.value.trim().toLowerCase();
            var body = table.tBodies[0];
            if (!body) { return; }
            Array.prototype.forEach.call(body.rows, function (row) {
              var name = (row.getAttribute("data-model") || "").toLowerCase();
              row.hidden = wanted !== "" && name.indexOf(wanted) === -1;
            });
          }

          document.querySelectorAll('th[data-sort="time"]').forEach(makeSortable);
          var search = document.getElementById("model-search");
          var models = document.getElementById("models");
          if (search && models) {
            search.addEventListener("input", function () { filterModels(search, models); });
          }
        })();

        """#
}
