// The sparqlqa playground: plain JavaScript, no build step. Everything shown is text
// (textContent), never HTML from the server.
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

function cell(term, labels) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri" && /^https?:\/\//.test(term.value)) {
    const a = document.createElement("a");
    a.href = term.value;
    a.textContent = labels[term.value] || term.value;
    a.title = term.value;
    td.appendChild(a);
  } else {
    td.textContent = term.value;
  }
  return td;
}

function showResult(result, labels = {}) {
  const head = $("answers").querySelector("thead");
  const body = $("answers").querySelector("tbody");
  head.replaceChildren();
  body.replaceChildren();
  $("answers-section").hidden = false;
  if ("boolean" in result) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.textContent = result.boolean ? "yes" : "no";
    tr.appendChild(td);
    body.appendChild(tr);
    return;
  }
  const vars = result.head.vars;
  const hr = document.createElement("tr");
  for (const v of vars) {
    const th = document.createElement("th");
    th.textContent = v;
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

async function ask(event) {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question) return;
  setStatus("Thinking…");
  $("ask").disabled = true;
  try {
    const response = await fetch("/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question, graph: $("graph").value || null }),
    });
    if (!response.ok) {
      setStatus(await errorMessage(response), true);
      return;
    }
    const answer = await response.json();
    render(answer);
  } catch (error) {
    setStatus(`The service did not answer: ${error}`, true);
  } finally {
    $("ask").disabled = false;
  }
}

function render(answer) {
  setStatus(answer.answered ? `Answered in ${Math.round(answer.timings_ms.total)} ms.`
    : `No answer: ${answer.reason}`, !answer.answered);
  $("query-section").hidden = !answer.query;
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
  if (answer.result) showResult(answer.result, labels);
  else $("answers-section").hidden = true;
  const entities = $("entities");
  entities.replaceChildren();
  for (const e of answer.entities) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = e.iri;
    a.textContent = e.label;
    li.appendChild(a);
    li.appendChild(document.createTextNode(
      ` ${e.class_label ? "(" + e.class_label + ") " : ""}for “${answer.question.slice(e.start, e.end)}”, score ${e.score.toFixed(2)}`));
    entities.appendChild(li);
  }
  $("entities-section").hidden = !answer.entities.length;
  const candidates = $("candidates");
  candidates.replaceChildren();
  for (const c of answer.candidates) {
    const li = document.createElement("li");
    li.className = c.accepted ? "accepted" : "rejected";
    li.textContent = `${c.accepted ? "✔ accepted" : "✘ " + c.rejected_because}: ${c.target}`;
    candidates.appendChild(li);
  }
  $("candidates-section").hidden = !answer.candidates.length;
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
  showResult(await response.json());
}

async function loadGraphs() {
  const response = await fetch("/ready");
  const body = await response.json();
  for (const g of body.graphs) {
    const option = document.createElement("option");
    option.value = g.name;
    option.textContent = g.name + (g.answers_questions ? "" : " (queries only)");
    $("graph").appendChild(option);
  }
}

$("ask-form").addEventListener("submit", ask);
$("edit").addEventListener("click", edit);
$("run").addEventListener("click", run);
loadGraphs();
