// The sparqlqa playground: plain JavaScript, no build step. Everything shown is text
// (textContent), never HTML from the server.
//
// The address holds the question (/?q=...&graph=...&lang=...): opening it asks again, so an
// answer can be shared. Example questions come from GET /examples (the graph's test split).
"use strict";

const $ = (id) => document.getElementById(id);
const KEYWORDS = new Set(("SELECT ASK CONSTRUCT DESCRIBE WHERE FILTER OPTIONAL UNION MINUS GRAPH " +
  "PREFIX BASE DISTINCT REDUCED ORDER BY ASC DESC LIMIT OFFSET GROUP HAVING COUNT SUM AVG MIN MAX " +
  "SAMPLE AS VALUES BIND NOT EXISTS IN STR LANG LANGMATCHES DATATYPE BOUND REGEX CONTAINS " +
  "LCASE UCASE YEAR IF COALESCE ISIRI ISLITERAL A").split(" "));
const TOKEN = /("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(<[^<>\s]*>)|([?$][A-Za-z0-9_]+)|([A-Za-z][\w.-]*:[\w.-]*|:[\w.-]+)|(\b\d+(?:\.\d+)?\b)|([A-Za-z_]+)|(\s+|.)/g;

function highlight(target, query) {
  target.replaceChildren();
  for (const m of query.matchAll(TOKEN)) {
    const [text, str, iri, variable, pname, num, word] = m;
    let cls = null;
    if (str) cls = "str";
    else if (iri) cls = "iri";
    else if (variable) cls = "var";
    else if (pname) cls = "pname";
    else if (num) cls = "num";
    else if (word && KEYWORDS.has(word.toUpperCase())) cls = "kw";
    if (cls) {
      const span = document.createElement("span");
      span.className = cls;
      span.textContent = text;
      target.appendChild(span);
    } else {
      target.appendChild(document.createTextNode(text));
    }
  }
}

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

function element(tag, text = "", className = "") {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function cell(term, labels) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri" && /^https?:\/\//.test(term.value)) {
    const a = element("a", labels[term.value] || term.value);
    a.href = term.value;
    a.title = term.value;
    td.appendChild(a);
  } else {
    td.textContent = term.value;
  }
  return td;
}

// RFC 4180: a field with a comma, a quote or a line break is quoted, quotes doubled.
function csvField(value) {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

// The result as CSV: one column per variable, and beside a column of resources with labels
// a "<variable> label" column.
function toCsv(result, labels) {
  if ("boolean" in result) return `answer\r\n${result.boolean}\r\n`;
  const vars = result.head.vars;
  const bindings = result.results.bindings;
  const labelled = vars.filter((v) => bindings.some((row) => row[v] && labels[row[v].value]));
  const header = vars.flatMap((v) => (labelled.includes(v) ? [v, `${v} label`] : [v]));
  const lines = [header.map(csvField).join(",")];
  for (const row of bindings) {
    const fields = vars.flatMap((v) => {
      const value = row[v] ? row[v].value : "";
      return labelled.includes(v) ? [value, labels[value] || ""] : [value];
    });
    lines.push(fields.map(csvField).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

let csvUrl = null;

function offerCsv(result, labels) {
  if (csvUrl) URL.revokeObjectURL(csvUrl);
  csvUrl = URL.createObjectURL(new Blob([toCsv(result, labels)], { type: "text/csv" }));
  $("csv").href = csvUrl;
}

function showResult(result, labels = {}) {
  const head = $("answers").querySelector("thead");
  const body = $("answers").querySelector("tbody");
  head.replaceChildren();
  body.replaceChildren();
  $("answers-section").hidden = false;
  offerCsv(result, labels);
  if ("boolean" in result) {
    const tr = document.createElement("tr");
    tr.appendChild(element("td", result.boolean ? "yes" : "no"));
    body.appendChild(tr);
    return;
  }
  const vars = result.head.vars;
  const hr = document.createElement("tr");
  for (const v of vars) {
    const th = element("th", v);
    th.scope = "col";
    hr.appendChild(th);
  }
  head.appendChild(hr);
  for (const row of result.results.bindings) {
    const tr = document.createElement("tr");
    for (const v of vars) tr.appendChild(cell(row[v], labels));
    body.appendChild(tr);
  }
  if (!result.results.bindings.length) setStatus("The query returned no rows.");
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    return body.message || response.statusText;
  } catch {
    return response.statusText;
  }
}

// The address of a question: opening it asks the question again.
function shareUrl(question) {
  const params = new URLSearchParams({ q: question });
  if ($("graph").value) params.set("graph", $("graph").value);
  if ($("language").value !== "en") params.set("lang", $("language").value);
  return `/?${params}`;
}

function clearAnswer() {
  for (const id of ["not-sure", "answers-section", "query-section", "entities-section",
    "candidates-section"]) $(id).hidden = true;
}

async function ask(event) {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question) return;
  const url = shareUrl(question);
  history.replaceState(null, "", url);
  $("share").href = url;
  $("share").hidden = false;
  clearAnswer();
  setStatus("Thinking…");
  $("ask").disabled = true;
  try {
    const response = await fetch("/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        question,
        graph: $("graph").value || null,
        language: $("language").value,
      }),
    });
    if (!response.ok) {
      setStatus(await errorMessage(response), true);
      return;
    }
    render(await response.json());
  } catch (error) {
    setStatus(`The service did not answer: ${error}`, true);
  } finally {
    $("ask").disabled = false;
  }
}

function render(answer) {
  if (answer.answered) {
    setStatus(`Answered in ${Math.round(answer.timings_ms.total)} ms.`);
  } else {
    setStatus("");
    $("not-sure-reason").textContent = `${answer.reason}.`;
  }
  $("not-sure").hidden = answer.answered;
  $("query-section").hidden = !answer.query;
  $("query-heading").textContent = answer.answered ? "SPARQL" : "Best candidate (rejected)";
  // A new answer shows its query highlighted, not the editor of an earlier one.
  $("editor").hidden = true;
  $("run").hidden = true;
  $("query").hidden = false;
  if (answer.query) {
    highlight($("query"), answer.query);
    $("query-edit").value = answer.query;
  }
  const labels = {};
  for (const a of answer.answers) if (a.label) labels[a.value] = a.label;
  if (answer.answered && answer.result) showResult(answer.result, labels);
  else $("answers-section").hidden = true;
  const entities = $("entities");
  entities.replaceChildren();
  for (const e of answer.entities) {
    const li = document.createElement("li");
    const a = element("a", e.label);
    a.href = e.iri;
    li.appendChild(a);
    li.appendChild(document.createTextNode(
      ` ${e.class_label ? "(" + e.class_label + ") " : ""}for “${answer.question.slice(e.start, e.end)}”, score ${e.score.toFixed(2)}`));
    entities.appendChild(li);
  }
  $("entities-section").hidden = !answer.entities.length;
  renderCandidates(answer);
}

function renderCandidates(answer) {
  const body = $("candidates").querySelector("tbody");
  body.replaceChildren();
  answer.candidates.forEach((c, i) => {
    const tr = element("tr", "", c.accepted ? "accepted" : "rejected");
    tr.appendChild(element("td", String(i + 1)));
    tr.appendChild(element("td", c.score.toFixed(3), "score"));
    tr.appendChild(element("td", c.accepted ? "✔ accepted" : `✘ ${c.rejected_because}`, "outcome"));
    const target = element("td");
    target.appendChild(element("code", c.target));
    tr.appendChild(target);
    body.appendChild(tr);
  });
  const accepted = answer.candidates.filter((c) => c.accepted).length;
  $("candidates-summary").textContent =
    `${answer.candidates.length} tried, ${accepted ? "one accepted" : "none accepted"}`;
  $("candidates-section").hidden = !answer.candidates.length;
  // Not sure: the reasons are what there is to see.
  $("candidates-section").open = !answer.answered;
}

function edit() {
  $("editor").hidden = false;
  $("run").hidden = false;
  $("query").hidden = true;
  $("query-edit").focus();
}

async function run() {
  const query = $("query-edit").value;
  setStatus("Running the query…");
  const params = new URLSearchParams({ query });
  if ($("graph").value) params.set("graph", $("graph").value);
  const response = await fetch(`/sparql?${params}`, {
    headers: { Accept: "application/sparql-results+json" },
  });
  if (!response.ok) {
    setStatus(await errorMessage(response), true);
    return;
  }
  const type = response.headers.get("content-type") || "";
  if (!type.includes("json")) {
    setStatus("The query returned a graph; showing it as text.");
    $("answers-section").hidden = true;
    highlight($("query"), await response.text());
    return;
  }
  highlight($("query"), query);
  setStatus("Query run.");
  $("not-sure").hidden = true;
  showResult(await response.json());
}

async function loadExamples() {
  const list = $("examples");
  list.replaceChildren();
  $("examples-section").hidden = true;
  const params = new URLSearchParams({ n: "6" });
  if ($("graph").value) params.set("graph", $("graph").value);
  const response = await fetch(`/examples?${params}`);
  if (!response.ok) return;
  const body = await response.json();
  for (const example of body.examples) {
    const li = document.createElement("li");
    const button = element("button", example.question, "example");
    button.type = "button";
    button.title = `A ${example.shape} question from the graph's test split`;
    button.addEventListener("click", () => {
      $("question").value = example.question;
      $("ask-form").requestSubmit();
    });
    li.appendChild(button);
    list.appendChild(li);
  }
  $("examples-section").hidden = !body.examples.length;
}

async function loadGraphs(wanted) {
  const response = await fetch("/ready");
  const body = await response.json();
  for (const g of body.graphs) {
    const option = element("option", g.name + (g.answers_questions ? "" : " (queries only)"));
    option.value = g.name;
    $("graph").appendChild(option);
  }
  if (wanted && body.graphs.some((g) => g.name === wanted)) $("graph").value = wanted;
}

async function start() {
  const params = new URLSearchParams(location.search);
  const lang = params.get("lang");
  if (lang && [...$("language").options].some((o) => o.value === lang)) $("language").value = lang;
  await loadGraphs(params.get("graph"));
  const examples = loadExamples();
  const question = params.get("q");
  if (question) {
    $("question").value = question;
    $("ask-form").requestSubmit();
  }
  await examples;
}

$("ask-form").addEventListener("submit", ask);
$("edit").addEventListener("click", edit);
$("run").addEventListener("click", run);
$("graph").addEventListener("change", () => {
  clearAnswer();
  setStatus("");
  loadExamples();
});
start();
