/* Catalogue filter (no server needed) and search page of the open-data portal.
   Plain ES2017, no dependencies, nothing loaded from other hosts. */
(function () {
  "use strict";
  var PAGE_SIZE = 50;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;  // always text, never HTML
    return node;
  }

  function badge(cls, text) { return el("span", { "class": "pt-badge " + cls }, text); }

  function renderItem(root, r, labels) {
    var li = el("li", { "class": "pt-item" });
    li.appendChild(el("a", { "class": "pt-item-title", href: root + r.url }, r.title));
    var meta = el("span", { "class": "pt-item-meta" });
    meta.appendChild(badge("pt-open-" + r.open_type, labels.open_type[r.open_type] || r.open_type));
    if (r.freshness && labels.freshness[r.freshness]) {
      meta.appendChild(badge("pt-fresh-" + r.freshness, labels.freshness[r.freshness]));
    }
    var parts = [labels.department[r.department] || r.department_name || r.department,
                 labels.theme[r.theme] || r.theme_name || r.theme];
    if (r.last_updated) parts.push("更新于 " + r.last_updated);
    if (r.formats && r.formats.length) parts.push(r.formats.join(" / ").toUpperCase());
    meta.appendChild(document.createTextNode(parts.join(" · ")));
    li.appendChild(meta);
    return li;
  }

  /* ---------- catalogue filter ---------- */
  function initCatalog(box) {
    var root = box.getAttribute("data-root");
    var labels = JSON.parse(document.getElementById("pt-labels").textContent);
    var form = document.getElementById("pt-facets");
    var list = document.getElementById("pt-result-list");
    var counter = document.getElementById("pt-result-count");
    var pager = document.getElementById("pt-pager");
    var facets = ["department", "theme", "open_type", "format", "update_frequency"];
    var rows = [];
    var shown = PAGE_SIZE;

    // Pre-select filters from the address (?department=jtj&theme=transport).
    var params = new URLSearchParams(window.location.search);
    facets.concat(["text"]).forEach(function (key) {
      params.getAll(key).forEach(function (value) {
        var input = form.querySelector('[name="' + key + '"][value="' + CSS.escape(value) + '"]');
        if (input) input.checked = true;
        if (key === "text") form.elements.text.value = value;
      });
    });

    function selected() {
      var chosen = {};
      facets.forEach(function (key) {
        chosen[key] = Array.prototype.map.call(
          form.querySelectorAll('input[name="' + key + '"]:checked'), function (i) { return i.value; });
      });
      chosen.text = (form.elements.text.value || "").trim();
      return chosen;
    }

    function matches(r, chosen, skip) {
      for (var i = 0; i < facets.length; i++) {
        var key = facets[i];
        if (key === skip || !chosen[key].length) continue;
        if (key === "format") {
          if (!r.formats.some(function (f) { return chosen.format.indexOf(f) >= 0; })) return false;
        } else if (chosen[key].indexOf(r[key]) < 0) return false;
      }
      if (chosen.text && r.title.indexOf(chosen.text) < 0) return false;
      return true;
    }

    function updateCounts(chosen) {
      // Counts for each option as if only the other facets were applied.
      facets.forEach(function (key) {
        var counts = {};
        rows.forEach(function (r) {
          if (!matches(r, chosen, key)) return;
          var values = key === "format" ? r.formats : [r[key]];
          values.forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
        });
        box.querySelectorAll('[data-count-for^="' + key + ':"]').forEach(function (span) {
          var code = span.getAttribute("data-count-for").slice(key.length + 1);
          span.textContent = counts[code] || 0;
        });
      });
    }

    // Sorting: newest first, by name (Chinese collation), or most downloaded;
    // ties keep the catalogue's order.
    var sortSelect = document.getElementById("pt-sort");
    var collator = new Intl.Collator("zh-CN");
    var ORDERS = {
      updated: function (a, b) { return (b.last_updated || "").localeCompare(a.last_updated || ""); },
      name: function (a, b) { return collator.compare(a.title, b.title); },
      downloads: function (a, b) { return (b.download_count || 0) - (a.download_count || 0); }
    };
    if (params.get("sort") && ORDERS[params.get("sort")]) sortSelect.value = params.get("sort");

    // Phone: the filters fold away above the results; wide screens show them beside.
    var filterBox = document.getElementById("pt-filter-box");
    var wide = window.matchMedia("(min-width: 45em)");
    function unfold() {
      if (wide.matches) filterBox.open = true;
      else if (filterBox.dataset.touched !== "1") filterBox.open = false;
    }
    filterBox.addEventListener("toggle", function () { if (!wide.matches) filterBox.dataset.touched = "1"; });
    unfold();
    if (wide.addEventListener) wide.addEventListener("change", unfold);

    function apply() {
      var chosen = selected();
      var hits = rows.filter(function (r) { return matches(r, chosen, null); });
      var order = ORDERS[sortSelect.value] || ORDERS.updated;
      hits = hits.map(function (r, i) { return [r, i]; }).sort(function (a, b) {
        return order(a[0], b[0]) || a[1] - b[1];
      }).map(function (pair) { return pair[0]; });
      var filtered = form.querySelectorAll("input[type=checkbox]:checked").length + (chosen.text ? 1 : 0);
      filterBox.querySelector("summary").textContent = filtered ? "筛选条件（已选 " + filtered + " 项）" : "筛选条件";
      list.textContent = "";
      hits.slice(0, shown).forEach(function (r) { list.appendChild(renderItem(root, r, labels)); });
      counter.textContent = "找到 " + hits.length + " 个数据集";
      pager.textContent = "";
      if (hits.length > shown) {
        var more = el("button", { type: "button", "class": "md-button" }, "显示更多（还有 " + (hits.length - shown) + " 个）");
        more.addEventListener("click", function () { shown += PAGE_SIZE; apply(); });
        pager.appendChild(more);
      }
      updateCounts(chosen);
      var query = new URLSearchParams();
      facets.forEach(function (key) { chosen[key].forEach(function (v) { query.append(key, v); }); });
      if (chosen.text) query.set("text", chosen.text);
      if (sortSelect.value !== "updated") query.set("sort", sortSelect.value);
      var qs = query.toString();
      window.history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : ""));
    }

    form.addEventListener("change", function () { shown = PAGE_SIZE; apply(); });
    form.addEventListener("input", function () { shown = PAGE_SIZE; apply(); });
    sortSelect.addEventListener("change", function () { shown = PAGE_SIZE; apply(); });
    form.addEventListener("reset", function () { setTimeout(function () { shown = PAGE_SIZE; apply(); }, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });

    counter.textContent = "正在加载目录……";
    fetch(box.getAttribute("data-index")).then(function (resp) {
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      return resp.json();
    }).then(function (index) {
      var keys = index.keys;
      rows = index.rows.map(function (values) {
        var r = {};
        keys.forEach(function (k, i) { r[k] = values[i]; });
        r.url = "datasets/" + r.id + "/";
        return r;
      });
      apply();
    }).catch(function () {
      counter.textContent = "目录数据加载失败，请刷新页面重试，或按部门浏览。";
    });
  }

  /* ---------- search page (search API, with fallback) ---------- */
  // Highlights come as escaped text with <mark> tags; build nodes from the
  // pieces instead of using innerHTML, so nothing from data becomes markup.
  function highlighted(parent, text) {
    var parts = String(text).split(/(<mark>|<\/mark>)/);
    var inMark = false;
    parts.forEach(function (part) {
      if (part === "<mark>") { inMark = true; return; }
      if (part === "</mark>") { inMark = false; return; }
      var decoded = new DOMParser().parseFromString("<!doctype html><body>" + part, "text/html").body.textContent;
      parent.appendChild(inMark ? el("mark", {}, decoded) : document.createTextNode(decoded));
    });
  }

  function initSearch(box) {
    var root = box.getAttribute("data-root");
    var api = box.getAttribute("data-api").replace(/\/$/, "");
    var form = document.getElementById("pt-search-form");
    var list = document.getElementById("pt-search-results");
    var counter = document.getElementById("pt-search-count");
    var offline = document.getElementById("pt-search-offline");
    var fallback = document.getElementById("pt-search-fallback");
    var facetBox = document.getElementById("pt-search-facets");
    var pager = document.getElementById("pt-search-pager");
    var facetTitles = { open_type: "开放属性", department: "数据提供部门", theme: "数据领域",
                        format: "数据格式", update_frequency: "更新频度", region: "所属区域" };
    var state = new URLSearchParams(window.location.search);
    form.elements.q.value = state.get("q") || "";

    function renderHit(hit) {
      var li = el("li", { "class": "pt-item" });
      var a = el("a", { "class": "pt-item-title", href: root + hit.url });
      highlighted(a, (hit.highlights && hit.highlights.title) || hit.title);
      li.appendChild(a);
      var meta = el("span", { "class": "pt-item-meta" });
      meta.appendChild(badge("pt-open-" + hit.open_type, hit.open_type_name));
      var parts = [hit.department_name, hit.theme_name];
      if (hit.last_updated) parts.push("更新于 " + hit.last_updated);
      if (hit.formats && hit.formats.length) parts.push(hit.formats.join(" / ").toUpperCase());
      meta.appendChild(document.createTextNode(parts.join(" · ")));
      li.appendChild(meta);
      var summary = el("p", { "class": "pt-hit-summary" });
      highlighted(summary, (hit.highlights && hit.highlights.summary) || hit.summary);
      li.appendChild(summary);
      return li;
    }

    function renderFacets(facets) {
      facetBox.textContent = "";
      Object.keys(facetTitles).forEach(function (key) {
        var options = facets[key] || [];
        if (!options.length) return;
        var fieldset = el("fieldset", { "data-facet": key });
        fieldset.appendChild(el("legend", {}, facetTitles[key]));
        var chosen = state.getAll(key);
        options.forEach(function (option) {
          var label = el("label");
          var input = el("input", { type: "checkbox", name: key, value: option.value });
          input.checked = chosen.indexOf(option.value) >= 0;
          input.addEventListener("change", function () {
            var values = state.getAll(key).filter(function (v) { return v !== option.value; });
            if (input.checked) values.push(option.value);
            state.delete(key);
            values.forEach(function (v) { state.append(key, v); });
            state.delete("page");
            run();
          });
          label.appendChild(input);
          label.appendChild(document.createTextNode(" " + option.label + " "));
          label.appendChild(el("span", { "class": "pt-count" }, String(option.count)));
          fieldset.appendChild(label);
        });
        facetBox.appendChild(fieldset);
      });
    }

    function run() {
      list.textContent = "";
      pager.textContent = "";
      offline.hidden = true;
      var query = state.get("q") || "";
      fallback.href = root + "catalog/" + (query ? "?text=" + encodeURIComponent(query) : "");
      window.history.replaceState(null, "", window.location.pathname + (state.toString() ? "?" + state.toString() : ""));
      counter.textContent = "正在搜索……";
      fetch(api + "/api/v1/search?" + state.toString()).then(function (resp) {
        return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
      }).then(function (answer) {
        if (!answer.ok) { counter.textContent = answer.body.error || "搜索失败，请修改条件后重试。"; return; }
        var data = answer.body;
        counter.textContent = "找到 " + data.total + " 个数据集" + (query ? "（“" + query + "”）" : "");
        if (data.corrected) {
          // Nothing held every word: the engine answered for a correction.
          counter.textContent = data.corrected.message + " 共 " + data.total + " 个数据集。";
          counter.setAttribute("data-corrected", data.corrected.q);
        } else {
          counter.removeAttribute("data-corrected");
        }
        data.hits.forEach(function (hit) { list.appendChild(renderHit(hit)); });
        renderFacets(data.facets);
        if (data.pages > 1) {
          pager.appendChild(document.createTextNode("第 " + data.page + " / " + data.pages + " 页 "));
          [["上一页", data.page - 1], ["下一页", data.page + 1]].forEach(function (p) {
            if (p[1] < 1 || p[1] > data.pages) return;
            var b = el("button", { type: "button", "class": "md-button" }, p[0]);
            b.addEventListener("click", function () { state.set("page", String(p[1])); run(); window.scrollTo(0, 0); });
            pager.appendChild(b);
          });
        }
      }).catch(function () {
        counter.textContent = "";
        facetBox.textContent = "";
        offline.hidden = false;
      });
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var query = form.elements.q.value.trim();
      state = new URLSearchParams();
      if (query) state.set("q", query);
      run();
    });
    run();
  }

  /* ---------- public answers to data error reports (dataset page) ---------- */
  function initAnswers(box) {
    fetch(box.getAttribute("data-api")).then(function (resp) {
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      return resp.json();
    }).then(function (data) {
      if (!data.answers.length) { box.appendChild(el("p", {}, "暂无纠错答复。")); return; }
      var list = el("ul", { "class": "pt-answers" });
      data.answers.forEach(function (a) {
        var text = a.answered_on + " · " + a.finding_name + (a.field ? "（字段 " + a.field + "）" : "") +
          "：" + a.answer + (a.in_time ? "" : "（逾期答复）");
        list.appendChild(el("li", {}, text));
      });
      box.appendChild(list);
    }).catch(function () {
      box.appendChild(el("p", { "class": "pt-muted" }, "纠错答复暂时无法加载。"));
    });
  }

  /* ---------- live statistics (statistics page): downloads, reports, demands ---------- */
  function svgEl(tag, attrs) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function dailyChart(days, title) {
    // One column per day with downloads; the days in between count as zero.
    var width = 640, height = 120, max = 1;
    days.forEach(function (d) { if (d.downloads > max) max = d.downloads; });
    var svg = svgEl("svg", { "class": "pt-chart", role: "img", viewBox: "0 0 " + width + " " + height,
                             width: "100%", "aria-label": title });
    var t = svgEl("title"); t.textContent = title; svg.appendChild(t);
    var first = new Date(days[0].day), last = new Date(days[days.length - 1].day);
    var span = Math.max(1, Math.round((last - first) / 86400000) + 1);
    var step = (width - 20) / span;
    days.forEach(function (d) {
      var offset = Math.round((new Date(d.day) - first) / 86400000);
      var h = Math.max(1.5, (height - 24) * d.downloads / max);
      var rect = svgEl("rect", { "class": "pt-c1", x: (10 + offset * step).toFixed(1), y: (height - 14 - h).toFixed(1),
                                 width: Math.max(1, step - 1).toFixed(1), height: h.toFixed(1) });
      var tip = svgEl("title"); tip.textContent = d.day + "：" + d.downloads + " 次"; rect.appendChild(tip);
      svg.appendChild(rect);
    });
    [[days[0].day, "start"], [days[days.length - 1].day, "end"]].forEach(function (pair, i) {
      var label = svgEl("text", { "class": "pt-chart-label", x: i ? width - 10 : 10, y: height - 2, "text-anchor": pair[1] });
      label.textContent = pair[0]; svg.appendChild(label);
    });
    return svg;
  }

  function table(head, rows) {
    var tbl = el("table", { "class": "pt-table" });
    var tr = el("tr"); head.forEach(function (h) { tr.appendChild(el("th", {}, h)); });
    var thead = el("thead"); thead.appendChild(tr); tbl.appendChild(thead);
    var body = el("tbody");
    rows.forEach(function (row) {
      var line = el("tr");
      row.forEach(function (cell) {
        var td = el("td");
        if (cell && cell.nodeType) td.appendChild(cell); else td.textContent = String(cell);
        line.appendChild(td);
      });
      body.appendChild(line);
    });
    tbl.appendChild(body);
    return tbl;
  }

  function getJson(url) {
    return fetch(url).then(function (resp) {
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      return resp.json();
    });
  }

  function initLiveStats(box) {
    var api = box.getAttribute("data-api"), root = box.getAttribute("data-root");
    var names = {};
    try { names = JSON.parse(box.getAttribute("data-departments") || "{}"); } catch (e) { names = {}; }
    function dept(code) { return names[code] || code; }
    Promise.all([
      getJson(api + "/api/v1/statistics/downloads?top=10"),
      getJson(api + "/api/v1/statistics/reports"),
      getJson(api + "/api/v1/statistics/participation").catch(function () { return null; })
    ]).then(function (all) {
      var downloads = all[0], reports = all[1], participation = all[2];
      box.textContent = "";
      box.appendChild(el("h3", {}, "下载次数（" + downloads.from + " 至 " + downloads.to + "）"));
      var total = el("p", { id: "pt-downloads-total" }, "共 " + downloads.total + " 次。");
      total.appendChild(el("a", { href: api + "/api/v1/statistics/downloads?format=csv" }, "下载 CSV"));
      box.appendChild(total);
      if (downloads.days.length) {
        box.appendChild(dailyChart(downloads.days, "每日下载次数"));
        box.appendChild(table(["数据集", "数源部门", "下载次数"], downloads.datasets.map(function (d) {
          var link = el("a", { href: root + "datasets/" + d.id + "/" }, d.title || d.id);
          return [link, d.department_name || dept(d.department), d.downloads];
        })));
      }
      box.appendChild(el("h3", {}, "数据纠错与目录纠错办理"));
      if (!reports.departments.length) box.appendChild(el("p", {}, "尚未收到纠错。"));
      else box.appendChild(table(["部门", "类别", "收到", "已答复", "按期答复", "办理中", "已超期"],
        reports.departments.map(function (r) {
          return [dept(r.department), r.kind_name, r.received, r.answered, r.answered_in_time, r.open, r.overdue];
        })));
      var csv = el("p"); csv.appendChild(el("a", { href: api + "/api/v1/statistics/reports?format=csv" }, "下载 CSV"));
      box.appendChild(csv);
      var yearly = el("p", { id: "pt-yearly" }, "年度报告数据（各部门申请、纠错、需求建议办理与下载次数）：");
      yearly.appendChild(el("a", { href: api + "/api/v1/statistics/yearly?format=csv" }, "本年度 CSV"));
      box.appendChild(yearly);
      if (participation && participation.by_department) {
        box.appendChild(el("h3", {}, "开放需求与意见建议办理"));
        var rows = [];
        Object.keys(participation.by_department).sort().forEach(function (code) {
          var kinds = participation.by_department[code];
          Object.keys(kinds).sort().forEach(function (kind) {
            var k = kinds[kind];
            rows.push([dept(code), kind === "demand" ? "开放需求" : kind === "suggestion" ? "意见建议" : kind,
                       k.received, k.answered, k.answered_in_time, k.overdue]);
          });
        });
        if (rows.length) box.appendChild(table(["部门", "类别", "收到", "已答复", "按期答复", "已超期"], rows));
        else box.appendChild(el("p", {}, "尚未收到开放需求或意见建议。"));
      }
    }).catch(function () {
      box.textContent = "";
      box.appendChild(el("p", { "class": "pt-muted" }, "实时统计暂时无法访问，请稍后再试。以上按目录统计的数据不受影响。"));
    });
  }

  /* ---------- approved reuses of the dataset (dataset page; moderated text only) ---------- */
  function initReuses(box) {
    fetch(box.getAttribute("data-api")).then(function (resp) {
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      return resp.json();
    }).then(function (data) {
      if (!data.reuses.length) { box.appendChild(el("p", {}, "暂无应用成果。")); return; }
      var list = el("ul", { "class": "pt-reuses" });
      data.reuses.forEach(function (u) {
        var li = el("li");
        // Only http(s) links: the service refuses others; check again here.
        if (/^https?:\/\//i.test(u.url)) {
          li.appendChild(el("a", { href: u.url, rel: "nofollow noopener noreferrer ugc" }, u.title));
        } else {
          li.appendChild(el("strong", {}, u.title));
        }
        li.appendChild(document.createTextNode("：" + u.text));
        list.appendChild(li);
      });
      box.appendChild(list);
    }).catch(function () {
      box.appendChild(el("p", { "class": "pt-muted" }, "应用成果暂时无法加载。"));
    });
  }

  /* ---------- download count of a dataset page, refreshed from the service ---------- */
  function initDownloadCount(box) {
    fetch(box.getAttribute("data-api")).then(function (resp) {
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      return resp.json();
    }).then(function (answer) {
      box.textContent = Number(answer.total || 0).toLocaleString("zh-CN") + " 次";
      box.setAttribute("data-live", "1");
    }).catch(function () { /* keep the figure written at build time */ });
  }

  /* The theme puts each code block's copy button in a <nav> of its own: one
     unnamed navigation landmark per block, which screen readers list beside
     the real menus (axe-core: landmark-unique). A copy button is no
     navigation: the wrapper is made a plain container, also for blocks the
     theme adds later. */
  function unlandmarkCodeButtons() {
    var fix = function () {
      document.querySelectorAll("nav.md-code__nav:not([role])").forEach(function (nav) {
        nav.setAttribute("role", "none");
      });
    };
    fix();
    if (window.MutationObserver) new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
  }

  function init() {
    // Search forms submit to the service's results page (/find) when scripts
    // do not run; with scripts they lead to the search page, which asks the API.
    Array.prototype.forEach.call(document.querySelectorAll("form[data-js-action]"), function (f) {
      f.setAttribute("action", f.getAttribute("data-js-action"));
    });
    unlandmarkCodeButtons();
    var count = document.getElementById("pt-download-count");
    if (count && !count.getAttribute("data-ready")) { count.setAttribute("data-ready", "1"); initDownloadCount(count); }
    var reuses = document.getElementById("pt-reuses");
    if (reuses && !reuses.getAttribute("data-ready")) { reuses.setAttribute("data-ready", "1"); initReuses(reuses); }
    var answers = document.getElementById("pt-report-answers");
    if (answers && !answers.getAttribute("data-ready")) { answers.setAttribute("data-ready", "1"); initAnswers(answers); }
    var catalog = document.getElementById("pt-catalog");
    if (catalog && !catalog.getAttribute("data-ready")) { catalog.setAttribute("data-ready", "1"); initCatalog(catalog); }
    var live = document.getElementById("pt-live-stats");
    if (live && !live.getAttribute("data-ready")) { live.setAttribute("data-ready", "1"); initLiveStats(live); }
    var search = document.getElementById("pt-search");
    if (search && !search.getAttribute("data-ready")) { search.setAttribute("data-ready", "1"); initSearch(search); }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
