// The question form's source picker: choosing a document lists its sections; the chosen
// section's text is shown, and selecting a passage of it fills the excerpt field.
// Without this file the section and the excerpt are typed in, and checked the same way.
(function () {
  "use strict";
  var picker = document.querySelector("[data-source-outline]");
  var documentField = document.getElementById("source_document");
  var sectionField = document.getElementById("source_section");
  var excerptField = document.getElementById("excerpt");
  var passage = document.getElementById("source-passage");
  var list = document.getElementById("source-sections");
  if (!picker || !documentField || !sectionField || !excerptField || !passage || !window.fetch) {
    return;
  }
  var outline = null;
  sectionField.setAttribute("list", "source-sections");

  function showSection() {
    passage.textContent = "";
    var section = null;
    if (outline) {
      outline.sections.forEach(function (s) {
        if (s.slug === sectionField.value.trim()) { section = s; }
      });
    }
    picker.hidden = !section;
    if (!section) { return; }
    section.paragraphs.forEach(function (text) {
      var p = document.createElement("p");
      p.textContent = text;
      passage.appendChild(p);
    });
  }

  function loadDocument() {
    outline = null;
    list.textContent = "";
    var slug = documentField.value;
    if (!slug) { showSection(); return; }
    var url = picker.getAttribute("data-source-outline").replace("__slug__", encodeURIComponent(slug));
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || data.slug !== documentField.value) { return; }
        outline = data;
        data.sections.forEach(function (s) {
          var option = document.createElement("option");
          option.value = s.slug;
          option.label = s.title;
          list.appendChild(option);
        });
        showSection();
      })
      .catch(function () { showSection(); });
  }

  function takeSelection() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) { return; }
    var range = selection.getRangeAt(0);
    if (!passage.contains(range.commonAncestorContainer)) { return; }
    var text = selection.toString().replace(/\s+/g, " ").trim();
    if (text) { excerptField.value = text; }
  }

  documentField.addEventListener("change", loadDocument);
  sectionField.addEventListener("input", showSection);
  sectionField.addEventListener("change", showSection);
  passage.addEventListener("mouseup", takeSelection);
  passage.addEventListener("keyup", takeSelection);
  loadDocument();
})();

// The drafts page: with a draft focused (Tab to it), A accepts, E edits and R rejects it.
(function () {
  "use strict";
  var keys = { a: "[data-draft-accept]", e: "[data-draft-edit]", r: "[data-draft-reject]" };
  document.querySelectorAll("article[data-draft]").forEach(function (draft) {
    draft.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.target !== draft) { return; }
      var selector = keys[event.key.toLowerCase()];
      var control = selector && draft.querySelector(selector);
      if (control && !control.disabled) {
        event.preventDefault();
        control.click();
      }
    });
  });
})();
