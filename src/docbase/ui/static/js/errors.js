// PostgREST errors -> a sentence next to the field it is about.
// PostgreSQL names the column in `details` ("Key (email)=(a@b) already exists.")
// or in `message` ('null value in column "name" ...'); SQLite's wording names
// "table.column" in parentheses. When no column can be told, the message goes
// to the form's banner instead of being pinned to a guess.

function columnsIn(text, known) {
  const found = [];
  if (!text) return found;
  const key = /Key \(([^)]*)\)=/.exec(text);
  if (key) found.push(...key[1].split(",").map((c) => c.trim().replace(/^"|"$/g, "")));
  const quoted = /column "([^"]+)"/.exec(text) || /column '([^']+)'/.exec(text);
  if (quoted) found.push(quoted[1]);
  const dotted = /\(([^()]+)\)\s*$/.exec(text);
  if (dotted) found.push(...dotted[1].split(",").map((c) => c.trim().split(".").pop()));
  return found.filter((c) => known.includes(c));
}

// A constraint named as PostgreSQL names it (docbase's DDL does so on both databases): "t_pkey" is t's
// primary key, "t_a_b_key" its unique (a, b). SQLite's error names the constraint but no column.
function constraintColumns(text, table) {
  const m = /constraint "([^"]+)"/.exec(text || "");
  if (!m) return [];
  if (m[1] === `${table.name}_pkey`) return table.primary_key || [];
  const unique = (table.unique || []).find((u) => m[1] === `${table.name}_${u.columns.join("_")}_key`);
  return unique ? unique.columns : [];
}

function submittedWith(value, submitted) {
  return Object.keys(submitted).filter((k) => submitted[k] !== null && String(submitted[k]) === value);
}

/**
 * Where and how to show an error from a write.
 * @param error PostgREST body {code, message, details, hint}
 * @param table the table's schema JSON (columns, foreign_keys)
 * @param submitted the values that were sent
 * @returns {fields: {column: text}, banner: text|null}
 */
export function explain(error, table, submitted = {}) {
  const known = table.columns.map((c) => c.name);
  const code = error.code || "";
  const text = `${error.message || ""} ${error.details || ""}`;
  const fields = {};
  const pin = (cols, sentence) => cols.forEach((c) => (fields[c] = sentence));
  if (code === "23505") {
    const cols = columnsIn(error.details, known).concat(columnsIn(error.message, known));
    if (!cols.length) cols.push(...constraintColumns(error.message, table));
    const unique = [...new Set(cols)];
    const sentence = unique.length > 1
      ? `This combination of ${unique.join(", ")} is already used by another row.`
      : "This value is already used by another row; it must be unique.";
    if (unique.length) pin(unique, sentence);
    return { fields, banner: unique.length ? null : `Duplicate value: ${error.message}` };
  }
  if (code === "23503") {
    let cols = columnsIn(error.details, known).concat(columnsIn(error.message, known));
    if (!cols.length) {
      const fkCols = table.foreign_keys.flatMap((fk) => fk.columns);
      cols = fkCols.filter((c) => submitted[c] !== undefined && submitted[c] !== null);
      if (cols.length !== 1) cols = [];
    }
    for (const c of cols) {
      const fk = table.foreign_keys.find((f) => f.columns.includes(c));
      fields[c] = fk ? `No row in ${fk.ref_table} has this ${fk.ref_columns.join(", ") || "key"}.` : "The referenced row does not exist.";
    }
    const pinned = cols.length > 0;
    const deleting = /update or delete/.test(text) || /still referenced/.test(text);
    if (deleting) return { fields: {}, banner: "Other rows still refer to this one; delete or change them first." };
    return { fields, banner: pinned ? null : `A referenced row does not exist: ${error.message}` };
  }
  if (code === "23502") {
    const cols = columnsIn(error.message, known).concat(columnsIn(error.details, known));
    if (cols.length) pin(cols, "A value is required.");
    return { fields, banner: cols.length ? null : error.message };
  }
  if (code === "22P02" || code === "22007" || code === "22008" || code === "22003" || code === "22001") {
    const bad = /"([^"]*)"\s*$/.exec(error.message || "");
    const type = /type ([\w ]+?)(?::|$)/.exec(error.message || "");
    let cols = columnsIn(text, known);
    if (!cols.length && bad) cols = submittedWith(bad[1], submitted);
    const sentence = code === "22001" ? "Too long for this column." : `Not a valid ${type ? type[1] : "value"} for this column.`;
    if (cols.length) pin(cols, sentence);
    return { fields, banner: cols.length ? null : error.message };
  }
  if (code === "23514") {
    const cols = columnsIn(text, known);
    if (cols.length) pin(cols, "This value breaks a rule the document states (a CHECK constraint).");
    return { fields, banner: cols.length ? null : `A rule of the document is broken: ${error.message}` };
  }
  if (code === "PGRST204") {
    const col = /'([^']+)' column/.exec(error.message || "");
    if (col && known.includes(col[1])) fields[col[1]] = "The server does not accept this column.";
    return { fields, banner: Object.keys(fields).length ? null : error.message };
  }
  if (code === "42501") {
    return { fields, banner: `Permission denied: ${error.message}. Sign in with a role that may change this table.` };
  }
  const extra = [error.details, error.hint].filter(Boolean).join(" ");
  return { fields, banner: `${error.message || "The request failed"}${extra ? " \u2014 " + extra : ""}` };
}
