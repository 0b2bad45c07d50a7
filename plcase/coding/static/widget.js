// plcase CodingView: draws the state Python sends (model "view") and sends
// actions back (model.send). All offsets are UTF-16 code units, as the DOM
// counts; Python converts them to code points and checks the text.

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "style") Object.assign(node.style, v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function alpha(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

function render({ model, el }) {
  el.classList.add("plc-coding");
  let active = false; // keys go to the widget only after the mouse was used in it
  let lastSelection = null;
  let popup = null;

  const send = (msg) => model.send(msg);
  const colourOf = (code) => {
    const p = (model.get("view").palette || []).find((x) => x.code === code);
    return p ? p.colour : "#999999";
  };

  function selectionInfo() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    const node = (n) => (n.nodeType === 3 ? n.parentElement : n);
    const startEl = node(range.startContainer).closest(".plc-text");
    const endEl = node(range.endContainer).closest(".plc-text");
    if (!startEl || !endEl || !el.contains(startEl) || !el.contains(endEl)) {
      return { error: "select words inside the document's passages" };
    }
    const offset = (textEl, container, off) => {
      const r = document.createRange();
      r.setStart(textEl, 0);
      r.setEnd(container, off);
      return r.toString().length;
    };
    return {
      doc_id: startEl.dataset.doc,
      end_doc_id: endEl.dataset.doc,
      passage_id: startEl.dataset.pid,
      end_passage_id: endEl.dataset.pid,
      start: offset(startEl, range.startContainer, range.startOffset),
      end: offset(endEl, range.endContainer, range.endOffset),
      text: range.toString(),
    };
  }

  function code(codeName) {
    const info = selectionInfo() || lastSelection;
    if (!info) {
      send({ action: "error", message: "select words with the mouse first, then press a code" });
      return;
    }
    if (info.error) {
      send({ action: "error", message: info.error });
      return;
    }
    lastSelection = null;
    send({ action: "add", code: codeName, ...info });
  }

  function closePopup() {
    if (popup) popup.remove();
    popup = null;
  }

  function openPopup(marks, x, y) {
    closePopup();
    const rows = marks.map((m) => {
      const swatch = h("span", { class: "plc-swatch", style: { background: m.colour } });
      const base = { start: m.startCp, end: m.endCp, code: m.code };
      if (m.kind === "own") {
        const memo = h("input", { class: "plc-memo", type: "text", placeholder: "memo…" });
        memo.value = m.memo || "";
        return h("div", { class: "plc-row" }, swatch, h("b", {}, m.code), memo,
          h("button", { class: "plc-save-memo", onclick: () => { send({ action: "memo", ...m.key, memo: memo.value }); closePopup(); } }, "save memo"),
          h("button", { class: "plc-remove", onclick: () => { send({ action: "remove", ...m.key }); closePopup(); } }, "remove"));
      }
      if (m.kind === "suggestion") {
        return h("div", { class: "plc-row" }, swatch, h("b", {}, m.code),
          h("span", { class: "plc-by" }, ` suggested by ${m.coder}${m.score !== null ? " (" + m.score + ")" : ""} `),
          h("button", { class: "plc-accept", onclick: () => { send({ action: "accept", id: m.id }); closePopup(); } }, "accept"),
          h("button", { class: "plc-reject", onclick: () => { send({ action: "reject", id: m.id }); closePopup(); } }, "reject"));
      }
      return h("div", { class: "plc-row" }, swatch, h("b", {}, m.code), h("span", { class: "plc-by" }, ` by ${m.coder} (read-only)${m.memo ? ": " + m.memo : ""}`));
    });
    popup = h("div", { class: "plc-popup", style: { left: `${x}px`, top: `${y}px` } },
      ...rows, h("button", { class: "plc-close", onclick: closePopup }, "close"));
    el.append(popup);
  }

  function passageNode(view, p) {
    const marks = p.marks.filter((m) => !(m.kind === "suggestion" && m.decision !== "open"))
      .map((m) => ({ ...m, colour: colourOf(m.code), key: { start: m.start, end: m.end, code: m.code } }));
    const cuts = new Set([0, p.text.length]);
    for (const m of marks) { cuts.add(m.from); cuts.add(m.to); }
    const points = [...cuts].sort((a, b) => a - b);
    const textEl = h("div", { class: "plc-text", "data-pid": p.passage_id, "data-doc": view.doc_id });
    for (let i = 0; i + 1 < points.length; i++) {
      const a = points[i], b = points[i + 1];
      const cover = marks.filter((m) => m.from <= a && m.to >= b);
      const piece = h("span", { class: "plc-piece" }, p.text.slice(a, b));
      if (cover.length) {
        const solid = cover.filter((m) => m.kind !== "suggestion").sort((x, y) => (x.to - x.from) - (y.to - y.from));
        const dashed = cover.filter((m) => m.kind === "suggestion");
        if (solid.length) piece.style.background = alpha(solid[0].colour, solid[0].kind === "own" ? 0.45 : 0.2);
        // Further codes on the same words: one coloured underline each (nesting and overlap).
        const shadows = solid.slice(1).map((m, k) => `inset 0 -${3 * (k + 1)}px 0 ${m.colour}`);
        if (shadows.length) piece.style.boxShadow = shadows.join(", ");
        if (dashed.length) {
          piece.classList.add("plc-suggested");
          piece.style.borderBottomColor = dashed[0].colour;
          piece.style.borderTopColor = dashed[0].colour;
        }
        piece.classList.add("plc-marked");
        piece.title = cover.map((m) => `${m.code} (${m.kind === "suggestion" ? "suggested by " : ""}${m.coder})`).join("\n");
        piece.addEventListener("click", (e) => {
          const sel = window.getSelection();
          if (sel && !sel.isCollapsed) return; // a selection, not a click
          const box = el.getBoundingClientRect();
          openPopup(cover, e.clientX - box.left + 4, e.clientY - box.top + 12);
        });
      }
      textEl.append(piece);
    }
    return h("div", { class: "plc-passage" }, h("div", { class: "plc-speaker" }, p.speaker), textEl);
  }

  function draw() {
    const view = model.get("view");
    if (!view || !view.passages) return;
    closePopup();
    const pr = view.progress;
    const palette = h("div", { class: "plc-palette" }, ...view.palette.map((p) => {
      const button = h("button", {
        class: "plc-code", "data-code": p.code, title: `${p.label}\n\n${p.definition}`,
        style: { borderColor: p.colour, background: alpha(p.colour, 0.25) },
        onmousedown: (e) => e.preventDefault(), // keep the text selection
        onclick: () => code(p.code),
      }, p.key ? h("kbd", {}, p.key) : null, ` ${p.code}`);
      return button;
    }));
    const filter = h("input", { type: "checkbox", class: "plc-filter", onchange: (e) => send({ action: "filter", only_uncoded: e.target.checked }) });
    filter.checked = model.get("only_uncoded");
    const header = h("div", { class: "plc-header" },
      h("button", { class: "plc-prev", onclick: () => send({ action: "previous" }) }, "◀ previous"),
      h("span", { class: "plc-doc" }, ` ${view.doc_id} `, h("small", {}, view.title), ` (${view.position} of ${pr.documents}) `),
      h("button", { class: "plc-next", onclick: () => send({ action: "next" }) }, "next ▶"),
      h("label", { class: "plc-only" }, filter, " only not yet coded"),
      h("span", { class: "plc-left" }, `left: ${pr.documents_left} documents, ${pr.passages_left} of ${pr.passages} passages · coder ${view.coder}`));
    const message = h("div", { class: `plc-message plc-${model.get("level")}` }, model.get("message"));
    const body = h("div", { class: "plc-body" }, ...view.passages.map((p) => passageNode(view, p)));
    el.replaceChildren(header, palette, message, body);
  }

  el.addEventListener("mousedown", () => { active = true; });
  el.addEventListener("mouseup", () => {
    const info = selectionInfo();
    if (info && !info.error) lastSelection = info;
  });
  const outside = (e) => { if (!el.contains(e.target)) active = false; };
  document.addEventListener("mousedown", outside, true);
  // Capture phase on window: runs before JupyterLab's own shortcuts (1-6 would
  // turn the cell into a heading in command mode), and stops them.
  const onKey = (e) => {
    if (!active || !el.isConnected) return;
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const palette = (model.get("view").palette || []);
    const hit = palette.find((p) => p.key && p.key === e.key);
    if (e.key === "Escape") { closePopup(); }
    else if (!hit) return;
    e.preventDefault();
    e.stopPropagation();
    if (hit) code(hit.code);
  };
  window.addEventListener("keydown", onKey, true);

  model.on("change:view", draw);
  model.on("change:message", draw);
  model.on("change:level", draw);
  draw();
  return () => {
    window.removeEventListener("keydown", onKey, true);
    document.removeEventListener("mousedown", outside, true);
  };
}

export default { render };
