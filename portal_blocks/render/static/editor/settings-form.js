/* A block's settings form, generated from its settings JSON Schema (the one the server's
   marshmallow schema publishes as blockTypes { settingsSchema }), so a block type added later
   gets its form with no code here. Booleans are checkboxes, integers number inputs with their
   bounds, enums selects, lists of enums checklists, lists of objects repeated fieldsets, lists
   of strings one per line; patterns show their description. The form checks what the schema
   says before sending, and shows the server's refusals (payload errors: field path and code)
   next to the field they name. */
(function () {
  "use strict";

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    (children || []).forEach((child) => child && node.append(child));
    return node;
  }

  /* The schema node a property describes, with $ref (into the document's $defs) resolved. */
  function resolve(root, node) {
    if (node && node.$ref && node.$ref.startsWith("#/$defs/")) {
      return root.$defs[node.$ref.slice("#/$defs/".length)];
    }
    if (node && node.allOf && node.allOf.length === 1) return resolve(root, node.allOf[0]);
    return node || {};
  }

  function types(node) {
    const type = node.type;
    return Array.isArray(type) ? type : type ? [type] : [];
  }

  let counter = 0;

  class SettingsForm {
    /* schema: the block type's JSON Schema; values: the stored settings (JSON keys). */
    constructor(form, schema, values, labels) {
      this.form = form;
      this.schema = schema;
      this.labels = labels;
      this.fields = new Map(); // path -> {read(), error element, input}
      form.replaceChildren();
      const properties = schema.properties || {};
      if (!Object.keys(properties).length) {
        form.append(el("p", { text: labels.noSettings }));
      }
      this.summary = el("p", { class: "pb-form__summary", role: "alert", hidden: true });
      form.append(this.summary);
      Object.entries(properties).forEach(([key, node]) => {
        form.append(this.field(`settings.${key}`, key, resolve(schema, node), values[key]));
      });
      form.append(el("button", { type: "submit", class: "pb-form__save", text: labels.save }));
    }

    field(path, key, node, value) {
      const id = `pb-field-${++counter}`;
      const description = node.description || "";
      const error = el("p", { class: "pb-form__error", id: `${id}-error`, hidden: true });
      let help = description ? el("p", { class: "pb-form__help", id: `${id}-help`, text: description }) : null;
      const describedBy = [help && help.id, error.id].filter(Boolean).join(" ");
      const kinds = types(node);
      const nullable = kinds.includes("null");
      let read;
      let control;
      if (kinds.includes("boolean")) {
        control = el("input", { type: "checkbox", id, "aria-describedby": describedBy });
        control.checked = Boolean(value);
        read = () => control.checked;
        const wrapper = el("div", { class: "pb-form__field pb-form__field--check", dataset: { path } }, [
          control, el("label", { for: id, text: key }), help, error]);
        this.fields.set(path, { read, error, input: control, node, nullable });
        return wrapper;
      }
      if (node.enum) {
        control = el("select", { id, "aria-describedby": describedBy });
        if (nullable) control.append(el("option", { value: "", text: "—" }));
        node.enum.filter((v) => v !== null).forEach((choice) => {
          const option = el("option", { value: choice, text: choice });
          option.selected = choice === value;
          control.append(option);
        });
        read = () => (control.value === "" && nullable ? null : control.value);
      } else if (kinds.includes("array")) {
        const items = resolve(this.schema, node.items);
        if (items.enum) {
          control = el("fieldset", { id, "aria-describedby": describedBy }, [el("legend", { text: key })]);
          const boxes = items.enum.map((choice) => {
            const box = el("input", { type: "checkbox", id: `${id}-${choice}`, value: choice });
            box.checked = Array.isArray(value) && value.includes(choice);
            control.append(el("div", {}, [box, el("label", { for: box.id, text: choice })]));
            return box;
          });
          read = () => boxes.filter((b) => b.checked).map((b) => b.value);
        } else if (types(items).includes("object")) {
          return this.objectList(path, key, items, node, Array.isArray(value) ? value : [], help, error);
        } else {
          control = el("textarea", { id, rows: 4, "aria-describedby": describedBy, spellcheck: "false" });
          control.value = Array.isArray(value) ? value.join("\n") : "";
          read = () => control.value.split("\n").map((s) => s.trim()).filter(Boolean);
          if (!description) help = el("p", { class: "pb-form__help", text: this.labels.oneSlugPerLine });
        }
      } else if (kinds.includes("integer") || kinds.includes("number")) {
        control = el("input", {
          type: "number", id, min: node.minimum, max: node.maximum,
          step: kinds.includes("integer") ? 1 : "any", "aria-describedby": describedBy,
        });
        control.value = value === null || value === undefined ? "" : String(value);
        read = () => (control.value === "" ? (nullable ? null : "") : Number(control.value));
      } else {
        control = el("input", {
          type: "text", id, maxlength: node.maxLength, pattern: node.pattern,
          "aria-describedby": describedBy, spellcheck: "false",
        });
        control.value = value === null || value === undefined ? "" : String(value);
        read = () => (control.value === "" && nullable ? null : control.value);
      }
      this.fields.set(path, { read, error, input: control, node, nullable });
      const label = control.tagName === "FIELDSET" ? null : el("label", { for: id, text: key });
      return el("div", { class: "pb-form__field", dataset: { path } }, [label, control, help, error]);
    }

    /* A list of objects (a block's links): one fieldset per item, with add and remove. */
    objectList(path, key, itemSchema, node, values, help, error) {
      const list = el("ol", { class: "pb-form__items" });
      const rows = [];
      const wrapper = el("fieldset", { class: "pb-form__field pb-form__field--list", dataset: { path } }, [
        el("legend", { text: key }), help, list, error]);
      const addRow = (item) => {
        const row = { fields: new Map() };
        const li = el("li", { class: "pb-form__item" });
        Object.entries(itemSchema.properties || {}).forEach(([name, sub]) => {
          const id = `pb-field-${++counter}`;
          const input = el("input", { type: "text", id, maxlength: resolve(this.schema, sub).maxLength });
          input.value = item && item[name] !== undefined ? String(item[name]) : "";
          const subError = el("p", { class: "pb-form__error", hidden: true });
          row.fields.set(name, { input, error: subError, node: resolve(this.schema, sub) });
          li.append(el("div", { class: "pb-form__subfield" }, [el("label", { for: id, text: name }), input, subError]));
        });
        const remove = el("button", { type: "button", class: "pb-form__remove", text: this.labels.removeItem });
        remove.addEventListener("click", () => {
          rows.splice(rows.indexOf(row), 1);
          li.remove();
          this.renumber(path, rows);
        });
        li.append(remove);
        rows.push(row);
        list.append(li);
        this.renumber(path, rows);
      };
      values.forEach(addRow);
      const add = el("button", { type: "button", class: "pb-form__add", text: this.labels.addItem });
      add.addEventListener("click", () => addRow(null));
      wrapper.append(add);
      const read = () => rows.map((row) => Object.fromEntries(
        [...row.fields].map(([name, f]) => [name, f.input.value.trim()])));
      this.fields.set(path, { read, error, input: list, node, nullable: false, rows });
      return wrapper;
    }

    /* Sub-fields are reported by the server as settings.links.1.url: keep the paths current. */
    renumber(path, rows) {
      [...this.fields.keys()].filter((k) => k.startsWith(`${path}.`)).forEach((k) => this.fields.delete(k));
      rows.forEach((row, index) => {
        row.fields.forEach((f, name) => {
          this.fields.set(`${path}.${index}.${name}`, { read: () => f.input.value, error: f.error, input: f.input, node: f.node, sub: true });
        });
      });
    }

    values() {
      const settings = {};
      this.fields.forEach((f, path) => {
        if (f.sub) return;
        settings[path.slice("settings.".length)] = f.read();
      });
      return settings;
    }

    /* The schema's own checks, so nothing is sent while a field is out of bounds. */
    check() {
      const problems = [];
      this.fields.forEach((f, path) => {
        const value = f.read();
        const node = f.node || {};
        const kinds = types(node);
        if (value === null) return;
        if (kinds.includes("integer") || kinds.includes("number")) {
          if (value === "" || Number.isNaN(value)) problems.push([path, this.labels.required]);
          else if (kinds.includes("integer") && !Number.isInteger(value)) problems.push([path, this.labels.notInteger]);
          else if (node.minimum !== undefined && value < node.minimum) problems.push([path, `${this.labels.tooSmall} ${node.minimum}.`]);
          else if (node.maximum !== undefined && value > node.maximum) problems.push([path, `${this.labels.tooLarge} ${node.maximum}.`]);
        } else if (typeof value === "string") {
          if (node.minLength !== undefined && value.length < node.minLength) problems.push([path, `${this.labels.tooSmall} ${node.minLength}.`]);
          else if (node.maxLength !== undefined && value.length > node.maxLength) problems.push([path, `${this.labels.tooLarge} ${node.maxLength}.`]);
          else if (node.pattern && value && !new RegExp(node.pattern, "u").test(value)) problems.push([path, this.labels.badPattern]);
        }
      });
      return problems;
    }

    /* problems: [[path, message]], from check() or the payload's errors. */
    show(problems) {
      this.fields.forEach((f) => {
        f.error.hidden = true;
        f.error.textContent = "";
        f.input.removeAttribute("aria-invalid");
      });
      problems.forEach(([path, message]) => {
        const f = this.fields.get(path) || this.closest(path);
        f.error.hidden = false;
        f.error.textContent = f.error.textContent ? `${f.error.textContent} ${message}` : message;
        f.input.setAttribute("aria-invalid", "true");
      });
      this.summary.hidden = !problems.length;
      this.summary.textContent = problems.length ? this.labels.formInvalid : "";
      if (problems.length) {
        const first = this.fields.get(problems[0][0]) || this.closest(problems[0][0]);
        if (first.input.focus) first.input.focus();
      }
    }

    /* A path the form has no field for (settings, or a whole object): its nearest field. */
    closest(path) {
      let parts = path.split(".");
      while (parts.length > 1) {
        parts = parts.slice(0, -1);
        const found = this.fields.get(parts.join("."));
        if (found) return found;
      }
      return { error: this.summary, input: this.summary };
    }
  }

  window.PortalBlocksSettingsForm = SettingsForm;
  /* The workspace builds its cards with the same helper. */
  window.PortalBlocksElement = el;
})();
