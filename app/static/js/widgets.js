// Answer widgets: ordering by drag or Move up / Move down, matching by tapping an item and
// then its partner (or dragging). Without this file the position and answer lists still work,
// and these widgets keep those lists in step, so the form posts the same fields.
(function () {
  "use strict";

  function each(nodes, fn) { Array.prototype.forEach.call(nodes, fn); }
  function plain(el) { return (el.textContent || "").replace(/\s+/g, " ").trim(); }
  function button(label, className) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = label;
    return b;
  }

  // Ordering --------------------------------------------------------------------------------
  each(document.querySelectorAll("[data-ordering]"), function (box) {
    var list = box.querySelector(".ordering-list");
    var status = box.querySelector("[data-ordering-status]");
    var hadFocus = false;
    box.querySelector("[data-ordering-help]").textContent =
      "Put the items in order, first at the top: drag an item by its handle, or use Up and Down.";
    function items() { return Array.prototype.slice.call(list.children); }
    function text(li) { return plain(li.querySelector(".ordering-text")); }

    function sync() {
      var all = items();
      all.forEach(function (li, i) {
        li.querySelector("select").value = String(i + 1);
        li.querySelector(".ordering-number").textContent = (i + 1) + ".";
        li.querySelector("[data-move='up']").setAttribute("aria-disabled", i === 0 ? "true" : "false");
        li.querySelector("[data-move='down']").setAttribute("aria-disabled", i === all.length - 1 ? "true" : "false");
      });
    }
    function announce(li) {
      var all = items();
      status.textContent = text(li) + ": position " + (all.indexOf(li) + 1) + " of " + all.length + ".";
    }

    items().forEach(function (li) {
      var select = li.querySelector("select");
      if (document.activeElement === select || select.hasAttribute("autofocus")) { hadFocus = true; }
      select.hidden = true;
      li.querySelector(".ordering-handle").hidden = false;
      li.querySelector(".ordering-number").hidden = false;
      var label = li.querySelector(".ordering-text");
      label.removeAttribute("for");
      var moves = document.createElement("span");
      moves.className = "d-flex gap-1 ordering-moves";
      [["up", "Up"], ["down", "Down"]].forEach(function (pair) {
        var b = button(pair[1], "btn btn-sm btn-outline-dark ordering-move");
        b.setAttribute("data-move", pair[0]);
        b.setAttribute("aria-label", "Move up: " + text(li));
        if (pair[0] === "down") { b.setAttribute("aria-label", "Move down: " + text(li)); }
        b.addEventListener("click", function () {
          if (b.getAttribute("aria-disabled") === "true") {
            status.textContent = text(li) + " is already " + (pair[0] === "up" ? "first." : "last.");
            return;
          }
          if (pair[0] === "up") { list.insertBefore(li, li.previousElementSibling); }
          else { list.insertBefore(li.nextElementSibling, li); }
          sync();
          b.focus();
          announce(li);
        });
        moves.appendChild(b);
      });
      li.appendChild(moves);
    });
    sync();
    if (window.Sortable) {
      window.Sortable.create(list, {
        animation: 150,
        handle: ".ordering-handle",
        onEnd: function (event) { sync(); announce(event.item); }
      });
    }
    if (hadFocus) { list.querySelector(".ordering-move").focus(); }
  });

  // Matching --------------------------------------------------------------------------------
  each(document.querySelectorAll("[data-matching]"), function (box) {
    var rows = Array.prototype.slice.call(box.querySelectorAll(".matching-row"));
    var status = box.querySelector("[data-matching-status]");
    var template = box.querySelector("template[data-matching-rights]");
    var hadFocus = false;
    var activeLeft = null;
    var activeRight = null;
    var rightHtml = {};
    each(template.content.querySelectorAll("[data-right]"), function (span) {
      rightHtml[span.getAttribute("data-right")] = span.innerHTML;
    });
    box.querySelector("[data-matching-help]").textContent =
      "Tap an item, then its answer below (or drag an answer onto an item). Each answer can be used once.";

    var pool = document.createElement("div");
    pool.className = "d-flex flex-wrap gap-2 mb-3 matching-pool";
    pool.setAttribute("role", "group");
    pool.setAttribute("aria-label", "Answers");
    var rightButtons = {};
    Object.keys(rightHtml).forEach(function (key) {
      var b = button("", "btn btn-outline-dark text-start text-wrap matching-right");
      b.innerHTML = rightHtml[key];
      b.setAttribute("data-right", key);
      b.setAttribute("aria-pressed", "false");
      b.draggable = true;
      b.addEventListener("dragstart", function (event) { event.dataTransfer.setData("text/plain", key); });
      b.addEventListener("click", function () { pickRight(key); });
      rightButtons[key] = b;
    });
    // The answers keep the shuffled order the lists show.
    each(rows[0].querySelectorAll("select option"), function (option) {
      if (option.value && rightButtons[option.value]) { pool.appendChild(rightButtons[option.value]); }
    });

    var slots = rows.map(function (row) {
      var select = row.querySelector("select");
      if (document.activeElement === select || select.hasAttribute("autofocus")) { hadFocus = true; }
      var slot = button("", "btn btn-outline-secondary w-100 text-start text-wrap matching-slot");
      slot.setAttribute("aria-pressed", "false");
      slot.addEventListener("click", function () { pickLeft(row); });
      slot.addEventListener("dragover", function (event) { event.preventDefault(); });
      slot.addEventListener("drop", function (event) {
        event.preventDefault();
        assign(row, event.dataTransfer.getData("text/plain"));
      });
      select.hidden = true;
      row.querySelector("label").removeAttribute("for");
      select.parentNode.appendChild(slot);
      row.matchSlot = slot;
      row.matchSelect = select;
      return slot;
    });
    rows[rows.length - 1].parentNode.insertBefore(pool, rows[rows.length - 1].nextSibling);

    function leftText(row) { return plain(row.querySelector("label")); }
    function chosenText(row) {
      var option = row.matchSelect.options[row.matchSelect.selectedIndex];
      return option && option.value ? plain(option) : "";
    }
    function render() {
      var used = {};
      rows.forEach(function (row) {
        var value = row.matchSelect.value;
        if (value) { used[value] = leftText(row); }
        if (value) { row.matchSlot.innerHTML = rightHtml[value]; } else { row.matchSlot.textContent = "Choose a match"; }
        row.matchSlot.setAttribute("aria-label", leftText(row) + ": " + (value ? chosenText(row) : "no answer yet"));
        row.matchSlot.setAttribute("aria-pressed", row === activeLeft ? "true" : "false");
        row.matchSlot.classList.toggle("active", row === activeLeft);
        row.matchSlot.classList.toggle("btn-outline-dark", !!value);
        row.matchSlot.classList.toggle("btn-outline-secondary", !value);
      });
      Object.keys(rightButtons).forEach(function (key) {
        var b = rightButtons[key];
        b.classList.toggle("matching-used", !!used[key]);
        b.classList.toggle("active", key === activeRight);
        b.setAttribute("aria-pressed", key === activeRight ? "true" : "false");
        b.setAttribute("aria-label", plain(b) + (used[key] ? " (matched with " + used[key] + ")" : ""));
      });
    }
    function assign(row, key) {
      if (!rightButtons[key]) { return; }
      rows.forEach(function (other) { if (other !== row && other.matchSelect.value === key) { other.matchSelect.value = ""; } });
      row.matchSelect.value = key;
      activeRight = null;
      activeLeft = rows.filter(function (r) { return !r.matchSelect.value; })[0] || null;
      render();
      status.textContent = leftText(row) + ": " + chosenText(row) + "." +
        (activeLeft ? " Next: " + leftText(activeLeft) + "." : " Every item has an answer.");
    }
    function pickLeft(row) {
      if (activeRight !== null) { assign(row, activeRight); return; }
      activeLeft = row;
      render();
      if (activeLeft) { status.textContent = "Now choose the answer for " + leftText(row) + "."; }
    }
    function pickRight(key) {
      if (activeLeft) { assign(activeLeft, key); return; }
      activeRight = activeRight === key ? null : key;
      render();
      if (activeRight !== null) { status.textContent = "Now choose the item for " + plain(rightButtons[key]) + "."; }
    }
    activeLeft = rows.filter(function (r) { return !r.matchSelect.value; })[0] || null;
    render();
    if (hadFocus) { slots[0].focus(); }
  });
})();
