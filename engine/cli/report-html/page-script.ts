// The page's one script, inline and allowed by its hash in the Content-Security-Policy. It reads
// the task data from a JSON block (never executed) and builds the detail view with textContent
// only, so no text from a run can become markup. Plain ES2017: it runs in any browser as written.
export const PAGE_SCRIPT = `(function () {
  var data = JSON.parse(document.getElementById('weft-data').textContent);
  // Lanes are sorted by start time; data-i is the task's index in the data.
  var lanes = [];
  document.querySelectorAll('.lane[data-i]').forEach(function (l) { lanes[Number(l.dataset.i)] = l; });
  var detail = document.getElementById('detail');
  var byBase = {}, dependents = {};
  data.tasks.forEach(function (t, i) { (byBase[t.base] = byBase[t.base] || []).push(i); });
  Object.keys(data.needs).forEach(function (b) {
    data.needs[b].forEach(function (n) { (dependents[n] = dependents[n] || []).push(b); });
  });
  var marked = [], selected = -1;
  function lanesOf(bases) {
    var out = [];
    bases.forEach(function (b) { (byBase[b] || []).forEach(function (j) { out.push(lanes[j]); }); });
    return out;
  }
  function mark(i) {
    marked.forEach(function (el) { el.classList.remove('need', 'dependent'); });
    marked = [];
    if (i < 0) return;
    var base = data.tasks[i].base;
    lanesOf(data.needs[base] || []).forEach(function (el) { el.classList.add('need'); marked.push(el); });
    lanesOf(dependents[base] || []).forEach(function (el) { el.classList.add('dependent'); marked.push(el); });
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function pre(label, text) {
    var wrap = el('div', undefined, 'block');
    wrap.appendChild(el('h4', label));
    wrap.appendChild(el('pre', text));
    return wrap;
  }
  function show(i) {
    var t = data.tasks[i];
    detail.textContent = '';
    var head = el('h3', t.id + ' ');
    head.appendChild(el('span', t.status, 'badge ' + t.status));
    detail.appendChild(head);
    if (t.note) detail.appendChild(el('p', t.note, 'note'));
    var needs = data.needs[t.base] || [], by = dependents[t.base] || [];
    detail.appendChild(el('p', 'needs: ' + (needs.join(', ') || 'nothing') + ' · needed by: ' + (by.join(', ') || 'nothing'), 'deps'));
    t.attemptLog.forEach(function (a) {
      var h = 'attempt ' + a.n + ' of ' + t.attempts + ': ' + a.status + ', ' + a.took + (a.error ? ': ' + a.error : '');
      var box = el('div', undefined, 'attempt ' + a.status);
      box.appendChild(el('h4', h));
      if (a.stdout) box.appendChild(pre('stdout' + a.stdout.dropped, a.stdout.text));
      if (a.stderr) box.appendChild(pre('stderr' + a.stderr.dropped, a.stderr.text));
      detail.appendChild(box);
    });
    t.output.forEach(function (b) { detail.appendChild(pre(b.label, b.text)); });
    detail.hidden = false;
  }
  function laneOf(target) { return target && target.closest ? target.closest('.lane[data-i]') : null; }
  var timeline = document.getElementById('timeline');
  timeline.addEventListener('mouseover', function (e) {
    var lane = laneOf(e.target);
    if (lane) mark(Number(lane.dataset.i));
  });
  timeline.addEventListener('mouseleave', function () { mark(selected); });
  function select(lane) {
    if (!lane) return;
    if (selected >= 0) lanes[selected].classList.remove('selected');
    selected = Number(lane.dataset.i);
    lane.classList.add('selected');
    mark(selected);
    show(selected);
  }
  timeline.addEventListener('click', function (e) { select(laneOf(e.target)); });
  timeline.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(laneOf(e.target)); } });
  document.querySelectorAll('a[data-select]').forEach(function (a) {
    a.addEventListener('click', function () { var lane = lanes[Number(a.dataset.select)]; select(lane); });
  });
})();`;
