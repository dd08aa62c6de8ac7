/* The layout workspace: a layout's regions side by side, each block a card, edited through
   the GraphQL mutations every client uses (placeBlock, moveBlock, configureBlock, removeBlock,
   publishLayout, revertLayout). Moves by drag and drop (SortableJS) or by the card's buttons;
   settings through a form generated from the block type's JSON Schema; a preview of the draft
   beside the layout, refreshed after every change. Every request carries the session's CSRF
   token. When another editor changed what an edit names (CONFLICT), the workspace shows what
   they changed and lets the editor reload theirs or reapply the edit on top; nothing typed is
   thrown away. */
(function () {
  "use strict";

  const root = document.getElementById("pb-workspace");
  if (!root) return;
  const labels = JSON.parse(document.getElementById("pb-labels").textContent);
  const previewPaths = JSON.parse(document.getElementById("pb-preview-paths-data").textContent);
  const layoutName = root.dataset.layout;
  const $ = (id) => document.getElementById(id);

  const PLACEMENT = "id region position blockType settings version";
  const LAYOUT = `layout { name regions version publishedRevision placements { ${PLACEMENT} } }`;
  const ERRORS = "errors { field code message }";
  const DOCUMENTS = {
    draft: `query($name: String!) { draftLayout(name: $name) { name title regions version publishedRevision
      placements { ${PLACEMENT} } revisions { number publishedBy publishedAt revertedFrom } } }`,
    types: "{ blockTypes { name description settingsSchema defaults } }",
    place: `mutation($layout: String!, $version: Int!, $region: String!, $type: String!, $settings: JSON, $position: Int) {
      placeBlock(layout: $layout, version: $version, region: $region, blockType: $type, settings: $settings, position: $position) {
        placement { ${PLACEMENT} } ${LAYOUT} ${ERRORS} } }`,
    move: `mutation($id: ID!, $version: Int!, $region: String!, $position: Int!) {
      moveBlock(id: $id, version: $version, region: $region, position: $position) { ${LAYOUT} ${ERRORS} } }`,
    configure: `mutation($id: ID!, $version: Int!, $settings: JSON!) {
      configureBlock(id: $id, version: $version, settings: $settings) { ${LAYOUT} ${ERRORS} } }`,
    remove: `mutation($id: ID!, $version: Int!) { removeBlock(id: $id, version: $version) { ${LAYOUT} ${ERRORS} } }`,
    changes: `query($name: String!) { layoutChanges(name: $name) { version publishedRevision regionsAdded regionsRemoved
      blocks { kind blockId blockType region position fromRegion fromPosition settings } } }`,
    publish: `mutation($layout: String!, $version: Int!) { publishLayout(layout: $layout, version: $version) { ${LAYOUT} ${ERRORS} } }`,
    revert: `mutation($layout: String!, $version: Int!, $revision: Int!) {
      revertLayout(layout: $layout, version: $version, revision: $revision) { ${LAYOUT} ${ERRORS} } }`,
    history: `query($name: String!) { layoutHistory(name: $name, first: 30) { at actor action entityType entityId before after } }`,
  };

  let layout = null; // the draft as last loaded: { regions, version, placements }
  let types = new Map(); // block type name -> { description, settingsSchema, defaults }
  let form = null; // the open settings form: { placementId, SettingsForm }
  let retry = null; // the edit a conflict interrupted, to reapply on top

  class Refused extends Error {
    constructor(errors) {
      super(errors.map((e) => e.message).join(" "));
      this.errors = errors;
    }
  }

  async function gql(query, variables) {
    const response = await fetch(root.dataset.graphqlUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": root.dataset.csrfToken },
      body: JSON.stringify({ query, variables: variables || {} }),
    });
    const body = await response.json().catch(() => ({}));
    if (body.errors && body.errors.length) {
      const code = body.errors[0].extensions && body.errors[0].extensions.code;
      if (code === "UNAUTHENTICATED" || code === "FORBIDDEN") status(labels.signedOut, true);
      throw new Error(body.errors[0].message);
    }
    if (!response.ok) throw new Error(labels.error);
    return body.data;
  }

  /* A mutation's payload; its errors (CONFLICT included) are thrown as Refused. */
  async function mutate(name, variables) {
    const data = await gql(DOCUMENTS[name], variables);
    const payload = Object.values(data)[0];
    if (payload.errors.length) throw new Refused(payload.errors);
    return payload;
  }

  function status(text, isError) {
    const node = $("pb-status");
    node.textContent = text;
    node.classList.toggle("pb-workspace__status--error", Boolean(isError));
  }

  function placementsIn(region) {
    return layout.placements.filter((p) => p.region === region).sort((a, b) => a.position - b.position);
  }

  function byId(id) {
    return layout.placements.find((p) => p.id === String(id));
  }

  const el = window.PortalBlocksElement; // from settings-form.js, loaded first

  /* One line about a block's settings: those that differ from its type's defaults. */
  function summary(placement) {
    const type = types.get(placement.blockType);
    const defaults = (type && type.defaults) || {};
    const parts = Object.entries(placement.settings)
      .filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(defaults[key]))
      .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.length + "×" : typeof value === "object" && value ? "…" : value}`);
    const text = parts.join(" · ");
    return text.length > 90 ? `${text.slice(0, 89)}…` : text;
  }

  function title(blockType) {
    const type = types.get(blockType);
    const description = type ? type.description.split(":")[0] : "";
    return description && description !== blockType ? `${description}` : blockType;
  }

  // --- Rendering ----------------------------------------------------------------------------

  function render() {
    const container = $("pb-regions");
    const kept = focusedControl(container);
    container.replaceChildren();
    layout.regions.forEach((region) => {
      const list = el("ol", { class: "pb-cards", dataset: { region }, "aria-label": region });
      placementsIn(region).forEach((p, index, all) => list.append(card(p, index, all.length)));
      if (!list.children.length) list.append(el("li", { class: "pb-cards__empty", text: labels.empty }));
      container.append(el("section", { class: "pb-region-col", dataset: { region } }, [
        el("h2", { text: region }), list]));
      if (window.Sortable) {
        window.Sortable.create(list, {
          group: "blocks",
          animation: 120,
          draggable: ".pb-card",
          filter: "button, select, .pb-cards__empty",
          preventOnFilter: false,
          onEnd: (event) => {
            if (event.from === event.to && event.oldIndex === event.newIndex) return;
            const item = event.item;
            const to = event.to.dataset.region;
            const index = [...event.to.querySelectorAll(".pb-card")].indexOf(item);
            move(item.dataset.id, to, index);
          },
        });
      }
    });
    const target = $("pb-palette-region");
    const chosen = target.value;
    target.replaceChildren(...layout.regions.map((r) => el("option", { value: r, text: r })));
    if (layout.regions.includes(chosen)) target.value = chosen;
    if (kept) refocus(container, kept);
  }

  /* The card control the keyboard is on, so a re-render (every edit) keeps the editor's place:
     after "move up" the focus is on the moved card's button, wherever the card now is. */
  function focusedControl(container) {
    const active = document.activeElement;
    const owner = active && container.contains(active) ? active.closest(".pb-card") : null;
    if (!owner) return null;
    const control = [...active.classList].find((c) => c.startsWith("pb-card__"));
    return control ? { id: owner.dataset.id, control } : null;
  }

  function refocus(container, kept) {
    const owner = [...container.querySelectorAll(".pb-card")].find((c) => c.dataset.id === kept.id);
    if (!owner) return;
    const opposite = { "pb-card__up": "pb-card__down", "pb-card__down": "pb-card__up" }[kept.control];
    const next = [kept.control, opposite, "pb-card__edit"].filter(Boolean)
      .map((c) => owner.querySelector(`.${c}`)).find((node) => node && !node.disabled);
    if (next) next.focus();
  }

  function card(placement, index, count) {
    const name = title(placement.blockType);
    const label = (text) => `${text}: ${name} (${placement.region} ${index + 1})`;
    const button = (text, action, disabled) => {
      const node = el("button", { type: "button", class: `pb-card__${action}`, "aria-label": label(text), disabled, text });
      node.addEventListener("click", () => actions[action](placement));
      return node;
    };
    const moveTo = el("select", { class: "pb-card__region", "aria-label": label(labels.moveTo) });
    layout.regions.forEach((r) => {
      const option = el("option", { value: r, text: r });
      option.selected = r === placement.region;
      moveTo.append(option);
    });
    moveTo.addEventListener("change", () => move(placement.id, moveTo.value, placementsIn(moveTo.value).length));
    return el("li", { class: "pb-card", dataset: { id: placement.id, blockType: placement.blockType } }, [
      el("h3", { class: "pb-card__title", text: name }),
      el("p", { class: "pb-card__type", text: placement.blockType }),
      el("p", { class: "pb-card__summary", text: summary(placement) }),
      el("div", { class: "pb-card__actions" }, [
        button(labels.edit, "edit"),
        button(labels.moveUp, "up", index === 0),
        button(labels.moveDown, "down", index === count - 1),
        moveTo,
        button(labels.duplicate, "duplicate"),
        button(labels.remove, "remove"),
      ]),
    ]);
  }

  function renderPalette() {
    const list = $("pb-palette");
    list.replaceChildren(...[...types].map(([name, type]) => {
      const add = el("button", { type: "button", class: "pb-palette__add", "aria-label": `${labels.addBlock}: ${name}`, text: labels.addBlock });
      add.addEventListener("click", () => place(name, $("pb-palette-region").value, null, null));
      return el("li", { class: "pb-palette__type", dataset: { blockType: name } }, [
        el("strong", { text: name }), el("p", { text: type.description }), add]);
    }));
  }

  // --- Preview ------------------------------------------------------------------------------

  function refreshPreview() {
    const path = $("pb-preview-path").value || previewPaths[0] || "/";
    const url = `${root.dataset.previewUrl}?path=${encodeURIComponent(path)}&lang=${root.dataset.locale}&at=${Date.now()}`;
    $("pb-preview").src = url;
  }

  // --- Edits --------------------------------------------------------------------------------

  /* Run an edit; on CONFLICT show what changed and keep the edit to reapply. */
  async function edit(run, done) {
    try {
      const payload = await run();
      layout = { ...layout, ...payload.layout };
      retry = null;
      $("pb-conflict").hidden = true;
      render();
      refreshPreview();
      if (done) done(payload);
      status(labels.saved);
      return payload;
    } catch (error) {
      if (error instanceof Refused && error.errors.some((e) => e.code === "CONFLICT")) {
        await conflict(run, done);
        return null;
      }
      status(error.message || labels.error, true);
      render();
      throw error;
    }
  }

  async function conflict(run, done) {
    const before = layout;
    const data = await gql(DOCUMENTS.draft, { name: layoutName });
    const theirs = data.draftLayout;
    const changes = difference(before, theirs);
    $("pb-conflict-changes").replaceChildren(...changes.map((text) => el("li", { text })));
    $("pb-conflict").hidden = false;
    $("pb-conflict").scrollIntoView({ block: "nearest" });
    status(labels.conflictTitle, true);
    layout = theirs;
    render();
    refreshPreview();
    retry = () => edit(run, done);
  }

  /* What the other editor changed, block by block, as sentences. */
  function difference(mine, theirs) {
    const old = new Map(mine.placements.map((p) => [p.id, p]));
    const now = new Map(theirs.placements.map((p) => [p.id, p]));
    const lines = [];
    now.forEach((p, id) => {
      const was = old.get(id);
      if (!was) lines.push(`${labels.kindAdded}: ${title(p.blockType)} (${p.region} ${p.position + 1})`);
      else {
        if (was.region !== p.region || was.position !== p.position) {
          lines.push(`${labels.kindMoved}: ${title(p.blockType)} (${was.region} ${was.position + 1} → ${p.region} ${p.position + 1})`);
        }
        const keys = Object.keys({ ...was.settings, ...p.settings }).filter(
          (k) => JSON.stringify(was.settings[k]) !== JSON.stringify(p.settings[k]));
        if (keys.length) lines.push(`${labels.kindConfigured}: ${title(p.blockType)} (${keys.join(", ")})`);
      }
    });
    old.forEach((p, id) => { if (!now.has(id)) lines.push(`${labels.kindRemoved}: ${title(p.blockType)}`); });
    return lines.length ? lines : [labels.changesNone];
  }

  function move(id, region, position) {
    return edit(() => {
      const placement = byId(id);
      return mutate("move", { id, version: placement.version, region, position });
    }).catch(() => {});
  }

  function place(blockType, region, settings, position) {
    return edit(() => mutate("place", {
      layout: layoutName, version: layout.version, region, type: blockType, settings, position,
    })).catch(() => {});
  }

  const actions = {
    edit: (p) => openSettings(p.id),
    up: (p) => move(p.id, p.region, p.position - 1),
    down: (p) => move(p.id, p.region, p.position + 1),
    duplicate: (p) => place(p.blockType, p.region, p.settings, p.position + 1),
    remove: (p) => edit(() => mutate("remove", { id: p.id, version: byId(p.id).version }), () => {
      if (form && form.placementId === p.id) closeSettings();
    }).catch(() => {}),
  };

  // --- Settings -----------------------------------------------------------------------------

  function openSettings(id) {
    const placement = byId(id);
    const type = types.get(placement.blockType);
    $("pb-settings").hidden = false;
    $("pb-settings-title").textContent = `${labels.settingsOf} ${title(placement.blockType)}`;
    const settingsForm = new window.PortalBlocksSettingsForm(
      $("pb-settings-form"), type.settingsSchema, placement.settings, labels);
    form = { placementId: id, settingsForm };
    $("pb-settings").scrollIntoView({ block: "nearest" });
  }

  function closeSettings() {
    $("pb-settings").hidden = true;
    form = null;
  }

  $("pb-settings-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!form) return;
    const { placementId, settingsForm } = form;
    const problems = settingsForm.check();
    settingsForm.show(problems);
    if (problems.length) return;
    const settings = settingsForm.values(); // kept across a conflict: reapplied as typed
    edit(() => mutate("configure", { id: placementId, version: byId(placementId).version, settings }))
      .catch((error) => {
        if (error instanceof Refused) {
          settingsForm.show(error.errors.map((e) => [e.field, labels[`code_${e.code}`] || e.message]));
        }
      });
  });

  // --- Publish and history --------------------------------------------------------------------

  function describe(change) {
    const name = title(change.blockType);
    switch (change.kind) {
      case "ADDED": return `${labels.kindAdded}: ${name} (${change.region} ${change.position + 1})`;
      case "REMOVED": return `${labels.kindRemoved}: ${name} (${change.region})`;
      case "MOVED": return `${labels.kindMoved}: ${name} (${change.fromRegion} ${change.fromPosition + 1} → ${change.region} ${change.position + 1})`;
      default: return `${labels.kindConfigured}: ${name} (${change.settings.join(", ")})`;
    }
  }

  let reviewed = null; // the draft version the editor reviewed

  $("pb-publish").addEventListener("click", async () => {
    let layoutChanges;
    try {
      ({ layoutChanges } = await gql(DOCUMENTS.changes, { name: layoutName }));
    } catch (error) {
      status(error.message || labels.error, true);
      return;
    }
    reviewed = layoutChanges.version;
    const lines = layoutChanges.blocks.map(describe);
    if (layoutChanges.regionsAdded.length) lines.push(`${labels.regionsAdded}: ${layoutChanges.regionsAdded.join(", ")}`);
    if (layoutChanges.regionsRemoved.length) lines.push(`${labels.regionsRemoved}: ${layoutChanges.regionsRemoved.join(", ")}`);
    $("pb-changes-list").replaceChildren(...(lines.length ? lines : [labels.changesNone]).map((text) => el("li", { text })));
    $("pb-changes").hidden = false;
    $("pb-publish-confirm").focus();
  });

  $("pb-publish-cancel").addEventListener("click", () => { $("pb-changes").hidden = true; });

  $("pb-publish-confirm").addEventListener("click", async () => {
    try {
      const payload = await mutate("publish", { layout: layoutName, version: reviewed });
      layout = { ...layout, ...payload.layout };
      $("pb-changes").hidden = true;
      status(labels.published);
      loadHistory();
    } catch (error) {
      if (error instanceof Refused && error.errors.some((e) => e.code === "CONFLICT")) {
        $("pb-publish").click(); // the draft changed since the review: review it again
        status(labels.conflictTitle, true);
      } else status(error.message, true);
    }
  });

  async function loadHistory() {
    const [{ layoutHistory }, { draftLayout }] = await Promise.all([
      gql(DOCUMENTS.history, { name: layoutName }), gql(DOCUMENTS.draft, { name: layoutName })]);
    const revisions = draftLayout.revisions.map((r) => {
      const revert = el("button", { type: "button", class: "pb-history__revert", text: labels.revert,
        "aria-label": `${labels.revert}: ${labels.revision} ${r.number}` });
      revert.addEventListener("click", () => edit(() => mutate("revert", {
        layout: layoutName, version: layout.version, revision: r.number })).then(loadHistory).catch(() => {}));
      return el("li", { class: "pb-history__revision" }, [
        el("span", { text: `${labels.revision} ${r.number} · ${r.publishedBy} · ${new Date(r.publishedAt).toLocaleString(root.dataset.locale)}` }),
        r.number === draftLayout.publishedRevision ? null : revert]);
    });
    const entries = layoutHistory.map((h) => el("li", { class: "pb-history__entry",
      text: `${new Date(h.at).toLocaleString(root.dataset.locale)} · ${h.actor} · ${h.action} ${h.entityType} ${h.entityId}` }));
    const all = [...revisions, ...entries];
    $("pb-history-list").replaceChildren(...(all.length ? all : [el("li", { text: labels.historyEmpty })]));
  }

  $("pb-history-button").addEventListener("click", () => {
    const section = $("pb-history");
    section.hidden = !section.hidden;
    $("pb-history-button").setAttribute("aria-expanded", String(!section.hidden));
    if (!section.hidden) loadHistory();
  });

  $("pb-conflict-reload").addEventListener("click", () => {
    retry = null;
    $("pb-conflict").hidden = true;
    status("");
    if (form) openSettings(form.placementId); // the form shows their settings now
  });
  $("pb-conflict-reapply").addEventListener("click", () => { if (retry) retry().catch(() => {}); });

  // --- Start --------------------------------------------------------------------------------

  $("pb-preview-paths").replaceChildren(...previewPaths.map((p) => el("option", { value: p })));
  $("pb-preview-path").value = previewPaths[0] || "/";
  $("pb-preview-path").addEventListener("change", refreshPreview);

  Promise.all([gql(DOCUMENTS.draft, { name: layoutName }), gql(DOCUMENTS.types)]).then(([draft, known]) => {
    layout = draft.draftLayout;
    types = new Map(known.blockTypes.map((t) => [t.name, t]));
    renderPalette();
    render();
    refreshPreview();
    root.dataset.ready = "true";
  }).catch((error) => status(error.message || labels.error, true));
})();
